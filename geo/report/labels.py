"""Label placement on the report map: names put where they overlap nothing placed."""

from __future__ import annotations

from typing import Any, Final

from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure

INK: Final = "#222222"
MUTED: Final = "#5a5a5a"
HALO: Final = [patheffects.withStroke(linewidth=2.4, foreground="white")]


def _text(ax_or_fig: Axes | Figure, x: float, y: float, s: str, **kwargs: object) -> object:
    """Text from data: never parsed as mathtext (a ``$`` in a name stays a dollar)."""
    return ax_or_fig.text(x, y, s, parse_math=False, **kwargs)  # type: ignore[arg-type]


Box = tuple[float, float, float, float]
"""``(left, bottom, right, top)`` in inches from the figure's lower left corner."""


def overlaps(box: Box, boxes: list[Box]) -> bool:
    """Tell whether a box overlaps any of ``boxes``."""
    return any(box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3] for o in boxes)


def label_box(
    x_in: float, y_in: float, text: str, size_pt: float, side: str, bold: bool = False
) -> Box:
    """Estimate a label's box in inches (DejaVu Sans averages ~0.6 em per character)."""
    width = len(text) * size_pt * (0.68 if bold else 0.6) / 72 + 0.04
    height = size_pt * 1.3 / 72
    gap = 0.06
    if side == "right":
        return (x_in + gap, y_in - height / 2, x_in + gap + width, y_in + height / 2)
    if side == "left":
        return (x_in - gap - width, y_in - height / 2, x_in - gap, y_in + height / 2)
    if side == "top":
        return (x_in - width / 2, y_in + gap, x_in + width / 2, y_in + gap + height)
    return (x_in - width / 2, y_in - gap - height, x_in + width / 2, y_in - gap)


_ALIGN: Final = {
    "right": ("left", "center"),
    "left": ("right", "center"),
    "top": ("center", "bottom"),
    "bottom": ("center", "top"),
}


class LabelPlacer:
    """The labels of one map: each is put where it overlaps nothing placed before it.

    The placer owns the boxes taken so far (labels, and areas kept clear such as the
    markers, the scale bar and the north arrow), so the order of the calls decides who
    wins: what is placed first keeps its place.

    Parameters
    ----------
    ax : Axes
        The map, whose data coordinates label anchors are given in.
    fig : Figure
    """

    def __init__(self, ax: Axes, fig: Figure) -> None:
        self.ax, self.fig = ax, fig
        self.boxes: list[Box] = []

    def __len__(self) -> int:
        return len(self.boxes)

    def keep_clear(self, *boxes: Box) -> None:
        """Reserve areas no label may cover (in inches)."""
        self.boxes.extend(boxes)

    def release(self, box: Box) -> None:
        """Give back an area reserved with :meth:`keep_clear`."""
        self.boxes.remove(box)

    def is_free(self, box: Box, *, after: int = 0) -> bool:
        """Tell whether a box overlaps no box taken, ignoring the first ``after`` boxes."""
        return not overlaps(box, self.boxes[after:])

    def take(self, box: Box) -> bool:
        """Take a box when it is free; tell whether it was."""
        if not self.is_free(box):
            return False
        self.boxes.append(box)
        return True

    def to_inches(self, x: float, y: float) -> tuple[float, float]:
        """Return where a point of the map's data coordinates is on the page, in inches."""
        px, py = self.ax.transData.transform((x, y)) / self.fig.dpi
        return float(px), float(py)

    def place(
        self, x: float, y: float, text: str, size_pt: float, offset_in: float, **style: Any
    ) -> bool:
        """Put a label beside a point, on the first free side; tell whether it fitted.

        Parameters
        ----------
        x, y : float
            The point, in the map's data coordinates.
        text : str
        size_pt : float
            Font size.
        offset_in : float
            Distance from the point (a marker's radius), in inches.
        **style
            Passed to :meth:`matplotlib.axes.Axes.annotate` (colour, weight, zorder).

        Returns
        -------
        bool
            False when no side is free inside the map; nothing is drawn then.
        """
        ax, dpi = self.ax, self.fig.dpi
        px, py = self.to_inches(x, y)
        frame = ax.get_window_extent()
        fx0, fy0, fx1, fy1 = frame.x0 / dpi, frame.y0 / dpi, frame.x1 / dpi, frame.y1 / dpi
        for side in ("right", "left", "top", "bottom"):
            shift = {
                "right": (offset_in, 0),
                "left": (-offset_in, 0),
                "top": (0, offset_in),
                "bottom": (0, -offset_in),
            }[side]
            box = label_box(
                px + shift[0], py + shift[1], text, size_pt, side, style.get("fontweight") == "bold"
            )
            inside = box[0] > fx0 and box[2] < fx1 and box[1] > fy0 and box[3] < fy1
            if inside and self.take(box):
                ha, va = _ALIGN[side]
                off_pt = (
                    shift[0] * 72 + (4 if side == "right" else -4 if side == "left" else 0),
                    shift[1] * 72 + (4 if side == "top" else -4 if side == "bottom" else 0),
                )
                ax.annotate(
                    text,
                    (x, y),
                    xytext=off_pt,
                    textcoords="offset points",
                    ha=ha,
                    va=va,
                    fontsize=size_pt,
                    path_effects=HALO,
                    annotation_clip=True,
                    parse_math=False,
                    **style,
                )
                return True
        return False

"""Report page options (size, pixel ratio, what a view gives the page) and the drawn page."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from geo import __version__, palette
from geo.limits import REPORT_SCALE, REPORT_SIDE_PIXELS, check_report_size
from geo.schema import MissingComponentError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from geo.view import View


FONT_FAMILY: Final = "DejaVu Sans"  # ships with matplotlib, so it is never missing
A4_LANDSCAPE_IN: Final = (297 / 25.4, 210 / 25.4)


# The PDF page: A4 landscape at 72 points per inch, whatever size the PNG is.
PDF_PAGE: Final[dict[str, Any]] = {"page_size_in": A4_LANDSCAPE_IN, "dpi": 72.0}
PDF_RASTER_DPI: Final = 200
MIN_LAYOUT_PX: Final = (640, 420)  # room for header, legend panel, footer and a map


@dataclass(frozen=True)
class ReportOptions:
    """How the report page looks.

    Attributes
    ----------
    title : str
        The heading of the page.
    width, height : int
        PNG size in device pixels (the PDF is always A4 landscape).
    scale : float
        Device pixels per layout pixel: 2 renders a 1200 x 848 layout at 2x.
    color_by : {"event_type", "actor"}
        What the marker colours show (see :mod:`geo.palette`).
    bounds : tuple of float, optional
        ``(lon_min, lat_min, lon_max, lat_max)`` to show; by default the incidents' extent.
    actor_ranking : tuple of str
        Actors ranked over the whole dataset, so actor colours match the interactive map.
    choropleth : {"", "incidents", "fatalities"}
        Provinces shaded by the incidents shown or their fatalities; "" for none.
    """

    title: str = "Incidents"
    width: int = 2400
    height: int = 1697
    scale: float = 2.0
    color_by: str = "event_type"
    bounds: tuple[float, float, float, float] | None = None
    actor_ranking: tuple[str, ...] = field(default=())
    choropleth: str = ""

    def __post_init__(self) -> None:
        _check_page(self.width, self.height, self.scale)
        if self.color_by not in palette.COLOR_BY and not self.color_by.strip():
            raise ValueError(
                f"color_by must be one of {', '.join(palette.COLOR_BY)}; got {self.color_by!r}"
            )

    @classmethod
    def from_view(cls, view: View, page: PageOptions | None = None) -> ReportOptions:
        """Take title, colouring, ranking and extent from a view and the size from a page.

        Parameters
        ----------
        view : View
        page : PageOptions, optional
            Size and pixel ratio; the defaults by default.

        Returns
        -------
        ReportOptions
        """
        page = page or PageOptions()
        return cls(
            title=view.title,
            width=page.width,
            height=page.height,
            scale=page.scale,
            color_by=view.color_by,
            bounds=view.extent,
            actor_ranking=view.actor_ranking,
            choropleth=view.choropleth,
        )

    @property
    def page(self) -> PageOptions:
        """The page size and pixel ratio alone."""
        return PageOptions(self.width, self.height, self.scale)


@dataclass(frozen=True)
class PageOptions:
    """The report page's size: what a view does not say about a printed page.

    Attributes
    ----------
    width, height : int
        PNG size in device pixels (the PDF is always A4 landscape).
    scale : float
        Device pixels per layout pixel: 2 renders a 1200 x 848 layout at 2x.

    Raises
    ------
    ValueError
        When a size is out of range or leaves too small a layout.
    ReportSizeError
        When the page is over :data:`geo.limits.MAX_REPORT_PIXELS` device pixels.
    """

    width: int = 2400
    height: int = 1697
    scale: float = 2.0

    def __post_init__(self) -> None:
        _check_page(self.width, self.height, self.scale)


@dataclass(frozen=True, eq=False)
class PageOverlay:
    """What a page shows in place of what its selection alone would give.

    Attributes
    ----------
    caption : str, optional
        The subtitle, in place of the filter's description (a time-lapse frame's step).
    legend : tuple of (str, str), optional
        The colour legend, in place of the incidents' own: frames and panels that
        share one legend keep every entry in the same place.
    faded : numpy.ndarray of bool, optional
        Incidents drawn pale, behind the others (a cumulative time-lapse's earlier steps).
    """

    caption: str | None = None
    legend: tuple[tuple[str, str], ...] | None = None
    faded: np.ndarray | None = None


NO_OVERLAY: Final = PageOverlay()


def _check_page(width: int, height: int, scale: float) -> None:
    """Refuse a page size out of range, too small to lay out, or over the pixel budget."""
    (low, high), (least, most) = REPORT_SIDE_PIXELS, REPORT_SCALE
    if not (low <= width <= high and low <= height <= high):
        raise ValueError(f"width and height must be {low} to {high} pixels; got {width} x {height}")
    if not least <= scale <= most:
        raise ValueError(f"scale must be between {least:g} and {most:g}; got {scale}")
    layout = (width / scale, height / scale)
    if layout[0] < MIN_LAYOUT_PX[0] or layout[1] < MIN_LAYOUT_PX[1]:
        raise ValueError(
            f"{width} x {height} pixels at scale {scale:g} leave a "
            f"{layout[0]:.0f} x {layout[1]:.0f} layout, too small for the page; it needs "
            f"at least {MIN_LAYOUT_PX[0]} x {MIN_LAYOUT_PX[1]} (width and height divided "
            "by scale)"
        )
    check_report_size(width, height)


@dataclass
class ReportPage:
    """A drawn page: the figure, its map axes and what was drawn where.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
    map_ax : matplotlib.axes.Axes
        The map, in Web Mercator metres.
    bounds : tuple of float
        The extent finally shown, ``(lon_min, lat_min, lon_max, lat_max)``.
    x, y : numpy.ndarray
        Web Mercator coordinates of the incidents, in input order.
    colors : list of str
        Marker colour of each incident, in input order.
    legend : list of (str, str)
        The colour legend drawn: ``(label, "#RRGGBB")``.
    more_pages : list of Figure
        Pages after this one (the incident list continued), saved in the PDF only.
    panels : list of Axes
        Every map of the page, ``map_ax`` first (two when periods are compared).
    """

    figure: Figure
    map_ax: Axes
    bounds: tuple[float, float, float, float]
    x: np.ndarray
    y: np.ndarray
    colors: list[str]
    legend: list[tuple[str, str]]
    more_pages: list[Figure] = field(default_factory=list)
    panels: list[Axes] = field(default_factory=list)

    def pixel_positions(self) -> np.ndarray:
        """Pixel (column, row) of each incident in the saved PNG, row 0 at the top."""
        display = self.map_ax.transData.transform(np.column_stack([self.x, self.y]))
        height = self.figure.bbox.height
        return np.column_stack([display[:, 0], height - display[:, 1]])

    def to_png(self) -> bytes:
        """Save the page as PNG bytes at the figure's size and resolution."""
        buffer = io.BytesIO()
        self.figure.savefig(
            buffer, format="png", dpi=self.figure.dpi, metadata={"Software": _software()}
        )
        return buffer.getvalue()

    def to_pdf(self, title: str) -> bytes:
        """Save the page, and any further pages, as a PDF with TrueType fonts embedded."""
        import matplotlib
        from matplotlib.backends.backend_pdf import PdfPages

        buffer = io.BytesIO()
        metadata = {"Title": title, "Creator": _software(), "Producer": _software()}
        with matplotlib.rc_context({"pdf.fonttype": 42, "font.family": FONT_FAMILY}):
            with PdfPages(buffer, metadata=metadata) as pdf:
                for fig in (self.figure, *self.more_pages):
                    # dpi only for rasterized layers; the rest stays vector
                    pdf.savefig(fig, dpi=PDF_RASTER_DPI)
        return buffer.getvalue()


def _software() -> str:
    return f"incident-map {__version__}"


def check_fonts() -> None:
    """Make sure the report font is installed.

    Raises
    ------
    MissingComponentError
        When the font cannot be found, with the command that installs it.
    """
    from matplotlib import font_manager

    try:
        font_manager.findfont(
            font_manager.FontProperties(family=FONT_FAMILY), fallback_to_default=False
        )
    except ValueError as exc:
        raise MissingComponentError(
            f"The font {FONT_FAMILY} is missing: install it with "
            "`apt-get install fonts-dejavu-core` or reinstall matplotlib (`make install`)."
        ) from exc

"""The printable report page: a map of the selected incidents that explains itself.

One page holds a title, a subtitle naming the period and the active filters, the map
(offline basemap, incidents sized by casualties, approximate dates hollow), a legend,
a scale bar, a north arrow and a footer with sources, attribution, the time the page was
made, the data file's hash and how many incidents are approximate. It is drawn with
matplotlib on the server, so no browser and no network are needed: PNG through Agg,
PDF with TrueType fonts embedded (text stays text).

The map is in Web Mercator (EPSG:3857), like the interactive map.
"""

from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Final

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager, patheffects
from matplotlib.axes import Axes
from matplotlib.collections import EllipseCollection
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse, FancyArrow, Rectangle
from pyproj import Transformer

from geo import __version__, basemap, mapview, palette
from geo.filters import IncidentFilter
from geo.limits import check_report_size
from geo.schema import MissingComponentError

if TYPE_CHECKING:
    from geo.view import Selection, View

FONT_FAMILY: Final = "DejaVu Sans"  # ships with matplotlib, so it is never missing
CSS_DPI: Final = 96.0  # one CSS pixel; ``scale`` multiplies it (device pixel ratio)
A4_LANDSCAPE_IN: Final = (297 / 25.4, 210 / 25.4)
# The PDF page: A4 landscape at 72 points per inch, whatever size the PNG is.
PDF_PAGE: Final[dict[str, Any]] = {"page_size_in": A4_LANDSCAPE_IN, "dpi": 72.0}
# Iraq and Syria: the map shown when nothing is selected and no extent is given.
DEFAULT_BOUNDS: Final = (35.5, 29.0, 48.8, 37.6)
MIN_SPAN_KM: Final = 120.0  # a single incident still shows the towns around it
LOCATOR_MIN_SPAN_KM: Final = 1_600.0  # the overview map shows at least this much
PAD_FRACTION: Final = 0.12
MAX_LABELLED_INCIDENTS: Final = 12
MAX_UNCERTAINTY_CIRCLES: Final = 2_000
DENSE_INCIDENTS: Final = 5_000  # above this, markers lose their rims and are rasterized in PDF
PDF_RASTER_DPI: Final = 200
MAX_TOWN_LABELS: Final = 28
MERCATOR_LAT_LIMIT: Final = 85.0
MIN_LAYOUT_PX: Final = (640, 420)  # room for header, legend panel, footer and a map

INK: Final = "#222222"
MUTED: Final = "#5a5a5a"
HALO: Final = [patheffects.withStroke(linewidth=2.4, foreground="white")]
_TO_MERCATOR = Transformer.from_crs(4326, 3857, always_xy=True)
_TO_LONLAT = Transformer.from_crs(3857, 4326, always_xy=True)


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
    """

    title: str = "Incidents"
    width: int = 2400
    height: int = 1697
    scale: float = 2.0
    color_by: str = "event_type"
    bounds: tuple[float, float, float, float] | None = None
    actor_ranking: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        _check_page(self.width, self.height, self.scale)
        if self.color_by not in palette.COLOR_BY:
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


def _check_page(width: int, height: int, scale: float) -> None:
    """Refuse a page size out of range, too small to lay out, or over the pixel budget."""
    if not (200 <= width <= 20_000 and 200 <= height <= 20_000):
        raise ValueError(f"width and height must be 200 to 20000 pixels; got {width} x {height}")
    if not 0.5 <= scale <= 8:
        raise ValueError(f"scale must be between 0.5 and 8; got {scale}")
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
    """

    figure: Figure
    map_ax: Axes
    bounds: tuple[float, float, float, float]
    x: np.ndarray
    y: np.ndarray
    colors: list[str]
    legend: list[tuple[str, str]]

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
        """Save the page as a one-page PDF with TrueType fonts embedded (text stays text)."""
        buffer = io.BytesIO()
        with matplotlib.rc_context({"pdf.fonttype": 42}):
            self.figure.savefig(
                buffer,
                format="pdf",
                dpi=PDF_RASTER_DPI,  # only for rasterized layers; the rest stays vector
                metadata={"Title": title, "Creator": _software(), "Producer": _software()},
            )
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
    try:
        font_manager.findfont(
            font_manager.FontProperties(family=FONT_FAMILY), fallback_to_default=False
        )
    except ValueError as exc:
        raise MissingComponentError(
            f"The font {FONT_FAMILY} is missing: install it with "
            "`apt-get install fonts-dejavu-core` or reinstall matplotlib (`make install`)."
        ) from exc


# --------------------------------------------------------------------------- geometry


def project_points(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project longitudes and latitudes to Web Mercator metres (EPSG:3857).

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Degrees (WGS84).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        x and y in metres.
    """
    lat = np.clip(np.asarray(lat, dtype=float), -MERCATOR_LAT_LIMIT, MERCATOR_LAT_LIMIT)
    x, y = _TO_MERCATOR.transform(np.asarray(lon, dtype=float), lat)
    return np.asarray(x), np.asarray(y)


def _to_lonlat(x: float, y: float) -> tuple[float, float]:
    lon, lat = _TO_LONLAT.transform(x, y)
    return float(lon), float(lat)


def fit_extent(
    x: np.ndarray,
    y: np.ndarray,
    aspect: float,
    bounds: tuple[float, float, float, float] | None = None,
) -> tuple[float, float, float, float]:
    """Choose the map's Mercator extent for a frame of a given width/height ratio.

    Parameters
    ----------
    x, y : numpy.ndarray
        The incidents, in Web Mercator metres (may be empty).
    aspect : float
        Width over height of the map frame.
    bounds : tuple of float, optional
        ``(lon_min, lat_min, lon_max, lat_max)`` requested; otherwise the incidents'
        extent, padded and at least :data:`MIN_SPAN_KM` across (the Iraq/Syria view
        when there are no incidents).

    Returns
    -------
    tuple of float
        ``(xmin, ymin, xmax, ymax)`` in metres, widened so that it has the frame's ratio
        and contains the requested area.
    """
    if bounds is not None:
        (xmin, xmax), (ymin, ymax) = (
            sorted(v) for v in project_points(np.array(bounds[0::2]), np.array(bounds[1::2]))
        )
        pad = 0.0
    elif len(x):
        xmin, xmax, ymin, ymax = float(x.min()), float(x.max()), float(y.min()), float(y.max())
        pad = PAD_FRACTION
    else:
        return fit_extent(x, y, aspect, DEFAULT_BOUNDS)
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    # Mercator stretches distances by 1/cos(latitude): a ground span needs more metres.
    stretch = 1 / math.cos(math.radians(_to_lonlat(cx, cy)[1]))
    min_span = MIN_SPAN_KM * 1000 * stretch
    w = max((xmax - xmin) * (1 + 2 * pad), min_span)
    h = max((ymax - ymin) * (1 + 2 * pad), min_span / aspect)
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def nice_length(limit_m: float) -> float:
    """Return the largest 1, 2 or 5 x 10^k metres not above ``limit_m``."""
    exponent = math.floor(math.log10(limit_m))
    for step in (5, 2, 1):
        value = step * 10.0**exponent
        if value <= limit_m:
            return value
    return 10.0**exponent


def scale_bar_length(
    extent: tuple[float, float, float, float], fraction: float = 0.22
) -> tuple[float, float, float]:
    """Size a scale bar for a Mercator extent, true at the extent's centre latitude.

    Parameters
    ----------
    extent : tuple of float
        ``(xmin, ymin, xmax, ymax)`` in Web Mercator metres.
    fraction : float, default 0.22
        The largest share of the map's width the bar may take.

    Returns
    -------
    (ground_m, mercator_m, latitude)
        The bar's ground length in metres (a round number), its length in map units and
        the latitude where it is true (Mercator scale grows as 1/cos(latitude)).
    """
    xmin, ymin, xmax, ymax = extent
    latitude = _to_lonlat((xmin + xmax) / 2, (ymin + ymax) / 2)[1]
    factor = math.cos(math.radians(latitude))
    ground = nice_length((xmax - xmin) * fraction * factor)
    return ground, ground / factor, latitude


# --------------------------------------------------------------------------- text


def _format_day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def describe_period(flt: IncidentFilter, incidents: gpd.GeoDataFrame) -> str:
    """Say which period the page covers, e.g. ``1 March 2020 – 31 March 2020``.

    Parameters
    ----------
    flt : IncidentFilter
    incidents : GeoDataFrame
        The incidents shown; their dates describe an open-ended period.

    Returns
    -------
    str
    """
    if flt.start is None and flt.end is None:
        if len(incidents) == 0:
            return "All dates"
        first = incidents["event_date"].min()
        last = incidents["end_date"].fillna(incidents["event_date"]).max()
        return f"All dates (incidents from {_format_day(first)} to {_format_day(last)})"
    start = _format_day(flt.start) if flt.start else "the first record"
    end = _format_day(flt.end) if flt.end else "the last record"
    return f"{start} – {end}"


def describe_filters(flt: IncidentFilter, site_names: dict[str, str] | None = None) -> list[str]:
    """List the active filters besides the period, one short phrase each.

    Parameters
    ----------
    flt : IncidentFilter
    site_names : dict, optional
        Site id -> display name, to write "Camp Taji" rather than ``camp_taji``.

    Returns
    -------
    list of str
        Empty when nothing but the period restricts the view.
    """
    names = site_names or {}
    parts = []
    if flt.sites:
        label = "Site" if len(flt.sites) == 1 else "Sites"
        parts.append(f"{label}: " + ", ".join(names.get(s, s) for s in flt.sites))
    if flt.actors:
        label = "Actor" if len(flt.actors) == 1 else "Actors"
        parts.append(f"{label}: " + ", ".join(flt.actors))
    if flt.event_types:
        label = "Event type" if len(flt.event_types) == 1 else "Event types"
        parts.append(f"{label}: " + ", ".join(flt.event_types))
    if flt.min_fatalities:
        parts.append(f"At least {flt.min_fatalities} killed")
    if flt.text.strip():
        parts.append(f"Text: “{flt.text.strip()}”")
    return parts


def count_approximate(incidents: gpd.GeoDataFrame) -> tuple[int, int]:
    """Count approximate dates (time_precision > 1) and places (geo_precision > 1)."""
    dates = int((incidents["time_precision"].to_numpy() > 1).sum())
    places = int((incidents["geo_precision"].to_numpy() > 1).sum())
    return dates, places


def summarize_sources(incidents: gpd.GeoDataFrame, limit: int = 3) -> str:
    """Name the most cited sources of the incidents shown, shortest references first."""
    if len(incidents) == 0:
        return ""
    parts = (
        incidents["source"].astype(str).str.split(";").explode().str.strip().replace("", np.nan)
    ).dropna()
    if parts.empty:
        return ""
    # Drop bracketed file references: a reader of the page cannot follow them.
    parts = parts.str.replace(r"\s*\[[^\]]*\]\s*$", "", regex=True)
    counts = parts.value_counts()
    ranked = sorted(counts.index, key=lambda s: (-int(counts[s]), len(s), s))
    shown = [textwrap.shorten(s, 160, placeholder="…") for s in ranked[:limit]]
    more = len(ranked) - len(shown)
    tail = f"; and {more} more (listed per incident in the CSV export)" if more > 0 else ""
    return "; ".join(shown) + tail


def site_names_of(incidents: gpd.GeoDataFrame) -> dict[str, str]:
    """Map site ids to the incidents' location names (``camp_taji`` -> ``Camp Taji``)."""
    if len(incidents) == 0:
        return {}
    pairs = incidents.loc[incidents["site_id"] != "", ["site_id", "location"]]
    return dict(zip(pairs["site_id"], pairs["location"], strict=True))


def _text(ax_or_fig: Axes | Figure, x: float, y: float, s: str, **kwargs: object) -> object:
    """Text from data: never parsed as mathtext (a ``$`` in a name stays a dollar)."""
    return ax_or_fig.text(x, y, s, parse_math=False, **kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- drawing


def _casualties(incidents: gpd.GeoDataFrame) -> np.ndarray:
    injuries = incidents["injuries"].astype("Float64").fillna(0).to_numpy(dtype=float)
    return incidents["fatalities"].to_numpy(dtype=float) + injuries


def marker_diameter(casualties: np.ndarray) -> np.ndarray:
    """Marker diameter in points: the interactive map's radius, from CSS pixels to points."""
    return 2 * mapview.marker_radius(casualties) * 72 / CSS_DPI


def _draw_basemap(ax: Axes, extent: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    """Land, provinces, rivers and borders from the installed offline basemap."""
    xmin, ymin, xmax, ymax = extent
    lon0, lat0 = _to_lonlat(xmin, ymin)
    lon1, lat1 = _to_lonlat(xmax, ymax)
    bbox = (lon0 - 0.5, max(lat0 - 0.5, -89.0), lon1 + 0.5, min(lat1 + 0.5, 89.0))
    ax.set_facecolor(basemap.SEA_COLOR)
    countries = basemap.read_basemap("countries", bbox).to_crs(3857)
    countries.plot(ax=ax, color=basemap.LAND_COLOR, edgecolor="none", zorder=1)
    admin1 = basemap.read_basemap("admin1", bbox).to_crs(3857)
    if len(admin1):
        admin1.boundary.plot(ax=ax, color=basemap.PROVINCE_COLOR, linewidth=0.45, zorder=2)
    rivers = basemap.read_basemap("rivers", bbox).to_crs(3857)
    if len(rivers):
        lakes = rivers[rivers["kind"] == "lake"]
        lines = rivers[rivers["kind"] != "lake"]
        if len(lakes):
            lakes.plot(
                ax=ax,
                color=basemap.SEA_COLOR,
                edgecolor=basemap.RIVER_COLOR,
                linewidth=0.5,
                zorder=2,
            )
        if len(lines):
            lines.plot(ax=ax, color=basemap.RIVER_COLOR, linewidth=0.9, zorder=2)
    countries.boundary.plot(ax=ax, color=basemap.BORDER_COLOR, linewidth=0.9, zorder=3)
    ax.set_xlabel("")
    ax.set_ylabel("")
    return countries


def _draw_country_names(
    ax: Axes,
    countries: gpd.GeoDataFrame,
    extent: tuple[float, float, float, float],
    placed: list,
) -> None:
    """Country names on maps wider than a few hundred kilometres."""
    xmin, ymin, xmax, ymax = extent
    lat0, lat1 = _to_lonlat(xmin, ymin)[1], _to_lonlat(xmax, ymax)[1]
    span_km = (xmax - xmin) / 1000 * math.cos(math.radians((lat0 + lat1) / 2))
    dpi = ax.get_figure().dpi  # type: ignore[union-attr]
    if span_km > 500:
        clipped = countries.clip((xmin, ymin, xmax, ymax))
        for name, geom in zip(clipped["name"], clipped.geometry, strict=True):
            if geom.is_empty or geom.area < (xmax - xmin) * (ymax - ymin) * 0.01:
                continue
            point = geom.representative_point()
            label = str(name).upper()
            px, py = ax.transData.transform((point.x, point.y)) / dpi
            box = _label_box(px, py - 0.08, label, 8.5, "top", bold=True)
            if _overlaps(box, placed):
                continue
            placed.append(box)
            _text(
                ax,
                point.x,
                point.y,
                label,
                fontsize=8.5,
                color="#8a847a",
                ha="center",
                va="center",
                zorder=4,
                fontweight="bold",
            )


def _overlaps(box: tuple[float, float, float, float], placed: list) -> bool:
    return any(box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3] for o in placed)


def _label_box(
    x_in: float, y_in: float, text: str, size_pt: float, side: str, bold: bool = False
) -> tuple:
    """Estimated label box in inches (DejaVu Sans averages ~0.6 em per character)."""
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


_ALIGN = {
    "right": ("left", "center"),
    "left": ("right", "center"),
    "top": ("center", "bottom"),
    "bottom": ("center", "top"),
}


def _place_label(
    ax: Axes,
    fig: Figure,
    x: float,
    y: float,
    text: str,
    size_pt: float,
    placed: list,
    offset_in: float,
    **style: Any,
) -> bool:
    """Put a label beside a point where it overlaps nothing placed yet."""
    dpi = fig.dpi
    px, py = ax.transData.transform((x, y)) / dpi
    frame = ax.get_window_extent()
    fx0, fy0, fx1, fy1 = frame.x0 / dpi, frame.y0 / dpi, frame.x1 / dpi, frame.y1 / dpi
    for side in ("right", "left", "top", "bottom"):
        shift = {
            "right": (offset_in, 0),
            "left": (-offset_in, 0),
            "top": (0, offset_in),
            "bottom": (0, -offset_in),
        }[side]
        box = _label_box(
            px + shift[0], py + shift[1], text, size_pt, side, style.get("fontweight") == "bold"
        )
        inside = box[0] > fx0 and box[2] < fx1 and box[1] > fy0 and box[3] < fy1
        if inside and not _overlaps(box, placed):
            placed.append(box)
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


def _read_towns(extent: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    """Read the towns in the extent, most populous first, with Mercator ``x``/``y``."""
    xmin, ymin, xmax, ymax = extent
    lon0, lat0 = _to_lonlat(xmin, ymin)
    lon1, lat1 = _to_lonlat(xmax, ymax)
    towns = basemap.read_basemap("towns", (lon0, lat0, lon1, lat1))
    towns = towns.sort_values("population", ascending=False, kind="stable").head(400)
    x, y = project_points(towns.geometry.x.to_numpy(), towns.geometry.y.to_numpy())
    return towns.assign(x=x, y=y)


def _draw_towns(
    ax: Axes,
    fig: Figure,
    towns: gpd.GeoDataFrame,
    placed: list,
    n_markers: int,
    considered: list,
    limit: int,
) -> int:
    """Town dots and names in the given order, leaving out names that would collide.

    The first ``n_markers`` boxes of ``placed`` are incident markers: names avoid them, but
    a town under a marker is still named beside it. ``considered`` holds the dots of towns
    already tried, so that a district next to a city is never named in its place.
    Returns how many towns were named.
    """
    shown_x: list[float] = []
    shown_y: list[float] = []
    dots = ax.transData.transform(towns[["x", "y"]].to_numpy().reshape(-1, 2)) / fig.dpi
    for name, x, y, population, (dx, dy) in zip(
        towns["name"], towns["x"], towns["y"], towns["population"], dots, strict=True
    ):
        if len(shown_x) >= limit:
            break
        dot = (dx - 0.05, dy - 0.05, dx + 0.05, dy + 0.05)
        if _overlaps(dot, placed[n_markers:]) or _overlaps(dot, considered):
            considered.append(dot)
            continue
        considered.append(dot)
        big = population >= 1_000_000
        placed.append(dot)
        if _place_label(
            ax,
            fig,
            x,
            y,
            str(name),
            8.5 if big else 7.2,
            placed,
            0.02,
            color="#3d3a36" if big else "#57534d",
            fontweight="bold" if big else "normal",
            zorder=8,
        ):
            shown_x.append(x)
            shown_y.append(y)
        else:
            placed.remove(dot)
    ax.scatter(shown_x, shown_y, s=9, c="#3d3a36", marker="s", linewidths=0, zorder=8)
    return len(shown_x)


def _draw_incidents(
    ax: Axes, incidents: gpd.GeoDataFrame, x: np.ndarray, y: np.ndarray, colors: list[str]
) -> None:
    """All incidents in one vectorised scatter: size by casualties, hollow when dated roughly."""
    n = len(incidents)
    if n == 0:
        return
    diameter = marker_diameter(_casualties(incidents))
    approximate_date = incidents["time_precision"].to_numpy() > 1
    # As on the interactive map: a rough date is a hollow disc with a dashed rim in the
    # colour; a rough place is a paler disc.
    rgba = matplotlib.colors.to_rgba_array(colors)
    opacity = (
        pd.Series(incidents["geo_precision"].to_numpy())
        .map(mapview.GEO_PRECISION_OPACITY)
        .fillna(0.9)
        .to_numpy()
    )
    face = rgba.copy()
    face[:, 3] = opacity
    face[approximate_date] = (1.0, 1.0, 1.0, 0.75)
    dense = n > DENSE_INCIDENTS
    # One vectorised scatter per marker style (per-point dash patterns cost seconds at
    # 100k), large markers first so that the small ones drawn over them stay visible.
    # Dense layers are rasterized in the PDF: 100k vector discs make a slow, huge file.
    # Sparse maps put the hollow discs on top; dense ones let the solid colours dominate.
    for hollow in (True, False) if dense else (False, True):
        members = np.flatnonzero(approximate_date == hollow)
        if not len(members):
            continue
        members = members[np.argsort(-diameter[members], kind="stable")]
        if hollow:
            style: dict[str, Any] = {
                "edgecolors": rgba[members],
                "linewidths": 1.2 if dense else 1.9,
                "linestyles": (0, (2.5, 1.5)),
            }
        else:
            style = {"edgecolors": "white", "linewidths": 0.0 if dense else 0.75}
        ax.scatter(
            x[members],
            y[members],
            s=diameter[members] ** 2,
            c=face[members],
            zorder=7,
            rasterized=dense,
            **style,
        )
    _draw_uncertainty(ax, incidents, x, y, colors)


def _label_incidents(
    ax: Axes,
    fig: Figure,
    incidents: gpd.GeoDataFrame,
    x: np.ndarray,
    y: np.ndarray,
    placed: list,
) -> None:
    """Name a few incidents on the map ("Camp Taji, 11 Mar 2020"), oldest first."""
    if 0 < len(incidents) <= MAX_LABELLED_INCIDENTS:
        radius_in = marker_diameter(_casualties(incidents)) / 2 / 72
        # Keep the name clear of a small uncertainty ring too (a large one it may cross).
        lat = incidents.geometry.y.to_numpy()
        metres = incidents["uncertainty_km"].fillna(0).to_numpy() * 1000
        inch_per_m = (ax.transData.transform((1.0, 0.0)) - ax.transData.transform((0.0, 0.0)))[0]
        ring_in = metres / np.cos(np.radians(lat)) * inch_per_m / fig.dpi
        ring_in = np.where(ring_in < 0.35, ring_in, 0.0)
        radius_in = np.maximum(radius_in, ring_in)
        for i in np.argsort(incidents["event_date"].to_numpy(), kind="stable"):
            row = incidents.iloc[i]
            day = row["event_date"]
            when = f"{day.day} {day:%b %Y}" if pd.notna(day) else "date unknown"
            text = f"{row['location'] or row['site_id']}, {when}"
            _place_label(
                ax, fig, x[i], y[i], text, 8.0, placed, float(radius_in[i]), color=INK, zorder=8
            )


def _draw_uncertainty(
    ax: Axes, incidents: gpd.GeoDataFrame, x: np.ndarray, y: np.ndarray, colors: list[str]
) -> None:
    """Draw a dashed ring of each incident's stated uncertainty radius (``uncertainty_km``)."""
    if len(incidents) > MAX_UNCERTAINTY_CIRCLES:
        return
    radius_km = incidents["uncertainty_km"].to_numpy(dtype=float)
    keep = np.isfinite(radius_km) & (radius_km > 0)
    if not keep.any():
        return
    lat = np.asarray(_TO_LONLAT.transform(x[keep], y[keep])[1])
    # A ground radius covers 1/cos(latitude) as many Mercator metres.
    diameter = 2 * radius_km[keep] * 1000 / np.cos(np.radians(lat))
    rgba = matplotlib.colors.to_rgba_array([c for c, k in zip(colors, keep, strict=True) if k])
    face = rgba.copy()
    face[:, 3] = 0.06
    circles = EllipseCollection(
        diameter,
        diameter,
        np.zeros(len(diameter)),
        units="xy",
        offsets=np.column_stack([x[keep], y[keep]]),
        offset_transform=ax.transData,
        facecolors=face,
        edgecolors=rgba,
        linewidths=0.9,
        linestyles=(0, (4, 3)),
        zorder=6,
    )
    ax.add_collection(circles)


def _draw_scale_bar(ax: Axes, extent: tuple[float, float, float, float]) -> None:
    """Draw a two-segment scale bar in the lower left, true at the centre latitude."""
    ground, length, latitude = scale_bar_length(extent)
    xmin, ymin, xmax, ymax = extent
    w, h = xmax - xmin, ymax - ymin
    x0, y0 = xmin + 0.03 * w, ymin + 0.045 * h
    bar_h = 0.012 * h
    ax.add_patch(
        Rectangle(
            (x0 - 0.012 * w, y0 - 0.022 * h),
            length + 0.024 * w,
            0.085 * h,
            facecolor="white",
            alpha=0.8,
            edgecolor="none",
            zorder=9,
        )
    )
    for k in range(2):
        ax.add_patch(
            Rectangle(
                (x0 + k * length / 2, y0),
                length / 2,
                bar_h,
                facecolor=INK if k == 0 else "white",
                edgecolor=INK,
                linewidth=0.8,
                zorder=10,
            )
        )
    label = f"{ground / 1000:g} km" if ground >= 1000 else f"{ground:g} m"
    for pos, text in ((0, "0"), (length, label)):
        _text(
            ax,
            x0 + pos,
            y0 + bar_h + 0.008 * h,
            text,
            fontsize=7.5,
            color=INK,
            ha="center",
            va="bottom",
            zorder=10,
        )
    hemisphere = "N" if latitude >= 0 else "S"
    _text(
        ax,
        x0,
        y0 - 0.006 * h,
        f"Scale true at {abs(latitude):.1f}°{hemisphere}",
        fontsize=6.5,
        color=MUTED,
        ha="left",
        va="top",
        zorder=10,
    )


def _draw_north_arrow(ax: Axes) -> None:
    """North is straight up everywhere in Web Mercator: meridians are vertical lines."""
    kwargs: dict[str, Any] = {"transform": ax.transAxes, "zorder": 10}
    ax.add_patch(
        FancyArrow(
            0.955,
            0.865,
            0,
            0.085,
            width=0.006,
            head_width=0.026,
            head_length=0.04,
            length_includes_head=True,
            color=INK,
            **kwargs,
        )
    )
    _text(
        ax,
        0.955,
        0.845,
        "N",
        fontsize=10,
        fontweight="bold",
        color=INK,
        ha="center",
        va="top",
        path_effects=HALO,
        **kwargs,
    )


def _swatch(
    fig: Figure, x: float, y: float, radius_in: float, inch: tuple[float, float], **style: Any
) -> Ellipse:
    """Make a round legend mark: an ellipse in figure fractions, a circle on paper."""
    return Ellipse(
        (x, y), 2 * radius_in / inch[0], 2 * radius_in / inch[1], transform=fig.transFigure, **style
    )


def _legend_rows(
    fig: Figure,
    left: float,
    top: float,
    width: float,
    legend: list[tuple[str, str]],
    counts: dict[str, int],
    color_by: str,
    incidents: gpd.GeoDataFrame,
    inch: tuple[float, float],
) -> float:
    """Draw the legend panel (colours, sizes, precision marks); return the y below it."""
    ix, iy = inch
    line = 0.215 / iy
    y = top
    heading = "Event type" if color_by == "event_type" else "Acting side (actor1)"
    _text(fig, left, y, heading, fontsize=9.5, fontweight="bold", color=INK, va="top")
    y -= line * 1.25
    for label, color in legend:
        fig.patches.append(
            _swatch(
                fig,
                left + 0.2 / ix,
                y - 0.065 / iy,
                0.065,
                inch,
                facecolor=color,
                edgecolor="white",
                linewidth=0.6,
            )
        )
        name = textwrap.shorten(label, 34, placeholder="…")
        _text(
            fig,
            left + 0.42 / ix,
            y,
            f"{name} ({counts.get(label, 0):,})",
            fontsize=8,
            color=INK,
            va="top",
        )
        y -= line
    if not legend:
        _text(fig, left, y, "(none shown)", fontsize=8, color=MUTED, va="top")
        y -= line
    y -= line * 0.5
    _text(fig, left, y, "Killed + injured", fontsize=9.5, fontweight="bold", color=INK, va="top")
    y -= line * 1.25
    for value in mapview.SIZE_KEY:
        radius_in = float(marker_diameter(np.array([value]))[0]) / 2 / 72
        y_mid = y - max(radius_in, 0.065) / iy
        fig.patches.append(
            _swatch(
                fig,
                left + 0.2 / ix,
                y_mid,
                radius_in,
                inch,
                facecolor="#bbbbbb",
                edgecolor="#666666",
                linewidth=0.7,
            )
        )
        _text(fig, left + 0.52 / ix, y_mid, f"{value:,}", fontsize=8, color=INK, va="center")
        y -= max(2 * radius_in + 0.08, 0.2) / iy
    rows = []
    if len(incidents) and (incidents["time_precision"] > 1).any():
        rows.append(
            (
                {
                    "facecolor": "white",
                    "edgecolor": "#555555",
                    "linewidth": 1.6,
                    "linestyle": (0, (2, 1.5)),
                },
                0.055,
                "Hollow, dashed rim: date known\nonly to the week or month",
            )
        )
    if len(incidents) and (incidents["geo_precision"] > 1).any():
        rows.append(
            (
                {"facecolor": (0.33, 0.33, 0.33, 0.35), "edgecolor": "white", "linewidth": 0.7},
                0.055,
                "Paler: place approximate",
            )
        )
    if 0 < len(incidents) <= MAX_UNCERTAINTY_CIRCLES and incidents["uncertainty_km"].gt(0).any():
        rows.append(
            (
                {
                    "facecolor": (0.33, 0.33, 0.33, 0.06),
                    "edgecolor": "#555555",
                    "linewidth": 0.9,
                    "linestyle": (0, (3, 2)),
                },
                0.07,
                "Dashed ring: location\nuncertainty (true radius)",
            )
        )
    if rows:
        y -= line * 0.5
        _text(fig, left, y, "Precision", fontsize=9.5, fontweight="bold", color=INK, va="top")
        y -= line * 1.25
    for style, radius_in, label in rows:
        fig.patches.append(_swatch(fig, left + 0.2 / ix, y - 0.07 / iy, radius_in, inch, **style))
        _text(fig, left + 0.42 / ix, y, label, fontsize=8, color=INK, va="top", linespacing=1.2)
        y -= line * (label.count("\n") + 1.2)
    return y


def describe_incident(row: pd.Series) -> str:
    """One incident in a few words: date, place, what happened, casualties, who."""
    day = row["event_date"]
    when = f"{day.day} {day:%b %Y}" if pd.notna(day) else "Date unknown"
    if int(row["time_precision"]) > 1:
        when = f"{'Week' if int(row['time_precision']) == 2 else 'Month'} of {when}"
    harm = [f"{int(row['fatalities'])} killed"]
    if pd.notna(row["injuries"]):
        harm.append(f"{int(row['injuries'])} injured")
    who = row["actor1"] + (f" against {row['actor2']}" if row["actor2"] else "")
    place = row["location"] or row["site_id"]
    return f"{when}, {place}: {row['sub_event_type']}, {', '.join(harm)}. {who}."


def _draw_locator(
    fig: Figure, rect: tuple[float, float, float, float], extent: tuple[float, float, float, float]
) -> None:
    """Draw an overview map that shows where the main map lies (its frame in red)."""
    ax = fig.add_axes(rect)
    xmin, ymin, xmax, ymax = extent
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    aspect = (rect[2] * fig.get_figwidth()) / (rect[3] * fig.get_figheight())
    stretch = 1 / math.cos(math.radians(_to_lonlat(cx, cy)[1]))
    w = max(4 * (xmax - xmin), LOCATOR_MIN_SPAN_KM * 1000 * stretch)
    h = w / aspect
    if h < 4 * (ymax - ymin):
        h = 4 * (ymax - ymin)
        w = h * aspect
    frame = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    lon0, lat0 = _to_lonlat(frame[0], max(frame[1], -20e6))
    lon1, lat1 = _to_lonlat(frame[2], min(frame[3], 20e6))
    bbox = (max(lon0, -180.0), max(lat0, -85.0), min(lon1, 180.0), min(lat1, 85.0))
    ax.set_facecolor(basemap.SEA_COLOR)
    countries = basemap.read_basemap("countries", bbox).to_crs(3857)
    if len(countries):
        countries.plot(
            ax=ax, color=basemap.LAND_COLOR, edgecolor=basemap.BORDER_COLOR, linewidth=0.4
        )
        clipped = countries.clip(frame)
        for name, geom in zip(clipped["name"], clipped.geometry, strict=True):
            if geom.is_empty or geom.area < 0.06 * w * h:
                continue
            point = geom.representative_point()
            # Skip names that would run off the frame's sides.
            half_width = len(str(name)) * 5.5 * 0.68 / 72 / 2 / (rect[2] * fig.get_figwidth()) * w
            if abs(point.x - cx) + half_width < 0.48 * w:
                _text(
                    ax,
                    point.x,
                    point.y,
                    str(name).upper(),
                    fontsize=5.5,
                    color="#8a847a",
                    ha="center",
                    va="center",
                    fontweight="bold",
                    zorder=4,
                )
    ax.add_patch(
        Rectangle(
            (xmin, ymin),
            xmax - xmin,
            ymax - ymin,
            facecolor=(0.75, 0.22, 0.17, 0.15),
            edgecolor="#c0392b",
            linewidth=1.3,
            zorder=5,
        )
    )
    ax.set_xlim(frame[0], frame[2])
    ax.set_ylim(frame[1], frame[3])
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_edgecolor("#9a9a9a")
        spine.set_linewidth(0.6)
    _text(
        ax,
        0.03,
        0.04,
        "Location of the map",
        transform=ax.transAxes,
        fontsize=6.5,
        color=MUTED,
        ha="left",
        va="bottom",
        path_effects=HALO,
        zorder=6,
    )


def _list_incidents(
    fig: Figure,
    left: float,
    top: float,
    bottom: float,
    width_in: float,
    incidents: gpd.GeoDataFrame,
    iy: float,
) -> None:
    """List each incident briefly under the legend, while there is room."""
    if not 0 < len(incidents) <= MAX_LABELLED_INCIDENTS:
        return
    size = 7.2
    line = size * 1.3 / 72 / iy
    y = top - 0.1 / iy
    if y - 3 * line < bottom:
        return
    _text(fig, left, y, "Incidents shown", fontsize=9.5, fontweight="bold", color=INK, va="top")
    y -= 0.215 * 1.25 / iy
    order = np.argsort(incidents["event_date"].to_numpy(), kind="stable")
    for k, i in enumerate(order):
        text = _wrap(describe_incident(incidents.iloc[i]), size, width_in)
        needed = (text.count("\n") + 1) * line
        more = len(order) - k
        if y - needed - (line if more > 1 else 0) < bottom:
            _text(
                fig,
                left,
                y,
                f"and {more} more (see the CSV export)",
                fontsize=size,
                color=MUTED,
                va="top",
            )
            return
        _text(fig, left, y, text, fontsize=size, color=INK, va="top", linespacing=1.3)
        y -= needed + 0.45 * line


def _wrap(text: str, size_pt: float, width_in: float) -> str:
    """Wrap text to a width in inches (DejaVu Sans averages ~0.55 em per character)."""
    chars = max(20, int(width_in * 72 / (size_pt * 0.55)))
    return "\n".join(textwrap.wrap(text, chars)) if text else ""


def draw_report(
    incidents: gpd.GeoDataFrame,
    *,
    flt: IncidentFilter,
    total: int,
    options: ReportOptions,
    data_label: str,
    data_hash: str | None = None,
    page_size_in: tuple[float, float] | None = None,
    dpi: float | None = None,
    created: datetime | None = None,
) -> ReportPage:
    """Draw the report page for a selection of incidents.

    Parameters
    ----------
    incidents : GeoDataFrame
        The incidents shown (canonical columns, EPSG:4326); may be empty.
    flt : IncidentFilter
        The filter that selected them, described in the subtitle.
    total : int
        How many incidents the whole dataset holds.
    options : ReportOptions
    data_label : str
        The data file's name, as shown in the footer.
    data_hash : str, optional
        The data file's SHA-256 (hex); its first 12 digits are printed.
    page_size_in : tuple of float, optional
        Page size in inches; by default ``options.width / options.height`` layout pixels.
    dpi : float, optional
        Device pixels per inch; by default ``96 * options.scale``.
    created : datetime, optional
        The time printed as "made"; now (UTC) by default.

    Returns
    -------
    ReportPage

    Raises
    ------
    MissingComponentError
        When the report font or the offline basemap is not installed.
    """
    check_fonts()
    if dpi is None:
        dpi = CSS_DPI * options.scale
    if page_size_in is None:
        # A hair over the exact size, so that rounding never loses the last pixel.
        page_size_in = ((options.width + 1e-6) / dpi, (options.height + 1e-6) / dpi)
    created = (created or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    fig = Figure(figsize=page_size_in, dpi=dpi, facecolor="white")
    fig.set_layout_engine(None)
    wi, hi = page_size_in
    with matplotlib.rc_context({"font.family": FONT_FAMILY}):
        return _compose(fig, wi, hi, incidents, flt, total, options, data_label, data_hash, created)


def draw_selection(
    selection: Selection,
    page: PageOptions | None = None,
    *,
    pdf: bool = False,
    created: datetime | None = None,
) -> ReportPage:
    """Draw the report page of a view applied to a dataset.

    Parameters
    ----------
    selection : Selection
        The view (title, colouring, ranking, extent) and the incidents it selects.
    page : PageOptions, optional
        The PNG's size and pixel ratio; ignored for the PDF.
    pdf : bool
        Lay the page out as A4 landscape for a PDF.
    created : datetime, optional
        The time printed as "made"; now (UTC) by default.

    Returns
    -------
    ReportPage

    Raises
    ------
    MissingComponentError
        When the report font or the offline basemap is not installed.
    """
    return draw_report(
        selection.incidents,
        flt=selection.view.flt,
        total=selection.total,
        options=ReportOptions.from_view(selection.view, page),
        data_label=selection.data_label,
        data_hash=selection.data_hash,
        created=created,
        **(PDF_PAGE if pdf else {}),
    )


def _compose(
    fig: Figure,
    wi: float,
    hi: float,
    incidents: gpd.GeoDataFrame,
    flt: IncidentFilter,
    total: int,
    options: ReportOptions,
    data_label: str,
    data_hash: str | None,
    created: datetime,
) -> ReportPage:
    margin, panel = 0.35, 2.55
    fx, fy = 1 / wi, 1 / hi
    text_width = wi - 2 * margin
    title = _wrap(options.title.strip() or "Incidents", 19, text_width)
    subtitle_parts = [describe_period(flt, incidents)]
    subtitle_parts += describe_filters(flt, site_names_of(incidents))
    shown = f"{len(incidents):,} of {total:,} incidents shown"
    subtitle = _wrap(" · ".join([*subtitle_parts, shown]), 10.5, text_width)
    y = 1 - margin * fy
    title_artist = _text(
        fig,
        margin * fx,
        y,
        title,
        fontsize=19,
        fontweight="bold",
        color=INK,
        va="top",
        ha="left",
        linespacing=1.1,
    )
    y -= (title.count("\n") + 1) * 19 * 1.25 / 72 * fy + 0.06 * fy
    _text(
        fig,
        margin * fx,
        y,
        subtitle,
        fontsize=10.5,
        color=MUTED,
        va="top",
        ha="left",
        linespacing=1.25,
    )
    y -= (subtitle.count("\n") + 1) * 10.5 * 1.35 / 72 * fy + 0.14 * fy
    del title_artist

    # Footer, bottom up.
    n_dates, n_places = count_approximate(incidents)
    digest = f"sha256 {data_hash[:12]}…" if data_hash else "hash not recorded"
    sources = summarize_sources(incidents)
    footer_lines = [
        f"{n_dates:,} of {len(incidents):,} incidents have approximate dates; "
        f"{n_places:,} approximate places.",
        _wrap(f"Sources: {sources}", 7.2, text_width) if sources else "",
        f"Data: {data_label} ({digest}). {basemap.BASEMAP_ATTRIBUTION}. "
        "Projection: Web Mercator (EPSG:3857).",
        f"Made {created.isoformat().replace('+00:00', 'Z')} with {_software()}.",
    ]
    footer = "\n".join(line for line in footer_lines if line)
    _text(
        fig,
        margin * fx,
        margin * 0.8 * fy,
        footer,
        fontsize=7.2,
        color=MUTED,
        va="bottom",
        ha="left",
        linespacing=1.35,
    )
    footer_h = (footer.count("\n") + 1) * 7.2 * 1.35 / 72 + 0.16
    map_bottom = margin * 0.8 + footer_h
    map_top = y / fy
    map_left, map_right = margin, wi - margin - panel
    map_w, map_h = map_right - map_left, map_top - map_bottom
    if map_w < 1 or map_h < 1:
        raise ValueError(
            f"the page is too small for a map ({wi * 96:.0f} x {hi * 96:.0f} layout pixels); "
            "use a larger width and height or a smaller scale"
        )
    ax = fig.add_axes((map_left * fx, map_bottom * fy, map_w * fx, map_h * fy))
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#9a9a9a")
        spine.set_linewidth(0.8)

    lon = incidents.geometry.x.to_numpy() if len(incidents) else np.empty(0)
    lat = incidents.geometry.y.to_numpy() if len(incidents) else np.empty(0)
    x, y_m = project_points(lon, lat)
    extent = fit_extent(x, y_m, map_w / map_h, options.bounds)
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_autoscale_on(False)
    countries = _draw_basemap(ax, extent)
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])

    keys, color_map = palette.color_keys(incidents, options.color_by, ranking=options.actor_ranking)
    colors = [color_map[k] for k in keys] if len(incidents) else []
    counts = keys.value_counts().to_dict() if len(incidents) else {}
    legend = list(color_map.items())

    # Labels placed so far (inches): the incident labels win over the town names.
    placed: list = []
    n_markers = 0
    if len(incidents):
        px, py = ax.transData.transform(np.column_stack([x, y_m])).T / fig.dpi
        radius = marker_diameter(_casualties(incidents)) / 2 / 72
        if len(incidents) <= 500:
            placed.extend(zip(px - radius, py - radius, px + radius, py + radius, strict=True))
            n_markers = len(placed)
    _draw_incidents(ax, incidents, x, y_m, colors)
    _draw_scale_bar(ax, extent)
    _draw_north_arrow(ax)
    # Keep names off the scale bar and the north arrow (boxes in inches).
    placed.append((map_left, map_bottom, map_left + 0.2 * map_w, map_bottom + 0.13 * map_h))
    placed.append((map_right - 0.09 * map_w, map_top - 0.2 * map_h, map_right, map_top))
    if len(incidents) == 0:  # keep names clear of the "No incidents" notice
        mid_x, mid_y = map_left + map_w / 2, map_bottom + map_h / 2
        placed.append((mid_x - 2.2, mid_y - 0.35, mid_x + 2.2, mid_y + 0.35))
    _draw_country_names(ax, countries, extent, placed)
    # Cities of a million first, then the incidents' names, then smaller towns.
    towns = _read_towns(extent)
    big = towns["population"] >= 1_000_000
    considered: list = []
    named = _draw_towns(ax, fig, towns[big], placed, n_markers, considered, MAX_TOWN_LABELS)
    _label_incidents(ax, fig, incidents, x, y_m, placed)
    _draw_towns(ax, fig, towns[~big], placed, n_markers, considered, MAX_TOWN_LABELS - named)
    if len(incidents) == 0:
        _text(
            ax,
            0.5,
            0.5,
            "No incidents match these filters",
            transform=ax.transAxes,
            fontsize=14,
            color=INK,
            ha="center",
            va="center",
            zorder=12,
            bbox={"boxstyle": "round,pad=0.6", "facecolor": "white", "edgecolor": "#9a9a9a"},
        )

    panel_left = (map_right + 0.25) * fx
    below = _legend_rows(
        fig,
        panel_left,
        map_top * fy,
        (panel - 0.3) * fx,
        legend,
        counts,
        options.color_by,
        incidents,
        (wi, hi),
    )
    locator_h = min(1.7, (panel - 0.3) / 1.35)
    list_bottom = map_bottom
    if below - (locator_h + 0.3) * fy > map_bottom * fy:
        _draw_locator(
            fig, (panel_left, map_bottom * fy, (panel - 0.3) * fx, locator_h * fy), extent
        )
        list_bottom = map_bottom + locator_h + 0.15
    _list_incidents(fig, panel_left, below, list_bottom * fy, panel - 0.3, incidents, hi)
    lon0, lat0 = _to_lonlat(extent[0], extent[1])
    lon1, lat1 = _to_lonlat(extent[2], extent[3])
    return ReportPage(fig, ax, (lon0, lat0, lon1, lat1), x, y_m, colors, legend)


def render_report_png(
    incidents: gpd.GeoDataFrame,
    *,
    flt: IncidentFilter,
    total: int,
    options: ReportOptions,
    data_label: str,
    data_hash: str | None = None,
    created: datetime | None = None,
) -> bytes:
    """Render the report page as a PNG of ``options.width`` x ``options.height`` pixels.

    Parameters
    ----------
    incidents : GeoDataFrame
        The incidents shown; may be empty (the map then says so).
    flt : IncidentFilter
        The filter that selected them.
    total : int
        How many incidents the whole dataset holds.
    options : ReportOptions
        Title, size, pixel ratio, colouring and extent.
    data_label : str
        The data file's name, printed in the footer.
    data_hash : str, optional
        The data file's SHA-256, printed (shortened) in the footer.
    created : datetime, optional
        The time printed as "made"; now by default.

    Returns
    -------
    bytes
        A PNG image.

    Raises
    ------
    MissingComponentError
        When the font or the offline basemap is not installed.
    """
    page = draw_report(
        incidents,
        flt=flt,
        total=total,
        options=options,
        data_label=data_label,
        data_hash=data_hash,
        created=created,
    )
    return page.to_png()


def render_report_pdf(
    incidents: gpd.GeoDataFrame,
    *,
    flt: IncidentFilter,
    total: int,
    options: ReportOptions,
    data_label: str,
    data_hash: str | None = None,
    created: datetime | None = None,
) -> bytes:
    """Render the report page as a one-page A4 landscape PDF with selectable text.

    Parameters are those of :func:`render_report_png`; ``options.width``, ``height``
    and ``scale`` do not apply (the page is 297 x 210 mm).

    Returns
    -------
    bytes
        A PDF document; fonts are embedded as TrueType, so the text can be searched
        and copied.
    """
    page = draw_report(
        incidents,
        flt=flt,
        total=total,
        options=options,
        data_label=data_label,
        data_hash=data_hash,
        created=created,
        **PDF_PAGE,
    )
    return page.to_pdf(options.title)

"""Report page composition: header, map, legend, incident list and footer on one page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, NamedTuple

import geopandas as gpd
import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from geo import basemap
from geo.filters import IncidentFilter
from geo.symbology import (
    CSS_DPI,
    casualties,
    color_keys,
)

if TYPE_CHECKING:
    from geo.view import Selection
from geo.report.choropleth import ProvinceCounts, draw_choropleth, draw_choropleth_legend
from geo.report.labels import INK, MUTED, LabelPlacer, _text
from geo.report.layers import (
    MAX_LABELLED_INCIDENTS,
    MAX_TOWN_LABELS,
    _draw_basemap,
    _draw_count_badges,
    _draw_country_names,
    _draw_incidents,
    _draw_locator,
    _draw_north_arrow,
    _draw_scale_bar,
    _draw_towns,
    _label_incidents,
    _read_towns,
    marker_diameter,
)
from geo.report.legend import _legend_rows
from geo.report.options import (
    FONT_FAMILY,
    NO_OVERLAY,
    PDF_PAGE,
    PageOptions,
    PageOverlay,
    ReportOptions,
    ReportPage,
    _software,
    check_fonts,
)
from geo.report.projection import _to_lonlat, fit_extent, project_points
from geo.report.wording import (
    _wrap,
    count_approximate,
    describe_caption,
    describe_incident,
    summarize_sources,
)

LIST_FONT_PT = 6.6  # the incident list under the legend
CONTINUED_FONT_PT = 7.2  # the list continued on further PDF pages, in two columns
MAX_CONTINUED_INCIDENTS = 240  # beyond this, the CSV export is the list
MARGIN_IN = 0.35  # page margin
PANEL_IN = 2.55  # the legend panel right of the map


def _entry_height(text: str, size: float, iy: float) -> float:
    """Height of one list entry in figure units, with the gap after it."""
    line = size * 1.3 / 72 / iy
    return (text.count("\n") + 1) * line + 0.45 * line


def _list_incidents(
    fig: Figure,
    left: float,
    top: float,
    bottom: float,
    width_in: float,
    incidents: gpd.GeoDataFrame,
    iy: float,
    *,
    continued: bool = False,
) -> list[int]:
    """List incidents briefly under the legend, in date order, while there is room.

    Returns
    -------
    list of int
        Positions (into ``incidents``) of those not listed, in date order. When not
        even one fits, no heading is drawn, so the page never says "and N more" of
        all N; ``continued`` says the rest follow on further pages.
    """
    order = [int(i) for i in np.argsort(incidents["event_date"].to_numpy(), kind="stable")]
    if not 0 < len(order) <= MAX_LABELLED_INCIDENTS:
        return order
    size = LIST_FONT_PT
    line = size * 1.3 / 72 / iy
    texts = [_wrap(describe_incident(incidents.iloc[i]), size, width_in) for i in order]
    y = top - 0.1 / iy
    heading = 0.215 * 1.25 / iy
    if y - heading - _entry_height(texts[0], size, iy) - line < bottom:
        return order
    _text(fig, left, y, "Incidents shown", fontsize=9.5, fontweight="bold", color=INK, va="top")
    y -= heading
    where = "on the next page" if continued else "in the CSV export"
    for k, text in enumerate(texts):
        needed = _entry_height(text, size, iy)
        rest = len(order) - k
        if y - needed - (line if rest > 1 else 0) < bottom:
            _text(fig, left, y, f"and {rest} more ({where})", fontsize=size, color=MUTED, va="top")
            return order[k:]
        _text(fig, left, y, text, fontsize=size, color=INK, va="top", linespacing=1.3)
        y -= needed
    return []


def _continuation_pages(
    incidents: gpd.GeoDataFrame,
    positions: list[int],
    title: str,
    page_size_in: tuple[float, float],
    dpi: float,
) -> list[Figure]:
    """Pages listing the incidents the report page had no room for, in two columns."""
    wi, hi = page_size_in
    margin, gutter = 0.45, 0.35
    col_w = (wi - 2 * margin - gutter) / 2
    size = CONTINUED_FONT_PT
    pages: list[Figure] = []
    texts = [_wrap(describe_incident(incidents.iloc[i]), size, col_w) for i in positions]
    k = 0
    while k < len(texts):
        fig = Figure(figsize=page_size_in, dpi=dpi, facecolor="white")
        fig.set_layout_engine(None)
        heading = f"{title.strip() or 'Incidents'}: incidents shown (continued)"
        _text(fig, margin / wi, 1 - margin / hi, heading, fontsize=12, fontweight="bold",
              color=INK, va="top")  # fmt: skip
        for column in range(2):
            x = (margin + column * (col_w + gutter)) / wi
            y = 1 - (margin + 0.4) / hi
            while k < len(texts):
                needed = _entry_height(texts[k], size, hi)
                if y - needed < margin / hi:
                    break
                _text(fig, x, y, texts[k], fontsize=size, color=INK, va="top", linespacing=1.3)
                y -= needed
                k += 1
        pages.append(fig)
    return pages


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
    continuation: bool = False,
    overlay: PageOverlay = NO_OVERLAY,
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
    continuation : bool
        List the incidents the page has no room for on further pages (for a PDF), up
        to :data:`MAX_CONTINUED_INCIDENTS`.
    overlay : PageOverlay, optional
        A caption, a legend or faded incidents in place of those the selection gives
        (a time-lapse frame, a panel of a comparison).

    Returns
    -------
    ReportPage

    Raises
    ------
    MissingComponentError
        When the report font or the offline basemap is not installed.
    """
    check_fonts()
    page_size_in, dpi = page_size(options, page_size_in, dpi)
    created = (created or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    fig = Figure(figsize=page_size_in, dpi=dpi, facecolor="white")
    fig.set_layout_engine(None)
    wi, hi = page_size_in
    continued = continuation and 0 < len(incidents) <= MAX_CONTINUED_INCIDENTS
    with matplotlib.rc_context({"font.family": FONT_FAMILY}):
        page, unlisted = _compose(
            fig, wi, hi, incidents, flt, total, options, data_label, data_hash, created, continued,
            overlay,
        )  # fmt: skip
        if continued and unlisted:
            page.more_pages = _continuation_pages(
                incidents, unlisted, options.title, page_size_in, dpi
            )
    return page


def page_size(
    options: ReportOptions,
    page_size_in: tuple[float, float] | None = None,
    dpi: float | None = None,
) -> tuple[tuple[float, float], float]:
    """Return the page's size in inches and its pixels per inch, by default the options'."""
    if dpi is None:
        dpi = CSS_DPI * options.scale
    if page_size_in is None:
        # A hair over the exact size, so that rounding never loses the last pixel.
        page_size_in = ((options.width + 1e-6) / dpi, (options.height + 1e-6) / dpi)
    return page_size_in, dpi


def draw_selection(
    selection: Selection,
    page: PageOptions | None = None,
    *,
    pdf: bool = False,
    created: datetime | None = None,
    overlay: PageOverlay = NO_OVERLAY,
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
    overlay : PageOverlay, optional
        See :func:`draw_report`.

    Returns
    -------
    ReportPage

    Raises
    ------
    MissingComponentError
        When the report font or the offline basemap is not installed.
    """
    return _draw_page(
        selection.incidents,
        flt=selection.view.flt,
        total=selection.total,
        options=ReportOptions.from_view(selection.view, page),
        data_label=selection.data_label,
        data_hash=selection.data_hash,
        created=created,
        pdf=pdf,
        overlay=overlay,
    )


def _draw_page(
    incidents: gpd.GeoDataFrame,
    *,
    flt: IncidentFilter,
    total: int,
    options: ReportOptions,
    data_label: str,
    data_hash: str | None,
    created: datetime | None,
    pdf: bool,
    overlay: PageOverlay = NO_OVERLAY,
) -> ReportPage:
    """Draw the page at the PNG's size, or as A4 landscape continued on further pages."""
    return draw_report(
        incidents,
        flt=flt,
        total=total,
        options=options,
        data_label=data_label,
        data_hash=data_hash,
        created=created,
        continuation=pdf,
        overlay=overlay,
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
    continued: bool = False,
    overlay: PageOverlay = NO_OVERLAY,
) -> tuple[ReportPage, list[int]]:
    margin, panel = MARGIN_IN, PANEL_IN
    fx, fy = 1 / wi, 1 / hi
    caption = overlay.caption or describe_caption(flt, incidents, total)
    y = _draw_header(fig, options.title, caption)
    footer = PageFooter(data_label, data_hash, created)
    map_bottom = _draw_footer(fig, footer, incidents)
    map_top = y / fy
    map_left, map_right = margin, wi - margin - panel
    map_w, map_h = map_right - map_left, map_top - map_bottom
    if map_w < 1 or map_h < 1:
        raise ValueError(
            f"the page is too small for a map ({wi * 96:.0f} x {hi * 96:.0f} layout pixels); "
            "use a larger width and height or a smaller scale"
        )
    drawn = _draw_map(fig, (map_left, map_bottom, map_w, map_h), incidents, options, overlay)
    ax, extent = drawn.ax, drawn.extent
    legend = list(overlay.legend) if overlay.legend is not None else drawn.legend

    panel_left = (map_right + 0.25) * fx
    below = _legend_rows(
        fig,
        panel_left,
        map_top * fy,
        (panel - 0.3) * fx,
        legend,
        drawn.counts,
        options.color_by,
        incidents,
        (wi, hi),
    )
    if drawn.shaded is not None:
        below = draw_choropleth_legend(fig, panel_left, below, drawn.shaded, (wi, hi))
    locator_h = min(1.7, (panel - 0.3) / 1.35)
    list_bottom = map_bottom
    # The locator yields to the incident list when, beside it, not even three would fit.
    few = min(len(incidents), 3) if len(incidents) <= MAX_LABELLED_INCIDENTS else 0
    list_room = few * 3 * LIST_FONT_PT * 1.3 / 72 + 0.5
    if below - (locator_h + 0.3 + list_room) * fy > map_bottom * fy:
        _draw_locator(
            fig, (panel_left, map_bottom * fy, (panel - 0.3) * fx, locator_h * fy), extent
        )
        list_bottom = map_bottom + locator_h + 0.15
    unlisted = _list_incidents(
        fig, panel_left, below, list_bottom * fy, panel - 0.3, incidents, hi, continued=continued
    )
    lon0, lat0 = _to_lonlat(extent[0], extent[1])
    lon1, lat1 = _to_lonlat(extent[2], extent[3])
    bounds = (lon0, lat0, lon1, lat1)
    page = ReportPage(fig, ax, bounds, drawn.x, drawn.y, drawn.colors, legend, panels=[ax])
    return page, unlisted


class PageFooter(NamedTuple):
    """What the footer says of the data besides its incidents: file, hash, time made."""

    data_label: str
    data_hash: str | None
    created: datetime


def _draw_header(fig: Figure, title_text: str, caption: str) -> float:
    """Draw the title and the caption under it; return the figure y below them."""
    wi, hi = fig.get_figwidth(), fig.get_figheight()
    margin = MARGIN_IN
    fx, fy = 1 / wi, 1 / hi
    text_width = wi - 2 * margin
    title = _wrap(title_text.strip() or "Incidents", 19, text_width)
    subtitle = _wrap(caption, 10.5, text_width)
    y = 1 - margin * fy
    _text(fig, margin * fx, y, title, fontsize=19, fontweight="bold", color=INK, va="top",
          ha="left", linespacing=1.1)  # fmt: skip
    y -= (title.count("\n") + 1) * 19 * 1.25 / 72 * fy + 0.06 * fy
    _text(fig, margin * fx, y, subtitle, fontsize=10.5, color=MUTED, va="top", ha="left",
          linespacing=1.25)  # fmt: skip
    return y - (subtitle.count("\n") + 1) * 10.5 * 1.35 / 72 * fy - 0.14 * fy


def _draw_footer(fig: Figure, footer: PageFooter, incidents: gpd.GeoDataFrame) -> float:
    """Draw the footer (precision, sources, data, attribution); return its top in inches."""
    wi, hi = fig.get_figwidth(), fig.get_figheight()
    margin = MARGIN_IN
    text_width = wi - 2 * margin
    n_dates, n_places = count_approximate(incidents)
    digest = f"sha256 {footer.data_hash[:12]}…" if footer.data_hash else "hash not recorded"
    sources = summarize_sources(incidents)
    made = footer.created.isoformat().replace("+00:00", "Z")
    lines = [
        f"{n_dates:,} of {len(incidents):,} incidents have approximate dates; "
        f"{n_places:,} approximate places.",
        _wrap(f"Sources: {sources}", 7.2, text_width) if sources else "",
        f"Data: {footer.data_label} ({digest}). {basemap.BASEMAP_ATTRIBUTION}. "
        "Projection: Web Mercator (EPSG:3857).",
        f"Made {made} with {_software()}.",
    ]
    text = "\n".join(line for line in lines if line)
    _text(fig, margin / wi, margin * 0.8 / hi, text, fontsize=7.2, color=MUTED, va="bottom",
          ha="left", linespacing=1.35)  # fmt: skip
    return margin * 0.8 + (text.count("\n") + 1) * 7.2 * 1.35 / 72 + 0.16


class _DrawnMap(NamedTuple):
    """One map frame as drawn: its axes, extent and what each incident got."""

    ax: Axes
    extent: tuple[float, float, float, float]
    x: np.ndarray
    y: np.ndarray
    colors: list[str]
    counts: dict[str, int]
    legend: list[tuple[str, str]]
    shaded: ProvinceCounts | None = None  # the provinces shaded, when a choropleth is drawn


def _draw_map(
    fig: Figure,
    box: tuple[float, float, float, float],
    incidents: gpd.GeoDataFrame,
    options: ReportOptions,
    overlay: PageOverlay,
) -> _DrawnMap:
    """Draw one map frame (basemap, incidents, names, scale bar) in a box given in inches."""
    map_left, map_bottom, map_w, map_h = box
    fx, fy = 1 / fig.get_figwidth(), 1 / fig.get_figheight()
    map_right, map_top = map_left + map_w, map_bottom + map_h
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
    shaded = draw_choropleth(ax, incidents, options.choropleth)
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])

    keys, color_map = color_keys(incidents, options.color_by, ranking=options.actor_ranking)
    colors = [color_map[k] for k in keys] if len(incidents) else []
    counts = keys.value_counts().to_dict() if len(incidents) else {}

    # Labels placed so far (inches): the incident labels win over the town names.
    labels = LabelPlacer(ax, fig)
    n_markers = 0
    if len(incidents):
        px, py = ax.transData.transform(np.column_stack([x, y_m])).T / fig.dpi
        radius = marker_diameter(casualties(incidents)) / 2 / 72
        if len(incidents) <= 500:
            labels.keep_clear(*zip(px - radius, py - radius, px + radius, py + radius, strict=True))
            n_markers = len(labels)
    _draw_incidents(ax, incidents, x, y_m, colors, faded=overlay.faded)
    _draw_count_badges(ax, x, y_m)
    _draw_scale_bar(ax, extent)
    _draw_north_arrow(ax)
    # Keep names off the scale bar and the north arrow (boxes in inches).
    labels.keep_clear(
        (map_left, map_bottom, map_left + 0.2 * map_w, map_bottom + 0.13 * map_h),
        (map_right - 0.09 * map_w, map_top - 0.2 * map_h, map_right, map_top),
    )
    if len(incidents) == 0:  # keep names clear of the "No incidents" notice
        mid_x, mid_y = map_left + map_w / 2, map_bottom + map_h / 2
        labels.keep_clear((mid_x - 2.2, mid_y - 0.35, mid_x + 2.2, mid_y + 0.35))
    _draw_country_names(ax, countries, extent, labels)
    # Cities of a million first, then the incidents' names, then smaller towns.
    towns = _read_towns(extent)
    big = towns["population"] >= 1_000_000
    considered: list = []
    named = _draw_towns(labels, towns[big], n_markers, considered, MAX_TOWN_LABELS)
    _label_incidents(labels, incidents, x, y_m)
    _draw_towns(labels, towns[~big], n_markers, considered, MAX_TOWN_LABELS - named)
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

    return _DrawnMap(ax, extent, x, y_m, colors, counts, list(color_map.items()), shaded)


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
    page = _draw_page(
        incidents, flt=flt, total=total, options=options, data_label=data_label,
        data_hash=data_hash, created=created, pdf=False,
    )  # fmt: skip
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
    """Render the report as an A4 landscape PDF with selectable text.

    The incidents the page has no room to list follow on further pages, in two columns.

    Parameters are those of :func:`render_report_png`; ``options.width``, ``height``
    and ``scale`` do not apply (the page is 297 x 210 mm).

    Returns
    -------
    bytes
        A PDF document; fonts are embedded as TrueType, so the text can be searched
        and copied.
    """
    page = _draw_page(
        incidents, flt=flt, total=total, options=options, data_label=data_label,
        data_hash=data_hash, created=created, pdf=True,
    )  # fmt: skip
    return page.to_pdf(options.title)

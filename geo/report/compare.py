"""A two-panel report page: the same view in two periods, side by side.

Both maps show one extent (fitted to the incidents of both periods, or the view's own)
and share one legend, whose entries count each period ("Battles (4 · 9)"), so what
changed between the periods is all that differs between the panels: e.g. the quarter
before and the quarter after the strike of 3 January 2020. Each panel is headed by its
period and its count; the footer covers the incidents of both.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from geo import palette
from geo.report.labels import INK, _text
from geo.report.legend import _legend_rows
from geo.report.options import (
    FONT_FAMILY,
    PDF_PAGE,
    PageOptions,
    PageOverlay,
    ReportOptions,
    ReportPage,
    check_fonts,
)
from geo.report.page import (
    MARGIN_IN,
    PANEL_IN,
    PageFooter,
    _draw_footer,
    _draw_header,
    _draw_map,
    _DrawnMap,
    page_size,
)
from geo.report.projection import _to_lonlat, fit_extent, project_points
from geo.report.wording import describe_filters, describe_period, site_names_of

if TYPE_CHECKING:
    import geopandas as gpd

    from geo.view import Selection

PANEL_GAP_IN = 0.3  # between the two maps
HEADING_IN = 0.32  # a panel's heading above its map


def describe_comparison(first: Selection, second: Selection) -> str:
    """Say what the page compares: both periods, the filters, both counts.

    Returns
    -------
    str
        ``1 October 2019 – 2 January 2020 compared with 3 January 2020 – 3 April 2020 ·
        Site: Camp Taji · 12 and 30 of 250 incidents shown``.
    """
    names = {**site_names_of(first.incidents), **site_names_of(second.incidents)}
    parts = [
        f"{describe_period(first.view.flt, first.incidents)} compared with "
        f"{describe_period(second.view.flt, second.incidents)}",
        *describe_filters(first.view.flt, names),
        f"{len(first.incidents):,} and {len(second.incidents):,} of {first.total:,} incidents "
        "shown",
    ]
    return " · ".join(parts)


def panel_heading(selection: Selection) -> str:
    """Head one panel: its period and how many incidents it shows."""
    n = len(selection.incidents)
    period = describe_period(selection.view.flt, selection.incidents)
    return f"{period} · {n:,} incident{'s' if n != 1 else ''}"


def draw_comparison(
    first: Selection,
    second: Selection,
    page: PageOptions | None = None,
    *,
    pdf: bool = False,
    created: datetime | None = None,
) -> ReportPage:
    """Draw one view in two periods on one page: two maps, one extent, one legend.

    Parameters
    ----------
    first, second : Selection
        The same view over two time windows (see
        :meth:`geo.recipe.OutputOptions.compared_view`); ``first`` gives the title,
        the colouring and the extent, if it has one.
    page : PageOptions, optional
        The PNG's size and pixel ratio; ignored for the PDF (A4 landscape).
    pdf : bool
        Lay the page out for a PDF.
    created : datetime, optional
        The time printed as "made"; now (UTC) by default.

    Returns
    -------
    ReportPage
        ``map_ax`` and ``x``/``y``/``colors`` are the first panel's; ``panels`` holds
        both maps' axes.

    Raises
    ------
    MissingComponentError
        When the report font or the offline basemap is not installed.
    ValueError
        When the page is too small for two maps.
    """
    check_fonts()
    view = first.view
    both = pd.concat([first.incidents, second.incidents])
    if view.color_by == "actor" and not view.actor_ranking:  # one colour per actor in both
        view = view.with_changes(actor_ranking=tuple(palette.rank_actors(both["actor1"])))
    options = ReportOptions.from_view(view, page)
    size_in, dpi = page_size(options, **(PDF_PAGE if pdf else {}))
    created = (created or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    fig = Figure(figsize=size_in, dpi=dpi, facecolor="white")
    fig.set_layout_engine(None)
    footer = PageFooter(first.data_label, first.data_hash, created)
    with matplotlib.rc_context({"font.family": FONT_FAMILY}):
        return _compose_comparison(fig, first, second, both, options, footer)


def _compose_comparison(
    fig: Figure,
    first: Selection,
    second: Selection,
    both: gpd.GeoDataFrame,
    options: ReportOptions,
    footer: PageFooter,
) -> ReportPage:
    """Lay out header, the two headed maps, the shared legend and the footer."""
    wi, hi = fig.get_figwidth(), fig.get_figheight()
    top = _draw_header(fig, options.title, describe_comparison(first, second)) * hi
    bottom = _draw_footer(fig, footer, both.drop_duplicates("event_id"))
    map_w = (wi - 2 * MARGIN_IN - PANEL_IN - PANEL_GAP_IN) / 2
    map_h = top - HEADING_IN - bottom
    if map_w < 1 or map_h < 1:
        raise ValueError(
            f"the page is too small for two maps ({wi * 96:.0f} x {hi * 96:.0f} layout "
            "pixels); use a larger width and height or a smaller scale"
        )
    options = replace(options, bounds=_shared_bounds(both, map_w / map_h, options.bounds))
    legend = palette.legend_items(both, options.color_by, ranking=options.actor_ranking)
    overlay = PageOverlay(legend=tuple(legend))
    drawn: list[_DrawnMap] = []
    for k, selection in enumerate((first, second)):
        left = MARGIN_IN + k * (map_w + PANEL_GAP_IN)
        _text(fig, left / wi, (top - 0.04) / hi, panel_heading(selection), fontsize=10.5,
              fontweight="bold", color=INK, va="top", ha="left")  # fmt: skip
        box = (left, bottom, map_w, map_h)
        drawn.append(_draw_map(fig, box, selection.incidents, options, overlay))
    counts = {
        label: " · ".join(f"{d.counts.get(label, 0):,}" for d in drawn) for label, _ in legend
    }
    panel_left = (wi - MARGIN_IN - PANEL_IN + 0.25) / wi
    _legend_rows(fig, panel_left, (top - HEADING_IN) / hi, (PANEL_IN - 0.3) / wi, legend,
                 counts, options.color_by, both, (wi, hi))  # fmt: skip
    extent = drawn[0].extent
    lon0, lat0 = _to_lonlat(extent[0], extent[1])
    lon1, lat1 = _to_lonlat(extent[2], extent[3])
    one = drawn[0]
    return ReportPage(fig, one.ax, (lon0, lat0, lon1, lat1), one.x, one.y, one.colors, legend,
                      panels=[d.ax for d in drawn])  # fmt: skip


def _shared_bounds(
    incidents: gpd.GeoDataFrame,
    aspect: float,
    bounds: tuple[float, float, float, float] | None,
) -> tuple[float, float, float, float]:
    """Return the extent both panels show: the view's, or one fitting both periods."""
    lon = incidents.geometry.x.to_numpy() if len(incidents) else np.empty(0)
    lat = incidents.geometry.y.to_numpy() if len(incidents) else np.empty(0)
    extent = fit_extent(*project_points(lon, lat), aspect, bounds)
    lon0, lat0 = _to_lonlat(extent[0], extent[1])
    lon1, lat1 = _to_lonlat(extent[2], extent[3])
    return lon0, lat0, lon1, lat1

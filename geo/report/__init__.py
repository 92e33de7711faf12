"""The printable report page: a map of the selected incidents that explains itself.

One page holds a title, a subtitle naming the period and the active filters, the map
(offline basemap, incidents sized by casualties, approximate dates hollow), a legend,
a scale bar, a north arrow and a footer with sources, attribution, the time the page was
made, the data file's hash and how many incidents are approximate. It is drawn with
matplotlib on the server, so no browser and no network are needed: PNG through Agg,
PDF with TrueType fonts embedded (text stays text).

The map is in Web Mercator (EPSG:3857), like the interactive map. One role per module:
:mod:`~geo.report.options` (page options and the drawn page),
:mod:`~geo.report.projection` (projection, extent, scale),
:mod:`~geo.report.wording` (the sentences printed), :mod:`~geo.report.labels` (label
placement), :mod:`~geo.report.layers` (what is drawn on the map),
:mod:`~geo.report.legend` and :mod:`~geo.report.page` (page composition).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from geo.report.layers import marker_diameter
    from geo.report.options import (
        FONT_FAMILY,
        MIN_LAYOUT_PX,
        PDF_PAGE,
        PageOptions,
        PageOverlay,
        ReportOptions,
        ReportPage,
        check_fonts,
    )
    from geo.report.page import draw_report, draw_selection, render_report_pdf, render_report_png
    from geo.report.projection import (
        DEFAULT_BOUNDS,
        fit_extent,
        nice_length,
        project_points,
        scale_bar_length,
    )
    from geo.report.wording import (
        count_approximate,
        describe_caption,
        describe_filters,
        describe_incident,
        describe_period,
        site_names_of,
        summarize_sources,
    )

# Each name is imported from its module on first use: the page's options and wording load
# without matplotlib, which only drawing a page needs (the dashboard's first paint does not).
_HOMES = {
    "marker_diameter": "layers",
    "FONT_FAMILY": "options",
    "MIN_LAYOUT_PX": "options",
    "PDF_PAGE": "options",
    "PageOptions": "options",
    "PageOverlay": "options",
    "ReportOptions": "options",
    "ReportPage": "options",
    "check_fonts": "options",
    "draw_report": "page",
    "draw_selection": "page",
    "render_report_pdf": "page",
    "render_report_png": "page",
    "DEFAULT_BOUNDS": "projection",
    "fit_extent": "projection",
    "nice_length": "projection",
    "project_points": "projection",
    "scale_bar_length": "projection",
    "count_approximate": "wording",
    "describe_caption": "wording",
    "describe_filters": "wording",
    "describe_incident": "wording",
    "describe_period": "wording",
    "site_names_of": "wording",
    "summarize_sources": "wording",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_BOUNDS",
    "FONT_FAMILY",
    "MIN_LAYOUT_PX",
    "PDF_PAGE",
    "PageOptions",
    "PageOverlay",
    "ReportOptions",
    "ReportPage",
    "check_fonts",
    "count_approximate",
    "describe_caption",
    "describe_filters",
    "describe_incident",
    "describe_period",
    "draw_report",
    "draw_selection",
    "fit_extent",
    "marker_diameter",
    "nice_length",
    "project_points",
    "render_report_pdf",
    "render_report_png",
    "scale_bar_length",
    "site_names_of",
    "summarize_sources",
]

"""Compare mode: the view in its own window beside the same view in a second period.

Streamlit glue over :mod:`geo.compare` (the second period in the link) and
:mod:`geo.report.compare` (the two-panel report). Both maps open on the same extent
(the view's, else the whole data's) and colour alike, so the periods read side by side.
"""

from __future__ import annotations

from functools import partial

import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from geo.compare import Period, period_from_query, period_to_query, previous_period
from geo.export import EXPORT_FORMATS, REPORT_FORMATS, export_bytes, export_filename
from geo.mapview import build_layer_control, build_view_base
from geo.recipe import OutputOptions
from geo.report import PageOptions, describe_period
from geo.schema import MissingComponentError
from geo.source import IncidentSource, build_page_layers, export_selection
from geo.view import View
from geo.webtext import markdown_text
from ui.controls import query_dict
from ui.sources import page_of

ss = st.session_state
PANELS = (("first", "First period"), ("second", "Second period"))


def compare_controls(span: Period) -> Period | None:
    """Draw the sidebar's compare switch and second period; return the period when on.

    On a session's first run the link's ``compare_start``/``compare_end`` switch it on;
    parameters that cannot be used are reported in the sidebar.
    """
    if "compare" not in ss:
        period, problems = period_from_query(query_dict())
        ss["compare"] = period is not None
        if period is not None:
            ss["compare_window"] = period
        for problem in problems:
            st.sidebar.warning(markdown_text(problem))
    st.sidebar.toggle("Compare with another period", key="compare")
    if not ss["compare"]:
        return None
    if "compare_window" not in ss:
        ss["compare_window"] = previous_period(tuple(ss["window"]), span)
    st.sidebar.date_input("Second period", key="compare_window", format="YYYY-MM-DD",
                          min_value=span[0], max_value=span[1])  # fmt: skip
    chosen = ss["compare_window"]
    return (chosen[0], chosen[1]) if len(chosen) == 2 else None  # None while picking


def compare_query(period: Period | None) -> dict[str, str]:
    """The second period's URL parameters, added beside the view's."""
    return period_to_query(period)


def second_view(view: View, period: Period) -> View:
    """The same view over the second period."""
    return OutputOptions(compare=period).compared_view(view)


def show_comparison(
    view: View,
    period: Period,
    source: IncidentSource,
    sites: gpd.GeoDataFrame | None,
    span: Period,
    known_sites: tuple[str, ...] | None,
    page_size: PageOptions,
) -> None:
    """Draw both periods side by side with their metrics and the two-panel report."""
    st.subheader("Two periods compared")
    views = (view, second_view(view, period))
    for col, (key, label), shown in zip(st.columns(2), PANELS, views, strict=True):
        page = page_of(source, shown, span, known_sites)
        col.markdown(f"**{label}: {markdown_text(describe_period(shown.flt, page.recent))}**")
        m1, m2 = col.columns(2)
        m1.metric(f"{label}: incidents", f"{page.count:,}")
        m2.metric(f"{label}: fatalities", page.figures["fatalities"].value())
        try:
            layers = build_page_layers(shown, page, source, sites)
        except MissingComponentError as exc:
            col.error(markdown_text(str(exc)))
            continue
        with col.container(key=f"compare_map_{key}"):
            st_folium(build_view_base(view, source.extent), key=f"compare_map_{key}_map",
                      feature_group_to_add=layers, layer_control=build_layer_control(),
                      returned_objects=[], height=440, use_container_width=True)  # fmt: skip
    for col, fmt in zip(st.columns(len(REPORT_FORMATS)), REPORT_FORMATS, strict=True):
        col.download_button(
            f"Two-panel report {fmt.upper()}",
            partial(comparison_bytes, fmt, views, period, source, sites, page_size),
            file_name=export_filename(f"{view.title} compared", fmt),
            mime=EXPORT_FORMATS[fmt],
            key=f"download_compare_{fmt}",
            on_click="ignore",
        )


def comparison_bytes(
    fmt: str,
    views: tuple[View, View],
    period: Period,
    source: IncidentSource,
    sites: gpd.GeoDataFrame | None,
    page_size: PageOptions,
) -> bytes:
    """Read both periods' incidents (only on click) and draw the two-panel report."""
    first, second = (export_selection(v, source, sites) for v in views)
    output = OutputOptions(compare=period)
    return export_bytes(fmt, first, page_size, output=output, compared=second)

"""The incidents table: a row chosen there is shown on the map and in a details panel.

Streamlit glue over :mod:`geo.mapview.selection`, where the panel and the map layer are
written (and every text escaped).
"""

from __future__ import annotations

import hashlib

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.mapview.selection import details_html, table_row
from geo.view import View

TABLE_KEY = "incident_table"
ss = st.session_state


def table_key(source_key: str, view: View) -> str:
    """The table's widget key: one per data and filter.

    A chosen row is a position in the rows shown, so the choice is dropped when the
    rows change rather than moved to whichever incident takes its place.
    """
    digest = hashlib.sha256(f"{source_key}\n{view.flt!r}".encode()).hexdigest()[:12]
    return f"{TABLE_KEY}_{digest}"


def chosen_incident(key: str, recent: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    """The incident chosen in the table (one row of ``recent``), if any."""
    position = table_row(ss.get(key), recent)
    return None if position is None else recent.iloc[[position]]


def focus_once(chosen: gpd.GeoDataFrame | None) -> bool:
    """Tell whether the choice is new: the map is moved to it on that run only."""
    event_id = None if chosen is None else str(chosen.iloc[0]["event_id"])
    new = event_id is not None and event_id != ss.get("_focused")
    ss["_focused"] = event_id
    return new


def show_table(rows: pd.DataFrame, key: str) -> None:
    """The incidents table; choosing a row reruns the page with it chosen."""
    st.dataframe(rows, hide_index=True, key=key, on_select="rerun",
                 selection_mode="single-row")  # fmt: skip


def show_details(chosen: gpd.GeoDataFrame | None, own: list[str]) -> None:
    """The details panel: every field the chosen incident records, or how to choose one."""
    if chosen is None:
        st.caption("Choose a row to show that incident on the map and everything it records.")
        return
    st.subheader("Chosen incident")
    st.html(DETAILS_STYLE + details_html(chosen.iloc[0], own))


DETAILS_STYLE = (
    "<style>.geo-details { display: grid; grid-template-columns: max-content 1fr; "
    "gap: 0.2rem 1rem; margin: 0; } .geo-details dt { font-weight: 600; } "
    ".geo-details dd { margin: 0; overflow-wrap: anywhere; } "
    ".geo-details blockquote { margin: 0; padding-left: 0.6rem; "
    "border-left: 3px solid #bbb; }</style>"
)

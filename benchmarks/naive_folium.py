"""Baseline: the usual folium approach, one marker with a popup per incident, via st_folium."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st
from streamlit_folium import st_folium

from geo.assets import localize_map
from geo.baseline import data_argument, naive_marker_map, read_bench_csv, select_window

st.set_page_config(page_title="Baseline: folium markers", layout="wide")


@st.cache_data(show_spinner="Loading...")
def load(path: str):
    """Read the benchmark CSV once per server."""
    return read_bench_csv(path)


frame = load(data_argument())
lo, hi = frame["day"].min().date(), frame["day"].max().date()
start = date.fromisoformat(st.query_params.get("start", str(hi - timedelta(days=364))))
end = date.fromisoformat(st.query_params.get("end", str(hi)))
window = st.slider(
    "Time range",
    min_value=lo,
    max_value=hi,
    value=(start, end),
    step=timedelta(days=1),
    key="window",
)
shown = select_window(frame, *window)
st.metric("Incidents shown", len(shown))
m = naive_marker_map(shown)
localize_map(m)  # Leaflet from the app's own copy, as for the dashboard (no CDN here)
st_folium(m, key="map", height=580, use_container_width=True, returned_objects=[])

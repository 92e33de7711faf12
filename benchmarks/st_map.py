"""Baseline: Streamlit's own WebGL map, ``st.map``, over the same window."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from geo.baseline import (
    ST_MAP_COLOR,
    ST_MAP_POINT_SIZE,
    data_argument,
    read_bench_csv,
    select_window,
)

st.set_page_config(page_title="Baseline: st.map", layout="wide")


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
st.map(shown[["latitude", "longitude"]], color=ST_MAP_COLOR, size=ST_MAP_POINT_SIZE, height=580)

"""Baseline: Streamlit's own WebGL map, ``st.map``, over the same window."""

from __future__ import annotations

import streamlit as st

from benchmarks.baseline import ST_MAP_COLOR, ST_MAP_POINT_SIZE
from benchmarks.baseline_page import window_page

shown = window_page("Baseline: st.map")
st.map(shown[["latitude", "longitude"]], color=ST_MAP_COLOR, size=ST_MAP_POINT_SIZE, height=580)

"""Baseline: the usual folium approach, one marker with a popup per incident, via st_folium."""

from __future__ import annotations

from streamlit_folium import st_folium

from benchmarks.baseline import naive_marker_map
from benchmarks.baseline_page import window_page
from geo.assets import localize_map

shown = window_page("Baseline: folium markers")
m = naive_marker_map(shown)
localize_map(m)  # Leaflet from the app's own copy, as for the dashboard (no CDN here)
st_folium(m, key="map", height=580, use_container_width=True, returned_objects=[])

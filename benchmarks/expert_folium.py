"""Baseline: an experienced folium user's map, FastMarkerCluster on a canvas renderer."""

from __future__ import annotations

from streamlit_folium import st_folium

from benchmarks.baseline import expert_cluster_map
from benchmarks.baseline_page import window_page
from geo.assets import localize_map

shown = window_page("Baseline: expert folium")
m = expert_cluster_map(shown)
localize_map(m)  # Leaflet and markercluster from the app's own copy (no CDN here)
st_folium(m, key="map", height=580, use_container_width=True, returned_objects=[])

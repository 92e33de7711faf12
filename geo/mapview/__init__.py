"""The incident map: a stable base map and the incident layers drawn on it.

The map is built in two parts so that a dashboard can keep the user's view while filters
change: :func:`build_base_map` (basemap, controls, camera, styles; it depends on no incident)
and :func:`build_incident_layers` (markers, uncertainty rings, heat map, sites, legend; they
change with the filters). :func:`build_map` puts both together for a standalone page.

Incidents travel to the browser as one compact JSON table (pre-escaped strings stored once,
rows of numbers and string indexes) and a short loop draws them as circle markers on a
canvas, so thousands of incidents cost one script, not thousands of folium objects. Every
text from the data is escaped with :func:`html.escape` in Python before it is sent.

One role per module: :mod:`~geo.mapview.options` (what is drawn),
:mod:`~geo.mapview.build` (the map and its layers), :mod:`~geo.mapview.tables` (the
incidents as compact tables for the browser), :mod:`~geo.mapview.markers` (markers,
rings, sites), :mod:`~geo.mapview.controls` (legend, styles, base layer) and
:mod:`~geo.mapview.camera` (the picture of the current view).
"""

from __future__ import annotations

from geo.aggregate import HEAT_GRID_DEGREES, MARKER_LIMIT, sum_heat_points
from geo.mapview.build import (
    build_aggregate_layers,
    build_base_map,
    build_incident_layers,
    build_layer_control,
    build_map,
    build_view_base,
    build_view_layers,
    build_view_map,
    map_options_for,
)
from geo.mapview.options import DEFAULT_BOUNDS, MapOptions
from geo.mapview.tables import incident_bounds
from geo.palette import COLOR_BY, legend_items
from geo.symbology import GEO_PRECISION_OPACITY, LEGEND_TITLES, SIZE_KEY, marker_radius

__all__ = [
    "COLOR_BY",
    "HEAT_GRID_DEGREES",
    "build_aggregate_layers",
    "sum_heat_points",
    "GEO_PRECISION_OPACITY",
    "LEGEND_TITLES",
    "MARKER_LIMIT",
    "SIZE_KEY",
    "legend_items",
    "marker_radius",
    "DEFAULT_BOUNDS",
    "MapOptions",
    "build_base_map",
    "build_incident_layers",
    "build_layer_control",
    "build_map",
    "build_view_base",
    "build_view_layers",
    "build_view_map",
    "incident_bounds",
    "map_options_for",
]

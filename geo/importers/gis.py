"""GeoJSON, GeoPackage and GeoParquet.

GeoJSON is parsed with :mod:`json` rather than GDAL so that each feature is
checked on its own: one broken feature is rejected with its number instead of
failing the file. GeoPackage goes through pyogrio and GeoParquet through
pyarrow (via geopandas), both from memory, never from a path named by a user.
"""

from __future__ import annotations

import io
import json
import math
import warnings
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.importers.table import RawTable, text_cell, unique_names
from geo.importers.tabular import map_table
from geo.schema import UnreadableFileError


def _point(geometry: Any) -> tuple[str, str, str]:
    """``(latitude, longitude, problem)`` of a GeoJSON geometry object."""
    if geometry is None:
        return "", "", ""
    if not isinstance(geometry, dict):
        return "", "", "geometry is not a GeoJSON object"
    kind = geometry.get("type")
    if kind != "Point":
        return "", "", f"geometry is a {str(kind)[:40]}, not a Point"
    coords = geometry.get("coordinates")
    if (
        not isinstance(coords, list)
        or len(coords) < 2
        or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in coords[:2])
    ):
        return "", "", "geometry coordinates are not [longitude, latitude] numbers"
    return repr(float(coords[1])), repr(float(coords[0])), ""


def read_geojson(text: str) -> RawTable:
    """Read a GeoJSON FeatureCollection (or a single Feature)."""
    try:
        document = json.loads(text)
    except RecursionError:
        raise UnreadableFileError("its JSON is nested too deeply to be GeoJSON") from None
    except json.JSONDecodeError as exc:
        raise UnreadableFileError(
            f"it is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "it may be truncated"
        ) from None
    if isinstance(document, dict) and document.get("type") == "Feature":
        document = {"type": "FeatureCollection", "features": [document]}
    if not isinstance(document, dict) or not isinstance(document.get("features"), list):
        raise UnreadableFileError("it is JSON but not a GeoJSON FeatureCollection")
    features = document["features"]
    rows: list[dict[str, str]] = []
    points: list[tuple[str, str]] = []
    problems: list[str] = []
    for feature in features:
        if not isinstance(feature, dict):
            rows.append({})
            points.append(("", ""))
            problems.append("feature is not a GeoJSON object")
            continue
        props = feature.get("properties")
        props = props if isinstance(props, dict) else {}
        row = {str(key): text_cell(value) for key, value in props.items()}
        try:
            row["geometry"] = text_cell(feature.get("geometry"))
        except (RecursionError, ValueError):
            raise UnreadableFileError("its JSON is nested too deeply to be GeoJSON") from None
        rows.append(row)
        lat, lon, problem = _point(feature.get("geometry"))
        points.append((lat, lon))
        problems.append(problem)
    index = pd.RangeIndex(1, len(rows) + 1)
    fields = _fields_frame(rows, index)
    geometry = pd.DataFrame(
        points or np.empty((0, 2)), index=index, columns=["latitude", "longitude"]
    )
    return _finish(
        fields, geometry.astype(str), pd.Series(problems, index=index, dtype=object), "geojson"
    )


def _fields_frame(rows: list[dict[str, str]], index: pd.Index) -> pd.DataFrame:
    """Property dicts -> a text frame with every key seen, in order of appearance."""
    names = list(dict.fromkeys(key for row in rows for key in row))
    labels, _ = unique_names(names)
    data = {
        label: [row.get(name, "") for row in rows]
        for name, label in zip(names, labels, strict=True)
    }
    return pd.DataFrame(data, index=index, columns=labels, dtype=object)


def _finish(
    fields: pd.DataFrame, geometry: pd.DataFrame, problems: pd.Series, fmt: str
) -> RawTable:
    """Map the properties and attach the reading problems."""
    properties = fields.drop(columns=["geometry"], errors="ignore")
    table = map_table(properties, geometry=geometry, generic_format=fmt)
    table.fields = fields
    table.label = "feature"
    table.problems = problems
    return table


def _frame_to_table(gdf: gpd.GeoDataFrame, fmt: str, notes: list[str]) -> RawTable:
    """Turn a GeoDataFrame read by GDAL or pyarrow into a raw table."""
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        notes.append(f"coordinates converted from {gdf.crs.to_string()} to WGS84")
        gdf = gdf.to_crs(4326)
    index = pd.RangeIndex(1, len(gdf) + 1)
    geoms = gdf.geometry
    props = pd.DataFrame(gdf.drop(columns=[geoms.name])).reset_index(drop=True)
    props.index = index
    fields = pd.DataFrame(
        {str(col): props[col].map(text_cell).astype(object) for col in props.columns},
        index=index,
        dtype=object,
    )
    fields["geometry"] = [g.wkt if g is not None else "" for g in geoms]
    kinds = geoms.geom_type.fillna("").to_numpy()
    is_point = kinds == "Point"
    points = geoms.where(is_point, None)
    lat = [
        repr(p.y) if p is not None and not p.is_empty and math.isfinite(p.y) else "" for p in points
    ]
    lon = [
        repr(p.x) if p is not None and not p.is_empty and math.isfinite(p.x) else "" for p in points
    ]
    geometry = pd.DataFrame({"latitude": lat, "longitude": lon}, index=index)
    problems = pd.Series(
        [
            f"geometry is a {kind}, not a Point" if kind and kind != "Point" else ""
            for kind in kinds
        ],
        index=index,
        dtype=object,
    )
    table = _finish(fields, geometry, problems, fmt)
    table.warnings = [*notes, *table.warnings]
    return table


def read_geopackage(data: bytes) -> RawTable:
    """Read the first layer of a GeoPackage from memory."""
    import pyogrio

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            layers = pyogrio.list_layers(io.BytesIO(data))
            if len(layers) == 0:
                raise UnreadableFileError("the GeoPackage has no layer")
            gdf = pyogrio.read_dataframe(io.BytesIO(data), layer=str(layers[0][0]))
    except UnreadableFileError:
        raise
    except Exception:  # GDAL reports damage through several unrelated exception types
        raise UnreadableFileError("the GeoPackage is damaged or truncated") from None
    notes = []
    if len(layers) > 1:
        others = ", ".join(repr(str(layer[0])) for layer in layers[1:])
        notes.append(f"read layer {str(layers[0][0])!r}; other layers not read: {others}")
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise UnreadableFileError("the GeoPackage layer has no geometry")
    return _frame_to_table(gdf, "gpkg", notes)


def read_geoparquet(data: bytes) -> RawTable:
    """Read GeoParquet from memory (plain Parquet is read as a table)."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
    except Exception:  # pyarrow raises ArrowInvalid, OSError, ... for damaged files
        raise UnreadableFileError("the Parquet file is damaged or truncated") from None
    metadata = table.schema.metadata or {}
    if b"geo" not in metadata:
        frame = table.to_pandas()
        fields = pd.DataFrame(
            {str(col): frame[col].map(text_cell).astype(object) for col in frame.columns},
            dtype=object,
        )
        fields.index = pd.RangeIndex(1, len(frame) + 1)
        return map_table(fields, generic_format="parquet")
    try:
        gdf = gpd.read_parquet(io.BytesIO(data))
    except Exception:  # malformed "geo" metadata or geometry encodings
        raise UnreadableFileError("the GeoParquet geometry metadata is damaged") from None
    return _frame_to_table(gdf, "geoparquet", [])

"""GeoJSON, GeoPackage and GeoParquet.

GeoJSON is parsed with :mod:`json` rather than GDAL so that each feature is
checked on its own: one broken feature is rejected with its number instead of
failing the file. GeoPackage goes through pyogrio and GeoParquet through
pyarrow, both from memory, never from a path named by a user, and both as
streams of Arrow batches: each batch is counted against the import limits
before the next is decoded, so a small file that decodes to gigabytes stops
at the limit.
"""

from __future__ import annotations

import io
import json
import math
import warnings
from collections.abc import Iterable
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa

from geo.importers.table import RawTable, text_cell, unique_names
from geo.importers.tabular import map_table
from geo.limits import ReadBudget
from geo.schema import UnreadableFileError

# Records decoded at a time from GeoPackage and GeoParquet (bounds the overshoot past a limit).
BATCH_ROWS: Final = 65_536


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


def read_geojson(text: str, budget: ReadBudget | None = None) -> RawTable:
    """Read a GeoJSON FeatureCollection (or a single Feature).

    The text (as long as the upload allows) is counted as decoded bytes before it is
    parsed, the features as records before any of them is converted.
    """
    if budget is not None:
        budget.add(0, len(text))
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
    if budget is not None:
        budget.add(len(features), 0)
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


def read_geopackage(data: bytes, budget: ReadBudget | None = None) -> RawTable:
    """Read the first layer of a GeoPackage from memory, batch by batch."""
    import pyogrio

    budget = budget if budget is not None else _no_limits()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            layers = pyogrio.list_layers(io.BytesIO(data))
            if len(layers) == 0:
                raise UnreadableFileError("the GeoPackage has no layer")
            layer = str(layers[0][0])
            with pyogrio.open_arrow(
                io.BytesIO(data), layer=layer, batch_size=BATCH_ROWS, use_pyarrow=True
            ) as (meta, reader):
                table = _read_batches(reader, budget, reader.schema)
    except UnreadableFileError:  # including ImportLimitError
        raise
    except Exception:  # GDAL reports damage through several unrelated exception types
        raise UnreadableFileError("the GeoPackage is damaged or truncated") from None
    notes = []
    if len(layers) > 1:
        others = ", ".join(repr(str(found[0])) for found in layers[1:])
        notes.append(f"read layer {layer!r}; other layers not read: {others}")
    geometry_name = meta.get("geometry_name") or "wkb"
    if geometry_name not in table.column_names:
        raise UnreadableFileError("the GeoPackage layer has no geometry")
    try:
        geometry = gpd.GeoSeries.from_wkb(
            table.column(geometry_name).to_numpy(zero_copy_only=False), crs=meta.get("crs")
        )
    except Exception:  # shapely raises GEOSException for damaged geometry blobs
        raise UnreadableFileError("the GeoPackage geometry is damaged") from None
    props = table.drop_columns([geometry_name]).to_pandas()
    del table
    gdf = gpd.GeoDataFrame(props, geometry=geometry.rename("geometry"))
    return _frame_to_table(gdf, "gpkg", notes)


def read_geoparquet(data: bytes, budget: ReadBudget | None = None) -> RawTable:
    """Read GeoParquet from memory, batch by batch (plain Parquet is read as a table)."""
    import pyarrow.parquet as pq

    budget = budget if budget is not None else _no_limits()
    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        # The footer's count is refused before anything is decoded; the batches are
        # counted as well, since the footer is only what the file claims.
        budget.limits.check(parquet.metadata.num_rows, 0)
        table = _read_batches(
            parquet.iter_batches(batch_size=BATCH_ROWS), budget, parquet.schema_arrow
        )
        table = table.replace_schema_metadata(parquet.schema_arrow.metadata)
    except UnreadableFileError:  # including ImportLimitError
        raise
    except Exception:  # pyarrow raises ArrowInvalid, OSError, ... for damaged files
        raise UnreadableFileError("the Parquet file is damaged or truncated") from None
    metadata = table.schema.metadata or {}
    if b"geo" not in metadata:
        frame = table.to_pandas()
        del table
        fields = pd.DataFrame(
            {str(col): frame[col].map(text_cell).astype(object) for col in frame.columns},
            dtype=object,
        )
        fields.index = pd.RangeIndex(1, len(frame) + 1)
        return map_table(fields, generic_format="parquet")
    from geopandas.io.arrow import _arrow_to_geopandas

    try:
        gdf = _arrow_to_geopandas(table)
    except Exception:  # malformed "geo" metadata or geometry encodings
        raise UnreadableFileError("the GeoParquet geometry metadata is damaged") from None
    del table
    return _frame_to_table(gdf, "geoparquet", [])


def _read_batches(
    batches: Iterable[pa.RecordBatch], budget: ReadBudget, schema: pa.Schema
) -> pa.Table:
    """Collect record batches into a table, counting each against the limits as it arrives.

    Dictionary-encoded columns are decoded first: their downstream cost is the decoded
    text, however few distinct values the file stores.
    """
    kept = []
    for batch in batches:
        plain = _decode_dictionaries(batch)
        budget.add(plain.num_rows, plain.nbytes)
        kept.append(plain)
    return pa.Table.from_batches(kept) if kept else schema.empty_table()


def _decode_dictionaries(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Decode the dictionary-encoded columns of a batch into plain arrays."""
    if not any(pa.types.is_dictionary(column.type) for column in batch.columns):
        return batch
    columns = [
        column.dictionary_decode() if pa.types.is_dictionary(column.type) else column
        for column in batch.columns
    ]
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def _no_limits() -> ReadBudget:
    """Return a budget that never refuses (for a caller that gave none)."""
    from geo.limits import ImportLimits

    return ReadBudget(ImportLimits(None, None))

"""The canonical in-memory incident table and its serialisations.

Every reader (the bundled GeoJSON, the importers) ends in
:func:`coerce_incidents`, so filters, maps and exports see one shape:
the contract fields of ``DATA.md`` with fixed dtypes, plus ``uncertainty_km``
and ``coord_source``, and Point geometries in EPSG:4326.
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from geo.schema import EXTRA_FIELDS, INCIDENT_FIELDS, TEXT_FIELDS

COLUMNS: Final = (*INCIDENT_FIELDS, *EXTRA_FIELDS)
DATE_COLUMNS: Final = ("event_date", "end_date")
TEXT_DTYPE: Final = "string[pyarrow]"
# Cells a spreadsheet would run as a formula (OWASP "CSV injection").
FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")


def empty_incidents() -> gpd.GeoDataFrame:
    """Return an incident table with every column and no rows."""
    return coerce_incidents(pd.DataFrame({col: [] for col in COLUMNS}), geometry=[])


def coerce_incidents(df: pd.DataFrame, geometry: Any = None) -> gpd.GeoDataFrame:
    """Give a table the canonical columns and dtypes.

    Parameters
    ----------
    df : DataFrame or GeoDataFrame
        Rows that already passed validation. Missing optional columns are
        added empty; extra columns are dropped.
    geometry : array-like of shapely Points, optional
        Used when ``df`` is not a GeoDataFrame.

    Returns
    -------
    GeoDataFrame
        A new frame (the input is not modified) with a 0..n-1 index.
    """
    if geometry is None:
        geometry = df.geometry if isinstance(df, gpd.GeoDataFrame) else []
    out = pd.DataFrame(index=range(len(df)))
    for col in COLUMNS:
        values = df[col].array if col in df.columns else np.full(len(df), None, dtype=object)
        out[col] = values
    for col in DATE_COLUMNS:
        out[col] = pd.to_datetime(out[col], errors="coerce").astype("datetime64[ns]").dt.normalize()
    for col in ("time_precision", "geo_precision"):
        out[col] = pd.to_numeric(out[col], errors="coerce").fillna(1).astype("int8")
    # A file without a figure keeps it missing (NA), never 0: "not recorded" is not "none".
    out["fatalities"] = pd.to_numeric(out["fatalities"], errors="coerce").astype("Int64")
    out["injuries"] = pd.to_numeric(out["injuries"], errors="coerce").astype("Int64")
    out["uncertainty_km"] = pd.to_numeric(out["uncertainty_km"], errors="coerce").astype("float64")
    for col in TEXT_FIELDS:
        out[col] = _text_column(out[col])
    # Positional, like the columns above: a GeoSeries' own index must not realign it.
    points = geometry.array if isinstance(geometry, gpd.GeoSeries) else geometry
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(points, index=out.index, crs=4326))


def _text_column(values: pd.Series) -> pd.Series:
    """Text cells as Arrow-backed strings, missing values as the empty string.

    Arrow strings take a third of the memory of Python ``str`` objects and are
    filtered and copied without touching the interpreter, which matters at a
    million incidents.
    """
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return values.astype(TEXT_DTYPE).fillna("")
    return values.map(_as_text).astype(TEXT_DTYPE)


def sort_incidents(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Put incidents in date order (then by id), with a fresh 0..n-1 index.

    Parameters
    ----------
    gdf : GeoDataFrame
        Canonical incidents; not modified.

    Returns
    -------
    GeoDataFrame
        A new frame; the same one when it is already in order.
    """
    order = _date_order(gdf)
    if order is None:
        return gdf
    out = gdf.copy(deep=False)
    _reorder_columns(out, order)
    return out


def sort_incidents_in_place(gdf: gpd.GeoDataFrame) -> None:
    """Put incidents in date order like :func:`sort_incidents`, reordering ``gdf`` itself.

    For the owner of a freshly loaded frame: each column is replaced as soon as its
    sorted copy exists, so a million incidents never stand in memory twice.

    Parameters
    ----------
    gdf : GeoDataFrame
        Canonical incidents, reordered in place.
    """
    order = _date_order(gdf)
    if order is not None:
        _reorder_columns(gdf, order)


def _date_order(gdf: gpd.GeoDataFrame) -> np.ndarray | None:
    """Row positions in (event_date, event_id) order, or None when already so."""
    keys = pa.table({"date": gdf["event_date"].to_numpy(), "id": pa.array(gdf["event_id"].array)})
    order = pc.sort_indices(keys, sort_keys=[("date", "ascending"), ("id", "ascending")])
    order = order.to_numpy()  # Arrow sorts the ids without making a Python string of each
    if (order == np.arange(len(order))).all() and gdf.index.equals(pd.RangeIndex(len(gdf))):
        return None
    return order


def _reorder_columns(gdf: gpd.GeoDataFrame, order: np.ndarray) -> None:
    """Take every column of ``gdf`` in ``order``, one column at a time."""
    gdf.index = pd.RangeIndex(len(gdf))
    geometry = gdf.geometry.name
    for col in gdf.columns:
        if col != geometry:  # arrays, not Series: positions, never index alignment
            gdf[col] = gdf[col].array.take(order)
            # Arrow's pool keeps freed buffers; handing each replaced column back at once
            # keeps a reorder in place from ever holding two copies of the frame.
            pa.default_memory_pool().release_unused()
    # New points, allocated in the new order: a time window's coordinates are then read from
    # neighbouring memory, about ten times faster than through the shuffled originals.
    lon, lat = point_coordinates(gdf)
    lon, lat = lon[order], lat[order]
    gdf[geometry] = gpd.GeoSeries([None] * len(gdf), index=gdf.index, crs=gdf.crs)  # free the old
    ok = np.isfinite(lon) & np.isfinite(lat)
    points = np.full(len(gdf), None, dtype=object)
    points[ok] = shapely.points(lon[ok], lat[ok])
    gdf[geometry] = gpd.GeoSeries(points, index=gdf.index, crs=gdf.crs)


def point_coordinates(gdf: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes of the incidents' points.

    Parameters
    ----------
    gdf : GeoDataFrame

    Returns
    -------
    lon, lat : numpy.ndarray of float64
        NaN where a point is missing or empty.
    """
    points = gdf.geometry.array
    if len(points) and not (points.isna() | points.is_empty).any():
        xy = shapely.get_coordinates(points)  # one pass; several times faster than get_x + get_y
        if len(xy) == len(points):  # points only: one coordinate pair per geometry
            return xy[:, 0].copy(), xy[:, 1].copy()
    raw = np.asarray(points, dtype=object)
    return shapely.get_x(raw), shapely.get_y(raw)


def _as_text(value: object) -> str:
    """One text cell: missing values become the empty string."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def to_records(gdf: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Plain JSON-ready property dicts (dates as ``YYYY-MM-DD``, empty as None).

    The contract fields come first, then the file's own columns under their own names.
    """
    geometry = gdf.geometry.name if isinstance(gdf, gpd.GeoDataFrame) else None
    columns = [*COLUMNS, *(c for c in gdf.columns if c not in COLUMNS and c != geometry)]
    records = []
    for row in gdf[columns].itertuples(index=False, name=None):
        record: dict[str, Any] = {}
        for col, value in zip(columns, row, strict=True):
            record[col] = _json_value(value)
        records.append(record)
    return records


def _json_value(value: Any) -> Any:
    """One cell as a JSON value."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if value == "":
        return None
    return value


def to_geojson_bytes(gdf: gpd.GeoDataFrame, *, indent: int | None = None) -> bytes:
    """Serialise incidents as a GeoJSON FeatureCollection.

    Parameters
    ----------
    gdf : GeoDataFrame
        Canonical incidents (see :func:`coerce_incidents`).
    indent : int, optional
        Pretty-print with this indent (the committed dataset uses 1).

    Returns
    -------
    bytes
        UTF-8 JSON; coordinates rounded to 6 decimals (about 10 cm).
    """
    features = []
    for record, point in zip(to_records(gdf), gdf.geometry, strict=True):
        features.append(
            {
                "type": "Feature",
                "properties": record,
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(point.x, 6), round(point.y, 6)],
                },
            }
        )
    collection = {"type": "FeatureCollection", "features": features}
    text = json.dumps(collection, ensure_ascii=False, indent=indent)
    return (text + "\n").encode("utf-8")


def neutralize_formula(cell: str) -> str:
    """Prefix a text cell that a spreadsheet would evaluate with a quote."""
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """Write a table as CSV that is safe to open in a spreadsheet.

    Text cells starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return
    are prefixed with ``'``; numbers are written as numbers. A GeoDataFrame's
    points become ``latitude``/``longitude`` columns.

    Parameters
    ----------
    df : DataFrame or GeoDataFrame

    Returns
    -------
    bytes
        UTF-8 with a byte-order mark, so spreadsheet programs detect the encoding.
    """
    table = pd.DataFrame(df).copy()
    if isinstance(df, gpd.GeoDataFrame):
        geom = df.geometry
        table = table.drop(columns=[df.geometry.name])
        table["latitude"] = geom.y.round(6)
        table["longitude"] = geom.x.round(6)
    for col in table.columns:
        series = table[col]
        if pd.api.types.is_datetime64_any_dtype(series):
            table[col] = series.dt.strftime("%Y-%m-%d").fillna("")
        elif not pd.api.types.is_numeric_dtype(series):
            table[col] = series.map(lambda v: neutralize_formula(_as_text(v)))
    buffer = io.StringIO()
    table.to_csv(buffer, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")

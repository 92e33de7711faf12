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
import re
import warnings
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from geo.importers.table import RawTable, text_cell, unique_names
from geo.importers.tabular import map_table
from geo.limits import ReadBudget
from geo.schema import UnreadableFileError

# Records decoded at a time from GeoPackage and GeoParquet (bounds the overshoot past a limit).
BATCH_ROWS: Final = 65_536
# GeoJSON features whose cells are held as Python strings before they become Arrow text.
_GEOJSON_BATCH: Final = 8_192
# White space between JSON tokens.
_JSON_SPACE: Final = re.compile(r"[ \t\n\r]*")
# Why a geometry is not read as a point, by shapely's type id (a missing geometry is -1).
_GEOMETRY_PROBLEMS: Final = {
    type_id: f"geometry is a {name}, not a Point"
    for type_id, name in enumerate(
        (
            "Point",
            "LineString",
            "LinearRing",
            "Polygon",
            "MultiPoint",
            "MultiLineString",
            "MultiPolygon",
            "GeometryCollection",
        )
    )
    if type_id > 0
}


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
    parsed. A collection's features are parsed one at a time and their cells gathered
    as Arrow text a batch at a time, counted as records batch by batch: the document is
    never held as Python objects all at once (that cost five times its text).
    """
    return geojson_table(parse_geojson(text, budget))


def parse_geojson(text: str, budget: ReadBudget | None = None) -> GeoJsonFeatures:
    """Parse a GeoJSON document's features (see :func:`read_geojson`).

    What it returns no longer refers to ``text``: a caller that drops the text before
    calling :func:`geojson_table` holds the document only while it is parsed.
    """
    budget = budget if budget is not None else _no_limits()
    budget.add(0, len(text))
    parsed = GeoJsonFeatures(_TextColumns(budget), _TextColumns(None), [])
    try:
        for feature in _features(text):
            row, lat, lon, problem = _feature_row(feature)
            parsed.cells.add(row)
            parsed.points.add({"latitude": lat, "longitude": lon})
            parsed.problems.append(problem)
    except RecursionError:
        raise UnreadableFileError("its JSON is nested too deeply to be GeoJSON") from None
    except json.JSONDecodeError as exc:
        raise UnreadableFileError(
            f"it is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "it may be truncated"
        ) from None
    return parsed


def geojson_table(parsed: GeoJsonFeatures) -> RawTable:
    """Turn parsed features into a raw table (its cells are handed over, not copied)."""
    index = pd.RangeIndex(1, len(parsed.problems) + 1)
    fields = parsed.cells.frame(index)
    geometry = parsed.points.frame(index).reindex(columns=["latitude", "longitude"], fill_value="")
    problems = pd.Series(parsed.problems, index=index, dtype=object)
    return _finish(fields, geometry, problems, "geojson")


@dataclass
class GeoJsonFeatures:
    """A GeoJSON document's features as parsed: their cells, points and problems."""

    cells: _TextColumns
    points: _TextColumns
    problems: list[str]


def _feature_row(feature: Any) -> tuple[dict[str, str], str, str, str]:
    """One feature's properties and geometry as text, its point, and why it is not one."""
    if not isinstance(feature, dict):
        return {}, "", "", "feature is not a GeoJSON object"
    props = feature.get("properties")
    props = props if isinstance(props, dict) else {}
    row = {str(key): text_cell(value) for key, value in props.items()}
    try:
        row["geometry"] = text_cell(feature.get("geometry"))
    except (RecursionError, ValueError):
        raise UnreadableFileError("its JSON is nested too deeply to be GeoJSON") from None
    lat, lon, problem = _point(feature.get("geometry"))
    return row, lat, lon, problem


def _features(text: str) -> Iterator[Any]:
    """Yield a document's features one by one, parsing each on its own.

    A top-level object is walked member by member; its ``features`` list is decoded an
    element at a time. Whatever else the document is (a single Feature, not GeoJSON)
    is decided on the members read, as :func:`json.loads` would have it.
    """
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0)
    if not text.startswith("{", position):
        document = json.loads(text)  # not an object: never a FeatureCollection
    else:
        members: dict[str, Any] = {}
        streamed = False
        position = _skip_space(text, position + 1)
        while not text.startswith("}", position):
            if members or streamed:
                position = _skip_space(text, _expect(text, position, ","))
            key, position = decoder.raw_decode(text, position)
            if not isinstance(key, str):
                raise json.JSONDecodeError("Expecting property name", text, position)
            position = _skip_space(text, _expect(text, _skip_space(text, position), ":"))
            if key == "features" and text.startswith("[", position) and not streamed:
                streamed = True
                position = yield from _elements(decoder, text, position)
            else:
                members[key], position = decoder.raw_decode(text, position)
            position = _skip_space(text, position)
        if _skip_space(text, position + 1) != len(text):
            raise json.JSONDecodeError("Extra data", text, _skip_space(text, position + 1))
        if streamed:
            return
        document = members
    if isinstance(document, dict) and document.get("type") == "Feature":
        yield document
        return
    if not isinstance(document, dict) or not isinstance(document.get("features"), list):
        raise UnreadableFileError("it is JSON but not a GeoJSON FeatureCollection")
    yield from document["features"]


def _elements(decoder: json.JSONDecoder, text: str, position: int) -> Generator[Any, None, int]:
    """Yield the elements of the JSON list at ``position``; return the position after it."""
    position = _skip_space(text, position + 1)
    first = True
    while not text.startswith("]", position):
        if not first:
            position = _skip_space(text, _expect(text, position, ","))
        element, position = decoder.raw_decode(text, position)
        yield element
        first = False
        position = _skip_space(text, position)
    return position + 1


def _skip_space(text: str, position: int) -> int:
    """Return the position of the next character that is not JSON white space."""
    found = _JSON_SPACE.match(text, position)
    return found.end() if found else position


def _expect(text: str, position: int, char: str) -> int:
    """Return the position after ``char``, which must stand at ``position``."""
    if not text.startswith(char, position):
        wanted = {",": "',' delimiter", ":": "':' delimiter"}[char]
        raise json.JSONDecodeError(f"Expecting {wanted}", text, position)
    return position + 1


class _TextColumns:
    """Cells gathered record by record, turned into Arrow text every few thousand records.

    A Python string per cell costs several times its text; only one batch of them is
    held at a time. Columns appear in the order their names are first seen; a record
    without a column has "" there.
    """

    def __init__(self, budget: ReadBudget | None) -> None:
        self._budget = budget
        self._rows = 0
        self._pending: dict[str, list[str]] = {}
        self._chunks: dict[str, list[pa.Array]] = {}
        self._done = 0  # records already turned into Arrow text

    def add(self, row: dict[str, str]) -> None:
        """Append one record's cells."""
        waiting = self._rows - self._done
        for key, value in row.items():
            cells = self._pending.get(key)
            if cells is None:
                cells = self._pending[key] = [""] * waiting
                self._chunks[key] = [_blank_text(self._done)] if self._done else []
            cells.append(value)
        self._rows += 1
        for cells in self._pending.values():
            if len(cells) == waiting:
                cells.append("")
        if self._rows - self._done == _GEOJSON_BATCH:
            self._flush()

    def _flush(self) -> None:
        """Turn the pending cells into Arrow text and count their records."""
        if self._budget is not None:
            self._budget.add(self._rows - self._done, 0)
        for key, cells in self._pending.items():
            self._chunks[key].append(pa.array(cells, pa.large_string()))
            cells.clear()
        self._done = self._rows

    def frame(self, index: pd.Index) -> pd.DataFrame:
        """Every column as text on ``index`` (one record per row)."""
        self._flush()
        labels, _ = unique_names(list(self._chunks))
        columns = {
            label: _text_series(pa.chunked_array(self._chunks.pop(name), pa.large_string()), index)
            for name, label in zip(list(self._chunks), labels, strict=True)
        }
        return pd.DataFrame(columns, index=index, columns=labels)


def _blank_text(rows: int) -> pa.Array:
    """``rows`` empty strings as Arrow text."""
    return pa.array(np.full(rows, "", dtype=object), pa.large_string())


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


def _frame_to_table(props: pa.Table, geoms: gpd.GeoSeries, fmt: str, notes: list[str]) -> RawTable:
    """Turn properties (as Arrow) and their geometries into a raw table, column by column.

    Nothing is converted value by value: text stays Arrow text, other columns are cast
    by Arrow and geometries are read with shapely's array functions, so the fields cost
    about what their text weighs instead of a Python object per cell.
    """
    if geoms.crs is not None and not geoms.crs.equals("EPSG:4326"):
        notes.append(f"coordinates converted from {geoms.crs.to_string()} to WGS84")
        geoms = geoms.to_crs(4326)
    index = pd.RangeIndex(1, props.num_rows + 1)
    fields = _text_fields(props, index)
    shapes = np.asarray(geoms.array, dtype=object)
    del geoms
    fields["geometry"] = _text_series(
        pa.array(shapely.to_wkt(shapes, rounding_precision=-1), pa.large_string()), index
    )
    type_ids = shapely.get_type_id(shapes)
    points = (type_ids == 0) & ~shapely.is_empty(shapes)
    geometry = pd.DataFrame(
        {
            "latitude": _coordinate_text(shapely.get_y(shapes), points, index),
            "longitude": _coordinate_text(shapely.get_x(shapes), points, index),
        },
        index=index,
    )
    problems = pd.Series(
        pd.Series(type_ids, index=index).map(_GEOMETRY_PROBLEMS).fillna("").to_numpy(object),
        index=index,
        dtype=object,
    )
    table = _finish(fields, geometry, problems, fmt)
    table.warnings = [*notes, *table.warnings]
    return table


def _coordinate_text(values: np.ndarray, usable: np.ndarray, index: pd.Index) -> pd.Series:
    """Coordinates as text where ``usable`` and finite, else ""."""
    keep = usable & np.isfinite(values)
    return _text_series(pc.cast(pa.array(values, mask=~keep), pa.large_string()), index)


def _text_fields(table: pa.Table, index: pd.Index) -> pd.DataFrame:
    """Every column of an Arrow table as text ("" for a null), in a frame on ``index``."""
    labels, _ = unique_names([str(name) for name in table.column_names])
    columns = {
        label: _text_series(_text_column(table.column(position)), index)
        for position, label in enumerate(labels)
    }
    return pd.DataFrame(columns, index=index, columns=labels)


def _text_column(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """One Arrow column as large text, written as :func:`text_cell` writes a value.

    Text, numbers, decimals, dates and times are cast by Arrow; the rare other types
    (binary, nested, durations) go through :func:`text_cell` value by value.
    """
    kind = column.type
    if pa.types.is_null(kind):
        return pa.chunked_array([pa.nulls(len(column), pa.large_string())])
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        return pc.cast(column, pa.large_string())
    if pa.types.is_boolean(kind):
        return pc.if_else(column, "True", "False").cast(pa.large_string())
    if pa.types.is_floating(kind):
        return pc.cast(pc.if_else(pc.is_nan(column), None, column), pa.large_string())
    if pa.types.is_integer(kind) or pa.types.is_decimal(kind) or pa.types.is_date(kind):
        return pc.cast(column, pa.large_string())
    if pa.types.is_timestamp(kind):
        whole = pc.cast(column, pa.timestamp("s", kind.tz), safe=False)
        return pc.strftime(whole, "%Y-%m-%d %H:%M:%S").cast(pa.large_string())
    return pa.chunked_array(
        [pa.array([text_cell(value) for value in column.to_pylist()], pa.large_string())]
    )


def _text_series(text: pa.Array | pa.ChunkedArray, index: pd.Index) -> pd.Series:
    """Arrow text as a pandas text column on ``index`` (nulls read as ""), sharing its buffers."""
    chunked = text if isinstance(text, pa.ChunkedArray) else pa.chunked_array([text])
    series = pc.fill_null(chunked, "").to_pandas()
    series.index = index
    return series


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
    return _frame_to_table(
        table.drop_columns([geometry_name]), geometry.rename("geometry"), "gpkg", notes
    )


def read_geoparquet(data: bytes, budget: ReadBudget | None = None) -> RawTable:
    """Read GeoParquet from memory, batch by batch (plain Parquet is read as a table)."""
    import pyarrow.parquet as pq

    budget = budget if budget is not None else _no_limits()
    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        # The footer's count is refused before anything is decoded; the batches are
        # counted as well, since the footer is only what the file claims.
        budget.limits.check(parquet.metadata.num_rows, 0)
        # One decoding thread: each thread's heap would keep what it freed (~15% of a peak).
        batches = parquet.iter_batches(batch_size=BATCH_ROWS, use_threads=False)
        table = _read_batches(batches, budget, parquet.schema_arrow)
        table = table.replace_schema_metadata(parquet.schema_arrow.metadata)
    except UnreadableFileError:  # including ImportLimitError
        raise
    except Exception:  # pyarrow raises ArrowInvalid, OSError, ... for damaged files
        raise UnreadableFileError("the Parquet file is damaged or truncated") from None
    metadata = table.schema.metadata or {}
    if b"geo" not in metadata:
        fields = _text_fields(table, pd.RangeIndex(1, table.num_rows + 1))
        del table
        return map_table(fields, generic_format="parquet")
    try:
        primary, geometry = _geoparquet_geometry(table, metadata[b"geo"])
    except Exception:  # malformed "geo" metadata or geometry encodings
        raise UnreadableFileError("the GeoParquet geometry metadata is damaged") from None
    return _frame_to_table(table.drop_columns([primary]), geometry, "geoparquet", [])


def _geoparquet_geometry(table: pa.Table, geo: bytes) -> tuple[str, gpd.GeoSeries]:
    """Return the primary geometry column's name and its geometries, decoded alone.

    Only that column goes through geopandas (which knows every GeoParquet encoding);
    the properties stay Arrow.
    """
    from geopandas.io.arrow import _arrow_to_geopandas

    meta = json.loads(geo)
    primary = str(meta["primary_column"])
    only = {**meta, "columns": {primary: meta["columns"][primary]}}
    single = table.select([primary]).replace_schema_metadata({b"geo": json.dumps(only).encode()})
    return primary, _arrow_to_geopandas(single).geometry


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
    """Decode a batch's dictionary-encoded columns and widen its text to large text.

    Large text is what pandas holds; widening each batch as it arrives means the
    whole file's text is never held twice.
    """
    if not any(_needs_plain(column.type) for column in batch.columns):
        return batch
    columns = [_plain(column) for column in batch.columns]
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def _needs_plain(kind: pa.DataType) -> bool:
    """Whether a column type is dictionary-encoded or narrow text."""
    return pa.types.is_dictionary(kind) or pa.types.is_string(kind)


def _plain(column: pa.Array) -> pa.Array:
    """Return a column without dictionary encoding, its text as large text."""
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    if pa.types.is_string(column.type):
        column = column.cast(pa.large_string())
    return column


def _no_limits() -> ReadBudget:
    """Return a budget that never refuses (for a caller that gave none)."""
    from geo.limits import ImportLimits

    return ReadBudget(ImportLimits(None, None))

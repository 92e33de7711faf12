"""Reading incident files into the canonical table."""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
from pathlib import Path

import geopandas as gpd
import pyarrow as pa

from geo.sites import DATA_DIR

DEFAULT_DATA_PATH = DATA_DIR / "incidents.geojson"


def read_incidents(path: str | Path = DEFAULT_DATA_PATH) -> gpd.GeoDataFrame:
    """Read an incident file, whatever its format, keeping only valid records.

    Parameters
    ----------
    path : str or Path
        The bundled ``data/incidents.geojson`` by default; any file the
        importers accept otherwise (ACLED, UCDP, CSV, GeoJSON, GeoPackage,
        GeoParquet), of any size: the upload limit does not apply to a
        local file.

    Returns
    -------
    GeoDataFrame
        Canonical incidents (see :func:`geo.incidents.coerce_incidents`).

    Raises
    ------
    UnreadableFileError
        When the file cannot be read at all.
    """
    from geo.importers import import_file

    return import_file(Path(path), max_bytes=None).incidents


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file, read in chunks (data files can be large)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def use_system_allocator() -> None:
    """Let Arrow allocate from the C heap, as numpy, shapely and Python objects do.

    Arrow's own allocator (mimalloc in the wheels) keeps what an import frees for Arrow's
    next allocation, and the C heap keeps what it frees for its own: each holds its
    high-water mark, so an import's text columns, then its numpy checks, each cost their
    peak on top of the other (an import peaked at five times what it kept; with one
    heap under 3x). The process-wide switch is cheap: Arrow's speed here is unchanged.
    """
    system = pa.system_memory_pool()
    if pa.default_memory_pool().backend_name != system.backend_name:
        pa.set_memory_pool(system)


def release_unused_memory() -> None:
    """Hand memory freed after a large load back to the operating system.

    Arrow's allocator and the C heap both keep freed pages for reuse; after reading a
    million incidents that is several hundred megabytes the server would otherwise hold.
    """
    pa.default_memory_pool().release_unused()
    libc_name = ctypes.util.find_library("c")
    if libc_name:
        trim = getattr(ctypes.CDLL(libc_name), "malloc_trim", None)  # glibc only
        if trim is not None:
            trim(0)

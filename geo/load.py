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


# glibc's mallopt parameter for the number of heaps (arenas) threads may allocate from.
_M_ARENA_MAX = -8
# Heaps a server shares among its threads. glibc gives threads up to 8 per core, and each
# keeps the free pages it was last given: after three uploads a server on 2 cores held
# about 40 MB more with the default than with 2 (the same as MALLOC_ARENA_MAX=2).
SERVER_HEAP_ARENAS = 2


def limit_heap_arenas(arenas: int = SERVER_HEAP_ARENAS) -> None:
    """Let the process's threads share at most ``arenas`` C heaps (glibc only; else nothing).

    For a server whose sessions each run on a thread of their own: what one session frees
    then serves the next, instead of staying in a heap only its thread used.
    """
    libc = _libc()
    mallopt = getattr(libc, "mallopt", None) if libc is not None else None
    if mallopt is not None:
        mallopt(_M_ARENA_MAX, arenas)


def _libc() -> ctypes.CDLL | None:
    """Load the C library, when there is one."""
    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name) if name else None


def release_unused_memory() -> None:
    """Hand memory freed after a large load back to the operating system.

    Arrow's allocator and the C heap both keep freed pages for reuse; after reading a
    million incidents that is several hundred megabytes the server would otherwise hold.
    """
    pa.default_memory_pool().release_unused()
    libc = _libc()
    trim = getattr(libc, "malloc_trim", None) if libc is not None else None  # glibc only
    if trim is not None:
        trim(0)

"""Reading incident files into the canonical table."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd

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

"""Bring-your-own-data importers: ACLED, UCDP GED, generic CSV, GeoJSON, GeoPackage, GeoParquet.

The format is detected from the content (a file's name only hints). Every
record read ends either in :attr:`ImportResult.incidents` or in
:attr:`ImportResult.rejected` with its number and reasons.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Final, Literal

import geopandas as gpd
import pandas as pd

from geo.importers.checks import check_records
from geo.importers.detect import (
    MAX_UPLOAD_BYTES,
    decode_text,
    read_source_bytes,
    sniff_kind,
    utf8_text,
)
from geo.importers.gis import geojson_table, parse_geojson, read_geopackage, read_geoparquet
from geo.importers.report import rejected_to_csv_bytes, validate_path
from geo.importers.table import RawTable
from geo.importers.tabular import read_text_table
from geo.limits import ImportLimits, ReadBudget
from geo.load import release_unused_memory, use_system_allocator
from geo.schema import MissingComponentError, UnreadableFileError
from geo.sites import DEFAULT_SITES_PATH, SiteIndex, SiteMatch, read_sites

__all__ = [
    "MAX_UPLOAD_BYTES",
    "ImportLimits",
    "ImportResult",
    "import_file",
    "rejected_to_csv_bytes",
    "validate_path",
]

_BYTES: Final = (bytes, bytearray, memoryview)

use_system_allocator()  # before any file is read: one heap for Arrow and the rest


@dataclass(frozen=True)
class ImportResult:
    """What an import produced.

    Attributes
    ----------
    incidents : GeoDataFrame
        Accepted records in canonical form (:func:`geo.incidents.coerce_incidents`).
    rejected : DataFrame
        ``record`` (1-based row or feature number; row 1 is the first record
        after the header), ``reason``, then the record's original fields as text.
    records_read : int
        Always ``len(incidents) + len(rejected)``.
    format : str
        ``acled``, ``acled-legacy``, ``ucdp-ged``, ``csv``, ``geojson``,
        ``gpkg``, ``geoparquet``, ``parquet`` or ``incident-map``.
    warnings : tuple of str
        File-wide notes (encoding, delimiter, geocoding, ...).
    record_label : str
        How records are named in messages: ``row`` or ``feature``.
    """

    incidents: gpd.GeoDataFrame
    rejected: pd.DataFrame
    records_read: int
    format: str
    warnings: tuple[str, ...] = ()
    record_label: str = "row"


def display_name(source: str | os.PathLike[str] | bytes, name: str | None) -> str:
    """Return a short, printable name for messages (never used as a path)."""
    raw = (
        name
        if name is not None
        else (
            "the upload"
            if isinstance(source, bytes | bytearray | memoryview)
            else os.fspath(source)
        )
    )
    base = PurePath(str(raw).replace("\\", "/")).name or "the upload"
    base = re.sub(r"[\x00-\x1f\x7f]", "", base)
    return base if len(base) <= 80 else base[:77] + "..."


class _BundledSites:
    """The bundled sites gazetteer, read only when a place name needs it."""

    def __init__(self) -> None:
        self._index: SiteIndex | None = None
        self._loaded = False

    def lookup(self, place: str) -> SiteMatch | None:
        """Look a place up in ``data/sites.geojson`` (None when the file is absent)."""
        if not self._loaded:
            self._loaded = True
            if DEFAULT_SITES_PATH.exists():
                self._index = SiteIndex(read_sites(DEFAULT_SITES_PATH))
        return self._index.lookup(place) if self._index is not None else None


def import_file(
    source: str | os.PathLike[str] | bytes,
    *,
    name: str | None = None,
    sites: SiteIndex | None = None,
    max_bytes: int | None | Literal["auto"] = "auto",
    limits: ImportLimits | None | Literal["auto"] = "auto",
) -> ImportResult:
    """Read, check and convert a file of incidents.

    Parameters
    ----------
    source : str, PathLike or bytes
        A path, or the bytes of an upload (parsed in memory).
    name : str, optional
        The upload's file name: it only hints the format and names the file
        in messages; it is never used as a path.
    sites : SiteIndex, optional
        Gazetteer for place names without coordinates (default: the bundled
        ``data/sites.geojson`` when present), tried before GeoNames.
    max_bytes : int, None or "auto"
        Refuse a file larger than this many bytes; None reads any size.
        ``"auto"`` (the default) applies :data:`MAX_UPLOAD_BYTES` to bytes
        (an upload) and no limit to a path (a local file chosen by whoever
        runs the app, such as ``--data``).
    limits : ImportLimits, None or "auto"
        How many records and decoded bytes the import may hold, checked while
        the file is read; None reads any amount. ``"auto"`` (the default)
        applies :meth:`ImportLimits.for_upload` to bytes and
        :meth:`ImportLimits.for_local_file` (no limit unless
        ``INCIDENT_MAP_MAX_ROWS`` or ``INCIDENT_MAP_MAX_DECODED_MB`` is set) to a path.

    Returns
    -------
    ImportResult

    Raises
    ------
    UnreadableFileError
        With one sentence when the file cannot be read at all (empty,
        truncated, binary, not the format it claims, nested too deeply,
        over ``max_bytes``); an :class:`~geo.schema.ImportLimitError` when it
        holds more than ``limits`` allow.
    """
    label = display_name(source, name)
    hint = name if name is not None else (None if isinstance(source, _BYTES) else os.fspath(source))
    failure: UnreadableFileError | None = None
    try:
        upload = isinstance(source, _BYTES)
        if max_bytes == "auto":
            max_bytes = MAX_UPLOAD_BYTES if upload else None
        if limits == "auto":
            limits = ImportLimits.for_upload() if upload else ImportLimits.for_local_file()
        budget = ReadBudget(limits if limits is not None else ImportLimits(None, None))
        raw = _read_raw(read_source_bytes(source, max_bytes), hint, budget)
        release_unused_memory()  # the reader's buffers, before the checks allocate theirs
        gazetteer = sites if sites is not None else _BundledSites()
        incidents, rejected, notes = check_records(raw, gazetteer)
        notes = [*notes, *_resolve_provinces(incidents)]
    except UnreadableFileError as exc:  # the same class (limits included), named after the file
        failure = type(exc)(f"cannot read {label}: {exc}.")
    except (RecursionError, MemoryError):
        failure = UnreadableFileError(f"cannot read {label}: it is too deeply nested or too large.")
    if failure is not None:
        # Out of the handler, what was read is garbage; give its pages back before refusing.
        release_unused_memory()
        raise failure from None
    return ImportResult(
        incidents=incidents,
        rejected=rejected,
        records_read=len(raw.fields),
        format=raw.format,
        warnings=tuple(notes),
        record_label=raw.label,
    )


def _resolve_provinces(incidents: gpd.GeoDataFrame) -> list[str]:
    """Fill missing provinces from the admin-1 polygons; a note says how many."""
    from geo.provinces import fill_provinces

    try:
        filled = fill_provinces(incidents)
    except MissingComponentError:  # no basemap installed: provinces stay as the file has them
        return []
    if not filled:
        return []
    return [f"province (admin1) of {filled:,} incidents taken from Natural Earth's admin-1 map"]


def _read_raw(data: bytes, hint: str | os.PathLike[str] | None, budget: ReadBudget) -> RawTable:
    """Read the records of a file's bytes, whatever the format, within the budget."""
    kind = sniff_kind(data, str(hint) if hint is not None else None)
    if kind == "gpkg":
        return read_geopackage(data, budget)
    if kind == "geoparquet":
        return read_geoparquet(data, budget)
    if kind == "geojson":
        decoded = decode_text(data)
        encoding = decoded.encoding
        features = parse_geojson(decoded.text, budget)
        del decoded  # the document's text, before its table is built
        raw = geojson_table(features)
    else:
        # Kept as UTF-8 bytes: a large CSV is never held again as one Python string.
        text = utf8_text(data)
        raw, encoding = read_text_table(text.data, budget), text.encoding
    if encoding != "UTF-8":
        raw.warnings.insert(0, f"the file is not UTF-8; read as {encoding}")
    return raw


def read_path_sites(path: str | Path) -> SiteIndex:
    """Build a gazetteer index from a sites GeoJSON (a convenience for callers)."""
    return SiteIndex(read_sites(path))

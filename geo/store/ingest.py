"""Importing a file into a store: the importers' checks, then an upsert with revisions.

Each record is keyed by its ``origin`` (``acled`` for every ACLED export, so a newer
export updates the rows of an older one on ``event_id_cnty``; ``ucdp-ged``;
``incident-map``; otherwise the file's name) and its ``event_id``. A record already stored
with the same values is left alone; a changed one is updated, its version raised and a
revision written; a new one is inserted with its first revision. Everything happens in one
transaction: an import is stored whole or not at all.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import sqlalchemy as sa

from geo.figures import VERBS
from geo.importers import ImportResult, import_file
from geo.incidents import COLUMNS, point_coordinates
from geo.schema import ACTOR_FIELDS
from geo.store.errors import StaleVersionError
from geo.store.history import changes, content_hash, snapshot, write_actors, write_revisions
from geo.store.schema import CONTENT_FIELDS, DATE_FIELDS, INTEGER_FIELDS, REAL_FIELDS
from geo.store.schema import incidents as t

# Formats whose event ids are unique across files: their records share one origin.
SHARED_ORIGINS: Final = {
    "acled": "acled",
    "acled-legacy": "acled",
    "ucdp-ged": "ucdp-ged",
    "incident-map": "incident-map",
}
# File columns that are contract fields (or the point) by name; the rest go to ``extra``.
CONTRACT_KEYS: Final = frozenset((*COLUMNS, "latitude", "longitude", "geometry"))
CHUNK: Final = 5_000


@dataclass(frozen=True)
class IngestReport:
    """What an import did to a store.

    Attributes
    ----------
    result : ImportResult
        The importers' verdict on every record (accepted incidents, rejections).
    origin : str
        The key the records were stored under with their ``event_id``.
    inserted, updated, unchanged : int
        Accepted records that were new, changed, or already stored as they are.
    kept_deleted : int
        Accepted records whose stored incident is soft-deleted: left deleted and unchanged.
    """

    result: ImportResult
    origin: str
    inserted: int
    updated: int
    unchanged: int
    kept_deleted: int

    def summary(self) -> str:
        """One line: ``stored in ORIGIN: I new, U updated, N unchanged``."""
        line = (
            f"stored as {self.origin}: {self.inserted:,} new, {self.updated:,} updated, "
            f"{self.unchanged:,} unchanged"
        )
        if self.kept_deleted:
            line += f", {self.kept_deleted:,} left deleted"
        return line


def origin_for(result: ImportResult, path: str | os.PathLike[str]) -> str:
    """Return the origin a file's records are stored under (see the module docstring)."""
    return SHARED_ORIGINS.get(result.format, f"file:{Path(path).name}")


def read_extra_fields(path: str | os.PathLike[str], result: ImportResult) -> list[dict[str, str]]:
    """Read the file's other columns for each accepted record, so a store drops nothing.

    Parameters
    ----------
    path : str or PathLike
        The file the result was read from.
    result : ImportResult
        Its import; the accepted records are those not listed as rejected.

    Returns
    -------
    list of dict
        One per accepted incident, in order: column -> non-empty text value, for every
        column whose name is not a contract field.
    """
    from geo.importers import _read_raw
    from geo.importers.detect import read_source_bytes
    from geo.importers.table import column_key
    from geo.limits import ImportLimits, ReadBudget

    raw = _read_raw(
        read_source_bytes(path, None), os.fspath(path), ReadBudget(ImportLimits(None, None))
    )
    keep = [col for col in raw.fields.columns if column_key(str(col)) not in CONTRACT_KEYS]
    accepted = ~raw.fields.index.isin(result.rejected["record"])
    fields = raw.fields.loc[accepted, keep]
    if len(fields) != len(result.incidents):
        raise RuntimeError("the file changed while it was imported; import it again")
    if not keep:
        return [{} for _ in range(len(fields))]
    arrays = [fields[col].astype("string").fillna("").tolist() for col in keep]
    return [
        {col: value for col, value in zip(keep, row, strict=True) if value != ""}
        for row in zip(*arrays, strict=True)
    ]


def incident_values(
    gdf: gpd.GeoDataFrame, extras: Sequence[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Canonical incidents as rows for the incidents table.

    Parameters
    ----------
    gdf : GeoDataFrame
        Canonical incidents (see :func:`geo.incidents.coerce_incidents`).
    extras : sequence of dict, optional
        Other fields per incident, kept in ``extra``.

    Returns
    -------
    list of dict
        Contract fields as Python values (dates as :class:`datetime.date`, missing as
        None), ``longitude``, ``latitude`` and ``extra``.
    """
    n = len(gdf)
    columns: dict[str, list[Any]] = {}
    for col in COLUMNS:
        series = gdf[col]
        if col in DATE_FIELDS:  # NaT becomes None
            columns[col] = series.to_numpy(dtype="datetime64[D]").astype(object).tolist()
        elif col in VERBS:  # an unrecorded figure stays NULL: "not recorded", never 0
            columns[col] = [None if v is pd.NA else int(v) for v in series.astype("Int64").array]
        elif col in INTEGER_FIELDS:
            columns[col] = series.to_numpy(dtype=np.int64).tolist()
        elif col in REAL_FIELDS:
            reals = series.to_numpy(dtype=np.float64)
            columns[col] = [None if np.isnan(v) else float(v) for v in reals]
        else:
            columns[col] = series.tolist()
    lon, lat = point_coordinates(gdf)
    columns["longitude"] = lon.tolist()
    columns["latitude"] = lat.tolist()
    columns["extra"] = [dict(e) or None for e in extras] if extras is not None else [None] * n
    rows = [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]
    for row in rows:
        row["content_hash"] = content_hash(row)
    return rows


def store_incidents(
    conn: sa.Connection, rows: Sequence[dict[str, Any]], *, origin: str, user: str
) -> tuple[int, int, int, int]:
    """Upsert incident rows under one origin, with their actors and revisions.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        In a transaction: the caller commits or rolls back.
    rows : sequence of dict
        From :func:`incident_values`; ``event_id`` values are unique.
    origin : str
    user : str
        Written as ``updated_by`` and ``changed_by``.

    Returns
    -------
    inserted, updated, unchanged, kept_deleted : int

    Raises
    ------
    StaleVersionError
        When another writer changed one of the incidents during the import.
    """
    now = datetime.now(UTC)
    stored = _stored_keys(conn, origin, [row["event_id"] for row in rows])
    new: list[dict[str, Any]] = []
    candidates: list[dict[str, Any]] = []
    unchanged = kept_deleted = 0
    for row in rows:
        key = stored.get(row["event_id"])
        if key is None:
            new.append(row)
        elif key.deleted_at is not None:
            kept_deleted += 1
        elif key.content_hash == row["content_hash"]:
            unchanged += 1
        else:
            candidates.append(row)
    changed = []
    olds = _stored_rows(conn, [stored[row["event_id"]].id for row in candidates])
    for row in candidates:
        old = olds[stored[row["event_id"]].id]
        before, after = changes(snapshot(old), snapshot({**old, **row}))
        if after:
            changed.append((old, row, before, after))
        else:  # the same values in another order: refresh the digest only
            unchanged += 1
            conn.execute(
                t.update().where(t.c.id == old["id"]).values(content_hash=row["content_hash"])
            )
    _insert(conn, new, origin=origin, user=user, now=now)
    _update(conn, changed, user=user, now=now)
    return len(new), len(changed), unchanged, kept_deleted


def _stored_keys(conn: sa.Connection, origin: str, event_ids: list[str]) -> dict[str, Any]:
    """Id, version, deletion mark and digest of an origin's stored rows, by ``event_id``.

    One scan of the origin: long ``IN`` lists of text keys plan and bind slowly on
    PostgreSQL (minutes for 72,000 ids in chunks), while the scan takes a second.
    """
    wanted = set(event_ids)
    columns = (t.c.event_id, t.c.id, t.c.version, t.c.deleted_at, t.c.content_hash)
    stmt = sa.select(*columns).where(t.c.origin == origin)
    return {row.event_id: row for row in conn.execute(stmt) if row.event_id in wanted}


def _stored_rows(conn: sa.Connection, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Whole stored rows by id."""
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), CHUNK):
        stmt = sa.select(t).where(t.c.id.in_(ids[start : start + CHUNK]))
        for row in conn.execute(stmt).mappings():
            found[row["id"]] = dict(row)
    return found


def _insert(
    conn: sa.Connection, rows: list[dict[str, Any]], *, origin: str, user: str, now: datetime
) -> None:
    """Insert new incidents, their actors and their first revisions."""
    if not rows:
        return
    values = [
        {
            **row,
            "origin": origin,
            "status": "draft",
            "version": 1,
            "created_at": now,
            "updated_at": now,
            "updated_by": user,
        }  # fmt: skip
        for row in rows
    ]
    conn.execute(t.insert(), values)
    # Read the new ids back by key: a plain executemany is several times faster than
    # RETURNING in parameter order, which SQLite runs row by row.
    keys = _stored_keys(conn, origin, [value["event_id"] for value in values])
    ids = [keys[value["event_id"]].id for value in values]
    write_actors(conn, zip(ids, values, strict=True))
    write_revisions(
        conn,
        [
            {
                "incident_id": incident_id,
                "version": 1,
                "action": "insert",
                "changed_by": user,
                "changed_at": now,
                "before": None,
                "after": snapshot(value),
            }  # fmt: skip
            for incident_id, value in zip(ids, values, strict=True)
        ],
    )


def _update(
    conn: sa.Connection,
    changed: list[tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]],
    *,
    user: str,
    now: datetime,
) -> None:
    """Write changed incidents, guarded by the version each was read at."""
    if not changed:
        return
    stmt = (
        t.update()
        .where(t.c.id == sa.bindparam("b_id"), t.c.version == sa.bindparam("b_version"))
        .values(version=t.c.version + 1)
    )
    params = [
        {
            **{f: row[f] for f in (*CONTENT_FIELDS, "content_hash")},
            "updated_at": now,
            "updated_by": user,
            "b_id": old["id"],
            "b_version": old["version"],
        }  # fmt: skip
        for old, row, _, _ in changed
    ]
    result = conn.execute(stmt, params)
    if conn.dialect.supports_sane_multi_rowcount and result.rowcount != len(params):
        first = changed[0][0]
        raise StaleVersionError(int(first["id"]), int(first["version"]), int(first["version"]) + 1)
    write_actors(
        conn,
        [(old["id"], row) for old, row, _, after in changed if set(after) & set(ACTOR_FIELDS)],
    )
    write_revisions(
        conn,
        [
            {
                "incident_id": old["id"],
                "version": old["version"] + 1,
                "action": "import",
                "changed_by": user,
                "changed_at": now,
                "before": before,
                "after": after,
            }  # fmt: skip
            for old, _, before, after in changed
        ],
    )


def import_into(
    conn: sa.Connection,
    path: str | os.PathLike[str],
    *,
    user: str,
    origin: str | None = None,
) -> IngestReport:
    """Check a file with the importers and upsert its accepted records.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        In a transaction.
    path : str or PathLike
        Any file ``python -m geo validate`` reads.
    user : str
    origin : str, optional
        Store the records under this origin instead of the one the format implies.

    Returns
    -------
    IngestReport

    Raises
    ------
    UnreadableFileError
        When the file cannot be read at all.
    """
    result = import_file(path, max_bytes=None)
    extras = read_extra_fields(path, result)
    key = origin or origin_for(result, path)
    rows = incident_values(result.incidents, extras)
    inserted, updated, unchanged, kept = store_incidents(conn, rows, origin=key, user=user)
    return IngestReport(result, key, inserted, updated, unchanged, kept)

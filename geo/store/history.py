"""Revisions: an incident's state as JSON, what changed between two states, and its history.

A revision row is written in the same transaction as the write it records. ``before`` and
``after`` hold only the fields that changed (an insert's ``after`` holds the whole
incident), so replaying the ``after`` of an incident's revisions in order rebuilds any
state it ever had.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from geo.schema import ACTOR_FIELDS, split_multi
from geo.store.schema import (
    CONTENT_FIELDS,
    DATE_FIELDS,
    SNAPSHOT_FIELDS,
    incident_actors,
    revisions,
)
from geo.store.schema import incidents as t


@dataclass(frozen=True)
class Revision:
    """One recorded write of one incident.

    Attributes
    ----------
    incident_id : int
        The store's id of the incident.
    origin, event_id : str
        Where the incident came from and its id there.
    version : int
        The incident's version after this write.
    action : str
        ``insert``, ``import``, ``update``, ``delete``, ``restore`` or ``merge``.
    changed_by : str
    changed_at : datetime
        In UTC.
    before, after : dict
        The fields that changed, with their old and new values (``before`` is empty for
        an insert, whose ``after`` is the whole incident).
    """

    incident_id: int
    origin: str
    event_id: str
    version: int
    action: str
    changed_by: str
    changed_at: datetime
    before: dict[str, Any]
    after: dict[str, Any]


def json_value(value: Any) -> Any:
    """One stored value as JSON: dates as ``YYYY-MM-DD``, timestamps in ISO 8601 UTC."""
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def as_utc(moment: datetime) -> datetime:
    """Put a timestamp in UTC (SQLite returns them without a zone; they are written in UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def snapshot(row: Mapping[str, Any]) -> dict[str, Any]:
    """Return an incident's state as JSON (the fields of :data:`SNAPSHOT_FIELDS`).

    Parameters
    ----------
    row : mapping
        A row of the incidents table, or the values about to be written (missing values
        are None; dates are :class:`datetime.date`, numbers never NaN). A ``deleted_at``
        key gives ``deleted``.

    Returns
    -------
    dict
    """
    state = {name: row.get(name) for name in SNAPSHOT_FIELDS}
    for name in DATE_FIELDS:
        value = state[name]
        if value is not None:
            state[name] = value.isoformat()
    state["status"] = row.get("status") or "draft"
    state["deleted"] = (
        row.get("deleted_at") is not None if "deleted_at" in row else bool(row.get("deleted"))
    )
    state["extra"] = dict(row.get("extra") or {})
    return state


def content_hash(row: Mapping[str, Any]) -> str:
    """Digest the fields an import writes (:data:`CONTENT_FIELDS`).

    Parameters
    ----------
    row : mapping
        Values as :func:`snapshot` takes them.

    Returns
    -------
    str
        32 hexadecimal digits; equal for equal values, whatever the order of ``extra``.
    """
    values = [row.get(name) for name in CONTENT_FIELDS]
    values[-1] = values[-1] or {}
    text = json.dumps(values, default=str, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict, dict]:
    """Return the fields whose values differ between two snapshots: (old values, new values)."""
    changed = [name for name in SNAPSHOT_FIELDS if before.get(name) != after.get(name)]
    return {n: before.get(n) for n in changed}, {n: after.get(n) for n in changed}


def actor_names(row: Mapping[str, Any]) -> set[str]:
    """Every actor an incident names, as :class:`geo.filters.IncidentIndex` reads them."""
    names: set[str] = set()
    for col in ACTOR_FIELDS:
        value = row.get(col) or ""
        if col.startswith("assoc"):
            names.update(split_multi(value))
        elif value:
            names.add(value)
    return names


def write_actors(conn: sa.Connection, rows: Iterable[tuple[int, Mapping[str, Any]]]) -> None:
    """Replace the actor rows of some incidents (``(incident id, incident values)`` pairs)."""
    pairs = list(rows)
    if not pairs:
        return
    ids = [incident_id for incident_id, _ in pairs]
    for chunk in range(0, len(ids), 5_000):
        conn.execute(
            incident_actors.delete().where(
                incident_actors.c.incident_id.in_(ids[chunk : chunk + 5_000])
            )
        )
    values = [
        {"incident_id": incident_id, "actor": actor}
        for incident_id, row in pairs
        for actor in sorted(actor_names(row))
    ]
    if values:
        conn.execute(incident_actors.insert(), values)


def write_revisions(conn: sa.Connection, values: list[dict[str, Any]]) -> None:
    """Insert revision rows: ``incident_id``, ``version``, ``action``, who, when, changes."""
    if values:
        conn.execute(revisions.insert(), values)


def read_history(conn: sa.Connection, event_id: str) -> list[Revision]:
    """Every revision of the incidents with an ``event_id``, oldest first.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    event_id : str
        The contract's id; incidents of several origins may share it.

    Returns
    -------
    list of Revision
        Grouped by incident, in version order; empty when no incident has the id.
    """
    r = revisions
    stmt = (
        sa.select(
            r.c.incident_id,
            t.c.origin,
            t.c.event_id,
            r.c.version,
            r.c.action,
            r.c.changed_by,
            r.c.changed_at,
            r.c.before,
            r.c.after,
        )  # fmt: skip
        .join(t, t.c.id == r.c.incident_id)
        .where(t.c.event_id == event_id)
        .order_by(r.c.incident_id, r.c.version, r.c.id)
    )
    return [
        Revision(
            incident_id=int(row.incident_id),
            origin=row.origin,
            event_id=row.event_id,
            version=int(row.version),
            action=row.action,
            changed_by=row.changed_by,
            changed_at=as_utc(row.changed_at),
            before=dict(row.before or {}),
            after=dict(row.after or {}),
        )
        for row in conn.execute(stmt)
    ]

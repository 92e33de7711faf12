"""Curation: analysts add, correct, review, merge, delete and restore incidents in a store.

Every write goes through :class:`Curator`, which checks the acting user's role first
(:class:`PermissionDenied`), then writes the incident and its revision in one transaction,
guarded by the version the user read (:class:`EditConflict`). Roles live in the store's
``users`` table: ``viewer`` reads, ``editor`` adds, edits, merges and deletes, ``reviewer``
also marks incidents reviewed or rejected and restores revisions, ``admin`` also manages
accounts. A store with no accounts at all on SQLite is one analyst's: the local user is its
admin. A reviewed incident changed by someone who may not review goes back to ``draft``.

>>> curator = Curator(open_store(url, user="ana"))  # doctest: +SKIP
>>> incident_id = curator.add(values)  # doctest: +SKIP
>>> curator.update(incident_id, {"fatalities": 3}, expected_version=1)  # doctest: +SKIP
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Final

import pandas as pd
import sqlalchemy as sa

from geo.importers.geocode import Gazetteer
from geo.schema import ACTOR_FIELDS
from geo.store.engine import database_errors
from geo.store.entry import SOURCE_URL, check_entry, entry_text
from geo.store.errors import IncidentNotFoundError, StaleVersionError, StoreError
from geo.store.history import changes, content_hash, snapshot, write_actors, write_revisions
from geo.store.schema import (
    CONTENT_FIELDS,
    DATE_FIELDS,
    ROLES,
    SNAPSHOT_FIELDS,
    STATUSES,
    revisions,
    users,
)
from geo.store.schema import incidents as t

if TYPE_CHECKING:
    from geo.report import PageOptions
    from geo.store.store import IncidentStore

CURATED_ORIGIN: Final = "curated"
# What each role may do; a role may do everything the roles before it may.
ACTIONS: Final = {
    "read": "viewer",
    "add": "editor",
    "edit": "editor",
    "merge": "editor",
    "delete": "editor",
    "review": "reviewer",
    "restore": "reviewer",
    "manage users": "admin",
}
# The contract fields an editor changes; status, deletion and merging have their own calls.
EDITABLE: Final = tuple(f for f in SNAPSHOT_FIELDS if f not in ("status", "deleted", "merged_into"))
LISTED: Final = ("id", "version", "status", "event_id", "event_date", "event_type", "location",
                 "actor1", "updated_by", "updated_at")  # fmt: skip
SEPARATOR: Final = {"source": "; ", "source_file": "; ", "source_quote": "\n"}


class PermissionDenied(StoreError, PermissionError):
    """The acting user's role does not allow the action.

    Attributes
    ----------
    user, role, action : str
    """

    def __init__(self, user: str, role: str, action: str) -> None:
        need = ACTIONS[action]
        super().__init__(
            f"{user} is a {role} and may not {action}: that needs the {need} role "
            "(an admin grants it with python -m geo db user add)."
        )
        self.user, self.role, self.action = user, role, action


class EditConflict(StaleVersionError):
    """Someone else saved the incident since the user read it; nothing was written.

    Attributes
    ----------
    incident_id, expected, current : int
        As in :class:`StaleVersionError`.
    mine, theirs : dict
        The incident as the user wanted to save it, and as it is stored now (snapshots).
    fields : tuple of str
        The fields where the two differ, to be chosen one by one.
    """

    def __init__(
        self,
        incident_id: int,
        expected: int,
        current: int,
        mine: dict[str, Any],
        theirs: dict[str, Any],
    ) -> None:
        super().__init__(incident_id, expected, current)
        self.mine, self.theirs = mine, theirs
        self.fields = tuple(f for f in SNAPSHOT_FIELDS if mine.get(f) != theirs.get(f))


@dataclass(frozen=True)
class StoredIncident:
    """An incident as curation reads it.

    Attributes
    ----------
    id, version : int
    origin, status, updated_by : str
    values : dict
        Its snapshot (contract fields, point, status, extra, deleted, merged_into).
    """

    id: int
    version: int
    origin: str
    status: str
    updated_by: str
    values: dict[str, Any]


def curation_caption(statuses: Collection[str] | None) -> str:
    """Say which review states an export holds: ``reviewed incidents only``, or ``""`` for all."""
    if statuses is None or set(statuses) >= set(STATUSES):
        return ""
    return " and ".join(s for s in STATUSES if s in statuses) + " incidents only"


def _now() -> datetime:
    return datetime.now(UTC)


def role_of(conn: sa.Connection, user: str) -> str:
    """Return a user's role: their row in ``users``; else admin of an account-less SQLite store.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    user : str

    Returns
    -------
    str
        One of :data:`geo.store.schema.ROLES`; ``viewer`` for an unknown user of a store
        that has accounts, or of any PostgreSQL store.
    """
    found = conn.execute(sa.select(users.c.role).where(users.c.name == user)).scalar_one_or_none()
    if found is not None:
        return str(found)
    if conn.dialect.name == "sqlite":
        anyone = conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one()
        if anyone == 0:
            return "admin"
    return "viewer"


def may(role: str, action: str) -> bool:
    """Whether a role allows an action (a key of :data:`ACTIONS`)."""
    return ROLES.index(role) >= ROLES.index(ACTIONS[action])


def grant_role(conn: sa.Connection, name: str, role: str, *, by: str) -> None:
    """Give an account a role (creating the account), without checking who asks.

    The command line calls this for whoever holds the database's credentials;
    :meth:`Curator.set_role` checks that the acting user is an admin first.

    Raises
    ------
    StoreError
        When the role or the name is not valid.
    """
    if role not in ROLES:
        raise StoreError(f"there is no role {role!r}: use one of {', '.join(ROLES)}.")
    name = name.strip()
    if not name:
        raise StoreError("an account needs a name.")
    updated = conn.execute(users.update().where(users.c.name == name).values(role=role))
    if updated.rowcount == 0:
        conn.execute(users.insert().values(name=name, role=role, created_at=_now(), created_by=by))


def _state_row(state: Mapping[str, Any]) -> dict[str, Any]:
    """Column values for a snapshot (dates parsed, ``deleted`` as a timestamp or None)."""
    row: dict[str, Any] = {f: state.get(f) for f in SNAPSHOT_FIELDS if f != "deleted"}
    for name in DATE_FIELDS:
        if isinstance(row[name], str):
            row[name] = date.fromisoformat(row[name]) if row[name] else None
    row["extra"] = dict(row.get("extra") or {}) or None
    row["status"] = row.get("status") or "draft"
    return row


class Curator:
    """The writes analysts make, each checked, versioned and recorded with its revision.

    Parameters
    ----------
    store : IncidentStore
        Writes are made as ``store.user``.
    sites : Gazetteer, optional
        For place names without coordinates (the bundled sites by default).
    """

    def __init__(self, store: IncidentStore, *, sites: Gazetteer | None = None) -> None:
        self.store = store
        self.user = store.user
        self.sites = sites

    # -- reading -------------------------------------------------------------------------

    @property
    def role(self) -> str:
        """The acting user's role in this store."""
        with database_errors(self.store.engine.url), self.store.engine.connect() as conn:
            return role_of(conn, self.user)

    def can(self, action: str) -> bool:
        """Whether the acting user may do an action (a key of :data:`ACTIONS`)."""
        return may(self.role, action)

    def get(self, incident_id: int) -> StoredIncident:
        """Read one incident, deleted or not.

        Raises
        ------
        IncidentNotFoundError
        """
        with database_errors(self.store.engine.url), self.store.engine.connect() as conn:
            return _incident(_read(conn, incident_id))

    def listing(self, statuses: Collection[str] | None = None) -> pd.DataFrame:
        """List the incidents to curate, newest change first, leaving out the deleted ones.

        Parameters
        ----------
        statuses : collection of str, optional
            Only these review states; all by default.

        Returns
        -------
        DataFrame
            ``id``, ``version``, ``status``, ``event_id``, ``event_date``, ``event_type``,
            ``location``, ``actor1``, ``updated_by``, ``updated_at``.
        """
        columns = [t.c[c] for c in LISTED]
        stmt = sa.select(*columns).where(t.c.deleted_at.is_(None))
        if statuses is not None:
            stmt = stmt.where(t.c.status.in_(list(statuses)))
        stmt = stmt.order_by(t.c.updated_at.desc(), t.c.id.desc())
        with database_errors(self.store.engine.url), self.store.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        return pd.DataFrame([tuple(r) for r in rows], columns=list(LISTED))

    def users(self) -> list[tuple[str, str]]:
        """Every account and its role, by name."""
        with database_errors(self.store.engine.url), self.store.engine.connect() as conn:
            rows = conn.execute(sa.select(users.c.name, users.c.role).order_by(users.c.name))
            return [(r.name, r.role) for r in rows]

    # -- writing -------------------------------------------------------------------------

    def _begin(self, action: str) -> _Guarded:
        """Open a transaction after checking that the acting user may do the action."""
        return _Guarded(self, action)

    def add(
        self,
        values: Mapping[str, Any],
        *,
        origin: str = CURATED_ORIGIN,
        provenance: Mapping[str, Any] | None = None,
    ) -> int:
        """Add a new incident as a draft.

        Parameters
        ----------
        values : mapping
            Contract fields, the point (``latitude``/``longitude``, or a ``location`` the
            gazetteer knows) and ``source_url``; see :func:`geo.store.entry.check_entry`.
            Source, source URL (or ``source_file``) and the quoted sentence are required.
        origin : str, default "curated"
        provenance : mapping, optional
            Where the incident came from (an article, a proposal's confidence...), kept in
            ``extra`` with ``source_url``.

        Returns
        -------
        int
            The new incident's id.

        Raises
        ------
        PermissionDenied, InvalidIncidentError
        """
        row = check_entry(values, new=True, sites=self.sites)
        if not entry_text(values.get("event_id")):
            row["event_id"] = f"{origin}-{uuid.uuid4().hex[:12]}"
        extra = {**dict(values.get("extra") or {}), **dict(provenance or {})}
        if entry_text(values.get(SOURCE_URL)):
            extra[SOURCE_URL] = entry_text(values.get(SOURCE_URL))
        row["extra"] = extra or None
        row["content_hash"] = content_hash(row)
        now = _now()
        full = {
            **row,
            "origin": origin,
            "status": "draft",
            "version": 1,
            "created_at": now,
            "updated_at": now,
            "updated_by": self.user,
        }  # fmt: skip
        with self._begin("add") as conn:
            taken = conn.execute(
                sa.select(t.c.id).where(t.c.origin == origin, t.c.event_id == row["event_id"])
            ).first()
            if taken is not None:
                raise StoreError(
                    f"an incident {row['event_id']!r} is already stored: pick another id."
                )
            incident_id = int(
                conn.execute(t.insert().values(**full).returning(t.c.id)).scalar_one()
            )
            write_actors(conn, [(incident_id, full)])
            write_revisions(
                conn,
                [
                    {
                        "incident_id": incident_id,
                        "version": 1,
                        "action": "insert",
                        "changed_by": self.user,
                        "changed_at": now,
                        "before": None,
                        "after": snapshot(full),
                    }  # fmt: skip
                ],
            )
        return incident_id

    def update(self, incident_id: int, values: Mapping[str, Any], *, expected_version: int) -> int:
        """Change some fields of an incident, if nobody saved it since it was read.

        Parameters
        ----------
        incident_id : int
        values : mapping
            The fields to change (any of the contract, ``latitude``/``longitude``,
            ``source_url``); the others keep their stored values. Checked like an import.
        expected_version : int
            The version the user read.

        Returns
        -------
        int
            The new version (the same when nothing changed).

        Raises
        ------
        PermissionDenied, InvalidIncidentError
        EditConflict
            When the stored version is not ``expected_version``: both versions are attached.
        """
        with self._begin("edit") as conn:
            old = _read(conn, incident_id)
            current = snapshot(old)
            merged = {**current, **{k: v for k, v in values.items() if k in EDITABLE}}
            if SOURCE_URL in values:
                extra = dict(merged.get("extra") or {})
                extra[SOURCE_URL] = entry_text(values[SOURCE_URL])
                merged["extra"] = {k: v for k, v in extra.items() if v != ""}
            if int(old["version"]) != expected_version:
                raise EditConflict(
                    incident_id, expected_version, int(old["version"]), merged, current
                )
            form = {**merged, "event_id": old["event_id"]}
            row = check_entry(form, new=False, sites=self.sites)
            row["extra"] = merged.get("extra") or None
            new_state = {**current, **snapshot({**old, **row})}
            if old["status"] == "reviewed" and not may(self._role(conn), "review"):
                new_state["status"] = "draft"
            return self._write(conn, old, new_state, "update")

    def set_status(
        self, incident_id: int, status: str, *, expected_version: int | None = None
    ) -> int:
        """Mark an incident ``draft``, ``reviewed`` or ``rejected``.

        Reviewed and rejected need the reviewer role; back to draft, the editor role.

        Returns
        -------
        int
            The new version.

        Raises
        ------
        PermissionDenied, EditConflict, StoreError (an unknown status)
        """
        if status not in STATUSES:
            raise StoreError(
                f"there is no review state {status!r}: use one of {', '.join(STATUSES)}."
            )
        with self._begin("edit" if status == "draft" else "review") as conn:
            old = _read(conn, incident_id)
            current = snapshot(old)
            wanted = {**current, "status": status}
            if expected_version is not None and int(old["version"]) != expected_version:
                raise EditConflict(
                    incident_id, expected_version, int(old["version"]), wanted, current
                )
            return self._write(conn, old, wanted, "status")

    def merge(self, keep_id: int, other_id: int) -> int:
        """Fold a duplicate into the incident kept: its sources and quotes, then delete it.

        The duplicate is soft-deleted with ``merged_into`` pointing at the survivor; both
        writes and their revisions are one transaction.

        Returns
        -------
        int
            The survivor's new version.

        Raises
        ------
        PermissionDenied, IncidentNotFoundError, StoreError (merging an incident into itself)
        """
        if keep_id == other_id:
            raise StoreError("an incident cannot be merged into itself: pick two incidents.")
        with self._begin("merge") as conn:
            keep, other = _read(conn, keep_id), _read(conn, other_id)
            if other["deleted_at"] is not None:
                raise StoreError(f"incident {other_id} is deleted already: restore it first.")
            survivor = snapshot(keep)
            for name, sep in SEPARATOR.items():
                parts = [p for p in (keep[name], other[name]) if p]
                if len(parts) == 2 and parts[1] in parts[0]:
                    parts = parts[:1]
                survivor[name] = sep.join(parts)
            extra = dict(survivor.get("extra") or {})
            extra["merged_from"] = [*extra.get("merged_from", []), other["event_id"]]
            survivor["extra"] = extra
            if keep["status"] == "reviewed" and not may(self._role(conn), "review"):
                survivor["status"] = "draft"
            version = self._write(conn, keep, survivor, "merge")
            gone = {**snapshot(other), "deleted": True, "merged_into": keep_id}
            self._write(conn, other, gone, "merge")
            return version

    def delete(self, incident_id: int) -> int:
        """Soft-delete an incident (restorable from its history); returns the new version."""
        with self._begin("delete") as conn:
            old = _read(conn, incident_id)
            return self._write(conn, old, {**snapshot(old), "deleted": True}, "delete")

    def restore(self, incident_id: int, version: int) -> int:
        """Bring an incident back to what it was at a version; itself a new revision.

        Returns
        -------
        int
            The new version.

        Raises
        ------
        PermissionDenied, IncidentNotFoundError
            Also when the incident has no such version.
        """
        with self._begin("restore") as conn:
            old = _read(conn, incident_id)
            state = state_at(conn, incident_id, version)
            return self._write(conn, old, state, "restore")

    def set_role(self, name: str, role: str) -> None:
        """Give an account a role (admins only); see :func:`grant_role`."""
        with self._begin("manage users") as conn:
            grant_role(conn, name, role, by=self.user)

    # -- internals -----------------------------------------------------------------------

    def _role(self, conn: sa.Connection) -> str:
        return role_of(conn, self.user)

    def _write(
        self, conn: sa.Connection, old: Mapping[str, Any], state: Mapping[str, Any], action: str
    ) -> int:
        """Write a new state over ``old``, guarded by its version, with its revision."""
        before, after = changes(snapshot(old), state)
        if not after:
            return int(old["version"])
        row = _state_row(state)
        now = _now()
        values = {
            **row,
            "content_hash": content_hash({f: row.get(f) for f in CONTENT_FIELDS}),
            "deleted_at": (old["deleted_at"] or now) if state.get("deleted") else None,
            "updated_at": now,
            "updated_by": self.user,
            "version": int(old["version"]) + 1,
        }  # fmt: skip
        done = conn.execute(
            t.update().where(t.c.id == old["id"], t.c.version == old["version"]).values(**values)
        )
        if done.rowcount != 1:
            stored = _read(conn, int(old["id"]))
            raise EditConflict(
                int(old["id"]), int(old["version"]), int(stored["version"]), dict(state),
                snapshot(stored),
            )  # fmt: skip
        if set(after) & set(ACTOR_FIELDS):
            write_actors(conn, [(int(old["id"]), values)])
        write_revisions(
            conn,
            [
                {
                    "incident_id": int(old["id"]),
                    "version": values["version"],
                    "action": action,
                    "changed_by": self.user,
                    "changed_at": now,
                    "before": before,
                    "after": after,
                }  # fmt: skip
            ],
        )
        return int(values["version"])


class _Guarded:
    """``with``: a transaction opened after the role check, store errors translated."""

    def __init__(self, curator: Curator, action: str) -> None:
        self.curator, self.action = curator, action

    def __enter__(self) -> sa.Connection:
        engine = self.curator.store.engine
        self._errors = database_errors(engine.url)
        self._errors.__enter__()
        self._tx = engine.begin()
        conn = self._tx.__enter__()
        role = role_of(conn, self.curator.user)
        if not may(role, self.action):
            self.__exit__(None, None, None)
            raise PermissionDenied(self.curator.user, role, self.action)
        return conn

    def __exit__(self, *exc: Any) -> None:
        try:
            self._tx.__exit__(*exc)
        finally:
            self._errors.__exit__(*exc)


def _read(conn: sa.Connection, incident_id: int) -> dict[str, Any]:
    """One stored row, whole."""
    found = conn.execute(sa.select(t).where(t.c.id == incident_id)).mappings().first()
    if found is None:
        raise IncidentNotFoundError(f"there is no incident {incident_id} in the store.")
    return dict(found)


def _incident(row: Mapping[str, Any]) -> StoredIncident:
    return StoredIncident(
        id=int(row["id"]),
        version=int(row["version"]),
        origin=str(row["origin"]),
        status=str(row["status"]),
        updated_by=str(row["updated_by"]),
        values=snapshot(row),
    )


def state_at(conn: sa.Connection, incident_id: int, version: int) -> dict[str, Any]:
    """Rebuild an incident's snapshot at a version by replaying its revisions.

    Raises
    ------
    IncidentNotFoundError
        When the incident has no revision with that version.
    """
    rows = conn.execute(
        sa.select(revisions.c.version, revisions.c.after)
        .where(revisions.c.incident_id == incident_id, revisions.c.version <= version)
        .order_by(revisions.c.version, revisions.c.id)
    ).all()
    if not rows or int(rows[-1].version) != version:
        raise IncidentNotFoundError(f"incident {incident_id} has no version {version}.")
    state: dict[str, Any] = {}
    for row in rows:
        state.update(row.after or {})
    return state


def export_curated(
    store: IncidentStore,
    fmt: str,
    *,
    statuses: Collection[str] = ("reviewed",),
    page: PageOptions | None = None,
) -> tuple[bytes, str]:
    """Export a store's incidents in some review states, saying so in the caption.

    Parameters
    ----------
    store : IncidentStore
    fmt : str
        A format of :func:`geo.export.export_bytes` (``csv``, ``geojson``, ``png``, ``pdf``...).
    statuses : collection of str, default ("reviewed",)
    page : PageOptions, optional
        The report's page size, for ``png``/``pdf``.

    Returns
    -------
    content : bytes
    caption : str
        ``N reviewed incidents only``; the report prints it with the store's name.
    """
    from geo.export import export_bytes
    from geo.view import Selection, View

    incidents = store.query(statuses=statuses)
    note = curation_caption(statuses)
    caption = f"{len(incidents):,} {note or 'incidents'}"
    selection = Selection(
        View(),
        incidents,
        len(incidents),
        data_label=f"{store.url} · {note}" if note else store.url,
    )
    content = export_bytes(fmt, selection, page)
    return content, caption

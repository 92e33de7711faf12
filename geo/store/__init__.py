"""The incident store: SQLite by default, PostgreSQL + PostGIS for a team.

:func:`open_store` returns an :class:`IncidentStore`, whose ``query``, ``count``,
``summary`` and ``aggregate`` take the same :class:`geo.filters.IncidentFilter` as the
in-memory path and run it in the database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from geo.store.errors import (
    IncidentNotFoundError,
    StaleVersionError,
    StoreError,
    StoreSchemaError,
    StoreUnavailableError,
    StoreURLError,
)

if TYPE_CHECKING:
    from geo.store.store import IncidentStore, open_store


def __getattr__(name: str) -> Any:
    # The store (and SQLAlchemy) load on first use: its errors alone stay light to import.
    if name in ("IncidentStore", "open_store"):
        from geo.store import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "IncidentNotFoundError",
    "IncidentStore",
    "StaleVersionError",
    "StoreError",
    "StoreSchemaError",
    "StoreURLError",
    "StoreUnavailableError",
    "open_store",
]

"""The incident store: SQLite by default, PostgreSQL + PostGIS for a team.

:func:`open_store` returns an :class:`IncidentStore`, whose ``query``, ``count``,
``summary`` and ``aggregate`` take the same :class:`geo.filters.IncidentFilter` as the
in-memory path and run it in the database.
"""

from __future__ import annotations

from geo.store.errors import (
    IncidentNotFoundError,
    StaleVersionError,
    StoreError,
    StoreSchemaError,
    StoreUnavailableError,
    StoreURLError,
)
from geo.store.store import IncidentStore, open_store

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

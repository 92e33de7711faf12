"""One store interface over SQLite and PostgreSQL + PostGIS.

>>> store = open_store("sqlite:///incidents.db", create=True)  # doctest: +SKIP
>>> store.import_file("acled_export.csv")  # doctest: +SKIP
>>> store.query(IncidentFilter(actors=("Kataib Hezbollah",)))  # doctest: +SKIP
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Collection, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa

from geo.filters import IncidentFilter
from geo.store import history, ingest, query
from geo.store.engine import (
    create_store_engine,
    database_errors,
    display_url,
    reconnect_url,
    resolve_url,
)
from geo.store.errors import StoreSchemaError
from geo.store.migrate import check_schema, upgrade_store


def default_user() -> str:
    """Return the name written as ``updated_by`` when none is given: the local account."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no account name in a bare container
        return "local"


class IncidentStore:
    """Incidents in a database, filtered and aggregated where they lie.

    Use :func:`open_store` to make one. Every read takes the same
    :class:`geo.filters.IncidentFilter` as the in-memory path and returns what it
    returns; every write records a revision in the same transaction.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Connected to a database whose schema is current.
    user : str
        Who the writes are recorded as.
    """

    def __init__(self, engine: sa.Engine, user: str) -> None:
        self.engine = engine
        self.user = user

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @property
    def reconnect_url(self) -> str:
        """The database URL without its password, to open the store again (in a recipe)."""
        return reconnect_url(self.engine.url)

    @property
    def url(self) -> str:
        """The database URL, without its password."""
        return display_url(self.engine.url)

    def _where(
        self,
        flt: IncidentFilter,
        bbox: Sequence[float] | None,
        statuses: Collection[str] | None,
    ) -> sa.ColumnElement[bool]:
        return query.filter_clause(flt, self.dialect, bbox=bbox, statuses=statuses)

    def query(
        self,
        flt: IncidentFilter | None = None,
        *,
        bbox: Sequence[float] | None = None,
        statuses: Collection[str] | None = None,
        own: Sequence[str] = (),
    ) -> gpd.GeoDataFrame:
        """Read the incidents that pass a filter, as the canonical table.

        Parameters
        ----------
        flt : IncidentFilter, optional
            No restriction by default.
        bbox : (west, south, east, north), optional
            Only incidents inside this box (edges included).
        statuses : collection of str, optional
            Only these review states (``draft``, ``reviewed``, ``rejected``).
        own : sequence of str
            The file's own columns (kept in ``extra``) to read beside the contract's.

        Returns
        -------
        GeoDataFrame
            What :meth:`geo.filters.IncidentIndex.select` returns on the same data, in
            date order; soft-deleted incidents are left out.
        """
        where = self._where(flt or IncidentFilter(), bbox, statuses)
        with database_errors(self.engine.url), self.engine.connect() as conn:
            return query.select_incidents(conn, where, own)

    def count(
        self,
        flt: IncidentFilter | None = None,
        *,
        bbox: Sequence[float] | None = None,
        statuses: Collection[str] | None = None,
    ) -> int:
        """How many incidents pass a filter (the arguments of :meth:`query`)."""
        where = self._where(flt or IncidentFilter(), bbox, statuses)
        with database_errors(self.engine.url), self.engine.connect() as conn:
            return query.count_incidents(conn, where)

    def summary(
        self,
        flt: IncidentFilter | None = None,
        *,
        bbox: Sequence[float] | None = None,
        statuses: Collection[str] | None = None,
    ) -> dict[str, Any]:
        """Count incidents, fatalities and injuries of a filter (see ``summarize_incidents``)."""
        where = self._where(flt or IncidentFilter(), bbox, statuses)
        with database_errors(self.engine.url), self.engine.connect() as conn:
            return query.summarize_incidents(conn, where)

    def aggregate(
        self,
        flt: IncidentFilter | None = None,
        *,
        cell_deg: float,
        by: str = "event_type",
        bbox: Sequence[float] | None = None,
        statuses: Collection[str] | None = None,
    ) -> pd.DataFrame:
        """Grid cells of the incidents that pass a filter, counted in the database.

        Parameters
        ----------
        flt : IncidentFilter, optional
        cell_deg : float
            Side of a cell in degrees.
        by : str, default "event_type"
            Text column counted per cell.
        bbox, statuses : optional
            As in :meth:`query`.

        Returns
        -------
        DataFrame
            What :func:`geo.aggregate.aggregate_points` returns for ``query(flt)``.
        """
        where = self._where(flt or IncidentFilter(), bbox, statuses)
        with database_errors(self.engine.url), self.engine.connect() as conn:
            return query.aggregate_cells(conn, where, cell_deg=cell_deg, by=by)

    def import_file(
        self, path: str | os.PathLike[str], *, origin: str | None = None
    ) -> ingest.IngestReport:
        """Check a file with the importers and upsert its accepted records, in one transaction.

        Parameters
        ----------
        path : str or PathLike
        origin : str, optional
            See :func:`geo.store.ingest.import_into`.

        Returns
        -------
        IngestReport
        """
        with database_errors(self.engine.url), self.engine.begin() as conn:
            report = ingest.import_into(conn, path, user=self.user, origin=origin)
        self.analyze()
        return report

    def analyze(self) -> None:
        """Refresh the planner's statistics, so queries after a large import use the indexes."""
        with database_errors(self.engine.url), self.engine.begin() as conn:
            if self.dialect == "postgresql":
                conn.exec_driver_sql("ANALYZE incidents, incident_actors")
            else:
                conn.exec_driver_sql("ANALYZE")

    def store_incidents(
        self,
        gdf: gpd.GeoDataFrame,
        *,
        origin: str,
        extras: Sequence[dict[str, Any]] | None = None,
    ) -> tuple[int, int, int, int]:
        """Upsert canonical incidents under an origin (see :func:`ingest.store_incidents`)."""
        rows = ingest.incident_values(gdf, extras)
        with database_errors(self.engine.url), self.engine.begin() as conn:
            return ingest.store_incidents(conn, rows, origin=origin, user=self.user)

    def history(self, event_id: str) -> list[history.Revision]:
        """Every revision of the incidents with this ``event_id``, oldest first."""
        with database_errors(self.engine.url), self.engine.connect() as conn:
            return history.read_history(conn, event_id)

    def close(self) -> None:
        """Close the store's connections."""
        self.engine.dispose()

    def __enter__(self) -> IncidentStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_store(
    url: str | None = None, *, user: str | None = None, create: bool = False
) -> IncidentStore:
    """Open the store at a URL.

    Parameters
    ----------
    url : str, optional
        ``sqlite:///path.db`` (or a bare path), ``postgresql://user@host:port/db``;
        ``INCIDENT_MAP_DB`` when not given.
    user : str, optional
        Who writes are recorded as; the local account name by default.
    create : bool, default False
        Create or migrate the schema (``python -m geo db init``); otherwise a database
        that is not a current store is refused.

    Returns
    -------
    IncidentStore

    Raises
    ------
    StoreURLError, StoreUnavailableError, StoreSchemaError
        With one sentence saying what to do.
    """
    resolved = resolve_url(url)
    if not create and resolved.get_backend_name() == "sqlite":
        database = str(resolved.database)
        if not Path(database).is_file():
            raise StoreSchemaError(
                f"there is no store at {database}: create it with "
                f"python -m geo db init --db {display_url(resolved)}."
            )
    engine = create_store_engine(resolved)
    try:
        if create:
            upgrade_store(engine)
        else:
            with database_errors(resolved), engine.connect() as conn:
                check_schema(conn, resolved)
    except BaseException:
        engine.dispose()
        raise
    return IncidentStore(engine, user or default_user())

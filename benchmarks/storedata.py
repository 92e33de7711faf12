"""Fill an incident store with synthetic incidents in bulk, for the store benchmarks.

The store's own import path (validation, upsert, one revision per record) is what analysts
use; at millions of rows the benchmark loads the generated incidents straight into the
tables instead: ``COPY`` on PostgreSQL, batched inserts on SQLite, then ``ANALYZE``. The
rows are what an import would have written (same columns, actors listed the same way),
without revisions, which no read uses. :func:`indexes_deferred` drops the secondary
indexes while millions of rows go in and builds them once afterwards, which is several
times faster than keeping them up to date row by row.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import sqlalchemy as sa

from geo.incidents import COLUMNS, point_coordinates
from geo.schema import MULTI_VALUE_SEPARATOR
from geo.store import IncidentStore
from geo.store.schema import DATE_FIELDS, TEXT_COLUMNS, incident_actors
from geo.store.schema import incidents as t

CHUNK: Final = 100_000


def table_rows(gdf: gpd.GeoDataFrame, first_id: int = 1) -> pd.DataFrame:
    """Lay out canonical incidents as ``incidents`` table rows (ids from ``first_id``)."""
    lon, lat = point_coordinates(gdf)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    frame = pd.DataFrame({"id": np.arange(first_id, first_id + len(gdf), dtype=np.int64)})
    frame["origin"] = "bench"
    for col in COLUMNS:
        values = gdf[col].reset_index(drop=True)
        if col in DATE_FIELDS:
            values = values.dt.strftime("%Y-%m-%d")
        elif col in TEXT_COLUMNS:
            values = values.astype(object).fillna("")
        frame[col] = values
    frame["longitude"], frame["latitude"] = lon, lat
    frame["content_hash"] = "bench"
    frame["status"] = "draft"
    frame["version"] = 1
    frame["created_at"] = frame["updated_at"] = now
    frame["updated_by"] = "bench"
    return frame


def actor_rows(gdf: gpd.GeoDataFrame, first_id: int = 1) -> pd.DataFrame:
    """``incident_actors`` rows: every actor an incident names, associated lists split."""
    ids = np.arange(first_id, first_id + len(gdf), dtype=np.int64)
    parts = []
    for col in ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2"):
        values = pd.Series(gdf[col].astype(object).fillna("").to_numpy(), index=ids)
        if col.startswith("assoc"):
            values = values.str.split(MULTI_VALUE_SEPARATOR).explode().str.strip()
        parts.append(values[values.fillna("") != ""])
    pairs = pd.concat(parts)
    out = pd.DataFrame({"incident_id": pairs.index.to_numpy(), "actor": pairs.to_numpy()})
    return out.drop_duplicates(ignore_index=True)


def _copy(raw: object, table: str, frame: pd.DataFrame, not_null: list[str]) -> None:
    """COPY a frame into a table in chunks (empty text stays '' in the not-null columns)."""
    columns = ", ".join(frame.columns)
    force = f", FORCE_NOT_NULL ({', '.join(not_null)})" if not_null else ""
    with raw.cursor() as cur:  # type: ignore[attr-defined]
        for start in range(0, len(frame), CHUNK):
            buffer = io.StringIO()
            frame.iloc[start : start + CHUNK].to_csv(buffer, index=False, header=False, na_rep="")
            with cur.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv{force})") as copy:
                copy.write(buffer.getvalue())


def _secondary_indexes(conn: sa.Connection) -> list[tuple[str, str]]:
    """Name and definition of the store's plain indexes (not keys or unique constraints)."""
    if conn.dialect.name == "postgresql":
        rows = conn.execute(sa.text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
            "('incidents', 'incident_actors') AND indexname LIKE 'ix\\_%'"
        ))  # fmt: skip
    else:
        rows = conn.execute(sa.text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('incidents', 'incident_actors') AND name LIKE 'ix\\_%' ESCAPE '\\'"
        ))  # fmt: skip
    return [(str(name), str(sql)) for name, sql in rows]


@contextmanager
def indexes_deferred(store: IncidentStore) -> Iterator[None]:
    """Drop the secondary indexes while the block loads rows; build them again after."""
    with store.engine.begin() as conn:
        indexes = _secondary_indexes(conn)
        for name, _ in indexes:
            conn.execute(sa.text(f"DROP INDEX {name}"))
    try:
        yield
    finally:
        with store.engine.begin() as conn:
            for _, definition in indexes:
                conn.execute(sa.text(definition))
        _analyze(store)


def _analyze(store: IncidentStore) -> None:
    """Statistics and, on PostgreSQL, the visibility map that index-only scans rely on."""
    if store.dialect == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE incidents"))
            conn.execute(sa.text("VACUUM ANALYZE incident_actors"))
    else:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")


def bulk_load(store: IncidentStore, gdf: gpd.GeoDataFrame) -> int:
    """Append canonical incidents to an (empty or bench-filled) store; return the row count."""
    with store.engine.connect() as conn:
        first = int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(t.c.id), 0))).scalar_one())
    rows, actors = table_rows(gdf, first + 1), actor_rows(gdf, first + 1)
    if store.dialect == "postgresql":
        raw = store.engine.raw_connection()
        try:
            driver = raw.driver_connection
            text_cols = [c for c in TEXT_COLUMNS if c in rows.columns] + ["origin"]
            _copy(driver, "incidents", rows, text_cols)
            _copy(driver, "incident_actors", actors, [])
            raw.commit()
        finally:
            raw.close()
        with store.engine.begin() as conn:
            conn.execute(
                sa.text("SELECT setval('incidents_id_seq', (SELECT max(id) FROM incidents))")
            )
    else:
        records = rows.astype(object).where(rows.notna(), None)
        with store.engine.begin() as conn:
            for start in range(0, len(rows), CHUNK):
                chunk = records.iloc[start : start + CHUNK]
                conn.exec_driver_sql(
                    f"INSERT INTO incidents ({', '.join(rows.columns)}) VALUES "
                    f"({', '.join('?' * len(rows.columns))})",
                    list(chunk.itertuples(index=False, name=None)),
                )
            conn.exec_driver_sql(
                "INSERT INTO incident_actors (incident_id, actor) VALUES (?, ?)",
                list(actors.astype(object).itertuples(index=False, name=None)),
            )
    _analyze(store)
    with store.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())


__all__ = ["actor_rows", "bulk_load", "incident_actors", "indexes_deferred", "table_rows"]

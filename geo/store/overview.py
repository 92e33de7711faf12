"""What describes a whole store, read from its indexes: size, span, extent, actors, sites.

A dashboard opening a store needs its size, first and last day, extent, the actors,
event types and sites its filters offer, and the actors ranked by incidents. Scanning a
table of millions of rows for each took seconds; here every figure comes from an index
(migration 0003): the ends of an ordered index for the span and the extent, and grouped
index-only counts for the lists. Soft-deleted incidents are few and have a partial
index of their own, so the counts over every row less the counts over the deleted ones
are the counts of the incidents shown, without reading the table.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from geo.store.schema import incident_actors
from geo.store.schema import incidents as t

ALIVE = t.c.deleted_at.is_(None)
# The soft-deleted incidents as a list of ids: a group query filtered on the mark itself
# would make SQLite walk the grouped index and read every row of the table.
DELETED_IDS = sa.select(t.c.id).where(t.c.deleted_at.isnot(None)).correlate(None)
DELETED = t.c.id.in_(DELETED_IDS)


@dataclass(frozen=True)
class StoreOverview:
    """A store's incidents as a whole (the soft-deleted ones left out).

    Attributes
    ----------
    total : int
    first_day, last_day : date or None
        First ``event_date`` and last day covered (``end_date`` or ``event_date``).
    bounds : (west, south, east, north) or None
    changed : Any
        The newest ``updated_at`` of any row, deleted or not: it changes with every write.
    actor_counts : Counter
        Incidents per actor named on any side (associated actors included).
    actor1_counts : Counter
        Incidents per acting side (``actor1``), for the ranking of the colours.
    event_types : tuple of str
    site_pairs : tuple of (str, str)
        Distinct (``site_id``, ``location``) pairs.
    """

    total: int
    first_day: date | None
    last_day: date | None
    bounds: tuple[float, float, float, float] | None
    changed: Any
    actor_counts: Counter[str]
    actor1_counts: Counter[str]
    event_types: tuple[str, ...]
    site_pairs: tuple[tuple[str, str], ...]


def _end(conn: sa.Connection, column: sa.ColumnElement[Any], *, last: bool) -> Any:
    """Read the least or greatest value of an indexed column among live rows (one probe)."""
    order = column.desc() if last else column.asc()
    stmt = sa.select(column).where(ALIVE, column.isnot(None)).order_by(order).limit(1)
    return conn.execute(stmt).scalar()


def _alive_counts(
    conn: sa.Connection, columns: list[sa.ColumnElement[Any]], deleted: sa.ColumnElement[bool]
) -> Counter[tuple[Any, ...]]:
    """Rows per value of ``columns``: over every row, less those matching ``deleted``."""
    counts: Counter[tuple[Any, ...]] = Counter()
    for row in conn.execute(sa.select(*columns, sa.func.count()).group_by(*columns)):
        counts[tuple(row[:-1])] += int(row[-1])
    for row in conn.execute(sa.select(*columns, sa.func.count()).where(deleted).group_by(*columns)):
        counts[tuple(row[:-1])] -= int(row[-1])
    return +counts  # drops the values only deleted incidents had


def read_overview(conn: sa.Connection) -> StoreOverview:
    """Describe a store's live incidents (see :class:`StoreOverview`).

    Parameters
    ----------
    conn : sqlalchemy.Connection

    Returns
    -------
    StoreOverview
    """
    total = int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
    deleted = sa.select(sa.func.count()).select_from(DELETED_IDS.subquery())
    total -= int(conn.execute(deleted).scalar_one())
    if total == 0:
        return StoreOverview(0, None, None, None, None, Counter(), Counter(), (), ())
    last_day = sa.func.coalesce(t.c.end_date, t.c.event_date)
    west, east = (_end(conn, t.c.longitude, last=flag) for flag in (False, True))
    south, north = (_end(conn, t.c.latitude, last=flag) for flag in (False, True))
    changed = conn.execute(sa.select(sa.func.max(t.c.updated_at))).scalar()
    named = _alive_counts(
        conn, [incident_actors.c.actor], incident_actors.c.incident_id.in_(DELETED_IDS)
    )
    return StoreOverview(
        total=total,
        first_day=_end(conn, t.c.event_date, last=False),
        last_day=_end(conn, last_day, last=True),
        bounds=(float(west), float(south), float(east), float(north)),
        changed=changed,
        actor_counts=Counter({str(k[0]): n for k, n in named.items() if k[0]}),
        actor1_counts=Counter(
            {str(k[0]): n for k, n in _alive_counts(conn, [t.c.actor1], DELETED).items() if k[0]}
        ),
        event_types=tuple(
            sorted(str(k[0]) for k in _alive_counts(conn, [t.c.event_type], DELETED))
        ),
        site_pairs=tuple(
            sorted((str(s), str(loc)) for s, loc in _alive_counts(
                conn, [t.c.site_id, t.c.location], DELETED
            ))
        ),  # fmt: skip
    )

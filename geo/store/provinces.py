"""Incidents per province in the database, for the choropleth of a store's view.

A store groups by ``admin1`` (filled from the admin-1 polygons on import when the file
had none, see :func:`geo.provinces.fill_provinces`), and only one row per province comes
back; the names are matched to the polygons case-insensitively. A province whose name
no polygon has is counted as outside.
"""

from __future__ import annotations

import numpy as np
import sqlalchemy as sa

from geo.filters import IncidentFilter
from geo.provinces import ProvinceCounts, counts_of_rows, province_table
from geo.store.engine import database_errors
from geo.store.query import filter_clause
from geo.store.schema import incidents as t
from geo.store.store import IncidentStore


def store_province_counts(
    store: IncidentStore, flt: IncidentFilter, measure: str
) -> ProvinceCounts:
    """Count a filter's incidents (or sum their fatalities) per province, in the database.

    Parameters
    ----------
    store : IncidentStore
    flt : IncidentFilter
    measure : {"incidents", "fatalities"}

    Returns
    -------
    ProvinceCounts
    """
    value = sa.func.count() if measure == "incidents" else sa.func.coalesce(
        sa.func.sum(t.c.fatalities), 0
    )
    where = filter_clause(flt, store.dialect)
    with database_errors(store.engine.url), store.engine.connect() as conn:
        groups = conn.execute(
            sa.select(t.c.admin1, value, sa.func.count()).where(where).group_by(t.c.admin1)
        ).all()
    table = province_table()
    by_name = {str(name).casefold(): i for i, name in enumerate(table["name"])}
    rows = np.asarray([by_name.get(str(name or "").casefold(), -1) for name, _, _ in groups])
    weights = np.asarray([float(v) for _, v, _ in groups])
    counted = counts_of_rows(rows.astype(np.int64), weights, measure, table)
    # Outside counts incidents, whatever the measure: one group stands for n of them.
    outside = sum(int(n) for (_, _, n), row in zip(groups, rows, strict=True) if row < 0)
    return ProvinceCounts(counted.measure, counted.provinces, counted.breaks, outside)


def store_province_names(store: IncidentStore) -> tuple[str, ...]:
    """Return the provinces (``admin1``) of the incidents not deleted, sorted."""
    stmt = sa.select(t.c.admin1).distinct().where(t.c.deleted_at.is_(None))
    with database_errors(store.engine.url), store.engine.connect() as conn:
        names = conn.execute(stmt).scalars()
        return tuple(sorted(str(n) for n in names if n))

"""The map's multi-level cluster payload, counted in the database.

The payload is :func:`geo.aggregate.build_cluster_payload`'s, to the count: the same
levels (cells of 8 degrees down to 1/64 degree, each half the previous one), the same
categories and the same per-colour counts. The database groups the matching incidents by
cell and colour value at one level; coarser levels are summed from it in numpy, exactly
as the in-memory path sums them from its finest level (cell sides are powers of two, so
``floor(lon / 2d) == floor(lon / d) >> 1`` holds exactly in floating point).

Which level is read first is chosen so that only a bounded table comes back: when no
more incidents match than the cell budget, the finest level (at most one group per
incident and colour); otherwise :data:`FIRST_LEVEL` (cells of 1/16 degree) and, while the
budget has room, the deepest level the growth of the cell counts says could fit, from
which the levels between are summed. Usually the matching incidents are read once, and
:func:`geo.aggregate.select_levels` keeps what it would keep in memory.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any, Final

import numpy as np
import pandas as pd
import sqlalchemy as sa

from geo.aggregate import (
    LEVEL_DEGREES,
    MAX_CELLS,
    GridLevel,
    _categories_for,
    _category_name,
    _coarsen,
    _level_json,
    _reduce,
    select_levels,
)
from geo.store.query import COLOR_COLUMNS, _floor, colour_value
from geo.store.schema import incidents as t

# Index in LEVEL_DEGREES: 1/16 degree, about 7 km. Deep enough that the budget of cells
# usually ends above it (one read), coarse enough that a million incidents fall in some
# tens of thousands of (cell, colour) groups.
FIRST_LEVEL: Final = 7


def _level_groups(
    conn: sa.Connection, where: sa.ColumnElement[bool], value: sa.ColumnElement[Any],
    cell_deg: float,
) -> pd.DataFrame:
    """(cell, colour value) groups of one level: count and sums of lon, lat and fatalities."""
    dialect = conn.dialect.name
    stmt = (
        sa.select(
            _floor(t.c.longitude / cell_deg, dialect).label("cx"),
            _floor(t.c.latitude / cell_deg, dialect).label("cy"),
            value.label("value"),
            sa.func.count().label("n"),
            sa.func.sum(t.c.longitude).label("lon_sum"),
            sa.func.sum(t.c.latitude).label("lat_sum"),
            sa.func.coalesce(sa.func.sum(t.c.fatalities), 0).label("fatalities"),
            sa.func.count(t.c.fatalities).label("recorded"),
        )
        .where(where)
        .group_by(sa.literal_column("cx"), sa.literal_column("cy"), sa.literal_column("value"))
    )
    names = ["cx", "cy", "value", "n", "lon_sum", "lat_sum", "fatalities", "recorded"]
    return fetch_frame(conn, stmt, names)


def fetch_frame(conn: sa.Connection, stmt: sa.Select[Any], columns: list[str]) -> pd.DataFrame:
    """Run a query into a frame column by column (building it from row objects is slow)."""
    # The driver's own tuples: SQLAlchemy's row objects cost more than the query here.
    rows = conn.execute(stmt).cursor.fetchall()
    values = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    return pd.DataFrame({name: list(col) for name, col in zip(columns, values, strict=True)})


def _grid_level(
    groups: pd.DataFrame, column: str, labels: list[str], other: str | None, cell_deg: float
) -> GridLevel:
    """Sum the groups of one level into cells, with counts per legend label."""
    position = {name: i for i, name in enumerate(labels)}
    fallback = position.get(other, len(labels) - 1) if other is not None else len(labels) - 1
    raw, uniques = pd.factorize(groups["value"], use_na_sentinel=False)
    lut = [position.get(_category_name(v, column), fallback) for v in uniques]
    codes = np.asarray(lut, dtype=np.int64)[raw] if len(raw) else np.zeros(0, dtype=np.int64)
    n = groups["n"].to_numpy(dtype=np.int64)
    by_label = np.zeros((len(groups), len(labels)), dtype=np.float64)
    by_label[np.arange(len(groups)), codes] = n
    return _reduce(
        groups["cx"].to_numpy(dtype=np.int64),
        groups["cy"].to_numpy(dtype=np.int64),
        groups["lon_sum"].to_numpy(dtype=np.float64),
        groups["lat_sum"].to_numpy(dtype=np.float64),
        n,
        groups["fatalities"].to_numpy(dtype=np.int64),
        by_label,
        cell_deg,
    )


def _levels_up_to(finest: GridLevel, index: int) -> list[GridLevel]:
    """Levels ``0..index`` (coarse to fine), the coarser ones summed from ``finest``."""
    levels = [finest]
    for _ in range(index):
        levels.append(_coarsen(levels[-1]))
    return levels[::-1]


def _deepest_fitting(levels: list[GridLevel], index: int, finest: int, max_cells: int) -> int:
    """Guess the deepest level within the budget from the growth of the last two levels."""
    used, width = sum(len(level) for level in levels), float(len(levels[-1]))
    ratio = min(max(width / max(len(levels[-2]), 1), 1.0), 4.0) if len(levels) > 1 else 4.0
    deepest = index + 1
    total = used + width * ratio
    while deepest < finest and total + width * ratio ** (deepest - index + 1) <= max_cells:
        total += width * ratio ** (deepest - index + 1)
        deepest += 1
    return deepest


def cluster_payload(
    conn: sa.Connection,
    where: sa.ColumnElement[bool],
    colors: Mapping[str, str],
    color_by: str,
    *,
    count: int,
    max_cells: int = MAX_CELLS,
) -> dict[str, Any]:
    """Build the cluster layer's data for the incidents matching a condition.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    where : sqlalchemy.ColumnElement
        From :func:`geo.store.query.filter_clause`.
    colors : mapping of str to str
        Legend label -> colour (see :func:`geo.palette.color_codes`).
    color_by : str
        ``event_type``, ``actor`` or one of the file's own columns kept in ``extra``.
    count : int
        How many incidents match (it picks the first level read).
    max_cells : int, default :data:`geo.aggregate.MAX_CELLS`

    Returns
    -------
    dict
        What :func:`geo.aggregate.build_cluster_payload` returns for the same incidents.
    """
    # An own column (kept in ``extra``) names itself as a column of the incidents.
    own = pd.DataFrame(columns=[color_by]) if color_by not in COLOR_COLUMNS else None
    column, labels, palette, other = _categories_for(
        own if own is not None else pd.DataFrame(), colors, color_by
    )
    value = colour_value(color_by, conn.dialect.name)
    cats = [[html.escape(label), color] for label, color in zip(labels, palette, strict=True)]
    if count == 0:
        return {"cats": cats, "levels": [], "total": 0, "fk": "none"}
    finest_index = len(LEVEL_DEGREES) - 1
    index = finest_index if count <= max_cells else min(FIRST_LEVEL, finest_index)

    recorded: list[int] = []  # incidents that give a fatality figure, from any level read

    def read(level_index: int) -> GridLevel:
        groups = _level_groups(conn, where, value, LEVEL_DEGREES[level_index])
        recorded.append(int(groups["recorded"].sum()))
        return _grid_level(groups, column, labels, other, LEVEL_DEGREES[level_index])

    levels = _levels_up_to(read(index), index)
    kept = select_levels(levels, max_cells)
    while len(kept) == len(levels) and index < finest_index:
        used, width = sum(len(level) for level in levels), len(levels[-1])
        if used + width > max_cells:
            break  # a level has at least as many cells as the one above: none deeper fits
        deepest = _deepest_fitting(levels, index, finest_index, max_cells)
        # Reading one deep level gives the levels between exactly, by summing; when the
        # guess was short, the loop reads deeper, so the result never depends on it.
        levels += _levels_up_to(read(deepest), deepest - index - 1)
        index = deepest
        kept = select_levels(levels, max_cells)
    return {
        "cats": cats,
        "levels": [_level_json(level) for level in kept],
        "total": int(levels[0].count.sum()),
        # As in memory: the popups leave out a figure no incident gives, rather than show 0.
        "fk": "none" if recorded[0] == 0 else ("all" if recorded[0] == count else "some"),
    }

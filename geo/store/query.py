"""Filters and the grid aggregation run in the database: only what the page shows comes back.

:func:`filter_clause` turns a :class:`geo.filters.IncidentFilter` (plus a bounding box and
review states) into one SQL condition with the same semantics as the in-memory
:class:`geo.filters.IncidentIndex`; :func:`select_incidents`, :func:`count_incidents`,
:func:`summarize_incidents` and :func:`aggregate_cells` read through it. The two dialect
differences sit in one small function each: text search (:func:`_contains`), the bounding
box (:func:`_bbox`) and the grid floor (:func:`_floor`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Sequence
from datetime import date
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from geo.filters import ROLE_FIELDS, SEARCH_FIELDS, IncidentFilter
from geo.incidents import COLUMNS, coerce_incidents
from geo.store.engine import CONTAINS_FUNCTION
from geo.store.schema import GEOMETRY_COLUMN, SRID, STATUSES, TEXT_COLUMNS, incident_actors
from geo.store.schema import incidents as t

BBox = tuple[float, float, float, float]
LIKE_ESCAPE: Final = "\\"


def check_bbox(bbox: Sequence[float]) -> BBox:
    """Validate a ``(west, south, east, north)`` box in degrees.

    Parameters
    ----------
    bbox : sequence of 4 floats
        West may exceed east: the box then crosses the antimeridian.

    Returns
    -------
    tuple of 4 floats

    Raises
    ------
    ValueError
        Naming the offending value when the box is not four finite numbers with
        longitudes in [-180, 180], latitudes in [-90, 90] and south <= north.
    """
    values = tuple(float(v) for v in bbox)
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise ValueError(f"bbox must be four numbers west, south, east, north; got {bbox!r}")
    west, south, east, north = values
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        raise ValueError(f"bbox longitudes must lie in [-180, 180]; got {bbox!r}")
    if not (-90 <= south <= north <= 90):
        raise ValueError(f"bbox latitudes must satisfy -90 <= south <= north <= 90; got {bbox!r}")
    return west, south, east, north


def filter_clause(
    flt: IncidentFilter,
    dialect: str,
    *,
    bbox: Sequence[float] | None = None,
    statuses: Collection[str] | None = None,
    include_deleted: bool = False,
) -> sa.ColumnElement[bool]:
    """One SQL condition selecting the incidents that pass a filter.

    Parameters
    ----------
    flt : IncidentFilter
        Time window (overlap of ``[event_date, end_date]``), actors (any actor field),
        event types, sites (site id, else location), minimum fatalities and text
        (case-insensitive, in notes, location and source), as in memory.
    dialect : {"sqlite", "postgresql"}
    bbox : (west, south, east, north), optional
        Keep incidents whose point lies in the box, edges included. A ``bbox``
        attribute of the filter is used when this is not given.
    statuses : collection of str, optional
        Review states to keep (``draft``, ``reviewed``, ``rejected``); by default the
        filter's own ``statuses``, and all when it names none.
    include_deleted : bool, default False
        Also keep soft-deleted incidents.

    Returns
    -------
    sqlalchemy.ColumnElement
    """
    conds: list[sa.ColumnElement[bool]] = []
    if not include_deleted:
        conds.append(t.c.deleted_at.is_(None))
    if flt.start is not None:
        conds.append(sa.func.coalesce(t.c.end_date, t.c.event_date) >= flt.start)
        conds.append(t.c.event_date >= _earliest_start(flt.start, dialect))
    if flt.end is not None:
        conds.append(t.c.event_date <= flt.end)
    if flt.event_types:
        conds.append(t.c.event_type.in_(flt.event_types))
    if flt.sites:
        conds.append(
            sa.or_(
                t.c.site_id.in_(flt.sites),
                sa.and_(t.c.site_id == "", t.c.location.in_(flt.sites)),
            )
        )
    if flt.min_fatalities > 0:
        conds.append(t.c.fatalities >= flt.min_fatalities)
    if flt.actors:
        named = sa.select(incident_actors.c.incident_id).where(
            incident_actors.c.actor.in_(flt.actors)
        )
        conds.append(t.c.id.in_(named))
    for names, (main, assoc) in ((flt.actors1, ROLE_FIELDS[1]), (flt.actors2, ROLE_FIELDS[2])):
        if names:
            conds.append(_role_condition(names, t.c[main], t.c[assoc]))
    needle = flt.text.strip()
    if needle:
        conds.append(sa.or_(*[_contains(t.c[col], needle, dialect) for col in SEARCH_FIELDS]))
    for column, values in getattr(flt, "where", ()):
        if values:
            conds.append(_column_value(column, dialect).in_(values))
    for column, low, high in flt.ranges:
        conds.append(_in_range(_column_number(column, dialect), low, high))
    if flt.admin1:
        conds.append(t.c.admin1.in_(flt.admin1))
    box = bbox if bbox is not None else getattr(flt, "bbox", None)
    if box is not None:
        conds.append(_bbox(check_bbox(box), dialect))
    if statuses is None and flt.statuses:
        statuses = flt.statuses
    if flt.area:
        conds.append(_in_area(flt.area, dialect))
    if statuses is not None:
        unknown = sorted(set(statuses) - set(STATUSES))
        if unknown:
            raise ValueError(
                f"unknown status {unknown[0]!r} (expected one of {', '.join(STATUSES)})"
            )
        conds.append(t.c.status.in_(sorted(statuses)))
    return sa.and_(sa.true(), *conds)


def _earliest_start(start: date, dialect: str) -> sa.ColumnElement[Any]:
    """Return the first day an incident still in a window from ``start`` may begin.

    Redundant with the overlap test, it bounds the scan of the date index from below:
    no incident lasts longer than the longest multi-day one, read from its small partial
    index once per query.
    """
    if dialect == "postgresql":
        span: sa.ColumnElement[Any] = t.c.end_date - t.c.event_date
    else:
        span = sa.func.julianday(t.c.end_date) - sa.func.julianday(t.c.event_date)
    longest = sa.select(sa.func.max(span)).where(t.c.end_date.isnot(None)).scalar_subquery()
    days = sa.func.coalesce(longest, 0)
    if dialect == "postgresql":
        return sa.cast(sa.literal(start, sa.Date) - days, sa.Date)
    return sa.func.date(start.isoformat(), sa.func.printf("-%d days", days), type_=sa.Date)


def _column_value(column: str, dialect: str) -> sa.ColumnElement[str]:
    """Read a contract column, or one of the file's own columns kept in ``extra``, as text."""
    if column in t.c and column not in ("id", "extra", "geom"):
        return sa.cast(t.c[column], sa.String)
    # The file's own columns live in the JSON document: ->> on PostgreSQL, json_extract on SQLite.
    if dialect == "postgresql":
        return sa.cast(t.c.extra, JSONB)[column].astext
    return sa.func.json_extract(t.c.extra, sa.literal("$." + json.dumps(column)))


# A number written as text, as a file's own numeric column holds it in ``extra``.
NUMBER_PATTERN: Final = r"^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$"


def _column_number(column: str, dialect: str) -> sa.ColumnElement[float]:
    """Read a numeric contract column, or a number kept as text in ``extra``, as a float.

    Text that is not a number reads as NULL (outside every range), as in memory.
    """
    if column in t.c and column not in ("id", "extra", "geom"):
        return sa.cast(t.c[column], sa.Float)
    text = _column_value(column, dialect)
    number: sa.ColumnElement[bool]
    if dialect == "postgresql":
        number = text.op("~")(NUMBER_PATTERN)
    else:  # no regular expressions in SQLite: digits, sign, point and exponent only
        number = sa.and_(sa.func.trim(text) != "", sa.not_(text.op("GLOB")("*[^0-9.eE+ -]*")))
    return sa.case((number, sa.cast(text, sa.Float)), else_=sa.null())


def _in_range(
    value: sa.ColumnElement[float], low: float | None, high: float | None
) -> sa.ColumnElement[bool]:
    """Keep a value within ``[low, high]``; NULL (no value) is outside, as NaN is in memory."""
    conds: list[sa.ColumnElement[bool]] = [value.is_not(None)]
    if low is not None:
        conds.append(value >= low)
    if high is not None:
        conds.append(value <= high)
    return sa.and_(*conds)


def _in_area(ring: Sequence[tuple[float, float]], dialect: str) -> sa.ColumnElement[bool]:
    """Points inside a polygon or on its edge.

    PostGIS tests ``ST_Covers`` (its GiST index finds the candidates). SQLite has no
    geometry: the polygon's box narrows the rows, then an even-odd ray cast, one term per
    edge, decides; both agree with :func:`geo.areas.area_mask` away from the edges.
    """
    from geo.areas import ring_bounds

    west, south, east, north = ring_bounds(tuple(ring))
    box = sa.and_(t.c.longitude.between(west, east), t.c.latitude.between(south, north))
    if dialect == "postgresql":
        closed = [*ring, ring[0]]
        wkt = "POLYGON((" + ",".join(f"{lon!r} {lat!r}" for lon, lat in closed) + "))"
        geom: sa.ColumnElement[Any] = sa.literal_column(f"incidents.{GEOMETRY_COLUMN}")
        polygon = sa.func.ST_GeomFromText(sa.literal(wkt), SRID)
        return sa.and_(box, sa.func.ST_Covers(polygon, geom))
    lon, lat = t.c.longitude, t.c.latitude
    crossings: list[sa.ColumnElement[int]] = []
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
        if y1 == y2:  # a horizontal edge never crosses the ray
            continue
        slope = (x2 - x1) / (y2 - y1)
        crosses = sa.and_(
            lat >= min(y1, y2), lat < max(y1, y2), lon < x1 + (lat - y1) * slope
        )
        crossings.append(sa.case((crosses, 1), else_=0))
    return sa.and_(box, _balanced_sum(crossings) % 2 == 1)


def _balanced_sum(terms: list[sa.ColumnElement[int]]) -> sa.ColumnElement[int]:
    """Add terms as a balanced tree: a chain of 500 would pass SQLite's expression depth."""
    if not terms:
        return sa.literal(0)
    while len(terms) > 1:
        pairs = [a + b for a, b in zip(terms[::2], terms[1::2], strict=False)]
        terms = pairs + ([terms[-1]] if len(terms) % 2 else [])
    return terms[0]


def _role_condition(
    names: tuple[str, ...], main: sa.ColumnElement[str], assoc: sa.ColumnElement[str]
) -> sa.ColumnElement[bool]:
    """One side's actor or one of its ";"-separated associates is among ``names``."""
    # ";a;b;" with the spaces around separators removed, so a name matches as ";name;".
    listed = sa.literal(";") + sa.func.replace(
        sa.func.replace(sa.func.coalesce(assoc, ""), "; ", ";"), " ;", ";"
    ) + sa.literal(";")  # fmt: skip
    alternatives: list[sa.ColumnElement[bool]] = [main.in_(names)]
    for name in names:
        escaped = name.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", "\\%").replace("_", "\\_")
        alternatives.append(listed.like(f"%;{escaped};%", escape=LIKE_ESCAPE))
    return sa.or_(*alternatives)


def _contains(column: sa.ColumnElement[str], needle: str, dialect: str) -> sa.ColumnElement[bool]:
    """Case-insensitive substring test: ILIKE on PostgreSQL, a registered function on SQLite."""
    if dialect == "postgresql":
        escaped = (
            needle.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", "\\%").replace("_", "\\_")
        )
        return column.ilike(f"%{escaped}%", escape=LIKE_ESCAPE)
    return getattr(sa.func, CONTAINS_FUNCTION)(column, needle, type_=sa.Boolean)


def _bbox(box: BBox, dialect: str) -> sa.ColumnElement[bool]:
    """Points inside a box; on PostGIS the GiST index finds candidates first."""
    west, south, east, north = box
    lat = t.c.latitude.between(south, north)
    if west <= east:
        exact = sa.and_(t.c.longitude.between(west, east), lat)
        spans = [(west, east)]
    else:  # across the antimeridian: two boxes
        exact = sa.and_(sa.or_(t.c.longitude >= west, t.c.longitude <= east), lat)
        spans = [(west, 180.0), (-180.0, east)]
    if dialect != "postgresql":
        return exact
    # The index compares single-precision boxes, so the exact test on the coordinates stays.
    geom: sa.ColumnElement[Any] = sa.literal_column(f"incidents.{GEOMETRY_COLUMN}")
    envelopes = [geom.op("&&")(sa.func.ST_MakeEnvelope(w, south, e, north, SRID)) for w, e in spans]
    return sa.and_(sa.or_(*envelopes), exact)


def _ordered(column: sa.ColumnElement[Any], dialect: str) -> sa.ColumnElement[Any]:
    """Sort text by code point, as the in-memory table does, whatever the server's locale."""
    return column.collate("C") if dialect == "postgresql" else column


# The contract fields a map colours by, and the column each reads.
COLOR_COLUMNS: Final = {"event_type": "event_type", "actor": "actor1"}


def colour_value(color_by: str, dialect: str) -> sa.ColumnElement[Any]:
    """Read what a map colours by: a contract field, or one of the file's own in ``extra``."""
    if color_by in COLOR_COLUMNS:
        return t.c[COLOR_COLUMNS[color_by]]
    return _column_value(color_by, dialect)


def select_incidents(
    conn: sa.Connection, where: sa.ColumnElement[bool], own: Sequence[str] = ()
) -> gpd.GeoDataFrame:
    """Read the incidents matching a condition as the canonical table.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    where : sqlalchemy.ColumnElement
        From :func:`filter_clause`.
    own : sequence of str
        The file's own columns (kept in ``extra``) to read beside the contract's, as text.

    Returns
    -------
    GeoDataFrame
        The columns and dtypes of :func:`geo.incidents.coerce_incidents`, in date order
        (then by ``event_id``), with a 0..n-1 index; empty with the same columns when
        nothing matches.
    """
    dialect = conn.dialect.name
    columns = [t.c[col] for col in COLUMNS]
    extra = [_column_value(c, dialect).label(c) for c in own if c not in (*COLUMNS, "geometry")]
    stmt = (
        sa.select(*columns, *extra, t.c.longitude, t.c.latitude)
        .where(where)
        .order_by(t.c.event_date, _ordered(t.c.event_id, dialect), t.c.id)
    )
    rows = conn.execute(stmt).all()
    names = [*COLUMNS, *(c.name for c in extra)]
    values = list(zip(*rows, strict=True)) if rows else [()] * (len(names) + 2)
    frame = pd.DataFrame({col: list(values[i]) for i, col in enumerate(COLUMNS)})
    lon = np.asarray(values[-2], dtype=np.float64)
    lat = np.asarray(values[-1], dtype=np.float64)
    gdf = coerce_incidents(frame, geometry=gpd.points_from_xy(lon, lat))
    for i, col in enumerate(names[len(COLUMNS):], start=len(COLUMNS)):
        gdf[col] = pd.Series(list(values[i]), dtype=object, index=gdf.index)
    return gdf


def count_incidents(conn: sa.Connection, where: sa.ColumnElement[bool]) -> int:
    """Count the incidents matching a condition (see :func:`filter_clause`)."""
    return int(conn.execute(sa.select(sa.func.count()).select_from(t).where(where)).scalar_one())


def summarize_incidents(conn: sa.Connection, where: sa.ColumnElement[bool]) -> dict[str, Any]:
    """Compute the page's metrics for a condition: incidents, fatalities and injuries.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    where : sqlalchemy.ColumnElement
        From :func:`filter_clause`.

    Returns
    -------
    dict
        ``count`` (int), ``fatalities`` and ``injuries`` (int, or None when no matching
        incident records the figure).
    """
    stmt = sa.select(sa.func.count(), sa.func.sum(t.c.fatalities), sa.func.sum(t.c.injuries))
    count, fatalities, injuries = conn.execute(stmt.where(where)).one()
    return {
        "count": int(count),
        "fatalities": None if fatalities is None else int(fatalities),
        "injuries": None if injuries is None else int(injuries),
    }


def _floor(value: sa.ColumnElement[Any], dialect: str) -> sa.ColumnElement[int]:
    """``floor`` as an integer; SQLite's math functions are optional, so it is built from CAST."""
    if dialect == "postgresql":
        return sa.cast(sa.func.floor(value), sa.BigInteger)
    truncated = sa.cast(value, sa.Integer)
    return truncated - sa.case((value < truncated, 1), else_=0)


def aggregate_cells(
    conn: sa.Connection,
    where: sa.ColumnElement[bool],
    *,
    cell_deg: float,
    by: str = "event_type",
) -> pd.DataFrame:
    """Count the matching incidents on a square lon/lat grid, in the database.

    The cells are :func:`geo.aggregate.aggregate_points`' cells: column
    ``floor(lon / cell_deg)`` and row ``floor(lat / cell_deg)``. The database groups by
    cell and value of ``by``; only those groups come back.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    where : sqlalchemy.ColumnElement
        From :func:`filter_clause`.
    cell_deg : float
        Side of a cell in degrees (> 0).
    by : str, default "event_type"
        A text column of the incident table whose values are counted per cell.

    Returns
    -------
    DataFrame
        The frame :func:`geo.aggregate.aggregate_points` returns for the same incidents:
        ``lon``, ``lat`` (mean position), ``count``, ``fatalities``, ``dominant``,
        ``cell_x``, ``cell_y`` and one ``count:<value>`` column per value, most incidents
        first.

    Raises
    ------
    ValueError
        When ``cell_deg`` is not a positive number or ``by`` is not a text column.
    """
    if not (isinstance(cell_deg, int | float) and cell_deg > 0 and math.isfinite(cell_deg)):
        raise ValueError(f"cell_deg must be a positive number of degrees; got {cell_deg!r}")
    if by not in TEXT_COLUMNS:
        raise ValueError(f"by must be a text column of the incidents; got {by!r}")
    dialect = conn.dialect.name
    size = float(cell_deg)
    stmt = (
        sa.select(
            _floor(t.c.longitude / size, dialect).label("cx"),
            _floor(t.c.latitude / size, dialect).label("cy"),
            t.c[by].label("value"),
            sa.func.count().label("n"),
            sa.func.sum(t.c.longitude).label("lon_sum"),
            sa.func.sum(t.c.latitude).label("lat_sum"),
            sa.func.coalesce(sa.func.sum(t.c.fatalities), 0).label("fatalities"),
        )
        .where(where)
        .group_by(sa.literal_column("cx"), sa.literal_column("cy"), sa.literal_column("value"))
    )
    groups = pd.DataFrame(
        conn.execute(stmt).all(),
        columns=["cx", "cy", "value", "n", "lon_sum", "lat_sum", "fatalities"],
    )
    return _cells_frame(groups)


def _cells_frame(groups: pd.DataFrame) -> pd.DataFrame:
    """Pivot (cell, value) groups into one row per cell, as ``aggregate_points`` lays it out."""
    categories = sorted(set(groups["value"].astype(str)))
    cells = groups.groupby(["cx", "cy"], sort=True)
    totals = cells[["n", "lon_sum", "lat_sum", "fatalities"]].sum()
    count = totals["n"].to_numpy(dtype=np.int64)
    by_category = (
        groups.pivot_table(index=["cx", "cy"], columns="value", values="n", aggfunc="sum")
        .reindex(index=totals.index, columns=categories)
        .fillna(0)
        .to_numpy(dtype=np.int64)
        if len(groups)
        else np.zeros((0, 0), dtype=np.int64)
    )
    frame = pd.DataFrame(
        {
            "lon": totals["lon_sum"].to_numpy(dtype=np.float64) / np.maximum(count, 1),
            "lat": totals["lat_sum"].to_numpy(dtype=np.float64) / np.maximum(count, 1),
            "count": count,
            "fatalities": totals["fatalities"].to_numpy(dtype=np.int64),
            "dominant": np.asarray(categories, dtype=object)[by_category.argmax(axis=1)]
            if len(count)
            else np.asarray([], dtype=object),
            "cell_x": totals.index.get_level_values("cx").to_numpy(dtype=np.int64),
            "cell_y": totals.index.get_level_values("cy").to_numpy(dtype=np.int64),
        }
    )
    for j, name in enumerate(categories):
        frame[f"count:{name}"] = by_category[:, j]
    return frame.sort_values(["count", "cell_x", "cell_y"], ascending=[False, True, True],
                             ignore_index=True)  # fmt: skip

"""Where the dashboard's incidents come from: a loaded file or a store, behind one interface.

The dashboard asks a source for what one page shows (:meth:`IncidentSource.page`): the
metrics, the caption, the weekly counts, the markers (or, above
:data:`geo.aggregate.MARKER_LIMIT`, the cluster payload and heat points), the most recent
rows for the table and the sites named. :class:`FileSource` computes it from an in-memory
:class:`geo.dataset.Dataset`; :class:`StoreSource` has the database filter, count and
aggregate, so only what the page shows comes back, whatever the store's size.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import sqlalchemy as sa

from geo.aggregate import HEAT_MAX_POINTS, MARKER_LIMIT
from geo.figures import VERBS, Figure
from geo.filters import IncidentFilter
from geo.importers import ImportResult
from geo.mapview import (
    HEAT_GRID_DEGREES,
    sum_heat_points,
)
from geo.palette import color_codes, rank_actors
from geo.provinces import ProvinceCounts
from geo.report import describe_filters, describe_period
from geo.source import (
    TABLE_ROWS,
    Page,
    _recent,
)
from geo.store.clusters import cluster_payload, fetch_frame
from geo.store.engine import database_errors
from geo.store.overview import read_overview
from geo.store.query import (
    COLOR_COLUMNS,
    _floor,
    colour_value,
    filter_clause,
    select_incidents,
)
from geo.store.schema import incidents as t
from geo.store.store import IncidentStore
from geo.timeline import count_by_week
from geo.view import data_extent, to_leaflet


class StoreSource:
    """An incident store: every page is filtered, counted and aggregated in the database.

    What describes the whole store (its size, span, actors, types, sites, actor ranking
    and extent) is read once, when the source is made.

    Parameters
    ----------
    store : IncidentStore
    """

    def __init__(self, store: IncidentStore) -> None:
        self.store = store
        self.label = store.url
        self.sha256: str | None = None
        self.result: ImportResult | None = None
        with database_errors(store.engine.url), store.engine.connect() as conn:
            overview = read_overview(conn)
        self.total = overview.total
        self.key = f"{store.url}:{self.total}:{overview.changed}"
        self.date_span = (
            (_as_date(overview.first_day), _as_date(overview.last_day)) if self.total else None
        )
        self.actor_names = tuple(sorted(overview.actor_counts))
        self.event_types = overview.event_types
        self.site_keys = tuple(sorted({loc if site == "" else site
                                       for site, loc in overview.site_pairs} - {""}))  # fmt: skip
        counts = pd.Series(dict(overview.actor1_counts), dtype="int64")
        # rank_actors counts names; a name repeated by its count ranks the same way.
        self.ranking = (
            tuple(rank_actors(counts.index.repeat(counts.to_numpy()))) if len(counts) else ()
        )
        west, south, east, north = overview.bounds or (0.0, 0.0, 0.0, 0.0)
        corners = gpd.GeoDataFrame(
            geometry=gpd.points_from_xy([west, east], [south, north]) if self.total else [],
            crs="EPSG:4326",
        )
        self.extent = data_extent(corners)
        self.bounds = to_leaflet(self.extent)

    def select(self, flt: IncidentFilter) -> gpd.GeoDataFrame:
        """Every incident that passes a filter, with the own columns that colour, from the store."""
        return self.store.query(flt, own=self.colour_columns)

    @cached_property
    def own_values(self) -> dict[str, list[str]]:
        """The categorical keys of ``extra`` and their values, read once (filters only)."""
        from geo.store.columns import store_own_columns

        return store_own_columns(self.store)

    own_spans: dict[str, tuple[float, float]] = {}

    @property
    def colour_columns(self) -> tuple[str, ...]:
        """The own columns that colour the map: the categorical keys of ``extra``."""
        return tuple(self.own_values)

    def province_names(self) -> tuple[str, ...]:
        """Return the provinces (``admin1``) the stored incidents name, sorted."""
        from geo.store.provinces import store_province_names

        return store_province_names(self.store)

    def province_counts(self, flt: IncidentFilter, measure: str) -> ProvinceCounts:
        """Count the incidents a filter keeps (or their fatalities) per province, in SQL."""
        from geo.store.provinces import store_province_counts

        return store_province_counts(self.store, flt, measure)

    def first_day(self, flt: IncidentFilter) -> date | None:
        """Return the first day of the first incident a filter keeps, whatever its time window."""
        where = filter_clause(flt.with_changes(start=None, end=None), self.store.dialect)
        with database_errors(self.store.engine.url), self.store.engine.connect() as conn:
            first = conn.execute(sa.select(sa.func.min(t.c.event_date)).where(where)).scalar()
        return None if first is None else _as_date(first)

    def page(
        self,
        flt: IncidentFilter,
        *,
        color_by: str,
        heatmap: bool = False,
        table_rows: int = TABLE_ROWS,
        span: tuple[date, date] | None = None,
        known_sites: Collection[str] | None = None,
    ) -> Page:
        """Compute what the page shows in the database (see :class:`Page`).

        ``known_sites`` (the gazetteer's ids, when the map can only draw those) limits the
        sites looked up; by default every site the incidents name is.
        """
        if color_by not in COLOR_COLUMNS and color_by not in self.colour_columns:
            raise ValueError(
                f"color_by must be one of {', '.join(COLOR_COLUMNS)} or a column the "
                f"store's incidents keep; got {color_by!r}"
            )
        column = COLOR_COLUMNS.get(color_by, color_by)
        own = () if color_by in COLOR_COLUMNS else (color_by,)
        where = filter_clause(flt, self.store.dialect)
        with database_errors(self.store.engine.url), self.store.engine.connect() as conn:
            groups = _day_groups(conn, where, colour_value(color_by, self.store.dialect))
            count = int(groups["n"].sum())
            named = sa.and_(where, t.c.site_id > "")  # a range of the site index
            if known_sites is not None:  # an index lookup instead of a scan of every match
                named = sa.and_(where, t.c.site_id.in_(sorted({*known_sites, *flt.sites})))
            pairs = conn.execute(sa.select(t.c.site_id, t.c.location).distinct().where(named)).all()
            values = pd.DataFrame({column: groups["value"].astype(object)})
            _, colors = color_codes(values, color_by, ranking=self.ranking)
            if count <= MARKER_LIMIT:
                shown: gpd.GeoDataFrame | None = select_incidents(conn, where, own)
                recent = _recent(shown, table_rows)
                clusters = heat = None
            else:
                shown = None
                recent = _newest(conn, where, table_rows)
                clusters = cluster_payload(conn, where, colors, color_by, count=count)
                heat = _heat(conn, where, count) if heatmap else None
        weights = groups.rename(columns={"value": column, "day": "event_date"})
        lo, hi = span or self.date_span or (None, None)
        weekly, _ = count_by_week(
            weights,
            color_by,
            ranking=self.ranking,
            start=flt.start or lo,
            end=flt.end or hi,
            weights="n",
        )
        first_last = pd.DataFrame(
            {
                "event_date": [groups["day"].min()] if count else [],
                "end_date": [groups["last"].max()] if count else [],
            }
        )
        site_names = {str(s): str(loc) for s, loc in pairs}
        caption = " · ".join(
            [
                describe_period(flt, first_last),  # type: ignore[arg-type]
                *describe_filters(flt, site_names),
                f"{count:,} of {self.total:,} incidents shown",
            ]
        )
        # Sums over the incidents that give a figure, with how many do (geo.figures).
        figures = {
            field: Figure(int(groups[field].sum()), int(groups[f"{field}_n"].sum()), count)
            for field in VERBS
        }
        return Page(
            count=count,
            fatalities=figures["fatalities"].total,
            injuries=figures["injuries"].total if figures["injuries"].is_recorded else None,
            caption=caption,
            colors=colors,
            weekly=weekly,
            incidents=shown,
            clusters=clusters,
            heat=heat,
            recent=recent,
            site_ids=tuple(sorted(site_names)),
            figures=figures,
        )


def _as_date(value: Any) -> date:
    """Read a database date as :class:`datetime.date` (drivers return dates or ISO text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _newest(conn: sa.Connection, where: sa.ColumnElement[bool], rows: int) -> gpd.GeoDataFrame:
    """Read the ``rows`` most recent incidents, newest first, ordered as in memory."""
    # The day of the last row shown comes from the date index alone; only the incidents
    # from that day on are then read and ordered by event_id.
    oldest = conn.execute(
        sa.select(t.c.event_date).where(where).order_by(t.c.event_date.desc()).offset(rows - 1)
        .limit(1)
    ).scalar()  # fmt: skip
    recent = where if oldest is None else sa.and_(where, t.c.event_date >= oldest)
    newest = (
        sa.select(t.c.id)
        .where(recent)
        .order_by(t.c.event_date.desc(), t.c.event_id.desc(), t.c.id.desc())
        .limit(rows)
    )
    return _recent(select_incidents(conn, t.c.id.in_(newest)), rows)


def _day_groups(
    conn: sa.Connection, where: sa.ColumnElement[bool], value: sa.ColumnElement[Any]
) -> pd.DataFrame:
    """Per (day, colour value): incidents, fatalities, injuries and the last day covered."""
    stmt = (
        sa.select(
            t.c.event_date.label("day"),
            value.label("value"),
            sa.func.count().label("n"),
            sa.func.coalesce(sa.func.sum(t.c.fatalities), 0).label("fatalities"),
            sa.func.count(t.c.fatalities).label("fatalities_n"),
            sa.func.coalesce(sa.func.sum(t.c.injuries), 0).label("injuries"),
            sa.func.count(t.c.injuries).label("injuries_n"),
            sa.func.max(sa.func.coalesce(t.c.end_date, t.c.event_date)).label("last"),
        )
        .where(where)
        .group_by(t.c.event_date, value)
    )
    groups = fetch_frame(
        conn,
        stmt,
        ["day", "value", "n", "fatalities", "fatalities_n", "injuries", "injuries_n", "last"],
    )
    for col in ("day", "last"):
        groups[col] = pd.to_datetime(groups[col].map(_as_date) if len(groups) else groups[col])
    return groups


def _heat(conn: sa.Connection, where: sa.ColumnElement[bool], count: int) -> list[list[float]]:
    """Heat points as the map sums them, the first grid summed in the database."""
    weight = sa.func.coalesce(t.c.fatalities, 0) + sa.func.coalesce(t.c.injuries, 0) + 1
    if count <= HEAT_MAX_POINTS:
        rows = conn.execute(sa.select(t.c.latitude, t.c.longitude, weight).where(where)).all()
        arr = np.asarray(rows, dtype=np.float64).reshape(-1, 3)
        return sum_heat_points(arr[:, 0], arr[:, 1], arr[:, 2])
    dialect = conn.dialect.name
    cell = HEAT_GRID_DEGREES
    stmt = (
        sa.select(
            sa.func.sum(weight),
            sa.func.sum(t.c.latitude * weight),
            sa.func.sum(t.c.longitude * weight),
        )
        .where(where)
        .group_by(_floor(t.c.latitude / cell, dialect), _floor(t.c.longitude / cell, dialect))
    )
    arr = np.asarray(conn.execute(stmt).all(), dtype=np.float64).reshape(-1, 3)
    total = arr[:, 0]
    return sum_heat_points(arr[:, 1] / total, arr[:, 2] / total, total, cell=cell * 2)

"""What the dashboard shows of a view, from whichever source holds the incidents.

A source answers one question per view: a :class:`Page` (counts, the weekly chart, the
map's incidents or their aggregates, the table's newest rows). :class:`FileSource` computes
it in memory from a :class:`geo.dataset.Dataset`; :class:`geo.store.source.StoreSource`
asks the incident store. This module loads no database code, so a page served from a file
never imports SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, Final, Protocol

import geopandas as gpd
import pandas as pd

from geo.aggregate import MARKER_LIMIT, build_cluster_payload, build_heat_points
from geo.columns import categorical_columns, column_span, column_values, numeric_columns
from geo.dataset import Dataset
from geo.figures import Figure, summarize_casualties
from geo.filters import IncidentFilter
from geo.importers import ImportResult
from geo.mapview import MapOptions, build_aggregate_layers, build_view_layers
from geo.palette import color_codes
from geo.playback import first_incident_day
from geo.provinces import ProvinceCounts, counts_of_rows, measure_weights
from geo.report import describe_caption
from geo.timeline import count_by_week
from geo.view import Extent, Selection, View

TABLE_ROWS: Final = 1000


@dataclass(frozen=True)
class Page:
    """What one view of the dashboard shows, computed by a source.

    Attributes
    ----------
    count, fatalities : int
        Incidents that pass the filter, and their fatalities.
    injuries : int or None
        Their injuries; None when none of them records injuries.
    caption : str
        Period, filters and count, as on the report.
    colors : dict of str to str
        Legend label -> colour, for the labels present.
    weekly : DataFrame
        :func:`geo.timeline.count_by_week`'s table.
    incidents : GeoDataFrame or None
        Every incident shown, when at most :data:`MARKER_LIMIT`; otherwise None.
    clusters : dict or None
        :func:`geo.aggregate.build_cluster_payload`'s payload, above :data:`MARKER_LIMIT`.
    heat : list or None
        Heat-map points above :data:`MARKER_LIMIT`, when asked for.
    recent : GeoDataFrame
        The most recent incidents shown (at most ``table_rows``), most recent first.
    site_ids : tuple of str
        Sites named by the incidents shown.
    figures : dict of str to Figure
        Fatalities and injuries with how many incidents record them
        (:func:`geo.figures.summarize_casualties`).
    """

    count: int
    fatalities: int
    injuries: int | None
    caption: str
    colors: dict[str, str]
    weekly: pd.DataFrame
    incidents: gpd.GeoDataFrame | None
    clusters: dict[str, Any] | None
    heat: list[list[float]] | None
    recent: gpd.GeoDataFrame
    site_ids: tuple[str, ...]
    figures: dict[str, Figure] = field(default_factory=dict)

    @property
    def aggregated(self) -> bool:
        """Whether the map draws clusters instead of markers."""
        return self.incidents is None


class IncidentSource(Protocol):
    """What the dashboard and the exports need from the incidents they show."""

    key: str
    label: str
    sha256: str | None
    result: ImportResult | None
    total: int
    date_span: tuple[date, date] | None
    actor_names: tuple[str, ...]
    event_types: tuple[str, ...]
    site_keys: tuple[str, ...]
    ranking: tuple[str, ...]
    bounds: list[list[float]]
    extent: Extent

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
        """Compute what the page shows for a filter."""
        ...

    def select(self, flt: IncidentFilter) -> gpd.GeoDataFrame:
        """Every incident that passes a filter, for the exports."""
        ...

    def first_day(self, flt: IncidentFilter) -> date | None:
        """Return the first day of the first incident a filter keeps, whatever its time window."""
        ...

    def province_counts(self, flt: IncidentFilter, measure: str) -> ProvinceCounts:
        """Count the incidents a filter keeps (or their fatalities) per province."""
        ...

    def province_names(self) -> tuple[str, ...]:
        """Return the provinces (``admin1``) the incidents name, sorted."""
        ...

    @property
    def own_values(self) -> dict[str, list[str]]:
        """The data's own categorical columns and their values, for the filters."""
        ...

    @property
    def own_spans(self) -> dict[str, tuple[float, float]]:
        """The data's own numeric columns and their smallest and largest values."""
        ...

    @property
    def colour_columns(self) -> tuple[str, ...]:
        """The own columns the map can be coloured by."""
        ...


def _recent(gdf: gpd.GeoDataFrame, rows: int) -> gpd.GeoDataFrame:
    return gdf.tail(rows).iloc[::-1]


class FileSource:
    """A file loaded into memory (see :func:`geo.dataset.prepare_dataset`).

    Parameters
    ----------
    data : Dataset
    """

    def __init__(self, data: Dataset) -> None:
        self.data = data
        idx = data.index
        self.key, self.label = data.key, data.label
        self.sha256: str | None = data.sha256
        self.result: ImportResult | None = data.result
        self.total = len(idx)
        self.date_span = idx.date_span
        self.actor_names, self.event_types = idx.actor_names, idx.event_types
        self.site_keys, self.ranking, self.bounds = idx.site_keys, data.ranking, data.bounds
        self.extent = data.extent

    def select(self, flt: IncidentFilter) -> gpd.GeoDataFrame:
        """Every incident that passes a filter (the index's selection)."""
        return self.data.index.select(flt)

    def first_day(self, flt: IncidentFilter) -> date | None:
        """Return the first day of the first incident a filter keeps, whatever its time window."""
        return first_incident_day(self.data.index, flt)

    @cached_property
    def own_values(self) -> dict[str, list[str]]:
        """The file's own categorical columns and their values (filters and colours)."""
        gdf = self.data.index.gdf
        return {c: column_values(gdf, c) for c in categorical_columns(gdf)}

    @cached_property
    def own_spans(self) -> dict[str, tuple[float, float]]:
        """The file's own numeric columns and their smallest and largest values."""
        gdf = self.data.index.gdf
        spans = {c: column_span(gdf, c) for c in numeric_columns(gdf)}
        return {c: span for c, span in spans.items() if span is not None}

    @property
    def colour_columns(self) -> tuple[str, ...]:
        """The file's own categorical columns: each can colour the map."""
        return tuple(self.own_values)

    def province_names(self) -> tuple[str, ...]:
        """Return the provinces (``admin1``) the incidents name, sorted."""
        names = self.data.index.gdf["admin1"].astype("string").dropna().unique()
        return tuple(sorted(str(n) for n in names if n != ""))

    def province_counts(self, flt: IncidentFilter, measure: str) -> ProvinceCounts:
        """Count the incidents a filter keeps (or their fatalities) per province polygon."""
        index = self.data.index
        keep = index.mask(flt)
        weights = measure_weights(index.gdf, measure)[keep]
        return counts_of_rows(index.province_rows[keep], weights, measure)

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
        """Compute what the page shows from the selection in memory (see :class:`Page`)."""
        shown = self.select(flt)
        lo, hi = span or self.date_span or (None, None)
        weekly, colors = count_by_week(
            shown, color_by, ranking=self.ranking, start=flt.start or lo, end=flt.end or hi
        )
        _, legend = color_codes(shown, color_by, ranking=self.ranking)
        aggregated = len(shown) > MARKER_LIMIT
        injuries = shown["injuries"].dropna()
        return Page(
            count=len(shown),
            fatalities=int(shown["fatalities"].sum()),
            injuries=int(injuries.sum()) if len(injuries) else None,
            caption=describe_caption(flt, shown, self.total),
            colors=legend,
            weekly=weekly,
            incidents=None if aggregated else shown,
            clusters=build_cluster_payload(shown, legend, color_by) if aggregated else None,
            heat=build_heat_points(shown, binned=True) if aggregated and heatmap else None,
            recent=_recent(shown, table_rows),
            site_ids=tuple(sorted(set(shown["site_id"]) - {""})),
            figures=summarize_casualties(shown),
        )


def page_sites(view: View, page: Page, sites: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """Pick the sites a page draws with labels, by :attr:`geo.view.View.site_layer`."""
    if sites is None or view.site_layer == "none":
        return None
    if view.site_layer == "shown":
        sites = sites[sites["site_id"].isin(page.site_ids)]
    return sites if len(sites) else None


def build_page_layers(
    view: View, page: Page, source: IncidentSource, sites: gpd.GeoDataFrame | None = None
) -> list[Any]:
    """Build the map's incident layers of a page: markers, or clusters above the limit.

    Parameters
    ----------
    view : View
    page : Page
        From ``source.page(view.flt, ...)``.
    source : IncidentSource
    sites : GeoDataFrame, optional
        The whole sites layer.

    Returns
    -------
    list of folium.FeatureGroup
        What :func:`geo.mapview.build_view_layers` draws for the same incidents.
    """
    if page.incidents is not None:
        return build_view_layers(page_selection(view, page.incidents, source, sites))
    options = MapOptions(
        color_by=view.color_by,
        basemap=view.basemap,
        show_clusters=view.show_clusters,
        show_heatmap=view.show_heatmap,
        show_uncertainty=view.show_uncertainty,
        show_sites=view.show_sites,
        title=view.title,
        caption=page.caption,
        actors=view.actor_ranking,
    )
    return build_aggregate_layers(
        page.count,
        page.colors,
        page.clusters or {},
        options=options,
        heat=page.heat,
        sites=page_sites(view, page, sites),
    )


def page_selection(
    view: View,
    incidents: gpd.GeoDataFrame,
    source: IncidentSource,
    sites: gpd.GeoDataFrame | None = None,
) -> Selection:
    """Wrap incidents read from a source as a :class:`geo.view.Selection`."""
    return Selection(view, incidents, source.total, source.label, source.sha256, sites)


def export_selection(
    view: View, source: IncidentSource, sites: gpd.GeoDataFrame | None = None
) -> Selection:
    """Read every incident a view shows from the source, when an export is asked for."""
    return page_selection(view, source.select(view.flt), source, sites)

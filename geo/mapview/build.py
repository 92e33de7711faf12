"""Build the map: a stable base map, the layers that change with the filters, or both."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import folium
import geopandas as gpd
from branca.element import MacroElement
from folium.plugins import Fullscreen, HeatMap, MarkerCluster

from geo import assets, basemap
from geo.aggregate import MARKER_LIMIT, add_aggregated_layers, build_heat_points
from geo.mapview.camera import _Camera
from geo.mapview.colocated import list_colocated
from geo.mapview.controls import (
    _MapInfo,
    _MapStyle,
    _OfflineTilesNote,
    _OpenBaseLayer,
    _PluginAssets,
    _ViewChanges,
)
from geo.mapview.keyboard import _KeyboardMarkers
from geo.mapview.labels import _LabelDeclutter
from geo.mapview.markers import _IncidentMarkers, _SiteMarkers, _UncertaintyRings
from geo.mapview.options import (
    _CLUSTER_ICON_JS,
    _UNUSED_MAP_ASSETS,
    DEFAULT_BOUNDS,
    LEGEND_CLEARANCE_PX,
    MAX_FIT_ZOOM,
    MapOptions,
)
from geo.mapview.tables import _ring_rows, incident_bounds
from geo.palette import color_codes
from geo.view import Extent, Selection, View, to_leaflet


def build_map(
    incidents: gpd.GeoDataFrame,
    *,
    sites: gpd.GeoDataFrame | None = None,
    options: MapOptions = MapOptions(),
    bounds: Sequence[Sequence[float]] | None = None,
    under: Sequence[folium.FeatureGroup] = (),
) -> folium.Map:
    """Build the complete incident map as one folium map.

    Parameters
    ----------
    incidents : GeoDataFrame
        Canonical incidents (see :func:`geo.incidents.coerce_incidents`).
    sites : GeoDataFrame, optional
        The sites layer (see :func:`geo.sites.read_sites`).
    options : MapOptions, optional
        Colouring, layers and caption.
    bounds : [[south, west], [north, east]], optional
        The view on opening; by default the incidents', else the sites', else Iraq and Syria.
    under : sequence of folium.FeatureGroup
        Layers drawn under the incidents (the provinces shaded).

    Returns
    -------
    folium.Map
        A map whose scripts and stylesheets all load from ``/app/static/vendor/``.

    Raises
    ------
    MissingComponentError
        When the web assets or the offline basemap are not installed (``make install``).
    """
    if bounds is None:
        bounds = incident_bounds(incidents, sites)
    m = build_base_map(options=options, bounds=bounds)
    for group in [*under, *build_incident_layers(incidents, options=options, sites=sites)]:
        group.add_to(m)
    build_layer_control().add_to(m)
    return assets.localize_map(m)


def map_options_for(selection: Selection) -> MapOptions:
    """Draw a view's selection: colouring, basemap, layers, title, caption and ranking.

    Parameters
    ----------
    selection : Selection

    Returns
    -------
    MapOptions
    """
    from geo.report.wording import summarize_sources

    view = selection.view
    return MapOptions(
        color_by=view.color_by,
        basemap=view.basemap,
        show_clusters=view.show_clusters,
        show_heatmap=view.show_heatmap,
        show_uncertainty=view.show_uncertainty,
        show_sites=view.show_sites,
        title=view.title,
        caption=selection.caption,
        # Above the marker limit the page carries aggregates, not incidents to cite.
        sources=summarize_sources(selection.incidents)
        if len(selection.incidents) <= MARKER_LIMIT
        else "",
        actors=view.actor_ranking,
    )


def build_view_map(selection: Selection) -> folium.Map:
    """Build the complete map of a view applied to a dataset (a standalone HTML export).

    Parameters
    ----------
    selection : Selection
        The view and what it selects; the view's extent, else the incidents', is shown.

    Returns
    -------
    folium.Map

    Raises
    ------
    MissingComponentError
        When the web assets or the offline basemap are not installed.
    """
    extent, measure = selection.view.extent, selection.view.choropleth
    under = []
    if measure:
        from geo.mapview.areas import build_choropleth_layer
        from geo.provinces import count_by_province

        under.append(build_choropleth_layer(count_by_province(selection.incidents, measure)))
    return build_map(
        selection.incidents,
        sites=selection.sites,
        options=map_options_for(selection),
        bounds=to_leaflet(extent) if extent is not None else None,
        under=under,
    )


def build_view_layers(selection: Selection) -> list[folium.FeatureGroup]:
    """Build the incident layers of a view's selection (see :func:`build_incident_layers`)."""
    return build_incident_layers(
        selection.incidents, options=map_options_for(selection), sites=selection.sites
    )


def build_view_base(view: View, extent: Extent | None = None) -> folium.Map:
    """Build the base map of a view, opening on its extent, else ``extent``, else the default.

    Parameters
    ----------
    view : View
        Only the basemap and the extent are used.
    extent : (west, south, east, north), optional
        Shown when the view has none: the whole dataset's, so filters never move the map.

    Returns
    -------
    folium.Map
    """
    shown = view.extent or extent
    options = MapOptions(color_by=view.color_by, basemap=view.basemap)
    return build_base_map(options=options, bounds=to_leaflet(shown) if shown else None)


def build_base_map(
    *,
    options: MapOptions = MapOptions(),
    bounds: Sequence[Sequence[float]] | None = None,
) -> folium.Map:
    """Build the part of the map that does not depend on the incidents shown.

    Canvas rendering, the basemap, zoom, scale bar, full-screen button, the camera that
    saves the current view as a PNG with a caption, and the styles and plugin scripts the
    incident layers need. A dashboard keeps this map identical across filter changes (so
    the component keeps the user's view) and passes :func:`build_incident_layers` and
    :func:`build_layer_control` beside it.

    Parameters
    ----------
    options : MapOptions, optional
        Only ``basemap`` is used here.
    bounds : [[south, west], [north, east]], optional
        The view on opening (default: Iraq and Syria).

    Returns
    -------
    folium.Map
        A localized map (no layer control: add :func:`build_layer_control` last).

    Raises
    ------
    MissingComponentError
        When the web assets or the offline basemap are not installed.
    """
    m = folium.Map(tiles=None, prefer_canvas=True, control_scale=True, zoom_start=6)
    # No awesome-markers icons here: without their Font Awesome stylesheet the camera
    # does not have to embed four web fonts in every picture.
    m.default_js = [(k, url) for k, url in m.default_js if k not in _UNUSED_MAP_ASSETS]
    m.default_css = [(k, url) for k, url in m.default_css if k not in _UNUSED_MAP_ASSETS]
    basemap.add_offline_basemap(m)
    basemap.add_online_basemaps(m)
    _OfflineTilesNote(m).add_to(m)
    if options.basemap != "offline":
        _OpenBaseLayer(m, options.basemap).add_to(m)
    Fullscreen(position="topleft", title="Full screen", title_cancel="Exit full screen").add_to(m)
    _PluginAssets().add_to(m)
    _MapStyle().add_to(m)
    _ViewChanges().add_to(m)
    _LabelDeclutter().add_to(m)
    _KeyboardMarkers().add_to(m)
    _Camera().add_to(m)
    (south, west), (north, east) = bounds if bounds is not None else DEFAULT_BOUNDS
    # Keep the fitted incidents clear of the legend in the bottom-right corner.
    m.fit_bounds(
        [[south, west], [north, east]],
        max_zoom=MAX_FIT_ZOOM,
        padding_bottom_right=LEGEND_CLEARANCE_PX,
    )
    return assets.localize_map(m)


def build_layer_control() -> folium.LayerControl:
    """Return the layer control; add it after the incident layers."""
    return folium.LayerControl(position="topright", collapsed=True)


def build_incident_layers(
    incidents: gpd.GeoDataFrame,
    *,
    options: MapOptions = MapOptions(),
    sites: gpd.GeoDataFrame | None = None,
) -> list[folium.FeatureGroup]:
    """Build the layers that change with the filters.

    Parameters
    ----------
    incidents : GeoDataFrame
        Canonical incidents, already filtered.
    options : MapOptions, optional
        Colouring, which layers to draw, and the camera caption.
    sites : GeoDataFrame, optional
        The sites layer, drawn when ``options.show_sites``.

    Returns
    -------
    list of folium.FeatureGroup
        In drawing order: the legend holder (not in the layer control; it puts the legend
        and the camera caption's data on the map), "Location uncertainty", "Heat map",
        "Incidents" (or the aggregated layers above :data:`MARKER_LIMIT` incidents) and
        "Sites", each present only when asked for and non-empty. Their scripts and
        stylesheets are localized.
    """
    color_ids, colors = color_codes(incidents, options.color_by, ranking=options.actors)
    aggregated = len(incidents) > MARKER_LIMIT

    rings = _ring_rows(incidents, color_ids) if options.show_uncertainty and not aggregated else []
    draw_sites = options.show_sites and sites is not None and len(sites) > 0
    markers = not aggregated and len(incidents) > 0
    symbols = {
        "approximate_dates": markers and bool((incidents["time_precision"] > 1).any()),
        "approximate_places": markers and bool((incidents["geo_precision"] > 1).any()),
        "sizes": markers,
        "rings": bool(rings),
        "sites": draw_sites,
        "grid": aggregated,
    }

    info = folium.FeatureGroup(name="Legend", control=False)
    _MapInfo(len(incidents), options, list(colors.items()), symbols).add_to(info)
    groups = [info]

    if rings:
        group = folium.FeatureGroup(name="Location uncertainty")
        _UncertaintyRings(rings, list(colors.values())).add_to(group)
        groups.append(group)

    if options.show_heatmap and len(incidents):
        groups.append(_heat_group(build_heat_points(incidents, binned=aggregated)))

    if len(incidents):
        group = folium.FeatureGroup(name="Incidents")
        if aggregated:
            add_aggregated_layers(group, incidents, colors, options.color_by)
        else:
            target: MacroElement = group
            if options.show_clusters:
                target = MarkerCluster(
                    control=False, maxClusterRadius=40, icon_create_function=_CLUSTER_ICON_JS
                )
                target.add_to(group)
            _IncidentMarkers(incidents, color_ids, list(colors.values())).add_to(target)
            if not options.show_clusters:  # a cluster spreads a point's incidents itself
                list_colocated(group)
        groups.append(group)

    return _with_sites(groups, sites if draw_sites else None)


def _heat_group(points: list[list[float]]) -> folium.FeatureGroup:
    """Return the "Heat map" layer of ``[lat, lon, weight]`` points."""
    group = folium.FeatureGroup(name="Heat map")
    HeatMap(points, radius=18, blur=15, min_opacity=0.3).add_to(group)
    return group


def _with_sites(
    groups: list[folium.FeatureGroup], sites: gpd.GeoDataFrame | None
) -> list[folium.FeatureGroup]:
    """Add the "Sites" layer when there are sites to draw, and localize every layer."""
    if sites is not None:
        group = folium.FeatureGroup(name="Sites")
        _SiteMarkers(sites).add_to(group)
        groups.append(group)
    for group in groups:
        assets.localize_map(group)  # type: ignore[arg-type]  # any element tree works
    return groups


def build_aggregate_layers(
    total: int,
    colors: dict[str, str],
    clusters: dict[str, Any],
    *,
    options: MapOptions = MapOptions(),
    heat: list[list[float]] | None = None,
    sites: gpd.GeoDataFrame | None = None,
) -> list[folium.FeatureGroup]:
    """Build the layers of a view above :data:`MARKER_LIMIT` from counts made elsewhere.

    The layers :func:`build_incident_layers` draws for that many incidents, when the
    counting ran in a database rather than on a frame.

    Parameters
    ----------
    total : int
        How many incidents the view shows.
    colors : dict of str to str
        Legend label -> colour (see :func:`geo.palette.color_codes`).
    clusters : dict
        See :func:`geo.aggregate.build_cluster_payload`.
    options : MapOptions, optional
    heat : list of [lat, lon, weight], optional
        Drawn when ``options.show_heatmap``.
    sites : GeoDataFrame, optional
        The sites layer, drawn when ``options.show_sites``.

    Returns
    -------
    list of folium.FeatureGroup
        As :func:`build_incident_layers` returns them.
    """
    from geo.aggregate import ClusterLayer

    draw_sites = options.show_sites and sites is not None and len(sites) > 0
    symbols = {"approximate_dates": False, "approximate_places": False, "sizes": False,
               "rings": False, "sites": draw_sites, "grid": True}  # fmt: skip
    info = folium.FeatureGroup(name="Legend", control=False)
    _MapInfo(total, options, list(colors.items()), symbols).add_to(info)
    groups = [info]
    if options.show_heatmap and heat:
        groups.append(_heat_group(heat))
    if total:
        group = folium.FeatureGroup(name="Incidents")
        ClusterLayer(clusters).add_to(group)
        groups.append(group)
    return _with_sites(groups, sites if draw_sites else None)

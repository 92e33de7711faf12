"""The incident map: a stable base map and the incident layers drawn on it.

The map is built in two parts so that a dashboard can keep the user's view while filters
change: :func:`build_base_map` (basemap, controls, camera, styles; it depends on no incident)
and :func:`build_incident_layers` (markers, uncertainty rings, heat map, sites, legend; they
change with the filters). :func:`build_map` puts both together for a standalone page.

Incidents travel to the browser as one compact JSON table (pre-escaped strings stored once,
rows of numbers and string indexes) and a short loop draws them as circle markers on a
canvas, so thousands of incidents cost one script, not thousands of folium objects. Every
text from the data is escaped with :func:`html.escape` in Python before it is sent.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.plugins import Fullscreen, HeatMap, MarkerCluster
from folium.template import Template

from geo import assets, basemap
from geo.aggregate import HEAT_MAX_POINTS, MARKER_LIMIT, add_aggregated_layers
from geo.incidents import point_coordinates
from geo.palette import COLOR_BY, color_codes, legend_items
from geo.schema import GEO_PRECISION, TIME_PRECISION, split_multi
from geo.view import DEFAULT_EXTENT, Extent, Selection, View, data_extent, to_leaflet

# [[south, west], [north, east]] of Iraq and Syria: the view when there is nothing to fit.
# The default extent is the View's, in Leaflet's ((south, west), (north, east)) order.
DEFAULT_BOUNDS: Final = tuple(tuple(corner) for corner in to_leaflet(DEFAULT_EXTENT))
LEGEND_CLEARANCE_PX: Final = (230, 30)
MAX_FIT_ZOOM: Final = 11

# Marker radius in pixels: the area grows with casualties (sqrt scale), within bounds.
RADIUS_MIN: Final = 4.0
RADIUS_MAX: Final = 22.0
RADIUS_PER_SQRT_CASUALTY: Final = 1.8
SIZE_KEY: Final = (0, 10, 100)  # casualties shown in the legend's size key
# Fill opacity by ACLED geo_precision: the less exact the place, the paler the marker.
GEO_PRECISION_OPACITY: Final = {1: 0.9, 2: 0.65, 3: 0.35}
COORD_DECIMALS: Final = 5  # about 1 m
HEAT_GRID_DEGREES: Final = 0.01  # finest grid heat points are summed on above MARKER_LIMIT

SCREENSHOTER_URL: Final = (
    "https://cdn.jsdelivr.net/npm/leaflet-simple-map-screenshoter@0.5.0/dist/"
    "leaflet-simple-map-screenshoter.js"
)
SITES_PANE: Final = ("geoSites", 395)  # above the basemap's town labels, below the incidents
# Neutral cluster discs, so that no cluster colour reads as an event type or actor.
_CLUSTER_ICON_JS: Final = """function (cluster) {
    var n = cluster.getChildCount();
    var size = n < 10 ? 26 : n < 100 ? 32 : n < 1000 ? 38 : 44;
    return L.divIcon({html: "<span>" + n + "</span>", className: "geo-cluster",
                      iconSize: L.point(size, size)});
}"""
_UNUSED_MAP_ASSETS: Final = frozenset(
    {"awesome_markers", "awesome_markers_css", "awesome_markers_font_css"}
)
LEGEND_TITLES: Final = {"event_type": "Event type", "actor": "Actor (side that acted)"}


@dataclass(frozen=True)
class MapOptions:
    """How the map is drawn.

    Attributes
    ----------
    color_by : {"event_type", "actor"}
        Colour markers by ACLED event type or by the acting side (``actor1``).
    basemap : str
        ``"offline"`` (the bundled vector basemap) or the name of one of
        :data:`geo.basemap.ONLINE_BASEMAPS`, shown on opening.
    show_clusters : bool
        Group crowded markers into clusters that show their exact count.
    show_heatmap : bool
        Add a heat-map layer weighted by casualties.
    show_uncertainty : bool
        Draw a dashed ring of ``uncertainty_km`` around incidents that have one.
    show_sites : bool
        Draw the sites layer with permanent name labels.
    title : str
        The camera caption's title.
    caption : str
        The period and active filters, printed under the title in the camera caption.
    actors : tuple of str
        Actors ranked over the whole dataset, so actor colours stay put while filters
        change; empty to rank the incidents shown.
    """

    color_by: str = "event_type"
    basemap: str = "offline"
    show_clusters: bool = True
    show_heatmap: bool = False
    show_uncertainty: bool = True
    show_sites: bool = True
    title: str = "Incidents"
    caption: str = ""
    actors: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.color_by not in COLOR_BY:
            raise ValueError(
                f"color_by must be one of {', '.join(COLOR_BY)}; got {self.color_by!r}"
            )
        choices = ("offline", *basemap.ONLINE_BASEMAPS)
        if self.basemap not in choices:
            raise ValueError(f"basemap must be one of {', '.join(choices)}; got {self.basemap!r}")


# --------------------------------------------------------------------------- public API


def build_map(
    incidents: gpd.GeoDataFrame,
    *,
    sites: gpd.GeoDataFrame | None = None,
    options: MapOptions = MapOptions(),
    bounds: Sequence[Sequence[float]] | None = None,
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
    for group in build_incident_layers(incidents, options=options, sites=sites):
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
    extent = selection.view.extent
    return build_map(
        selection.incidents,
        sites=selection.sites,
        options=map_options_for(selection),
        bounds=to_leaflet(extent) if extent is not None else None,
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
    if options.basemap != "offline":
        _OpenBaseLayer(m, options.basemap).add_to(m)
    Fullscreen(position="topleft", title="Full screen", title_cancel="Exit full screen").add_to(m)
    _PluginAssets().add_to(m)
    _MapStyle().add_to(m)
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
        group = folium.FeatureGroup(name="Heat map")
        HeatMap(_heat_points(incidents, binned=aggregated), radius=18, blur=15,
                min_opacity=0.3).add_to(group)  # fmt: skip
        groups.append(group)

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
        groups.append(group)

    if draw_sites and sites is not None:
        group = folium.FeatureGroup(name="Sites")
        _SiteMarkers(sites).add_to(group)
        groups.append(group)

    for group in groups:
        assets.localize_map(group)  # type: ignore[arg-type]  # any element tree works
    return groups


def incident_bounds(
    incidents: gpd.GeoDataFrame, sites: gpd.GeoDataFrame | None = None
) -> list[list[float]]:
    """Return the view that shows every incident.

    Parameters
    ----------
    incidents : GeoDataFrame
    sites : GeoDataFrame, optional
        Used when there is no incident.

    Returns
    -------
    list
        ``[[south, west], [north, east]]``, padded around a single point; the sites' extent
        when there is no incident, and :data:`DEFAULT_BOUNDS` when there is neither.
    """
    return to_leaflet(data_extent(incidents, sites))


def marker_radius(casualties: Any) -> np.ndarray:
    """Marker radius in pixels for casualty counts (area proportional, bounded).

    Parameters
    ----------
    casualties : array-like of numbers
        Fatalities plus injuries; negative or missing counts as 0.

    Returns
    -------
    numpy.ndarray of float
        Between :data:`RADIUS_MIN` and :data:`RADIUS_MAX`.
    """
    values = np.nan_to_num(np.asarray(casualties, dtype="float64"), nan=0.0).clip(min=0)
    return np.minimum(RADIUS_MAX, RADIUS_MIN + RADIUS_PER_SQRT_CASUALTY * np.sqrt(values))


__all__ = [
    "COLOR_BY",
    "DEFAULT_BOUNDS",
    "MARKER_LIMIT",
    "MapOptions",
    "build_base_map",
    "build_incident_layers",
    "build_layer_control",
    "build_map",
    "incident_bounds",
    "legend_items",
    "marker_radius",
]


# --------------------------------------------------------------------------- data tables


def _script_json(value: Any) -> str:
    """JSON that is safe inside a <script> element (no ``<``, ``>`` or line separators)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):  # fmt: skip
        text = text.replace(char, escaped)
    return text


def _casualties(incidents: pd.DataFrame) -> np.ndarray:
    """Fatalities plus injuries (unreported injuries count as 0)."""
    injuries = incidents["injuries"].astype("Float64").fillna(0).to_numpy(dtype="float64")
    return incidents["fatalities"].to_numpy(dtype="float64") + injuries


def _date_texts(incidents: pd.DataFrame) -> list[str]:
    """Each date as a reader should take it: exact, a range, or approximate."""
    start = incidents["event_date"].dt.strftime("%Y-%m-%d").fillna("date unknown")
    end = incidents["end_date"]
    multi_day = end.notna() & (end != incidents["event_date"])
    text = start.where(~multi_day, start + " to " + end.dt.strftime("%Y-%m-%d"))
    approx = incidents["time_precision"].astype(int).map(_approx_text)
    return (text + approx).tolist()


def _approx_text(precision: int) -> str:
    """Return the note after an approximate date, in the contract's words."""
    if precision <= 1:
        return ""
    return f" (approx.: {TIME_PRECISION.get(precision, 'the day is not known')})"


def _actor_texts(actors: pd.Series, associated: pd.Series) -> list[str]:
    """Each actor with those acting beside them."""
    texts = []
    for actor, assoc in zip(actors, associated, strict=True):
        others = "; ".join(split_multi(assoc))
        texts.append(f"{actor} (with {others})" if actor and others else actor or others)
    return texts


def _place_texts(incidents: pd.DataFrame) -> list[str]:
    """Location, province and country, then how precisely the place is known."""
    texts = []
    columns = ("location", "admin1", "country", "geo_precision", "uncertainty_km")
    for location, admin1, country, precision, radius in zip(
        *(incidents[c] for c in columns), strict=True
    ):
        place = ", ".join(part for part in (location, admin1, country) if part)
        wording = GEO_PRECISION.get(int(precision), "")
        if wording:
            within = f", within {radius:g} km" if radius > 0 else ""  # NaN > 0 is False
            place += f" (geo precision {int(precision)}: {wording}{within})"
        texts.append(place)
    return texts


# Row layout of the incident table; the script below reads these positions.
_ROW_FIELDS: Final = (
    "lat", "lon", "color", "radius", "time_precision", "geo_precision", "fatalities",
    "injuries", "date", "event_type", "sub_event_type", "actor1", "actor2", "place",
    "notes", "source", "source_file", "source_quote",
)  # fmt: skip


def _incident_table(incidents: gpd.GeoDataFrame, color_ids: np.ndarray) -> dict[str, Any]:
    """Build the compact table the marker script draws: strings plus numeric rows.

    Every distinct text is escaped once and stored once; rows refer to it by index.
    """
    texts = [
        _date_texts(incidents),
        incidents["event_type"].tolist(),
        incidents["sub_event_type"].tolist(),
        _actor_texts(incidents["actor1"], incidents["assoc_actor_1"]),
        _actor_texts(incidents["actor2"], incidents["assoc_actor_2"]),
        _place_texts(incidents),
        *(incidents[c].tolist() for c in ("notes", "source", "source_file", "source_quote")),
    ]
    n = len(incidents)
    lon, lat = point_coordinates(incidents)
    codes, uniques = pd.factorize(np.concatenate([np.asarray(t, dtype=object) for t in texts]))
    strings = [html.escape(str(u)) for u in uniques]
    numbers = [
        np.round(lat, COORD_DECIMALS).tolist(),
        np.round(lon, COORD_DECIMALS).tolist(),
        color_ids.astype(int).tolist(),
        np.round(marker_radius(_casualties(incidents)), 1).tolist(),
        incidents["time_precision"].astype(int).tolist(),
        incidents["geo_precision"].astype(int).tolist(),
        incidents["fatalities"].astype(int).tolist(),
        incidents["injuries"].fillna(-1).astype(int).tolist(),
    ]
    columns = numbers + [codes[i * n : (i + 1) * n].tolist() for i in range(len(texts))]
    rows = [list(row) for row in zip(*columns, strict=True)]
    opacity = {str(k): v for k, v in GEO_PRECISION_OPACITY.items()}
    return {"fields": list(_ROW_FIELDS), "strings": strings, "rows": rows, "opacity": opacity}


def _ring_rows(incidents: gpd.GeoDataFrame, color_ids: np.ndarray) -> list[list[float]]:
    """[lat, lon, radius in metres, colour] for each incident with a known uncertainty."""
    radius = incidents["uncertainty_km"].to_numpy(dtype="float64")
    keep = np.isfinite(radius) & (radius > 0)
    if not keep.any():
        return []
    lon, lat = point_coordinates(incidents)
    lats = np.round(lat[keep], COORD_DECIMALS)
    lons = np.round(lon[keep], COORD_DECIMALS)
    metres = np.round(radius[keep] * 1000.0)
    columns = (lats.tolist(), lons.tolist(), metres.astype(int).tolist(),
               color_ids[keep].astype(int).tolist())  # fmt: skip
    return [list(row) for row in zip(*columns, strict=True)]


def _heat_points(incidents: gpd.GeoDataFrame, *, binned: bool) -> list[list[float]]:
    """[lat, lon, weight] with weight casualties + 1; summed on a grid when binned.

    The grid starts at :data:`HEAT_GRID_DEGREES` and doubles until at most
    :data:`~geo.aggregate.HEAT_MAX_POINTS` cells remain, which bounds the payload; each
    cell sits at its weighted centre.
    """
    lon, lat = point_coordinates(incidents)
    weight = _casualties(incidents) + 1.0
    ok = np.isfinite(lat) & np.isfinite(lon)
    return sum_heat_points(lat[ok], lon[ok], weight[ok], binned=binned)


def sum_heat_points(
    lat: np.ndarray,
    lon: np.ndarray,
    weight: np.ndarray,
    *,
    binned: bool = True,
    cell: float = HEAT_GRID_DEGREES,
) -> list[list[float]]:
    """Heat-map ``[lat, lon, weight]`` rows, summed on a doubling grid when binned.

    Parameters
    ----------
    lat, lon, weight : ndarray of float
        Points (or weighted centres of cells smaller than ``cell``) and their weights.
    binned : bool, default True
        Sum until at most :data:`~geo.aggregate.HEAT_MAX_POINTS` rows remain.
    cell : float, default :data:`HEAT_GRID_DEGREES`
        The first grid's cell side in degrees.

    Returns
    -------
    list of [lat, lon, weight]
    """
    while binned and len(lat) > HEAT_MAX_POINTS:
        # A centre stays inside its cell, so summing centres on a doubled grid is exact.
        i = np.floor(lat / cell).astype(np.int64)
        j = np.floor(lon / cell).astype(np.int64)
        cells, _ = pd.factorize((i - i.min()) * (j.max() - j.min() + 1) + (j - j.min()))
        total = np.bincount(cells, weights=weight).astype("float64")
        lat = np.bincount(cells, weights=lat * weight) / total
        lon = np.bincount(cells, weights=lon * weight) / total
        weight = total
        cell *= 2
    return np.column_stack([np.round(lat, COORD_DECIMALS), np.round(lon, COORD_DECIMALS),
                            weight]).tolist()  # fmt: skip


def _legend_html(
    items: list[tuple[str, str]], options: MapOptions, symbols: dict[str, bool]
) -> str:
    """Write the legend drawn on the map; every label is escaped.

    The legend is a ``<details>`` element, open at first: clicking its title folds it away
    when it covers part of the map the user wants to see.
    """
    title = html.escape(LEGEND_TITLES[options.color_by])
    parts = [
        "<details open><summary class='geo-legend-title' title='Fold or open the legend'>"
        f"{title}</summary>"
    ]
    for label, color in items:
        parts.append(
            f"<div class='geo-legend-row'><i class='geo-swatch' style='background:{color}'></i>"
            f"{html.escape(label)}</div>"
        )
    if not items:
        parts.append("<div class='geo-legend-row geo-muted'>No incident matches.</div>")
    if symbols["sizes"]:
        sizes = "".join(
            f"<span class='geo-size'><svg width='{2 * r + 4:.0f}' height='{2 * r + 4:.0f}'>"
            f"<circle cx='{r + 2:.1f}' cy='{r + 2:.1f}' r='{r:.1f}' fill='#bbb' "
            f"stroke='#666' stroke-width='1'/></svg>{n}</span>"
            for n, r in zip(SIZE_KEY, marker_radius(SIZE_KEY), strict=True)
        )
        parts.append("<div class='geo-legend-sub'>Killed + injured</div>")
        parts.append(f"<div class='geo-legend-row'>{sizes}</div>")
    rows = {
        "grid": "<svg width='16' height='16'><circle cx='8' cy='8' r='7' fill='#888' "
        "stroke='#fff'/></svg>Grid clusters: exact incident counts",
        "approximate_dates": "<svg width='16' height='16'><circle cx='8' cy='8' r='5.5' "
        "fill='#fff' stroke='#555' stroke-width='2' stroke-dasharray='3 2'/></svg>"
        "Date approximate (week or month)",
        "approximate_places": "<svg width='16' height='16'><circle cx='8' cy='8' r='5.5' "
        "fill='#555' fill-opacity='0.35' stroke='#fff'/></svg>Paler: place approximate",
        "rings": "<svg width='16' height='16'><circle cx='8' cy='8' r='6.5' fill='none' "
        "stroke='#555' stroke-dasharray='2 2'/></svg>Ring: location uncertainty",
        "sites": "<i class='geo-site-icon'></i>Site (named place)",
    }
    parts += [f"<div class='geo-legend-row'>{row}</div>" for key, row in rows.items()
              if symbols[key]]  # fmt: skip
    parts.append("</details>")
    return "".join(parts)


# --------------------------------------------------------------------------- elements


class _IncidentMarkers(MacroElement):
    """Circle markers for every incident, drawn from one JSON table."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var table = /* incidents */ {{ this.payload }};
            var colors = /* colors */ {{ this.colors }};
            var s = table.strings;
            var target = {{ this._parent.get_name() }};
            function line(label, value) {
                return value ? "<div><span class='geo-label'>" + label + "</span> " + value
                    + "</div>" : "";
            }
            function popup(layer) {
                var r = layer.options.row;
                var casualties = "Killed: " + r[6] + " &middot; injured: "
                    + (r[7] < 0 ? "not reported" : r[7]);
                var type = s[r[9]] + (s[r[10]] ? " &middot; " + s[r[10]] : "");
                var html = "<div class='geo-popup'><div class='geo-popup-date'>" + s[r[8]]
                    + "</div><div class='geo-popup-type'>" + type + "</div>"
                    + line("Actor:", s[r[11]]) + line("Acted upon:", s[r[12]])
                    + line("Casualties:", casualties) + line("Location:", s[r[13]])
                    + (s[r[14]] ? "<p>" + s[r[14]] + "</p>" : "")
                    + line("Source:", s[r[15]]) + line("Article:", s[r[16]])
                    + (s[r[17]] ? "<blockquote>" + s[r[17]] + "</blockquote>" : "")
                    + "</div>";
                return html;
            }
            function tooltip(layer) {
                var r = layer.options.row;
                return s[r[8]] + "<br>" + s[r[9]] + " &middot; " + s[r[13]];
            }
            var markers = table.rows.map(function (r) {
                var color = colors[r[2]];
                var style = r[4] > 1
                    ? {color: color, weight: 2.5, dashArray: "4 3", fillColor: "#ffffff",
                       fillOpacity: 0.75}
                    : {color: "#ffffff", weight: 1, fillColor: color,
                       fillOpacity: table.opacity[r[5]] || 0.9};
                style.radius = r[3];
                style.row = r;
                var marker = L.circleMarker([r[0], r[1]], style);
                marker.bindTooltip(tooltip, {direction: "top", sticky: true});
                marker.bindPopup(popup, {maxWidth: 360, minWidth: 240});
                return marker;
            });
            if (target.addLayers) { target.addLayers(markers); }
            else { markers.forEach(function (m) { target.addLayer(m); }); }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, incidents: gpd.GeoDataFrame, color_ids: np.ndarray, colors: list[str]):
        super().__init__()
        self._name = "IncidentMarkers"
        self.payload = _script_json(_incident_table(incidents, color_ids))
        self.colors = _script_json(colors)


class _UncertaintyRings(MacroElement):
    """Dashed rings of each incident's location uncertainty (radius in metres)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var rings = /* rings */ {{ this.payload }};
            var colors = /* ring-colors */ {{ this.colors }};
            var target = {{ this._parent.get_name() }};
            rings.forEach(function (r) {
                target.addLayer(L.circle([r[0], r[1]], {
                    radius: r[2], color: colors[r[3]], weight: 1.2, opacity: 0.8,
                    dashArray: "5 4", fill: true, fillOpacity: 0.04, interactive: false
                }));
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list[float]], colors: list[str]):
        super().__init__()
        self._name = "UncertaintyRings"
        self.payload = _script_json(rows)
        self.colors = _script_json(colors)


class _SiteMarkers(MacroElement):
    """Named sites: a square symbol with a permanent label."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var sites = /* sites */ {{ this.payload }};
            var target = {{ this._parent.get_name() }};
            sites.forEach(function (r) {
                var marker = L.marker([r[0], r[1]], {
                    icon: L.divIcon({className: "geo-site-icon", iconSize: [9, 9]}),
                    pane: {{ this.pane|tojson }}, keyboard: false
                });
                marker.bindTooltip(r[2], {permanent: true, direction: "right",
                    offset: [6, 0], className: "geo-site-label"});
                marker.bindPopup("<div class='geo-popup'><div class='geo-popup-type'>" + r[2]
                    + "</div>" + r[3] + "</div>");
                target.addLayer(marker);
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, sites: gpd.GeoDataFrame):
        super().__init__()
        self._name = "SiteMarkers"
        self.pane = SITES_PANE[0]
        rows = []
        for row in sites.itertuples(index=False):
            point = row.geometry
            if point is None or point.is_empty:
                continue
            kind = str(getattr(row, "kind", "") or "").replace("_", " ")
            where = ", ".join(str(v) for v in (getattr(row, "admin1", ""),
                                                getattr(row, "country", "")) if v)  # fmt: skip
            radius = getattr(row, "uncertainty_km", math.nan)
            detail = "; ".join(
                part
                for part in (
                    kind,
                    where,
                    f"within {radius:g} km" if isinstance(radius, float) and radius > 0 else "",
                )
                if part
            )
            rows.append([round(point.y, COORD_DECIMALS), round(point.x, COORD_DECIMALS),
                         html.escape(str(row.name)), html.escape(detail)])  # fmt: skip
        self.payload = _script_json(rows)


class _MapInfo(MacroElement):
    """While on the map: the legend control, and the camera caption's data."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var info = /* map-info */ {{ this.payload }};
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "geo-legend");
                div.innerHTML = info.legend_html;
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            var Holder = L.Layer.extend({
                onAdd: function (map) { map.geoMapInfo = info; legend.addTo(map); },
                onRemove: function (map) {
                    if (map.geoMapInfo === info) { delete map.geoMapInfo; }
                    legend.remove();
                }
            });
            {{ this._parent.get_name() }}.addLayer(new Holder());
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        count: int,
        options: MapOptions,
        items: list[tuple[str, str]],
        symbols: dict[str, bool],
    ):
        super().__init__()
        self._name = "MapInfo"
        info = {
            # Raw text for the caption (drawn on a canvas, never parsed as HTML);
            # _script_json keeps "<" out of the page.
            "title": options.title,
            "caption": options.caption,
            "count": f"{count:,} incident{'s' if count != 1 else ''} shown",
            "legend_title": LEGEND_TITLES[options.color_by],
            "legend": [[label, color] for label, color in items],
            **symbols,
            "size_key": list(SIZE_KEY),
            "legend_html": _legend_html(items, options, symbols),
        }
        self.payload = _script_json(info)


class _OpenBaseLayer(MacroElement):
    """Show the chosen online basemap instead of the offline one on opening."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.removeLayer({{ this.offline }});
        {{ this._parent.get_name() }}.addLayer({{ this.online }});
        {% endmacro %}
        """
    )

    def __init__(self, m: folium.Map, name: str):
        super().__init__()
        self._name = "OpenBaseLayer"
        layers = [child for child in m._children.values() if isinstance(child, folium.map.Layer)]
        online = [c for c in layers if isinstance(c, folium.TileLayer) and c.layer_name == name]
        offline = [c for c in layers if not c.overlay and not isinstance(c, folium.TileLayer)]
        if not online or not offline:  # add_online_basemaps() names every ONLINE_BASEMAPS key
            raise ValueError(f"No base layer named {name!r} on the map.")
        self.online = online[0].get_name()
        self.offline = offline[0].get_name()


class _PluginAssets(JSCSSMixin, MacroElement):
    """Loads the clustering and heat-map plugins with the base map.

    streamlit-folium loads scripts only when the map is first mounted, so layers added
    later (``feature_group_to_add``) can only use plugins the base map already loaded.
    """

    _template = Template("{% macro script(this, kwargs) %}{% endmacro %}")
    default_js = [*MarkerCluster.default_js, *HeatMap.default_js]
    default_css = [*MarkerCluster.default_css]

    def __init__(self) -> None:
        super().__init__()
        self._name = "PluginAssets"


class _MapStyle(MacroElement):
    """Styles of the legend, popups and site labels, and the sites' pane."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.createPane({{ this.pane|tojson }}).style.zIndex =
            {{ this.z_index }};
        {% endmacro %}
        {% macro header(this, kwargs) %}
        <style>
        .geo-legend { background: rgba(255,255,255,0.94); padding: 6px 9px; font: 12px/1.35
            Arial, Helvetica, sans-serif; color: #222; border-radius: 4px; max-width: 240px;
            max-height: 60vh; overflow-y: auto; box-shadow: 0 1px 4px rgba(0,0,0,0.3); }
        .geo-legend-title { font-weight: bold; margin-bottom: 3px; cursor: pointer; }
        .geo-legend details:not([open]) .geo-legend-title { margin-bottom: 0; }
        .geo-legend-sub { margin-top: 5px; color: #444; }
        .geo-legend-row { display: flex; align-items: center; gap: 6px; margin: 1px 0; }
        .geo-legend-row svg { flex: none; }
        .geo-muted { color: #666; }
        .geo-swatch { display: inline-block; flex: none; width: 11px; height: 11px;
            border-radius: 50%; border: 1px solid #fff; box-shadow: 0 0 0 1px #999; }
        .geo-size { display: inline-flex; align-items: center; gap: 2px; margin-right: 6px; }
        .geo-site-icon { display: inline-block; flex: none; width: 9px; height: 9px;
            background: #222; border: 1.5px solid #fff; box-shadow: 0 0 0 1px #222;
            box-sizing: border-box; }
        .leaflet-tooltip.geo-site-label { background: rgba(255,255,255,0.85); border: none;
            box-shadow: none; padding: 0 3px; font: bold 11px Arial, Helvetica, sans-serif;
            color: #222; }
        .leaflet-tooltip.geo-site-label:before { display: none; }
        .geo-cluster { display: flex; align-items: center; justify-content: center;
            background: rgba(45,45,45,0.82); color: #fff; border: 2px solid #fff;
            border-radius: 50%; box-shadow: 0 0 0 1px rgba(0,0,0,0.4);
            font: bold 12px Arial, Helvetica, sans-serif; }
        /* Leaflet.heat always draws in the overlay pane: keep it under the markers. */
        .leaflet-overlay-pane canvas.leaflet-heatmap-layer { z-index: -1; }
        .geo-popup { font: 12.5px/1.4 Arial, Helvetica, sans-serif; }
        .geo-popup-date { color: #555; }
        .geo-popup-type { font-weight: bold; margin-bottom: 4px; }
        .geo-popup .geo-label { color: #555; }
        .geo-popup p { margin: 6px 0; }
        .geo-popup blockquote { margin: 6px 0 0; padding: 2px 0 2px 8px;
            border-left: 3px solid #bbb; color: #333; font-style: italic; }
        </style>
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MapStyle"
        self.pane, self.z_index = SITES_PANE


class _Camera(JSCSSMixin, MacroElement):
    """A camera button saving the current view as a PNG with a caption block.

    The view is captured by leaflet-simple-map-screenshoter (controls hidden, scale bar
    kept); the caption block under it is drawn from what the incident layers put on the
    map (``map.geoMapInfo``) and the attributions of the layers shown. ``map.geoSnapshot()``
    returns the finished canvas (a Promise), for tests and other callers.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var camera = L.simpleMapScreenshoter({
                position: "topleft", preventDownload: true, mimeType: "image/png",
                cropImageByInnerWH: false,
                domtoimageOptions: {filter: function (node) {
                    /* off-screen elements are not even copied: copying styles is slow */
                    return !(node.classList && node.classList.contains("geo-offscreen"));
                }},
                hideElementsWithSelectors: [".leaflet-top", ".leaflet-control-attribution",
                                            ".geo-legend", ".leaflet-popup-pane"]
            }).addTo(map);
            var link = camera.getContainer().querySelector("a");
            if (link) { link.title = "Save this view as a PNG"; }

            function attribution() {
                var parts = [];
                Object.keys(map.attributionControl ? map.attributionControl._attributions
                                                   : {}).forEach(function (a) {
                    var div = document.createElement("div");
                    div.innerHTML = a;  /* attributions are the app's own constants */
                    var text = div.textContent.trim();
                    if (text && parts.indexOf(text) < 0) { parts.push(text); }
                });
                parts.push("Leaflet");
                return parts.join(" | ");
            }
            function wrap(ctx, text, width) {
                var lines = [], line = "";
                String(text).split(/\\s+/).forEach(function (word) {
                    var next = line ? line + " " + word : word;
                    if (line && ctx.measureText(next).width > width) {
                        lines.push(line); line = word;
                    } else { line = next; }
                });
                if (line) { lines.push(line); }
                return lines;
            }
            function caption(ctx, width, draw) {
                var info = map.geoMapInfo || {title: "", caption: "", count: "", legend: [],
                                              legend_title: ""};
                var pad = 12, y = pad, font = "Arial, Helvetica, sans-serif";
                function text(value, size, color, bold) {
                    ctx.font = (bold ? "bold " : "") + size + "px " + font;
                    wrap(ctx, value, width - 2 * pad).forEach(function (l) {
                        if (draw) { ctx.fillStyle = color; ctx.fillText(l, pad, y + size); }
                        y += size + 4;
                    });
                }
                if (info.title) { text(info.title, 17, "#111", true); }
                if (info.caption) { text(info.caption, 13, "#222", false); }
                if (info.count) { text(info.count, 13, "#222", false); }
                y += 4;
                ctx.font = "12px " + font;
                var x = pad, rowH = 18;
                function item(label, symbol) {
                    var w = 18 + ctx.measureText(label).width + 14;
                    if (x + w > width - pad && x > pad) { x = pad; y += rowH; }
                    if (draw) {
                        symbol(x + 6, y + 8);
                        ctx.fillStyle = "#222"; ctx.font = "12px " + font;
                        ctx.fillText(label, x + 16, y + 12);
                    }
                    x += w;
                }
                function disc(color, r, hollow, dashed) {
                    return function (cx, cy) {
                        ctx.beginPath(); ctx.arc(cx, cy, r, 0, 2 * Math.PI);
                        ctx.setLineDash(dashed ? [3, 2] : []);
                        ctx.fillStyle = hollow ? "#ffffff" : color; ctx.fill();
                        ctx.lineWidth = hollow ? 2 : 1;
                        ctx.strokeStyle = hollow ? color : "#888"; ctx.stroke();
                        ctx.setLineDash([]);
                    };
                }
                if (info.legend_title) {
                    ctx.font = "bold 12px " + font;
                    var head = info.legend_title + ":";
                    if (draw) { ctx.fillStyle = "#222"; ctx.fillText(head, x, y + 12); }
                    x += ctx.measureText(head).width + 10;
                    ctx.font = "12px " + font;
                }
                info.legend.forEach(function (entry) {
                    item(entry[0], disc(entry[1], 5, false, false));
                });
                if (info.sizes) {
                    item("size: killed + injured (" + info.size_key.join(", ") + ")",
                         disc("#bbbbbb", 6, false, false));
                }
                if (info.grid) {
                    item("grid clusters: exact incident counts",
                         disc("#888888", 6, false, false));
                }
                if (info.approximate_dates) {
                    item("date approximate", disc("#555555", 5, true, true));
                }
                if (info.rings) {
                    item("ring: location uncertainty", disc("#555555", 6, true, true));
                }
                if (info.sites) {
                    item("site (named place)", function (cx, cy) {
                        ctx.fillStyle = "#222222"; ctx.fillRect(cx - 4, cy - 4, 8, 8);
                    });
                }
                y += rowH + 4;
                text(attribution(), 11, "#555", false);
                return y + pad - 4;
            }
            function hideOutside() {
                /* dom-to-image draws the container's whole scroll area, which markers and
                   labels off screen (and Leaflet's zoom proxy) stretch to thousands of
                   pixels; hide them while the picture is taken. */
                var box = map.getContainer().getBoundingClientRect(), hidden = [];
                map.getContainer().querySelectorAll(
                    ".leaflet-marker-icon, .leaflet-tooltip, .leaflet-proxy"
                ).forEach(function (el) {
                    var r = el.getBoundingClientRect();
                    if (el.classList.contains("leaflet-proxy") || r.right < box.left
                            || r.left > box.right || r.bottom < box.top || r.top > box.bottom) {
                        hidden.push([el, el.style.display]);
                        el.style.display = "none";
                        el.classList.add("geo-offscreen");
                    }
                });
                return function () {
                    hidden.forEach(function (h) {
                        h[0].style.display = h[1];
                        h[0].classList.remove("geo-offscreen");
                    });
                };
            }
            map.geoSnapshot = function () {
                var restore = hideOutside();
                var shot = camera.takeScreen("canvas");
                shot.then(restore, restore);
                return shot.then(function (view) {
                    /* The capture spans the container's scroll size (the canvas renderer
                       overflows it); keep exactly the visible map. */
                    var size = map.getSize(), w = size.x, h = size.y;
                    var out = document.createElement("canvas");
                    var ctx = out.getContext("2d");
                    out.width = w;
                    var height = caption(ctx, w, false);
                    out.height = h + height;
                    ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, out.width, out.height);
                    ctx.drawImage(view, 0, 0, w, h, 0, 0, w, h);
                    ctx.strokeStyle = "#999"; ctx.lineWidth = 1;
                    ctx.beginPath(); ctx.moveTo(0, h + 0.5); ctx.lineTo(w, h + 0.5); ctx.stroke();
                    ctx.translate(0, h);
                    caption(ctx, w, true);
                    return out;
                });
            };
            map.on("simpleMapScreenshoter.click", function () {
                map.geoSnapshot().then(function (canvas) {
                    canvas.toBlob(function (blob) {
                        var a = document.createElement("a");
                        var title = (map.geoMapInfo && map.geoMapInfo.title) || "map";
                        a.download = title.replace(/[^A-Za-z0-9._-]+/g, "_") + ".png";
                        a.href = URL.createObjectURL(blob);
                        document.body.appendChild(a); a.click(); a.remove();
                        setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
                    }, "image/png");
                }).catch(function (error) { console.error("Map snapshot failed", error); });
            });
        })();
        {% endmacro %}
        """
    )

    default_js = [("leaflet-simple-map-screenshoter", SCREENSHOTER_URL)]

    def __init__(self) -> None:
        super().__init__()
        self._name = "Camera"


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
        group = folium.FeatureGroup(name="Heat map")
        HeatMap(heat, radius=18, blur=15, min_opacity=0.3).add_to(group)
        groups.append(group)
    if total:
        group = folium.FeatureGroup(name="Incidents")
        ClusterLayer(clusters).add_to(group)
        groups.append(group)
    if draw_sites and sites is not None:
        group = folium.FeatureGroup(name="Sites")
        _SiteMarkers(sites).add_to(group)
        groups.append(group)
    for group in groups:
        assets.localize_map(group)  # type: ignore[arg-type]  # any element tree works
    return groups

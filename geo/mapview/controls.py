"""Map elements around the incidents: legend and caption data, base layer, styles."""

from __future__ import annotations

import html
from typing import Final

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.plugins import HeatMap, MarkerCluster
from folium.template import Template

from geo.basemap import ONLINE_BASEMAPS
from geo.mapview.options import SITES_PANE, MapOptions
from geo.symbology import (
    SIZE_KEY,
    legend_title,
    marker_radius,
)
from geo.webtext import script_json

# Below this map size (CSS pixels) the legend opens folded, so it does not hide the data.
LEGEND_FOLD_SIZE: Final = (760, 420)


def _legend_html(
    items: list[tuple[str, str]], options: MapOptions, symbols: dict[str, bool]
) -> str:
    """Write the legend drawn on the map; every label is escaped.

    The legend is a ``<details>`` element, open at first: clicking its title folds it away
    when it covers part of the map the user wants to see.
    """
    title = html.escape(legend_title(options.color_by))
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


class _MapInfo(MacroElement):
    """While on the map: the legend control, and the camera caption's data."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var info = /* map-info */ {{ this.payload }};
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function (map) {
                var div = L.DomUtil.create("div", "geo-legend");
                div.innerHTML = info.legend_html;
                // Folded at first on a small map; then as the user left it, whatever
                // the layers swapped since.
                var details = div.querySelector("details"), size = map.getSize();
                if (details) {
                    details.open = map.geoLegendOpen !== undefined ? map.geoLegendOpen
                        : size.x >= {{ this.fold_width }} && size.y >= {{ this.fold_height }};
                    details.addEventListener("toggle", function () {
                        map.geoLegendOpen = details.open;
                    });
                }
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
        from geo.export import export_filename  # geo.export builds on this package

        super().__init__()
        self._name = "MapInfo"
        shown = f"{count:,} incident{'s' if count != 1 else ''} shown"
        info = {
            # Raw text for the caption (drawn on a canvas, never parsed as HTML);
            # script_json keeps "<" out of the page.
            "title": options.title,
            "filename": export_filename(options.title, "png"),
            "caption": options.caption,
            # The caption already ends with the count (describe_caption): say it once.
            "count": "" if options.caption else shown,
            "sources": f"Sources: {options.sources}" if options.sources else "",
            "legend_title": legend_title(options.color_by),
            "legend": [[label, color] for label, color in items],
            **symbols,
            "size_key": list(SIZE_KEY),
            "legend_html": _legend_html(items, options, symbols),
        }
        self.payload = script_json(info)
        self.fold_width, self.fold_height = LEGEND_FOLD_SIZE


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


# Shown on the map while an online basemap is chosen but none of its tiles can load.
OFFLINE_TILES_NOTE: Final = (
    "Online tiles cannot load: this machine is offline; choose the offline basemap."
)


class _OfflineTilesNote(MacroElement):
    """A note on the map, instead of a blank background, when online tiles cannot load.

    Each online tile layer counts its loaded tiles; a tile error while none has loaded
    shows the note, a loaded tile or leaving the layer hides it.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var note = L.DomUtil.create("div", "geo-map-note", map.getContainer());
            note.setAttribute("role", "status");
            note.hidden = true;
            L.DomEvent.disableClickPropagation(note);
            [{{ this.layers|join(", ") }}].forEach(function (layer) {
                var loaded = 0;
                layer.on("add", function () { loaded = 0; });
                layer.on("tileload", function () { loaded += 1; note.hidden = true; });
                layer.on("tileerror", function () {
                    if (!loaded && map.hasLayer(layer)) {
                        note.textContent = {{ this.text|tojson }};
                        note.hidden = false;
                    }
                });
                layer.on("remove", function () { note.hidden = true; });
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, m: folium.Map):
        super().__init__()
        self._name = "OfflineTilesNote"
        self.text = OFFLINE_TILES_NOTE
        self.layers = [
            child.get_name()
            for child in m._children.values()
            if isinstance(child, folium.TileLayer) and child.layer_name in ONLINE_BASEMAPS
        ]


class _ViewChanges(MacroElement):
    """``map.geoAfterViewChange(job)``: run a job once per frame after the view or layers change.

    Pans, zooms, resizes and layers added or removed (streamlit-folium swaps the incident
    layers on every rerun), and the cluster animations that follow a zoom. Jobs that measure
    the page (label collisions, keyboard stand-ins) then run once per frame, not per event.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }}, jobs = [], pending = false;
            function run() {
                pending = false;
                jobs.forEach(function (job) { job(); });
            }
            function schedule() {
                if (!pending) { pending = true; requestAnimationFrame(run); }
            }
            map.on("zoomend moveend resize layeradd layerremove", schedule);
            map.on("layeradd", function (e) {
                /* clusters split and merge in an animation after the zoom itself */
                if (L.MarkerClusterGroup && e.layer instanceof L.MarkerClusterGroup
                        && !e.layer.geoWatched) {
                    e.layer.geoWatched = true;
                    e.layer.on("animationend spiderfied unspiderfied", schedule);
                }
            });
            map.geoAfterViewChange = function (job) { jobs.push(job); schedule(); };
        })();
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "ViewChanges"


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
        /* Leave the scale bar its corner: a long attribution wraps instead of covering it. */
        .leaflet-container .leaflet-control-attribution { max-width: calc(100vw - 150px); }
        .geo-map-note { position: absolute; z-index: 1000; left: 50%; top: 42%;
            transform: translate(-50%, -50%); max-width: 70%; padding: 10px 14px;
            background: #fff8e1; border: 1px solid #c9a227; border-radius: 4px;
            font: 14px/1.4 Arial, Helvetica, sans-serif; color: #3d3000;
            box-shadow: 0 1px 4px rgba(0,0,0,0.3); text-align: center; }
        .geo-map-note[hidden] { display: none; }
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

"""Leaflet layers of the offline basemap: the vector layers and the raster tiles."""

from __future__ import annotations

from typing import Any

from folium.map import Layer
from folium.template import Template

from geo import tiles
from geo.basemap.settings import (
    BORDER_COLOR,
    LAND_COLOR,
    MAX_ZOOM,
    PROVINCE_COLOR,
    REGION_BBOX,
    RIVER_COLOR,
    SEA_COLOR,
)

# Shared loader: each file is fetched once per page and may be pre-filled (standalone export).
_LOADER_JS = """
if (!window.geoBasemap) {
  window.geoBasemap = {
    cache: {},
    load: function (url) {
      var inline = window.geoBasemapData && window.geoBasemapData[url.split("?")[0]];
      if (inline) { return Promise.resolve(inline); }
      if (!this.cache[url]) {
        this.cache[url] = fetch(url).then(function (r) {
          if (!r.ok) { throw new Error("basemap " + url + ": HTTP " + r.status); }
          return r.json();
        });
      }
      return this.cache[url];
    },
    pane: function (map, name, zIndex) {
      var pane = map.getPane(name) || map.createPane(name);
      pane.style.zIndex = zIndex;
      pane.style.pointerEvents = "none";
      return name;
    },
    townStyle: function () {
      if (document.getElementById("geo-basemap-style")) { return; }
      var style = document.createElement("style");
      style.id = "geo-basemap-style";
      style.textContent =
        ".geo-town{white-space:nowrap;font:11px/1.2 'DejaVu Sans',Arial,sans-serif;" +
        "color:#3d3d3d;text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff;}" +
        ".geo-town::before{content:'';display:inline-block;width:4px;height:4px;" +
        "margin:0 3px 1px -2px;border-radius:50%;background:#555;}" +
        ".geo-town.geo-big{font-weight:bold;font-size:12px;}";
      document.head.appendChild(style);
    }
  };
}
"""


_STYLES: dict[str, dict[str, Any]] = {
    "land": {"stroke": False, "fill": True, "fillColor": LAND_COLOR, "fillOpacity": 1},
    "countries": {"color": BORDER_COLOR, "weight": 1.1, "fill": False, "opacity": 0.9},
    "admin1": {
        "color": PROVINCE_COLOR,
        "weight": 0.7,
        "dashArray": "3 3",
        "fill": False,
        "opacity": 0.9,
    },
    "rivers": {"color": RIVER_COLOR, "weight": 1, "fillColor": SEA_COLOR, "fillOpacity": 1},
}


# Pane z-indexes: land under online tiles (200), lines over them, labels under incidents (400+).
_PANES: dict[str, tuple[str, int]] = {
    "land": ("geoBasemapLand", 150),
    "rivers": ("geoBasemapRivers", 240),
    "admin1": ("geoBasemapProvinces", 245),
    "countries": ("geoBasemapBorders", 250),
    "towns": ("geoBasemapLabels", 390),
}


# Smallest population labelled at each zoom level (index = zoom, last value applies above).
TOWN_ZOOM_POPULATION: tuple[int, ...] = (
    10_000_000, 10_000_000, 8_000_000, 5_000_000, 2_000_000, 1_000_000, 300_000,
    100_000, 40_000, 0,
)  # fmt: skip


class OfflineBasemapLayer(Layer):
    """One offline basemap layer whose GeoJSON the browser fetches from the app.

    Parameters
    ----------
    kind : {'land', 'countries', 'admin1', 'rivers', 'towns'}
        What to draw; ``land`` is the filled base drawn from the countries file.
    url : str
        Where the browser fetches the GeoJSON, e.g. ``/app/static/basemap/rivers.geojson``.
    name : str
        The name shown in the layer control.
    overlay : bool, default True
        Overlay (check box) or base layer (radio button).
    show : bool, default True
        Whether the layer is shown when the map opens.
    attribution : str, optional
        Text that Leaflet's attribution control shows while the layer is on the map.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.loader }}
        var {{ this.get_name() }} = (function () {
            var map = {{ this._parent.get_name() }};
            var kind = {{ this.kind|tojson }};
            var pane = window.geoBasemap.pane(map, {{ this.pane|tojson }}, {{ this.z_index }});
            {%- if this.kind == "land" %}
            map.getContainer().style.background = {{ this.sea_color|tojson }};
            {%- endif %}
            {%- if this.kind == "towns" %}
            window.geoBasemap.townStyle();
            var group = L.layerGroup([], {
                pane: pane, attribution: {{ this.attribution|tojson }}
            });
            var thresholds = {{ this.town_zoom_population|tojson }};
            var towns = [];
            function minPopulation() {
                var z = Math.max(0, Math.round(map.getZoom()));
                return thresholds[Math.min(z, thresholds.length - 1)];
            }
            // Greedy placement, largest towns first: a label that would overlap one
            // already placed is left out at this zoom. Boxes are bucketed in a grid.
            function refresh() {
                var min = minPopulation(), grid = {}, size = 64;
                function cells(b, visit) {
                    var x1 = Math.floor(b[2] / size), y1 = Math.floor(b[3] / size);
                    for (var gx = Math.floor(b[0] / size); gx <= x1; gx++) {
                        for (var gy = Math.floor(b[1] / size); gy <= y1; gy++) {
                            if (visit(gx + ":" + gy)) { return true; }
                        }
                    }
                    return false;
                }
                function overlaps(b) {
                    return cells(b, function (key) {
                        return (grid[key] || []).some(function (o) {
                            return b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3];
                        });
                    });
                }
                towns.forEach(function (marker) {
                    var want = marker.population >= min;
                    if (want) {
                        var p = map.latLngToLayerPoint(marker.getLatLng());
                        var box = [p.x - 5, p.y - 9, p.x + marker.labelWidth, p.y + 9];
                        want = !overlaps(box);
                        if (want) { cells(box, function (key) {
                            (grid[key] = grid[key] || []).push(box); return false;
                        }); }
                    }
                    if (want && !group.hasLayer(marker)) { group.addLayer(marker); }
                    if (!want && group.hasLayer(marker)) { group.removeLayer(marker); }
                });
            }
            map.on("zoomend", refresh);
            window.geoBasemap.load({{ this.url|tojson }}).then(function (data) {
                data.features.forEach(function (f) {
                    var c = f.geometry.coordinates;
                    var label = document.createElement("span");
                    label.textContent = f.properties.name;
                    label.className = "geo-town" + (
                        f.properties.population >= 1000000 ? " geo-big" : "");
                    var marker = L.marker([c[1], c[0]], {
                        icon: L.divIcon({className: "", html: label, iconSize: null,
                                         iconAnchor: [0, 7]}),
                        pane: pane, interactive: false, keyboard: false
                    });
                    marker.population = f.properties.population;
                    marker.rank = f.properties.rank;
                    // Width estimate from the name's length: measuring would force layouts.
                    marker.labelWidth = f.properties.name.length * (
                        f.properties.population >= 1000000 ? 7.5 : 6.5) + 6;
                    towns.push(marker);
                });
                towns.sort(function (a, b) { return b.rank - a.rank; });
                refresh();
            });
            return group;
            {%- else %}
            var layer = L.geoJSON(null, {
                pane: pane,
                interactive: false,
                attribution: {{ this.attribution|tojson }},
                style: function (f) {
                    var style = Object.assign({}, {{ this.style|tojson }});
                    if (kind === "rivers" && f.properties.kind === "lake") {
                        style.color = {{ this.river_color|tojson }}; style.weight = 0.6;
                        style.fill = true;
                    } else if (kind === "rivers") { style.fill = false; }
                    return style;
                }
            });
            window.geoBasemap.load({{ this.url|tojson }}).then(function (data) {
                layer.addData(data);
            });
            return layer;
            {%- endif %}
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        kind: str,
        url: str,
        name: str,
        *,
        overlay: bool = True,
        show: bool = True,
        attribution: str = "",
    ):
        super().__init__(name=name, overlay=overlay, control=True, show=show)
        self._name = "OfflineBasemapLayer"
        if kind not in _STYLES and kind != "towns":
            raise ValueError(f"Unknown basemap layer kind {kind!r}.")
        self.kind = kind
        self.url = url
        self.style = _STYLES.get(kind, {})
        self.pane, self.z_index = _PANES[kind]
        self.attribution = attribution
        self.sea_color = SEA_COLOR
        self.river_color = RIVER_COLOR
        self.town_zoom_population = list(TOWN_ZOOM_POPULATION)
        self.loader = _LOADER_JS


class OfflineTileLayer(Layer):
    """The offline basemap as raster tiles: land, rivers, provinces and borders in one image.

    Two Leaflet tile layers in one group: the world up to :data:`geo.tiles.WORLD_MAX_ZOOM`,
    scaled up beyond it, and under it the region's closer tiles up to
    :data:`geo.tiles.MAX_NATIVE_ZOOM`, requested only inside :data:`REGION_BBOX`.

    Parameters
    ----------
    url : str
        The tile URL template, ``/app/static/basemap/tiles/<version>/{z}/{x}/{y}.png``.
    name : str
        The name shown in the layer control.
    overlay : bool, default False
        Base layer (radio button) or overlay.
    attribution : str, optional
        Text that Leaflet's attribution control shows while the layer is on the map.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.loader }}
        var {{ this.get_name() }} = (function () {
            var map = {{ this._parent.get_name() }};
            var pane = window.geoBasemap.pane(map, {{ this.pane|tojson }}, {{ this.z_index }});
            map.getContainer().style.background = {{ this.sea_color|tojson }};
            var options = {tileSize: 256, pane: pane, maxZoom: {{ this.max_zoom }},
                           className: "geo-basemap-tile", keepBuffer: 4};
            return L.layerGroup([
                L.tileLayer({{ this.url|tojson }}, Object.assign({}, options, {
                    maxNativeZoom: {{ this.world_max_zoom }},
                    attribution: {{ this.attribution|tojson }}
                })),
                L.tileLayer({{ this.url|tojson }}, Object.assign({}, options, {
                    minZoom: {{ this.world_max_zoom + 1 }},
                    maxNativeZoom: {{ this.max_native_zoom }},
                    bounds: {{ this.region_bounds|tojson }}
                }))
            ]);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, url: str, name: str, *, overlay: bool = False, attribution: str = ""):
        super().__init__(name=name, overlay=overlay, control=True, show=True)
        self._name = "OfflineTileLayer"
        self.url = url
        self.attribution = attribution
        self.pane, self.z_index = _PANES["land"]
        self.sea_color = SEA_COLOR
        self.max_zoom = MAX_ZOOM
        self.world_max_zoom = tiles.WORLD_MAX_ZOOM
        self.max_native_zoom = tiles.MAX_NATIVE_ZOOM
        lon_min, lat_min, lon_max, lat_max = REGION_BBOX
        self.region_bounds = [[lat_min, lon_min], [lat_max, lon_max]]
        self.loader = _LOADER_JS


RASTER_LAYERS: tuple[str, ...] = ("countries", "admin1", "rivers")  # drawn into the tiles

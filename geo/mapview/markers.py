"""Map elements drawn from the tables: incident markers, uncertainty rings, sites."""

from __future__ import annotations

import html
import math

import geopandas as gpd
import numpy as np
from branca.element import MacroElement
from folium.template import Template

from geo.mapview.options import COORD_DECIMALS, SITES_PANE
from geo.mapview.tables import _incident_table
from geo.webtext import script_json


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
                var casualties = "Killed: " + (r[6] < 0 ? "not recorded" : r[6])
                    + " &middot; injured: " + (r[7] < 0 ? "not recorded" : r[7]);
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
            var markers = table.rows.map(function (r, order) {
                var color = colors[r[2]];
                var style = r[4] > 1
                    ? {color: color, weight: 2.5, dashArray: "4 3", fillColor: "#ffffff",
                       fillOpacity: 0.75}
                    : {color: "#ffffff", weight: 1, fillColor: color,
                       fillOpacity: table.opacity[r[5]] || 0.9};
                style.radius = r[3];
                style.row = r;
                /* the keyboard stand-in's name (still escaped; decoded as text there) */
                style.label = s[r[8]] + ", " + s[r[9]] + ", " + s[r[13]];
                style.order = order;
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
        self.payload = script_json(_incident_table(incidents, color_ids))
        self.colors = script_json(colors)


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
        self.payload = script_json(rows)
        self.colors = script_json(colors)


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
        self.payload = script_json(rows)

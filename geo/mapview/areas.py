"""Areas on the interactive map: the drawing tools, the area filtered to, provinces shaded.

The drawing tools (Leaflet.draw, through folium's ``Draw``) belong to the base map, which
loads their script once; the dashboard reads what is drawn back from streamlit-folium.
The outline of the area a view is filtered to and the choropleth of provinces are layers
that change with the view, drawn beside the incident layers.
"""

from __future__ import annotations

import html
from typing import Any, Final

import folium
import shapely
from branca.element import MacroElement
from folium.plugins import Draw
from folium.template import Template

from geo import assets
from geo.areas import BBox, Ring
from geo.filters import IncidentFilter
from geo.provinces import ProvinceCounts
from geo.webtext import script_json

AREA_COLOR: Final = "#1f4e9c"
CHOROPLETH_LAYER: Final = "Provinces shaded"
# Province outlines are simplified for the browser: about 500 m, invisible at province scale.
CHOROPLETH_SIMPLIFY_DEGREES: Final = 0.005


def add_area_drawing(m: folium.Map) -> folium.Map:
    """Add the rectangle and polygon drawing tools to a base map (top left).

    Parameters
    ----------
    m : folium.Map
        The base map.

    Returns
    -------
    folium.Map
        The same map, with Leaflet.draw's script and stylesheet served by the app.
    """
    Draw(
        position="topleft",
        show_geometry_on_click=False,
        draw_options={
            "polyline": False,
            "circle": False,
            "marker": False,
            "circlemarker": False,
            "rectangle": {"shapeOptions": {"color": AREA_COLOR, "weight": 2}},
            "polygon": {"allowIntersection": False,
                        "shapeOptions": {"color": AREA_COLOR, "weight": 2}},
        },  # fmt: skip
        # The sidebar's button clears the area; the drawn shape gives way to its outline.
        edit_options={"edit": False, "remove": False},
    ).add_to(m)
    return assets.localize_map(m)


def area_outline(flt: IncidentFilter) -> list[list[list[float]]]:
    """Return the filter's box and polygon as Leaflet rings of ``[lat, lon]`` (none when unset)."""
    rings: list[list[list[float]]] = []
    if flt.bbox is not None:
        rings.append(_box_ring(flt.bbox))
    if flt.area:
        rings.append(_lat_lon(flt.area))
    return rings


def _box_ring(bbox: BBox) -> list[list[float]]:
    west, south, east, north = bbox
    return [[south, west], [north, west], [north, east], [south, east]]


def _lat_lon(ring: Ring) -> list[list[float]]:
    return [[lat, lon] for lon, lat in ring]


class _AreaOutline(MacroElement):
    """Dashed outlines of the area filtered to (they take no clicks), instead of the drawing.

    The shapes Leaflet.draw keeps (``drawnItems``, as streamlit-folium names them) are
    removed: the outline shows the area the page is filtered to, and a cleared area
    leaves nothing drawn.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        if (typeof drawnItems !== "undefined" && drawnItems.clearLayers) {
            drawnItems.clearLayers();
        }
        {{ this.rings }}.forEach(function (ring) {
            L.polygon(ring, {color: {{ this.color|tojson }}, weight: 2, dashArray: "6 4",
                             fill: false, interactive: false})
                .addTo({{ this._parent.get_name() }});
        });
        {% endmacro %}
        """
    )

    def __init__(self, rings: list[list[list[float]]]) -> None:
        super().__init__()
        self._name = "AreaOutline"
        self.rings = script_json(rings)
        self.color = AREA_COLOR


def build_area_layer(flt: IncidentFilter) -> folium.FeatureGroup:
    """Build the layer outlining the view's box or polygon (empty without one).

    Not in the layer control: it shows what the page is filtered to.
    """
    group = folium.FeatureGroup(name="Area filter", control=False)
    _AreaOutline(area_outline(flt)).add_to(group)
    return group


def choropleth_features(counts: ProvinceCounts) -> dict[str, Any]:
    """Return the shaded provinces as GeoJSON: simplified outline, colour, escaped label."""
    features = []
    noun = counts.measure
    for row in counts.provinces.itertuples(index=False):
        geometry = shapely.simplify(row.geometry, CHOROPLETH_SIMPLIFY_DEGREES)
        place = f"{html.escape(str(row.name))} ({html.escape(str(row.country))})"
        label = f"{place}: {row.value:,} {noun}"
        features.append(
            {
                "type": "Feature",
                "properties": {"color": row.color, "label": label},
                "geometry": shapely.geometry.mapping(geometry),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def choropleth_legend_html(counts: ProvinceCounts) -> str:
    """Write the choropleth's legend; the class labels are numbers, the title fixed text."""
    rows = "".join(
        f"<div class='geo-legend-row'><i class='geo-swatch' style='background:{color};"
        f"border-radius:0'></i>{html.escape(label)}</div>"
        for color, label in counts.legend_rows()
    )
    if not rows:
        rows = "<div class='geo-legend-row geo-muted'>No incident in a province.</div>"
    note = (
        f"<div class='geo-legend-sub'>{counts.outside:,} outside every province</div>"
        if counts.outside
        else ""
    )
    return f"<b>{html.escape(counts.title)}</b>{rows}{note}"


class _Choropleth(MacroElement):
    """Shaded provinces with a tooltip each, and their legend while the layer is on."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var group = {{ this._parent.get_name() }};
            L.geoJSON({{ this.features }}, {
                style: function (f) {
                    return {color: "#555", weight: 0.8, fillColor: f.properties.color,
                            fillOpacity: 0.55};
                },
                onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.label); }
            }).addTo(group);
            var legend = L.control({position: "bottomleft"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "geo-legend geo-choropleth-legend");
                div.innerHTML = {{ this.legend }};
                return div;
            };
            // A layer of the group adds the legend: it is on the map while the group is.
            var Holder = L.Layer.extend({
                onAdd: function (map) { legend.addTo(map); },
                onRemove: function () { legend.remove(); }
            });
            group.addLayer(new Holder());
        })();
        {% endmacro %}
        """
    )

    def __init__(self, counts: ProvinceCounts) -> None:
        super().__init__()
        self._name = "Choropleth"
        self.features = script_json(choropleth_features(counts))
        self.legend = script_json(choropleth_legend_html(counts))


def build_choropleth_layer(counts: ProvinceCounts) -> folium.FeatureGroup:
    """Build the "Provinces shaded" layer: a toggle in the layer control, under the markers.

    Parameters
    ----------
    counts : ProvinceCounts
        From :func:`geo.provinces.count_by_province` for the incidents shown.

    Returns
    -------
    folium.FeatureGroup
    """
    group = folium.FeatureGroup(name=CHOROPLETH_LAYER)
    _Choropleth(counts).add_to(group)
    assets.localize_map(group)  # type: ignore[arg-type]  # any element tree works
    return group

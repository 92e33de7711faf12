"""Site labels that yield to the data: hidden where they would cover a marker or a label."""

from __future__ import annotations

from branca.element import MacroElement
from folium.template import Template


class _LabelDeclutter(MacroElement):
    """Hide each site label whose box overlaps an incident, a cluster or a label kept before.

    The report places its labels the same way (:class:`geo.report.labels.LabelPlacer`):
    data first, names where they fit. Labels are measured in the page after every zoom,
    pan, layer change and cluster animation, so the choice follows the view. Circle markers
    are drawn on a canvas and have no element: their discs are projected from the map.
    ``map.geoDeclutter()`` runs one pass at once (the camera calls it before a picture).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }}, pending = false;
            function hit(a, b) {
                return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
            }
            function boxOf(el) {
                var r = el.getBoundingClientRect();
                return [r.left, r.top, r.right, r.bottom];
            }
            function declutter() {
                pending = false;
                var origin = map.getContainer().getBoundingClientRect();
                var obstacles = [], sites = [];
                map.eachLayer(function (layer) {
                    var tip = layer.getTooltip && layer.getTooltip();
                    if (layer.options && layer.options.row && layer.getRadius) {
                        var p = map.latLngToContainerPoint(layer.getLatLng());
                        var r = layer.getRadius() + 1;  /* the white rim */
                        obstacles.push([origin.left + p.x - r, origin.top + p.y - r,
                                        origin.left + p.x + r, origin.top + p.y + r]);
                    } else if (layer._icon && !(tip && tip.options.permanent)) {
                        obstacles.push(boxOf(layer._icon));  /* cluster discs and counts */
                    }
                    if (tip && tip.options.permanent && tip._container && layer._icon) {
                        sites.push([tip._container, layer._icon]);
                    }
                });
                /* Other sites' squares are kept clear too; one pass of layout for all. */
                var icons = sites.map(function (s) { return boxOf(s[1]); });
                sites.forEach(function (s) { s[0].classList.remove("geo-label-hidden"); });
                var boxes = sites.map(function (s) { return boxOf(s[0]); }), kept = [];
                sites.forEach(function (s, i) {
                    var box = boxes[i];
                    var clash = obstacles.some(function (o) { return hit(box, o); })
                        || kept.some(function (k) { return hit(box, k); })
                        || icons.some(function (o, j) { return j !== i && hit(box, o); });
                    if (clash) { s[0].classList.add("geo-label-hidden"); }
                    else { kept.push(box); }
                });
                map.geoDeclutterPasses = (map.geoDeclutterPasses || 0) + 1;
            }
            function schedule() {
                if (!pending) { pending = true; requestAnimationFrame(declutter); }
            }
            map.on("zoomend moveend resize layeradd layerremove", schedule);
            map.on("layeradd", function (e) {
                /* clusters split and merge in an animation after the zoom itself */
                if (L.MarkerClusterGroup && e.layer instanceof L.MarkerClusterGroup) {
                    e.layer.on("animationend spiderfied unspiderfied", schedule);
                }
            });
            map.geoDeclutter = declutter;
        })();
        {% endmacro %}
        {% macro header(this, kwargs) %}
        <style>.leaflet-tooltip.geo-label-hidden { visibility: hidden; }</style>
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "LabelDeclutter"

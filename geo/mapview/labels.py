"""Site labels that yield to the data: moved or hidden where they would cover it."""

from __future__ import annotations

from branca.element import MacroElement
from folium.template import Template


class _LabelDeclutter(MacroElement):
    """Move or hide each site label that would overlap an incident, a cluster or a label.

    The report places its labels the same way (:class:`geo.report.labels.LabelPlacer`):
    data first, names where they fit. A label tries the right of its square, then the
    left, above and below; where none is free it is hidden (its popup still names the
    site). Labels are measured in the page after every zoom, pan, layer change and cluster
    animation, so the choice follows the view. Markers and icons are placed from the map
    (circle markers are drawn on a canvas and have no element; cluster icons glide to their
    place in a CSS transition). ``map.geoDeclutter()`` runs one pass at once (the camera
    calls it before a picture).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            function hit(a, b) {
                return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
            }
            function boxOf(el) {
                var r = el.getBoundingClientRect();
                return [r.left, r.top, r.right, r.bottom];
            }
            var PLACES = [["right", [6, 0]], ["left", [-6, 0]], ["top", [0, -5]],
                          ["bottom", [0, 5]]];
            function place(tip, where) {
                if (tip.options.direction === where[0]) { return; }
                tip.options.direction = where[0];
                tip.options.offset = L.point(where[1]);
                tip.update();
            }
            function declutter() {
                var origin = map.getContainer().getBoundingClientRect();
                /* Where a marker or an icon rests, from the map: cluster icons glide there
                   in a CSS transition, so their boxes on screen may still be moving. */
                function around(layer, halfW, halfH) {
                    var p = map.latLngToContainerPoint(layer.getLatLng());
                    return [origin.left + p.x - halfW, origin.top + p.y - halfH,
                            origin.left + p.x + halfW, origin.top + p.y + halfH];
                }
                function iconBox(layer) {
                    /* Leaflet shifts an icon by its anchor with negative margins; the
                       border makes it wider than its iconSize */
                    var el = layer._icon, p = map.latLngToContainerPoint(layer.getLatLng());
                    var x = origin.left + p.x + (parseFloat(el.style.marginLeft) || 0);
                    var y = origin.top + p.y + (parseFloat(el.style.marginTop) || 0);
                    return [x, y, x + el.offsetWidth, y + el.offsetHeight];
                }
                var obstacles = [], sites = [];
                map.eachLayer(function (layer) {
                    var tip = layer.getTooltip && layer.getTooltip();
                    if (layer.options && layer.options.row && layer.getRadius) {
                        var r = layer.getRadius() + 1;  /* the white rim */
                        obstacles.push(around(layer, r, r));
                    } else if (layer._icon && layer.getChildCount) {
                        obstacles.push(iconBox(layer));  /* cluster discs and counts */
                    }
                    if (tip && tip.options.permanent && tip._container && layer._icon) {
                        sites.push([tip._container, layer, tip]);
                    }
                });
                /* Other sites' squares are kept clear too. */
                var icons = sites.map(function (s) { return iconBox(s[1]); }), kept = [];
                sites.forEach(function (s, i) {
                    var tip = s[2], box = null;
                    function free(b) {
                        return !(obstacles.some(function (o) { return hit(b, o); })
                            || kept.some(function (k) { return hit(b, k); })
                            || icons.some(function (o, j) { return j !== i && hit(b, o); }));
                    }
                    s[0].classList.remove("geo-label-hidden");
                    /* right of the square first, then left, above and below it */
                    for (var k = 0; k < PLACES.length && !box; k++) {
                        place(tip, PLACES[k]);
                        var b = boxOf(s[0]);
                        if (free(b)) { box = b; }
                    }
                    if (box) { kept.push(box); }
                    else { place(tip, PLACES[0]); s[0].classList.add("geo-label-hidden"); }
                });
                map.geoDeclutterPasses = (map.geoDeclutterPasses || 0) + 1;
            }
            map.geoAfterViewChange(declutter);
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

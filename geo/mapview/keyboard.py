"""Incident markers reachable from the keyboard and named for screen readers."""

from __future__ import annotations

from branca.element import MacroElement
from folium.template import Template


class _KeyboardMarkers(MacroElement):
    """A focusable stand-in over each incident marker in view; Enter or Space opens its popup.

    Circle markers are drawn on a canvas, which has no element to focus. Each marker in view
    (and not inside a cluster: a cluster's own icon is a focusable button, named here by its
    count) gets a transparent ``role="button"`` element over it, named from the incident's
    date, type and place. Its name is set with ``setAttribute`` from text decoded by
    ``DOMParser`` (the table's strings are HTML-escaped), so data is never parsed as markup.
    The stand-ins take no pointer events: the mouse keeps reaching the canvas. They are
    rebuilt after every pan, zoom and layer change, in the incidents' own order (oldest
    first).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var pane = map.createPane("geoFocus");
            pane.style.zIndex = 640;  /* above the markers, below tooltips and popups */
            pane.style.pointerEvents = "none";
            var parser = new DOMParser();
            function plain(escaped) {
                return parser.parseFromString(escaped || "", "text/html")
                    .documentElement.textContent;
            }
            function open(marker) {
                marker.openPopup();
                var close = map.getContainer().querySelector(".leaflet-popup-close-button");
                if (close) { close.setAttribute("aria-label", "Close the incident's details"); }
            }
            function rebuild() {
                var focused = document.activeElement, refocus = null;
                var again = focused && focused.geoMarker;
                pane.textContent = "";
                var size = map.getSize(), markers = [];
                map.eachLayer(function (layer) {
                    if (layer.options && layer.options.row && layer.options.label
                            && layer.getRadius) { markers.push(layer); }
                    if (layer.getChildCount && layer._icon) {  /* a cluster's own button */
                        layer._icon.setAttribute("aria-label", layer.getChildCount()
                            + " incidents grouped here: Enter zooms in");
                    }
                });
                markers.sort(function (a, b) { return a.options.order - b.options.order; });
                markers.forEach(function (marker) {
                    var p = map.latLngToContainerPoint(marker.getLatLng());
                    var r = Math.max(marker.getRadius(), 6);
                    /* wholly inside: focusing an element half out scrolls the map */
                    if (p.x < r || p.y < r || p.x > size.x - r || p.y > size.y - r) { return; }
                    var at = map.latLngToLayerPoint(marker.getLatLng());
                    var el = L.DomUtil.create("div", "geo-focus", pane);
                    el.setAttribute("role", "button");
                    el.setAttribute("tabindex", "0");
                    el.setAttribute("aria-haspopup", "dialog");
                    el.setAttribute("aria-label", plain(marker.options.label));
                    el.style.width = el.style.height = 2 * r + "px";
                    L.DomUtil.setPosition(el, L.point(at.x - r, at.y - r));
                    el.geoMarker = marker;
                    L.DomEvent.on(el, "keydown", function (e) {
                        if (e.key === "Enter" || e.key === " ") {
                            L.DomEvent.preventDefault(e);
                            L.DomEvent.stopPropagation(e);
                            open(marker);
                        }
                    });
                    if (marker === again) { refocus = el; }
                });
                if (refocus) { refocus.focus({preventScroll: true}); }
            }
            map.geoAfterViewChange(rebuild);
        })();
        {% endmacro %}
        {% macro header(this, kwargs) %}
        <style>
        .geo-focus { position: absolute; border-radius: 50%; pointer-events: none;
            outline: none; }
        .geo-focus:focus-visible { box-shadow: 0 0 0 3px #ffffff, 0 0 0 5px #1a5fb4; }
        </style>
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "KeyboardMarkers"

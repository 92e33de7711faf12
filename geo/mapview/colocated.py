"""Incidents at one point never hide each other on the interactive map.

Incidents at a site share its coordinates (Camp Taji, the US Embassy in Baghdad). With
clustering on, Leaflet.markercluster spreads (spiderfies) a cluster whose incidents
stay together down to the maximum zoom, which a cluster on one point always does, when
it is clicked. With clustering off nothing spreads them, so each marker's popup lists
every incident at its point and the one on top no longer hides the rest.
"""

from __future__ import annotations

from branca.element import MacroElement
from folium.template import Template


class _ListColocated(MacroElement):
    """Give every marker that shares its point with others one popup listing them all."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var target = {{ this._parent.get_name() }};
            var byPoint = {};
            target.eachLayer(function (m) {
                if (!m.getLatLng || !m.getPopup || !m.getPopup()) { return; }
                var p = m.getLatLng(), key = p.lat.toFixed(6) + "," + p.lng.toFixed(6);
                (byPoint[key] = byPoint[key] || []).push(m);
            });
            Object.keys(byPoint).forEach(function (key) {
                var members = byPoint[key];
                if (members.length < 2) { return; }
                var contents = members.map(function (m) { return m.getPopup().getContent(); });
                function listed() {
                    return "<div class='geo-popup-list'><div class='geo-popup-count' "
                        + "style='font-weight:600;margin-bottom:4px'>"
                        + members.length + " incidents at this point</div>"
                        + members.map(function (m, i) {
                            var c = contents[i];
                            return typeof c === "function" ? c(m) : c;
                        }).join("<hr>") + "</div>";
                }
                members.forEach(function (m) {
                    m.setPopupContent(listed);
                    m.getPopup().options.maxHeight = 360;
                });
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "ListColocated"


def list_colocated(group: MacroElement) -> None:
    """List all incidents at a point in each of its popups; add after the markers.

    Parameters
    ----------
    group : MacroElement
        The feature group holding the (unclustered) incident markers.
    """
    _ListColocated().add_to(group)

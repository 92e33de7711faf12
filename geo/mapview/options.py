"""How the interactive map is drawn: its options and fixed settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from geo import basemap
from geo.palette import COLOR_BY
from geo.view import DEFAULT_EXTENT, to_leaflet

# [[south, west], [north, east]] of Iraq and Syria: the view when there is nothing to fit.
# The default extent is the View's, in Leaflet's ((south, west), (north, east)) order.
DEFAULT_BOUNDS: Final = tuple(tuple(corner) for corner in to_leaflet(DEFAULT_EXTENT))
LEGEND_CLEARANCE_PX: Final = (230, 30)
MAX_FIT_ZOOM: Final = 11
COORD_DECIMALS: Final = 5  # about 1 m
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
    sources : str
        The incidents' most cited sources, the camera picture's source line (as on the
        report); empty when not known.
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
    sources: str = ""
    actors: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.color_by not in COLOR_BY and not self.color_by.strip():  # or a column
            raise ValueError(
                f"color_by must be one of {', '.join(COLOR_BY)}; got {self.color_by!r}"
            )
        choices = ("offline", *basemap.ONLINE_BASEMAPS)
        if self.basemap not in choices:
            raise ValueError(f"basemap must be one of {', '.join(choices)}; got {self.basemap!r}")

"""One view of the incidents: the filter plus how the selection is presented.

Every entry point builds one :class:`View` (the dashboard's widgets, a URL, the command
line, a recipe file) and every output consumes it: the interactive map, the printed
report and the exports. :mod:`geo.urlstate` writes and reads a whole view as URL query
parameters, and recipes store the same parameters, so a link and a recipe describe a
view in the same words.

Extents follow one convention everywhere: ``(west, south, east, north)`` in degrees
(WGS84). Leaflet's ``[[south, west], [north, east]]`` is made only where a folium map
is built (:func:`to_leaflet`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from geo import basemap
from geo.filters import IncidentFilter, IncidentIndex
from geo.incidents import point_coordinates
from geo.palette import COLOR_BY
from geo.provinces import CHOROPLETH_MEASURES
from geo.schema import IncidentDataError
from geo.timeline import STEPS as PLAYBACK_STEPS

if TYPE_CHECKING:
    import geopandas as gpd

Extent = tuple[float, float, float, float]
"""``(west, south, east, north)`` in degrees."""
Center = tuple[float, float]
"""``(latitude, longitude)`` in degrees, Leaflet's order."""

# Iraq and Syria: the extent shown when there is nothing to fit.
DEFAULT_EXTENT: Final[Extent] = (35.5, 29.0, 48.7, 37.4)
FIT_PADDING_DEGREES: Final = 0.25  # around a single point, so the view is not a street
BASEMAPS: Final = ("offline", *basemap.ONLINE_BASEMAPS)
MAX_ZOOM: Final = 20  # deeper than any basemap offers; Leaflet clamps to the map's own limit
CENTER_DECIMALS: Final = 5  # about 1 m: a link restores the view without long numbers
# Which sites are drawn with name labels: those where shown incidents happened, every
# site of the layer, or none.
SITE_LAYERS: Final = ("shown", "all", "none")
# The role the dashboard's actor choice applies to: any side, the acting side (actor1
# and its associates) or the side acted upon (actor2 and its associates).
ACTOR_ROLES: Final = ("any", "actor1", "actor2")
ROLE_FIELDS: Final = {"any": "actors", "actor1": "actors1", "actor2": "actors2"}

# Widget key of the values kept in one of the file's own columns: ``where.attack_type``.
WHERE_KEY: Final = "where."
# Widget key of the range kept in one of the file's own numeric columns: ``range.deaths``.
RANGE_KEY: Final = "range."


class ViewError(IncidentDataError):
    """A view names a colouring, basemap, layer or extent that does not exist."""


@dataclass(frozen=True)
class View:
    """What the analyst asked to see and how it is drawn.

    Attributes
    ----------
    flt : IncidentFilter
        Which incidents are shown.
    color_by : {"event_type", "actor"}
        Marker colours: ACLED event type or the acting side (``actor1``).
    title : str
        Heading of the report page and the map's camera caption.
    actor_ranking : tuple of str
        Actors ranked over the whole dataset, so actor colours stay put while filters
        change; empty to rank the incidents shown.
    basemap : str
        ``"offline"`` or one of :data:`geo.basemap.ONLINE_BASEMAPS`.
    show_clusters, show_heatmap, show_uncertainty : bool
        Map layers: crowded markers grouped, a heat map weighted by casualties, rings of
        location uncertainty.
    site_layer : {"shown", "all", "none"}
        Sites drawn with name labels: where the incidents shown happened, all, or none.
    extent : (west, south, east, north) or None
        The area to show; None fits the incidents.
    step : {"week", "month"}
        How far playback moves the time window per step.
    choropleth : {"", "incidents", "fatalities"}
        Provinces shaded by the incidents shown, or their fatalities; "" for none.
    center : (latitude, longitude) or None
        The map's centre as the user left it; None until the map has been moved.
    zoom : int or None
        The map's zoom level with ``center``; a camera needs both and wins over ``extent``.
    """

    flt: IncidentFilter = field(default_factory=IncidentFilter)
    color_by: str = "event_type"
    title: str = "Incidents"
    actor_ranking: tuple[str, ...] = field(default=())
    basemap: str = "offline"
    show_clusters: bool = True
    show_heatmap: bool = False
    show_uncertainty: bool = True
    site_layer: str = "shown"
    extent: Extent | None = None
    step: str = "week"
    choropleth: str = ""
    center: Center | None = None
    zoom: int | None = None

    def __post_init__(self) -> None:
        if self.color_by not in COLOR_BY and not self.color_by.strip():
            raise ViewError(f"color_by must be one of {', '.join(COLOR_BY)} or a column name")
        for name, value, choices in (
            ("basemap", self.basemap, BASEMAPS),
            ("site_layer", self.site_layer, SITE_LAYERS),
            ("step", self.step, PLAYBACK_STEPS),
            ("choropleth", self.choropleth, ("", *CHOROPLETH_MEASURES)),
        ):
            if value not in choices:
                raise ViewError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
        if self.extent is not None:
            check_extent(self.extent)
        if (self.center is None) != (self.zoom is None):
            raise ViewError("a map camera needs both a centre and a zoom level")
        if self.center is not None and self.zoom is not None:
            check_camera(self.center, self.zoom)

    @property
    def show_sites(self) -> bool:
        """Tell whether any site is drawn."""
        return self.site_layer != "none"

    @property
    def data_key(self) -> str:
        """Name what the page's figures depend on: everything but the map's camera."""
        return repr(replace(self, center=None, zoom=None))

    def with_changes(self, **changes: object) -> View:
        """Return a copy with some fields replaced (checked again)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def window_filter(
    window: tuple[date, date],
    span: tuple[date, date],
    *,
    actors: Iterable[str] = (),
    event_types: Iterable[str] = (),
    sites: Iterable[str] = (),
    min_fatalities: int = 0,
    text: str = "",
    actor_role: str = "any",
) -> IncidentFilter:
    """Build the filter of a time window and choices, as the dashboard's widgets hold them.

    Parameters
    ----------
    window : (date, date)
        The time range chosen; an end at the data's own end is no restriction.
    span : (date, date)
        The data's first and last day.
    actors, event_types, sites : iterable of str
    min_fatalities : int
    text : str
        Searched words; surrounding spaces are dropped.
    actor_role : {"any", "actor1", "actor2"}
        The side the actors are matched on (see :data:`ACTOR_ROLES`).

    Returns
    -------
    IncidentFilter
    """
    (start, end), (lo, hi) = window, span
    if actor_role not in ACTOR_ROLES:
        raise ViewError(f"actor_role must be one of {', '.join(ACTOR_ROLES)}; got {actor_role!r}")
    return IncidentFilter(
        start=start if start > lo else None,
        end=end if end < hi else None,
        **{ROLE_FIELDS[actor_role]: tuple(actors)},  # type: ignore[arg-type]
        event_types=tuple(event_types),
        sites=tuple(sites),
        min_fatalities=int(min_fatalities),
        text=text.strip(),
    )


def view_from_controls(
    controls: Mapping[str, Any], span: tuple[date, date], ranking: Iterable[str] = ()
) -> View:
    """Build the one View of the dashboard's widget state.

    Parameters
    ----------
    controls : mapping
        The widgets' values by key: ``window`` (first and last day), ``actors``,
        ``actor_role`` (the side they are matched on), ``types``, ``sites``,
        ``min_fatalities``, ``q`` (searched words), ``color``,
        ``basemap``, ``clusters``, ``heatmap``, ``uncertainty``, ``site_labels``,
        ``report_title``, ``extent`` (None to fit the data), ``step``, ``center`` and
        ``zoom`` (the map's camera, None until it moves), ``where_columns``
        (the file's own columns filtered on), ``where.COLUMN`` (the values kept in each)
        or ``range.COLUMN`` (the ``(low, high)`` kept in a numeric one), ``admin1``,
        ``bbox`` and ``area`` (the area drawn on the map), ``choropleth`` and ``statuses``
        (a store's review states kept).
        Missing keys take the defaults of :class:`View`.
    span : (date, date)
        The data's first and last day: a window reaching an end does not restrict it.
    ranking : iterable of str
        Actors ranked over the whole dataset, so colours stay put while filters change.

    Returns
    -------
    View

    Raises
    ------
    ViewError
        When a colouring or basemap is not one of the choices.
    """
    base = View()
    flt = window_filter(
        tuple(controls.get("window", span)),  # type: ignore[arg-type]
        span,
        actors=controls.get("actors", ()),
        event_types=controls.get("types", ()),
        sites=controls.get("sites", ()),
        min_fatalities=int(controls.get("min_fatalities", 0) or 0),
        text=str(controls.get("q", "") or ""),
        actor_role=str(controls.get("actor_role", "any")),
    )
    chosen = [str(column) for column in controls.get("where_columns", ()) or ()]
    where = tuple(
        (column, tuple(str(v) for v in controls.get(WHERE_KEY + column, ()) or ()))
        for column in chosen
        if RANGE_KEY + column not in controls
    )
    ranges = tuple(
        (column, *_range_ends(controls[RANGE_KEY + column]))
        for column in chosen
        if RANGE_KEY + column in controls
    )
    flt = flt.with_changes(
        where=tuple((c, values) for c, values in where if values),
        ranges=ranges,
        admin1=tuple(controls.get("admin1", ()) or ()),
        bbox=controls.get("bbox"),
        area=tuple(controls.get("area", ()) or ()),
        statuses=tuple(str(s) for s in controls.get("statuses", ()) or ()),
    )
    return View(
        flt=flt,
        color_by=str(controls.get("color", base.color_by)),
        title=str(controls.get("report_title") or base.title),
        actor_ranking=tuple(ranking),
        basemap=str(controls.get("basemap", base.basemap)),
        show_clusters=bool(controls.get("clusters", base.show_clusters)),
        show_heatmap=bool(controls.get("heatmap", base.show_heatmap)),
        show_uncertainty=bool(controls.get("uncertainty", base.show_uncertainty)),
        site_layer=str(controls.get("site_labels", base.site_layer)),
        extent=controls.get("extent"),
        step=str(controls.get("step", base.step)),
        choropleth=str(controls.get("choropleth", base.choropleth) or ""),
        center=None if (center := controls.get("center")) is None else tuple(center),
        zoom=controls.get("zoom"),
    )


def _range_ends(value: Any) -> tuple[float | None, float | None]:
    """Read a range widget's ``(low, high)``; an end it does not hold is open."""
    low, high = (tuple(value) + (None, None))[:2] if value is not None else (None, None)
    return (None if low is None else float(low)), (None if high is None else float(high))


def controls_of_view(view: View, span: tuple[date, date]) -> dict[str, Any]:
    """Return the widget values that show a view: the inverse of :func:`view_from_controls`.

    Parameters
    ----------
    view : View
        From a link, or the default.
    span : (date, date)
        The data's first and last day; the time window is kept inside it.

    Returns
    -------
    dict
        The keys :func:`view_from_controls` reads (the actor ranking is the data's).
        The widgets hold actors of one role: a view naming several roles shows the
        first of any, acting, acted upon (see :func:`roles_beyond_controls`).
    """
    flt, (lo, hi) = view.flt, span
    start = min(max(flt.start or lo, lo), hi)
    role = next((r for r in ACTOR_ROLES if getattr(flt, ROLE_FIELDS[r])), "any")
    return {
        "window": (start, max(min(flt.end or hi, hi), start)),
        "actors": list(getattr(flt, ROLE_FIELDS[role])),
        "actor_role": role,
        "types": list(flt.event_types),
        "sites": list(flt.sites),
        "min_fatalities": flt.min_fatalities,
        "q": flt.text,
        "statuses": list(flt.statuses),
        "color": view.color_by,
        "basemap": view.basemap,
        "clusters": view.show_clusters,
        "heatmap": view.show_heatmap,
        "uncertainty": view.show_uncertainty,
        "site_labels": view.site_layer,
        "report_title": view.title,
        "extent": view.extent,
        "step": view.step,
        "center": view.center,
        "zoom": view.zoom,
        "where_columns": [column for column, _ in flt.where]
        + [column for column, _, _ in flt.ranges],
        **{WHERE_KEY + column: list(values) for column, values in flt.where},
        **{RANGE_KEY + column: (low, high) for column, low, high in flt.ranges},
        "admin1": list(flt.admin1),
        "bbox": flt.bbox,
        "area": flt.area,
        "choropleth": view.choropleth,
    }


def roles_beyond_controls(flt: IncidentFilter) -> list[str]:
    """Name the actor roles of a filter the dashboard's one role choice cannot show.

    Parameters
    ----------
    flt : IncidentFilter

    Returns
    -------
    list of str
        One sentence per role that :func:`controls_of_view` leaves out; empty when the
        filter names actors in one role at most.
    """
    named = [r for r in ACTOR_ROLES if getattr(flt, ROLE_FIELDS[r])]
    param = {"any": "actor", "actor1": "actor1", "actor2": "actor2"}
    return [
        f"ignored {param[role]}={name!r}: the page filters actors on one side at a time "
        f"and keeps the {param[named[0]]} choice"
        for role in named[1:]
        for name in getattr(flt, ROLE_FIELDS[role])
    ]


def check_extent(extent: Extent) -> Extent:
    """Check an extent's order and range.

    Parameters
    ----------
    extent : (west, south, east, north)

    Returns
    -------
    tuple of float
        The extent, as floats.

    Raises
    ------
    ViewError
        When it is not four numbers with west < east within ±180 and south < north
        within ±85.
    """
    try:
        west, south, east, north = (float(v) for v in extent)
    except (TypeError, ValueError):
        raise ViewError(
            f"an extent is four numbers west, south, east, north; got {extent!r}"
        ) from None
    if not (-180 <= west < east <= 180 and -85 <= south < north <= 85):
        raise ViewError(
            "an extent needs west < east within ±180 and south < north within ±85; "
            f"got {west:g},{south:g},{east:g},{north:g}"
        )
    return west, south, east, north


def check_camera(center: Center, zoom: object) -> tuple[Center, int]:
    """Check a map centre and zoom level.

    Parameters
    ----------
    center : (latitude, longitude)
    zoom : int
        A whole number from 0 to :data:`MAX_ZOOM`.

    Returns
    -------
    ((float, float), int)
        The centre rounded to :data:`CENTER_DECIMALS` and the zoom level.

    Raises
    ------
    ViewError
        When the centre is not two numbers within ±85 and ±180, or the zoom level is not
        a whole number in range.
    """
    try:
        lat, lon = (float(v) for v in center)
    except (TypeError, ValueError):
        raise ViewError(f"a centre is two numbers latitude, longitude; got {center!r}") from None
    if not (-85 <= lat <= 85 and -180 <= lon <= 180):
        raise ViewError(
            f"a centre needs a latitude within ±85 and a longitude within ±180; got {lat:g},{lon:g}"
        )
    try:
        level = float(zoom)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ViewError(f"a zoom level is a whole number; got {zoom!r}") from None
    if not level.is_integer() or not 0 <= level <= MAX_ZOOM:
        raise ViewError(f"a zoom level is a whole number from 0 to {MAX_ZOOM}; got {zoom!r}")
    return (round(lat, CENTER_DECIMALS), round(lon, CENTER_DECIMALS)), int(level)


def data_extent(incidents: gpd.GeoDataFrame, sites: gpd.GeoDataFrame | None = None) -> Extent:
    """Return the extent that shows every incident.

    Parameters
    ----------
    incidents : GeoDataFrame
    sites : GeoDataFrame, optional
        Used when there is no incident.

    Returns
    -------
    (west, south, east, north)
        Padded around a single point; the sites' extent when there is no incident, and
        :data:`DEFAULT_EXTENT` when there is neither.
    """
    for gdf in (incidents, sites):
        if gdf is None or not len(gdf):
            continue
        lon, lat = point_coordinates(gdf)
        ok = np.isfinite(lon) & np.isfinite(lat)
        if not ok.any():
            continue
        west, east = float(lon[ok].min()), float(lon[ok].max())
        south, north = float(lat[ok].min()), float(lat[ok].max())
        pad = FIT_PADDING_DEGREES
        if north - south < pad and east - west < pad:
            west, south, east, north = west - pad, south - pad, east + pad, north + pad
        return west, south, east, north
    return DEFAULT_EXTENT


def to_leaflet(extent: Extent) -> list[list[float]]:
    """Write an extent in Leaflet's order, ``[[south, west], [north, east]]``."""
    west, south, east, north = extent
    return [[south, west], [north, east]]


def from_leaflet(bounds: list[list[float]]) -> Extent:
    """Read Leaflet's ``[[south, west], [north, east]]`` as ``(west, south, east, north)``."""
    (south, west), (north, east) = bounds
    return float(west), float(south), float(east), float(north)


@dataclass(frozen=True, eq=False)
class Selection:
    """A view applied to a dataset: what the map, the report and every export draw.

    Attributes
    ----------
    view : View
    incidents : GeoDataFrame
        The incidents that pass ``view.flt``.
    total : int
        How many incidents the dataset holds.
    data_label : str
        The data file's name, printed on the report.
    data_hash : str or None
        The data file's SHA-256.
    site_table : GeoDataFrame or None
        The whole sites layer; :attr:`sites` keeps those the view draws.
    """

    view: View
    incidents: gpd.GeoDataFrame
    total: int
    data_label: str = ""
    data_hash: str | None = None
    site_table: gpd.GeoDataFrame | None = None

    @cached_property
    def caption(self) -> str:
        """One line naming the period, the filters and the count."""
        from geo.report.wording import describe_caption

        return describe_caption(self.view.flt, self.incidents, self.total)

    @cached_property
    def sites(self) -> gpd.GeoDataFrame | None:
        """The sites drawn with labels, by :attr:`View.site_layer`; None when there are none."""
        table = self.site_table
        if table is None or self.view.site_layer == "none":
            return None
        if self.view.site_layer == "shown":
            table = table[table["site_id"].isin(self.incidents["site_id"].unique())]
        return table if len(table) else None


def select_view(
    view: View,
    index: IncidentIndex,
    *,
    data_label: str = "",
    data_hash: str | None = None,
    sites: gpd.GeoDataFrame | None = None,
) -> Selection:
    """Apply a view to an indexed dataset.

    Parameters
    ----------
    view : View
    index : IncidentIndex
        The dataset, prepared for filtering.
    data_label, data_hash : str
        The data file's name and SHA-256, printed on the report.
    sites : GeoDataFrame, optional
        The sites layer.

    Returns
    -------
    Selection
    """
    return Selection(view, index.select(view.flt), len(index), data_label, data_hash, sites)

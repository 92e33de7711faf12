"""The map on the page: zoom to the results, and the camera kept in the link.

Streamlit glue over :mod:`geo.mapview`. The map runs in a fragment: when the user pans
or zooms, streamlit-folium reports the new centre and zoom (once per gesture, debounced
by the component) and only the fragment reruns, to write ``center`` and ``zoom`` into the
link; the page itself is not computed again. The base map is the same on every run, so
the component keeps the user's view while the incident layers are swapped.
"""

from __future__ import annotations

import copy
from typing import Any

import folium
import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from geo.mapview import build_layer_control, build_view_base
from geo.mapview.areas import add_area_drawing
from geo.mapview.selection import build_fit_layer, build_selection_layer, results_extent
from geo.schema import MissingComponentError
from geo.source import IncidentSource, Page
from geo.urlstate import camera_to_query
from geo.view import Center, Extent, View, ViewError, check_camera
from geo.webtext import markdown_text
from ui.areas import DRAWING_OBJECTS, DRAWN, on_drawing

MAP_HEIGHT = 580
FIT = "_fit_results"  # set by the button or by a link naming filters; used by one run
ss = st.session_state


def ask_fit() -> None:
    """Zoom the map to the results on the next run."""
    ss[FIT] = True


def fit_on_open(url_view: View) -> None:
    """Open a link that names filters, but neither an extent nor a camera, on its results."""
    if url_view.flt != View().flt and url_view.extent is None and url_view.center is None:
        ss[FIT] = True


def map_camera(state: dict[str, Any] | None) -> tuple[Center, int] | None:
    """Read the centre and zoom streamlit-folium reports; None before the map has drawn."""
    center, zoom = (state or {}).get("center"), (state or {}).get("zoom")
    if not isinstance(center, dict) or zoom is None:
        return None
    try:
        return check_camera((center["lat"], center["lng"]), zoom)
    except (KeyError, ViewError):
        return None


def _opening_camera(view: View, extent: Extent) -> tuple[Center, int] | None:
    """The camera the component is told to show: the link's, or the last one on a new base.

    Told once per base map (a basemap change mounts a new map, which starts at the
    camera the old one was left at); the same value on later runs moves nothing.
    """
    signature = (view.basemap, view.extent or extent)
    if ss.get("_map_base") != signature:
        ss["_map_base"], ss["_map_reported"] = signature, False
        ss["_map_open"] = None if view.center is None else (view.center, view.zoom)
    return ss["_map_open"]


def _keep_camera(state: dict[str, Any] | None) -> None:
    """Put the map's reported camera in the view's state and the link."""
    camera = map_camera(state)
    if camera is None:
        return
    if not ss.get("_map_reported"):  # the first report is the view a new map opened on
        ss["_map_reported"] = True
        return
    if camera == (ss.get("center"), ss.get("zoom")):
        return
    ss["center"], ss["zoom"] = camera
    st.query_params.update(camera_to_query(*camera))


@st.fragment
def _map(
    view: View, extent: Extent, layers: list[folium.FeatureGroup], camera: tuple | None
) -> None:
    """Draw the map; a pan or zoom reruns only this."""
    try:
        base = add_area_drawing(build_view_base(view, extent))
    except MissingComponentError as exc:
        st.error(markdown_text(str(exc)))
        return
    center, zoom = camera if camera is not None else (None, None)
    # streamlit-folium renders the layers into the map it is given: a second rendering of
    # the same objects writes other code, which would redraw every layer on each pan.
    state = st_folium(base, key="map", feature_group_to_add=copy.deepcopy(layers),
                      layer_control=build_layer_control(),
                      returned_objects=["center", "zoom", *DRAWING_OBJECTS], on_change=on_drawing,
                      center=center, zoom=zoom, wrap_longitude=True, height=MAP_HEIGHT,
                      use_container_width=True)  # fmt: skip
    if ss.pop(DRAWN, False):  # a shape drawn filters the whole page, not only the map
        st.rerun()
    _keep_camera(state)


def show_map(
    view: View,
    page: Page,
    source: IncidentSource,
    layers: list[folium.FeatureGroup],
    chosen: gpd.GeoDataFrame | None = None,
    *,
    focus: bool = False,
) -> None:
    """Show the "Zoom to results" button and the map of a page.

    Parameters
    ----------
    view, page, source
        What the page shows.
    layers : list of FeatureGroup
        The page's map layers (:func:`geo.source.build_page_layers` and the area layers).
    chosen : GeoDataFrame, optional
        The incident chosen in the table: drawn as a marker of its own.
    focus : bool
        Centre the map on ``chosen`` and open its popup (the run it was chosen).
    """
    st.button("Zoom to results", key="zoom_to_results", on_click=ask_fit,
              disabled=not page.count, help="Fit the map to the incidents shown.")  # fmt: skip
    fit = ss.pop(FIT, False)
    layers = list(layers)  # the caller's list may be shared by sessions
    if chosen is not None and (layer := build_selection_layer(chosen, focus=focus)) is not None:
        layers.append(layer)
    if fit and (extent := results_extent(page.incidents, page.clusters)) is not None:
        layers.append(build_fit_layer(extent))
    _map(view, source.extent, layers, _opening_camera(view, source.extent))

"""The map's incident layers as the map component receives them, built once per view.

Streamlit glue over :mod:`geo.mapview` and streamlit-folium. ``st_folium`` turns the
incident layers into the Leaflet script it sends to the browser on every run of every
session; at 100,000 incidents building the layers and that script was most of a
session's first render. Sessions showing the same view of the same data receive the same
script, so it is made once and kept: each session hands ``st_folium`` a
:class:`PrebuiltLayers` that carries the script instead of the layers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

import folium
import streamlit as st
from branca.element import MacroElement
from jinja2 import Template
from streamlit_folium import _get_feature_group_string

SHARED_VIEWS: Final = 4  # views whose map script is kept (each up to a few MB at 100k)
# streamlit-folium names the layers it is given after their position; the prebuilt
# script is the only one it is given, so it takes the first name.
_FIRST_LAYER: Final = "feature_group_0"


class PrebuiltLayers(MacroElement):
    """Layers already turned into Leaflet script, handed to ``st_folium`` in their place.

    ``st_folium`` adds its own ``addLayer`` for the first layer name, which the script
    already did; adding a layer twice leaves Leaflet as it was.

    Parameters
    ----------
    script : str
        What :func:`layers_script` made of the layers.
    """

    _name = "FeatureGroup"
    _template = Template("{% macro script(this, kwargs) %}{{ this.script }}{% endmacro %}")

    def __init__(self, script: str) -> None:
        super().__init__()
        self.script = script


def layers_script(layers: Sequence[folium.FeatureGroup]) -> str:
    """Return the Leaflet script ``st_folium`` would write for ``layers``, on a map of its own.

    The layers are attached to a throwaway map (streamlit-folium renames and re-parents
    each one), so what is shared between sessions never touches a session's map.
    """
    scratch = folium.Map(tiles=None)
    return "".join(
        _get_feature_group_string(layer, map=scratch, idx=position)
        for position, layer in enumerate(layers)
    )


def shared_layers(data_key: str, view_key: str, build: Callable[[], list[Any]]) -> list[Any]:
    """The map layers of one view of one data version, built once for every session.

    Keyed like :func:`ui.sources.shared_page`: the data's key and the view's repr. Only
    the script is shared; each session gets an element of its own around it (``st_folium``
    re-parents what it is given).

    Parameters
    ----------
    data_key, view_key : str
    build : callable
        Builds the view's layers; called only when no session has asked for them yet.

    Returns
    -------
    list
        What ``st_folium`` takes as ``feature_group_to_add``.
    """
    return [PrebuiltLayers(_shared_script(data_key, view_key, build))]


@st.cache_resource(max_entries=SHARED_VIEWS, show_spinner=False)
def _shared_script(data_key: str, view_key: str, _build: Callable[[], list[Any]]) -> str:
    """One view's layer script; Streamlit makes sessions asking together wait for one build."""
    return layers_script(_build())

"""Sessions showing the same view of the server's data share one built map payload.

At 100,000 incidents building the map's layers and their Leaflet script was most of a
session's first render; the second session with the same view must reuse the first's.
"""

from __future__ import annotations

import json

import folium
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from streamlit_folium import _get_feature_group_string

import geo.source
from tests.test_dashboard_app import run_app
from ui.mappayload import PrebuiltLayers, layers_script


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every build of a page's map layers (the real build still runs)."""
    calls: list[str] = []
    real = geo.source.build_page_layers

    def counting(view, page, source, sites=None):  # type: ignore[no-untyped-def]
        calls.append(repr(view))
        return real(view, page, source, sites)

    monkeypatch.setattr(geo.source, "build_page_layers", counting)
    monkeypatch.delenv("INCIDENT_MAP_DATA", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield calls
    st.cache_data.clear()
    st.cache_resource.clear()


def layers_sent(at: AppTest) -> str:
    """The incident layers' script the map component received."""
    (component,) = at.get("component_instance")
    script = json.loads(component.proto.json_args)["feature_group"]
    assert isinstance(script, str)
    return script


def test_two_sessions_with_the_same_view_build_the_map_once(builds: list[str]) -> None:
    first, second = run_app(), run_app()  # each AppTest is a session of its own
    assert len(builds) == 1
    assert layers_sent(first) == layers_sent(second)
    assert "L.marker" in layers_sent(second) or "L.circle" in layers_sent(second)
    other = run_app({"type": "Battles"})
    assert len(builds) == 2  # another view is built for itself
    assert layers_sent(other) != layers_sent(first)


def test_the_prebuilt_payload_is_what_the_component_writes_for_the_layers() -> None:
    """streamlit-folium, given the prebuilt element, writes the layers' own script."""
    group = folium.FeatureGroup(name="Incidents")
    folium.Marker([33.3, 44.4], tooltip="a").add_to(group)
    script = layers_script([group])
    assert "feature_group_feature_group_0" in script and "L.marker" in script
    written = _get_feature_group_string(PrebuiltLayers(script), map=folium.Map(), idx=0)
    assert written.startswith(script)
    assert "map_div.addLayer(feature_group_feature_group_0);" in written

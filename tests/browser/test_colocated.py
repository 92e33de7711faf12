"""Incidents at one point never hide each other: a cluster spreads them, a popup lists them."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from geo.load import DEFAULT_DATA_PATH

pytestmark = pytest.mark.browser

# The map's incident markers now on the map (not inside a cluster), as distinct pixels.
VISIBLE_MARKERS_JS = """() => {
    var points = new Set();
    window.map.eachLayer(function (layer) {
        if (layer.options && layer.options.row && layer._map) {
            var p = window.map.latLngToContainerPoint(layer.getLatLng());
            points.add(Math.round(p.x) + "," + Math.round(p.y));
        }
    });
    return points.size;
}"""


def site_points(site_id: str) -> tuple[tuple[float, float], int]:
    """The point of a site's incidents in the bundled GeoJSON and how many share it."""
    features = json.loads(DEFAULT_DATA_PATH.read_text(encoding="utf-8"))["features"]
    points = Counter(
        tuple(f["geometry"]["coordinates"])
        for f in features
        if f["properties"].get("site_id") == site_id
    )
    (lon, lat), n = points.most_common(1)[0]
    return (lon, lat), n


def test_camp_taji_cluster_spreads_its_incidents_at_max_zoom(app):
    (lon, lat), n = site_points("camp_taji")
    assert n > 1
    app.open("site=camp_taji")
    frame = app.map_frame()
    app.wait_for_markers(app.metric("Incidents shown"))
    frame.evaluate(
        "([lat, lon]) => window.map.setView([lat, lon], window.map.getMaxZoom(), {animate: false})",
        [lat, lon],
    )
    cluster = frame.locator(".geo-cluster", has_text=str(n)).first
    cluster.wait_for(state="visible", timeout=15_000)
    assert frame.evaluate(VISIBLE_MARKERS_JS) < n  # hidden under one cluster, so far
    cluster.click()
    frame.wait_for_function(f"() => ({VISIBLE_MARKERS_JS})() === {n}", timeout=15_000)
    assert frame.evaluate(VISIBLE_MARKERS_JS) == n


def test_without_clusters_one_popup_lists_every_incident_at_the_point(app):
    (lon, lat), n = site_points("camp_taji")
    app.open("site=camp_taji&layers=uncertainty")  # clustering off
    frame = app.map_frame()
    app.wait_for_markers(app.metric("Incidents shown"))
    frame.evaluate(
        "([lat, lon]) => window.map.setView([lat, lon], 14, {animate: false})", [lat, lon]
    )
    point = frame.evaluate(
        "([lat, lon]) => window.map.latLngToContainerPoint([lat, lon])", [lat, lon]
    )
    box = app.page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    app.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(state="visible", timeout=15_000)
    assert f"{n} incidents at this point" in popup.inner_text()
    assert popup.locator(".geo-popup").count() == n

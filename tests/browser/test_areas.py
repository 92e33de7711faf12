"""Areas in a real browser: a rectangle drawn with the mouse filters; a numeric column's range."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from geo.areas import area_mask, parse_ring
from geo.incidents import point_coordinates
from geo.load import DEFAULT_DATA_PATH, read_incidents
from geo.provinces import count_by_province

pytestmark = pytest.mark.browser


def drag_on_map(app, corners: tuple[tuple[float, float], tuple[float, float]]) -> None:
    """Press, move and release the mouse between two (lat, lon) corners of the map."""
    page = app.page
    frame = app.map_frame()
    box = page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    assert box is not None
    points = [
        frame.evaluate(
            "ll => { var p = window.map.latLngToContainerPoint(ll); return [p.x, p.y]; }", corner
        )
        for corner in corners
    ]
    (x0, y0), (x1, y1) = [(box["x"] + x, box["y"] + y) for x, y in points]
    page.mouse.move(x0, y0)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x0 + (x1 - x0) * step / 10, y0 + (y1 - y0) * step / 10)
    page.mouse.up()


def wait_for_rerun(app) -> None:
    try:  # a fast rerun can finish before this looks; then there is nothing to wait for
        app.page.wait_for_selector("[data-test-script-state='running']", timeout=10_000)
    except PlaywrightTimeoutError:
        pass
    app.wait_idle()


def test_a_rectangle_drawn_on_the_map_filters_and_goes_into_the_link(app):
    gdf = read_incidents(DEFAULT_DATA_PATH)
    app.open()
    total = app.metric("Incidents shown")
    assert total == len(gdf)
    frame = app.map_frame()
    frame.locator(".leaflet-draw-draw-rectangle").click()
    drag_on_map(app, ((33.9, 43.6), (32.9, 44.9)))  # around Baghdad, north-west to south-east
    wait_for_rerun(app)
    app.page.wait_for_function("() => location.search.includes('bbox=')", timeout=30_000)
    query = parse_qs(urlsplit(app.page.url).query)
    west, south, east, north = (float(v) for v in query["bbox"][0].split(","))
    assert 43.4 < west < 43.8 and 44.7 < east < 45.1 and 32.7 < south < 33.1 < 33.7 < north < 34.1
    lon, lat = point_coordinates(gdf)
    inside = int(((lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)).sum())
    assert 0 < inside < total
    assert app.metric("Incidents shown") == inside
    assert app.wait_for_markers(inside) == inside
    # The drawing gives way to the outline of the area the page is filtered to.
    assert frame.evaluate("() => drawnItems.getLayers().length") == 0
    assert app.page.locator(".st-key-clear_area").is_visible()

    app.page.locator(".st-key-clear_area button").click()
    wait_for_rerun(app)
    assert app.metric("Incidents shown") == total
    app.page.wait_for_function("() => !location.search.includes('bbox=')", timeout=30_000)


def test_a_link_with_an_area_restores_it_and_panning_keeps_it(app):
    gdf = read_incidents(DEFAULT_DATA_PATH)
    ring = "43.5 32.5,45.5 32.5,44.5 34.5"
    app.open(f"area={ring.replace(' ', '%20')}")
    lon, lat = point_coordinates(gdf)
    inside = int(area_mask(lon, lat, parse_ring(ring)).sum())
    assert 0 < inside < len(gdf)
    assert app.metric("Incidents shown") == inside
    assert "polygon of 3 corners" in app.page.locator("[data-testid='stSidebar']").inner_text()
    frame = app.map_frame()
    # A pan reports the map's camera: the link gains it, and the area drawn before stays.
    frame.evaluate("() => window.map.panBy([200, 100], {animate: false})")
    frame.evaluate("() => window.map.setZoom(window.map.getZoom() + 1, {animate: false})")
    app.page.wait_for_function("() => location.search.includes('center=')", timeout=30_000)
    query = parse_qs(urlsplit(app.page.url).query)
    assert query["area"] == [ring]
    assert app.metric("Incidents shown") == inside
    assert "polygon of 3 corners" in app.page.locator("[data-testid='stSidebar']").inner_text()


def test_a_numeric_column_of_an_upload_filters_by_a_range_slider(app, tmp_path):
    n = 40
    rng = np.random.default_rng(5)
    rows = pd.DataFrame(
        {
            "date": [f"2008-03-{1 + i % 28:02d}" for i in range(n)],
            "longitude": rng.uniform(43.5, 45.0, n).round(4),
            "latitude": rng.uniform(32.5, 34.0, n).round(4),
            "vehicles": rng.integers(0, 20, n),
        }
    )
    upload = tmp_path / "convoys.csv"
    rows.to_csv(upload, index=False)
    page = app.open().page
    app.upload(upload, n)
    assert app.metric("Incidents shown") == n
    page.locator(".st-key-where_columns").wait_for(timeout=30_000)
    app.pick_option("where_columns", "vehicles")
    page.keyboard.press("Escape")
    wait_for_rerun(app)
    low = page.locator("input[aria-label='vehicles — start']")  # the lower thumb
    low.wait_for(state="attached", timeout=30_000)
    low.focus()
    for _ in range(5):  # five steps of 1 up from the column's smallest value
        low.press("ArrowRight")
        wait_for_rerun(app)  # each step reruns the page; a key pressed meanwhile is lost
        low.focus()
    page.wait_for_function("() => location.search.includes('f.vehicles=')", timeout=30_000)
    value = parse_qs(urlsplit(page.url).query)["f.vehicles"][0]
    start, end = (float(v) for v in value.split(".."))
    assert start == rows["vehicles"].min() + 5 and end == rows["vehicles"].max()
    assert app.metric("Incidents shown") == int(rows["vehicles"].between(start, end).sum())


def test_provinces_shaded_on_the_map_with_their_legend(app):
    counts = count_by_province(read_incidents(DEFAULT_DATA_PATH), "incidents")
    app.open("choropleth=incidents")
    frame = app.map_frame()
    legend = frame.locator(".geo-choropleth-legend")
    legend.wait_for(state="visible", timeout=30_000)
    assert "Incidents per province" in legend.inner_text()
    shaded = frame.evaluate(
        """() => { var n = 0; window.map.eachLayer(function (l) {
            if (l.feature && l.feature.properties && l.feature.properties.label) { n += 1; } });
            return n; }"""
    )
    assert shaded == len(counts.provinces) > 0
    labels = frame.evaluate(
        """() => { var out = []; window.map.eachLayer(function (l) {
            if (l.feature && l.feature.properties.label) { out.push(l.feature.properties.label); }
            }); return out; }"""
    )
    top = counts.provinces.iloc[0]
    assert any(label.startswith(f"{top['name']} (") and f": {top['value']} incidents" in label
               for label in labels)  # fmt: skip

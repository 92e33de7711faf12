"""What a new user meets on the map: the camera's picture, labels, keyboard, offline tiles."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from .conftest import MAP_FRAME, REPO, App, run_dashboard
from .test_exports import open_busiest_month_titled
from .test_map_view import read_bundled

pytestmark = pytest.mark.browser

CAMERA = ".leaflet-control-simpleMapScreenshoter a"
HOSTILE = REPO / "tests" / "data" / "hostile.csv"
OFFLINE_TILES_NOTE = (
    "Online tiles cannot load: this machine is offline; choose the offline basemap."
)

# Every visible site label, and what it must leave clear: incident discs (projected: they
# are drawn on a canvas), cluster icons and the other labels. Boxes in page pixels.
OVERLAPS_JS = """() => {
    var map = window.map, origin = map.getContainer().getBoundingClientRect();
    function box(el) {
        var r = el.getBoundingClientRect();
        return [r.left, r.top, r.right, r.bottom];
    }
    function hit(a, b) { return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]; }
    function inside(b) {
        return b[2] > origin.left && b[0] < origin.right && b[3] > origin.top
            && b[1] < origin.bottom;
    }
    var data = [];
    map.eachLayer(function (l) {
        if (l.options && l.options.row && l.getRadius) {
            var p = map.latLngToContainerPoint(l.getLatLng()), r = l.getRadius();
            data.push(["marker", [origin.left + p.x - r, origin.top + p.y - r,
                                  origin.left + p.x + r, origin.top + p.y + r]]);
        }
    });
    document.querySelectorAll(".leaflet-marker-icon.geo-cluster").forEach(function (el) {
        data.push(["cluster " + el.textContent, box(el)]);
    });
    var labels = Array.from(document.querySelectorAll(".leaflet-tooltip.geo-site-label"))
        .filter(function (el) {
            var s = getComputedStyle(el);
            return s.visibility !== "hidden" && s.display !== "none" && inside(box(el));
        });
    var found = [];
    labels.forEach(function (el, i) {
        var b = box(el);
        data.forEach(function (d) {
            if (hit(b, d[1])) { found.push(el.textContent + " over " + d[0]); }
        });
        labels.slice(i + 1).forEach(function (other) {
            if (hit(b, box(other))) { found.push(el.textContent + " over " + other.textContent); }
        });
    });
    return {labels: labels.length, found: found};
}"""


# Waits for the CSS transitions running in the page (cluster icons gliding) to end.
FINISH_ANIMATIONS_JS = """() => Promise.all(
    document.getAnimations().map(function (a) { return a.finished.catch(function () {}); })
)"""


def ink(pixels: np.ndarray, box: list[float]) -> float:
    """Share of dark pixels in a box of the picture (x, y, width, height)."""
    x, y, w, h = (round(v) for v in box)
    region = pixels[y : y + h, x : x + w, :3].astype(int)
    return float((region.sum(axis=2) < 3 * 110).mean())


def snapshot_pixels(frame) -> tuple[np.ndarray, dict]:
    """Take the camera's picture in the page; return its pixels and layout."""
    data_url, layout = frame.evaluate(
        "() => window.map.geoSnapshot().then(c => [c.toDataURL('image/png'), c.geoLayout])"
    )
    raw = base64.b64decode(data_url.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(raw)).convert("RGB")), layout


def test_camera_saves_the_titled_view_with_its_north_arrow_and_every_incident(app):
    expected = open_busiest_month_titled(app)
    frame = app.map_frame()
    app.wait_for_markers(expected)
    frame.wait_for_function(
        "() => window.map.geoMapInfo && window.map.geoMapInfo.title === 'Busiest month'",
        timeout=30_000,
    )
    clusters = frame.locator(".leaflet-marker-icon.geo-cluster").count()
    assert clusters > 0  # the view clusters some of its incidents on screen

    with app.page.expect_download(timeout=60_000) as event:
        frame.locator(CAMERA).click()
    assert event.value.suggested_filename == "busiest-month.png"
    picture = np.asarray(Image.open(Path(event.value.path())).convert("RGB"))
    layout = frame.evaluate("() => window.map.geoLastLayout")
    size = frame.evaluate("() => [window.map.getSize().x, window.map.getSize().y]")

    assert picture.shape[1] == size[0] and picture.shape[0] > size[1]
    # Every incident was drawn as itself, and the clusters came back after the picture.
    assert layout["markers"] == expected
    assert frame.locator(".leaflet-marker-icon.geo-cluster").count() == clusters
    # The title and the north arrow are drawn under the map, where nothing covers them.
    assert layout["title"][1] >= size[1] and layout["north"][1] >= size[1]
    assert ink(picture, layout["north"]) > 0.15
    titled = ink(picture, layout["title"])
    assert titled > 0.01
    # The same band with a one-letter title holds far less ink: the title's text is drawn.
    frame.evaluate("() => { window.map.geoMapInfo.title = 'X'; }")
    short, short_layout = snapshot_pixels(frame)
    assert short_layout["title"][:2] == layout["title"][:2]
    assert ink(short, layout["title"]) < titled / 4
    assert ink(short, short_layout["north"]) > 0.15


def test_site_labels_leave_markers_clusters_and_each_other_clear(app):
    df = read_bundled()
    app.open()
    frame = app.map_frame()
    app.wait_for_markers(len(df))
    seen = 0
    for center, zoom in (((33.9, 42.9), 6), ((33.3, 44.2), 8), ((33.9, 41.6), 9)):
        frame.evaluate(
            "([c, z]) => { window.map.setView(c, z, {animate: false}); }", [list(center), zoom]
        )
        try:  # clusters split and merge in a short animation after the move
            frame.wait_for_function(f"() => ({OVERLAPS_JS})().found.length === 0", timeout=10_000)
        except PlaywrightTimeoutError:
            pass
        # Measure where the cluster icons rest, not where they glide.
        frame.evaluate(FINISH_ANIMATIONS_JS)
        result = frame.evaluate(OVERLAPS_JS)
        assert result["found"] == [], (center, zoom)
        seen += result["labels"]
    assert seen > 0  # some labels stay where they fit


def test_attribution_leaves_the_scale_bar_clear_on_a_small_map(app):
    app.page.set_viewport_size({"width": 800, "height": 1200})
    app.open()
    frame = app.map_frame()
    boxes = frame.evaluate(
        """() => [".leaflet-control-attribution", ".leaflet-control-scale"].map(function (s) {
            var r = document.querySelector(s).getBoundingClientRect();
            return [r.left, r.top, r.right, r.bottom];
        })"""
    )
    (a, s) = boxes
    assert s[2] > s[0] and a[2] > a[0]
    assert not (a[0] < s[2] and s[0] < a[2] and a[1] < s[3] and s[1] < a[3]), boxes


def tab_to(frame, page, selector: str, presses: int = 60) -> str:
    """Press Tab from the map until an element matching ``selector`` has the focus."""
    frame.locator(".leaflet-container").focus()
    for _ in range(presses):
        page.keyboard.press("Tab")
        if frame.evaluate(f"() => !!document.activeElement.matches({selector!r})"):
            return str(frame.evaluate("() => document.activeElement.getAttribute('aria-label')"))
    raise AssertionError(f"Tab never reached {selector}")


def test_keyboard_and_screen_readers_reach_markers_the_camera_and_the_sidebar(app):
    df = read_bundled()
    app.open()
    frame = app.map_frame()
    app.wait_for_markers(len(df))
    tree = frame.locator(".leaflet-container").aria_snapshot()
    assert 'button "Save this view as a PNG"' in tree
    assert "incidents grouped here: Enter zooms in" in tree  # clusters say what they are
    label = tab_to(frame, app.page, ".geo-focus")
    date, kind, place = label.split(", ", 2)  # the place as the popup names it
    assert f'button "{label}"' in tree
    assert kind in set(df["event_type"])
    assert any(place.startswith(location) for location in df["location"])
    app.page.keyboard.press("Enter")
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    text = popup.inner_text()
    assert date in text and kind in text and place in text
    assert tab_to(frame, app.page, CAMERA) == "Save this view as a PNG"
    # Every control of the sidebar has a name a screen reader reads out.
    sidebar = app.page.locator("[data-testid='stSidebar']").aria_snapshot()
    roles = ("slider", "combobox", "textbox", "spinbutton", "checkbox", "switch", "radio",
             "button", "link")  # fmt: skip
    unnamed = [
        line.strip()
        for line in sidebar.splitlines()
        if any(line.strip().startswith(f"- {role}") for role in roles)
        and '"' not in line.split(":")[0]
    ]
    assert unnamed == [], sidebar


def test_an_online_basemap_offline_says_so_on_the_map(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1200})
    refused: list[str] = []

    def route(route_) -> None:
        if route_.request.url.startswith(server.url):
            route_.continue_()
        else:
            refused.append(route_.request.url)
            route_.abort()

    context.route("**/*", route)
    try:
        page = context.new_page()
        app = App(page, server).open("basemap=OpenStreetMap")
        note = app.map_frame().locator(".geo-map-note")
        note.wait_for(state="visible", timeout=30_000)
        assert note.inner_text() == OFFLINE_TILES_NOTE
        assert refused and all("openstreetmap.org" in url for url in refused)
    finally:
        context.close()
    # The offline basemap says nothing of the kind.
    context = browser.new_context(viewport={"width": 1400, "height": 1200})
    try:
        page = context.new_page()
        frame = App(page, server).open().map_frame()
        frame.locator(".leaflet-tile-loaded").first.wait_for(timeout=60_000)
        assert not frame.locator(".geo-map-note").is_visible()
    finally:
        context.close()


def test_the_page_says_what_the_bundled_dataset_is(app):
    df = read_bundled()
    app.open()
    main = app.page.locator("[data-testid='stMain']")
    line = main.get_by_text("Bundled data:")
    line.wait_for()
    assert f"{len(df)} incidents" in line.inner_text()
    # One line under the title, before the caption and the figures.
    title = main.locator("h1").first.bounding_box()
    below = line.bounding_box()
    caption = main.get_by_text(" incidents shown").first.bounding_box()
    assert title and below and caption and title["y"] < below["y"] < caption["y"]
    link = line.locator("a")
    assert link.get_attribute("href") == "#bundled-data-sources"
    sources = main.locator("#bundled-data-sources")
    assert sources.count() == 1
    items = main.locator("[data-testid='stMarkdownContainer'] li").all_inner_texts()
    assert len(items) == df["source_file"].nunique() == 5
    assert sum(int(t.rsplit(": ", 1)[1].split()[0]) for t in items) == len(df)


def test_another_file_gets_no_dataset_line_and_hostile_names_stay_text(browser):
    with run_dashboard("legibility-hostile", HOSTILE) as srv:
        context = browser.new_context(viewport={"width": 1400, "height": 1200})
        dialogs: list[str] = []
        try:
            page = context.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            app = App(page, srv).open()
            assert app.page.get_by_text("Bundled data:").count() == 0
            app.page.locator(".st-key-clusters label").click()  # one marker per incident
            app.wait_idle()
            frame = app.page.frame_locator(MAP_FRAME)
            focus = frame.locator(".geo-focus")
            focus.first.wait_for(state="attached", timeout=30_000)
            labels = [focus.nth(i).get_attribute("aria-label") for i in range(focus.count())]
            assert any('<script>alert("location")</script>' in (t or "") for t in labels)
            assert frame.locator(".geo-focus *").count() == 0 and dialogs == []
        finally:
            context.close()

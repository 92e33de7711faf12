"""The map and the table together: zoom to results, a chosen row, the camera in the link."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode

import pytest

from geo.store import open_store
from tests.browser.conftest import App, run_dashboard
from tests.browser.test_map_view import read_bundled
from tests.store.conftest import new_database, postgres_server  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

CAMERA_JS = "() => [window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]"
# Whether every [lat, lon] given lies inside the map's current view.
ALL_IN_VIEW_JS = (
    "points => points.every(p => window.map.getBounds().contains(L.latLng(p[0], p[1])))"
)
# How many pixels a [lat, lon] lies from the centre of the map.
OFF_CENTRE_JS = """p => window.map.latLngToContainerPoint(L.latLng(p[0], p[1]))
    .distanceTo(window.map.getSize().divideBy(2))"""
TABLE = "[data-testid='stMain'] [data-testid='stDataFrame']"  # the sidebar has the other
ROW_PX = 35  # the data grid's header and row height


def link(app: App) -> dict[str, list[str]]:
    """The page's query parameters as the address bar holds them."""
    return parse_qs(app.page.evaluate("() => location.search").lstrip("?"))


def points_of(df) -> list[list[float]]:
    return [[float(lat), float(lon)] for lat, lon in zip(df["lat"], df["lon"], strict=True)]


def bundled_points():
    import json

    from geo.load import DEFAULT_DATA_PATH

    features = json.loads(DEFAULT_DATA_PATH.read_text(encoding="utf-8"))["features"]
    df = read_bundled()
    df["lon"] = [f["geometry"]["coordinates"][0] for f in features]
    df["lat"] = [f["geometry"]["coordinates"][1] for f in features]
    return df


# True once the app has not run for a while: the map's first report of its view reruns
# the map's fragment just after the page has drawn, and a click must not race it.
QUIET_JS = """ms => {
    var app = document.querySelector("[data-testid='stApp']");
    if (!window.__lastRun) {
        window.__lastRun = Date.now();
        new MutationObserver(function () { window.__lastRun = Date.now(); })
            .observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
    }
    return app.getAttribute("data-test-script-state") === "notRunning"
        && Date.now() - window.__lastRun > ms;
}"""


def wait_quiet(app: App, ms: int = 1500) -> None:
    app.page.wait_for_function(QUIET_JS, arg=ms, timeout=60_000)


def choose_row(app: App, row: int) -> None:
    """Click the row marker of a table row (the grid is a canvas), then wait for the rerun."""
    # The weekly chart above the table draws last: once it is there, the table stays put.
    app.page.locator("[data-testid='stMain'] .vega-embed").first.wait_for()
    wait_quiet(app)
    before = app.page.locator("dl.geo-details dd").first
    shown = before.inner_text() if before.count() else None
    # Playwright clicks once the grid is visible and stable, at this point of it.
    app.page.locator(TABLE).click(position={"x": 14, "y": ROW_PX * (row + 1) + ROW_PX / 2})
    app.page.wait_for_function(
        "before => { var dd = document.querySelector('dl.geo-details dd');"
        " return dd !== null && dd.innerText !== before; }",
        arg=shown,
        timeout=30_000,
    )
    app.wait_idle()


def detail(app: App, field: str) -> str:
    """The value the details panel gives for a field."""
    panel = app.page.locator("dl.geo-details")
    names = panel.locator("dt").all_inner_texts()
    return panel.locator("dd").nth(names.index(field)).inner_text()


def test_zoom_to_results_fits_the_incidents_shown(app):
    df = bundled_points()
    shown = df[df["site_id"] == "camp_taji"]
    assert 0 < len(shown) < len(df)
    app.open()
    frame = app.map_frame()
    app.wait_for_markers(len(df))
    frame.evaluate("() => { window.map.setView([20.0, 10.0], 5, {animate: false}); }")
    app.page.locator(".st-key-sites input").fill("Camp Taji")
    app.page.locator(".st-key-sites input").press("Enter")
    app.page.keyboard.press("Escape")
    app.wait_for_markers(len(shown))
    app.wait_idle()
    # A filter change keeps the user's view ...
    assert frame.evaluate(CAMERA_JS)[2] == 5
    # ... and the button fits the map to what is shown.
    app.page.get_by_role("button", name="Zoom to results").click()
    frame.wait_for_function(ALL_IN_VIEW_JS, arg=points_of(shown), timeout=30_000)
    assert frame.evaluate(CAMERA_JS)[2] > 5


def test_a_link_naming_filters_opens_on_its_results(app):
    df = bundled_points()
    shown = df[df["site_id"] == "camp_taji"]
    app.open()
    whole = app.map_frame().evaluate(CAMERA_JS)[2]
    app.open("site=camp_taji")
    frame = app.map_frame()
    app.wait_for_markers(len(shown))
    frame.wait_for_function(f"() => window.map.getZoom() > {whole}", timeout=30_000)
    assert frame.evaluate(ALL_IN_VIEW_JS, points_of(shown))


def check_chosen_row(app: App, df) -> None:
    """Choose the table's first row: the map centres it and opens its popup; details show it."""
    choose_row(app, 0)
    event_id = detail(app, "event_id")
    incident = df[df["event_id"] == event_id].iloc[0]
    # The table lists the most recent incidents first.
    assert incident["first"] == df["first"].max()
    frame = app.map_frame()
    frame.locator(".leaflet-popup-content").wait_for(timeout=30_000)
    # Centred to the pixel (Leaflet keeps whole pixels), at least at the focus zoom.
    off_centre = frame.evaluate(OFF_CENTRE_JS, [incident["lat"], incident["lon"]])
    assert off_centre < 1.5 and frame.evaluate(CAMERA_JS)[2] >= 10
    popup = frame.locator(".leaflet-popup-content").inner_text()
    assert incident["location"] in popup and incident["event_date"] in popup
    # Its own marker is drawn, whether or not its incident marker sits inside a cluster.
    assert frame.locator(".geo-selected-incident").count() == 1
    assert detail(app, "notes") == incident["notes"]
    assert detail(app, "location") == incident["location"]
    if not str(incident.get("injuries") or "").strip():
        assert detail(app, "injuries") == "not recorded"


def test_a_table_row_is_shown_on_the_clustered_map_and_in_the_details(app):
    df = bundled_points()
    app.open()
    app.wait_for_markers(len(df))
    assert app.page.locator(".st-key-clusters input").is_checked()
    check_chosen_row(app, df)
    links = app.page.locator("dl.geo-details a")
    for k in range(links.count()):
        assert re.match(r"https?://", links.nth(k).get_attribute("href") or "")


@pytest.mark.parametrize("backend", ["sqlite", "postgis"])
def test_a_table_row_is_shown_on_the_map_of_a_store(page, request, tmp_path, backend):
    from geo.load import DEFAULT_DATA_PATH

    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = new_database(request.getfixturevalue("postgres_server"))
    with open_store(url, create=True, user="tester") as store:
        store.import_file(DEFAULT_DATA_PATH)
    with run_dashboard(f"store-selection-{backend}", options=["--", "--db", url]) as srv:
        app = App(page, srv).open()
        check_chosen_row(app, bundled_points())


def test_the_link_keeps_the_maps_centre_and_zoom(app):
    app.open("start=2020-01-01")
    frame = app.map_frame()
    app.page.wait_for_function(
        "() => new URLSearchParams(location.search).has('center')", timeout=30_000
    )  # fmt: skip  (it opened on its results)
    frame.evaluate("() => { window.map.setView([33.3, 44.4], 9, {animate: false}); }")
    app.page.wait_for_function(
        "() => new URLSearchParams(location.search).get('zoom') === '9'", timeout=30_000
    )
    params = link(app)
    assert params["center"] == ["33.3,44.4"] and params["start"] == ["2020-01-01"]
    # A filter change keeps the camera in the link.
    app.commit("q", "rocket")
    params = link(app)
    assert params["center"] == ["33.3,44.4"] and params["zoom"] == ["9"]
    assert params["q"] == ["rocket"]
    # Opening the link again restores the view.
    app.page.goto(f"{app.server.url}/?{urlencode(params, doseq=True)}")
    app.wait_idle()
    frame = app.map_frame()
    frame.wait_for_function("() => window.map.getZoom() === 9", timeout=30_000)
    lat, lon, _ = frame.evaluate(CAMERA_JS)
    assert (round(lat, 3), round(lon, 3)) == (33.3, 44.4)


def test_a_chosen_incident_shows_script_payloads_as_text(page, watch):
    from geo.importers import import_file
    from tests.browser.test_hostile_data import FIND_INJECTED_JS, HOSTILE

    incidents = import_file(HOSTILE).incidents.sort_values("event_date", ascending=False)
    with run_dashboard("hostile-selection", HOSTILE) as srv:
        app = App(page, srv).open()
        app.wait_for_markers(len(incidents))
        for row, incident in enumerate(incidents.itertuples()):
            choose_row(app, row)
            assert detail(app, "event_id") == incident.event_id
            assert detail(app, "notes") == incident.notes
            assert detail(app, "location") == incident.location
            # The previous popup may still be fading out beside the new one.
            popup = app.map_frame().locator(".leaflet-popup-content", has_text=incident.notes)
            popup.first.wait_for(timeout=30_000)
            for link in app.page.locator("dl.geo-details a").all():
                assert re.match(r"https?://", link.get_attribute("href") or "")
        assert app.page.evaluate(FIND_INJECTED_JS) == []
        assert app.map_frame().evaluate(FIND_INJECTED_JS) == []
    assert watch.dialogs == []

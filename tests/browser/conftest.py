"""Live-server fixtures: ``streamlit run dashboard.py`` driven by Debian's Chromium.

Every request that leaves the machine is refused and recorded, and any uncaught page
error fails the test: that is how the map is shown to work on a closed network. Each test
leaves a screenshot in ``test-output/<test name>.png``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from benchmarks.server import Server, ServerStartError, dashboard_server
from geo.assets import is_installed
from geo.basemap import basemap_installed

REPO = Path(__file__).resolve().parents[2]
OUTPUT_DIR = REPO / "test-output"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
APP_RUNNING = "[data-testid='stApp'][data-test-script-state='running']"


@contextmanager
def run_dashboard(
    name: str,
    data: Path | None = None,
    *,
    address: str | None = "127.0.0.1",
    env: Mapping[str, str] | None = None,
    options: Sequence[str] = (),
) -> Iterator[Server]:
    """Start the dashboard on a free port and wait until its health check says ok.

    ``address=None`` leaves the address to the shipped config file, as ``make run`` would;
    ``env`` adds variables (such as ``INCIDENT_MAP_CACHE``) to the cleaned environment;
    ``options`` are more ``streamlit run`` options.
    """
    if not (is_installed() and basemap_installed()):
        pytest.fail("Web assets or the offline basemap are not installed: run `make install`.")
    args = ["--data", str(data)] if data is not None else []
    log = OUTPUT_DIR / f"server-{name}.log"
    try:
        with dashboard_server(log, args=args, options=options, address=address, env=env) as srv:
            yield srv
    except ServerStartError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """The dashboard serving the bundled data."""
    with run_dashboard("bundled") as srv:
        yield srv


@dataclass
class Watch:
    """What a page did that a test must know about."""

    refused: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def page(browser, watch: Watch, request: pytest.FixtureRequest):
    """A fresh page that refuses outside requests and records errors and dialogs."""
    context = browser.new_context(viewport={"width": 1400, "height": 1600})

    def route(route_) -> None:
        host = urlsplit(route_.request.url).hostname or ""
        if host in LOCAL_HOSTS:
            route_.continue_()
        else:
            watch.refused.append(route_.request.url)
            route_.abort()

    context.route("**/*", route)
    pg = context.new_page()
    pg.on("pageerror", lambda exc: watch.errors.append(str(exc)))

    def on_dialog(dialog) -> None:
        watch.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    yield pg
    OUTPUT_DIR.mkdir(exist_ok=True)
    try:  # let the map finish fetching its basemap, so the screenshot shows what a user sees
        pg.wait_for_load_state("networkidle", timeout=10_000)
    except PlaywrightTimeoutError:
        pass
    pg.screenshot(path=str(OUTPUT_DIR / f"{request.node.name}.png"), full_page=True)
    exceptions = pg.locator("[data-testid='stException']").all_inner_texts()
    context.close()
    assert not exceptions, f"the app raised: {exceptions}"
    assert not watch.refused, f"requests left the machine: {watch.refused}"
    assert not watch.errors, f"page errors: {watch.errors}"


# Counts the incident markers on the map, clustered or not (each marker carries its data row).
COUNT_MARKERS_JS = """() => {
    if (!window.map || !window.L) { return -1; }
    var ids = new Set();
    window.map.eachLayer(function (layer) {
        if (L.MarkerClusterGroup && layer instanceof L.MarkerClusterGroup) {
            layer.getLayers().forEach(function (m) {
                if (m.options && m.options.row) { ids.add(L.stamp(m)); }
            });
        } else if (layer.options && layer.options.row) { ids.add(L.stamp(layer)); }
    });
    return ids.size;
}"""


class App:
    """The dashboard open in a page, with the map's frame at hand."""

    def __init__(self, page, server: Server) -> None:
        self.page = page
        self.server = server

    def open(self, query: str = "") -> App:
        self.page.goto(f"{self.server.url}/{'?' + query if query else ''}")
        self.wait_idle()
        return self

    def wait_idle(self) -> None:
        self.page.wait_for_selector(APP_IDLE, timeout=60_000)

    def commit(self, key: str, value: str) -> None:
        """Type into a widget, press Enter, and wait until the rerun it starts has finished."""
        field = self.page.locator(f".st-key-{key} input")
        field.fill(value)
        field.press("Enter")
        try:  # a fast rerun can finish before this looks; then there is nothing to wait for
            self.page.wait_for_selector(APP_RUNNING, timeout=5_000)
        except PlaywrightTimeoutError:
            pass
        self.wait_idle()

    def upload(self, path: Path, records: int) -> None:
        """Upload a file in the sidebar and wait until its import and rerun are done."""
        self.page.locator(".st-key-upload input[type='file']").set_input_files(str(path))
        self.page.get_by_text(f"checked {records} records").wait_for(timeout=60_000)
        self.wait_idle()

    def pick_option(self, key: str, name: str) -> None:
        """Open a select box or multiselect and click one of its options.

        A list opened while a rerun redraws the box shows the old choices: it is opened
        again until the option is there.
        """
        option = self.page.get_by_role("option", name=name)
        for _ in range(10):
            self.wait_idle()
            self.page.locator(f".st-key-{key}").click()
            try:
                option.wait_for(timeout=3_000)
                break
            except PlaywrightTimeoutError:
                self.page.keyboard.press("Escape")
        option.click()

    def map_frame(self):
        handle = self.page.wait_for_selector(MAP_FRAME, timeout=60_000)
        frame = handle.content_frame()
        assert frame is not None
        frame.wait_for_function("() => window.map && window.map._loaded", timeout=60_000)
        return frame

    def drawn_markers(self) -> int:
        return int(self.map_frame().evaluate(COUNT_MARKERS_JS))

    def wait_for_markers(self, expected: int, timeout_ms: int = 30_000) -> int:
        frame = self.map_frame()
        frame.wait_for_function(
            f"n => ({COUNT_MARKERS_JS})() === n", arg=expected, timeout=timeout_ms
        )
        return int(frame.evaluate(COUNT_MARKERS_JS))

    def metric(self, label: str) -> int:
        box = self.page.locator("[data-testid='stMetric']", has_text=label).first
        value = box.locator("[data-testid='stMetricValue']").inner_text()
        return int(value.replace(",", ""))


@pytest.fixture
def app(page, server: Server) -> App:
    return App(page, server)

"""Curation in a browser on PostGIS: two editors, a conflict, a reviewer, a viewer, the history.

The dashboard runs behind no proxy here; each browser context plays one analyst by sending
the header an authenticating proxy would set, which the server is told to trust.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest

from benchmarks.server import ServerStartError, dashboard_server
from geo.store import open_store
from geo.store.curation import Curator, grant_role
from tests.browser.conftest import APP_IDLE, LOCAL_HOSTS, MAP_FRAME, OUTPUT_DIR, REPO
from tests.store.conftest import new_database, postgres_server  # noqa: F401 (a fixture)

HEADER = "X-Forwarded-User"


@contextmanager
def curation_server(name: str, db: str, *, trust: bool) -> Iterator[str]:
    """Serve the dashboard on a store, trusting the proxy header or not."""
    options = ["--server.trustedUserHeaders", json.dumps({HEADER: "user"})] if trust else []
    log = OUTPUT_DIR / f"server-{name}.log"
    try:
        with dashboard_server(log, args=["--db", db], options=options) as server:
            yield server.url
    except ServerStartError as exc:
        pytest.fail(str(exc))


class Analyst:
    """One browser context sending one user's header; outside requests refused."""

    def __init__(self, browser, url: str, user: str | None) -> None:
        headers = {HEADER: user} if user else {}
        self.context = browser.new_context(
            viewport={"width": 1400, "height": 2400}, extra_http_headers=headers
        )
        self.refused: list[str] = []
        self.errors: list[str] = []

        def route(route_) -> None:
            if (urlsplit(route_.request.url).hostname or "") in LOCAL_HOSTS:
                route_.continue_()
            else:
                self.refused.append(route_.request.url)
                route_.abort()

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.url = url
        self.name = user or "nobody"

    def open(self, query: str = "") -> Analyst:
        self.page.goto(f"{self.url}/curation{'?' + query if query else ''}")
        self.idle()
        return self

    def idle(self) -> None:
        self.page.wait_for_selector(APP_IDLE, timeout=60_000)

    def fill(self, key: str, value: str) -> None:
        field = self.page.locator(f".st-key-{key} input, .st-key-{key} textarea").first
        field.fill(value)
        field.press("Tab")
        self.idle()

    def choose(self, key: str, option: str) -> None:
        self.page.locator(f".st-key-{key} [role='combobox']").click()
        self.page.get_by_role("option", name=option, exact=False).first.click()
        self.idle()

    def click(self, key: str) -> None:
        self.page.locator(f".st-key-{key} button").click()
        self.page.wait_for_timeout(300)  # let the rerun start before waiting for its end
        self.idle()

    def close(self, test_name: str) -> None:
        self.page.screenshot(path=str(OUTPUT_DIR / f"{test_name}-{self.name}.png"), full_page=True)
        exceptions = self.page.locator("[data-testid='stException']").all_inner_texts()
        self.context.close()
        assert not exceptions, f"the app raised for {self.name}: {exceptions}"
        assert not self.refused, f"requests left the machine: {self.refused}"
        assert not self.errors, f"page errors for {self.name}: {self.errors}"


def test_two_editors_a_conflict_a_reviewer_a_viewer_and_the_history(browser, postgres_server):  # noqa: F811
    db = new_database(postgres_server)
    with open_store(db, create=True, user="setup") as store, store.engine.begin() as conn:
        for name, role in [("ana", "editor"), ("ben", "editor"), ("rea", "reviewer"),
                           ("vic", "viewer")]:  # fmt: skip
            grant_role(conn, name, role, by="setup")
    with curation_server("curation", db, trust=True) as url:
        ana = Analyst(browser, url, "ana").open()
        assert "Signed in as ana (editor)" in ana.page.inner_text("body")
        ana.fill("f_event_date", "2020-01-03")
        ana.choose("f_event_type", "Explosions/Remote violence")
        ana.choose("f_sub_event_type", "Air/drone strike")
        ana.choose("f_actor1", "Kataib Hezbollah")
        ana.fill("f_location", "Baghdad International Airport")
        ana.fill("f_country", "Iraq")
        ana.fill("f_fatalities", "10")
        ana.fill("f_notes", "A drone strike near the airport.")
        ana.fill("f_source", "Reuters")
        ana.fill("f_source_url", "https://news.example/strike")
        ana.fill("f_source_quote", "A drone strike hit a convoy near the airport.")
        frame = ana.page.frame_locator(MAP_FRAME)
        frame.locator(".leaflet-container").first.click(position={"x": 200, "y": 170})
        ana.page.wait_for_function(
            "() => { const i = document.querySelector('.st-key-f_latitude input');"
            " return i && i.value !== ''; }",
            timeout=30_000,
        )
        ana.idle()
        assert ana.page.locator(".st-key-f_coord_source input").input_value() == "picked on the map"
        ana.click("save")
        assert "Added incident" in ana.page.inner_text("body")

        with open_store(db) as store:
            (row,) = Curator(store).listing().itertuples()
        incident_id, event_id = int(row.id), str(row.event_id)

        ben = Analyst(browser, url, "ben").open(f"incident={incident_id}")
        ben.fill("f_fatalities", "12")
        ben.click("save")
        assert "Saved incident" in ben.page.inner_text("body")

        ana.fill("f_fatalities", "11")  # ana's form still holds version 1
        ana.click("save")
        body = ana.page.inner_text("body")
        ana.page.screenshot(path=str(OUTPUT_DIR / "curation-conflict.png"), full_page=True)
        assert "Someone else saved incident" in body
        assert "Yours: 11" in body and "Stored: 12" in body
        ana.page.locator(".st-key-pick_fatalities").get_by_text("keep yours").click()
        ana.idle()
        ana.click("resolve")
        assert "with the chosen values" in ana.page.inner_text("body")

        rea = Analyst(browser, url, "rea").open(f"incident={incident_id}")
        rea.click("mark_reviewed")
        assert "Marked reviewed" in rea.page.inner_text("body")

        vic = Analyst(browser, url, "vic").open(f"incident={incident_id}&status=reviewed")
        assert "Signed in as vic (viewer)" in vic.page.inner_text("body")
        assert vic.page.locator("[data-testid='stTextInput']").count() == 0
        assert vic.page.locator(".st-key-save, .st-key-mark_reviewed, .st-key-merge").count() == 0
        for analyst in (ana, ben, rea, vic):
            analyst.close("curation")

    with open_store(db) as store:
        got = Curator(store).get(incident_id)
    assert (got.status, got.values["fatalities"], got.version) == ("reviewed", 11, 4)
    done = subprocess.run(
        [sys.executable, "-m", "geo", "db", "history", event_id, "--db", db],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    versions = [line.split() for line in done.stdout.splitlines() if line.startswith("  version")]
    assert [(v[1], v[5], v[6]) for v in versions] == [
        ("1", "ana", "insert"), ("2", "ben", "update"), ("3", "ana", "update"),
        ("4", "rea", "status"),
    ]  # fmt: skip


def test_a_header_the_browser_sends_itself_is_ignored_unless_trusted(browser, postgres_server):  # noqa: F811
    db = new_database(postgres_server)
    with open_store(db, create=True, user="setup") as store, store.engine.begin() as conn:
        grant_role(conn, "ana", "editor", by="setup")
    with curation_server("curation-untrusted", db, trust=False) as url:
        mallory = Analyst(browser, url, "ana").open()
        assert "Signed in as anonymous (viewer)" in mallory.page.inner_text("body")
        assert mallory.page.locator(".st-key-save").count() == 0
        mallory.close("curation-untrusted")

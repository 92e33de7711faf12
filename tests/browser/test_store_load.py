"""Browser sessions against dashboards on a PostGIS store: counts, errors and memory.

A small version of ``benchmarks/store_load.py``: six sessions at once against one server,
then against two servers sharing the store. And a store that cannot be reached gets one
sentence on the page, no traceback.
"""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from benchmarks.benchdata import generate_acled, to_canonical
from benchmarks.server import dashboard_server
from benchmarks.store_load import drive, plan_sessions, summarize
from benchmarks.storedata import bulk_load
from geo.store import open_store
from tests.browser.conftest import APP_IDLE, OUTPUT_DIR
from tests.store.conftest import new_database, postgres_server  # noqa: F401  (fixture)

SESSIONS = 6
INCIDENTS = 4_000
MAX_SERVER_MIB = 1_024  # a server holds pages, never the store: far below this


@pytest.fixture(scope="module")
def filled_store(postgres_server: str):  # noqa: F811  (the imported fixture)
    gdf = to_canonical(generate_acled(INCIDENTS, seed=7))
    url = new_database(postgres_server)
    with open_store(url, create=True, user="load") as store:
        assert bulk_load(store, gdf) == INCIDENTS
    return url, gdf


@pytest.mark.parametrize("n_servers", [1, 2])
def test_concurrent_sessions_see_their_counts_and_no_error(browser, filled_store, n_servers):
    url, gdf = filled_store
    plans = plan_sessions(gdf, SESSIONS)
    assert len({p.expected for p in plans}) > 3  # the sessions ask for different things
    with ExitStack() as stack:
        servers = [
            stack.enter_context(dashboard_server(
                OUTPUT_DIR / f"server-store-load-{n_servers}-{k}.log", args=["--db", url]
            ))  # fmt: skip
            for k in range(n_servers)
        ]
        results = drive(browser, servers, plans)
        figures = summarize(f"{n_servers} servers", servers, results, INCIDENTS)
    assert figures["problems"] == []
    assert [r.shown for r in results] == [list(p.expected) for p in plans]
    assert figures["sessions_ok"] == SESSIONS
    assert {r.server for r in results} == set(range(n_servers))
    for server in figures["servers"]:
        assert server["rss_peak_mib"] < MAX_SERVER_MIB


def test_an_unreachable_store_is_one_sentence_on_the_page(browser):
    down = "postgresql://nobody@127.0.0.1:9/incidents"
    with dashboard_server(OUTPUT_DIR / "server-store-down.log", args=["--db", down]) as srv:
        context = browser.new_context()
        try:
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(srv.url)
            page.wait_for_selector("[data-testid='stAlertContentError']", timeout=120_000)
            page.wait_for_selector(APP_IDLE, timeout=60_000)
            message = page.locator("[data-testid='stAlertContentError']").inner_text()
            assert "127.0.0.1:9" in message
            assert message.count(".") >= 1 and "\n" not in message.strip()
            assert "Traceback" not in page.content()
            assert page.locator("[data-testid='stException']").count() == 0
            assert page.locator("[data-testid='stMetric']").count() == 0
            assert errors == []
        finally:
            context.close()

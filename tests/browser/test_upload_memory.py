"""Upload memory comes back: once its upload sessions close, the server returns near its baseline.

Four browsers each upload a file of their own and close. Once the sessions have been
gone for longer than the (shortened) reconnect window, the server's resident set must be
back within 100 MB of what it held after the first page load; the uploads together
weigh several times that once imported.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from tests.test_importers_memory import incidents_frame

from .conftest import APP_IDLE, Server, Watch, run_dashboard
from .test_upload_hardening import MB, SIDEBAR, server_rss, session, upload

pytestmark = pytest.mark.browser

UPLOADS = 4
ROWS = 60_000
TTL_S = 2
# How long the server may take to drop the closed sessions' data (its sweeper runs every
# second once the reconnect window is over); the loop ends as soon as memory is back.
RETURN_TIMEOUT_S = 30


def upload_file(folder: Path, number: int) -> Path:
    """A CSV of ``ROWS`` incidents, with ids and notes of its own."""
    gdf = incidents_frame(ROWS)
    flat = pd.DataFrame(gdf.drop(columns="geometry"))
    flat.insert(0, "event_id", [f"u{number}-{i}" for i in range(ROWS)])
    flat["notes"] = f"upload {number} " + flat["notes"]
    flat["latitude"], flat["longitude"] = gdf.geometry.y, gdf.geometry.x
    path = folder / f"upload-{number}.csv"
    flat.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def short_lived() -> Iterator[Server]:
    """The dashboard keeping a closed session for two seconds only."""
    with run_dashboard(
        "upload-memory", options=["--server.disconnectedSessionTTL", str(TTL_S)]
    ) as srv:
        yield srv


def test_memory_returns_after_upload_sessions_close(browser, short_lived, tmp_path):
    files = [upload_file(tmp_path, number) for number in range(UPLOADS)]
    watch = Watch()
    baseline = None
    grown = 0
    for number, path in enumerate(files):
        with session(browser, short_lived, watch, f"upload-memory-{number}") as page:
            if baseline is None:
                baseline = server_rss(short_lived)
            upload(page, path.name, path)
            page.locator(SIDEBAR, has_text=f"{path.name}: checked").wait_for(timeout=120_000)
            page.wait_for_selector(APP_IDLE, timeout=120_000)
            assert page.locator("[data-testid='stMetric']", has_text=f"{ROWS:,}").count() == 1
            grown = max(grown, server_rss(short_lived) - baseline)
    assert baseline is not None
    # The uploads did cost memory while open: what must come back is real.
    assert grown > 120 * MB, f"the uploads grew the server by only {grown / MB:.0f} MB"
    # Streamlit keeps each closed session TTL_S seconds; the sweeper then shuts it down.
    deadline = time.monotonic() + RETURN_TIMEOUT_S
    held = server_rss(short_lived) - baseline
    while held > 100 * MB and time.monotonic() < deadline:
        time.sleep(1)  # polling interval while the server drops the sessions' data
        held = server_rss(short_lived) - baseline
    assert held <= 100 * MB, (
        f"{held / MB:.0f} MB above the baseline {RETURN_TIMEOUT_S} s after the sessions closed"
    )
    assert watch.refused == [] and watch.errors == []

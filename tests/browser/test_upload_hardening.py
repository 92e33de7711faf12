"""Uploads that cannot hurt the server or leak to the outside, against the real server.

Names written as Markdown are shown as written and load nothing from outside; a
decompression bomb is refused with the limit named while the server's memory stays
bounded. Every request that leaves the machine is refused and counted.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely

from geo.webtext import WORD_JOINER

from .conftest import APP_IDLE, LOCAL_HOSTS, OUTPUT_DIR, Server, Watch, run_dashboard

pytestmark = pytest.mark.browser

SIDEBAR = "[data-testid='stSidebar']"
UPLOAD_INPUT = ".st-key-upload input[type='file']"
ERROR_BOX = "[data-testid='stAlertContentError']"
MARKDOWN_NAMES = [
    "![x](https://example.invalid/?leak=1).csv",
    "![y](http:example.invalid).csv",
    "[n](http:a.invalid) www.b.invalid x@c.invalid <img src=http:d.invalid>.csv",
]
BOMB_LIMIT_MB = 64
MB = 2**20


def server_rss(server: Server) -> int:
    """Resident bytes of the server process."""
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS for the server")


class PeakWatcher:
    """Sample the server's resident set from a thread; report the highest seen."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.peak = server_rss(server)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._done.wait(0.05):
            self.peak = max(self.peak, server_rss(self.server))

    def __enter__(self) -> PeakWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, server_rss(self.server))


@contextmanager
def session(browser, server: Server, watch: Watch, name: str) -> Iterator:
    """A browser context of its own (a session of its own), refusing outside requests."""
    context = browser.new_context(viewport={"width": 1400, "height": 1400})

    def route(route_) -> None:
        if (urlsplit(route_.request.url).hostname or "") in LOCAL_HOSTS:
            route_.continue_()
        else:
            watch.refused.append(route_.request.url)
            route_.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda exc: watch.errors.append(str(exc)))
    try:
        page.goto(server.url, timeout=120_000)
        page.wait_for_selector(APP_IDLE, timeout=90_000)
        yield page
        OUTPUT_DIR.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT_DIR / f"{name}.png"), full_page=True)
        assert not page.locator("[data-testid='stException']").count()
    finally:
        context.close()


def upload(page, name: str, data: bytes | Path, mime: str = "text/csv") -> None:
    """Choose a file: bytes under any name, or (faster for large files) a file on disk."""
    chooser = page.locator(UPLOAD_INPUT)
    if isinstance(data, Path):
        chooser.set_input_files(str(data), timeout=120_000)
    else:
        chooser.set_input_files({"name": name, "mimeType": mime, "buffer": data}, timeout=120_000)


def geoparquet_bomb(path: Path, rows: int, note_bytes: int) -> bytes:
    """A GeoParquet of a few MB whose notes decode to ``rows * note_bytes`` bytes."""
    geo = {
        "version": "1.0.0",
        "primary_column": "geometry",
        "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"]}},
    }
    schema = pa.schema(
        [("event_date", pa.string()), ("notes", pa.string()), ("geometry", pa.binary())],
        metadata={b"geo": json.dumps(geo).encode()},
    )
    chunk = 50_000
    with pq.ParquetWriter(
        path, schema, compression="zstd", compression_level=9, use_dictionary=False
    ) as writer:
        for start in range(0, rows, chunk):
            ids = np.arange(start, min(start + chunk, rows))
            notes = pa.array([f"{i:09d}" + "x" * (note_bytes - 9) for i in ids])
            points = shapely.points(44 + ids % 1000 / 1000, 33 + ids % 997 / 1000)
            wkb = pa.array(shapely.to_wkb(points), pa.binary())
            writer.write_table(
                pa.table([pa.array(["2020-01-01"] * len(ids)), notes, wkb], schema=schema)
            )
    return path.read_bytes()


@pytest.fixture(scope="module")
def hardened() -> Iterator[Server]:
    """The dashboard with a small decoded-size limit and sessions dropped soon after closing."""
    with run_dashboard(
        "hardening",
        options=["--server.disconnectedSessionTTL", "2"],
        env={"INCIDENT_MAP_MAX_DECODED_MB": str(BOMB_LIMIT_MB)},
    ) as srv:
        yield srv


def test_markdown_names_are_shown_as_written_and_load_nothing(browser, hardened):
    watch = Watch()
    with session(browser, hardened, watch, "markdown-names") as page:
        for name in MARKDOWN_NAMES:
            upload(page, name, b"")
            # The name as the importer reports it (a path's last part), character for character.
            reported = Path(name.replace("\\", "/")).name
            # The name's end holds no link pattern, so no word joiner was put into it.
            box = page.locator(f"{SIDEBAR} {ERROR_BOX}", has_text=f"{reported[-12:]}: the file")
            box.wait_for(timeout=60_000)
            page.wait_for_selector(APP_IDLE, timeout=60_000)
            shown = box.inner_text().replace(WORD_JOINER, "")
            assert shown == f"cannot read {reported}: the file is empty."
            assert box.locator("img, a, strong, em, code").count() == 0, box.inner_html()
        assert page.locator("[data-testid='stApp'] img[src*='invalid']").count() == 0
        assert page.locator("a[href*='invalid']").count() == 0
    assert watch.refused == [], f"requests left the machine: {watch.refused}"
    assert watch.errors == []


def test_a_bomb_is_refused_naming_the_limit_and_memory_stays_bounded(browser, hardened, tmp_path):
    """400 MB of notes in a few MB of GeoParquet, under a 64 MB limit."""
    rows, note_bytes = 400_000, 1000
    bomb = tmp_path / "bomb.parquet"
    assert len(geoparquet_bomb(bomb, rows, note_bytes)) < 20 * MB
    watch = Watch()
    with session(browser, hardened, watch, "bomb") as page:
        before = server_rss(hardened)
        with PeakWatcher(hardened) as peak:
            upload(page, bomb.name, bomb)
            box = page.locator(f"{SIDEBAR} {ERROR_BOX}")
            box.wait_for(timeout=120_000)
            page.wait_for_selector(APP_IDLE, timeout=120_000)
        message = box.inner_text()
        assert "cannot read bomb.parquet" in message
        assert f"decodes to more than {BOMB_LIMIT_MB} MB" in message
        assert "INCIDENT_MAP_MAX_DECODED_MB" in message
        # The server's data is still shown.
        assert page.locator("[data-testid='stMetric']").count() >= 1
    grown = peak.peak - before
    # Decoding the whole file would hold its 400 MB of text several times over; the
    # read stops one 64k-record batch (about 64 MB here) past the limit.
    assert grown < 400 * MB, f"server grew by {grown / MB:.0f} MB"
    assert watch.refused == [] and watch.errors == []

"""A restarted dashboard reads the prepared copy of its file instead of importing it again."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from geo.load import DEFAULT_DATA_PATH, file_sha256
from geo.prepared import prepared_path, read_prepared, write_prepared
from tests.browser.conftest import App, run_dashboard

pytestmark = pytest.mark.browser

KEPT = 3  # incidents left in the doctored copy


def shown_after_visit(page, server) -> int:
    shown = App(page, server).open().metric("Incidents shown")
    page.goto("about:blank")  # leave before the server stops: no dropped connection
    return shown


def test_second_server_on_the_same_file_reads_the_prepared_copy(page, tmp_path: Path):
    data = tmp_path / "incidents.geojson"
    shutil.copyfile(DEFAULT_DATA_PATH, data)
    cache = tmp_path / "cache"
    env = {"INCIDENT_MAP_CACHE": str(cache)}
    copy = prepared_path(file_sha256(data), cache)

    with run_dashboard("prepared-first", data, env=env) as first:
        total = shown_after_visit(page, first)
    assert copy.is_file(), "the first server left no prepared copy"
    assert total > KEPT

    # Only a server that reads the copy can show what was changed in it.
    result = read_prepared(copy)
    assert result is not None and len(result.incidents) == total
    doctored = dataclasses.replace(result, incidents=result.incidents.head(KEPT).copy())
    write_prepared(doctored, copy)
    written = copy.stat().st_mtime_ns

    with run_dashboard("prepared-second", data, env=env) as second:
        shown = shown_after_visit(page, second)
    assert shown == KEPT, "the restarted server imported the file again"
    assert copy.stat().st_mtime_ns == written, "the restarted server rewrote the copy"

"""A cleared cache is harmless: the dashboard reloads its data from the prepared copy.

Any client can send ``clear_cache``; it empties ``st.cache_resource`` for every session.
The next run must read the prepared copy, not import and validate the file again.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo import prepared
from geo.importers import import_file

REPO = Path(__file__).resolve().parents[1]
DASHBOARD = REPO / "dashboard.py"
TIMEOUT_S = 120


@pytest.fixture
def imports(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every call of the real importer made through the prepared copies."""
    calls: list[Path] = []

    def counting(source, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(Path(source))
        return import_file(source, **kwargs)

    monkeypatch.setattr(prepared, "import_file", counting)
    return calls


def shown(at: AppTest) -> int:
    return int(next(m for m in at.metric if m.label == "Incidents shown").value.replace(",", ""))


def test_cleared_cache_reloads_from_the_prepared_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, imports: list[Path]
) -> None:
    source = tmp_path / "incidents.geojson"
    shutil.copy(REPO / "data" / "incidents.geojson", source)
    monkeypatch.setenv("INCIDENT_MAP_DATA", str(source))
    monkeypatch.setenv(prepared.CACHE_ENV, str(tmp_path / "cache"))
    st.cache_data.clear()
    st.cache_resource.clear()

    first = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT_S).run()
    assert not first.exception
    count = shown(first)
    assert count > 0
    assert imports == [source.resolve()]

    # What the server does for a client's clear_cache message.
    st.cache_data.clear()
    st.cache_resource.clear()
    again = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT_S).run()
    assert not again.exception
    assert shown(again) == count
    assert imports == [source.resolve()], "the file was imported again"
    st.cache_data.clear()
    st.cache_resource.clear()


def test_sessions_with_the_same_view_share_one_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geo.source import FileSource

    calls: list[object] = []
    real = FileSource.page

    def counting(self, flt, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(flt)
        return real(self, flt, **kwargs)

    monkeypatch.setattr(FileSource, "page", counting)
    monkeypatch.setenv(prepared.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv("INCIDENT_MAP_DATA", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    first = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT_S).run()
    second = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT_S).run()
    assert not first.exception and not second.exception
    assert shown(first) == shown(second) > 0
    assert len(calls) == 1, "the second session filtered again"
    # A different view is its own selection.
    second.text_input(key="q").input("no such text anywhere").run()
    assert len(calls) == 2
    st.cache_data.clear()
    st.cache_resource.clear()

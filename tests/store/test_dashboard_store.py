"""The dashboard on a store (``INCIDENT_MAP_DB``) shows the numbers it shows on the file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo.store import open_store
from geo.webtext import WORD_JOINER

REPO = Path(__file__).resolve().parents[2]
DASHBOARD = REPO / "dashboard.py"
DATA = REPO / "data" / "incidents.geojson"
TIMEOUT_S = 120


def as_shown(markdown: str) -> str:
    """What a reader sees of escaped Markdown: backslash escapes and word joiners removed."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(WORD_JOINER, "")


@pytest.fixture(autouse=True)
def fresh_caches(monkeypatch):
    """Caches outlive one AppTest; the data must come from the test alone."""
    monkeypatch.delenv("INCIDENT_MAP_DATA", raising=False)
    monkeypatch.delenv("INCIDENT_MAP_DB", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def run_app() -> AppTest:
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def numbers(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_store_pages_show_the_file_numbers_for_each_filter(store_url, monkeypatch):
    with open_store(store_url, create=True, user="tester") as store:
        report = store.import_file(DATA)
    assert len(report.result.rejected) == 0
    on_file = run_app()
    monkeypatch.setenv("INCIDENT_MAP_DB", store_url)
    st.cache_resource.clear()
    on_store = run_app()
    assert not on_store.error
    total = len(report.result.incidents)
    assert on_store.sidebar.text[0].value.endswith(f": {total:,} incidents")
    assert numbers(on_store) == numbers(on_file)
    assert on_store.text[0].value == on_file.text[0].value  # the caption
    assert len(on_store.get("component_instance")) == 1
    # Filters added one by one, then the colouring: each app is changed the same way.
    shown = []
    frame = report.result.incidents
    kind = frame["event_type"].mode()[0]
    actor = frame.loc[frame["event_type"] == kind, "actor1"].mode()[0]
    for change in (
        lambda at: at.multiselect(key="types").select(kind),
        lambda at: at.multiselect(key="actors").select(actor),
        lambda at: at.selectbox(key="color").select("actor"),
        lambda at: at.text_input(key="q").input("rocket"),
    ):
        for at, url in ((on_file, None), (on_store, store_url)):
            # The script reads the environment on every run.
            if url is None:
                monkeypatch.delenv("INCIDENT_MAP_DB")
            else:
                monkeypatch.setenv("INCIDENT_MAP_DB", url)
            change(at).run()
            assert not at.exception, [e.value for e in at.exception]
        assert numbers(on_store) == numbers(on_file)
        assert on_store.text[0].value == on_file.text[0].value
        assert len(on_store.dataframe) == len(on_file.dataframe)
        for got, want in zip(on_store.dataframe, on_file.dataframe, strict=True):
            assert sorted(got.value["event_id"]) == sorted(want.value["event_id"])
            assert list(got.value["event_date"]) == list(want.value["event_date"])
        shown.append(numbers(on_file)["Incidents shown"])
    assert len(set(shown)) > 2  # the changes changed what was shown


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://x@127.0.0.1/db", "sqlite:///"),
        ("postgresql://nobody@127.0.0.1:9/incidents", "127.0.0.1:9"),
        ("sqlite:////nonexistent/folder/store.db", "does not exist"),
        ("sqlite:///{tmp}/missing.db", "python -m geo db init"),
        ("{empty_postgres}", "python -m geo db init"),
    ],
)
def test_a_store_that_cannot_be_used_gets_one_sentence(url, words, monkeypatch, tmp_path, request):
    if url == "{empty_postgres}":  # a database without the store's tables or PostGIS
        url = request.getfixturevalue("make_database")(template="template1")
    monkeypatch.setenv("INCIDENT_MAP_DB", url.format(tmp=tmp_path))
    at = run_app()
    assert len(at.error) == 1
    message = as_shown(at.error[0].value)
    assert words in message
    assert "Traceback" not in message and "\n" not in message
    assert not at.metric

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


def _with_states(store_url: str) -> dict[str, int]:
    """Import the bundled data and mark some incidents reviewed, some rejected."""
    import sqlalchemy as sa

    from geo.store.schema import incidents

    with open_store(store_url, create=True, user="tester") as store:
        store.import_file(DATA)
        with store.engine.begin() as conn:
            ids = [r for (r,) in conn.execute(sa.select(incidents.c.id).order_by(incidents.c.id))]
            for state, chosen in (("reviewed", ids[:7]), ("rejected", ids[7:10])):
                conn.execute(
                    sa.update(incidents).where(incidents.c.id.in_(chosen)).values(status=state)
                )
    return {"reviewed": 7, "rejected": 3, "draft": len(ids) - 10}


def test_the_review_state_filters_the_store_map_both_ways_through_the_link(
    store_url, monkeypatch
):
    counts = _with_states(store_url)
    monkeypatch.setenv("INCIDENT_MAP_DB", store_url)
    at = run_app()
    # By default all but the rejected, and a bare link stays bare.
    assert at.multiselect(key="statuses").value == ["draft", "reviewed"]
    assert numbers(at)["Incidents shown"] == f"{counts['draft'] + counts['reviewed']:,}"
    assert "status" not in at.query_params
    at.multiselect(key="statuses").unselect("draft").run()
    assert not at.exception
    assert numbers(at)["Incidents shown"] == f"{counts['reviewed']:,}"
    assert "Reviewed only" in at.text[0].value
    assert at.query_params["status"] in ("reviewed", ["reviewed"])
    # The link opens the same view in a new session.
    st.cache_resource.clear()
    linked = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT_S)
    linked.query_params["status"] = ["reviewed", "rejected"]
    linked.run()
    assert not linked.exception and not linked.warning
    assert linked.multiselect(key="statuses").value == ["reviewed", "rejected"]
    wanted = counts["reviewed"] + counts["rejected"]
    assert numbers(linked)["Incidents shown"] == f"{wanted:,}"
    assert "Review state: reviewed, rejected" in linked.text[0].value


def test_a_file_has_no_review_state_and_a_status_in_its_link_is_not_applicable():
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT_S)
    at.query_params["status"] = "reviewed"
    at.run()
    assert not at.exception
    assert not [w for w in at.multiselect if w.key == "statuses"]
    assert "ignored status='reviewed': not applicable" in at.text[0].value

"""The review page in Streamlit's app test harness, writing to a real SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from geo.store.schema import incidents as t
from geo.store.store import open_store

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "article_review.py")
ARTICLE = (
    "published: 2020-03-16\n\n"
    "Three rockets hit Camp Taji on Saturday, wounding three coalition soldiers.\n\n"
    "Protesters marched in Basra on Sunday.\n\n"
    "Kataib Hezbollah has threatened to target US forces with rockets.\n"
)


@pytest.fixture
def store_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    open_store(url, create=True).close()
    monkeypatch.setenv("INCIDENT_MAP_DB", url)
    monkeypatch.setenv("INCIDENT_MAP_DECISIONS", str(tmp_path / "decisions.jsonl"))
    return url


def _proposed() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    at.text_area(key="intake_text").set_value(ARTICLE)
    at.text_input(key="intake_source").set_value("Example Wire")
    at.text_input(key="intake_source_url").set_value("https://example.org/taji")
    at.button(key="intake_propose").click().run()
    assert not at.exception and not at.error
    return at


def _rows(url: str) -> list[dict]:
    with open_store(url) as store, store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(t)).mappings()]


def test_accept_after_edit_and_reject_with_reason(store_url, tmp_path):
    at = _proposed()
    assert at.subheader[0].value == "2 candidates"
    (skipped,) = at.expander
    assert skipped.label == "Sentences not proposed (1)"
    assert "threat" in skipped.children[0].proto.body  # shown with its reason
    # The article gives no death toll: the field starts empty (not recorded), never 0.
    assert at.text_input(key="intake_0_fatalities").value == ""
    at.text_input(key="intake_0_fatalities").set_value("0")
    at.button(key="intake_0_accept").click().run()
    assert not at.exception and not at.error
    at.text_input(key="intake_1_reason").set_value("a peaceful march")
    at.button(key="intake_1_reject").click().run()
    assert not at.exception and not at.error

    (row,) = _rows(store_url)
    assert row["status"] == "draft" and row["date_basis"] == "source"
    assert row["site_id"] == "camp_taji" and (row["fatalities"], row["injuries"]) == (0, 3)
    assert row["source"] == "Example Wire"
    assert row["source_quote"].startswith("Three rockets hit Camp Taji")
    prov = row["extra"]["provenance"]
    assert ARTICLE[prov["quote_start"] : prov["quote_end"]] == row["source_quote"]
    assert prov["edited"] == ["fatalities"] and 0 < prov["confidence"] <= 1

    lines = (tmp_path / "decisions.jsonl").read_text(encoding="utf-8").splitlines()
    logged = [json.loads(line) for line in lines]
    assert [d["action"] for d in logged] == ["accept", "reject"]
    assert logged[1]["reason"] == "a peaceful march"


def test_bad_field_is_named_and_nothing_is_written(store_url):
    at = _proposed()
    at.text_input(key="intake_0_fatalities").set_value("0")
    at.text_input(key="intake_0_event_date").set_value("2020-14-01")
    at.button(key="intake_0_accept").click().run()
    assert [e.value for e in at.error] == ["Event date: a date as YYYY-MM-DD, not '2020-14-01'"]
    assert _rows(store_url) == []


def test_merge_adds_the_article_as_another_source(store_url):
    at = _proposed()
    at.text_input(key="intake_0_fatalities").set_value("0")
    at.button(key="intake_0_accept").click().run()
    (first,) = _rows(store_url)

    again = AppTest.from_file(PAGE, default_timeout=120)
    again.run()
    again.text_area(key="intake_text").set_value(
        "published: 2020-03-17\n\nRockets struck Camp Taji on Saturday, a coalition "
        "spokesman said.\n"
    )
    again.text_input(key="intake_source").set_value("Second Paper")
    again.text_input(key="intake_source_url").set_value("https://example.org/second")
    again.button(key="intake_propose").click().run()
    merge_into = again.text_input(key="intake_0_merge_into")
    assert merge_into.value == first["event_id"]  # offered as another source for it
    again.button(key="intake_0_merge").click().run()
    assert not again.exception and not again.error
    (row,) = _rows(store_url)
    assert row["source"] == "Example Wire; Second Paper"
    assert "Rockets struck Camp Taji" in row["source_quote"]
    assert row["extra"]["sources"][0]["source"] == "Second Paper"
    assert row["version"] == 2


def test_without_a_store_accepting_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.delenv("INCIDENT_MAP_DB", raising=False)
    monkeypatch.setenv("INCIDENT_MAP_DECISIONS", str(tmp_path / "decisions.jsonl"))
    at = _proposed()
    at.text_input(key="intake_0_fatalities").set_value("1")
    at.button(key="intake_0_accept").click().run()
    assert any("--db" in e.value for e in at.error)


def test_edit_type_and_place_then_accept(store_url):
    at = _proposed()
    at.selectbox(key="intake_0_type").set_value(
        "Explosions/Remote violence: Remote explosive/landmine/IED"
    )
    at.text_input(key="intake_0_location").set_value("Al Asad Air Base")
    at.text_input(key="intake_0_fatalities").set_value("1")
    at.button(key="intake_0_accept").click().run()
    assert not at.exception and not at.error
    (row,) = _rows(store_url)
    assert row["sub_event_type"] == "Remote explosive/landmine/IED"
    assert row["site_id"] == "al_asad_air_base" and row["fatalities"] == 1
    edited = row["extra"]["provenance"]["edited"]
    assert {"sub_event_type", "location", "latitude", "longitude", "fatalities"} <= set(edited)
    assert row["source_quote"].startswith("Three rockets hit Camp Taji")  # the quote stays


def test_a_viewer_may_review_but_not_accept(store_url, tmp_path):
    from geo.store.curation import grant_role
    from geo.store.store import default_user

    with open_store(store_url) as store, store.engine.begin() as conn:
        grant_role(conn, default_user(), "viewer", by="admin")
    at = _proposed()
    at.text_input(key="intake_0_fatalities").set_value("0")
    at.button(key="intake_0_accept").click().run()
    assert any("may not add" in e.value for e in at.error)
    assert _rows(store_url) == []
    assert not (tmp_path / "decisions.jsonl").exists()  # nothing decided, nothing logged


def test_a_second_article_shows_its_own_fields(store_url):
    at = _proposed()
    at.text_input(key="intake_0_fatalities").set_value("7")
    at.text_area(key="intake_text").set_value(
        "published: 2020-07-14\n\nTwo Iraqi soldiers were killed when a roadside bomb struck "
        "their patrol outside Tikrit on Monday.\n"
    )
    at.button(key="intake_propose").click().run()
    assert at.subheader[0].value == "1 candidates"
    assert at.text_input(key="intake_0_fatalities").value == "2"
    assert at.text_input(key="intake_0_event_date").value == "2020-07-13"

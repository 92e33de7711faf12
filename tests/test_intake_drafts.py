"""Drafts and merged sources in a real SQLite store."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from geo.intake.article import parse_article
from geo.intake.command import propose_records
from geo.intake.decisions import DecisionError, accept
from geo.intake.drafts import (
    INTAKE_ORIGIN,
    decision_log_path,
    incidents_for_duplicates,
    merge_source,
    save_draft,
)
from geo.intake.review import draft_event_id, draft_record
from geo.store.errors import StoreError
from geo.store.schema import incidents as t
from geo.store.store import open_store

ARTICLE = "published: 2020-03-16\n\nThree rockets hit Camp Taji on Saturday, wounding three.\n"


@pytest.fixture
def store(tmp_path):
    with open_store(f"sqlite:///{tmp_path / 's.db'}", create=True, user="ana") as st:
        yield st


@pytest.fixture
def candidate():
    (rec,) = propose_records(parse_article(ARTICLE, name="a.txt"), source="Wire")
    return rec


def _draft(candidate):
    eid = draft_event_id(candidate, "2020-03-16")
    return draft_record(accept(candidate, {"fatalities": 0}, "ana", eid), published="2020-03-16")


def _rows(store):
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(t)).mappings()]


def test_accepting_twice_keeps_one_draft(store, candidate):
    save_draft(store, _draft(candidate))
    with pytest.raises(StoreError, match="already stored"):
        save_draft(store, _draft(candidate))
    (row,) = _rows(store)
    assert row["origin"] == INTAKE_ORIGIN and row["status"] == "draft"
    assert row["extra"]["provenance"]["quote_start"] == candidate["quote_start"]
    assert row["updated_by"] == "ana"
    assert [r.action for r in store.history(row["event_id"])] == ["insert"]


def test_same_sentence_in_another_article_is_another_draft(candidate):
    other = {**candidate, "source_file": "b.txt"}
    assert draft_event_id(candidate, "2020-03-16") != draft_event_id(other, "2020-03-16")
    assert draft_event_id(candidate, "2020-03-16") != draft_event_id(candidate, "2020-03-17")


def test_duplicates_are_looked_for_in_recent_years_only(store, candidate):
    save_draft(store, _draft(candidate))
    assert len(incidents_for_duplicates(store, date(2020, 4, 1))) == 1
    assert len(incidents_for_duplicates(store, date(2030, 1, 1))) == 0


def test_merge_folds_source_once_and_refuses_unknown_ids(store, candidate):
    draft = _draft(candidate)
    save_draft(store, draft)
    second = {**candidate, "source_quote": "Rockets struck the base.", "source": "Paper"}
    merge_source(store, second, draft["event_id"])
    merge_source(store, second, draft["event_id"])  # the same source again adds nothing
    (row,) = _rows(store)
    assert row["source"] == "Wire; Paper"
    assert row["source_quote"].endswith("\nRockets struck the base.")
    assert [s["source"] for s in row["extra"]["sources"]] == ["Paper"]
    assert row["version"] == 2  # the repeated merge changed nothing
    assert [r.action for r in store.history(row["event_id"])] == ["insert", "update"]
    assert row["extra"]["provenance"]["quote_start"] == candidate["quote_start"]
    with pytest.raises(DecisionError, match="no incident in the store has event_id 'nope'"):
        merge_source(store, second, "nope")


def test_decision_log_lies_beside_a_sqlite_store(tmp_path):
    assert decision_log_path(f"sqlite:///{tmp_path}/s.db") == tmp_path / "s.decisions.jsonl"
    assert decision_log_path("postgresql://u@h/db") == Path("intake-decisions.jsonl")
    assert decision_log_path(None, "x.jsonl") == Path("x.jsonl")

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


CLI_ARTICLE = (
    "published: 2020-07-14\n\n"
    "Two Iraqi soldiers were killed when a roadside bomb struck their patrol outside Tikrit "
    "on Monday, a security source said.\n\n"
    "Protesters marched in Basra on Sunday.\n"
)


def test_propose_with_db_stores_what_can_stand_and_says_why_not(tmp_path, capsys):
    from geo.cli import main

    url = f"sqlite:///{tmp_path / 'p.db'}"
    open_store(url, create=True).close()
    article = tmp_path / "tikrit.txt"
    article.write_text(CLI_ARTICLE, encoding="utf-8")
    args = ["propose", str(article), "--out", str(tmp_path / "c.geojson"), "--db", url]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert "2 stored as drafts" in first
    with open_store(url) as store:
        # The protest gives no death toll: stored as not recorded, never as 0.
        row, protest = sorted(_rows(store), key=lambda r: r["fatalities"] is None)
        assert protest["fatalities"] is None
        assert (row["fatalities"], row["status"], row["source_file"]) == (2, "draft", "tikrit.txt")
        assert row["extra"]["provenance"]["proposed_by"] == "python -m geo propose"
    assert not (tmp_path / "p.decisions.jsonl").exists()  # no analyst decided

    assert main(args) == 0  # again: now a duplicate of the stored draft
    second = capsys.readouterr().out
    assert f"not stored: another source for incident {row['event_id']}" in second
    with open_store(url) as store:
        assert len(_rows(store)) == 2


def test_propose_with_a_missing_store_says_so(tmp_path, capsys):
    from geo.cli import main

    article = tmp_path / "a.txt"
    article.write_text(CLI_ARTICLE, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'none.db'}"
    assert main(["propose", str(article), "--out", str(tmp_path / "c.csv"), "--db", url]) == 2
    assert "geo db init" in capsys.readouterr().err

"""The review page in a real browser: paste an article, accept one candidate, reject one."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from geo.store.schema import incidents as t
from geo.store.store import open_store

from .conftest import APP_IDLE, run_dashboard

pytestmark = pytest.mark.browser

HOSTILE = '<img src=x onerror="alert(1)">'
ARTICLE = (
    "published: 2020-03-16\n\n"
    "Three rockets hit Camp Taji on Saturday, wounding three coalition soldiers. "
    f"A statement showed {HOSTILE} in full.\n\n"
    "Protesters marched in Basra on Sunday.\n"
)
QUOTE = "Three rockets hit Camp Taji on Saturday, wounding three coalition soldiers."


def test_paste_accept_one_reject_one(page, watch, tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    open_store(url, create=True).close()
    log = tmp_path / "decisions.jsonl"
    env = {"INCIDENT_MAP_DB": url, "INCIDENT_MAP_DECISIONS": str(log)}
    with run_dashboard("article-review", env=env) as server:
        page.goto(f"{server.url}/article_review")
        page.wait_for_selector(APP_IDLE, timeout=60_000)
        page.locator(".st-key-intake_text textarea").fill(ARTICLE)
        page.locator(".st-key-intake_source input").fill("Example Wire")
        page.locator(".st-key-intake_source_url input").fill("https://example.org/taji")
        page.locator(".st-key-intake_propose button").click()
        first = page.locator(".st-key-intake_card_0")
        first.wait_for(timeout=60_000)
        page.wait_for_selector(APP_IDLE, timeout=60_000)

        # The sentence is highlighted; the markup in the article is shown as text.
        assert first.locator("mark").inner_text() == QUOTE
        assert first.locator(".evidence", has_text="Camp Taji").count() == 1
        assert HOSTILE in first.locator(".intake-quote").inner_text()
        assert first.locator(".intake-quote img").count() == 0

        page.locator(".st-key-intake_0_fatalities input").fill("0")
        page.locator(".st-key-intake_0_accept button").click()
        first.get_by_text("Accepted as draft incident").wait_for(timeout=60_000)
        page.wait_for_selector(APP_IDLE, timeout=60_000)

        second = page.locator(".st-key-intake_card_1")
        second.locator(".st-key-intake_1_reason input").fill("a peaceful march, out of scope")
        second.locator(".st-key-intake_1_reject button").click()
        second.get_by_text("Rejected: a peaceful march").wait_for(timeout=60_000)
        page.wait_for_selector(APP_IDLE, timeout=60_000)

    assert watch.dialogs == []
    with open_store(url) as store, store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(t)).mappings()]
        (row,) = rows
        history = store.history(row["event_id"])
    assert row["status"] == "draft" and row["date_basis"] == "source"
    assert row["source_quote"] == QUOTE and row["source"] == "Example Wire"
    assert (row["fatalities"], row["injuries"]) == (0, 3)
    provenance = row["extra"]["provenance"]
    assert (provenance["quote_start"], provenance["quote_end"]) == (
        ARTICLE.index(QUOTE),
        ARTICLE.index(QUOTE) + len(QUOTE),
    )
    assert [r.action for r in history] == ["insert"]

    decisions = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [d["action"] for d in decisions] == ["accept", "reject"]
    assert decisions[0]["incident"]["event_id"] == row["event_id"]
    assert decisions[1]["reason"] == "a peaceful march, out of scope"
    assert decisions[1]["candidate"]["source_quote"] == "Protesters marched in Basra on Sunday."

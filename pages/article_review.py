"""Review an article: its candidate incidents as cards to accept, edit, merge or reject.

Served with the dashboard (``streamlit run dashboard.py -- --db URL``); accepting and
merging write to the incident store named by ``--db`` or ``INCIDENT_MAP_DB``, and every
decision is appended to a log (``--decisions PATH`` or ``INCIDENT_MAP_DECISIONS``; beside
a SQLite store by default) that ``python -m geo.intake.evaluate --fit --decisions`` refits
confidence on.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import sys
from datetime import date
from typing import Any

import streamlit as st

from geo.accounts import identify
from geo.intake.article import Article, article_from_bytes, parse_article, parse_date
from geo.intake.candidates import propose_incidents
from geo.intake.command import propose_records
from geo.intake.decisions import DecisionError, DecisionLog, accept, merge, reject
from geo.intake.drafts import decision_log_path, incidents_for_duplicates, merge_source, save_draft
from geo.intake.review import (
    FORM_FIELDS,
    FormError,
    changed_fields,
    draft_event_id,
    draft_record,
    form_values,
    highlight_html,
    locate_edits,
    read_form,
)
from geo.load import DEFAULT_DATA_PATH, read_incidents
from geo.schema import EVENT_TYPES, IncidentDataError
from geo.store.errors import StoreError
from geo.store.store import IncidentStore, default_user, open_store

DB_ENV = "INCIDENT_MAP_DB"
LOG_ENV = "INCIDENT_MAP_DECISIONS"
TYPE_OPTIONS = [f"{event}: {sub}" for event, subs in EVENT_TYPES.items() for sub in subs]
LABELS = {
    "event_date": "Event date",
    "end_date": "End date",
    "time_precision": "Time precision (1-3)",
    "actor1": "Actor 1 (acted)",
    "actor2": "Actor 2 (acted upon)",
    "location": "Location",
    "geo_precision": "Geo precision (1-3)",
    "latitude": "Latitude",
    "longitude": "Longitude",
    "fatalities": "Fatalities (empty: unknown)",
    "injuries": "Injuries (empty: unknown)",
    "notes": "Notes",
}
STYLE = """<style>
.intake-quote { line-height: 1.6; padding: .5rem .75rem; background: #f7f7f9; border-radius: 4px; }
.intake-quote mark { background: #ffe58a; padding: 0 .1rem; }
.intake-quote .evidence { border-bottom: 2px solid #c0392b; }
.intake-meta { color: #555; font-size: .9rem; margin: .25rem 0; }
</style>"""
CARD_KEY = re.compile(r"^intake_\d+_")
ss = st.session_state

st.set_page_config(page_title="Review an article", layout="wide")


def options(argv: list[str]) -> argparse.Namespace:
    """Read ``--db``, ``--decisions`` and ``--data`` (or their environment forms)."""
    parser = argparse.ArgumentParser(prog="article_review", allow_abbrev=False)
    parser.add_argument("--db", default=None)
    parser.add_argument("--decisions", default=None)
    parser.add_argument("--data", default=None)
    ns, _ = parser.parse_known_args(argv)
    ns.db = ns.db or os.environ.get(DB_ENV) or None
    ns.decisions = ns.decisions or os.environ.get(LOG_ENV) or None
    return ns


@st.cache_resource(show_spinner=False)
def store_at(url: str) -> IncidentStore:
    """Open the store once per server."""
    return open_store(url)


def text_html(text: str, cls: str = "intake-meta") -> None:
    """Show text as text: escaped, never read as Markdown or HTML."""
    st.html(f'<p class="{cls}">{html.escape(text)}</p>')


def read_input(text: str, upload: Any) -> Article | None:
    """Return the uploaded article, else the pasted one, else None."""
    if upload is not None:
        return article_from_bytes(upload.getvalue(), upload.name)
    if text.strip():
        return parse_article(text)
    return None


def propose(ns: argparse.Namespace, store: IncidentStore | None) -> None:
    """Propose the candidates of the article in the form and keep them in the session."""
    article = read_input(ss.get("intake_text", ""), ss.get("intake_upload"))
    if article is None:
        st.warning("Paste an article or upload a .txt or .html file.")
        return
    typed = ss.get("intake_published", "").strip()
    published = parse_date(typed) if typed else article.published
    if published is None:
        st.error("The article has no 'published:' date line: give its publication date.")
        return
    if store is not None:
        incidents = incidents_for_duplicates(store, published)
    else:
        incidents = read_incidents(ns.data or DEFAULT_DATA_PATH)
    source = ss.get("intake_source", "").strip()
    source_url = ss.get("intake_source_url", "").strip() or article.url
    records = propose_records(article, published, source, incidents=incidents)
    skipped = propose_incidents(article, published).rejections
    for key in [k for k in ss if CARD_KEY.match(str(k))]:
        del ss[key]  # a new article's cards start from its own candidates
    ss.intake = {
        "text": article.text,
        "published": published.isoformat(),
        "source": source,
        "source_url": source_url,
        "records": records,
        "skipped": [(r.reason, " ".join(r.quote.split())) for r in skipped],
    }
    ss.intake_done = {}


def card_values(i: int, rec: dict[str, Any]) -> dict[str, str]:
    """Show a card's editable fields; return what they hold."""
    initial = form_values(rec)
    values: dict[str, str] = {}
    kind = f"{rec['event_type']}: {rec['sub_event_type']}"
    chosen = st.selectbox(
        "Event type: sub-event type",
        TYPE_OPTIONS,
        index=TYPE_OPTIONS.index(kind) if kind in TYPE_OPTIONS else 0,
        key=f"intake_{i}_type",
    )
    values["event_type"], _, values["sub_event_type"] = chosen.partition(": ")
    fields = [f for f in FORM_FIELDS if f not in ("event_type", "sub_event_type", "notes")]
    columns = st.columns(4)
    for k, name in enumerate(fields):
        values[name] = columns[k % 4].text_input(
            LABELS[name], value=initial[name], key=f"intake_{i}_{name}"
        )
    values["notes"] = st.text_area(
        LABELS["notes"], value=initial["notes"], key=f"intake_{i}_notes", height=68
    )
    return values


def decide(
    i: int,
    rec: dict[str, Any],
    action: str,
    values: dict[str, str],
    store: IncidentStore | None,
    log: DecisionLog,
) -> None:
    """Carry out one decision: write to the store, then record it in the log."""
    user = store.user if store is not None else default_user()
    intake = ss.intake
    if action == "reject":
        decision = reject(rec, ss.get(f"intake_{i}_reason", ""), reviewer=user)
        log.record(decision)
        ss.intake_done[rec["event_id"]] = f"Rejected: {decision.reason}"
        return
    if store is None:
        raise DecisionError(
            "accepting and merging write to the incident store: start the dashboard with "
            "--db URL (or INCIDENT_MAP_DB)"
        )
    if action == "merge":
        target = ss.get(f"intake_{i}_merge_into", "").strip()
        decision = merge(rec, target, reviewer=user)
        merge_source(store, rec, decision.merged_into, intake["source"])
        log.record(decision)
        ss.intake_done[rec["event_id"]] = (
            f"Added as another source for incident {decision.merged_into}."
        )
        return
    edits = locate_edits(rec, changed_fields(rec, read_form(values)))
    decision = accept(rec, edits, reviewer=user, event_id=draft_event_id(rec, intake["published"]))
    record = draft_record(
        decision,
        source=intake["source"],
        published=intake["published"],
        source_url=intake["source_url"],
    )
    save_draft(store, record)
    log.record(decision)
    edited = f" (edited: {', '.join(sorted(edits))})" if edits else ""
    ss.intake_done[rec["event_id"]] = f"Accepted as draft incident {record['event_id']}{edited}."


def card(i: int, rec: dict[str, Any], store: IncidentStore | None, log: DecisionLog) -> None:
    """Show one candidate: its quote highlighted, its fields, and the decisions."""
    place = rec["location"] or "no place found"
    title = (
        f"{i + 1}. {rec['event_type']}: {rec['sub_event_type']} at {place}, "
        f"{rec['event_date']}{' to ' + rec['end_date'] if rec['end_date'] else ''}"
    )
    st.html(f"<h4>{html.escape(title)}</h4>")
    text_html(f"confidence {rec['confidence']:.2f} · {rec['status']}")
    quote = highlight_html(ss.intake["text"], rec["quote_start"], rec["quote_end"], rec["evidence"])
    st.html(f'<div class="intake-quote">{quote}</div>')
    done = ss.intake_done.get(rec["event_id"])
    if done:
        text_html(done, "intake-meta intake-done")
        return
    with st.form(key=f"intake_form_{i}", border=False):
        values = card_values(i, rec)
        left, right = st.columns(2)
        left.text_input(
            "Merge into incident (event_id)",
            value=rec["duplicate_of"],
            key=f"intake_{i}_merge_into",
        )
        right.text_input("Reason for rejecting", key=f"intake_{i}_reason")
        buttons = st.columns(3)
        pressed = {
            "accept": buttons[0].form_submit_button(
                "Accept as draft", key=f"intake_{i}_accept", type="primary"
            ),
            "merge": buttons[1].form_submit_button(
                "Merge as another source", key=f"intake_{i}_merge"
            ),
            "reject": buttons[2].form_submit_button("Reject", key=f"intake_{i}_reject"),
        }
    action = next((name for name, on in pressed.items() if on), None)
    if action is None:
        return
    try:
        decide(i, rec, action, values, store, log)
    except FormError as exc:
        for name, message in exc.errors.items():
            st.error(f"{LABELS.get(name, name)}: {message}")
        return
    except (IncidentDataError, StoreError) as exc:
        st.error(str(exc))
        return
    st.rerun()


ns = options(sys.argv[1:])
st.title("Review an article")
st.html(STYLE)
store: IncidentStore | None = None
if ns.db:
    try:
        shared = store_at(ns.db)
    except StoreError as exc:
        st.error(str(exc))
    else:
        # Writes are made as this session's user; curation checks that user's role.
        who = identify(
            st.user.to_dict(), embedded=shared.dialect == "sqlite", local_user=default_user()
        )
        store = IncidentStore(shared.engine, who.name)
        text_html(f"reviewing as {who.name}" if who.known else "not signed in: read-only")
else:
    st.info(
        "No incident store is open: candidates can be proposed and rejected, but accepting "
        "or merging needs the dashboard started with --db URL (or INCIDENT_MAP_DB)."
    )
log = DecisionLog(decision_log_path(ns.db, ns.decisions))

with st.form(key="intake_article"):
    st.text_area("Article text", key="intake_text", height=200)
    st.file_uploader("or upload an article", type=["txt", "html", "htm"], key="intake_upload")
    left, middle, right = st.columns(3)
    left.text_input(
        "Published (YYYY-MM-DD; empty: the article's date line)", key="intake_published"
    )
    middle.text_input("Source (publication)", key="intake_source")
    right.text_input("Source URL (empty: the article's url: line)", key="intake_source_url")
    submitted = st.form_submit_button("Propose candidates", key="intake_propose")
if submitted:
    try:
        propose(ns, store)
    except (IncidentDataError, StoreError) as exc:
        st.error(str(exc))

if "intake" in ss:
    records = ss.intake["records"]
    published = date.fromisoformat(ss.intake["published"])
    st.subheader(f"{len(records)} candidates")
    text_html(f"published {published.isoformat()} · decisions recorded to {log.path}")
    text_html(
        "Highlighted: the sentence each candidate rests on. Underlined: the words a field was "
        "read from (hover to see which). An empty count is unknown."
    )
    if not records:
        st.info("The article reports no incident the rules can find.")
    for i, rec in enumerate(records):
        with st.container(border=True, key=f"intake_card_{i}"):
            card(i, rec, store, log)
    skipped = ss.intake["skipped"]
    if skipped:
        with st.expander(f"Sentences not proposed ({len(skipped)})", key="intake_skipped"):
            for reason, quote in skipped:
                text_html(f"{reason}: {quote}")

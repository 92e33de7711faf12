"""The review library: highlighted quotes, the card's form, and accepted candidates as drafts."""

from __future__ import annotations

import html
import json
from html.parser import HTMLParser

import pytest

from geo.intake.article import ArticleError, article_from_bytes, parse_article
from geo.intake.command import propose_records
from geo.intake.confidence import fit_model
from geo.intake.decisions import DecisionError, DecisionLog, accept, merge, reject
from geo.intake.review import (
    FormError,
    changed_fields,
    draft_record,
    evidence_spans,
    form_values,
    highlight_html,
    locate_edits,
    read_form,
)
from geo.schema import INCIDENT_FIELDS

ARTICLE = (
    "published: 2020-03-16\n\n"
    "Officials spoke on Monday.\n\n"
    "Three rockets hit Camp Taji on Saturday, wounding three coalition soldiers. "
    "Kataib Hezbollah has threatened to target US forces with rockets.\n\n"
    "Protesters marched in Basra on Sunday.\n"
)


@pytest.fixture(scope="module")
def records():
    return propose_records(parse_article(ARTICLE, name="taji.txt"), source="Wire")


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_candidates_carry_their_quote_offsets_and_features(records):
    taji, basra = records
    assert ARTICLE[taji["quote_start"] : taji["quote_end"]] == taji["source_quote"]
    assert taji["source"] == "Wire" and taji["injuries"] == 3
    assert taji["fatalities"] is None and basra["fatalities"] is None
    assert set(taji["features"]) >= {"time_exact", "place_site"}


def test_highlight_marks_the_quote_in_its_paragraph_only(records):
    taji = records[0]
    out = highlight_html(ARTICLE, taji["quote_start"], taji["quote_end"], taji["evidence"])
    assert "Officials spoke" not in out and "Protesters" not in out
    assert "Kataib Hezbollah has threatened" in out  # the rest of the paragraph, unmarked
    marked = out[out.index("<mark>") + 6 : out.index("</mark>")]
    assert html.unescape(_strip(marked)) == taji["source_quote"]
    assert 'title="location"' in marked and ">Camp Taji</span>" in marked


def _strip(fragment: str) -> str:
    parser = _Collect()
    parser.feed(fragment)
    return "".join(parser.text)


def test_highlight_escapes_article_text():
    text = 'A <script>alert("x")</script> rocket hit <b>Camp Taji</b> & more.'
    start = text.index("rocket")
    end = len(text)
    evidence = {"location": "<b>Camp Taji</b>", "event_type": 'alert("x")'}
    out = highlight_html(text, start, end, evidence)
    parser = _Collect()
    parser.feed(out)
    assert set(parser.tags) <= {"mark", "span"}
    assert "".join(parser.text) == text
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_highlight_refuses_offsets_outside_the_text():
    with pytest.raises(ValueError, match="outside"):
        highlight_html("short", 2, 50)


def test_evidence_spans_skip_missing_words_and_overlaps():
    sentence = "Rockets hit Camp Taji on Saturday."
    spans = evidence_spans(
        sentence,
        {"event_type": "hit", "event_date": "(previous sentence) on Saturday", "x": "absent",
         "location": "Camp Taji", "site": "Camp"},
    )  # fmt: skip
    assert [(sentence[s.start : s.end], s.fields) for s in spans] == [
        ("hit", ("event_type",)),
        ("Camp Taji", ("location",)),
        ("on Saturday", ("event_date",)),
    ]


def test_form_collects_every_bad_field():
    with pytest.raises(FormError) as caught:
        read_form(
            {
                "event_date": "2020-02-30",
                "end_date": "",
                "time_precision": "4",
                "fatalities": "-1",
                "injuries": "two",
                "latitude": "95",
                "actor1": "",
            }
        )
    assert set(caught.value.errors) == {
        "event_date", "time_precision", "fatalities", "injuries", "latitude", "actor1",
    }  # fmt: skip
    assert "YYYY-MM-DD" in caught.value.errors["event_date"]
    assert "fatalities: 0 or more, not -1" in str(caught.value)


def test_form_end_before_start_is_refused():
    with pytest.raises(FormError, match="end_date: 2020-03-01 is before"):
        read_form({"event_date": "2020-03-05", "end_date": "2020-03-01"})


def test_unchanged_card_has_no_edits_and_empty_count_stays_unknown(records):
    taji = records[0]
    values = form_values(taji)
    assert values["fatalities"] == ""
    assert changed_fields(taji, read_form(values)) == {}
    edited = read_form({**values, "fatalities": "0", "injuries": "4"})
    assert changed_fields(taji, edited) == {"fatalities": 0, "injuries": 4}


def test_accepting_unknown_fatalities_keeps_them_unrecorded_not_zero(records):
    rec = draft_record(accept(records[0]))
    assert rec["fatalities"] is None
    assert rec["injuries"] == 3


def test_accepted_candidate_becomes_a_draft_with_provenance(records):
    taji = records[0]
    decision = accept(taji, {"fatalities": 0}, reviewer="ana")
    rec = draft_record(decision, published="2020-03-16")
    assert set(INCIDENT_FIELDS) <= set(rec)
    assert rec["status"] == "draft" and rec["date_basis"] == "source"
    assert (rec["fatalities"], rec["injuries"]) == (0, 3)
    assert rec["source_quote"] == taji["source_quote"]
    assert rec["site_id"] == "camp_taji" and rec["end_date"] is None
    assert rec["longitude"] == pytest.approx(taji["longitude"])
    prov = rec["extra"]["provenance"]
    assert prov["quote_start"] == taji["quote_start"] and prov["quote_end"] == taji["quote_end"]
    assert prov["confidence"] == taji["confidence"] and prov["source"] == "Wire"
    assert prov["edited"] == ["fatalities"] and prov["reviewer"] == "ana"
    assert prov["evidence"]["location"] == "Camp Taji"
    json.dumps(rec, default=str)  # storable as JSON


def test_retyped_place_takes_its_point_or_none(records):
    taji = records[0]
    moved = locate_edits(taji, {"location": "Al Asad Air Base"})
    assert moved["site_id"] == "al_asad_air_base"
    assert moved["latitude"] != taji["latitude"]
    lost = locate_edits(taji, {"location": "Nowhere-in-particular"})
    assert lost["latitude"] is None
    with pytest.raises(DecisionError, match="no point"):
        draft_record(accept(taji, {**lost, "fatalities": 0}))
    typed = locate_edits(taji, {"location": "a farm", "latitude": 33.1, "longitude": 44.2})
    assert (typed["latitude"], typed["longitude"]) == (33.1, 44.2)


def test_quote_cannot_be_edited(records):
    with pytest.raises(DecisionError, match="cannot edit source_quote"):
        accept(records[0], {"source_quote": "something else"})


def test_decisions_refit_confidence(tmp_path, records):
    taji, basra = records
    log = DecisionLog(tmp_path / "decisions.jsonl")
    log.record(accept(taji, {"fatalities": 0}))
    log.record(merge(basra, "evt-1"))
    log.record(reject(basra, "not an incident: a march with no violence"))
    rows = log.training_rows()
    assert [accepted for _, accepted in rows] == [True, True, False]
    assert rows[0][0] == taji["features"]
    model = fit_model(rows)
    assert 0.0 < model.predict(taji["features"]) < 1.0
    assert log.read()[2].reason.startswith("not an incident")


def test_upload_bytes_html_and_refusals():
    page = b"<html><body><p>published: 2020-03-16</p><p>Rockets hit Camp Taji.</p></body></html>"
    article = article_from_bytes(page, "a.html")
    assert "Rockets hit Camp Taji." in article.text and "<p>" not in article.text
    with pytest.raises(ArticleError, match="not a text file"):
        article_from_bytes(b"\x00\x01binary", "a.txt")
    with pytest.raises(ArticleError, match="empty"):
        article_from_bytes(b"   \n", "")

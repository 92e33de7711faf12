"""Rules of article intake where the evaluation articles say little: each case in a line or two."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from geo.intake.actors import find_actors
from geo.intake.article import parse_article
from geo.intake.candidates import propose_incidents
from geo.intake.casualties import find_casualties
from geo.intake.dates import find_times
from geo.intake.output import candidate_record, to_csv_text, to_feature_collection

MONDAY = date(2020, 3, 16)


def _propose(body: str, published: str = "2020-03-16"):
    article = parse_article(f"published: {published}\n\n{body}\n", name="t.txt")
    return article, propose_incidents(article)


@pytest.mark.parametrize(
    ("published", "start", "end"),
    [
        (date(2020, 3, 16), date(2020, 3, 14), date(2020, 3, 15)),  # Monday after
        (date(2020, 3, 18), date(2020, 3, 14), date(2020, 3, 15)),  # midweek
        (date(2020, 3, 15), date(2020, 3, 14), date(2020, 3, 15)),  # on the Sunday itself
    ],
)
def test_over_the_weekend_is_the_last_saturday_and_sunday(published, start, end):
    (t,) = find_times("Rockets hit the base over the weekend.", published)
    assert (t.start, t.end, t.precision) == (start, end, 2)


def test_weekend_never_lies_after_publication():
    (t,) = find_times("over the weekend", date(2020, 3, 14))  # a Saturday
    assert t.end <= date(2020, 3, 14)


@pytest.mark.parametrize(
    ("published", "month_start", "month_end"),
    [
        (MONDAY, date(2019, 12, 1), date(2019, 12, 31)),
        (date(2020, 1, 10), date(2019, 10, 1), date(2019, 10, 31)),  # across the year
    ],
)
def test_months_ago_is_that_whole_month(published, month_start, month_end):
    (t,) = find_times("The depot was bombed three months ago.", published)
    assert (t.start, t.end, t.precision) == (month_start, month_end, 3)


def test_days_ago_is_a_day():
    (t,) = find_times("three days ago", date(2020, 3, 18))
    assert (t.start, t.end, t.precision) == (date(2020, 3, 15), date(2020, 3, 15), 1)


def test_acronym_is_case_sensitive():
    assert [m.actor for m in find_actors("IS fighters attacked the village.", "Iraq")] == [
        "Islamic State"
    ]
    assert find_actors("The village is near the border, as it is every year.", "Iraq") == []
    assert find_actors("Is the base safe? Officials say it is.", "Iraq") == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Kataib Hezbollah denied on Sunday that it had attacked a US convoy near Fallujah.",
        "The ministry denied reports that troops shelled the village of Tal Afar on Saturday.",
    ],
)
def test_denied_claims_are_not_proposed(sentence):
    _, proposal = _propose(sentence)
    assert proposal.candidates == []
    assert [r.reason for r in proposal.rejections] == ["denied"]


def test_two_incidents_in_one_sentence_each_with_its_own_toll():
    _, proposal = _propose(
        "On Saturday, a rocket hit Camp Taji, killing one soldier, while a roadside bomb "
        "struck a convoy near Fallujah, wounding two."
    )
    got = [
        (c.sub_event_type, c.place.name if c.place else None, c.fatalities, c.injuries)
        for c in proposal.candidates
    ]
    assert got == [
        ("Shelling/artillery/missile attack", "Camp Taji", 1, None),
        ("Remote explosive/landmine/IED", "Fallujah", None, 2),
    ]
    assert {c.start for c in proposal.candidates} == {date(2020, 3, 14)}


def test_a_total_over_two_places_is_no_single_incidents_count():
    _, proposal = _propose(
        "US aircraft struck depots near al-Qaim and near Abu Kamal on Sunday, killing 25 fighters."
    )
    assert len(proposal.candidates) == 2
    for cand in proposal.candidates:
        assert cand.fatalities is None
        assert "25" in cand.evidence["fatalities"]
        assert "total over 2 places" in cand.evidence["fatalities"]


def test_no_count_in_the_text_is_unknown_not_zero():
    article, proposal = _propose("Protesters marched in Basra on Sunday against power cuts.")
    (cand,) = proposal.candidates
    assert (cand.fatalities, cand.injuries) == (None, None)
    rec = candidate_record(cand, article, 1)
    assert rec["fatalities"] is None and rec["injuries"] is None
    feature = to_feature_collection([rec])["features"][0]
    assert feature["properties"]["fatalities"] is None
    (row,) = csv.DictReader(io.StringIO(to_csv_text([rec])))
    assert (row["fatalities"], row["injuries"]) == ("", "")


@pytest.mark.parametrize(
    "clause",
    [
        "rockets landed near the airport, causing no casualties",
        "a Katyusha landed in the Green Zone; nobody was hurt",
        "there were no immediate reports of casualties",
        "the drone struck the airport without causing casualties",
    ],
)
def test_no_casualties_is_zero(clause):
    toll = find_casualties(clause)
    assert (toll.fatalities, toll.injuries) == (0, 0)


def test_words_without_a_number_are_unknown():
    toll = find_casualties("the attack killed several soldiers and wounded dozens")
    assert (toll.fatalities, toll.injuries) == (None, None)


def test_a_count_with_no_casualty_word_is_unknown_in_the_record():
    article, proposal = _propose(
        "Iraqi forces arrested 11 suspects in the desert near Rutba on Sunday."
    )
    (cand,) = proposal.candidates
    assert cand.sub_event_type == "Arrests"
    assert candidate_record(cand, article, 1)["fatalities"] is None

from __future__ import annotations

from datetime import date

import pytest

from geo.intake.article import ArticleError, parse_article
from geo.intake.candidates import propose_incidents
from geo.intake.casualties import find_casualties
from geo.intake.dates import find_times
from geo.intake.decisions import DecisionError, DecisionLog, accept, reject

TEXT = (
    "published: 2020-03-16\n\n"
    "Three rockets hit Camp Taji on Saturday, wounding three coalition soldiers.\n\n"
    "Kataib Hezbollah has threatened to target US forces with rockets.\n"
)


def test_weekday_resolves_to_the_last_such_day():
    (t,) = find_times("on Saturday", date(2020, 3, 16))
    assert (t.start, t.end, t.precision) == (date(2020, 3, 14), date(2020, 3, 14), 1)


def test_casualty_lists_are_summed():
    assert find_casualties("killed five soldiers, two police officers and a worker").fatalities == 8


def test_threat_is_not_proposed_and_incident_is():
    proposal = propose_incidents(parse_article(TEXT))
    assert [c.place.site_id for c in proposal.candidates if c.place] == ["camp_taji"]
    assert proposal.candidates[0].injuries == 3


def test_no_date_stops():
    with pytest.raises(ArticleError, match="published"):
        propose_incidents(parse_article("Rockets hit Camp Taji on Saturday."))


def test_accept_and_reject_are_logged(tmp_path):
    rec = {
        "event_id": "c1",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "features": {"time_exact": 1.0},
    }
    log = DecisionLog(tmp_path / "d.jsonl")
    log.record(accept(rec))
    with pytest.raises(DecisionError):
        reject(rec, "")
    log.record(reject(rec, "threat"))
    assert [a for _, a in log.training_rows()] == [True, False]
    assert log.read()[0].incident["date_basis"] == "source"

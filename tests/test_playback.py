"""Playback of the time window: where it starts, how it advances, when it stops."""

from __future__ import annotations

from datetime import date

import pytest

from geo.playback import advance, start_window, tick_due

SPAN = (date(2020, 1, 1), date(2020, 12, 31))


def test_a_window_of_the_whole_span_shrinks_to_one_step() -> None:
    assert start_window(SPAN, SPAN, "week") == (date(2020, 1, 1), date(2020, 1, 5))
    assert start_window(SPAN, SPAN, "month") == (date(2020, 1, 1), date(2020, 1, 31))


def test_playing_the_whole_span_starts_at_the_first_incident() -> None:
    first = date(2020, 10, 14)  # a Wednesday
    assert start_window(SPAN, SPAN, "month", first) == (date(2020, 10, 1), date(2020, 10, 31))
    assert start_window(SPAN, SPAN, "week", first) == (date(2020, 10, 12), date(2020, 10, 18))
    # The step holding the first incident is cut to the span.
    cut = start_window(SPAN, SPAN, "week", date(2020, 1, 2))
    assert cut == (date(2020, 1, 1), date(2020, 1, 5))


def test_the_first_incident_ignores_the_window_but_not_the_other_filters() -> None:
    from conftest import make_incidents

    from geo.filters import IncidentFilter, IncidentIndex
    from geo.playback import first_incident_day

    index = IncidentIndex(
        make_incidents(
            [
                {"event_id": "1", "event_date": "2019-12-27", "actor1": "KH"},
                {"event_id": "2", "event_date": "2020-03-11", "actor1": "US"},
                {"event_id": "3", "event_date": "2020-01-08", "actor1": "US"},
            ]
        )
    )
    flt = IncidentFilter(start=date(2020, 3, 1), end=date(2020, 3, 31), actors=("US",))
    assert first_incident_day(index, flt) == date(2020, 1, 8)
    assert first_incident_day(index, IncidentFilter()) == date(2019, 12, 27)
    assert first_incident_day(index, IncidentFilter(actors=("Nobody",))) is None


def test_a_window_at_the_end_starts_again_with_its_length() -> None:
    window = (date(2020, 12, 1), date(2020, 12, 31))
    assert start_window(window, SPAN, "week") == (date(2020, 1, 1), date(2020, 1, 31))


def test_a_window_inside_the_span_is_kept() -> None:
    window = (date(2020, 3, 1), date(2020, 3, 31))
    assert start_window(window, SPAN, "month") == window


def test_one_step_is_never_longer_than_a_short_span() -> None:
    span = (date(2020, 1, 1), date(2020, 1, 3))
    assert start_window(span, span, "week") == span


def test_advance_moves_one_step_and_stops_at_the_end() -> None:
    window, playing = advance((date(2020, 3, 1), date(2020, 3, 7)), SPAN, "week")
    assert window == (date(2020, 3, 8), date(2020, 3, 14)) and playing
    window, playing = advance((date(2020, 12, 20), date(2020, 12, 26)), SPAN, "week")
    assert window == (date(2020, 12, 27), date(2020, 12, 31)) and not playing


def test_playing_through_reaches_the_end_and_stops() -> None:
    window, playing, steps = start_window(SPAN, SPAN, "month"), True, 0
    while playing:
        window, playing = advance(window, SPAN, "month")
        steps += 1
    assert window[1] == SPAN[1] and steps == 11


@pytest.mark.parametrize(
    ("now", "last", "interval", "due"),
    [(10.0, 9.0, 1.0, True), (10.0, 9.5, 1.0, False), (10.0, 8.5, 2.0, False), (10, 0, 4, True)],
)
def test_a_rerun_soon_after_a_tick_is_not_a_tick(
    now: float, last: float, interval: float, due: bool
) -> None:
    assert tick_due(now, last, interval) is due

"""Playback of the time window: where it starts, how it advances, when it stops."""

from __future__ import annotations

from datetime import date

import pytest

from geo.playback import advance, start_window, tick_due

SPAN = (date(2020, 1, 1), date(2020, 12, 31))


def test_a_window_of_the_whole_span_shrinks_to_one_step() -> None:
    assert start_window(SPAN, SPAN, "week") == (date(2020, 1, 1), date(2020, 1, 7))
    assert start_window(SPAN, SPAN, "month") == (date(2020, 1, 1), date(2020, 2, 1))


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
    assert window == (date(2020, 12, 25), date(2020, 12, 31)) and not playing


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

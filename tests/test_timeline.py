from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from conftest import make_incidents
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.palette import EVENT_TYPE_COLORS, OTHER_ACTORS
from geo.timeline import (
    STEPS,
    add_months,
    at_span_end,
    count_by_week,
    first_step,
    step_window,
    week_start,
)


@pytest.fixture
def incidents():
    return make_incidents(
        [
            # Wednesday and Sunday of the same ISO week (Mon 2020-01-06).
            {"event_id": "a", "event_date": "2020-01-08", "event_type": "Battles", "actor1": "X"},
            {"event_id": "b", "event_date": "2020-01-12", "actor1": "Y"},
            # Monday of the next week.
            {"event_id": "c", "event_date": "2020-01-13", "actor1": "X"},
            # Three weeks later: the weeks between must appear with zeros.
            {"event_id": "d", "event_date": "2020-02-03", "event_type": "Battles", "actor1": "Z"},
        ]
    )


def test_week_start_is_monday():
    assert week_start(date(2020, 1, 12)) == date(2020, 1, 6)
    assert week_start(date(2020, 1, 13)) == date(2020, 1, 13)


def test_counts_per_week_and_event_type(incidents):
    table, colors = count_by_week(incidents, "event_type")
    assert list(table.columns) == ["week", "group", "incidents"]
    assert colors == {t: EVENT_TYPE_COLORS[t] for t in ("Battles", "Explosions/Remote violence")}
    counts = table.set_index(["week", "group"])["incidents"]
    assert counts[(pd.Timestamp("2020-01-06"), "Battles")] == 1
    assert counts[(pd.Timestamp("2020-01-06"), "Explosions/Remote violence")] == 1
    assert counts[(pd.Timestamp("2020-01-13"), "Explosions/Remote violence")] == 1
    assert counts[(pd.Timestamp("2020-01-20"), "Battles")] == 0
    assert counts[(pd.Timestamp("2020-02-03"), "Battles")] == 1
    assert table["week"].nunique() == 5
    assert int(table["incidents"].sum()) == len(incidents)


def test_counts_follow_actor_colouring_and_ranking(incidents):
    table, colors = count_by_week(incidents, "actor", ranking=["Z", "X"])
    assert list(colors) == ["Z", "X", OTHER_ACTORS]
    by_group = table.groupby("group")["incidents"].sum()
    assert by_group.to_dict() == {"Z": 1, "X": 2, OTHER_ACTORS: 1}


def test_window_widens_the_axis(incidents):
    table, _ = count_by_week(
        incidents, "event_type", start=date(2019, 12, 25), end=date(2020, 2, 20)
    )
    assert table["week"].min() == pd.Timestamp("2019-12-23")
    assert table["week"].max() == pd.Timestamp("2020-02-17")
    assert int(table["incidents"].sum()) == len(incidents)


def test_incident_before_window_is_kept(incidents):
    # A multi-day event that began before the window still counts in its first week.
    table, _ = count_by_week(incidents, "event_type", start=date(2020, 1, 20))
    assert table["week"].min() == pd.Timestamp("2020-01-06")
    assert int(table["incidents"].sum()) == len(incidents)


def test_no_incidents_gives_empty_table(incidents):
    table, colors = count_by_week(incidents.iloc[:0], "event_type", start=date(2020, 1, 1))
    assert table.empty and list(table.columns) == ["week", "group", "incidents"]
    assert colors == {}


def test_unknown_colouring_is_refused(incidents):
    with pytest.raises(ValueError, match="color_by"):
        count_by_week(incidents, "fatalities")


def test_input_is_not_modified(incidents):
    before = incidents.copy()
    count_by_week(incidents, "actor")
    pd.testing.assert_frame_equal(incidents, before)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2020, 1, 31), 1, date(2020, 2, 29)),
        (date(2019, 12, 15), 1, date(2020, 1, 15)),
        (date(2020, 1, 15), -1, date(2019, 12, 15)),
        (date(2020, 3, 31), -1, date(2020, 2, 29)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


SPAN = (date(2020, 1, 1), date(2020, 12, 31))


def test_monthly_steps_from_the_reported_window_skip_no_day():
    # A window of 9 Dec - 6 Jan stepped by month: the next one starts on 7 January (the day of the
    # Iranian missile strikes of 8 January must be shown), and so on through April.
    span = (date(2019, 12, 9), date(2020, 12, 31))
    window = (date(2019, 12, 9), date(2020, 1, 6))
    seen = []
    for _ in range(4):
        window = step_window(window, "month", span)
        seen.append(window)
    assert seen == [
        (date(2020, 1, 7), date(2020, 2, 6)),
        (date(2020, 2, 7), date(2020, 3, 6)),
        (date(2020, 3, 7), date(2020, 4, 6)),
        (date(2020, 4, 7), date(2020, 5, 6)),
    ]


def test_a_window_on_the_first_steps_through_calendar_months():
    window = (date(2020, 1, 1), date(2020, 1, 31))
    assert step_window(window, "month", SPAN) == (date(2020, 2, 1), date(2020, 2, 29))
    assert step_window(window, "week", SPAN) == (date(2020, 2, 1), date(2020, 2, 7))
    assert step_window((date(2020, 3, 1), date(2020, 3, 31)), "month", SPAN, backward=True) == (
        date(2020, 2, 1),
        date(2020, 2, 29),
    )


def test_step_stops_at_span_edges():
    end_window = step_window((date(2020, 12, 1), date(2020, 12, 28)), "week", SPAN)
    assert end_window == (date(2020, 12, 29), date(2020, 12, 31))
    assert at_span_end(end_window, SPAN)
    assert step_window(end_window, "week", SPAN) == end_window
    start_window = step_window((date(2020, 1, 3), date(2020, 1, 10)), "month", SPAN, backward=True)
    assert start_window == (date(2020, 1, 1), date(2020, 1, 2))
    assert step_window(start_window, "month", SPAN, backward=True) == start_window
    assert not at_span_end(start_window, SPAN)


def test_window_wider_than_span_is_clipped():
    assert step_window((date(2019, 1, 1), date(2021, 6, 1)), "week", SPAN) == SPAN


@pytest.mark.parametrize(
    ("step", "first_day", "expected"),
    [
        ("month", date(2020, 1, 8), (date(2020, 1, 1), date(2020, 1, 31))),
        ("week", date(2020, 1, 8), (date(2020, 1, 6), date(2020, 1, 12))),
        # Cut to the span: its first day is a Wednesday in the middle of a month.
        ("week", date(2019, 12, 27), (date(2019, 12, 23), date(2019, 12, 29))),
        ("month", date(2021, 6, 9), (date(2021, 6, 1), date(2021, 6, 10))),
    ],
)
def test_first_step_holds_the_first_incident(step, first_day, expected):
    span = (date(2019, 12, 4), date(2021, 6, 10))
    assert first_step(step, first_day, span) == expected
    assert first_step(step, date(2019, 12, 4), span)[0] == span[0]


days = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))


@settings(max_examples=200, deadline=None)
@given(
    a=days,
    b=days,
    offset=st.integers(0, 400),
    length=st.integers(0, 60),
    step=st.sampled_from(STEPS),
    backward=st.booleans(),
)
def test_steps_tile_any_span_without_gap_or_overlap(a, b, offset, length, step, backward):
    span = (min(a, b), max(a, b))
    lo, hi = span
    start = min(lo + timedelta(days=offset), hi)
    window = (start, min(start + timedelta(days=length), hi))
    edge_reached = (lambda w: w[0] <= lo) if backward else (lambda w: w[1] >= hi)
    covered = [window]
    while not edge_reached(window):
        nxt = step_window(window, step, span, backward=backward)
        assert lo <= nxt[0] <= nxt[1] <= hi
        if backward:
            assert nxt[1] == window[0] - timedelta(days=1)
        else:
            assert nxt[0] == window[1] + timedelta(days=1)
        steps_long = (nxt[1] - nxt[0]).days + 1
        if step == "week":
            assert steps_long <= 7
        else:
            assert 28 <= steps_long <= 31 or nxt[0] == lo or nxt[1] == hi
        covered.append(nxt)
        window = nxt
    assert step_window(window, step, span, backward=backward) == window
    days_covered = sum((w[1] - w[0]).days + 1 for w in covered)
    first, last = (covered[-1][0], covered[0][1]) if backward else (covered[0][0], covered[-1][1])
    assert days_covered == (last - first).days + 1


def test_unknown_step_is_refused():
    with pytest.raises(ValueError, match="step"):
        step_window(SPAN, "day", SPAN)


def test_weekly_counts_of_grouped_rows_equal_the_counts_of_the_rows():
    rows = pd.DataFrame(
        {
            "event_date": pd.to_datetime(["2020-01-06", "2020-01-06", "2020-01-08", "2020-01-20"]),
            "event_type": ["Battles", "Battles", "Riots", "Battles"],
            "actor1": ["A", "A", "B", "A"],
        }
    )
    grouped = pd.DataFrame(
        {
            "event_date": pd.to_datetime(["2020-01-06", "2020-01-08", "2020-01-20"]),
            "event_type": ["Battles", "Riots", "Battles"],
            "actor1": ["A", "B", "A"],
            "n": [2, 1, 1],
        }
    )
    want, want_colors = count_by_week(rows, "event_type")
    got, got_colors = count_by_week(grouped, "event_type", weights="n")
    pd.testing.assert_frame_equal(got, want)
    assert got_colors == want_colors
    assert int(got["incidents"].sum()) == 4

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from conftest import make_incidents

from geo.palette import EVENT_TYPE_COLORS, OTHER_ACTORS
from geo.timeline import add_months, at_span_end, count_by_week, step_window, week_start


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


def test_step_week_keeps_length():
    assert step_window((date(2020, 1, 1), date(2020, 1, 31)), "week", SPAN) == (
        date(2020, 1, 8),
        date(2020, 2, 7),
    )


def test_step_month_forward_and_back():
    window = (date(2020, 1, 31), date(2020, 2, 14))
    moved = step_window(window, "month", SPAN)
    # The start moves by a calendar month (clipped to February's end); the length is kept.
    assert moved == (date(2020, 2, 29), date(2020, 3, 14))
    assert step_window(moved, "month", SPAN, backward=True) == (
        date(2020, 1, 29),
        date(2020, 2, 12),
    )


def test_step_stops_at_span_edges():
    end_window = step_window((date(2020, 12, 1), date(2020, 12, 28)), "week", SPAN)
    assert end_window == (date(2020, 12, 4), date(2020, 12, 31))
    assert at_span_end(end_window, SPAN)
    start_window = step_window((date(2020, 1, 3), date(2020, 1, 10)), "month", SPAN, backward=True)
    assert start_window == (date(2020, 1, 1), date(2020, 1, 8))
    assert not at_span_end(start_window, SPAN)


def test_window_wider_than_span_is_clipped():
    assert step_window((date(2019, 1, 1), date(2021, 6, 1)), "week", SPAN) == SPAN


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

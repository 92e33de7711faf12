"""The second period of a comparison in a link: read forgivingly, written back alike."""

from __future__ import annotations

from datetime import date

import pytest

from geo.compare import period_from_query, period_to_query, previous_period

AFTER = (date(2020, 1, 3), date(2020, 4, 2))


def test_a_link_round_trips_its_second_period() -> None:
    query = {k: [v] for k, v in period_to_query(AFTER).items()}
    assert query == {"compare_start": ["2020-01-03"], "compare_end": ["2020-04-02"]}
    assert period_from_query(query) == (AFTER, [])
    assert period_to_query(None) == {} and period_from_query({}) == (None, [])


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ({"compare_start": ["2020-01-03"]}, "ignored the second period: compare_end is missing"),
        ({"compare_start": ["3 Jan"], "compare_end": ["2020-04-02"]},
         "ignored compare_start='3 Jan': expected a date as YYYY-MM-DD"),
        ({"compare_start": ["2020-04-02"], "compare_end": ["2020-01-03"]},
         "ignored the second period: compare_end 2020-01-03 is before 2020-04-02"),
    ],
)  # fmt: skip
def test_a_bad_second_period_is_reported_not_used(query, problem) -> None:
    assert period_from_query(query) == (None, [problem])


def test_the_default_second_period_is_as_long_and_ends_the_day_before() -> None:
    span = (date(2019, 1, 1), date(2021, 12, 31))
    assert previous_period(AFTER, span) == (date(2019, 10, 4), date(2020, 1, 2))
    assert previous_period((date(2019, 1, 10), date(2019, 2, 10)), span) == (
        date(2019, 1, 1),
        date(2019, 1, 9),
    )
    assert previous_period((span[0], date(2019, 3, 1)), span) == (span[0], date(2019, 3, 1))

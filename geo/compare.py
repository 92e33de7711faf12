"""Comparing two periods: the second period's URL parameters and its default.

The dashboard's compare mode shows the view in its own window beside the same view in a
second period (:mod:`ui.compare`); the report draws both on one page
(:mod:`geo.report.compare`). A link carries the second period as ``compare_start`` and
``compare_end`` (``YYYY-MM-DD``, inclusive), beside the view's own parameters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Final

COMPARE_START: Final = "compare_start"
COMPARE_END: Final = "compare_end"

Period = tuple[date, date]


def period_from_query(query: Mapping[str, Sequence[str]]) -> tuple[Period | None, list[str]]:
    """Read the second period from URL parameters, forgivingly.

    Parameters
    ----------
    query : mapping of str to list of str
        The URL's parameters (the last value of each counts).

    Returns
    -------
    period : (date, date) or None
        None when the link names no second period or names it badly.
    problems : list of str
        One sentence per parameter that could not be used, naming it and its value.
    """
    values = {k: query[k][-1] for k in (COMPARE_START, COMPARE_END) if query.get(k)}
    if not values:
        return None, []
    days: dict[str, date] = {}
    problems = []
    for key in (COMPARE_START, COMPARE_END):
        if key not in values:
            problems.append(f"ignored the second period: {key} is missing")
            continue
        try:
            days[key] = date.fromisoformat(values[key])
        except ValueError:
            problems.append(f"ignored {key}={values[key]!r}: expected a date as YYYY-MM-DD")
    if problems:
        return None, problems
    start, end = days[COMPARE_START], days[COMPARE_END]
    if end < start:
        return None, [f"ignored the second period: {COMPARE_END} {end} is before {start}"]
    return (start, end), []


def period_to_query(period: Period | None) -> dict[str, str]:
    """Write the second period as URL parameters (none when there is no second period)."""
    if period is None:
        return {}
    return {COMPARE_START: period[0].isoformat(), COMPARE_END: period[1].isoformat()}


def previous_period(window: Period, span: Period) -> Period:
    """Return the period as long as ``window`` that ends the day before it, within ``span``.

    The natural first comparison: the quarter before this quarter. At the start of the
    span, the window itself.
    """
    length = window[1] - window[0]
    end = window[0] - timedelta(days=1)
    if end < span[0]:
        return window
    return max(end - length, span[0]), end

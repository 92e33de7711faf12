"""Time on the dashboard: the weekly timeline table and the playback window.

The timeline counts the incidents shown per week and per colour-legend entry,
so the chart beside the map uses the same groups and colours as the map. The
playback functions move a date window through the data's span one week or one
month at a time.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, Final

import pandas as pd

from geo.palette import color_keys

WEEK_FREQ: Final = "W-MON"  # weeks start on Monday (ISO 8601)
STEPS: Final = ("week", "month")
TIMELINE_COLUMNS: Final = ("week", "group", "incidents")


def week_start(day: date) -> date:
    """Return the Monday of the ISO week a day falls in."""
    return day - timedelta(days=day.weekday())


def count_by_week(
    incidents: pd.DataFrame,
    color_by: str,
    *,
    ranking: Sequence[str] = (),
    start: date | None = None,
    end: date | None = None,
    weights: str | None = None,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Count incidents per week and per colour-legend entry.

    An incident counts in the week of its ``event_date`` (its first day, for a
    multi-day event). Every week from ``start`` (or the first incident) to
    ``end`` (or the last incident) appears, with zero counts where nothing
    happened, so the chart's time axis follows the chosen window.

    Parameters
    ----------
    incidents : DataFrame
        Canonical incidents (``event_date``, ``event_type``, ``actor1``).
    color_by : {"event_type", "actor"}
        The map's colouring (see :func:`geo.palette.color_keys`).
    ranking : sequence of str, optional
        Actors ranked over the whole dataset, so the groups match the map's.
    start, end : date, optional
        The window shown; widened to whole weeks.
    weights : str, optional
        A column of incident counts: each row then stands for that many incidents
        (rows already grouped, e.g. by day in a database).

    Returns
    -------
    table : DataFrame
        Columns ``week`` (Monday, datetime64), ``group`` (legend label) and
        ``incidents`` (int), one row per week and group, sorted by week then
        by legend order. Empty (same columns) when there are no incidents
        and no window.
    colors : dict of str to str
        Legend label to colour, in legend order, for the groups present.

    Raises
    ------
    ValueError
        When ``color_by`` is not a colouring :mod:`geo.palette` knows.
    """
    keys, colors = color_keys(incidents, color_by, ranking=ranking)
    days = pd.to_datetime(incidents["event_date"]).dt.normalize()
    valid = days.notna()
    weeks = days[valid] - pd.to_timedelta(days[valid].dt.day_of_week, unit="D")
    frame = pd.DataFrame({"week": weeks, "group": keys[valid].to_numpy()})
    if weights is not None:
        frame["n"] = incidents[weights].to_numpy()[valid.to_numpy()]
    grouped = frame.groupby(["week", "group"], sort=False)
    counts = grouped.size() if weights is None else grouped["n"].sum()
    if weeks.empty:
        empty = pd.DataFrame(
            {
                "week": pd.Series([], dtype="datetime64[ns]"),
                "group": pd.Series([], dtype=object),
                "incidents": pd.Series([], dtype="int64"),
            }
        )
        return empty, colors
    # A multi-day event can start before the window: widen rather than drop it.
    first, last = weeks.min(), weeks.max()
    if start is not None:
        first = min(first, pd.Timestamp(week_start(start)))
    if end is not None:
        last = max(last, pd.Timestamp(week_start(end)))
    all_weeks = pd.date_range(first, last, freq=WEEK_FREQ)
    grid = pd.MultiIndex.from_product([all_weeks, list(colors)], names=["week", "group"])
    table = counts.reindex(grid, fill_value=0).rename("incidents").reset_index()
    table["incidents"] = table["incidents"].astype("int64")
    return table, colors


def add_months(day: date, months: int) -> date:
    """Return the same day ``months`` later (or earlier), clipped to the month's end."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def step_window(
    window: tuple[date, date], step: str, span: tuple[date, date], *, backward: bool = False
) -> tuple[date, date]:
    """Move a date window to the adjacent step of the data's span.

    Successive steps tile the span: the next window starts the day after the
    current one ends (the previous one ends the day before it starts), so no
    day is skipped or shown twice, whatever window playback starts from. A week
    is 7 days; a month runs to the day before the same date a calendar month
    later, so a window starting on the 1st steps through calendar months.

    Parameters
    ----------
    window : (date, date)
        The current inclusive window.
    step : {"week", "month"}
    span : (date, date)
        The first and last day of the data; the window never leaves it.
    backward : bool
        Step towards the past instead.

    Returns
    -------
    (date, date)
        The adjacent window, cut at the span's edges. A window that already
        reaches the end of the span (or its start, going backward) is kept,
        cut to the span.

    Raises
    ------
    ValueError
        When ``step`` is not ``week`` or ``month``.
    """
    if step not in STEPS:
        raise ValueError(f"step must be one of {', '.join(STEPS)}; got {step!r}")
    start, end = window
    lo, hi = span
    one_day = timedelta(days=1)
    if backward and start > lo:
        new_end = start - one_day
        new_start = new_end - timedelta(days=6) if step == "week" else add_months(start, -1)
    elif not backward and end < hi:
        new_start = end + one_day
        new_end = (
            new_start + timedelta(days=6) if step == "week" else add_months(new_start, 1) - one_day
        )
    else:
        new_start, new_end = start, end
    return max(new_start, lo), min(new_end, hi)


def first_step(step: str, first_day: date, span: tuple[date, date]) -> tuple[date, date]:
    """Return the step that playback over the whole span starts with.

    It is the ISO week (Monday to Sunday) or the calendar month that holds
    ``first_day``, usually the first incident's date, so playback opens on
    data rather than on empty steps; cut to the span.

    Raises
    ------
    ValueError
        When ``step`` is not ``week`` or ``month``.
    """
    if step == "week":
        start = week_start(first_day)
        end = start + timedelta(days=6)
    elif step == "month":
        start = first_day.replace(day=1)
        end = add_months(start, 1) - timedelta(days=1)
    else:
        raise ValueError(f"step must be one of {', '.join(STEPS)}; got {step!r}")
    lo, hi = span
    return max(start, lo), min(end, hi)


def at_span_end(window: tuple[date, date], span: tuple[date, date]) -> bool:
    """Tell whether a window already reaches the last day of the span (playback stops)."""
    return window[1] >= span[1]


def weekly_chart(table: pd.DataFrame, colors: dict[str, str], legend_title: str) -> Any:
    """Draw the incidents per week as stacked bars coloured like the map.

    Parameters
    ----------
    table : DataFrame
        ``week``, ``group``, ``incidents`` as :func:`count_by_week` returns them.
    colors : dict
        Group to colour, in legend order.
    legend_title : str

    Returns
    -------
    altair.Chart
    """
    import altair as alt

    return (
        alt.Chart(table)
        .mark_bar()
        .encode(
            x=alt.X("week:T", title="Week", axis=alt.Axis(format="%d %b %Y", labelOverlap=True)),
            y=alt.Y("sum(incidents):Q", title="Incidents"),
            color=alt.Color(
                "group:N",
                title=legend_title,
                sort=list(colors),
                scale=alt.Scale(domain=list(colors), range=list(colors.values())),
                legend=alt.Legend(orient="bottom", columns=3, labelLimit=320),
            ),
            tooltip=[alt.Tooltip("week:T", title="Week of"), "group:N", "incidents:Q"],
        )
        .properties(height=220)
    )

"""Playback of the time window: where it starts and how it advances, tick by tick.

The dashboard's Play switch moves the time window one step (a week or a month) per tick
through the data's span and stops at its end. The rules live here, apart from the
widgets, so they are tested without a browser.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

from geo.timeline import add_months, at_span_end, step_window

Window = tuple[date, date]
"""An inclusive ``(first day, last day)``."""

TICK_SLACK: Final = 0.8  # a tick closer than this share of the interval to the last is skipped


def start_window(window: Window, span: Window, step: str) -> Window:
    """Return the window playback starts from when Play is switched on.

    Parameters
    ----------
    window : (date, date)
        The current window.
    span : (date, date)
        The data's first and last day.
    step : {"week", "month"}

    Returns
    -------
    (date, date)
        A window of the whole span shrinks to one step at its start (so playback shows
        something move); a window already at the end starts again from the beginning,
        keeping its length; any other window is kept.
    """
    start, end = window
    first, last = span
    if (start, end) == (first, last):
        length = timedelta(days=6) if step == "week" else add_months(first, 1) - first
        return first, min(first + length, last)
    if at_span_end((start, end), span):
        return first, min(first + (end - start), last)
    return start, end


def advance(window: Window, span: Window, step: str) -> tuple[Window, bool]:
    """Move the window one playback step.

    Parameters
    ----------
    window : (date, date)
    span : (date, date)
        The data's first and last day.
    step : {"week", "month"}

    Returns
    -------
    ((date, date), bool)
        The moved window, and whether playback goes on (False once the end is reached).
    """
    moved = step_window(window, step, span)
    return moved, not at_span_end(moved, span)


def tick_due(now: float, last_tick: float, interval_s: float) -> bool:
    """Tell whether a playback tick is due: a rerun soon after the last tick is not one.

    Parameters
    ----------
    now, last_tick : float
        Monotonic clock readings, in seconds.
    interval_s : float
        Seconds per step.

    Returns
    -------
    bool
    """
    return now - last_tick >= TICK_SLACK * interval_s

"""Playback of the time window: where it starts and how it advances, tick by tick.

The dashboard's Play switch moves the time window one step (a week or a month) per tick
through the data's span and stops at its end. The rules live here, apart from the
widgets, so they are tested without a browser.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import numpy as np

from geo.filters import EPOCH, IncidentFilter, IncidentIndex
from geo.timeline import at_span_end, first_step, step_window

Window = tuple[date, date]
"""An inclusive ``(first day, last day)``."""

TICK_SLACK: Final = 0.8  # a tick closer than this share of the interval to the last is skipped


def start_window(window: Window, span: Window, step: str, first_day: date | None = None) -> Window:
    """Return the window playback starts from when Play is switched on.

    Parameters
    ----------
    window : (date, date)
        The current window.
    span : (date, date)
        The data's first and last day.
    step : {"week", "month"}
    first_day : date, optional
        The first day of the first incident the other filters keep; by default the
        span's first day.

    Returns
    -------
    (date, date)
        A window of the whole span shrinks to the step (ISO week or calendar month)
        holding ``first_day`` (see :func:`geo.timeline.first_step`), so playback opens
        on data rather than on empty steps; a window already at the end starts again
        from the beginning, keeping its length; any other window is kept.
    """
    start, end = window
    first, last = span
    if (start, end) == (first, last):
        return first_step(step, min(max(first_day or first, first), last), span)
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


def first_incident_day(index: IncidentIndex, flt: IncidentFilter) -> date | None:
    """Return the first day of the first incident a filter keeps, whatever its time window.

    Parameters
    ----------
    index : IncidentIndex
    flt : IncidentFilter
        Its ``start`` and ``end`` are not used: playback moves them.

    Returns
    -------
    date or None
        None when no incident passes the other filters.
    """
    keep = index.mask(flt.with_changes(start=None, end=None))
    if not keep.any():
        return None
    first = int(index.start_day[keep].min())
    return (EPOCH + np.timedelta64(first, "D")).astype(object)  # type: ignore[no-any-return]

"""Filters to and from URL query parameters (``DATA.md``: start, end, actor, type, site, q).

A copied URL must reproduce a view, so parsing is forgiving: a value that
cannot be used is dropped and reported, never raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from geo.filters import IncidentFilter

MIN_FATALITIES_PARAM = "min_fatalities"


def filter_to_query(flt: IncidentFilter) -> dict[str, str | list[str]]:
    """Query parameters for a filter; unrestricted fields are left out.

    Parameters
    ----------
    flt : IncidentFilter

    Returns
    -------
    dict
        Single values as str, repeatable ones as lists of str.
    """
    params: dict[str, str | list[str]] = {}
    if flt.start is not None:
        params["start"] = flt.start.isoformat()
    if flt.end is not None:
        params["end"] = flt.end.isoformat()
    if flt.actors:
        params["actor"] = list(flt.actors)
    if flt.event_types:
        params["type"] = list(flt.event_types)
    if flt.sites:
        params["site"] = list(flt.sites)
    if flt.text:
        params["q"] = flt.text
    if flt.min_fatalities:
        params[MIN_FATALITIES_PARAM] = str(flt.min_fatalities)
    return params


def _values(params: Mapping[str, str | list[str]], key: str) -> list[str]:
    """All values of a parameter, whether given once or repeated."""
    raw = params.get(key)
    if raw is None:
        return []
    return [raw] if isinstance(raw, str) else [str(v) for v in raw]


def _parse_day(text: str, key: str, problems: list[str]) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(f"ignored {key}={text!r}: expected a date as YYYY-MM-DD")
        return None


def _known(
    values: list[str], allowed: Iterable[str], key: str, problems: list[str]
) -> tuple[str, ...]:
    """Keep the values the data knows; report the others."""
    allowed_set = set(allowed)
    kept = []
    for value in values:
        if value in allowed_set:
            if value not in kept:
                kept.append(value)
        else:
            problems.append(f"ignored {key}={value!r}: not in this data")
    return tuple(kept)


def filter_from_query(
    params: Mapping[str, str | list[str]],
    *,
    actors: Iterable[str],
    event_types: Iterable[str],
    sites: Iterable[str],
) -> tuple[IncidentFilter, list[str]]:
    """Read a filter from query parameters.

    Parameters
    ----------
    params : mapping
        Parameter name to one value or a list of values (as Streamlit's
        ``st.query_params.to_dict()`` plus ``get_all`` give them).
    actors, event_types, sites : iterable of str
        The values the loaded data offers; others are dropped.

    Returns
    -------
    (IncidentFilter, list of str)
        The filter and one sentence per ignored value.
    """
    problems: list[str] = []
    start = end = None
    if starts := _values(params, "start"):
        start = _parse_day(starts[-1], "start", problems)
    if ends := _values(params, "end"):
        end = _parse_day(ends[-1], "end", problems)
    if start and end and start > end:
        problems.append(f"swapped start={start} and end={end}: the start came after the end")
        start, end = end, start
    min_fatalities = 0
    if raw := _values(params, MIN_FATALITIES_PARAM):
        try:
            min_fatalities = max(0, int(raw[-1]))
        except ValueError:
            problems.append(f"ignored {MIN_FATALITIES_PARAM}={raw[-1]!r}: expected a whole number")
    texts = _values(params, "q")
    flt = IncidentFilter(
        start=start,
        end=end,
        actors=_known(_values(params, "actor"), actors, "actor", problems),
        event_types=_known(_values(params, "type"), event_types, "type", problems),
        sites=_known(_values(params, "site"), sites, "site", problems),
        min_fatalities=min_fatalities,
        text=texts[-1][:200] if texts else "",
    )
    return flt, problems

"""A whole view to and from URL query parameters; recipes store the same parameters.

Filters (``DATA.md``): ``start``, ``end``, ``actor`` (any role), ``actor1`` (the acting
side), ``actor2`` (the side acted upon), ``type``, ``site``, ``q``, ``min_fatalities``,
``f.COLUMN`` (a value, or ``MIN..MAX`` for a numeric column), ``bbox`` (``W,S,E,N``),
``area`` (a polygon, ``lon lat,lon lat,...``), ``admin1``. Presentation: ``color``,
``basemap``, ``title``, ``layers`` (the map layers switched on, comma-separated),
``site_labels``, ``extent`` (``W,S,E,N``), ``rank`` (the actor ranking behind actor
colours), ``step`` (playback's step) and ``choropleth`` (provinces shaded by
``incidents`` or ``fatalities``), and the map's camera, ``center`` (``LAT,LON``) with
``zoom``. Only what differs from the defaults
is written. A copied URL must reproduce a view, so parsing is forgiving: a value that
cannot be used is dropped and reported, never raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from geo.areas import AreaError, format_bbox, format_ring, parse_bbox, parse_ring
from geo.filters import REVIEW_STATES, IncidentFilter
from geo.palette import COLOR_BY
from geo.provinces import CHOROPLETH_MEASURES
from geo.view import (
    BASEMAPS,
    PLAYBACK_STEPS,
    SITE_LAYERS,
    Center,
    View,
    ViewError,
    check_camera,
    check_extent,
)

MIN_FATALITIES_PARAM = "min_fatalities"
STATUS_PARAM = "status"  # a store's review states
# ``f.COLUMN=VALUE``: a value of any column of the data (repeatable).
COLUMN_PREFIX = "f."
# ``f.COLUMN=MIN..MAX``: a numeric column's inclusive range; either end may be left out.
RANGE_SEPARATOR = ".."
# URL name of each map layer switch of a View.
LAYER_PARAMS = {"clusters": "show_clusters", "heatmap": "show_heatmap", "uncertainty":
                "show_uncertainty"}  # fmt: skip
Query = dict[str, str | list[str]]


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
    if flt.actors1:
        params["actor1"] = list(flt.actors1)
    if flt.actors2:
        params["actor2"] = list(flt.actors2)
    if flt.event_types:
        params["type"] = list(flt.event_types)
    if flt.sites:
        params["site"] = list(flt.sites)
    if flt.text:
        params["q"] = flt.text
    if flt.min_fatalities:
        params[MIN_FATALITIES_PARAM] = str(flt.min_fatalities)
    for column, values in flt.where:
        params[COLUMN_PREFIX + column] = list(values)
    if flt.statuses:
        params[STATUS_PARAM] = list(flt.statuses)
    for column, low, high in flt.ranges:
        params[COLUMN_PREFIX + column] = format_range(low, high)
    if flt.admin1:
        params["admin1"] = list(flt.admin1)
    if flt.bbox is not None:
        params["bbox"] = format_bbox(flt.bbox)
    if flt.area:
        params["area"] = format_ring(flt.area)
    return params


def _number(value: float) -> str:
    """Write a number as short text that reads back exactly: ``3``, ``2.5``, ``1234567``."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def format_range(low: float | None, high: float | None) -> str:
    """Write a range as ``MIN..MAX`` (an open end left empty)."""
    return "".join(
        (_number(low) if low is not None else "", RANGE_SEPARATOR,
         _number(high) if high is not None else "")
    )  # fmt: skip


def parse_range(text: str) -> tuple[float | None, float | None]:
    """Read ``MIN..MAX``, ``MIN..`` or ``..MAX``.

    Raises
    ------
    ValueError
        When it is not two numbers (one may be missing) around ``..``, or starts after
        it ends.
    """
    low_text, sep, high_text = text.partition(RANGE_SEPARATOR)
    if not sep or not (low_text.strip() or high_text.strip()):
        raise ValueError("expected a range such as 5..10, 5.. or ..10")
    try:
        low = float(low_text) if low_text.strip() else None
        high = float(high_text) if high_text.strip() else None
    except ValueError:
        raise ValueError("expected a range such as 5..10, 5.. or ..10") from None
    if low is not None and high is not None and low > high:
        raise ValueError("the range starts after it ends")
    return low, high


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
    columns: Mapping[str, Iterable[str]] | None = None,
    statuses: Iterable[str] | None = None,
    numeric: Iterable[str] = (),
    provinces: Iterable[str] | None = None,
) -> tuple[IncidentFilter, list[str]]:
    """Read a filter from query parameters.

    Parameters
    ----------
    params : mapping
        Parameter name to one value or a list of values (as Streamlit's
        ``st.query_params.to_dict()`` plus ``get_all`` give them).
    actors, event_types, sites : iterable of str
        The values the loaded data offers; others are dropped.
    columns : mapping of str to iterable of str, optional
        The file's own columns ``f.COLUMN`` may name and the values each offers; an
        unknown column or value is dropped and reported. None: the data has no column of
        its own.
    statuses : iterable of str, optional
        The review states ``status`` may name; None: the data has none (a file), and a
        ``status`` is reported as not applicable.
    numeric : iterable of str
        The numeric columns ``f.COLUMN=MIN..MAX`` may name.
    provinces : iterable of str, optional
        The provinces ``admin1`` may name; None accepts any.

    Returns
    -------
    (IncidentFilter, list of str)
        The filter and one sentence per ignored value.
    """
    problems: list[str] = []
    actors = tuple(actors)  # read once per role
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
    where, ranges = _where_of(params, columns, set(numeric), problems)
    admin1 = _values(params, "admin1")
    flt = IncidentFilter(
        start=start,
        end=end,
        actors=_known(_values(params, "actor"), actors, "actor", problems),
        actors1=_known(_values(params, "actor1"), actors, "actor1", problems),
        actors2=_known(_values(params, "actor2"), actors, "actor2", problems),
        event_types=_known(_values(params, "type"), event_types, "type", problems),
        sites=_known(_values(params, "site"), sites, "site", problems),
        min_fatalities=min_fatalities,
        text=texts[-1][:200] if texts else "",
        statuses=_statuses_of(params, statuses, problems),
        where=where,
        ranges=ranges,
        admin1=tuple(dict.fromkeys(admin1))
        if provinces is None
        else _known(admin1, provinces, "admin1", problems),
        bbox=_area_value(params, "bbox", parse_bbox, problems),
        area=_area_value(params, "area", parse_ring, problems) or (),
    )
    return flt, problems


def _statuses_of(
    params: Mapping[str, str | list[str]], allowed: Iterable[str] | None, problems: list[str]
) -> tuple[str, ...]:
    """Read ``status``: review states of a store; a file has none to choose from."""
    values = _values(params, STATUS_PARAM)
    if allowed is None:
        problems.extend(
            f"ignored {STATUS_PARAM}={v!r}: not applicable, only an incident store has review "
            "states" for v in values
        )
        return ()
    return _known(values, allowed, STATUS_PARAM, problems)
def _area_value(
    params: Mapping[str, str | list[str]], key: str, parse: Any, problems: list[str]
) -> Any:
    """Read the last ``bbox`` or ``area`` with ``parse``; None (reported) when invalid."""
    if not (values := _values(params, key)):
        return None
    try:
        return parse(values[-1])
    except AreaError as exc:
        problems.append(f"ignored {key}={values[-1]!r}: {exc}")
        return None


def _where_of(
    params: Mapping[str, str | list[str]],
    columns: Mapping[str, Iterable[str]] | None,
    numeric: set[str],
    problems: list[str],
) -> tuple[
    tuple[tuple[str, tuple[str, ...]], ...], tuple[tuple[str, float | None, float | None], ...]
]:
    """Read the ``f.COLUMN=VALUE`` and ``f.COLUMN=MIN..MAX`` parameters, checked."""
    where: list[tuple[str, tuple[str, ...]]] = []
    ranges: list[tuple[str, float | None, float | None]] = []
    for key in params:
        if not key.startswith(COLUMN_PREFIX):
            continue
        column, values = key[len(COLUMN_PREFIX) :], _values(params, key)
        if column in numeric:
            try:
                ranges.append((column, *parse_range(values[-1])))
            except ValueError as exc:
                problems.append(f"ignored {key}={values[-1]!r}: {exc}")
            continue
        if columns is None or column not in columns:
            problems.append(f"ignored {key}: this data has no column {column!r}")
            continue
        else:
            kept = _known(values, columns[column], key, problems)
        if kept:
            where.append((column, kept))
    return tuple(where), tuple(ranges)


def _layers_of(view: View) -> list[str]:
    return [name for name, attr in LAYER_PARAMS.items() if getattr(view, attr)]


def view_to_query(view: View, *, defaults: View | None = None) -> Query:
    """Query parameters for a whole view: its filter, then what differs from ``defaults``.

    Parameters
    ----------
    view : View
    defaults : View, optional
        The view a bare URL opens (of its filter only the review states are used); by
        default ``View()``. The dashboard passes the loaded data's actor ranking and a
        store's default review states here, so links stay short.

    Returns
    -------
    dict
        Single values as str, repeatable ones as lists of str.
    """
    base = defaults or View()
    params = filter_to_query(view.flt)
    if view.flt.statuses == base.flt.statuses:  # a store's default review states
        params.pop(STATUS_PARAM, None)
    elif not view.flt.statuses:  # every state, where a bare link opens fewer
        params[STATUS_PARAM] = list(REVIEW_STATES)
    if view.color_by != base.color_by:
        params["color"] = view.color_by
    if view.basemap != base.basemap:
        params["basemap"] = view.basemap
    if view.title != base.title:
        params["title"] = view.title
    if _layers_of(view) != _layers_of(base):
        params["layers"] = ",".join(_layers_of(view))
    if view.site_layer != base.site_layer:
        params["site_labels"] = view.site_layer
    if view.extent is not None and view.extent != base.extent:
        params["extent"] = ",".join(f"{v:g}" for v in view.extent)
    if view.actor_ranking != base.actor_ranking:
        params["rank"] = list(view.actor_ranking)
    if view.step != base.step:
        params["step"] = view.step
    if view.choropleth != base.choropleth:
        params["choropleth"] = view.choropleth
    if view.center is not None and view.zoom is not None:
        params.update(camera_to_query(view.center, view.zoom))
    return params


def camera_to_query(center: Center, zoom: int) -> dict[str, str]:
    """Write a map camera as the ``center`` and ``zoom`` parameters.

    Parameters
    ----------
    center : (latitude, longitude)
    zoom : int

    Returns
    -------
    dict of str to str
    """
    (lat, lon), level = check_camera(center, zoom)
    return {"center": f"{lat!r},{lon!r}", "zoom": str(level)}


def _camera_of(params: Mapping[str, str | list[str]], problems: list[str]) -> dict[str, object]:
    """Read ``center`` and ``zoom``; a camera needs both, so one alone is reported."""
    centers, zooms = _values(params, "center"), _values(params, "zoom")
    if not centers and not zooms:
        return {}
    if not (centers and zooms):
        given = f"center={centers[-1]!r}" if centers else f"zoom={zooms[-1]!r}"
        problems.append(f"ignored {given}: a map camera needs both center and zoom")
        return {}
    try:
        center, zoom = check_camera(tuple(centers[-1].split(",")), zooms[-1])  # type: ignore[arg-type]
    except ViewError as exc:
        problems.append(f"ignored center={centers[-1]!r}&zoom={zooms[-1]!r}: {exc}")
        return {}
    return {"center": center, "zoom": zoom}


def _choice(
    params: Mapping[str, str | list[str]],
    key: str,
    choices: Iterable[str],
    fallback: str,
    problems: list[str],
) -> str:
    values = _values(params, key)
    if not values:
        return fallback
    if values[-1] in set(choices):
        return values[-1]
    problems.append(f"ignored {key}={values[-1]!r}: expected one of {', '.join(choices)}")
    return fallback


def view_from_query(
    params: Mapping[str, str | list[str]],
    *,
    actors: Iterable[str],
    event_types: Iterable[str],
    sites: Iterable[str],
    defaults: View | None = None,
    columns: Mapping[str, Iterable[str]] | None = None,
    statuses: Iterable[str] | None = None,
    numeric: Iterable[str] = (),
    provinces: Iterable[str] | None = None,
    colour_columns: Iterable[str] | None = None,
) -> tuple[View, list[str]]:
    """Read a whole view from query parameters (see :func:`view_to_query`).

    Parameters
    ----------
    params : mapping
        Parameter name to one value or a list of values.
    actors, event_types, sites : iterable of str
        The values the loaded data offers; others are dropped.
    defaults : View, optional
        What an absent parameter means (of its filter only the review states are used);
        by default ``View()``.
    columns, statuses, numeric, provinces : optional
        See :func:`filter_from_query`.
    colour_columns : iterable of str, optional
        The columns ``color`` may name beside the contract's; by default ``columns``.

    Returns
    -------
    (View, list of str)
        The view and one sentence per ignored value.
    """
    base = defaults or View()
    flt, problems = filter_from_query(
        params,
        actors=actors,
        event_types=event_types,
        sites=sites,
        columns=columns,
        statuses=statuses,
        numeric=numeric,
        provinces=provinces,
    )
    if not flt.statuses:  # none given, or none usable: the default review states
        flt = flt.with_changes(statuses=base.flt.statuses)
    changes: dict[str, object] = {
        "flt": flt,
        "color_by": _choice(
            params,
            "color",
            (*COLOR_BY, *(columns or () if colour_columns is None else colour_columns)),
            base.color_by,
            problems,
        ),
        "basemap": _choice(params, "basemap", BASEMAPS, base.basemap, problems),
        "site_layer": _choice(params, "site_labels", SITE_LAYERS, base.site_layer, problems),
        "step": _choice(params, "step", PLAYBACK_STEPS, base.step, problems),
        "choropleth": _choice(
            params, "choropleth", CHOROPLETH_MEASURES, base.choropleth, problems
        ),
    }
    if titles := _values(params, "title"):
        changes["title"] = titles[-1][:200]
    if layers := _values(params, "layers"):
        named = [name.strip() for name in layers[-1].split(",") if name.strip()]
        for name in named:
            if name not in LAYER_PARAMS:
                problems.append(
                    f"ignored layers={name!r}: expected any of {', '.join(LAYER_PARAMS)}"
                )
        changes.update({attr: name in named for name, attr in LAYER_PARAMS.items()})
    if extents := _values(params, "extent"):
        try:
            changes["extent"] = check_extent(tuple(extents[-1].split(",")))  # type: ignore[arg-type]
        except ViewError as exc:
            problems.append(f"ignored extent={extents[-1]!r}: {exc}")
    if "rank" in params:
        changes["actor_ranking"] = tuple(dict.fromkeys(_values(params, "rank")))
    changes.update(_camera_of(params, problems))
    return base.with_changes(**changes), problems

"""A whole view to and from URL query parameters; recipes store the same parameters.

Filters (``DATA.md``): ``start``, ``end``, ``actor`` (any role), ``actor1`` (the acting
side), ``actor2`` (the side acted upon), ``type``, ``site``, ``q``, ``min_fatalities``.
Presentation: ``color``, ``basemap``, ``title``, ``layers`` (the map layers switched on,
comma-separated), ``site_labels``, ``extent`` (``W,S,E,N``), ``rank`` (the actor ranking
behind actor colours), ``step`` (playback's step) and the map's camera, ``center``
(``LAT,LON``) with ``zoom``. Only what differs from the defaults
is written. A copied URL must reproduce a view, so parsing is forgiving: a value that
cannot be used is dropped and reported, never raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from geo.filters import IncidentFilter
from geo.palette import COLOR_BY
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
# ``f.COLUMN=VALUE``: a value of any column of the data (repeatable).
COLUMN_PREFIX = "f."
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
    columns: Mapping[str, Iterable[str]] | None = None,
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
        where=_where_of(params, columns, problems),
    )
    return flt, problems


def _where_of(
    params: Mapping[str, str | list[str]],
    columns: Mapping[str, Iterable[str]] | None,
    problems: list[str],
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Read the ``f.COLUMN=VALUE`` parameters, checked against the data's columns when known."""
    where: list[tuple[str, tuple[str, ...]]] = []
    for key in params:
        if not key.startswith(COLUMN_PREFIX):
            continue
        column, values = key[len(COLUMN_PREFIX) :], _values(params, key)
        if columns is None or column not in columns:
            problems.append(f"ignored {key}: this data has no column {column!r}")
            continue
        else:
            kept = _known(values, columns[column], key, problems)
        if kept:
            where.append((column, kept))
    return tuple(where)


def _layers_of(view: View) -> list[str]:
    return [name for name, attr in LAYER_PARAMS.items() if getattr(view, attr)]


def view_to_query(view: View, *, defaults: View | None = None) -> Query:
    """Query parameters for a whole view: its filter, then what differs from ``defaults``.

    Parameters
    ----------
    view : View
    defaults : View, optional
        The view a bare URL opens (its filter is not used); by default ``View()``. The
        dashboard passes the loaded data's actor ranking here, so links stay short.

    Returns
    -------
    dict
        Single values as str, repeatable ones as lists of str.
    """
    base = defaults or View()
    params = filter_to_query(view.flt)
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
) -> tuple[View, list[str]]:
    """Read a whole view from query parameters (see :func:`view_to_query`).

    Parameters
    ----------
    params : mapping
        Parameter name to one value or a list of values.
    actors, event_types, sites : iterable of str
        The values the loaded data offers; others are dropped.
    defaults : View, optional
        What an absent parameter means (its filter is not used); by default ``View()``.
    columns : mapping of str to iterable of str, optional
        See :func:`filter_from_query`.

    Returns
    -------
    (View, list of str)
        The view and one sentence per ignored value.
    """
    base = defaults or View()
    flt, problems = filter_from_query(
        params, actors=actors, event_types=event_types, sites=sites, columns=columns
    )
    changes: dict[str, object] = {
        "flt": flt,
        "color_by": _choice(
            params,
            "color",
            (*COLOR_BY, *(columns or ())),
            base.color_by,
            problems,
        ),
        "basemap": _choice(params, "basemap", BASEMAPS, base.basemap, problems),
        "site_layer": _choice(params, "site_labels", SITE_LAYERS, base.site_layer, problems),
        "step": _choice(params, "step", PLAYBACK_STEPS, base.step, problems),
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

"""Colours of the map: fixed per ACLED event type, ranked per actor.

Event-type colours come from the Okabe-Ito palette, which stays distinguishable for the
common forms of colour blindness; actor colours from Paul Tol's "muted" scheme. Both read
on the light offline basemap (no yellow, which vanishes on it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from types import MappingProxyType
from typing import Final

import numpy as np
import pandas as pd

from geo.schema import EVENT_TYPES, IncidentDataError

COLOR_BY: Final = ("event_type", "actor")

# Okabe & Ito (2008), "Color Universal Design"; one colour per ACLED event type.
EVENT_TYPE_COLORS: Final = MappingProxyType(
    {
        "Battles": "#D55E00",  # vermillion
        "Explosions/Remote violence": "#0072B2",  # blue
        "Violence against civilians": "#CC79A7",  # reddish purple
        "Protests": "#56B4E9",  # sky blue
        "Riots": "#E69F00",  # orange
        "Strategic developments": "#009E73",  # bluish green
    }
)
UNKNOWN_COLOR: Final = "#7F7F7F"  # a type outside ACLED's vocabulary, once the palette is used up

# Paul Tol, "muted" qualitative scheme (personal.sron.nl/~pault), in his order.
ACTOR_PALETTE: Final = (
    "#332288",
    "#CC6677",
    "#117733",
    "#88CCEE",
    "#882255",
    "#44AA99",
    "#999933",
    "#AA4499",
    "#DDCC77",
)
OTHER_ACTORS: Final = "Other actors"
OTHER_COLOR: Final = "#A5A5A5"
NO_ACTOR: Final = "(no actor)"
# The file's own columns: an empty cell, and any value beyond the palette's colours.
NO_VALUE: Final = "(not recorded)"
OTHER_VALUES: Final = "Other"


def is_own_column(incidents: pd.DataFrame, column: str) -> bool:
    """Whether ``column`` is one of the file's own columns (not a contract field)."""
    from geo.incidents import COLUMNS  # the canonical table, which this module does not need

    return column in incidents.columns and column not in COLUMNS and column != "geometry"


def color_column(color_by: str) -> str:
    """Return the column a colouring reads: ``actor1`` for ``actor``, else its own name."""
    return "actor1" if color_by == "actor" else color_by


def event_type_color(event_type: str) -> str:
    """Return the fixed colour of an ACLED event type.

    Parameters
    ----------
    event_type : str

    Returns
    -------
    str
        A ``#RRGGBB`` colour; :data:`UNKNOWN_COLOR` for a type outside the vocabulary.
    """
    return EVENT_TYPE_COLORS.get(event_type, UNKNOWN_COLOR)


def other_type_colors(types: Sequence[str]) -> dict[str, str]:
    """Give categories outside ACLED's event types colours of their own.

    An uploaded file may name its own categories; they take the colours of
    :data:`ACTOR_PALETTE` (never shown beside event-type colours) in the order given,
    and :data:`UNKNOWN_COLOR` once it is used up.

    Parameters
    ----------
    types : sequence of str
        Categories that are not ACLED event types, in legend order.

    Returns
    -------
    dict of str to str
    """
    return {
        t: ACTOR_PALETTE[i] if i < len(ACTOR_PALETTE) else UNKNOWN_COLOR
        for i, t in enumerate(types)
    }


def rank_actors(actors: Iterable[str]) -> list[str]:
    """Order actor names by how often they occur, most frequent first.

    Parameters
    ----------
    actors : iterable of str
        One name per incident (typically the ``actor1`` column); empty and missing names
        are ignored.

    Returns
    -------
    list of str
        Distinct names; ties are broken alphabetically so the order is deterministic.
    """
    series = actors if isinstance(actors, pd.Series) else pd.Series(list(actors), dtype=object)
    codes, names = pd.factorize(series)  # vectorised: a million rows in milliseconds
    counts = np.bincount(codes[codes >= 0], minlength=len(names))
    ranked = sorted(
        ((int(count), str(name)) for count, name in zip(counts, names, strict=True) if name),
        key=lambda pair: (-pair[0], pair[1]),
    )
    return [name for _, name in ranked]


def actor_colors(ranking: Sequence[str]) -> dict[str, str]:
    """Give the leading actors of a ranking their own colours.

    Parameters
    ----------
    ranking : sequence of str
        Actor names, most important first (see :func:`rank_actors`).

    Returns
    -------
    dict of str to str
        The first ``len(ACTOR_PALETTE)`` actors mapped to palette colours, in order; any
        other actor is drawn in :data:`OTHER_COLOR` under :data:`OTHER_ACTORS`.
    """
    return dict(zip(ranking, ACTOR_PALETTE, strict=False))


def color_codes(
    incidents: pd.DataFrame, color_by: str, *, ranking: Sequence[str] = ()
) -> tuple[np.ndarray, dict[str, str]]:
    """Tell which legend entry, by position, and which colour each incident gets.

    Parameters
    ----------
    incidents : DataFrame
        Canonical incidents (needs ``event_type`` and ``actor1``).
    color_by : {"event_type", "actor"}
        Colour by ACLED event type or by the acting side (``actor1``).
    ranking : sequence of str, optional
        Actors ranked over the whole dataset, so colours stay put while filters change;
        by default the incidents given are ranked.

    Returns
    -------
    codes : numpy.ndarray of int64
        For each incident, the position of its entry in ``colors``.
    colors : dict of str to str
        Legend label -> colour, for the labels present only, in legend order (ACLED's
        order of event types; or the ranking's order of actors, then "Other actors").

    Raises
    ------
    ValueError
        When ``color_by`` is not one of :data:`COLOR_BY`.
    """
    column = color_column(color_by)
    if color_by not in COLOR_BY and not is_own_column(incidents, column):
        raise IncidentDataError(
            f"color_by must be one of {', '.join(COLOR_BY)} or a categorical column of the "
            f"file; got {color_by!r}"
        )
    # Labels are worked out per distinct value, then spread back with the codes.
    codes, values = pd.factorize(incidents[column], use_na_sentinel=False)
    names = ["" if pd.isna(v) else str(v) for v in values]
    if color_by == "event_type":
        present = set(names)
        others = sorted(present - set(EVENT_TYPES))
        order = [t for t in EVENT_TYPES if t in present] + others
        colors = {t: event_type_color(t) for t in order}
        colors.update(other_type_colors(others))
        labels = names
    elif color_by != "actor":
        # The file's own column: colours in the order of its categories over the whole
        # file (a categorical keeps them through filters), so they stay put.
        series = incidents[column]
        order = (
            [str(c) for c in series.cat.categories]
            if isinstance(series.dtype, pd.CategoricalDtype)
            else sorted(n for n in set(names) if n)
        )
        palette = dict(zip(order, ACTOR_PALETTE, strict=False))
        labels = [
            (name if name in palette else OTHER_VALUES) if name else NO_VALUE for name in names
        ]
        present = set(labels)
        colors = {v: c for v, c in palette.items() if v in present}
        if OTHER_VALUES in present:
            colors[OTHER_VALUES] = OTHER_COLOR
        if NO_VALUE in present:
            colors[NO_VALUE] = UNKNOWN_COLOR
    else:
        names = [name or NO_ACTOR for name in names]
        counts = np.bincount(codes, minlength=len(names))
        if not ranking:
            ranking = [n for _, n in sorted(zip(-counts, names, strict=True))]
        palette = actor_colors(ranking)
        labels = [name if name in palette else OTHER_ACTORS for name in names]
        present = set(labels)
        colors = {a: c for a, c in palette.items() if a in present}
        if OTHER_ACTORS in present:
            colors[OTHER_ACTORS] = OTHER_COLOR
    position = {label: i for i, label in enumerate(colors)}
    lookup = np.asarray([position[label] for label in labels], dtype=np.int64)
    return lookup[codes] if len(codes) else np.zeros(0, dtype=np.int64), colors


def color_keys(
    incidents: pd.DataFrame, color_by: str, *, ranking: Sequence[str] = ()
) -> tuple[pd.Series, dict[str, str]]:
    """Tell which legend entry and colour each incident gets.

    Parameters
    ----------
    incidents : DataFrame
    color_by : {"event_type", "actor"}
    ranking : sequence of str, optional
        See :func:`color_codes`.

    Returns
    -------
    keys : Series of str
        The legend label of each incident, aligned with ``incidents``.
    colors : dict of str to str
        Legend label -> colour, for the labels present only, in legend order.
    """
    codes, colors = color_codes(incidents, color_by, ranking=ranking)
    labels = np.asarray(list(colors), dtype=object)
    return pd.Series(
        labels[codes] if len(codes) else [], index=incidents.index, dtype=object
    ), colors


def legend_items(
    incidents: pd.DataFrame, color_by: str, *, ranking: Sequence[str] = ()
) -> list[tuple[str, str]]:
    """List the colour legend of a map: one entry per colour drawn.

    Parameters
    ----------
    incidents : DataFrame
        The incidents on the map.
    color_by : {"event_type", "actor"}
    ranking : sequence of str, optional
        See :func:`color_codes`.

    Returns
    -------
    list of (str, str)
        ``(label, "#RRGGBB")`` pairs for exactly the event types (or actors, then
        "Other actors") present, in the vocabulary's (or the ranking's) order. Labels are
        raw text: escape them where they are shown.
    """
    _, colors = color_codes(incidents, color_by, ranking=ranking)
    return list(colors.items())

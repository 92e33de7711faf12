"""Canonical actor names, their aliases and affiliations (``data/actors.csv``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geo.schema import ACTOR_TYPES, IncidentDataError, split_multi
from geo.sites import DATA_DIR, normalize_place_name

DEFAULT_ACTORS_PATH = DATA_DIR / "actors.csv"
ACTOR_COLUMNS = ("actor", "aliases", "actor_type", "affiliation")
UNAFFILIATED = "Other actors"


@dataclass(frozen=True)
class ActorTable:
    """Canonical actors: alias lookup and affiliation groups.

    Attributes
    ----------
    affiliation : dict
        Canonical name to affiliation (``Popular Mobilization Forces``, ...).
    aliases : dict
        Normalised alias (and canonical name) to canonical name.
    """

    affiliation: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    def canonical(self, name: str) -> str | None:
        """Return the canonical spelling of an actor name or alias, or None when unknown."""
        return self.aliases.get(normalize_place_name(name))

    def groups(self, names: Iterable[str]) -> dict[str, list[str]]:
        """Group actor names by affiliation; unknown names go to ``Other actors``.

        Parameters
        ----------
        names : iterable of str
            Actor names present in the data.

        Returns
        -------
        dict
            Affiliation to the sorted member names, affiliations sorted with
            ``Other actors`` last.
        """
        grouped: dict[str, list[str]] = {}
        for name in sorted(set(names)):
            grouped.setdefault(self.affiliation.get(name, UNAFFILIATED), []).append(name)
        return dict(sorted(grouped.items(), key=lambda kv: (kv[0] == UNAFFILIATED, kv[0])))


def read_actors(path: str | Path = DEFAULT_ACTORS_PATH) -> ActorTable:
    """Read ``actors.csv`` and check it.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    ActorTable

    Raises
    ------
    IncidentDataError
        On a missing column, a repeated actor, an alias naming two actors, or an
        actor type outside ACLED's.
    """
    path = Path(path)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as exc:
        raise IncidentDataError(f"cannot read the actors table {path}: {exc}") from exc
    missing = [col for col in ACTOR_COLUMNS if col not in table.columns]
    if missing:
        raise IncidentDataError(f"actors table {path} lacks the column(s): {', '.join(missing)}")
    repeated = table.loc[table["actor"].duplicated(), "actor"].tolist()
    if repeated:
        raise IncidentDataError(f"actor listed twice in {path}: {', '.join(repeated)}")
    valid_types = set(ACTOR_TYPES.values())
    aliases: dict[str, str] = {}
    affiliation: dict[str, str] = {}
    for row in table.itertuples(index=False):
        if row.actor_type not in valid_types:
            raise IncidentDataError(
                f"actor {row.actor!r} has actor_type {row.actor_type!r}; "
                f"expected one of: {', '.join(sorted(valid_types))}"
            )
        affiliation[row.actor] = row.affiliation or UNAFFILIATED
        for label in [row.actor, *split_multi(row.aliases)]:
            key = normalize_place_name(label)
            if aliases.setdefault(key, row.actor) != row.actor:
                raise IncidentDataError(
                    f"alias {label!r} names both {aliases[key]!r} and {row.actor!r} in {path}"
                )
    return ActorTable(affiliation=affiliation, aliases=aliases)


def covered_groups(groups: dict[str, list[str]], actors: Iterable[str]) -> list[str]:
    """Return the affiliations all of whose member actors are chosen.

    Parameters
    ----------
    groups : dict
        Affiliation to its member actors (see :meth:`ActorTable.groups`).
    actors : iterable of str
        The chosen actors.

    Returns
    -------
    list of str
        In the order of ``groups``.
    """
    chosen = set(actors)
    return [g for g, members in groups.items() if chosen.issuperset(members)]


def sync_affiliations(
    groups: dict[str, list[str]],
    before: Iterable[str],
    now: Iterable[str],
    actors: Iterable[str],
) -> tuple[list[str], list[str]]:
    """Apply a change of the chosen affiliations to the chosen actors.

    Choosing an affiliation adds its member actors; dropping one drops them. The
    affiliations are then those the actors cover, so an affiliation stays chosen only
    while all its members are.

    Parameters
    ----------
    groups : dict
        Affiliation to its member actors.
    before, now : iterable of str
        The affiliations chosen before and after the change.
    actors : iterable of str
        The actors chosen before the change.

    Returns
    -------
    (list of str, list of str)
        The actors and the affiliations after the change.
    """
    was, is_now = set(before), set(now)
    chosen = list(actors)
    for group in [g for g in groups if g in is_now - was]:
        chosen += [a for a in groups[group] if a not in chosen]
    dropped = {a for group in was - is_now for a in groups.get(group, [])}
    chosen = [a for a in chosen if a not in dropped]
    return chosen, covered_groups(groups, chosen)

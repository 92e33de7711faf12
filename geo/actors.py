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

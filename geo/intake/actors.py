"""Actors named in a sentence, from ``data/actors.csv`` aliases, and which side they are on.

Acronyms match only as written (``IS`` is the Islamic State, ``is`` is a verb);
other aliases fold case and accents. A few descriptions common in reports
(``US aircraft``, ``gunmen``, ``Turkish artillery``) are read by the rules below.
The side: an actor named after ``on``, ``against``, ``targeting`` or as the
subject of ``were killed`` is acted upon (``actor2``); the first other one acted.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

from geo.actors import DEFAULT_ACTORS_PATH, read_actors
from geo.sites import normalize_place_name

WORD: Final = re.compile(r"[A-Za-z0-9]+(?:[-'’.][A-Za-z0-9]+)*\.?")
# Descriptions seen in reports -> canonical actor; ``{country}`` is filled from the place.
DESCRIPTIONS: Final = (
    (
        r"\b(?:US|U\.S\.|American|United States)\s+(?:aircraft|warplanes|jets|drones?|forces|"
        r"troops|soldiers|military|strikes?|service members?|Marines)\b",
        "Military Forces of the United States",
    ),
    (r"\b(?:Department of Defense|Pentagon|Washington)\b", "Military Forces of the United States"),
    (
        r"\b(?:Iraqi (?:aircraft|warplanes|jets|forces|soldiers|army|military)|army aviation|"
        r"units of the Iraqi army|Iraqi servicemen)\b",
        "Military Forces of Iraq",
    ),
    (
        r"\b(?:counter[- ]terrorism forces|counter[- ]terrorism service)\b",
        "Counter Terrorism Service (Iraq)",
    ),
    (r"\bRevolutionary Guards?\b", "Military Forces of Iran"),
    (
        r"\bTurkish(?:[- ](?:artillery|forces|troops|army|military|drones?|jets|warplanes))\b",
        "Military Forces of Turkey",
    ),
    (r"\bTurkish-backed (?:factions|fighters|groups|forces)\b", "Syrian National Army"),
    (r"\bHouthis?\b|\bHuthis?\b|\bAnsar Allah\b", "Houthis"),
    (r"\b(?:police(?:men| officers)?|policemen)\b", "Police Forces of {country}"),
    (
        r"\b(?:government soldiers|government forces|soldiers|troops|army post|servicemen)\b",
        "Military Forces of {country}",
    ),
    (
        r"\b(?:civilians?|villagers?|residents|students|local official|contractors?|workers?|"
        r"people|family|children|women|market)\b",
        "Civilians ({country})",
    ),
    (r"\b(?:protesters|demonstrators|marchers|supporters)\b", "Protesters ({country})"),
    (
        r"\b(?:gunmen|militants|unknown attackers|unidentified attackers|assailants)\b",
        "Unidentified Armed Group ({country})",
    ),
)
TARGET_BEFORE: Final = re.compile(
    r"\b(?:on|against|targeting|targeted|target|at|hit|struck|killing|killed|wounding|wounded|"
    r"injuring|injured|ambushed|attacked|kidnapped|abducted|arrested|detained|shelled|"
    r"between\s+\S+\s+and|with|over|near)\s+(?:[^\s,;.]+\s+){0,4}$",
    re.I,
)
PASSIVE_AFTER: Final = re.compile(
    r"^[^,;.]{0,40}?\b(?:were|was|have been|has been|had been)\s+(?:\w+\s+)?"
    r"(?:killed|wounded|injured|hurt|attacked|targeted|abducted|kidnapped|arrested|detained)\b",
    re.I,
)


# "..., police said." / "according to officials": who reports, not who acts.
ATTRIBUTION: Final = re.compile(
    r"(?:,\s*(?:[\w'’.-]+\s+){0,6}?(?:said|says|say|reported|told [\w\s]{1,30}|announced|added|"
    r"confirmed)\b[^,;]*|\baccording to [^,;]*)(?=[.,;]?\s*$)",
    re.I,
)


@dataclass(frozen=True)
class ActorMention:
    """An actor a sentence names.

    Attributes
    ----------
    actor : str
        Canonical name (from ``actors.csv``, or a description's actor).
    words : str
        The words as written.
    offset : int
        Where they begin in the sentence.
    target : bool
        Whether the sentence has it acted upon.
    known : bool
        Whether the name is in ``actors.csv``.
    """

    actor: str
    words: str
    offset: int
    target: bool
    known: bool


@lru_cache(maxsize=4)
def _aliases(path: str) -> tuple[dict[str, str], dict[str, str], frozenset[str]]:
    """Folded aliases, case-sensitive acronyms (both to canonical names), and the canonical set."""
    table = read_actors(path)
    acronyms: dict[str, str] = {}
    folded: dict[str, str] = {}
    with Path(path).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for label in [row["actor"], *row["aliases"].split(";")]:
                label = label.strip()
                if not label:
                    continue
                if len(label) <= 5 and label.upper() == label:
                    acronyms[label] = row["actor"]
                else:
                    folded[normalize_place_name(label)] = row["actor"]
    return folded, acronyms, frozenset(table.affiliation)


def find_actors(
    sentence: str, country: str = "Iraq", path: str | Path = DEFAULT_ACTORS_PATH
) -> list[ActorMention]:
    """Every actor a sentence names, in order, with its side.

    Parameters
    ----------
    sentence : str
    country : str
        The country of the event's place, for descriptions (``soldiers`` are
        ``Military Forces of Iraq`` in Iraq).
    path : str or Path
        The actor table.

    Returns
    -------
    list of ActorMention
    """
    folded, acronyms, canonical = _aliases(str(path))
    country = country or "Unknown"
    sentence = ATTRIBUTION.sub(lambda m: " " * len(m.group()), sentence)
    tokens = [(m.group().rstrip("."), m.start()) for m in WORD.finditer(sentence)]
    spans: list[tuple[int, int, str]] = []
    i = 0
    while i < len(tokens):
        word, start = tokens[i]
        if word in acronyms:
            spans.append((start, start + len(word), acronyms[word]))
            i += 1
            continue
        for n in range(min(7, len(tokens) - i), 0, -1):
            words = [t[0] for t in tokens[i : i + n]]
            actor = folded.get(normalize_place_name(" ".join(words)))
            if actor is not None and (n > 1 or words[0][:1].isupper()):
                end = tokens[i + n - 1][1] + len(tokens[i + n - 1][0])
                spans.append((start, end, actor))
                i += n
                break
        else:
            i += 1
    for pattern, actor in DESCRIPTIONS:
        for m in re.finditer(pattern, sentence):
            if any(m.start() < b and a < m.end() for a, b, _ in spans):
                continue
            if any(0 <= m.start() - b <= 1 for _, b, _ in spans):
                continue  # "Islamic State militants": the description belongs to the name
            spans.append((m.start(), m.end(), actor.format(country=country)))
    mentions = []
    for start, end, actor in sorted(spans):
        target = bool(TARGET_BEFORE.search(sentence[:start])) or bool(
            PASSIVE_AFTER.match(sentence[end:])
        )
        mentions.append(ActorMention(actor, sentence[start:end], start, target, actor in canonical))
    return mentions


def assign_sides(
    mentions: list[ActorMention], country: str = "Iraq"
) -> tuple[ActorMention | None, ActorMention | None]:
    """Pick ``actor1`` (the side that acted) and ``actor2`` (the side acted upon).

    Parameters
    ----------
    mentions : list of ActorMention
        As :func:`find_actors` returns them.
    country : str

    Returns
    -------
    tuple
        ``(actor1, actor2)``; either may be None when the sentence names none.
    """
    actors = [m for m in mentions if not m.target]
    targets = [m for m in mentions if m.target]
    first = actors[0] if actors else None
    second = next((m for m in targets if first is None or m.actor != first.actor), None)
    if second is None and len(actors) > 1:
        second = next((m for m in actors[1:] if m.actor != actors[0].actor), None)
    return first, second

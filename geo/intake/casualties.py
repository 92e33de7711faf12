"""Casualties from the verbs: ``killing two Kurdish troops``, ``wounded 4 Iraqi soldiers``.

Counts are read beside the verb (``killed``, ``wounding``, ``were killed``,
``left 15 more injured``) and summed over lists (``five soldiers, two police
officers and a civilian worker`` is 8). ``no casualties`` and ``nobody was hurt``
give 0; words without a number (``several``, ``dozens``) give None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

UNITS: Final = {
    "a": 1, "an": 1, "one": 1, "another": 1, "his": 1, "her": 1, "two": 2, "three": 3,
    "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
}  # fmt: skip
VAGUE: Final = frozenset({"several", "dozens", "scores", "hundreds", "many", "some", "others"})
WORD: Final = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)?|\d+|[,;:()“”\"—–]")
KILL_ACTIVE: Final = re.compile(r"^(?:killing|killed|kill|leaving|left|claimed the lives of)$")
HURT_ACTIVE: Final = re.compile(r"^(?:wounding|wounded|injuring|injured|leaving|left|hurting)$")
KILL_PASSIVE: Final = frozenset({"killed", "dead", "died", "slain"})
HURT_PASSIVE: Final = frozenset({"wounded", "injured", "hurt"})
STOP: Final = frozenset(
    "and in on at when while before after near as by during inside outside with from of "
    "including according who which that the".split()
)
ZERO: Final = re.compile(
    r"\bno (?:immediate )?(?:reports? of )?(?:casualties|injuries|deaths|victims)\b|"
    r"\bwithout (?:causing )?(?:any )?(?:casualties|injuries)\b|"
    r"\b(?:nobody|no one|no-one) (?:was|were) (?:hurt|injured|killed|harmed)\b|"
    r"\bcausing no (?:casualties|injuries|damage)\b",
    re.I,
)


@dataclass(frozen=True)
class Casualties:
    """Killed and injured as the text gives them.

    Attributes
    ----------
    fatalities, injuries : int or None
        None when the text gives no number.
    fatalities_words, injuries_words : str
        The words each was read from.
    """

    fatalities: int | None = None
    injuries: int | None = None
    fatalities_words: str = ""
    injuries_words: str = ""


def _count(word: str) -> int | None:
    word = word.lower()
    if word.isdigit():
        return int(word)
    return UNITS.get(word)


def _read_list(tokens: list[str], i: int) -> tuple[int | None, int]:
    """Sum a list of counted nouns starting at ``tokens[i]``; the total and where it ended."""
    total: int | None = None
    j = i
    while j < len(tokens):
        word = tokens[j].lower()
        if word in ("at", "least", "more", "than", "about", "some", "nearly", "around"):
            j += 1
            continue
        n = _count(word)
        if n is None:
            if word in VAGUE:
                return None, j
            break
        total = (total or 0) + n
        j += 1
        # the noun: up to four words, not a verb or a preposition
        k = 0
        while j < len(tokens) and k < 4 and tokens[j].lower() not in STOP | {","}:
            if re.match(r"^(?:wounding|injuring|killing|leaving)$", tokens[j].lower()):
                break
            if tokens[j].lower() == "more" or _count(tokens[j]) is None:
                j += 1
                k += 1
            else:
                break
        if j < len(tokens) and tokens[j].lower() == "of" and n > 1:
            break  # "six of his guards": the number is the count
        if j + 1 < len(tokens) and tokens[j] in (",", "and") and _count(tokens[j + 1]) is not None:
            if tokens[j + 1].lower() in ("his", "her") or tokens[j] == "," or tokens[j] == "and":
                j += 1
                continue
        break
    return total, j


def _read_before(tokens: list[str], verb: int) -> int | None:
    """Sum the counted subject before a passive verb (``two soldiers and a civilian were``)."""
    start = verb
    while (
        start > 0
        and tokens[start - 1] not in (",", ";", ":", "—", "–", "“", '"')
        and (tokens[start - 1].lower() not in ("when", "that", "after", "as", "while"))
    ):
        start -= 1
    total: int | None = None
    k = start
    while k < verb:
        n = _count(tokens[k])
        word = tokens[k].lower()
        if word in VAGUE:
            return None
        if n is not None and word not in ("his", "her") or word in ("his", "her") and total:
            if word == "a" and k + 1 < verb and tokens[k + 1].lower() in ("group", "barrage"):
                k += 1
                continue
            total = (total or 0) + (n or 0)
            if k + 1 < verb and tokens[k + 1].lower() == "of":
                break
        k += 1
    return total


def find_casualties(text: str) -> Casualties:
    """Read killed and injured from a clause.

    Parameters
    ----------
    text : str

    Returns
    -------
    Casualties
    """
    tokens = WORD.findall(text)
    killed: int | None = None
    hurt: int | None = None
    kill_words = hurt_words = ""
    for i, token in enumerate(tokens):
        word = token.lower()
        nxt = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
        is_passive = i > 0 and tokens[i - 1].lower() in ("were", "was", "been", "and", "others")
        if word in ("leaving", "left"):
            n, end = _read_list(tokens, i + 1)
            tail = tokens[end].lower() if end < len(tokens) else ""
            if n is not None and tail in KILL_PASSIVE and killed is None:
                killed, kill_words = n, " ".join(tokens[i : end + 1])
            elif n is not None and tail in HURT_PASSIVE and hurt is None:
                hurt, hurt_words = n, " ".join(tokens[i : end + 1])
            continue
        leads = _count(nxt) is not None or nxt in ("at", "more", "nearly", "about", "some")
        if KILL_ACTIVE.match(word) and killed is None and leads:
            n, end = _read_list(tokens, i + 1)
            if n is not None:
                killed, kill_words = n, " ".join(tokens[i:end])
                continue
        if HURT_ACTIVE.match(word) and hurt is None and leads:
            n, end = _read_list(tokens, i + 1)
            if n is not None:
                hurt, hurt_words = n, " ".join(tokens[i:end])
                continue
        if word in KILL_PASSIVE and killed is None:
            n = _count(tokens[i - 1]) if i > 0 else None
            if n is None and (is_passive or word in ("died", "dead")):
                n = _read_before(tokens, i)
            if n is not None:
                killed, kill_words = n, " ".join(tokens[max(0, i - 4) : i + 1])
        elif word in HURT_PASSIVE and hurt is None:
            n = _count(tokens[i - 1]) if i > 0 else None
            if n is None and i > 1 and tokens[i - 1].lower() in ("others", "more"):
                n = _count(tokens[i - 2])
            if n is None and is_passive and tokens[i - 1].lower() != "and":
                n = _read_before(tokens, i)
            if n is not None:
                hurt, hurt_words = n, " ".join(tokens[max(0, i - 4) : i + 1])
    zero = ZERO.search(text)
    if zero:
        if killed is None:
            killed, kill_words = 0, zero.group()
        if hurt is None:
            hurt, hurt_words = 0, zero.group()
    return Casualties(killed, hurt, kill_words, hurt_words)

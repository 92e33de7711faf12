"""The ACLED event type from the event words, and the sentences that report no event.

A sentence reports an incident when it holds an event word (``rockets``,
``roadside bomb``, ``clashed``, ``arrested``, ``handed over``...) that no threat,
plan, hypothetical, denial or count over a period governs. One sentence may hold
two incidents: clauses joined by ``while`` or a semicolon are read apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

ER, SD = "Explosions/Remote violence", "Strategic developments"
VAC = "Violence against civilians"
# (pattern, event type, sub-event type), by priority: the first that matches wins.
TRIGGERS: Final = (
    (r"\bsuicide (?:bomb(?:er|ing)?s?|attack(?:er)?s?|car bomb|vests?)\b", ER, "Suicide bomb"),
    (r"\b(?:chemical|chlorine|sarin|mustard gas)\b", ER, "Chemical weapon"),
    (
        r"\b(?:roadside bombs?|explosive devices?|IEDs?|car bombs?|land ?mines?|booby[- ]trap\w*|"
        r"sticky bombs?|bombs? (?:exploded|went off|blast)|bombings?|bomb)\b",
        ER,
        "Remote explosive/landmine/IED",
    ),
    (r"\bgrenades?\b", ER, "Grenade"),
    (
        r"\b(?:air ?strikes?|airstrikes?|air raids?|aircraft|warplanes?|fighter jets?|jets|"
        r"army aviation|drones?|helicopters?|precision (?:defensive )?strikes?)\b",
        ER,
        "Air/drone strike",
    ),
    (
        r"\b(?:rockets?|missiles?|mortars?|shell(?:ed|ing|s)|artillery|katyushas?|projectiles?)\b",
        ER,
        "Shelling/artillery/missile attack",
    ),
    (
        r"\b(?:stormed|storming|broke into|broken into|set fire|torched|rioters?|riots?|"
        r"looted|ransacked)\b",
        "Riots",
        "Violent demonstration",
    ),
    (
        r"\b(?:protest(?:ers|ed|s|ing)?|demonstrat(?:ors|ions?|ed)|march(?:ed|es)|rall(?:y|ies|ied)|"
        r"sit-ins?|supporters (?:drove|gathered|marched|rallied|burned))\b",
        "Protests",
        "Peaceful protest",
    ),
    (r"\b(?:arrest(?:ed|ing|s)?|detain(?:ed|ing)|rounded up|apprehended)\b", SD, "Arrests"),
    (
        r"\b(?:hand(?:ed|s|ing)? over|handover|withdr(?:ew|awn) from|pulled out of|"
        r"transferred (?:the |control of )?[\w\s-]{0,30}?\bbase)\b",
        SD,
        "Non-violent transfer of territory",
    ),
    (r"\b(?:recaptured|regained|liberated|retook)\b", "Battles", "Government regains territory"),
    (
        r"\b(?:seized|took control of|overran|captured (?:the )?(?:town|village|city|area|base))\b",
        "Battles",
        "Non-state actor overtakes territory",
    ),
    (r"\b(?:abduct(?:ed|ion|s)?|kidnapp?(?:ed|ing|s)?)\b", VAC, "Abduction/forced disappearance"),
    (
        r"\b(?:clash(?:es|ed)?|fighting|firefights?|gun ?battles?|exchange of fire|onslaught|"
        r"opened fire|ambush(?:ed)?|attack(?:ed|s)?|assault(?:ed)?|raid(?:ed|s)?|"
        r"assassinat\w+|gunmen|shot dead|strikes?|struck)\b",
        "Battles",
        "Armed clash",
    ),
)
NOT_EVENT_WORDS: Final = re.compile(r"\bheart attack\b|\bhunger strike\b|\bpanic attack\b", re.I)
CIVILIAN_TARGET: Final = re.compile(
    r"\b(?:civilians?|villagers?|village|residents|official|son|daughter|family|market|"
    r"worker|students|women|children|journalists?|shepherds?|farmers?|wedding|mosque|"
    r"people)\b",
    re.I,
)
# Words governing an event word that make it no incident.
MODAL: Final = re.compile(
    r"\b(?:will|would|could|might|may|shall|should|if|unless|threaten\w*|warn\w*|vow\w*|"
    r"pledg\w*|plan(?:s|ned|ning)? to|intend\w*|expect\w*|fear\w*|call(?:ed|s)? (?:on|for)|"
    r"demand\w*|aim\w* to|prepar\w* to|ready to|in anticipation|possible|potential|likely|"
    r"affirms?|promis\w*|any further|future|to (?:launch|carry out|target|strike|attack))\b",
    re.I,
)
DENIAL: Final = re.compile(
    r"\b(?:den(?:ied|ies|y|ying)|rejected (?:reports|claims|accusations)|"
    r"(?:has|have|had|did) not (?:claimed|carried|been involved)|no (?:group|one|party) "
    r"(?:has |had )?claimed|not responsible|false reports?)\b",
    re.I,
)
COUNT: Final = re.compile(
    r"\b(?:(?:\d+|dozens|scores|hundreds|a dozen|several|many|numerous)\s+(?:of\s+)?times|"
    r"(?:at least |more than |over |some )?\d+\s+(?:attacks|strikes|operations|incidents|"
    r"bombings|raids)|dozens of (?:attacks|strikes|rockets)|since (?:the (?:start|beginning) of|"
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"\d{4})|so far this year|this year|every (?:day|week|month)|daily|almost routine|routinely|"
    r"regularly|frequently|repeatedly|a series of|carr(?:y|ying|ies) out (?:[\w-]+[\s,]+){0,3}"
    r"(?:attacks|bombings|abductions|operations)|(?:across|throughout) (?:several|many|the) "
    r"(?:provinces|areas|regions|country))\b",
    re.I,
)
RESTATEMENT: Final = re.compile(
    r"^(?:\W*\d{1,2}[:.]\d\d\W+)?(?:The|This|That|Both|Such|Those|These)\s+(?:latest\s+|"
    r"recent\s+|deadly\s+|same\s+)?(?:attacks?|strikes?|blasts?|bombings?|incidents?|assaults?|"
    r"raids?|explosions?|shelling)\b|"
    r"\bfuneral\b|\b(?:described|condemned|denounced|investigat\w*) the (?:\w+ )?(?:attacks?|"
    r"strikes?|bombings?|blasts?)\b",
    re.I,
)
CLAUSE_BREAK: Final = re.compile(r";\s+|,?\s+while\s+(?=(?:a|an|the|\w+)\s)|,?\s+whereas\s+")


@dataclass(frozen=True)
class EventMention:
    """The event a clause reports.

    Attributes
    ----------
    event_type, sub_event_type : str
        ACLED vocabulary.
    words : str
        The event word.
    offset : int
        Where it begins in the sentence.
    """

    event_type: str
    sub_event_type: str
    words: str
    offset: int


@dataclass(frozen=True)
class Clause:
    """A part of a sentence that may report its own incident."""

    start: int
    end: int
    text: str


def split_clauses(sentence: str) -> list[Clause]:
    """Split a sentence at semicolons and ``while``; clauses without an event word rejoin.

    Parameters
    ----------
    sentence : str

    Returns
    -------
    list of Clause
        Offsets are relative to the sentence.
    """
    bounds = [0]
    for m in CLAUSE_BREAK.finditer(sentence):
        bounds += [m.start(), m.end()]
    bounds.append(len(sentence))
    parts = [(bounds[k], bounds[k + 1]) for k in range(0, len(bounds) - 1, 2)]
    clauses: list[Clause] = []
    for start, end in parts:
        text = sentence[start:end]
        if clauses and find_event(text) is None:
            prev = clauses.pop()
            clauses.append(Clause(prev.start, end, sentence[prev.start : end]))
        else:
            clauses.append(Clause(start, end, text))
    return clauses


def find_event(clause: str) -> EventMention | None:
    """Return the event type a clause reports, from its event words, or None.

    Parameters
    ----------
    clause : str

    Returns
    -------
    EventMention or None
    """
    text = NOT_EVENT_WORDS.sub(lambda m: " " * len(m.group()), clause)
    for pattern, event_type, sub_event_type in TRIGGERS:
        m = re.search(pattern, text, re.I if pattern.islower() or "IED" not in pattern else 0)
        if m is None:
            continue
        if event_type == "Battles" and sub_event_type == "Armed clash":
            if re.search(r"\b(?:protesters?|demonstrators?|supporters|rioters)\b", text, re.I):
                return EventMention("Riots", "Violent demonstration", m.group(), m.start())
            if CIVILIAN_TARGET.search(text[m.start() :]) and not re.search(
                r"\b(?:soldiers|troops|forces|police|checkpoint|post|positions|fighters|"
                r"Peshmerga|patrol|convoy|militants|base)\b",
                text[m.start() :],
                re.I,
            ):
                return EventMention(VAC, "Attack", m.group(), m.start())
        if event_type == "Protests" and re.search(
            r"\b(?:clash(?:ed|es)?|stormed|broke into|set fire|stones?|burn(?:ed|ing) (?:down|"
            r"buildings|cars|offices))\b",
            text,
            re.I,
        ):
            return EventMention("Riots", "Violent demonstration", m.group(), m.start())
        return EventMention(event_type, sub_event_type, m.group(), m.start())
    return None


def why_not_incident(clause: str, event: EventMention) -> str | None:
    """Why a clause with an event word reports no incident, or None when it does.

    Parameters
    ----------
    clause : str
    event : EventMention
        Its event, from :func:`find_event`.

    Returns
    -------
    str or None
        ``threat, plan or hypothetical``, ``denied`` or ``count over a period``.
    """
    before = clause[: event.offset]
    if MODAL.search(before):
        return "threat, plan or hypothetical"
    if DENIAL.search(before):
        return "denied"
    if COUNT.search(clause):
        return "count over a period"
    return None


def refers_back(clause: str) -> bool:
    """Whether a clause is about an incident reported before (``The attack took place...``)."""
    return bool(RESTATEMENT.search(clause))


def modal_after(clause: str, event: EventMention) -> bool:
    """Whether a modal word follows the event word in the clause (a weaker sign)."""
    return bool(MODAL.search(clause[event.offset :]))

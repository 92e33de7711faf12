"""Candidate incidents from an article: one per reported incident, each with its evidence.

For every sentence (and every clause of it joined by ``while`` or a semicolon)
that holds an event word no threat, plan, denial or count governs, the time,
place, actors and casualties are read and kept with the words they came from.
A sentence without a time of its own takes the time of the sentence just before
it (``hours later``, or a follow-up that names the place). A candidate that
restates one already found in the article (same type, overlapping dates, same
place) is folded into it. ``confidence`` comes from :mod:`geo.intake.confidence`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Final

from geo.intake.actors import assign_sides, find_actors
from geo.intake.article import Article, ArticleError
from geo.intake.casualties import Casualties, find_casualties
from geo.intake.dates import TimeWindow, find_times, merge_night, points_back
from geo.intake.events import (
    EventMention,
    find_event,
    modal_after,
    refers_back,
    split_clauses,
    why_not_incident,
)
from geo.intake.places import Place, PlaceIndex, article_countries, default_index
from geo.intake.sentences import Sentence, split_sentences
from geo.sites import haversine_km

DATELINE: Final = re.compile(
    r"^\s*(?:[A-Z][A-Z'’.-]+(?:\s+[A-Z][A-Z'’.-]+)*)(?:,\s*[A-Z][\w'’ .-]*?)?\s*(?:\([^)]*\)\s*)?"
    r"[—–-]+\s"
)
SENTENCE_END: Final = re.compile(r"[.!?][\"'”’)\]]*\s*$")
# Rule kinds, from most to least specific, for choosing among several times in a clause.
TIME_ORDER: Final = (
    "iso",
    "day_month",
    "month_day",
    "weekday",
    "rel_day",
    "timestamp",
    "ago",
    "part_month",
    "weekend",
    "fortnight",
    "rel_period",
    "month",
    "overnight",
)
EXACT_TIMES: Final = frozenset({"iso", "day_month", "month_day", "weekday", "rel_day", "timestamp"})
META_WORDS: Final = re.compile(
    r"\b(?:condemn\w*|statement|investigat\w*|photograph|video|tweet\w*|posted|reported|"
    r"disclosed|accused|blamed|responsib\w*)\b",
    re.I,
)
SAME_PLACE_KM: Final = 25.0
FOLD_WITHIN: Final = 6  # sentences: a restatement comes within a few sentences
OLD_DAYS: Final = 365


@dataclass(frozen=True)
class Candidate:
    """A proposed incident with the evidence for each field.

    Attributes
    ----------
    start, end : date
        The date window.
    time_precision : int
    event_type, sub_event_type : str
    actor1, actor2 : str
    place : Place or None
    fatalities, injuries : int or None
        None when the text gives no number.
    quote : str
        The sentence, verbatim.
    quote_start, quote_end : int
        Its offsets in the article text.
    evidence : dict
        Field name to the words it was read from.
    features : dict
        The signals ``confidence`` is computed from.
    confidence : float
    context_quotes : tuple of str
        Other sentences of the article about the same incident.
    sentence_index : int
    """

    start: date
    end: date
    time_precision: int
    event_type: str
    sub_event_type: str
    actor1: str
    actor2: str
    place: Place | None
    fatalities: int | None
    injuries: int | None
    quote: str
    quote_start: int
    quote_end: int
    evidence: dict[str, str] = field(default_factory=dict)
    features: dict[str, float] = field(default_factory=dict)
    confidence: float = 0.0
    context_quotes: tuple[str, ...] = ()
    sentence_index: int = 0

    @property
    def window(self) -> TimeWindow:
        """The date window as a :class:`~geo.intake.dates.TimeWindow`."""
        return TimeWindow(self.start, self.end, self.time_precision, "", -1, "inherited")


@dataclass(frozen=True)
class Rejection:
    """A sentence with an event word that was not proposed, and why."""

    quote: str
    reason: str


@dataclass
class Proposal:
    """What :func:`propose_incidents` found in one article."""

    published: date
    candidates: list[Candidate]
    rejections: list[Rejection]


def _choose_time(times: list[TimeWindow], sentence: str, published: date) -> TimeWindow | None:
    """Choose the most specific time of a clause; a night event runs into the next day."""
    if not times:
        return None
    best = min(times, key=lambda t: TIME_ORDER.index(t.kind))
    return merge_night(best, sentence, published)


def _dateline_end(sentence: Sentence) -> int:
    m = DATELINE.match(sentence.text)
    return m.end() if m else 0


def _fine(places: list[Place]) -> list[Place]:
    return [p for p in places if p.lat is not None]


def _coordinated(clause: str, places: list[Place]) -> list[Place]:
    """Places that each hold their own incident: ``near al-Qaim ... and near Abu Kamal``."""
    distinct: list[Place] = []
    for place in places:
        if any(place.matched == other.matched for other in distinct):
            continue
        distinct.append(place)
    if len(distinct) < 2 or re.search(r"\bbetween\b", clause[: distinct[0].offset], re.I):
        return distinct[:1]
    chosen = [distinct[0]]
    for prev, place in zip(distinct, distinct[1:], strict=False):
        gap = clause[prev.end : place.offset]
        if (
            re.search(r"\band\b", gap)
            and not place.approximate
            or re.search(r",?\s+and\s+(?:near|at|in|the)\s+$", gap)
        ):
            chosen.append(place)
    return chosen


def _same_place(a: Place | None, b: Place | None) -> bool:
    if a is None or b is None or a.lat is None or b.lat is None:
        return False
    if a.lon is None or b.lon is None:
        return False
    if a.site_id and a.site_id == b.site_id:
        return True
    return float(haversine_km(a.lon, a.lat, b.lon, b.lat)) <= SAME_PLACE_KM


def _overlaps(a: Candidate, b: Candidate) -> bool:
    return a.start <= b.end and b.start <= a.end


def propose_incidents(
    article: Article,
    published: date | None = None,
    places: PlaceIndex | None = None,
) -> Proposal:
    """Find the incidents an article reports.

    Parameters
    ----------
    article : Article
    published : date, optional
        The publication date; the article's own date line when omitted.
    places : PlaceIndex, optional
        The gazetteer index; the bundled one by default.

    Returns
    -------
    Proposal
        Candidates in reading order (confidence not yet set) and the rejected
        sentences with their reasons.

    Raises
    ------
    ArticleError
        When neither ``published`` nor the article gives a publication date.
    """
    published = published or article.published
    if published is None:
        raise ArticleError(
            "the article has no 'published: YYYY-MM-DD' line; give its date with --published"
        )
    index = places or default_index()
    sentences = split_sentences(article.text, article.body_start)
    countries = article_countries(article.text[article.body_start :])
    candidates: list[Candidate] = []
    rejections: list[Rejection] = []
    prev_time: TimeWindow | None = None  # the previous sentence's own time
    prev_place: Place | None = None
    for sentence in sentences:
        if not SENTENCE_END.search(sentence.text):
            prev_time = None
            continue  # headlines, captions' credits, bylines
        skip = _dateline_end(sentence)
        own_times = [t for t in find_times(sentence.text, published) if t.offset >= skip]
        sentence_time = _choose_time(own_times, sentence.text, published)
        inherited_time = prev_time if sentence_time is None else None
        if inherited_time is None and sentence_time is None and points_back(sentence.text):
            inherited_time = next((c.window for c in reversed(candidates)), None)
        all_places = [p for p in index.find(sentence.text, countries) if p.offset >= skip]
        dateline_places = [p for p in index.find(sentence.text[:skip], countries)] if skip else []
        used = [c.place for c in candidates if c.place is not None and c.place.lat is not None]
        for clause in split_clauses(sentence.text):
            event = find_event(clause.text)
            if event is None:
                continue
            reason = why_not_incident(clause.text, event)
            if reason is not None:
                rejections.append(Rejection(sentence.text, reason))
                continue
            clause_times = [t for t in own_times if clause.start <= t.offset < clause.end]
            time = _choose_time(clause_times, clause.text, published) or sentence_time
            time_inherited = False
            if time is None and inherited_time is not None:
                time, time_inherited = inherited_time, True
            if time is None:
                rejections.append(Rejection(sentence.text, "no time the text gives"))
                continue
            clause_places = [
                replace(p, offset=p.offset - clause.start)
                for p in all_places
                if clause.start <= p.offset < clause.end
            ]
            targets = _coordinated(clause.text, _specific(clause.text, _fine(clause_places)))
            place_inherited = False
            restates = refers_back(clause.text)
            if restates:
                targets = [p for p in targets if not any(_same_place(p, u) for u in used)]
                if not targets:
                    rejections.append(
                        Rejection(sentence.text, "refers back to an incident already reported")
                    )
                    continue
            if not targets:
                fallback = _fine(all_places)
                if (
                    not fallback
                    and not clause_places
                    and prev_place is not None
                    and re.search(
                        r"\b(?:the same|the) (?:[A-Z][\w-]+ )?(?:base|airport|site|town|city|"
                        r"area|camp|district|sub-district|village|province)\b",
                        clause.text,
                        re.I,
                    )
                ):
                    fallback = [prev_place]
                if fallback:
                    place_inherited = fallback[0] is prev_place
                    targets = [fallback[0]]
                elif clause_places or all_places:
                    targets = [(clause_places or all_places)[0]]  # a country only
                elif dateline_places:
                    targets = [dateline_places[0]]
            chosen: list[Place | None] = list(targets) or [None]
            for place in chosen:
                candidates.append(
                    _candidate(
                        sentence,
                        clause.text,
                        event,
                        time,
                        place,
                        published,
                        time_inherited=time_inherited,
                        place_inherited=place_inherited,
                        from_dateline=bool(dateline_places) and place in dateline_places,
                        split=len(chosen) > 1 or len(split_clauses(sentence.text)) > 1,
                        places_sharing=len(chosen),
                        restates=restates,
                        earlier=candidates[-1] if candidates else None,
                    )
                )
        prev_time = sentence_time
        fine_here = _fine(all_places)
        if fine_here:
            prev_place = fine_here[0]
    return Proposal(published, _fold_restatements(candidates), rejections)


def _specific(clause: str, places: list[Place]) -> list[Place]:
    """Drop a place named only to locate the next one (``Baghdad's Dora district``)."""
    kept = []
    for k, place in enumerate(places):
        nxt = places[k + 1] if k + 1 < len(places) else None
        tail = clause[place.end : place.end + 3]
        if nxt is not None and tail[:2] in ("'s", "’s") and nxt.offset - place.end <= 25:
            continue
        kept.append(place)
    return kept


def _candidate(
    sentence: Sentence,
    clause: str,
    event: EventMention,
    time: TimeWindow,
    place: Place | None,
    published: date,
    *,
    time_inherited: bool,
    place_inherited: bool,
    from_dateline: bool,
    split: bool,
    restates: bool = False,
    earlier: Candidate | None = None,
    places_sharing: int = 1,
) -> Candidate:
    """Assemble one candidate and its evidence from a clause.

    When one clause holds incidents at several places (``places_sharing`` > 1),
    a count it gives is their total: no single incident's count is known.
    """
    country = place.country if place is not None and place.country else "Iraq"
    mentions = find_actors(clause, country)
    first, second = assign_sides(mentions, country)
    event_type, sub_event_type = event.event_type, event.sub_event_type
    if event_type == "Battles" and re.match(r"strikes?|struck", event.words, re.I):
        if first is not None and "Military Forces" in first.actor:
            event_type, sub_event_type = "Explosions/Remote violence", "Air/drone strike"
    generic = sub_event_type == "Armed clash" and event.words.lower() in (
        "attack", "attacks", "attacked", "strike", "strikes", "struck"
    )  # fmt: skip
    if restates and generic and earlier is not None:
        event_type, sub_event_type = earlier.event_type, earlier.sub_event_type
        if first is None and earlier.actor1:
            actor_from_earlier = earlier.actor1
        else:
            actor_from_earlier = ""
    else:
        actor_from_earlier = ""
    default_actor = {
        "Protests": f"Protesters ({country})",
        "Riots": f"Rioters ({country})",
    }.get(event_type, f"Unidentified Armed Group ({country})")
    actor1 = first.actor if first is not None else actor_from_earlier or default_actor
    if event_type in ("Protests", "Riots") and (
        first is None or first.actor.startswith(("Protesters", "Civilians"))
    ):
        actor1 = default_actor
    actor2 = second.actor if second is not None and second.actor != actor1 else ""
    toll = find_casualties(clause)
    if toll.fatalities is None and toll.injuries is None and not split:
        toll = find_casualties(sentence.text)
    if places_sharing > 1 and (toll.fatalities or toll.injuries):
        note = f"(a total over {places_sharing} places, not split) "
        toll = Casualties(
            None if toll.fatalities else toll.fatalities,
            None if toll.injuries else toll.injuries,
            note + toll.fatalities_words if toll.fatalities else toll.fatalities_words,
            note + toll.injuries_words if toll.injuries else toll.injuries_words,
        )
    evidence = {
        "event_type": event.words,
        "event_date": time.words if not time_inherited else f"(previous sentence) {time.words}",
        "actor1": first.words if first is not None else "",
        "actor2": second.words if second is not None else "",
        "location": place.name if place is not None else "",
        "fatalities": toll.fatalities_words,
        "injuries": toll.injuries_words,
    }
    features = {
        "time_exact": float(time.kind in EXACT_TIMES),
        "time_window": float(time.precision > 1),
        "time_inherited": float(time_inherited),
        "time_old": float((published - time.end).days > OLD_DAYS),
        "place_point": float(place is not None and place.lat is not None),
        "place_site": float(place is not None and place.gazetteer == "sites"),
        "place_country_only": float(place is not None and place.lat is None),
        "place_none": float(place is None),
        "place_borrowed": float(place_inherited or from_dateline),
        "actor_known": float(any(m.known for m in mentions)),
        "casualties": float(toll.fatalities is not None or toll.injuries is not None),
        "modal_after": float(modal_after(clause, event)),
        "meta_words": float(bool(META_WORDS.search(clause))),
        "generic_event": float(generic),
        "split": float(split),
        "restates": float(restates),
    }  # fmt: skip
    return Candidate(
        start=time.start,
        end=time.end,
        time_precision=time.precision,
        event_type=event_type,
        sub_event_type=sub_event_type,
        actor1=actor1,
        actor2=actor2,
        place=place,
        fatalities=toll.fatalities,
        injuries=toll.injuries,
        quote=sentence.text,
        quote_start=sentence.start,
        quote_end=sentence.end,
        evidence=evidence,
        features=features,
        sentence_index=sentence.index,
    )


def _rank(c: Candidate) -> int:
    """How well a candidate's place is known: a point 2, a country 1, nothing 0."""
    if c.place is None:
        return 0
    return 2 if c.place.lat is not None else 1


def _fold_restatements(candidates: list[Candidate]) -> list[Candidate]:
    """Fold candidates restating an earlier one (same sub-event type, dates and place)."""
    kept: list[Candidate] = []
    for cand in candidates:
        for k, earlier in enumerate(kept):
            same_place = (
                _same_place(earlier.place, cand.place) or _rank(earlier) < 2 or (_rank(cand) < 2)
            )
            if (
                earlier.sub_event_type == cand.sub_event_type
                and _overlaps(earlier, cand)
                and same_place
                and cand.sentence_index - earlier.sentence_index <= FOLD_WITHIN
                and earlier.sentence_index != cand.sentence_index
            ):
                primary, other = (
                    (cand, earlier)
                    if _rank(cand) > _rank(earlier)
                    else (
                        earlier,
                        cand,
                    )
                )
                kept[k] = replace(
                    primary,
                    fatalities=primary.fatalities if primary.fatalities is not None
                    else other.fatalities,
                    injuries=primary.injuries if primary.injuries is not None else other.injuries,
                    context_quotes=(*primary.context_quotes, other.quote),
                )  # fmt: skip
                break
        else:
            kept.append(cand)
    return kept

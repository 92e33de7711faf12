"""Reviewing candidates: the highlighted sentence, the edit form, and the draft incident.

What the review page needs, kept free of Streamlit: :func:`highlight_html` shows a
candidate's sentence in its paragraph with the words each field was read from
marked, every piece of article text escaped; :func:`read_form` turns the card's
text fields into typed edits, collecting a message per field; :func:`draft_record`
turns an accepted :class:`~geo.intake.decisions.Decision` into the store's incident
record, a draft with ``date_basis=source`` and the candidate's provenance (source,
quote, offsets, confidence, evidence, edits) in ``extra``.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from geo.intake.decisions import Decision, DecisionError
from geo.intake.places import Place, PlaceIndex, default_index
from geo.schema import INCIDENT_FIELDS

# The card's editable fields, in the order it shows them.
FORM_FIELDS: Final = (
    "event_date",
    "end_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "location",
    "geo_precision",
    "latitude",
    "longitude",
    "fatalities",
    "injuries",
    "notes",
)
COUNT_FIELDS: Final = ("fatalities", "injuries")
PRECISION_FIELDS: Final = ("time_precision", "geo_precision")
REVIEWED_NOTE: Final = "Proposed from the article text and accepted in review."


class FormError(DecisionError):
    """Some fields of a card hold values an incident cannot have.

    Attributes
    ----------
    errors : dict
        Field name to one sentence saying what is wrong.
    """

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{name}: {msg}" for name, msg in self.errors.items()))


@dataclass(frozen=True)
class Span:
    """Words of the sentence marked as the evidence for a field."""

    start: int
    end: int
    fields: tuple[str, ...] = field(default_factory=tuple)


def _paragraph(text: str, start: int, end: int) -> tuple[int, int]:
    """Return the bounds of the paragraph (blank-line separated) around a span."""
    before = text.rfind("\n\n", 0, start)
    after = text.find("\n\n", end)
    return (0 if before < 0 else before + 2), (len(text) if after < 0 else after)


def evidence_spans(sentence: str, evidence: Mapping[str, str]) -> list[Span]:
    """Find where in a sentence the words of each field's evidence are.

    Parameters
    ----------
    sentence : str
    evidence : mapping
        Field name to the words it was read from (as a candidate records them;
        a note in parentheses before the words is ignored).

    Returns
    -------
    list of Span
        Non-overlapping, in order; words not found verbatim are left out.
    """
    found: list[Span] = []
    for name, words in evidence.items():
        words = re.sub(r"^\([^)]*\)\s*", "", str(words or "")).strip()
        if not words:
            continue
        at = sentence.find(words)
        if at < 0:
            at = sentence.lower().find(words.lower())
        if at < 0:
            continue
        span = Span(at, at + len(words), (name,))
        same = next((s for s in found if (s.start, s.end) == (span.start, span.end)), None)
        if same is not None:
            found[found.index(same)] = Span(same.start, same.end, (*same.fields, name))
        elif not any(s.start < span.end and span.start < s.end for s in found):
            found.append(span)
    return sorted(found, key=lambda s: s.start)


def highlight_html(
    text: str, start: int, end: int, evidence: Mapping[str, str] | None = None
) -> str:
    """Return the paragraph around a quote as HTML, the quote and its evidence marked.

    Every piece of article text is escaped; the only markup is the ``<mark>``
    around the quote and a ``<span class="evidence" title="FIELDS">`` around
    each field's words.

    Parameters
    ----------
    text : str
        The article text the offsets index into.
    start, end : int
        The quote's offsets.
    evidence : mapping, optional
        Field name to words, as in a candidate record.

    Returns
    -------
    str
        An HTML fragment.

    Raises
    ------
    ValueError
        When the offsets do not lie within the text.
    """
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"quote offsets {start}..{end} are outside the text ({len(text)})")
    para_start, para_end = _paragraph(text, start, end)
    sentence = text[start:end]
    inner: list[str] = []
    cursor = 0
    for span in evidence_spans(sentence, evidence or {}):
        inner.append(html.escape(sentence[cursor : span.start]))
        label = html.escape(", ".join(span.fields))
        words = html.escape(sentence[span.start : span.end])
        inner.append(f'<span class="evidence" title="{label}">{words}</span>')
        cursor = span.end
    inner.append(html.escape(sentence[cursor:]))
    return (
        html.escape(text[para_start:start])
        + "<mark>"
        + "".join(inner)
        + "</mark>"
        + html.escape(text[end:para_end])
    )


def _int_field(name: str, value: str, errors: dict[str, str]) -> int | None:
    if value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        errors[name] = f"a whole number, not {value!r}"
        return None
    if name in PRECISION_FIELDS and number not in (1, 2, 3):
        errors[name] = f"1, 2 or 3, not {number}"
    elif number < 0:
        errors[name] = f"0 or more, not {number}"
    return number


def _date_field(name: str, value: str, errors: dict[str, str]) -> str:
    if value == "":
        return ""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        errors[name] = f"a date as YYYY-MM-DD, not {value!r}"
        return value


def _real_field(name: str, value: str, errors: dict[str, str], bound: float) -> float | None:
    if value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        errors[name] = f"a number of degrees, not {value!r}"
        return None
    if not -bound <= number <= bound:
        errors[name] = f"between -{bound:g} and {bound:g}, not {number:g}"
    return number


def read_form(values: Mapping[str, Any]) -> dict[str, Any]:
    """Read typed field values from a card's text inputs.

    Parameters
    ----------
    values : mapping
        Field name (of :data:`FORM_FIELDS`) to the text typed; an empty count
        means unknown.

    Returns
    -------
    dict
        Dates as ``YYYY-MM-DD``, precisions and counts as int (or None),
        coordinates as float (or None), other fields as stripped text.

    Raises
    ------
    FormError
        With a message for every field that holds an impossible value.
    """
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, raw in values.items():
        if name not in FORM_FIELDS:
            errors[name] = "not a field of the card"
            continue
        text = "" if raw is None else str(raw).strip()
        if name in COUNT_FIELDS or name in PRECISION_FIELDS:
            out[name] = _int_field(name, text, errors)
        elif name in ("event_date", "end_date"):
            out[name] = _date_field(name, text, errors)
        elif name == "latitude":
            out[name] = _real_field(name, text, errors, 90)
        elif name == "longitude":
            out[name] = _real_field(name, text, errors, 180)
        else:
            out[name] = text
    if not out.get("event_date", "x"):
        errors["event_date"] = "required"
    for name in ("time_precision", "geo_precision", "event_type", "sub_event_type", "actor1"):
        if name in out and out[name] in ("", None):
            errors[name] = "required"
    start, end = out.get("event_date", ""), out.get("end_date", "")
    if start and end and "event_date" not in errors and "end_date" not in errors and end < start:
        errors["end_date"] = f"{end} is before the event date {start}"
    if errors:
        raise FormError(errors)
    return out


def form_values(candidate: Mapping[str, Any]) -> dict[str, str]:
    """Return a candidate record's fields as the card's texts (an unknown count empty)."""
    out = {}
    for name in FORM_FIELDS:
        value = candidate.get(name)
        out[name] = "" if value is None else str(value)
    return out


def changed_fields(candidate: Mapping[str, Any], typed: Mapping[str, Any]) -> dict[str, Any]:
    """Return the typed values that differ from the candidate's: the edits."""
    initial = read_form(form_values(candidate))
    return {name: value for name, value in typed.items() if initial.get(name) != value}


def resolve_place(name: str, index: PlaceIndex | None = None) -> Place | None:
    """Find a typed place name in the sites gazetteer, then among GeoNames towns.

    Parameters
    ----------
    name : str
    index : PlaceIndex, optional
        The bundled gazetteers by default.

    Returns
    -------
    Place or None
        The first place with a point the name holds, or None.
    """
    places = (index or default_index()).find(name.strip())
    return next((p for p in places if p.lat is not None), None)


def locate_edits(
    candidate: Mapping[str, Any], edits: Mapping[str, Any], index: PlaceIndex | None = None
) -> dict[str, Any]:
    """Give a retyped place its point from the gazetteers, unless coordinates were typed too.

    Parameters
    ----------
    candidate : mapping
        The candidate record.
    edits : mapping
        From :func:`changed_fields`.
    index : PlaceIndex, optional

    Returns
    -------
    dict
        The edits, with ``latitude``, ``longitude``, ``site_id``, ``country``,
        ``uncertainty_km`` and ``coord_source`` of the place found; the point is
        cleared when the new place is not found, so it is never left at the old one.
    """
    out = dict(edits)
    if "location" not in out or "latitude" in out or "longitude" in out:
        return out
    place = resolve_place(str(out["location"]), index)
    if place is None:
        out.update(latitude=None, longitude=None, site_id="", coord_source="", uncertainty_km=None)
        return out
    out.update(
        latitude=place.lat,
        longitude=place.lon,
        site_id=place.site_id,
        country=place.country or candidate.get("country", ""),
        uncertainty_km=place.uncertainty_km,
        coord_source=place.coord_source,
    )
    return out


def draft_record(
    decision: Decision, *, source: str = "", published: str = "", source_url: str = ""
) -> dict[str, Any]:
    """Return the store record of an accepted candidate: a draft with its provenance.

    Parameters
    ----------
    decision : Decision
        From :func:`geo.intake.decisions.accept`.
    source : str
        The publication the analyst named, when the candidate's own is to be replaced.
    published : str
        The article's publication date, kept with the provenance.
    source_url : str
        Where the article can be read, when known.

    Returns
    -------
    dict
        Every contract field, ``longitude``, ``latitude``, ``uncertainty_km``,
        ``coord_source``, ``source_url``, ``status`` (``draft``) and ``extra`` holding
        ``provenance``: source, quote, its offsets, confidence, evidence per
        field, the fields the analyst edited, reviewer and time.

    Raises
    ------
    DecisionError
        When the decision is not an accept, or when the incident has no point (the
        analyst types a place or coordinates). Unknown fatalities stay empty: not
        recorded, never 0.
    """
    if decision.action != "accept" or decision.incident is None:
        raise DecisionError(
            f"only an accepted candidate becomes an incident, not a {decision.action}"
        )
    incident = dict(decision.incident)
    candidate = decision.candidate
    if incident.get("latitude") is None or incident.get("longitude") is None:
        raise DecisionError(
            "no point for this incident: type a place the gazetteer knows, or its latitude "
            "and longitude, before accepting"
        )
    record: dict[str, Any] = {name: incident.get(name) for name in INCIDENT_FIELDS}
    for name in INCIDENT_FIELDS:
        if record[name] is None and name not in ("end_date", *COUNT_FIELDS):
            record[name] = ""
    record["end_date"] = record["end_date"] or None
    record["source"] = source.strip() or str(record["source"] or "")
    if record["notes"] == candidate.get("notes") or not record["notes"]:
        record["notes"] = REVIEWED_NOTE
    record["date_basis"] = "source"
    record["longitude"] = float(incident["longitude"])
    record["latitude"] = float(incident["latitude"])
    record["uncertainty_km"] = incident.get("uncertainty_km")
    record["coord_source"] = incident.get("coord_source") or ""
    record["status"] = "draft"
    record["source_url"] = source_url.strip()
    provenance = dict(incident.get("provenance") or {})
    provenance.update(
        {
            "source": record["source"],
            "source_url": record["source_url"],
            "source_file": candidate.get("source_file", ""),
            "published": published,
            "quote": candidate.get("source_quote", ""),
            "context_quotes": list(candidate.get("context_quotes") or []),
            "decided_at": decision.decided_at,
        }
    )
    record["extra"] = {"provenance": provenance}
    return record


def draft_event_id(candidate: Mapping[str, Any], published: str = "") -> str:
    """Return a stable ``event_id`` for the draft of a candidate, unique across articles.

    The id digests the quote, the publication date and the candidate's place, so
    accepting the same candidate again names the same draft, while the same
    sentence position in two pasted articles never collides.
    """
    key = "\x1f".join(
        str(candidate.get(name) or "")
        for name in ("source_quote", "source_file", "location", "event_date")
    )
    digest = hashlib.sha256(f"{published}\x1f{key}".encode()).hexdigest()[:12]
    return f"intake-{digest}"

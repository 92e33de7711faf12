"""An analyst's decisions on candidates: accept, merge or reject, each recorded to a log.

Pure functions for the review page: :func:`accept` turns a candidate record into
a draft incident (``date_basis=source``, full provenance); :func:`merge` names
the existing incident it is another source for; :func:`reject` keeps the
reason. :class:`DecisionLog` appends every decision as one JSON line, and
:meth:`DecisionLog.training_rows` gives (candidate, accepted) pairs to refit
``confidence`` on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from geo.intake.article import ArticleError
from geo.schema import INCIDENT_FIELDS, check_vocabulary

ACTIONS: Final = ("accept", "merge", "reject")
POINT_FIELDS: Final = ("latitude", "longitude", "uncertainty_km", "coord_source")
EDITABLE: Final = (frozenset(INCIDENT_FIELDS) | set(POINT_FIELDS)) - {
    "source_quote",
    "source_file",
    "date_basis",
}


class DecisionError(ArticleError):
    """A decision cannot be made as asked (unknown field, missing reason, bad vocabulary)."""


@dataclass(frozen=True)
class Decision:
    """One recorded decision.

    Attributes
    ----------
    action : str
        ``accept``, ``merge`` or ``reject``.
    candidate : dict
        The candidate record as proposed.
    incident : dict or None
        The draft incident (accept), else None.
    merged_into : str
        The existing ``event_id`` (merge).
    reason : str
        Why it was rejected.
    reviewer : str
    decided_at : str
        UTC time, ISO 8601.
    """

    action: str
    candidate: Mapping[str, Any]
    incident: Mapping[str, Any] | None = None
    merged_into: str = ""
    reason: str = ""
    reviewer: str = ""
    decided_at: str = ""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def accept(
    candidate: Mapping[str, Any],
    edits: Mapping[str, Any] | None = None,
    reviewer: str = "",
    event_id: str | None = None,
) -> Decision:
    """Accept a candidate (after optional edits) as a draft incident.

    Parameters
    ----------
    candidate : mapping
        A record from :func:`geo.intake.output.candidate_record`.
    edits : mapping, optional
        Field to new value; only incident fields other than the quote, its
        file and ``date_basis`` may change, and the point (``latitude``,
        ``longitude``, ``uncertainty_km``, ``coord_source``).
    reviewer : str
    event_id : str, optional
        The new incident's id; the candidate's id by default.

    Returns
    -------
    Decision
        With ``incident`` holding every field of the incident contract, plus
        ``provenance`` (quote offsets, confidence, evidence, edits made).

    Raises
    ------
    DecisionError
        On an edit of a field that cannot change, or an event type pair
        outside ACLED's.
    """
    edits = dict(edits or {})
    bad = sorted(set(edits) - EDITABLE)
    if bad:
        raise DecisionError(f"cannot edit {', '.join(bad)}: only incident fields may change")
    incident = {name: candidate.get(name) for name in (*INCIDENT_FIELDS, *POINT_FIELDS)}
    incident["coord_source"] = incident["coord_source"] or ""
    incident.update(edits)
    incident["event_id"] = event_id or edits.get("event_id") or candidate["event_id"]
    incident["date_basis"] = "source"
    problem = check_vocabulary(str(incident["event_type"]), str(incident["sub_event_type"]))
    if problem:
        raise DecisionError(problem)
    incident["status"] = "draft"
    incident["provenance"] = {
        "candidate_id": candidate.get("event_id"),
        "quote_start": candidate.get("quote_start"),
        "quote_end": candidate.get("quote_end"),
        "confidence": candidate.get("confidence"),
        "evidence": candidate.get("evidence", {}),
        "edited": sorted(edits),
        "reviewer": reviewer,
    }
    return Decision("accept", dict(candidate), incident, reviewer=reviewer, decided_at=_now())


def merge(candidate: Mapping[str, Any], event_id: str, reviewer: str = "") -> Decision:
    """Record a candidate as another source for an existing incident.

    Raises
    ------
    DecisionError
        When no ``event_id`` is given.
    """
    if not event_id.strip():
        raise DecisionError("name the incident to merge into (its event_id)")
    return Decision(
        "merge", dict(candidate), merged_into=event_id.strip(), reviewer=reviewer, decided_at=_now()
    )


def reject(candidate: Mapping[str, Any], reason: str, reviewer: str = "") -> Decision:
    """Reject a candidate; the reason is required so the rules can learn from it.

    Raises
    ------
    DecisionError
        When the reason is empty.
    """
    if not reason.strip():
        raise DecisionError("give a reason for rejecting the candidate")
    return Decision(
        "reject", dict(candidate), reason=reason.strip(), reviewer=reviewer, decided_at=_now()
    )


class DecisionLog:
    """Decisions appended to a JSON-lines file, one object per line.

    Parameters
    ----------
    path : str or Path
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def record(self, decision: Decision) -> None:
        """Append one decision."""
        line = json.dumps(
            {
                "action": decision.action,
                "candidate": decision.candidate,
                "incident": decision.incident,
                "merged_into": decision.merged_into,
                "reason": decision.reason,
                "reviewer": decision.reviewer,
                "decided_at": decision.decided_at,
            },
            ensure_ascii=False,
            default=str,
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    def read(self) -> list[Decision]:
        """Every decision recorded, oldest first; an absent file holds none.

        Raises
        ------
        DecisionError
            When a line is not a decision.
        """
        if not self.path.exists():
            return []
        decisions = []
        for number, line in enumerate(self.path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                decisions.append(Decision(**data))
            except (json.JSONDecodeError, TypeError) as exc:
                raise DecisionError(f"line {number} of {self.path} is not a decision") from exc
        return decisions

    def training_rows(self) -> list[tuple[dict[str, float], bool]]:
        """Pairs (candidate features, accepted) to refit confidence on; a merge counts as accepted.

        Decisions on candidates recorded without their features are left out.
        """
        return [
            ({k: float(v) for k, v in d.candidate["features"].items()}, d.action != "reject")
            for d in self.read()
            if isinstance(d.candidate.get("features"), dict)
        ]

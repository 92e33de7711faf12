"""Accepted candidates written to the incident store as drafts, and merged as sources.

Both go through the curation API (:class:`geo.store.curation.Curator`), which checks
the user's role and the fields and keeps every write with its revision (who, when,
before and after), so a draft made from an article can be traced back to the analyst
and the sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from geo.filters import IncidentFilter
from geo.intake.decisions import DecisionError

if TYPE_CHECKING:
    import geopandas as gpd

    from geo.store.store import IncidentStore

INTAKE_ORIGIN: Final = "article-intake"
# How far back a candidate's duplicates are looked for: candidates reach a few years back.
DUPLICATE_YEARS: Final = 3
# Candidates below this confidence are left for the review page rather than stored.
STORE_CONFIDENCE: Final = 0.5


def save_draft(store: IncidentStore, record: Mapping[str, Any]) -> int:
    """Add a draft incident with its provenance through the curation API.

    The acting user is the store's; curation checks the role (an editor at least),
    the fields (as an import does) and records the revision in the same transaction.

    Parameters
    ----------
    store : IncidentStore
    record : mapping
        From :func:`geo.intake.review.draft_record` (``extra`` holding the provenance).

    Returns
    -------
    int
        The store's id of the new draft.

    Raises
    ------
    PermissionDenied
        When the user may not add incidents.
    InvalidIncidentError
        With a message per refused field (a source URL or file is required, say).
    StoreError
        When this candidate was accepted already (its draft id is taken).
    """
    from geo.store.curation import Curator

    values = {k: v for k, v in record.items() if k not in ("extra", "status")}
    return Curator(store).add(
        values, origin=INTAKE_ORIGIN, provenance=dict(record.get("extra") or {})
    )


def decision_log_path(store_url: str | None, explicit: str | None = None) -> Path:
    """Where the review page records decisions.

    Parameters
    ----------
    store_url : str, optional
        The store's URL: a SQLite store keeps its log beside the database file.
    explicit : str, optional
        A path given with ``--decisions`` or ``INCIDENT_MAP_DECISIONS``; wins.

    Returns
    -------
    Path
        ``explicit``; else ``<database>.decisions.jsonl`` for SQLite; else
        ``intake-decisions.jsonl`` in the working directory.
    """
    if explicit:
        return Path(explicit)
    if store_url:
        url = store_url if "://" in store_url else f"sqlite:///{store_url}"
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            return Path(url.removeprefix("sqlite:///")).with_suffix(".decisions.jsonl")
    return Path("intake-decisions.jsonl")


def incidents_for_duplicates(store: IncidentStore, published: date) -> gpd.GeoDataFrame:
    """Return the stored incidents an article's candidates may duplicate (recent years only)."""
    start = published - timedelta(days=365 * DUPLICATE_YEARS)
    return store.query(IncidentFilter(start=start, end=published))


def _fold(old: str, new: str, separator: str) -> str:
    """Join a new part to a field once."""
    if not new or new in old.split(separator):
        return old
    return f"{old}{separator}{new}" if old else new


def merge_source(
    store: IncidentStore, candidate: Mapping[str, Any], event_id: str, source: str = ""
) -> int:
    """Add a candidate's article to an existing incident as another source.

    Through the curation API: the incident's ``source`` gains the publication and
    ``source_quote`` the sentence (each once, joined as curation's merge joins them),
    and ``extra["sources"]`` the candidate's provenance; the revision is the user's.

    Parameters
    ----------
    store : IncidentStore
    candidate : mapping
        A candidate record.
    event_id : str
        The incident it is another source for.
    source : str
        The publication, when the candidate's own is to be replaced.

    Returns
    -------
    int
        The incident's new version.

    Raises
    ------
    DecisionError
        When no incident, or more than one, has that ``event_id``.
    PermissionDenied, EditConflict
        From curation.
    """
    import sqlalchemy as sa

    from geo.store.curation import SEPARATOR, Curator
    from geo.store.schema import incidents as t

    stmt = sa.select(t.c.id).where(t.c.event_id == event_id, t.c.deleted_at.is_(None))
    with store.engine.connect() as conn:
        ids = [int(r.id) for r in conn.execute(stmt)]
    if not ids:
        raise DecisionError(f"no incident in the store has event_id {event_id!r}")
    if len(ids) > 1:
        raise DecisionError(f"{len(ids)} incidents have event_id {event_id!r}: merge in curation")
    curator = Curator(store)
    stored = curator.get(ids[0])
    old = stored.values
    publication = source.strip() or str(candidate.get("source") or "")
    entry = {
        "source": publication,
        "source_file": candidate.get("source_file", ""),
        "quote": candidate.get("source_quote", ""),
        "quote_start": candidate.get("quote_start"),
        "quote_end": candidate.get("quote_end"),
        "confidence": candidate.get("confidence"),
        "candidate_event_date": candidate.get("event_date"),
    }
    extra = dict(old.get("extra") or {})
    sources = list(extra.get("sources", []))
    if entry not in sources:
        sources.append(entry)
    extra["sources"] = sources
    changes = {
        "source": _fold(str(old.get("source") or ""), publication, SEPARATOR["source"]),
        "source_quote": _fold(
            str(old.get("source_quote") or ""),
            str(candidate.get("source_quote") or ""),
            SEPARATOR["source_quote"],
        ),
        "extra": extra,
    }
    return curator.update(ids[0], changes, expected_version=stored.version)


def store_candidates(
    store: IncidentStore,
    records: list[dict[str, Any]],
    published: str,
    source_url: str = "",
) -> list[str]:
    """Add the candidates that can stand as incidents to the store as unreviewed drafts.

    A candidate is left for the review page, with the reason, when it duplicates an
    incident, has a confidence under 0.5, or names no place with a point. A text that
    gives no death toll is stored with fatalities not recorded (empty, never 0: only an
    analyst may say nobody died). Nothing is written to the decision log: no analyst
    decided.

    Parameters
    ----------
    store : IncidentStore
    records : list of dict
        Candidate records (from :func:`geo.intake.command.propose_records`).
    published : str
        The publication date, ``YYYY-MM-DD``.
    source_url : str
        Where the article can be read, when known.

    Returns
    -------
    list of str
        Per candidate: ``stored as draft EVENT_ID`` or ``not stored: REASON``.

    Raises
    ------
    PermissionDenied
        When the store's user may not add incidents.
    """
    from geo.intake.decisions import accept
    from geo.intake.review import draft_event_id, draft_record
    from geo.store.curation import PermissionDenied
    from geo.store.errors import StoreError

    outcomes = []
    for rec in records:
        if rec.get("duplicate_of"):
            outcomes.append(f"not stored: another source for incident {rec['duplicate_of']}")
            continue
        if float(rec.get("confidence") or 0.0) < STORE_CONFIDENCE:
            outcomes.append(f"not stored: confidence under {STORE_CONFIDENCE}")
            continue
        if rec.get("latitude") is None or rec.get("longitude") is None:
            outcomes.append("not stored: no place with a point")
            continue
        event_id = draft_event_id(rec, published)
        record = draft_record(
            accept(rec, event_id=event_id), published=published, source_url=source_url
        )
        record["extra"]["provenance"]["proposed_by"] = "python -m geo propose"
        try:
            save_draft(store, record)
        except PermissionDenied:
            raise
        except StoreError as exc:
            outcomes.append(f"not stored: {exc}")
            continue
        outcomes.append(f"stored as draft {event_id}")
    return outcomes

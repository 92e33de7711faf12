"""Accepted candidates written to the incident store as drafts, and merged as sources.

The store keeps every write with its revision (who, when, before and after), so a
draft made from an article can be traced back to the analyst and the sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pandas as pd
from shapely.geometry import Point

from geo.filters import IncidentFilter
from geo.incidents import COLUMNS, coerce_incidents
from geo.intake.decisions import DecisionError

if TYPE_CHECKING:
    import geopandas as gpd

    from geo.store.store import IncidentStore

INTAKE_ORIGIN: Final = "article-intake"
# How far back a candidate's duplicates are looked for: candidates reach a few years back.
DUPLICATE_YEARS: Final = 3
QUOTE_SEPARATOR: Final = " | "


def record_frame(record: Mapping[str, Any]) -> gpd.GeoDataFrame:
    """Return one draft record as a one-row canonical incident table.

    Parameters
    ----------
    record : mapping
        From :func:`geo.intake.review.draft_record`.

    Returns
    -------
    GeoDataFrame
    """
    row = {name: [record.get(name)] for name in COLUMNS}
    point = Point(float(record["longitude"]), float(record["latitude"]))
    return coerce_incidents(pd.DataFrame(row), geometry=[point])


def save_draft(store: IncidentStore, record: Mapping[str, Any]) -> str:
    """Write a draft incident with its provenance; the store records its revision.

    Parameters
    ----------
    store : IncidentStore
    record : mapping
        From :func:`geo.intake.review.draft_record` (``status`` draft, ``extra``
        holding the provenance).

    Returns
    -------
    str
        The draft's ``event_id``.
    """
    store.store_incidents(
        record_frame(record), origin=INTAKE_ORIGIN, extras=[dict(record.get("extra") or {})]
    )
    return str(record["event_id"])


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


def _fold(old: str, new: str) -> str:
    if not new or new in old.split(QUOTE_SEPARATOR) or new in old.split("; "):
        return old
    return f"{old}{QUOTE_SEPARATOR}{new}" if old else new


def merge_source(
    store: IncidentStore, candidate: Mapping[str, Any], event_id: str, source: str = ""
) -> None:
    """Add a candidate's article to an existing incident as another source.

    The incident's ``source`` gains the publication and ``source_quote`` the
    sentence (each once), and ``extra["sources"]`` the candidate's provenance;
    the store records the change as a revision by the store's user.

    Parameters
    ----------
    store : IncidentStore
    candidate : mapping
        A candidate record.
    event_id : str
        The incident it is another source for.
    source : str
        The publication, when the candidate's own is to be replaced.

    Raises
    ------
    DecisionError
        When no incident, or more than one, has that ``event_id``.
    """
    import sqlalchemy as sa

    from geo.store.schema import incidents as t

    stmt = sa.select(t).where(t.c.event_id == event_id, t.c.deleted_at.is_(None))
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
    if not rows:
        raise DecisionError(f"no incident in the store has event_id {event_id!r}")
    if len(rows) > 1:
        raise DecisionError(f"{len(rows)} incidents have event_id {event_id!r}: merge in curation")
    row = rows[0]
    publication = source.strip() or str(candidate.get("source") or "")
    row["source"] = _fold(str(row["source"] or ""), publication)
    row["source_quote"] = _fold(str(row["source_quote"] or ""), str(candidate["source_quote"]))
    extra = dict(row["extra"] or {})
    entry = {
        "source": publication,
        "source_file": candidate.get("source_file", ""),
        "quote": candidate.get("source_quote", ""),
        "quote_start": candidate.get("quote_start"),
        "quote_end": candidate.get("quote_end"),
        "confidence": candidate.get("confidence"),
        "candidate_event_date": candidate.get("event_date"),
    }
    sources = list(extra.get("sources", []))
    if entry not in sources:
        sources.append(entry)
    extra["sources"] = sources
    store.store_incidents(record_frame(row), origin=str(row["origin"]), extras=[extra])

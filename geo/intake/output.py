"""Candidates as incident records: GeoJSON features or CSV rows in the incident contract."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

from geo.fileio import write_text_atomic
from geo.intake.article import Article, ArticleError
from geo.intake.candidates import Candidate, Proposal
from geo.intake.confidence import ConfidenceModel, load_model
from geo.schema import INCIDENT_FIELDS

EXTRA: Final = (
    "confidence",
    "quote_start",
    "quote_end",
    "duplicate_of",
    "status",
    "uncertainty_km",
    "coord_source",
    "latitude",
    "longitude",
    "context_quotes",
)
EVIDENCE_FIELDS: Final = (
    "event_date",
    "event_type",
    "actor1",
    "actor2",
    "location",
    "fatalities",
    "injuries",
)
CSV_COLUMNS: Final = (
    *INCIDENT_FIELDS,
    *EXTRA,
    *(f"evidence_{name}" for name in EVIDENCE_FIELDS),
)
SUFFIXES: Final = (".geojson", ".json", ".csv")


def score(proposal: Proposal, model: ConfidenceModel | None = None) -> list[Candidate]:
    """Set each candidate's ``confidence`` from the model (the fitted one by default)."""
    model = model or load_model()
    return [replace(c, confidence=model.predict(c.features)) for c in proposal.candidates]


def candidate_record(
    cand: Candidate,
    article: Article,
    number: int,
    source: str = "",
    duplicate_of: str | None = None,
) -> dict[str, Any]:
    """One candidate as incident properties plus provenance.

    Parameters
    ----------
    cand : Candidate
    article : Article
    number : int
        Its position among the article's candidates (for ``event_id``).
    source : str
        The publication, when given.
    duplicate_of : str, optional
        The ``event_id`` of the incident it duplicates.

    Returns
    -------
    dict
        The contract's incident fields, ``confidence``, quote offsets,
        ``duplicate_of`` / ``status``, ``evidence`` (field -> words) and
        ``features`` (what ``confidence`` was computed from, kept so recorded
        decisions can refit it; not written to CSV).
        ``fatalities`` and ``injuries`` are None (null in GeoJSON, empty in
        CSV) when the text gives no count: unknown, not zero; only words such
        as "no casualties" give 0.
    """
    place = cand.place
    stem = Path(article.name).stem or "article"
    status = f"another source for incident {duplicate_of}" if duplicate_of else "new incident"
    return {
        "event_id": f"cand-{stem}-{number:02d}",
        "event_date": cand.start.isoformat(),
        "end_date": cand.end.isoformat() if cand.end != cand.start else "",
        "time_precision": cand.time_precision,
        "event_type": cand.event_type,
        "sub_event_type": cand.sub_event_type,
        "actor1": cand.actor1,
        "assoc_actor_1": "",
        "actor2": cand.actor2,
        "assoc_actor_2": "",
        "site_id": place.site_id if place is not None else "",
        "location": (place.matched or place.name) if place is not None else "",
        "admin1": "",
        "country": place.country if place is not None else "",
        "geo_precision": place.geo_precision if place is not None else 3,
        "fatalities": cand.fatalities,  # None (empty) when the text gives no count
        "injuries": cand.injuries,
        "notes": "Candidate proposed from the article text; not yet reviewed.",
        "source": source or article.url or article.name,
        "source_file": article.name,
        "source_quote": cand.quote,
        "date_basis": "source",
        "confidence": cand.confidence,
        "quote_start": cand.quote_start,
        "quote_end": cand.quote_end,
        "duplicate_of": duplicate_of or "",
        "status": status,
        "uncertainty_km": place.uncertainty_km if place is not None else None,
        "coord_source": place.coord_source if place is not None and place.lat is not None else "",
        "latitude": place.lat if place is not None else None,
        "longitude": place.lon if place is not None else None,
        "context_quotes": list(cand.context_quotes),
        "evidence": {name: cand.evidence.get(name, "") for name in EVIDENCE_FIELDS},
        "features": dict(cand.features),
    }


def to_feature_collection(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Return records as a GeoJSON FeatureCollection; geometry null where no place was found."""
    features = []
    for rec in records:
        lat, lon = rec.get("latitude"), rec.get("longitude")
        geometry = (
            {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]}
            if lat is not None and lon is not None
            else None
        )
        features.append({"type": "Feature", "properties": dict(rec), "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}


def to_csv_text(records: Sequence[dict[str, Any]]) -> str:
    """Return records as CSV: evidence flattened to ``evidence_<field>``, quotes joined by ``|``."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for rec in records:
        row = {k: v for k, v in rec.items() if k in CSV_COLUMNS}
        row["context_quotes"] = " | ".join(rec.get("context_quotes", []))
        for name in EVIDENCE_FIELDS:
            row[f"evidence_{name}"] = rec.get("evidence", {}).get(name, "")
        for key, value in list(row.items()):
            if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and key != "end_date":
                row[key] = "'" + value  # keep spreadsheets from reading text as a formula
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue()


def write_candidates(records: Sequence[dict[str, Any]], path: str | Path) -> Path:
    """Write records to ``.geojson`` (or ``.json``) or ``.csv`` by the file's suffix.

    Parameters
    ----------
    records : sequence of dict
    path : str or Path

    Returns
    -------
    Path

    Raises
    ------
    ArticleError
        On another suffix, or when the file cannot be written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ArticleError(f"--out must end in .geojson or .csv, not {path.name!r}")
    text = (
        to_csv_text(records)
        if suffix == ".csv"
        else json.dumps(to_feature_collection(records), indent=1, ensure_ascii=False) + "\n"
    )
    try:
        write_text_atomic(path, text)
    except OSError as exc:
        raise ArticleError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return path

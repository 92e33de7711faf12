"""``python -m geo propose``: an article in, candidate incidents out."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.intake.article import Article, parse_date, read_article

if TYPE_CHECKING:
    import geopandas as gpd


def add_propose_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the ``propose`` options on a (sub)parser."""
    parser.add_argument("article", type=Path, help="the article, .txt or .html")
    parser.add_argument(
        "--published", help="publication date YYYY-MM-DD (default: the article's date line)"
    )
    parser.add_argument("--source", default="", help="the publication, for the source field")
    parser.add_argument("--out", type=Path, required=True, help="FILE.geojson or FILE.csv")
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="incident file to check for duplicates (default: the bundled data)",
    )
    parser.add_argument(
        "--db",
        default=None,
        help="also add to this incident store, as unreviewed drafts, the candidates that can "
        "stand as incidents (duplicates are then looked for in the store)",
    )


def propose_records(
    article: Article,
    published: date | None = None,
    source: str = "",
    data: str | Path | None = None,
    incidents: gpd.GeoDataFrame | None = None,
) -> list[dict[str, Any]]:
    """Candidate records for an article, scored and checked against existing incidents.

    Parameters
    ----------
    article : Article
    published : date, optional
        Overrides the article's date line.
    source : str
        The publication name for ``source``.
    data : str or Path, optional
        Incidents to match duplicates against; the bundled data by default.
    incidents : GeoDataFrame, optional
        Incidents already read (from a store, say), used instead of ``data``.

    Returns
    -------
    list of dict
        As :func:`geo.intake.output.candidate_record` makes them.

    Raises
    ------
    ArticleError
        When no publication date is known.
    """
    from geo.intake.candidates import propose_incidents
    from geo.intake.duplicates import find_duplicates
    from geo.intake.output import candidate_record, score
    from geo.load import DEFAULT_DATA_PATH, read_incidents

    proposal = propose_incidents(article, published)
    candidates = score(proposal)
    if incidents is None:
        incidents = read_incidents(data or DEFAULT_DATA_PATH)
    duplicates = find_duplicates(candidates, incidents)
    return [
        candidate_record(c, article, k + 1, source, dup)
        for k, (c, dup) in enumerate(zip(candidates, duplicates, strict=True))
    ]


def run_propose(ns: argparse.Namespace) -> int:
    """Run ``propose``; print one line per candidate and a summary."""
    from geo.intake.output import write_candidates

    article = read_article(ns.article)
    published = parse_date(ns.published) if ns.published else None
    if getattr(ns, "db", None):
        return _propose_into_store(ns, article, published)
    records = propose_records(article, published, ns.source, ns.data)
    out = write_candidates(records, ns.out)
    _print_records(records)
    dups = sum(1 for r in records if r["duplicate_of"])
    print(f"wrote {len(records)} candidates ({dups} already in the data) to {out}")
    return 0


def _print_records(records: list[dict[str, Any]], outcomes: list[str] | None = None) -> None:
    """Print one line per candidate, with what became of it when it was stored."""
    for k, rec in enumerate(records):
        place = rec["location"] or "no place found"
        extra = f"; {rec['status']}" if rec["duplicate_of"] else ""
        if outcomes is not None:
            extra = f"; {outcomes[k]}"
        print(
            f"{rec['confidence']:.2f}  {rec['event_date']}  {rec['event_type']}: "
            f"{rec['sub_event_type']} at {place}{extra}"
        )


def _propose_into_store(ns: argparse.Namespace, article: Article, published: date | None) -> int:
    """Propose, write the file, and add the candidates that can stand to the store as drafts."""
    import sys

    from geo.intake.article import ArticleError
    from geo.intake.drafts import incidents_for_duplicates, store_candidates
    from geo.intake.output import write_candidates
    from geo.store.errors import StoreError
    from geo.store.store import open_store

    day = published or article.published
    if day is None:
        raise ArticleError(
            "the article has no 'published: YYYY-MM-DD' line; give its date with --published"
        )
    try:
        with open_store(ns.db) as store:
            incidents = incidents_for_duplicates(store, day)
            records = propose_records(article, day, ns.source, incidents=incidents)
            out = write_candidates(records, ns.out)
            outcomes = store_candidates(store, records, day.isoformat(), article.url)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _print_records(records, outcomes)
    stored = sum(1 for o in outcomes if o.startswith("stored"))
    print(
        f"wrote {len(records)} candidates to {out}; {stored} stored as drafts in {store.url}, "
        f"{len(records) - stored} left for the review page"
    )
    return 0

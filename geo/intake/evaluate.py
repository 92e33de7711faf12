"""Evaluation of article intake against hand-coded keys: ``python -m geo.intake.evaluate``.

Each set is a folder of articles with a ``key.json`` (the format of
``../shared/articles-dev``). A candidate matches a key incident when its quote
shares a sentence with the key's quote; each key incident and each candidate
match at most once. Printed per set: recall (of all candidates and of those with
confidence >= 0.5), precision (confidence >= 0.5), and for matched incidents the
share with the right ACLED event type, a date window overlapping the key's (so
containing the key's day when it gives one) and a point within 25 km of the
key's (over key incidents that have coordinates), and the share whose
fatalities and injuries equal the key's, where a count the text does not give
must be left unknown (None) on both sides. ``--fit`` refits
``confidence`` on the development sets only, never on the held-out one.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final

from geo.intake.article import read_article
from geo.intake.candidates import Candidate, propose_incidents
from geo.intake.confidence import MODEL_PATH, ConfidenceModel, fit_model, load_model, save_model
from geo.intake.decisions import DecisionLog
from geo.intake.output import score
from geo.intake.sentences import split_sentences
from geo.sites import haversine_km

REPO: Final = Path(__file__).resolve().parents[2]
ARTICLES: Final = REPO / "tests" / "data" / "articles"
SHARED_DEV: Final = REPO.parent / "shared" / "articles-dev"
HELD_OUT: Final = ARTICLES / "heldout"
DEV_SETS: Final = (ARTICLES / "dev", SHARED_DEV)
PLACE_KM: Final = 25.0
THRESHOLD: Final = 0.5
# The targets on articles the rules were not tuned on: figure -> least share.
TARGETS: Final = {
    "recall_confident": 0.70,
    "precision_confident": 0.50,
    "event_type": 0.80,
    "date": 0.80,
    "place": 0.60,
}


@dataclass
class Match:
    """A key incident and the candidate matched to it (or None)."""

    key: dict[str, Any]
    candidate: Candidate | None
    type_ok: bool = False
    date_ok: bool = False
    place_ok: bool | None = None  # None when the key has no coordinates
    missed_because: str = ""


@dataclass
class SetResult:
    """Matches and unmatched candidates of one evaluation set."""

    name: str
    matches: list[Match] = field(default_factory=list)
    unmatched: list[tuple[str, Candidate]] = field(default_factory=list)
    rows: list[tuple[dict[str, float], bool]] = field(default_factory=list)

    def figures(self) -> dict[str, float | int]:
        """Recall, precision and field shares as a dict (shares over matched incidents)."""
        keys = len(self.matches)
        found = [m for m in self.matches if m.candidate is not None]
        confident = [
            m for m in found if m.candidate is not None and m.candidate.confidence >= THRESHOLD
        ]
        fp = [c for _, c in self.unmatched if c.confidence >= THRESHOLD]
        with_place = [m for m in found if m.place_ok is not None]
        return {
            "key_incidents": keys,
            "candidates": len(found) + len(self.unmatched),
            "confident_candidates": len(confident) + len(fp),
            "recall": _share(len(found), keys),
            "recall_confident": _share(len(confident), keys),
            "precision_confident": _share(len(confident), len(confident) + len(fp)),
            "event_type": _share(sum(m.type_ok for m in found), len(found)),
            "date": _share(sum(m.date_ok for m in found), len(found)),
            "place": _share(sum(bool(m.place_ok) for m in with_place), len(with_place)),
            "place_n": len(with_place),
            "fatalities": _share(sum(_count_ok(m, "fatalities") for m in found), len(found)),
            "injuries": _share(sum(_count_ok(m, "injuries") for m in found), len(found)),
        }


def _count_ok(match: Match, name: str) -> bool:
    """Whether a matched candidate's count equals the key's (unknown counts as a value)."""
    if match.candidate is None:
        return False
    return bool(getattr(match.candidate, name) == match.key.get(name))


def missed_targets(figures: dict[str, float | int]) -> list[str]:
    """Name each target a set's figures fall short of, as ``figure value < target``.

    Parameters
    ----------
    figures : dict
        From :meth:`SetResult.figures`.

    Returns
    -------
    list of str
        Empty when every target is met.
    """
    return [
        f"{name} {figures[name]:.2f} < {least:.2f}"
        for name, least in TARGETS.items()
        if figures[name] < least
    ]


def _share(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def _fold(text: str) -> tuple[str, list[int]]:
    """Whitespace-folded text and, per folded character, its offset in the original."""
    out: list[str] = []
    where: list[int] = []
    space = False
    for k, ch in enumerate(text):
        if ch.isspace():
            if not space and out:
                out.append(" ")
                where.append(k)
            space = True
            continue
        space = False
        out.append(ch)
        where.append(k)
    return "".join(out), where


def _quote_span(text: str, quote: str) -> tuple[int, int] | None:
    folded, where = _fold(text)
    needle = " ".join(quote.split())
    at = folded.find(needle)
    if at < 0:
        return None
    return where[at], where[at + len(needle) - 1] + 1


def _date_ok(cand: Candidate, key: dict[str, Any]) -> bool:
    start, end = date.fromisoformat(key["date_start"]), date.fromisoformat(key["date_end"])
    return cand.start <= end and start <= cand.end


def _place_ok(cand: Candidate, key: dict[str, Any]) -> bool | None:
    if key.get("lat") is None or key.get("lon") is None:
        return None
    place = cand.place
    if place is None or place.lat is None or place.lon is None:
        return False
    return float(haversine_km(place.lon, place.lat, key["lon"], key["lat"])) <= PLACE_KM


def evaluate_set(
    directory: str | Path, model: ConfidenceModel | None = None, name: str = ""
) -> SetResult:
    """Run the pipeline on every article of a set and match the candidates to its key.

    Parameters
    ----------
    directory : str or Path
        A folder with ``key.json`` and the articles it names.
    model : ConfidenceModel, optional
        The fitted model by default.
    name : str
        A label for the printout.

    Returns
    -------
    SetResult

    Raises
    ------
    FileNotFoundError
        When the folder has no ``key.json``.
    """
    directory = Path(directory)
    key = json.loads((directory / "key.json").read_text(encoding="utf-8"))
    model = model or load_model()
    result = SetResult(name or directory.name)
    articles = sorted({k["article"] for k in key["incidents"]} | {
        k["article"] for k in key.get("non_incidents", [])
    })  # fmt: skip
    for article_name in articles:
        article = read_article(directory / article_name)
        proposal = propose_incidents(article)
        candidates = score(proposal, model)
        sentences = split_sentences(article.text, article.body_start)
        keys = [k for k in key["incidents"] if k["article"] == article_name]
        key_sentences = []
        for k in keys:
            span = _quote_span(article.text, k["quote"])
            if span is None:
                raise ValueError(f"quote of {k['id']} is not in {article_name}")
            key_sentences.append(
                {s.index for s in sentences if s.start < span[1] and span[0] < s.end}
            )
        pairs = []
        for ci, cand in enumerate(candidates):
            for ki, k in enumerate(keys):
                if cand.sentence_index in key_sentences[ki]:
                    type_ok = cand.event_type == k["event_type"]
                    place_ok = _place_ok(cand, k)
                    date_ok = _date_ok(cand, k)
                    pairs.append((4 * type_ok + 2 * bool(place_ok) + date_ok, ci, ki))
        used_c, used_k = set(), set()
        chosen: dict[int, Match] = {}
        for _, ci, ki in sorted(pairs, reverse=True):
            if ci in used_c or ki in used_k:
                continue
            used_c.add(ci)
            used_k.add(ki)
            cand, k = candidates[ci], keys[ki]
            chosen[ki] = Match(
                k, cand, cand.event_type == k["event_type"], _date_ok(cand, k), _place_ok(cand, k)
            )
        reasons = {" ".join(r.quote.split()): r.reason for r in proposal.rejections}
        for ki, k in enumerate(keys):
            if ki in chosen:
                result.matches.append(chosen[ki])
                continue
            sentence_texts = [
                " ".join(s.text.split()) for s in sentences if s.index in key_sentences[ki]
            ]
            why = next((reasons[t] for t in sentence_texts if t in reasons), "no event word read")
            result.matches.append(Match(k, None, missed_because=why))
        for ci, cand in enumerate(candidates):
            result.rows.append((cand.features, ci in used_c))
            if ci not in used_c:
                result.unmatched.append((article_name, cand))
    return result


def _print(result: SetResult, verbose: bool, out: Any) -> None:
    f = result.figures()
    print(
        f"{result.name}: {f['key_incidents']} key incidents, {f['candidates']} candidates "
        f"({f['confident_candidates']} with confidence >= {THRESHOLD})",
        file=out,
    )
    print(
        f"  recall {f['recall']:.2f} (confidence >= {THRESHOLD}: {f['recall_confident']:.2f})  "
        f"precision {f['precision_confident']:.2f}  type {f['event_type']:.2f}  "
        f"date {f['date']:.2f}  place {f['place']:.2f} (of {f['place_n']} with coordinates)  "
        f"fatalities {f['fatalities']:.2f}  injuries {f['injuries']:.2f}",
        file=out,
    )
    short = missed_targets(f)
    print(f"  targets: {'met' if not short else 'missed: ' + '; '.join(short)}", file=out)
    if not verbose:
        return
    for m in result.matches:
        k = m.key
        if m.candidate is None:
            print(f"  missed {k['id']}: {m.missed_because} | {k['quote'][:90]}", file=out)
            continue
        c = m.candidate
        wrong = [
            label
            for label, ok in (
                ("type", m.type_ok),
                ("date", m.date_ok),
                ("place", m.place_ok),
                ("fatalities", _count_ok(m, "fatalities")),
                ("injuries", _count_ok(m, "injuries")),
            )
            if ok is False
        ]
        if wrong:
            where = c.place.name if c.place is not None else "none"
            print(
                f"  {k['id']} wrong {', '.join(wrong)}: {c.event_type}/{c.sub_event_type} "
                f"(key {k['event_type']}/{k['sub_event_type']}), {c.start}..{c.end} "
                f"(key {k['date_start']}..{k['date_end']}), place {where} (key {k['place']}), "
                f"killed {c.fatalities} (key {k.get('fatalities')}), "
                f"injured {c.injuries} (key {k.get('injuries')})",
                file=out,
            )
    for article_name, c in result.unmatched:
        print(
            f"  unmatched {c.confidence:.2f} {article_name}: {c.event_type} | {c.quote[:80]}",
            file=out,
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Print the figures for the held-out and development sets; ``--fit`` refits confidence."""
    parser = argparse.ArgumentParser(prog="python -m geo.intake.evaluate", description=__doc__)
    parser.add_argument("--fit", action="store_true", help="refit confidence on the dev sets")
    parser.add_argument(
        "--decisions",
        type=Path,
        action="append",
        default=[],
        help="with --fit: also fit on the decisions recorded in this log (JSON lines)",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="list every failure")
    parser.add_argument("--set", type=Path, action="append", help="evaluate this folder only")
    ns = parser.parse_args(argv)
    dev = [d for d in DEV_SETS if (d / "key.json").exists()]
    if ns.fit:
        rows = [row for d in dev for row in evaluate_set(d).rows]
        names = ", ".join(
            str(d.relative_to(REPO)) if d.is_relative_to(REPO) else f"../shared/{d.name}"
            for d in dev
        )
        for log_path in ns.decisions:
            decided = DecisionLog(log_path).training_rows()
            rows.extend(decided)
            names += f", {len(decided)} decisions in {log_path.name}"
        model = fit_model(rows, l2=1.0, fitted_on=f"{len(rows)} candidates from {names}")
        save_model(model, MODEL_PATH)
        print(f"fitted confidence on {len(rows)} candidates; wrote {MODEL_PATH.name}")
    sets = ns.set or [HELD_OUT, *dev]
    for directory in sets:
        label = "held-out" if Path(directory).resolve() == HELD_OUT else Path(directory).name
        _print(evaluate_set(directory, name=label), ns.verbose, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

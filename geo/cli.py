"""Command line: ``python -m geo build | validate | export | bench | propose``.

A thin shell: it parses arguments, calls the library and turns the library's
own exceptions into one-sentence messages and exit codes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from geo.schema import IncidentDataError, MissingComponentError

EXIT_OK, EXIT_REJECTED, EXIT_UNREADABLE = 0, 1, 2


def _build(ns: argparse.Namespace) -> int:
    from geo.build import build_incidents, write_incidents

    gdf = build_incidents(ns.attributes, ns.sites, ns.actors)
    out = write_incidents(gdf, ns.out)
    print(f"wrote {len(gdf)} incidents at {gdf['site_id'].nunique()} sites to {out}")
    return EXIT_OK


def _validate(ns: argparse.Namespace) -> int:
    from geo.importers import validate_path

    return validate_path(ns.path, sys.stdout)


def _parser() -> argparse.ArgumentParser:
    from geo.actors import DEFAULT_ACTORS_PATH
    from geo.build import DEFAULT_ATTRIBUTES_PATH, DEFAULT_OUTPUT_PATH
    from geo.sites import DEFAULT_SITES_PATH

    parser = argparse.ArgumentParser(prog="python -m geo", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser(
        "build", help="rebuild data/incidents.geojson from sites and attributes"
    )
    build.add_argument("--attributes", type=Path, default=DEFAULT_ATTRIBUTES_PATH)
    build.add_argument("--sites", type=Path, default=DEFAULT_SITES_PATH)
    build.add_argument("--actors", type=Path, default=DEFAULT_ACTORS_PATH)
    build.add_argument("--out", type=Path, default=DEFAULT_OUTPUT_PATH)
    build.set_defaults(func=_build)

    validate = commands.add_parser("validate", help="check a file; list every rejected record")
    validate.add_argument("path", type=Path)
    validate.set_defaults(func=_validate)

    from geo import export

    export_parser = commands.add_parser(
        "export", help="export the filtered view (png, pdf, html, csv, geojson)"
    )
    export.add_export_arguments(export_parser)
    export_parser.set_defaults(func=export.run_export)

    # Listed for --help only: main() hands `bench ...` to the benchmark's own parser.
    commands.add_parser("bench", help="measure this dashboard beside the usual approaches")

    from geo.store.cli import add_db_arguments

    db_parser = commands.add_parser("db", help="the incident store: init, import, history")
    add_db_arguments(db_parser)

    from geo.intake import command as intake

    propose_parser = commands.add_parser(
        "propose", help="candidate incidents from a news article, each with its sentence"
    )
    intake.add_propose_arguments(propose_parser)
    propose_parser.set_defaults(func=intake.run_propose)
    return parser


def _bench(argv: list[str]) -> int:
    """Run ``benchmarks/bench.py``, which drives Playwright and lives beside the apps it times."""
    repo = Path(__file__).resolve().parent.parent
    if not (repo / "benchmarks" / "bench.py").is_file():
        print("error: the benchmark runs from a clone of the repository (benchmarks/ is missing).",
              file=sys.stderr)  # fmt: skip
        return EXIT_UNREADABLE
    if str(repo) not in sys.path:
        sys.path.insert(0, str(repo))
    from benchmarks.bench import main as bench_main

    return bench_main(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; return its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["bench"]:
        return _bench(args[1:])
    ns = _parser().parse_args(args)
    try:
        return int(ns.func(ns))
    except MissingComponentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except IncidentDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE if ns.command != "build" else EXIT_REJECTED

"""Command line: ``python -m geo build | validate | export | bench | propose``.

A thin shell: it parses arguments, calls the library and turns the library's
own exceptions into one-sentence messages and exit codes.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.filters import REVIEW_STATES
from geo.limits import REPORT_SCALE, REPORT_SIDE_PIXELS
from geo.schema import EVENT_TYPES, IncidentDataError, MissingComponentError

if TYPE_CHECKING:
    import geopandas as gpd

    from geo.filters import IncidentFilter
    from geo.recipe import OutputOptions
    from geo.report import PageOptions
    from geo.view import View

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


# --------------------------------------------------------------------------- export
def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _out_path(text: str) -> Path:
    from geo.export import export_format

    try:
        export_format(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return Path(text)


def _pixels(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of pixels, got {text!r}"
        ) from None
    low, high = REPORT_SIDE_PIXELS
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"expected {low} to {high} pixels, got {value}")
    return value


def _scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number such as 2, got {text!r}") from None
    low, high = REPORT_SCALE
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(
            f"expected a pixel ratio from {low:g} to {high:g}, got {value}"
        )
    return value


def _bbox(text: str) -> tuple[float, float, float, float]:
    """Read ``--bbox``: the box incidents are kept in."""
    from geo.areas import AreaError, parse_bbox

    try:
        return parse_bbox(text)
    except AreaError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _area(text: str) -> tuple[tuple[float, float], ...]:
    """Read ``--area``: the polygon incidents are kept in."""
    from geo.areas import AreaError, parse_ring

    try:
        return parse_ring(text)
    except AreaError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _extent(text: str) -> tuple[float, float, float, float]:
    """Read ``--extent``: the area the map shows."""
    from geo.view import ViewError, check_extent

    parts = text.split(",")
    if len(parts) != 4:
        raise argparse.ArgumentTypeError(
            f"expected LON_MIN,LAT_MIN,LON_MAX,LAT_MAX such as 43.5,32.8,45,34, got {text!r}"
        )
    try:
        return check_extent((parts[0], parts[1], parts[2], parts[3]))  # type: ignore[arg-type]
    except ViewError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _layers(text: str) -> dict[str, bool]:
    """Read ``--layers``: the map layers switched on, as View fields."""
    from geo.urlstate import LAYER_PARAMS

    named = {name.strip() for name in text.split(",") if name.strip()}
    if unknown := sorted(named - set(LAYER_PARAMS)):
        raise argparse.ArgumentTypeError(
            f"expected any of {', '.join(LAYER_PARAMS)}, got {', '.join(unknown)}"
        )
    return {attr: name in named for name, attr in LAYER_PARAMS.items()}


def _add_export_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``python -m geo export`` to its parser."""
    from geo.palette import COLOR_BY
    from geo.provinces import CHOROPLETH_MEASURES
    from geo.timeline import STEPS as PLAYBACK_STEPS
    from geo.view import BASEMAPS, SITE_LAYERS

    parser.description = (
        "Export the incidents that pass the filters. The suffix of --out picks the format: "
        ".png and .pdf (report page), .html (standalone interactive map), .csv, .geojson, "
        ".gif and .mp4 (a time-lapse: one report frame per --step of the time range). "
        "A recipe (<out>.recipe.json) is written beside it. Needs no network."
    )
    parser.add_argument(
        "--out",
        type=_out_path,
        required=True,
        metavar="FILE",
        help="output file: .png, .pdf, .html, .csv, .geojson, .gif or .mp4",
    )
    parser.add_argument(
        "--data",
        type=Path,
        metavar="PATH",
        help="incident file (default: the bundled data/incidents.geojson)",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="an incident store instead of a file (sqlite:///path.db or "
        "postgresql://user@host:port/db; INCIDENT_MAP_DB when --data is not given)",
    )
    parser.add_argument(
        "--recipe",
        type=Path,
        metavar="FILE",
        help="make the view of a recipe again; options given here override it",
    )
    filters = parser.add_argument_group("filters (several values of one option are OR)")
    filters.add_argument("--start", type=_day, metavar="D", help="first day, YYYY-MM-DD")
    filters.add_argument("--end", type=_day, metavar="D", help="last day, YYYY-MM-DD")
    filters.add_argument(
        "--actor", action="append", metavar="NAME", help="canonical actor name (repeatable)"
    )
    filters.add_argument(
        "--actor1",
        action="append",
        metavar="NAME",
        help="the acting side: actor1 or an actor associated with it (repeatable)",
    )
    filters.add_argument(
        "--actor2",
        action="append",
        metavar="NAME",
        help="the side acted upon: actor2 or an actor associated with it (repeatable)",
    )
    filters.add_argument(
        "--type",
        action="append",
        metavar="T",
        dest="event_type",
        help="ACLED event type (repeatable)",
    )
    filters.add_argument(
        "--site", action="append", metavar="ID", help="site id such as camp_taji (repeatable)"
    )
    filters.add_argument("--text", metavar="WORDS", help="text searched in notes, place, source")
    filters.add_argument(
        "--min-fatalities", type=int, metavar="N", help="at least this many killed"
    )
    filters.add_argument(
        "--status",
        action="append",
        choices=REVIEW_STATES,
        help="an incident store's review state (repeatable; default every state)",
    )
    filters.add_argument(
        "--where",
        action="append",
        type=_column_value,
        metavar="COLUMN=VALUE",
        help="keep incidents whose column holds the value (repeatable: OR within a "
        "column, AND across columns); COLUMN=MIN..MAX (or MIN.., ..MAX) keeps a numeric "
        "column's range",
    )
    filters.add_argument(
        "--bbox", type=_bbox, metavar="W,S,E,N", help="keep incidents inside this box, in degrees"
    )
    filters.add_argument(
        "--area",
        type=_area,
        metavar="'LON LAT,LON LAT,...'",
        help="keep incidents inside this polygon (its corners, as in a link's area=)",
    )
    filters.add_argument(
        "--admin1", action="append", metavar="PROVINCE", help="province (repeatable)"
    )
    page = parser.add_argument_group("page")
    page.add_argument("--title", metavar="T", help='heading of the page (default "Incidents")')
    page.add_argument("--width", type=_pixels, metavar="PX", help="PNG width (default 2400)")
    page.add_argument("--height", type=_pixels, metavar="PX", help="PNG height (default 1697)")
    page.add_argument(
        "--scale",
        type=_scale,
        metavar="N",
        help="pixel ratio: layout pixels to device pixels (default 2)",
    )
    page.add_argument(
        "--color-by",
        metavar="COLUMN",
        help=f"marker colours: {', '.join(COLOR_BY)} or a column of the data (default event_type)",
    )
    page.add_argument(
        "--site-labels",
        choices=SITE_LAYERS,
        help="sites drawn with labels on the HTML map (default all)",
    )
    page.add_argument("--basemap", choices=BASEMAPS, help="HTML map's basemap (default offline)")
    page.add_argument(
        "--layers",
        type=_layers,
        metavar="L,L",
        help="HTML map layers switched on, of clusters, heatmap, uncertainty "
        "(default clusters,uncertainty; an empty value switches all off)",
    )
    page.add_argument(
        "--extent",
        type=_extent,
        metavar="W,S,E,N",
        help="extent to show, in degrees (default: the incidents')",
    )
    page.add_argument(
        "--choropleth",
        choices=CHOROPLETH_MEASURES,
        help="shade provinces by their incidents or fatalities (report and HTML map)",
    )
    series = parser.add_argument_group("time-lapse (.gif, .mp4) and comparison (.png, .pdf)")
    series.add_argument(
        "--step",
        choices=PLAYBACK_STEPS,
        help="one time-lapse frame per week or per month of the time range (default week)",
    )
    series.add_argument(
        "--cumulative",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="each frame shows every incident so far, the newest step highlighted",
    )
    series.add_argument(
        "--compare-start", type=_day, metavar="D", help="first day of a second period, drawn "
        "beside --start..--end on a two-panel report"
    )  # fmt: skip
    series.add_argument("--compare-end", type=_day, metavar="D", help="its last day")


def _filter_changes(ns: argparse.Namespace) -> dict[str, object]:
    """Collect the filter fields given on the command line."""
    changes: dict[str, object] = {}
    for name, key in (
        ("start", "start"),
        ("end", "end"),
        ("text", "text"),
        ("min_fatalities", "min_fatalities"),
    ):
        if getattr(ns, name, None) is not None:
            changes[key] = getattr(ns, name)
    for name, key in (
        ("actor", "actors"),
        ("actor1", "actors1"),
        ("actor2", "actors2"),
        ("event_type", "event_types"),
        ("site", "sites"),
        ("status", "statuses"),
        ("admin1", "admin1"),
    ):
        values = getattr(ns, name, None)
        if values:
            changes[key] = tuple(dict.fromkeys(values))
    for name in ("bbox", "area"):
        if getattr(ns, name, None) is not None:
            changes[name] = getattr(ns, name)
    if pairs := getattr(ns, "where", None):
        changes.update(_where_changes(pairs))
    return changes


def _where_changes(pairs: list[tuple[str, str]]) -> dict[str, object]:
    """Split ``--where`` into values kept (``COLUMN=VALUE``) and ranges (``COLUMN=MIN..MAX``)."""
    from geo.urlstate import RANGE_SEPARATOR, parse_range

    where: dict[str, list[str]] = {}
    ranges: dict[str, tuple[float | None, float | None]] = {}
    for column, value in pairs:
        if RANGE_SEPARATOR in value:
            try:
                ranges[column] = parse_range(value)
                continue
            except ValueError:
                pass  # a value that merely holds "..": kept as a value
        where.setdefault(column, []).append(value)
    changes: dict[str, object] = {}
    if where:
        changes["where"] = tuple((c, tuple(dict.fromkeys(v))) for c, v in where.items())
    if ranges:
        changes["ranges"] = tuple((c, low, high) for c, (low, high) in ranges.items())
    return changes


def _column_value(text: str) -> tuple[str, str]:
    """Read ``COLUMN=VALUE`` (the value may hold further ``=``)."""
    column, sep, value = text.partition("=")
    if not sep or not column.strip():
        raise argparse.ArgumentTypeError(f"expected COLUMN=VALUE, got {text!r}")
    return column.strip(), value


def _view_changes(ns: argparse.Namespace) -> dict[str, object]:
    """Collect the presentation given on the command line, as View fields."""
    changes: dict[str, object] = {}
    for name, key in (
        ("title", "title"),
        ("color_by", "color_by"),
        ("extent", "extent"),
        ("choropleth", "choropleth"),
        ("site_labels", "site_layer"),
        ("basemap", "basemap"),
        ("step", "step"),
    ):
        if getattr(ns, name, None) is not None:
            changes[key] = getattr(ns, name)
    if getattr(ns, "layers", None) is not None:
        changes.update(ns.layers)
    return changes


def _page_from(page: PageOptions, ns: argparse.Namespace) -> PageOptions:
    """Page size with the command line's changes, as a one-sentence error when invalid."""
    changes = {k: getattr(ns, k) for k in ("width", "height", "scale") if getattr(ns, k, None)}
    try:
        return replace(page, **changes)
    except ValueError as exc:  # PageOptions names the option and the accepted range
        raise IncidentDataError(f"cannot export with these options: {exc}") from None


def export_view_from_arguments(
    ns: argparse.Namespace, base: View, page: PageOptions
) -> tuple[View, PageOptions]:
    """Build the one View (and page size) of ``geo export`` from a base and the flags.

    Parameters
    ----------
    ns : argparse.Namespace
        Parsed ``export`` options.
    base : View
        The recipe's view, or the command line's default view.
    page : PageOptions
        The recipe's page size, or the default.

    Returns
    -------
    (View, PageOptions)

    Raises
    ------
    IncidentDataError
        When an option is not valid, in one sentence.
    """
    try:
        view = base.with_changes(
            flt=base.flt.with_changes(**_filter_changes(ns)), **_view_changes(ns)
        )
    except ValueError as exc:  # ViewError is one; IncidentFilter checks its own fields
        raise IncidentDataError(f"cannot export with these options: {exc}") from None
    return view, _page_from(page, ns)


def output_from_arguments(ns: argparse.Namespace, base: OutputOptions) -> OutputOptions:
    """Read ``--cumulative`` and ``--compare-start/--compare-end`` over a recipe's options.

    Raises
    ------
    IncidentDataError
        When only one end of the second period is given, or it ends before it starts.
    """
    from geo.recipe import OutputOptions

    cumulative = base.cumulative if ns.cumulative is None else bool(ns.cumulative)
    compare = base.compare
    start, end = getattr(ns, "compare_start", None), getattr(ns, "compare_end", None)
    if (start is None) != (end is None):
        raise IncidentDataError(
            "cannot export with these options: give both --compare-start and --compare-end"
        )
    if start is not None and end is not None:
        if end < start:
            raise IncidentDataError(
                f"cannot export with these options: --compare-end {end} is before "
                f"--compare-start {start}"
            )
        compare = (start, end)
    return OutputOptions(cumulative=cumulative, compare=compare)


def _warn_unknown(flt: IncidentFilter, gdf: gpd.GeoDataFrame | None, source: Any = None) -> None:
    """One line per filter value that no incident has (a typo shows an empty map)."""
    for column, values in flt.where:
        if gdf is not None and column in gdf.columns and column != gdf.geometry.name:
            present = set(gdf[column].astype("string").dropna())
            for value in values:
                if value not in present:
                    print(
                        f"warning: no incident in the data has {column} {value!r}", file=sys.stderr
                    )
    if not (flt.actors or flt.actors1 or flt.actors2 or flt.event_types or flt.sites):
        return
    from geo.filters import IncidentIndex

    index = IncidentIndex(gdf) if source is None else source
    for label, values, known in (
        ("actor", flt.actors, set(index.actor_names)),
        ("actor1", flt.actors1, set(index.actor_names)),
        ("actor2", flt.actors2, set(index.actor_names)),
        ("type", flt.event_types, set(index.event_types) | set(EVENT_TYPES)),
        ("site", flt.sites, set(index.site_keys)),
    ):
        for value in values:
            if value not in known:
                print(f"warning: no incident in the data has {label} {value!r}", file=sys.stderr)


def _export(ns: argparse.Namespace) -> int:
    """Run ``python -m geo export``: export, write the recipe, report in one line.

    Parameters
    ----------
    ns : argparse.Namespace
        Parsed options (see :func:`_add_export_arguments`).

    Returns
    -------
    int
        0 on success; 2 when the data, the recipe or a component cannot be used (one
        sentence on stderr says why and how to fix it). The command line's view draws
        every site on the HTML map unless ``--site-labels`` says otherwise.
    """
    from geo.export import export_format, export_loaded, load_export_data
    from geo.load import file_sha256
    from geo.recipe import OutputOptions, read_recipe
    from geo.report import PageOptions
    from geo.store.errors import StoreError
    from geo.timelapse import TIMELAPSE_FORMATS, TIMELAPSE_PAGE
    from geo.view import View

    try:
        view, data_path, output = View(site_layer="all"), ns.data, OutputOptions()
        page = TIMELAPSE_PAGE if export_format(ns.out) in TIMELAPSE_FORMATS else PageOptions()
        if ns.recipe is not None:
            recipe = read_recipe(ns.recipe)
            view, page, output = recipe.view, recipe.page, recipe.output
            if data_path is None and recipe.data_path:
                data_path = Path(recipe.data_path)
                if not data_path.is_file():
                    raise IncidentDataError(
                        f"the recipe's data file {data_path} no longer exists: "
                        "give the data with --data PATH"
                    )
            if data_path is not None and recipe.data_sha256 and data_path.is_file():
                if file_sha256(data_path) != recipe.data_sha256:
                    print(
                        f"warning: {data_path} has changed since the recipe was made "
                        f"({recipe.created}); the image may differ",
                        file=sys.stderr,
                    )
        view, page = export_view_from_arguments(ns, view, page)
        output = output_from_arguments(ns, output)
        if output.cumulative and export_format(ns.out) not in TIMELAPSE_FORMATS:
            print("warning: --cumulative applies to .gif and .mp4 only", file=sys.stderr)
        db_url = ns.db
        if db_url is None and data_path is None:  # a store's recipe names it; else the env
            named = recipe.store_url if ns.recipe is not None else None
            db_url = named or os.environ.get("INCIDENT_MAP_DB")
        if db_url:
            recipe_path = _export_store(ns.out, view, page, db_url, output)
        else:
            if view.flt.statuses:
                raise IncidentDataError(
                    "--status needs an incident store (--db URL): a file has no review states"
                )
            gdf, path, sites = load_export_data(data_path)
            _warn_unknown(view.flt, gdf)
            recipe_path = export_loaded(ns.out, view, page, gdf, path, sites, output)
    except (IncidentDataError, MissingComponentError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the previous file and recipe, if any, are left whole
        print(f"error: cannot write {ns.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"wrote {ns.out} and its recipe {recipe_path}")
    return 0


def _export_store(
    out: Path, view: View, page: PageOptions, url: str, output: OutputOptions
) -> Path:
    """Export a view of an incident store: the filter runs in the database."""
    from geo.export import export_selection_to
    from geo.sites import DEFAULT_SITES_PATH, read_sites
    from geo.source import export_selection
    from geo.store import open_store
    from geo.store.source import StoreSource

    sites = read_sites(DEFAULT_SITES_PATH) if DEFAULT_SITES_PATH.is_file() else None
    with open_store(url) as store:
        source = StoreSource(store)
        _warn_unknown(view.flt, None, source)
        if not view.actor_ranking and view.color_by == "actor":
            view = view.with_changes(actor_ranking=source.ranking)
        compared = None
        if output.compare is not None:
            compared = export_selection(output.compared_view(view), source, sites)
        return export_selection_to(
            out, export_selection(view, source, sites), page, data_path=None, output=output,
            store_url=store.reconnect_url,
            compared=compared,
        )  # fmt: skip


# --------------------------------------------------------------------------- parser


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

    export_parser = commands.add_parser(
        "export", help="export the filtered view (png, pdf, html, csv, geojson)"
    )
    _add_export_arguments(export_parser)
    export_parser.set_defaults(func=_export)

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

"""Exports of a filtered view: report PNG and PDF, standalone HTML map, CSV and GeoJSON.

The output file's suffix picks the format. Every export made through :func:`export_view`
(and so ``python -m geo export``) writes a recipe beside it (``<out>.recipe.json``, see
:mod:`geo.recipe`) from which ``--recipe`` makes the same output again. Nothing here
touches the network: the report is drawn with matplotlib and the HTML map embeds its
scripts, styles and basemap.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Final

import geopandas as gpd

from geo import palette
from geo.filters import IncidentFilter, IncidentIndex
from geo.incidents import to_csv_bytes, to_geojson_bytes
from geo.recipe import Recipe, read_recipe, recipe_path_for, write_recipe
from geo.report import (
    PDF_PAGE,
    ReportOptions,
    ReportPage,
    describe_filters,
    describe_period,
    draw_report,
    site_names_of,
)
from geo.schema import EVENT_TYPES, IncidentDataError, MissingComponentError

# Output format -> MIME type, for files and download buttons.
EXPORT_FORMATS: Final = {
    "png": "image/png",
    "pdf": "application/pdf",
    "html": "text/html",
    "csv": "text/csv",
    "geojson": "application/geo+json",
}
REPORT_FORMATS: Final = ("png", "pdf")


def export_format(out: str | Path) -> str:
    """Tell the export format from a file name's suffix.

    Parameters
    ----------
    out : str or Path
        ``report.png``, ``report.pdf``, ``map.html``, ``incidents.csv``, ``x.geojson``.

    Returns
    -------
    str
        A key of :data:`EXPORT_FORMATS`.

    Raises
    ------
    ValueError
        When the suffix names no supported format.
    """
    suffix = Path(out).suffix.lower().lstrip(".")
    suffix = {"htm": "html", "json": "geojson"}.get(suffix, suffix)
    if suffix not in EXPORT_FORMATS:
        raise ValueError(
            f"cannot tell the format of {str(out)!r}: end the file name with "
            + ", ".join(f".{f}" for f in EXPORT_FORMATS)
        )
    return suffix


def export_filename(title: str, fmt: str) -> str:
    """Make a safe file name for a download: ``"Taji, March 2020"`` -> ``taji-march-2020.png``."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")
    return f"{slug or 'incidents'}.{fmt}"


def describe_caption(flt: IncidentFilter, incidents: gpd.GeoDataFrame, total: int) -> str:
    """One line naming the period, the filters and the count, as on the report page."""
    parts = [describe_period(flt, incidents), *describe_filters(flt, site_names_of(incidents))]
    parts.append(f"{len(incidents):,} of {total:,} incidents shown")
    return " · ".join(parts)


def render_map_html(
    incidents: gpd.GeoDataFrame,
    *,
    flt: IncidentFilter,
    total: int,
    options: ReportOptions,
    sites: gpd.GeoDataFrame | None = None,
) -> bytes:
    """Render the interactive map as one HTML file that opens without internet.

    Parameters
    ----------
    incidents : GeoDataFrame
        The incidents shown.
    flt : IncidentFilter
        Named in the map's caption.
    total : int
        How many incidents the dataset holds.
    options : ReportOptions
        Title, colouring and extent (``bounds``) are used.
    sites : GeoDataFrame, optional
        The sites layer, drawn with name labels.

    Returns
    -------
    bytes
        UTF-8 HTML with every script, style and basemap layer embedded.

    Raises
    ------
    MissingComponentError
        When the web assets or the offline basemap are not installed.
    """
    from geo import assets, mapview

    map_options = mapview.MapOptions(
        color_by=options.color_by,
        title=options.title,
        caption=describe_caption(flt, incidents, total),
        actors=options.actor_ranking,
    )
    bounds = None
    if options.bounds is not None:
        west, south, east, north = options.bounds
        bounds = [[south, west], [north, east]]
    m = mapview.build_map(incidents, sites=sites, options=map_options, bounds=bounds)
    return assets.inline_map_html(m).encode("utf-8")


def export_bytes(
    fmt: str,
    incidents: gpd.GeoDataFrame,
    *,
    flt: IncidentFilter,
    total: int,
    options: ReportOptions,
    data_label: str,
    data_hash: str | None = None,
    sites: gpd.GeoDataFrame | None = None,
    created: datetime | None = None,
) -> bytes:
    """Make one export in memory, for a download button.

    Parameters
    ----------
    fmt : {"png", "pdf", "html", "csv", "geojson"}
    incidents : GeoDataFrame
        The incidents shown (already filtered).
    flt : IncidentFilter
        The filter that selected them.
    total : int
        How many incidents the dataset holds.
    options : ReportOptions
    data_label : str
        The data file's name, printed on the report.
    data_hash : str, optional
        The data file's SHA-256, printed on the report.
    sites : GeoDataFrame, optional
        The sites layer, for the HTML map.
    created : datetime, optional
        The time printed on the report; now by default.

    Returns
    -------
    bytes
        The file's content (see :data:`EXPORT_FORMATS` for the MIME type).

    Raises
    ------
    MissingComponentError
        When a component the format needs is not installed.
    ValueError
        When ``fmt`` is unknown.
    """
    if fmt in REPORT_FORMATS:
        page = _draw_page(
            fmt,
            incidents,
            flt=flt,
            total=total,
            options=options,
            data_label=data_label,
            data_hash=data_hash,
            created=created,
        )
        return page.to_png() if fmt == "png" else page.to_pdf(options.title)
    if fmt == "html":
        return render_map_html(incidents, flt=flt, total=total, options=options, sites=sites)
    if fmt == "csv":
        return to_csv_bytes(incidents)
    if fmt == "geojson":
        return to_geojson_bytes(incidents)
    raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}")


def _draw_page(
    fmt: str,
    incidents: gpd.GeoDataFrame,
    *,
    flt: IncidentFilter,
    total: int,
    options: ReportOptions,
    data_label: str,
    data_hash: str | None,
    created: datetime | None,
) -> ReportPage:
    """Draw the report page: the PNG's pixel size, or A4 landscape for the PDF."""
    page_layout = PDF_PAGE if fmt == "pdf" else {}
    return draw_report(
        incidents,
        flt=flt,
        total=total,
        options=options,
        data_label=data_label,
        data_hash=data_hash,
        created=created,
        **page_layout,
    )


def _incident_extent(incidents: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    if len(incidents) == 0:
        return None
    west, south, east, north = (float(v) for v in incidents.total_bounds)
    return west, south, east, north


def _load(data_path: Path | None) -> tuple[gpd.GeoDataFrame, Path, gpd.GeoDataFrame | None]:
    """Read the incidents; return them, the resolved path and (bundled data) the sites."""
    from geo.load import DEFAULT_DATA_PATH, read_incidents
    from geo.sites import DEFAULT_SITES_PATH, read_sites

    path = Path(data_path) if data_path is not None else DEFAULT_DATA_PATH
    gdf = read_incidents(path)
    sites = None
    if path.resolve() == DEFAULT_DATA_PATH.resolve() and DEFAULT_SITES_PATH.is_file():
        sites = read_sites(DEFAULT_SITES_PATH)
    return gdf, path.resolve(), sites


def export_view(
    out: Path,
    *,
    data_path: Path | None,
    flt: IncidentFilter,
    options: ReportOptions,
) -> Path:
    """Export a filtered view to a file and write its recipe beside it.

    Parameters
    ----------
    out : Path
        The output file; its suffix picks the format (see :func:`export_format`).
    data_path : Path or None
        The incident file; None for the bundled ``data/incidents.geojson``.
    flt : IncidentFilter
        Which incidents to show.
    options : ReportOptions
        Title, size, pixel ratio, colouring and extent.

    Returns
    -------
    Path
        The recipe written beside ``out`` (``<out>.recipe.json``).

    Raises
    ------
    UnreadableFileError, IncidentDataError
        When the data file cannot be read.
    MissingComponentError
        When a component the format needs is not installed.
    ValueError
        When the suffix names no supported format.
    """
    gdf, path, sites = _load(data_path)
    return _export_loaded(Path(out), gdf, path, sites, flt, options)


def _export_loaded(
    out: Path,
    gdf: gpd.GeoDataFrame,
    path: Path,
    sites: gpd.GeoDataFrame | None,
    flt: IncidentFilter,
    options: ReportOptions,
) -> Path:
    """Export from data already read; return the recipe's path."""
    from geo.load import file_sha256

    fmt = export_format(out)
    data_hash = file_sha256(path)
    if not options.actor_ranking and options.color_by == "actor":
        # Rank actors over the whole file, as the dashboard does, so colours do not move.
        options = replace(options, actor_ranking=tuple(palette.rank_actors(gdf["actor1"])))
    incidents = IncidentIndex(gdf).select(flt)
    created = datetime.now(UTC).replace(microsecond=0)
    bounds = options.bounds
    if fmt in REPORT_FORMATS:
        page = _draw_page(
            fmt,
            incidents,
            flt=flt,
            total=len(gdf),
            options=options,
            data_label=path.name,
            data_hash=data_hash,
            created=created,
        )
        content = page.to_png() if fmt == "png" else page.to_pdf(options.title)
        bounds = page.bounds
    else:
        content = export_bytes(
            fmt,
            incidents,
            flt=flt,
            total=len(gdf),
            options=options,
            data_label=path.name,
            data_hash=data_hash,
            sites=sites,
            created=created,
        )
        bounds = bounds or _incident_extent(incidents)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    recipe = Recipe(
        flt=flt,
        options=replace(options, bounds=_rounded(bounds)),
        format=fmt,
        data_path=str(path),
        data_sha256=data_hash,
        created=created.isoformat().replace("+00:00", "Z"),
    )
    return write_recipe(recipe, recipe_path_for(out))


def _rounded(
    bounds: tuple[float, float, float, float] | None,
) -> tuple[float, float, float, float] | None:
    """Bounds to 7 decimals (about 1 cm): short in JSON, far below a pixel."""
    if bounds is None:
        return None
    west, south, east, north = (round(float(v), 7) for v in bounds)
    return west, south, east, north


# --------------------------------------------------------------------------- command line


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _out_path(text: str) -> Path:
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
    if not 200 <= value <= 20_000:
        raise argparse.ArgumentTypeError(f"expected 200 to 20000 pixels, got {value}")
    return value


def _scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number such as 2, got {text!r}") from None
    if not 0.5 <= value <= 8:
        raise argparse.ArgumentTypeError(f"expected a pixel ratio from 0.5 to 8, got {value}")
    return value


def _bbox(text: str) -> tuple[float, float, float, float]:
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected LON_MIN,LAT_MIN,LON_MAX,LAT_MAX such as 43.5,32.8,45,34, got {text!r}"
        ) from None
    if not (-180 <= west < east <= 180 and -85 <= south < north <= 85):
        raise argparse.ArgumentTypeError(
            f"expected west < east within ±180 and south < north within ±85, got {text!r}"
        )
    return west, south, east, north


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``python -m geo export`` to a parser.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The ``export`` subcommand's parser.
    """
    parser.description = (
        "Export the incidents that pass the filters. The suffix of --out picks the format: "
        ".png and .pdf (report page), .html (standalone interactive map), .csv, .geojson. "
        "A recipe (<out>.recipe.json) is written beside it. Needs no network."
    )
    parser.add_argument(
        "--out",
        type=_out_path,
        required=True,
        metavar="FILE",
        help="output file: .png, .pdf, .html, .csv or .geojson",
    )
    parser.add_argument(
        "--data",
        type=Path,
        metavar="PATH",
        help="incident file (default: the bundled data/incidents.geojson)",
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
        "--color-by", choices=palette.COLOR_BY, help="marker colours (default event_type)"
    )
    page.add_argument(
        "--bbox",
        type=_bbox,
        metavar="W,S,E,N",
        help="extent to show, in degrees (default: the incidents')",
    )


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
    for name, key in (("actor", "actors"), ("event_type", "event_types"), ("site", "sites")):
        values = getattr(ns, name, None)
        if values:
            changes[key] = tuple(dict.fromkeys(values))
    return changes


def _option_changes(ns: argparse.Namespace) -> dict[str, object]:
    """Collect the page options given on the command line."""
    changes: dict[str, object] = {}
    for name, key in (
        ("title", "title"),
        ("width", "width"),
        ("height", "height"),
        ("scale", "scale"),
        ("color_by", "color_by"),
        ("bbox", "bounds"),
    ):
        if getattr(ns, name, None) is not None:
            changes[key] = getattr(ns, name)
    return changes


def _options_from(options: ReportOptions, changes: dict[str, object]) -> ReportOptions:
    """Page options with the command line's changes, as a one-sentence error when invalid."""
    try:
        return replace(options, **changes)  # type: ignore[arg-type]
    except ValueError as exc:  # ReportOptions names the option and the accepted range
        raise IncidentDataError(f"cannot export with these options: {exc}") from None


def _warn_unknown(flt: IncidentFilter, gdf: gpd.GeoDataFrame) -> None:
    """One line per filter value that no incident has (a typo shows an empty map)."""
    if not (flt.actors or flt.event_types or flt.sites):
        return
    index = IncidentIndex(gdf)
    for label, values, known in (
        ("actor", flt.actors, set(index.actor_names)),
        ("type", flt.event_types, set(index.event_types) | set(EVENT_TYPES)),
        ("site", flt.sites, set(index.site_keys)),
    ):
        for value in values:
            if value not in known:
                print(f"warning: no incident in the data has {label} {value!r}", file=sys.stderr)


def run_export(ns: argparse.Namespace) -> int:
    """Run ``python -m geo export``: export, write the recipe, report in one line.

    Parameters
    ----------
    ns : argparse.Namespace
        Parsed options (see :func:`add_export_arguments`).

    Returns
    -------
    int
        0 on success; 2 when the data, the recipe or a component cannot be used (one
        sentence on stderr says why and how to fix it).
    """
    from geo.load import file_sha256

    try:
        flt, options, data_path = IncidentFilter(), ReportOptions(), ns.data
        if ns.recipe is not None:
            recipe = read_recipe(ns.recipe)
            flt, options = recipe.flt, recipe.options
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
        flt = flt.with_changes(**_filter_changes(ns))
        options = _options_from(options, _option_changes(ns))
        gdf, path, sites = _load(data_path)
        _warn_unknown(flt, gdf)
        recipe_path = _export_loaded(ns.out, gdf, path, sites, flt, options)
    except (IncidentDataError, MissingComponentError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {ns.out} and its recipe {recipe_path}")
    return 0

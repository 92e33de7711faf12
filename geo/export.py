"""Exports of a filtered view: report PNG and PDF, standalone HTML map, CSV and GeoJSON.

A ``.gif`` or ``.mp4`` file is a time-lapse of the report map (:mod:`geo.timelapse`);
a report of a view compared with a second period has two panels (:mod:`geo.report.compare`).

The output file's suffix picks the format. Every export made through :func:`export_view`
(and so ``python -m geo export``) writes a recipe beside it (``<out>.recipe.json``, see
:mod:`geo.recipe`) from which ``--recipe`` makes the same output again. Nothing here
touches the network: the report is drawn with matplotlib and the HTML map embeds its
scripts, styles and basemap.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import geopandas as gpd

from geo import palette
from geo.filters import IncidentIndex
from geo.incidents import to_csv_bytes, to_geojson_bytes
from geo.recipe import OutputOptions, Recipe, recipe_path_for, recipe_to_json_bytes
from geo.report import PageOptions
from geo.schema import IncidentDataError
from geo.timelapse import TIMELAPSE_FORMATS, TIMELAPSE_PAGE, Progress
from geo.view import Extent, Selection, View, data_extent, select_view

# Output format -> MIME type, for files and download buttons.
EXPORT_FORMATS: Final = {
    "png": "image/png",
    "pdf": "application/pdf",
    "html": "text/html",
    "csv": "text/csv",
    "geojson": "application/geo+json",
}
REPORT_FORMATS: Final = ("png", "pdf")
# Every suffix ``--out`` takes: the exports above and the time-lapses.
OUT_FORMATS: Final = {**EXPORT_FORMATS, **TIMELAPSE_FORMATS}


def export_format(out: str | Path) -> str:
    """Tell the export format from a file name's suffix.

    Parameters
    ----------
    out : str or Path
        ``report.png``, ``report.pdf``, ``map.html``, ``incidents.csv``, ``x.geojson``.

    Returns
    -------
    str
        A key of :data:`OUT_FORMATS`.

    Raises
    ------
    ValueError
        When the suffix names no supported format.
    """
    suffix = Path(out).suffix.lower().lstrip(".")
    suffix = {"htm": "html", "json": "geojson"}.get(suffix, suffix)
    if suffix not in OUT_FORMATS:
        raise ValueError(
            f"cannot tell the format of {str(out)!r}: end the file name with "
            + ", ".join(f".{f}" for f in OUT_FORMATS)
        )
    return suffix


def export_filename(title: str, fmt: str) -> str:
    """Make a safe file name for a download: ``"Taji, March 2020"`` -> ``taji-march-2020.png``."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")
    return f"{slug or 'incidents'}.{fmt}"


def render_map_html(selection: Selection) -> bytes:
    """Render the interactive map of a view as one HTML file that opens without internet.

    Parameters
    ----------
    selection : Selection
        The view (title, colouring, layers, extent) and the incidents and sites it shows.

    Returns
    -------
    bytes
        UTF-8 HTML with every script, style and basemap layer embedded.

    Raises
    ------
    MissingComponentError
        When the web assets or the offline basemap are not installed.
    """
    from geo import mapview
    from geo.standalone import inline_map_html

    return inline_map_html(mapview.build_view_map(selection)).encode("utf-8")


def export_bytes(
    fmt: str,
    selection: Selection,
    page: PageOptions | None = None,
    *,
    created: datetime | None = None,
    output: OutputOptions | None = None,
    compared: Selection | None = None,
    progress: Progress | None = None,
) -> bytes:
    """Make one export of a view in memory, for a download button.

    Parameters
    ----------
    fmt : {"png", "pdf", "html", "csv", "geojson", "gif", "mp4"}
    selection : Selection
        The view and what it selects from the dataset (see :func:`geo.view.select_view`).
    page : PageOptions, optional
        The report PNG's (or time-lapse frame's) size and pixel ratio.
    created : datetime, optional
        The time printed on the report; now by default.
    output : OutputOptions, optional
        A cumulative time-lapse; the second period of a comparison.
    compared : Selection, optional
        What the view selects in ``output.compare``: the report's second panel.
    progress : callable, optional
        Told ``(done, total)`` after each time-lapse frame.

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
    content, _ = _export_content(fmt, selection, page, created, output, compared, progress)
    return content


def _export_content(
    fmt: str,
    selection: Selection,
    page: PageOptions | None,
    created: datetime | None,
    output: OutputOptions | None = None,
    compared: Selection | None = None,
    progress: Progress | None = None,
) -> tuple[bytes, Extent | None]:
    """Make an export; return it and the extent it shows (None when it shows no map)."""
    output = output or OutputOptions()
    if compared is not None:
        if fmt not in REPORT_FORMATS:
            raise IncidentDataError(
                f"two periods are compared on a report page: export to .png or .pdf, not .{fmt}"
            )
        from geo.report.compare import draw_comparison

        drawn = draw_comparison(selection, compared, page, pdf=fmt == "pdf", created=created)
        content = drawn.to_png() if fmt == "png" else drawn.to_pdf(selection.view.title)
        return content, drawn.bounds
    if fmt in TIMELAPSE_FORMATS:
        from geo.timelapse import render_timelapse

        video = render_timelapse(
            fmt, selection, page or TIMELAPSE_PAGE, cumulative=output.cumulative,
            created=created, progress=progress,
        )  # fmt: skip
        return video, selection.view.extent  # every frame fits the window: made again alike
    if fmt in REPORT_FORMATS:
        from geo.report import draw_selection  # matplotlib: only when a page is drawn

        drawn = draw_selection(selection, page, pdf=fmt == "pdf", created=created)
        content = drawn.to_png() if fmt == "png" else drawn.to_pdf(selection.view.title)
        return content, drawn.bounds
    extent = selection.view.extent or _incident_extent(selection.incidents)
    if fmt == "html":
        return render_map_html(selection), extent
    if fmt == "csv":
        return to_csv_bytes(selection.incidents), extent
    if fmt == "geojson":
        return to_geojson_bytes(selection.incidents), extent
    raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}")


def _incident_extent(incidents: gpd.GeoDataFrame) -> Extent | None:
    """Return the incidents' extent as the map fits it (padded around one point), or None."""
    return data_extent(incidents) if len(incidents) else None


def load_export_data(
    data_path: Path | None,
) -> tuple[gpd.GeoDataFrame, Path, gpd.GeoDataFrame | None]:
    """Read the incidents to export; return them, the resolved path and (bundled data) the sites.

    Parameters
    ----------
    data_path : Path or None
        The incident file; None for the bundled ``data/incidents.geojson``.

    Returns
    -------
    (GeoDataFrame, Path, GeoDataFrame or None)

    Raises
    ------
    UnreadableFileError, IncidentDataError
        When the data file cannot be read.
    """
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
    view: View,
    page: PageOptions | None = None,
    *,
    data_path: Path | None = None,
) -> Path:
    """Export a view of a data file to a file and write its recipe beside it.

    Parameters
    ----------
    out : Path
        The output file; its suffix picks the format (see :func:`export_format`).
    view : View
        Which incidents to show and how.
    page : PageOptions, optional
        The report PNG's size and pixel ratio.
    data_path : Path or None
        The incident file; None for the bundled ``data/incidents.geojson``.

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
    gdf, path, sites = load_export_data(data_path)
    return export_loaded(Path(out), view, page, gdf, path, sites)


def export_loaded(
    out: Path,
    view: View,
    page: PageOptions | None,
    gdf: gpd.GeoDataFrame,
    path: Path,
    sites: gpd.GeoDataFrame | None,
    output: OutputOptions | None = None,
) -> Path:
    """Export a view of data already read (see :func:`load_export_data`); return the recipe.

    The export is written atomically and the recipe after it, so a failure leaves the
    previous export and recipe whole. ``output`` asks for a cumulative time-lapse or a
    second period to compare with.
    """
    from geo.load import file_sha256

    export_format(out)  # an unknown suffix is refused before any work
    data_hash = file_sha256(path)
    if not view.actor_ranking and view.color_by == "actor":
        # Rank actors over the whole file, as the dashboard does, so colours do not move.
        view = view.with_changes(actor_ranking=tuple(palette.rank_actors(gdf["actor1"])))
    output = output or OutputOptions()
    index = IncidentIndex(gdf)
    selection = select_view(view, index, data_label=path.name, data_hash=data_hash, sites=sites)
    compared = None
    if output.compare is not None:
        compared = select_view(
            output.compared_view(view), index, data_label=path.name, data_hash=data_hash,
            sites=sites,
        )  # fmt: skip
    return export_selection_to(
        out, selection, page, data_path=str(path), output=output, compared=compared
    )


def export_selection_to(
    out: Path,
    selection: Selection,
    page: PageOptions | None,
    *,
    data_path: str | None,
    output: OutputOptions | None = None,
    compared: Selection | None = None,
    store_url: str | None = None,
) -> Path:
    """Export a view's selection to a file and write its recipe beside it; return the recipe.

    Parameters
    ----------
    out : Path
        The output file; its suffix picks the format.
    selection : Selection
        What the view selects, from a file or a store.
    page : PageOptions, optional
    data_path : str or None
        The data file the recipe names; None when the incidents come from a store.
    output : OutputOptions, optional
        Recorded in the recipe (see :func:`export_bytes`).
    compared : Selection, optional
        The second period's selection, when ``output.compare`` is set.
    store_url : str, optional
        The store the incidents come from, without its password.

    Returns
    -------
    Path
    """
    from geo.fileio import write_with_companions

    fmt = export_format(out)
    view = selection.view
    created = datetime.now(UTC).replace(microsecond=0)
    content, extent = _export_content(fmt, selection, page, created, output, compared)
    recipe = Recipe(
        view=view.with_changes(extent=_rounded(extent)),
        page=page or PageOptions(),
        format=fmt,
        data_path=data_path,
        data_sha256=selection.data_hash,
        store_url=store_url,
        created=created.isoformat().replace("+00:00", "Z"),
        output=output or OutputOptions(),
    )
    recipe_path = recipe_path_for(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_with_companions(out, content, [(recipe_path, recipe_to_json_bytes(recipe))])
    return recipe_path


def _rounded(bounds: Extent | None) -> Extent | None:
    """Bounds to 7 decimals (about 1 cm): short in JSON, far below a pixel."""
    if bounds is None:
        return None
    west, south, east, north = (round(float(v), 7) for v in bounds)
    return west, south, east, north

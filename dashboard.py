"""Incident map dashboard: where and when incidents happened, and who was involved.

Run ``streamlit run dashboard.py`` for the bundled data, or
``streamlit run dashboard.py -- --data PATH`` (or ``INCIDENT_MAP_DATA=PATH``) for another file.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from geo.actors import ActorTable, covered_groups, read_actors, sync_affiliations
from geo.columns import column_values, own_columns
from geo.dataset import Dataset, prepare_dataset
from geo.export import EXPORT_FORMATS, export_bytes, export_filename
from geo.figures import VERBS, recorded_columns, summarize_casualties
from geo.filters import IncidentFilter
from geo.importers import MAX_UPLOAD_BYTES, import_file, rejected_to_csv_bytes
from geo.importers.report import summary_line
from geo.limits import REPORT_SCALE, REPORT_SIDE_PIXELS
from geo.load import DEFAULT_DATA_PATH, file_sha256
from geo.mapview import build_layer_control, build_view_base, build_view_layers
from geo.palette import COLOR_BY
from geo.playback import advance, start_window, tick_due
from geo.report import PageOptions
from geo.schema import IncidentDataError, MissingComponentError
from geo.sites import read_sites
from geo.symbology import legend_title
from geo.timeline import STEPS, count_by_week, step_window, weekly_chart
from geo.urlstate import view_from_query, view_to_query
from geo.view import BASEMAPS, WHERE_KEY, View, controls_of_view, select_view, view_from_controls

DATA_ENV = "INCIDENT_MAP_DATA"
EXPORT_LABELS = {"png": "Report PNG", "pdf": "Report PDF", "html": "Map HTML", "csv": "CSV",
                 "geojson": "GeoJSON"}  # fmt: skip
SPEEDS = (0.5, 1.0, 2.0, 4.0)  # seconds per playback step
TABLE_COLUMNS = ["event_date", "event_type", "sub_event_type", "actor1", "actor2", "location",
                 "admin1", "country", "fatalities", "injuries", "notes", "source",
                 "event_id"]  # fmt: skip
TABLE_ROWS = 1000
UPLOAD_TYPES = ["csv", "tsv", "txt", "geojson", "json", "gpkg", "parquet", "geoparquet"]
ss = st.session_state

st.set_page_config(page_title="Incident map", layout="wide")


def data_path(argv: list[str]) -> Path:
    parser = argparse.ArgumentParser(prog="dashboard.py", allow_abbrev=False)
    parser.add_argument("--data", type=Path, default=None)
    args, _ = parser.parse_known_args(argv)
    return args.data or Path(os.environ.get(DATA_ENV) or DEFAULT_DATA_PATH)


@st.cache_resource(show_spinner="Loading incidents...", max_entries=4)
def load_file(path: str, mtime_ns: int, size: int) -> Dataset:
    """Read and index a file once per version (the frame is never mutated, so it is shared)."""
    return prepare_dataset(
        import_file(Path(path)), f"{path}:{mtime_ns}:{size}", Path(path).name, file_sha256(path)
    )


@st.cache_resource
def load_reference() -> tuple[ActorTable, gpd.GeoDataFrame]:
    return read_actors(), read_sites()


def load_upload(upload) -> Dataset:
    """Import an upload once; it lives in this session only."""
    cached = ss.get("_upload_data")
    if cached is None or cached.key != upload.file_id:
        data = upload.getvalue()
        with st.spinner("Importing..."):
            result = import_file(data, name=upload.name, max_bytes=MAX_UPLOAD_BYTES)
        cached = prepare_dataset(
            result, upload.file_id, upload.name, hashlib.sha256(data).hexdigest()
        )
        ss["_upload_data"] = cached
    return cached


def query_dict() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def apply_view(view: View, span: tuple[date, date], groups: dict[str, list[str]]) -> None:
    """Put a view (from the URL, or the default) into the widgets' state."""
    ss.update(controls_of_view(view, span), playing=False)
    ss["affiliations"] = ss["_affiliations"] = covered_groups(groups, ss["actors"])


def basemap_label(name: str) -> str:
    return "Offline (bundled)" if name == "offline" else f"{name} (online)"


def on_affiliations(groups: dict[str, list[str]]) -> None:
    """Choosing an affiliation selects its member groups; dropping it drops them."""
    actors, affiliations = sync_affiliations(
        groups, ss.get("_affiliations", []), ss["affiliations"], ss["actors"]
    )
    ss["actors"], ss["affiliations"], ss["_affiliations"] = actors, affiliations, affiliations


def on_actors(groups: dict[str, list[str]]) -> None:
    ss["affiliations"] = ss["_affiliations"] = covered_groups(groups, ss["actors"])


def on_step(span: tuple[date, date], backward: bool) -> None:
    ss["window"] = step_window(tuple(ss["window"]), ss["step"], span, backward=backward)


def on_play(span: tuple[date, date]) -> None:
    if ss["playing"]:
        ss["window"] = start_window(tuple(ss["window"]), span, ss["step"])
    ss["_last_tick"] = time.monotonic()


# ---------------------------------------------------------------- data
reference_error = None
actor_table: ActorTable | None
sites: gpd.GeoDataFrame | None
try:
    actor_table, sites = load_reference()
except IncidentDataError as exc:
    reference_error = str(exc)
    actor_table, sites = None, None

path = data_path(sys.argv[1:])
st.sidebar.header("Data")
upload = st.sidebar.file_uploader(
    f"Use your own file (up to {MAX_UPLOAD_BYTES // 2**20} MB)",
    type=UPLOAD_TYPES,
    key="upload",
    max_upload_size=MAX_UPLOAD_BYTES // 2**20,
    help="ACLED or UCDP exports, CSV with dates and coordinates or place names, GeoJSON, "
    "GeoPackage or GeoParquet. It replaces the data for this browser session only.",
)
if upload is None:
    ss.pop("_upload_data", None)  # a removed upload gives its memory back
try:
    if upload is not None:
        data = load_upload(upload)
    else:
        stat = path.stat() if path.exists() else None
        data = load_file(
            str(path.resolve()), stat.st_mtime_ns if stat else 0, stat.st_size if stat else 0
        )
except IncidentDataError as exc:  # includes UnreadableFileError
    st.error(str(exc))
    st.stop()

st.sidebar.text(f"{data.label}: {summary_line(data.result)}")  # text: names are not markdown
if n_rejected := len(data.result.rejected):
    with st.sidebar.expander(f"{n_rejected:,} rejected record{'s' if n_rejected != 1 else ''}"):
        st.dataframe(data.result.rejected.head(10), hide_index=True, key="rejected_table")
        st.download_button(
            "Download all rejected records (CSV)",
            rejected_to_csv_bytes(data.result),
            file_name="rejected.csv",
            mime="text/csv",
            key="download_rejected",
            on_click="ignore",
        )
for note in data.result.warnings:
    st.sidebar.text(note)
if reference_error:
    st.sidebar.warning(reference_error)

index = data.index
data_span = index.date_span
if data_span is None:
    st.info("This file holds no incident that could be shown.")
    st.stop()
# A slider needs two distinct ends.
span = data_span if data_span[0] < data_span[1] else (data_span[0], data_span[1] + timedelta(1))
groups = actor_table.groups(index.actor_names) if actor_table else {}
site_names = dict(zip(sites["site_id"], sites["name"], strict=True)) if sites is not None else {}

own_values = {c: column_values(index.gdf, c) for c in own_columns(index.gdf)}
problems: list[str] = []
defaults = View(actor_ranking=data.ranking)  # what a bare URL opens; links stay short
if ss.get("_data_key") != data.key:
    first_visit = "_data_key" not in ss
    url_view, problems = view_from_query(
        query_dict() if first_visit else {},
        actors=index.actor_names,
        event_types=index.event_types,
        sites=index.site_keys,
        defaults=defaults,
        columns=own_values,
    )
    if not first_visit:  # a new file keeps the presentation, not the filters
        url_view = view_from_controls(ss.to_dict(), span, data.ranking)
        url_view = url_view.with_changes(flt=IncidentFilter())
    apply_view(url_view, span, groups)
    ss["_data_key"] = data.key

# ---------------------------------------------------------------- widgets
sb = st.sidebar
sb.header("Filters")
sb.slider(
    "Time range",
    min_value=span[0],
    max_value=span[1],
    step=timedelta(days=1),
    format="YYYY-MM-DD",
    key="window",
)
c1, c2 = sb.columns(2)
c1.button("◀ Back", key="step_back", on_click=on_step, args=(span, True), width="stretch")
c2.button("Next ▶", key="step_forward", on_click=on_step, args=(span, False), width="stretch")
sb.radio("Step by", STEPS, key="step", horizontal=True, format_func=str.capitalize)
c1, c2 = sb.columns([2, 3], vertical_alignment="center")
c1.toggle("Play", key="playing", on_change=on_play, args=(span,))
c2.select_slider("Speed", SPEEDS, value=1.0, key="speed", label_visibility="collapsed",
                format_func=lambda s: f"{s:g} s per step")  # fmt: skip
sb.multiselect(
    "Affiliations",
    list(groups),
    key="affiliations",
    on_change=on_affiliations,
    args=(groups,),
    help="Choosing an affiliation selects all its member groups.",
)
sb.multiselect(
    "Actors",
    index.actor_names,
    key="actors",
    on_change=on_actors,
    args=(groups,),
    help="Matches the acting side, the side acted upon and associated actors.",
)
sb.multiselect("Event type", index.event_types, key="types")
sb.multiselect("Site", index.site_keys, key="sites", format_func=lambda k: site_names.get(k, k))
sb.number_input("Minimum fatalities", min_value=0, step=1, key="min_fatalities")
sb.text_input("Search notes, location and source", key="q", max_chars=200)
if own_values:
    sb.multiselect("Filter by the file's columns", list(own_values), key="where_columns")
    for own in ss.get("where_columns", []):
        sb.multiselect(own, own_values.get(own, []), key=WHERE_KEY + own)
sb.header("Map")
sb.selectbox("Colour by", [*COLOR_BY, *own_values], key="color", format_func=legend_title)
sb.selectbox("Basemap", BASEMAPS, key="basemap", format_func=basemap_label)
sb.toggle("Group nearby markers", key="clusters")
sb.toggle("Heat map", key="heatmap")

if ss["playing"]:

    @st.fragment(run_every=float(ss["speed"]))
    def play() -> None:
        """Advance the window one step per tick; stop at the end of the data."""
        if not tick_due(time.monotonic(), ss.get("_last_tick", 0.0), float(ss["speed"])):
            return
        ss["_last_tick"] = time.monotonic()
        ss["window"], ss["playing"] = advance(tuple(ss["window"]), span, ss["step"])
        st.rerun()

    play()

# ---------------------------------------------------------------- one view
view = view_from_controls(ss.to_dict(), span, data.ranking)
selection = select_view(view, index, data_label=data.label, data_hash=data.sha256, sites=sites)
shown = selection.incidents
query = view_to_query(view, defaults=defaults)
if {k: v if isinstance(v, list) else [v] for k, v in query.items()} != query_dict():
    st.query_params.from_dict(query)

# ---------------------------------------------------------------- outputs
st.title("Incident map")
if problems:
    st.warning("Some parts of the link could not be used:")
    st.text("\n".join(problems))
st.text(selection.caption)
m1, m2, m3 = st.columns(3)
m1.metric("Incidents shown", f"{len(shown):,}", help=f"of {len(index):,} in the data")
figures = summarize_casualties(shown)
m2.metric(
    "Fatalities", figures["fatalities"].value(), help=figures["fatalities"].coverage() or None
)
m3.metric("Injuries", figures["injuries"].value(), help=figures["injuries"].coverage() or None)
if covered := [f.sentence(VERBS[k]) for k, f in figures.items() if f.is_partial]:
    st.caption("; ".join(covered).capitalize() + ".")

if len(shown) == 0:
    st.info("No incident matches these filters. Widen the time range or remove a filter.")
else:
    try:
        base = build_view_base(view, data.extent)
        layers = build_view_layers(selection)
    except MissingComponentError as exc:
        st.error(str(exc))
    else:
        # The base map is rebuilt identically each run, so the component keeps the user's
        # view; only the incident layers are swapped. returned_objects=[]: no rerun on pan.
        st_folium(base, key="map", feature_group_to_add=layers, layer_control=build_layer_control(),
                  returned_objects=[], height=580, use_container_width=True)  # fmt: skip

    st.subheader("Incidents per week")
    flt = view.flt
    table, colors = count_by_week(
        shown, view.color_by, ranking=data.ranking, start=flt.start or span[0],
        end=flt.end or span[1],
    )  # fmt: skip
    st.altair_chart(weekly_chart(table, colors, legend_title(view.color_by)), width="stretch")

    st.subheader("Incidents shown")
    # The browser gets at most TABLE_ROWS rows: the whole selection would be megabytes per
    # change at national scale. The exports below hold every incident shown.
    rows = shown[recorded_columns(shown, TABLE_COLUMNS)].tail(TABLE_ROWS).iloc[::-1].copy()
    rows["event_date"] = rows["event_date"].dt.date
    if len(shown) > TABLE_ROWS:
        st.caption(
            f"The {TABLE_ROWS:,} most recent of {len(shown):,} incidents; "
            "the CSV and GeoJSON exports hold them all."
        )
    st.dataframe(rows, hide_index=True, key="incident_table")

# ---------------------------------------------------------------- exports
with st.expander("Export the incidents shown"):
    e1, e2, e3, e4 = st.columns(4)
    e1.text_input("Report title", key="report_title", max_chars=120)
    side, ratio = REPORT_SIDE_PIXELS, REPORT_SCALE
    width = e2.number_input("PNG width (px)", *side, 2400, step=100, key="report_width")
    height = e3.number_input(
        "PNG height (px)", *side, 1697, step=100, key="report_height",
        help="The PDF is always A4 landscape.",
    )  # fmt: skip
    scale = e4.number_input(
        "Scale", *ratio, 2.0, step=0.5, key="report_scale",
        help="Device pixels per layout pixel: 2 draws text twice as sharp.",
    )  # fmt: skip
    try:
        page, size_error = PageOptions(int(width), int(height), float(scale)), False
    except ValueError as exc:  # a size the page cannot be laid out in: the user can fix it
        st.error(str(exc))
        page, size_error = PageOptions(), True
    # Callables run only on click, so a rerun never pays for an export.
    for col, (fmt, mime) in zip(
        st.columns(len(EXPORT_FORMATS)), EXPORT_FORMATS.items(), strict=True
    ):
        col.download_button(
            EXPORT_LABELS[fmt],
            partial(export_bytes, fmt, selection, page),
            file_name=export_filename(view.title, fmt),
            mime=mime,
            key=f"download_{fmt}",
            on_click="ignore",
            disabled=size_error and fmt == "png",
        )

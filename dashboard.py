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
from datetime import timedelta
from functools import partial
from pathlib import Path

import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from geo import basemap
from geo.actors import ActorTable, read_actors
from geo.dataset import Dataset, prepare_dataset
from geo.export import EXPORT_FORMATS, describe_caption, export_bytes, export_filename
from geo.filters import IncidentFilter
from geo.importers import MAX_UPLOAD_BYTES, import_file, rejected_to_csv_bytes
from geo.importers.report import summary_line
from geo.load import DEFAULT_DATA_PATH
from geo.mapview import (
    MapOptions,
    build_base_map,
    build_incident_layers,
    build_layer_control,
)
from geo.palette import COLOR_BY
from geo.prepared import load_dataset
from geo.report import ReportOptions
from geo.schema import IncidentDataError, MissingComponentError
from geo.sites import read_sites
from geo.timeline import STEPS, add_months, at_span_end, count_by_week, step_window
from geo.urlstate import filter_from_query, filter_to_query

DATA_ENV = "INCIDENT_MAP_DATA"
EXPORT_LABELS = {
    "png": "Report PNG",
    "pdf": "Report PDF",
    "html": "Map HTML",
    "csv": "CSV",
    "geojson": "GeoJSON",
}
COLOR_LABELS = {"event_type": "Event type", "actor": "Actor (side that acted)"}
BASEMAPS = ("offline", *basemap.ONLINE_BASEMAPS)
SPEEDS = (0.5, 1.0, 2.0, 4.0)  # seconds per playback step
TABLE_COLUMNS = [
    "event_date",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "location",
    "admin1",
    "country",
    "fatalities",
    "injuries",
    "notes",
    "source",
    "event_id",
]
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
    """Read and index a file once per version (the frame is never mutated, so it is shared).

    The prepared copy (:mod:`geo.prepared`) makes a restarted server read Parquet instead
    of importing the file again.
    """
    return load_dataset(path)


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


def covered_groups(groups: dict[str, list[str]], actors: list[str]) -> list[str]:
    chosen = set(actors)
    return [g for g, members in groups.items() if chosen.issuperset(members)]


def reset_filters(data: Dataset, groups: dict[str, list[str]], span, params) -> list[str]:
    """Put a filter (from the URL, or none) into the widgets' state."""
    idx = data.index
    flt, problems = filter_from_query(
        params, actors=idx.actor_names, event_types=idx.event_types, sites=idx.site_keys
    )
    lo, hi = span
    start = min(max(flt.start or lo, lo), hi)
    ss["window"] = (start, max(min(flt.end or hi, hi), start))
    ss["actors"] = list(flt.actors)
    ss["affiliations"] = covered_groups(groups, ss["actors"])
    ss["types"], ss["sites"] = list(flt.event_types), list(flt.sites)
    ss["min_fatalities"], ss["q"] = flt.min_fatalities, flt.text
    ss["playing"] = False
    return problems


def on_affiliations(groups: dict[str, list[str]]) -> None:
    """Choosing an affiliation selects its member groups; dropping it drops them."""
    before, now = set(ss.get("_affiliations", [])), set(ss["affiliations"])
    actors = list(ss["actors"])
    for group in now - before:
        actors += [a for a in groups[group] if a not in actors]
    dropped = {a for group in before - now for a in groups[group]}
    ss["actors"] = [a for a in actors if a not in dropped]
    ss["affiliations"] = ss["_affiliations"] = covered_groups(groups, ss["actors"])


def on_actors(groups: dict[str, list[str]]) -> None:
    ss["affiliations"] = ss["_affiliations"] = covered_groups(groups, ss["actors"])


def on_step(span, backward: bool) -> None:
    ss["window"] = step_window(tuple(ss["window"]), ss["step"], span, backward=backward)


def on_play(span) -> None:
    """Start from the beginning when at the end; a window of the whole span shrinks to a step."""
    start, end = ss["window"]
    if ss["playing"] and (start, end) == tuple(span):
        step = timedelta(days=6) if ss["step"] == "week" else add_months(span[0], 1) - span[0]
        ss["window"] = (span[0], min(span[0] + step, span[1]))
    elif ss["playing"] and at_span_end((start, end), span):
        ss["window"] = (span[0], min(span[0] + (end - start), span[1]))
    ss["_last_tick"] = time.monotonic()


# ---------------------------------------------------------------- data
reference_error = None
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
span = index.date_span
if span is None:
    st.info("This file holds no incident that could be shown.")
    st.stop()
if span[0] == span[1]:  # a slider needs two distinct ends
    span = (span[0], span[1] + timedelta(days=1))
groups = actor_table.groups(index.actor_names) if actor_table else {}
site_names = dict(zip(sites["site_id"], sites["name"], strict=True)) if sites is not None else {}

problems: list[str] = []
if ss.get("_data_key") != data.key:
    first_visit = "_data_key" not in ss
    params = query_dict() if first_visit else {}
    problems = reset_filters(data, groups, span, params)
    ss["_affiliations"] = ss["affiliations"]
    if first_visit:
        color, base = params.get("color", [""])[-1], params.get("basemap", [""])[-1]
        ss["color"] = color if color in COLOR_BY else COLOR_BY[0]
        ss["basemap"] = base if base in BASEMAPS else "offline"
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
c2.select_slider(
    "Speed",
    SPEEDS,
    value=1.0,
    key="speed",
    label_visibility="collapsed",
    format_func=lambda s: f"{s:g} s per step",
)
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
sb.header("Map")
sb.selectbox("Colour by", COLOR_BY, key="color", format_func=COLOR_LABELS.get)
sb.selectbox(
    "Basemap",
    BASEMAPS,
    key="basemap",
    format_func=lambda b: "Offline (bundled)" if b == "offline" else f"{b} (online)",
)
sb.toggle("Group nearby markers", value=True, key="clusters")
sb.toggle("Heat map", value=False, key="heatmap")

if ss["playing"]:

    @st.fragment(run_every=float(ss["speed"]))
    def play() -> None:
        """Advance the window one step per tick; stop at the end of the data."""
        if time.monotonic() - ss.get("_last_tick", 0.0) < 0.8 * float(ss["speed"]):
            return
        ss["_last_tick"] = time.monotonic()
        ss["window"] = step_window(tuple(ss["window"]), ss["step"], span)
        if at_span_end(ss["window"], span):
            ss["playing"] = False
        st.rerun()

    play()

# ---------------------------------------------------------------- one filter
lo, hi = span
w_start, w_end = ss["window"]
flt = IncidentFilter(
    start=w_start if w_start > lo else None,
    end=w_end if w_end < hi else None,
    actors=tuple(ss["actors"]),
    event_types=tuple(ss["types"]),
    sites=tuple(ss["sites"]),
    min_fatalities=int(ss["min_fatalities"]),
    text=ss["q"].strip(),
)
shown = index.select(flt)

query: dict[str, str | list[str]] = dict(filter_to_query(flt))
if ss["color"] != COLOR_BY[0]:
    query["color"] = ss["color"]
if ss["basemap"] != "offline":
    query["basemap"] = ss["basemap"]
if {k: v if isinstance(v, list) else [v] for k, v in query.items()} != query_dict():
    st.query_params.from_dict(query)

# ---------------------------------------------------------------- outputs
st.title("Incident map")
if problems:
    st.warning("Some parts of the link could not be used:")
    st.text("\n".join(problems))
caption = describe_caption(flt, shown, len(index))
st.text(caption)
m1, m2, m3 = st.columns(3)
m1.metric("Incidents shown", f"{len(shown):,}", help=f"of {len(index):,} in the data")
m2.metric("Fatalities", f"{int(shown['fatalities'].sum()):,}")
m3.metric("Injuries", f"{int(shown['injuries'].fillna(0).sum()):,}")

options = MapOptions(
    color_by=ss["color"],
    basemap=ss["basemap"],
    show_clusters=ss["clusters"],
    show_heatmap=ss["heatmap"],
    title="Incidents",
    caption=caption,
    actors=data.ranking,
)
map_sites = None
if sites is not None:
    map_sites = sites[sites["site_id"].isin(shown["site_id"].unique())]
    map_sites = map_sites if len(map_sites) else None

if len(shown) == 0:
    st.info("No incident matches these filters. Widen the time range or remove a filter.")
else:
    try:
        base = build_base_map(options=options, bounds=data.bounds)
        layers = build_incident_layers(shown, options=options, sites=map_sites)
    except MissingComponentError as exc:
        st.error(str(exc))
    else:
        # The base map is rebuilt identically each run, so the component keeps the user's
        # view; only the incident layers are swapped. returned_objects=[]: no rerun on pan.
        st_folium(
            base,
            key="map",
            feature_group_to_add=layers,
            layer_control=build_layer_control(),
            returned_objects=[],
            height=580,
            use_container_width=True,
        )

    import altair as alt  # the chart comes after the map: its import does not delay it

    st.subheader("Incidents per week")
    table, colors = count_by_week(
        shown, ss["color"], ranking=data.ranking, start=flt.start or lo, end=flt.end or hi
    )
    chart = (
        alt.Chart(table)
        .mark_bar()
        .encode(
            x=alt.X("week:T", title="Week", axis=alt.Axis(format="%d %b %Y", labelOverlap=True)),
            y=alt.Y("sum(incidents):Q", title="Incidents"),
            color=alt.Color(
                "group:N",
                title=COLOR_LABELS[ss["color"]],
                sort=list(colors),
                scale=alt.Scale(domain=list(colors), range=list(colors.values())),
                legend=alt.Legend(orient="bottom", columns=3, labelLimit=320),
            ),
            tooltip=[alt.Tooltip("week:T", title="Week of"), "group:N", "incidents:Q"],
        )
        .properties(height=220)
    )
    st.altair_chart(chart, width="stretch")

    st.subheader("Incidents shown")
    # The browser gets at most TABLE_ROWS rows: the whole selection would be megabytes per
    # change at national scale. The exports below hold every incident shown.
    view = shown[TABLE_COLUMNS].tail(TABLE_ROWS).iloc[::-1].copy()
    view["event_date"] = view["event_date"].dt.date
    if len(shown) > TABLE_ROWS:
        st.caption(
            f"The {TABLE_ROWS:,} most recent of {len(shown):,} incidents; "
            "the CSV and GeoJSON exports hold them all."
        )
    st.dataframe(view, hide_index=True, key="incident_table")

# ---------------------------------------------------------------- exports
with st.expander("Export the incidents shown"):
    e1, e2, e3, e4 = st.columns(4)
    title = e1.text_input("Report title", value="Incidents", key="report_title", max_chars=120)
    width = e2.number_input("PNG width (px)", 200, 20_000, 2400, step=100, key="report_width")
    height = e3.number_input(
        "PNG height (px)",
        200,
        20_000,
        1697,
        step=100,
        key="report_height",
        help="The PDF is always A4 landscape.",
    )
    scale = e4.number_input(
        "Scale",
        0.5,
        8.0,
        2.0,
        step=0.5,
        key="report_scale",
        help="Device pixels per layout pixel: 2 draws text twice as sharp.",
    )
    try:
        report_options = ReportOptions(
            title=title or "Incidents",
            width=int(width),
            height=int(height),
            scale=float(scale),
            color_by=ss["color"],
            actor_ranking=data.ranking,
        )
    except ValueError as exc:  # a size the page cannot be laid out in: the user can fix it
        st.error(str(exc))
        report_options = ReportOptions(
            title=title or "Incidents", color_by=ss["color"], actor_ranking=data.ranking
        )
        size_error = True
    else:
        size_error = False
    # Callables run only on click, so a rerun never pays for an export.
    for col, (fmt, mime) in zip(
        st.columns(len(EXPORT_FORMATS)), EXPORT_FORMATS.items(), strict=True
    ):
        make = partial(
            export_bytes,
            fmt,
            shown,
            flt=flt,
            total=len(index),
            options=report_options,
            data_label=data.label,
            data_hash=data.sha256,
            sites=map_sites,
        )
        col.download_button(
            EXPORT_LABELS[fmt],
            make,
            file_name=export_filename(title, fmt),
            mime=mime,
            key=f"download_{fmt}",
            on_click="ignore",
            disabled=size_error and fmt == "png",
        )

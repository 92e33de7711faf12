"""Incident map dashboard: where and when incidents happened, and who was involved.

Run ``streamlit run dashboard.py`` for the bundled data,
``streamlit run dashboard.py -- --data PATH`` (or ``INCIDENT_MAP_DATA=PATH``) for another file,
or ``streamlit run dashboard.py -- --db URL`` (or ``INCIDENT_MAP_DB=URL``) for an incident store.
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta
from functools import partial

import geopandas as gpd
import streamlit as st

from geo.actors import ActorTable
from geo.columns import own_columns
from geo.export import EXPORT_FORMATS, export_bytes, export_filename
from geo.figures import VERBS
from geo.filters import DEFAULT_REVIEW_STATES, REVIEW_STATES, IncidentFilter
from geo.importers import MAX_UPLOAD_BYTES, rejected_to_csv_bytes
from geo.importers.report import summary_line
from geo.limits import REPORT_SCALE, REPORT_SIDE_PIXELS
from geo.mapview.areas import build_area_layer, build_choropleth_layer
from geo.palette import COLOR_BY
from geo.playback import advance, tick_due
from geo.provinces import CHOROPLETH_MEASURES
from geo.report import PageOptions
from geo.schema import IncidentDataError, MissingComponentError
from geo.source import FileSource, IncidentSource, build_page_layers, export_selection
from geo.store.errors import StoreError
from geo.symbology import legend_title
from geo.timeline import STEPS, weekly_chart
from geo.urlstate import view_from_query, view_to_query
from geo.view import BASEMAPS, WHERE_KEY, View, roles_beyond_controls, view_from_controls
from geo.webtext import markdown_text
from ui.areas import area_controls, range_slider
from ui.bundled import bundled_incidents, show_bundled_line, show_bundled_sources
from ui.compare import compare_controls, compare_query, show_comparison
from ui.controls import (
    apply_view,
    basemap_label,
    on_actors,
    on_affiliations,
    on_play,
    on_step,
    query_dict,
)
from ui.mappayload import shared_layers
from ui.mapview import fit_on_open, show_map
from ui.selection import chosen_incident, focus_once, show_details, show_table, table_key
from ui.sources import (
    TABLE_ROWS,
    data_source,
    drop_upload,
    import_upload,
    load_file,
    load_reference,
    load_store,
    page_of,
    shared_page,
    uploads,
)
from ui.timelapse import timelapse_download

EXPORT_LABELS = {"png": "Report PNG", "pdf": "Report PDF", "html": "Map HTML", "csv": "CSV",
                 "geojson": "GeoJSON"}  # fmt: skip
SPEEDS = (0.5, 1.0, 2.0, 4.0)  # seconds per playback step
TABLE_COLUMNS = ["event_date", "event_type", "sub_event_type", "actor1", "actor2", "location",
                 "admin1", "country", "fatalities", "injuries", "notes", "source",
                 "event_id"]  # fmt: skip
ROLE_LABELS = {"any": "Any side", "actor1": "Acting", "actor2": "Acted upon"}
# Playback writes the next window and state here; they are applied before the widgets
# exist, since a widget's value cannot be set once it is drawn in a run.
PENDING = "_pending"
UPLOAD_TYPES = ["csv", "tsv", "txt", "geojson", "json", "gpkg", "parquet", "geoparquet"]
ss = st.session_state

st.set_page_config(page_title="Incident map", layout="wide")
# Streamlit's default top padding leaves about 100 px blank above the title.
st.html("<style>[data-testid='stMainBlockContainer'] { padding-top: 2.5rem; }</style>")


def export_source(fmt: str, view: View, source: IncidentSource, sites, page: PageOptions) -> bytes:
    """Read every incident the view shows (only on click) and make one export."""
    return export_bytes(fmt, export_selection(view, source, sites), page)


# ---------------------------------------------------------------- data
reference_error = None
actor_table: ActorTable | None
sites: gpd.GeoDataFrame | None
try:
    actor_table, sites = load_reference()
except IncidentDataError as exc:
    reference_error = str(exc)
    actor_table, sites = None, None

path, db_url = data_source(sys.argv[1:])
st.sidebar.header("Data")
upload = st.sidebar.container(key="upload").file_uploader(
    f"Use your own file (up to {MAX_UPLOAD_BYTES // 2**20} MB)",
    type=UPLOAD_TYPES,
    key=f"upload_{ss.get('_upload_generation', 0)}",
    max_upload_size=MAX_UPLOAD_BYTES // 2**20,
    help="ACLED or UCDP exports, CSV with dates and coordinates or place names, GeoJSON, "
    "GeoPackage or GeoParquet. It replaces the data for this browser session only.",
)
if upload is not None:
    import_upload(upload)
if upload_error := ss.get("_upload_error"):
    st.sidebar.error(markdown_text(upload_error))  # the message names the file: as written
source: IncidentSource
try:
    upload_store, session_id = uploads()
    if (uploaded := upload_store.get(session_id)) is not None:
        source = FileSource(uploaded)
        st.sidebar.button("Back to the server's data", key="drop_upload", on_click=drop_upload)
    elif db_url:
        source = load_store(db_url)
    else:
        stat = path.stat() if path.exists() else None
        source = FileSource(load_file(
            str(path.resolve()), stat.st_mtime_ns if stat else 0, stat.st_size if stat else 0
        ))  # fmt: skip
except (IncidentDataError, StoreError) as exc:  # includes UnreadableFileError
    st.error(markdown_text(str(exc)))  # the message names the file: shown as written
    st.stop()

if source.result is None:
    st.sidebar.text(f"{source.label}: {source.total:,} incidents")
else:
    st.sidebar.text(f"{source.label}: {summary_line(source.result)}")  # names are not markdown
n_rejected = len(source.result.rejected) if source.result is not None else 0
if source.result is not None and n_rejected:
    with st.sidebar.expander(f"{n_rejected:,} rejected record{'s' if n_rejected != 1 else ''}"):
        st.dataframe(source.result.rejected.head(10), hide_index=True, key="rejected_table")
        st.download_button(
            "Download all rejected records (CSV)",
            rejected_to_csv_bytes(source.result),
            file_name="rejected.csv",
            mime="text/csv",
            key="download_rejected",
            on_click="ignore",
        )
for note in source.result.warnings if source.result is not None else ():
    st.sidebar.text(note)
if reference_error:
    st.sidebar.warning(markdown_text(reference_error))

data_span = source.date_span
if data_span is None:
    st.info(f"{'The store' if db_url else 'This file'} holds no incident that could be shown.")
    st.stop()
# A slider needs two distinct ends.
span = data_span if data_span[0] < data_span[1] else (data_span[0], data_span[1] + timedelta(1))
groups = actor_table.groups(source.actor_names) if actor_table else {}
site_names = dict(zip(sites["site_id"], sites["name"], strict=True)) if sites is not None else {}

# The file's own categorical columns filter and colour the map (a store's filter only);
# its numeric columns filter by range.
own_values, own_spans = source.own_values, source.own_spans
provinces = source.province_names()
problems: list[str] = []
reviewed = not isinstance(source, FileSource)  # a store's incidents have review states
defaults = View(  # what a bare URL opens; links stay short
    actor_ranking=source.ranking,
    flt=IncidentFilter(statuses=DEFAULT_REVIEW_STATES if reviewed else ()),
)
if ss.get("_data_key") != source.key:
    first_visit = "_data_key" not in ss
    url_view, problems = view_from_query(
        query_dict() if first_visit else {},
        actors=source.actor_names,
        event_types=source.event_types,
        sites=source.site_keys,
        defaults=defaults,
        columns=own_values,
        statuses=REVIEW_STATES if reviewed else None,
        numeric=own_spans,
        colour_columns=source.colour_columns,
        provinces=provinces,
    )
    if not first_visit:  # a new file keeps the presentation, not the filters
        url_view = view_from_controls(ss.to_dict(), span, source.ranking)
        url_view = url_view.with_changes(flt=defaults.flt)
    apply_view(url_view, span, groups)
    if first_visit:
        fit_on_open(url_view)
    problems += roles_beyond_controls(url_view.flt)
    ss["_data_key"] = source.key
if pending := ss.pop(PENDING, None):
    ss.update(pending)

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
c1.toggle("Play", key="playing", on_change=on_play, args=(span, source))
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
    source.actor_names,
    key="actors",
    on_change=on_actors,
    args=(groups,),
    help="Matched on the side chosen below; associated actors count with their side.",
)
sb.radio("Actors' side", tuple(ROLE_LABELS), key="actor_role", horizontal=True,
         format_func=ROLE_LABELS.__getitem__)  # fmt: skip
sb.multiselect("Event type", source.event_types, key="types")
sb.multiselect("Site", source.site_keys, key="sites", format_func=lambda k: site_names.get(k, k))
sb.number_input("Minimum fatalities", min_value=0, step=1, key="min_fatalities")
sb.text_input("Search notes, location and source", key="q", max_chars=200)
if reviewed:
    sb.multiselect("Review state", REVIEW_STATES, key="statuses",
                   help="By default all but the rejected; none chosen: every state.")  # fmt: skip
sb.multiselect("Province", provinces, key="admin1")
if own_values or own_spans:
    sb.multiselect("Filter by the file's columns", [*own_values, *own_spans], key="where_columns")
    for column in ss.get("where_columns", []):
        if column in own_spans:
            range_slider(column, own_spans[column])
        else:
            sb.multiselect(column, own_values.get(column, []), key=WHERE_KEY + column)
area_controls()
sb.header("Map")
sb.selectbox("Colour by", [*COLOR_BY, *source.colour_columns], key="color",
             format_func=legend_title)  # fmt: skip
sb.selectbox("Basemap", BASEMAPS, key="basemap", format_func=basemap_label)
sb.toggle("Group nearby markers", key="clusters")
sb.toggle("Heat map", key="heatmap")
compare = compare_controls(span)
sb.selectbox("Shade provinces by", ["", *CHOROPLETH_MEASURES], key="choropleth",
             format_func=lambda m: m.capitalize() or "Nothing")  # fmt: skip

if ss["playing"]:

    @st.fragment(run_every=float(ss["speed"]))
    def play() -> None:
        """Advance one step per tick: the rerun applies the window before its slider exists."""
        if not tick_due(time.monotonic(), ss.get("_last_tick", 0.0), float(ss["speed"])):
            return
        ss["_last_tick"] = time.monotonic()
        window, playing = advance(tuple(ss["window"]), span, ss["step"])
        ss[PENDING] = {"window": window, "playing": playing}
        st.rerun()

    play()

# ---------------------------------------------------------------- one view
view = view_from_controls(ss.to_dict(), span, source.ranking)
known_sites = None if sites is None else tuple(sites["site_id"])
try:  # with a store, filters, counts and aggregates run in the database
    shared = uploaded is None and not db_url  # the server's file: one page per view for all
    if shared:
        page = shared_page(source.key, view.data_key, source, view, span, known_sites)
    else:  # an upload is this session's alone; a store is asked afresh (others edit it)
        page = page_of(source, view, span, known_sites)
except StoreError as exc:
    st.error(markdown_text(str(exc)))
    st.stop()
query = view_to_query(view, defaults=defaults) | compare_query(compare)
if {k: v if isinstance(v, list) else [v] for k, v in query.items()} != query_dict():
    st.query_params.from_dict(query)

# ---------------------------------------------------------------- outputs
st.title("Incident map")
bundled = bundled_incidents(source, path, uploaded=uploaded is not None, db_url=db_url)
if bundled is not None:
    show_bundled_line(bundled)
# Notes that come and go sit in containers that are always drawn: the map's fragment
# then keeps its place on the page, and the map its view.
with st.container():
    if problems:
        st.warning("Some parts of the link could not be used:")
        st.text("\n".join(problems))
st.text(page.caption)
with st.container():
    if uploaded is not None:
        st.caption(
            f"This page's link keeps the filters and the view, not {markdown_text(source.label)}: "
            "whoever opens it sees the server's data."
        )
m1, m2, m3 = st.columns(3)
m1.metric("Incidents shown", f"{page.count:,}", help=f"of {source.total:,} in the data")
figures = page.figures
m2.metric(
    "Fatalities", figures["fatalities"].value(), help=figures["fatalities"].coverage() or None
)
m3.metric("Injuries", figures["injuries"].value(), help=figures["injuries"].coverage() or None)
with st.container():
    if covered := [f.sentence(VERBS[k]) for k, f in figures.items() if f.is_partial]:
        st.caption("; ".join(covered).capitalize() + ".")
    if n_rejected:
        st.warning(
            f"{n_rejected:,} of the {n_rejected + source.total:,} records in "
            f"{markdown_text(source.label)} were rejected and are not counted here; the sidebar "
            "lists them with the reason."
        )
    if page.count == 0:
        st.info("No incident matches these filters. Widen the time range or remove a filter.")
# The map stays even when empty, so an empty playback step keeps the user's view.
incidents_table = table_key(source.key, view)
chosen = chosen_incident(incidents_table, page.recent)
try:
    build_layers = partial(build_page_layers, view, page, source, sites)
    layers = shared_layers(source.key, view.data_key, build_layers) if shared else build_layers()
    layers = [*layers, build_area_layer(view.flt)]
    if view.choropleth:
        layers.insert(1, build_choropleth_layer(source.province_counts(view.flt, view.choropleth)))
except MissingComponentError as exc:
    st.error(markdown_text(str(exc)))
else:
    show_map(view, page, source, layers, chosen, focus=focus_once(chosen))
if compare:
    show_comparison(view, compare, source, sites, span, known_sites, PageOptions())
if page.count:
    st.subheader("Incidents per week")
    chart = weekly_chart(page.weekly, page.colors, legend_title(view.color_by))
    st.altair_chart(chart, width="stretch")

    st.subheader("Incidents shown")
    # The browser gets at most TABLE_ROWS rows: the whole selection would be megabytes per
    # change at national scale. The exports below hold every incident shown.
    # A casualty column that no incident shown records is left out, not filled with 0.
    recorded = [c for c in TABLE_COLUMNS if c not in figures or figures[c].is_recorded]
    rows = page.recent[recorded].copy()
    rows["event_date"] = rows["event_date"].dt.date
    if page.count > TABLE_ROWS:
        st.caption(
            f"The {TABLE_ROWS:,} most recent of {page.count:,} incidents; "
            "the CSV and GeoJSON exports hold them all."
        )
    show_table(rows, incidents_table)
    show_details(chosen, own_columns(page.recent))

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
        page_size, size_error = PageOptions(int(width), int(height), float(scale)), False
    except ValueError as exc:  # a size the page cannot be laid out in: the user can fix it
        st.error(markdown_text(str(exc)))
        page_size, size_error = PageOptions(), True
    # Callables run only on click, so a rerun never pays for an export.
    for col, (fmt, mime) in zip(
        st.columns(len(EXPORT_FORMATS)), EXPORT_FORMATS.items(), strict=True
    ):
        col.download_button(
            EXPORT_LABELS[fmt],
            partial(export_source, fmt, view, source, sites, page_size),
            file_name=export_filename(view.title, fmt),
            mime=mime,
            key=f"download_{fmt}",
            on_click="ignore",
            disabled=size_error and fmt == "png",
        )
    timelapse_download(view, source, sites)
if bundled is not None:
    show_bundled_sources(bundled)

"""Curation page: add, correct, review, merge and restore the incidents of a store.

Served with the dashboard (``streamlit run dashboard.py -- --db URL``, or
``INCIDENT_MAP_DB``). Every rule lives in :mod:`geo.store.curation`; this page shows its
answers. Values typed by users are shown as text (``st.text``, tables), never as Markdown.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Any

import folium
import streamlit as st
from streamlit_folium import st_folium

from geo.accounts import identify
from geo.actors import read_actors
from geo.importers import _BundledSites
from geo.importers.geocode import lookup_geonames, lookup_site
from geo.mapview import build_base_map
from geo.schema import EVENT_TYPES, MissingComponentError
from geo.store import IncidentStore, StoreError, open_store
from geo.store.curation import Curator, EditConflict, export_curated
from geo.store.engine import ENV_VAR
from geo.store.entry import InvalidIncidentError, entry_text
from geo.store.schema import STATUSES
from geo.store.store import default_user

ss = st.session_state
NEW = "(new incident)"
NEW_FORM_FIELDS = ("source_url",)
TEXT_FIELDS = ("event_id", "location", "admin1", "country", "site_id", "assoc_actor_1",
               "assoc_actor_2", "notes", "source", "source_file", "source_quote",
               "coord_source")  # fmt: skip
AREA_FIELDS = ("notes", "source_quote")
NUMBER_FIELDS = ("fatalities", "injuries", "uncertainty_km", "latitude", "longitude")


def db_url(argv: list[str]) -> str | None:
    parser = argparse.ArgumentParser(prog="dashboard.py", allow_abbrev=False)
    parser.add_argument("--db", default=None)
    args, _ = parser.parse_known_args(argv)
    return args.db or os.environ.get(ENV_VAR) or None


@st.cache_resource(max_entries=2)
def shared_store(url: str) -> IncidentStore:
    """One engine (connection pool) per store for every session of this process."""
    return open_store(url)


@st.cache_resource
def reference() -> tuple[Any, Any]:
    return read_actors(), _BundledSites()


def plain(text: str) -> str:
    """Escape Markdown, so text typed by a user renders as the characters typed."""
    return re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~$:])", r"\\\1", text)


def show_error(field: str) -> None:
    message = ss.get("errors", {}).get(field)
    if message:
        st.error(plain(message), icon=None)


def form_key(field: str) -> str:
    return f"f_{field}"


def load_form(values: dict[str, Any], version: int | None) -> None:
    """Fill the form's widgets from an incident (or empty them for a new one)."""
    for field in (*TEXT_FIELDS, *NUMBER_FIELDS, "event_date", "end_date", "source_url"):
        value = values.get(field)
        if field == "source_url":
            value = (values.get("extra") or {}).get("source_url")
        ss[form_key(field)] = entry_text(value)
    ss[form_key("event_type")] = values.get("event_type") or next(iter(EVENT_TYPES))
    subs = EVENT_TYPES[ss[form_key("event_type")]]
    ss[form_key("sub_event_type")] = values.get("sub_event_type") or subs[0]
    ss[form_key("actor1")] = values.get("actor1") or None
    ss[form_key("actor2")] = values.get("actor2") or None
    ss[form_key("time_precision")] = int(values.get("time_precision") or 1)
    ss[form_key("geo_precision")] = int(values.get("geo_precision") or 1)
    ss[form_key("date_basis")] = values.get("date_basis") or "source"
    ss["form_version"] = version
    ss["errors"] = {}


def form_values() -> dict[str, Any]:
    fields = (*TEXT_FIELDS, *NUMBER_FIELDS, "event_date", "end_date", "event_type",
              "sub_event_type", "actor1", "actor2", "time_precision", "geo_precision",
              "date_basis", "source_url")  # fmt: skip
    values = {f: ss.get(form_key(f)) for f in fields}
    actors = reference()[0]
    for side in ("actor1", "actor2"):
        name = (values[side] or "").strip()
        values[side] = actors.canonical(name) or name
    return values


def on_pick_place() -> None:
    place = (ss.get(form_key("location")) or "").strip()
    found = lookup_site(place, reference()[1]) or lookup_geonames(
        place, ss.get(form_key("country")) or ""
    )
    if found is None:
        ss["errors"] = {"location": f"{place!r} is in neither the sites gazetteer nor GeoNames"}
        return
    ss[form_key("latitude")] = entry_text(found["lat"])
    ss[form_key("longitude")] = entry_text(found["lon"])
    ss[form_key("geo_precision")] = int(str(found["geo_precision"]))
    ss[form_key("uncertainty_km")] = entry_text(found["uncertainty_km"])
    ss[form_key("site_id")] = str(found["site_id"])
    ss[form_key("coord_source")] = str(found["coord_source"])
    if found["country"] and not ss.get(form_key("country")):
        ss[form_key("country")] = str(found["country"])
    ss["errors"] = {}


def on_save(curator: Curator, incident_id: int | None) -> None:
    values = form_values()
    try:
        if incident_id is None:
            new_id = curator.add(values)
            ss["selected"] = new_id
            ss["notice"] = f"Added incident {new_id} as a draft."
            ss["_load"] = True
        else:
            curator.update(incident_id, values, expected_version=ss["form_version"])
            ss["notice"] = f"Saved incident {incident_id}."
            ss["_load"] = True
        ss["errors"] = {}
    except InvalidIncidentError as exc:
        ss["errors"] = exc.errors
        ss["notice"] = None
    except EditConflict as exc:
        ss["conflict"] = exc
        ss["errors"] = {}
    except StoreError as exc:
        ss["errors"] = {"_": str(exc)}


def on_resolve(curator: Curator, conflict: EditConflict) -> None:
    chosen = {
        f: conflict.mine.get(f) if ss.get(f"pick_{f}") == "mine" else conflict.theirs.get(f)
        for f in conflict.fields
    }
    try:
        curator.update(conflict.incident_id, chosen, expected_version=conflict.current)
    except EditConflict as exc:
        ss["conflict"] = exc
        return
    except (InvalidIncidentError, StoreError) as exc:
        ss["errors"] = {"_": str(exc)}
        return
    ss["conflict"] = None
    ss["notice"] = f"Saved incident {conflict.incident_id} with the chosen values."
    ss["_load"] = True


def on_action(what: str, call: Any) -> None:
    try:
        call()
    except EditConflict as exc:
        ss["conflict"] = exc
        return
    except StoreError as exc:
        ss["errors"] = {"_": str(exc)}
        return
    ss["notice"] = what
    ss["errors"] = {}
    ss["_load"] = True


st.set_page_config(page_title="Curation", layout="wide")
st.title("Curation")
url = db_url(sys.argv[1:])
if url is None:
    st.info(f"Curation edits a store: start the dashboard with -- --db URL or set {ENV_VAR}.")
    st.stop()
try:
    shared = shared_store(url)
except StoreError as exc:
    st.error(str(exc))
    st.stop()

who = identify(st.user.to_dict(), embedded=shared.dialect == "sqlite", local_user=default_user())
curator = Curator(IncidentStore(shared.engine, who.name), sites=reference()[1])
role = curator.role
editor = curator.can("edit")
reviewer = curator.can("review")
st.caption(plain(f"Signed in as {who.name} ({role}) · {shared.url}"))

default_states = [s for s in st.query_params.get_all("status") if s in STATUSES] or [
    "draft",
    "reviewed",
]
statuses = st.sidebar.multiselect(
    "Review state", list(STATUSES), default=default_states, key="status_filter"
)
st.query_params["status"] = statuses
listing = curator.listing(statuses)
st.subheader(f"{len(listing):,} incident{'' if len(listing) == 1 else 's'}")
st.dataframe(listing, hide_index=True, key="listing", height=220)

labels = {
    int(r.id): f"{r.id} · {r.event_id} · {r.event_date} · {r.status}" for r in listing.itertuples()
}
choices: list[Any] = ([NEW] if editor else []) + list(labels)
asked = st.query_params.get("incident")
if "selected" not in ss and asked and asked.isdigit() and int(asked) in labels:
    ss["selected"] = int(asked)
if ss.get("selected") not in choices:
    ss["selected"] = choices[0] if choices else None
if not choices:
    st.info("No incident in these review states.")
    st.stop()
selected = st.selectbox(
    "Incident", choices, key="selected", format_func=lambda c: labels.get(c, str(c))
)
if selected == NEW:
    st.query_params.pop("incident", None)
else:
    st.query_params["incident"] = str(selected)
incident = None if selected == NEW else curator.get(int(selected))
reload = ss.pop("_load", False)  # popped first: a pending reload must not outlive this run
if ss.get("_shown") != selected or reload:
    load_form(incident.values if incident else {}, incident.version if incident else None)
    ss["_shown"] = selected
    ss["conflict"] = None

click = ss.pop("_pending_click", None)
if click is not None:  # applied before the widgets exist, so their values may change
    ss[form_key("latitude")] = f"{click['lat']:.5f}"
    ss[form_key("longitude")] = f"{click['lng']:.5f}"
    ss[form_key("coord_source")] = "picked on the map"

if ss.get("notice"):
    st.success(ss.pop("notice"))
show_error("_")

conflict = ss.get("conflict")
if conflict is not None and editor:
    st.warning(
        f"Someone else saved incident {conflict.incident_id} (version {conflict.current}) "
        f"after you opened version {conflict.expected}. Choose, field by field, what to keep."
    )
    for field in conflict.fields:
        cols = st.columns([1, 3, 3])
        cols[0].text(field)
        cols[1].text(f"Yours: {entry_text(conflict.mine.get(field))}")
        cols[2].text(f"Stored: {entry_text(conflict.theirs.get(field))}")
        st.radio(field, ["theirs", "mine"], key=f"pick_{field}", horizontal=True,
                 format_func={"theirs": "keep stored", "mine": "keep yours"}.get,
                 label_visibility="collapsed")  # fmt: skip
    st.button("Save the chosen values", key="resolve", on_click=on_resolve,
              args=(curator, conflict))  # fmt: skip
    st.stop()

if incident is not None:
    st.text(
        f"Version {incident.version} · {incident.status} · last change by {incident.updated_by}"
    )

if not editor:
    values = incident.values if incident else {}
    st.dataframe(
        [{"field": k, "value": entry_text(v)} for k, v in values.items() if k != "extra"],
        hide_index=True,
        key="readonly",
    )
else:
    left, right = st.columns(2)
    with left:
        st.text_input("event_date (YYYY-MM-DD)", key=form_key("event_date"))
        show_error("event_date")
        st.text_input("end_date (optional)", key=form_key("end_date"))
        show_error("end_date")
        st.selectbox("time_precision", [1, 2, 3], key=form_key("time_precision"))
        st.selectbox("event_type", list(EVENT_TYPES), key=form_key("event_type"))
        show_error("event_type")
        subs = list(EVENT_TYPES[ss[form_key("event_type")]])
        if ss.get(form_key("sub_event_type")) not in subs:
            ss[form_key("sub_event_type")] = subs[0]
        st.selectbox("sub_event_type", subs, key=form_key("sub_event_type"))
        show_error("sub_event_type")
        actors = reference()[0]
        names = sorted(set(actors.aliases.values()))
        aliases = {n: [a for a, c in actors.aliases.items() if c == n] for n in names}
        for side in ("actor1", "actor2"):
            current = ss.get(form_key(side))
            options = names if current in (None, *names) else [current, *names]
            st.selectbox(
                side, options, key=form_key(side), accept_new_options=True, index=None,
                format_func=lambda n: f"{n} ({', '.join(aliases[n][:4])})" if aliases.get(n) else n,
                placeholder="Pick an actor or type a new one",
            )  # fmt: skip
            show_error(side)
        for field in ("assoc_actor_1", "assoc_actor_2"):
            st.text_input(f"{field} (; separated)", key=form_key(field))
        st.text_input("fatalities (empty: not reported)", key=form_key("fatalities"))
        show_error("fatalities")
        st.text_input("injuries (empty: not reported)", key=form_key("injuries"))
        show_error("injuries")
        st.selectbox("date_basis", ["source", "external"], key=form_key("date_basis"))
        show_error("date_basis")
        for field in ("notes", "source", "source_url", "source_file", "source_quote"):
            if field in AREA_FIELDS:
                st.text_area(field, key=form_key(field))
            else:
                st.text_input(field, key=form_key(field))
            show_error(field)
    with right:
        st.text_input("location (place name)", key=form_key("location"))
        st.button("Find the place", key="pick_place", on_click=on_pick_place)
        show_error("location")
        for field in ("admin1", "country", "site_id"):
            st.text_input(field, key=form_key(field))
        st.text_input("latitude", key=form_key("latitude"))
        show_error("latitude")
        st.text_input("longitude", key=form_key("longitude"))
        show_error("longitude")
        st.selectbox("geo_precision", [1, 2, 3], key=form_key("geo_precision"))
        st.text_input("uncertainty_km", key=form_key("uncertainty_km"))
        st.text_input("coord_source", key=form_key("coord_source"))
        st.caption("Click the map to place the incident.")
        try:
            lat, lon = float(ss[form_key("latitude")]), float(ss[form_key("longitude")])
        except (TypeError, ValueError):
            lat, lon = 33.3, 44.4
        marker = folium.FeatureGroup(name="Incident")
        folium.CircleMarker([lat, lon], radius=8, color="#d62728", fill=True).add_to(marker)
        try:
            base = build_base_map()
        except MissingComponentError as exc:
            st.error(str(exc))
            clicked = None
        else:
            # Base map identical on every run: the component keeps its view; only the
            # marker is swapped. Only clicks come back.
            clicked = st_folium(
                base,
                key="place_map",
                height=360,
                feature_group_to_add=marker,
                returned_objects=["last_clicked"],
                use_container_width=True,
            )
        point = (clicked or {}).get("last_clicked")
        if point and ss.get("_last_click") != point:
            ss["_last_click"] = ss["_pending_click"] = point
            st.rerun()
    st.button("Save", key="save", type="primary", on_click=on_save,
              args=(curator, incident.id if incident else None))  # fmt: skip

if incident is not None:
    if editor:
        st.subheader("Review")
    cols = st.columns(4)
    if reviewer:
        for col, status in zip(cols, ("reviewed", "rejected"), strict=False):
            col.button(f"Mark {status}", key=f"mark_{status}", on_click=on_action,
                       args=(f"Marked {status}.", lambda s=status: curator.set_status(
                           incident.id, s, expected_version=incident.version)))  # fmt: skip
    if editor:
        cols[2].button("Back to draft", key="mark_draft", on_click=on_action,
                       args=("Back to draft.", lambda: curator.set_status(
                           incident.id, "draft", expected_version=incident.version)))  # fmt: skip
        cols[3].button("Delete", key="delete", on_click=on_action,
                       args=("Deleted (restorable from its history).",
                             lambda: curator.delete(incident.id)))  # fmt: skip
        others = [c for c in labels if c != incident.id]
        if others:
            st.subheader("Merge a duplicate into this incident")
            other = st.selectbox("Duplicate", others, key="merge_other",
                                 format_func=lambda c: labels[c])  # fmt: skip
            st.button("Merge", key="merge", on_click=on_action,
                      args=("Merged.", lambda: curator.merge(incident.id, int(other))))  # fmt: skip

    st.subheader("History")
    revisions = shared.history(incident.values["event_id"])
    revisions = [r for r in revisions if r.incident_id == incident.id]
    st.dataframe(
        [
            {
                "version": r.version,
                "when": r.changed_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
                "who": r.changed_by,
                "action": r.action,
                "changes": "; ".join(
                    f"{k}: {entry_text(r.before.get(k))} -> {entry_text(v)}"
                    for k, v in r.after.items()
                )
                if r.action != "insert"
                else "",
            }  # fmt: skip
            for r in revisions
        ],
        hide_index=True,
        key="history",
    )
    if curator.can("restore") and len(revisions) > 1:
        version = st.selectbox("Restore version", [r.version for r in revisions][:-1],
                               key="restore_version")  # fmt: skip
        st.button("Restore", key="restore", on_click=on_action,
                  args=(f"Restored version {version}.",
                        lambda: curator.restore(incident.id, int(version))))  # fmt: skip

st.subheader("Export")
for fmt in ("csv", "geojson"):
    content, caption = export_curated(shared, fmt)
    st.download_button(
        f"Download reviewed incidents ({fmt.upper()})",
        data=content,
        file_name=f"incidents-reviewed.{fmt}",
        key=f"export_{fmt}",
    )
st.caption(caption)
if st.button("Prepare the report of reviewed incidents (PDF)", key="prepare_report"):
    ss["_report"] = export_curated(shared, "pdf")[0]
if ss.get("_report"):
    st.download_button("Download the report (PDF)", data=ss["_report"],
                       file_name="incidents-reviewed.pdf", key="export_pdf")  # fmt: skip

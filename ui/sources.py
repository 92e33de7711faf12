"""Where the dashboard's incidents come from: the server's file, a store, or an upload.

Streamlit glue, kept out of :mod:`geo` (which never imports Streamlit): what a server
loads once and shares, what each session keeps, and what sessions showing the same view
share.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from geo.actors import ActorTable, read_actors
from geo.dataset import Dataset, prepare_dataset
from geo.importers import MAX_UPLOAD_BYTES, import_file
from geo.load import DEFAULT_DATA_PATH, limit_heap_arenas, release_unused_memory
from geo.prepared import load_dataset
from geo.schema import IncidentDataError
from geo.sessions import SessionData, session_data
from geo.sites import read_sites
from geo.source import IncidentSource, Page
from geo.view import View

if TYPE_CHECKING:
    from geo.store.source import StoreSource

DATA_ENV = "INCIDENT_MAP_DATA"
DB_ENV = "INCIDENT_MAP_DB"
STORE_REFRESH_S = 600  # how long a server reuses what describes the whole store (span, actors)
SHARED_VIEWS = 4  # pages kept for sessions showing the same view (each up to a selection)
TABLE_ROWS = 1000  # the table gets at most this many rows; exports hold every incident
ss = st.session_state

limit_heap_arenas()  # sessions run on threads of their own: let them share the C heaps


def data_source(argv: list[str]) -> tuple[Path, str | None]:
    """The file to serve, and the store URL that replaces it when given."""
    parser = argparse.ArgumentParser(prog="dashboard.py", allow_abbrev=False)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--db", default=None)
    args, _ = parser.parse_known_args(argv)
    path = args.data or Path(os.environ.get(DATA_ENV) or DEFAULT_DATA_PATH)
    return path, args.db or os.environ.get(DB_ENV) or None


@st.cache_resource(show_spinner="Opening the incident store...", ttl=STORE_REFRESH_S)
def load_store(url: str) -> StoreSource:
    """One store connection pool per server process, shared by its sessions."""
    from geo.store import open_store  # SQLAlchemy: only when a store is served
    from geo.store.source import StoreSource

    return StoreSource(open_store(url))


@st.cache_resource(show_spinner="Loading incidents...", max_entries=4)
def load_file(path: str, mtime_ns: int, size: int) -> Dataset:
    """Read and index a file once per version (the frame is never mutated, so it is shared).

    It comes from its prepared copy (:mod:`geo.prepared`) when there is one: a restarted
    server, or a cleared cache (any client may ask for that), reads Parquet, not an import.
    """
    return load_dataset(path)


@st.cache_resource
def load_reference() -> tuple[ActorTable, gpd.GeoDataFrame]:
    return read_actors(), read_sites()


def page_of(
    source: IncidentSource,
    view: View,
    span: tuple[date, date],
    known_sites: tuple[str, ...] | None,
) -> Page:
    """What the page shows of a view: counts, chart, map layers' data, the table's rows."""
    return source.page(view.flt, color_by=view.color_by, heatmap=view.show_heatmap,
                       table_rows=TABLE_ROWS, span=span, known_sites=known_sites)  # fmt: skip


@st.cache_resource(max_entries=SHARED_VIEWS, show_spinner=False)
def shared_page(
    source_key: str,
    view_key: str,
    _source: IncidentSource,
    _view: View,
    _span: tuple[date, date],
    _known_sites: tuple[str, ...] | None,
) -> Page:
    """One page per data version and view, shared by every session showing that view.

    Keyed by the data's key and the view's repr (a frozen dataclass of plain values); a
    page is never mutated, so sessions share it instead of filtering and counting again.
    """
    return page_of(_source, _view, _span, _known_sites)


def uploads() -> tuple[SessionData[Dataset], str]:
    """The server's store of uploads, one per session, and this session's id.

    A session's upload is dropped once the session has been gone for as long as
    Streamlit keeps a disconnected session for a reconnect.
    """
    ctx = get_script_run_ctx()
    session_id = ctx.session_id if ctx is not None else ""
    is_active = Runtime.instance().is_active_session if Runtime.exists() else (lambda _: True)
    grace = float(st.get_option("server.disconnectedSessionTTL"))
    return session_data("uploads", is_active, grace, on_drop=release_session), session_id


def release_session(session_id: str) -> None:
    """Shut down a session that ended, so that what it held can be freed.

    Streamlit keeps a closed session for a reconnect, then only forgets it when its
    session store is next touched, and never shuts it down: the stored session's widget
    callbacks keep its last run's globals (the upload's data, its page) and its export
    callables stay registered, so an upload's memory never came back. The sweeper runs
    on a thread of its own; the shutdown is handed to Streamlit's event loop, as
    ``Runtime.close_session`` requires, and the freed pages are given back after it.
    """
    if not Runtime.exists():
        return
    runtime = Runtime.instance()

    def close() -> None:
        if not runtime.is_active_session(session_id):  # not reconnected meanwhile
            runtime.close_session(session_id)
            gc.collect()  # a session and its script run's globals refer to each other
            release_unused_memory()

    try:
        loop = runtime._get_async_objs().eventloop  # no public handle on the loop
    except (AttributeError, RuntimeError):
        return
    loop.call_soon_threadsafe(close)


def import_upload(upload) -> None:
    """Import an upload into this session, then drop its bytes from Streamlit's store.

    The session keeps only the prepared data; the uploader is reset (a new key), so the
    next run does not look for the dropped bytes.
    """
    store, session_id = uploads()
    store.drop(session_id)
    ss.pop("_upload_error", None)
    try:
        data = upload.getvalue()
        with st.spinner("Importing..."):
            result = import_file(data, name=upload.name, max_bytes=MAX_UPLOAD_BYTES)
        store.put(
            session_id,
            prepare_dataset(result, upload.file_id, upload.name, hashlib.sha256(data).hexdigest()),
        )
    except IncidentDataError as exc:  # includes UnreadableFileError and the import limits
        ss["_upload_error"] = str(exc)
    finally:
        ctx = get_script_run_ctx()
        # remove_file is the in-memory store's (the one `streamlit run` uses), not the protocol's.
        remove = getattr(ctx.uploaded_file_mgr, "remove_file", None) if ctx else None
        if ctx is not None and remove is not None:
            remove(ctx.session_id, upload.file_id)
        ss["_upload_generation"] = ss.get("_upload_generation", 0) + 1
    st.rerun()


def drop_upload() -> None:
    """Go back to the server's data: the session's upload is dropped."""
    store, session_id = uploads()
    store.drop(session_id)
    ss.pop("_upload_error", None)

"""The benchmark's baselines, without Streamlit: the usual way of mapping incidents.

The baseline apps in ``benchmarks/`` (one folium marker per incident, and ``st.map``) and
``python -m geo bench`` share these pieces, so the app a browser measures and the server work
timed on its own are the same code.
"""

from __future__ import annotations

import html
import math
import time
from datetime import date
from pathlib import Path

import folium
import numpy as np
import pandas as pd

# st.map's points: pure red, which the benchmark looks for to tell they are drawn, at the
# radius in metres the app and the timed serialiser both use.
ST_MAP_COLOR = "#ff0000"
ST_MAP_POINT_SIZE = 300

COLUMNS = ("event_id_cnty", "event_date", "event_type", "actor1", "location", "latitude",
           "longitude", "fatalities", "notes")  # fmt: skip


def read_bench_csv(path: str | Path) -> pd.DataFrame:
    """Read the columns the baselines use, with the date parsed once."""
    frame = pd.read_csv(path, usecols=list(COLUMNS), dtype={"event_date": str})
    frame["day"] = pd.to_datetime(frame["event_date"]).to_numpy(dtype="datetime64[D]")
    return frame


def select_window(frame: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Incidents whose date falls in ``[start, end]``."""
    day = frame["day"].to_numpy(dtype="datetime64[D]")
    keep = (day >= np.datetime64(start, "D")) & (day <= np.datetime64(end, "D"))
    return frame.loc[keep]


def popup_html(row: object) -> str:
    """Build the usual popup: date, type, actor, place, fatalities and notes (escaped)."""
    get = row.__getattribute__
    return (
        f"<b>{html.escape(str(get('event_date')))}</b> {html.escape(str(get('event_type')))}<br>"
        f"{html.escape(str(get('actor1')))}<br>{html.escape(str(get('location')))}, "
        f"{int(get('fatalities'))} fatalities<br>{html.escape(str(get('notes')))}"
    )


def marker_icon() -> folium.Icon:
    """Return the usual coloured folium marker (Leaflet.awesome-markers).

    Leaflet's plain default icon cannot find its image folder inside st_folium's frame when
    Leaflet is served locally, so the baseline uses the other common folium marker.
    """
    return folium.Icon(color="red", icon="circle", prefix="fa")


def naive_marker_map(frame: pd.DataFrame, deadline: float = math.inf) -> folium.Map:
    """One ``folium.Marker`` with a popup per incident, the usual folium approach.

    Raises
    ------
    TimeoutError
        When :func:`time.perf_counter` passes ``deadline`` (checked every 500 markers), so a
        benchmark can stop a build that would take minutes.
    """
    m = folium.Map(location=[34.5, 41.0], zoom_start=6, tiles=None)
    for i, row in enumerate(frame.itertuples(index=False)):
        if i % 500 == 0 and time.perf_counter() > deadline:
            raise TimeoutError(f"stopped after {i:,} markers")
        folium.Marker(
            [row.latitude, row.longitude], popup=folium.Popup(popup_html(row)), icon=marker_icon()
        ).add_to(m)
    return m


# The experienced folium user's map: every incident in one FastMarkerCluster (the points go
# to the browser as one array, not one element each) drawn as circle markers on one shared
# canvas, with a short popup made only when a marker is clicked.
EXPERT_CALLBACK = """
function (row) {
    var renderer = window.benchCanvas || (window.benchCanvas = L.canvas({padding: 0.5}));
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]), {
        renderer: renderer, radius: 5, color: "#b22222", weight: 1, fillOpacity: 0.7
    });
    marker.bindPopup(function () { return row[2]; });
    return marker;
}
"""


def expert_cluster_map(frame: pd.DataFrame) -> folium.Map:
    """Every incident in one ``FastMarkerCluster`` of canvas circle markers.

    Parameters
    ----------
    frame : DataFrame
        As returned by :func:`read_bench_csv` (or a window of it).

    Returns
    -------
    folium.Map
        A map on a canvas renderer, without tiles.
    """
    from folium.plugins import FastMarkerCluster

    m = folium.Map(location=[34.5, 41.0], zoom_start=6, tiles=None, prefer_canvas=True)
    # Without tiles nothing sets a zoom limit, which marker clustering needs (folium passes
    # ``max_zoom`` to the tile layer only, so it goes into the map's own options).
    m.options["max_zoom"] = 18
    labels = (frame["event_date"].astype(str) + " " + frame["event_type"].astype(str)).map(
        html.escape
    )
    rows = list(
        zip(frame["latitude"].tolist(), frame["longitude"].tolist(), labels.tolist(), strict=True)
    )
    FastMarkerCluster(rows, callback=EXPERT_CALLBACK, name="incidents").add_to(m)
    return m

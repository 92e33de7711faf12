"""What both baseline apps share: reading the benchmark CSV and the one-year window."""

from __future__ import annotations

import html
import sys
from datetime import date
from pathlib import Path

import folium
import numpy as np
import pandas as pd

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


def data_argument() -> str:
    """Return the CSV path given after ``--`` on the ``streamlit run`` command line."""
    args = sys.argv[1:]
    return args[args.index("--data") + 1] if "--data" in args else args[0]


def marker_icon() -> folium.Icon:
    """Return the usual coloured folium marker (Leaflet.awesome-markers).

    Leaflet's plain default icon cannot find its image folder inside st_folium's frame when
    Leaflet is served locally, so the baseline uses the other common folium marker.
    """
    return folium.Icon(color="red", icon="circle", prefix="fa")

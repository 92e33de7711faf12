"""What both baseline apps show above their map: a one-year window slider and the count."""

from __future__ import annotations

import sys
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from benchmarks.baseline import read_bench_csv, select_window


def data_argument() -> str:
    """Return the CSV path given after ``--`` on the ``streamlit run`` command line."""
    args = sys.argv[1:]
    return args[args.index("--data") + 1] if "--data" in args else args[0]


@st.cache_data(show_spinner="Loading...")
def _load(path: str) -> pd.DataFrame:
    """Read the benchmark CSV once per server."""
    return read_bench_csv(path)


def window_page(title: str) -> pd.DataFrame:
    """Set up the page and return the incidents of the chosen window.

    The window starts as the URL's ``start``/``end`` or the last year of the data, and moves
    with a day-by-day slider, like the dashboard's.
    """
    st.set_page_config(page_title=title, layout="wide")
    frame = _load(data_argument())
    lo, hi = frame["day"].min().date(), frame["day"].max().date()
    start = date.fromisoformat(st.query_params.get("start", str(hi - timedelta(days=364))))
    end = date.fromisoformat(st.query_params.get("end", str(hi)))
    window = st.slider(
        "Time range",
        min_value=lo,
        max_value=hi,
        value=(start, end),
        step=timedelta(days=1),
        key="window",
    )
    shown = select_window(frame, *window)
    st.metric("Incidents shown", len(shown))
    return shown

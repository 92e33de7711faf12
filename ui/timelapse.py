"""The dashboard's time-lapse download: format, step and mode, a progress bar per frame.

Streamlit glue over :func:`geo.timelapse.render_timelapse`. The frames take seconds to
draw, so they are made on a button's click, with a progress bar, and the file is kept
for this view until a filter changes; then it is offered for download.
"""

from __future__ import annotations

import geopandas as gpd
import streamlit as st

from geo.export import export_bytes, export_filename
from geo.recipe import OutputOptions
from geo.schema import IncidentDataError, MissingComponentError
from geo.source import IncidentSource, export_selection
from geo.timelapse import TIMELAPSE_FORMATS, TIMELAPSE_PAGE
from geo.timeline import STEPS
from geo.view import View
from geo.webtext import markdown_text

ss = st.session_state
MADE = "_timelapse"  # (what it was made of, the file)


def timelapse_download(view: View, source: IncidentSource, sites: gpd.GeoDataFrame | None) -> None:
    """Offer a GIF or MP4 time-lapse of the view: one report frame per week or month."""
    c1, c2, c3, c4 = st.columns(4, vertical_alignment="bottom")
    fmt = c1.selectbox("Time-lapse", tuple(TIMELAPSE_FORMATS), key="timelapse_format",
                       format_func=str.upper)  # fmt: skip
    step = c2.radio("One frame per", STEPS, key="timelapse_step", horizontal=True,
                    format_func=str.capitalize)  # fmt: skip
    cumulative = c3.toggle(
        "Cumulative", key="timelapse_cumulative",
        help="Each frame shows every incident so far, the newest step in full colour.",
    )  # fmt: skip
    shown = view.with_changes(step=step)
    recipe = (repr(shown), fmt, cumulative)
    if c4.button("Make the time-lapse", key="make_timelapse", width="stretch"):
        bar = st.progress(0.0, text="Drawing the first frame…")

        def advance(done: int, total: int) -> None:
            bar.progress(done / total, text=f"Frame {done} of {total}")

        try:
            content = export_bytes(
                fmt, export_selection(shown, source, sites), TIMELAPSE_PAGE,
                output=OutputOptions(cumulative=cumulative), progress=advance,
            )  # fmt: skip
        except (IncidentDataError, MissingComponentError) as exc:  # too many frames, no range
            bar.empty()
            st.error(markdown_text(str(exc)))
            return
        bar.empty()
        ss[MADE] = (recipe, content)
    made = ss.get(MADE)
    if made is not None and made[0] == recipe:
        st.download_button(
            f"Download the time-lapse ({fmt.upper()}, {len(made[1]) / 1e6:.1f} MB)",
            made[1],
            file_name=export_filename(view.title, fmt),
            mime=TIMELAPSE_FORMATS[fmt],
            key="download_timelapse",
            on_click="ignore",
        )

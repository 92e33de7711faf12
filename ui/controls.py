"""The dashboard's widget callbacks: link, affiliations and playback kept in step.

Streamlit glue over :mod:`geo.view`, :mod:`geo.actors` and :mod:`geo.playback`, where
the rules themselves live and are tested.
"""

from __future__ import annotations

import time
from datetime import date

import streamlit as st

from geo.actors import covered_groups, sync_affiliations
from geo.playback import start_window
from geo.source import IncidentSource
from geo.timeline import step_window
from geo.view import View, controls_of_view, view_from_controls

ss = st.session_state


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


def on_play(span: tuple[date, date], source: IncidentSource) -> None:
    if ss["playing"]:
        first = source.first_day(view_from_controls(ss.to_dict(), span).flt)
        ss["window"] = start_window(tuple(ss["window"]), span, ss["step"], first)
    ss["_last_tick"] = time.monotonic()

"""The sentences a report prints: period, filters, sources, incidents."""

from __future__ import annotations

import textwrap
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.figures import NOT_RECORDED, VERBS
from geo.filters import DEFAULT_REVIEW_STATES, IncidentFilter


def _format_day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def describe_period(flt: IncidentFilter, incidents: gpd.GeoDataFrame) -> str:
    """Say which period the page covers, e.g. ``1 March 2020 – 31 March 2020``.

    Parameters
    ----------
    flt : IncidentFilter
    incidents : GeoDataFrame
        The incidents shown; their dates describe an open-ended period.

    Returns
    -------
    str
    """
    if flt.start is None and flt.end is None:
        if len(incidents) == 0:
            return "All dates"
        first = incidents["event_date"].min()
        last = incidents["end_date"].fillna(incidents["event_date"]).max()
        return f"All dates (incidents from {_format_day(first)} to {_format_day(last)})"
    start = _format_day(flt.start) if flt.start else "the first record"
    end = _format_day(flt.end) if flt.end else "the last record"
    return f"{start} – {end}"


def describe_filters(flt: IncidentFilter, site_names: dict[str, str] | None = None) -> list[str]:
    """List the active filters besides the period, one short phrase each.

    Parameters
    ----------
    flt : IncidentFilter
    site_names : dict, optional
        Site id -> display name, to write "Camp Taji" rather than ``camp_taji``.

    Returns
    -------
    list of str
        Empty when nothing but the period restricts the view.
    """
    names = site_names or {}
    parts = []
    if flt.sites:
        label = "Site" if len(flt.sites) == 1 else "Sites"
        parts.append(f"{label}: " + ", ".join(names.get(s, s) for s in flt.sites))
    if flt.actors:
        label = "Actor" if len(flt.actors) == 1 else "Actors"
        parts.append(f"{label}: " + ", ".join(flt.actors))
    if flt.actors1:
        parts.append("Acting: " + ", ".join(flt.actors1))
    if flt.actors2:
        parts.append("Acted upon: " + ", ".join(flt.actors2))
    if flt.event_types:
        label = "Event type" if len(flt.event_types) == 1 else "Event types"
        parts.append(f"{label}: " + ", ".join(flt.event_types))
    if flt.min_fatalities:
        parts.append(f"At least {flt.min_fatalities} killed")
    if flt.text.strip():
        parts.append(f"Text: “{flt.text.strip()}”")
    # A store's default (all but rejected) goes unsaid, as deleted incidents do.
    if flt.statuses == ("reviewed",):
        parts.append("Reviewed only")
    elif flt.statuses and set(flt.statuses) != set(DEFAULT_REVIEW_STATES):
        parts.append("Review state: " + ", ".join(flt.statuses))
    parts += _describe_columns_and_areas(flt)
    return parts


def _describe_columns_and_areas(flt: IncidentFilter) -> list[str]:
    """Phrase the own-column values and ranges, provinces and the drawn area."""
    parts = [f"{column}: " + ", ".join(values) for column, values in flt.where]
    for column, low, high in flt.ranges:
        if low is not None and high is not None:
            parts.append(f"{column} {low:g}–{high:g}")
        else:
            parts.append(f"{column} ≥ {low:g}" if low is not None else f"{column} ≤ {high:g}")
    if flt.admin1:
        label = "Province" if len(flt.admin1) == 1 else "Provinces"
        parts.append(f"{label}: " + ", ".join(flt.admin1))
    if flt.bbox is not None:
        west, south, east, north = flt.bbox
        parts.append(f"Box {west:g},{south:g} to {east:g},{north:g}")
    if flt.area:
        parts.append(f"Drawn area ({len(flt.area)} corners)")
    return parts


def count_approximate(incidents: gpd.GeoDataFrame) -> tuple[int, int]:
    """Count approximate dates (time_precision > 1) and places (geo_precision > 1)."""
    dates = int((incidents["time_precision"].to_numpy() > 1).sum())
    places = int((incidents["geo_precision"].to_numpy() > 1).sum())
    return dates, places


def summarize_sources(incidents: gpd.GeoDataFrame, limit: int = 3) -> str:
    """Name the most cited sources of the incidents shown, shortest references first."""
    if len(incidents) == 0:
        return ""
    parts = (
        incidents["source"].astype(str).str.split(";").explode().str.strip().replace("", np.nan)
    ).dropna()
    if parts.empty:
        return ""
    # Drop bracketed file references: a reader of the page cannot follow them.
    parts = parts.str.replace(r"\s*\[[^\]]*\]\s*$", "", regex=True)
    counts = parts.value_counts()
    ranked = sorted(counts.index, key=lambda s: (-int(counts[s]), len(s), s))
    shown = [textwrap.shorten(s, 160, placeholder="…") for s in ranked[:limit]]
    more = len(ranked) - len(shown)
    tail = f"; and {more} more (listed per incident in the CSV export)" if more > 0 else ""
    return "; ".join(shown) + tail


def site_names_of(incidents: gpd.GeoDataFrame) -> dict[str, str]:
    """Map site ids to the incidents' location names (``camp_taji`` -> ``Camp Taji``)."""
    if len(incidents) == 0:
        return {}
    pairs = incidents.loc[incidents["site_id"] != "", ["site_id", "location"]]
    return dict(zip(pairs["site_id"], pairs["location"], strict=True))


def describe_incident(row: pd.Series) -> str:
    """One incident in a few words: date, place, what happened, casualties, who."""
    day = row["event_date"]
    when = f"{day.day} {day:%b %Y}" if pd.notna(day) else "Date unknown"
    if int(row["time_precision"]) > 1:
        when = f"{'Week' if int(row['time_precision']) == 2 else 'Month'} of {when}"
    harm = [f"{int(row[field])} {verb}" for field, verb in VERBS.items() if pd.notna(row[field])]
    harm = harm or [f"casualties {NOT_RECORDED}"]
    who = row["actor1"] + (f" against {row['actor2']}" if row["actor2"] else "")
    place = row["location"] or row["site_id"]
    return f"{when}, {place}: {row['sub_event_type']}, {', '.join(harm)}. {who}."


def _wrap(text: str, size_pt: float, width_in: float) -> str:
    """Wrap text to a width in inches (DejaVu Sans averages ~0.55 em per character)."""
    chars = max(20, int(width_in * 72 / (size_pt * 0.55)))
    return "\n".join(textwrap.wrap(text, chars)) if text else ""


def describe_caption(flt: IncidentFilter, incidents: gpd.GeoDataFrame, total: int) -> str:
    """One line naming the period, the filters and the count: the report's subtitle.

    Parameters
    ----------
    flt : IncidentFilter
        The filter that selected the incidents.
    incidents : GeoDataFrame
        The incidents shown.
    total : int
        How many incidents the dataset holds.

    Returns
    -------
    str
        The same line heads the report page, the map's camera caption and the dashboard.
    """
    parts = [describe_period(flt, incidents), *describe_filters(flt, site_names_of(incidents))]
    parts.append(f"{len(incidents):,} of {total:,} incidents shown")
    return " · ".join(parts)

"""Candidates that are already in the data: offered as another source, not a new incident.

A candidate matches an incident when the event type is the same, the dates
overlap (the incident's ``event_date`` to ``end_date`` and the candidate's
window) and the places lie within 25 km (or at the same site).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.intake.candidates import Candidate
from geo.sites import haversine_km

NEARBY_KM: Final = 25.0


def find_duplicates(
    candidates: Sequence[Candidate], incidents: gpd.GeoDataFrame
) -> list[str | None]:
    """Find the ``event_id`` each candidate duplicates, or None.

    Parameters
    ----------
    candidates : sequence of Candidate
    incidents : GeoDataFrame
        Canonical incidents (``event_id``, ``event_date``, ``end_date``,
        ``event_type``, ``site_id``, point geometry).

    Returns
    -------
    list
        One entry per candidate; when several incidents match, the nearest.
    """
    if incidents.empty:
        return [None] * len(candidates)
    start = pd.to_datetime(incidents["event_date"]).dt.date
    end = pd.to_datetime(incidents["end_date"].fillna(incidents["event_date"])).dt.date
    geom = incidents.geometry
    has_point = ~(geom.isna() | geom.is_empty)
    lon = np.where(has_point, geom.x.where(has_point), np.nan)
    lat = np.where(has_point, geom.y.where(has_point), np.nan)
    sites = incidents["site_id"].fillna("").astype(str).to_numpy()
    types = incidents["event_type"].astype(str).to_numpy()
    ids = incidents["event_id"].astype(str).to_numpy()
    found: list[str | None] = []
    for cand in candidates:
        place = cand.place
        if place is None or place.lat is None or place.lon is None:
            found.append(None)
            continue
        overlap = (start.to_numpy() <= cand.end) & (end.to_numpy() >= cand.start)
        same_type = types == cand.event_type
        dist = haversine_km(place.lon, place.lat, lon, lat)
        near = (dist <= NEARBY_KM) | ((sites == place.site_id) & (place.site_id != ""))
        hits = np.flatnonzero(overlap & same_type & near)
        if hits.size == 0:
            found.append(None)
        else:
            found.append(str(ids[hits[np.argmin(np.nan_to_num(dist[hits], nan=0.0))]]))
    return found

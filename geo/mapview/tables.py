"""Incidents as compact tables for the browser: texts escaped once, rows of numbers."""

from __future__ import annotations

import html
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.incidents import point_coordinates
from geo.mapview.options import COORD_DECIMALS
from geo.schema import GEO_PRECISION, TIME_PRECISION, split_multi
from geo.symbology import (
    GEO_PRECISION_OPACITY,
    casualties,
    marker_radius,
)
from geo.view import data_extent, to_leaflet


def incident_bounds(
    incidents: gpd.GeoDataFrame, sites: gpd.GeoDataFrame | None = None
) -> list[list[float]]:
    """Return the view that shows every incident.

    Parameters
    ----------
    incidents : GeoDataFrame
    sites : GeoDataFrame, optional
        Used when there is no incident.

    Returns
    -------
    list
        ``[[south, west], [north, east]]``, padded around a single point; the sites' extent
        when there is no incident, and :data:`DEFAULT_BOUNDS` when there is neither.
    """
    return to_leaflet(data_extent(incidents, sites))


def _date_texts(incidents: pd.DataFrame) -> list[str]:
    """Each date as a reader should take it: exact, a range, or approximate."""
    start = incidents["event_date"].dt.strftime("%Y-%m-%d").fillna("date unknown")
    end = incidents["end_date"]
    multi_day = end.notna() & (end != incidents["event_date"])
    text = start.where(~multi_day, start + " to " + end.dt.strftime("%Y-%m-%d"))
    approx = incidents["time_precision"].astype(int).map(_approx_text)
    return (text + approx).tolist()


def _approx_text(precision: int) -> str:
    """Return the note after an approximate date, in the contract's words."""
    if precision <= 1:
        return ""
    return f" (approx.: {TIME_PRECISION.get(precision, 'the day is not known')})"


def _actor_texts(actors: pd.Series, associated: pd.Series) -> list[str]:
    """Each actor with those acting beside them."""
    texts = []
    for actor, assoc in zip(actors, associated, strict=True):
        others = "; ".join(split_multi(assoc))
        texts.append(f"{actor} (with {others})" if actor and others else actor or others)
    return texts


def _place_texts(incidents: pd.DataFrame) -> list[str]:
    """Location, province and country, then how precisely the place is known."""
    texts = []
    columns = ("location", "admin1", "country", "geo_precision", "uncertainty_km")
    for location, admin1, country, precision, radius in zip(
        *(incidents[c] for c in columns), strict=True
    ):
        place = ", ".join(part for part in (location, admin1, country) if part)
        wording = GEO_PRECISION.get(int(precision), "")
        if wording:
            within = f", within {radius:g} km" if radius > 0 else ""  # NaN > 0 is False
            place += f" (geo precision {int(precision)}: {wording}{within})"
        texts.append(place)
    return texts


# Row layout of the incident table; the script below reads these positions.
_ROW_FIELDS: Final = (
    "lat", "lon", "color", "radius", "time_precision", "geo_precision", "fatalities",
    "injuries", "date", "event_type", "sub_event_type", "actor1", "actor2", "place",
    "notes", "source", "source_file", "source_quote",
)  # fmt: skip


def _incident_table(incidents: gpd.GeoDataFrame, color_ids: np.ndarray) -> dict[str, Any]:
    """Build the compact table the marker script draws: strings plus numeric rows.

    Every distinct text is escaped once and stored once; rows refer to it by index.
    """
    texts = [
        _date_texts(incidents),
        incidents["event_type"].tolist(),
        incidents["sub_event_type"].tolist(),
        _actor_texts(incidents["actor1"], incidents["assoc_actor_1"]),
        _actor_texts(incidents["actor2"], incidents["assoc_actor_2"]),
        _place_texts(incidents),
        *(incidents[c].tolist() for c in ("notes", "source", "source_file", "source_quote")),
    ]
    n = len(incidents)
    lon, lat = point_coordinates(incidents)
    codes, uniques = pd.factorize(np.concatenate([np.asarray(t, dtype=object) for t in texts]))
    strings = [html.escape(str(u)) for u in uniques]
    numbers = [
        np.round(lat, COORD_DECIMALS).tolist(),
        np.round(lon, COORD_DECIMALS).tolist(),
        color_ids.astype(int).tolist(),
        np.round(marker_radius(casualties(incidents)), 1).tolist(),
        incidents["time_precision"].astype(int).tolist(),
        incidents["geo_precision"].astype(int).tolist(),
        incidents["fatalities"].fillna(-1).astype(int).tolist(),
        incidents["injuries"].fillna(-1).astype(int).tolist(),
    ]
    columns = numbers + [codes[i * n : (i + 1) * n].tolist() for i in range(len(texts))]
    rows = [list(row) for row in zip(*columns, strict=True)]
    opacity = {str(k): v for k, v in GEO_PRECISION_OPACITY.items()}
    return {"fields": list(_ROW_FIELDS), "strings": strings, "rows": rows, "opacity": opacity}


def _ring_rows(incidents: gpd.GeoDataFrame, color_ids: np.ndarray) -> list[list[float]]:
    """[lat, lon, radius in metres, colour] for each incident with a known uncertainty."""
    radius = incidents["uncertainty_km"].to_numpy(dtype="float64")
    keep = np.isfinite(radius) & (radius > 0)
    if not keep.any():
        return []
    lon, lat = point_coordinates(incidents)
    lats = np.round(lat[keep], COORD_DECIMALS)
    lons = np.round(lon[keep], COORD_DECIMALS)
    metres = np.round(radius[keep] * 1000.0)
    columns = (lats.tolist(), lons.tolist(), metres.astype(int).tolist(),
               color_ids[keep].astype(int).tolist())  # fmt: skip
    return [list(row) for row in zip(*columns, strict=True)]

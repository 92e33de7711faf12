"""Build ``data/incidents.geojson``: incident attributes joined to the sites layer.

The build is strict: the first class of problem stops it with one message
listing every offending record, because the bundled dataset must be exact.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from geo.actors import DEFAULT_ACTORS_PATH, ActorTable, read_actors
from geo.fileio import write_bytes_atomic
from geo.incidents import coerce_incidents, to_geojson_bytes
from geo.limits import MAX_CASUALTIES_PER_INCIDENT
from geo.schema import (
    ACTOR_FIELDS,
    DATE_BASIS,
    GEO_PRECISION,
    INCIDENT_FIELDS,
    REQUIRED_FIELDS,
    TIME_PRECISION,
    IncidentDataError,
    check_vocabulary,
    split_multi,
)
from geo.sites import DATA_DIR, DEFAULT_SITES_PATH, haversine_km, read_sites

DEFAULT_ATTRIBUTES_PATH = DATA_DIR / "incidents.csv"
DEFAULT_OUTPUT_PATH = DATA_DIR / "incidents.geojson"
COORDINATE_FIELDS = ("latitude", "longitude")
# Filled from the site when the attribute table leaves them empty.
SITE_FILLED_FIELDS = {"location": "name", "admin1": "admin1", "country": "country"}


def read_attributes(path: str | Path = DEFAULT_ATTRIBUTES_PATH) -> pd.DataFrame:
    """Read the incident attribute table as text, exactly as written.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    DataFrame
        Every cell a str ("" when empty).
    """
    path = Path(path)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise IncidentDataError(f"cannot read the incident attributes {path}: {exc}") from exc
    missing = [col for col in (*INCIDENT_FIELDS, *COORDINATE_FIELDS) if col not in table.columns]
    if missing:
        raise IncidentDataError(f"{path} lacks the column(s): {', '.join(missing)}")
    return table


def _fail_if(offenders: list[str], problem: str) -> None:
    """Raise one error naming every offending record."""
    if offenders:
        shown = "; ".join(offenders[:20]) + (
            f"; and {len(offenders) - 20} more" if len(offenders) > 20 else ""
        )
        raise IncidentDataError(f"{problem}: {shown}")


def check_attributes(table: pd.DataFrame, sites: gpd.GeoDataFrame, actors: ActorTable) -> None:
    """Check the attribute table against the contract, the sites and the actors.

    Parameters
    ----------
    table : DataFrame
        As returned by :func:`read_attributes`.
    sites : GeoDataFrame
        The gazetteer.
    actors : ActorTable
        Canonical actor names.

    Raises
    ------
    IncidentDataError
        Naming the event ids and values at fault.
    """
    ids = table["event_id"]
    _fail_if(sorted(set(ids[ids.duplicated()])), "duplicate event_id")
    site_required = [f for f in REQUIRED_FIELDS if f not in SITE_FILLED_FIELDS]
    _fail_if(
        [
            f"{row.event_id or '(no id)'} lacks {field}"
            for row in table.itertuples()
            for field in site_required
            if not getattr(row, field).strip()
        ],
        "required field empty",
    )
    known_sites = set(sites["site_id"])
    _fail_if(
        [
            f"{r.event_id}: site_id {r.site_id!r}"
            for r in table.itertuples()
            if r.site_id not in known_sites
        ],
        "unknown site_id (add it to the sites layer)",
    )
    _fail_if(
        [
            f"{r.event_id}: {reason}"
            for r in table.itertuples()
            if (reason := check_vocabulary(r.event_type, r.sub_event_type))
        ],
        "value outside the ACLED vocabulary",
    )
    for field, allowed in (("time_precision", TIME_PRECISION), ("geo_precision", GEO_PRECISION)):
        _fail_if(
            [
                f"{r.event_id}: {getattr(r, field)!r}"
                for r in table.itertuples()
                if getattr(r, field) not in {str(code) for code in allowed}
            ],
            f"{field} outside {sorted(allowed)}",
        )
    _fail_if(
        [
            f"{r.event_id}: {r.date_basis!r}"
            for r in table.itertuples()
            if r.date_basis not in DATE_BASIS
        ],
        f"date_basis outside {list(DATE_BASIS)}",
    )
    _check_dates(table)
    _check_counts(table)
    known_actors = set(actors.affiliation)
    _fail_if(
        [
            f"{r.event_id}: {name!r}"
            for r in table.itertuples()
            for field in ACTOR_FIELDS
            for name in split_multi(getattr(r, field))
            if name not in known_actors
        ],
        "actor not in the actors table (use its canonical name)",
    )
    _fail_if(
        [r.event_id for r in table.itertuples() if bool(r.source_file) != bool(r.source_quote)],
        "source_file and source_quote go together",
    )


def _check_dates(table: pd.DataFrame) -> None:
    """Dates are real ``YYYY-MM-DD`` days; an end date is not before its start."""
    start = pd.to_datetime(table["event_date"], format="%Y-%m-%d", errors="coerce")
    _fail_if(
        [
            f"{i}: {d!r}"
            for i, d, s in zip(table["event_id"], table["event_date"], start, strict=True)
            if pd.isna(s)
        ],
        "event_date is not a YYYY-MM-DD date",
    )
    end = pd.to_datetime(table["end_date"], format="%Y-%m-%d", errors="coerce")
    bad_end = (table["end_date"] != "") & (end.isna() | (end < start))
    _fail_if(
        [
            f"{i}: {d!r}"
            for i, d in zip(
                table.loc[bad_end, "event_id"], table.loc[bad_end, "end_date"], strict=True
            )
        ],
        "end_date is not a YYYY-MM-DD date on or after event_date",
    )


def _check_counts(table: pd.DataFrame) -> None:
    """Fatalities are whole numbers >= 0; injuries too, or empty."""
    for field, optional in (("fatalities", False), ("injuries", True)):
        values = table[field]
        ok = values.str.fullmatch(r"\d+") | (optional & (values == ""))
        _fail_if(
            [f"{i}: {v!r}" for i, v in zip(table.loc[~ok, "event_id"], values[~ok], strict=True)],
            f"{field} must be a whole number >= 0" + (" or empty" if optional else ""),
        )
        # Compared as text: a 30-digit count must not overflow on its way to a number.
        digits = values.str.lstrip("0")
        bound = str(MAX_CASUALTIES_PER_INCIDENT)
        over = (digits.str.len() > len(bound)) | (
            (digits.str.len() == len(bound)) & (digits > bound)
        )
        _fail_if(
            [f"{i}: {v!r}" for i, v in zip(table.loc[over, "event_id"], values[over], strict=True)],
            f"{field} over {MAX_CASUALTIES_PER_INCIDENT:,} for one incident (likely an error)",
        )


def join_sites(table: pd.DataFrame, sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Join incident attributes to their sites.

    An incident takes its site's point unless it gives its own ``latitude``
    and ``longitude``, which must then lie within the site's uncertainty.

    Parameters
    ----------
    table : DataFrame
        Checked attributes.
    sites : GeoDataFrame

    Returns
    -------
    GeoDataFrame
        Canonical incidents sorted by date and id.
    """
    site_cols = sites[
        ["site_id", "name", "admin1", "country", "uncertainty_km", "coord_source", "geometry"]
    ]
    site_cols = site_cols.rename(
        columns={"admin1": "site_admin1", "country": "site_country", "geometry": "site_geometry"}
    )
    joined = table.merge(pd.DataFrame(site_cols), on="site_id", how="left", validate="many_to_one")
    for field, site_field in SITE_FILLED_FIELDS.items():
        source = {"name": "name", "admin1": "site_admin1", "country": "site_country"}[site_field]
        joined[field] = joined[field].where(joined[field] != "", joined[source])
    own = (joined["latitude"] != "") & (joined["longitude"] != "")
    lat = pd.to_numeric(joined["latitude"].where(own), errors="coerce")
    lon = pd.to_numeric(joined["longitude"].where(own), errors="coerce")
    _fail_if(
        list(joined.loc[own & (lat.isna() | lon.isna()), "event_id"]),
        "latitude/longitude must both be numbers when given",
    )
    site_x = joined["site_geometry"].map(lambda p: p.x)
    site_y = joined["site_geometry"].map(lambda p: p.y)
    x = np.where(own, lon, site_x)
    y = np.where(own, lat, site_y)
    distance = haversine_km(x, y, site_x.to_numpy(), site_y.to_numpy())
    outside = distance > joined["uncertainty_km"].to_numpy()
    _fail_if(
        [
            f"{i}: {d:.1f} km"
            for i, d in zip(joined.loc[outside, "event_id"], distance[outside], strict=True)
        ],
        "incident point lies outside its site's uncertainty_km",
    )
    geometry = [Point(px, py) for px, py in zip(x, y, strict=True)]
    gdf = coerce_incidents(joined, geometry=geometry)
    order = np.lexsort((gdf["event_id"].to_numpy(), gdf["event_date"].to_numpy()))
    return gdf.iloc[order].reset_index(drop=True)


def build_incidents(
    attributes_path: str | Path = DEFAULT_ATTRIBUTES_PATH,
    sites_path: str | Path = DEFAULT_SITES_PATH,
    actors_path: str | Path = DEFAULT_ACTORS_PATH,
) -> gpd.GeoDataFrame:
    """Read, check and join the dataset's sources.

    Parameters
    ----------
    attributes_path, sites_path, actors_path : str or Path

    Returns
    -------
    GeoDataFrame
        Canonical incidents.

    Raises
    ------
    IncidentDataError
        On an unknown ``site_id``, a duplicate ``event_id``, a value outside the
        vocabulary or any other breach of the contract.
    """
    sites = read_sites(sites_path)
    actors = read_actors(actors_path)
    table = read_attributes(attributes_path)
    check_attributes(table, sites, actors)
    return join_sites(table, sites)


def write_incidents(gdf: gpd.GeoDataFrame, out: str | Path = DEFAULT_OUTPUT_PATH) -> Path:
    """Write the built dataset as indented, deterministic GeoJSON, atomically.

    A build interrupted while writing leaves the previous file whole.
    """
    return write_bytes_atomic(out, to_geojson_bytes(gdf, indent=1))

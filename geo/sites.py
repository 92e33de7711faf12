"""The sites gazetteer: named places with honest coordinates and uncertainty."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np

from geo.schema import SITE_FIELDS, IncidentDataError, split_multi

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_SITES_PATH = DATA_DIR / "sites.geojson"
EARTH_RADIUS_KM = 6371.0088


def read_sites(path: str | Path = DEFAULT_SITES_PATH) -> gpd.GeoDataFrame:
    """Read and check the sites layer.

    Parameters
    ----------
    path : str or Path
        A GeoJSON FeatureCollection of Point features with the properties of
        ``DATA.md`` (``site_id``, ``name``, ``aliases``, ...).

    Returns
    -------
    GeoDataFrame
        One row per site, indexed 0..n-1, in EPSG:4326.

    Raises
    ------
    IncidentDataError
        When a field is missing, a ``site_id`` repeats, a geometry is not a
        point or an uncertainty is not a positive number.
    """
    path = Path(path)
    try:
        gdf = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several unrelated types for a bad file
        raise IncidentDataError(f"cannot read the sites layer {path}: {exc}") from exc
    missing = [field for field in SITE_FIELDS if field not in gdf.columns]
    if missing:
        raise IncidentDataError(f"sites layer {path} lacks the field(s): {', '.join(missing)}")
    duplicated = gdf.loc[gdf["site_id"].duplicated(), "site_id"].tolist()
    if duplicated:
        raise IncidentDataError(f"duplicate site_id in {path}: {', '.join(map(str, duplicated))}")
    not_points = gdf.loc[gdf.geometry.geom_type != "Point", "site_id"].tolist()
    if not_points:
        raise IncidentDataError(f"sites must be points; not a point: {', '.join(not_points)}")
    bad_radius = gdf.loc[~(gdf["uncertainty_km"].astype(float) > 0), "site_id"].tolist()
    if bad_radius:
        raise IncidentDataError(f"uncertainty_km must be > 0 for: {', '.join(bad_radius)}")
    gdf = gdf.set_crs(4326, allow_override=True)
    gdf["uncertainty_km"] = gdf["uncertainty_km"].astype(float)
    for field in SITE_FIELDS:
        if field != "uncertainty_km":
            gdf[field] = gdf[field].fillna("").astype(str)
    return gdf[[*SITE_FIELDS, "geometry"]].reset_index(drop=True)


def normalize_place_name(name: str) -> str:
    """Fold a place name for matching: case, accents, punctuation and spacing.

    Parameters
    ----------
    name : str

    Returns
    -------
    str
    """
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    kept = "".join(ch if ch.isalnum() else " " for ch in letters.casefold())
    return " ".join(kept.split())


@dataclass(frozen=True)
class SiteMatch:
    """A gazetteer hit: where a place name points and how sure that is."""

    site_id: str
    name: str
    lon: float
    lat: float
    uncertainty_km: float
    admin1: str
    country: str


class SiteIndex:
    """Look up sites by name or alias (case-, accent- and punctuation-insensitive)."""

    def __init__(self, sites: gpd.GeoDataFrame) -> None:
        self._by_name: dict[str, SiteMatch] = {}
        for row in sites.itertuples(index=False):
            match = SiteMatch(
                site_id=row.site_id,
                name=row.name,
                lon=float(row.geometry.x),
                lat=float(row.geometry.y),
                uncertainty_km=float(row.uncertainty_km),
                admin1=row.admin1,
                country=row.country,
            )
            for label in [row.site_id.replace("_", " "), row.name, *split_multi(row.aliases)]:
                self._by_name.setdefault(normalize_place_name(label), match)

    def lookup(self, place: str) -> SiteMatch | None:
        """Return the site a place name or alias names, or None."""
        return self._by_name.get(normalize_place_name(place))

    def names(self) -> Iterable[str]:
        """All normalised names and aliases known to the index."""
        return self._by_name.keys()


def haversine_km(
    lon1: np.ndarray | float,
    lat1: np.ndarray | float,
    lon2: np.ndarray | float,
    lat2: np.ndarray | float,
) -> np.ndarray:
    """Great-circle distance in kilometres between points given in degrees.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : array-like or float

    Returns
    -------
    numpy.ndarray
    """
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a)))


def sites_to_geojson(sites: gpd.GeoDataFrame) -> str:
    """Serialise sites deterministically (sorted by ``site_id``, 5-decimal coordinates)."""
    features = []
    for row in sites.sort_values("site_id").itertuples(index=False):
        props = {field: getattr(row, field) for field in SITE_FIELDS}
        features.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(row.geometry.x, 5), round(row.geometry.y, 5)],
                },
            }
        )
    return json.dumps(
        {"type": "FeatureCollection", "features": features}, indent=2, ensure_ascii=False
    )

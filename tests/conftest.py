"""Shared fixtures: tiny in-memory datasets and paths to the real ones."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from shapely.geometry import Point

from geo.incidents import coerce_incidents

REPO = Path(__file__).resolve().parents[1]
SEEDS_DIR = REPO.parent / "shared" / "seeds"


def make_incidents(rows: list[dict]) -> "object":
    """Canonical incidents from short dicts; ``lon``/``lat`` give the point."""
    defaults = {
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Shelling/artillery/missile attack",
        "actor1": "Actor A",
        "location": "Somewhere",
        "admin1": "Baghdad",
        "country": "Iraq",
        "time_precision": 1,
        "geo_precision": 1,
        "fatalities": 0,
        "notes": "",
        "source": "test",
        "date_basis": "source",
    }
    records = [{**defaults, **row} for row in rows]
    points = [Point(r.get("lon", 44.0), r.get("lat", 33.0)) for r in records]
    return coerce_incidents(pd.DataFrame(records), geometry=points)


@pytest.fixture
def tiny_dataset(tmp_path: Path) -> dict[str, Path]:
    """A valid three-file dataset (sites, attributes, actors) in tmp_path."""
    sites = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "site_id": sid, "name": name, "aliases": aliases, "kind": "air_base",
                    "country": "Iraq", "admin1": admin1, "coord_source": "test reference",
                    "uncertainty_km": radius,
                },
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
            for sid, name, aliases, admin1, radius, lon, lat in [
                ("camp_taji", "Camp Taji", "Taji;Taji base", "Baghdad", 2.0, 44.25, 33.53),
                ("k1_air_base", "K-1 Air Base", "K1;Kirkuk Air Base", "Kirkuk", 1.5, 44.28, 35.51),
            ]
        ],
    }
    actors = pd.DataFrame(
        [
            ("Kataib Hezbollah", "KH;Ktaib Hezbullah", "Political Militias", "Popular Mobilization Forces"),
            ("Military Forces of the United States", "US forces", "External/Other Forces", "US-led coalition"),
        ],
        columns=["actor", "aliases", "actor_type", "affiliation"],
    )
    base = {
        "end_date": "", "time_precision": "1", "event_type": "Explosions/Remote violence",
        "sub_event_type": "Shelling/artillery/missile attack", "actor1": "Kataib Hezbollah",
        "assoc_actor_1": "", "actor2": "Military Forces of the United States", "assoc_actor_2": "",
        "location": "", "admin1": "", "country": "", "geo_precision": "1", "fatalities": "0",
        "injuries": "", "notes": "rockets", "source": "test", "source_file": "", "source_quote": "",
        "date_basis": "source", "latitude": "", "longitude": "",
    }
    attributes = pd.DataFrame(
        [
            {**base, "event_id": "b", "event_date": "2020-03-11", "site_id": "camp_taji", "fatalities": "3"},
            {**base, "event_id": "a", "event_date": "2019-12-27", "site_id": "k1_air_base",
             "latitude": "35.515", "longitude": "44.285"},
        ]
    )
    paths = {
        "sites": tmp_path / "sites.geojson",
        "attributes": tmp_path / "incidents.csv",
        "actors": tmp_path / "actors.csv",
    }
    paths["sites"].write_text(json.dumps(sites), encoding="utf-8")
    attributes.to_csv(paths["attributes"], index=False)
    actors.to_csv(paths["actors"], index=False)
    return paths

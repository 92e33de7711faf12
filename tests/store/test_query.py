"""The store's pushdown against the in-memory path, on random data and random filters."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from geo.aggregate import aggregate_points
from geo.filters import IncidentFilter, IncidentIndex
from geo.incidents import coerce_incidents, point_coordinates, sort_incidents
from geo.schema import EVENT_TYPES

ACTORS = ("Kataib Hezbollah", "Military Forces of the United States", "Ḥarakat al-Nujaba",
          "ÉTAT islamique", "Civilians (Iraq)", "Unidentified Armed Group")  # fmt: skip
WORDS = ("rocket", "Rocket", "drone", "convoy", "Élan", "élan", "50%_off", "a_b", "base")
SITES = ("camp_taji", "al_asad", "")
PLACES = ("Baghdad", "Erbil", "Taji")
SEED = 20261202


def random_incidents(n: int, rng: np.random.Generator):
    rows = []
    types = list(EVENT_TYPES)
    for i in range(n):
        event_type = types[rng.integers(len(types))]
        subs = EVENT_TYPES[event_type]
        start = date(2020, 1, 1) + timedelta(days=int(rng.integers(0, 120)))
        assoc = rng.choice(ACTORS, size=int(rng.integers(0, 3)), replace=False)
        # Some points on cell edges (multiples of 1/64 degree), some west of Greenwich.
        if rng.random() < 0.2:
            lon = float(rng.integers(-64 * 3, 64 * 3)) / 64 + 44
            lat = float(rng.integers(-64, 64)) / 64 + 33
        else:
            lon = float(np.round(rng.uniform(-2.0, 48.0), 4))
            lat = float(np.round(rng.uniform(29.0, 37.0), 4))
        rows.append(
            {
                "event_id": f"E{i:04d}",
                "event_date": start.isoformat(),
                "end_date": (start + timedelta(days=int(rng.integers(1, 9)))).isoformat()
                if rng.random() < 0.2
                else "",
                "time_precision": int(rng.integers(1, 4)),
                "event_type": event_type,
                "sub_event_type": subs[rng.integers(len(subs))],
                "actor1": ACTORS[rng.integers(len(ACTORS))] if rng.random() < 0.95 else "",
                "assoc_actor_1": " ; ".join(assoc),
                "actor2": ACTORS[rng.integers(len(ACTORS))] if rng.random() < 0.5 else "",
                "assoc_actor_2": "; ".join(assoc[::-1]) if rng.random() < 0.3 else "",
                "site_id": SITES[rng.integers(len(SITES))],
                "location": PLACES[rng.integers(len(PLACES))],
                "admin1": "Baghdad",
                "country": "Iraq",
                "geo_precision": int(rng.integers(1, 4)),
                # Some figures unrecorded: NULL in the store, NA in memory, never 0.
                "fatalities": int(rng.geometric(0.5)) - 1 if rng.random() < 0.85 else None,
                "injuries": int(rng.integers(0, 4)) if rng.random() < 0.5 else None,
                "notes": " ".join(rng.choice(WORDS, size=3)),
                "source": "Reuters" if rng.random() < 0.5 else "AP",
                "date_basis": "source",
                "uncertainty_km": float(rng.integers(1, 5)) if rng.random() < 0.3 else None,
                "coord_source": "test",
                "lon": lon,
                "lat": lat,
            }
        )
    points = [Point(r["lon"], r["lat"]) for r in rows]
    return coerce_incidents(pd.DataFrame(rows), geometry=points)


def random_filter(rng: np.random.Generator) -> tuple[IncidentFilter, tuple | None]:
    def some(values, p=0.3):
        if rng.random() > p:
            return ()
        return tuple(
            str(v) for v in rng.choice(values, size=int(rng.integers(1, 3)), replace=False)
        )

    start = date(2020, 1, 1) + timedelta(days=int(rng.integers(0, 120)))
    flt = IncidentFilter(
        start=start if rng.random() < 0.5 else None,
        end=start + timedelta(days=int(rng.integers(0, 60))) if rng.random() < 0.5 else None,
        actors=some(ACTORS + ("Nobody",)),
        actors1=some(ACTORS, 0.25),
        actors2=some(ACTORS, 0.25),
        event_types=some(list(EVENT_TYPES)),
        sites=some(("camp_taji", "al_asad", "Baghdad", "Erbil")),
        min_fatalities=int(rng.integers(0, 3)) if rng.random() < 0.3 else 0,
        text=str(rng.choice(WORDS + ("ROCKET", "%", "_", "reuters"))) if rng.random() < 0.3 else "",
    )
    bbox = None
    if rng.random() < 0.3:
        west = float(rng.integers(-2, 44)) + 0.5
        south = float(rng.integers(29, 34))
        bbox = (west, south, west + float(rng.integers(1, 8)), south + float(rng.integers(1, 4)))
    return flt, bbox


def expected(index: IncidentIndex, flt: IncidentFilter, bbox):
    selected = index.select(flt).reset_index(drop=True)
    if bbox is not None:
        lon, lat = point_coordinates(selected)
        west, south, east, north = bbox
        inside = (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
        selected = selected[inside].reset_index(drop=True)
    return selected


def assert_same_incidents(got, want) -> None:
    assert list(got.columns) == list(want.columns)
    assert got.dtypes.astype(str).to_dict() == want.dtypes.astype(str).to_dict()
    pd.testing.assert_frame_equal(
        pd.DataFrame(got.drop(columns="geometry")), pd.DataFrame(want.drop(columns="geometry"))
    )
    for a, b in zip(point_coordinates(got), point_coordinates(want), strict=True):
        np.testing.assert_array_equal(a, b)
    assert got.crs == want.crs


def test_store_returns_what_the_in_memory_index_returns_on_random_filters(store):
    rng = np.random.default_rng(SEED)
    gdf = random_incidents(400, rng)
    store.store_incidents(gdf, origin="test")
    index = IncidentIndex(sort_incidents(gdf))
    assert_same_incidents(store.query(), index.gdf)
    for _ in range(60):
        flt, bbox = random_filter(rng)
        want = expected(index, flt, bbox)
        assert_same_incidents(store.query(flt, bbox=bbox), want)
        assert store.count(flt, bbox=bbox) == len(want)
        summary = store.summary(flt, bbox=bbox)
        killed = want["fatalities"].dropna()
        assert summary["fatalities"] == (int(killed.sum()) if len(killed) else None)
        injuries = want["injuries"].dropna()
        assert summary["injuries"] == (int(injuries.sum()) if len(injuries) else None)


@pytest.mark.parametrize("by", ["event_type", "actor1"])
def test_grid_aggregation_in_the_database_equals_the_in_memory_one(store, by):
    rng = np.random.default_rng(SEED + 1)
    gdf = random_incidents(500, rng)
    store.store_incidents(gdf, origin="test")
    index = IncidentIndex(sort_incidents(gdf))
    for cell_deg in (8.0, 1.0, 0.25, 1 / 64):
        for _ in range(6):
            flt, bbox = random_filter(rng)
            want = aggregate_points(expected(index, flt, bbox), cell_deg=cell_deg, by=by)
            got = store.aggregate(flt, cell_deg=cell_deg, by=by, bbox=bbox)
            assert list(got.columns) == list(want.columns)
            exact = [c for c in want.columns if c not in ("lon", "lat")]
            pd.testing.assert_frame_equal(got[exact], want[exact], check_dtype=False)
            np.testing.assert_allclose(got[["lon", "lat"]], want[["lon", "lat"]], rtol=1e-12)


def test_a_filter_that_matches_nothing_gives_an_empty_table_with_every_column(store):
    gdf = random_incidents(20, np.random.default_rng(SEED))
    store.store_incidents(gdf, origin="test")
    got = store.query(IncidentFilter(actors=("Nobody",)))
    assert len(got) == 0
    assert list(got.columns) == list(gdf.columns)
    assert store.aggregate(IncidentFilter(actors=("Nobody",)), cell_deg=1.0).empty


def test_a_box_across_the_antimeridian_keeps_both_sides(store):
    gdf = coerce_incidents(
        random_incidents(3, np.random.default_rng(SEED)).drop(columns="geometry"),
        geometry=[Point(179.5, 0), Point(-179.5, 0), Point(0, 0)],
    )
    store.store_incidents(gdf, origin="test")
    got = store.query(bbox=(179.0, -1.0, -179.0, 1.0))
    assert sorted(point_coordinates(got)[0]) == [-179.5, 179.5]


def test_bad_box_cell_size_and_column_are_refused_with_the_value(store):
    with pytest.raises(ValueError, match="latitudes"):
        store.query(bbox=(0, 10, 1, 5))
    with pytest.raises(ValueError, match="cell_deg must be a positive number"):
        store.aggregate(cell_deg=0)
    with pytest.raises(ValueError, match="by must be a text column"):
        store.aggregate(cell_deg=1.0, by="fatalities; DROP TABLE incidents")

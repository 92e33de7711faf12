"""Areas, provinces and numeric ranges pushed down to the store equal the in-memory path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.filters import IncidentFilter, IncidentIndex
from geo.incidents import sort_incidents
from tests.store.test_query import SEED, assert_same_incidents, random_incidents

PROVINCES = ("Baghdad", "Al-Anbar", "Ninawa", "")


def random_ring(rng: np.random.Generator) -> tuple[tuple[float, float], ...]:
    """A star-shaped polygon (never self-intersecting) of 3 to 12 vertices."""
    n = int(rng.integers(3, 13))
    angles = np.sort(rng.uniform(0, 2 * np.pi, n))
    radii = rng.uniform(0.5, 4.0, n)
    lon0, lat0 = rng.uniform(38, 46), rng.uniform(30, 36)
    return tuple(
        (float(lon0 + r * np.cos(a)), float(lat0 + r * np.sin(a)))
        for a, r in zip(angles, radii, strict=True)
    )


def area_filter(rng: np.random.Generator) -> IncidentFilter:
    """Random area, province and range terms (each present or not)."""
    west, south = float(rng.uniform(-2, 44)), float(rng.uniform(29, 34))
    low = float(rng.integers(0, 3)) if rng.random() < 0.5 else None
    high = float(rng.integers(2, 6)) if rng.random() < 0.5 else None
    ranges = []
    if rng.random() < 0.4:
        ranges.append(("fatalities", low, high))
    if rng.random() < 0.4:
        ranges.append(("uncertainty_km", None, float(rng.integers(1, 5))))
    return IncidentFilter(
        bbox=(west, south, west + float(rng.uniform(0.5, 8)), south + float(rng.uniform(0.5, 4)))
        if rng.random() < 0.4
        else None,
        area=random_ring(rng) if rng.random() < 0.6 else (),
        admin1=tuple(str(p) for p in rng.choice(PROVINCES, size=int(rng.integers(1, 3))))
        if rng.random() < 0.4
        else (),
        ranges=tuple(ranges),
    )


def test_areas_provinces_and_ranges_in_the_store_equal_the_in_memory_index(store):
    rng = np.random.default_rng(SEED + 7)
    gdf = random_incidents(500, rng)
    gdf["admin1"] = pd.array(rng.choice(PROVINCES, size=len(gdf)), dtype="string")
    store.store_incidents(gdf, origin="test")
    index = IncidentIndex(sort_incidents(gdf))
    non_empty = 0
    for _ in range(40):
        flt = area_filter(rng)
        want = index.select(flt).reset_index(drop=True)
        non_empty += bool(len(want)) and len(want) < len(gdf)
        assert_same_incidents(store.query(flt), want)
        assert store.count(flt) == len(want)
    assert non_empty >= 10  # the filters were not all trivially empty or full


def test_a_range_on_a_numeric_column_of_the_file_own_reads_its_extra_text(store):
    rng = np.random.default_rng(SEED + 8)
    gdf = random_incidents(200, rng)
    wounded = rng.integers(0, 40, len(gdf)).astype(float)
    wounded[rng.random(len(gdf)) < 0.2] = np.nan
    extras = [{} if np.isnan(w) else {"wounded": f"{w:g}"} for w in wounded]
    store.store_incidents(gdf, origin="test", extras=extras)
    gdf["wounded"] = wounded
    index = IncidentIndex(sort_incidents(gdf))
    for low, high in ((5.0, 20.0), (None, 3.0), (30.0, None)):
        flt = IncidentFilter(ranges=(("wounded", low, high),))
        want = index.select(flt)
        assert 0 < len(want) < len(gdf)
        assert store.count(flt) == len(want)
        assert sorted(store.query(flt)["event_id"]) == sorted(want["event_id"])


@pytest.mark.parametrize("vertices", [400])
def test_a_polygon_of_many_vertices_stays_one_sql_condition(store, vertices):
    rng = np.random.default_rng(SEED + 9)
    gdf = random_incidents(100, rng)
    store.store_incidents(gdf, origin="test")
    angles = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    ring = tuple((44 + 3 * float(np.cos(a)), 33 + 3 * float(np.sin(a))) for a in angles)
    flt = IncidentFilter(area=ring)
    assert store.count(flt) == len(IncidentIndex(gdf).select(flt))

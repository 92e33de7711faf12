"""The cluster payload counted in the database equals the in-memory one, level by level."""

from __future__ import annotations

import numpy as np
import pytest

from geo.aggregate import build_cluster_payload
from geo.filters import IncidentFilter, IncidentIndex
from geo.incidents import sort_incidents
from geo.palette import color_codes, rank_actors
from geo.store.clusters import cluster_payload
from geo.store.query import filter_clause
from tests.store.test_query import SEED, expected, random_filter, random_incidents


def assert_same_payload(got: dict, want: dict) -> None:
    assert got["cats"] == want["cats"]
    assert got["total"] == want["total"]
    assert got["fk"] == want["fk"]
    assert [lv["deg"] for lv in got["levels"]] == [lv["deg"] for lv in want["levels"]]
    for a, b in zip(got["levels"], want["levels"], strict=True):
        for key in ("n", "f", "b"):
            assert a[key] == b[key], key
        # Means are sums divided by counts; the sums are added in another order.
        np.testing.assert_allclose(a["x"], b["x"], atol=1.01e-4)
        np.testing.assert_allclose(a["y"], b["y"], atol=1.01e-4)


@pytest.mark.parametrize("color_by", ["event_type", "actor"])
def test_cluster_payload_in_the_database_equals_the_in_memory_one(store, color_by):
    rng = np.random.default_rng(SEED + 7)
    gdf = random_incidents(600, rng)
    store.store_incidents(gdf, origin="test")
    index = IncidentIndex(sort_incidents(gdf))
    # A short ranking leaves some actors to "Other actors"; an empty actor1 is "(no actor)".
    ranking = tuple(rank_actors(index.gdf["actor1"]))[:3]
    levels_seen = set()
    with store.engine.connect() as conn:
        for trial in range(24):
            flt, bbox = random_filter(rng) if trial else (IncidentFilter(), None)
            want_rows = expected(index, flt, bbox)
            _, colors = color_codes(want_rows, color_by, ranking=ranking)
            # Budgets small enough to stop at every depth, and the map's own.
            for max_cells in (1, 40, 300, 16_000):
                want = build_cluster_payload(want_rows, colors, color_by, max_cells=max_cells)
                where = filter_clause(flt, store.dialect, bbox=bbox)
                got = cluster_payload(
                    conn, where, colors, color_by, count=len(want_rows), max_cells=max_cells
                )
                assert_same_payload(got, want)
                levels_seen.add(len(want["levels"]))
    assert {1, 10} <= levels_seen and len(levels_seen) > 3


def test_cluster_payload_of_nothing_has_no_level(store):
    with store.engine.connect() as conn:
        where = filter_clause(IncidentFilter(actors=("Nobody",)), store.dialect)
        got = cluster_payload(conn, where, {}, "event_type", count=0)
    assert got == {"cats": [["Other", got["cats"][0][1]]], "levels": [], "total": 0, "fk": "none"}

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import numpy as np
import pytest
from conftest import make_incidents

from benchmarks.benchdata import generate_acled
from geo import aggregate
from geo.palette import EVENT_TYPE_COLORS, OTHER_ACTORS
from geo.webtext import script_json


def synthetic(n: int, seed: int = 1) -> gpd.GeoDataFrame:
    """A canonical-enough frame (points, types, actors, fatalities) from the bench generator."""
    raw = generate_acled(n, seed=seed)
    return gpd.GeoDataFrame(
        raw[["event_type", "actor1", "fatalities"]],
        geometry=gpd.points_from_xy(raw["longitude"], raw["latitude"]),
        crs="EPSG:4326",
    )


def test_counts_add_up_to_the_incidents_shown() -> None:
    gdf = synthetic(5_000)
    cells = aggregate.aggregate_points(gdf, cell_deg=0.25)
    assert cells["count"].sum() == len(gdf)
    assert cells["fatalities"].sum() == gdf["fatalities"].sum()
    breakdown = cells.filter(like="count:")
    assert (breakdown.sum(axis=1) == cells["count"]).all()
    for event_type, n in gdf["event_type"].value_counts().items():
        assert cells[f"count:{event_type}"].sum() == n


def test_cells_match_a_direct_floor_of_the_coordinates() -> None:
    gdf = make_incidents(
        [
            {"event_id": "a", "event_date": "2020-01-01", "lon": 44.01, "lat": 33.01},
            {"event_id": "b", "event_date": "2020-01-01", "lon": 44.49, "lat": 33.49,
             "event_type": "Battles", "sub_event_type": "Armed clash", "fatalities": 4},
            {"event_id": "c", "event_date": "2020-01-01", "lon": 44.51, "lat": 33.01,
             "event_type": "Battles", "sub_event_type": "Armed clash"},
            {"event_id": "d", "event_date": "2020-01-01", "lon": -0.2, "lat": -0.2},
        ]
    )  # fmt: skip
    cells = aggregate.aggregate_points(gdf, cell_deg=0.5).set_index(["cell_x", "cell_y"])
    assert cells.loc[(88, 66), "count"] == 2  # a and b: floor(44.x / 0.5) = 88
    assert cells.loc[(88, 66), "fatalities"] == 4
    assert cells.loc[(88, 66), "lon"] == pytest.approx((44.01 + 44.49) / 2)
    assert cells.loc[(89, 66), "dominant"] == "Battles"
    assert cells.loc[(-1, -1), "count"] == 1  # floor, not truncation, below zero
    assert len(cells) == 3


def test_empty_points_are_skipped_and_an_empty_frame_gives_no_cells() -> None:
    gdf = synthetic(50)
    gdf.loc[gdf.index[:5], "geometry"] = None
    assert aggregate.aggregate_points(gdf, cell_deg=1.0)["count"].sum() == 45
    assert aggregate.aggregate_points(gdf.iloc[:0], cell_deg=1.0).empty


def test_cell_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="cell_deg must be a positive"):
        aggregate.aggregate_points(synthetic(10), cell_deg=0)


def test_every_level_of_the_pyramid_counts_every_incident() -> None:
    gdf = synthetic(20_000, seed=3)
    colors = {t: c for t, c in EVENT_TYPE_COLORS.items() if t in set(gdf["event_type"])}
    payload = aggregate.build_cluster_payload(gdf, colors, "event_type", max_cells=10**9)
    k = len(payload["cats"])
    assert len(payload["levels"]) == len(aggregate.LEVEL_DEGREES)
    for level in payload["levels"]:
        assert sum(level["n"]) == len(gdf)
        table = np.asarray(level["b"]).reshape(-1, k)
        assert (table.sum(axis=1) == np.asarray(level["n"])).all()
        assert sum(level["f"]) == gdf["fatalities"].sum()
    # the pyramid agrees with a direct count at the same resolution
    finest = payload["levels"][-1]
    direct = aggregate.aggregate_points(gdf, cell_deg=finest["deg"])
    assert len(direct) == len(finest["n"])
    assert sorted(direct["count"]) == sorted(finest["n"])


def test_payload_stops_growing_above_the_threshold() -> None:
    colors = dict(EVENT_TYPE_COLORS)
    sizes = {}
    for n in (aggregate.MARKER_LIMIT * k for k in (10, 40, 160)):
        payload = aggregate.build_cluster_payload(synthetic(n, seed=n), colors, "event_type")
        assert sum(len(level["n"]) for level in payload["levels"]) <= aggregate.MAX_CELLS
        sizes[n] = len(script_json(payload, ascii_only=True))
    small, _, large = sizes.values()
    assert large < 3 * small  # 16x the incidents, a bounded payload
    assert max(sizes.values()) < 2_000_000


def test_actor_colouring_puts_unlisted_actors_under_other() -> None:
    gdf = synthetic(3_000)
    top = gdf["actor1"].value_counts().index[:2]
    colors = {top[0]: "#332288", top[1]: "#CC6677"}
    payload = aggregate.build_cluster_payload(gdf, colors, "actor")
    labels = [label for label, _ in payload["cats"]]
    assert labels == [top[0], top[1], OTHER_ACTORS]
    coarse = payload["levels"][0]
    per_cat = np.asarray(coarse["b"]).reshape(-1, 3).sum(axis=0)
    counts = gdf["actor1"].value_counts()
    rest = len(gdf) - counts[top[0]] - counts[top[1]]
    assert per_cat.tolist() == [counts[top[0]], counts[top[1]], rest]


def test_unknown_colour_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="color_by must be one of"):
        aggregate.build_cluster_payload(synthetic(10), {}, "fatalities")


def test_rendered_layer_escapes_names_and_keeps_script_safe() -> None:
    gdf = synthetic(aggregate.MARKER_LIMIT + 500)
    hostile = "</script><img src=x onerror=alert(1)>"
    gdf["actor1"] = np.where(np.arange(len(gdf)) % 2 == 0, hostile, gdf["actor1"])
    m = folium.Map(tiles=None)
    group = folium.FeatureGroup(name="Incidents").add_to(m)
    aggregate.add_aggregated_layers(group, gdf, {hostile: "#332288"}, "actor")
    page = m.get_root().render()
    assert hostile not in page
    assert "<img src=x" not in page
    payload = re.search(r"/\* clusters \*/ (\{.*?\});\n", page).group(1)
    data = json.loads(payload)
    assert data["cats"][0][0] == "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
    assert data["total"] == len(gdf)
    assert group.get_name() in page  # drawn into the group it was given


def test_heat_points_are_bounded_and_weigh_every_incident() -> None:
    gdf = synthetic(30_000)
    gdf["injuries"] = (gdf["fatalities"] % 3).astype("Int64")
    points = aggregate.build_heat_points(gdf, max_points=500)
    assert 0 < len(points) <= 500
    weight = gdf["fatalities"].sum() + gdf["injuries"].fillna(0).sum() + len(gdf)
    assert sum(w for _, _, w in points) == pytest.approx(float(weight))

"""Area, province and numeric-range filters: the index equals a plain reading, links round-trip."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.path import Path as MplPath

from geo.areas import AreaError, drawing_to_area, parse_bbox, parse_ring
from geo.filters import IncidentFilter, IncidentIndex, range_mask
from geo.incidents import point_coordinates
from geo.urlstate import filter_from_query, filter_to_query, parse_range
from tests.store.test_area_query import random_ring
from tests.store.test_query import SEED, random_incidents


@pytest.fixture(scope="module")
def incidents():
    rng = np.random.default_rng(SEED + 11)
    gdf = random_incidents(600, rng)
    gdf["admin1"] = pd.array(rng.choice(["Baghdad", "Ninawa", ""], len(gdf)), dtype="string")
    wounded = rng.integers(0, 30, len(gdf)).astype(float)
    wounded[rng.random(len(gdf)) < 0.2] = np.nan
    gdf["wounded"] = pd.array(wounded, dtype="Float64")
    return gdf


def plain_reading(gdf, flt: IncidentFilter) -> np.ndarray:
    """Row by row, without the index: matplotlib's point-in-polygon, Python comparisons."""
    lon, lat = point_coordinates(gdf)
    keep = []
    for i in range(len(gdf)):
        ok = True
        if flt.bbox is not None:
            w, s, e, n = flt.bbox
            ok &= w <= lon[i] <= e and s <= lat[i] <= n
        if flt.area:
            ok &= bool(MplPath(np.asarray(flt.area)).contains_point((lon[i], lat[i])))
        if flt.admin1:
            ok &= gdf["admin1"].iloc[i] in flt.admin1
        for column, low, high in flt.ranges:
            value = gdf[column].iloc[i]
            ok &= not pd.isna(value) and (low is None or value >= low)
            ok &= not pd.isna(value) and (high is None or value <= high)
        keep.append(ok)
    return np.asarray(keep, dtype=bool)


def test_area_province_and_range_masks_equal_a_plain_reading(incidents) -> None:
    rng = np.random.default_rng(SEED + 12)
    index = IncidentIndex(incidents)
    for _ in range(30):
        west, south = float(rng.uniform(-2, 44)), float(rng.uniform(29, 34))
        flt = IncidentFilter(
            bbox=(west, south, west + 6, south + 3) if rng.random() < 0.5 else None,
            area=random_ring(rng) if rng.random() < 0.7 else (),
            admin1=("Baghdad",) if rng.random() < 0.4 else (),
            ranges=(("wounded", float(rng.integers(0, 10)), float(rng.integers(10, 30))),)
            if rng.random() < 0.5
            else (),
        )
        np.testing.assert_array_equal(index.mask(flt), plain_reading(incidents, flt))


def test_a_link_holds_the_area_provinces_and_ranges(incidents) -> None:
    flt = IncidentFilter(
        bbox=(43.5, 32.8, 45.0, 34.0),
        area=((44.0, 33.0), (45.25, 33.0), (44.5, 34.125)),
        admin1=("Baghdad", "Ninawa"),
        ranges=(("wounded", 5.0, None), ("fatalities", 1.0, 2.5)),
    )
    query = filter_to_query(flt)
    assert query["bbox"] == "43.5,32.8,45,34"
    assert query["area"] == "44 33,45.25 33,44.5 34.125"
    assert query["f.wounded"] == "5.." and query["f.fatalities"] == "1..2.5"
    back, problems = filter_from_query(
        query, actors=[], event_types=[], sites=[], columns={},
        numeric=["wounded", "fatalities"], provinces=["Baghdad", "Ninawa"],
    )  # fmt: skip
    assert problems == []
    assert back == flt


def test_bad_areas_and_ranges_in_a_link_are_reported_not_raised() -> None:
    flt, problems = filter_from_query(
        {"bbox": "45,30,44,31", "area": "44 33,45 33", "f.wounded": "ten..", "admin1": "Mars"},
        actors=[], event_types=[], sites=[], numeric=["wounded"], provinces=["Baghdad"],
    )  # fmt: skip
    assert flt == IncidentFilter()
    assert [p.split(":")[0] for p in problems] == [
        "ignored f.wounded='ten..'", "ignored admin1='Mars'", "ignored bbox='45,30,44,31'",
        "ignored area='44 33,45 33'",
    ]  # fmt: skip


def test_parsers_name_the_problem() -> None:
    assert parse_bbox("-1,2,3,4") == (-1.0, 2.0, 3.0, 4.0)
    assert parse_ring("44 33, 45 33, 45 34, 44 33") == ((44.0, 33.0), (45.0, 33.0), (45.0, 34.0))
    assert parse_range("..7") == (None, 7.0)
    with pytest.raises(AreaError, match="at least three distinct"):
        parse_ring("44 33,44 33,45 33")
    with pytest.raises(AreaError, match="outside"):
        parse_ring("44 33,45 33,45 95")
    with pytest.raises(ValueError, match="starts after it ends"):
        parse_range("9..2")
    with pytest.raises(Exception, match="not numeric"):
        range_mask(pd.DataFrame({"kind": ["a"]}), "kind", 1, 2)


def test_a_drawn_rectangle_is_a_box_and_a_drawn_polygon_a_ring() -> None:
    rectangle = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [
        [[44, 33], [44, 34], [45.5, 34], [45.5, 33], [44, 33]]]}}  # fmt: skip
    assert drawing_to_area(rectangle) == ((44.0, 33.0, 45.5, 34.0), ())
    triangle = {"type": "Polygon", "coordinates": [[[44, 33], [45, 33], [44.5, 34], [44, 33]]]}
    assert drawing_to_area(triangle) == (None, ((44.0, 33.0), (45.0, 33.0), (44.5, 34.0)))
    point = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [44, 33]}}
    assert drawing_to_area(point) == (None, ())
    assert drawing_to_area(None) == (None, ())


def test_the_caption_names_the_area_provinces_and_ranges() -> None:
    from geo.report.wording import describe_filters

    flt = IncidentFilter(
        where=(("attack_type", ("IED",)),),
        ranges=(("vehicles", 5.0, 12.0), ("depth", None, 2.5)),
        admin1=("Baghdad",),
        bbox=(43.5, 32.8, 45.0, 34.0),
        area=((44.0, 33.0), (45.0, 33.0), (44.5, 34.0)),
    )
    assert describe_filters(flt) == [
        "attack_type: IED", "vehicles 5–12", "depth ≤ 2.5", "Province: Baghdad",
        "Box 43.5,32.8 to 45,34", "Drawn area (3 corners)",
    ]  # fmt: skip

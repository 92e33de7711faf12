"""Provinces from Natural Earth admin-1: resolution on import, counts for the choropleth."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point, box

from geo.filters import IncidentFilter, IncidentIndex
from geo.importers import import_file
from geo.provinces import CLASS_COLORS, count_by_province, province_classes, resolve_provinces
from tests.store.test_query import SEED, random_incidents

CSV = (
    "date,latitude,longitude,attack_type,vehicles\n"
    "2008-01-02,33.3152,44.3661,IED,3\n"  # Baghdad
    "2008-01-03,36.3350,43.1189,SAF,\n"  # Mosul, Ninawa
    "2008-01-04,30.5085,47.7804,IED,12.5\n"  # Basra
    "2008-01-05,34.0,20.0,IED,0\n"  # the sea: no province
)


def test_an_import_without_provinces_takes_them_from_the_admin1_polygons() -> None:
    result = import_file(CSV.encode(), name="attacks.csv")
    assert result.incidents["admin1"].tolist() == ["Baghdad", "Ninawa", "Al-Basrah", ""]
    assert any("province (admin1) of 3 incidents" in note for note in result.warnings)
    index = IncidentIndex(result.incidents)
    assert len(index.select(IncidentFilter(admin1=("Baghdad", "Al-Basrah")))) == 2


def test_a_file_own_provinces_are_kept() -> None:
    text = CSV.replace("date,", "province,date,").replace("\n2008", "\nMy Province,2008")
    result = import_file(text.encode(), name="attacks.csv")
    assert set(result.incidents["admin1"]) == {"My Province"}
    assert not any("province" in note for note in result.warnings)


def test_a_numeric_column_of_the_file_filters_by_range_as_pandas_does() -> None:
    result = import_file(CSV.encode(), name="attacks.csv")
    gdf = result.incidents
    assert str(gdf["vehicles"].dtype) == "Float64" and str(gdf["attack_type"].dtype) == "category"
    raw = pd.read_csv(pd.io.common.StringIO(CSV))
    index = IncidentIndex(gdf)
    for low, high in ((1, 12.5), (None, 2), (4, None)):
        flt = IncidentFilter(ranges=(("vehicles", low, high),))
        want = raw["vehicles"].between(low if low is not None else -np.inf,
                                      high if high is not None else np.inf)  # fmt: skip
        assert len(index.select(flt)) == int(want.sum())


def test_resolution_names_the_polygon_each_point_lies_in() -> None:
    lon = np.array([44.3661, 43.1189, 20.0, np.nan])
    lat = np.array([33.3152, 36.3350, 34.0, np.nan])
    assert resolve_provinces(lon, lat).tolist() == ["Baghdad", "Ninawa", "", ""]


def test_choropleth_counts_equal_a_plain_count_per_polygon() -> None:
    provinces = gpd.GeoDataFrame(
        {"name": ["West", "East"], "country": ["X", "X"], "iso_a3": ["XXX", "XXX"]},
        geometry=[box(40, 30, 44, 35), box(44, 30, 48, 35)],
        crs="EPSG:4326",
    )
    rng = np.random.default_rng(SEED + 13)
    gdf = random_incidents(300, rng)
    for measure in ("incidents", "fatalities"):
        counts = count_by_province(gdf, measure, provinces)
        plain: dict[str, int] = {}
        outside = 0
        for point, dead in zip(gdf.geometry, gdf["fatalities"], strict=True):
            names = [n for n, g in zip(provinces["name"], provinces.geometry, strict=True)
                     if g.intersects(Point(point.x, point.y))]  # fmt: skip
            if not names:
                outside += 1
                continue
            weight = 1 if measure == "incidents" else 0 if pd.isna(dead) else int(dead)
            plain[names[0]] = plain.get(names[0], 0) + weight
        got = dict(zip(counts.provinces["name"], counts.provinces["value"], strict=True))
        assert got == {k: v for k, v in plain.items() if v > 0}
        assert counts.outside == outside
        assert set(counts.provinces["color"]) <= set(CLASS_COLORS)


def test_classes_cover_the_values_and_end_at_the_maximum() -> None:
    values = np.array([1, 1, 2, 3, 5, 8, 13, 40])
    breaks = province_classes(values)
    assert breaks[-1] == 40 and list(breaks) == sorted(set(breaks))
    assert len(breaks) <= len(CLASS_COLORS)
    assert province_classes(np.array([], dtype=int)) == ()

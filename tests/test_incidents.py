from __future__ import annotations

import csv
import io
import json

import numpy as np
import pandas as pd
from conftest import make_incidents

from geo.incidents import (
    COLUMNS,
    coerce_incidents,
    empty_incidents,
    point_coordinates,
    sort_incidents,
    sort_incidents_in_place,
    to_csv_bytes,
    to_geojson_bytes,
)


def test_empty_frame_has_every_column():
    assert list(empty_incidents().columns) == [*COLUMNS, "geometry"]


def test_coerce_does_not_mutate_input_and_fixes_dtypes():
    raw = pd.DataFrame(
        {"event_id": [1], "event_date": ["2020-03-11"], "fatalities": ["3"], "notes": [None]}
    )
    before = raw.copy()
    gdf = coerce_incidents(raw, geometry=[None])
    assert raw.equals(before)
    assert gdf.loc[0, "event_id"] == "1" and gdf.loc[0, "notes"] == ""
    assert gdf.loc[0, "fatalities"] == 3 and str(gdf["event_date"].dtype) == "datetime64[ns]"


def test_csv_neutralises_formulas_but_keeps_numbers():
    gdf = make_incidents(
        [
            {
                "event_id": "1",
                "event_date": "2020-01-01",
                "notes": '=HYPERLINK("http://x")',
                "location": "+1",
                "source": "@SUM(A1)",
                "actor1": "-2+3",
                "fatalities": 2,
                "lon": -1.5,
            },
        ]
    )
    rows = list(csv.DictReader(io.StringIO(to_csv_bytes(gdf).decode("utf-8-sig"))))
    assert rows[0]["notes"].startswith("'=")
    assert (
        rows[0]["location"] == "'+1"
        and rows[0]["source"] == "'@SUM(A1)"
        and rows[0]["actor1"] == "'-2+3"
    )
    assert rows[0]["fatalities"] == "2" and rows[0]["longitude"] == "-1.5"
    assert rows[0]["event_date"] == "2020-01-01"


def test_geojson_keeps_text_verbatim_and_dates_as_days():
    gdf = make_incidents(
        [{"event_id": "x", "event_date": "2020-01-01", "notes": "<b>“quoted”</b>"}]
    )
    feature = json.loads(to_geojson_bytes(gdf))["features"][0]
    assert feature["properties"]["notes"] == "<b>“quoted”</b>"
    assert feature["properties"]["event_date"] == "2020-01-01"
    assert feature["properties"]["end_date"] is None
    assert feature["geometry"] == {"type": "Point", "coordinates": [44.0, 33.0]}


def test_sort_puts_dates_in_order_and_keeps_each_row_with_its_point():
    rows = [
        {"event_id": "c", "event_date": "2020-03-01", "lon": 44.3, "lat": 33.5},
        {"event_id": "a", "event_date": "2019-12-27", "lon": 44.2, "lat": 35.5},
        {"event_id": "b", "event_date": "2020-03-01", "lon": 40.9, "lat": 34.4},
        {"event_id": "d", "event_date": "2020-01-08"},
    ]
    gdf = make_incidents(rows)
    gdf.loc[3, "geometry"] = None  # an incident without a place
    before = gdf.copy()
    out = sort_incidents(gdf)
    assert list(out["event_id"]) == ["a", "d", "b", "c"]
    assert list(out.index) == [0, 1, 2, 3]
    by_id = {r["event_id"]: r for r in rows}
    lon, lat = point_coordinates(out)
    for i, event_id in enumerate(out["event_id"]):
        if "lon" in by_id[event_id]:
            assert (lon[i], lat[i]) == (by_id[event_id]["lon"], by_id[event_id]["lat"])
        else:
            assert np.isnan(lon[i]) and np.isnan(lat[i])
    assert gdf.equals(before)
    assert sort_incidents(out) is out  # already in order: nothing to do


def test_text_columns_are_arrow_strings_without_missing_values():
    gdf = coerce_incidents(
        pd.DataFrame({"event_id": [7, None], "notes": [None, "x"], "fatalities": [1, 2]}),
        geometry=[None, None],
    )
    assert list(gdf["event_id"]) == ["7", ""]
    assert list(gdf["notes"]) == ["", "x"]
    assert str(gdf["notes"].dtype) == str(pd.StringDtype("pyarrow"))


def test_sort_in_place_reorders_the_frame_itself_like_sort_incidents():
    gdf = make_incidents(
        [
            {"event_id": "b", "event_date": "2021-05-01", "lon": 40.0, "lat": 30.0},
            {"event_id": "a", "event_date": "2021-05-01", "lon": 41.0, "lat": 31.0},
            {"event_id": "c", "event_date": "2020-01-01", "lon": 42.0, "lat": 32.0},
        ]
    )
    expected = sort_incidents(gdf)
    assert list(gdf["event_id"]) == ["b", "a", "c"]  # the pure version left it alone
    sort_incidents_in_place(gdf)
    assert list(gdf["event_id"]) == ["c", "a", "b"]
    assert gdf.drop(columns="geometry").equals(expected.drop(columns="geometry"))
    assert list(gdf.geometry.x) == [42.0, 41.0, 40.0]

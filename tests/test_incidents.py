from __future__ import annotations

import csv
import io
import json

import pandas as pd
from conftest import make_incidents

from geo.incidents import COLUMNS, coerce_incidents, empty_incidents, to_csv_bytes, to_geojson_bytes


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

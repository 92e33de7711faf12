from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from geo.build import DEFAULT_OUTPUT_PATH, build_incidents, write_incidents
from geo.cli import main
from geo.incidents import to_geojson_bytes
from geo.schema import IncidentDataError


def _build(paths: dict[str, Path]):
    return build_incidents(paths["attributes"], paths["sites"], paths["actors"])


def _edit(paths: dict[str, Path], row: int, **changes: str) -> None:
    table = pd.read_csv(paths["attributes"], dtype=str, keep_default_na=False)
    for field, value in changes.items():
        table.loc[row, field] = value
    table.to_csv(paths["attributes"], index=False)


def test_join_takes_site_point_names_and_uncertainty(tiny_dataset):
    gdf = _build(tiny_dataset)
    assert list(gdf["event_id"]) == ["a", "b"]  # sorted by date
    taji = gdf.set_index("event_id").loc["b"]
    assert (taji.geometry.x, taji.geometry.y) == (44.25, 33.53)
    assert taji["location"] == "Camp Taji"
    assert taji["admin1"] == "Baghdad"
    assert taji["uncertainty_km"] == 2.0
    assert taji["fatalities"] == 3


def test_own_coordinates_override_site_point(tiny_dataset):
    k1 = _build(tiny_dataset).set_index("event_id").loc["a"]
    assert (k1.geometry.x, k1.geometry.y) == (44.285, 35.515)


@pytest.mark.parametrize(
    ("row", "changes", "message"),
    [
        (0, {"site_id": "atlantis"}, r"unknown site_id.*atlantis"),
        (0, {"event_id": "a"}, r"duplicate event_id: a"),
        (0, {"event_type": "Skirmish"}, r"outside the ACLED vocabulary.*Skirmish"),
        (0, {"sub_event_type": "Peaceful protest"}, r"does not belong to"),
        (0, {"time_precision": "4"}, r"time_precision outside"),
        (0, {"event_date": "2020-02-30"}, r"event_date is not a YYYY-MM-DD date.*2020-02-30"),
        (0, {"end_date": "2020-01-01"}, r"end_date is not .* on or after"),
        (0, {"fatalities": "-1"}, r"fatalities must be a whole number"),
        (0, {"actor1": "KH"}, r"actor not in the actors table.*'KH'"),
        (0, {"source_file": "x.txt"}, r"source_file and source_quote go together"),
        (0, {"date_basis": "guess"}, r"date_basis outside"),
        (1, {"latitude": "36.5"}, r"outside its site's uncertainty_km"),
        (0, {"notes": ""}, r"required field empty.*lacks notes"),
    ],
)
def test_build_stops_with_one_clear_message(tiny_dataset, row, changes, message):
    _edit(tiny_dataset, row, **changes)
    with pytest.raises(IncidentDataError, match=message):
        _build(tiny_dataset)


def test_cli_build_reports_error_without_traceback(tiny_dataset, tmp_path, capsys):
    _edit(tiny_dataset, 0, site_id="atlantis")
    code = main(
        [
            "build",
            "--attributes",
            str(tiny_dataset["attributes"]),
            "--sites",
            str(tiny_dataset["sites"]),
            "--actors",
            str(tiny_dataset["actors"]),
            "--out",
            str(tmp_path / "out.geojson"),
        ]
    )
    err = capsys.readouterr().err
    assert code != 0
    assert "unknown site_id" in err and "Traceback" not in err
    assert not (tmp_path / "out.geojson").exists()


def test_written_geojson_round_trips_through_geopandas(tiny_dataset, tmp_path):
    import geopandas as gpd

    out = write_incidents(_build(tiny_dataset), tmp_path / "x.geojson")
    back = gpd.read_file(out)
    assert sorted(back["event_id"]) == ["a", "b"]
    assert json.loads(out.read_text())["features"][0]["properties"]["event_date"] == "2019-12-27"


def test_committed_dataset_equals_a_fresh_build():
    fresh = to_geojson_bytes(build_incidents(), indent=1)
    assert DEFAULT_OUTPUT_PATH.read_bytes() == fresh, (
        "run `python -m geo build` and commit the result"
    )

"""``geo export`` with --bbox, --area, --admin1 and --where ranges: the counts pandas gives."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo import cli
from geo.areas import area_mask, parse_ring
from geo.recipe import read_recipe, recipe_path_for

N = 300


@pytest.fixture(scope="module")
def convoys(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    rng = np.random.default_rng(17)
    frame = pd.DataFrame(
        {
            "date": pd.Timestamp("2008-01-01") + pd.to_timedelta(rng.integers(0, 300, N), "D"),
            "longitude": rng.uniform(42.0, 46.5, N).round(4),
            "latitude": rng.uniform(31.0, 36.5, N).round(4),
            "attack_type": rng.choice(["IED", "SAF", "IDF"], N),
            "vehicles": rng.integers(0, 30, N),
        }
    )
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    path = tmp_path_factory.mktemp("convoys") / "convoys.csv"
    frame.to_csv(path, index=False)
    return path, frame


def export(tmp_path: Path, data: Path, name: str, *flags: str) -> pd.DataFrame:
    out = tmp_path / name
    assert cli.main(["export", "--out", str(out), "--data", str(data), *flags]) == 0
    return pd.read_csv(out)


def test_bbox_area_and_ranges_give_the_counts_pandas_gives(convoys, tmp_path) -> None:
    data, frame = convoys
    lon, lat = frame["longitude"].to_numpy(), frame["latitude"].to_numpy()
    box = (43.0, 32.0, 45.5, 35.0)
    in_box = (lon >= 43.0) & (lon <= 45.5) & (lat >= 32.0) & (lat <= 35.0)
    got = export(tmp_path, data, "box.csv", "--bbox", "43,32,45.5,35")
    assert len(got) == int(in_box.sum()) > 0
    ring = "43 31.5,46 32,45 36,42.5 34"
    in_area = area_mask(lon, lat, parse_ring(ring))
    assert len(export(tmp_path, data, "area.csv", "--area", ring)) == int(in_area.sum()) > 0
    ranged = frame["vehicles"].between(5, 12) & frame["attack_type"].eq("IED")
    got = export(tmp_path, data, "r.csv", "--where", "vehicles=5..12", "--where", "attack_type=IED")
    assert len(got) == int(ranged.sum()) > 0
    # The file's own columns are written into the CSV, under their own names.
    assert sorted(got["vehicles"]) == sorted(frame.loc[ranged, "vehicles"])
    recipe = read_recipe(recipe_path_for(tmp_path / "r.csv"))
    assert recipe.flt.ranges == (("vehicles", 5.0, 12.0),)
    assert recipe.flt.where == (("attack_type", ("IED",)),)
    assert cli.main(["export", "--recipe", str(recipe_path_for(tmp_path / "r.csv")),
                     "--out", str(tmp_path / "again.csv")]) == 0  # fmt: skip
    assert len(pd.read_csv(tmp_path / "again.csv")) == int(ranged.sum())
    boxed = read_recipe(recipe_path_for(tmp_path / "box.csv"))
    assert boxed.flt.bbox == box


def test_provinces_filter_files_without_the_column(convoys, tmp_path) -> None:
    data, _ = convoys
    everything = export(tmp_path, data, "all.csv")
    chosen = everything["admin1"].isin(["Ninawa", "Diyala"])
    assert 0 < chosen.sum() < len(everything)
    got = export(tmp_path, data, "two.csv", "--admin1", "Ninawa", "--admin1", "Diyala")
    assert len(got) == int(chosen.sum())


def test_geojson_holds_the_file_own_columns(convoys, tmp_path) -> None:
    data, frame = convoys
    out = tmp_path / "all.geojson"
    assert cli.main(["export", "--out", str(out), "--data", str(data)]) == 0
    features = json.loads(out.read_text())["features"]
    assert len(features) == N
    assert sorted(f["properties"]["attack_type"] for f in features) == sorted(frame["attack_type"])
    assert sorted(f["properties"]["vehicles"] for f in features) == sorted(frame["vehicles"])


def test_a_range_on_a_column_that_is_not_numeric_is_one_sentence(convoys, tmp_path, capsys):
    data, _ = convoys
    code = cli.main(["export", "--out", str(tmp_path / "x.csv"), "--data", str(data),
                     "--where", "attack_type=1..2"])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "not numeric" in err and "Traceback" not in err

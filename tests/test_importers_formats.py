"""Every importable format, read through the real parsers and round-tripped."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from geo.importers import ImportResult, import_file
from geo.incidents import COLUMNS, to_csv_bytes, to_geojson_bytes
from geo.schema import EVENT_TYPES
from geo.sites import SiteIndex, read_sites
from tests.conftest import REPO, make_incidents

DATA = Path(__file__).parent / "data" / "importers"


@pytest.fixture
def sites(tiny_dataset: dict[str, Path]) -> SiteIndex:
    return SiteIndex(read_sites(tiny_dataset["sites"]))


def assert_reconciles(result: ImportResult) -> None:
    assert result.records_read == len(result.incidents) + len(result.rejected)
    columns = list(result.incidents.columns)
    assert columns[: len(COLUMNS)] == list(COLUMNS) and columns[-1] == "geometry"
    for own in columns[len(COLUMNS) : -1]:  # the file's own categories and numbers, by name
        assert str(result.incidents[own].dtype) in ("category", "Float64"), own


def sample() -> gpd.GeoDataFrame:
    return make_incidents(
        [
            {
                "event_id": "a-1",
                "event_date": "2020-01-03",
                "end_date": "2020-01-05",
                "lon": 44.3661,
                "lat": 33.3152,
                "fatalities": 2,
                "injuries": 4,
                "assoc_actor_1": "X; Y",
                "notes": 'Said: "hello"; <b>bold</b> and é',
                "source_file": "a.md",
                "source_quote": "It happened.",
                "uncertainty_km": 1.5,
                "coord_source": "survey",
                "site_id": "camp_taji",
                "time_precision": 2,
                "geo_precision": 3,
            },
            {
                "event_id": "a-2",
                "event_date": "2021-07-30",
                "lon": 43.1189,
                "lat": 36.335,
                "event_type": "Protests",
                "sub_event_type": "Peaceful protest",
                "notes": "=cmd",
            },
        ]
    )


def assert_same_incidents(got: gpd.GeoDataFrame, want: gpd.GeoDataFrame, *, fields=COLUMNS) -> None:
    for col in fields:
        left, right = got[col].reset_index(drop=True), want[col].reset_index(drop=True)
        pd.testing.assert_series_equal(left, right, check_names=False, check_dtype=False, obj=col)
    assert got.geometry.x.round(6).tolist() == want.geometry.x.round(6).tolist()
    assert got.geometry.y.round(6).tolist() == want.geometry.y.round(6).tolist()


def test_our_geojson_round_trips_every_field() -> None:
    want = sample()
    result = import_file(to_geojson_bytes(want), name="export.geojson")
    assert result.format == "incident-map" and result.record_label == "feature"
    assert len(result.rejected) == 0
    assert_same_incidents(result.incidents, want)


def test_our_csv_export_round_trips() -> None:
    want = sample()
    result = import_file(to_csv_bytes(want), name="export.csv")
    assert result.format == "incident-map"
    assert len(result.rejected) == 0
    # The CSV export neutralises formulas, so "=cmd" comes back quoted; all else is equal.
    assert result.incidents.loc[1, "notes"] == "'=cmd"
    assert_same_incidents(result.incidents, want, fields=[c for c in COLUMNS if c != "notes"])


def test_bundled_dataset_imports_without_loss() -> None:
    path = REPO / "data" / "incidents.geojson"
    if not path.exists():
        pytest.fail("data/incidents.geojson is missing")
    result = import_file(path)
    assert result.format == "incident-map"
    assert len(result.rejected) == 0
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    assert result.records_read == len(features)
    for feature, (_, row) in zip(features, result.incidents.iterrows(), strict=True):
        props = feature["properties"]
        for key in ("event_id", "source_quote", "coord_source", "notes", "actor1", "site_id"):
            assert row[key] == (props.get(key) or ""), key
        if props.get("uncertainty_km") is not None:
            assert row["uncertainty_km"] == pytest.approx(props["uncertainty_km"])
        assert row["event_date"].strftime("%Y-%m-%d") == props["event_date"]
        assert [round(row.geometry.x, 6), round(row.geometry.y, 6)] == [
            round(c, 6) for c in feature["geometry"]["coordinates"][:2]
        ]


@pytest.mark.parametrize("suffix", ["gpkg", "parquet", "geojson"])
def test_gis_formats_round_trip(tmp_path: Path, suffix: str) -> None:
    want = sample()
    table = want.copy()
    for col in ("event_date", "end_date"):
        table[col] = table[col].dt.strftime("%Y-%m-%d").fillna("")
    path = tmp_path / f"incidents.{suffix}"
    if suffix == "parquet":
        table.to_parquet(path)
    else:
        table.to_file(path, driver="GPKG" if suffix == "gpkg" else "GeoJSON", engine="pyogrio")
    result = import_file(path.read_bytes(), name=path.name)
    assert result.format == "incident-map"
    assert result.record_label == "feature"
    assert len(result.rejected) == 0
    assert_same_incidents(result.incidents, want)


def test_generic_gis_layers_reject_non_points_and_reproject(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame(
        {"date": ["2020-01-01", "2020-01-02", "2020-01-03"], "description": ["a", "b", "c"]},
        geometry=[Point(44.4, 33.3), LineString([(44, 33), (45, 34)]), None],
        crs=4326,
    ).to_crs(3857)
    for suffix in ("gpkg", "parquet"):
        path = tmp_path / f"layer.{suffix}"
        gdf.to_parquet(path) if suffix == "parquet" else gdf.to_file(path, driver="GPKG")
        result = import_file(path)
        assert result.format == {"gpkg": "gpkg", "parquet": "geoparquet"}[suffix]
        assert_reconciles(result)
        assert result.incidents.geometry.x.round(4).tolist() == [44.4]
        assert result.incidents["notes"].tolist() == ["a"]
        reasons = dict(zip(result.rejected["record"], result.rejected["reason"], strict=True))
        assert "not a Point" in reasons[2]
        assert "no location" in reasons[3]
        assert any("converted from" in w for w in result.warnings)


def test_acled_current_31_and_35_columns() -> None:
    for name, columns in (("acled_current.csv", 31), ("acled_35.csv", 35)):
        raw = pd.read_csv(DATA / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        assert len(raw.columns) == columns
        result = import_file(DATA / name)
        assert result.format == "acled"
        assert_reconciles(result)
        assert len(result.rejected) == 0
        got = result.incidents
        assert got["event_id"].tolist() == raw["event_id_cnty"].tolist()
        assert got["assoc_actor_1"].tolist() == raw["assoc_actor_1"].tolist()
        assert got["notes"].tolist() == raw["notes"].tolist()
        assert got["fatalities"].tolist() == raw["fatalities"].astype(int).tolist()
        assert got.geometry.y.tolist() == raw["latitude"].astype(float).tolist()
        assert (got["event_date"] == pd.to_datetime(raw["event_date"], format="%d %B %Y")).all()


def test_acled_legacy_layout_with_semicolons_and_day_first_dates() -> None:
    raw = pd.read_csv(DATA / "acled_legacy.csv", sep=";", dtype=str, keep_default_na=False)
    result = import_file(DATA / "acled_legacy.csv")
    assert result.format == "acled-legacy"
    assert len(result.rejected) == 0
    want = pd.to_datetime(raw["event_date"], format="%d-%m-%Y")
    assert (result.incidents["event_date"] == want).all()
    assert result.incidents["time_precision"].tolist() == raw["time_precision"].astype(int).tolist()


def test_ucdp_ged_mapping() -> None:
    raw = pd.read_csv(DATA / "ucdp_ged.csv", dtype=str, keep_default_na=False)
    result = import_file(DATA / "ucdp_ged.csv")
    assert result.format == "ucdp-ged"
    assert len(result.rejected) == 0
    got = result.incidents.set_index("event_id")
    for row in raw.itertuples():
        incident = got.loc[row.id]
        tv = int(row.type_of_violence)
        assert incident["event_type"] == ("Violence against civilians" if tv == 3 else "Battles")
        assert incident["sub_event_type"] in EVENT_TYPES[incident["event_type"]]
        assert incident["time_precision"] == {1: 1, 2: 2, 3: 2, 4: 3, 5: 3}[int(row.date_prec)]
        assert incident["geo_precision"] == min(3, {1: 1, 2: 2, 3: 2}.get(int(row.where_prec), 3))
        assert incident["fatalities"] == int(row.best)
        assert f"low {row.low}, high {row.high}" in incident["notes"]
        assert (incident["actor1"], incident["actor2"]) == (row.side_a, row.side_b)
        assert incident["source"] == row.source_article
        assert incident["end_date"] == pd.Timestamp(row.date_end[:10])


def test_generic_latin1_semicolons_decimal_commas() -> None:
    result = import_file(DATA / "generic_latin1_semicolon.csv")
    assert result.format == "csv"
    assert len(result.rejected) == 0
    assert any("Windows-1252" in w for w in result.warnings)
    got = result.incidents
    assert "café" in got.loc[0, "notes"]
    assert got.geometry.y.tolist() == [36.335, 33.3152]
    assert got["event_date"].dt.strftime("%Y-%m-%d").tolist() == ["2020-05-16", "2020-05-25"]
    assert got["fatalities"].tolist() == [3, 0]


def test_place_names_geocoded_by_sites_then_geonames(sites: SiteIndex) -> None:
    result = import_file(DATA / "generic_places.csv", sites=sites)
    raw = pd.read_csv(DATA / "generic_places.csv", dtype=str, keep_default_na=False)
    assert_reconciles(result)
    expected_rejected = raw.index[raw["expect_source"] == "rejected"] + 1
    assert result.rejected["record"].tolist() == expected_rejected.tolist()
    by_note = result.incidents.set_index("notes")
    site_row = by_note.loc["rockets on a site alias"]
    assert site_row["site_id"] == "camp_taji" and site_row["geo_precision"] == 1
    assert (site_row.geometry.x, site_row.geometry.y) == (44.25, 33.53)
    town = by_note.loc["a GeoNames town"]
    assert town["coord_source"].startswith("GeoNames") and town["geo_precision"] == 2
    assert abs(town.geometry.y - 36.34) < 0.1 and abs(town.geometry.x - 43.13) < 0.1
    assert any("GeoNames" in w for w in result.warnings)
    assert any("sites gazetteer" in w for w in result.warnings)


def test_utf16_and_bom_variants(tmp_path: Path) -> None:
    text = "date,lat,lon,notes\n2020-01-01,33.3,44.4,Ünïcode\n"
    for data in (
        text.encode("utf-8"),
        b"\xef\xbb\xbf" + text.encode("utf-8"),
        text.encode("utf-16"),
    ):
        result = import_file(data, name="x.csv")
        assert result.incidents["notes"].tolist() == ["Ünïcode"]


def test_file_name_is_never_a_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    data = b"date,lat,lon\n2020-01-01,33.3,44.4\n"
    result = import_file(data, name="../../etc/passwd.csv")
    assert len(result.incidents) == 1
    assert list(tmp_path.iterdir()) == []

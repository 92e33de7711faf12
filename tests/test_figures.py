"""Casualty figures the data does not hold stay missing from import to every output.

Expected values come from pandas on the written files, not from the package's code.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.aggregate import build_cluster_payload
from geo.figures import (
    NOT_RECORDED,
    describe_casualties,
    recorded_columns,
    recorded_or_zero,
    sum_figure,
    summarize_casualties,
)
from geo.filters import IncidentFilter, IncidentIndex
from geo.importers import import_file
from geo.incidents import to_csv_bytes, to_geojson_bytes
from geo.mapview.tables import _incident_table as incident_table
from geo.report.wording import describe_incident

DATA = Path(__file__).resolve().parent / "data" / "importers"


def write_generic(tmp_path: Path, name: str, header: str, rows: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def no_figures(tmp_path: Path) -> Path:
    """A generic file with no casualty column at all (like the 72k-row attack file)."""
    rows = [f"2008-01-{d:02d},44.{d},33.{d},IED" for d in range(1, 21)]
    return write_generic(tmp_path, "none.csv", "date,longitude,latitude,attack_type", rows)


@pytest.fixture
def some_figures(tmp_path: Path) -> Path:
    """Fatalities for some rows only: 3, empty, 5, empty, 0."""
    rows = ["2008-01-01,44.1,33.1,3", "2008-01-02,44.2,33.2,", "2008-01-03,44.3,33.3,5",
            "2008-01-04,44.4,33.4,", "2008-01-05,44.5,33.5,0"]  # fmt: skip
    return write_generic(tmp_path, "some.csv", "date,longitude,latitude,fatalities", rows)


def test_figure_wording() -> None:
    full = sum_figure(pd.Series([3, 0, 9], dtype="Int64"))
    assert (full.total, full.recorded, full.incidents) == (12, 3, 3)
    assert full.value() == "12" and full.coverage() == "" and full.sentence("killed") == "12 killed"
    part = sum_figure(pd.Series([12, None, None], dtype="Int64"))
    assert part.value() == "12" and part.is_partial
    assert part.sentence("killed") == "12 killed in 1 of 3 incidents with a figure"
    none = sum_figure(pd.Series([None, None], dtype="Int64"))
    assert none.value() == NOT_RECORDED and not none.is_recorded
    assert none.sentence("injured") == "injured: not recorded"
    empty = sum_figure(pd.Series([], dtype="Int64"))
    assert empty.value() == NOT_RECORDED and empty.coverage() == ""


def test_a_file_without_casualty_columns_keeps_them_missing(no_figures: Path) -> None:
    result = import_file(no_figures)
    gdf = result.incidents
    assert len(gdf) == 20 and len(result.rejected) == 0
    assert gdf["fatalities"].isna().all() and gdf["injuries"].isna().all()
    figures = summarize_casualties(gdf)
    assert figures["fatalities"].value() == NOT_RECORDED
    assert figures["injuries"].value() == NOT_RECORDED
    assert describe_casualties(gdf) == "killed: not recorded; injured: not recorded"
    assert recorded_columns(gdf, ["event_id", "fatalities", "injuries"]) == ["event_id"]
    assert recorded_or_zero(gdf["fatalities"]).tolist() == [0] * 20


def test_ucdp_deaths_are_recorded_injuries_are_not() -> None:
    gdf = import_file(DATA / "ucdp_ged.csv").incidents
    raw = pd.read_csv(DATA / "ucdp_ged.csv")
    figures = summarize_casualties(gdf)
    assert figures["fatalities"].value() == f"{int(raw['best'].sum()):,}"
    assert not figures["fatalities"].is_partial
    assert figures["injuries"].value() == NOT_RECORDED


def test_partly_recorded_figure_says_what_it_covers(some_figures: Path) -> None:
    gdf = import_file(some_figures).incidents
    raw = pd.read_csv(some_figures)
    assert gdf["fatalities"].isna().tolist() == raw["fatalities"].isna().tolist()
    figure = summarize_casualties(gdf)["fatalities"]
    given = raw["fatalities"].notna()
    assert figure.total == int(raw["fatalities"].sum())
    assert figure.sentence("killed") == (
        f"{int(raw['fatalities'].sum())} killed in {int(given.sum())} of {len(raw)} "
        "incidents with a figure"
    )


def test_minimum_fatalities_keeps_only_incidents_known_to_reach_it(some_figures: Path) -> None:
    gdf = import_file(some_figures).incidents
    raw = pd.read_csv(some_figures)
    index = IncidentIndex(gdf)
    for minimum in (0, 1, 4, 6):
        got = index.select(IncidentFilter(min_fatalities=minimum))
        expected = len(raw) if minimum == 0 else int((raw["fatalities"] >= minimum).sum())
        assert len(got) == expected, minimum
    assert index.select(IncidentFilter(min_fatalities=1))["fatalities"].notna().all()


def test_exports_leave_unrecorded_figures_empty(some_figures: Path) -> None:
    gdf = import_file(some_figures).incidents
    raw = pd.read_csv(some_figures)
    csv = pd.read_csv(io.BytesIO(to_csv_bytes(gdf)), dtype=str, keep_default_na=False)
    by_date = dict(zip(csv["event_date"], csv["fatalities"], strict=True))
    for day, value in zip(raw["date"], raw["fatalities"], strict=True):
        assert by_date[day] == ("" if pd.isna(value) else str(int(value)))
    features = json.loads(to_geojson_bytes(gdf))["features"]
    got = {f["properties"]["event_date"]: f["properties"]["fatalities"] for f in features}
    for day, value in zip(raw["date"], raw["fatalities"], strict=True):
        assert got[day] == (None if pd.isna(value) else int(value))


def test_popups_and_report_lines_say_not_recorded(no_figures: Path, some_figures: Path) -> None:
    gdf = import_file(no_figures).incidents
    table = incident_table(gdf, np.zeros(len(gdf), dtype=int))
    fields = table["fields"]
    for row in table["rows"]:
        assert row[fields.index("fatalities")] == -1 and row[fields.index("injuries")] == -1
    line = describe_incident(gdf.iloc[0])
    assert "casualties not recorded" in line and "0 killed" not in line
    part = import_file(some_figures).incidents
    lines = [describe_incident(row) for _, row in part.iterrows()]
    assert [" killed" in x for x in lines] == part["fatalities"].notna().tolist()


def test_clusters_leave_fatalities_out_when_none_is_recorded(
    no_figures: Path, some_figures: Path
) -> None:
    none = import_file(no_figures).incidents
    colors = {"IED": "#ff0000"}
    payload = build_cluster_payload(none, colors, "event_type")
    assert payload["fk"] == "none"
    part = import_file(some_figures).incidents
    payload = build_cluster_payload(part, colors, "event_type")
    assert payload["fk"] == "some"
    coarsest = payload["levels"][0]
    assert sum(coarsest["f"]) == int(pd.read_csv(some_figures)["fatalities"].sum())
    assert sum(coarsest["n"]) == len(part)

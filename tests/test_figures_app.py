"""The dashboard's casualty metrics and table on files that lack or partly hold the figures."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
DASHBOARD = REPO / "dashboard.py"
DATA = REPO / "data" / "incidents.geojson"
TIMEOUT_S = 120


@pytest.fixture(autouse=True)
def fresh_caches(monkeypatch):
    """Caches outlive one AppTest; the data file must come from the test alone."""
    monkeypatch.delenv("INCIDENT_MAP_DATA", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def run_app() -> AppTest:
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT_S).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    (found,) = [m for m in at.metric if m.label == label]
    return str(found.value)


def test_a_file_without_figures_says_not_recorded(tmp_path, monkeypatch):
    path = tmp_path / "attacks.csv"
    rows = [f"2008-02-{d:02d},44.{d},33.{d},SAF" for d in range(1, 15)]
    path.write_text("date,longitude,latitude,attack_type\n" + "\n".join(rows) + "\n", "utf-8")
    monkeypatch.setenv("INCIDENT_MAP_DATA", str(path))
    at = run_app()
    assert metric(at, "Incidents shown") == "14"
    assert metric(at, "Fatalities") == "not recorded"
    assert metric(at, "Injuries") == "not recorded"
    (table,) = at.main.dataframe
    assert "fatalities" not in table.value.columns and "injuries" not in table.value.columns


def test_partly_recorded_injuries_say_how_many_incidents_they_cover():
    features = json.loads(DATA.read_text(encoding="utf-8"))["features"]
    df = pd.DataFrame([f["properties"] for f in features])
    injuries = pd.to_numeric(df["injuries"], errors="coerce")
    given = int(injuries.notna().sum())
    assert 0 < given < len(df)  # the bundled data gives injuries for some incidents only
    at = run_app()
    assert metric(at, "Fatalities") == f"{int(df['fatalities'].sum()):,}"
    assert metric(at, "Injuries") == f"{int(injuries.sum()):,}"
    expected = (
        f"{int(injuries.sum()):,} injured in {given:,} of {len(df):,} incidents with a figure"
    )
    assert any(expected in c.value for c in at.caption), [c.value for c in at.caption]

"""Smoke tests of the benchmark's pieces (no timing is asserted anywhere)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import folium
import pandas as pd
import pytest

from geo import baseline, bench, benchdata
from geo.importers import import_file
from geo.schema import check_vocabulary


def test_generated_acled_file_is_deterministic_and_imports_cleanly(tmp_path: Path) -> None:
    path = benchdata.write_acled_csv(300, tmp_path, seed=7)
    again = benchdata.generate_acled(300, seed=7)
    assert list(pd.read_csv(path).columns) == list(benchdata.ACLED_COLUMNS)
    assert pd.read_csv(path, keep_default_na=False)["event_id_cnty"].tolist() == (
        again["event_id_cnty"].tolist()
    )
    result = import_file(path)
    assert result.format == "acled"
    assert len(result.incidents) == 300 and len(result.rejected) == 0
    pairs = again[["event_type", "sub_event_type"]].drop_duplicates().itertuples(index=False)
    assert all(check_vocabulary(t, s) is None for t, s in pairs)


def test_canonical_shortcut_matches_the_importer(tmp_path: Path) -> None:
    path = benchdata.write_acled_csv(200, tmp_path, seed=3)
    imported = import_file(path).incidents
    direct = benchdata.to_canonical(benchdata.generate_acled(200, seed=3))
    for column in ("event_id", "event_type", "actor1", "fatalities", "event_date"):
        assert direct[column].tolist() == imported[column].tolist()
    assert direct.geometry.x.round(4).tolist() == imported.geometry.x.round(4).tolist()


def test_report_states_targets_and_timeouts(tmp_path: Path) -> None:
    rows = [
        bench.Row(100_000, "dashboard", shown=2, server_ms=40.0, payload_bytes=9, first_s=2.0),
        bench.Row(100_000, "folium markers", server_note="> 60 s (timed out)", first_s=30.0),
        bench.Row(100_000, "st.map", first_s=1.0),
    ]
    targets = bench.check_targets(rows)
    assert any("5x faster" in t and "met" in t and "15.0x" in t for t in targets)
    assert any("1.5x st.map" in t and "MISSED" in t and "2.00x st.map's time" in t for t in targets)
    bench.write_plot(rows, tmp_path / "plot.png")
    report = bench.write_report(rows, tmp_path, "python -m geo bench --quick", 1.0)
    text = report.read_text(encoding="utf-8")
    assert "> 60 s (timed out)" in text and "| 100,000 | dashboard |" in text
    assert (tmp_path / "plot.png").stat().st_size > 0


def test_sizes_option() -> None:
    parser = argparse.ArgumentParser()
    bench.add_bench_arguments(parser)
    assert bench._sizes(parser.parse_args(["--quick"])) == [10_000]
    assert bench._sizes(parser.parse_args(["--sizes", "1_000,20000"])) == [1_000, 20_000]


def test_naive_baseline_draws_one_marker_per_incident_and_stops_at_its_deadline(
    tmp_path: Path,
) -> None:
    frame = baseline.read_bench_csv(benchdata.write_acled_csv(120, tmp_path, seed=5))
    m = baseline.naive_marker_map(frame)
    markers = [c for c in m._children.values() if isinstance(c, folium.Marker)]
    assert len(markers) == len(frame)
    with pytest.raises(TimeoutError):
        baseline.naive_marker_map(frame, deadline=time.perf_counter() - 1)


def test_st_map_server_timing_serialises_what_st_map_sends(tmp_path: Path) -> None:
    from streamlit.elements.map import to_deckgl_json

    csv = benchdata.write_acled_csv(400, tmp_path, seed=11)
    server_ms, payload_bytes = bench.measure_stmap_server(csv, repeats=2, budget_s=30)
    shown = baseline.select_window(baseline.read_bench_csv(csv), *bench.CHANGED_WINDOW)
    assert 0 < len(shown) < 400  # the window is a part of the data
    deck = to_deckgl_json(shown[["latitude", "longitude"]], None, None,
                          baseline.ST_MAP_POINT_SIZE, baseline.ST_MAP_COLOR, None)  # fmt: skip
    assert payload_bytes == len(deck.encode())
    assert server_ms > 0

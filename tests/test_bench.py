"""Smoke tests of the benchmark's pieces (no timing is asserted anywhere)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import folium
import pandas as pd
import pytest

from benchmarks import baseline, bench, benchdata
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
        bench.Row(100_000, "dashboard", shown=2, server_ms=40.0, payload_bytes=9, warm_s=2.0,
                  cold_s=6.0, change_s=0.4, restart_s=3.0),
        bench.Row(100_000, "folium markers", server_note="> 60 s (timed out)", warm_s=30.0,
                  cold_s="> 300 s (timed out)"),
        bench.Row(100_000, "st.map", warm_s=1.0, cold_s=5.0, change_s=0.9),
        bench.Row(100_000, "expert folium", warm_s=4.0, cold_s=7.5, change_s=1.2),
    ]  # fmt: skip
    targets = bench.check_targets(rows)
    assert any("5x faster" in t and "met" in t and "15.0x" in t for t in targets)
    assert any("1.5x st.map" in t and "MISSED" in t and "2.00x st.map's time" in t for t in targets)
    # cold: 6.0 s against the fastest baseline's 5.0 s (st.map): 1.20x, over the 1.0x target
    assert any("cold first draw <= 1.0x" in t and "(st.map)" in t and "MISSED" in t
               and "1.20x" in t for t in targets)  # fmt: skip
    assert any("warm first draw <= 0.8x" in t and "MISSED" in t and "2.00x" in t for t in targets)
    assert any("100,000, filter change in the browser <= 0.5 s: met (0.40 s)" in t
               for t in targets)  # fmt: skip
    bench.write_plot(rows, tmp_path / "plot.png")
    report = bench.write_report(rows, tmp_path, "python -m geo bench --quick", 1.0)
    text = report.read_text(encoding="utf-8")
    assert "> 60 s (timed out)" in text and "| 100,000 | file | dashboard |" in text
    # the ratios: dashboard / each baseline, and / the fastest one
    assert (
        "| 100,000 | file | cold first draw | 6.00 | > 300 s (timed out) | 5.00 (1.20x) "
        "| 7.50 (0.80x) | 1.20x |" in text
    )
    assert (tmp_path / "plot.png").stat().st_size > 0


def test_targets_say_when_100k_was_not_measured() -> None:
    targets = bench.check_targets([bench.Row(10_000, "dashboard", warm_s=1.0)])
    assert any("not evaluated, this run measured 10,000 incidents" in t for t in targets)


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


def test_expert_baseline_sends_one_cluster_of_every_incident(tmp_path: Path) -> None:
    from folium.plugins import FastMarkerCluster

    frame = baseline.read_bench_csv(benchdata.write_acled_csv(150, tmp_path, seed=8))
    m = baseline.expert_cluster_map(frame)
    (cluster,) = [c for c in m._children.values() if isinstance(c, FastMarkerCluster)]
    assert len(cluster.data) == len(frame)
    assert m.options.get("prefer_canvas") or m.options.get("preferCanvas")
    page = m.get_root().render()
    assert "L.circleMarker" in page and "L.canvas" in page
    assert '"maxZoom": 18' in page  # Leaflet.markercluster refuses a map without one


def test_benchmark_prepares_data_with_the_dashboards_loader(tmp_path: Path) -> None:
    from geo.filters import IncidentFilter
    from geo.prepared import load_dataset
    from geo.view import View, select_view

    csv = benchdata.write_acled_csv(500, tmp_path, seed=12)
    dataset = load_dataset(csv, folder=tmp_path / "cache")
    flt = IncidentFilter(start=bench.CHANGED_WINDOW[0], end=bench.CHANGED_WINDOW[1])
    server_ms, payload, breakdown, shown = bench.measure_dashboard_server(
        dataset, flt, repeats=1, budget_s=30
    )
    assert shown == int(dataset.index.mask(flt).sum()) > 0
    selection = select_view(View(flt=flt, actor_ranking=dataset.ranking), dataset.index)
    assert payload == bench.dashboard_map_payload(dataset, selection)
    assert set(breakdown) == {"mask", "select", "map"} and server_ms > 0


def test_preparation_probe_imports_once_then_reads_the_copy(tmp_path: Path) -> None:
    csv = benchdata.write_acled_csv(300, tmp_path, seed=13)
    prep = bench.measure_preparation(csv, tmp_path / "probe", timeout_s=120)
    assert prep["import"]["from_copy"] is False and "import" in prep["import"]["peak_mb"]
    assert prep["copy"]["from_copy"] is True and "import" not in prep["copy"]["seconds"]
    assert prep["import"]["n"] == prep["copy"]["n"] == 300
    assert prep["copy"]["peak_mb"]["read copy"] > 0


def test_geo_bench_command_delegates_to_the_benchmark(tmp_path: Path) -> None:
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-m", "geo", "bench", "--help"], capture_output=True,
                          text=True, cwd=repo, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "--quick" in done.stdout and "--mode" in done.stdout
    done = subprocess.run([sys.executable, "-m", "geo", "bench", "--sizes", "x"],
                          capture_output=True, text=True, cwd=repo, check=False)  # fmt: skip
    assert "--sizes takes whole numbers" in done.stderr and "Traceback" not in done.stderr


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


def test_a_run_in_one_mode_keeps_the_rows_of_the_other_modes(tmp_path: Path) -> None:
    file_rows = [bench.Row(10_000, "dashboard", warm_s=1.0), bench.Row(10_000, "st.map")]
    bench.write_report(file_rows, tmp_path, "python -m geo bench", 1.0)
    store_row = bench.Row(10_000, "dashboard", mode="store", warm_s=2.0)
    bench.write_report([*file_rows, store_row], tmp_path, "python -m geo bench", 1.0)
    # A later store run keeps the file rows; a later file run keeps the store row.
    kept = bench.rows_of_other_modes(tmp_path, {"store"})
    assert [(r.mode, r.approach, r.warm_s) for r in kept] == [
        ("file", "dashboard", 1.0),
        ("file", "st.map", None),
    ]
    assert [(r.mode, r.warm_s) for r in bench.rows_of_other_modes(tmp_path, {"file"})] == [
        ("store", 2.0)
    ]
    assert bench.rows_of_other_modes(tmp_path / "none", {"file"}) == []
    text = (tmp_path / "benchmarks.md").read_text(encoding="utf-8")
    assert "| 10,000 | store | dashboard |" in text
    assert not list(tmp_path.glob(".*.tmp"))  # written through temporary files, none left


def test_file_mode_is_always_known_and_the_store_module_adds_any_modes_it_has() -> None:
    modes = bench.data_modes()
    assert modes["file"] is bench.file_source
    source = modes["file"](Path("x/acled_10_1.csv"))
    assert source.app_args == ("--data", "x/acled_10_1.csv") and source.mode == "file"
    from benchmarks import store_bench

    assert set(modes) == {"file", *getattr(store_bench, "MODES", {})}


@pytest.mark.browser
def test_benchmark_browser_refuses_outside_hosts_and_keeps_its_http_cache(tmp_path: Path) -> None:
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    (tmp_path / "index.html").write_text(
        '<img src="http://example.com/a.png"><img src="http://192.0.2.1/b.png"><img src="/c.png">',
        encoding="utf-8",
    )
    (tmp_path / "c.png").write_bytes(bench_png())
    served: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            served.append(str(args[1]) + " " + str(args[0]))

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/index.html"
    out = {"refused": 0}
    failures: list[BaseException] = []

    def visit_twice() -> None:
        # Its own thread: the suite's shared browser holds this thread's Playwright instance.
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=bench.CHROMIUM, args=list(bench.CHROMIUM_ARGS)
                )
                try:
                    context = browser.new_context()
                    bench._count_refused(context, out)
                    for _ in range(2):
                        page = context.new_page()
                        page.goto(url, wait_until="load")
                        page.close()
                finally:
                    browser.close()
        except BaseException as exc:  # re-raised below, in the test's thread
            failures.append(exc)

    try:
        visitor = threading.Thread(target=visit_twice)
        visitor.start()
        visitor.join()
    finally:
        httpd.shutdown()
    if failures:
        raise failures[0]
    assert out["refused"] == 4  # two outside images per visit, none reached
    image_replies = [line for line in served if "/c.png" in line]
    # The second visit asks the cache's validator (304) instead of fetching again: the
    # browser's HTTP cache is on, which request interception would have turned off.
    assert [line.split()[0] for line in image_replies] == ["200", "304"]


def bench_png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def test_memory_target_names_both_servers_at_a_million() -> None:
    row = bench.Row(1_000_000, "dashboard", server_ms=100.0, payload_bytes=10,
                    peak_rss_mb=1500.0, restart_peak_rss_mb=1100.0)  # fmt: skip
    (line,) = [t for t in bench.check_targets([row]) if "peak memory" in t]
    assert "imported the file: MISSED (1,500 MB)" in line
    assert "read the prepared copy: met (1,100 MB)" in line


def test_report_is_written_again_from_its_json_with_the_explanations(tmp_path: Path) -> None:
    rows = [
        bench.Row(100_000, "dashboard", cold_s=6.0, restart_s=4.5, prepare_s=2.1,
                  prepared_load_s=0.6,
                  prepare_peak_mb={"import.import": 600.0, "copy.read copy": 300.0}),
        bench.Row(100_000, "st.map", cold_s=5.0),
    ]  # fmt: skip
    bench.write_report(rows, tmp_path, "python -m geo bench --sizes 100000", 90.0)
    (tmp_path / "benchmarks.md").unlink()
    assert bench.rerender(tmp_path) == 0
    text = (tmp_path / "benchmarks.md").read_text(encoding="utf-8")
    assert "`python -m geo bench --sizes 100000` (1.5 min)" in text
    assert "cold 6.00 s against 4.50 s after a restart: 1.50 s go to importing" in text
    assert "peak memory importing 600 MB, reading the copy 300 MB" in text
    assert (tmp_path / "benchmarks.png").stat().st_size > 0
    assert bench.rerender(tmp_path / "missing") == 2


def test_rows_written_before_modes_existed_count_as_file_mode(tmp_path: Path) -> None:
    import json

    old = {"rows": [{"n": 10, "approach": "dashboard", "warm_s": 1.0}]}
    (tmp_path / "benchmarks.json").write_text(json.dumps(old), encoding="utf-8")
    assert bench.rows_of_other_modes(tmp_path, {"file"}) == []
    assert [r.mode for r in bench.rows_of_other_modes(tmp_path, {"store"})] == ["file"]

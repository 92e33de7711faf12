"""Store rows of the benchmark: filter changes on PostGIS and SQLite stores of millions of rows.

Run ``python benchmarks/store_bench.py`` (``--quick`` for small sizes). It starts a throwaway
PostgreSQL + PostGIS cluster on a loopback port, fills stores with synthetic ACLED-like
incidents (``benchmarks/benchdata.py``; bulk-loaded, see ``benchmarks/storedata.py``), and
for each store runs a fresh process that does what the dashboard does on a filter change:
:meth:`geo.store.source.StoreSource.page` (filters, metrics, timeline, cluster payload and
table rows in SQL) and the map layers built and rendered to the HTML the component receives.
It writes ``docs/store-benchmarks.md`` and ``docs/store-benchmarks.json``.

Measured per store: milliseconds per filter change (median of the repeats; SQL part and
total), bytes of the map payload and of the table rows, and the peak resident memory of the
measuring process, which holds only what a Streamlit server process would hold for the page.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DOCS: Final = REPO / "docs"
TARGET_MS: Final = 300
REPEATS: Final = 3
# random_page_cost 1.1: the data sits on SSD or in memory, where an index-only scan of the
# page index beats a scan of the table; PostgreSQL's default 4 assumes spinning disks.
PG_SETTINGS: Final = ("-c shared_buffers=1GB -c work_mem=64MB -c max_parallel_workers_per_gather=2"
                      " -c random_page_cost=1.1")  # fmt: skip
TABLE_COLUMNS: Final = ["event_date", "event_type", "sub_event_type", "actor1", "actor2",
                        "location", "admin1", "country", "fatalities", "injuries", "notes",
                        "source", "event_id"]  # fmt: skip


def _rss_kib() -> tuple[int, int]:
    """Read the current and peak resident memory of this process, KiB (from /proc)."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields["VmRSS"], fields["VmHWM"]


def scenarios(source: Any) -> list[tuple[str, Any]]:
    """List the filter changes timed: the opening view, windows, one choice each, a mix."""
    from geo.filters import IncidentFilter

    first, last = source.date_span
    year = date(last.year, 1, 1)
    month = date(last.year, 3, 1)
    actor = source.ranking[0]
    return [
        ("all incidents (opening view)", IncidentFilter()),
        (f"one year ({year.year})", IncidentFilter(start=year, end=last)),
        (f"one month ({month:%b %Y})", IncidentFilter(start=month, end=month + timedelta(30))),
        ("one week", IncidentFilter(start=month, end=month + timedelta(6))),
        ("event type Battles", IncidentFilter(event_types=("Battles",))),
        (f"actor {actor}", IncidentFilter(actors=(actor,))),
        ("text 'attack'", IncidentFilter(text="attack")),
        ("month + actor + 1 killed", IncidentFilter(start=month, end=month + timedelta(30),
                                                    actors=(actor,), min_fatalities=1)),
    ]  # fmt: skip


def measure(url: str, repeats: int = REPEATS) -> dict[str, Any]:
    """Time the dashboard's work per filter change on one store (run in a fresh process)."""
    import pyarrow as pa

    from geo.mapview import build_view_base
    from geo.source import build_page_layers
    from geo.store import open_store
    from geo.store.source import StoreSource
    from geo.view import View

    rss_start, _ = _rss_kib()
    started = time.perf_counter()
    source = StoreSource(open_store(url))
    open_ms = (time.perf_counter() - started) * 1000
    base_html = len(build_view_base(View(), source.extent).get_root().render())
    rows = []
    for name, flt in scenarios(source):
        view = View(flt=flt, actor_ranking=source.ranking)
        sql, total = [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            page = source.page(flt, color_by=view.color_by, span=source.date_span)
            t1 = time.perf_counter()
            m = build_view_base(view, source.extent)
            for layer in build_page_layers(view, page, source):
                layer.add_to(m)
            html = m.get_root().render()
            table = pa.Table.from_pandas(page.recent[TABLE_COLUMNS], preserve_index=False)
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table)
            t2 = time.perf_counter()
            sql.append((t1 - t0) * 1000)
            total.append((t2 - t0) * 1000)
        rows.append(
            {
                "filter": name,
                "incidents": page.count,
                "drawn_as": "clusters" if page.aggregated else "markers",
                "sql_ms": round(statistics.median(sql), 1),
                "total_ms": round(statistics.median(total), 1),
                "map_payload_bytes": len(html) - base_html,
                "table_bytes": sink.getvalue().size,
            }
        )
        gc.collect()
    rss, peak = _rss_kib()
    return {
        "total": source.total,
        "open_ms": round(open_ms, 1),
        "filters": rows,
        "rss_start_mib": round(rss_start / 1024, 1),
        "rss_end_mib": round(rss / 1024, 1),
        "rss_peak_mib": round(peak / 1024, 1),
    }


def _measure_in_child(url: str, repeats: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--measure", url, "--repeats", str(repeats)],
        capture_output=True, text=True, check=False, cwd=REPO,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"measuring {url} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _fill(url: str, n: int) -> float:
    """Create and fill a store with ``n`` synthetic incidents; return seconds taken."""
    from benchmarks.benchdata import generate_acled, to_canonical
    from benchmarks.storedata import bulk_load, indexes_deferred
    from geo.store import open_store

    started = time.perf_counter()
    with open_store(url, create=True, user="bench") as store, indexes_deferred(store):
        done = 0
        while done < n:  # in parts, so generating 5M never holds them all at once
            part = min(1_000_000, n - done)
            gdf = to_canonical(generate_acled(part, seed=20240128 + done))
            gdf["event_id"] = gdf["event_id"].astype(str) + f"-{done}"
            bulk_load(store, gdf)
            done += part
            del gdf
            gc.collect()
    return time.perf_counter() - started


def run(
    pg_sizes: list[int],
    sqlite_sizes: list[int],
    repeats: int,
    pg_existing: Sequence[tuple[str, float]] = (),
) -> dict[str, Any]:
    """Fill and measure every store; return the results.

    ``pg_existing`` lists stores filled earlier (URL, seconds their fill took), measured as
    they are: a 1M fill takes minutes on shared cores.
    """
    from benchmarks.pgcluster import create_database, postgres_cluster

    results: list[dict[str, Any]] = []
    for url, load_s in pg_existing:
        figures = _measure_in_child(url, repeats)
        results.append({"backend": "PostGIS", "size": figures["total"], "load_s": load_s,
                        **figures})  # fmt: skip
    with postgres_cluster(settings=PG_SETTINGS) as base:
        for n in pg_sizes:
            url = create_database(base, f"bench_{n}")
            load_s = _fill(url, n)
            print(f"PostGIS {n:,}: loaded in {load_s:.0f} s", file=sys.stderr)
            results.append({"backend": "PostGIS", "size": n, "load_s": round(load_s, 1),
                            **_measure_in_child(url, repeats)})  # fmt: skip
            _drop(base, f"bench_{n}")
    with tempfile.TemporaryDirectory(prefix="geo-bench-sqlite-") as folder:
        for n in sqlite_sizes:
            url = f"sqlite:///{folder}/bench_{n}.db"
            load_s = _fill(url, n)
            print(f"SQLite {n:,}: loaded in {load_s:.0f} s", file=sys.stderr)
            results.append({"backend": "SQLite", "size": n, "load_s": round(load_s, 1),
                            **_measure_in_child(url, repeats)})  # fmt: skip
            os.remove(f"{folder}/bench_{n}.db")
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "load_average_after": Path("/proc/loadavg").read_text().split()[:3],
        },
        "target_ms": TARGET_MS,
        "repeats": repeats,
        "stores": results,
    }


def _drop(base: str, name: str) -> None:
    import sqlalchemy as sa

    admin = sa.create_engine(
        f"{base.replace('postgresql', 'postgresql+psycopg')}/postgres", isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


def write_docs(report: dict[str, Any], folder: Path = DOCS) -> Path:
    """Write ``store-benchmarks.json`` and ``store-benchmarks.md``; return the Markdown path."""
    folder.mkdir(exist_ok=True)
    (folder / "store-benchmarks.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [
        "# Store benchmarks",
        "",
        "What the dashboard's server does on one filter change when it serves an incident "
        "store (`--db URL`): `StoreSource.page` (filter, metrics, weekly counts, the cluster "
        "payload or the markers, and the 1,000 newest rows, all in SQL), then the map layers "
        "built and rendered to the HTML the map component receives, and the table rows as "
        "Arrow. Each figure is the median of "
        f"{report['repeats']} runs in a fresh process; data from `benchmarks/benchdata.py`, "
        "bulk-loaded. Made by `python benchmarks/store_bench.py` on "
        f"{report['machine']['cpus']} cores shared with other work (load average after the "
        f"run: {' '.join(report['machine']['load_average_after'])}).",
        "",
        f"Target: a filter change costs at most {report['target_ms']} ms of server work at 1M "
        "incidents in PostGIS.",
        "",
        "Memory is the peak resident memory of the measuring process (the query path: what a "
        "Streamlit process holds for these pages, without Streamlit's own baseline); a browser "
        "was not driven here (see `docs/store-load.md` for Streamlit processes under load).",
        "",
    ]
    for store in report["stores"]:
        worst = max(row["total_ms"] for row in store["filters"])
        lines += [
            f"## {store['backend']}, {store['size']:,} incidents",
            "",
            f"Loaded in {store['load_s']:.0f} s; store opened (span, actors, types, sites, "
            f"ranking, extent) in {store['open_ms']:.0f} ms; peak memory "
            f"{store['rss_peak_mib']:.0f} MiB (at start {store['rss_start_mib']:.0f} MiB); "
            f"slowest filter change {worst:.0f} ms.",
            "",
            "| filter | incidents | drawn as | SQL ms | total ms | map payload | table |",
            "|---|---:|---|---:|---:|---:|---:|",
        ]
        for row in store["filters"]:
            lines.append(
                f"| {row['filter']} | {row['incidents']:,} | {row['drawn_as']} | "
                f"{row['sql_ms']:.0f} | {row['total_ms']:.0f} | "
                f"{row['map_payload_bytes'] / 1024:.0f} KiB | {row['table_bytes'] / 1024:.0f} KiB |"
            )
        lines.append("")
    path = folder / "store-benchmarks.md"
    path.write_text("\n".join(lines))
    return path


def main(argv: list[str] | None = None) -> int:
    """Command line: ``--quick``, ``--pg-sizes``, ``--sqlite-sizes``, ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-sizes", default="1000000,5000000")
    parser.add_argument("--sqlite-sizes", default="1000000")
    parser.add_argument("--quick", action="store_true", help="100k and 20k rows, one repeat")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--out", type=Path, default=DOCS)
    parser.add_argument("--measure", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument(
        "--pg-url",
        action="append",
        default=[],
        metavar="URL=SECONDS",
        help="also measure a PostGIS store filled earlier (and the seconds its fill took)",
    )
    ns = parser.parse_args(argv)
    if ns.measure:
        print(json.dumps(measure(ns.measure, ns.repeats)))
        return 0
    sizes = ([100_000], [20_000]) if ns.quick else (
        [int(s) for s in ns.pg_sizes.split(",") if s],
        [int(s) for s in ns.sqlite_sizes.split(",") if s],
    )  # fmt: skip
    existing = [(u.rsplit("=", 1)[0], float(u.rsplit("=", 1)[1])) for u in ns.pg_url]
    report = run(*sizes, repeats=1 if ns.quick else ns.repeats, pg_existing=existing)
    print(f"wrote {write_docs(report, ns.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

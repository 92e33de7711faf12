"""Serial sessions: a new session's server time at 100,000 incidents, sessions per second held.

Run ``python benchmarks/sessions.py`` (``--rows 100000 --sessions 10`` by default). Two
figures, both for sessions that open the same view of the server's file:

- **first render**: ``dashboard.py`` run by Streamlit's AppTest in this process, one fresh
  session after another, once a first session has loaded the file: the seconds of server
  time each new session's first run takes (median and spread).
- **sessions per second**: one ``streamlit run dashboard.py -- --data FILE`` on a loopback
  port; ``--sessions`` Chromium contexts open the page at once, and the figure is their
  number over the seconds until every page shows its ``Incidents shown``. The load is
  bounded: one wave of sessions, each with a timeout.

``--dashboard PATH`` runs another version of the script (to compare with an older one).
Figures go to ``docs/sessions.md`` and ``docs/sessions.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.benchdata import write_acled_csv  # noqa: E402
from benchmarks.server import dashboard_server  # noqa: E402
from benchmarks.store_load import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    LOCAL_HOSTS,
    PAGE_TIMEOUT_MS,
    READY_JS,
)

DOCS: Final = REPO / "docs"
DATA_DIR: Final = REPO / "build" / "bench"  # where `geo bench` keeps its generated files
APPTEST_TIMEOUT_S: Final = 600


def _environment(data: Path, cache: Path) -> dict[str, str]:
    """Return the environment of a dashboard serving ``data``, its prepared copy in ``cache``."""
    ours = ("INCIDENT_MAP_", "STREAMLIT_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    return {**env, "INCIDENT_MAP_DATA": str(data), "INCIDENT_MAP_CACHE": str(cache),
            "PYTHONPATH": str(REPO)}  # fmt: skip


def first_renders(dashboard: Path, data: Path, cache: Path, renders: int) -> list[float]:
    """Seconds of each fresh session's first run, after one session has loaded ``data``."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(_environment(data, cache))
    try:
        st.cache_data.clear()
        st.cache_resource.clear()
        AppTest.from_file(str(dashboard), default_timeout=APPTEST_TIMEOUT_S).run()  # loads
        seconds = []
        for _ in range(renders):
            at = AppTest.from_file(str(dashboard), default_timeout=APPTEST_TIMEOUT_S)
            started = time.perf_counter()
            at.run()
            seconds.append(round(time.perf_counter() - started, 3))
            if at.exception:
                raise RuntimeError(f"the dashboard raised: {at.exception[0].value}")
        return seconds
    finally:
        os.environ.clear()
        os.environ.update(saved)


def sessions_per_second(url: str, sessions: int) -> dict[str, Any]:
    """Open ``sessions`` pages at once (after one that loads the data); time until all show."""
    from playwright.sync_api import sync_playwright

    refused: list[str] = []

    def route(route_: Any) -> None:
        if (urlsplit(route_.request.url).hostname or "") in LOCAL_HOSTS:
            route_.continue_()
        else:
            refused.append(route_.request.url)
            route_.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            warm = browser.new_context()
            warm.route("**/*", route)
            page = warm.new_page()
            page.goto(url, timeout=PAGE_TIMEOUT_MS)
            page.wait_for_function(READY_JS, timeout=PAGE_TIMEOUT_MS, polling=250)
            warm.close()
            contexts = [browser.new_context() for _ in range(sessions)]
            pages = []
            for context in contexts:
                context.route("**/*", route)
                pages.append(context.new_page())
            started = time.monotonic()
            for page in pages:
                page.goto(url, wait_until="commit", timeout=PAGE_TIMEOUT_MS)
            ready = []
            for page in pages:
                page.wait_for_function(READY_JS, timeout=PAGE_TIMEOUT_MS, polling=100)
                ready.append(round(time.monotonic() - started, 2))
            for context in contexts:
                context.close()
        finally:
            browser.close()
    if refused:
        raise RuntimeError(f"requests left the machine: {refused[:3]}")
    return {
        "sessions": sessions,
        "seconds": max(ready),
        "sessions_per_second": round(sessions / max(ready), 2),
        "ready_s": ready,
    }


def run(rows: int, sessions: int, renders: int, dashboard: Path) -> dict[str, Any]:
    """Measure both figures for one data size."""
    data = write_acled_csv(rows, DATA_DIR)
    cache = DATA_DIR / "prepared"
    renders_s = first_renders(dashboard, data, cache, renders)
    env, log = _environment(data, cache), DATA_DIR / "logs" / "sessions.log"
    with dashboard_server(log, env=env, script=dashboard) as server:
        held = sessions_per_second(server.url, sessions)
    return {
        "measured": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "rows": rows,
        "dashboard": str(dashboard.relative_to(REPO) if dashboard.is_relative_to(REPO)
                         else dashboard),  # fmt: skip
        "cores": os.cpu_count(),
        "first_render_s": renders_s,
        "first_render_median_s": statistics.median(renders_s),
        **held,
    }


def write_docs(report: dict[str, Any], folder: Path = DOCS) -> Path:
    """Write ``sessions.json`` and ``sessions.md``; return the Markdown file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sessions.json").write_text(json.dumps(report, indent=2) + "\n")
    renders = ", ".join(f"{s:.2f}" for s in report["first_render_s"])
    text = f"""# Sessions at {report["rows"]:,} incidents

Measured {report["measured"]} by `python benchmarks/sessions.py` on a machine of
{report["cores"]} cores shared with other work while it ran (figures are indicative).
Every session opens the same view of the server's file: sessions showing one view share
its page and its map's layer script, so a new session mostly draws what was built. The
Chromium sessions run on the same cores as the server: the sessions per second are bound
by drawing the pages as much as by the server's first renders.

| figure | value |
|---|---|
| server time of a new session's first render (median) | {report["first_render_median_s"]:.2f} s |
| the same, each session in turn | {renders} s |
| sessions opened at once | {report["sessions"]} |
| seconds until every one showed its count | {report["seconds"]:.1f} s |
| **sessions per second held** | **{report["sessions_per_second"]:.2f}** |
"""
    path = folder / "sessions.md"
    path.write_text(text)
    return path


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark from the command line; write the docs unless ``--no-docs``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--renders", type=int, default=5)
    parser.add_argument("--dashboard", type=Path, default=REPO / "dashboard.py")
    parser.add_argument("--no-docs", action="store_true", help="print the figures only")
    args = parser.parse_args(argv)
    report = run(args.rows, args.sessions, args.renders, args.dashboard.resolve())
    print(json.dumps(report, indent=2))
    if not args.no_docs:
        print(f"wrote {write_docs(report)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

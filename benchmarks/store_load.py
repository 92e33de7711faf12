"""Load test: many browser sessions against dashboards that share one PostGIS store.

Run ``python benchmarks/store_load.py`` (``--sessions 20`` by default). It starts a
throwaway PostgreSQL + PostGIS cluster on a loopback port, fills a store with synthetic
incidents, then drives Debian's Chromium (one browser, one context per session) against one
``streamlit run dashboard.py -- --db URL`` server, and then against two server processes
sharing the store (sessions split between them). Every session opens a link with its own
filter and then changes to a second one; all sessions load at the same time. For each page
it checks that no error or exception is shown, no page error happens, no request leaves the
machine, and that ``Incidents shown`` equals the count computed in memory from the same
incidents. Each server's resident memory is sampled throughout. Figures go to
``docs/store-load.md`` and ``docs/store-load.json``.

The test suite runs a small version (``tests/browser/test_store_load.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlencode, urlsplit

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DOCS: Final = REPO / "docs"
CHROMIUM: Final = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS: Final = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update"]  # fmt: skip
LOCAL_HOSTS: Final = {"127.0.0.1", "localhost", "[::1]", "::1"}
START_TIMEOUT_S: Final = 120
PAGE_TIMEOUT_MS: Final = 240_000
APP_IDLE: Final = "[data-testid='stApp'][data-test-script-state='notRunning']"
# Ready when idle and the metric is drawn, or idle with an error shown (then the check fails).
BAD_SELECTOR: Final = "[data-testid='stException'], [data-testid='stAlertContentError']"
READY_JS: Final = (
    "() => {"
    f"  if (!document.querySelector({json.dumps(APP_IDLE)})) {{ return false; }}"
    f"  const bad = document.querySelector({json.dumps(BAD_SELECTOR)});"
    "  const metric = [...document.querySelectorAll(\"[data-testid='stMetric']\")]"
    "      .find(m => m.innerText.includes('Incidents shown'));"
    "  return Boolean(bad || metric);"
    "}"
)
SHOWN_JS: Final = """() => {
    const metric = [...document.querySelectorAll("[data-testid='stMetric']")]
        .find(m => m.innerText.includes("Incidents shown"));
    if (!metric) { return null; }
    return metric.querySelector("[data-testid='stMetricValue']").innerText;
}"""
BAD_JS: Final = (
    f"() => [...document.querySelectorAll({json.dumps(BAD_SELECTOR)})].map(e => e.innerText)"
)


@dataclass(frozen=True)
class SessionPlan:
    """One session's two links and the counts they must show."""

    queries: tuple[str, str]
    expected: tuple[int, int]


@dataclass
class SessionResult:
    """What one session saw."""

    server: int
    shown: list[int | None] = field(default_factory=list)
    expected: tuple[int, int] = (0, 0)
    problems: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether both pages showed the right count without an error."""
        return not self.problems and self.shown == list(self.expected)


def plan_sessions(gdf: Any, n: int) -> list[SessionPlan]:
    """Give each session two distinct filters (month, event type, actor) and their counts.

    The counts come from the in-memory index over the same incidents the store holds.
    """
    from geo.filters import IncidentFilter, IncidentIndex
    from geo.incidents import sort_incidents
    from geo.palette import rank_actors

    index = IncidentIndex(sort_incidents(gdf))
    span = index.date_span
    assert span is not None
    types = list(index.event_types)
    actors = rank_actors(index.gdf["actor1"])[:4]

    def one(k: int) -> tuple[str, int]:
        start = date(span[0].year, 1, 1) + timedelta(days=29 * (k % 40))
        end = start + timedelta(days=27 + k % 5)
        flt = IncidentFilter(start=max(start, span[0]), end=min(end, span[1]),
                             event_types=(types[k % len(types)],) if k % 3 else (),
                             actors=(actors[k % len(actors)],) if k % 4 == 1 else ())  # fmt: skip
        params: list[tuple[str, str]] = [("start", flt.start.isoformat()),  # type: ignore[union-attr]
                                         ("end", flt.end.isoformat())]  # type: ignore[union-attr]  # fmt: skip
        params += [("type", t) for t in flt.event_types]
        params += [("actor", a) for a in flt.actors]
        return urlencode(params), len(index.select(flt))

    plans = []
    for i in range(n):
        (q1, e1), (q2, e2) = one(2 * i), one(2 * i + 1)
        plans.append(SessionPlan((q1, q2), (e1, e2)))
    return plans


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A dashboard server process and its memory samples (KiB)."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path
    rss_kib: list[int] = field(default_factory=list)

    def sample(self) -> None:
        """Record the process's resident memory now."""
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    self.rss_kib.append(int(line.split()[1]))
        except OSError:
            pass


@contextmanager
def dashboard_server(db_url: str, log_dir: Path, name: str) -> Iterator[Server]:
    """Start ``streamlit run dashboard.py -- --db URL`` on a free loopback port."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INCIDENT_MAP_", "STREAMLIT_"))}
    with serve_script(REPO / "dashboard.py", ["--", "--db", db_url], env,
                      log_dir / f"server-{name}.log") as server:  # fmt: skip
        yield server


@contextmanager
def serve_script(
    script: Path, arguments: Sequence[str], env: dict[str, str], log: Path
) -> Iterator[Server]:
    """Start ``streamlit run SCRIPT`` on a free loopback port; yield it once healthy."""
    port = _free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port",
               str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
               "--browser.gatherUsageStats", "false", *arguments]  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the dashboard exited early:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read().decode().strip() == "ok":
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"no answer in {START_TIMEOUT_S} s:\n{log.read_text()}")
            time.sleep(0.2)  # polling interval, not a wait for readiness
        server = Server(url, process, log)
        server.sample()
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def sampling(servers: Sequence[Server], every_s: float = 0.25) -> Iterator[None]:
    """Sample the servers' memory in a thread while the block runs."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every_s):
            for server in servers:
                server.sample()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def drive(
    browser: Any, servers: Sequence[Server], plans: Sequence[SessionPlan]
) -> list[SessionResult]:
    """Open every session at once, then change every filter at once; check what each shows.

    Parameters
    ----------
    browser : playwright Browser
        One Chromium; each session gets its own context (its own Streamlit session).
    servers : sequence of Server
        Sessions are dealt to them in turn.
    plans : sequence of SessionPlan

    Returns
    -------
    list of SessionResult
    """
    results, pages, contexts = [], [], []
    for i, plan in enumerate(plans):
        result = SessionResult(server=i % len(servers), expected=plan.expected)
        context = browser.new_context(viewport={"width": 1280, "height": 900})

        def route(route_: Any, result: SessionResult = result) -> None:
            host = urlsplit(route_.request.url).hostname or ""
            if host in LOCAL_HOSTS:
                route_.continue_()
            else:
                result.problems.append(f"request left the machine: {route_.request.url}")
                route_.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on(
            "pageerror", lambda exc, result=result: result.problems.append(f"page error: {exc}")
        )
        results.append(result)
        pages.append(page)
        contexts.append(context)
    try:
        with sampling(servers):
            for step in (0, 1):
                started = time.monotonic()
                for page, plan, result in zip(pages, plans, results, strict=True):
                    url = f"{servers[result.server].url}/?{plan.queries[step]}"
                    page.goto(url, wait_until="commit", timeout=PAGE_TIMEOUT_MS)
                for page, result in zip(pages, results, strict=True):
                    try:
                        page.wait_for_function(READY_JS, timeout=PAGE_TIMEOUT_MS, polling=250)
                    except Exception as exc:  # a timeout is a finding, reported per session
                        result.problems.append(f"page {step + 1} never finished: {exc}")
                        result.shown.append(None)
                        continue
                    result.seconds.append(round(time.monotonic() - started, 2))
                    bad = page.evaluate(BAD_JS)
                    result.problems += [f"page {step + 1} shows: {text}" for text in bad]
                    value = page.evaluate(SHOWN_JS)
                    result.shown.append(int(value.replace(",", "")) if value else None)
    finally:
        for context in contexts:
            context.close()
    return results


def summarize(
    label: str, servers: Sequence[Server], results: Sequence[SessionResult], total: int
) -> dict[str, Any]:
    """Figures of one run: sessions, errors, wrong counts, seconds and server memory."""
    return {
        "setup": label,
        "sessions": len(results),
        "pages": sum(len(r.shown) for r in results),
        "sessions_ok": sum(r.ok for r in results),
        "wrong_counts": sum(
            s != e for r in results for s, e in zip(r.shown, r.expected, strict=False)
        ),
        "problems": [p for r in results for p in r.problems],
        "slowest_page_s": max((s for r in results for s in r.seconds), default=None),
        "servers": [
            {
                "rss_start_mib": round(s.rss_kib[0] / 1024, 1),
                "rss_peak_mib": round(max(s.rss_kib) / 1024, 1),
                "rss_end_mib": round(s.rss_kib[-1] / 1024, 1),
            }  # fmt: skip
            for s in servers
        ],
        "store_incidents": total,
    }


def run(sessions: int, size: int, log_dir: Path, out: Path | None = None) -> dict[str, Any]:
    """Fill a store, then drive the sessions against one and against two servers.

    With ``out``, the figures are written after each setup, so a long run that is stopped
    keeps what it measured.
    """
    from playwright.sync_api import sync_playwright

    from benchmarks.benchdata import generate_acled, to_canonical
    from benchmarks.pgcluster import create_database, postgres_cluster
    from benchmarks.storedata import bulk_load
    from geo.store import open_store

    gdf = to_canonical(generate_acled(size))
    plans = plan_sessions(gdf, sessions)
    runs = []
    with postgres_cluster() as base, sync_playwright() as pw:
        url = create_database(base, "load")
        with open_store(url, create=True, user="load") as store:
            bulk_load(store, gdf)
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS)  # fmt: skip
        try:
            for n_servers in (1, 2):
                with ExitStack() as stack:
                    servers = [
                        stack.enter_context(dashboard_server(url, log_dir, f"load{n_servers}-{k}"))
                        for k in range(n_servers)
                    ]
                    results = drive(browser, servers, plans)
                    label = "one server" if n_servers == 1 else "two servers sharing the store"
                    runs.append(summarize(label, servers, results, size))
                if out is not None:
                    write_docs({"sessions": sessions, "store_incidents": size, "runs": runs}, out)
        finally:
            browser.close()
    return {"sessions": sessions, "store_incidents": size, "runs": runs}


def write_docs(report: dict[str, Any], folder: Path = DOCS) -> Path:
    """Write ``store-load.md`` and ``store-load.json``; return the Markdown path."""
    folder.mkdir(exist_ok=True)
    (folder / "store-load.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [
        "# Store load test",
        "",
        f"{report['sessions']} browser sessions (Debian's Chromium, one context each, all "
        f"loading at once) against dashboards serving one PostGIS store of "
        f"{report['store_incidents']:,} synthetic incidents (`--db URL`). Each session opens "
        "a link with its own filter (month, event type, actor), then a second one; each page "
        "must show no error, no exception, no page error, no request leaving the machine, and "
        "`Incidents shown` equal to the count computed in memory. Made by "
        "`python benchmarks/store_load.py`; loopback only, on 2 shared cores.",
        "",
        "| setup | sessions | pages | sessions right | wrong counts | problems | slowest page | "
        "server memory (start → peak → end) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in report["runs"]:
        memory = "; ".join(
            f"{s['rss_start_mib']:.0f} → {s['rss_peak_mib']:.0f} → {s['rss_end_mib']:.0f} MiB"
            for s in r["servers"]
        )
        lines.append(
            f"| {r['setup']} | {r['sessions']} | {r['pages']} | {r['sessions_ok']} | "
            f"{r['wrong_counts']} | {len(r['problems'])} | {r['slowest_page_s']} s | {memory} |"
        )
    problems = [p for r in report["runs"] for p in r["problems"]]
    lines += ["", "Problems seen: " + ("none." if not problems else "")]
    lines += [f"- {p}" for p in problems[:20]]
    path = folder / "store-load.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    """Command line: ``--sessions``, ``--size``, ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--size", type=int, default=200_000, help="incidents in the store")
    parser.add_argument("--out", type=Path, default=DOCS)
    ns = parser.parse_args(argv)
    report = run(ns.sessions, ns.size, REPO / "test-output", ns.out)
    print(f"wrote {write_docs(report, ns.out)}")
    bad = [r for r in report["runs"] if r["sessions_ok"] != r["sessions"]]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

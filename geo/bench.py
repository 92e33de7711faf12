"""``python -m geo bench``: this dashboard beside the usual approaches, at growing sizes.

For each size (synthetic ACLED exports, fixed seed) and each approach -- this dashboard,
one folium marker with a popup per incident (``benchmarks/naive_folium.py``) and
Streamlit's WebGL ``st.map`` (``benchmarks/st_map.py``) -- on the same one-year window:

* server work per interaction, outside the server: filter plus building and serialising the
  map payload, median of several runs (``st.map``'s in a process of its own,
  ``benchmarks/st_map_server.py``, so this library never loads Streamlit);
* payload bytes: the serialised map (folium HTML, or ``st.map``'s deck JSON);
* in Chromium (Playwright, every outside request refused): seconds from navigation to the
  map drawn, and from a filter change (the window start moved one day with the keyboard)
  to the map redrawn, with the bytes the websocket delivered;
* peak memory: the server process's VmHWM.

Every wait is bounded; a measurement over the time limit is reported as timed out. The
table, the machine and the command go to ``docs/benchmarks.md``, a plot to
``docs/benchmarks.png``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlparse

import numpy as np
import pandas as pd

from geo import benchdata

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
CACHE_DIR: Final = REPO_ROOT / "build" / "bench"
APPS: Final = {
    "dashboard": REPO_ROOT / "dashboard.py",
    "folium markers": REPO_ROOT / "benchmarks" / "naive_folium.py",
    "st.map": REPO_ROOT / "benchmarks" / "st_map.py",
}
DEFAULT_SIZES: Final = (10_000, 100_000, 1_000_000)
WINDOW: Final = (date(2023, 1, 1), date(2023, 12, 31))  # the last year of the generated data
CHANGED_WINDOW: Final = (WINDOW[0] + timedelta(days=1), WINDOW[1])  # one slider step
CHROMIUM: Final = "/usr/bin/chromium"
CHROMIUM_ARGS: Final = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update")  # fmt: skip
VIEWPORT: Final = {"width": 1400, "height": 900}
LOCAL_HOSTS: Final = frozenset({"127.0.0.1", "localhost"})
POLL_S: Final = 0.1
START_TIMEOUT_S: Final = 60.0
COLD_TIMEOUT_S: Final = 300.0  # first visit: the server also reads and indexes the file
RED_PIXELS: Final = 30  # st.map is "drawn" when this many pure-red point pixels show


# --------------------------------------------------------------------------- results


@dataclass
class Row:
    """One approach at one size."""

    n: int
    approach: str
    shown: int | None = None
    prepare_s: float | None = None
    server_ms: float | None = None
    server_note: str = ""
    payload_bytes: int | None = None
    cold_s: float | None = None
    first_s: float | None = None
    first_ws_bytes: int | None = None
    change_s: float | None = None
    change_ws_bytes: int | None = None
    peak_rss_mb: float | None = None
    browser_note: str = ""
    breakdown: dict[str, float] = field(default_factory=dict)


class TimedOut(Exception):
    """A measurement passed its time limit."""


# --------------------------------------------------------------------------- server work


def median_ms(run: Callable[[], Any], repeats: int, budget_s: float) -> tuple[float, Any]:
    """Median wall time of ``run`` in ms over up to ``repeats`` runs within ``budget_s``."""
    times: list[float] = []
    result = None
    started = time.perf_counter()
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - t0) * 1000)
        if time.perf_counter() - started > budget_s:
            break
    return statistics.median(times), result


def measure_dashboard_server(
    gdf: Any, *, repeats: int, budget_s: float
) -> tuple[float, int, float, dict[str, float], int]:
    """Server work of one filter change in this dashboard: mask, select, build and render.

    It follows ``dashboard.py``: the file is prepared once (date order, index, extent),
    then each change filters, builds the base map and the incident layers, and renders both.

    Returns
    -------
    server_ms, payload_bytes, prepare_s, breakdown_ms, shown
    """
    from geo.filters import IncidentFilter, IncidentIndex
    from geo.incidents import sort_incidents_in_place
    from geo.mapview import MapOptions, build_base_map, build_incident_layers, incident_bounds

    t0 = time.perf_counter()
    sort_incidents_in_place(gdf)  # as the dashboard does with a file it has just read
    index = IncidentIndex(gdf)
    bounds = incident_bounds(index.gdf)
    prepare_s = time.perf_counter() - t0
    flt = IncidentFilter(start=CHANGED_WINDOW[0], end=CHANGED_WINDOW[1])
    options = MapOptions()
    parts: dict[str, list[float]] = {"mask": [], "select": [], "build": [], "render": []}

    def interaction() -> tuple[int, int]:
        t = [time.perf_counter()]
        keep = index.mask(flt)
        t.append(time.perf_counter())
        shown = index.select(flt)
        t.append(time.perf_counter())
        base = build_base_map(options=options, bounds=bounds)
        layers = build_incident_layers(shown, options=options)
        t.append(time.perf_counter())
        for layer in layers:  # what the component sends: the base page plus the layers' code
            layer.add_to(base)
        size = len(base.get_root().render().encode())
        t.append(time.perf_counter())
        for name, a, b in zip(parts, t, t[1:], strict=False):
            parts[name].append((b - a) * 1000)
        return size, int(keep.sum())

    server_ms, (payload, shown) = median_ms(interaction, repeats, budget_s)
    breakdown = {name: round(statistics.median(v), 1) for name, v in parts.items()}
    return server_ms, payload, prepare_s, breakdown, shown


def measure_naive_server(frame: pd.DataFrame, *, repeats: int, timeout_s: float) -> tuple[
    float | None, int | None, str
]:  # fmt: skip
    """Server work of the folium-markers baseline, capped at ``timeout_s`` per run."""
    from geo.baseline import naive_marker_map, select_window

    def interaction() -> int:
        deadline = time.perf_counter() + timeout_s
        shown = select_window(frame, *CHANGED_WINDOW)
        page = naive_marker_map(shown, deadline).get_root().render()
        if time.perf_counter() > deadline:
            raise TimeoutError("rendering passed the limit")
        return len(page.encode())

    try:
        ms, payload = median_ms(interaction, repeats, timeout_s)
    except TimeoutError:
        return None, None, f"> {timeout_s:.0f} s (timed out)"
    return ms, payload, ""


def measure_stmap_server(csv: Path, *, repeats: int, budget_s: float) -> tuple[float, int]:
    """Server work of the ``st.map`` baseline: filter plus the deck JSON it sends.

    Timed by ``benchmarks/st_map_server.py`` in a process of its own, as Streamlit's
    serialiser is Streamlit code and this library does not import Streamlit.
    """
    start, end = CHANGED_WINDOW
    args = [str(csv), start.isoformat(), end.isoformat(), str(repeats), str(budget_s)]
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "st_map_server.py"), *args],
        capture_output=True, text=True, check=False, cwd=REPO_ROOT,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"st.map server timing failed: {done.stderr.strip()[-500:]}")
    figures = json.loads(done.stdout)
    return float(figures["server_ms"]), int(figures["payload_bytes"])


# --------------------------------------------------------------------------- browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def peak_rss_mb(pid: int) -> float | None:
    """Peak resident memory of a process (VmHWM), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _beside_static(app: Path, folder: Path) -> Path:
    """Copy a baseline app beside a copy of ``static/vendor`` (served from the script's folder)."""
    # A copy, not a symlink: Streamlit's static handler refuses files outside its folder.
    vendor = folder / "static" / "vendor"
    if vendor.is_symlink() or (folder / "static").is_symlink():
        (folder / "static").unlink()
    shutil.copytree(REPO_ROOT / "static" / "vendor", vendor, dirs_exist_ok=True)
    copy = folder / app.name
    copy.write_text(app.read_text(encoding="utf-8"), encoding="utf-8")
    return copy


@contextlib.contextmanager
def serve(app: Path, data: Path, log: Path) -> Iterator[tuple[str, int]]:
    """Run ``streamlit run app -- --data data`` on a free loopback port; yield (url, pid)."""
    port = _free_port()
    if app.parent != REPO_ROOT:
        app = _beside_static(app, log.parent)
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
               "--", "--data", str(data)]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early; see {log}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                    if reply.read().strip() == b"ok":
                        break
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not answer within {START_TIMEOUT_S:.0f} s")
            time.sleep(POLL_S)
        yield url, proc.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


# Inside the map's iframe: how much of the incident layer is on screen.
_LEAFLET_PROBE: Final = """
() => {
  const icons = [...document.querySelectorAll('.leaflet-marker-pane > *')];
  const fresh = icons.filter(i => !i.dataset.benchOld
    && (i.tagName !== 'IMG' || (i.complete && i.naturalWidth > 0)));
  const clusters = [...document.querySelectorAll('canvas.geo-clusters')]
    .filter(c => !c.dataset.benchOld && Number(c.dataset.cells || 0) > 0);
  return {markers: fresh.length, clusters: clusters.length};
}
"""
_LEAFLET_TAG_OLD: Final = """
() => document.querySelectorAll('.leaflet-marker-pane > *, canvas.geo-clusters')
        .forEach(e => { e.dataset.benchOld = '1'; })
"""
_TWO_FRAMES: Final = (
    "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"
)


class BrowserRun:
    """One Chromium page session against one app, with its websocket byte counter."""

    def __init__(self, context: Any, approach: str) -> None:
        self.context = context
        self.approach = approach
        self.ws_bytes = 0
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("websocket", self._watch)

    def _watch(self, ws: Any) -> None:
        ws.on("framereceived", lambda payload: self._count(payload))

    def _count(self, payload: str | bytes) -> None:
        self.ws_bytes += len(payload.encode() if isinstance(payload, str) else payload)

    def _idle(self) -> bool:
        return bool(self.page.locator("[data-testid='stApp'][data-test-script-state='notRunning']")
                    .count())  # fmt: skip

    def shown(self) -> int | None:
        """Read the app's ``Incidents shown`` metric."""
        metric = self.page.locator("[data-testid='stMetric']", has_text="Incidents shown")
        if not metric.count():
            return None
        text = metric.first.locator("[data-testid='stMetricValue']").inner_text()
        digits = "".join(ch for ch in text if ch.isdigit())
        return int(digits) if digits else None

    def _map_frame(self) -> Any:
        for frame in self.page.frames:
            if frame != self.page.main_frame and _has_leaflet(frame):
                return frame
        return None

    def drawn(self) -> bool:
        """Whether the incident layer is on screen (criterion in docs/benchmarks.md)."""
        if self.approach == "st.map":
            return self._idle() and self._red_pixels() >= RED_PIXELS
        frame = self._map_frame()
        if frame is None or not self._idle():
            return False
        probe = frame.evaluate(_LEAFLET_PROBE)
        if self.approach == "dashboard":
            return probe["clusters"] > 0 or probe["markers"] > 0 or self._dashboard_markers(frame)
        expected = self.shown()
        return expected is not None and probe["markers"] >= expected

    def _dashboard_markers(self, frame: Any) -> bool:
        """Marker mode (few incidents): circle markers painted on Leaflet's canvas."""
        return bool(frame.evaluate("() => !!document.querySelector('.leaflet-interactive')"))

    def _red_pixels(self) -> int:
        from matplotlib import image

        chart = self.page.locator("[data-testid='stDeckGlJsonChart']")
        if not chart.count():
            return 0
        pixels = image.imread(io.BytesIO(chart.first.screenshot(timeout=10_000)), format="png")
        rgb = (pixels[..., :3] * 255).astype(np.int16)
        red = (rgb[..., 0] > 200) & (rgb[..., 1] < 90) & (rgb[..., 2] < 90)
        return int(red.sum())

    def wait_drawn(self, timeout_s: float) -> float:
        """Seconds until :meth:`drawn`, then two animation frames; TimedOut past the limit."""
        t0 = time.perf_counter()
        while True:
            try:
                if self.drawn():
                    frame = self._map_frame() if self.approach != "st.map" else self.page
                    (frame or self.page).evaluate(_TWO_FRAMES)
                    return time.perf_counter() - t0
            except Exception as exc:  # a frame can detach mid-probe while the app reruns
                if "detached" not in str(exc) and "destroyed" not in str(exc):
                    raise
            if time.perf_counter() - t0 > timeout_s:
                raise TimedOut
            # not time.sleep: Playwright runs route handlers only inside its own calls
            self.page.wait_for_timeout(POLL_S * 1000)

    def load(self, url: str, timeout_s: float) -> tuple[float, int]:
        """Navigate and wait for the map; seconds and websocket bytes."""
        self.ws_bytes = 0
        t0 = time.perf_counter()
        self.page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        self.wait_drawn(timeout_s - (time.perf_counter() - t0))
        return time.perf_counter() - t0, self.ws_bytes

    def change_filter(self, timeout_s: float) -> tuple[float, int]:
        """Move the window start one day (ArrowRight on the slider) and wait for the redraw."""
        frame = self._map_frame()
        if frame is not None:
            frame.evaluate(_LEAFLET_TAG_OLD)
        before = self._red_pixels() if self.approach == "st.map" else 0
        thumb = self.page.locator(".st-key-window input[type='range']").first
        thumb.focus()
        self.ws_bytes = 0
        t0 = time.perf_counter()
        thumb.press("ArrowRight")
        # The rerun has started when the script state leaves notRunning (or the bytes flow).
        while self._idle() and self.ws_bytes == 0 and time.perf_counter() - t0 < 5:
            self.page.wait_for_timeout(20)
        del before  # st.map redraws in place; its criterion is the points after the rerun
        self.wait_drawn(timeout_s - (time.perf_counter() - t0))
        return time.perf_counter() - t0, self.ws_bytes


def _has_leaflet(frame: Any) -> bool:
    with contextlib.suppress(Exception):
        return bool(frame.evaluate("() => !!document.querySelector('.leaflet-container')"))
    return False


def measure_browser(
    approach: str, data: Path, *, timeout_s: float, log_dir: Path
) -> dict[str, Any]:
    """Cold load, warm load and one filter change of one app in Chromium."""
    from playwright.sync_api import sync_playwright

    out: dict[str, Any] = {"refused": 0}
    query = f"?start={WINDOW[0]}&end={WINDOW[1]}"
    with serve(APPS[approach], data, log_dir / f"{approach.replace(' ', '_')}_{data.stem}.log") as (
        url, pid
    ), sync_playwright() as pw:  # fmt: skip
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        try:
            context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]

            def route(request_route: Any) -> None:
                if urlparse(request_route.request.url).hostname in LOCAL_HOSTS:
                    request_route.continue_()
                else:
                    out["refused"] += 1
                    request_route.abort()

            context.route("**/*", route)
            steps = (
                ("cold_s", None, lambda run: run.load(url + query, COLD_TIMEOUT_S)),
                ("first_s", "first_ws_bytes", lambda run: run.load(url + query, timeout_s)),
                ("change_s", "change_ws_bytes", lambda run: run.change_filter(timeout_s)),
            )
            run = BrowserRun(context, approach)
            for name, bytes_name, step in steps:
                if name == "first_s":  # a new session: the server's caches are warm now
                    run.page.close()
                    run = BrowserRun(context, approach)
                try:
                    seconds, received = step(run)
                except TimedOut:
                    limit = COLD_TIMEOUT_S if name == "cold_s" else timeout_s
                    out[name] = f"> {limit:.0f} s (timed out)"
                    break
                out[name] = round(seconds, 2)
                if bytes_name:
                    out[bytes_name] = received
                if name == "first_s":
                    out["shown"] = run.shown()
            out["page_errors"] = run.errors[:3]
        finally:
            browser.close()
            out["peak_rss_mb"] = peak_rss_mb(pid)
    return out


# --------------------------------------------------------------------------- report


def machine_facts() -> dict[str, str]:
    """nproc, memory, CPU model, Python and the versions that matter."""
    from importlib.metadata import version

    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "unknown"
    with contextlib.suppress(OSError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 2**20:.1f} GB"
    chromium = "not found"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True,
                                  timeout=20).stdout.strip()  # fmt: skip
    return {
        "CPUs (nproc)": str(os.cpu_count()),
        "CPU": cpu,
        "Memory": mem,
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Streamlit": version("streamlit"),
        "streamlit-folium": version("streamlit-folium"),
        "folium": version("folium"),
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "Chromium": chromium,
    }


def _fmt(value: Any, digits: int = 0) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, str):
        return value
    return f"{value:,.{digits}f}"


def table_markdown(rows: list[Row]) -> str:
    """Format the results as a Markdown table."""
    head = ("| incidents | approach | shown | server ms / interaction | payload bytes "
            "| first draw s | filter change s | WS bytes on change | peak RSS MB | notes |\n"
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")  # fmt: skip
    lines = [head]
    for r in rows:
        server = r.server_note or _fmt(r.server_ms, 0)
        notes = "; ".join(x for x in (r.browser_note,) if x)
        lines.append(
            f"| {r.n:,} | {r.approach} | {_fmt(r.shown)} | {server} | {_fmt(r.payload_bytes)} "
            f"| {_fmt(r.first_s, 2)} | {_fmt(r.change_s, 2)} | {_fmt(r.change_ws_bytes)} "
            f"| {_fmt(r.peak_rss_mb, 0)} | {notes} |"
        )
    return "\n".join(lines)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def check_targets(rows: list[Row]) -> list[str]:
    """List the issue's targets, each met or missed and by how much."""
    by = {(r.n, r.approach): r for r in rows}
    out = []

    def ratio_line(
        label: str, mine: Any, other: Any, want: Callable[[float], bool], text: str
    ) -> str:
        a, b = _number(mine), _number(other)
        if a is None:
            return f"- {label}: not measured ({mine or 'no value'})."
        if b is None and isinstance(other, str) and other.startswith(">"):
            bound = float(other.split()[1])  # "> 60 s (timed out)": the cap is a lower bound
            verdict = "met" if want(bound / a) else "not shown"
            return (
                f"- {label}: {verdict} (baseline {other}, this dashboard {a:.2f} s: "
                f"more than {bound / a:.1f}x)."
            )
        if b is None:
            return f"- {label}: baseline {other or 'not measured'}; this dashboard {a:.2f} s."
        verdict = "met" if want(b / a) else "MISSED"
        return f"- {label}: {verdict} ({text.format(a=a, b=b, r=b / a, t=a / b)})."

    d, f, s = (by.get((100_000, k)) for k in ("dashboard", "folium markers", "st.map"))
    if d:
        out.append(ratio_line("100k, one-year window, map drawn >= 5x faster than folium markers",
                              d.first_s, f.first_s if f else None, lambda r: r >= 5,
                              "{a:.2f} s vs {b:.2f} s: {r:.1f}x"))  # fmt: skip
        out.append(ratio_line("100k, one-year window, no slower than 1.5x st.map",
                              d.first_s, s.first_s if s else None, lambda r: r >= 1 / 1.5,
                              "{a:.2f} s vs {b:.2f} s: {t:.2f}x st.map's time"))  # fmt: skip
    big = by.get((1_000_000, "dashboard"))
    if big is None:
        out.append(
            "- 1M targets (server work <= 300 ms, payload <= 2 MB, memory < 2 GB): not "
            "evaluated in this run (add 1000000 to --sizes)."
        )
    if big:
        ms, size = big.server_ms, big.payload_bytes
        out.append(f"- 1M, filter change server work <= 300 ms: "
                   f"{'met' if ms is not None and ms <= 300 else 'MISSED'} ({_fmt(ms, 0)} ms; "
                   f"mask/select/build/render ms: {big.breakdown}).")  # fmt: skip
        out.append(f"- 1M, payload <= 2 MB: {'met' if size and size <= 2_000_000 else 'MISSED'} "
                   f"({_fmt(size)} bytes).")  # fmt: skip
        rss = big.peak_rss_mb
        out.append("- 1M, memory < 2 GB: "
                   + (f"{'met' if rss < 2048 else 'MISSED'} ({rss:,.0f} MB)." if rss else
                      f"not measured ({big.browser_note or 'see notes'})."))  # fmt: skip
    return out


def write_plot(rows: list[Row], path: Path) -> None:
    """Four panels: server ms, payload, first draw, filter change; log scales."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    metrics = (("server_ms", "server ms / interaction"), ("payload_bytes", "payload bytes"),
               ("first_s", "first draw s"), ("change_s", "filter change s"))  # fmt: skip
    sizes = sorted({r.n for r in rows})
    approaches = list(dict.fromkeys(r.approach for r in rows))
    fig, axes = plt.subplots(1, len(metrics), figsize=(16, 4.2))
    for ax, (attr, title) in zip(axes, metrics, strict=True):
        for approach in approaches:
            xs, ys = [], []
            for n in sizes:
                row = next((r for r in rows if r.n == n and r.approach == approach), None)
                value = _number(getattr(row, attr)) if row else None
                if value is not None and value > 0:
                    xs.append(n)
                    ys.append(value)
            ax.plot(xs, ys, marker="o", label=approach)
        if ax.lines and any(len(line.get_xdata()) for line in ax.lines):
            ax.set_xscale("log")
            ax.set_yscale("log")
        ax.set_title(title)
        ax.set_xlabel("incidents in the file")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend()
    fig.suptitle("python -m geo bench (missing points: timed out or not measured)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(rows: list[Row], out_dir: Path, command: str, elapsed_s: float) -> Path:
    """Write docs/benchmarks.md (and the raw numbers as JSON beside the plot)."""
    facts = machine_facts()
    path = out_dir / "benchmarks.md"
    text = [
        "# Benchmarks",
        "",
        "Generated by `python -m geo bench`; do not edit by hand. Synthetic ACLED exports "
        f"(current 31-column layout, seed {benchdata.DEFAULT_SEED}, points around 40 towns of "
        "Iraq and Syria, 2019-2023). Filter: the one-year window "
        f"{WINDOW[0]}..{WINDOW[1]}; the filter change moves its start one day "
        f"({CHANGED_WINDOW[0]}) with the slider's keyboard step.",
        "",
        f"Command: `{command}` ({elapsed_s / 60:.1f} min).",
        "",
        "## Results",
        "",
        table_markdown(rows),
        "",
        "![benchmarks](benchmarks.png)",
        "",
        "## Targets (issue: scale)",
        "",
        *(check_targets(rows) or ["- not evaluated at these sizes."]),
        "",
        "## What is measured",
        "",
        "- **server ms / interaction**: outside the server, median of up to 5 runs: for this "
        "dashboard `IncidentIndex.mask` + selecting the rows + `build_map` + rendering the map "
        "HTML; for folium markers the same window with pandas + one `folium.Marker` with a "
        "`Popup` per incident + rendering; for st.map the window + `to_deckgl_json` (what "
        "`st.map` serialises), in a process of its own. The dashboard's one-off preparation "
        "(`IncidentIndex`) is excluded; its time is in the JSON beside this file (`prepare_s`).",
        "- **payload bytes**: the serialised map the server sends: the folium page HTML, or "
        "st.map's deck JSON. **WS bytes on change** is what the websocket actually delivered "
        "to Chromium during the filter change (all elements of the page, not only the map).",
        "- **first draw s**: a new browser session on a server whose caches are warm, from "
        "navigation (with `?start=&end=`) to the map drawn. The first, cold visit (reading and "
        "indexing the file) is in the JSON (`cold_s`).",
        "- **filter change s**: from the key press on the slider to the map redrawn.",
        "- **drawn**: Leaflet maps: inside the map's iframe, the incident layer is on screen: "
        "for folium markers every marker of the window is in the marker pane (as many as the "
        "`Incidents shown` metric); for this dashboard the cluster canvas has drawn its "
        "cells (or the marker layer exists, below the aggregation threshold); after a filter "
        "change only elements created after the change count. st.map: a screenshot of the "
        f"deck.gl chart shows at least {RED_PIXELS} pixels of the pure red the points are "
        "drawn in. Then, for all, two animation frames pass (the browser has painted). The "
        "script state must be `notRunning`.",
        "- **peak RSS MB**: the Streamlit server process's VmHWM after the browser runs.",
        "- Chromium is Debian's, headless, with `--disable-gpu` (deck.gl runs on software "
        "WebGL); every request leaving 127.0.0.1 is refused: st.map's basemap style "
        "(Carto/Mapbox) therefore never loads, its point layer still draws. Each timed step "
        "is capped; a step over the cap is reported as timed out and the later steps of that "
        "app at that size are skipped.",
        "",
        "## Machine",
        "",
        *(f"- {k}: {v}" for k, v in facts.items()),
        "",
    ]
    path.write_text("\n".join(text), encoding="utf-8")
    (out_dir / "benchmarks.json").write_text(
        json.dumps({"rows": [asdict(r) for r in rows], "machine": facts}, indent=1, default=str),
        encoding="utf-8",
    )
    return path


# --------------------------------------------------------------------------- command


def add_bench_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``bench`` options to a subparser.

    Parameters
    ----------
    parser : argparse.ArgumentParser
    """
    parser.add_argument(
        "--sizes",
        default=",".join(str(n) for n in DEFAULT_SIZES),
        help="comma-separated numbers of incidents (default: %(default)s)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO_ROOT / "docs",
        help="folder for benchmarks.md and benchmarks.png",
    )
    parser.add_argument("--quick", action="store_true", help="10,000 incidents only (smoke run)")
    parser.add_argument("--no-browser", action="store_true", help="in-process measurements only")
    parser.add_argument(
        "--cache", type=Path, default=CACHE_DIR, help="where generated files are kept and reused"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="seconds allowed per timed step (default: %(default)s)",
    )
    parser.add_argument("--repeats", type=int, default=5, help="runs per in-process median")


def _sizes(ns: argparse.Namespace) -> list[int]:
    if ns.quick:
        return [10_000]
    try:
        sizes = [int(part.replace("_", "")) for part in str(ns.sizes).split(",") if part.strip()]
    except ValueError:
        raise SystemExit(
            f"error: --sizes takes whole numbers separated by commas; got {ns.sizes!r}"
        ) from None
    if not sizes or min(sizes) <= 0:
        raise SystemExit("error: --sizes needs at least one positive number")
    return sizes


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run_bench(ns: argparse.Namespace) -> int:
    """Run the benchmark and write the report; return the exit code.

    Parameters
    ----------
    ns : argparse.Namespace
        Parsed options (see :func:`add_bench_arguments`).

    Returns
    -------
    int
        0 when the report was written.
    """
    from geo.baseline import read_bench_csv

    started = time.perf_counter()
    command = " ".join(["python -m geo bench", *(shlex.quote(a) for a in sys.argv[2:])])
    out_dir: Path = ns.out
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    for n in _sizes(ns):
        _log(f"{n:,} incidents: generating / reusing data")
        raw = benchdata.generate_acled(n)
        csv = benchdata.write_acled_csv(n, ns.cache)
        frame = read_bench_csv(csv)
        gdf = benchdata.to_canonical(raw)
        del raw

        dash = Row(n, "dashboard")
        _log("dashboard: in-process")
        dash.server_ms, dash.payload_bytes, dash.prepare_s, dash.breakdown, dash.shown = (
            measure_dashboard_server(gdf, repeats=ns.repeats, budget_s=ns.timeout)
        )
        del gdf
        naive = Row(n, "folium markers")
        _log("folium markers: in-process")
        naive.server_ms, naive.payload_bytes, naive.server_note = measure_naive_server(
            frame, repeats=min(ns.repeats, 3), timeout_s=ns.timeout
        )
        stmap = Row(n, "st.map")
        _log("st.map: in its own process")
        stmap.server_ms, stmap.payload_bytes = measure_stmap_server(
            csv, repeats=ns.repeats, budget_s=ns.timeout
        )
        del frame
        for row in (dash, naive, stmap):
            rows.append(row)
            if ns.no_browser:
                row.browser_note = "browser not run (--no-browser)"
                continue
            _log(f"{row.approach}: browser")
            try:
                result = measure_browser(row.approach, csv, timeout_s=ns.timeout,
                                         log_dir=ns.cache)  # fmt: skip
            except RuntimeError as exc:
                row.browser_note = f"browser run failed: {exc}"
                continue
            row.cold_s = result.get("cold_s")  # type: ignore[assignment]
            row.first_s = result.get("first_s")  # type: ignore[assignment]
            row.first_ws_bytes = result.get("first_ws_bytes")
            row.change_s = result.get("change_s")  # type: ignore[assignment]
            row.change_ws_bytes = result.get("change_ws_bytes")
            row.peak_rss_mb = result.get("peak_rss_mb")
            row.shown = row.shown or result.get("shown")
            notes = []
            if isinstance(row.cold_s, str):
                notes.append(f"cold load {row.cold_s}")
            if result.get("refused"):
                notes.append(f"{result['refused']} outside requests refused")
            if result.get("page_errors"):
                notes.append(f"page errors: {result['page_errors']}")
            row.browser_note = "; ".join(notes)
            _log(f"{row.approach}: {result}")
        write_report(rows, out_dir, command, time.perf_counter() - started)
    write_plot(rows, out_dir / "benchmarks.png")
    report = write_report(rows, out_dir, command, time.perf_counter() - started)
    _log(f"wrote {report} and {out_dir / 'benchmarks.png'}")
    return 0

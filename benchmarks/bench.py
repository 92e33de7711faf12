"""``python -m geo bench``: this dashboard beside the usual approaches, at growing sizes.

For each size (synthetic ACLED exports, fixed seed) and each approach -- this dashboard,
one folium marker with a popup per incident (``benchmarks/naive_folium.py``), Streamlit's
WebGL ``st.map`` (``benchmarks/st_map.py``) and an experienced folium user's
FastMarkerCluster on a canvas renderer (``benchmarks/expert_folium.py``) -- on the same
one-year window:

* preparation, in a fresh process each: importing, validating and indexing the file the
  first time, and reading the prepared copy (:mod:`geo.prepared`) the next time, with the
  peak memory of each stage (``benchmarks/prepare_probe.py``);
* server work per interaction, outside the server: filter plus building and serialising the
  map payload, median of several runs (``st.map``'s in a process of its own,
  ``benchmarks/st_map_server.py``, so this library never loads Streamlit);
* payload bytes: the serialised map (folium HTML, or ``st.map``'s deck JSON);
* in Chromium (Playwright, every outside request refused): seconds from navigation to the
  map drawn on a server that has just started and never read the file (cold), on a new
  session of the same server (warm), after a restart of the server that keeps its cache
  folder (restart, this dashboard only), and from a filter change (the window start moved
  one day with the keyboard) to the map redrawn, with the bytes the websocket delivered;
* peak memory: the server process's VmHWM.

Data come from a file (``--data``); a store mode is a second :class:`DataSource`.
Every wait is bounded; a measurement over the time limit is reported as timed out. The
table, the ratios, the machine and the command go to ``docs/benchmarks.md``, a plot to
``docs/benchmarks.png``.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
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
from dataclasses import asdict, dataclass, field, fields
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlparse

import numpy as np
import pandas as pd

from benchmarks import benchdata
from geo.fileio import write_bytes_atomic, write_text_atomic

if TYPE_CHECKING:
    from geo.dataset import Dataset
    from geo.filters import IncidentFilter
    from geo.view import Selection

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
CACHE_DIR: Final = REPO_ROOT / "build" / "bench"
APPS: Final = {
    "dashboard": REPO_ROOT / "dashboard.py",
    "folium markers": REPO_ROOT / "benchmarks" / "naive_folium.py",
    "st.map": REPO_ROOT / "benchmarks" / "st_map.py",
    "expert folium": REPO_ROOT / "benchmarks" / "expert_folium.py",
}
BASELINES: Final = ("folium markers", "st.map", "expert folium")
DEFAULT_SIZES: Final = (10_000, 100_000, 1_000_000)
WINDOW: Final = (date(2023, 1, 1), date(2023, 12, 31))  # the last year of the generated data
CHANGED_WINDOW: Final = (WINDOW[0] + timedelta(days=1), WINDOW[1])  # one slider step
CHROMIUM: Final = "/usr/bin/chromium"
# Every host name but the loopback ones resolves to nothing, and any other address goes to a
# proxy on a closed loopback port: nothing leaves the machine, while the browser's HTTP cache
# stays on (request interception through Playwright would turn it off).
OFFLINE_ARGS: Final = ("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, "
                       "EXCLUDE 127.0.0.1",
                       "--proxy-server=http://127.0.0.1:9",
                       "--proxy-bypass-list=127.0.0.1;localhost")  # fmt: skip
CHROMIUM_ARGS: Final = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", *OFFLINE_ARGS)  # fmt: skip
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
    mode: str = "file"
    shown: int | None = None
    prepare_s: float | None = None
    prepared_load_s: float | None = None
    prepare_peak_mb: dict[str, float] = field(default_factory=dict)
    server_ms: float | None = None
    server_note: str = ""
    payload_bytes: int | None = None
    cold_s: float | str | None = None
    warm_s: float | str | None = None
    warm_ws_bytes: int | None = None
    restart_s: float | str | None = None
    change_s: float | str | None = None
    change_ws_bytes: int | None = None
    peak_rss_mb: float | None = None
    restart_peak_rss_mb: float | None = None  # the restarted server, which read the copy
    load_1min: float | None = None  # the machine's load average when the browser run ended
    browser_note: str = ""
    breakdown: dict[str, float] = field(default_factory=dict)


class TimedOut(Exception):
    """A measurement passed its time limit."""


class PageFailed(Exception):
    """The page raised an uncaught error while a measurement waited for the map."""


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


def dashboard_map_payload(dataset: Dataset, selection: Selection) -> int:
    """Build and serialise this dashboard's map of a view's selection: its bytes.

    The one place the benchmark calls the dashboard's map code: it follows ``dashboard.py``
    (the base map, then the incident layers the component adds to it) and is what to adapt
    when that code changes shape.
    """
    from geo.mapview import build_view_base, build_view_layers

    base = build_view_base(selection.view, dataset.extent)
    for layer in build_view_layers(selection):
        layer.add_to(base)  # what the component sends: the base page plus the layers' code
    return len(base.get_root().render().encode())


def measure_dashboard_server(
    dataset: Dataset, flt: IncidentFilter, *, repeats: int, budget_s: float
) -> tuple[float, int, dict[str, float], int]:
    """Server work of one filter change in this dashboard: mask, select, build and render.

    Parameters
    ----------
    dataset : Dataset
        The file as the dashboard prepares it (:func:`geo.prepared.load_dataset`).
    flt : IncidentFilter
        The filter after the change.

    Returns
    -------
    server_ms, payload_bytes, breakdown_ms, shown
    """
    from geo.view import View, select_view

    index = dataset.index
    view = View(flt=flt, actor_ranking=dataset.ranking)
    parts: dict[str, list[float]] = {"mask": [], "select": [], "map": []}

    def interaction() -> tuple[int, int]:
        t = [time.perf_counter()]
        keep = index.mask(flt)
        t.append(time.perf_counter())
        selection = select_view(view, index)
        t.append(time.perf_counter())
        size = dashboard_map_payload(dataset, selection)
        t.append(time.perf_counter())
        for name, a, b in zip(parts, t, t[1:], strict=False):
            parts[name].append((b - a) * 1000)
        return size, int(keep.sum())

    server_ms, (payload, shown) = median_ms(interaction, repeats, budget_s)
    breakdown = {name: round(statistics.median(v), 1) for name, v in parts.items()}
    return server_ms, payload, breakdown, shown


def measure_preparation(csv: Path, cache: Path, *, timeout_s: float) -> dict[str, Any]:
    """Prepare the file twice in fresh processes: importing it, then from its prepared copy.

    Runs ``benchmarks/prepare_probe.py`` with ``INCIDENT_MAP_CACHE`` set to ``cache`` (emptied
    first), so the first run imports and writes the copy and the second reads it.

    Returns
    -------
    dict
        ``{"import": {...}, "copy": {...}}``: each the probe's seconds and peak MB by stage.
    """
    shutil.rmtree(cache, ignore_errors=True)
    out: dict[str, Any] = {}
    for name in ("import", "copy"):
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.prepare_probe", str(csv)],
            capture_output=True, text=True, check=False, cwd=REPO_ROOT,
            env=_env(INCIDENT_MAP_CACHE=str(cache)), timeout=max(timeout_s, 600),
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"preparation probe failed: {done.stderr.strip()[-500:]}")
        out[name] = json.loads(done.stdout)
    return out


def measure_naive_server(frame: pd.DataFrame, *, repeats: int, timeout_s: float) -> tuple[
    float | None, int | None, str
]:  # fmt: skip
    """Server work of the folium-markers baseline, capped at ``timeout_s`` per run."""
    from benchmarks.baseline import naive_marker_map, select_window

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


def measure_expert_server(frame: pd.DataFrame, *, repeats: int, budget_s: float) -> tuple[
    float, int
]:  # fmt: skip
    """Server work of the expert folium baseline: window, FastMarkerCluster and rendering."""
    from benchmarks.baseline import expert_cluster_map, select_window

    def interaction() -> int:
        shown = select_window(frame, *CHANGED_WINDOW)
        return len(expert_cluster_map(shown).get_root().render().encode())

    ms, payload = median_ms(interaction, repeats, budget_s)
    return ms, int(payload)


def measure_stmap_server(csv: Path, *, repeats: int, budget_s: float) -> tuple[float, int]:
    """Server work of the ``st.map`` baseline: filter plus the deck JSON it sends.

    Timed by ``benchmarks/st_map_server.py`` in a process of its own, as Streamlit's
    serialiser is Streamlit code and this library does not import Streamlit.
    """
    start, end = CHANGED_WINDOW
    args = [str(csv), start.isoformat(), end.isoformat(), str(repeats), str(budget_s)]
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.st_map_server", *args],
        capture_output=True, text=True, check=False, cwd=REPO_ROOT, env=_env(),
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"st.map server timing failed: {done.stderr.strip()[-500:]}")
    figures = json.loads(done.stdout)
    return float(figures["server_ms"]), int(figures["payload_bytes"])


# --------------------------------------------------------------------------- browser


def _env(**extra: str) -> dict[str, str]:
    """Return this process's environment with the repository importable (``benchmarks``)."""
    return {**os.environ, "PYTHONPATH": str(REPO_ROOT), **extra}


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


@dataclass(frozen=True)
class DataSource:
    """Where an app reads its incidents: the arguments and environment its server gets.

    ``file`` mode passes ``--data PATH``. A store mode (``--db URL``, the same data imported
    into the incident store first) is one more constructor beside :func:`file_source`,
    listed in :data:`MODES`; nothing else in the benchmark depends on the mode.
    """

    mode: str
    label: str
    app_args: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()


def file_source(csv: Path) -> DataSource:
    """Let the apps read ``csv`` themselves (``--data``)."""
    return DataSource("file", csv.stem, ("--data", str(csv)))


def data_modes() -> dict[str, Callable[[Path], DataSource]]:
    """Every data mode the benchmark knows: ``file``, and those of ``benchmarks/store_bench.py``.

    A mode maps the generated CSV to the :class:`DataSource` the apps' servers get. A
    ``MODES`` dict of the same shape in ``benchmarks/store_bench.py`` (e.g.
    ``{"store": store_source}``) is added, so ``--mode store`` would measure every app on
    the store; today that module measures the store on its own, into
    ``docs/store-benchmarks.md``, and adds none.
    """
    import importlib
    import importlib.util

    modes: dict[str, Callable[[Path], DataSource]] = {"file": file_source}
    if importlib.util.find_spec("benchmarks.store_bench") is not None:
        modes.update(getattr(importlib.import_module("benchmarks.store_bench"), "MODES", {}))
    return modes


MODES: Final = data_modes()


@contextlib.contextmanager
def serve(
    app: Path, source: DataSource, log: Path, *, env: dict[str, str] | None = None
) -> Iterator[tuple[str, int]]:
    """Run ``streamlit run app -- ARGS`` on a free loopback port; yield (url, pid)."""
    port = _free_port()
    if app.parent != REPO_ROOT:
        app = _beside_static(app, log.parent)
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
               "--", *source.app_args]  # fmt: skip
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=REPO_ROOT, env=_env(**dict(source.env), **(env or {})),
                                stdout=out,
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
        if self.approach in ("dashboard", "expert folium"):  # clusters, or canvas markers
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
            except Exception as exc:  # a frame can detach mid-probe while the app reruns,
                # and a probe (a screenshot) can pass its own limit on a busy machine: both
                # mean "not drawn yet"; the step's own limit still bounds the wait.
                message = str(exc)
                if not any(word in message for word in ("detached", "destroyed", "Timeout")):
                    raise
            if self.errors:  # an app that throws will never draw: say so, do not wait
                raise PageFailed(self.errors[0])
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


def _count_refused(context: Any, out: dict[str, Any]) -> None:
    """Count in ``out["refused"]`` the requests for outside hosts (all of them fail)."""

    def failed(request: Any) -> None:
        if urlparse(request.url).hostname not in LOCAL_HOSTS:
            out["refused"] += 1

    context.on("requestfailed", failed)


def measure_browser(
    approach: str, source: DataSource, *, timeout_s: float, log_dir: Path
) -> dict[str, Any]:
    """Cold visit, warm visit and one filter change of one app in Chromium; then a restart.

    The server starts with an empty cache folder (``INCIDENT_MAP_CACHE``), so the cold visit
    reads the file as on a fresh install. The warm visit is a new page in the same browser
    context, whose HTTP cache holds what the cold visit fetched. For this dashboard a second
    server then starts on the same cache folder and is visited from a new context (an empty
    browser cache): the restart visit.
    """
    from playwright.sync_api import sync_playwright

    out: dict[str, Any] = {"refused": 0}
    query = f"?start={WINDOW[0]}&end={WINDOW[1]}"
    stem = f"{approach.replace(' ', '_')}_{source.mode}_{source.label}"
    cache = log_dir / f"server-cache-{stem}"
    shutil.rmtree(cache, ignore_errors=True)
    server_env = {"INCIDENT_MAP_CACHE": str(cache)}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        try:
            context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
            _count_refused(context, out)
            with serve(APPS[approach], source, log_dir / f"{stem}.log", env=server_env) as (
                url, pid
            ):  # fmt: skip
                steps = (
                    ("cold_s", None, lambda run: run.load(url + query, COLD_TIMEOUT_S)),
                    ("warm_s", "warm_ws_bytes", lambda run: run.load(url + query, timeout_s)),
                    ("change_s", "change_ws_bytes", lambda run: run.change_filter(timeout_s)),
                )
                run = BrowserRun(context, approach)
                for name, bytes_name, step in steps:
                    if name == "warm_s":  # a new session: the server's caches are warm now
                        run.page.close()
                        run = BrowserRun(context, approach)
                    try:
                        seconds, received = step(run)
                    except TimedOut:
                        limit = COLD_TIMEOUT_S if name == "cold_s" else timeout_s
                        out[name] = f"> {limit:.0f} s (timed out)"
                        break
                    except PageFailed as exc:
                        out[name] = f"failed (page error: {str(exc)[:80]})"
                        break
                    out[name] = round(seconds, 2)
                    if bytes_name:
                        out[bytes_name] = received
                    if name == "warm_s":
                        out["shown"] = run.shown()
                out["page_errors"] = run.errors[:3]
                run.page.close()
                out["peak_rss_mb"] = peak_rss_mb(pid)
            if approach == "dashboard" and isinstance(out.get("cold_s"), float):
                # A restarted server on the same cache folder, in a browser context of its own.
                context.close()
                context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
                _count_refused(context, out)
                with serve(APPS[approach], source, log_dir / f"{stem}.restart.log",
                           env=server_env) as (url, _pid):  # fmt: skip
                    run = BrowserRun(context, approach)
                    try:
                        out["restart_s"] = round(run.load(url + query, COLD_TIMEOUT_S)[0], 2)
                        out["restart_peak_rss_mb"] = peak_rss_mb(_pid)
                    except TimedOut:
                        out["restart_s"] = f"> {COLD_TIMEOUT_S:.0f} s (timed out)"
                    except PageFailed as exc:
                        out["restart_s"] = f"failed (page error: {str(exc)[:80]})"
        finally:
            browser.close()
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


def _seconds(value: Any) -> str:
    return value if isinstance(value, str) else _fmt(value, 2)


def table_markdown(rows: list[Row]) -> str:
    """Format the results as a Markdown table."""
    head = ("| incidents | mode | approach | shown | server ms / interaction | payload bytes "
            "| cold first draw s | warm first draw s | restart first draw s | filter change s "
            "| WS bytes on change | peak RSS MB | notes |\n"
            "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")  # fmt: skip
    lines = [head]
    for r in rows:
        server = r.server_note or _fmt(r.server_ms, 0)
        restart = _seconds(r.restart_s) if r.approach == "dashboard" else "-"
        lines.append(
            f"| {r.n:,} | {r.mode} | {r.approach} | {_fmt(r.shown)} | {server} "
            f"| {_fmt(r.payload_bytes)} | {_seconds(r.cold_s)} | {_seconds(r.warm_s)} "
            f"| {restart} | {_seconds(r.change_s)} | {_fmt(r.change_ws_bytes)} "
            f"| {_fmt(r.peak_rss_mb, 0)} | {r.browser_note} |"
        )
    return "\n".join(lines)


RATIO_MEASURES: Final = (("cold_s", "cold first draw"), ("warm_s", "warm first draw"),
                         ("change_s", "filter change"))  # fmt: skip


def ratios_markdown(rows: list[Row]) -> str:
    """Format this dashboard's times beside each baseline's, with dashboard / baseline."""
    by = {(r.n, r.mode, r.approach): r for r in rows}
    head = ("| incidents | mode | measure | dashboard s | "
            + " | ".join(f"{b} s (ratio)" for b in BASELINES)
            + " | dashboard / fastest baseline |\n|---:|---|---|---:|"
            + "---:|" * len(BASELINES) + "---:|")  # fmt: skip
    lines = [head]
    for n, mode in dict.fromkeys((r.n, r.mode) for r in rows):
        dash = by.get((n, mode, "dashboard"))
        if dash is None:
            continue
        for attr, label in RATIO_MEASURES:
            mine = _number(getattr(dash, attr))
            cells, others = [], []
            for name in BASELINES:
                row = by.get((n, mode, name))
                value = getattr(row, attr) if row else None
                theirs = _number(value)
                if theirs is not None:
                    others.append(theirs)
                ratio = f" ({mine / theirs:.2f}x)" if mine is not None and theirs else ""
                cells.append(f"{_seconds(value)}{ratio}")
            fastest = f"{mine / min(others):.2f}x" if mine is not None and others else "n/a"
            lines.append(f"| {n:,} | {mode} | {label} | {_seconds(getattr(dash, attr))} | "
                         + " | ".join(cells) + f" | {fastest} |")  # fmt: skip
    return "\n".join(lines)


def preparation_markdown(rows: list[Row]) -> str:
    """Seconds and peak memory of preparing each file: importing it, then from its copy."""
    head = ("| incidents | import + prepare s | peak MB by stage | from the prepared copy s "
            "| peak MB by stage | copy MB |\n|---:|---:|---|---:|---|---:|")  # fmt: skip
    lines = [head]
    for r in rows:
        if r.approach != "dashboard" or not r.prepare_peak_mb:
            continue
        peaks = r.prepare_peak_mb

        def stages(prefix: str, peaks: dict[str, float] = peaks) -> str:
            return ", ".join(f"{k.removeprefix(prefix)} {v:,.0f}" for k, v in peaks.items()
                             if k.startswith(prefix))  # fmt: skip

        copy_mb = r.breakdown.get("copy_mb")
        lines.append(f"| {r.n:,} | {_fmt(r.prepare_s, 2)} | {stages('import.')} "
                     f"| {_fmt(r.prepared_load_s, 2)} | {stages('copy.')} "
                     f"| {_fmt(copy_mb, 1)} |")  # fmt: skip
    return "\n".join(lines)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _within(limit: float, speedup: float) -> bool:
    """Whether this dashboard's time is at most ``limit`` times the baseline's."""
    return 1 / speedup <= limit


TARGET_N: Final = 100_000
BIG_N: Final = 1_000_000


def check_targets(rows: list[Row]) -> list[str]:
    """List the issue's targets, each met or missed and by how much."""
    by = {(r.n, r.approach): r for r in rows if r.mode == "file"}
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

    def fastest(attr: str, n: int) -> tuple[str, Any]:
        timed = [(name, _number(getattr(by[(n, name)], attr))) for name in BASELINES
                 if (n, name) in by]  # fmt: skip
        known = [(name, v) for name, v in timed if v is not None]
        return min(known, key=lambda nv: nv[1]) if known else ("no baseline", None)

    d = by.get((TARGET_N, "dashboard"))
    if d is None:
        sizes = ", ".join(f"{n:,}" for n in sorted({n for n, _ in by}))
        out.append(f"- 100k targets (cold <= 1.0x and warm <= 0.8x the fastest baseline, "
                   f"filter change <= 0.5 s): not evaluated, this run measured {sizes} "
                   "incidents (the ratios above show where it stands).")  # fmt: skip
    else:
        for attr, label, limit in (("cold_s", "cold first draw", 1.0),
                                   ("warm_s", "warm first draw", 0.8)):  # fmt: skip
            name, theirs = fastest(attr, TARGET_N)
            within: Callable[[float], bool] = functools.partial(_within, limit)
            out.append(ratio_line(f"100k, one-year window, {label} <= {limit:.1f}x the fastest "
                                  f"baseline ({name})", getattr(d, attr), theirs, within,
                                  "{a:.2f} s vs {b:.2f} s: {t:.2f}x"))  # fmt: skip
    for n in (TARGET_N, BIG_N):
        row = by.get((n, "dashboard"))
        if row is None:
            continue
        change = _number(row.change_s)
        out.append(f"- {n:,}, filter change in the browser <= 0.5 s: "
                   + (f"{'met' if change <= 0.5 else 'MISSED'} ({change:.2f} s)."
                      if change is not None else f"not measured ({row.change_s}).")
                   )  # fmt: skip
    big = by.get((BIG_N, "dashboard"))
    if big is None:
        out.append("- 1M targets (filter change <= 0.5 s, peak memory <= 1.2 GB; earlier: "
                   "server work <= 300 ms, payload <= 2 MB): not evaluated in this run (add "
                   "1000000 to --sizes).")  # fmt: skip
    else:
        ms, size = big.server_ms, big.payload_bytes
        out.append(f"- 1M, filter change server work <= 300 ms: "
                   f"{'met' if ms is not None and ms <= 300 else 'MISSED'} ({_fmt(ms, 0)} ms; "
                   f"mask/select/map ms: {big.breakdown}).")  # fmt: skip
        out.append(f"- 1M, payload <= 2 MB: {'met' if size and size <= 2_000_000 else 'MISSED'} "
                   f"({_fmt(size)} bytes).")  # fmt: skip
        rss, again = big.peak_rss_mb, big.restart_peak_rss_mb
        limit_mb = 1.2 * 1024
        line = "- 1M, peak memory <= 1.2 GB, the server that imported the file: "
        if rss:
            line += f"{'met' if rss <= limit_mb else 'MISSED'} ({rss:,.0f} MB)."
        else:
            line += f"not measured ({big.browser_note or 'see notes'})."
        if again:
            line += (f" The restarted server, which read the prepared copy: "
                     f"{'met' if again <= limit_mb else 'MISSED'} ({again:,.0f} MB).")  # fmt: skip
        out.append(line)
    # The earlier scale targets, on the warm visit.
    f, s = by.get((TARGET_N, "folium markers")), by.get((TARGET_N, "st.map"))
    if d:
        out.append(ratio_line("100k, warm map drawn >= 5x faster than folium markers",
                              d.warm_s, f.warm_s if f else None, lambda r: r >= 5,
                              "{a:.2f} s vs {b:.2f} s: {r:.1f}x"))  # fmt: skip
        out.append(ratio_line("100k, warm map drawn no slower than 1.5x st.map",
                              d.warm_s, s.warm_s if s else None, lambda r: r >= 1 / 1.5,
                              "{a:.2f} s vs {b:.2f} s: {t:.2f}x st.map's time"))  # fmt: skip
    return out


def write_plot(rows: list[Row], path: Path) -> None:
    """Five panels: server ms, payload, cold and warm first draws, filter change; log scales."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    metrics = (("server_ms", "server ms / interaction"), ("payload_bytes", "payload bytes"),
               ("cold_s", "cold first draw s"), ("warm_s", "warm first draw s"),
               ("change_s", "filter change s"))  # fmt: skip
    sizes = sorted({r.n for r in rows})
    approaches = list(dict.fromkeys(r.approach for r in rows))
    fig, axes = plt.subplots(1, len(metrics), figsize=(20, 4.2))
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
    image = io.BytesIO()
    fig.savefig(image, format="png", dpi=110)
    plt.close(fig)
    write_bytes_atomic(path, image.getvalue())


def explain_targets(rows: list[Row]) -> list[str]:
    """Where this dashboard's first visits spend their time, from this run's own figures.

    Parameters
    ----------
    rows : list of Row

    Returns
    -------
    list of str
        Markdown bullets: per size, the cold visit against the restart (the difference is
        reading and checking the file, which the prepared copy replaces), the preparation
        in a fresh process, and the peak memory of importing against reading the copy.
    """
    out = []
    for r in rows:
        if r.approach != "dashboard" or r.mode != "file":
            continue
        cold, restart = _number(r.cold_s), _number(r.restart_s)
        parts = []
        if cold is not None and restart is not None:
            parts.append(f"cold {cold:.2f} s against {restart:.2f} s after a restart: "
                         f"{cold - restart:.2f} s go to importing and checking the file, "
                         "which a restarted server replaces by reading the copy")  # fmt: skip
        if r.prepare_s is not None and r.prepared_load_s is not None:
            parts.append(f"in a fresh process, import + prepare {r.prepare_s:.2f} s, from the "
                         f"copy {r.prepared_load_s:.2f} s")  # fmt: skip
        peaks = r.prepare_peak_mb
        if peaks.get("import.import") and peaks.get("copy.read copy"):
            parts.append(f"peak memory importing {peaks['import.import']:,.0f} MB, reading the "
                         f"copy {peaks['copy.read copy']:,.0f} MB")  # fmt: skip
        if parts:
            out.append(f"- {r.n:,}: " + "; ".join(parts) + ".")
    return out


def write_report(rows: list[Row], out_dir: Path, command: str, elapsed_s: float | None) -> Path:
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
        f"Command: `{command}` "
        + (f"({elapsed_s / 60:.1f} min)." if elapsed_s is not None else "(duration not recorded)."),
        "",
        "## Results",
        "",
        table_markdown(rows),
        "",
        "![benchmarks](benchmarks.png)",
        "",
        "## This dashboard beside the baselines",
        "",
        "Seconds, and in brackets this dashboard's time divided by the baseline's (below 1: "
        "this dashboard is faster).",
        "",
        ratios_markdown(rows),
        "",
        "## Preparing the file",
        "",
        "In a fresh process each: the first load imports, validates, sorts and indexes the "
        "file and writes its prepared copy; the second reads the copy. Peak resident memory "
        "(VmHWM, reset before each stage) in MB.",
        "",
        preparation_markdown(rows),
        "",
        "## Targets (issue: fast on the first visit too)",
        "",
        *(check_targets(rows) or ["- not evaluated at these sizes."]),
        "",
        "Where this dashboard's first visits go (this run's figures):",
        "",
        *(explain_targets(rows) or ["- no dashboard rows with cold and restart figures."]),
        "",
        "## What is measured",
        "",
        "- **server ms / interaction**: outside the server, median of up to 5 runs: for this "
        "dashboard `IncidentIndex.mask` + selecting the rows + building and rendering the base "
        "map and the incident layers; for folium markers the same window with pandas + one "
        "`folium.Marker` with a `Popup` per incident + rendering; for expert folium the window "
        "+ one `FastMarkerCluster` of canvas circle markers + rendering; for st.map the window "
        "+ `to_deckgl_json` (what `st.map` serialises), in a process of its own.",
        "- **payload bytes**: the serialised map the server sends: the folium page HTML, or "
        "st.map's deck JSON. **WS bytes on change** is what the websocket actually delivered "
        "to Chromium during the filter change (all elements of the page, not only the map).",
        "- **cold first draw s**: a server that has just started, with an empty cache folder "
        "(`INCIDENT_MAP_CACHE`, so no prepared copy) and the file never read by it, from "
        "navigation (with `?start=&end=`) to the map drawn: the file is read, checked and "
        "indexed during this visit.",
        "- **warm first draw s**: a new page in the same browser on the same server (its "
        "caches and the browser's HTTP cache are warm).",
        "- **restart first draw s** (this dashboard): a second server started on the same "
        "cache folder, visited from a new browser context; the prepared copy the first server "
        "wrote replaces the import.",
        "- **filter change s**: from the key press on the slider to the map redrawn.",
        "- **drawn**: Leaflet maps: inside the map's iframe, the incident layer is on screen: "
        "for folium markers every marker of the window is in the marker pane (as many as the "
        "`Incidents shown` metric); for this dashboard and expert folium the cluster canvas "
        "has drawn its cells or cluster icons are in the marker pane (or canvas markers "
        "exist, below the clustering threshold); after a filter change only elements created "
        "after the change count. st.map: a screenshot of the deck.gl chart shows at least "
        f"{RED_PIXELS} pixels of the pure red the points are drawn in. Then, for all, two "
        "animation frames pass (the browser has painted). The script state must be "
        "`notRunning`.",
        "- **peak RSS MB**: the Streamlit server process's VmHWM after the browser runs "
        "(for this dashboard the restarted server's, which read the prepared copy, is in the "
        "JSON as `restart_peak_rss_mb`). **load** in the notes: the machine's 1-minute load "
        "average when that app's browser run ended; above the number of CPUs, other work "
        "competed for them and every time of that row is inflated.",
        "- Chromium is Debian's, headless, with `--disable-gpu` (deck.gl runs on software "
        "WebGL); every request leaving 127.0.0.1 is refused: st.map's basemap style "
        "(Carto/Mapbox) therefore never loads, its point layer still draws; the folium "
        "baselines draw no basemap, this dashboard its offline one. Each timed step is "
        "capped; a step over the cap is reported as timed out and the later steps of that "
        "app at that size are skipped.",
        "- **mode**: `file`: every app reads the generated CSV given with `--data`. "
        + _store_sentence(rows),
        "",
        "## Machine",
        "",
        *(f"- {k}: {v}" for k, v in facts.items()),
        "",
    ]
    write_text_atomic(path, "\n".join(text))
    write_text_atomic(
        out_dir / "benchmarks.json",
        json.dumps(
            {
                "rows": [asdict(r) for r in rows],
                "machine": facts,
                "command": command,
                "elapsed_s": elapsed_s,
            },
            indent=1,
            default=str,
        ),  # fmt: skip
    )
    return path


def _store_sentence(rows: list[Row]) -> str:
    """Say where the store-mode rows are, or how a run adds them."""
    if any(r.mode != "file" for r in rows):
        return ("Other modes (the incident store) come from `python -m geo bench --mode MODE` "
                "(`benchmarks/store_bench.py`), merged into the same table.")  # fmt: skip
    return ("Store mode: PostGIS at 1M and 5M incidents and SQLite at 1M are measured on their "
            "own by `benchmarks/store_bench.py` (server ms per filter change, payload, memory): "
            "see [store-benchmarks.md](store-benchmarks.md).")  # fmt: skip


def rows_of_other_modes(out_dir: Path, modes: set[str]) -> list[Row]:
    """Rows an earlier run wrote to ``benchmarks.json`` for modes this run does not measure.

    A run in one mode (``--mode store``) thus adds its rows beside the file-mode rows
    already in the report instead of replacing them.

    Parameters
    ----------
    out_dir : Path
        The folder of ``benchmarks.json``.
    modes : set of str
        The modes this run measures.

    Returns
    -------
    list of Row
        Empty when there is no earlier report or it cannot be read.
    """
    path = out_dir / "benchmarks.json"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))["rows"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    known = {f.name for f in fields(Row)}
    kept = []
    for raw in stored:
        # Rows from before modes existed have no "mode": they were file mode.
        if isinstance(raw, dict) and raw.get("mode", "file") not in modes:
            kept.append(Row(**{k: v for k, v in raw.items() if k in known}))
    return kept


# --------------------------------------------------------------------------- command


def add_bench_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``bench`` options to a parser.

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
        "--mode",
        choices=sorted(MODES),
        default="file",
        help="where the apps read the data (default: %(default)s)",
    )
    parser.add_argument(
        "--apps",
        default=",".join(APPS),
        help="comma-separated approaches to measure (default: all)",
    )
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
    parser.add_argument(
        "--rerender",
        action="store_true",
        help="measure nothing: write benchmarks.md and .png again from the benchmarks.json "
        "in --out",
    )


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


def _apps(ns: argparse.Namespace) -> list[str]:
    names = [part.strip() for part in str(getattr(ns, "apps", ",".join(APPS))).split(",")]
    unknown = [name for name in names if name not in APPS]
    if unknown:
        raise SystemExit(f"error: --apps knows {', '.join(APPS)}; got {unknown[0]!r}")
    return [name for name in APPS if name in names]


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def _server_rows(n: int, csv: Path, ns: argparse.Namespace, apps: list[str]) -> list[Row]:
    """Measure the preparation and server work of every approach at one size."""
    from benchmarks.baseline import read_bench_csv
    from geo.filters import IncidentFilter
    from geo.prepared import load_dataset

    rows = {name: Row(n, name, mode=ns.mode) for name in apps}
    if "dashboard" in rows:
        dash = rows["dashboard"]
        _log("dashboard: preparation (import, then the prepared copy)")
        probe_cache = ns.cache / f"prepared-{n}"
        prep = measure_preparation(csv, probe_cache, timeout_s=ns.timeout)
        dash.prepare_s = prep["import"]["load_s"]
        dash.prepared_load_s = prep["copy"]["load_s"]
        dash.prepare_peak_mb = {f"{name}.{stage}": mb for name, probe in prep.items()
                                for stage, mb in probe["peak_mb"].items()}  # fmt: skip
        dash.breakdown["copy_mb"] = round(prep["import"].get("copy_bytes", 0) / 2**20, 1)
        _log("dashboard: in-process")
        dataset = load_dataset(csv, folder=probe_cache)  # the copy the probe wrote
        flt = IncidentFilter(start=CHANGED_WINDOW[0], end=CHANGED_WINDOW[1])
        dash.server_ms, dash.payload_bytes, parts, dash.shown = measure_dashboard_server(
            dataset, flt, repeats=ns.repeats, budget_s=ns.timeout
        )
        dash.breakdown.update(parts)
        del dataset
    frame = read_bench_csv(csv) if {"folium markers", "expert folium"} & set(rows) else None
    if "folium markers" in rows and frame is not None:
        naive = rows["folium markers"]
        _log("folium markers: in-process")
        naive.server_ms, naive.payload_bytes, naive.server_note = measure_naive_server(
            frame, repeats=min(ns.repeats, 3), timeout_s=ns.timeout
        )
    if "expert folium" in rows and frame is not None:
        _log("expert folium: in-process")
        expert = rows["expert folium"]
        expert.server_ms, expert.payload_bytes = measure_expert_server(
            frame, repeats=ns.repeats, budget_s=ns.timeout
        )
    del frame
    if "st.map" in rows:
        _log("st.map: in its own process")
        stmap = rows["st.map"]
        stmap.server_ms, stmap.payload_bytes = measure_stmap_server(
            csv, repeats=ns.repeats, budget_s=ns.timeout
        )
    return list(rows.values())


def _browser_row(row: Row, source: DataSource, ns: argparse.Namespace) -> None:
    """Fill one row's browser figures (or say why there are none)."""
    if ns.no_browser:
        row.browser_note = "browser not run (--no-browser)"
        return
    _log(f"{row.approach}: browser")
    try:
        result = measure_browser(row.approach, source, timeout_s=ns.timeout, log_dir=ns.cache)
    except RuntimeError as exc:
        row.browser_note = f"browser run failed: {exc}"
        return
    row.cold_s = result.get("cold_s")
    row.warm_s = result.get("warm_s")
    row.warm_ws_bytes = result.get("warm_ws_bytes")
    row.restart_s = result.get("restart_s")
    row.change_s = result.get("change_s")
    row.change_ws_bytes = result.get("change_ws_bytes")
    row.peak_rss_mb = result.get("peak_rss_mb")
    row.restart_peak_rss_mb = result.get("restart_peak_rss_mb")
    row.load_1min = round(os.getloadavg()[0], 1)
    row.shown = row.shown or result.get("shown")
    notes = []
    if result.get("refused"):
        notes.append(f"{result['refused']} outside requests refused")
    if result.get("page_errors"):
        notes.append(f"page errors: {result['page_errors']}")
    notes.append(f"load {row.load_1min:g}")
    row.browser_note = "; ".join(notes)
    _log(f"{row.approach}: {result}")


def _ordered(rows: list[Row]) -> list[Row]:
    """Rows by size, then mode (file first), then approach as listed in :data:`APPS`."""
    order = {name: i for i, name in enumerate(APPS)}
    return sorted(rows, key=lambda r: (r.n, r.mode != "file", r.mode, order.get(r.approach, 99)))


def rerender(out_dir: Path) -> int:
    """Write the report and plot again from ``benchmarks.json``, measuring nothing.

    Parameters
    ----------
    out_dir : Path
        The folder of ``benchmarks.json``.

    Returns
    -------
    int
        0, or 2 with one sentence when there is no readable JSON.
    """
    try:
        stored = json.loads((out_dir / "benchmarks.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"error: no readable benchmarks.json in {out_dir}: {exc}", file=sys.stderr)
        return 2
    rows = _ordered(rows_of_other_modes(out_dir, set()))
    write_plot(rows, out_dir / "benchmarks.png")
    elapsed = stored.get("elapsed_s")
    write_report(rows, out_dir, str(stored.get("command") or "python -m geo bench"),
                 float(elapsed) if isinstance(elapsed, int | float) else None)  # fmt: skip
    _log(f"wrote {out_dir / 'benchmarks.md'} again from {len(rows)} stored rows")
    return 0


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
    if getattr(ns, "rerender", False):
        return rerender(ns.out)
    started = time.perf_counter()
    command = " ".join(["python -m geo bench", *(shlex.quote(a) for a in getattr(ns, "argv", []))])
    out_dir: Path = ns.out
    out_dir.mkdir(parents=True, exist_ok=True)
    apps = _apps(ns)
    earlier = rows_of_other_modes(out_dir, {ns.mode})
    rows: list[Row] = []
    for n in _sizes(ns):
        _log(f"{n:,} incidents: generating / reusing data")
        csv = benchdata.write_acled_csv(n, ns.cache)
        source = MODES[ns.mode](csv)
        for row in _server_rows(n, csv, ns, apps):
            rows.append(row)
            _browser_row(row, source, ns)
        write_report(_ordered(earlier + rows), out_dir, command, time.perf_counter() - started)
    rows = _ordered(earlier + rows)
    write_plot(rows, out_dir / "benchmarks.png")
    report = write_report(rows, out_dir, command, time.perf_counter() - started)
    _log(f"wrote {report} and {out_dir / 'benchmarks.png'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``python -m geo bench [options]``; return the exit code.

    Parameters
    ----------
    argv : list of str, optional
        The options after ``bench`` (default: ``sys.argv[1:]``).

    Returns
    -------
    int
    """
    parser = argparse.ArgumentParser(
        prog="python -m geo bench",
        description="Measure this dashboard beside the usual approaches.",
    )
    add_bench_arguments(parser)
    args = list(sys.argv[1:] if argv is None else argv)
    ns = parser.parse_args(args)
    ns.argv = args
    return run_bench(ns)


if __name__ == "__main__":
    sys.exit(main())

"""Start the dashboard as a real server: ``streamlit run`` on a free loopback port.

The browser tests, the load test and the benchmarks all need the same thing: a server
process started from a clean environment (only the command line and the shipped config
decide what it does), its output in a log file, its health check polled until it says
``ok`` (never a bare sleep), and the process ended afterwards.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

REPO: Final = Path(__file__).resolve().parent.parent
START_TIMEOUT_S: Final = 90
# Variables that would change what the server serves; the caller's env adds its own.
OWN_PREFIXES: Final = ("INCIDENT_MAP_", "STREAMLIT_")


class ServerStartError(RuntimeError):
    """The dashboard exited or did not answer its health check in time (the log follows)."""


def free_port() -> int:
    """Return a loopback port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running dashboard: its URL, process, log file and memory samples (KiB)."""

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


def _wait_healthy(server: Server, timeout_s: float) -> None:
    """Poll ``/_stcore/health`` until it answers ``ok``."""
    deadline = time.monotonic() + timeout_s
    while True:
        if server.process.poll() is not None:
            raise ServerStartError(f"the dashboard exited early:\n{server.log.read_text()}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise ServerStartError(f"no answer in {timeout_s:g} s:\n{server.log.read_text()}")
        time.sleep(0.2)  # polling interval, not a wait for readiness


@contextmanager
def dashboard_server(
    log: Path,
    *,
    args: Sequence[str] = (),
    options: Sequence[str] = (),
    address: str | None = "127.0.0.1",
    env: Mapping[str, str] | None = None,
    timeout_s: float = START_TIMEOUT_S,
    script: Path | str = "dashboard.py",
) -> Iterator[Server]:
    """Run ``streamlit run dashboard.py`` until the block ends.

    Parameters
    ----------
    log : Path
        Where the server's output goes (its folder is made).
    args : sequence of str
        The dashboard's own arguments, after ``--`` (``["--db", URL]``, ``["--data", PATH]``).
    options : sequence of str
        More ``streamlit run`` options (``--server.trustedUserHeaders ...``).
    address : str or None, default "127.0.0.1"
        None leaves the address to the shipped config file, as ``make run`` does.
    env : mapping, optional
        Variables added to the environment, from which the caller's ``INCIDENT_MAP_*``
        and ``STREAMLIT_*`` are removed.
    timeout_s : float
        How long the health check may take to say ``ok``.
    script : Path or str, default "dashboard.py"
        The Streamlit script to serve (a benchmark may serve a copy of the dashboard).

    Yields
    ------
    Server

    Raises
    ------
    ServerStartError
        When the process exits or does not answer in time; the message holds its log.
    """
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port",
               str(port), "--server.headless", "true",
               "--browser.gatherUsageStats", "false"]  # fmt: skip
    if address is not None:
        command += ["--server.address", address]
    command += list(options)
    if args:
        command += ["--", *args]
    clean = {k: v for k, v in os.environ.items() if not k.startswith(OWN_PREFIXES)}
    clean.update(env or {})
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                                   env=clean)  # fmt: skip
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_healthy(server, timeout_s)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

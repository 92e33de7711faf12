"""The shipped ``.streamlit/config.toml`` on a live server: loopback only, no error details.

The server is started as ``make run`` starts it, with no address on the command line,
so what it binds comes from the config file alone.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import OUTPUT_DIR, REPO

START_TIMEOUT_S = 90
LISTEN = "0A"  # TCP state code in /proc/net/tcp


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            return reply.status, reply.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    """``streamlit run dashboard.py`` on a free port, address left to the config file."""
    number = free_port()
    OUTPUT_DIR.mkdir(exist_ok=True)
    log = OUTPUT_DIR / "server-config.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INCIDENT_MAP_", "STREAMLIT_"))}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "dashboard.py",
        "--server.port",
        str(number),
    ]
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"the dashboard exited early:\n{log.read_text()}")
            try:
                if get(f"http://127.0.0.1:{number}/_stcore/health") == (200, "ok"):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"no answer in {START_TIMEOUT_S} s:\n{log.read_text()}")
            time.sleep(0.2)  # polling interval, not a wait for readiness
        yield number
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def listening_addresses(port: int) -> list[str]:
    """Local addresses of the sockets listening on ``port`` (IPv4 and IPv6), as hex."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == LISTEN:
                found.append(address)
    return found


def machine_addresses() -> list[str]:
    """The machine's own IPv4 addresses other than loopback (from the kernel's routing trie)."""
    lines = Path("/proc/net/fib_trie").read_text().splitlines()
    local = {
        lines[i - 1].split()[-1]
        for i, line in enumerate(lines)
        if "/32 host LOCAL" in line and i > 0
    }
    return sorted(a for a in local if not a.startswith("127."))


def test_server_binds_loopback_only(port: int) -> None:
    addresses = listening_addresses(port)
    assert addresses, "no listening socket found for the server"
    loopback = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1 and ::1
    assert set(addresses) <= loopback, addresses
    for address in machine_addresses():
        with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
            sock.settimeout(5)
            sock.connect((address, port))


def test_metrics_hold_no_memory_walks_or_user_labels(port: int) -> None:
    # Streamlit 1.67 has no option to switch /_stcore/metrics off: it answers on loopback
    # only (above), carries session counts, and a reverse proxy denies it (README).
    status, body = get(f"http://127.0.0.1:{port}/_stcore/metrics")
    assert status == 200
    assert "user_session_events" not in body
    assert "active_sessions" in body


def test_config_hides_error_details_and_binds_loopback() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    shown = subprocess.run(
        [sys.executable, "-m", "streamlit", "config", "show"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert '\nshowErrorDetails = "none"\n' in shown
    assert '\naddress = "127.0.0.1"\n' in shown
    assert "\nenableExpensiveMemoryStats = false\n" in shown

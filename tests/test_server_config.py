"""The shipped ``.streamlit/config.toml`` on a live server: loopback only, no error details.

The server is started as ``make run`` starts it, with no address on the command line,
so what it binds comes from the config file alone.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import run_dashboard
from tests.conftest import REPO

LISTEN = "0A"  # TCP state code in /proc/net/tcp


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            return reply.status, reply.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    """``streamlit run dashboard.py`` on a free port, address left to the config file."""
    with run_dashboard("server-config", address=None) as server:
        number = urlsplit(server.url).port
        assert number is not None
        yield number


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

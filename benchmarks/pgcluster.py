"""A throwaway PostgreSQL + PostGIS cluster on a free loopback port, for the store benchmarks.

``initdb`` and ``pg_ctl`` refuse to run as root, so under root they run as the ``postgres``
account through ``runuser`` (as the store tests do). The cluster and its files are removed
when the context ends.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

PG_ROOT = Path("/usr/lib/postgresql")


class ClusterError(RuntimeError):
    """PostgreSQL or PostGIS is missing, or the cluster did not start."""


def _bindir() -> Path:
    found = sorted(
        (p.parent for p in PG_ROOT.glob("*/bin/initdb")),
        key=lambda p: int(re.sub(r"\D", "", p.parent.name) or 0),
    )
    if not found:
        raise ClusterError("PostgreSQL is not installed: run `make postgres`.")
    version = found[-1].parent.name
    if not Path(f"/usr/share/postgresql/{version}/extension/postgis.control").exists():
        raise ClusterError(f"PostGIS for PostgreSQL {version} is missing: run `make postgres`.")
    return found[-1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(command: list[str], as_postgres: bool) -> None:
    if as_postgres:
        command = ["runuser", "-u", "postgres", "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise ClusterError(f"{Path(command[0]).name} failed: {done.stdout}{done.stderr}")


@contextmanager
def postgres_cluster(*, settings: str = "") -> Iterator[str]:
    """Start a cluster; yield its base URL ``postgresql://postgres@127.0.0.1:PORT``.

    Parameters
    ----------
    settings : str
        Extra ``-c name=value`` options for the server.
    """
    bindir = _bindir()
    as_root = os.geteuid() == 0
    root = Path(tempfile.mkdtemp(prefix="geo-bench-pg-"))
    if as_root:
        shutil.chown(root, "postgres", "postgres")
    data = str(root / "data")
    _run([str(bindir / "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
          "--locale=C.UTF-8"], as_root)  # fmt: skip
    port = _free_port()
    options = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
        f"-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 {settings}"
    )
    _run([str(bindir / "pg_ctl"), "-D", data, "-l", str(root / "server.log"), "-w", "-t", "60",
          "-o", options, "start"], as_root)  # fmt: skip
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        _run([str(bindir / "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop"], as_root)
        shutil.rmtree(root, ignore_errors=True)


def create_database(base: str, name: str) -> str:
    """Create a database with PostGIS on the cluster; return its URL."""
    admin = sa.create_engine(
        f"{base.replace('postgresql', 'postgresql+psycopg')}/postgres", isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    admin.dispose()
    url = f"{base}/{name}"
    engine = sa.create_engine(
        url.replace("postgresql", "postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE EXTENSION postgis"))
    engine.dispose()
    return url

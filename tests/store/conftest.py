"""A throwaway PostgreSQL + PostGIS cluster for the session, and one fresh database per test.

The cluster lives in a temporary folder on a free loopback port. ``initdb`` and ``pg_ctl``
refuse to run as root, so under root (as in CI) they run as the ``postgres`` account through
``runuser``. Each test gets its own database, copied from a template that already has PostGIS.
Store tests take the ``store_url`` fixture and run once on SQLite and once on PostGIS.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

PG_ROOT = Path("/usr/lib/postgresql")
TEMPLATE_DB = "geo_template"
_databases = itertools.count(1)


def pg_bindir() -> Path:
    """The newest installed PostgreSQL's programs (Debian keeps one folder per version)."""
    found = sorted(
        (p.parent for p in PG_ROOT.glob("*/bin/initdb")),
        key=lambda p: int(re.sub(r"\D", "", p.parent.name) or 0),
    )
    if not found:
        pytest.fail("PostgreSQL is not installed: run `make postgres` (or `make test`).")
    return found[-1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(command: list[str | os.PathLike[str]], *, as_postgres: bool) -> None:
    full = [str(part) for part in command]
    if as_postgres:
        full = ["runuser", "-u", "postgres", "--", *full]
    done = subprocess.run(full, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        pytest.fail(f"{Path(full[0]).name} failed:\n{done.stdout}\n{done.stderr}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """Start a PostgreSQL cluster once; yield its base URL ``postgresql://postgres@host:port``."""
    bindir = pg_bindir()
    version = bindir.parent.name
    if not Path(f"/usr/share/postgresql/{version}/extension/postgis.control").exists():
        pytest.fail(f"PostGIS for PostgreSQL {version} is not installed: run `make postgres`.")
    as_root = os.geteuid() == 0
    root = Path(tempfile.mkdtemp(prefix="geo-pg-"))
    if as_root:
        shutil.chown(root, "postgres", "postgres")
    data = root / "data"
    _run(
        [
            bindir / "initdb",
            "-D",
            data,
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],  # fmt: skip
        as_postgres=as_root,
    )
    port = _free_port()
    options = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
    )
    _run(
        [
            bindir / "pg_ctl",
            "-D",
            data,
            "-l",
            root / "server.log",
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        ],  # fmt: skip
        as_postgres=as_root,
    )
    base = f"postgresql://postgres@127.0.0.1:{port}"
    try:
        admin = sa.create_engine(f"{base.replace('postgresql', 'postgresql+psycopg')}/postgres",
                                 isolation_level="AUTOCOMMIT")  # fmt: skip
        with admin.connect() as conn:
            conn.execute(sa.text(f"CREATE DATABASE {TEMPLATE_DB}"))
        admin.dispose()
        template = sa.create_engine(
            f"{base.replace('postgresql', 'postgresql+psycopg')}/{TEMPLATE_DB}",
            isolation_level="AUTOCOMMIT",
        )
        with template.connect() as conn:
            conn.execute(sa.text("CREATE EXTENSION postgis"))
        template.dispose()
        yield base
    finally:
        _run([bindir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop"], as_postgres=as_root)
        shutil.rmtree(root, ignore_errors=True)


def _admin(base: str) -> sa.Engine:
    return sa.create_engine(
        f"{base.replace('postgresql', 'postgresql+psycopg')}/postgres", isolation_level="AUTOCOMMIT"
    )


def new_database(base: str, *, template: str = TEMPLATE_DB, owner: str | None = None) -> str:
    """Create a fresh database on the session's server; return its URL."""
    name = f"test_{os.getpid()}_{next(_databases)}"
    admin = _admin(base)
    with admin.connect() as conn:
        owned = f" OWNER {owner}" if owner else ""
        conn.execute(sa.text(f"CREATE DATABASE {name} TEMPLATE {template}{owned}"))
    admin.dispose()
    return f"{base}/{name}"


def run_admin(base: str, statement: str) -> None:
    """Run one statement as the superuser, outside a transaction."""
    admin = _admin(base)
    with admin.connect() as conn:
        conn.execute(sa.text(statement))
    admin.dispose()


@pytest.fixture
def make_database(postgres_server: str):
    """A factory of fresh databases on the session's server (see :func:`new_database`)."""

    def make(*, template: str = TEMPLATE_DB, owner: str | None = None) -> str:
        return new_database(postgres_server, template=template, owner=owner)

    return make


@pytest.fixture
def admin_sql(postgres_server: str):
    """Run a statement as the server's superuser."""
    return lambda statement: run_admin(postgres_server, statement)


@pytest.fixture(params=["sqlite", "postgis"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a new SQLite file, or a new database on the session's PostGIS."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return new_database(request.getfixturevalue("postgres_server"))


@pytest.fixture
def store(store_url: str) -> Iterator[object]:
    """An initialised store on each backend, writing as ``tester``."""
    from geo.store import open_store

    opened = open_store(store_url, create=True, user="tester")
    yield opened
    opened.close()

"""Database URLs, engines and the errors of reaching a database, in one sentence each.

URLs are SQLAlchemy's: ``sqlite:///path.db`` (a file; a bare path is read the same way)
or ``postgresql://user@host:port/db`` (driven by psycopg 3). Connection failures become a
:class:`~geo.store.errors.StoreError` that says what to do, never a driver traceback.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from geo.store.errors import StoreSchemaError, StoreUnavailableError, StoreURLError

ENV_VAR: Final = "INCIDENT_MAP_DB"
URL_FORMS: Final = "sqlite:///path.db or postgresql://user@host:port/db"
CONNECT_TIMEOUT_S: Final = 5
SQLITE_BUSY_TIMEOUT_S: Final = 30
CONTAINS_FUNCTION: Final = "geo_icontains"


def resolve_url(url: str | None = None) -> URL:
    """Turn what the user gave (or ``INCIDENT_MAP_DB``) into a SQLAlchemy URL.

    Parameters
    ----------
    url : str, optional
        ``sqlite:///path.db``, a bare path to a SQLite file, or
        ``postgresql://user@host:port/db``; when empty, the ``INCIDENT_MAP_DB``
        environment variable is read.

    Returns
    -------
    sqlalchemy.engine.URL
        With the driver the store uses (``sqlite`` or ``postgresql+psycopg``).

    Raises
    ------
    StoreURLError
        When no URL is given, it cannot be parsed, or it names another database engine.
    """
    text = (url or os.environ.get(ENV_VAR, "")).strip()
    if not text:
        raise StoreURLError(f"no database given: pass --db URL ({URL_FORMS}) or set {ENV_VAR}.")
    if "://" not in text:
        return _sqlite_url(text)
    try:
        parsed = make_url(text)
    except (sa.exc.ArgumentError, ValueError):
        raise StoreURLError(f"{_shown(text)} is not a database URL: write {URL_FORMS}.") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise StoreURLError(
                f"{_shown(text)} names no file: the SQLite store is a file, sqlite:///path.db."
            )
        return _sqlite_url(parsed.database)
    if backend in ("postgresql", "postgres"):
        driver = parsed.get_driver_name()
        if "+" in parsed.drivername and driver != "psycopg":
            raise StoreURLError(
                f"the store talks to PostgreSQL through psycopg 3, not {driver}: "
                "write postgresql://user@host:port/db."
            )
        if not parsed.database:
            raise StoreURLError(
                f"{_shown(text)} names no database: write postgresql://user@host:port/db."
            )
        return parsed.set(drivername="postgresql+psycopg")
    raise StoreURLError(
        f"the store runs on SQLite or PostgreSQL, not {backend}: write {URL_FORMS}."
    )


def _sqlite_url(path: str) -> URL:
    """Build a SQLite file URL, refusing a folder that does not exist."""
    file = Path(path).expanduser()
    if not file.parent.is_dir():
        raise StoreURLError(
            f"cannot make the SQLite store {file}: the folder {file.parent} does not exist."
        )
    if file.is_dir():
        raise StoreURLError(f"{file} is a folder: give a file name such as {file / 'store.db'}.")
    return URL.create("sqlite", database=str(file))


def _shown(text: str) -> str:
    """Show a URL in messages without its password."""
    return repr(re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", text))


def reconnect_url(url: URL) -> str:
    """Write the URL that opens the store again, without its password (a recipe is shared).

    PostgreSQL then takes the password from ``PGPASSWORD`` or ``~/.pgpass``, as psql does.
    """
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{url.database}"
    bare = URL.create("postgresql", url.username, None, url.host, url.port, url.database, url.query)
    return bare.render_as_string(hide_password=False)


def display_url(url: URL) -> str:
    """Show the URL as the user wrote it: no password, no driver name."""
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{url.database}"
    return url.set(drivername="postgresql").render_as_string(hide_password=True)


def _icontains(haystack: str | None, needle: str | None) -> bool:
    """Case-insensitive substring test for SQLite, whose ``lower()`` knows only ASCII."""
    if haystack is None or needle is None:
        return False
    return needle.lower() in haystack.lower()


def _on_sqlite_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    """Per-connection SQLite settings: foreign keys, write-ahead log, text search."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")  # readers in other processes never block
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()
    dbapi_connection.create_function(CONTAINS_FUNCTION, 2, _icontains, deterministic=True)


def create_store_engine(url: URL) -> sa.Engine:
    """Create the engine for a resolved URL (see :func:`resolve_url`); nothing connects yet.

    Parameters
    ----------
    url : sqlalchemy.engine.URL

    Returns
    -------
    sqlalchemy.Engine
    """
    if url.get_backend_name() == "sqlite":
        engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
        sa.event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "incident-map"},
    )


def is_postgres(engine: sa.Engine | sa.Connection) -> bool:
    """Whether an engine or connection talks to PostgreSQL."""
    return engine.dialect.name == "postgresql"


@contextmanager
def database_errors(url: URL) -> Iterator[None]:
    """Turn a driver's connection failure into a one-sentence :class:`StoreError`.

    Parameters
    ----------
    url : sqlalchemy.engine.URL
        Named in the message (without its password).

    Raises
    ------
    StoreUnavailableError
        When the server cannot be reached, refuses the login, lacks the database, or the
        SQLite file cannot be opened.
    """
    try:
        yield
    except sa.exc.OperationalError as exc:
        raise StoreUnavailableError(_unavailable(url, str(exc.orig))) from None
    except sa.exc.DatabaseError as exc:
        if url.get_backend_name() == "sqlite" and "not a database" in str(exc.orig):
            raise StoreUnavailableError(
                f"{url.database} is not a SQLite database: give another file name."
            ) from None
        raise


def _unavailable(url: URL, message: str) -> str:
    """Say what to do about one connection failure."""
    text = message.lower()
    if url.get_backend_name() == "sqlite":
        if "locked" in text or "busy" in text:
            return f"the SQLite store {url.database} is busy: another program is writing it."
        return (
            f"cannot open the SQLite store {url.database}: check that the file and its "
            "folder are readable and writable."
        )
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    if "does not exist" in text and "database" in text:
        return (
            f"database {url.database!r} does not exist on the PostgreSQL server at {where}: "
            f"create it (createdb {url.database}), then run python -m geo db init."
        )
    if "password" in text or "authentication" in text or "role" in text:
        return (
            f"the PostgreSQL server at {where} refused user {url.username!r}: check the user "
            "name and password in the URL."
        )
    return (
        f"cannot reach the PostgreSQL server at {where}: start it, or correct the host and "
        "port in the URL."
    )


def check_postgis(conn: sa.Connection, url: URL) -> bool:
    """Whether PostGIS is enabled in the database; refuse a server that does not have it.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        A PostgreSQL connection.
    url : sqlalchemy.engine.URL
        Named in the message.

    Returns
    -------
    bool
        True when the extension is already created in the database, False when it is
        available on the server but not created yet.

    Raises
    ------
    StoreSchemaError
        When the server has no PostGIS to offer.
    """
    available = conn.execute(
        sa.text("SELECT installed_version FROM pg_available_extensions WHERE name = 'postgis'")
    ).first()
    if available is None:
        version = conn.execute(sa.text("SHOW server_version_num")).scalar_one()
        major = int(version) // 10000
        raise StoreSchemaError(
            f"PostGIS is not installed on the PostgreSQL server at {url.host or 'localhost'}: "
            f"install it (on Debian: apt-get install postgresql-{major}-postgis-3), then run "
            "python -m geo db init."
        )
    return available[0] is not None

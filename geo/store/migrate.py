"""Create or migrate a store's schema with Alembic, from the migrations shipped in the package."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL

from geo.store.engine import check_postgis, database_errors, display_url, is_postgres
from geo.store.errors import StoreSchemaError

MIGRATIONS_DIR: Final = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: URL | None = None) -> Config:
    """Build an Alembic configuration pointing at the packaged migrations.

    Parameters
    ----------
    url : sqlalchemy.engine.URL, optional
        Set as ``sqlalchemy.url`` for commands that open their own connection.

    Returns
    -------
    alembic.config.Config
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.set_main_option(
            "sqlalchemy.url", url.render_as_string(hide_password=False).replace("%", "%%")
        )
    return config


def head_revision() -> str:
    """Return the newest schema revision the package knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None  # the package always ships at least one revision
    return head


def current_revision(conn: sa.Connection) -> str | None:
    """Return the schema revision a database is at, or None when it has none."""
    return MigrationContext.configure(conn).get_current_revision()


def upgrade_store(engine: sa.Engine, revision: str = "head") -> tuple[str | None, str]:
    """Bring a database's schema to ``revision`` (creating it in an empty database).

    Parameters
    ----------
    engine : sqlalchemy.Engine
    revision : str, default "head"

    Returns
    -------
    before, after : str or None
        The revision the database was at (None when empty) and the one it is at now.

    Raises
    ------
    StoreUnavailableError
        When the database cannot be reached.
    StoreSchemaError
        When PostgreSQL lacks PostGIS, the user may not create it, or the database is at a
        revision this version of the package does not know.
    """
    url = engine.url
    with database_errors(url), engine.connect() as conn, _no_cascades(conn), conn.begin():
        if is_postgres(conn):
            check_postgis(conn, url)
        before = current_revision(conn)
        _refuse_unknown(before, url)
        config = alembic_config()
        config.attributes["connection"] = conn
        try:
            command.upgrade(config, revision)
        except sa.exc.ProgrammingError as exc:
            if "permission denied" in str(exc.orig).lower() or "must be" in str(exc.orig):
                raise StoreSchemaError(
                    f"user {url.username!r} may not create the schema in "
                    f"{display_url(url)}: ask the database owner to run python -m geo db init, "
                    "or to run CREATE EXTENSION postgis in that database."
                ) from None
            raise
        after = current_revision(conn)
    assert after is not None
    return before, after


@contextmanager
def _no_cascades(conn: sa.Connection) -> Iterator[None]:
    """Switch SQLite's foreign keys off while migrating, then check them.

    SQLite changes a column by copying the table and dropping the old one; with foreign
    keys on, that drop would cascade to every actor and revision row. The switch only
    works outside a transaction, so it is set before the migration's begins.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
    conn.commit()
    try:
        yield
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
        assert not broken, f"the migration left rows without their incident: {broken[:3]}"
    finally:
        conn.rollback()
        conn.exec_driver_sql("PRAGMA foreign_keys = ON")
        conn.commit()


def _refuse_unknown(revision: str | None, url: URL) -> None:
    """Refuse a database migrated by a newer version of the package."""
    if revision is None:
        return
    known = {
        script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    }
    if revision not in known:
        raise StoreSchemaError(
            f"the store at {display_url(url)} has schema revision {revision}, newer than this "
            "version of the incident map knows: upgrade the incident map."
        )


def check_schema(conn: sa.Connection, url: URL) -> None:
    """Refuse a database whose schema is missing or not at the package's revision.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    url : sqlalchemy.engine.URL
        Named in the message.

    Raises
    ------
    StoreSchemaError
        When the database was never initialised, is at an older revision, or (PostgreSQL)
        lacks PostGIS.
    """
    current = current_revision(conn)
    head = head_revision()
    if current == head:
        if is_postgres(conn) and not check_postgis(conn, url):
            raise StoreSchemaError(
                f"the PostGIS extension is missing in {display_url(url)}: run "
                f"python -m geo db init --db {display_url(url)}."
            )
        return
    _refuse_unknown(current, url)
    state = "is not an incident store yet" if current is None else "has an older schema"
    raise StoreSchemaError(
        f"{display_url(url)} {state}: run python -m geo db init --db {display_url(url)}."
    )

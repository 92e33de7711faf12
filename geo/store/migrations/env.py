"""Alembic environment for the incident store.

``python -m geo db init`` passes an open connection in ``config.attributes``; the
``alembic`` command line (for writing new migrations) uses ``sqlalchemy.url`` instead.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from geo.store.engine import create_store_engine, resolve_url
from geo.store.schema import metadata

config = context.config


def _include(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Leave PostGIS's own tables and the generated geometry out of comparisons."""
    if type_ == "table" and name == "spatial_ref_sys":
        return False
    return not (type_ == "column" and name == "geom")


def _run(connection: sa.Connection) -> None:
    """Run the migrations on one connection, in its transaction."""
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=_include,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_store_engine(resolve_url(config.get_main_option("sqlalchemy.url")))
    with engine.begin() as conn:
        _run(conn)

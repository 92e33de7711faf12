from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from geo.store import StoreSchemaError, StoreUnavailableError, open_store
from geo.store.engine import create_store_engine, resolve_url
from geo.store.migrate import head_revision, upgrade_store
from geo.store.schema import metadata


def _include(obj, name, type_, reflected, compare_to):
    if type_ == "table" and name in ("spatial_ref_sys", "alembic_version"):
        return False
    return not (type_ == "column" and name == "geom") and not (
        type_ == "index" and name == "ix_incidents_geom"
    )


@pytest.mark.filterwarnings("ignore:.*expression-based index:UserWarning")
@pytest.mark.filterwarnings("ignore:.*expression-based index:sqlalchemy.exc.SAWarning")
@pytest.mark.filterwarnings("ignore:Did not recognize type 'geometry':sqlalchemy.exc.SAWarning")
def test_upgrading_an_empty_database_gives_the_schema_of_the_code(store_url):
    engine = create_store_engine(resolve_url(store_url))
    before, after = upgrade_store(engine)
    assert (before, after) == (None, head_revision())
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _include})
        assert compare_metadata(context, metadata) == []
        tables = set(sa.inspect(conn).get_table_names())
    assert {"incidents", "incident_actors", "revisions", "alembic_version"} <= tables
    assert upgrade_store(engine) == (head_revision(), head_revision())  # a second run: no-op
    engine.dispose()


def test_postgis_has_a_point_geometry_with_a_gist_index(make_database):
    url = make_database()
    engine = create_store_engine(resolve_url(url))
    upgrade_store(engine)
    with engine.connect() as conn:
        kind = conn.execute(
            sa.text(
                "SELECT type, srid FROM geometry_columns "
                "WHERE f_table_name = 'incidents' AND f_geometry_column = 'geom'"
            )
        ).one()
        index = conn.execute(
            sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_incidents_geom'")
        ).scalar_one()
        conn.execute(
            sa.text(
                "INSERT INTO incidents (origin, event_id, event_date, time_precision, "
                "geo_precision, fatalities, longitude, latitude, content_hash, created_at, "
                "updated_at, updated_by) VALUES ('t', '1', '2020-01-01', 1, 1, 0, 44.5, 33.25, "
                "'x', now(), now(), 'me')"
            )
        )
        point = conn.execute(sa.text("SELECT ST_AsText(geom) FROM incidents")).scalar_one()
    engine.dispose()
    assert tuple(kind) == ("POINT", 4326)
    assert "USING gist (geom)" in index
    assert point == "POINT(44.5 33.25)"


def test_a_database_that_is_not_a_store_is_refused_with_the_command_to_run(store_url):
    if store_url.startswith("sqlite"):
        with pytest.raises(StoreSchemaError, match="db init"):
            open_store(store_url)
        path = store_url.removeprefix("sqlite:///")
        sa.create_engine(store_url).connect().close()  # an empty SQLite file
        assert path
    with pytest.raises(
        StoreSchemaError, match="is not an incident store yet: run python -m geo db init"
    ):
        open_store(store_url)


def test_a_user_who_may_not_create_postgis_is_told_whom_to_ask(make_database, admin_sql):
    admin_sql("CREATE ROLE analyst LOGIN")
    url = make_database(template="template0", owner="analyst")
    as_analyst = url.replace("postgres@", "analyst@")
    with pytest.raises(
        StoreSchemaError, match="may not create the schema.*CREATE EXTENSION postgis"
    ):
        open_store(as_analyst, create=True)


def test_unreachable_server_unknown_database_and_unknown_user_each_get_one_sentence(
    postgres_server,
):
    host = postgres_server.rsplit("@", 1)[1]
    with pytest.raises(StoreUnavailableError, match="cannot reach the PostgreSQL server"):
        open_store("postgresql://postgres@127.0.0.1:9/x")
    with pytest.raises(StoreUnavailableError, match="'nowhere' does not exist.*createdb nowhere"):
        open_store(f"postgresql://postgres@{host}/nowhere")
    with pytest.raises(StoreUnavailableError, match="refused user 'ghost'"):
        open_store(f"postgresql://ghost@{host}/postgres")


def _row_counts(conn: sa.Connection) -> tuple[int, ...]:
    return tuple(
        conn.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one()
        for name in ("incidents", "incident_actors", "revisions")
    )


def test_upgrading_a_filled_store_from_0002_keeps_its_rows_and_lets_figures_be_unrecorded(
    store_url,
):
    engine = create_store_engine(resolve_url(store_url))
    assert upgrade_store(engine, "0002") == (None, "0002")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO incidents (id, origin, event_id, event_date, time_precision, "
                "geo_precision, fatalities, longitude, latitude, content_hash, created_at, "
                "updated_at, updated_by) VALUES (7, 't', '1', '2020-01-01', 1, 1, 4, 44.5, 33.25, "
                "'x', '2020-01-02', '2020-01-02', 'me')"
            )
        )
        conn.execute(sa.text("INSERT INTO incident_actors VALUES ('Kataib Hezbollah', 7)"))
        conn.execute(
            sa.text(
                "INSERT INTO revisions (incident_id, version, action, changed_by, changed_at) "
                "VALUES (7, 1, 'import', 'me', '2020-01-02')"
            )
        )
    assert upgrade_store(engine) == ("0002", head_revision())
    with engine.begin() as conn:
        assert _row_counts(conn) == (1, 1, 1)
        conn.execute(sa.text("UPDATE incidents SET fatalities = NULL WHERE id = 7"))
        assert conn.execute(sa.text("SELECT fatalities FROM incidents")).scalar_one() is None
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _include})
        assert compare_metadata(context, metadata) == []
    engine.dispose()

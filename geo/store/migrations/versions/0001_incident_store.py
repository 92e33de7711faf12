"""The incident store: incidents, their actors and their revisions.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen here: later changes to geo.store.schema belong in later revisions.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)
TEXT_FIELDS = (
    "event_type", "sub_event_type", "actor1", "assoc_actor_1", "actor2", "assoc_actor_2",
    "site_id", "location", "admin1", "country",
)  # fmt: skip
LATER_TEXT_FIELDS = ("notes", "source", "source_file", "source_quote", "date_basis")


def _text(name: str) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=False, server_default="")


def upgrade() -> None:
    """Create the tables and indexes; on PostgreSQL also PostGIS and the geometry."""
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "incidents",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("origin", sa.Text(), nullable=False),
        _text("event_id"),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("time_precision", sa.SmallInteger(), nullable=False),
        *[_text(name) for name in TEXT_FIELDS],
        sa.Column("geo_precision", sa.SmallInteger(), nullable=False),
        sa.Column("fatalities", sa.Integer(), nullable=False),
        sa.Column("injuries", sa.Integer(), nullable=True),
        *[_text(name) for name in LATER_TEXT_FIELDS],
        sa.Column("uncertainty_km", sa.Double(), nullable=True),
        _text("coord_source"),
        sa.Column("longitude", sa.Double(), nullable=False),
        sa.Column("latitude", sa.Double(), nullable=False),
        sa.Column("extra", JSON, nullable=True),
        sa.Column("content_hash", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False, server_default="draft"),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.Column("deleted_at", TIMESTAMP, nullable=True),
        sa.Column("merged_into", ID, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_incidents"),
        sa.UniqueConstraint("origin", "event_id", name="uq_incidents_origin_event_id"),
        sa.ForeignKeyConstraint(
            ["merged_into"], ["incidents.id"], name="fk_incidents_merged_into_incidents"
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'reviewed', 'rejected')", name="ck_incidents_status"
        ),
        sa.CheckConstraint("version >= 1", name="ck_incidents_version"),
    )
    op.create_index("ix_incidents_event_date", "incidents", ["event_date"])
    op.create_index(
        "ix_incidents_last_date", "incidents", [sa.text("coalesce(end_date, event_date)")]
    )
    op.create_index("ix_incidents_longitude_latitude", "incidents", ["longitude", "latitude"])
    op.create_index("ix_incidents_event_type", "incidents", ["event_type"])
    op.create_index("ix_incidents_site_id", "incidents", ["site_id"])
    op.create_index("ix_incidents_event_id", "incidents", ["event_id"])
    if postgres:
        # Computed by the database from the coordinates: no write ever sets it.
        op.execute(
            "ALTER TABLE incidents ADD COLUMN geom geometry(Point, 4326) GENERATED ALWAYS AS "
            "(ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)) STORED"
        )
        op.execute("CREATE INDEX ix_incidents_geom ON incidents USING gist (geom)")

    op.create_table(
        "incident_actors",
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("incident_id", ID, nullable=False),
        sa.PrimaryKeyConstraint("actor", "incident_id", name="pk_incident_actors"),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name="fk_incident_actors_incident_id_incidents",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_incident_actors_incident_id", "incident_actors", ["incident_id"])

    op.create_table(
        "revisions",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("incident_id", ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("changed_by", sa.Text(), nullable=False),
        sa.Column("changed_at", TIMESTAMP, nullable=False),
        sa.Column("before", JSON, nullable=True),
        sa.Column("after", JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_revisions"),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name="fk_revisions_incident_id_incidents",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_revisions_incident_id_version", "revisions", ["incident_id", "version"])


def downgrade() -> None:
    """Drop everything this revision created (PostGIS itself stays)."""
    op.drop_table("revisions")
    op.drop_table("incident_actors")
    op.drop_table("incidents")

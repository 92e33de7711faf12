"""The store's tables, in SQLAlchemy Core: one ``MetaData`` for SQLite and PostgreSQL.

``incidents`` holds every field of the incident contract (``DATA.md``) with numeric
``longitude``/``latitude``, the bookkeeping a shared, curated dataset needs (``origin`` and
``event_id`` as the unique key of where a row came from, ``version`` for optimistic locking,
``updated_by``/``updated_at``, ``deleted_at`` as the soft-delete mark, a review ``status``)
and the file's other columns in ``extra``. ``incident_actors`` lists every actor an incident
names (the associated-actor lists split), so an actor filter is an index lookup.
``revisions`` records every write: who, when, and the fields before and after.

On PostgreSQL the migration adds ``geom``, a ``geometry(Point, 4326)`` generated from the
coordinates by the database itself, with a GiST index; it is not part of this ``MetaData``
so that both engines share one table definition and one write path.
"""

from __future__ import annotations

from typing import Final

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from geo.filters import REVIEW_STATES
from geo.incidents import COLUMNS

STATUSES: Final = REVIEW_STATES
GEOMETRY_COLUMN: Final = "geom"
SRID: Final = 4326
# The contract's integer and real fields; every other contract field is text.
INTEGER_FIELDS: Final = ("time_precision", "geo_precision", "fatalities", "injuries")
DATE_FIELDS: Final = ("event_date", "end_date")
REAL_FIELDS: Final = ("uncertainty_km",)
# An unrecorded casualty figure is NULL ("not recorded"), never 0 (geo.figures).
NULLABLE_FIELDS: Final = ("end_date", "fatalities", "injuries", "uncertainty_km")
TEXT_COLUMNS: Final = tuple(
    c for c in COLUMNS if c not in (*INTEGER_FIELDS, *DATE_FIELDS, *REAL_FIELDS)
)
# What an import writes, and what ``content_hash`` digests.
CONTENT_FIELDS: Final = (*COLUMNS, "longitude", "latitude", "extra")
# What a revision records of an incident: the contract, the point, and the curation state.
SNAPSHOT_FIELDS: Final = (*COLUMNS, "longitude", "latitude", "status", "extra", "deleted",
                          "merged_into")  # fmt: skip

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# 64-bit ids on PostgreSQL; SQLite's rowid alias must be spelled INTEGER.
ID_TYPE: Final = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON_TYPE: Final = sa.JSON(none_as_null=True).with_variant(
    postgresql.JSONB(none_as_null=True), "postgresql"
)
TIMESTAMP_TYPE: Final = sa.DateTime(timezone=True)


def _contract_column(name: str) -> sa.Column:
    """One contract field as a column of the right type."""
    nullable = name in NULLABLE_FIELDS
    if name in DATE_FIELDS:
        return sa.Column(name, sa.Date(), nullable=nullable)
    if name in INTEGER_FIELDS:
        kind = sa.SmallInteger() if name.endswith("precision") else sa.Integer()
        return sa.Column(name, kind, nullable=nullable)
    if name in REAL_FIELDS:
        return sa.Column(name, sa.Double(), nullable=nullable)
    # Empty text is stored as '' like the in-memory table, so both read the same.
    return sa.Column(name, sa.Text(), nullable=False, server_default="")


incidents = sa.Table(
    "incidents",
    metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("origin", sa.Text(), nullable=False),
    *[_contract_column(name) for name in COLUMNS],
    sa.Column("longitude", sa.Double(), nullable=False),
    sa.Column("latitude", sa.Double(), nullable=False),
    sa.Column("extra", JSON_TYPE, nullable=True),
    # A digest of the imported fields: a re-import finds unchanged rows without reading them.
    sa.Column("content_hash", sa.Text(), nullable=False),
    sa.Column("status", sa.Text(), nullable=False, server_default="draft"),
    sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    sa.Column("created_at", TIMESTAMP_TYPE, nullable=False),
    sa.Column("updated_at", TIMESTAMP_TYPE, nullable=False),
    sa.Column("updated_by", sa.Text(), nullable=False),
    sa.Column("deleted_at", TIMESTAMP_TYPE, nullable=True),
    sa.Column("merged_into", ID_TYPE, sa.ForeignKey("incidents.id"), nullable=True),
    sa.UniqueConstraint("origin", "event_id"),
    sa.CheckConstraint("status IN (" + ", ".join(f"'{s}'" for s in STATUSES) + ")", name="status"),
    sa.CheckConstraint("version >= 1", name="version"),
)
# What the page's queries read (window, metrics, weekly counts, grid cells), led by the
# first day: a filter change is an index-only range scan, never the table with its JSON.
PAGE_COLUMNS: Final = ("event_date", "longitude", "latitude", "event_type", "actor1",
                       "fatalities", "injuries", "end_date", "deleted_at", "status")  # fmt: skip
sa.Index("ix_incidents_page", *[incidents.c[name] for name in PAGE_COLUMNS])
# The time window reads both ends: start <= last day and first day <= end.
sa.Index("ix_incidents_last_date", sa.func.coalesce(incidents.c.end_date, incidents.c.event_date))
# The few multi-day incidents: how far before a window's start an incident may begin.
MULTI_DAY: Final = incidents.c.end_date.isnot(None)
sa.Index("ix_incidents_multi_day", incidents.c.event_date, incidents.c.end_date,
         postgresql_where=MULTI_DAY, sqlite_where=MULTI_DAY)  # fmt: skip
# The few soft-deleted incidents, subtracted from the actor counts when a store opens.
DELETED: Final = incidents.c.deleted_at.isnot(None)
sa.Index("ix_incidents_deleted", incidents.c.id, postgresql_where=DELETED, sqlite_where=DELETED)
sa.Index("ix_incidents_longitude_latitude", incidents.c.longitude, incidents.c.latitude)
sa.Index("ix_incidents_latitude", incidents.c.latitude)
sa.Index("ix_incidents_event_type", incidents.c.event_type)
sa.Index("ix_incidents_actor1", incidents.c.actor1)
sa.Index("ix_incidents_site_id_location", incidents.c.site_id, incidents.c.location)
sa.Index("ix_incidents_event_id", incidents.c.event_id)
sa.Index("ix_incidents_updated_at", incidents.c.updated_at)

incident_actors = sa.Table(
    "incident_actors",
    metadata,
    sa.Column("actor", sa.Text(), primary_key=True),
    sa.Column(
        "incident_id",
        ID_TYPE,
        sa.ForeignKey("incidents.id", ondelete="CASCADE"),
        primary_key=True,
    ),
)
sa.Index("ix_incident_actors_incident_id", incident_actors.c.incident_id)

revisions = sa.Table(
    "revisions",
    metadata,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column(
        "incident_id", ID_TYPE, sa.ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("action", sa.Text(), nullable=False),
    sa.Column("changed_by", sa.Text(), nullable=False),
    sa.Column("changed_at", TIMESTAMP_TYPE, nullable=False),
    sa.Column("before", JSON_TYPE, nullable=True),
    sa.Column("after", JSON_TYPE, nullable=True),
)
sa.Index("ix_revisions_incident_id_version", revisions.c.incident_id, revisions.c.version)

ROLES: Final = ("viewer", "editor", "reviewer", "admin")

# Who may do what in a team store (see geo.store.curation); one row per account name.
users = sa.Table(
    "users",
    metadata,
    sa.Column("name", sa.Text(), primary_key=True),
    sa.Column("role", sa.Text(), nullable=False),
    sa.Column("created_at", TIMESTAMP_TYPE, nullable=False),
    sa.Column("created_by", sa.Text(), nullable=False),
    sa.CheckConstraint("role IN (" + ", ".join(f"'{r}'" for r in ROLES) + ")", name="role"),
)

"""Indexes the page's queries read alone, and fatalities that may be unrecorded.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

``fatalities`` becomes nullable: a file without the figure is stored as NULL ("not
recorded"), not as 0. The page's queries (window count, metrics, weekly counts, the grid
aggregation, the newest rows) read only the columns of one composite index led by
``event_date``, so a filter change is an index-only range scan instead of a scan of the
table with its JSON and geometry. Opening a store (its span, extent, actors, sites and
ranking) reads small indexes instead of the table.
"""

from __future__ import annotations

import warnings

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Frozen here: later changes to geo.store.schema belong in later revisions.
PAGE_COLUMNS = ("event_date", "longitude", "latitude", "event_type", "actor1", "fatalities",
                "injuries", "end_date", "deleted_at", "status")  # fmt: skip
NEW_INDEXES = {
    "ix_incidents_page": PAGE_COLUMNS,
    "ix_incidents_site_id_location": ("site_id", "location"),
    "ix_incidents_latitude": ("latitude",),
    "ix_incidents_actor1": ("actor1",),
    "ix_incidents_updated_at": ("updated_at",),
}
# Partial indexes: the few multi-day incidents (how far back a window must look) and the
# few soft-deleted ones (subtracted from the actor counts).
PARTIAL_INDEXES = {
    "ix_incidents_multi_day": (("event_date", "end_date"), "end_date IS NOT NULL"),
    "ix_incidents_deleted": (("id",), "deleted_at IS NOT NULL"),
}


def _analyze() -> None:
    """Refresh the planner's statistics, so the new indexes are chosen at once."""
    op.execute("ANALYZE incidents" if op.get_bind().dialect.name == "postgresql" else "ANALYZE")


def _set_fatalities_nullable(nullable: bool) -> None:
    """Change the column; SQLite copies the table, and its expression index is made anew."""
    with warnings.catch_warnings():  # the expression index SQLite cannot reflect is made below
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        with op.batch_alter_table("incidents") as batch:
            batch.alter_column("fatalities", existing_type=sa.Integer(), nullable=nullable)
    if op.get_bind().dialect.name == "sqlite":  # SQLite cannot reflect it, so the copy lacks it
        op.create_index(
            "ix_incidents_last_date", "incidents", [sa.text("coalesce(end_date, event_date)")]
        )


def upgrade() -> None:
    """Make fatalities nullable; replace the date and site indexes by covering ones."""
    _set_fatalities_nullable(True)
    op.drop_index("ix_incidents_event_date", table_name="incidents")
    op.drop_index("ix_incidents_site_id", table_name="incidents")
    for name, columns in NEW_INDEXES.items():
        op.create_index(name, "incidents", list(columns))
    for name, (columns, where) in PARTIAL_INDEXES.items():
        op.create_index(
            name,
            "incidents",
            list(columns),
            postgresql_where=sa.text(where),
            sqlite_where=sa.text(where),
        )
    _analyze()


def downgrade() -> None:
    """Restore 0002's indexes; unrecorded fatalities become 0 again."""
    for name in (*PARTIAL_INDEXES, *NEW_INDEXES):
        op.drop_index(name, table_name="incidents")
    op.create_index("ix_incidents_site_id", "incidents", ["site_id"])
    op.create_index("ix_incidents_event_date", "incidents", ["event_date"])
    op.execute("UPDATE incidents SET fatalities = 0 WHERE fatalities IS NULL")
    _set_fatalities_nullable(False)

"""The file's own columns a store keeps in ``extra``: the categorical ones, for the filters.

An import keeps every column that is not a contract field in the ``extra`` JSON document
(:func:`geo.store.ingest.read_extra_fields`). A key whose text takes at most
:data:`geo.columns.MAX_CATEGORIES` distinct values is offered as a category, as a file's
own column is (:mod:`geo.importers.categories`); :func:`geo.store.query.filter_clause`
filters on it in SQL (``f.COLUMN=VALUE``).
"""

from __future__ import annotations

import sqlalchemy as sa

from geo.columns import MAX_CATEGORIES
from geo.store.engine import database_errors
from geo.store.schema import incidents as t
from geo.store.store import IncidentStore


def store_own_columns(store: IncidentStore) -> dict[str, list[str]]:
    """List the categorical keys of the stored incidents' ``extra`` and their values.

    Parameters
    ----------
    store : IncidentStore

    Returns
    -------
    dict of str to list of str
        Key -> its distinct values, sorted; keys with more than ``MAX_CATEGORIES`` values
        (identifiers, free text) are left out.
    """
    alive = t.c.deleted_at.is_(None)
    if store.dialect == "postgresql":
        pairs = sa.func.jsonb_each_text(sa.cast(t.c.extra, sa.dialects.postgresql.JSONB))
        each = pairs.table_valued("key", "value").alias("each")
    else:
        each = sa.func.json_each(t.c.extra).table_valued("key", "value").alias("each")
    stmt = (
        sa.select(each.c.key, each.c.value)
        .select_from(t.join(each, sa.true()))
        .where(alive, t.c.extra.is_not(None))
        .distinct()
    )
    values: dict[str, set[str]] = {}
    with database_errors(store.engine.url), store.engine.connect() as conn:
        for key, value in conn.execute(stmt):
            text = "" if value is None else str(value).strip()
            if text:
                values.setdefault(str(key), set()).add(text)
    return {k: sorted(v) for k, v in sorted(values.items()) if len(v) <= MAX_CATEGORIES}

"""The ``python -m geo db`` commands: ``init``, ``import``, ``history`` and ``user``.

A thin shell over :mod:`geo.store`: it parses arguments, prints what the library returns
and turns a :class:`~geo.store.errors.StoreError` into one sentence and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Final

EXIT_OK, EXIT_REJECTED, EXIT_FAILED = 0, 1, 2
MAX_VALUE_CHARS: Final = 120


def add_db_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``db`` subcommands to a parser.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The ``db`` command's parser.
    """
    commands = parser.add_subparsers(dest="db_command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="URL",
        help="sqlite:///path.db or postgresql://user@host:port/db (default: $INCIDENT_MAP_DB)",
    )
    common.add_argument("--user", help="who the changes are recorded as (default: your login)")

    init = commands.add_parser("init", parents=[common], help="create or migrate the store")
    init.set_defaults(func=run_init)
    load = commands.add_parser(
        "import",
        parents=[common],
        help="check a file like `geo validate` and store its records (again: updates)",
    )
    load.add_argument("path", type=Path)
    load.add_argument(
        "--origin",
        help="key the records by this name instead of the format (acled, ucdp-ged) or file name",
    )
    load.set_defaults(func=run_import)
    show = commands.add_parser(
        "history", parents=[common], help="list every revision of an incident"
    )
    show.add_argument("event_id")
    show.set_defaults(func=run_history)
    account = commands.add_parser("user", help="manage the accounts and roles of a team store")
    actions = account.add_subparsers(dest="user_command", required=True)
    grant = actions.add_parser("add", parents=[common], help="create an account or change its role")
    grant.add_argument("name")
    grant.add_argument("--role", required=True, choices=["viewer", "editor", "reviewer", "admin"])
    grant.set_defaults(func=run_user_add)
    listing = actions.add_parser("list", parents=[common], help="list the accounts and roles")
    listing.set_defaults(func=run_user_list)


def _fail(message: object) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_FAILED


def run_init(ns: argparse.Namespace) -> int:
    """``db init``: create the schema in an empty database or migrate an older one."""
    from geo.store import StoreError
    from geo.store.engine import create_store_engine, display_url, resolve_url
    from geo.store.migrate import upgrade_store

    try:
        url = resolve_url(ns.db)
        engine = create_store_engine(url)
        try:
            before, after = upgrade_store(engine)
        finally:
            engine.dispose()
    except StoreError as exc:
        return _fail(exc)
    if before == after:
        print(f"{display_url(url)} is up to date (schema {after})")
    elif before is None:
        print(f"created the incident store in {display_url(url)} (schema {after})")
    else:
        print(f"migrated {display_url(url)} from schema {before} to {after}")
    return EXIT_OK


def run_import(ns: argparse.Namespace) -> int:
    """``db import``: validate a file as ``geo validate`` does, then upsert its records."""
    from geo.importers.report import summary_line
    from geo.schema import IncidentDataError
    from geo.store import StoreError, open_store

    try:
        with open_store(ns.db, user=ns.user) as store:
            report = store.import_file(ns.path, origin=ns.origin)
    except StoreError as exc:
        return _fail(exc)
    except IncidentDataError as exc:  # the file cannot be read at all
        return _fail(exc)
    result = report.result
    for note in result.warnings:
        print(f"note: {note}")
    for record, reason in zip(result.rejected["record"], result.rejected["reason"], strict=True):
        print(f"{result.record_label} {record}: {reason}")
    print(report.summary())
    print(summary_line(result))
    return EXIT_REJECTED if len(result.rejected) else EXIT_OK


def run_history(ns: argparse.Namespace) -> int:
    """``db history``: every revision of an incident, fields before and after."""
    from geo.store import StoreError, open_store

    try:
        with open_store(ns.db, user=ns.user) as store:
            found = store.history(ns.event_id)
            where = store.url
    except StoreError as exc:
        return _fail(exc)
    if not found:
        print(f"error: no incident has event_id {ns.event_id!r} in {where}.", file=sys.stderr)
        return EXIT_REJECTED
    incident = None
    for rev in found:
        if rev.incident_id != incident:
            incident = rev.incident_id
            print(f"{rev.event_id} ({rev.origin}, incident {rev.incident_id})")
        when = rev.changed_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        print(f"  version {rev.version}  {when}  {rev.changed_by}  {rev.action}")
        for name, after in rev.after.items():
            if rev.action == "insert":
                if after not in (None, "", {}):
                    print(f"    {name}: {_shown(after)}")
            else:
                print(f"    {name}: {_shown(rev.before.get(name))} -> {_shown(after)}")
    return EXIT_OK


def run_user_add(ns: argparse.Namespace) -> int:
    """``db user add``: give an account a role; whoever holds the database login may."""
    from geo.store import StoreError, open_store
    from geo.store.curation import grant_role
    from geo.store.engine import database_errors

    try:
        with open_store(ns.db, user=ns.user) as store:
            with database_errors(store.engine.url), store.engine.begin() as conn:
                grant_role(conn, ns.name, ns.role, by=store.user)
            where = store.url
    except StoreError as exc:
        return _fail(exc)
    print(f"{ns.name.strip()} has the {ns.role} role in {where}")
    return EXIT_OK


def run_user_list(ns: argparse.Namespace) -> int:
    """``db user list``: every account and its role."""
    from geo.store import StoreError, open_store
    from geo.store.curation import Curator

    try:
        with open_store(ns.db, user=ns.user) as store:
            found = Curator(store).users()
    except StoreError as exc:
        return _fail(exc)
    for name, role in found:
        print(f"{name}\t{role}")
    if not found:
        print("no accounts: on SQLite the local user is the admin; elsewhere everyone only reads")
    return EXIT_OK


def _shown(value: Any) -> str:
    """One value for the history listing, shortened."""
    if value is None or value == "":
        text = "(empty)"
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    text = text.replace("\n", " ")
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 3] + "..."

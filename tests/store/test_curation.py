"""Curation on both backends: roles, optimistic locking with two sessions, revisions, restore."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from geo.store import StoreSchemaError, open_store
from geo.store.curation import (
    ACTIONS,
    Curator,
    EditConflict,
    PermissionDenied,
    grant_role,
)
from geo.store.entry import InvalidIncidentError
from geo.store.schema import ROLES

NEW = {
    "event_date": "2020-01-03",
    "time_precision": "1",
    "event_type": "Explosions/Remote violence",
    "sub_event_type": "Air/drone strike",
    "actor1": "Military Forces of the United States",
    "location": "Baghdad International Airport",
    "admin1": "Baghdad",
    "country": "Iraq",
    "geo_precision": "1",
    "uncertainty_km": "0.5",
    "fatalities": "10",
    "notes": "A drone strike near the airport.",
    "source": "Reuters",
    "source_quote": "A US drone strike hit a convoy near Baghdad airport.",
    "date_basis": "source",
    "source_url": "https://news.example/strike",
    "latitude": "33.2625",
    "longitude": "44.2346",
}


@pytest.fixture
def team(store_url):
    """Open the store once per account: admin, editor ana, editor ben, reviewer rea, viewer vic."""
    opened = {}
    admin = open_store(store_url, create=True, user="root")
    with admin.engine.begin() as conn:
        for name, role in [("root", "admin"), ("ana", "editor"), ("ben", "editor"),
                           ("rea", "reviewer"), ("vic", "viewer")]:  # fmt: skip
            grant_role(conn, name, role, by="setup")
    opened["root"] = admin
    for name in ("ana", "ben", "rea", "vic"):
        opened[name] = open_store(store_url, user=name)
    yield {name: Curator(s) for name, s in opened.items()}
    for s in opened.values():
        s.close()


def test_an_added_incident_is_a_draft_with_its_first_revision(team):
    ana = team["ana"]
    incident_id = ana.add(NEW, provenance={"article": "001_a.txt"})
    got = ana.get(incident_id)
    assert (got.version, got.status, got.updated_by) == (1, "draft", "ana")
    assert got.values["fatalities"] == 10
    assert got.values["extra"] == {
        "article": "001_a.txt",
        "source_url": "https://news.example/strike",
    }
    shown = ana.store.query(statuses=["draft"])
    assert list(shown["event_id"]) == [got.values["event_id"]]
    (rev,) = ana.store.history(got.values["event_id"])
    assert (rev.action, rev.changed_by, rev.before) == ("insert", "ana", {})


def test_a_new_incident_needs_its_source_and_nothing_is_written_on_error(team):
    ana = team["ana"]
    bad = {
        **NEW,
        "source_quote": "",
        "source_url": "",
        "fatalities": "-2",
        "event_date": "2020-02-31",
    }
    with pytest.raises(InvalidIncidentError) as caught:
        ana.add(bad)
    assert set(caught.value.errors) == {"source_quote", "source_url", "fatalities", "event_date"}
    assert "negative fatalities" in caught.value.errors["fatalities"]
    assert ana.store.count() == 0


@pytest.mark.parametrize("role", ROLES)
def test_every_role_may_do_what_it_allows_and_nothing_else(store_url, role):
    admin = open_store(store_url, create=True, user="root")
    with admin.engine.begin() as conn:
        grant_role(conn, "root", "admin", by="setup")
        grant_role(conn, "someone", role, by="setup")
    root = Curator(admin)
    first, second = root.add(NEW), root.add({**NEW, "fatalities": "2"})
    root.set_status(first, "reviewed")
    someone = open_store(store_url, user="someone")
    me = Curator(someone)
    attempts = {
        "add": lambda: me.add(NEW),
        "edit": lambda: me.update(second, {"fatalities": 4}, expected_version=1),
        "review": lambda: me.set_status(second, "rejected"),
        "restore": lambda: me.restore(first, 1),
        "merge": lambda: me.merge(first, second),
        "delete": lambda: me.delete(first),
        "manage users": lambda: me.set_role("newcomer", "viewer"),
    }
    rank = ROLES.index(role)
    for action, attempt in attempts.items():
        allowed = rank >= ROLES.index(ACTIONS[action])
        if allowed:
            attempt()
        else:
            with pytest.raises(PermissionDenied, match=f"may not {action}"):
                attempt()
    assert me.role == role
    someone.close()
    admin.close()


def test_the_second_of_two_sessions_gets_both_versions_and_overwrites_nothing(team):
    incident_id = team["ana"].add(NEW)
    ana_read = team["ana"].get(incident_id)
    ben_read = team["ben"].get(incident_id)
    assert (
        team["ben"].update(incident_id, {"fatalities": 12}, expected_version=ben_read.version) == 2
    )
    with pytest.raises(EditConflict) as caught:
        team["ana"].update(
            incident_id,
            {"fatalities": 11, "notes": "Eleven killed."},
            expected_version=ana_read.version,
        )
    conflict = caught.value
    assert (conflict.expected, conflict.current) == (1, 2)
    assert conflict.theirs["fatalities"] == 12
    assert conflict.mine["fatalities"] == 11
    assert set(conflict.fields) == {"fatalities", "notes"}
    stored = team["ana"].get(incident_id)
    assert (stored.version, stored.values["fatalities"], stored.values["notes"]) == (
        2, 12, NEW["notes"],
    )  # fmt: skip
    # Chosen field by field and saved against the version now stored.
    team["ana"].update(incident_id, {"notes": "Eleven killed."}, expected_version=2)
    assert team["ana"].get(incident_id).values["notes"] == "Eleven killed."


def test_a_reviewed_incident_edited_by_an_editor_goes_back_to_draft(team):
    incident_id = team["ana"].add(NEW)
    team["rea"].set_status(incident_id, "reviewed")
    team["rea"].update(incident_id, {"injuries": 3}, expected_version=2)
    assert team["rea"].get(incident_id).status == "reviewed"
    team["ben"].update(incident_id, {"injuries": 4}, expected_version=3)
    assert team["ben"].get(incident_id).status == "draft"


def test_merge_folds_sources_and_soft_deletes_the_duplicate(team):
    ana = team["ana"]
    keep = ana.add(NEW)
    other = ana.add({**NEW, "source": "AP", "source_quote": "Ten were killed at the airport."})
    ana.merge(keep, other)
    survivor, gone = ana.get(keep), ana.get(other)
    assert survivor.values["source"] == "Reuters; AP"
    assert (
        survivor.values["source_quote"] == NEW["source_quote"] + "\nTen were killed at the airport."
    )
    assert gone.values["deleted"] and gone.values["merged_into"] == keep
    assert ana.store.count() == 1
    assert [r.action for r in ana.store.history(gone.values["event_id"])] == ["insert", "merge"]


def test_delete_and_restore_are_revisions_and_any_version_comes_back(team):
    ana, rea = team["ana"], team["rea"]
    incident_id = ana.add(NEW)
    event_id = ana.get(incident_id).values["event_id"]
    ana.update(incident_id, {"fatalities": 20, "location": "Baghdad"}, expected_version=1)
    ana.delete(incident_id)
    assert ana.store.count() == 0
    assert rea.restore(incident_id, 1) == 4
    back = rea.get(incident_id)
    assert not back.values["deleted"]
    assert (back.values["fatalities"], back.values["location"]) == (10, NEW["location"])
    history = ana.store.history(event_id)
    assert [(r.version, r.action, r.changed_by) for r in history] == [
        (1, "insert", "ana"), (2, "update", "ana"), (3, "delete", "ana"), (4, "restore", "rea"),
    ]  # fmt: skip
    assert history[1].before == {"fatalities": 10, "location": NEW["location"]}
    assert history[3].after["deleted"] is False


def test_a_failed_write_leaves_no_revision(team):
    incident_id = team["ana"].add(NEW)
    with pytest.raises(InvalidIncidentError):
        team["ana"].update(incident_id, {"sub_event_type": "Armed clash"}, expected_version=1)
    with team["ana"].store.engine.connect() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM revisions")).scalar_one()
    assert count == 1
    assert team["ana"].get(incident_id).version == 1


def test_an_unknown_user_of_a_team_store_only_reads(team, store_url):
    stranger = open_store(store_url, user="mallory")
    assert Curator(stranger).role == "viewer"
    with pytest.raises(PermissionDenied):
        Curator(stranger).add(NEW)
    stranger.close()


def test_a_store_without_accounts_on_sqlite_is_the_local_users(tmp_path):
    local = open_store(f"sqlite:///{tmp_path / 's.db'}", create=True, user="me")
    assert Curator(local).role == "admin"
    Curator(local).add(NEW)
    local.close()


def test_db_user_add_grants_roles_and_refuses_unknown_ones(store_url, capsys):
    from geo.cli import main

    open_store(store_url, create=True).close()
    assert main(["db", "user", "add", "rea", "--role", "reviewer", "--db", store_url]) == 0
    assert main(["db", "user", "add", "rea", "--role", "admin", "--db", store_url]) == 0
    assert main(["db", "user", "list", "--db", store_url]) == 0
    out = capsys.readouterr().out
    assert "rea has the reviewer role" in out and "rea\tadmin" in out
    with pytest.raises(SystemExit):
        main(["db", "user", "add", "rea", "--role", "boss", "--db", store_url])


def test_exports_hold_reviewed_incidents_only_and_say_so(team):
    from geo.store.curation import export_curated

    ana, rea = team["ana"], team["rea"]
    kept = ana.add(NEW)
    ana.add({**NEW, "fatalities": "3"})
    rea.set_status(kept, "reviewed")
    content, caption = export_curated(ana.store, "csv")
    assert caption == "1 reviewed incidents only"
    lines = content.decode("utf-8").strip().splitlines()
    assert len(lines) == 2 and ana.get(kept).values["event_id"] in lines[1]
    geojson, _ = export_curated(ana.store, "geojson")
    assert geojson.count(b'"Feature"') == 1


def test_a_store_at_schema_0001_migrates_to_accounts_keeping_its_incidents(store_url):
    from geo.store.engine import create_store_engine, resolve_url
    from geo.store.migrate import upgrade_store

    engine = create_store_engine(resolve_url(store_url))
    assert upgrade_store(engine, "0001") == (None, "0001")
    engine.dispose()
    with pytest.raises(StoreSchemaError, match="older schema"):
        open_store(store_url)
    old = open_store(store_url, create=True, user="me")  # migrates to 0002
    assert Curator(old).users() == []
    with old.engine.begin() as conn:
        grant_role(conn, "me", "editor", by="test")
    incident_id = Curator(old).add(NEW)
    assert Curator(old).get(incident_id).version == 1
    old.close()

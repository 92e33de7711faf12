"""Imports into the store: the importers' verdict, upserts on the source's id, revisions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from benchmarks.benchdata import generate_acled, write_acled_csv
from geo.cli import main
from geo.importers import validate_path
from geo.store import open_store
from geo.store.schema import incident_actors, revisions

REPO = Path(__file__).resolve().parents[2]


def write_acled(path: Path, frame: pd.DataFrame) -> Path:
    frame.to_csv(path, index=False)
    return path


def stored_counts(store) -> tuple[int, int, int]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT count(*), count(DISTINCT event_id) FROM incidents"))
        total, distinct = rows.one()
        revs = conn.execute(sa.select(sa.func.count()).select_from(revisions)).scalar_one()
    return int(total), int(distinct), int(revs)


def test_reimport_updates_changed_rows_and_never_duplicates(store, tmp_path):
    frame = generate_acled(40, seed=7)
    path = write_acled(tmp_path / "export.csv", frame)
    first = store.import_file(path)
    assert (first.origin, first.inserted, first.updated, first.unchanged) == ("acled", 40, 0, 0)
    changed = frame.copy()
    changed.loc[[3, 5], "fatalities"] = [17, 23]
    changed.loc[8, "notes"] = "A corrected account."
    second = store.import_file(write_acled(tmp_path / "export-newer.csv", changed))
    assert (second.inserted, second.updated, second.unchanged) == (0, 3, 37)
    assert stored_counts(store) == (40, 40, 43)
    got = store.query().set_index("event_id")
    assert got.loc[frame.loc[3, "event_id_cnty"], "fatalities"] == 17
    history = store.history(frame.loc[5, "event_id_cnty"])
    assert [(r.version, r.action, r.changed_by) for r in history] == [
        (1, "insert", "tester"),
        (2, "import", "tester"),
    ]
    assert history[1].before == {"fatalities": int(frame.loc[5, "fatalities"])}
    assert history[1].after == {"fatalities": 23}


def test_the_files_other_columns_are_kept_and_actors_are_indexed(store, tmp_path):
    frame = generate_acled(5, seed=3)
    frame.loc[0, "assoc_actor_1"] = "Kataib Hezbollah; Harakat al-Nujaba"
    frame.loc[0, "tags"] = "crowd size=no report"
    store.import_file(write_acled(tmp_path / "export.csv", frame))
    with store.engine.connect() as conn:
        extra = conn.execute(
            sa.text("SELECT extra FROM incidents WHERE event_id = :id"),
            {"id": frame.loc[0, "event_id_cnty"]},
        ).scalar_one()
        actors = set(conn.execute(sa.select(incident_actors.c.actor).distinct()).scalars())
    if isinstance(extra, str):  # SQLite hands JSON back as text to raw SQL
        import json

        extra = json.loads(extra)
    assert extra["tags"] == "crowd size=no report"
    assert extra["year"] == str(frame.loc[0, "year"])
    assert extra["event_id_cnty"] == frame.loc[0, "event_id_cnty"]
    assert {"Kataib Hezbollah", "Harakat al-Nujaba"} <= actors


def test_rejected_records_are_reported_like_validate_and_not_stored(
    store, store_url, tmp_path, capsys
):
    frame = generate_acled(6, seed=5)
    frame.loc[2, "event_date"] = "not a date"
    frame.loc[4, "latitude"] = 95.0
    path = write_acled(tmp_path / "export.csv", frame)
    assert validate_path(path, sys.stdout) == 1
    validated = capsys.readouterr().out.splitlines()
    assert main(["db", "import", str(path), "--db", store_url]) == 1
    imported = capsys.readouterr().out.splitlines()
    assert imported[-1] == validated[-1] == "checked 6 records: 4 accepted, 2 rejected"
    assert [line for line in imported if line.startswith("row ")] == validated[:-1]
    assert imported[-2].startswith("stored as acled: 4 new")
    assert store.count() == 4


def test_history_lists_who_when_and_each_field_before_and_after(store_url, tmp_path, capsys):
    frame = generate_acled(3, seed=9)
    assert main(["db", "init", "--db", store_url]) == 0
    main(["db", "import", str(write_acled(tmp_path / "a.csv", frame)), "--db", store_url,
          "--user", "alice"])  # fmt: skip
    frame.loc[0, "fatalities"] = 12
    main(["db", "import", str(write_acled(tmp_path / "b.csv", frame)), "--db", store_url,
          "--user", "bob"])  # fmt: skip
    capsys.readouterr()
    assert main(["db", "history", frame.loc[0, "event_id_cnty"], "--db", store_url]) == 0
    out = capsys.readouterr().out
    assert "version 1" in out and "alice  insert" in out
    assert "version 2" in out and "bob  import" in out
    assert "    fatalities: " in out and "-> 12" in out
    assert main(["db", "history", "NO-SUCH-ID", "--db", store_url]) == 1
    assert "no incident has event_id 'NO-SUCH-ID'" in capsys.readouterr().err


def test_the_environment_variable_names_the_store(store_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("INCIDENT_MAP_DB", store_url)
    assert main(["db", "init"]) == 0
    path = write_acled(tmp_path / "a.csv", generate_acled(2, seed=1))
    assert main(["db", "import", str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "checked 2 records: 2 accepted, 0 rejected"
    assert open_store(store_url).count() == 2


@pytest.mark.parametrize(
    "url, message",
    [
        ("postgresql://postgres@127.0.0.1:9/incidents", "cannot reach the PostgreSQL server"),
        ("mysql://me@localhost/incidents", "the store runs on SQLite or PostgreSQL, not mysql"),
        ("sqlite:////no/such/folder/store.db", "the folder /no/such/folder does not exist"),
    ],
)
def test_a_wrong_url_or_an_unreachable_server_is_one_sentence_and_exit_2(url, message, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "geo", "db", "import", str(tmp_path / "x.csv"), "--db", url],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and message in done.stderr


@pytest.mark.large
def test_a_72000_row_acled_export_imported_twice_gives_the_same_counts(store, tmp_path_factory):
    path = write_acled_csv(72_000, tmp_path_factory.mktemp("acled"))
    first = store.import_file(path)
    assert (first.inserted, first.updated, first.unchanged) == (72_000, 0, 0)
    second = store.import_file(path)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 72_000)
    assert len(first.result.incidents) == len(second.result.incidents) == 72_000
    assert stored_counts(store) == (72_000, 72_000, 72_000)
    assert store.count() == 72_000

"""``geo export --db`` exports from a store what ``--data`` exports from the file."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from geo.cli import main
from geo.store import open_store

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data" / "incidents.geojson"


@pytest.fixture
def filled(store_url: str) -> str:
    with open_store(store_url, create=True, user="tester") as store:
        store.import_file(DATA)
    return store_url


def ids_of(path: Path) -> list[str]:
    if path.suffix == ".csv":
        return sorted(pd.read_csv(path, dtype=str)["event_id"])
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    return sorted(f["properties"]["event_id"] for f in features)


@pytest.mark.parametrize(
    "filters",
    [
        [],
        ["--start", "2020-03-01", "--end", "2020-03-31"],
        ["--type", "Explosions/Remote violence", "--min-fatalities", "1"],
        ["--actor", "Kataib Hezbollah", "--text", "rocket"],
        ["--site", "camp_taji"],
    ],
)
def test_store_export_holds_the_incidents_of_the_file_export(
    filled, filters, tmp_path, monkeypatch
):
    monkeypatch.delenv("INCIDENT_MAP_DB", raising=False)
    for suffix in (".csv", ".geojson"):
        on_file, on_store = tmp_path / f"file{suffix}", tmp_path / f"store{suffix}"
        assert main(["export", "--out", str(on_file), "--data", str(DATA), *filters]) == 0
        assert main(["export", "--out", str(on_store), "--db", filled, *filters]) == 0
        assert ids_of(on_store) == ids_of(on_file)
    if not filters:
        assert len(ids_of(on_store)) == len(json.loads(DATA.read_text())["features"])


def test_store_report_png_and_the_environment_form(filled, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("INCIDENT_MAP_DB", filled)
    out = tmp_path / "taji.png"
    assert main(["export", "--out", str(out), "--site", "camp_taji"]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    recipe = json.loads((tmp_path / "taji.png.recipe.json").read_text())
    assert recipe["data"] == {"path": None, "sha256": None, "store": filled}
    assert "wrote" in capsys.readouterr().out


def test_a_store_export_recipe_names_the_store_without_its_password_and_makes_it_again(
    filled, tmp_path, monkeypatch
):
    monkeypatch.delenv("INCIDENT_MAP_DB", raising=False)
    # PostgreSQL's trust authentication ignores the password; SQLite URLs have none.
    url = filled.replace("postgres@", "postgres:s3cret@")
    first, again = tmp_path / "first.csv", tmp_path / "again.csv"
    filters = ["--type", "Explosions/Remote violence"]
    assert main(["export", "--out", str(first), "--db", url, *filters]) == 0
    recipe_path = tmp_path / "first.csv.recipe.json"
    assert "s3cret" not in recipe_path.read_text()
    assert json.loads(recipe_path.read_text())["data"]["store"] == filled
    assert main(["export", "--out", str(again), "--recipe", str(recipe_path)]) == 0
    assert ids_of(again) == ids_of(first) and len(ids_of(first)) > 0


def test_store_export_of_an_unusable_store_is_one_sentence(tmp_path, capsys):
    code = main(["export", "--out", str(tmp_path / "x.csv"), "--db", "mysql://u@127.0.0.1/db"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "x.csv").exists()


def test_status_keeps_a_store_s_review_states_and_a_file_export_refuses_it(
    filled, tmp_path, monkeypatch, capsys
):
    import sqlalchemy as sa

    from geo.report import describe_filters
    from geo.store.schema import incidents

    monkeypatch.delenv("INCIDENT_MAP_DB", raising=False)
    with open_store(filled) as store, store.engine.begin() as conn:
        chosen = [i for (i,) in conn.execute(sa.select(incidents.c.event_id).limit(4))]
        conn.execute(
            sa.update(incidents).where(incidents.c.event_id.in_(chosen)).values(status="reviewed")
        )
    out = tmp_path / "reviewed.csv"
    assert main(["export", "--out", str(out), "--db", filled, "--status", "reviewed"]) == 0
    assert ids_of(out) == sorted(chosen)
    recipe = json.loads((tmp_path / "reviewed.csv.recipe.json").read_text())
    assert recipe["filters"]["status"] == ["reviewed"]
    from geo.recipe import read_recipe

    flt = read_recipe(tmp_path / "reviewed.csv.recipe.json").flt
    assert "Reviewed only" in describe_filters(flt)  # the reports' caption says so
    code = main(["export", "--out", str(tmp_path / "f.csv"), "--data", str(DATA),
                 "--status", "reviewed"])  # fmt: skip
    assert code == 2
    assert "--status needs an incident store" in capsys.readouterr().err

"""The file's own columns: kept by the import, filtered from links, flags and recipes.

Expected counts come from pandas on the written file, never from the package's filter.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo import cli
from geo.columns import MAX_CATEGORIES, column_values, own_categorical_columns, own_columns
from geo.filters import IncidentFilter, IncidentIndex, column_mask
from geo.importers import import_file
from geo.schema import IncidentDataError
from geo.urlstate import filter_from_query, filter_to_query, view_from_query
from geo.view import controls_of_view, view_from_controls

ROWS = 72_000
ATTACKS = ["IED", "SAF", "IDF", "VBIED", "Complex attack"]
ACTORS = ["AQI", "JAM", "Unknown"]


def write_attacks(path: Path, n: int, seed: int = 7) -> Path:
    """An Iraq attack table like the analyst's: date, coordinates, attack_type, actor1."""
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2007-01-01") + pd.to_timedelta(rng.integers(0, 730, n), unit="D")
    frame = pd.DataFrame(
        {
            "date": days.strftime("%Y-%m-%d"),
            "longitude": np.round(rng.uniform(39, 48, n), 5),
            "latitude": np.round(rng.uniform(29.5, 37, n), 5),
            "attack_type": rng.choice(ATTACKS, n),
            "actor1": rng.choice(ACTORS, n),
            "region": rng.choice(["North", "Centre", "South", ""], n),
            "report_id": [f"R{i:06d}" for i in range(n)],  # an identifier, not a category
        }
    )
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def attacks(tmp_path_factory) -> Path:
    return write_attacks(tmp_path_factory.mktemp("attacks") / "attacks.csv", ROWS)


@pytest.fixture(scope="module")
def imported(attacks: Path):
    return import_file(attacks).incidents


@pytest.fixture(scope="module")
def raw(attacks: Path) -> pd.DataFrame:
    return pd.read_csv(attacks, dtype=str, keep_default_na=False)


def test_categorical_columns_are_kept_under_their_own_names(imported, raw) -> None:
    assert len(imported) == len(raw)
    assert own_columns(imported) == ["attack_type", "region"]  # actor1 is a contract field
    assert column_values(imported, "attack_type") == sorted(ATTACKS)
    assert column_values(imported, "region") == ["Centre", "North", "South"]
    assert imported["attack_type"].tolist() == raw["attack_type"].tolist()


def test_only_bounded_text_columns_are_categories() -> None:
    many = [f"v{i}" for i in range(MAX_CATEGORIES + 1)]
    fields = pd.DataFrame(
        {
            "kind": ["a", "b"] * (len(many) // 2) + ["a"] * (len(many) % 2),
            "code": many,
            "lat": ["1"] * len(many),
            "Empty": [""] * len(many),
        }  # fmt: skip
    )
    kept = own_categorical_columns(fields)
    assert list(kept.columns) == ["kind"]
    assert str(kept["kind"].dtype) == "category"


def test_column_mask_matches_a_plain_reading() -> None:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"kind": rng.choice(["a", "b", "c", None], 500)})
    for wanted in (("a",), ("a", "c"), ("z",), ()):
        expected = [v in wanted for v in frame["kind"]] if wanted else [True] * len(frame)
        assert column_mask(frame, "kind", wanted).tolist() == expected
    with pytest.raises(IncidentDataError, match="no column 'nope'"):
        column_mask(frame, "nope", ("a",))


def test_link_counts_equal_pandas(imported, raw) -> None:
    index = IncidentIndex(imported)
    columns = {c: column_values(imported, c) for c in own_columns(imported)}
    query = {"f.attack_type": ["IED", "SAF"], "f.region": "North", "actor": "JAM"}
    view, problems = view_from_query(
        query,
        actors=index.actor_names,
        event_types=index.event_types,
        sites=index.site_keys,
        columns=columns,
    )
    assert problems == []
    expected = raw["attack_type"].isin(["IED", "SAF"]) & raw["region"].eq("North")
    expected &= raw["actor1"].eq("JAM")
    assert len(index.select(view.flt)) == int(expected.sum())
    # OR within a column, AND across columns
    only = IncidentFilter(where=(("attack_type", ("IDF",)),))
    assert len(index.select(only)) == int(raw["attack_type"].eq("IDF").sum())


def test_unknown_column_or_value_in_a_link_is_reported() -> None:
    flt, problems = filter_from_query(
        {"f.colour": "red", "f.attack_type": ["IED", "Drone"]},
        actors=[],
        event_types=[],
        sites=[],
        columns={"attack_type": ATTACKS},
    )
    assert flt.where == (("attack_type", ("IED",)),)
    assert any("no column 'colour'" in p for p in problems)
    assert any("'Drone'" in p and "f.attack_type" in p for p in problems)


def test_where_round_trips_through_link_and_widgets() -> None:
    flt = IncidentFilter(where=(("attack_type", ("IED", "SAF")), ("region", ("North",))))
    query = filter_to_query(flt)
    assert query["f.attack_type"] == ["IED", "SAF"] and query["f.region"] == ["North"]
    columns = {"attack_type": ["IED", "SAF", "IDF"], "region": ["North"]}
    back, problems = filter_from_query(query, actors=[], event_types=[], sites=[], columns=columns)
    assert back == flt and problems == []
    from geo.view import View

    span = (pd.Timestamp("2007-01-01").date(), pd.Timestamp("2008-12-31").date())
    controls = controls_of_view(View(flt=flt), span)
    assert view_from_controls(controls, span).flt.where == flt.where


def test_cli_where_and_its_recipe_give_pandas_counts(attacks, raw, tmp_path) -> None:
    out = tmp_path / "ied_jam.csv"
    argv = ["export", "--data", str(attacks), "--out", str(out), "--where", "attack_type=IED",
            "--where", "attack_type=VBIED", "--where", "actor1=JAM"]  # fmt: skip
    assert cli.main(argv) == 0
    expected = raw["attack_type"].isin(["IED", "VBIED"]) & raw["actor1"].eq("JAM")
    assert len(pd.read_csv(out)) == int(expected.sum())
    recipe = json.loads(Path(f"{out}.recipe.json").read_text(encoding="utf-8"))
    assert recipe["filters"]["f.attack_type"] == ["IED", "VBIED"]
    again = tmp_path / "again.csv"
    argv = ["export", "--recipe", f"{out}.recipe.json", "--data", str(attacks), "--out", str(again)]
    assert cli.main(argv) == 0
    assert len(pd.read_csv(again)) == int(expected.sum())


def test_cli_unknown_column_is_one_sentence(attacks, tmp_path, capsys) -> None:
    argv = ["export", "--data", str(attacks), "--out", str(tmp_path / "x.csv"),
            "--where", "colour=red"]  # fmt: skip
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "no column 'colour'" in err and "Traceback" not in err
    with pytest.raises(SystemExit):
        cli._parser().parse_args(["export", "--out", "x.csv", "--where", "no-equals"])


def test_own_column_colours_legend_and_clusters_with_exact_counts(imported, raw) -> None:
    from geo.aggregate import build_cluster_payload
    from geo.palette import NO_VALUE, color_codes, legend_items

    legend = dict(legend_items(imported, "region"))
    assert list(legend) == ["Centre", "North", "South", NO_VALUE]
    assert len(set(legend.values())) == 4
    codes, colors = color_codes(imported, "attack_type")
    assert sorted(colors) == sorted(ATTACKS)
    labels = np.asarray(list(colors), dtype=object)[codes]
    assert labels.tolist() == raw["attack_type"].tolist()
    payload = build_cluster_payload(imported, legend, "region")
    cats = [label for label, _ in payload["cats"]]
    level = payload["levels"][0]
    per_colour = np.asarray(level["b"]).reshape(-1, len(cats)).sum(axis=0)
    expected = raw["region"].replace("", NO_VALUE).value_counts()
    for label, count in zip(cats, per_colour, strict=True):
        assert count == int(expected.get(label, 0)), label


def test_colour_by_a_column_from_link_and_flag(imported) -> None:
    columns = {c: column_values(imported, c) for c in own_columns(imported)}
    known = {"actors": [], "event_types": [], "sites": [], "columns": columns}
    view, problems = view_from_query({"color": "attack_type"}, **known)
    assert view.color_by == "attack_type" and problems == []
    view, problems = view_from_query({"color": "colour"}, **known)
    assert view.color_by == "event_type" and "color='colour'" in problems[0]
    ns = cli._parser().parse_args(["export", "--out", "x.csv", "--color-by", "attack_type"])
    from geo.report import PageOptions
    from geo.view import View

    built, _ = cli.export_view_from_arguments(ns, View(), PageOptions())
    assert built.color_by == "attack_type"


def test_colour_by_an_unknown_column_is_one_sentence() -> None:
    from geo.palette import color_codes

    frame = pd.DataFrame({"event_type": ["Battles"], "actor1": ["A"]})
    with pytest.raises(IncidentDataError, match="categorical column of the file; got 'colour'"):
        color_codes(frame, "colour")

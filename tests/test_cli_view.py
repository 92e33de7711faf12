"""The command line's flags make one View (parsed in-process; the CLI runs are in test_export)."""

from __future__ import annotations

from datetime import date

import pytest

from geo import cli
from geo.filters import IncidentFilter
from geo.report import PageOptions
from geo.schema import IncidentDataError
from geo.view import View


def parse(*args: str):
    return cli._parser().parse_args(["export", "--out", "x.html", *args])


def test_flags_make_one_view_over_the_base() -> None:
    ns = parse(
        "--site", "camp_taji", "--start", "2020-03-01", "--title", "Taji", "--color-by", "actor",
        "--basemap", "OpenStreetMap", "--layers", "heatmap", "--site-labels", "shown",
        "--extent", "43.5,32.8,45,34", "--width", "1600",
    )  # fmt: skip
    base = View(flt=IncidentFilter(end=date(2020, 3, 31)), site_layer="all")
    view, page = cli.export_view_from_arguments(ns, base, PageOptions())
    assert view == View(
        flt=IncidentFilter(start=date(2020, 3, 1), end=date(2020, 3, 31), sites=("camp_taji",)),
        title="Taji",
        color_by="actor",
        basemap="OpenStreetMap",
        show_clusters=False,
        show_heatmap=True,
        show_uncertainty=False,
        site_layer="shown",
        extent=(43.5, 32.8, 45.0, 34.0),
    )
    assert page == PageOptions(width=1600)


def test_no_flag_keeps_the_base() -> None:
    base = View(title="From a recipe", show_heatmap=True)
    assert cli.export_view_from_arguments(parse(), base, PageOptions()) == (base, PageOptions())


def test_an_unknown_layer_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse("--layers", "clusters,fog")
    assert "expected any of clusters, heatmap, uncertainty, got fog" in capsys.readouterr().err


def test_a_page_too_large_is_one_sentence() -> None:
    ns = parse("--width", "20000", "--height", "20000", "--scale", "8")
    with pytest.raises(IncidentDataError, match="cannot export with these options"):
        cli.export_view_from_arguments(ns, View(), PageOptions())


def test_roles_on_the_command_line_are_kept_in_the_recipe(tmp_path) -> None:
    import pandas as pd

    from geo.recipe import read_recipe, recipe_path_for

    march = ["--start", "2020-03-01", "--end", "2020-03-31"]
    counts = {}
    for flag in ("--actor", "--actor1", "--actor2"):
        out = tmp_path / f"kh{flag.strip('-')}.csv"
        assert cli.main(["export", "--out", str(out), *march, flag, "Kataib Hezbollah"]) == 0
        counts[flag] = len(pd.read_csv(out))
    # Kataib Hezbollah in March 2020: one attack (as an associate of the acting side),
    # four strikes upon it; "any role" finds all five.
    assert counts == {"--actor": 5, "--actor1": 1, "--actor2": 4}
    recipe = read_recipe(recipe_path_for(tmp_path / "khactor1.csv"))
    assert recipe.flt.actors1 == ("Kataib Hezbollah",) and not recipe.flt.actors
    assert cli.main(["export", "--recipe", str(recipe_path_for(tmp_path / "khactor1.csv")),
                     "--out", str(tmp_path / "again.csv")]) == 0  # fmt: skip
    assert len(pd.read_csv(tmp_path / "again.csv")) == 1

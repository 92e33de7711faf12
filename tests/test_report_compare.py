"""The two-panel report: one view in two periods, one extent, one legend."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import make_incidents
from matplotlib.collections import PathCollection
from PIL import Image

from geo import cli
from geo.filters import IncidentFilter, IncidentIndex
from geo.palette import color_keys, legend_items
from geo.recipe import OutputOptions, read_recipe, recipe_path_for
from geo.report import PageOptions
from geo.report.compare import draw_comparison
from geo.view import View, select_view

SMALL = PageOptions(width=1400, height=900, scale=1.0)
BEFORE = (date(2019, 10, 3), date(2020, 1, 2))
AFTER = (date(2020, 1, 3), date(2020, 4, 2))
ROWS = [
    {"event_id": "a", "event_date": "2019-12-27", "lon": 44.28, "lat": 35.51},
    {"event_id": "b", "event_date": "2019-12-29", "lon": 41.0, "lat": 34.4, "fatalities": 25,
     "event_type": "Battles", "sub_event_type": "Armed clash"},
    {"event_id": "c", "event_date": "2020-01-03", "lon": 44.23, "lat": 33.26, "fatalities": 10},
    {"event_id": "d", "event_date": "2020-01-08", "lon": 42.44, "lat": 33.8},
    {"event_id": "e", "event_date": "2020-03-11", "lon": 44.25, "lat": 33.53, "fatalities": 3},
    {"event_id": "f", "event_date": "2020-03-14", "lon": 44.25, "lat": 33.53},
    {"event_id": "g", "event_date": "2020-03-20", "lon": 44.0, "lat": 33.0,
     "event_type": "Protests", "sub_event_type": "Peaceful protest"},
    {"event_id": "h", "event_date": "2020-06-01", "lon": 45.0, "lat": 36.0},
]  # fmt: skip


def incident_markers(ax) -> int:
    """How many incident discs a map panel holds (towns are square dots of their own)."""
    return sum(
        len(c.get_offsets())
        for c in ax.collections
        if isinstance(c, PathCollection) and c.get_zorder() in (6.5, 7)
    )


@pytest.fixture
def periods():
    gdf = make_incidents(ROWS)
    index = IncidentIndex(gdf)
    view = View(flt=IncidentFilter(start=BEFORE[0], end=BEFORE[1]), title="Before and after")
    output = OutputOptions(compare=AFTER)
    first = select_view(view, index, data_label="t.csv")
    second = select_view(output.compared_view(view), index, data_label="t.csv")
    return gdf, index, first, second


def test_panels_share_extent_and_legend_and_count_what_the_filter_selects(periods) -> None:
    gdf, index, first, second = periods
    page = draw_comparison(first, second, SMALL)
    left, right = page.panels
    assert left.get_xlim() == right.get_xlim() and left.get_ylim() == right.get_ylim()
    assert page.legend == legend_items(gdf[gdf["event_date"] < "2020-04-03"], "event_type")
    texts = [t.get_text() for t in page.figure.texts]
    for ax, (start, end) in ((left, BEFORE), (right, AFTER)):
        expected = index.select(IncidentFilter(start=start, end=end))
        assert incident_markers(ax) == len(expected)
        assert any(t.endswith(f"· {len(expected)} incidents") for t in texts)
    # Each legend entry counts both periods, as the filters do.
    before_keys, _ = color_keys(index.select(first.view.flt), "event_type")
    after_keys, _ = color_keys(index.select(second.view.flt), "event_type")
    for label, _ in page.legend:
        counts = f"({(before_keys == label).sum()} · {(after_keys == label).sum()})"
        assert any(t.endswith(counts) and label in t for t in texts), (label, counts)


def test_caption_names_both_periods(periods) -> None:
    _, _, first, second = periods
    page = draw_comparison(first, second, SMALL)
    texts = " ".join(t.get_text() for t in page.figure.texts)
    assert "3 October 2019 – 2 January 2020 compared with 3 January 2020 – 2 April 2020" in texts
    assert f"{len(first.incidents)} and {len(second.incidents)} of 8 incidents shown" in texts


def test_cli_writes_a_two_panel_png_and_its_recipe(tmp_path: Path) -> None:
    data = tmp_path / "incidents.geojson"
    make_incidents(ROWS).to_file(data, driver="GeoJSON")
    out = tmp_path / "strike.png"
    args = ["export", "--data", str(data), "--out", str(out), "--start", "2019-10-03",
            "--end", "2020-01-02", "--compare-start", "2020-01-03", "--compare-end",
            "2020-04-02", "--width", "1400", "--height", "900", "--scale", "1"]  # fmt: skip
    assert cli.main(args) == 0
    assert Image.open(out).size == (1400, 900)
    recipe = read_recipe(recipe_path_for(out))
    assert recipe.output.compare == AFTER
    assert (recipe.flt.start, recipe.flt.end) == BEFORE
    # The recipe draws the same two panels again.
    again = tmp_path / "again.png"
    assert cli.main(["export", "--recipe", str(recipe_path_for(out)), "--out", str(again)]) == 0
    assert read_recipe(recipe_path_for(again)).output == recipe.output
    assert Image.open(again).size == (1400, 900)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--compare-start", "2020-01-03"], "give both --compare-start and --compare-end"),
        (["--compare-start", "2020-03-01", "--compare-end", "2020-01-01"], "is before"),
        (["--compare-start", "2020-01-03", "--compare-end", "2020-04-02"], "not .csv"),
    ],
)
def test_cli_refuses_a_comparison_it_cannot_draw(tmp_path: Path, capsys, extra, message) -> None:
    data = tmp_path / "incidents.geojson"
    make_incidents(ROWS).to_file(data, driver="GeoJSON")
    out = tmp_path / "strike.csv"
    assert cli.main(["export", "--data", str(data), "--out", str(out), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()

"""View recipes: JSON written beside every export and read back."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from geo.filters import IncidentFilter
from geo.recipe import (
    Recipe,
    read_recipe,
    recipe_from_dict,
    recipe_path_for,
    with_overrides,
    write_recipe,
)
from geo.report import PageOptions
from geo.schema import IncidentDataError, UnreadableFileError
from geo.view import View

FLT = IncidentFilter(
    start=date(2020, 3, 1),
    end=date(2020, 3, 31),
    actors=("Kataib Hezbollah", "Islamic State"),
    event_types=("Battles",),
    sites=("camp_taji",),
    min_fatalities=1,
    text="rocket",
)
VIEW = View(
    flt=FLT,
    title="Taji, March 2020",
    color_by="actor",
    extent=(43.5, 33.0, 45.0, 34.0),
    actor_ranking=("Kataib Hezbollah", "Islamic State"),
)
PAGE = PageOptions(width=3000, height=2000, scale=2.5)


def make_recipe() -> Recipe:
    return Recipe(
        view=VIEW,
        page=PAGE,
        format="png",
        data_path="/data/x.geojson",
        data_sha256="ab" * 32,
        created="2024-01-02T03:04:05Z",
    )


def test_round_trip_through_a_file(tmp_path: Path) -> None:
    recipe = make_recipe()
    path = write_recipe(recipe, recipe_path_for(tmp_path / "map.png"))
    assert path.name == "map.png.recipe.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["filters"] == {
        "start": "2020-03-01",
        "end": "2020-03-31",
        "actor": ["Kataib Hezbollah", "Islamic State"],
        "type": ["Battles"],
        "site": ["camp_taji"],
        "q": "rocket",
        "min_fatalities": "1",
    }
    assert data["extent"] == [43.5, 33.0, 45.0, 34.0]
    assert data["data"] == {"path": "/data/x.geojson", "sha256": "ab" * 32}
    assert data["title"] == "Taji, March 2020"
    assert data["options"]["width"] == 3000 and data["options"]["scale"] == 2.5
    assert read_recipe(path) == recipe


def test_filter_values_unknown_to_any_data_are_kept() -> None:
    data = make_recipe().to_dict()
    data["filters"]["actor"] = ["Nobody at all"]
    assert recipe_from_dict(data).flt.actors == ("Nobody at all",)


def test_no_extent_means_the_incidents_extent() -> None:
    data = make_recipe().to_dict()
    data["extent"] = None
    assert recipe_from_dict(data).options.bounds is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"options": None}, "'options'"),
        ({"title": 5}, "'title'"),
        ({"extent": [1, 2, 3]}, "extent"),
        ({"filters": {"start": "March"}}, "start"),
        ({"options": {"width": 10, "height": 1000, "scale": 1}}, "width and height"),
    ],
)
def test_invalid_fields_are_named(change: dict, message: str) -> None:
    data = {**make_recipe().to_dict(), **change}
    with pytest.raises(IncidentDataError, match=message):
        recipe_from_dict(data, "r.json")


def test_unreadable_recipe_files(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="does not exist"):
        read_recipe(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="not a readable JSON"):
        read_recipe(broken)


def test_overrides_ignore_none() -> None:
    recipe = make_recipe()
    changed = with_overrides(recipe, format="pdf", data_path=None)
    assert changed.format == "pdf" and changed.data_path == recipe.data_path

"""Map colours: fixed per event type, ranked and stable per actor."""

from __future__ import annotations

import re

import pytest
from conftest import make_incidents

from geo import palette
from geo.schema import EVENT_TYPES

HEX = re.compile(r"^#[0-9A-F]{6}$")


def test_every_event_type_has_its_own_colour() -> None:
    assert set(palette.EVENT_TYPE_COLORS) == set(EVENT_TYPES)
    colors = list(palette.EVENT_TYPE_COLORS.values())
    assert len(set(colors)) == len(colors)
    assert all(HEX.match(c) for c in colors)
    assert palette.UNKNOWN_COLOR not in colors
    assert palette.event_type_color("Battles") == palette.EVENT_TYPE_COLORS["Battles"]
    assert palette.event_type_color("Not a type") == palette.UNKNOWN_COLOR


def test_actor_palette_colours_are_distinct_from_other() -> None:
    assert len(set(palette.ACTOR_PALETTE)) == len(palette.ACTOR_PALETTE)
    assert palette.OTHER_COLOR not in palette.ACTOR_PALETTE
    assert all(HEX.match(c) for c in (*palette.ACTOR_PALETTE, palette.OTHER_COLOR))


def test_legend_lists_exactly_the_types_present_in_vocabulary_order() -> None:
    gdf = make_incidents(
        [
            {"event_type": "Strategic developments", "sub_event_type": "Arrests"},
            {"event_type": "Battles", "sub_event_type": "Armed clash"},
            {"event_type": "Battles", "sub_event_type": "Armed clash"},
        ]
    )
    items = palette.legend_items(gdf, "event_type")
    assert items == [
        ("Battles", palette.EVENT_TYPE_COLORS["Battles"]),
        ("Strategic developments", palette.EVENT_TYPE_COLORS["Strategic developments"]),
    ]


def test_rank_actors_by_count_then_name() -> None:
    assert palette.rank_actors(["B", "A", "C", "C", "", "B"]) == ["B", "C", "A"]


def test_actor_colours_top_actors_then_other() -> None:
    n = len(palette.ACTOR_PALETTE)
    # Actor i appears n + 2 - i times: a strict ranking, plus two rare actors beyond the palette.
    rows = [{"actor1": f"Actor {i:02d}"} for i in range(n + 2) for _ in range(n + 2 - i)]
    gdf = make_incidents(rows)
    keys, colors = palette.color_keys(gdf, "actor")
    expected = {f"Actor {i:02d}": c for i, c in enumerate(palette.ACTOR_PALETTE)}
    assert list(colors.items())[:n] == list(expected.items())
    assert colors[palette.OTHER_ACTORS] == palette.OTHER_COLOR
    assert list(colors)[-1] == palette.OTHER_ACTORS
    assert keys.tolist().count(palette.OTHER_ACTORS) == 2 + 1  # actor n twice, actor n + 1 once


def test_ranking_from_the_whole_dataset_keeps_colours_while_filtering() -> None:
    full = make_incidents([{"actor1": "Big"}] * 3 + [{"actor1": "Small"}])
    ranking = tuple(palette.rank_actors(full["actor1"]))
    only_small = full[full["actor1"] == "Small"]
    _, colors = palette.color_keys(only_small, "actor", ranking=ranking)
    assert colors == {"Small": palette.ACTOR_PALETTE[1]}
    _, unranked = palette.color_keys(only_small, "actor")
    assert unranked == {"Small": palette.ACTOR_PALETTE[0]}


def test_missing_actor_gets_a_label() -> None:
    gdf = make_incidents([{"actor1": ""}])
    assert palette.legend_items(gdf, "actor")[0][0] == palette.NO_ACTOR


def test_unknown_colouring_is_refused() -> None:
    gdf = make_incidents([{}])
    with pytest.raises(ValueError, match="color_by must be one of event_type, actor"):
        palette.color_keys(gdf, "fatalities")


def test_categories_outside_acled_get_colours_of_their_own() -> None:
    from geo.timeline import count_by_week

    kinds = ["Rocket attack", "Drone strike", "Battles", "Convoy ambush", "Rocket attack"]
    gdf = make_incidents(
        [
            {"event_id": str(i), "event_date": "2020-01-01", "event_type": kind}
            for i, kind in enumerate(kinds)
        ]
    )
    items = dict(palette.legend_items(gdf, "event_type"))
    assert list(items) == ["Battles", "Convoy ambush", "Drone strike", "Rocket attack"]
    assert items["Battles"] == palette.EVENT_TYPE_COLORS["Battles"]
    assert len(set(items.values())) == len(items), "every category is told apart"
    assert palette.UNKNOWN_COLOR not in items.values()
    _, chart_colors = count_by_week(gdf, "event_type")
    assert chart_colors == items, "the chart's colours are the legend's"
    many = [f"kind {i:02d}" for i in range(len(palette.ACTOR_PALETTE) + 2)]
    colors = palette.other_type_colors(many)
    assert list(colors.values())[-1] == palette.UNKNOWN_COLOR
    assert len(set(list(colors.values())[: len(palette.ACTOR_PALETTE)])) == len(
        palette.ACTOR_PALETTE
    )

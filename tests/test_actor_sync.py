"""Affiliations and actors chosen together: an affiliation stands for all its members."""

from __future__ import annotations

from geo.actors import covered_groups, sync_affiliations

GROUPS = {
    "Popular Mobilization Forces": ["Kataib Hezbollah", "Asaib Ahl al-Haq"],
    "Coalition": ["US Forces", "UK Forces"],
}


def test_an_affiliation_is_covered_only_by_all_its_members() -> None:
    assert covered_groups(GROUPS, ["Kataib Hezbollah"]) == []
    chosen = ["Asaib Ahl al-Haq", "Kataib Hezbollah", "US Forces"]
    assert covered_groups(GROUPS, chosen) == ["Popular Mobilization Forces"]


def test_choosing_an_affiliation_adds_its_members_after_the_chosen_actors() -> None:
    actors, affiliations = sync_affiliations(
        GROUPS, [], ["Coalition"], ["Islamic State", "UK Forces"]
    )
    assert actors == ["Islamic State", "UK Forces", "US Forces"]
    assert affiliations == ["Coalition"]


def test_dropping_an_affiliation_drops_its_members_only() -> None:
    chosen = ["Islamic State", "US Forces", "UK Forces", "Kataib Hezbollah", "Asaib Ahl al-Haq"]
    actors, affiliations = sync_affiliations(
        GROUPS, ["Coalition", "Popular Mobilization Forces"], ["Popular Mobilization Forces"],
        chosen,
    )  # fmt: skip
    assert actors == ["Islamic State", "Kataib Hezbollah", "Asaib Ahl al-Haq"]
    assert affiliations == ["Popular Mobilization Forces"]


def test_two_affiliations_chosen_at_once_add_members_in_table_order() -> None:
    actors, affiliations = sync_affiliations(GROUPS, [], ["Coalition", *GROUPS], [])
    assert actors == [*GROUPS["Popular Mobilization Forces"], *GROUPS["Coalition"]]
    assert affiliations == list(GROUPS)

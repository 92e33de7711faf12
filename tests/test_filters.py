from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from conftest import make_incidents

from geo.filters import IncidentFilter, IncidentIndex, filter_incidents
from geo.incidents import sort_incidents


@pytest.fixture
def gdf():
    return make_incidents(
        [
            {
                "event_id": "1",
                "event_date": "2020-01-01",
                "end_date": "2020-01-03",
                "actor1": "KH",
                "notes": "Embassy siege",
                "site_id": "embassy",
                "fatalities": 0,
            },
            {
                "event_id": "2",
                "event_date": "2020-01-08",
                "actor1": "Iran",
                "actor2": "US",
                "event_type": "Explosions/Remote violence",
                "site_id": "asad",
                "fatalities": 0,
            },
            {
                "event_id": "3",
                "event_date": "2020-03-11",
                "actor1": "Unknown",
                "actor2": "US",
                "assoc_actor_2": "UK; Iraq",
                "site_id": "taji",
                "fatalities": 3,
                "source": "Reuters",
            },
            {
                "event_id": "4",
                "event_date": "2020-03-26",
                "event_type": "Strategic developments",
                "sub_event_type": "Non-violent transfer of territory",
                "actor1": "US",
                "assoc_actor_1": "France",
                "location": "Q-West",
                "fatalities": 0,
            },
        ]
    )


def ids(frame) -> list[str]:
    return list(frame["event_id"])


def test_no_filter_keeps_everything(gdf):
    assert ids(filter_incidents(gdf, IncidentFilter())) == ["1", "2", "3", "4"]


def test_time_window_uses_overlap_of_multi_day_events(gdf):
    assert ids(
        filter_incidents(gdf, IncidentFilter(start=date(2020, 1, 2), end=date(2020, 1, 2)))
    ) == ["1"]
    assert ids(filter_incidents(gdf, IncidentFilter(start=date(2020, 1, 4)))) == ["2", "3", "4"]
    assert ids(filter_incidents(gdf, IncidentFilter(end=date(2020, 1, 8)))) == ["1", "2"]


def test_actor_matches_every_actor_field_and_values_are_or(gdf):
    assert ids(filter_incidents(gdf, IncidentFilter(actors=("US",)))) == ["2", "3", "4"]
    assert ids(filter_incidents(gdf, IncidentFilter(actors=("Iraq",)))) == [
        "3"
    ]  # assoc_actor_2 list
    assert ids(filter_incidents(gdf, IncidentFilter(actors=("France", "KH")))) == ["1", "4"]
    assert ids(filter_incidents(gdf, IncidentFilter(actors=("Nobody",)))) == []


def test_different_parameters_are_and(gdf):
    flt = IncidentFilter(actors=("US",), event_types=("Strategic developments",))
    assert ids(filter_incidents(gdf, flt)) == ["4"]


def test_site_falls_back_to_location_when_no_site_id(gdf):
    assert ids(filter_incidents(gdf, IncidentFilter(sites=("taji", "Q-West")))) == ["3", "4"]


def test_min_fatalities_and_text(gdf):
    assert ids(filter_incidents(gdf, IncidentFilter(min_fatalities=1))) == ["3"]
    assert ids(filter_incidents(gdf, IncidentFilter(text="EMBASSY"))) == ["1"]
    assert ids(filter_incidents(gdf, IncidentFilter(text="reuters"))) == ["3"]
    assert ids(filter_incidents(gdf, IncidentFilter(text="q-west"))) == ["4"]


def test_empty_result_keeps_columns(gdf):
    out = filter_incidents(gdf, IncidentFilter(text="nothing like this"))
    assert len(out) == 0 and list(out.columns) == list(gdf.columns)


def test_index_describes_the_data_and_does_not_mutate(gdf):
    before = gdf.copy()
    index = IncidentIndex(gdf)
    assert set(index.actor_names) == {"KH", "Iran", "US", "Unknown", "UK", "Iraq", "France"}
    assert index.date_span == (date(2020, 1, 1), date(2020, 3, 26))
    assert index.site_keys == ("Q-West", "asad", "embassy", "taji")
    index.mask(IncidentFilter(actors=("US",), text="x"))
    assert gdf.equals(before)


def test_mask_agrees_with_a_plain_pandas_reading_on_random_data():
    rng = np.random.default_rng(7)
    names = ["A", "B", "C", "D"]
    rows = [
        {
            "event_id": str(i),
            "event_date": str(np.datetime64("2020-01-01") + int(rng.integers(0, 300))),
            "actor1": names[rng.integers(0, 4)],
            "assoc_actor_1": ";".join(rng.choice(names, 2)),
            "fatalities": int(rng.integers(0, 5)),
        }
        for i in range(500)
    ]
    gdf = make_incidents(rows)
    flt = IncidentFilter(
        start=date(2020, 3, 1), end=date(2020, 6, 30), actors=("C",), min_fatalities=2
    )
    expected = [
        r["event_id"]
        for r in rows
        if "2020-03-01" <= r["event_date"] <= "2020-06-30"
        and ("C" == r["actor1"] or "C" in r["assoc_actor_1"].split(";"))
        and r["fatalities"] >= 2
    ]
    assert ids(filter_incidents(gdf, flt)) == expected


def test_roles_match_one_side_and_its_associates(gdf):
    assert ids(filter_incidents(gdf, IncidentFilter(actors1=("US",)))) == ["4"]
    assert ids(filter_incidents(gdf, IncidentFilter(actors2=("US",)))) == ["2", "3"]
    assert ids(filter_incidents(gdf, IncidentFilter(actors1=("France",)))) == ["4"]
    assert ids(filter_incidents(gdf, IncidentFilter(actors2=("UK",)))) == ["3"]
    assert ids(filter_incidents(gdf, IncidentFilter(actors2=("France",)))) == []
    both = IncidentFilter(actors1=("Iran", "Unknown"), actors2=("US",))
    assert ids(filter_incidents(gdf, both)) == ["2", "3"]
    assert ids(filter_incidents(gdf, both.with_changes(actors=("Iraq",)))) == ["3"]


def test_roles_agree_with_a_plain_reading_on_random_data():
    rng = np.random.default_rng(11)
    names = ["A", "B", "C", "D"]
    rows = [
        {
            "event_id": str(i),
            "event_date": "2020-01-01",
            "actor1": names[rng.integers(0, 4)],
            "assoc_actor_1": "; ".join(rng.choice(names, int(rng.integers(0, 3)))),
            "actor2": names[rng.integers(0, 4)] if rng.random() < 0.6 else "",
            "assoc_actor_2": ";".join(rng.choice(names, int(rng.integers(0, 3)))),
        }
        for i in range(400)
    ]
    gdf = make_incidents(rows)

    def side(row: dict, n: int) -> set[str]:
        listed = [a.strip() for a in row[f"assoc_actor_{n}"].split(";") if a.strip()]
        return {row[f"actor{n}"], *listed} - {""}

    for _ in range(30):
        one = tuple(rng.choice(names, int(rng.integers(0, 3)), replace=False))
        two = tuple(rng.choice(names, int(rng.integers(0, 3)), replace=False))
        expected = [
            r["event_id"]
            for r in rows
            if (not one or side(r, 1) & set(one)) and (not two or side(r, 2) & set(two))
        ]
        assert ids(filter_incidents(gdf, IncidentFilter(actors1=one, actors2=two))) == expected


def test_select_gives_the_same_rows_whether_or_not_the_window_is_one_block():
    rng = np.random.default_rng(3)
    rows = [
        {
            "event_id": f"{i:03d}",
            "event_date": str(np.datetime64("2020-01-01") + int(rng.integers(0, 60))),
            "actor1": ["A", "B"][i % 2],
        }
        for i in range(120)
    ]
    shuffled = make_incidents(rows)
    ordered = sort_incidents(shuffled)
    for flt in (
        IncidentFilter(start=date(2020, 1, 10), end=date(2020, 1, 20)),  # one block when sorted
        IncidentFilter(start=date(2020, 1, 10), end=date(2020, 1, 20), actors=("A",)),
    ):
        expected = sorted(
            r["event_id"]
            for r in rows
            if "2020-01-10" <= r["event_date"] <= "2020-01-20"
            and (not flt.actors or r["actor1"] in flt.actors)
        )
        for gdf in (shuffled, ordered):
            assert sorted(IncidentIndex(gdf).select(flt)["event_id"]) == expected


def test_text_search_ignores_case_in_each_field_and_not_across_fields():
    gdf = make_incidents(
        [
            {"event_id": "1", "event_date": "2020-01-01", "location": "Camp Taji"},
            {"event_id": "2", "event_date": "2020-01-01", "notes": "Rockets hit ÜBER base"},
            {"event_id": "3", "event_date": "2020-01-01", "notes": "camp", "location": "taji"},
        ]
    )
    index = IncidentIndex(gdf)
    assert ids(index.select(IncidentFilter(text="TAJI"))) == ["1", "3"]
    assert ids(index.select(IncidentFilter(text="über"))) == ["2"]
    assert ids(index.select(IncidentFilter(text="camp taji"))) == ["1"]  # not notes + location

from __future__ import annotations

from datetime import date

from geo.filters import IncidentFilter
from geo.urlstate import filter_from_query, filter_to_query

CHOICES = {"actors": ["KH", "US"], "event_types": ["Battles", "Protests"], "sites": ["camp_taji"]}


def test_round_trip():
    flt = IncidentFilter(
        start=date(2020, 3, 1),
        end=date(2020, 3, 31),
        actors=("KH", "US"),
        event_types=("Battles",),
        sites=("camp_taji",),
        min_fatalities=2,
        text="rocket",
    )
    back, problems = filter_from_query(filter_to_query(flt), **CHOICES)
    assert back == flt and problems == []


def test_default_filter_gives_empty_query():
    assert filter_to_query(IncidentFilter()) == {}


def test_bad_values_are_dropped_and_reported():
    flt, problems = filter_from_query(
        {
            "start": "2020-13-01",
            "actor": ["KH", "<script>"],
            "type": "Riots",
            "min_fatalities": "x",
        },
        **CHOICES,
    )
    assert flt == IncidentFilter(actors=("KH",))
    assert len(problems) == 4
    assert any("start" in p for p in problems)


def test_swapped_window_is_put_right():
    flt, problems = filter_from_query({"start": "2020-05-01", "end": "2020-01-01"}, **CHOICES)
    assert (flt.start, flt.end) == (date(2020, 1, 1), date(2020, 5, 1))
    assert problems


def test_whole_view_round_trip():
    from geo.urlstate import view_from_query, view_to_query
    from geo.view import View

    view = View(
        flt=IncidentFilter(actors=("KH",), start=date(2020, 3, 1)),
        color_by="actor",
        basemap="OpenStreetMap",
        title="Taji",
        show_heatmap=True,
        show_clusters=False,
        site_layer="all",
        extent=(43.5, 32.8, 45.0, 34.0),
        actor_ranking=("KH", "US"),
    )
    query = view_to_query(view)
    assert query["color"] == "actor" and query["basemap"] == "OpenStreetMap"
    assert query["layers"] == "heatmap,uncertainty"
    assert query["extent"] == "43.5,32.8,45,34"
    back, problems = view_from_query(query, **CHOICES)
    assert back == view and problems == []
    assert view_to_query(View()) == {}
    # The data's own ranking is the default a dashboard link leaves out.
    assert "rank" not in view_to_query(view, defaults=View(actor_ranking=("KH", "US")))


def test_bad_presentation_values_are_reported():
    from geo.urlstate import view_from_query
    from geo.view import View

    view, problems = view_from_query(
        {"color": "country", "basemap": "Google", "extent": "1,2"}, **CHOICES
    )
    assert (view.color_by, view.basemap, view.extent) == ("event_type", "offline", None)
    assert len(problems) == 3 and any("color='country'" in p for p in problems)
    assert view == View()


def test_roles_round_trip_and_unknown_names_are_reported():
    flt = IncidentFilter(actors=("KH",), actors1=("KH", "US"), actors2=("US",))
    query = filter_to_query(flt)
    assert query["actor1"] == ["KH", "US"] and query["actor2"] == ["US"]
    assert filter_from_query(query, **CHOICES) == (flt, [])
    got, problems = filter_from_query({"actor1": ["KH", "Nobody"]}, **CHOICES)
    assert got == IncidentFilter(actors1=("KH",))
    assert problems == ["ignored actor1='Nobody': not in this data"]


def test_the_playback_step_travels_in_the_link():
    from geo.urlstate import view_from_query, view_to_query
    from geo.view import View

    query = view_to_query(View(step="month"))
    assert query == {"step": "month"}
    assert view_from_query(query, **CHOICES) == (View(step="month"), [])
    assert "step" not in view_to_query(View())
    view, problems = view_from_query({"step": "fortnight", "color": "country"}, **CHOICES)
    assert view == View()
    assert problems == [
        "ignored color='country': expected one of event_type, actor",
        "ignored step='fortnight': expected one of week, month",
    ]


def test_review_states_travel_in_the_link_and_a_store_default_stays_out_of_it():
    from geo.filters import DEFAULT_REVIEW_STATES, REVIEW_STATES
    from geo.urlstate import view_from_query, view_to_query
    from geo.view import View

    store_default = View(flt=IncidentFilter(statuses=DEFAULT_REVIEW_STATES))
    reviewed = View(flt=IncidentFilter(statuses=("reviewed",)))
    query = view_to_query(reviewed, defaults=store_default)
    assert query == {"status": ["reviewed"]}
    back = view_from_query(query, **CHOICES, statuses=REVIEW_STATES, defaults=store_default)
    assert back == (reviewed, [])
    assert view_to_query(store_default, defaults=store_default) == {}
    # A bare link opens the store's default; an unknown state is reported.
    bare, problems = view_from_query(
        {"status": "lost"}, **CHOICES, statuses=REVIEW_STATES, defaults=store_default
    )
    assert bare == store_default
    assert problems == ["ignored status='lost': not in this data"]


def test_a_status_in_a_link_to_a_file_is_reported_as_not_applicable():
    got, problems = filter_from_query({"status": "reviewed", "type": "Battles"}, **CHOICES)
    assert got == IncidentFilter(event_types=("Battles",))
    assert problems == [
        "ignored status='reviewed': not applicable, only an incident store has review states"
    ]
def test_the_maps_camera_travels_in_the_link():
    from geo.urlstate import view_from_query, view_to_query
    from geo.view import View

    view = View(center=(33.312345, 44.4), zoom=9)
    query = view_to_query(view)
    assert (query["center"], query["zoom"]) == ("33.31235,44.4", "9")
    back, problems = view_from_query(query, **CHOICES)
    assert (back.center, back.zoom, problems) == ((33.31235, 44.4), 9, [])
    assert "center" not in view_to_query(View()) and "zoom" not in view_to_query(View())


def test_a_camera_that_cannot_be_used_is_reported():
    from geo.urlstate import view_from_query

    for params, words in (
        ({"center": "33,44"}, "needs both center and zoom"),
        ({"zoom": "7"}, "needs both center and zoom"),
        ({"center": "95,44", "zoom": "7"}, "latitude within ±85"),
        ({"center": "33", "zoom": "7"}, "two numbers"),
        ({"center": "33,44", "zoom": "7.5"}, "whole number"),
        ({"center": "33,44", "zoom": "99"}, "from 0 to"),
    ):
        view, problems = view_from_query(params, **CHOICES)
        assert (view.center, view.zoom) == (None, None)
        assert len(problems) == 1 and words in problems[0], (params, problems)

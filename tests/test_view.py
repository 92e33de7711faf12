from __future__ import annotations

from datetime import date

import pytest
from conftest import make_incidents

from geo.filters import IncidentFilter, IncidentIndex
from geo.view import (
    DEFAULT_EXTENT,
    View,
    ViewError,
    data_extent,
    from_leaflet,
    select_view,
    to_leaflet,
)


def test_view_checks_its_presentation() -> None:
    with pytest.raises(ViewError, match="color_by"):  # any column of the data, not none
        View(color_by=" ")
    with pytest.raises(ViewError, match="basemap"):
        View(basemap="Google")
    with pytest.raises(ViewError, match="west < east"):
        View(extent=(45.0, 30.0, 44.0, 31.0))
    assert View().with_changes(title="T").title == "T"


def test_one_extent_convention() -> None:
    extent = (43.5, 32.8, 45.0, 34.0)
    assert to_leaflet(extent) == [[32.8, 43.5], [34.0, 45.0]]
    assert from_leaflet(to_leaflet(extent)) == extent
    assert data_extent(make_incidents([])) == DEFAULT_EXTENT


def test_selection_applies_the_filter_and_names_it() -> None:
    gdf = make_incidents(
        [
            {"event_id": "a", "event_date": "2020-03-11", "lon": 44.0, "lat": 33.0},
            {"event_id": "b", "event_date": "2021-01-01", "lon": 45.0, "lat": 34.0},
        ]
    )
    view = View(flt=IncidentFilter(start=date(2020, 1, 1), end=date(2020, 12, 31)))
    selection = select_view(view, IncidentIndex(gdf), data_label="x.csv")
    assert list(selection.incidents["event_id"]) == ["a"]
    assert selection.total == 2
    assert selection.caption.endswith("1 of 2 incidents shown")
    assert selection.sites is None


def test_the_dashboards_widgets_make_one_view() -> None:
    from geo.view import view_from_controls

    span = (date(2020, 1, 1), date(2020, 12, 31))
    controls = {
        "window": (date(2020, 1, 1), date(2020, 6, 30)),
        "actors": ["Islamic State"],
        "types": ["Battles"],
        "sites": [],
        "min_fatalities": 2,
        "q": "  rocket ",
        "color": "actor",
        "basemap": "offline",
        "clusters": False,
        "heatmap": True,
        "report_title": "",
        "extent": None,
    }
    view = view_from_controls(controls, span, ["Islamic State", "US Forces"])
    assert view.flt == IncidentFilter(
        end=date(2020, 6, 30),
        actors=("Islamic State",),
        event_types=("Battles",),
        min_fatalities=2,
        text="rocket",
    )
    assert (view.color_by, view.title, view.show_clusters, view.show_heatmap) == (
        "actor",
        "Incidents",
        False,
        True,
    )
    assert view.actor_ranking == ("Islamic State", "US Forces")
    assert view_from_controls({}, span) == View()
    with pytest.raises(ViewError, match="color_by"):
        view_from_controls({"color": ""}, span)


def test_widgets_show_a_view_and_make_it_again() -> None:
    from geo.view import controls_of_view, view_from_controls

    span = (date(2020, 1, 1), date(2020, 12, 31))
    view = View(
        flt=IncidentFilter(start=date(2020, 3, 1), sites=("camp_taji",), min_fatalities=1),
        color_by="actor",
        title="Taji",
        actor_ranking=("Islamic State",),
        basemap="OpenStreetMap",
        show_clusters=False,
        show_uncertainty=False,
        site_layer="none",
        extent=(43.5, 32.8, 45.0, 34.0),
    )
    controls = controls_of_view(view, span)
    assert controls["window"] == (date(2020, 3, 1), date(2020, 12, 31))
    assert view_from_controls(controls, span, view.actor_ranking) == view
    # A window outside the data is kept inside its span.
    early = View(flt=IncidentFilter(start=date(2019, 1, 1), end=date(2019, 2, 1)))
    assert controls_of_view(early, span)["window"] == (span[0], span[0])


def test_the_role_choice_puts_actors_on_one_side() -> None:
    from geo.view import controls_of_view, roles_beyond_controls, view_from_controls

    span = (date(2020, 1, 1), date(2020, 12, 31))
    for role, field in (("any", "actors"), ("actor1", "actors1"), ("actor2", "actors2")):
        view = view_from_controls({"actors": ["KH"], "actor_role": role}, span)
        assert getattr(view.flt, field) == ("KH",)
        assert sum(bool(getattr(view.flt, f)) for f in ("actors", "actors1", "actors2")) == 1
        controls = controls_of_view(view, span)
        assert controls["actor_role"] == role and controls["actors"] == ["KH"]
        assert roles_beyond_controls(view.flt) == []
    mixed = IncidentFilter(actors1=("KH",), actors2=("US",))
    assert controls_of_view(View(flt=mixed), span)["actor_role"] == "actor1"
    assert roles_beyond_controls(mixed) == [
        "ignored actor2='US': the page filters actors on one side at a time "
        "and keeps the actor1 choice"
    ]


def test_the_maps_camera_is_part_of_the_view_but_not_of_its_data() -> None:
    from geo.view import controls_of_view, view_from_controls

    span = (date(2020, 1, 1), date(2020, 12, 31))
    view = View(center=(33.3, 44.4), zoom=9)
    assert view_from_controls(controls_of_view(view, span), span) == view
    assert view.data_key == View().data_key  # the page's figures do not depend on it
    assert View(color_by="actor").data_key != View().data_key
    with pytest.raises(ViewError, match="both a centre and a zoom"):
        View(center=(33.3, 44.4))
    with pytest.raises(ViewError, match="zoom level"):
        View(center=(33.3, 44.4), zoom=-1)

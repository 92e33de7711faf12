from __future__ import annotations

import json

import pytest

from geo.actors import UNAFFILIATED, read_actors
from geo.schema import IncidentDataError
from geo.sites import SiteIndex, haversine_km, read_sites


def test_site_index_matches_names_aliases_and_ids_loosely(tiny_dataset):
    index = SiteIndex(read_sites(tiny_dataset["sites"]))
    assert index.lookup("camp taji").site_id == "camp_taji"
    assert index.lookup("KIRKUK AIR-BASE").site_id == "k1_air_base"
    assert index.lookup("k1 air base").site_id == "k1_air_base"
    assert index.lookup("Atlantis") is None


def test_duplicate_site_id_is_refused(tiny_dataset):
    data = json.loads(tiny_dataset["sites"].read_text())
    data["features"][1]["properties"]["site_id"] = "camp_taji"
    tiny_dataset["sites"].write_text(json.dumps(data))
    with pytest.raises(IncidentDataError, match="duplicate site_id.*camp_taji"):
        read_sites(tiny_dataset["sites"])


def test_non_positive_uncertainty_is_refused(tiny_dataset):
    data = json.loads(tiny_dataset["sites"].read_text())
    data["features"][0]["properties"]["uncertainty_km"] = 0
    tiny_dataset["sites"].write_text(json.dumps(data))
    with pytest.raises(IncidentDataError, match="uncertainty_km must be > 0"):
        read_sites(tiny_dataset["sites"])


def test_haversine_baghdad_to_kirkuk_is_about_240_km():
    assert 230 < float(haversine_km(44.366, 33.315, 44.392, 35.468)) < 245


def test_actor_aliases_and_groups(tiny_dataset):
    actors = read_actors(tiny_dataset["actors"])
    assert actors.canonical("ktaib hezbullah") == "Kataib Hezbollah"
    assert actors.canonical("Nobody") is None
    groups = actors.groups(["Kataib Hezbollah", "Military Forces of the United States", "Stranger"])
    assert groups == {
        "Popular Mobilization Forces": ["Kataib Hezbollah"],
        "US-led coalition": ["Military Forces of the United States"],
        UNAFFILIATED: ["Stranger"],
    }


def test_alias_naming_two_actors_is_refused(tiny_dataset):
    text = tiny_dataset["actors"].read_text().replace("US forces", "KH")
    tiny_dataset["actors"].write_text(text)
    with pytest.raises(IncidentDataError, match="alias 'KH' names both"):
        read_actors(tiny_dataset["actors"])


def test_bundled_actor_table_and_sites_read_cleanly():
    assert len(read_actors().affiliation) > 5
    assert len(read_sites()) >= 7

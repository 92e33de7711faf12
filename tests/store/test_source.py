"""A page computed in the database equals the page computed from the file in memory."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.aggregate import MARKER_LIMIT
from geo.dataset import prepare_dataset
from geo.filters import IncidentFilter
from geo.importers import ImportResult
from geo.incidents import point_coordinates
from geo.source import FileSource
from geo.store.source import StoreSource
from tests.store.test_clusters import assert_same_payload
from tests.store.test_query import SEED, random_filter, random_incidents

SITE_PLACES = {"camp_taji": "Taji", "al_asad": "Al Asad"}


def sited(gdf):
    """Give each site one place name, as a gazetteer does."""
    out = gdf.copy()
    named = out["site_id"] != ""
    out.loc[named, "location"] = out.loc[named, "site_id"].map(SITE_PLACES)
    return out


def file_source(gdf) -> FileSource:
    result = ImportResult(gdf.copy(), pd.DataFrame(), len(gdf), "incident-map")
    return FileSource(prepare_dataset(result, "k", "test.geojson", "0" * 64))


def assert_same_page(got, want) -> None:
    assert (got.count, got.fatalities, got.injuries) == (want.count, want.fatalities, want.injuries)
    assert got.figures == want.figures
    assert got.caption == want.caption
    assert got.colors == want.colors
    pd.testing.assert_frame_equal(got.weekly, want.weekly, check_dtype=False)
    assert got.site_ids == want.site_ids
    assert got.aggregated == want.aggregated
    if want.aggregated:
        assert_same_payload(got.clusters, want.clusters)
    else:
        assert list(got.incidents["event_id"]) == list(want.incidents["event_id"])
    # Same newest day first; rows of one day may come in another order.
    assert len(got.recent) == len(want.recent)
    assert list(got.recent["event_date"]) == list(want.recent["event_date"])


@pytest.mark.parametrize("color_by", ["event_type", "actor"])
def test_store_pages_equal_file_pages_on_random_filters(store, color_by):
    rng = np.random.default_rng(SEED + 11)
    gdf = sited(random_incidents(MARKER_LIMIT + 700, rng))
    store.store_incidents(gdf, origin="test")
    on_file, on_store = file_source(gdf), StoreSource(store)
    assert on_store.total == on_file.total
    assert on_store.date_span == on_file.date_span
    assert on_store.actor_names == on_file.actor_names
    assert on_store.event_types == on_file.event_types
    assert on_store.site_keys == on_file.site_keys
    assert on_store.ranking == on_file.ranking
    assert on_store.bounds == on_file.bounds
    aggregated = set()
    for trial in range(14):
        flt = random_filter(rng)[0] if trial else IncidentFilter()
        want = on_file.page(flt, color_by=color_by, table_rows=50)
        got = on_store.page(flt, color_by=color_by, table_rows=50)
        assert_same_page(got, want)
        aggregated.add(want.aggregated)
        assert len(on_store.select(flt)) == want.count
    assert aggregated == {True, False}


def test_heat_points_above_the_marker_limit_carry_every_incident(store):
    gdf = random_incidents(MARKER_LIMIT + 300, np.random.default_rng(SEED + 12))
    store.store_incidents(gdf, origin="test")
    got = StoreSource(store).page(IncidentFilter(), color_by="event_type", heatmap=True)
    want = file_source(gdf).page(IncidentFilter(), color_by="event_type", heatmap=True)
    weights = np.asarray(want.heat)[:, 2]
    np.testing.assert_allclose(sorted(got.heat), sorted(want.heat), atol=1e-5)
    injuries = gdf["injuries"].fillna(0).to_numpy(dtype=float)
    assert weights.sum() == pytest.approx(gdf["fatalities"].sum() + injuries.sum() + len(gdf))
    assert len(point_coordinates(gdf)[0]) == len(gdf)


def test_an_empty_store_gives_an_empty_page(store):
    source = StoreSource(store)
    assert (source.total, source.date_span) == (0, None)
    page = source.page(IncidentFilter(), color_by="actor")
    assert (page.count, page.injuries, page.site_ids) == (0, None, ())
    assert page.caption == "All dates · 0 of 0 incidents shown"


def _rendered(layers) -> str:
    """The layers' HTML with folium's random element names made positional."""
    import re

    import folium

    m = folium.Map()
    for layer in layers:
        layer.add_to(m)
    html = m.get_root().render()
    names: dict[str, str] = {}

    def positional(found: re.Match[str]) -> str:
        return names.setdefault(found.group(0), f"{found.group(1)}#{len(names)}")

    return re.sub(r"\b([a-z_]+)_[0-9a-f]{32}\b", positional, html)


@pytest.mark.parametrize("heat", [False, True])
def test_page_layers_above_the_limit_draw_what_the_view_layers_draw(heat):
    from geo.mapview import build_view_layers
    from geo.source import build_page_layers
    from geo.view import View, select_view

    gdf = random_incidents(MARKER_LIMIT + 50, np.random.default_rng(SEED + 13))
    source = file_source(gdf)
    view = View(actor_ranking=source.ranking, show_heatmap=heat, color_by="actor")
    page = source.page(view.flt, color_by="actor", heatmap=heat)
    assert page.aggregated
    want = build_view_layers(select_view(view, source.data.index, data_label=source.label))
    assert _rendered(build_page_layers(view, page, source)) == _rendered(want)


def test_opening_a_store_leaves_out_what_only_deleted_incidents_name(store):
    import sqlalchemy as sa

    from geo.store.schema import incidents

    gdf = sited(random_incidents(300, np.random.default_rng(SEED + 13)))
    lone = gdf.index[0]
    gdf.loc[lone, ["actor1", "actor2", "assoc_actor_1", "assoc_actor_2"]] = ["Lone", "", "", ""]
    gdf.loc[lone, ["event_type", "site_id", "location"]] = ["Riots", "", "Nowhere"]
    gdf.loc[gdf.index != lone, "event_type"] = "Battles"
    store.store_incidents(gdf, origin="test")
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(incidents)
            .where(incidents.c.event_id == gdf.loc[lone, "event_id"])
            .values(deleted_at=sa.func.current_timestamp())
        )
    on_store, kept = StoreSource(store), file_source(gdf.drop(index=lone))
    assert "Lone" not in on_store.actor_names and "Nowhere" not in on_store.site_keys
    assert on_store.event_types == ("Battles",)
    assert (on_store.total, on_store.date_span) == (kept.total, kept.date_span)
    assert on_store.actor_names == kept.actor_names
    assert on_store.site_keys == kept.site_keys and on_store.ranking == kept.ranking


def test_a_store_colours_by_an_own_column_as_the_file_does(store):
    """Clusters, legend, weekly counts and markers by a column kept in ``extra``."""
    rng = np.random.default_rng(SEED + 17)
    gdf = sited(random_incidents(MARKER_LIMIT + 400, rng))
    attacks = rng.choice(["IED", "SAF", "IDF", None], len(gdf), p=[0.4, 0.3, 0.2, 0.1])
    extras = [{} if a is None else {"attack_type": a} for a in attacks]
    store.store_incidents(gdf, origin="test", extras=extras)
    on_file = file_source(gdf.assign(attack_type=pd.Series(attacks, dtype=object)))
    on_store = StoreSource(store)
    assert "attack_type" in on_store.colour_columns
    aggregated = set()
    for trial in range(8):
        flt = random_filter(rng)[0] if trial else IncidentFilter()
        want = on_file.page(flt, color_by="attack_type", table_rows=50)
        got = on_store.page(flt, color_by="attack_type", table_rows=50)
        assert_same_page(got, want)
        assert set(got.colors) == set(want.colors) and len(got.colors) >= 2
        if not want.aggregated:
            assert list(got.incidents["attack_type"].fillna("")) == list(
                want.incidents["attack_type"].fillna("")
            )
        aggregated.add(want.aggregated)
    assert aggregated == {True, False}


def test_a_store_selection_carries_its_own_colour_columns_for_reports(store):
    from geo.source import export_selection
    from geo.view import View

    rng = np.random.default_rng(SEED + 19)
    gdf = random_incidents(60, rng)
    attacks = rng.choice(["IED", "SAF"], len(gdf))
    store.store_incidents(gdf, origin="test", extras=[{"attack_type": a} for a in attacks])
    source = StoreSource(store)
    selection = export_selection(View(color_by="attack_type"), source, None)
    assert sorted(selection.incidents["attack_type"]) == sorted(attacks)

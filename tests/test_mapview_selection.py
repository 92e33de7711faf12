"""The chosen incident's details and map layer, and the extent that zooms to results."""

from __future__ import annotations

import html
import re

import folium
import numpy as np
from conftest import make_incidents

from geo.aggregate import build_cluster_payload
from geo.mapview.selection import (
    build_fit_layer,
    build_selection_layer,
    details_html,
    incident_fields,
    linked_text,
    results_extent,
    table_row,
)
from geo.view import data_extent

HOSTILE = "<img src=x onerror=alert(1)>"


def rendered(group) -> str:
    """The page a layer makes on a map of its own."""
    m = folium.Map(tiles=None)
    group.add_to(m)
    return m.get_root().render()


def chosen(**fields):
    return make_incidents([{"event_id": "e1", "event_date": "2020-03-11", **fields}])


def test_every_recorded_field_is_listed_and_missing_figures_say_so() -> None:
    gdf = chosen(fatalities=3, notes="Rockets hit the base.", actor2="")
    gdf["attack_type"] = "IDF"  # a column of the file's own
    fields = dict(incident_fields(gdf.iloc[0], ["attack_type"]))
    assert fields["event_id"] == "e1" and fields["event_date"] == "2020-03-11"
    assert fields["fatalities"] == "3" and fields["injuries"] == "not recorded"
    assert fields["time_precision"].startswith("1 (")
    assert fields["attack_type"] == "IDF"
    assert "actor2" not in fields  # empty: not recorded, so not listed
    names = [name for name, _ in incident_fields(gdf.iloc[0], ["attack_type"])]
    assert names.index("event_id") < names.index("notes") < names.index("attack_type")


def test_the_details_escape_every_text_and_link_only_web_addresses() -> None:
    gdf = chosen(
        notes=HOSTILE,
        location=HOSTILE,
        source="Reuters https://example.org/a?b=1&c=2. javascript:alert(1)",
        source_quote='"They fired" <b>',
    )
    out = details_html(gdf.iloc[0])
    assert HOSTILE not in out and html.escape(HOSTILE) in out
    links = re.findall(r'<a href="([^"]*)"', out)
    assert links == ["https://example.org/a?b=1&amp;c=2"]  # the full stop is not part of it
    assert "javascript:alert(1)" in out and 'href="javascript' not in out
    assert "<blockquote>&quot;They fired&quot; &lt;b&gt;</blockquote>" in out


def test_linked_text_keeps_the_words_around_links() -> None:
    assert linked_text("see <http://a.example/x>, then") == (
        'see &lt;<a href="http://a.example/x" target="_blank" rel="noopener noreferrer">'
        "http://a.example/x</a>&gt;, then"
    )
    assert linked_text("no link: www.a.example") == "no link: www.a.example"


def test_the_chosen_incident_is_drawn_and_focused_only_when_asked() -> None:
    gdf = chosen(lon=44.25, lat=33.5, notes=HOSTILE)
    focused = rendered(build_selection_layer(gdf, focus=True))
    quiet = rendered(build_selection_layer(gdf, focus=False))
    for script in (focused, quiet):
        assert "[33.5,44.25]" in script and HOSTILE not in script
    assert "setView" in focused and "openPopup" in focused
    assert "setView" not in quiet and "openPopup" not in quiet


def test_an_incident_without_a_point_draws_no_layer() -> None:
    gdf = chosen()
    gdf = gdf.set_geometry([None], crs=gdf.crs)
    assert build_selection_layer(gdf, focus=True) is None


def test_results_extent_holds_every_incident_shown() -> None:
    rng = np.random.default_rng(4)
    rows = [{"event_id": f"e{i}", "event_date": "2020-01-01", "lon": lon, "lat": lat}
            for i, (lon, lat) in enumerate(zip(rng.uniform(38, 48, 300),
                                               rng.uniform(29, 37, 300), strict=True))]  # fmt: skip
    gdf = make_incidents(rows)
    assert results_extent(gdf) == data_extent(gdf)
    assert results_extent(gdf.iloc[:0]) is None
    # From aggregates: every incident lies inside the extent of the finest cells.
    payload = build_cluster_payload(gdf, {"Explosions/Remote violence": "#d62728"}, "event_type")
    west, south, east, north = results_extent(None, payload)  # type: ignore[misc]
    lon, lat = gdf.geometry.x, gdf.geometry.y
    assert (lon >= west).all() and (lon <= east).all()
    assert (lat >= south).all() and (lat <= north).all()
    assert east - west < 10 + 2 * payload["levels"][-1]["deg"] + 1e-9
    assert results_extent(None, {"levels": []}) is None


def test_the_fit_layer_fits_its_extent() -> None:
    script = rendered(build_fit_layer((43.0, 32.0, 45.0, 34.0)))
    assert "fitBounds([[32.0,43.0],[34.0,45.0]]" in script


def test_a_table_selection_names_a_row_that_is_still_shown() -> None:
    assert table_row({"selection": {"rows": [2], "columns": []}}, [0, 1, 2]) == 2
    assert table_row({"selection": {"rows": [5]}}, [0, 1, 2]) is None
    assert table_row({"selection": {"rows": []}}, [0]) is None
    assert table_row(None, [0]) is None

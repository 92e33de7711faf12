"""The incident map: layers, legend, escaping, offline assets, and a look in a real browser."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path

import folium
import numpy as np
import pandas as pd
import pytest
from conftest import make_incidents, offline_page
from folium.plugins import HeatMap, MarkerCluster
from shapely.geometry import Point

from geo import assets, mapview, palette
from geo.aggregate import MARKER_LIMIT
from geo.incidents import coerce_incidents
from geo.schema import TIME_PRECISION

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "test-output"
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module", autouse=True)
def installed() -> None:
    """The real web assets and basemap (quick when already up to date)."""
    assets.install()


def sample() -> pd.DataFrame:
    """Four incidents: exact and approximate dates, with and without uncertainty."""
    return make_incidents(
        [
            {"event_id": "a", "event_date": "2020-01-03", "event_type": "Battles",
             "sub_event_type": "Armed clash", "actor1": "Actor A", "actor2": "Actor B",
             "fatalities": 3, "injuries": 5, "uncertainty_km": 2.5, "lat": 33.3, "lon": 44.4,
             "notes": "Clash at the gate.", "source_file": "001_article.txt",
             "source_quote": "Fighting broke out at the gate.", "location": "Baghdad"},
            {"event_id": "b", "event_date": "2020-02-10", "time_precision": 2,
             "geo_precision": 2, "uncertainty_km": 10.0, "lat": 35.5, "lon": 44.3},
            {"event_id": "c", "event_date": "2020-03-01", "end_date": "2020-03-04",
             "time_precision": 3, "lat": 34.0, "lon": 43.0},
            {"event_id": "d", "event_date": "2020-04-01", "event_type": "Battles",
             "sub_event_type": "Armed clash", "lat": 33.0, "lon": 42.0},
        ]
    )  # fmt: skip


def sites() -> pd.DataFrame:
    import geopandas as gpd

    return gpd.GeoDataFrame(
        {
            "site_id": ["camp_taji", "hostile"],
            "name": ["Camp Taji", HOSTILE],
            "aliases": ["", ""],
            "kind": ["military_base", "town"],
            "country": ["Iraq", "Iraq"],
            "admin1": ["Baghdad", "Anbar"],
            "coord_source": ["test", "test"],
            "uncertainty_km": [2.0, 1.0],
        },
        geometry=[Point(44.25, 33.53), Point(43.3, 33.4)],
        crs=4326,
    )


def render(m: folium.Map) -> str:
    return m.get_root().render()


def payload(page: str, marker: str) -> object:
    """The JSON a layer script carries after its ``/* marker */`` comment."""
    found = re.findall(rf"/\* {marker} \*/ (.*);$", page, flags=re.MULTILINE)
    assert len(found) == 1, f"expected one {marker} table, found {len(found)}"
    return json.loads(found[0])


def group_names(layers: list[folium.FeatureGroup]) -> list[str]:
    return [group.layer_name for group in layers]


def descendants(element: object) -> Iterator[object]:
    for child in getattr(element, "_children", {}).values():
        yield child
        yield from descendants(child)


# --------------------------------------------------------------------------- options


def test_options_refuse_unknown_colouring_and_basemap() -> None:
    with pytest.raises(ValueError, match="color_by must be one of event_type, actor"):
        mapview.MapOptions(color_by=" ")  # a column name, not blank
    with pytest.raises(ValueError, match="basemap must be one of offline, OpenStreetMap"):
        mapview.MapOptions(basemap="Google")


def test_every_incident_is_one_row_of_the_marker_table() -> None:
    gdf = sample()
    page = render(mapview.build_map(gdf))
    table = payload(page, "incidents")
    assert len(table["rows"]) == len(gdf)
    fields = table["fields"]
    colors = payload(page, "colors")
    for row, (_, incident) in zip(table["rows"], gdf.iterrows(), strict=True):
        record = dict(zip(fields, row, strict=True))
        assert record["lat"] == pytest.approx(incident.geometry.y)
        assert record["lon"] == pytest.approx(incident.geometry.x)
        assert colors[record["color"]] == palette.event_type_color(incident["event_type"])
        assert table["strings"][record["notes"]] == incident["notes"]
    first = dict(zip(fields, table["rows"][0], strict=True))
    assert first["fatalities"] == 3 and first["injuries"] == 5
    assert first["radius"] == pytest.approx(round(float(mapview.marker_radius([8])[0]), 1))


def test_popup_fields_carry_date_actors_place_and_citation() -> None:
    table = payload(render(mapview.build_map(sample())), "incidents")
    s = table["strings"]
    rows = [dict(zip(table["fields"], row, strict=True)) for row in table["rows"]]
    assert s[rows[0]["date"]] == "2020-01-03"
    assert s[rows[0]["actor1"]] == "Actor A" and s[rows[0]["actor2"]] == "Actor B"
    assert s[rows[0]["sub_event_type"]] == "Armed clash"
    assert s[rows[0]["source_file"]] == "001_article.txt"
    assert s[rows[0]["source_quote"]] == "Fighting broke out at the gate."
    assert s[rows[0]["place"]].startswith("Baghdad, Baghdad, Iraq (geo precision 1: ")
    assert "within 2.5 km" in s[rows[0]["place"]]
    assert s[rows[2]["date"]] == f"2020-03-01 to 2020-03-04 (approx.: {TIME_PRECISION[3]})"
    assert rows[1]["injuries"] == -1  # not reported, shown as such


def test_popup_script_quotes_the_source_in_a_blockquote() -> None:
    page = render(mapview.build_map(sample()))
    assert '"<blockquote>" + s[r[17]] + "</blockquote>"' in page
    assert mapview.tables._ROW_FIELDS[17] == "source_quote"


def test_approximate_dates_are_marked_and_explained() -> None:
    page = render(mapview.build_map(sample()))
    table = payload(page, "incidents")
    precision = [row[table["fields"].index("time_precision")] for row in table["rows"]]
    assert precision == [1, 2, 3, 1]
    assert f"2020-02-10 (approx.: {TIME_PRECISION[2]})" in table["strings"]
    assert "r[4] > 1" in page and 'dashArray: "4 3"' in page  # hollow, dashed
    assert "Date approximate (week or month)" in page

    exact = sample().iloc[[0, 3]]
    assert "Date approximate" not in render(mapview.build_map(exact))


def test_uncertainty_rings_only_where_known() -> None:
    gdf = sample()
    rings = payload(render(mapview.build_map(gdf)), "rings")
    assert [[r[0], r[1], r[2]] for r in rings] == [[33.3, 44.4, 2500], [35.5, 44.3, 10_000]]
    layers = mapview.build_incident_layers(gdf, options=mapview.MapOptions(show_uncertainty=False))
    assert "Location uncertainty" not in group_names(layers)
    no_radius = gdf.assign(uncertainty_km=np.nan)
    assert "Location uncertainty" not in group_names(mapview.build_incident_layers(no_radius))


def test_clusters_are_optional() -> None:
    def clusters(options: mapview.MapOptions) -> int:
        layers = mapview.build_incident_layers(sample(), options=options)
        return sum(isinstance(e, MarkerCluster) for g in layers for e in descendants(g))

    assert clusters(mapview.MapOptions()) == 1
    assert clusters(mapview.MapOptions(show_clusters=False)) == 0


def test_heat_map_only_when_asked_and_weighted_by_casualties() -> None:
    gdf = sample()
    layers = mapview.build_incident_layers(gdf, options=mapview.MapOptions(show_heatmap=True))
    assert "Heat map" in group_names(layers)
    heat = [e for g in layers for e in descendants(g) if isinstance(e, HeatMap)]
    assert len(heat) == 1
    assert [point[2] for point in heat[0].data] == [9.0, 1.0, 1.0, 1.0]
    assert "Heat map" not in group_names(mapview.build_incident_layers(gdf))


def test_sites_layer_has_permanent_labels() -> None:
    page = render(mapview.build_map(sample(), sites=sites()))
    rows = payload(page, "sites")
    assert [row[2] for row in rows] == ["Camp Taji", "&lt;img src=x onerror=alert(1)&gt;"]
    assert "permanent: true" in page
    hidden = mapview.build_incident_layers(
        sample(), sites=sites(), options=mapview.MapOptions(show_sites=False)
    )
    assert "Sites" not in group_names(hidden)


def test_layers_in_drawing_order() -> None:
    layers = mapview.build_incident_layers(
        sample(), sites=sites(), options=mapview.MapOptions(show_heatmap=True)
    )
    assert group_names(layers) == [
        "Legend", "Location uncertainty", "Heat map", "Incidents", "Sites",
    ]  # fmt: skip
    assert [g.control for g in layers] == [False, True, True, True, True]


def test_empty_frame_gives_a_legend_and_no_markers() -> None:
    empty = sample().iloc[0:0]
    layers = mapview.build_incident_layers(empty, sites=sites())
    assert group_names(layers) == ["Legend", "Sites"]
    page = render(mapview.build_map(empty))
    assert "No incident matches." in page
    assert "/* incidents */" not in page


# --------------------------------------------------------------------------- legend


def test_legend_lists_exactly_the_types_present() -> None:
    page = render(mapview.build_map(sample()))
    info = payload(page, "map-info")
    assert [label for label, _ in info["legend"]] == ["Battles", "Explosions/Remote violence"]
    for event_type in set(palette.EVENT_TYPE_COLORS) - {"Battles", "Explosions/Remote violence"}:
        assert event_type not in info["legend_html"]
    assert info["count"] == "4 incidents shown"
    assert "Killed + injured" in info["legend_html"]
    assert "Ring: location uncertainty" in info["legend_html"]
    assert "Site (named place)" not in info["legend_html"]  # no sites layer given
    with_sites = payload(render(mapview.build_map(sample(), sites=sites())), "map-info")
    assert with_sites["sites"] and "Site (named place)" in with_sites["legend_html"]


def test_camera_caption_names_the_file_says_the_count_once_and_cites_the_sources() -> None:
    from geo.report.wording import describe_caption
    from geo.view import Selection, View

    gdf = sample()
    view = View(title="Taji, March 2020")
    selection = Selection(view, gdf, len(gdf), "test.csv", None, None)
    info = payload(render(mapview.build_view_map(selection)), "map-info")
    caption = describe_caption(view.flt, gdf, len(gdf))
    assert info["title"] == "Taji, March 2020" and info["filename"] == "taji-march-2020.png"
    assert info["caption"] == caption and caption.endswith("4 of 4 incidents shown")
    assert info["count"] == ""  # the caption already ends with it
    cited = set(gdf["source"].str.split(";").explode().str.strip()) - {""}
    assert info["sources"].startswith("Sources: ") and cited
    assert all(source in info["sources"] for source in cited)


def test_legend_by_actor_uses_the_given_ranking() -> None:
    gdf = sample()
    options = mapview.MapOptions(color_by="actor", actors=("Actor B", "Actor A"))
    info = payload(render(mapview.build_map(gdf, options=options)), "map-info")
    assert info["legend"] == [["Actor A", palette.ACTOR_PALETTE[1]]]
    assert info["legend_title"] == "Actor (side that acted)"
    assert mapview.legend_items(gdf, "actor") == [("Actor A", palette.ACTOR_PALETTE[0])]


# --------------------------------------------------------------------------- escaping


def test_text_from_data_is_escaped_everywhere() -> None:
    gdf = sample()
    for column in ("notes", "actor1", "actor2", "assoc_actor_1", "location", "source",
                   "source_file", "source_quote", "sub_event_type"):  # fmt: skip
        gdf[column] = HOSTILE
    options = mapview.MapOptions(color_by="actor", title=HOSTILE, caption=HOSTILE)
    page = render(mapview.build_map(gdf, sites=sites(), options=options))
    assert HOSTILE not in page
    assert "onerror=alert(1)>" not in page
    table = payload(page, "incidents")
    assert "&lt;img src=x onerror=alert(1)&gt;" in table["strings"]
    info = payload(page, "map-info")
    assert "&lt;img src=x onerror=alert(1)&gt;" in info["legend_html"]  # actor legend label
    assert info["title"] == HOSTILE  # raw only for the canvas caption, "<" escaped in JSON
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in page


# --------------------------------------------------------------------------- scale


def test_more_than_marker_limit_goes_to_aggregation() -> None:
    n = MARKER_LIMIT + 1
    rng = np.random.default_rng(7)
    gdf = coerce_incidents(
        pd.DataFrame(
            {
                "event_id": [f"e{i}" for i in range(n)],
                "event_date": "2021-05-01",
                "event_type": "Battles",
                "sub_event_type": "Armed clash",
                "actor1": "Actor A",
                "fatalities": rng.integers(0, 5, n),
                "uncertainty_km": 3.0,
            }
        ),
        geometry=[Point(x, y) for x, y in zip(rng.uniform(40, 46, n), rng.uniform(31, 37, n),
                                              strict=True)],
    )  # fmt: skip
    page = render(mapview.build_map(gdf, options=mapview.MapOptions(show_heatmap=True)))
    assert "/* incidents */" not in page
    assert "/* rings */" not in page
    assert "/* clusters */" in page  # geo.aggregate's layer
    info = payload(page, "map-info")
    assert info["grid"] and not info["sizes"] and not info["rings"]
    assert "Grid clusters: exact incident counts" in info["legend_html"]
    assert "Killed + injured" not in info["legend_html"]
    heat = [e for e in descendants(mapview.build_map(gdf, options=mapview.MapOptions(
        show_heatmap=True))) if isinstance(e, HeatMap)]  # fmt: skip
    assert sum(p[2] for p in heat[0].data) == pytest.approx(float(gdf["fatalities"].sum() + n))

    at_limit = gdf.iloc[:MARKER_LIMIT]
    assert len(payload(render(mapview.build_map(at_limit)), "incidents")["rows"]) == MARKER_LIMIT


def test_input_is_not_modified() -> None:
    gdf = sample()
    before = gdf.copy()
    mapview.build_map(gdf, sites=sites(), options=mapview.MapOptions(show_heatmap=True))
    pd.testing.assert_frame_equal(gdf, before)


# --------------------------------------------------------------------------- base map


def test_no_outside_script_or_stylesheet() -> None:
    page = render(mapview.build_map(sample(), sites=sites(),
                                    options=mapview.MapOptions(show_heatmap=True)))  # fmt: skip
    assert assets.find_external_urls(page) == []
    for name in ("leaflet-simple-map-screenshoter", "markerclusterjs", "leaflet-heat.js",
                 "Control.Fullscreen.js"):  # fmt: skip
        assert f'src="{assets.asset_url(name)}"' in page
    assert "preferCanvas" in page and "L.control.scale()" in page


def test_base_map_does_not_change_with_the_incident_options() -> None:
    """streamlit-folium remounts (and resets the view) when the base map's script changes."""
    from streamlit_folium import _get_map_string, generate_js_hash

    def key(options: mapview.MapOptions) -> str:
        m = mapview.build_base_map(options=options, bounds=[[30, 40], [37, 48]])
        m.get_root().render()
        return generate_js_hash(_get_map_string(m), "map")

    first = key(mapview.MapOptions())
    assert key(mapview.MapOptions(color_by="actor", show_heatmap=True, caption="x")) == first
    assert key(mapview.MapOptions(basemap="OpenStreetMap")) != first


def test_online_basemap_is_opened_when_chosen() -> None:
    m = mapview.build_map(sample(), options=mapview.MapOptions(basemap="CARTO Positron"))
    tiles = [e for e in m._children.values() if isinstance(e, folium.TileLayer)]
    chosen = [t for t in tiles if t.layer_name == "CARTO Positron"]
    assert len(chosen) == 1 and not chosen[0].show  # added by script, not on render
    assert f"addLayer({chosen[0].get_name()})" in render(m)


def test_bounds_fit_incidents_then_sites_then_iraq_and_syria() -> None:
    gdf = sample()
    assert mapview.incident_bounds(gdf) == [[33.0, 42.0], [35.5, 44.4]]
    one = gdf.iloc[:1]
    (south, west), (north, east) = mapview.incident_bounds(one)
    assert south < 33.3 < north and west < 44.4 < east
    empty = gdf.iloc[0:0]
    assert mapview.incident_bounds(empty, sites()) == [[33.4, 43.3], [33.53, 44.25]]
    assert mapview.incident_bounds(empty) == [list(c) for c in mapview.DEFAULT_BOUNDS]
    page = render(mapview.build_map(empty))
    assert "fitBounds" in page and "[[29.0, 35.5], [37.4, 48.7]]" in page


# --------------------------------------------------------------------------- browser


@pytest.mark.browser
def test_browser_draws_markers_popups_legend_and_camera(
    browser, app_root: tuple[Path, str]
) -> None:
    root, base = app_root
    gdf = sample()
    gdf.loc[0, "notes"] = HOSTILE
    options = mapview.MapOptions(title="Test map", caption="2020; all actors", show_clusters=False)
    m = mapview.build_map(gdf, sites=sites(), options=options)
    (root / "index.html").write_text(render(m), encoding="utf-8")
    name = m.get_name()
    with offline_page(browser, base, (1000, 700)) as opened:
        page = opened.page
        page.goto(f"{base}/index.html")
        page.wait_for_selector(".geo-legend")
        drawn = page.evaluate(
            f"""() => {{
                var markers = [], rings = 0;
                {name}.eachLayer(function (l) {{
                    if (l instanceof L.Circle) {{ rings += 1; }}
                    else if (l instanceof L.CircleMarker) {{ markers.push(l); }}
                }});
                markers[0].openPopup();
                var popup = document.querySelector('.leaflet-popup-content');
                return {{
                    markers: markers.length, rings: rings,
                    dashed: markers.filter(m => m.options.dashArray).length,
                    popup: popup.innerText,
                    quote: popup.querySelector('blockquote').innerText,
                    injected: document.querySelectorAll('.leaflet-popup-content img').length,
                    labels: Array.from(document.querySelectorAll('.geo-site-label'))
                        .map(e => e.textContent),
                    legend: document.querySelector('.geo-legend').innerText,
                }};
            }}"""
        )
        page.evaluate(f"() => {{ {name}.closePopup(); }}")
        legend_height = "() => document.querySelector('.geo-legend').offsetHeight"
        open_height = page.evaluate(legend_height)
        page.click(".geo-legend summary")  # a user folds the legend away ...
        folded_height = page.evaluate(legend_height)
        page.click(".geo-legend summary")  # ... and opens it again
        reopened_height = page.evaluate(legend_height)
        page.screenshot(path=str(OUTPUT / "mapview.png"))
        snapshot = page.evaluate(
            f"{name}.geoSnapshot().then(c => [c.width, c.height, c.toDataURL('image/png')])"
        )
    OUTPUT.mkdir(exist_ok=True)
    width, height, data_url = snapshot
    (OUTPUT / "mapview-camera.png").write_bytes(base64.b64decode(data_url.split(",", 1)[1]))
    assert opened.refused == [] and opened.errors == []
    assert drawn["markers"] == len(gdf)
    assert drawn["rings"] == 2
    assert drawn["dashed"] == 2  # the two approximate dates
    assert HOSTILE in drawn["popup"] and drawn["injected"] == 0  # shown as text, not run
    assert "Actor A" in drawn["popup"] and "Killed: 3" in drawn["popup"]
    assert drawn["quote"] == "Fighting broke out at the gate."
    assert drawn["labels"] == ["Camp Taji", HOSTILE]
    assert "Battles" in drawn["legend"] and "Killed + injured" in drawn["legend"]
    assert folded_height < open_height / 3 and reopened_height == open_height
    assert width == 1000 and height > 700 + 60  # the view plus the caption block


@pytest.mark.browser
def test_browser_folds_the_legend_on_a_small_map(browser, app_root: tuple[Path, str]) -> None:
    root, base = app_root
    m = mapview.build_map(sample(), options=mapview.MapOptions(show_clusters=False))
    (root / "small.html").write_text(render(m), encoding="utf-8")
    is_open = "() => document.querySelector('.geo-legend details').open"
    with offline_page(browser, base, (700, 500)) as opened:
        page = opened.page
        page.goto(f"{base}/small.html")
        page.wait_for_selector(".geo-legend")
        assert page.evaluate(is_open) is False
        page.click(".geo-legend summary")  # the user can still open it
        assert page.evaluate(is_open) is True
    with offline_page(browser, base, (1000, 700)) as opened:
        opened.page.goto(f"{base}/small.html")
        opened.page.wait_for_selector(".geo-legend")
        assert opened.page.evaluate(is_open) is True

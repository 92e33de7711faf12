"""Offline basemap: prepared files, TopoJSON decoding, map layers, and a real browser."""

from __future__ import annotations

import json
from pathlib import Path

import folium
import pytest
from conftest import offline_page
from shapely.geometry import Point, shape
from shapely.ops import unary_union

from geo import assets, basemap, standalone
from geo.schema import MissingComponentError

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "test-output"


@pytest.fixture(scope="module", autouse=True)
def installed() -> None:
    """The real basemap, prepared from node_modules (quick when already up to date)."""
    assets.install()


# --------------------------------------------------------------------------- TopoJSON


def square_topology() -> dict:
    """A unit square split into two arcs, quantized and delta-encoded."""
    return {
        "type": "Topology",
        "transform": {"scale": [0.5, 0.25], "translate": [10.0, 20.0]},
        "arcs": [[[0, 0], [2, 0], [0, 4]], [[2, 4], [-2, 0], [0, -4]]],
        "objects": {
            "shapes": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0, 1]], "id": "a", "properties": {"n": 1}},
                    {"type": "Polygon", "arcs": [[-2, -1]], "id": "b"},
                    {"type": "LineString", "arcs": [0]},
                    {"type": "Point", "coordinates": [2, 4]},
                    {"type": None},
                ],
            }
        },
    }


def test_decode_topojson_rebuilds_rings_and_points() -> None:
    features = basemap.decode_topojson(square_topology(), "shapes")
    assert len(features) == 4  # the null geometry is dropped
    forward, backward, line, point = (shape(f["geometry"]) for f in features)
    assert forward.bounds == (10.0, 20.0, 11.0, 21.0)
    assert forward.area == pytest.approx(1.0)
    assert backward.equals(forward)
    assert list(backward.exterior.coords) == list(forward.exterior.coords)[::-1]
    assert list(line.coords) == [(10.0, 20.0), (11.0, 20.0), (11.0, 21.0)]
    assert (point.x, point.y) == (11.0, 21.0)
    assert features[0]["id"] == "a" and features[0]["properties"] == {"n": 1}


def test_decode_topojson_unknown_object() -> None:
    with pytest.raises(KeyError, match="rivers"):
        basemap.decode_topojson(square_topology(), "rivers")


# --------------------------------------------------------------------------- files


def test_layers_parse_with_sensible_counts() -> None:
    counts = {layer: len(basemap.read_basemap(layer)) for layer in basemap.LAYERS}
    assert counts["countries"] > 200
    assert counts["admin1"] > 250
    assert counts["rivers"] > 50
    assert counts["towns"] > 1000
    for layer in basemap.LAYERS:
        gdf = basemap.read_basemap(layer)
        assert gdf.crs.to_epsg() == 4326
        assert gdf.geometry.notna().all() and gdf.is_valid.mean() > 0.95


def test_files_stay_small() -> None:
    total = sum((basemap.BASEMAP_DIR / f).stat().st_size for f in basemap.LAYER_FILES.values())
    assert total < 3_000_000


def test_countries_include_iraq_and_syria_around_their_capitals() -> None:
    countries = basemap.read_basemap("countries").set_index("iso_a3")
    assert countries.loc["IRQ", "name"] == "Iraq"
    assert countries.loc["SYR", "name"] == "Syria"
    assert countries.loc["IRQ"].geometry.geom_type in ("Polygon", "MultiPolygon")
    assert countries.loc["IRQ"].geometry.contains(Point(44.40, 33.34))  # Baghdad
    assert countries.loc["SYR"].geometry.contains(Point(36.29, 33.51))  # Damascus
    assert not countries.loc["SYR"].geometry.contains(Point(44.40, 33.34))


def test_provinces_tile_iraq_without_gaps_or_overlaps() -> None:
    admin1 = basemap.read_basemap("admin1")
    iraq = admin1[admin1["iso_a3"] == "IRQ"]
    assert 15 <= len(iraq) <= 20
    union = unary_union(list(iraq.geometry))
    assert sum(g.area for g in iraq.geometry) == pytest.approx(union.area, rel=1e-3)
    parts = getattr(union, "geoms", [union])
    mainland = max(parts, key=lambda g: g.area)
    assert len(mainland.interiors) == 0  # simplified shared arcs leave no slivers
    baghdad = iraq[iraq.geometry.contains(Point(44.40, 33.34))]
    assert len(baghdad) == 1


def test_towns_include_baghdad_with_population() -> None:
    towns = basemap.read_basemap("towns")
    baghdad = towns[(towns["name"] == "Baghdad") & (towns["country_code"] == "IQ")]
    assert len(baghdad) == 1
    point = baghdad.geometry.iloc[0]
    assert abs(point.y - 33.3) < 0.2 and abs(point.x - 44.4) < 0.2
    assert baghdad["population"].iloc[0] > 1_000_000
    # GeoNames gives New Mosul more people than Mosul; the city still labels first.
    rank = towns.set_index("name")["rank"]
    assert rank["Mosul"] > rank["Al Mawşil al Jadīdah"]
    lon_min, lat_min, lon_max, lat_max = basemap.REGION_BBOX
    outside = towns.cx[:lon_min, :]
    assert len(outside) and outside["population"].min() >= basemap.TOWN_MIN_POPULATION_WORLD


def test_read_basemap_bbox_filters() -> None:
    bbox = (38.7, 29.0, 48.6, 37.4)  # Iraq
    towns = basemap.read_basemap("towns", bbox=bbox)
    assert 0 < len(towns) < len(basemap.read_basemap("towns"))
    assert towns.geometry.x.between(bbox[0], bbox[2]).all()
    assert towns.geometry.y.between(bbox[1], bbox[3]).all()


def test_sources_record_each_layer_and_licence() -> None:
    sources = basemap.read_sources()
    assert sources["attribution"] == basemap.BASEMAP_ATTRIBUTION
    assert set(sources["layers"]) == set(basemap.LAYERS)
    for layer, record in sources["layers"].items():
        assert (basemap.BASEMAP_DIR / record["file"]).is_file(), layer
        assert record["licence"] and record["source"]
    assert "Natural Earth" in basemap.BASEMAP_ATTRIBUTION
    assert "GeoNames" in basemap.BASEMAP_ATTRIBUTION


def test_missing_layer_is_a_clear_error(tmp_path: Path) -> None:
    assert not basemap.basemap_installed(basemap_dir=tmp_path)
    with pytest.raises(MissingComponentError, match="run `make install`"):
        basemap.read_basemap("rivers", basemap_dir=tmp_path)
    with pytest.raises(MissingComponentError, match="countries"):
        basemap.add_offline_basemap(folium.Map(tiles=None), basemap_dir=tmp_path)
    with pytest.raises(ValueError, match="roads"):
        basemap.read_basemap("roads")


# --------------------------------------------------------------------------- map layers


def test_offline_layers_fetch_files_instead_of_inlining_them() -> None:
    m = folium.Map(tiles=None)
    basemap.add_offline_basemap(m, raster=False)
    folium.LayerControl().add_to(m)
    page = m.get_root().render()
    for layer, title in basemap.LAYER_TITLES.items():
        assert f"{basemap.BASEMAP_URL_PREFIX}/{basemap.LAYER_FILES[layer]}" in page
        assert json.dumps(title) in page
    assert "Offline map" in page
    assert len(page) < 100_000  # not a megabyte of coordinates
    assert list(basemap.iter_basemap_urls(m)) and all(
        basemap.url_to_path(url).is_file() for url in basemap.iter_basemap_urls(m)
    )


def test_interactive_map_shows_cached_tiles_and_fetches_only_the_town_labels() -> None:
    m = folium.Map(tiles=None)
    basemap.add_offline_basemap(m)
    folium.LayerControl().add_to(m)
    page = m.get_root().render()
    url = basemap.tile_url()
    assert url is not None and url.endswith("/{z}/{x}/{y}.png") and url in page
    (tile_layer,) = [c for c in m._children.values() if isinstance(c, basemap.OfflineTileLayer)]
    assert not tile_layer.overlay and tile_layer.layer_name == "Offline map"
    urls = list(basemap.iter_basemap_urls(m))
    assert [u.split("?")[0] for u in urls] == [f"{basemap.BASEMAP_URL_PREFIX}/towns.geojson"]
    assert "?v=" in urls[0] and basemap.url_to_path(urls[0]).is_file()
    for layer in basemap.RASTER_LAYERS:  # drawn in the tiles, not fetched
        assert f"{basemap.BASEMAP_URL_PREFIX}/{basemap.LAYER_FILES[layer]}" not in page
    assert len(page) < 100_000


def test_tile_url_template_names_installed_tiles() -> None:
    from geo import tiles

    url = basemap.tile_url()
    index = tiles.read_tile_index(basemap.BASEMAP_DIR)
    assert index is not None and index["version"] == tiles.tiles_version(basemap.BASEMAP_DIR)
    x0, x1, y0, y1 = tiles.tile_range(6, (44.3, 33.2, 44.5, 33.4))  # Baghdad
    for z, x, y in ((0, 0, 0), (4, 9, 6), (6, x0, y0), (tiles.MAX_NATIVE_ZOOM, 159, 103)):
        path = basemap.BASEMAP_DIR / url.removeprefix(basemap.BASEMAP_URL_PREFIX + "/").format(
            z=z, x=x, y=y
        )
        assert path.is_file(), path
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert index["tiles"] > 1000 and index["bytes"] < 6_000_000


def test_standalone_map_gets_the_vector_layers_back() -> None:
    m = folium.Map(tiles=None)
    basemap.add_offline_basemap(m)
    basemap.use_vector_basemap(m)
    assert not any(isinstance(c, basemap.OfflineTileLayer) for c in m._children.values())
    urls = {u.split("?")[0] for u in basemap.iter_basemap_urls(m)}
    assert urls == {f"{basemap.BASEMAP_URL_PREFIX}/{f}" for f in basemap.LAYER_FILES.values()}


def test_layer_subset() -> None:
    m = folium.Map(tiles=None)
    basemap.add_offline_basemap(m, layers=("rivers",))
    urls = set(basemap.iter_basemap_urls(m))
    assert urls == {f"{basemap.BASEMAP_URL_PREFIX}/rivers.geojson"}


def test_online_basemaps_are_offered_but_not_shown() -> None:
    m = folium.Map(tiles=None)
    basemap.add_online_basemaps(m)
    tiles = [c for c in m._children.values() if isinstance(c, folium.TileLayer)]
    assert [t.layer_name for t in tiles] == list(basemap.ONLINE_BASEMAPS)
    assert not any(t.show for t in tiles)
    assert all(not t.overlay for t in tiles)
    page = m.get_root().render()
    for t in tiles:
        assert f"{t.get_name()}.addTo(" not in page


# --------------------------------------------------------------------------- browser


def demo_map() -> folium.Map:
    from folium.plugins import Fullscreen, HeatMap, MarkerCluster

    m = folium.Map(location=[33.0, 43.5], zoom_start=6, tiles=None)
    basemap.add_offline_basemap(m)
    basemap.add_online_basemaps(m)
    cluster = MarkerCluster(name="Incidents").add_to(m)
    for lat, lon in [(33.31, 44.36), (36.34, 43.13), (30.51, 47.78), (35.47, 44.39)]:
        folium.CircleMarker([lat, lon], radius=6, color="#b2182b", fill=True).add_to(cluster)
    HeatMap([[33.3, 44.4, 1.0]], name="Heat", show=False).add_to(m)
    Fullscreen().add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def open_offline(
    browser, page_url: str, screenshot: Path, *, allowed: str, map_name: str | None = None
) -> dict:
    """Load a page in Chromium refusing outside requests; return what it drew."""
    with offline_page(browser, allowed, (1100, 800)) as opened:
        page = opened.page
        page.goto(page_url)
        page.wait_for_function(
            "(document.querySelectorAll('.leaflet-geoBasemapLand-pane path').length > 50"
            " || document.querySelectorAll("
            "'.leaflet-geoBasemapLand-pane img.leaflet-tile-loaded').length > 4)"
            " && document.querySelectorAll('.geo-town').length > 5",
            timeout=30_000,
        )
        drawn = page.evaluate(
            """() => ({
                land: document.querySelectorAll('.leaflet-geoBasemapLand-pane path').length,
                tiles: Array.from(document.querySelectorAll(
                    '.leaflet-geoBasemapLand-pane img.leaflet-tile-loaded'))
                    .filter(i => i.naturalWidth === 256).length,
                borders: document.querySelectorAll('.leaflet-geoBasemapBorders-pane path').length,
                provinces: document.querySelectorAll('.leaflet-geoBasemapProvinces-pane path')
                    .length,
                rivers: document.querySelectorAll('.leaflet-geoBasemapRivers-pane path').length,
                towns: Array.from(document.querySelectorAll('.geo-town')).map(e => e.textContent),
                background: getComputedStyle(document.querySelector('.leaflet-container'))
                    .backgroundColor,
                controls: Array.from(document.querySelectorAll(
                    '.leaflet-control-layers label span')).map(e => e.textContent.trim()),
            })"""
        )
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot))
        if map_name:  # a closer look: provinces and smaller towns around Baghdad
            page.evaluate(f"() => {{ {map_name}.setView([33.3, 44.4], 9, {{animate: false}}); }}")
            page.wait_for_function(
                "Array.from(document.querySelectorAll('.geo-town'))"
                ".some(e => e.textContent === 'Khāliş')",
                timeout=10_000,
            )
            drawn["close_towns"] = page.evaluate(
                "Array.from(document.querySelectorAll('.geo-town')).length"
            )
            page.screenshot(path=str(screenshot.with_name(screenshot.stem + "-zoom9.png")))
    drawn["blocked"] = opened.refused
    drawn["errors"] = opened.errors
    return drawn


@pytest.mark.browser
def test_browser_draws_offline_basemap_from_app_static(browser, app_root: tuple[Path, str]) -> None:
    root, base = app_root
    m = assets.localize_map(demo_map())
    (root / "index.html").write_text(m.get_root().render(), encoding="utf-8")
    drawn = open_offline(
        browser, f"{base}/index.html", OUTPUT / "basemap.png", allowed=base, map_name=m.get_name()
    )
    assert drawn["blocked"] == []
    assert drawn["errors"] == []
    assert drawn["tiles"] > 4  # land, rivers, provinces and borders, as cached images
    assert drawn["land"] == 0  # no country GeoJSON parsed in the page
    assert "Baghdad" in drawn["towns"]
    assert drawn["background"] == "rgb(213, 227, 238)"  # the sea colour
    assert drawn["close_towns"] > len([t for t in drawn["towns"] if t])
    for title in ("Offline map", "Towns", "OpenStreetMap"):
        assert title in drawn["controls"]


@pytest.mark.browser
def test_browser_draws_vector_basemap_when_asked(browser, app_root: tuple[Path, str]) -> None:
    root, base = app_root
    m = folium.Map(location=[33.0, 43.5], zoom_start=6, tiles=None)
    basemap.add_offline_basemap(m, raster=False)
    folium.LayerControl(collapsed=False).add_to(m)
    (root / "vector.html").write_text(assets.localize_map(m).get_root().render(), "utf-8")
    drawn = open_offline(browser, f"{base}/vector.html", OUTPUT / "basemap-vector.png",
                         allowed=base)  # fmt: skip
    assert drawn["blocked"] == [] and drawn["errors"] == []
    assert drawn["land"] > 50
    assert drawn["borders"] > 50
    assert drawn["provinces"] > 100
    assert drawn["rivers"] > 20
    for title in ("Offline map", "Borders", "Provinces", "Rivers", "Towns"):
        assert title in drawn["controls"]


@pytest.mark.browser
def test_browser_opens_standalone_html_from_disk(browser, tmp_path: Path) -> None:
    path = tmp_path / "map.html"
    path.write_text(standalone.inline_map_html(demo_map()), encoding="utf-8")
    drawn = open_offline(
        browser, path.as_uri(), OUTPUT / "basemap-standalone.png", allowed="file://"
    )
    assert drawn["blocked"] == []
    assert drawn["errors"] == []
    assert drawn["land"] > 50
    assert "Baghdad" in drawn["towns"]

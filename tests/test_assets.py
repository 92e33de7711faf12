"""Local web assets: installation, localizing folium maps, standalone HTML."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import folium
import pytest
from branca.colormap import LinearColormap
from branca.element import JavascriptLink
from folium.elements import JSCSSMixin
from folium.plugins import FastMarkerCluster, Fullscreen, HeatMap, MarkerCluster

from geo import assets, standalone
from geo.basemap import ONLINE_BASEMAPS, add_offline_basemap, add_online_basemaps
from geo.schema import MissingComponentError

REPO = Path(__file__).resolve().parents[1]
TAG_URL = re.compile(r"<(?:script|link)\b[^>]*?\b(?:src|href)=\"([^\"]+)\"", re.IGNORECASE)


@pytest.fixture(scope="module", autouse=True)
def installed() -> None:
    """The real assets, installed from node_modules (quick when already up to date)."""
    assets.install()


def build_map() -> folium.Map:
    """A map using every folium element the dashboard relies on."""
    m = folium.Map(location=[33.3, 44.4], zoom_start=6, tiles=None)
    add_offline_basemap(m)
    add_online_basemaps(m)
    cluster = MarkerCluster(name="Incidents").add_to(m)
    folium.Marker(
        [33.31, 44.36],
        popup=folium.Popup("<b>Camp</b>"),
        icon=folium.Icon(prefix="fa", icon="flag"),
    ).add_to(cluster)
    folium.CircleMarker([33.0, 44.0], radius=5, tooltip="point").add_to(m)
    HeatMap([[33.3, 44.4, 1.0], [36.2, 44.0, 2.0]], name="Heat").add_to(m)
    FastMarkerCluster([[34.0, 43.0], [35.0, 45.0]]).add_to(m)
    Fullscreen().add_to(m)
    folium.LayerControl().add_to(m)
    return m


def copy_static(tmp_path: Path) -> Path:
    """A private copy of the installed static folder, safe to break."""
    target = tmp_path / "static"
    shutil.copytree(assets.STATIC_DIR, target)
    return target


def test_localized_map_loads_no_outside_script_or_stylesheet() -> None:
    m = assets.localize_map(build_map())
    page = m.get_root().render()
    assert assets.find_external_urls(page) == []
    loaded = TAG_URL.findall(page)
    assert any(url.endswith("leaflet.js") for url in loaded)
    assert any(url.endswith("leaflet.markercluster.js") for url in loaded)
    assert any(url.endswith("Control.FullScreen.js") for url in loaded)
    assert all(url.startswith(assets.ASSET_URL_PREFIX + "/") for url in loaded), loaded
    # Tile templates stay: they are the online basemaps a user may pick.
    for spec in ONLINE_BASEMAPS.values():
        assert spec["tiles"] in page


def test_every_local_url_is_an_installed_file() -> None:
    page = assets.localize_map(build_map()).get_root().render()
    for url in TAG_URL.findall(page):
        path = assets.url_to_path(url)
        assert path is not None and path.is_file(), url


def test_unused_folium_defaults_are_dropped() -> None:
    page = assets.localize_map(build_map()).get_root().render()
    assert "bootstrap" not in page.lower()
    assert "glyphicons" not in page


def test_class_defaults_are_left_alone() -> None:
    assets.localize_map(build_map())
    fresh = folium.Map(tiles=None)
    assert dict(fresh.default_js)["leaflet"].startswith("https://")
    assert dict(MarkerCluster.default_js)["markerclusterjs"].startswith("https://")


def test_localize_twice_is_harmless() -> None:
    m = assets.localize_map(build_map())
    first = TAG_URL.findall(m.get_root().render())
    second = TAG_URL.findall(assets.localize_map(m).get_root().render())
    assert first == second


def test_every_folium_default_used_is_mapped_or_dropped() -> None:
    used = [folium.Map, MarkerCluster, HeatMap, Fullscreen, FastMarkerCluster]
    for cls in used:
        for name, _url in [*cls.default_js, *cls.default_css]:
            assert name in assets.ASSETS or name in assets.DROPPED_ASSETS, (cls.__name__, name)


def test_missing_file_names_the_asset_and_make_install(tmp_path: Path) -> None:
    static = copy_static(tmp_path)
    (static / "vendor" / assets.ASSETS["markerclusterjs"]).unlink()
    with pytest.raises(MissingComponentError, match=r"markerclusterjs.*run `make install`"):
        assets.localize_map(build_map(), static_dir=static)


def test_new_element_with_cdn_url_is_refused() -> None:
    class NewPlugin(JSCSSMixin):
        default_js = [("new_plugin_js", "https://cdn.example.org/new-plugin.js")]

    m = folium.Map(tiles=None)
    NewPlugin().add_to(m)
    with pytest.raises(MissingComponentError, match="new_plugin_js"):
        assets.localize_map(m)


def test_outside_link_in_header_is_refused() -> None:
    m = folium.Map(tiles=None)
    m.get_root().header.add_child(JavascriptLink("https://cdn.example.org/x.js"), name="x")
    with pytest.raises(MissingComponentError, match="cdn.example.org"):
        assets.localize_map(m)


def test_cdn_links_left_in_header_by_an_earlier_render_are_replaced() -> None:
    m = build_map()
    m.get_root().render()  # puts folium's CDN links into the header
    page = assets.localize_map(m).get_root().render()
    assert assets.find_external_urls(page) == []


def test_online_tiles_on_opening_are_refused() -> None:
    with pytest.raises(ValueError, match="tiles=None"):
        assets.localize_map(folium.Map())


def test_branca_colormap_is_refused() -> None:
    m = folium.Map(tiles=None)
    LinearColormap(["white", "red"], vmin=0, vmax=1).add_to(m)
    with pytest.raises(ValueError, match="d3"):
        assets.localize_map(m)


def test_vendored_stylesheets_reference_existing_files() -> None:
    vendor = assets.VENDOR_DIR
    stylesheets = [vendor / rel for rel in assets.ASSETS.values() if rel.endswith(".css")]
    assert stylesheets
    for css in stylesheets:
        for ref in re.findall(r"url\(\s*[\"']?([^\"')]+)", css.read_text(encoding="utf-8")):
            if ref.startswith(("data:", "#")):
                continue
            assert (css.parent / ref.split("?")[0]).is_file(), (css.name, ref)


def test_inline_html_is_standalone() -> None:
    page = standalone.inline_map_html(build_map())
    assert assets.find_external_urls(page) == []
    assert TAG_URL.findall(page) == []
    assert "window.geoBasemapData" in page
    assert "/app/static/basemap/countries.geojson" in page
    assert "data:font/woff2;base64," in page
    assert "L.Icon.Default.mergeOptions" in page
    assert ".ttf" not in page


def test_inline_html_escapes_script_end_tags(tmp_path: Path) -> None:
    static = copy_static(tmp_path)
    heat = static / "vendor" / assets.ASSETS["leaflet-heat.js"]
    heat.write_text(heat.read_text(encoding="utf-8") + '\n// "</script><b>x</b>"\n')
    page = standalone.inline_map_html(build_map(), static_dir=static)
    assert "</script><b>x</b>" not in page
    assert "<\\/script><b>x</b>" in page


def test_install_is_skipped_when_up_to_date(tmp_path: Path) -> None:
    static = tmp_path / "static"
    assert assets.install(static_dir=static) is True
    assert assets.is_installed(static)
    stamp = static / "vendor" / assets.STAMP_FILE
    first = stamp.read_text()
    assert assets.install(static_dir=static) is False
    assert stamp.read_text() == first
    (static / "vendor" / assets.ASSETS["leaflet"]).unlink()
    assert assets.install(static_dir=static) is True
    assert (static / "vendor" / assets.ASSETS["leaflet"]).is_file()


def test_install_without_node_modules_says_run_make_install(tmp_path: Path) -> None:
    with pytest.raises(MissingComponentError, match="run `make install`"):
        assets.install(node_modules=tmp_path / "node_modules", static_dir=tmp_path / "static")


def test_command_without_node_modules_exits_2_with_one_sentence(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "geo.assets", "install",
         "--node-modules", str(tmp_path / "none"), "--static-dir", str(tmp_path / "static")],
        capture_output=True, text=True, cwd=REPO, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == assets.NOT_INSTALLED
    assert "Traceback" not in result.stderr


def test_command_up_to_date_run_exits_0() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "geo.assets", "install"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout

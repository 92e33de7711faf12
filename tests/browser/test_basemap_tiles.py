"""The offline basemap's tiles as the dashboard serves them: cacheable, and cached."""

from __future__ import annotations

import urllib.request
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import pytest

from geo import basemap, tiles

pytestmark = pytest.mark.browser

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def fetch_headers(url: str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.urlopen(url, timeout=20) as reply:
        return reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read()


def test_tiles_and_labels_are_served_with_validators_and_long_heuristic_freshness(server):
    template = basemap.tile_url()
    assert template is not None
    x0, _, y0, _ = tiles.tile_range(6, (44.3, 33.2, 44.5, 33.4))  # around Baghdad
    tile = template.format(z=6, x=x0, y=y0)
    (towns,) = [u for u in basemap.iter_basemap_urls(_offline_map()) if "towns" in u]
    for path, kind in ((tile, "image/png"), (towns, "json")):
        status, headers, body = fetch_headers(server.url + path)
        assert status == 200 and kind in headers["content-type"]
        assert headers.get("etag") and body
        # No Cache-Control from Streamlit's static route: browsers then keep a response
        # for a tenth of its age since Last-Modified (RFC 9111, 4.2.2). The files carry
        # their source's date and their URLs name their content, so that is months.
        assert "no-store" not in headers.get("cache-control", "")
        age = parsedate_to_datetime(headers["date"]) - parsedate_to_datetime(
            headers["last-modified"]
        )
        assert age.days / 10 > 90
    assert f"/tiles/{tiles.read_tile_index(basemap.BASEMAP_DIR)['version']}/" in tile


def _offline_map():
    import folium

    m = folium.Map(tiles=None)
    basemap.add_offline_basemap(m)
    return m


def test_second_visit_takes_the_tiles_from_the_browser_cache(browser, server):
    # No request routing here: Playwright's routing turns the browser's HTTP cache off.
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    outside: list[str] = []
    try:
        visits = []
        for _ in range(2):
            page = context.new_page()
            page.on(
                "request",
                lambda r: (
                    outside.append(r.url)
                    if urlsplit(r.url).hostname not in ("127.0.0.1", "localhost")
                    else None
                ),
            )
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            seen: dict[str, bool] = {}

            def on_response(event, seen=seen) -> None:
                url = event["response"]["url"]
                if "/app/static/basemap/tiles/" in url:
                    response = event["response"]
                    seen[url] = bool(response.get("fromDiskCache")
                                     or response.get("fromMemoryCache"))  # fmt: skip

            cdp.on("Network.responseReceived", on_response)
            page.goto(server.url)
            frame = page.frame_locator(MAP_FRAME)
            frame.locator(".leaflet-geoBasemapLand-pane img.leaflet-tile-loaded").first.wait_for(
                timeout=60_000
            )
            page.wait_for_load_state("networkidle", timeout=30_000)
            visits.append(seen)
            page.close()
        first, second = visits
        assert first and not any(first.values())  # fetched from the app on the first visit
        assert second and all(second.values())  # and from the cache on the second
        assert outside == []
    finally:
        context.close()

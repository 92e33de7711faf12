"""A map as one standalone HTML file: scripts, styles, fonts and basemap inlined.

The exported map opens without internet and without the app: every script and stylesheet
the page names under ``/app/static/`` is read from the installed copy and written into the
page, and :func:`find_external_urls` tells whether anything still points outside.
"""

from __future__ import annotations

import base64
import html
import json
import mimetypes
import re
from pathlib import Path

import folium

from geo import basemap
from geo.assets import (
    _EXTERNAL,
    STATIC_DIR,
    asset_url,
    find_external_urls,
    localize_map,
    url_to_path,
)
from geo.schema import MissingComponentError
from geo.webtext import script_json, script_text

# --------------------------------------------------------------------------- inline

_SCRIPT_TAG = re.compile(
    r"<script\b[^>]*?\bsrc\s*=\s*[\"']([^\"']+)[\"'][^>]*>\s*</script\s*>", re.IGNORECASE
)
_LINK_TAG = re.compile(r"<link\b[^>]*?\bhref\s*=\s*[\"']([^\"']+)[\"'][^>]*?/?>", re.IGNORECASE)
_CSS_REF = re.compile(r"url\(\s*([\"']?)([^\"')]+)\1\s*\)")
_TTF_SOURCE = re.compile(
    r",\s*url\(\s*[\"']?[^\"')]+\.ttf[\"']?\s*\)\s*format\([\"']truetype[\"']\)"
)
_BASEMAP_URL = re.compile(re.escape(basemap.BASEMAP_URL_PREFIX) + r"/[A-Za-z0-9_.-]+\.geojson")


def _data_url(path: Path) -> str:
    """Encode a file as a base64 data: URL."""
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".woff2":
        mime = "font/woff2"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _inline_css(css: str, css_path: Path) -> str:
    """Resolve a stylesheet's relative url() references into data: URLs."""
    css = _TTF_SOURCE.sub("", css)  # woff2 is enough for every browser that runs the map

    def replace(match: re.Match[str]) -> str:
        ref = match.group(2).strip()
        if ref.startswith(("data:", "#")) or _EXTERNAL.match(ref):
            return match.group(0)
        target = (css_path.parent / ref.split("?", 1)[0].split("#", 1)[0]).resolve()
        if not target.is_file():
            return "url()"  # a reference the copy does not include (old-IE fallbacks)
        return f'url("{_data_url(target)}")'

    return _CSS_REF.sub(replace, css)


def inline_map_html(m: folium.Map, *, static_dir: Path = STATIC_DIR) -> str:
    """Render a map as one standalone HTML page that needs no network and no server.

    The offline basemap's raster tiles are replaced by its vector layers
    (:func:`geo.basemap.use_vector_basemap`) and the map is localized (see
    :func:`localize_map`); then every local script is
    embedded in a ``<script>`` element, every local stylesheet in a ``<style>`` element
    with its images and fonts as ``data:`` URLs (WOFF2 only), Leaflet's default marker
    icons are set to ``data:`` URLs, and the offline basemap layers the map fetches are
    embedded so the page opens straight from disk.

    Parameters
    ----------
    m : folium.Map
        The map; it is localized in place.
    static_dir : Path, default ``static``
        The folder holding ``vendor/`` and ``basemap/``.

    Returns
    -------
    str
        The HTML page.

    Raises
    ------
    MissingComponentError
        As :func:`localize_map`, or when a basemap file the map uses is not installed.
    """
    basemap.use_vector_basemap(m)
    localize_map(m, static_dir=static_dir)
    page = m.get_root().render()

    def script(match: re.Match[str]) -> str:
        url = html.unescape(match.group(1))
        path = url_to_path(url, static_dir)
        if path is None:
            return match.group(0)  # left for the final check to report
        text = script_text(path.read_text(encoding="utf-8"))
        if url == asset_url("leaflet"):
            text += "\n" + _default_icon_js(static_dir)
        return f"<script>\n{text}\n</script>"

    def link(match: re.Match[str]) -> str:
        tag, url = match.group(0), html.unescape(match.group(1))
        path = url_to_path(url, static_dir)
        if path is None or "stylesheet" not in tag.lower():
            return tag
        css = _inline_css(path.read_text(encoding="utf-8"), path)
        return f"<style>\n{_style_text(css)}\n</style>"

    page = _SCRIPT_TAG.sub(script, page)
    page = _LINK_TAG.sub(link, page)

    urls = sorted(set(_BASEMAP_URL.findall(page)))
    if urls:
        data = {}
        for url in urls:
            path = basemap.url_to_path(url, static_dir / "basemap")
            if not path.is_file():
                raise MissingComponentError(
                    f"Offline basemap file {path.name} is not installed: run `make install`."
                )
            data[url] = json.loads(path.read_text(encoding="utf-8"))
        payload = script_json(data)
        block = f"<script>window.geoBasemapData = {payload};</script>\n"
        page = page.replace("</head>", block + "</head>", 1)

    external = find_external_urls(page)
    if external:
        raise MissingComponentError(
            f"The standalone map would load {external[0]} from the internet: vendor it in "
            "geo/assets.py."
        )
    return page


def _style_text(css: str) -> str:
    """Make text safe inside a <style> element."""
    return re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)


def _default_icon_js(static_dir: Path) -> str:
    """Script that gives Leaflet's default marker its images as data: URLs."""
    images = static_dir / "vendor" / "leaflet" / "images"
    options = {
        "iconUrl": _data_url(images / "marker-icon.png"),
        "iconRetinaUrl": _data_url(images / "marker-icon-2x.png"),
        "shadowUrl": _data_url(images / "marker-shadow.png"),
    }
    # An empty imagePath stops Leaflet guessing the folder from the (inlined) stylesheet.
    return f"L.Icon.Default.imagePath = '';\nL.Icon.Default.mergeOptions({json.dumps(options)});"


# --------------------------------------------------------------------------- command line

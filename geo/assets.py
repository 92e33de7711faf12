"""Local web assets: every script, stylesheet, font and icon a map needs, served by the app.

``python -m geo.assets install`` copies the packages that ``npm ci`` installed (plus the
heat-map script that the folium wheel ships) into the git-ignored ``static/vendor/`` and
prepares the offline basemap in ``static/basemap/``. Streamlit serves ``static/`` at
``/app/static/``. :func:`localize_map` points a folium map at those files instead of CDNs and
refuses any other outside script or stylesheet; :func:`inline_map_html` turns a map into one
self-contained HTML file for export.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
from branca.element import CssLink, Element, Figure, JavascriptLink

from geo import basemap, tiles
from geo.fileio import write_text_atomic
from geo.schema import MissingComponentError

REPO_ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = REPO_ROOT / "node_modules"
STATIC_DIR = REPO_ROOT / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
STAMP_FILE = ".installed"
ASSET_URL_PREFIX = "/app/static/vendor"
APP_STATIC_PREFIX = "/app/static/"
FOLIUM_DIR = Path(folium.__file__).resolve().parent

NOT_INSTALLED = "Web assets are not installed: run `make install` (needs npm)."


@dataclass(frozen=True)
class VendorCopy:
    """Files copied from an installed package into ``static/vendor/<dest>``."""

    package: str  # folder under node_modules, or "folium" for the folium wheel
    files: tuple[str, ...]  # paths inside the package; a trailing "/" copies a folder
    dest: str  # folder under static/vendor


# Relative layouts are kept so that the stylesheets' url(...) references still resolve.
VENDOR_COPIES: tuple[VendorCopy, ...] = (
    VendorCopy("leaflet", ("dist/leaflet.js", "dist/leaflet.css", "dist/images/", "LICENSE"),
               "leaflet"),
    VendorCopy("jquery", ("dist/jquery.min.js", "LICENSE.txt"), "jquery"),
    VendorCopy("leaflet.markercluster",
               ("dist/leaflet.markercluster.js", "dist/MarkerCluster.css",
                "dist/MarkerCluster.Default.css", "MIT-LICENCE.txt"),
               "leaflet.markercluster"),
    VendorCopy("leaflet.fullscreen",
               ("Control.FullScreen.js", "Control.FullScreen.css", "icon-fullscreen.svg",
                "LICENSE"),
               "leaflet.fullscreen"),
    VendorCopy("leaflet.awesome-markers",
               ("dist/leaflet.awesome-markers.js", "dist/leaflet.awesome-markers.css",
                "dist/images/", "LICENSE"),
               "leaflet.awesome-markers"),
    VendorCopy("@fortawesome/fontawesome-free",
               ("css/all.min.css", "webfonts/", "LICENSE.txt"), "fontawesome"),
    VendorCopy("leaflet-simple-map-screenshoter",
               ("dist/leaflet-simple-map-screenshoter.js", "LICENSE"),
               "leaflet-simple-map-screenshoter"),
    VendorCopy("leaflet-draw",
               ("dist/leaflet.draw.js", "dist/leaflet.draw.css", "dist/images/", "package.json"),
               "leaflet-draw"),
    # folium's HeatMap needs its patched Leaflet.heat build, which the folium wheel ships.
    VendorCopy("folium", ("templates/leaflet_heat.min.js",), "leaflet.heat"),
)  # fmt: skip

# Asset name used by folium elements (first item of each default_js/default_css pair)
# -> file under static/vendor/.
ASSETS: dict[str, str] = {
    "leaflet": "leaflet/leaflet.js",
    "leaflet_css": "leaflet/leaflet.css",
    "jquery": "jquery/jquery.min.js",
    "awesome_markers": "leaflet.awesome-markers/leaflet.awesome-markers.js",
    "awesome_markers_css": "leaflet.awesome-markers/leaflet.awesome-markers.css",
    "awesome_markers_font_css": "fontawesome/css/all.min.css",
    "markerclusterjs": "leaflet.markercluster/leaflet.markercluster.js",
    "markerclustercss": "leaflet.markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "leaflet.markercluster/MarkerCluster.Default.css",
    "leaflet-heat.js": "leaflet.heat/leaflet_heat.min.js",
    "Control.Fullscreen.js": "leaflet.fullscreen/Control.FullScreen.js",
    "Control.FullScreen.css": "leaflet.fullscreen/Control.FullScreen.css",
    "leaflet_draw_js": "leaflet-draw/leaflet.draw.js",
    "leaflet_draw_css": "leaflet-draw/leaflet.draw.css",
    "leaflet-simple-map-screenshoter": (
        "leaflet-simple-map-screenshoter/leaflet-simple-map-screenshoter.js"
    ),
}

# folium.Map defaults the maps do not use: Bootstrap (page styling and Bootstrap 3
# glyphicons; use Icon(prefix="fa") for icons) and folium's rotate stylesheet, which only the
# folium repository holds (Icon(angle=...) is therefore unsupported).
DROPPED_ASSETS: frozenset[str] = frozenset(
    {"bootstrap", "bootstrap_css", "glyphicons_css", "awesome_rotate_css"}
)

_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)


# --------------------------------------------------------------------------- install


def _source_root(package: str, node_modules: Path) -> Path:
    """Folder a VendorCopy reads from."""
    return FOLIUM_DIR if package == "folium" else node_modules / package


def _vendor_relpath(copy: VendorCopy, item: str) -> str:
    """Destination path under static/vendor for one copied item (flattening ``dist/``)."""
    name = item.rstrip("/")
    for prefix in ("dist/", "templates/"):
        name = name.removeprefix(prefix)
    return f"{copy.dest}/{name}"


def _fingerprint(node_modules: Path) -> str:
    """Hash what the installed files depend on: the npm lock, folium and this code."""
    digest = hashlib.sha256()
    for path in (
        node_modules / ".package-lock.json",
        Path(__file__),
        *sorted(Path(basemap.__file__).parent.glob("*.py")),
        Path(tiles.__file__),
        FOLIUM_DIR / "templates" / "leaflet_heat.min.js",
    ):
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"-")
    digest.update(folium.__version__.encode())
    return digest.hexdigest()


def is_installed(static_dir: Path = STATIC_DIR) -> bool:
    """Tell whether every vendored asset and basemap file is installed.

    Parameters
    ----------
    static_dir : Path, default ``static``
        The folder Streamlit serves.

    Returns
    -------
    bool
        True when every file in :data:`ASSETS`, every basemap layer, the basemap's
        ``SOURCES.json`` and raster tiles drawn from the installed layers exist.
    """
    vendor = static_dir / "vendor"
    basemap_dir = static_dir / "basemap"
    return (
        all((vendor / rel).is_file() for rel in ASSETS.values())
        and basemap.basemap_installed(basemap_dir=basemap_dir)
        and (basemap_dir / basemap.SOURCES_FILE).is_file()
        and tiles.tiles_installed(basemap_dir)
    )


def install(
    *,
    node_modules: Path = NODE_MODULES,
    static_dir: Path = STATIC_DIR,
    force: bool = False,
) -> bool:
    """Copy the web assets into ``static/vendor`` and prepare ``static/basemap``.

    Skips the work when the stamp file says the installed files match the current npm
    lock file, folium version and this code (and every file is present).

    Parameters
    ----------
    node_modules : Path, default ``node_modules``
        Where ``npm ci`` installed the packages.
    static_dir : Path, default ``static``
        The folder Streamlit serves; ``vendor/`` and ``basemap/`` are written inside it.
    force : bool, default False
        Reinstall even when up to date.

    Returns
    -------
    bool
        True when files were (re)installed, False when they were already up to date.

    Raises
    ------
    MissingComponentError
        When ``node_modules`` or one of the packages is missing.
    """
    if not node_modules.is_dir():
        raise MissingComponentError(NOT_INSTALLED)
    vendor = static_dir / "vendor"
    stamp = vendor / STAMP_FILE
    fingerprint = _fingerprint(node_modules)
    if (
        not force
        and stamp.is_file()
        and stamp.read_text(encoding="utf-8").strip() == fingerprint
        and is_installed(static_dir)
    ):
        stamp.touch()  # keeps make's timestamp check satisfied
        return False

    # Build next to the target and swap, so a failed install never leaves half a folder.
    staging = static_dir / ".vendor-staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        for copy in VENDOR_COPIES:
            root = _source_root(copy.package, node_modules)
            for item in copy.files:
                source = root / item.rstrip("/")
                target = staging / _vendor_relpath(copy, item)
                if item.endswith("/") and source.is_dir():
                    shutil.copytree(source, target)
                elif source.is_file():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, target)
                else:
                    raise MissingComponentError(
                        f"Web asset {copy.package}/{item} is not installed: run `make install`"
                        " (needs npm)."
                    )
        missing = [rel for rel in ASSETS.values() if not (staging / rel).is_file()]
        if missing:  # the table and the copy list disagree: a bug in this module
            raise RuntimeError(f"asset table names files that are not copied: {missing}")
        basemap.prepare_basemap(node_modules, static_dir / "basemap")
        # Swap by renames: the old folder stays whole until the new one is in its place.
        retired = static_dir / ".vendor-retired"
        shutil.rmtree(retired, ignore_errors=True)
        if vendor.is_dir():
            vendor.rename(retired)
        staging.rename(vendor)
        shutil.rmtree(retired, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    write_text_atomic(vendor / STAMP_FILE, fingerprint + "\n")
    return True


# --------------------------------------------------------------------------- localize


def asset_url(name: str) -> str:
    """Return the local URL of a vendored asset.

    Parameters
    ----------
    name : str
        A key of :data:`ASSETS`, e.g. ``"leaflet"`` or ``"leaflet-simple-map-screenshoter"``.

    Returns
    -------
    str
        e.g. ``/app/static/vendor/leaflet/leaflet.js``.
    """
    try:
        return f"{ASSET_URL_PREFIX}/{ASSETS[name]}"
    except KeyError:
        raise KeyError(f"No local web asset named {name!r}") from None


def url_to_path(url: str, static_dir: Path = STATIC_DIR) -> Path | None:
    """Map an ``/app/static/...`` URL to the file Streamlit would serve.

    Parameters
    ----------
    url : str
        A URL path.
    static_dir : Path, default ``static``
        The folder Streamlit serves.

    Returns
    -------
    Path or None
        The file (which may not exist), or None when the URL is not under ``/app/static/``.
    """
    if not url.startswith(APP_STATIC_PREFIX):
        return None
    relative = url[len(APP_STATIC_PREFIX) :].split("?", 1)[0].split("#", 1)[0]
    if any(part in ("", ".", "..") for part in relative.split("/")):
        return None
    return static_dir / relative


def _walk(element: Any) -> Iterator[Any]:
    """Yield an element and all its descendants, including popups' inner figures."""
    stack = [element]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack.extend(getattr(current, "_children", {}).values())
        for attr in ("header", "html", "script"):
            child = getattr(current, attr, None)
            if isinstance(child, Element):
                stack.append(child)


def _localize_pairs(pairs: Sequence[tuple[str, str]], static_dir: Path) -> list[tuple[str, str]]:
    """Replace each (name, url) by its local URL, dropping unused defaults."""
    localized = []
    for name, url in pairs:
        if name in DROPPED_ASSETS:
            continue
        if name in ASSETS:
            local = asset_url(name)
        elif _EXTERNAL.match(url) or not url.startswith(APP_STATIC_PREFIX):
            raise MissingComponentError(
                f"The map needs web asset {name!r} ({url}), which is not served by the app: "
                "add its npm package to package.json and to geo/assets.py."
            )
        else:
            local = url
        _require_file(name, local, static_dir)
        localized.append((name, local))
    return localized


def _require_file(name: str, url: str, static_dir: Path) -> None:
    """Raise MissingComponentError when a local URL's file is not installed."""
    path = url_to_path(url, static_dir)
    if path is None or not path.is_file():
        raise MissingComponentError(
            f"Web asset {name!r} ({url}) is not installed: run `make install`."
        )


def _check_header_element(key: str, element: Element, static_dir: Path) -> Element | None:
    """Localize or check one element of the page header; None drops it."""
    if isinstance(element, (JavascriptLink, CssLink)):
        url = element.url
        if key in DROPPED_ASSETS:
            return None
        if key in ASSETS:
            local = asset_url(key)
            _require_file(key, local, static_dir)
            return JavascriptLink(local) if isinstance(element, JavascriptLink) else CssLink(local)
        if not url.startswith(APP_STATIC_PREFIX):
            raise MissingComponentError(
                f"The page header loads {url}, which is not served by the app: "
                "vendor it in geo/assets.py."
            )
        _require_file(key, url, static_dir)
        return element
    rendered = element.render()
    external = find_external_urls(rendered)
    if external:
        raise MissingComponentError(
            f"The page header loads {external[0]}, which is not served by the app: "
            "vendor it in geo/assets.py."
        )
    return element


def localize_map(m: folium.Map, *, static_dir: Path = STATIC_DIR) -> folium.Map:
    """Point every script and stylesheet of a map at the app's own copies.

    Walks the map's figure and every descendant element (popups' inner figures too) and
    replaces each ``default_js``/``default_css`` URL that folium and its plugins would load
    from a CDN by the ``/app/static/vendor/...`` URL of the copy installed by
    ``make install``. folium.Map defaults the maps do not use (Bootstrap, glyphicons,
    folium's rotate stylesheet: :data:`DROPPED_ASSETS`) are removed. ``<script>`` and
    ``<link>`` elements already in the page header are checked the same way. Tile layer
    URLs are left alone: they are the online basemaps a user may pick.

    The map is changed in place, like folium's ``add_to``, and returned for chaining;
    calling it twice is harmless. Lists are replaced per element, never the class
    defaults shared by every folium map.

    Parameters
    ----------
    m : folium.Map
        The map (or any element inside a figure).
    static_dir : Path, default ``static``
        The folder Streamlit serves; used to check that each file is installed.

    Returns
    -------
    folium.Map
        The same map.

    Raises
    ------
    MissingComponentError
        When a needed file is not installed ("run `make install`"), or an element needs a
        script or stylesheet that is not vendored (a new folium plugin with a CDN URL is
        caught here instead of leaking a request).
    ValueError
        When the map shows online tiles on opening (create it with ``tiles=None``), or holds
        a branca colormap, whose d3 streamlit-folium loads from a CDN.
    """
    from branca.colormap import ColorMap

    root = m.get_root()
    for element in _walk(root):
        if isinstance(element, ColorMap):
            raise ValueError(
                "A branca colormap on the map loads d3 from the internet; draw the legend as "
                "HTML instead."
            )
        if (
            isinstance(element, folium.TileLayer)
            and element.show
            and _EXTERNAL.match(str(element.tiles))
        ):
            raise ValueError(
                f"The map shows online tiles ({element.tiles}) on opening; create it with "
                "folium.Map(tiles=None) and offer tiles with add_online_basemaps()."
            )
        for attr in ("default_js", "default_css"):
            pairs = getattr(element, attr, None)
            if pairs:
                setattr(element, attr, _localize_pairs(pairs, static_dir))
    if isinstance(root, Figure):
        for key, child in list(root.header._children.items()):
            checked = _check_header_element(key, child, static_dir)
            if checked is None:
                del root.header._children[key]
            elif checked is not child:
                root.header._children[key] = checked
                checked._parent = root.header
    return m


# --------------------------------------------------------------------------- checks

_SCRIPT_SRC = re.compile(r"<script\b[^>]*?\bsrc\s*=\s*[\"']?([^\"'\s>]+)", re.IGNORECASE)
_LINK_HREF = re.compile(r"<link\b[^>]*?\bhref\s*=\s*[\"']?([^\"'\s>]+)", re.IGNORECASE)
_CSS_URL = re.compile(r"(?:url\(\s*|@import\s+)[\"']?((?:[a-z][a-z0-9+.-]*:)?//[^\"')\s]+)",
                      re.IGNORECASE)  # fmt: skip


def find_external_urls(page: str) -> list[str]:
    """List the outside URLs a page's scripts, stylesheets and CSS would load.

    Parameters
    ----------
    page : str
        HTML text.

    Returns
    -------
    list of str
        ``<script src>``, ``<link href>`` and CSS ``url()``/``@import`` targets that leave
        the machine (``http:``, ``https:`` or protocol-relative), in order of appearance.
        Tile URL templates inside scripts are not listed: they load only when picked.
    """
    found = []
    for pattern in (_SCRIPT_SRC, _LINK_HREF, _CSS_URL):
        found += [(m.start(), m.group(1)) for m in pattern.finditer(page)]
    return [url for _, url in sorted(found) if _EXTERNAL.match(url)]


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``python -m geo.assets install [--force]``.

    Parameters
    ----------
    argv : sequence of str, optional
        Command-line arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 2 when the npm packages are not installed.
    """
    parser = argparse.ArgumentParser(
        prog="python -m geo.assets",
        description="Install the map's web assets and offline basemap into static/.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    install_cmd = commands.add_parser("install", help="copy web assets and build the basemap")
    install_cmd.add_argument("--force", action="store_true", help="reinstall even if up to date")
    install_cmd.add_argument(
        "--node-modules", type=Path, default=NODE_MODULES, help=argparse.SUPPRESS
    )
    install_cmd.add_argument("--static-dir", type=Path, default=STATIC_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    try:
        changed = install(
            node_modules=args.node_modules, static_dir=args.static_dir, force=args.force
        )
    except MissingComponentError as exc:
        print(exc, file=sys.stderr)
        return 2
    if not changed:
        print("Web assets and offline basemap are up to date.")
        return 0
    vendor = args.static_dir / "vendor"
    files = [p for p in vendor.rglob("*") if p.is_file()]
    print(f"Installed {len(files)} web asset files into {vendor}.")
    for layer in basemap.LAYERS:
        path = args.static_dir / "basemap" / basemap.LAYER_FILES[layer]
        print(f"Basemap {layer}: {path.name} ({path.stat().st_size / 1e6:.2f} MB)")
    index = tiles.read_tile_index(args.static_dir / "basemap")
    if index:
        print(f"Basemap tiles: {index['tiles']:,} PNG tiles to zoom {index['max_native_zoom']} "
              f"({index['bytes'] / 1e6:.2f} MB)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

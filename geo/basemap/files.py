"""The installed basemap files: whether they are there, reading them, their URLs."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd

from geo import tiles
from geo.basemap.settings import (
    BASEMAP_DIR,
    BASEMAP_URL_PREFIX,
    LAYER_FILES,
    LAYERS,
    SOURCES_FILE,
)
from geo.schema import MissingComponentError


def basemap_installed(layers: Iterable[str] = LAYERS, basemap_dir: Path = BASEMAP_DIR) -> bool:
    """Tell whether the offline basemap files are installed.

    Parameters
    ----------
    layers : iterable of str, default all layers
        The layers to look for.
    basemap_dir : Path, default ``static/basemap``
        Where the files are installed.

    Returns
    -------
    bool
        True when every requested layer's file exists.
    """
    return all((basemap_dir / LAYER_FILES[layer]).is_file() for layer in _checked(layers))


def _checked(layers: Iterable[str]) -> list[str]:
    """Validate layer names."""
    layers = [layers] if isinstance(layers, str) else list(layers)
    unknown = [layer for layer in layers if layer not in LAYER_FILES]
    if unknown:
        raise ValueError(
            f"Unknown basemap layer {unknown[0]!r}; expected one of {', '.join(LAYERS)}."
        )
    return layers


def _require(layers: Iterable[str], basemap_dir: Path = BASEMAP_DIR) -> None:
    """Raise MissingComponentError naming the first missing layer file."""
    for layer in _checked(layers):
        if not (basemap_dir / LAYER_FILES[layer]).is_file():
            raise MissingComponentError(
                f"Offline basemap layer {layer!r} is not installed: run `make install`."
            )


def read_basemap(
    layer: str,
    bbox: tuple[float, float, float, float] | None = None,
    *,
    basemap_dir: Path = BASEMAP_DIR,
) -> gpd.GeoDataFrame:
    """Read one installed basemap layer, for drawing maps on the server.

    Parameters
    ----------
    layer : {'countries', 'admin1', 'rivers', 'towns'}
        The layer to read.
    bbox : tuple of float, optional
        ``(lon_min, lat_min, lon_max, lat_max)``; only features intersecting it are read.
    basemap_dir : Path, default ``static/basemap``
        Where the files are installed.

    Returns
    -------
    geopandas.GeoDataFrame
        The features in EPSG:4326. Columns: countries ``name, iso_a3, iso_n3``; admin1
        ``name, hasc, iso_a3, country``; rivers ``kind`` (river or lake); towns ``name,
        population, rank, country_code, geonameid`` (``rank`` orders labels: the
        population, lowered below its city's for a district named after the city).

    Raises
    ------
    MissingComponentError
        When the layer is not installed.
    ValueError
        When ``layer`` is not a known layer.
    """
    _require([layer], basemap_dir)
    path = basemap_dir / LAYER_FILES[layer]
    gdf = gpd.read_file(path, bbox=tuple(bbox) if bbox is not None else None)
    if gdf.crs is None:
        gdf = gdf.set_crs("EPSG:4326")
    return gdf


def read_sources(basemap_dir: Path = BASEMAP_DIR) -> dict[str, Any]:
    """Read the installed ``SOURCES.json`` (source and licence of each layer).

    Parameters
    ----------
    basemap_dir : Path, default ``static/basemap``
        Where the files are installed.

    Returns
    -------
    dict
        ``{"attribution": str, "layers": {layer: {"file", "title", "source", "licence",
        "url"}}}``.
    """
    path = basemap_dir / SOURCES_FILE
    if not path.is_file():
        raise MissingComponentError("The offline basemap is not installed: run `make install`.")
    return json.loads(path.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=32)
def _content_tag(path: Path, mtime_ns: int, size: int) -> str:
    """First hex digits of a file's SHA-256 (cached per version of the file)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _versioned_url(layer: str, basemap_dir: Path) -> str:
    """Give a layer's URL its content hash as a query, so a cached copy is never stale."""
    path = basemap_dir / LAYER_FILES[layer]
    stat = path.stat()
    tag = _content_tag(path, stat.st_mtime_ns, stat.st_size)
    return f"{BASEMAP_URL_PREFIX}/{LAYER_FILES[layer]}?v={tag}"


def tile_url(basemap_dir: Path = BASEMAP_DIR) -> str | None:
    """URL template of the installed raster tiles, or None when none match the layers.

    Parameters
    ----------
    basemap_dir : Path, default ``static/basemap``
        Where the basemap is installed.

    Returns
    -------
    str or None
        ``/app/static/basemap/tiles/<version>/{z}/{x}/{y}.png``.
    """
    index = tiles.read_tile_index(basemap_dir)
    if index is None:
        return None
    return f"{BASEMAP_URL_PREFIX}/{tiles.TILES_DIRNAME}/{index['version']}/{{z}}/{{x}}/{{y}}.png"


def url_to_path(url: str, basemap_dir: Path = BASEMAP_DIR) -> Path:
    """Map a ``/app/static/basemap/...`` URL to the installed file.

    Parameters
    ----------
    url : str
        A basemap URL.
    basemap_dir : Path, default ``static/basemap``
        Where the files are installed.

    Returns
    -------
    Path
        The file the URL names (which may not exist).
    """
    name = url.split("?", 1)[0].removeprefix(BASEMAP_URL_PREFIX + "/")
    if name == url.split("?", 1)[0] or "/" in name or name.startswith("."):
        raise ValueError(f"Not a basemap URL: {url!r}")
    return basemap_dir / name

"""Basemaps added to a folium map: offline tiles or vector layers, and online tile layers."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import folium
from branca.element import MacroElement

from geo.basemap.files import (
    _checked,
    _require,
    _versioned_url,
    tile_url,
)
from geo.basemap.layers import RASTER_LAYERS, OfflineBasemapLayer, OfflineTileLayer
from geo.basemap.settings import (
    BASEMAP_ATTRIBUTION,
    BASEMAP_DIR,
    BASEMAP_URL_PREFIX,
    LAYER_FILES,
    LAYER_TITLES,
    LAYERS,
    MAX_ZOOM,
    ONLINE_BASEMAPS,
)
from geo.schema import MissingComponentError


def _add_vector_layers(
    m: folium.Map, layers: Sequence[str], *, towns_url: str | None = None
) -> None:
    """Add the vector layers, each fetched as GeoJSON (the land base drawn from the countries)."""
    if "countries" in layers:
        OfflineBasemapLayer(
            "land",
            f"{BASEMAP_URL_PREFIX}/{LAYER_FILES['countries']}",
            "Offline map",
            overlay=False,
            attribution=BASEMAP_ATTRIBUTION,
        ).add_to(m)
    for layer in ("countries", "admin1", "rivers", "towns"):  # panes fix the drawing order
        if layer in layers:
            url = towns_url if layer == "towns" and towns_url else (
                f"{BASEMAP_URL_PREFIX}/{LAYER_FILES[layer]}"
            )  # fmt: skip
            OfflineBasemapLayer(
                layer,
                url,
                LAYER_TITLES[layer],
                attribution=BASEMAP_ATTRIBUTION if layer == "towns" else "",
            ).add_to(m)


def add_offline_basemap(
    m: folium.Map,
    *,
    layers: Sequence[str] = LAYERS,
    basemap_dir: Path = BASEMAP_DIR,
    raster: bool | None = None,
) -> None:
    """Add the offline basemap to a map: a land base and named overlays.

    With the raster tiles installed and every drawn layer requested (the default), the base
    layer "Offline map" is the tiles (land on a sea-coloured background, rivers, provinces
    and borders, which the browser caches) and "Towns" the one overlay, its labels fetched
    as GeoJSON. Otherwise (``raster=False``, a subset of layers, or no tiles) the browser
    fetches each layer's GeoJSON from ``/app/static/basemap/...`` (nothing is inlined in
    the map): the base layer "Offline map" and one overlay per requested layer, named
    "Borders", "Provinces", "Rivers" and "Towns" in the layer control. Town labels appear
    as the user zooms in, the largest cities first. Add ``folium.LayerControl()`` after
    this. When the map has no ``max_zoom`` option it gets :data:`MAX_ZOOM` (tile layers set
    it otherwise, and ``MarkerCluster`` fails without one).

    Parameters
    ----------
    m : folium.Map
        The map; create it with ``tiles=None`` so that it needs no network.
    layers : sequence of str, default ``("countries", "admin1", "rivers", "towns")``
        The layers to show. The land base is added whenever ``countries`` is requested.
    basemap_dir : Path, default ``static/basemap``
        Where the files are installed (checked, not read).
    raster : bool, optional
        True requires the tiles, False draws the vector layers; by default the tiles are
        used when installed and ``layers`` holds countries, provinces and rivers.

    Raises
    ------
    MissingComponentError
        When a requested layer (or, with ``raster=True``, the tiles) is not installed.
    ValueError
        When a layer name is unknown.
    """
    layers = _checked(layers)
    _require(layers, basemap_dir)
    if "max_zoom" not in m.options and "maxZoom" not in m.options:
        # Without tiles nothing sets a zoom limit, and marker clustering requires one.
        m.options = {**m.options, "max_zoom": MAX_ZOOM}
    url = tile_url(basemap_dir) if raster is not False else None
    if raster and url is None:
        raise MissingComponentError(
            "The offline basemap tiles are not installed: run `make install`."
        )
    towns_url = _versioned_url("towns", basemap_dir) if "towns" in layers else None
    if url is None or not set(RASTER_LAYERS) <= set(layers):
        _add_vector_layers(m, layers, towns_url=towns_url)
        return
    OfflineTileLayer(url, "Offline map", attribution=BASEMAP_ATTRIBUTION).add_to(m)
    if towns_url:
        OfflineBasemapLayer("towns", towns_url, LAYER_TITLES["towns"],
                            attribution=BASEMAP_ATTRIBUTION).add_to(m)  # fmt: skip


def use_vector_basemap(m: MacroElement) -> None:
    """Replace a map's raster offline basemap by the vector layers, in place.

    For a standalone HTML file, which opens from disk without the app: the vector layers
    can be embedded (:func:`geo.assets.inline_map_html`), thousands of tiles cannot. Each
    :class:`OfflineTileLayer` becomes the land base and the borders, provinces and rivers
    overlays, at the same place among the map's children.

    Parameters
    ----------
    m : branca.element.MacroElement
        A map (or any element) holding offline basemap layers.
    """
    stack: list[Any] = [m]
    while stack:
        element = stack.pop()
        children = getattr(element, "_children", None)
        if not children:
            continue
        if any(isinstance(c, OfflineTileLayer) for c in children.values()):
            replaced: OrderedDict[str, Any] = OrderedDict()
            for key, child in children.items():
                if not isinstance(child, OfflineTileLayer):
                    replaced[key] = child
                    continue
                holder = folium.Map(tiles=None)
                _add_vector_layers(holder, RASTER_LAYERS)
                for layer in holder._children.values():
                    layer._parent = element
                    replaced[layer.get_name()] = layer
            element._children = replaced
        stack.extend(element._children.values())


def add_online_basemaps(m: folium.Map) -> None:
    """Offer online tile basemaps that load only when the user picks one.

    Adds OpenStreetMap, CARTO Positron and Esri World Imagery as base layers of the
    layer control, none shown on opening: no tile is requested until the user picks one.
    These are the only external URLs a map may hold.

    Parameters
    ----------
    m : folium.Map
        The map; add ``folium.LayerControl()`` afterwards.
    """
    for label, spec in ONLINE_BASEMAPS.items():
        folium.TileLayer(
            spec["tiles"],
            attr=spec["attr"],
            max_zoom=spec["max_zoom"],
            subdomains=spec.get("subdomains", "abc"),
            name=label,
            overlay=False,
            control=True,
            show=False,
        ).add_to(m)


def iter_basemap_urls(m: MacroElement) -> Iterator[str]:
    """Yield the basemap file URLs that a map's offline layers fetch.

    Parameters
    ----------
    m : branca.element.MacroElement
        A map or any element tree.

    Yields
    ------
    str
        URLs such as ``/app/static/basemap/countries.geojson``, once each.
    """
    seen: set[str] = set()
    stack: list[Any] = [m]
    while stack:
        element = stack.pop()
        if isinstance(element, OfflineBasemapLayer) and element.url not in seen:
            seen.add(element.url)
            yield element.url
        stack.extend(getattr(element, "_children", {}).values())

"""Raster tiles of the offline basemap, rendered once at set-up and cached by the browser.

Land, rivers and lakes, provinces and borders are drawn from the same Natural Earth layers as
the vector files (``static/basemap/*.geojson``) into 256-pixel PNG tiles in Web Mercator: the
whole world at small scales, the Middle East down to zoom :data:`MAX_NATIVE_ZOOM`. A map then
fetches a dozen small images per view, which the browser keeps, instead of parsing
megabytes of GeoJSON on every visit.

Tiles live under ``static/basemap/tiles/<version>/{z}/{x}/{y}.png``; the version is a hash
of the source files and of the drawing code, so a changed basemap gets new URLs and a cached
tile is never stale. Streamlit's static route sends ``Last-Modified`` and ``ETag`` but no
``Cache-Control``; the tiles' modification time is set to :data:`SOURCE_DATE` (the Natural
Earth release they are drawn from), which gives browsers a long heuristic freshness.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from geo.fileio import write_text_atomic
from geo.schema import MissingComponentError

TILE_SIZE: Final = 256
EARTH_HALF: Final = 20037508.342789244  # half the Web Mercator extent, in metres
MAX_LATITUDE: Final = 85.0511287798
WORLD_BBOX: Final = (-180.0, -MAX_LATITUDE, 180.0, MAX_LATITUDE)
# Zoom levels drawn, each over a (lon_min, lat_min, lon_max, lat_max) box: the world at
# small scales, the region the data covers (geo.basemap.REGION_BBOX) closer in. Above the
# last level Leaflet scales the last tiles up; outside a box it shows the world level below.
WORLD_MAX_ZOOM: Final = 4
MAX_NATIVE_ZOOM: Final = 8
CHUNK_TILES: Final = 8  # tiles per side drawn in one figure, then cut
SOURCE_DATE: Final = datetime(2018, 5, 21, tzinfo=UTC)  # Natural Earth 4.1.0
TILES_DIRNAME: Final = "tiles"
INDEX_FILE: Final = "TILES.json"
DRAWING_VERSION: Final = "1"  # bump when the drawing below changes

# Line widths in pixels, as the vector layers draw them in Leaflet.
BORDER_PX: Final = 1.1
PROVINCE_PX: Final = 0.7
RIVER_PX: Final = 1.0
LAKE_EDGE_PX: Final = 0.6
PROVINCE_MIN_ZOOM: Final = 5  # provinces are noise on a map of the whole world


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """Web Mercator bounds of one tile.

    Parameters
    ----------
    z, x, y : int
        Zoom and tile column and row (row 0 at the north, as Leaflet and OSM number them).

    Returns
    -------
    tuple of float
        ``(minx, miny, maxx, maxy)`` in metres (EPSG:3857).
    """
    size = 2 * EARTH_HALF / 2**z
    minx = -EARTH_HALF + x * size
    maxy = EARTH_HALF - y * size
    return minx, maxy - size, minx + size, maxy


def tile_range(z: int, bbox: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    """Columns and rows of the tiles covering a lon/lat box at one zoom.

    Parameters
    ----------
    z : int
        Zoom level.
    bbox : tuple of float
        ``(lon_min, lat_min, lon_max, lat_max)``.

    Returns
    -------
    tuple of int
        ``(x_min, x_max, y_min, y_max)``, inclusive.
    """
    n = 2**z

    def column(lon: float) -> int:
        return min(n - 1, max(0, int((lon + 180.0) / 360.0 * n)))

    def row(lat: float) -> int:
        lat = max(-MAX_LATITUDE, min(MAX_LATITUDE, lat))
        rad = math.radians(lat)
        value = (1.0 - math.asinh(math.tan(rad)) / math.pi) / 2.0 * n
        return min(n - 1, max(0, int(value)))

    lon_min, lat_min, lon_max, lat_max = bbox
    return column(lon_min), column(lon_max), row(lat_max), row(lat_min)


def tile_levels() -> list[tuple[int, tuple[float, float, float, float]]]:
    """Each zoom level drawn and the box it covers.

    Returns
    -------
    list of (int, tuple)
        Zoom 0..:data:`WORLD_MAX_ZOOM` over the world, then up to :data:`MAX_NATIVE_ZOOM`
        over :data:`geo.basemap.REGION_BBOX`.
    """
    from geo.basemap import REGION_BBOX

    world = [(z, WORLD_BBOX) for z in range(WORLD_MAX_ZOOM + 1)]
    return world + [(z, REGION_BBOX) for z in range(WORLD_MAX_ZOOM + 1, MAX_NATIVE_ZOOM + 1)]


def _source_files(basemap_dir: Path) -> list[Path]:
    from geo.basemap import LAYER_FILES

    return [basemap_dir / LAYER_FILES[layer] for layer in ("countries", "admin1", "rivers")]


def tiles_version(basemap_dir: Path) -> str:
    """Hash of the vector layers the tiles are drawn from and of the drawing code.

    Parameters
    ----------
    basemap_dir : Path
        Where the vector layers are installed.

    Returns
    -------
    str
        12 hex digits, the folder name under ``tiles/``.
    """
    from geo import basemap

    digest = hashlib.sha256(DRAWING_VERSION.encode())
    for path in _source_files(basemap_dir):
        digest.update(path.read_bytes() if path.is_file() else b"-")
    style = (basemap.SEA_COLOR, basemap.LAND_COLOR, basemap.BORDER_COLOR,
             basemap.PROVINCE_COLOR, basemap.RIVER_COLOR, tile_levels(), TILE_SIZE)  # fmt: skip
    digest.update(repr(style).encode())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:12]


def read_tile_index(basemap_dir: Path) -> dict[str, Any] | None:
    """Read ``tiles/TILES.json``: the installed tiles' version, levels and count.

    Parameters
    ----------
    basemap_dir : Path
        Where the basemap is installed.

    Returns
    -------
    dict or None
        ``{"version", "levels": [[z, bbox], ...], "tiles", "bytes", "max_native_zoom",
        "world_max_zoom"}``; None when no tiles are installed.
    """
    path = basemap_dir / TILES_DIRNAME / INDEX_FILE
    if not path.is_file():
        return None
    index: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if not (basemap_dir / TILES_DIRNAME / str(index.get("version"))).is_dir():
        return None
    return index


def tiles_installed(basemap_dir: Path) -> bool:
    """Tell whether tiles drawn from the installed vector layers are present.

    Parameters
    ----------
    basemap_dir : Path
        Where the basemap is installed.

    Returns
    -------
    bool
    """
    index = read_tile_index(basemap_dir)
    return index is not None and index["version"] == tiles_version(basemap_dir)


def _chunks(z: int, bbox: tuple[float, float, float, float]) -> Iterator[tuple[int, int, int, int]]:
    """Blocks of at most CHUNK_TILES x CHUNK_TILES tiles covering the box."""
    x0, x1, y0, y1 = tile_range(z, bbox)
    for cx in range(x0, x1 + 1, CHUNK_TILES):
        for cy in range(y0, y1 + 1, CHUNK_TILES):
            yield cx, min(cx + CHUNK_TILES - 1, x1), cy, min(cy + CHUNK_TILES - 1, y1)


def _unwrapped_ring(coords: Any) -> Any:
    """Make continuous a ring whose longitudes jump across the antimeridian.

    Natural Earth closes rings such as Russia's, Fiji's or Antarctica's through the
    antimeridian; drawn as they are, their fill spans the whole width of the world. A ring
    around a pole (its unwrapped ends a turn apart) is closed through that pole.
    """
    import numpy as np

    lon = np.unwrap(coords[:, 0], period=360.0)
    ring = np.column_stack([lon, coords[:, 1]])
    if abs(lon[-1] - lon[0]) > 180.0:
        pole = -90.0 if coords[:, 1].mean() < 0 else 90.0
        ring = np.vstack([ring, [[lon[-1], pole], [lon[0], pole]], ring[:1]])
    return ring


def _split_at_antimeridian(geometry: Any) -> Any:
    """Clip a geometry to the Mercator world, moving parts past +-180 degrees back."""
    import numpy as np
    import shapely
    import shapely.affinity

    def clip(g: Any) -> list[Any]:
        pieces = [
            shapely.affinity.translate(
                shapely.clip_by_rect(g, -180.0 + shift, -MAX_LATITUDE, 180.0 + shift, MAX_LATITUDE),
                -shift,
            )  # fmt: skip
            for shift in (-360.0, 0.0, 360.0)
        ]
        return [q for p in pieces for q in shapely.get_parts(p) if q.geom_type == "Polygon"]

    if geometry is None or geometry.is_empty:
        return geometry
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        return shapely.clip_by_rect(geometry, -180.0, -MAX_LATITUDE, 180.0, MAX_LATITUDE)
    polygons = []
    for part in shapely.get_parts(geometry):
        rings = [shapely.get_coordinates(r) for r in shapely.get_rings(part)]
        if any(np.abs(np.diff(r[:, 0])).max(initial=0) > 180.0 for r in rings):
            shell, *holes = (_unwrapped_ring(r) for r in rings)
            part = shapely.make_valid(shapely.Polygon(shell, holes))
        polygons += clip(part)
    # Parts are kept side by side, not unioned: simplified rings are not always valid.
    return shapely.MultiPolygon(polygons) if polygons else shapely.Polygon()


def _load_layers(basemap_dir: Path) -> dict[str, Any]:
    """Load the vector layers in Web Mercator, clipped to the latitudes Mercator can show."""
    import geopandas as gpd

    from geo.basemap import read_basemap

    out = {}
    for layer in ("countries", "admin1", "rivers"):
        gdf = read_basemap(layer, basemap_dir=basemap_dir)
        clipped = [_split_at_antimeridian(g) for g in gdf.geometry]
        gdf = gdf.set_geometry(gpd.GeoSeries(clipped, index=gdf.index, crs=gdf.crs))
        out[layer] = gdf[~gdf.geometry.is_empty].to_crs(3857)
    return out


def _draw(fig: Any, layers: dict[str, Any], dpi: float) -> dict[str, list[Any]]:
    """Add every layer to the figure's axes once; return the artists by zoom rule."""
    from geo import basemap

    ax = fig.axes[0]
    points = 72.0 / dpi  # matplotlib widths are in points: one pixel is 72/dpi of them
    artists: dict[str, list[Any]] = {"always": [], "provinces": []}

    def collect(before: int, key: str) -> None:
        artists[key] += ax.collections[before:]

    n = len(ax.collections)
    layers["countries"].plot(ax=ax, color=basemap.LAND_COLOR, edgecolor="none", zorder=1)
    collect(n, "always")
    n = len(ax.collections)
    dashes = (0, (3, 3))
    layers["admin1"].boundary.plot(ax=ax, color=basemap.PROVINCE_COLOR, zorder=2,
                                   linewidth=PROVINCE_PX * points, linestyle=dashes)  # fmt: skip
    collect(n, "provinces")
    rivers = layers["rivers"]
    n = len(ax.collections)
    lakes = rivers[rivers["kind"] == "lake"]
    if len(lakes):
        lakes.plot(ax=ax, color=basemap.SEA_COLOR, edgecolor=basemap.RIVER_COLOR,
                   linewidth=LAKE_EDGE_PX * points, zorder=3)  # fmt: skip
    lines = rivers[rivers["kind"] != "lake"]
    if len(lines):
        lines.plot(ax=ax, color=basemap.RIVER_COLOR, linewidth=RIVER_PX * points, zorder=3)
    layers["countries"].boundary.plot(ax=ax, color=basemap.BORDER_COLOR, alpha=0.9,
                                      linewidth=BORDER_PX * points, zorder=4)  # fmt: skip
    collect(n, "always")
    return artists


def _save_tile(image: Any, path: Path, mtime: float) -> int:
    """Write one tile as an optimised palette PNG with the given modification time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    # 64 colours hold the few fills and the anti-aliased lines without visible banding.
    image.convert("RGB").quantize(colors=64, dither=0).save(buffer, format="PNG", optimize=True)
    # A plain write: tiles go to a staging folder that is renamed into place whole.
    path.write_bytes(buffer.getvalue())
    os.utime(path, (mtime, mtime))
    return len(buffer.getvalue())


def render_tiles(basemap_dir: Path) -> dict[str, Any]:
    """Draw the raster tiles from the installed vector layers into ``basemap_dir/tiles``.

    Parameters
    ----------
    basemap_dir : Path
        Where :func:`geo.basemap.prepare_basemap` wrote the vector layers.

    Returns
    -------
    dict
        The index written to ``tiles/TILES.json`` (see :func:`read_tile_index`).

    Raises
    ------
    MissingComponentError
        When the vector layers are not installed.
    """
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    from geo import basemap

    missing = [p.name for p in _source_files(basemap_dir) if not p.is_file()]
    if missing:
        raise MissingComponentError(
            f"Basemap layer {missing[0]} is not installed: run `make install` (needs npm)."
        )
    version = tiles_version(basemap_dir)
    root = basemap_dir / TILES_DIRNAME
    staging = root / f".{version}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    layers = _load_layers(basemap_dir)
    dpi = 100.0
    side = CHUNK_TILES * TILE_SIZE
    mtime = SOURCE_DATE.timestamp()
    count = size = 0
    with matplotlib.rc_context({"path.simplify": True, "path.simplify_threshold": 0.3}):
        fig = Figure(figsize=(side / dpi, side / dpi), dpi=dpi, facecolor=basemap.SEA_COLOR)
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        ax.set_axis_off()
        ax.set_facecolor(basemap.SEA_COLOR)
        artists = _draw(fig, layers, dpi)
        for z, bbox in tile_levels():
            for province in artists["provinces"]:
                province.set_visible(z >= PROVINCE_MIN_ZOOM)
            for x0, x1, y0, y1 in _chunks(z, bbox):
                minx, _, _, maxy = tile_bounds(z, x0, y0)
                _, miny, maxx, _ = tile_bounds(z, x0 + CHUNK_TILES - 1, y0 + CHUNK_TILES - 1)
                ax.set_xlim(minx, maxx)
                ax.set_ylim(miny, maxy)
                canvas.draw()
                mosaic = Image.frombuffer("RGBA", (side, side), canvas.buffer_rgba())
                for x in range(x0, x1 + 1):
                    for y in range(y0, y1 + 1):
                        left, top = (x - x0) * TILE_SIZE, (y - y0) * TILE_SIZE
                        tile = mosaic.crop((left, top, left + TILE_SIZE, top + TILE_SIZE))
                        size += _save_tile(tile, staging / str(z) / str(x) / f"{y}.png", mtime)
                        count += 1
    index = {
        "version": version,
        "levels": [[z, list(bbox)] for z, bbox in tile_levels()],
        "world_max_zoom": WORLD_MAX_ZOOM,
        "max_native_zoom": MAX_NATIVE_ZOOM,
        "tiles": count,
        "bytes": size,
    }
    publish_tiles(staging, root, index)
    return index


def publish_tiles(staging: Path, root: Path, index: dict[str, Any]) -> Path:
    """Move rendered tiles into place under their version, then index them, then retire the rest.

    The index is replaced atomically after the tiles it names are in place, and older
    versions are removed last: a server reading the index at any moment finds its tiles.

    Parameters
    ----------
    staging : Path
        The folder the tiles were rendered into (inside ``root``).
    root : Path
        The tiles folder (``static/basemap/tiles``).
    index : dict
        The index to write; ``index["version"]`` names the new folder.

    Returns
    -------
    Path
        The folder the tiles now live in.
    """
    target = root / str(index["version"])
    if target.is_dir():
        shutil.rmtree(target)
    staging.rename(target)
    write_text_atomic(root / INDEX_FILE, json.dumps(index, indent=1) + "\n")
    for old in root.iterdir():
        if old.is_dir() and old != target:
            shutil.rmtree(old, ignore_errors=True)
    return target

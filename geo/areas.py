"""Areas a view is filtered to: a box (``bbox``) or a drawn polygon (``area``).

Both are written in degrees, longitude first, like the rest of the code base. A box is
``(west, south, east, north)`` (``bbox=W,S,E,N`` in a link); a polygon is its outer ring
of ``(lon, lat)`` vertices, not closed (``area=lon lat,lon lat,...`` in a link: the
order of a WKT ring, readable and short enough for a hand-drawn shape). A point on the
edge of either is inside. :func:`area_mask` is the in-memory test; the store pushes the
same test down into SQL (:mod:`geo.store.query`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
import shapely

from geo.schema import IncidentDataError

BBox = tuple[float, float, float, float]
Ring = tuple[tuple[float, float], ...]

MAX_AREA_VERTICES: Final = 500  # a shape drawn by hand; a longer link is refused
AREA_DECIMALS: Final = 5  # about 1 m: below anything drawn on a map


class AreaError(IncidentDataError):
    """A box or polygon that cannot be used, named with the offending value."""


def check_bbox(bbox: Sequence[Any]) -> BBox:
    """Check a box ``(west, south, east, north)`` and return it as floats.

    Parameters
    ----------
    bbox : sequence of 4 numbers
        Longitudes within ±180, latitudes within ±90, west < east and south < north.

    Returns
    -------
    tuple of 4 floats

    Raises
    ------
    AreaError
        When it is not four numbers in that order and range.
    """
    try:
        values = tuple(float(v) for v in bbox)
    except (TypeError, ValueError):
        raise AreaError(f"a bbox is four numbers west,south,east,north; got {bbox!r}") from None
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise AreaError(f"a bbox is four numbers west,south,east,north; got {bbox!r}")
    west, south, east, north = values
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise AreaError(
            "a bbox needs west < east within ±180 and south < north within ±90; "
            f"got {west:g},{south:g},{east:g},{north:g}"
        )
    return west, south, east, north


def check_ring(ring: Sequence[Sequence[Any]]) -> Ring:
    """Check a polygon's outer ring and return it as ``(lon, lat)`` floats, not closed.

    Parameters
    ----------
    ring : sequence of (lon, lat)
        At least three distinct vertices, at most :data:`MAX_AREA_VERTICES`; a last
        vertex equal to the first is dropped.

    Returns
    -------
    tuple of (float, float)

    Raises
    ------
    AreaError
        When a vertex is not two numbers in range, or the ring is too short or too long.
    """
    try:
        points = [(float(lon), float(lat)) for lon, lat in ring]
    except (TypeError, ValueError):
        raise AreaError("an area is a list of lon lat vertices such as 44 33,45 33,45 34") from None
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()
    for lon, lat in points:
        if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180
                and -90 <= lat <= 90):  # fmt: skip
            raise AreaError(f"an area vertex lies outside ±180 and ±90: {lon:g} {lat:g}")
    if len(set(points)) < 3:
        raise AreaError("an area needs at least three distinct vertices")
    if len(points) > MAX_AREA_VERTICES:
        raise AreaError(f"an area has at most {MAX_AREA_VERTICES} vertices; got {len(points)}")
    return tuple(points)


def format_bbox(bbox: BBox) -> str:
    """Write a box as ``W,S,E,N``."""
    return ",".join(f"{round(v, AREA_DECIMALS):g}" for v in bbox)


def parse_bbox(text: str) -> BBox:
    """Read ``W,S,E,N`` (see :func:`check_bbox`)."""
    return check_bbox(text.split(","))


def format_ring(ring: Ring) -> str:
    """Write a ring as ``lon lat,lon lat,...``."""
    return ",".join(
        f"{round(lon, AREA_DECIMALS):g} {round(lat, AREA_DECIMALS):g}" for lon, lat in ring
    )


def parse_ring(text: str) -> Ring:
    """Read ``lon lat,lon lat,...`` (see :func:`check_ring`)."""
    return check_ring([vertex.split() for vertex in text.split(",") if vertex.strip()])


def ring_bounds(ring: Ring) -> BBox:
    """Return the box around a ring."""
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    return min(lons), min(lats), max(lons), max(lats)


def bbox_mask(lon: np.ndarray, lat: np.ndarray, bbox: BBox) -> np.ndarray:
    """Points inside a box, edges included (NaN coordinates are outside)."""
    west, south, east, north = bbox
    return (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)


def area_mask(lon: np.ndarray, lat: np.ndarray, ring: Ring) -> np.ndarray:
    """Points inside a polygon or on its edge, tested on the box's candidates only.

    Parameters
    ----------
    lon, lat : numpy.ndarray of float
    ring : tuple of (lon, lat)

    Returns
    -------
    numpy.ndarray of bool
    """
    keep = bbox_mask(lon, lat, ring_bounds(ring))
    candidates = np.flatnonzero(keep)
    if len(candidates):
        polygon = shapely.Polygon(ring)
        shapely.prepare(polygon)
        keep[candidates] = shapely.intersects_xy(polygon, lon[candidates], lat[candidates])
    return keep


def drawing_to_area(drawing: Mapping[str, Any] | None) -> tuple[BBox | None, Ring]:
    """Read a shape drawn on the map (a GeoJSON feature from Leaflet.draw) as a filter area.

    Parameters
    ----------
    drawing : mapping or None
        A GeoJSON Feature or geometry; a Polygon is read, anything else is no area.

    Returns
    -------
    (bbox or None, ring)
        A rectangle (an axis-aligned four-corner ring) as a box, with an empty ring;
        any other polygon as its ring, with no box; ``(None, ())`` for no polygon.

    Raises
    ------
    AreaError
        When the polygon's vertices are out of range.
    """
    geometry = (drawing or {}).get("geometry", drawing) or {}
    if geometry.get("type") != "Polygon" or not geometry.get("coordinates"):
        return None, ()
    ring = check_ring(geometry["coordinates"][0])
    west, south, east, north = ring_bounds(ring)
    corners = {(west, south), (west, north), (east, south), (east, north)}
    if len(ring) == 4 and set(ring) == corners:
        return check_bbox((west, south, east, north)), ()
    return None, ring

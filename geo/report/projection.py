"""The report map's projection (Web Mercator), its extent and its scale."""

from __future__ import annotations

import math
from typing import Final

import numpy as np
from pyproj import Transformer

# Iraq and Syria: the map shown when nothing is selected and no extent is given.
DEFAULT_BOUNDS: Final = (35.5, 29.0, 48.8, 37.6)
MIN_SPAN_KM: Final = 120.0  # a single incident still shows the towns around it
LOCATOR_MIN_SPAN_KM: Final = 1_600.0  # the overview map shows at least this much
PAD_FRACTION: Final = 0.12
MERCATOR_LAT_LIMIT: Final = 85.0
_TO_MERCATOR = Transformer.from_crs(4326, 3857, always_xy=True)
_TO_LONLAT = Transformer.from_crs(3857, 4326, always_xy=True)


def project_points(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project longitudes and latitudes to Web Mercator metres (EPSG:3857).

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Degrees (WGS84).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        x and y in metres.
    """
    lat = np.clip(np.asarray(lat, dtype=float), -MERCATOR_LAT_LIMIT, MERCATOR_LAT_LIMIT)
    x, y = _TO_MERCATOR.transform(np.asarray(lon, dtype=float), lat)
    return np.asarray(x), np.asarray(y)


def _to_lonlat(x: float, y: float) -> tuple[float, float]:
    lon, lat = _TO_LONLAT.transform(x, y)
    return float(lon), float(lat)


def fit_extent(
    x: np.ndarray,
    y: np.ndarray,
    aspect: float,
    bounds: tuple[float, float, float, float] | None = None,
) -> tuple[float, float, float, float]:
    """Choose the map's Mercator extent for a frame of a given width/height ratio.

    Parameters
    ----------
    x, y : numpy.ndarray
        The incidents, in Web Mercator metres (may be empty).
    aspect : float
        Width over height of the map frame.
    bounds : tuple of float, optional
        ``(lon_min, lat_min, lon_max, lat_max)`` requested; otherwise the incidents'
        extent, padded and at least :data:`MIN_SPAN_KM` across (the Iraq/Syria view
        when there are no incidents).

    Returns
    -------
    tuple of float
        ``(xmin, ymin, xmax, ymax)`` in metres, widened so that it has the frame's ratio
        and contains the requested area.
    """
    if bounds is not None:
        (xmin, xmax), (ymin, ymax) = (
            sorted(v) for v in project_points(np.array(bounds[0::2]), np.array(bounds[1::2]))
        )
        pad = 0.0
    elif len(x):
        xmin, xmax, ymin, ymax = float(x.min()), float(x.max()), float(y.min()), float(y.max())
        pad = PAD_FRACTION
    else:
        return fit_extent(x, y, aspect, DEFAULT_BOUNDS)
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    # Mercator stretches distances by 1/cos(latitude): a ground span needs more metres.
    stretch = 1 / math.cos(math.radians(_to_lonlat(cx, cy)[1]))
    min_span = MIN_SPAN_KM * 1000 * stretch
    w = max((xmax - xmin) * (1 + 2 * pad), min_span)
    h = max((ymax - ymin) * (1 + 2 * pad), min_span / aspect)
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def nice_length(limit_m: float) -> float:
    """Return the largest 1, 2 or 5 x 10^k metres not above ``limit_m``."""
    exponent = math.floor(math.log10(limit_m))
    for step in (5, 2, 1):
        value = step * 10.0**exponent
        if value <= limit_m:
            return value
    return 10.0**exponent


def scale_bar_length(
    extent: tuple[float, float, float, float], fraction: float = 0.22
) -> tuple[float, float, float]:
    """Size a scale bar for a Mercator extent, true at the extent's centre latitude.

    Parameters
    ----------
    extent : tuple of float
        ``(xmin, ymin, xmax, ymax)`` in Web Mercator metres.
    fraction : float, default 0.22
        The largest share of the map's width the bar may take.

    Returns
    -------
    (ground_m, mercator_m, latitude)
        The bar's ground length in metres (a round number), its length in map units and
        the latitude where it is true (Mercator scale grows as 1/cos(latitude)).
    """
    xmin, ymin, xmax, ymax = extent
    latitude = _to_lonlat((xmin + xmax) / 2, (ymin + ymax) / 2)[1]
    factor = math.cos(math.radians(latitude))
    ground = nice_length((xmax - xmin) * fraction * factor)
    return ground, ground / factor, latitude

"""How incidents are drawn, on the interactive map and on the printed report alike.

Colours (by event type or acting side, from :mod:`geo.palette`), marker size by
casualties, fill opacity by location precision and the legend's titles and size key live
here once, so the two renderings can never disagree.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

from geo.palette import COLOR_BY, color_codes, color_keys, legend_items

# Marker radius in CSS pixels: the area grows with casualties (sqrt scale), within bounds.
RADIUS_MIN: Final = 4.0
RADIUS_MAX: Final = 22.0
RADIUS_PER_SQRT_CASUALTY: Final = 1.8
SIZE_KEY: Final = (0, 10, 100)  # casualties shown in the legend's size key
# Fill opacity by ACLED geo_precision: the less exact the place, the paler the marker.
GEO_PRECISION_OPACITY: Final = {1: 0.9, 2: 0.65, 3: 0.35}
DEFAULT_OPACITY: Final = 0.9  # a precision outside the table
LEGEND_TITLES: Final = {"event_type": "Event type", "actor": "Actor (side that acted)"}


def legend_title(color_by: str) -> str:
    """Return the legend heading of a colouring: the file's own column keeps its name."""
    return LEGEND_TITLES.get(color_by, color_by)


CSS_DPI: Final = 96.0  # CSS pixels per inch
POINTS_PER_INCH: Final = 72.0

__all__ = [
    "COLOR_BY",
    "GEO_PRECISION_OPACITY",
    "LEGEND_TITLES",
    "legend_title",
    "SIZE_KEY",
    "casualties",
    "color_codes",
    "color_keys",
    "legend_items",
    "marker_diameter_pt",
    "marker_radius",
    "precision_opacity",
]


def casualties(incidents: pd.DataFrame) -> np.ndarray:
    """Return fatalities plus injuries per incident (unrecorded figures count as 0).

    Parameters
    ----------
    incidents : DataFrame
        With ``fatalities`` and ``injuries``.

    Returns
    -------
    numpy.ndarray of float
    """
    injuries = incidents["injuries"].astype("Float64").fillna(0).to_numpy(dtype="float64")
    fatalities = incidents["fatalities"].astype("Float64").fillna(0).to_numpy(dtype="float64")
    return fatalities + injuries


def marker_radius(casualty_counts: Any) -> np.ndarray:
    """Marker radius in CSS pixels for casualty counts (area proportional, bounded).

    Parameters
    ----------
    casualty_counts : array-like of numbers
        Fatalities plus injuries; negative or missing counts as 0.

    Returns
    -------
    numpy.ndarray of float
        Between :data:`RADIUS_MIN` and :data:`RADIUS_MAX`.
    """
    values = np.nan_to_num(np.asarray(casualty_counts, dtype="float64"), nan=0.0).clip(min=0)
    return np.minimum(RADIUS_MAX, RADIUS_MIN + RADIUS_PER_SQRT_CASUALTY * np.sqrt(values))


def marker_diameter_pt(casualty_counts: Any) -> np.ndarray:
    """Marker diameter in points: the interactive map's radius, from CSS pixels to points."""
    return 2 * marker_radius(casualty_counts) * POINTS_PER_INCH / CSS_DPI


def precision_opacity(geo_precision: Any) -> np.ndarray:
    """Return the fill opacity of each marker by its location precision (1 exact to 3 rough).

    Parameters
    ----------
    geo_precision : array-like of int

    Returns
    -------
    numpy.ndarray of float
    """
    values = pd.Series(np.asarray(geo_precision))
    return values.map(GEO_PRECISION_OPACITY).fillna(DEFAULT_OPACITY).to_numpy(dtype="float64")

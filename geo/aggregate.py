"""Server-side aggregation: a bounded map payload however many incidents are shown.

Above :data:`MARKER_LIMIT` incidents the map draws grid clusters instead of markers. The
incidents are counted on a square lon/lat grid at several resolutions (halving the cell
each level, numpy only: floor of the coordinates -> cell ids -> ``np.unique``/``bincount``),
each level summed from the finer one, and the levels are sent at once in one compact JSON
table. The browser picks the level that suits the zoom and draws only the cells in view on
one canvas (a pie of the categories, sized by count, the exact count as a label), so pan and
zoom never ask the server for anything. The finest levels are dropped first when the total
would pass :data:`MAX_CELLS`, which bounds the payload whatever the number of incidents.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import MacroElement
from folium.template import Template

from geo.figures import recorded_or_zero
from geo.incidents import point_coordinates
from geo.palette import (
    NO_ACTOR,
    NO_VALUE,
    OTHER_ACTORS,
    OTHER_COLOR,
    OTHER_VALUES,
    UNKNOWN_COLOR,
    is_own_column,
)
from geo.symbology import casualties
from geo.webtext import script_json

MARKER_LIMIT: Final = 2_000
# Cell sides in degrees, coarse to fine: 8 deg (a country) down to 1/64 deg (about 1.7 km).
LEVEL_DEGREES: Final = tuple(8.0 / 2**k for k in range(10))
MAX_CELLS: Final = 16_000  # over all levels: about 50 bytes each, so well under 1 MB
MIN_CELL_PIXELS: Final = 56  # the browser shows the finest level whose cells are this wide
HEAT_MAX_POINTS: Final = 4_000
HEAT_GRID_DEGREES: Final = 0.01  # finest grid heat points are summed on when binned
HEAT_DECIMALS: Final = 5  # about 1 m, as the markers
COORD_DECIMALS: Final = 4  # about 10 m: far below a cell
DENSE_BINS: Final = 4_000_000  # cells of a rectangle counted densely (32 MB of int64)
COLOR_COLUMNS: Final = {"event_type": "event_type", "actor": "actor1"}


@dataclass(frozen=True)
class GridLevel:
    """Cells of one grid resolution, as parallel arrays (one entry per non-empty cell).

    Attributes
    ----------
    cell_deg : float
        Side of a cell in degrees.
    ix, iy : ndarray of int64
        Cell column and row: ``floor(lon / cell_deg)``, ``floor(lat / cell_deg)``.
    lon_sum, lat_sum : ndarray of float64
        Sums of the incidents' coordinates (the mean is the cell's drawn position).
    count, fatalities : ndarray of int64
        Incidents and fatalities per cell.
    by_category : ndarray of int64, shape (cells, categories)
        Incidents per cell and category; each row sums to ``count``.
    """

    cell_deg: float
    ix: np.ndarray
    iy: np.ndarray
    lon_sum: np.ndarray
    lat_sum: np.ndarray
    count: np.ndarray
    fatalities: np.ndarray
    by_category: np.ndarray

    def __len__(self) -> int:
        return len(self.count)


def _grid_from_points(
    lon: np.ndarray, lat: np.ndarray, codes: np.ndarray, fatalities: np.ndarray,
    n_categories: int, cell_deg: float,
) -> GridLevel:  # fmt: skip
    """Count points on one grid (the finest level, or a single level)."""
    ix = np.floor(lon / cell_deg).astype(np.int64)
    iy = np.floor(lat / cell_deg).astype(np.int64)
    return _reduce(ix, iy, lon, lat, np.ones(len(lon), dtype=np.int64), fatalities,
                   codes.astype(np.int64, copy=False), cell_deg, categories_are_codes=True,
                   n_categories=n_categories)  # fmt: skip


def _reduce(
    ix: np.ndarray, iy: np.ndarray, lon_sum: np.ndarray, lat_sum: np.ndarray,
    count: np.ndarray, fatalities: np.ndarray, categories: np.ndarray, cell_deg: float,
    *, categories_are_codes: bool = False, n_categories: int | None = None,
) -> GridLevel:  # fmt: skip
    """Sum rows (points or finer cells) that share a cell id."""
    cells, inverse, ix_out, iy_out = _cell_ids(ix, iy)

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(inverse, weights=values, minlength=cells)

    if categories_are_codes:
        # One bincount over (cell, category) pairs instead of one per category.
        k = n_categories or 0
        flat = np.bincount(inverse * k + categories, minlength=cells * k) if k else np.zeros(0)
        by_category = flat.reshape(cells, k).astype(np.int64)
    else:
        by_category = (
            np.stack([np.rint(total(categories[:, j])) for j in range(categories.shape[1])], axis=1)
            .astype(np.int64)
            .reshape(cells, categories.shape[1])
        )
    return GridLevel(
        cell_deg=cell_deg,
        ix=ix_out,
        iy=iy_out,
        lon_sum=total(lon_sum),
        lat_sum=total(lat_sum),
        count=np.rint(total(count.astype(np.float64))).astype(np.int64),
        fatalities=np.rint(total(fatalities.astype(np.float64))).astype(np.int64),
        by_category=by_category,
    )


def _cell_ids(ix: np.ndarray, iy: np.ndarray) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """Give each distinct (ix, iy) pair a number: count, row -> cell, cell ix and cell iy.

    Cells are numbered in (ix, iy) order. When the pairs span a modest rectangle, a dense
    bincount over it replaces the sort that ``np.unique`` needs (several times faster for
    hundreds of thousands of points).
    """
    if len(ix) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return 0, empty, empty, empty
    x0, y0 = int(ix.min()), int(iy.min())
    width, height = int(ix.max()) - x0 + 1, int(iy.max()) - y0 + 1
    if width * height <= max(DENSE_BINS, 4 * len(ix)):
        dense = (ix - x0) * height + (iy - y0)
        occupied = np.bincount(dense, minlength=width * height) > 0
        ids = np.flatnonzero(occupied)
        number = np.cumsum(occupied) - 1
        return len(ids), number[dense], ids // height + x0, ids % height + y0
    key = (ix << 32) ^ (iy & 0xFFFFFFFF)  # one int64 per cell; ids fit in 32 bits
    uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return len(uniq), inverse.reshape(-1), ix[first], iy[first]


def _coarsen(level: GridLevel) -> GridLevel:
    """Build the next level up: cells twice as wide, summed from this level's cells."""
    # An arithmetic right shift is floor division by two, for negative ids too.
    return _reduce(level.ix >> 1, level.iy >> 1, level.lon_sum, level.lat_sum, level.count,
                   level.fatalities, level.by_category, level.cell_deg * 2)  # fmt: skip


def grid_levels(
    lon: np.ndarray,
    lat: np.ndarray,
    codes: np.ndarray,
    fatalities: np.ndarray,
    *,
    n_categories: int,
    degrees: Sequence[float] = LEVEL_DEGREES,
) -> list[GridLevel]:
    """Count incidents on a pyramid of grids, finest level from the points, the rest upward.

    Parameters
    ----------
    lon, lat : ndarray of float
        Coordinates in degrees (finite).
    codes : ndarray of int
        Category code of each incident, ``0 <= code < n_categories``.
    fatalities : ndarray of int
        Fatalities of each incident.
    n_categories : int
        Number of categories (columns of ``by_category``).
    degrees : sequence of float, default :data:`LEVEL_DEGREES`
        Cell sides, coarse to fine, each half the previous one.

    Returns
    -------
    list of GridLevel
        In the order of ``degrees``.
    """
    levels = [_grid_from_points(lon, lat, codes, fatalities, n_categories, degrees[-1])]
    for _ in degrees[:-1]:
        levels.append(_coarsen(levels[-1]))
    return levels[::-1]


def _category_codes(
    gdf: pd.DataFrame, column: str, categories: Sequence[str], other: str | None
) -> np.ndarray:
    """Index of each incident's category in ``categories`` (factorized once, then a lookup)."""
    codes, uniques = pd.factorize(gdf[column], use_na_sentinel=True)
    position = {name: i for i, name in enumerate(categories)}
    fallback = position.get(other, len(categories) - 1) if other is not None else -1
    lut = np.asarray(
        [position.get(_category_name(u, column), fallback) for u in uniques]
        + [position.get(_category_name(None, column), fallback)],
        dtype=np.int64,
    )
    return lut[codes]  # code -1 (missing) picks the last entry: the missing value's label


def _category_name(value: object, column: str) -> str:
    """Return the legend label of one raw value."""
    text = "" if value is None or value is pd.NA or value != value else str(value)
    if text or column == "event_type":
        return text
    return NO_ACTOR if column == "actor1" else NO_VALUE


def _categories_for(
    gdf: pd.DataFrame, colors: Mapping[str, str], color_by: str
) -> tuple[str, list[str], list[str], str | None]:
    """Column, category labels, colours, and the label that takes any other value."""
    column = COLOR_COLUMNS.get(color_by, color_by)
    if color_by not in COLOR_COLUMNS and not is_own_column(gdf, column):
        raise ValueError(
            f"color_by must be one of {', '.join(COLOR_COLUMNS)} or a column; got {color_by!r}"
        )
    labels = list(colors)
    palette = [colors[label] for label in labels]
    other = OTHER_ACTORS if color_by == "actor" else OTHER_VALUES
    if other not in colors:
        labels.append(other)
        palette.append(OTHER_COLOR if color_by == "actor" else UNKNOWN_COLOR)
    return column, labels, palette, other


def _coordinates(gdf: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Longitudes, latitudes and a mask of the points that have finite coordinates."""
    lon, lat = point_coordinates(gdf)
    ok = np.isfinite(lon) & np.isfinite(lat)
    return lon, lat, ok


def aggregate_points(
    gdf: gpd.GeoDataFrame, *, cell_deg: float, by: str = "event_type"
) -> pd.DataFrame:
    """Count incidents on a square lon/lat grid.

    Parameters
    ----------
    gdf : GeoDataFrame
        Canonical incidents with point geometries (empty or missing points are skipped).
    cell_deg : float
        Side of a grid cell in degrees (> 0).
    by : str, default "event_type"
        Column whose values are counted per cell (e.g. ``event_type`` or ``actor1``).

    Returns
    -------
    DataFrame
        One row per non-empty cell, most incidents first: ``lon``, ``lat`` (the mean
        position of its incidents), ``count``, ``fatalities``, ``dominant`` (the most
        frequent value of ``by``; ties go to the value first in sorted order), ``cell_x``,
        ``cell_y`` (grid column and row) and one ``count:<value>`` column per value of
        ``by``. ``count`` sums to the number of incidents with a point, and the
        ``count:`` columns of a row sum to its ``count``.

    Raises
    ------
    ValueError
        When ``cell_deg`` is not a positive number.
    """
    if not cell_deg > 0:
        raise ValueError(f"cell_deg must be a positive number of degrees; got {cell_deg!r}")
    lon, lat, ok = _coordinates(gdf)
    values = gdf[by].astype("string").fillna("").to_numpy(dtype=object)[ok]
    categories = sorted(set(values))
    codes = pd.Categorical(values, categories=categories).codes.astype(np.int64)
    fatalities = recorded_or_zero(gdf["fatalities"])[ok]
    level = _grid_from_points(lon[ok], lat[ok], codes, fatalities, len(categories), cell_deg)
    by_category = level.by_category
    count = level.count
    frame = pd.DataFrame(
        {
            "lon": level.lon_sum / np.maximum(count, 1),
            "lat": level.lat_sum / np.maximum(count, 1),
            "count": count,
            "fatalities": level.fatalities,
            "dominant": np.asarray(categories, dtype=object)[by_category.argmax(axis=1)]
            if len(count)
            else np.asarray([], dtype=object),
            "cell_x": level.ix,
            "cell_y": level.iy,
        }
    )
    for j, name in enumerate(categories):
        frame[f"count:{name}"] = by_category[:, j]
    return frame.sort_values(["count", "cell_x", "cell_y"], ascending=[False, True, True],
                             ignore_index=True)  # fmt: skip


def select_levels(levels: Sequence[GridLevel], max_cells: int = MAX_CELLS) -> list[GridLevel]:
    """Keep the coarsest levels whose cells add up to at most ``max_cells``.

    Parameters
    ----------
    levels : sequence of GridLevel
        Coarse to fine.
    max_cells : int, default :data:`MAX_CELLS`

    Returns
    -------
    list of GridLevel
        A prefix of ``levels``; never empty when ``levels`` is not (the coarsest level is
        always kept, and it has few cells by construction).
    """
    kept: list[GridLevel] = []
    total = 0
    for level in levels:
        total += len(level)
        if kept and total > max_cells:
            break
        kept.append(level)
    return kept


def _level_json(level: GridLevel) -> dict[str, Any]:
    """One level as compact parallel lists; ``b`` is the cells x categories table, flat."""
    count = level.count
    return {
        "deg": level.cell_deg,
        "x": np.round(level.lon_sum / count, COORD_DECIMALS).tolist(),
        "y": np.round(level.lat_sum / count, COORD_DECIMALS).tolist(),
        "n": count.tolist(),
        "f": level.fatalities.tolist(),
        "b": level.by_category.ravel().tolist(),
    }


def build_cluster_payload(
    gdf: gpd.GeoDataFrame,
    colors: Mapping[str, str],
    color_by: str,
    *,
    max_cells: int = MAX_CELLS,
) -> dict[str, Any]:
    """Build the data the cluster layer sends to the browser.

    Parameters
    ----------
    gdf : GeoDataFrame
        Canonical incidents, already filtered.
    colors : mapping of str to str
        Legend label -> ``#RRGGBB`` (see :func:`geo.palette.color_keys`).
    color_by : {"event_type", "actor"}
        What the labels are: ACLED event types, or ``actor1`` names (an actor outside
        ``colors`` counts under "Other actors", an empty one under "(no actor)").
    max_cells : int, default :data:`MAX_CELLS`
        Budget of cells over all levels.

    Returns
    -------
    dict
        ``cats``: ``[escaped label, colour]`` pairs; ``levels``: coarse to fine, each
        ``{"deg", "x", "y", "n", "f", "b"}`` (mean lon, mean lat, count, fatalities, and
        the flat cells x categories count table, in ``cats`` order); ``total``: incidents
        with a point; ``fk``: which incidents record fatalities, ``"all"``, ``"some"``
        or ``"none"`` (then the popups leave the figure out rather than show 0).
    """
    column, labels, palette, other = _categories_for(gdf, colors, color_by)
    lon, lat, ok = _coordinates(gdf)
    codes = _category_codes(gdf, column, labels, other)[ok]
    fatalities = recorded_or_zero(gdf["fatalities"])[ok]
    levels = (
        select_levels(
            grid_levels(lon[ok], lat[ok], codes, fatalities, n_categories=len(labels)), max_cells
        )
        if ok.any()
        else []
    )
    return {
        "cats": [[html.escape(label), color] for label, color in zip(labels, palette, strict=True)],
        "levels": [_level_json(level) for level in levels],
        "total": int(ok.sum()),
        "fk": _fatalities_kept(gdf["fatalities"][ok]),
    }


def _fatalities_kept(values: pd.Series) -> str:
    """``"all"``, ``"some"`` or ``"none"``: which incidents give a fatality figure."""
    known = int(values.notna().sum())
    return "none" if known == 0 else ("all" if known == len(values) else "some")


def build_heat_points(
    incidents: gpd.GeoDataFrame, *, binned: bool = True, max_points: int = HEAT_MAX_POINTS
) -> list[list[float]]:
    """Heat-map points ``[lat, lon, weight]``, weighted by casualties + 1.

    Parameters
    ----------
    incidents : GeoDataFrame
        Canonical incidents.
    binned : bool
        Sum the points on a grid that starts at :data:`HEAT_GRID_DEGREES` and doubles
        until at most ``max_points`` cells remain, which bounds the payload; each cell sits
        at its weighted centre. Unbinned, every incident is a point.
    max_points : int, default :data:`HEAT_MAX_POINTS`

    Returns
    -------
    list of [lat, lon, weight]
        Weights add up to the casualties plus the number of incidents with a point.
    """
    lon, lat = point_coordinates(incidents)
    weight = casualties(incidents) + 1.0
    ok = np.isfinite(lat) & np.isfinite(lon)
    return sum_heat_points(lat[ok], lon[ok], weight[ok], binned=binned, max_points=max_points)


def sum_heat_points(
    lat: np.ndarray,
    lon: np.ndarray,
    weight: np.ndarray,
    *,
    binned: bool = True,
    cell: float = HEAT_GRID_DEGREES,
    max_points: int = HEAT_MAX_POINTS,
) -> list[list[float]]:
    """Heat-map ``[lat, lon, weight]`` rows, summed on a doubling grid when binned.

    Parameters
    ----------
    lat, lon, weight : ndarray of float
        Points (or weighted centres of cells smaller than ``cell``) and their weights.
    binned : bool, default True
        Sum until at most ``max_points`` rows remain.
    cell : float, default :data:`HEAT_GRID_DEGREES`
        The first grid's cell side in degrees.
    max_points : int, default :data:`HEAT_MAX_POINTS`

    Returns
    -------
    list of [lat, lon, weight]
    """
    while binned and len(lat) > max_points:
        # A centre stays inside its cell, so summing centres on a doubled grid is exact.
        i = np.floor(lat / cell).astype(np.int64)
        j = np.floor(lon / cell).astype(np.int64)
        cells, _ = pd.factorize((i - i.min()) * (j.max() - j.min() + 1) + (j - j.min()))
        total = np.bincount(cells, weights=weight).astype("float64")
        lat = np.bincount(cells, weights=lat * weight) / total
        lon = np.bincount(cells, weights=lon * weight) / total
        weight = total
        cell *= 2
    return np.column_stack([np.round(lat, HEAT_DECIMALS), np.round(lon, HEAT_DECIMALS),
                            weight]).tolist()  # fmt: skip


class ClusterLayer(MacroElement):
    """Grid clusters drawn on one canvas: pies sized by count, the exact count as a label.

    The browser picks the grid level by zoom (the finest whose cells are at least
    :data:`MIN_CELL_PIXELS` wide), draws only cells in view, and opens a popup with the
    breakdown on click; pan and zoom run entirely in the browser.

    Parameters
    ----------
    payload : dict
        See :func:`build_cluster_payload`.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var data = /* clusters */ {{ this.payload }};
            var target = {{ this._parent.get_name() }};
            var MIN_PX = {{ this.min_px }}, K = data.cats.length;
            function fmt(n) { return n.toLocaleString("en-US"); }
            function radius(n) { return 7 + 5 * Math.log10(n); }
            function pickLevel(map) {
                var z = map.getZoom(), pick = null;
                data.levels.forEach(function (lv) {
                    if (lv.deg * 256 * Math.pow(2, z) / 360 >= MIN_PX) { pick = lv; }
                });
                return pick || data.levels[0];
            }
            var Clusters = L.Layer.extend({
                onAdd: function (map) {
                    this._map = map;
                    this._canvas = L.DomUtil.create("canvas", "geo-clusters leaflet-zoom-hide");
                    this._canvas.style.position = "absolute";
                    this._canvas.style.pointerEvents = "none";
                    map.getPanes().overlayPane.appendChild(this._canvas);
                    map.on("moveend zoomend resize viewreset", this._draw, this);
                    map.on("click", this._click, this);
                    this._draw();
                },
                onRemove: function (map) {
                    map.off("moveend zoomend resize viewreset", this._draw, this);
                    map.off("click", this._click, this);
                    L.DomUtil.remove(this._canvas);
                },
                _draw: function () {
                    var map = this._map, size = map.getSize(), dpr = window.devicePixelRatio || 1;
                    var canvas = this._canvas, ctx = canvas.getContext("2d");
                    L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
                    canvas.width = size.x * dpr; canvas.height = size.y * dpr;
                    canvas.style.width = size.x + "px"; canvas.style.height = size.y + "px";
                    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
                    var lv = pickLevel(map), shown = [];
                    if (!lv) { return; }
                    for (var i = 0; i < lv.n.length; i++) {
                        var p = map.latLngToContainerPoint([lv.y[i], lv.x[i]]), r = radius(lv.n[i]);
                        if (p.x < -r || p.y < -r || p.x > size.x + r
                            || p.y > size.y + r) { continue; }
                        shown.push([p, r, i]);
                    }
                    shown.sort(function (a, b) { return lv.n[a[2]] - lv.n[b[2]]; });
                    ctx.font = "bold 11px sans-serif"; ctx.textAlign = "center";
                    ctx.textBaseline = "middle"; ctx.lineJoin = "round";
                    shown.forEach(function (s) {
                        var p = s[0], r = s[1], i = s[2], start = -Math.PI / 2;
                        for (var k = 0; k < K; k++) {
                            var c = lv.b[i * K + k];
                            if (!c) { continue; }
                            var sweep = 2 * Math.PI * c / lv.n[i];
                            ctx.beginPath(); ctx.moveTo(p.x, p.y);
                            ctx.arc(p.x, p.y, r, start, start + sweep); ctx.closePath();
                            ctx.fillStyle = data.cats[k][1]; ctx.globalAlpha = 0.85; ctx.fill();
                            start += sweep;
                        }
                        ctx.globalAlpha = 1; ctx.beginPath(); ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
                        ctx.lineWidth = 1.5; ctx.strokeStyle = "#ffffff"; ctx.stroke();
                        var label = fmt(lv.n[i]);
                        ctx.lineWidth = 3; ctx.strokeStyle = "rgba(255,255,255,0.9)";
                        ctx.strokeText(label, p.x, p.y); ctx.fillStyle = "#1a1a1a";
                        ctx.fillText(label, p.x, p.y);
                    });
                    this._shown = shown; this._level = lv;
                    canvas.setAttribute("data-cells", String(shown.length));
                    canvas.setAttribute("data-drawn", String(Date.now()));
                },
                _click: function (e) {
                    var lv = this._level, hit = null;
                    (this._shown || []).forEach(function (s) {
                        if (s[0].distanceTo(e.containerPoint) <= s[1]) { hit = s; }
                    });
                    if (!hit) { return; }
                    var i = hit[2], rows = "", order = [];
                    for (var k = 0; k < K; k++) { if (lv.b[i * K + k]) { order.push(k); } }
                    order.sort(function (a, b) { return lv.b[i * K + b] - lv.b[i * K + a]; });
                    order.forEach(function (k) {
                        rows += "<tr><td><span class='geo-swatch' style='display:inline-block;"
                            + "width:9px;height:9px;margin-right:4px;background:"
                            + data.cats[k][1] + "'></span>" + data.cats[k][0]
                            + "</td><td style='text-align:right;padding-left:8px'>"
                            + fmt(lv.b[i * K + k]) + "</td></tr>";
                    });
                    L.popup({maxWidth: 320}).setLatLng([lv.y[i], lv.x[i]]).setContent(
                        "<div class='geo-popup geo-cluster-popup'><b>" + fmt(lv.n[i])
                        + " incidents</b>" + (data.fk === "none" ? ""
                            : ", " + fmt(lv.f[i]) + " fatalities"
                            + (data.fk === "some" ? " where recorded" : ""))
                        + "<table>" + rows + "</table><i>Grid cell of " + lv.deg
                        + "&deg;; zoom in for detail.</i></div>").openOn(this._map);
                }
            });
            target.addLayer(new Clusters());
        })();
        {% endmacro %}
        """
    )

    def __init__(self, payload: Mapping[str, Any]):
        super().__init__()
        self._name = "ClusterLayer"
        self.payload = script_json(payload, ascii_only=True)
        self.min_px = MIN_CELL_PIXELS


def add_aggregated_layers(
    m: folium.Map | folium.FeatureGroup,
    gdf: gpd.GeoDataFrame,
    colors: Mapping[str, str],
    color_by: str,
) -> None:
    """Draw incidents as grid clusters with exact counts onto a map or a feature group.

    Parameters
    ----------
    m : folium.Map or folium.FeatureGroup
        Where the cluster layer is added.
    gdf : GeoDataFrame
        Canonical incidents, already filtered.
    colors : mapping of str to str
        Legend label -> ``#RRGGBB``: event types, or actor names (see ``color_by``).
    color_by : {"event_type", "actor"}
        Colour the pies by ACLED event type or by ``actor1``.

    Raises
    ------
    ValueError
        When ``color_by`` is neither ``event_type`` nor ``actor``.
    """
    ClusterLayer(build_cluster_payload(gdf, colors, color_by)).add_to(m)

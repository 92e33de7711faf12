"""What the report map draws: basemap, towns, incidents, rings, scale bar, arrow, locator."""

from __future__ import annotations

import functools
import math
from typing import Any, Final

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import EllipseCollection
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrow, Rectangle

from geo import basemap
from geo.report.labels import HALO, INK, MUTED, LabelPlacer, _text, label_box, overlaps
from geo.report.projection import (
    _TO_LONLAT,
    LOCATOR_MIN_SPAN_KM,
    _to_lonlat,
    project_points,
    scale_bar_length,
)
from geo.symbology import (
    casualties,
    marker_diameter_pt,
    precision_opacity,
)

MAX_LABELLED_INCIDENTS: Final = 12
MAX_UNCERTAINTY_CIRCLES: Final = 2_000
DENSE_INCIDENTS: Final = 5_000  # above this, markers lose their rims and are rasterized in PDF
MAX_TOWN_LABELS: Final = 28
FADED_OPACITY: Final = 0.2  # earlier steps of a cumulative time-lapse
MAX_COUNT_BADGES: Final = 400  # beyond this the badges would cover the map
COUNT_BADGE_GID: Final = "count-badge"


def marker_diameter(casualty_counts: np.ndarray) -> np.ndarray:
    """Marker diameter in points: the interactive map's radius, from CSS pixels to points."""
    return marker_diameter_pt(casualty_counts)


def _read_layer(
    layer: str, bbox: tuple[float, float, float, float], *, crs: int = 3857
) -> gpd.GeoDataFrame:
    """Read a basemap layer in a bounding box, in ``crs``; never modify what it returns.

    A time-lapse draws the same extent on every frame: reading it once saves a third of
    each frame's time. The file's modification time is part of the key, so a basemap
    installed again is read again.
    """
    path = basemap.BASEMAP_DIR / basemap.LAYER_FILES[layer]
    version = path.stat().st_mtime_ns if path.is_file() else None
    if version is None:  # not installed: read_basemap says how to install it
        return basemap.read_basemap(layer, bbox)
    return _read_layer_version(layer, bbox, crs, version)


@functools.lru_cache(maxsize=32)
def _read_layer_version(
    layer: str, bbox: tuple[float, float, float, float], crs: int, version: int
) -> gpd.GeoDataFrame:
    """Read one version of a layer (see :func:`_read_layer`)."""
    gdf = basemap.read_basemap(layer, bbox)
    return gdf if crs == 4326 else gdf.to_crs(crs)


def _draw_basemap(ax: Axes, extent: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    """Land, provinces, rivers and borders from the installed offline basemap."""
    xmin, ymin, xmax, ymax = extent
    lon0, lat0 = _to_lonlat(xmin, ymin)
    lon1, lat1 = _to_lonlat(xmax, ymax)
    bbox = (lon0 - 0.5, max(lat0 - 0.5, -89.0), lon1 + 0.5, min(lat1 + 0.5, 89.0))
    ax.set_facecolor(basemap.SEA_COLOR)
    countries = _read_layer("countries", bbox)
    countries.plot(ax=ax, color=basemap.LAND_COLOR, edgecolor="none", zorder=1)
    admin1 = _read_layer("admin1", bbox)
    if len(admin1):
        admin1.boundary.plot(ax=ax, color=basemap.PROVINCE_COLOR, linewidth=0.45, zorder=2)
    rivers = _read_layer("rivers", bbox)
    if len(rivers):
        lakes = rivers[rivers["kind"] == "lake"]
        lines = rivers[rivers["kind"] != "lake"]
        if len(lakes):
            lakes.plot(
                ax=ax,
                color=basemap.SEA_COLOR,
                edgecolor=basemap.RIVER_COLOR,
                linewidth=0.5,
                zorder=2,
            )
        if len(lines):
            lines.plot(ax=ax, color=basemap.RIVER_COLOR, linewidth=0.9, zorder=2)
    countries.boundary.plot(ax=ax, color=basemap.BORDER_COLOR, linewidth=0.9, zorder=3)
    ax.set_xlabel("")
    ax.set_ylabel("")
    return countries


def _draw_country_names(
    ax: Axes,
    countries: gpd.GeoDataFrame,
    extent: tuple[float, float, float, float],
    labels: LabelPlacer,
) -> None:
    """Country names on maps wider than a few hundred kilometres."""
    xmin, ymin, xmax, ymax = extent
    lat0, lat1 = _to_lonlat(xmin, ymin)[1], _to_lonlat(xmax, ymax)[1]
    span_km = (xmax - xmin) / 1000 * math.cos(math.radians((lat0 + lat1) / 2))
    dpi = ax.get_figure().dpi  # type: ignore[union-attr]
    if span_km > 500:
        clipped = countries.clip((xmin, ymin, xmax, ymax))
        for name, geom in zip(clipped["name"], clipped.geometry, strict=True):
            if geom.is_empty or geom.area < (xmax - xmin) * (ymax - ymin) * 0.01:
                continue
            point = geom.representative_point()
            label = str(name).upper()
            px, py = ax.transData.transform((point.x, point.y)) / dpi
            box = label_box(px, py - 0.08, label, 8.5, "top", bold=True)
            if not labels.take(box):
                continue
            _text(
                ax,
                point.x,
                point.y,
                label,
                fontsize=8.5,
                color="#8a847a",
                ha="center",
                va="center",
                zorder=4,
                fontweight="bold",
            )


def _read_towns(extent: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    """Read the towns in the extent, most populous first, with Mercator ``x``/``y``."""
    xmin, ymin, xmax, ymax = extent
    lon0, lat0 = _to_lonlat(xmin, ymin)
    lon1, lat1 = _to_lonlat(xmax, ymax)
    towns = _read_layer("towns", (lon0, lat0, lon1, lat1), crs=4326)
    towns = towns.sort_values("population", ascending=False, kind="stable").head(400)
    x, y = project_points(towns.geometry.x.to_numpy(), towns.geometry.y.to_numpy())
    return towns.assign(x=x, y=y)


def _draw_towns(
    labels: LabelPlacer,
    towns: gpd.GeoDataFrame,
    n_markers: int,
    considered: list,
    limit: int,
) -> int:
    """Town dots and names in the given order, leaving out names that would collide.

    The first ``n_markers`` boxes of ``labels`` are incident markers: names avoid them, but
    a town under a marker is still named beside it. ``considered`` holds the dots of towns
    already tried, so that a district next to a city is never named in its place.
    Returns how many towns were named.
    """
    ax, fig = labels.ax, labels.fig
    shown_x: list[float] = []
    shown_y: list[float] = []
    dots = ax.transData.transform(towns[["x", "y"]].to_numpy().reshape(-1, 2)) / fig.dpi
    for name, x, y, population, (dx, dy) in zip(
        towns["name"], towns["x"], towns["y"], towns["population"], dots, strict=True
    ):
        if len(shown_x) >= limit:
            break
        dot = (dx - 0.05, dy - 0.05, dx + 0.05, dy + 0.05)
        if not labels.is_free(dot, after=n_markers) or overlaps(dot, considered):
            considered.append(dot)
            continue
        considered.append(dot)
        big = population >= 1_000_000
        labels.keep_clear(dot)
        if labels.place(
            x,
            y,
            str(name),
            8.5 if big else 7.2,
            0.02,
            color="#3d3a36" if big else "#57534d",
            fontweight="bold" if big else "normal",
            zorder=8,
        ):
            shown_x.append(x)
            shown_y.append(y)
        else:
            labels.release(dot)
    ax.scatter(shown_x, shown_y, s=9, c="#3d3a36", marker="s", linewidths=0, zorder=8)
    return len(shown_x)


def _draw_incidents(
    ax: Axes,
    incidents: gpd.GeoDataFrame,
    x: np.ndarray,
    y: np.ndarray,
    colors: list[str],
    *,
    faded: np.ndarray | None = None,
) -> None:
    """All incidents in one vectorised scatter: size by casualties, hollow when dated roughly.

    Incidents marked in ``faded`` are drawn first, at a fifth of their opacity, so the
    others (a time-lapse's newest step) stand out over them.
    """
    n = len(incidents)
    if n == 0:
        return
    diameter = marker_diameter(casualties(incidents))
    approximate_date = incidents["time_precision"].to_numpy() > 1
    # As on the interactive map: a rough date is a hollow disc with a dashed rim in the
    # colour; a rough place is a paler disc.
    rgba = matplotlib.colors.to_rgba_array(colors)
    opacity = precision_opacity(incidents["geo_precision"].to_numpy())
    face = rgba.copy()
    face[:, 3] = opacity
    face[approximate_date] = (1.0, 1.0, 1.0, 0.75)
    pale = np.zeros(n, dtype=bool) if faded is None else np.asarray(faded, dtype=bool)
    face[pale, 3] *= FADED_OPACITY
    rgba[pale, 3] *= FADED_OPACITY
    dense = n > DENSE_INCIDENTS
    # One vectorised scatter per marker style (per-point dash patterns cost seconds at
    # 100k), large markers first so that the small ones drawn over them stay visible.
    # Dense layers are rasterized in the PDF: 100k vector discs make a slow, huge file.
    # Sparse maps put the hollow discs on top; dense ones let the solid colours dominate.
    styles = [(h, p) for p in (True, False) for h in ((True, False) if dense else (False, True))]
    for hollow, is_pale in styles:
        members = np.flatnonzero((approximate_date == hollow) & (pale == is_pale))
        if not len(members):
            continue
        members = members[np.argsort(-diameter[members], kind="stable")]
        if hollow:
            style: dict[str, Any] = {
                "edgecolors": rgba[members],
                "linewidths": 1.2 if dense else 1.9,
                "linestyles": (0, (2.5, 1.5)),
            }
        else:
            style = {"edgecolors": "white", "linewidths": 0.0 if dense or is_pale else 0.75}
        ax.scatter(
            x[members],
            y[members],
            s=diameter[members] ** 2,
            c=face[members],
            zorder=6.5 if is_pale else 7,
            rasterized=dense,
            **style,
        )
    _draw_uncertainty(ax, incidents, x, y, colors, pale)


def _draw_count_badges(ax: Axes, x: np.ndarray, y: np.ndarray) -> list[tuple[float, float, int]]:
    """Put a count badge on each point that holds several incidents, so none hides another.

    Points closer than a metre (Web Mercator) count as one: incidents at one site share
    its coordinates. Returns the ``(x, y, count)`` of each badge drawn.
    """
    if len(x) < 2:
        return []
    cells = np.column_stack([np.round(x), np.round(y)])
    points, counts = np.unique(cells, axis=0, return_counts=True)
    badges = [(float(px), float(py), int(n)) for (px, py), n in zip(points, counts, strict=True)
              if n > 1][:MAX_COUNT_BADGES]  # fmt: skip
    for px, py, n in badges:
        ax.annotate(
            f"{n:,}",
            (px, py),
            xytext=(7, 7),
            textcoords="offset points",
            fontsize=6.5,
            fontweight="bold",
            color="white",
            ha="center",
            va="center",
            zorder=9,
            gid=COUNT_BADGE_GID,
            bbox={"boxstyle": "round,pad=0.25", "facecolor": INK, "edgecolor": "white",
                  "linewidth": 0.6},
        )  # fmt: skip
    return badges


def _label_incidents(
    labels: LabelPlacer, incidents: gpd.GeoDataFrame, x: np.ndarray, y: np.ndarray
) -> None:
    """Name a few incidents on the map ("Camp Taji, 11 Mar 2020"), oldest first."""
    ax, fig = labels.ax, labels.fig
    if 0 < len(incidents) <= MAX_LABELLED_INCIDENTS:
        radius_in = marker_diameter(casualties(incidents)) / 2 / 72
        # Keep the name clear of a small uncertainty ring too (a large one it may cross).
        lat = incidents.geometry.y.to_numpy()
        metres = incidents["uncertainty_km"].fillna(0).to_numpy() * 1000
        inch_per_m = (ax.transData.transform((1.0, 0.0)) - ax.transData.transform((0.0, 0.0)))[0]
        ring_in = metres / np.cos(np.radians(lat)) * inch_per_m / fig.dpi
        ring_in = np.where(ring_in < 0.35, ring_in, 0.0)
        radius_in = np.maximum(radius_in, ring_in)
        for i in np.argsort(incidents["event_date"].to_numpy(), kind="stable"):
            row = incidents.iloc[i]
            day = row["event_date"]
            when = f"{day.day} {day:%b %Y}" if pd.notna(day) else "date unknown"
            text = f"{row['location'] or row['site_id']}, {when}"
            labels.place(x[i], y[i], text, 8.0, float(radius_in[i]), color=INK, zorder=8)


def _draw_uncertainty(
    ax: Axes,
    incidents: gpd.GeoDataFrame,
    x: np.ndarray,
    y: np.ndarray,
    colors: list[str],
    pale: np.ndarray | None = None,
) -> None:
    """Draw a dashed ring of each incident's stated uncertainty radius (``uncertainty_km``)."""
    if len(incidents) > MAX_UNCERTAINTY_CIRCLES:
        return
    radius_km = incidents["uncertainty_km"].to_numpy(dtype=float)
    keep = np.isfinite(radius_km) & (radius_km > 0)
    if not keep.any():
        return
    lat = np.asarray(_TO_LONLAT.transform(x[keep], y[keep])[1])
    # A ground radius covers 1/cos(latitude) as many Mercator metres.
    diameter = 2 * radius_km[keep] * 1000 / np.cos(np.radians(lat))
    rgba = matplotlib.colors.to_rgba_array([c for c, k in zip(colors, keep, strict=True) if k])
    if pale is not None:
        rgba[pale[keep], 3] *= FADED_OPACITY
    face = rgba.copy()
    face[:, 3] = 0.06
    circles = EllipseCollection(
        diameter,
        diameter,
        np.zeros(len(diameter)),
        units="xy",
        offsets=np.column_stack([x[keep], y[keep]]),
        offset_transform=ax.transData,
        facecolors=face,
        edgecolors=rgba,
        linewidths=0.9,
        linestyles=(0, (4, 3)),
        zorder=6,
    )
    ax.add_collection(circles)


def _draw_scale_bar(ax: Axes, extent: tuple[float, float, float, float]) -> None:
    """Draw a two-segment scale bar in the lower left, true at the centre latitude."""
    ground, length, latitude = scale_bar_length(extent)
    xmin, ymin, xmax, ymax = extent
    w, h = xmax - xmin, ymax - ymin
    x0, y0 = xmin + 0.03 * w, ymin + 0.045 * h
    bar_h = 0.012 * h
    ax.add_patch(
        Rectangle(
            (x0 - 0.012 * w, y0 - 0.022 * h),
            length + 0.024 * w,
            0.085 * h,
            facecolor="white",
            alpha=0.8,
            edgecolor="none",
            zorder=9,
        )
    )
    for k in range(2):
        ax.add_patch(
            Rectangle(
                (x0 + k * length / 2, y0),
                length / 2,
                bar_h,
                facecolor=INK if k == 0 else "white",
                edgecolor=INK,
                linewidth=0.8,
                zorder=10,
            )
        )
    label = f"{ground / 1000:g} km" if ground >= 1000 else f"{ground:g} m"
    for pos, text in ((0, "0"), (length, label)):
        _text(
            ax,
            x0 + pos,
            y0 + bar_h + 0.008 * h,
            text,
            fontsize=7.5,
            color=INK,
            ha="center",
            va="bottom",
            zorder=10,
        )
    hemisphere = "N" if latitude >= 0 else "S"
    _text(
        ax,
        x0,
        y0 - 0.006 * h,
        f"Scale true at {abs(latitude):.1f}°{hemisphere}",
        fontsize=6.5,
        color=MUTED,
        ha="left",
        va="top",
        zorder=10,
    )


def _draw_north_arrow(ax: Axes) -> None:
    """North is straight up everywhere in Web Mercator: meridians are vertical lines."""
    kwargs: dict[str, Any] = {"transform": ax.transAxes, "zorder": 10}
    ax.add_patch(
        FancyArrow(
            0.955,
            0.865,
            0,
            0.085,
            width=0.006,
            head_width=0.026,
            head_length=0.04,
            length_includes_head=True,
            color=INK,
            **kwargs,
        )
    )
    _text(
        ax,
        0.955,
        0.845,
        "N",
        fontsize=10,
        fontweight="bold",
        color=INK,
        ha="center",
        va="top",
        path_effects=HALO,
        **kwargs,
    )


def _draw_locator(
    fig: Figure, rect: tuple[float, float, float, float], extent: tuple[float, float, float, float]
) -> None:
    """Draw an overview map that shows where the main map lies (its frame in red)."""
    ax = fig.add_axes(rect)
    xmin, ymin, xmax, ymax = extent
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    aspect = (rect[2] * fig.get_figwidth()) / (rect[3] * fig.get_figheight())
    stretch = 1 / math.cos(math.radians(_to_lonlat(cx, cy)[1]))
    w = max(4 * (xmax - xmin), LOCATOR_MIN_SPAN_KM * 1000 * stretch)
    h = w / aspect
    if h < 4 * (ymax - ymin):
        h = 4 * (ymax - ymin)
        w = h * aspect
    frame = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    lon0, lat0 = _to_lonlat(frame[0], max(frame[1], -20e6))
    lon1, lat1 = _to_lonlat(frame[2], min(frame[3], 20e6))
    bbox = (max(lon0, -180.0), max(lat0, -85.0), min(lon1, 180.0), min(lat1, 85.0))
    ax.set_facecolor(basemap.SEA_COLOR)
    countries = _read_layer("countries", bbox)
    if len(countries):
        countries.plot(
            ax=ax, color=basemap.LAND_COLOR, edgecolor=basemap.BORDER_COLOR, linewidth=0.4
        )
        clipped = countries.clip(frame)
        for name, geom in zip(clipped["name"], clipped.geometry, strict=True):
            if geom.is_empty or geom.area < 0.06 * w * h:
                continue
            point = geom.representative_point()
            # Skip names that would run off the frame's sides.
            half_width = len(str(name)) * 5.5 * 0.68 / 72 / 2 / (rect[2] * fig.get_figwidth()) * w
            if abs(point.x - cx) + half_width < 0.48 * w:
                _text(
                    ax,
                    point.x,
                    point.y,
                    str(name).upper(),
                    fontsize=5.5,
                    color="#8a847a",
                    ha="center",
                    va="center",
                    fontweight="bold",
                    zorder=4,
                )
    ax.add_patch(
        Rectangle(
            (xmin, ymin),
            xmax - xmin,
            ymax - ymin,
            facecolor=(0.75, 0.22, 0.17, 0.15),
            edgecolor="#c0392b",
            linewidth=1.3,
            zorder=5,
        )
    )
    ax.set_xlim(frame[0], frame[2])
    ax.set_ylim(frame[1], frame[3])
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_edgecolor("#9a9a9a")
        spine.set_linewidth(0.6)
    _text(
        ax,
        0.03,
        0.04,
        "Location of the map",
        transform=ax.transAxes,
        fontsize=6.5,
        color=MUTED,
        ha="left",
        va="bottom",
        path_effects=HALO,
        zorder=6,
    )

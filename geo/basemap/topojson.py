"""TopoJSON decoding and geometry clean-up for the basemap's set-up."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shapely.geometry import LineString


def _decode_arcs(
    topology: dict[str, Any], simplify: float = 0.0
) -> list[list[tuple[float, float]]]:
    """Decode the topology's arcs into absolute lon/lat positions, optionally simplified."""
    transform = topology.get("transform")
    arcs: list[list[tuple[float, float]]] = []
    for arc in topology["arcs"]:
        if transform is None:
            points = [(float(p[0]), float(p[1])) for p in arc]
        else:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for p in arc:  # quantized arcs are delta-encoded
                x += p[0]
                y += p[1]
                points.append((x * sx + tx, y * sy + ty))
        if simplify > 0 and len(points) > 2:
            # Simplifying shared arcs, not polygons, keeps neighbours' borders identical;
            # Douglas-Peucker keeps each arc's end points, where arcs join.
            points = list(LineString(points).simplify(simplify, preserve_topology=False).coords)
        arcs.append(points)
    return arcs


def _join_arcs(indexes: Sequence[int], arcs: list[list[tuple[float, float]]]) -> list:
    """Join arcs into one line; a negative index ``~i`` means arc ``i`` reversed."""
    line: list[tuple[float, float]] = []
    for index in indexes:
        points = arcs[~index][::-1] if index < 0 else arcs[index]
        line.extend(points[1:] if line else points)  # arcs share their end points
    return line


def _point(position: Sequence[float], transform: dict[str, Any] | None) -> tuple[float, float]:
    """Apply the topology transform to a quantized point."""
    if transform is None:
        return float(position[0]), float(position[1])
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    return position[0] * sx + tx, position[1] * sy + ty


def _decode_geometry(
    geometry: dict[str, Any], arcs: list, transform: dict[str, Any] | None
) -> dict[str, Any] | None:
    """Turn one TopoJSON geometry into a GeoJSON geometry (None when it is empty)."""
    kind = geometry.get("type")
    if kind == "Point":
        return {"type": kind, "coordinates": _point(geometry["coordinates"], transform)}
    if kind == "MultiPoint":
        coords = [_point(p, transform) for p in geometry["coordinates"]]
        return {"type": kind, "coordinates": coords}
    if kind == "LineString":
        return {"type": kind, "coordinates": _join_arcs(geometry["arcs"], arcs)}
    if kind == "MultiLineString":
        return {"type": kind, "coordinates": [_join_arcs(a, arcs) for a in geometry["arcs"]]}
    if kind == "Polygon":
        return {"type": kind, "coordinates": [_join_arcs(r, arcs) for r in geometry["arcs"]]}
    if kind == "MultiPolygon":
        polygons = [[_join_arcs(r, arcs) for r in poly] for poly in geometry["arcs"]]
        return {"type": kind, "coordinates": polygons}
    if kind == "GeometryCollection":
        parts = [_decode_geometry(g, arcs, transform) for g in geometry.get("geometries", [])]
        return {"type": kind, "geometries": [p for p in parts if p is not None]}
    return None  # TopoJSON's null geometry


def decode_topojson(
    topology: dict[str, Any], object_name: str, *, simplify: float = 0.0
) -> list[dict[str, Any]]:
    """Decode one object of a TopoJSON topology into GeoJSON features.

    Parameters
    ----------
    topology : dict
        A parsed TopoJSON ``Topology``.
    object_name : str
        The key in ``topology["objects"]`` to decode.
    simplify : float, default 0
        Douglas-Peucker tolerance in degrees applied to each arc (0 keeps every point).
        Shared borders stay identical because arcs, not polygons, are simplified.

    Returns
    -------
    list of dict
        GeoJSON ``Feature`` dicts; each keeps the geometry's ``id`` (as ``id``) and
        ``properties``. Null geometries are dropped.
    """
    try:
        collection = topology["objects"][object_name]
    except KeyError:
        raise KeyError(f"TopoJSON has no object {object_name!r}") from None
    arcs = _decode_arcs(topology, simplify)
    transform = topology.get("transform")
    members = (
        collection["geometries"] if collection["type"] == "GeometryCollection" else [collection]
    )
    features = []
    for member in members:
        geometry = _decode_geometry(member, arcs, transform)
        if geometry is None:
            continue
        feature: dict[str, Any] = {
            "type": "Feature",
            "properties": dict(member.get("properties") or {}),
            "geometry": geometry,
        }
        if "id" in member:
            feature["id"] = member["id"]
        features.append(feature)
    return features


def _round_coords(value: Any, decimals: int) -> Any:
    """Round every coordinate in a nested coordinate list."""
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], (int, float)):
            return [round(float(v), decimals) for v in value]
        return [_round_coords(v, decimals) for v in value]
    return value


def _clean_geometry(geometry: dict[str, Any], decimals: int) -> dict[str, Any] | None:
    """Round coordinates and drop rings and lines that collapse to fewer points."""
    kind = geometry["type"]
    coords = _round_coords(geometry["coordinates"], decimals)

    def dedupe(line: list) -> list:
        return [p for i, p in enumerate(line) if i == 0 or p != line[i - 1]]

    if kind == "Polygon":
        rings = [r for r in (dedupe(r) for r in coords) if len(r) >= 4]
        return {"type": kind, "coordinates": rings} if rings else None
    if kind == "MultiPolygon":
        polys = []
        for poly in coords:
            rings = [r for r in (dedupe(r) for r in poly) if len(r) >= 4]
            if rings:
                polys.append(rings)
        return {"type": kind, "coordinates": polys} if polys else None
    if kind == "LineString":
        line = dedupe(coords)
        return {"type": kind, "coordinates": line} if len(line) >= 2 else None
    if kind == "MultiLineString":
        lines = [ln for ln in (dedupe(ln) for ln in coords) if len(ln) >= 2]
        return {"type": kind, "coordinates": lines} if lines else None
    return {"type": kind, "coordinates": coords}


def _bbox_of(coords: Any) -> tuple[float, float, float, float]:
    """Bounding box of a nested coordinate list."""
    xs: list[float] = []
    ys: list[float] = []

    def walk(value: Any) -> None:
        if value and isinstance(value[0], (int, float)):
            xs.append(value[0])
            ys.append(value[1])
        else:
            for v in value:
                walk(v)

    walk(coords)
    return min(xs), min(ys), max(xs), max(ys)


def _intersects(a: Sequence[float], b: Sequence[float]) -> bool:
    """Whether two (minx, miny, maxx, maxy) boxes overlap."""
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]

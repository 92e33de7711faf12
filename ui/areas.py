"""The dashboard's area controls: a shape drawn on the map filters, a button clears it.

Streamlit glue over :mod:`geo.areas`, where drawings are read and checked. streamlit-folium
returns the drawings beside the map's camera: a new drawing reruns the whole page, while a
pan or zoom reruns only the map (see ``ui/mapview.py``).
"""

from __future__ import annotations

import math
from typing import Any, Final

import streamlit as st

from geo.areas import AreaError, drawing_to_area, format_bbox
from geo.filters import IncidentFilter
from geo.view import RANGE_KEY

ss = st.session_state

MAP_KEY: Final = "map"
# What the map sends back: the shape just drawn, and every shape on the map.
DRAWING_OBJECTS: Final = ["last_active_drawing", "all_drawings"]
AREA_ERROR: Final = "_area_error"
DRAWN: Final = "_area_drawn"  # a new drawing was read: the whole page must rerun
LAST_DRAWING: Final = "_area_last_drawing"  # the map also reports pans: read each shape once


def on_drawing() -> None:
    """Filter to the shape just drawn: a rectangle as ``bbox``, a polygon as ``area``."""
    returned = ss.get(MAP_KEY) or {}
    drawing = returned.get("last_active_drawing")
    if drawing is None or drawing == ss.get(LAST_DRAWING):
        return  # a pan or zoom, or the shape already read (perhaps cleared since)
    ss[LAST_DRAWING], ss[DRAWN] = drawing, True
    ss.pop(AREA_ERROR, None)
    try:
        bbox, ring = drawing_to_area(drawing)
    except AreaError as exc:
        ss[AREA_ERROR] = str(exc)
        return
    if bbox is not None or ring:
        ss["bbox"], ss["area"] = bbox, ring


def on_clear_area() -> None:
    ss["bbox"], ss["area"] = None, ()
    ss.pop(AREA_ERROR, None)


def area_controls() -> None:
    """Say which area the page is filtered to, with the button that clears it."""
    sb = st.sidebar
    if error := ss.get(AREA_ERROR):
        sb.error(error)
    flt = IncidentFilter(bbox=ss.get("bbox"), area=tuple(ss.get("area") or ()))
    if flt.bbox is None and not flt.area:
        sb.caption("Draw a rectangle or polygon on the map (tools at its top left) to keep "
                   "only the incidents inside it.")  # fmt: skip
        return
    parts = []
    if flt.bbox is not None:
        parts.append(f"box {format_bbox(flt.bbox)}")
    if flt.area:
        parts.append(f"polygon of {len(flt.area)} corners")
    sb.text(f"Area: {' and '.join(parts)}")
    sb.button("Clear the area", key="clear_area", on_click=on_clear_area)


def range_slider(column: str, span: tuple[float, float]) -> None:
    """One numeric column's range slider; a range from a link is kept inside the data's span."""
    low, high = span
    whole = all(float(v).is_integer() for v in span)
    if low == high:  # a slider needs two distinct ends
        high = low + 1
    key = RANGE_KEY + column
    chosen: Any = ss.get(key)
    start, end = (tuple(chosen) + (None, None))[:2] if chosen else (None, None)
    start = low if start is None or not math.isfinite(start) else min(max(start, low), high)
    end = high if end is None or not math.isfinite(end) else min(max(end, start), high)
    cast = int if whole else float
    ss[key] = (cast(start), cast(end))
    st.sidebar.slider(column, cast(low), cast(high), key=key)

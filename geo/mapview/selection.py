"""The incident chosen in the table, on the map and in a details panel; zooming to results.

Both map layers act once: the dashboard adds the zoom or the focus only to the run that
asked for it, so later filter changes redraw the layers without moving the user's view.
Every text from the data is escaped here, before it reaches the browser.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import folium
import pandas as pd
from branca.element import MacroElement
from folium.template import Template

from geo.incidents import point_coordinates
from geo.mapview.options import COORD_DECIMALS, LEGEND_CLEARANCE_PX, MAX_FIT_ZOOM
from geo.mapview.tables import _actor_texts, _date_texts, _place_texts
from geo.schema import EXTRA_FIELDS, GEO_PRECISION, INCIDENT_FIELDS, TIME_PRECISION
from geo.view import Extent, data_extent, to_leaflet
from geo.webtext import script_json

FOCUS_ZOOM: Final = 10  # a chosen incident is shown at least this close
NOT_RECORDED: Final = "not recorded"
CASUALTY_FIELDS: Final = ("fatalities", "injuries")
# Only web links become links; the characters that end a sentence are not part of one.
_LINK: Final = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_LINK_TAIL: Final = ".,;:!?)]}"


def results_extent(
    incidents: pd.DataFrame | None, clusters: Mapping[str, Any] | None = None
) -> Extent | None:
    """Return the extent of the incidents shown, to zoom the map to them.

    Parameters
    ----------
    incidents : GeoDataFrame or None
        Every incident shown, when the page has them.
    clusters : dict, optional
        :func:`geo.aggregate.build_cluster_payload`'s payload, when the page draws
        aggregates instead: the finest level's cells, widened by a cell, hold every incident.

    Returns
    -------
    (west, south, east, north) or None
        None when nothing is shown (the map then stays where it is).
    """
    if incidents is not None:
        if not len(incidents):
            return None
        lon, lat = point_coordinates(incidents)  # type: ignore[arg-type]
        return data_extent(incidents) if (pd.notna(lon) & pd.notna(lat)).any() else None  # type: ignore[arg-type]
    levels = (clusters or {}).get("levels") or []
    if not levels or not levels[-1]["x"]:
        return None
    finest = levels[-1]
    pad = float(finest["deg"])
    return (
        max(min(finest["x"]) - pad, -180.0),
        max(min(finest["y"]) - pad, -85.0),
        min(max(finest["x"]) + pad, 180.0),
        min(max(finest["y"]) + pad, 85.0),
    )


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):  # a list or array is a value
        return False


def _field_text(field: str, value: object) -> str:
    """One field's value as a reader should take it."""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if field in ("time_precision", "geo_precision"):
        codes = TIME_PRECISION if field == "time_precision" else GEO_PRECISION
        code = int(value)  # type: ignore[call-overload]
        return f"{code} ({codes[code]})" if code in codes else str(code)
    if field == "uncertainty_km":
        return f"{float(value):g} km"  # type: ignore[arg-type]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def incident_fields(incident: Mapping[str, Any], own: Iterable[str] = ()) -> list[tuple[str, str]]:
    """List what an incident records, field by field, as plain text.

    Parameters
    ----------
    incident : mapping
        One incident (a row of the incidents' frame).
    own : iterable of str
        The file's own columns, shown after the contract's fields.

    Returns
    -------
    list of (field, text)
        Every contract field that holds a value, in contract order, then the own columns
        that do; fatalities and injuries always, as "not recorded" when missing (never 0).
        The text is not escaped.
    """
    fields = []
    for field in dict.fromkeys((*INCIDENT_FIELDS, *EXTRA_FIELDS, *own)):
        value = incident.get(field)
        if _is_missing(value):
            if field in CASUALTY_FIELDS:
                fields.append((field, NOT_RECORDED))
            continue
        fields.append((field, _field_text(field, value)))
    return fields


def linked_text(text: str) -> str:
    """Escape text for HTML, with its web addresses as links that open a new tab.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        HTML: only ``http`` and ``https`` addresses become links, escaped in both the
        address and the shown text; nothing else of the text is markup.
    """
    parts, last = [], 0
    for found in _LINK.finditer(text):
        url = found.group(0).rstrip(_LINK_TAIL)
        start, end = found.start(), found.start() + len(url)
        parts.append(html.escape(text[last:start]))
        safe = html.escape(url, quote=True)
        parts.append(f'<a href="{safe}" target="_blank" rel="noopener noreferrer">{safe}</a>')
        last = end
    parts.append(html.escape(text[last:]))
    return "".join(parts)


def details_html(incident: Mapping[str, Any], own: Iterable[str] = ()) -> str:
    """Write the details panel of one incident.

    Parameters
    ----------
    incident : mapping
        One incident (a row of the incidents' frame).
    own : iterable of str
        The file's own columns.

    Returns
    -------
    str
        A definition list of :func:`incident_fields`, every text escaped; the source's web
        addresses are links (:func:`linked_text`) and the quote is a block quotation.
    """
    rows = []
    for field, text in incident_fields(incident, own):
        if field == "source":
            value = linked_text(text)
        elif field == "source_quote":
            value = f"<blockquote>{html.escape(text)}</blockquote>"
        else:
            value = html.escape(text)
        rows.append(f"<dt>{html.escape(field)}</dt><dd>{value}</dd>")
    return f"<dl class='geo-details'>{''.join(rows)}</dl>"


def popup_html(incident: pd.DataFrame) -> str:
    """Write the map popup of one incident: the marker popup's lines, escaped.

    Parameters
    ----------
    incident : GeoDataFrame
        One row.

    Returns
    -------
    str
    """
    row = incident.iloc[0]
    killed, injured = (
        NOT_RECORDED if _is_missing(row.get(f)) else str(int(row[f])) for f in CASUALTY_FIELDS
    )
    lines = [
        ("Actor:", _actor_texts(incident["actor1"], incident["assoc_actor_1"])[0]),
        ("Acted upon:", _actor_texts(incident["actor2"], incident["assoc_actor_2"])[0]),
        ("Casualties:", f"Killed: {killed} · injured: {injured}"),
        ("Location:", _place_texts(incident)[0]),
    ]
    kind = " · ".join(str(v) for v in (row["event_type"], row["sub_event_type"]) if v)
    parts = [
        f"<div class='geo-popup-date'>{html.escape(_date_texts(incident)[0])}</div>",
        f"<div class='geo-popup-type'>{html.escape(kind)}</div>",
        *(_line(label, html.escape(text)) for label, text in lines if text),
    ]
    if not _is_missing(row.get("notes")):
        parts.append(f"<p>{html.escape(str(row['notes']))}</p>")
    if not _is_missing(row.get("source")):
        parts.append(_line("Source:", linked_text(str(row["source"]))))
    if not _is_missing(row.get("source_quote")):
        parts.append(f"<blockquote>{html.escape(str(row['source_quote']))}</blockquote>")
    return f"<div class='geo-popup'>{''.join(parts)}</div>"


def _line(label: str, value_html: str) -> str:
    return f"<div><span class='geo-label'>{label}</span> {value_html}</div>"


class _FitResults(MacroElement):
    """Fit the map to an extent once, when its layer is added."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var group = {{ this._parent.get_name() }};
            group.once("add", function () {
                group._map.fitBounds({{ this.bounds }}, {maxZoom: {{ this.max_zoom }},
                    paddingBottomRight: {{ this.padding }}, animate: false});
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, extent: Extent):
        super().__init__()
        self._name = "FitResults"
        self.bounds = script_json(to_leaflet(extent))
        self.max_zoom = MAX_FIT_ZOOM
        self.padding = script_json(list(LEGEND_CLEARANCE_PX))


class _SelectedIncident(MacroElement):
    """The chosen incident as a marker of its own, above any cluster; focused once."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var group = {{ this._parent.get_name() }};
            var marker = L.marker({{ this.latlng }}, {
                icon: L.divIcon({className: "geo-selected-incident", iconSize: [26, 26],
                    html: "<span style='display:block;box-sizing:border-box;width:26px;"
                        + "height:26px;border-radius:50%;border:4px solid #111;"
                        + "box-shadow:0 0 0 2px #fff, inset 0 0 0 2px #fff'></span>"}),
                zIndexOffset: 1000, title: {{ this.title }}, alt: {{ this.title }}
            });
            marker.bindPopup({{ this.popup }}, {maxWidth: 360, minWidth: 240,
                maxHeight: 240, autoPan: false});
            group.addLayer(marker);
            {% if this.focus %}
            group.once("add", function () {
                var map = group._map;
                map.setView(marker.getLatLng(), Math.max(map.getZoom(), {{ this.zoom }}),
                            {animate: false});
                marker.openPopup();
            });
            {% endif %}
        })();
        {% endmacro %}
        """
    )

    def __init__(self, latlng: list[float], popup: str, title: str, focus: bool):
        super().__init__()
        self._name = "SelectedIncident"
        self.latlng = script_json(latlng)
        self.popup = script_json(popup)
        self.title = script_json(title)
        self.focus = focus
        self.zoom = FOCUS_ZOOM


def build_fit_layer(extent: Extent) -> folium.FeatureGroup:
    """Return a layer that zooms the map to an extent when it is added (not in the control).

    Parameters
    ----------
    extent : (west, south, east, north)
        Fitted like the base map's opening view: at most :data:`MAX_FIT_ZOOM`, clear of
        the legend.

    Returns
    -------
    folium.FeatureGroup
    """
    group = folium.FeatureGroup(name="Zoom to results", control=False)
    _FitResults(extent).add_to(group)
    return group


def build_selection_layer(incident: pd.DataFrame, *, focus: bool) -> folium.FeatureGroup | None:
    """Return the layer of the incident chosen in the table (not in the layer control).

    Parameters
    ----------
    incident : GeoDataFrame
        One row, with its point.
    focus : bool
        Centre the map on it (at least at :data:`FOCUS_ZOOM`) and open its popup when the
        layer is added: only on the run where it was chosen.

    Returns
    -------
    folium.FeatureGroup or None
        None when the incident has no point to show.
    """
    lon, lat = point_coordinates(incident)  # type: ignore[arg-type]
    if not (math.isfinite(lon[0]) and math.isfinite(lat[0])):
        return None
    row = incident.iloc[0]
    title = " · ".join(str(v) for v in (_date_texts(incident)[0], row["location"]) if v)
    group = folium.FeatureGroup(name="Chosen incident", control=False)
    latlng = [round(float(lat[0]), COORD_DECIMALS), round(float(lon[0]), COORD_DECIMALS)]
    _SelectedIncident(latlng, popup_html(incident), f"Chosen: {title}", focus).add_to(group)
    return group


def table_row(
    selection: Mapping[str, Any] | None, rows: Sequence[Any] | pd.DataFrame
) -> int | None:
    """Return the position of the row chosen in a table's selection state, if still there.

    Parameters
    ----------
    selection : mapping or None
        Streamlit's dataframe selection state: ``{"selection": {"rows": [...]}}``.
    rows : sequence or DataFrame
        The rows the table shows.

    Returns
    -------
    int or None
    """
    chosen = ((selection or {}).get("selection") or {}).get("rows") or []
    if not chosen:
        return None
    position = int(chosen[0])
    return position if 0 <= position < len(rows) else None

"""Tables that are neither ACLED nor UCDP: our own contract files and generic tables.

A generic table needs a column naming a date and either coordinates or a
place name; the names below are matched case- and punctuation-insensitively.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from geo.importers.acled import is_acled, map_acled
from geo.importers.csvfile import read_csv_bytes, read_csv_fields
from geo.importers.detect import sniff_delimiter
from geo.importers.table import RawTable, empty_text, key_map, pick, require
from geo.importers.ucdp import is_ucdp, map_ucdp
from geo.incidents import COLUMNS
from geo.limits import ReadBudget

CONTRACT_MARKERS: Final = frozenset(
    {"event_id", "event_date", "event_type", "sub_event_type", "actor1", "date_basis"}
)
DATE_NAMES: Final = (
    "event_date",
    "date",
    "incident_date",
    "start_date",
    "date_start",
    "day",
    "when",
)
LATITUDE_NAMES: Final = ("latitude", "lat", "y", "lat_dd", "latitude_dd")
LONGITUDE_NAMES: Final = ("longitude", "lon", "lng", "long", "x", "lon_dd", "longitude_dd")
PLACE_NAMES: Final = (
    "location",
    "place",
    "place_name",
    "site",
    "site_name",
    "town",
    "city",
    "village",
    "locality",
    "where",
)
SYNONYMS: Final = {
    "event_id": ("event_id", "id", "incident_id", "uid", "record_id"),
    "end_date": ("end_date", "date_end"),
    "time_precision": ("time_precision",),
    "event_type": ("event_type", "type", "category", "incident_type"),
    "sub_event_type": ("sub_event_type", "subtype", "sub_type"),
    "actor1": ("actor1", "actor_1", "actor", "perpetrator", "attacker"),
    "assoc_actor_1": ("assoc_actor_1",),
    "actor2": ("actor2", "actor_2", "target", "victim"),
    "assoc_actor_2": ("assoc_actor_2",),
    "site_id": ("site_id",),
    "admin1": ("admin1", "province", "governorate", "state"),
    "country": ("country", "country_name"),
    "geo_precision": ("geo_precision",),
    "fatalities": ("fatalities", "deaths", "killed", "dead"),
    "injuries": ("injuries", "injured", "wounded"),
    "notes": ("notes", "description", "summary", "details", "narrative"),
    "source": ("source", "sources", "url", "reference"),
    "source_file": ("source_file",),
    "source_quote": ("source_quote",),
    "date_basis": ("date_basis",),
    "uncertainty_km": ("uncertainty_km",),
    "coord_source": ("coord_source",),
}


def is_contract(columns: object) -> bool:
    """Whether a table carries our own contract fields (``DATA.md``)."""
    return CONTRACT_MARKERS <= set(key_map(columns))


def map_table(
    fields: pd.DataFrame, *, geometry: pd.DataFrame | None = None, generic_format: str = "csv"
) -> RawTable:
    """Map a contract or generic table to contract fields.

    Parameters
    ----------
    fields : DataFrame
        Original fields as text, indexed by record number.
    geometry : DataFrame, optional
        ``latitude``/``longitude`` text taken from point geometries; where a
        record has none, coordinate columns of ``fields`` are used.
    generic_format : str
        The format name when the table is not our contract.
    """
    keys = key_map(fields.columns)
    contract = is_contract(fields.columns)
    mapped = pd.DataFrame(index=fields.index)
    blank = empty_text(fields.index)  # one column, shared by every absent field
    if contract:
        for col in COLUMNS:
            found = pick(fields, keys, col)
            mapped[col] = found if found is not None else blank
    else:
        mapped["event_date"] = require(pick(fields, keys, *DATE_NAMES), "a date", DATE_NAMES)
        for target, names in SYNONYMS.items():
            found = pick(fields, keys, *names)
            mapped[target] = found if found is not None else blank
    place = pick(fields, keys, *PLACE_NAMES)
    mapped["location"] = place if place is not None else blank
    lat = pick(fields, keys, *LATITUDE_NAMES)
    lon = pick(fields, keys, *LONGITUDE_NAMES)
    has_columns = lat is not None and lon is not None
    mapped["latitude"] = lat if has_columns else blank
    mapped["longitude"] = lon if has_columns else blank
    if geometry is not None:
        from_geometry = geometry["latitude"].ne("") | geometry["longitude"].ne("")
        for axis in ("latitude", "longitude"):
            mapped[axis] = geometry[axis].where(from_geometry, mapped[axis])
    elif not has_columns and place is None:
        raise_no_location()
    return RawTable(
        fields=fields,
        mapped=mapped,
        format="incident-map" if contract else generic_format,
        strict_vocabulary=contract,
    )


def raise_no_location() -> None:
    """Refuse a table with neither coordinate nor place columns."""
    require(
        None,
        "coordinates or a place",
        ("latitude/longitude", "lat/lon", "y/x", *PLACE_NAMES),
    )


def read_text_table(text: str | memoryview, budget: ReadBudget | None = None) -> RawTable:
    """Parse CSV text (any delimiter) and map it by its detected layout.

    Parameters
    ----------
    text : str or memoryview
        Decoded text, or UTF-8 bytes without a byte-order mark (parsed
        without ever holding the whole file as a Python string).
    budget : ReadBudget, optional
        Import limits, checked while the records are read (none by default).
    """
    if isinstance(text, str):
        delimiter = sniff_delimiter(text)
        fields, problems, warnings = read_csv_fields(text, delimiter, budget)
    else:
        delimiter = sniff_delimiter(_first_line(text))
        fields, problems, warnings = read_csv_bytes(text, delimiter, budget)
    if is_acled(fields.columns):
        table = map_acled(fields)
    elif is_ucdp(fields.columns):
        table = map_ucdp(fields)
    else:
        table = map_table(fields)
    if table.problems is not None:
        problems = _join(problems, table.problems)
    table.problems = problems
    table.warnings = [*warnings, *table.warnings]
    if delimiter != ",":
        name = {"\t": "tab", ";": "semicolon", "|": "pipe"}[delimiter]
        table.warnings.append(f"columns are separated by {name}s")
    return table


def _first_line(data: memoryview) -> str:
    """Enough leading text for :func:`sniff_delimiter` to see the whole header line."""
    size = 1 << 16
    while True:
        chunk = bytes(data[:size])
        if b"\n" in chunk.lstrip(b"\r\n") or size >= data.nbytes:
            return chunk.decode("utf-8", errors="ignore")
        size *= 4


def _join(first: pd.Series, second: pd.Series) -> pd.Series:
    """Join two reason columns with ``; ``."""
    both = first.ne("") & second.ne("")
    return (first + "; ").where(both, first) + second

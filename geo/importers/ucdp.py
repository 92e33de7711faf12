"""UCDP Georeferenced Event Dataset (GED) CSV.

Mappings (UCDP GED codebook):

- ``date_prec`` -> ``time_precision``: 1 (exact day) -> 1; 2 (a 2-6 day span)
  and 3 (the week) -> 2; 4 (the month, or 8-30 days) and 5 (the year or
  longer) -> 3, the coarsest code the contract has.
- ``where_prec`` -> ``geo_precision``: 1 (exact place) -> 1; 2 (within 25 km)
  and 3 (second-order division) -> 2; 4-7 (province, line, country, sea) -> 3.
- ``type_of_violence`` 1 (state-based) and 2 (non-state) -> Battles / Armed
  clash; 3 (one-sided) -> Violence against civilians / Attack.
- ``best`` -> ``fatalities``; ``low`` and ``high`` are kept in ``notes``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import pandas as pd

from geo.importers.dates import show
from geo.importers.table import RawTable, empty_text, key_map, pick

REQUIRED: Final = frozenset({"type_of_violence", "where_prec", "date_prec", "best", "date_start"})
TIME_PRECISION: Final = {"1": 1, "2": 2, "3": 2, "4": 3, "5": 3}
GEO_PRECISION: Final = {"1": 1, "2": 2, "3": 2, "4": 3, "5": 3, "6": 3, "7": 3}
VIOLENCE: Final = {
    "1": ("Battles", "Armed clash"),
    "2": ("Battles", "Armed clash"),
    "3": ("Violence against civilians", "Attack"),
}


def is_ucdp(columns: object) -> bool:
    """Whether a header is a UCDP GED export's."""
    return REQUIRED <= set(key_map(columns))


def _column(fields: pd.DataFrame, keys: dict[str, str], name: str) -> pd.Series:
    found = pick(fields, keys, name)
    return found if found is not None else empty_text(fields.index)


def _code(text: pd.Series) -> pd.Series:
    """``"4.0"`` -> ``"4"``: codes sometimes arrive as floats."""
    return text.str.replace(r"\.0+$", "", regex=True)


def _lookup(codes: pd.Series, table: Mapping[str, object]) -> pd.Series:
    """Translate codes through ``table`` as text; codes it lacks become ""."""
    return codes.map({code: str(value) for code, value in table.items()}).fillna("")


def map_ucdp(fields: pd.DataFrame) -> RawTable:
    """Map UCDP GED rows to contract fields."""
    keys = key_map(fields.columns)
    col = {
        name: _column(fields, keys, name)
        for name in (
            "id",
            "type_of_violence",
            "date_prec",
            "where_prec",
            "side_a",
            "side_b",
            "best",
            "low",
            "high",
            "date_start",
            "date_end",
            "where_coordinates",
            "where_description",
            "adm_1",
            "country",
            "latitude",
            "longitude",
            "source_article",
            "dyad_name",
            "conflict_name",
        )
    }
    violence, date_prec, where_prec = (
        _code(col["type_of_violence"]),
        _code(col["date_prec"]),
        _code(col["where_prec"]),
    )
    mapped = pd.DataFrame(index=fields.index)
    mapped["event_id"] = col["id"]
    mapped["event_date"] = col["date_start"]
    mapped["end_date"] = col["date_end"]
    # Dictionary lookups over the whole column; unknown codes become "".
    mapped["time_precision"] = _lookup(date_prec, TIME_PRECISION)
    mapped["event_type"] = _lookup(violence, {k: t for k, (t, _) in VIOLENCE.items()})
    mapped["sub_event_type"] = _lookup(violence, {k: s for k, (_, s) in VIOLENCE.items()})
    mapped["actor1"] = col["side_a"]
    mapped["actor2"] = col["side_b"]
    mapped["location"] = col["where_coordinates"]
    mapped["admin1"] = col["adm_1"]
    mapped["country"] = col["country"]
    mapped["latitude"] = col["latitude"]
    mapped["longitude"] = col["longitude"]
    mapped["geo_precision"] = _lookup(where_prec, GEO_PRECISION)
    mapped["fatalities"] = col["best"]
    mapped["notes"] = (
        "UCDP GED: "
        + col["dyad_name"].where(col["dyad_name"].ne(""), col["conflict_name"])
        + "; "
        + col["where_description"]
        + "; deaths best "
        + col["best"]
        + " (low "
        + col["low"]
        + ", high "
        + col["high"]
        + ")"
    )
    mapped["source"] = col["source_article"]
    mapped["date_basis"] = "source"
    problems = pd.Series("", index=fields.index, dtype=object)
    checks = (
        (violence, VIOLENCE, "type_of_violence", "1, 2 or 3"),
        (date_prec, TIME_PRECISION, "date_prec", "1 to 5"),
        (where_prec, GEO_PRECISION, "where_prec", "1 to 7"),
    )
    for values, allowed, name, expected in checks:
        bad = ~values.isin(list(allowed))
        for index in bad.index[bad.to_numpy()]:
            reason = f"{name} {show(values[index])} is not {expected}"
            problems[index] = f"{problems[index]}; {reason}" if problems[index] else reason
    return RawTable(fields=fields, mapped=mapped, format="ucdp-ged", problems=problems)

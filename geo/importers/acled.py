"""ACLED exports: the current layout (31 or 35 columns) and the legacy one.

Legacy exports (to 2022) carry ``data_id``, ``event_id_no_cnty``, ``iso3`` and
numeric ``inter1``/``inter2``/``interaction`` codes; current ones name actor
types in words and add ``disorder_type``, ``civilian_targeting`` and, in the
35-column form, population estimates. Both map to the same contract fields.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from geo.importers.table import RawTable, empty_text, key_map, pick

REQUIRED: Final = frozenset({"event_id_cnty", "event_date", "event_type", "latitude", "longitude"})
LEGACY_MARKERS: Final = frozenset({"data_id", "event_id_no_cnty", "iso3"})
# Contract field <- ACLED column, where the names differ or are the same.
FIELD_MAP: Final = {
    "event_id": ("event_id_cnty", "data_id"),
    "event_date": ("event_date",),
    "time_precision": ("time_precision",),
    "event_type": ("event_type",),
    "sub_event_type": ("sub_event_type",),
    "actor1": ("actor1",),
    "assoc_actor_1": ("assoc_actor_1",),
    "actor2": ("actor2",),
    "assoc_actor_2": ("assoc_actor_2",),
    "location": ("location",),
    "admin1": ("admin1",),
    "country": ("country",),
    "latitude": ("latitude",),
    "longitude": ("longitude",),
    "geo_precision": ("geo_precision",),
    "fatalities": ("fatalities",),
    "notes": ("notes",),
    "source": ("source",),
}


def is_acled(columns: object) -> bool:
    """Whether a header is an ACLED export's."""
    return REQUIRED <= set(key_map(columns))


def acled_layout(fields: pd.DataFrame) -> str:
    """``acled-legacy`` when legacy columns or numeric actor-type codes appear, else ``acled``."""
    keys = key_map(fields.columns)
    if LEGACY_MARKERS & set(keys):
        return "acled-legacy"
    inter = pick(fields, keys, "inter1")
    if inter is not None:
        given = inter[inter.ne("")]
        if len(given) and given.str.fullmatch(r"\d").all():
            return "acled-legacy"
    return "acled"


def map_acled(fields: pd.DataFrame) -> RawTable:
    """Map an ACLED export to contract fields; actor names are kept as given."""
    keys = key_map(fields.columns)
    mapped = pd.DataFrame(index=fields.index)
    blank = empty_text(fields.index)  # one column, shared by every absent field
    for target, sources in FIELD_MAP.items():
        found = pick(fields, keys, *sources)
        mapped[target] = found if found is not None else blank
    mapped["date_basis"] = "source"
    return RawTable(
        fields=fields, mapped=mapped, format=acled_layout(fields), strict_vocabulary=True
    )

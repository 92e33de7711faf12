"""Check raw records and split them into accepted incidents and rejected records.

Every check is vectorised over the whole table; every record ends either in
the canonical incident table or in the rejected table with all its reasons.
"""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.importers.categories import own_categorical_columns, own_numeric_columns
from geo.importers.dates import decide_day_first, parse_dates, show
from geo.importers.geocode import Gazetteer, geocode_places
from geo.importers.table import RawTable, empty_text
from geo.importers.values import as_text, check_code, check_coordinates, check_count, say
from geo.incidents import COLUMNS, coerce_incidents
from geo.limits import MAX_CELL_CHARS
from geo.schema import EVENT_TYPES, check_vocabulary

PRECISIONS: Final = (1, 2, 3)


class _Reasons:
    """Collects reasons per record, joined with ``; ``."""

    def __init__(self, index: pd.Index) -> None:
        self.values = pd.Series("", index=index, dtype=object)

    def add(self, reasons: pd.Series) -> None:
        new = reasons.ne("")
        if not new.any():
            return
        old = self.values[new]
        self.values.loc[new] = (old + "; ").where(old.ne(""), "") + reasons[new]


def check_records(
    raw: RawTable, sites: Gazetteer | None
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, list[str]]:
    """Check every record of a raw table.

    Parameters
    ----------
    raw : RawTable
        A format reader's output.
    sites : SiteIndex or None
        The sites gazetteer for place names without coordinates.

    Returns
    -------
    incidents : GeoDataFrame
        Accepted records in canonical form.
    rejected : DataFrame
        ``record``, ``reason`` and the original fields as text.
    warnings : list of str
    """
    index = raw.fields.index
    blank = empty_text(index)  # one column, shared by every field the file lacks
    text = {
        col: as_text(raw.mapped[col]) if col in raw.mapped else blank
        for col in (*COLUMNS, "latitude", "longitude")
    }
    notes = list(raw.warnings)
    reasons = _Reasons(index)
    if raw.problems is not None:
        reasons.add(raw.problems.reindex(index, fill_value=""))
    reasons.add(_oversized(raw.fields))
    reasons.add(_nul_characters(raw.fields))

    day_first, decided = decide_day_first(text["event_date"], text["end_date"])
    if not decided:
        notes.append("numeric dates such as 05/06/2020 were read day first (dd/mm/yyyy)")
    start, start_reasons = parse_dates(text["event_date"], day_first=day_first, field="date")
    no_date = text["event_date"].eq("")
    say(start_reasons, no_date, lambda i: "no date")
    reasons.add(start_reasons)
    end, end_reasons = parse_dates(text["end_date"], day_first=day_first, field="end_date")
    reasons.add(end_reasons)
    backwards = (end < start).to_numpy()
    reasons.add(pd.Series(np.where(backwards, "end_date is before the date", ""), index=index))

    lat, lon, missing, coord_reasons = check_coordinates(text["latitude"], text["longitude"])
    reasons.add(coord_reasons)
    located = _geocode(text, missing, sites, notes)
    unresolved = missing & ~pd.Series(index.isin(located.index), index=index)
    location_reasons = pd.Series("", index=index, dtype=object)
    say(
        location_reasons,
        unresolved & text["location"].eq(""),
        lambda i: "no location: no coordinates and no place name",
    )
    say(
        location_reasons,
        unresolved & text["location"].ne(""),
        lambda i: (
            f"no location: no coordinates and place {show(text['location'][i])} "
            "is not in the gazetteer"
        ),
    )
    reasons.add(location_reasons)

    fatalities, fatality_reasons = check_count(text["fatalities"], "fatalities", default=None)
    injuries, injury_reasons = check_count(text["injuries"], "injuries", default=None)
    time_precision, tp_reasons = check_code(
        text["time_precision"], "time_precision", PRECISIONS, default=1
    )
    geo_precision, gp_reasons = check_code(
        text["geo_precision"], "geo_precision", PRECISIONS, default=1
    )
    for found in (fatality_reasons, injury_reasons, tp_reasons, gp_reasons):
        reasons.add(found)
    reasons.add(_vocabulary(text, raw.strict_vocabulary, notes))
    # Each reason column costs a pointer per record; what is joined into ``reasons`` goes.
    del start_reasons, end_reasons, coord_reasons, location_reasons, unresolved, backwards
    del found, fatality_reasons, injury_reasons, tp_reasons, gp_reasons

    event_id = _fill_ids(text["event_id"], raw.label)
    reasons.add(_duplicates(event_id, raw.label))

    table = pd.DataFrame({col: text[col] for col in COLUMNS}, index=index)
    table["event_id"] = event_id
    table["event_date"], table["end_date"] = start, end
    table["fatalities"], table["injuries"] = fatalities, injuries
    table["time_precision"], table["geo_precision"] = time_precision, geo_precision
    table["uncertainty_km"] = pd.to_numeric(text["uncertainty_km"], errors="coerce")
    # Our own files round-trip as they are; elsewhere say where the point came from.
    keep_source = text["coord_source"].ne("") | missing | (raw.format == "incident-map")
    table["coord_source"] = text["coord_source"].where(
        keep_source, f"coordinates in the {raw.format} file"
    )
    table["latitude"], table["longitude"] = lat, lon
    if len(located):
        rows = located.index
        table.loc[rows, "latitude"] = located["lat"].astype(float)
        table.loc[rows, "longitude"] = located["lon"].astype(float)
        table.loc[rows, "geo_precision"] = located["geo_precision"].astype(float)
        table.loc[rows, "uncertainty_km"] = located["uncertainty_km"].astype(float)
        table.loc[rows, "coord_source"] = located["coord_source"]
        fill_site = table.loc[rows, "site_id"].eq("")
        table.loc[rows[fill_site.to_numpy()], "site_id"] = located["site_id"][fill_site]
        fill_country = table.loc[rows, "country"].eq("")
        table.loc[rows[fill_country.to_numpy()], "country"] = located["country"][fill_country]

    accepted = reasons.values.eq("")
    # Filtering copies every column; a file without rejections needs no copy.
    good = table if accepted.all() else table[accepted]
    del table
    points = gpd.points_from_xy(good["longitude"].astype(float), good["latitude"].astype(float))
    incidents = coerce_incidents(good.drop(columns=["latitude", "longitude"]), geometry=points)
    del good
    # The file's own categories (attack_type, ...) ride along under their own names.
    kept_fields = raw.fields if accepted.all() else raw.fields[accepted.to_numpy()]
    own = pd.concat(
        [own_categorical_columns(kept_fields), own_numeric_columns(kept_fields)], axis=1
    )
    for column in own.columns:  # before the geometry, which stays last (as a prepared copy has it)
        incidents.insert(
            incidents.columns.get_loc(incidents.geometry.name), column, own[column].array
        )
    rejected = pd.concat(
        [
            pd.DataFrame(
                {
                    "record": index[~accepted].to_numpy(),
                    "reason": reasons.values[~accepted].to_numpy(),
                }
            ),
            raw.fields[~accepted.to_numpy()].reset_index(drop=True),
        ],
        axis=1,
    )
    return incidents, rejected, notes


def _oversized(fields: pd.DataFrame) -> pd.Series:
    """Reject records with a cell over :data:`MAX_CELL_CHARS` (kept whole in the rejected table)."""
    reasons = pd.Series("", index=fields.index, dtype=object)
    for col in fields.columns:
        lengths = fields[col].astype(str).str.len()
        over = lengths > MAX_CELL_CHARS
        if over.any():
            found = pd.Series("", index=fields.index, dtype=object)
            found.loc[over] = [
                f"field {show(col)} is {n:,} characters, over the {MAX_CELL_CHARS:,} limit"
                for n in lengths[over]
            ]
            both = reasons.ne("") & found.ne("")
            reasons = (reasons + "; ").where(both, reasons) + found
    return reasons


def _nul_characters(fields: pd.DataFrame) -> pd.Series:
    """Reject records with a NUL character in a field: no text holds one; C strings end there."""
    reasons = pd.Series("", index=fields.index, dtype=object)
    for col in fields.columns:
        found = fields[col].astype(str).str.contains("\x00", regex=False).to_numpy(dtype=bool)
        if found.any():
            reason = f"field {show(col)} contains a NUL character (byte 0)"
            hit = pd.Series(np.where(found, reason, ""), index=fields.index, dtype=object)
            both = reasons.ne("") & hit.ne("")
            reasons = (reasons + "; ").where(both, reasons) + hit
    return reasons


def _geocode(
    text: dict[str, pd.Series], missing: pd.Series, sites: Gazetteer | None, notes: list[str]
) -> pd.DataFrame:
    """Geocode records without coordinates that name a place; note what matched."""
    wanted = missing & text["location"].ne("")
    if not wanted.any():
        return pd.DataFrame(columns=["lat", "lon"])
    located = geocode_places(text["location"][wanted], text["country"][wanted], sites)
    for gazetteer, label in (("sites", "the sites gazetteer"), ("GeoNames", "GeoNames")):
        count = int(located["gazetteer"].eq(gazetteer).sum()) if len(located) else 0
        if count:
            notes.append(
                f"{count:,} record{'' if count == 1 else 's'} geocoded from place names ({label})"
            )
    return located


def _fill_ids(event_id: pd.Series, label: str) -> pd.Series:
    """Name records without an id after their number: ``row-7``, ``feature-3``."""
    blank = event_id.eq("")
    if not blank.any():
        return event_id
    # Built as Arrow text: a Python string per record would cost several times its text.
    text = pa.large_string()
    numbers = pc.cast(pa.array(event_id.index.to_numpy()), text)
    named = pc.binary_join_element_wise(pa.scalar(f"{label}-", text), numbers, pa.scalar("", text))
    ids = pc.if_else(pa.array(blank.to_numpy()), named, pa.array(event_id, text))
    return pd.Series(ids.to_pandas().array, index=event_id.index)


def _vocabulary(text: dict[str, pd.Series], strict: bool, notes: list[str]) -> pd.Series:
    """Reasons for event types outside ACLED's (strict), or a note about them."""
    pairs = pd.DataFrame({"t": text["event_type"], "s": text["sub_event_type"]})
    reasons = pd.Series("", index=pairs.index, dtype=object)
    if strict:
        # One verdict per distinct (type, sub-type) pair, spread back by code.
        type_codes, types = pd.factorize(pairs["t"])
        sub_codes, subs = pd.factorize(pairs["s"])
        width = max(len(subs), 1)
        pair_codes, combos = pd.factorize(type_codes.astype(np.int64) * width + sub_codes)
        verdicts = np.array(
            [check_vocabulary(types[c // width], subs[c % width]) or "" for c in combos],
            dtype=object,
        )
        reasons = pd.Series(verdicts[pair_codes], index=pairs.index, dtype=object)
    else:
        outside = pairs["t"].ne("") & ~pairs["t"].isin(list(EVENT_TYPES))
        if outside.any():
            notes.append(
                f"{int(outside.sum()):,} records have event types outside ACLED's; kept as given"
            )
    return reasons


def _duplicates(event_id: pd.Series, label: str) -> pd.Series:
    """Reject the second and later records with the same id."""
    codes, uniques = pd.factorize(event_id)
    reasons = pd.Series("", index=event_id.index, dtype=object)
    if len(uniques) == len(event_id):
        return reasons
    repeated = pd.Series(pd.Series(codes).duplicated(keep="first").to_numpy(), index=event_id.index)
    if repeated.any():
        ids = pd.DataFrame({"id": event_id.to_numpy(), "record": event_id.index})
        first_at = ids.groupby("id", sort=False)["record"].first().to_dict()
        say(
            reasons,
            repeated,
            lambda i: (
                f"duplicate event_id {show(event_id[i])} (first at {label} {first_at[event_id[i]]})"
            ),
        )
    return reasons

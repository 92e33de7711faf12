"""The file's own categorical columns, kept by the import beside the contract fields.

An import keeps, beside the contract fields, every other column of the file whose text
takes a bounded number of distinct values (``attack_type``: IED, SAF, ...), under the
file's own name, as a pandas categorical (a few bytes per incident whatever the text).
Free text, identifiers, dates and coordinates have too many distinct values and are
left out, as are columns the importers already read into a contract field.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from geo.importers.table import column_key
from geo.importers.tabular import (
    DATE_NAMES,
    LATITUDE_NAMES,
    LONGITUDE_NAMES,
    PLACE_NAMES,
    SYNONYMS,
)
from geo.incidents import COLUMNS

# A column with more distinct values than this is not a category (a legend or a
# multiselect of hundreds of entries helps no one).
MAX_CATEGORIES: Final = 60
# Names the importers read as dates or coordinates, whatever the format.
_READ_AS_PLACE_OR_TIME: Final = frozenset(
    (
        "date",
        "event_date",
        "lat",
        "latitude",
        "lon",
        "lng",
        "long",
        "longitude",
        "x",
        "y",
        "geometry",
        "geom",
        "wkt",
        "timestamp",
    )  # fmt: skip
)
_CONTRACT_KEYS: Final = frozenset(
    (
        *COLUMNS,
        *(name for names in SYNONYMS.values() for name in names),
        *_READ_AS_PLACE_OR_TIME,
        *DATE_NAMES,
        *LATITUDE_NAMES,
        *LONGITUDE_NAMES,
        *PLACE_NAMES,
    )
)


def own_categorical_columns(fields: pd.DataFrame) -> pd.DataFrame:
    """Pick the file's own categorical columns from its raw fields.

    Parameters
    ----------
    fields : DataFrame
        The records' original fields as text (one column per column of the file).

    Returns
    -------
    DataFrame
        Same index; one categorical column per kept column, empty cells as missing.
    """
    kept: dict[str, pd.Series] = {}
    for label, text in _own_fields(fields):
        if label in kept or _numeric(text) is not None:
            continue
        distinct = text.dropna().unique()
        # A category repeats: a column whose every value is distinct is an identifier.
        if 0 < len(distinct) <= MAX_CATEGORIES and len(distinct) < int(text.notna().sum()):
            # Categories as pandas' default str dtype, which a Parquet copy reads back.
            categories = pd.Index(sorted(distinct), dtype="str")
            values = pd.Categorical(text.astype(object).where(text.notna(), None), categories)
            kept[label] = pd.Series(values, index=fields.index)
    return pd.DataFrame(kept, index=fields.index)


def own_numeric_columns(fields: pd.DataFrame) -> pd.DataFrame:
    """Pick the file's own numeric columns from its raw fields (filtered by range).

    Parameters
    ----------
    fields : DataFrame
        The records' original fields as text.

    Returns
    -------
    DataFrame
        Same index; one ``Float64`` column per column of the file's own whose every
        non-empty value is a number, empty cells as missing. Such a column is not a
        category (see :func:`own_categorical_columns`).
    """
    kept: dict[str, pd.Series] = {}
    for label, text in _own_fields(fields):
        if label not in kept and (values := _numeric(text)) is not None:
            kept[label] = values
    return pd.DataFrame(kept, index=fields.index)


def _own_fields(fields: pd.DataFrame) -> list[tuple[str, pd.Series]]:
    """List the columns no contract field reads, by stripped name, empty cells as missing."""
    found = []
    for name in fields.columns:
        label = str(name).strip()
        if label and column_key(label) not in _CONTRACT_KEYS:
            found.append((label, fields[name].astype("string").str.strip().replace("", pd.NA)))
    return found


def _numeric(text: pd.Series) -> pd.Series | None:
    """Read the column as Float64 when every value is a finite number; otherwise None."""
    present = text.notna()
    if not present.any():
        return None
    values = pd.to_numeric(text, errors="coerce").astype("Float64")
    finite = values.notna() & ~values.isin([float("inf"), float("-inf")])
    return values if bool((finite == present).all()) else None

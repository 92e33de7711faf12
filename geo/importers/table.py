"""The intermediate table every format reader produces before the checks."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pa_compute

from geo.limits import MAX_CELL_CHARS as MAX_CELL_CHARS  # re-exported: the old home
from geo.schema import UnreadableFileError

RESERVED_COLUMNS: Final = ("record", "reason")
# Text as the readers hold it: Arrow-backed strings, as pyarrow's CSV reader yields them.
_TEXT: Final = pd.StringDtype("pyarrow", na_value=np.nan)


@dataclass
class RawTable:
    """A file's records, as read, before they are checked.

    Attributes
    ----------
    fields : DataFrame
        The original fields as text, indexed by 1-based record number.
    mapped : DataFrame
        The same records in contract field names (raw text, plus ``latitude``
        and ``longitude``), on the same index.
    format : str
        The detected format name.
    label : str
        How a record is named in messages: ``row`` or ``feature``.
    problems : Series
        Reasons found while reading (wrong field count, not a point...), "" if none.
    strict_vocabulary : bool
        Whether an event type outside ACLED's rejects the record.
    warnings : list of str
        File-wide notes for the user.
    """

    fields: pd.DataFrame
    mapped: pd.DataFrame
    format: str
    label: str = "row"
    problems: pd.Series | None = None
    strict_vocabulary: bool = False
    warnings: list[str] = field(default_factory=list)


def column_key(name: str) -> str:
    """Fold a column name for matching: ``Event Date`` -> ``event_date``."""
    return re.sub(r"[\s\-.]+", "_", name.strip().lower()).strip("_")


def key_map(columns: Any) -> dict[str, str]:
    """Folded name -> original column name (the first column wins)."""
    keys: dict[str, str] = {}
    for col in columns:
        keys.setdefault(column_key(str(col)), str(col))
    return keys


def unique_names(names: list[str]) -> tuple[list[str], list[str]]:
    """Give blank and repeated column names distinct labels; return them and warnings."""
    seen: dict[str, int] = {}
    out, warnings = [], []
    for position, raw in enumerate(names, start=1):
        name = raw.strip() or f"column_{position}"
        if name in RESERVED_COLUMNS:
            name = f"{name}_original"
        if name in seen:
            seen[name] += 1
            new = f"{name}_{seen[name]}"
            warnings.append(f"column {name!r} appears more than once; the copy is named {new!r}")
            name = new
        seen.setdefault(name, 1)
        out.append(name)
    return out, warnings


def text_cell(value: object) -> str:
    """One original value as text (nested JSON values as JSON)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, np.ndarray):
        return json.dumps(value.tolist(), ensure_ascii=False, default=str)
    return str(value)


def pick(fields: pd.DataFrame, keys: dict[str, str], *candidates: str) -> pd.Series | None:
    """Return the first column whose folded name is one of ``candidates``, as stripped text."""
    for candidate in candidates:
        if candidate in keys:
            return strip_text(fields[keys[candidate]])
    return None


def strip_text(values: pd.Series) -> pd.Series:
    """Cells as text without surrounding white space.

    When no cell has any, the column itself is returned: pyarrow-backed text
    is then shared, not copied (a million-row file holds it once).
    """
    text = values.astype(str)
    if _is_arrow_text(text):
        # Only the first and last characters are looked at: a stripped copy made just
        # to compare it with the column would cost the column's size again.
        return text.str.strip() if _has_surrounding_space(pa.array(text)) else text
    stripped = text.str.strip()
    # Stripping only ever shortens a cell, so equal total sizes mean nothing changed.
    if int(stripped.str.len().sum()) == int(text.str.len().sum()):
        return text
    return stripped


def _is_arrow_text(text: pd.Series) -> bool:
    """Whether a column is pyarrow-backed text."""
    return isinstance(text.dtype, pd.StringDtype) and text.dtype.storage == "pyarrow"


def _has_surrounding_space(text: pa.Array | pa.ChunkedArray) -> bool:
    """Whether a cell starts or ends with white space (as ``str.strip`` on Arrow text sees it)."""
    ends = (pa_compute.utf8_slice_codeunits(text, 0, 1), pa_compute.utf8_slice_codeunits(text, -1))
    return any(bool(pa_compute.any(pa_compute.utf8_is_space(end)).as_py()) for end in ends)


def empty_text(index: pd.Index) -> pd.Series:
    """Return a column of empty strings, Arrow-backed text.

    A file names only some of the contract's fields; the others are this column. Made
    once per table and assigned to each of them, it is shared (pandas copies on write
    only), instead of costing a pointer per record for every absent field.
    """
    return pd.Series(np.full(len(index), "", dtype=object), index=index, dtype=_TEXT)


def require(found: pd.Series | None, what: str, expected: tuple[str, ...]) -> pd.Series:
    """Refuse a file that has no column for a required field."""
    if found is None:
        raise UnreadableFileError(
            f"no column names {what} (expected one of: {', '.join(expected)})"
        )
    return found

"""Split CSV text into records, keeping every record (even malformed ones)."""

from __future__ import annotations

import csv
import io
import sys

import numpy as np
import pandas as pd

from geo.importers.table import unique_names
from geo.schema import UnreadableFileError

# The csv module refuses fields over 128 KiB by default; oversized cells must reach the
# checks (which reject their record with a reason) instead of failing the whole file.
csv.field_size_limit(max(csv.field_size_limit(), min(sys.maxsize, 2**31 - 1)))


def read_csv_fields(text: str, delimiter: str) -> tuple[pd.DataFrame, pd.Series, list[str]]:
    """Parse CSV text into the original fields.

    Parameters
    ----------
    text : str
        Decoded file content.
    delimiter : str
        One character.

    Returns
    -------
    fields : DataFrame
        Text cells indexed by record number (1 = the first record after the header).
    problems : Series
        ``"row has N fields, the header has M"`` for records of the wrong width, else "".
    warnings : list of str
    """
    try:
        rows = [
            row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if row
        ]
    except csv.Error as exc:
        raise UnreadableFileError(f"it is not readable CSV ({exc})") from None
    if not rows:
        raise UnreadableFileError("the file is empty")
    header, warnings = unique_names(rows[0])
    width = len(header)
    records = rows[1:]
    index = pd.RangeIndex(1, len(records) + 1)
    problems = np.full(len(records), "", dtype=object)
    extra: list[str] | None = None
    for position, row in enumerate(records):
        if len(row) != width:
            problems[position] = f"row has {len(row)} fields, the header has {width}"
            if len(row) > width:
                if extra is None:
                    extra = [""] * len(records)
                extra[position] = delimiter.join(row[width:])
                records[position] = row[:width]
            else:
                records[position] = row + [""] * (width - len(row))
    columns = list(zip(*records, strict=True)) if records else [()] * width
    data = {name: np.array(col, dtype=object) for name, col in zip(header, columns, strict=True)}
    fields = pd.DataFrame(data, index=index, columns=header)
    if extra is not None:
        fields["extra_fields"] = extra
    return fields, pd.Series(problems, index=index, dtype=object), warnings

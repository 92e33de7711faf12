"""Split CSV text into records, keeping every record (even malformed ones).

Well-formed files are parsed by pyarrow's multi-threaded CSV reader, which
reads them exactly as Python's :mod:`csv` module does; a file with any record
of the wrong width, an unterminated quote or a record longer than a read
block is parsed by the :mod:`csv` module instead, which keeps such records.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from geo.importers.table import unique_names
from geo.limits import ImportLimits, ReadBudget
from geo.schema import ImportLimitError, UnreadableFileError

# The csv module refuses fields over 128 KiB by default; oversized cells must reach the
# checks (which reject their record with a reason) instead of failing the whole file.
csv.field_size_limit(max(csv.field_size_limit(), min(sys.maxsize, 2**31 - 1)))
# pyarrow reads in blocks; a record longer than one block goes to the csv module.
BLOCK_BYTES: Final = 1 << 22
# The header is looked for in this many leading bytes.
_HEADER_BYTES: Final = 1 << 20
# Records the csv module reads between two checks of the import limits.
_CHECK_EVERY: Final = 10_000
# What a cell costs beside its text, in the accounting of ``geo.limits`` (an Arrow offset).
_CELL_OVERHEAD: Final = 8


def read_csv_bytes(
    data: memoryview, delimiter: str, budget: ReadBudget | None = None
) -> tuple[pd.DataFrame, pd.Series, list[str]]:
    """Parse UTF-8 CSV bytes into the original fields, like :func:`read_csv_fields`.

    Parameters
    ----------
    data : memoryview
        UTF-8 text without a byte-order mark.
    delimiter : str
        One character.
    budget : ReadBudget, optional
        Import limits, checked after every block read (none by default).

    Returns
    -------
    fields, problems, warnings
        As :func:`read_csv_fields`; text columns are pyarrow-backed strings.

    Raises
    ------
    ImportLimitError
        As soon as the records read pass a limit of ``budget``.
    """
    fast = _read_with_arrow(data, delimiter, budget)
    if fast is not None:
        return fast
    return read_csv_fields(str(data, "utf-8"), delimiter, budget)


def _read_with_arrow(
    data: memoryview, delimiter: str, budget: ReadBudget | None
) -> tuple[pd.DataFrame, pd.Series, list[str]] | None:
    """Parse a well-formed file with pyarrow; None when the csv module must read it."""
    head = _first_record(data, delimiter)
    if head is None:
        return None
    width = len(head)
    names = [f"c{position}" for position in range(width)]
    invalid: list[object] = []

    def refuse(row: object) -> str:
        invalid.append(row)
        return "skip"

    options = {
        "read_options": pa_csv.ReadOptions(column_names=names, block_size=BLOCK_BYTES),
        "parse_options": pa_csv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, invalid_row_handler=refuse
        ),
        "convert_options": pa_csv.ConvertOptions(
            # large_string is what pandas' str dtype holds, so no copy is made.
            column_types={name: pa.large_string() for name in names},
            strings_can_be_null=False,
        ),
    }
    source = pa.BufferReader(pa.py_buffer(data))
    try:
        counted = None
        if budget is None or budget.unlimited:
            table = pa_csv.read_csv(source, **options)
        else:
            table, counted = _read_counted(pa_csv.open_csv(source, **options), budget)
    except ImportLimitError:
        raise
    except (pa.ArrowException, ValueError):
        return None
    if invalid or table.num_rows == 0:
        return None
    if [table.column(position)[0].as_py() for position in range(width)] != head:
        return None
    if budget is not None and counted is not None:
        budget.add(counted.rows, counted.decoded_bytes)
    header, warnings = unique_names(head)
    records = table.slice(1)
    del table
    frame = records.rename_columns(header).to_pandas()
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    problems = pd.Series(np.full(len(frame), "", dtype=object), index=frame.index)
    return frame, problems, warnings


def _read_counted(reader: pa.RecordBatchReader, budget: ReadBudget) -> tuple[pa.Table, ReadBudget]:
    """Read CSV blocks one by one, counting each against the import limits before the next.

    Counted apart: when the csv module must read the file after all, it counts the
    same records again from the start.
    """
    counted = ReadBudget(budget.limits)
    batches = []
    header = 1  # the first block starts with the header record
    for batch in reader:
        counted.add(batch.num_rows - header, batch.nbytes)
        header = 0
        batches.append(batch)
    return pa.Table.from_batches(batches, schema=reader.schema), counted


def _first_record(data: memoryview, delimiter: str) -> list[str] | None:
    """Read the header as the csv module does; None when the start does not settle it."""
    prefix = bytes(data[:_HEADER_BYTES]).decode("utf-8", errors="ignore")
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(prefix, newline=""), delimiter=delimiter):
            if row:
                rows.append(row)
            if len(rows) == 2:
                break
    except csv.Error:
        return None
    # Only a record followed by another one (or the whole file) is known to be complete.
    complete = len(rows) == 2 or data.nbytes <= _HEADER_BYTES
    return rows[0] if rows and complete else None


def read_csv_fields(
    text: str, delimiter: str, budget: ReadBudget | None = None
) -> tuple[pd.DataFrame, pd.Series, list[str]]:
    """Parse CSV text into the original fields.

    Parameters
    ----------
    text : str
        Decoded file content.
    delimiter : str
        One character.
    budget : ReadBudget, optional
        Import limits, checked every few thousand records (none by default).

    Returns
    -------
    fields : DataFrame
        Text cells indexed by record number (1 = the first record after the header).
    problems : Series
        ``"row has N fields, the header has M"`` for records of the wrong width, else "".
    warnings : list of str
    """
    budget = budget if budget is not None else ReadBudget(ImportLimits(None, None))
    try:
        rows = _read_rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), budget)
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


def _read_rows(reader: Iterator[list[str]], budget: ReadBudget) -> list[list[str]]:
    """Collect the non-empty records of a csv reader, counting them against the limits."""
    if budget.unlimited:
        return [row for row in reader if row]
    rows: list[list[str]] = []
    pending_rows, pending_bytes, header = 0, 0, 1  # the first row read is the header
    for row in reader:
        if not row:
            continue
        rows.append(row)
        pending_rows += 1
        pending_bytes += sum(map(len, row)) + _CELL_OVERHEAD * len(row)
        if pending_rows == _CHECK_EVERY:
            budget.add(pending_rows - header, pending_bytes)
            pending_rows, pending_bytes, header = 0, 0, 0
    budget.add(max(pending_rows - header, 0), pending_bytes)
    return rows

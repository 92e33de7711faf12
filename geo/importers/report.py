"""What validation tells the user: the listing, the exit code, the rejected CSV."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, TextIO

from geo.incidents import to_csv_bytes
from geo.schema import IncidentDataError

if TYPE_CHECKING:
    from geo.importers import ImportResult

EXIT_OK, EXIT_REJECTED, EXIT_UNREADABLE = 0, 1, 2


def rejected_to_csv_bytes(result: ImportResult) -> bytes:
    """Write the rejected records as CSV, with ``record`` and ``reason`` columns first.

    Parameters
    ----------
    result : ImportResult

    Returns
    -------
    bytes
        UTF-8 with BOM; cells a spreadsheet would run as formulas are
        neutralised (see :func:`geo.incidents.to_csv_bytes`).
    """
    return to_csv_bytes(result.rejected)


def summary_line(result: ImportResult) -> str:
    """Return ``checked N records: A accepted, R rejected``."""
    return (
        f"checked {result.records_read:,} records: "
        f"{len(result.incidents):,} accepted, {len(result.rejected):,} rejected"
    )


def validate_path(path: str | os.PathLike[str], out: TextIO) -> int:
    """Check a file and report on ``out`` as ``python -m geo validate`` does.

    Parameters
    ----------
    path : str or PathLike
    out : text stream

    Returns
    -------
    int
        0 when every record was accepted, 1 when some were rejected (each
        listed as ``row N: reason`` or ``feature N: reason``), 2 when the
        file cannot be read at all (one sentence says why).
    """
    from geo.importers import import_file

    try:
        result = import_file(path)
    except IncidentDataError as exc:  # an unreadable file, or a broken bundled gazetteer
        print(str(exc), file=out)
        return EXIT_UNREADABLE
    for note in result.warnings:
        print(f"note: {note}", file=out)
    label = result.record_label
    for record, reason in zip(result.rejected["record"], result.rejected["reason"], strict=True):
        print(f"{label} {record}: {reason}", file=out)
    print(summary_line(result), file=out)
    return EXIT_REJECTED if len(result.rejected) else EXIT_OK

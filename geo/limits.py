"""Every size limit of the product, in one place, and the checks that name them.

An upload comes from anyone who can reach the page, so what it may cost the server is
bounded: its bytes (as Streamlit counts them), its records and the bytes its content
decodes to (a 3 MB GeoParquet can hold a gigabyte of repeated notes). A local file is
chosen by whoever runs the server and keeps no record or decoded-size limit unless the
environment sets one. A trusted deployment raises the import limits with
``INCIDENT_MAP_MAX_ROWS`` and ``INCIDENT_MAP_MAX_DECODED_MB`` (a whole number, or
``unlimited``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from geo.schema import ImportLimitError, ReportSizeError

# Matches `server.maxUploadSize = 200` in .streamlit/config.toml (megabytes of 2**20 bytes).
MAX_UPLOAD_BYTES: Final = 200 * 1024 * 1024
# Records of one upload. A 200 MB ACLED export holds about 300,000 (some 700 bytes a
# row); every record costs about 2.5 kB on its way through the checks, so a million tiny
# GeoPackage points (2.6 GB) is refused while any honest export under the byte limit passes.
UPLOAD_MAX_ROWS: Final = 500_000
# Decoded bytes of one upload: cell text as UTF-8 plus an 8-byte offset per cell, as
# Arrow holds it. A 200 MB CSV decodes to about 280 MB; compressed formats may decode
# to far more than they weigh, and are stopped here while they are read.
UPLOAD_MAX_DECODED_BYTES: Final = 512 * 2**20
# Longer cells reject their record (kept whole in the rejected table).
MAX_CELL_CHARS: Final = 100_000
# Fatalities or injuries above this for one incident are refused as likely errors (the
# deadliest single events on record stay far below it; int64 sums cannot overflow).
MAX_CASUALTIES_PER_INCIDENT: Final = 1_000_000
# Device pixels of a report PNG (width x height; ``scale`` only sets the DPI, the canvas
# is already width x height). Agg draws into a 4-byte RGBA buffer and the PNG encoder
# holds a second, filtered copy of its rows: about 4.5 bytes per pixel, which is why a
# 20,000 x 20,000 px page (4e8 px) took 1.8 GB. 2**26 px keeps one report near 300 MB,
# enough for the default 2400 x 1697 page 16 times over (e.g. 9600 x 6790, or
# 20,000 x 3,355).
MAX_REPORT_PIXELS: Final = 2**26
# A report page's width and height in device pixels, and its pixel ratio (device pixels
# per layout pixel): the ranges the command line, the dashboard and the page accept.
REPORT_SIDE_PIXELS: Final = (200, 20_000)
REPORT_SCALE: Final = (0.5, 8.0)

ENV_MAX_ROWS: Final = "INCIDENT_MAP_MAX_ROWS"
ENV_MAX_DECODED_MB: Final = "INCIDENT_MAP_MAX_DECODED_MB"
_UNLIMITED: Final = "unlimited"


@dataclass(frozen=True)
class ImportLimits:
    """What one import may hold: records and decoded bytes; None is no limit.

    Attributes
    ----------
    max_rows : int or None
        Records (rows or features), not counting a header.
    max_decoded_bytes : int or None
        Decoded content: UTF-8 text of every cell plus 8 bytes per cell.
    """

    max_rows: int | None = UPLOAD_MAX_ROWS
    max_decoded_bytes: int | None = UPLOAD_MAX_DECODED_BYTES

    @classmethod
    def for_upload(cls, environ: Mapping[str, str] | None = None) -> ImportLimits:
        """Limits for an upload: the defaults, or what the environment sets.

        Parameters
        ----------
        environ : mapping, optional
            The environment (default :data:`os.environ`).

        Returns
        -------
        ImportLimits

        Raises
        ------
        ImportLimitError
            When a variable is set to something other than a whole number or ``unlimited``.
        """
        return cls._from_env(environ, UPLOAD_MAX_ROWS, UPLOAD_MAX_DECODED_BYTES)

    @classmethod
    def for_local_file(cls, environ: Mapping[str, str] | None = None) -> ImportLimits:
        """Limits for a file the server's operator chose: none, unless the environment sets them.

        Parameters
        ----------
        environ : mapping, optional
            The environment (default :data:`os.environ`).

        Returns
        -------
        ImportLimits
        """
        return cls._from_env(environ, None, None)

    @classmethod
    def _from_env(
        cls, environ: Mapping[str, str] | None, rows: int | None, decoded_bytes: int | None
    ) -> ImportLimits:
        """Build limits from the given defaults, each replaced by its variable when set."""
        env = os.environ if environ is None else environ
        return cls(
            max_rows=_env_limit(env, ENV_MAX_ROWS, rows, 1),
            max_decoded_bytes=_env_limit(env, ENV_MAX_DECODED_MB, decoded_bytes, 2**20),
        )

    @property
    def unlimited(self) -> bool:
        """Whether neither limit applies."""
        return self.max_rows is None and self.max_decoded_bytes is None

    def check(self, rows: int, decoded_bytes: int) -> None:
        """Raise when what was read so far is over a limit.

        Parameters
        ----------
        rows : int
            Records read so far.
        decoded_bytes : int
            Decoded bytes read so far.

        Raises
        ------
        ImportLimitError
            Naming the limit and the variable that raises it.
        """
        if self.max_rows is not None and rows > self.max_rows:
            raise ImportLimitError(
                f"it holds more than {self.max_rows:,} records, the limit for one import "
                f"(a trusted deployment raises it with {ENV_MAX_ROWS})"
            )
        if self.max_decoded_bytes is not None and decoded_bytes > self.max_decoded_bytes:
            raise ImportLimitError(
                f"its content decodes to more than {_megabytes(self.max_decoded_bytes)}, "
                f"the limit for one import (a trusted deployment raises it with "
                f"{ENV_MAX_DECODED_MB}, in MB)"
            )


class ReadBudget:
    """Running totals of one import, checked against its limits as batches arrive.

    Parameters
    ----------
    limits : ImportLimits
    """

    def __init__(self, limits: ImportLimits) -> None:
        self.limits = limits
        self.rows = 0
        self.decoded_bytes = 0

    @property
    def unlimited(self) -> bool:
        """Whether nothing needs counting."""
        return self.limits.unlimited

    def add(self, rows: int, decoded_bytes: int) -> None:
        """Count a batch and raise :class:`ImportLimitError` when the totals pass a limit.

        Parameters
        ----------
        rows : int
            Records in the batch.
        decoded_bytes : int
            Decoded bytes in the batch.
        """
        self.rows += rows
        self.decoded_bytes += decoded_bytes
        self.limits.check(self.rows, self.decoded_bytes)


def check_report_size(width: int, height: int) -> None:
    """Refuse a report page over :data:`MAX_REPORT_PIXELS` device pixels.

    Parameters
    ----------
    width, height : int
        The PNG's size in device pixels (as :class:`geo.report.ReportOptions` holds it).

    Raises
    ------
    ReportSizeError
        Naming the limit and a size that fits.
    """
    pixels = width * height
    if pixels <= MAX_REPORT_PIXELS:
        return
    fitting_height = MAX_REPORT_PIXELS // max(width, 1)
    raise ReportSizeError(
        f"a report of {width:,} x {height:,} pixels ({pixels / 1e6:,.0f} million) is over "
        f"the {MAX_REPORT_PIXELS / 1e6:.0f} million pixel limit that keeps one report within "
        f"about {MAX_REPORT_PIXELS * 9 // 2 // 2**20:,} MB of memory; at {width:,} px wide the "
        f"page may be at most {fitting_height:,} px high"
    )


def _env_limit(env: Mapping[str, str], name: str, default: int | None, unit: int) -> int | None:
    """Read one limit from the environment (a whole number of ``unit``, or ``unlimited``)."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if raw.lower() == _UNLIMITED:
        return None
    if not raw.isdigit() or int(raw) == 0:
        raise ImportLimitError(
            f"{name} must be a whole number above 0 or {_UNLIMITED!r}; got {raw[:40]!r}"
        )
    return int(raw) * unit


def _megabytes(size: int) -> str:
    """``512 MB`` (of 2**20 bytes) or ``1,500 bytes``."""
    if size >= 2**20:
        return f"{size / 2**20:,.0f} MB"
    return f"{size:,} bytes"

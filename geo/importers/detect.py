"""Read a file's bytes and tell what it is: size, binary, encoding, delimiter, format."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from geo.schema import UnreadableFileError

# Matches `server.maxUploadSize = 200` in .streamlit/config.toml (megabytes of 2**20 bytes).
MAX_UPLOAD_BYTES: Final = 200 * 1024 * 1024
SQLITE_MAGIC: Final = b"SQLite format 3\x00"
PARQUET_MAGIC: Final = b"PAR1"
ZIP_MAGIC: Final = b"PK\x03\x04"
DELIMITERS: Final = (",", ";", "\t", "|")
# Control characters that never occur in text files (tab, newline and carriage return do).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SUFFIX_FORMATS: Final = {
    ".gpkg": "gpkg",
    ".parquet": "geoparquet",
    ".geoparquet": "geoparquet",
    ".geojson": "geojson",
    ".json": "geojson",
}
_FORMAT_NAMES: Final = {"gpkg": "GeoPackage", "geoparquet": "GeoParquet", "geojson": "GeoJSON"}


@dataclass(frozen=True)
class TextFile:
    """Decoded text and how it was decoded."""

    text: str
    encoding: str


def read_source_bytes(source: str | os.PathLike[str] | bytes) -> bytes:
    """Return a file's bytes, refusing what is missing, a folder or over the size limit."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        path = Path(source)
        if path.is_dir():
            raise UnreadableFileError("it is a folder, not a file")
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise UnreadableFileError("there is no such file") from None
        except OSError as exc:
            raise UnreadableFileError(f"the file cannot be opened ({exc.strerror})") from None
        _check_size(size)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UnreadableFileError(f"the file cannot be opened ({exc.strerror})") from None
    _check_size(len(data))
    return data


def _check_size(size: int) -> None:
    """Refuse files over the upload limit before reading them."""
    if size > MAX_UPLOAD_BYTES:
        raise UnreadableFileError(
            f"the file is {size / 2**20:,.0f} MB, over the {MAX_UPLOAD_BYTES // 2**20} MB limit"
        )


def sniff_kind(data: bytes, name: str | None) -> str:
    """Tell the container from the content: ``gpkg``, ``geoparquet``, ``geojson`` or ``text``.

    The name's suffix only hints; content that contradicts it is refused.
    """
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise UnreadableFileError("the file is empty")
    if data.startswith(SQLITE_MAGIC):
        kind = "gpkg"
    elif data.startswith(PARQUET_MAGIC):
        kind = "geoparquet"
    elif data.startswith(ZIP_MAGIC):
        raise UnreadableFileError(
            "it is a ZIP archive (a spreadsheet or a zipped file); save or extract it as CSV"
        )
    elif data.lstrip(b" \t\r\n\xef\xbb\xbf")[:1] in (b"{", b"["):
        kind = "geojson"
    else:
        kind = "text"
    claimed = _SUFFIX_FORMATS.get(Path(name).suffix.lower()) if name else None
    if claimed and claimed != kind:
        label = _FORMAT_NAMES[claimed]
        raise UnreadableFileError(f"its name says {label} but its content is not {label}")
    return kind


def decode_text(data: bytes) -> TextFile:
    """Decode UTF-8 (with or without BOM) or UTF-16 with BOM, else Windows-1252/Latin-1.

    Raises
    ------
    UnreadableFileError
        When the bytes look binary rather than text.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text, encoding = data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise UnreadableFileError("it claims UTF-16 text but is damaged") from None
    elif b"\x00" in data[:65536]:
        raise UnreadableFileError("it looks like a binary file, not CSV or GeoJSON text")
    else:
        try:
            text, encoding = data.decode("utf-8-sig"), "UTF-8"
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("cp1252"), "Windows-1252"
            except UnicodeDecodeError:
                text, encoding = data.decode("latin-1"), "Latin-1"
    text = text.removeprefix("\ufeff")
    sample = text[:65536]
    if sample and len(_CONTROL.findall(sample)) > max(8, len(sample) // 100):
        raise UnreadableFileError("it looks like a binary file, not CSV or GeoJSON text")
    return TextFile(text=text, encoding=encoding)


def sniff_delimiter(text: str) -> str:
    """Pick the delimiter of a CSV from its header line: ``,`` ``;`` tab or ``|``."""
    header = text.lstrip("\r\n").split("\n", 1)[0]
    # Quoted header names may contain any character; count only outside quotes.
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {delim: unquoted.count(delim) for delim in DELIMITERS}
    best = max(DELIMITERS, key=lambda delim: counts[delim])
    return best if counts[best] else ","

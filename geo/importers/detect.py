"""Read a file's bytes and tell what it is: size, binary, encoding, delimiter, format."""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from geo.limits import MAX_UPLOAD_BYTES as MAX_UPLOAD_BYTES  # re-exported: the old home
from geo.schema import UnreadableFileError

SQLITE_MAGIC: Final = b"SQLite format 3\x00"
PARQUET_MAGIC: Final = b"PAR1"
ZIP_MAGIC: Final = b"PK\x03\x04"
DELIMITERS: Final = (",", ";", "\t", "|")
# The first byte that is neither white space nor part of a byte-order mark.
_CONTENT: Final = re.compile(rb"[^ \t\r\n\xef\xbb\xbf]")
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


# Bytes whose UTF-8 validity is checked at a time (bounds the transient decoded copy).
_CHUNK: Final = 1 << 23
_SAMPLE_CHARS: Final = 65536
# UTF-16 without a byte-order mark: in this many leading bytes, at least this share of
# one byte of each pair is NUL, and at most this share of the other.
_UTF16_SAMPLE: Final = 4096
_UTF16_NUL_SHARE: Final = 0.4
_UTF16_STRAY_SHARE: Final = 0.05


@dataclass(frozen=True)
class TextFile:
    """Decoded text and how it was decoded."""

    text: str
    encoding: str


@dataclass(frozen=True)
class Utf8Text:
    """Text as UTF-8 bytes without a byte-order mark, and the file's original encoding.

    For UTF-8 files ``data`` is a view of the file's own bytes (no copy).
    """

    data: memoryview
    encoding: str


def read_source_bytes(
    source: str | os.PathLike[str] | bytes, max_bytes: int | None = MAX_UPLOAD_BYTES
) -> bytes:
    """Return a file's bytes, refusing what is missing, a folder or over ``max_bytes``.

    Parameters
    ----------
    source : str, PathLike or bytes
    max_bytes : int or None
        The size limit; None reads a file of any size.
    """
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, bytearray | memoryview):
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
        _check_size(size, max_bytes)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UnreadableFileError(f"the file cannot be opened ({exc.strerror})") from None
    _check_size(len(data), max_bytes)
    return data


def _check_size(size: int, max_bytes: int | None) -> None:
    """Refuse files over the size limit (before reading them, for paths)."""
    if max_bytes is None or size <= max_bytes:
        return
    limit, found = _show_size(max_bytes), _show_size(size)
    if found == limit:
        found = _show_size(size, decimals=1)
    raise UnreadableFileError(f"the file is {found}, over the {limit} limit")


def _show_size(size: int, *, decimals: int = 0) -> str:
    """``200 MB`` (of 2**20 bytes, as Streamlit counts) or ``1,500 bytes``."""
    if size >= 2**20:
        return f"{size / 2**20:,.{decimals}f} MB"
    return f"{size:,} bytes"


def sniff_kind(data: bytes, name: str | None) -> str:
    """Tell the container from the content: ``gpkg``, ``geoparquet``, ``geojson`` or ``text``.

    The name's suffix only hints; content that contradicts it is refused.
    """
    # A search, not strip(): stripping would copy a large file just to look at its start.
    start = _CONTENT.search(data)
    if start is None:
        raise UnreadableFileError("the file is empty")
    if data.startswith(SQLITE_MAGIC):
        kind = "gpkg"
    elif data.startswith(PARQUET_MAGIC):
        kind = "geoparquet"
    elif data.startswith(ZIP_MAGIC):
        raise UnreadableFileError(
            "it is a ZIP archive (a spreadsheet or a zipped file); save or extract it as CSV"
        )
    elif data[start.start() : start.start() + 1] in (b"{", b"["):
        kind = "geojson"
    else:
        kind = "text"
    claimed = _SUFFIX_FORMATS.get(Path(name).suffix.lower()) if name else None
    if claimed and claimed != kind:
        label = _FORMAT_NAMES[claimed]
        raise UnreadableFileError(f"its name says {label} but its content is not {label}")
    return kind


def utf16_without_bom(data: bytes) -> str | None:
    """Tell UTF-16 text that has no byte-order mark by its NUL bytes.

    Text in Latin script written as UTF-16 has a NUL in every other byte: the
    high byte of each character. Little-endian puts it second, big-endian first.

    Returns
    -------
    str or None
        ``"utf-16-le"``, ``"utf-16-be"`` or None (not UTF-16 by this pattern).
    """
    sample = data[:_UTF16_SAMPLE]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even, odd = sample[0 : 2 * pairs : 2], sample[1 : 2 * pairs : 2]
    nul_even, nul_odd = even.count(0), odd.count(0)
    if nul_odd >= pairs * _UTF16_NUL_SHARE and nul_even <= pairs * _UTF16_STRAY_SHARE:
        return "utf-16-le"
    if nul_even >= pairs * _UTF16_NUL_SHARE and nul_odd <= pairs * _UTF16_STRAY_SHARE:
        return "utf-16-be"
    return None


def decode_text(data: bytes) -> TextFile:
    """Decode UTF-8 or UTF-16 (each with or without BOM), else Windows-1252 or Latin-1.

    A stray NUL byte does not make a file binary: it reaches the records, which
    are rejected for it; only many control characters do.

    Raises
    ------
    UnreadableFileError
        When the bytes look binary rather than text, or are damaged UTF-16.
    """
    utf16 = utf16_without_bom(data)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text, encoding = data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise UnreadableFileError("it claims UTF-16 text but is damaged") from None
    elif utf16 is not None:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError:
            raise UnreadableFileError(
                "it looks like UTF-16 text without a byte-order mark but does not decode as "
                "such; save it as UTF-8 (in a spreadsheet: CSV UTF-8) and import that"
            ) from None
        encoding = f"UTF-16 ({'little' if utf16.endswith('le') else 'big'}-endian, no BOM)"
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


def utf8_text(data: bytes) -> Utf8Text:
    """Check text bytes like :func:`decode_text` but keep them as UTF-8 bytes.

    A UTF-8 file is validated in chunks and returned as a view of ``data``, so
    a large file is never held a second time as a Python string; other
    encodings are decoded and re-encoded.

    Raises
    ------
    UnreadableFileError
        When the bytes look binary rather than text.
    """
    view = memoryview(data)
    # (``b"\x00" in view`` would compare the byte string with integers: never true.)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or utf16_without_bom(data) is not None:
        decoded = decode_text(data)
        return Utf8Text(memoryview(decoded.text.encode("utf-8")), decoded.encoding)
    start = 0
    while data.startswith(b"\xef\xbb\xbf", start) and start < 6:
        start += 3  # utf-8-sig drops one mark and decode_text a second one
    body = view[start:]
    # ASCII (checked without a copy when there is no mark) is UTF-8 already.
    if not ((start == 0 and data.isascii()) or _is_utf8(body)):
        decoded = decode_text(data)
        return Utf8Text(memoryview(decoded.text.encode("utf-8")), decoded.encoding)
    # The same sample decode_text looks at: the first 65,536 characters.
    sample = bytes(body[: 4 * _SAMPLE_CHARS]).decode("utf-8", errors="ignore")[:_SAMPLE_CHARS]
    if sample and len(_CONTROL.findall(sample)) > max(8, len(sample) // 100):
        raise UnreadableFileError("it looks like a binary file, not CSV or GeoJSON text")
    return Utf8Text(body, "UTF-8")


def _is_utf8(data: memoryview) -> bool:
    """Whether bytes are valid UTF-8, checked in chunks to bound memory."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for offset in range(0, data.nbytes, _CHUNK):
            decoder.decode(data[offset : offset + _CHUNK], final=False)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def sniff_delimiter(text: str) -> str:
    """Pick the delimiter of a CSV from its header line: ``,`` ``;`` tab or ``|``."""
    header = text.lstrip("\r\n").split("\n", 1)[0]
    # Quoted header names may contain any character; count only outside quotes.
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {delim: unquoted.count(delim) for delim in DELIMITERS}
    best = max(DELIMITERS, key=lambda delim: counts[delim])
    return best if counts[best] else ","

"""Reading an article: its text, its date line and the body the sentences come from."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Final

from geo.schema import IncidentDataError

HEADER_LINE: Final = re.compile(r"^(url|published|source|title):[ \t]*(.*)$", re.IGNORECASE)
DATE_LINE: Final = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\b")
MAX_ARTICLE_BYTES: Final = 5_000_000


class ArticleError(IncidentDataError):
    """An article cannot be read, or its publication date is missing or invalid."""


@dataclass(frozen=True)
class Article:
    """One article as read.

    Attributes
    ----------
    text : str
        The whole text; candidate offsets index into it.
    body_start : int
        Offset where the body begins (after the header lines).
    published : date or None
        The date line's date, when the article has one.
    url : str
        The ``url:`` header, or empty.
    name : str
        The file name, or empty for pasted text.
    """

    text: str
    body_start: int
    published: date | None
    url: str = ""
    name: str = ""


def parse_date(value: str) -> date:
    """Parse a ``YYYY-MM-DD`` publication date.

    Parameters
    ----------
    value : str

    Returns
    -------
    datetime.date

    Raises
    ------
    ArticleError
        When the value is not a valid ``YYYY-MM-DD`` date.
    """
    match = DATE_LINE.match(value)
    if match is None:
        raise ArticleError(f"publication date {value!r} is not in the form YYYY-MM-DD")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise ArticleError(f"publication date {value!r} is not a valid date") from exc


class _TextExtractor(HTMLParser):
    """Collect the visible text of an HTML page, one paragraph per block element."""

    BLOCKS: Final = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr", "article", "section"}
    SKIP: Final = {"script", "style", "noscript", "head", "nav", "footer"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Return the visible text of an HTML article, paragraphs separated by blank lines.

    Parameters
    ----------
    markup : str

    Returns
    -------
    str
    """
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    raw = html.unescape("".join(extractor.parts))
    paragraphs = [" ".join(block.split()) for block in re.split(r"\n\s*\n", raw)]
    return "\n\n".join(p for p in paragraphs if p)


def parse_article(text: str, name: str = "") -> Article:
    """Split an article into its header lines and body.

    Parameters
    ----------
    text : str
        The article. Leading ``url:`` and ``published: YYYY-MM-DD`` lines (any
        order, ``(inferred)`` allowed after the date) are read as the header.
    name : str
        The file name, kept for provenance.

    Returns
    -------
    Article

    Raises
    ------
    ArticleError
        When the ``published:`` line holds an invalid date.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    offset, published, url = 0, None, ""
    for line in text.splitlines(keepends=True):
        match = HEADER_LINE.match(line.rstrip("\n"))
        if match is None:
            break
        key, value = match[1].lower(), match[2].strip()
        if key == "published":
            published = parse_date(value)
        elif key == "url":
            url = value
        offset += len(line)
    return Article(text=text, body_start=offset, published=published, url=url, name=name)


def read_article(path: str | Path) -> Article:
    """Read an article from a ``.txt`` or ``.html`` file.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    Article

    Raises
    ------
    ArticleError
        When the file is missing, too large, not text, or has an invalid date line.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"cannot read the article {path}: {exc.strerror or exc}") from exc
    return article_from_bytes(raw, path.name, label=str(path))


def article_from_bytes(raw: bytes, name: str, label: str = "") -> Article:
    """Read an article from the bytes of a ``.txt`` or ``.html`` file (an upload).

    Parameters
    ----------
    raw : bytes
        The file's content; UTF-8 (with or without BOM), else Windows-1252.
    name : str
        The file name: an ``.html`` or ``.htm`` suffix means markup.
    label : str
        How messages name the article; the name by default.

    Returns
    -------
    Article

    Raises
    ------
    ArticleError
        When the content is too large, not text, empty, or has an invalid date line.
    """
    label = label or name or "pasted text"
    if len(raw) > MAX_ARTICLE_BYTES:
        raise ArticleError(f"the article {label} is over {MAX_ARTICLE_BYTES:,} bytes")
    if b"\x00" in raw[:4096]:
        raise ArticleError(f"the article {label} is not a text file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    if Path(name).suffix.lower() in {".html", ".htm"}:
        text = html_to_text(text)
    if not text.strip():
        raise ArticleError(f"the article {label} is empty")
    return parse_article(text, name=name)

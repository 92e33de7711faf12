"""Text from Python made safe inside the HTML of a map: JSON and scripts in ``<script>``."""

from __future__ import annotations

import json
import re
from typing import Any, Final

_SCRIPT_ESCAPES: Final = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)
_CLOSING_SCRIPT: Final = re.compile(r"</(script)", re.IGNORECASE)


def script_json(value: Any, *, ascii_only: bool = False) -> str:
    """Write a value as compact JSON that is safe inside a ``<script>`` element.

    ``<``, ``>`` and ``&`` become Unicode escapes (no ``</script>`` or comment can end
    the element early), and so do the line separators JavaScript once refused in strings.

    Parameters
    ----------
    value : JSON-ready data
    ascii_only : bool
        Escape every non-ASCII character too.

    Returns
    -------
    str
    """
    text = json.dumps(value, ensure_ascii=ascii_only, separators=(",", ":"))
    for char, escaped in _SCRIPT_ESCAPES:
        text = text.replace(char, escaped)
    return text


def script_text(text: str) -> str:
    """Make a script's source safe inside a ``<script>`` element (no closing tag in it)."""
    return _CLOSING_SCRIPT.sub(r"<\\/\1", text)


# ASCII punctuation: CommonMark lets a backslash make any of it a literal character.
_MARKDOWN_PUNCTUATION: Final = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")


# Zero-width and invisible: shown text is unchanged, but no bare link pattern matches.
WORD_JOINER: Final = "\u2060"
# "www" before a dot, a scheme's colon before "//", and what precedes an e-mail's "@".
_BARE_LINK: Final = re.compile(r"(?i)www(?=\\\.)|\\:(?=\\/\\/)|[\w.+-](?=\\@)")


def markdown_text(text: str) -> str:
    """Escape text so that Markdown shows it as written (no image, link, emphasis or HTML).

    For the places that only take Markdown (error, warning and info boxes): a file name
    such as ``![x](https://example.invalid/).csv`` then reads as itself instead of
    loading an image from outside, and ``www.example.invalid`` is no link.

    Parameters
    ----------
    text : str
        Any text, such as a message naming an uploaded file.

    Returns
    -------
    str
        Every ASCII punctuation character backslash-escaped, a word joiner
        (:data:`WORD_JOINER`) inside each bare link pattern; line breaks kept as breaks.
    """
    escaped = _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)
    # Escapes do not stop GFM's bare links (www., scheme://, e-mail): they are found in
    # the text after escapes are read, so an invisible word joiner breaks each pattern.
    escaped = _BARE_LINK.sub(lambda found: found.group(0) + WORD_JOINER, escaped)
    return "  \n".join(escaped.splitlines()) if "\n" in escaped else escaped

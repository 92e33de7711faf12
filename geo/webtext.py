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

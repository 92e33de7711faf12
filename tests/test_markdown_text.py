"""Text escaped for Markdown boxes reads back exactly as written, with no markup left."""

from __future__ import annotations

import re
import string

import pytest

from geo.webtext import markdown_text

NAMES = [
    "![x](https://example.invalid/?leak=1).csv",
    "[official notice](javascript:alert(1)) www.example.invalid.csv",
    "<img src=https://example.invalid/a.png>.csv",
    "**bold** _under_ `code` ~~gone~~ $x^2$ :red[alert] :material/home:.csv",
    "<https://example.invalid>.csv",
]


def unescape(text: str) -> str:
    """What a CommonMark reader shows for backslash escapes."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


@pytest.mark.parametrize("name", NAMES)
def test_names_read_back_as_written(name: str) -> None:
    escaped = markdown_text(f"cannot read {name}: it is empty.")
    assert unescape(escaped) == f"cannot read {name}: it is empty."


@pytest.mark.parametrize("name", NAMES)
def test_no_punctuation_is_left_unescaped(name: str) -> None:
    escaped = markdown_text(name)
    bare = re.sub(r"\\.", "", escaped)
    assert not set(bare) & set(string.punctuation), bare


def test_line_breaks_stay_breaks() -> None:
    assert markdown_text("one\ntwo") == "one  \ntwo"

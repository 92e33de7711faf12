"""Text escaped for Markdown boxes reads back exactly as written, with no markup left."""

from __future__ import annotations

import re
import string

import pytest

from geo.webtext import WORD_JOINER, markdown_text

NAMES = [
    "![x](https://example.invalid/?leak=1).csv",
    "[official notice](javascript:alert(1)) www.example.invalid.csv",
    "<img src=https://example.invalid/a.png>.csv",
    "**bold** _under_ `code` ~~gone~~ $x^2$ :red[alert] :material/home:.csv",
    "<https://example.invalid>.csv",
    "mail me: someone@example.invalid or www.example.invalid.csv",
]


def unescape(text: str) -> str:
    """What a CommonMark reader shows for backslash escapes (the word joiner is invisible)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text).replace(WORD_JOINER, "")


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


@pytest.mark.parametrize(
    ("text", "pattern"),
    [("www.example.invalid", "www."), ("https://example.invalid", "://"), ("a@b.invalid", "a@")],
)
def test_bare_link_patterns_are_broken(text: str, pattern: str) -> None:
    """GFM links bare addresses in the text after escapes are read: the pattern must not survive."""
    assert pattern not in re.sub(r"\\(.)", r"\1", markdown_text(text))

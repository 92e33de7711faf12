"""JSON and scripts made safe inside a <script> element."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from geo.webtext import script_json, script_text

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(VALUES)
def test_script_json_reads_back_and_cannot_end_the_element(value: object) -> None:
    text = script_json(value)
    assert json.loads(text) == value
    for char in "<>&\u2028\u2029":
        assert char not in text


@given(VALUES)
def test_ascii_only_json_holds_no_other_character(value: object) -> None:
    text = script_json(value, ascii_only=True)
    assert text.isascii() and json.loads(text) == value


def test_a_script_cannot_close_its_element() -> None:
    source = 'var s = "</script><b>x</b>"; var t = "</SCRIPT >";'
    safe = script_text(source)
    assert "</script" not in safe.lower()
    assert safe.replace("<\\/", "</") == source

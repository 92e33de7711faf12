"""Compare mode in a real browser: two periods side by side from a link."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import COUNT_MARKERS_JS
from tests.browser.test_map_view import count_in_window, read_bundled

pytestmark = pytest.mark.browser

BEFORE = ("2019-10-03", "2020-01-02")
AFTER = ("2020-01-03", "2020-04-02")  # the quarter after the strike of 3 January 2020


def compare_frame(app, key: str):
    handle = app.page.wait_for_selector(f".st-key-compare_map_{key} iframe", timeout=60_000)
    frame = handle.content_frame()
    assert frame is not None
    frame.wait_for_function("() => window.map && window.map._loaded", timeout=60_000)
    return frame


def test_a_link_opens_both_periods_side_by_side_on_one_extent(app):
    df = read_bundled()
    counts = {key: count_in_window(df, *period) for key, period in (("first", BEFORE),
              ("second", AFTER))}  # fmt: skip
    assert all(counts.values()) and counts["first"] != counts["second"]

    app.open(f"start={BEFORE[0]}&end={BEFORE[1]}&compare_start={AFTER[0]}&compare_end={AFTER[1]}")

    assert app.metric("Incidents shown") == counts["first"]
    assert app.metric("First period: incidents") == counts["first"]
    assert app.metric("Second period: incidents") == counts["second"]
    bounds = []
    for key, expected in counts.items():
        frame = compare_frame(app, key)
        frame.wait_for_function(f"n => ({COUNT_MARKERS_JS})() === n", arg=expected, timeout=30_000)
        bounds.append(frame.evaluate("() => window.map.getBounds().toBBoxString()"))
    assert bounds[0] == bounds[1]
    params = parse_qs(urlsplit(app.page.url).query)
    assert params["compare_start"] == [AFTER[0]] and params["compare_end"] == [AFTER[1]]
    assert app.page.locator(".st-key-download_compare_png").count() == 1

"""The map in a real browser: a URL view, the time slider, the legend."""

from __future__ import annotations

import json
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from geo.load import DEFAULT_DATA_PATH

pytestmark = pytest.mark.browser


def read_bundled() -> pd.DataFrame:
    """The bundled incidents straight from the GeoJSON, without the package's readers."""
    features = json.loads(DEFAULT_DATA_PATH.read_text(encoding="utf-8"))["features"]
    df = pd.DataFrame([f["properties"] for f in features])
    df["first"] = pd.to_datetime(df["event_date"])
    df["last"] = pd.to_datetime(df["end_date"].replace("", None)).fillna(df["first"])
    return df


def count_in_window(df: pd.DataFrame, start: str | None, end: str | None) -> int:
    keep = pd.Series(True, index=df.index)
    if start:
        keep &= df["last"] >= pd.Timestamp(start)
    if end:
        keep &= df["first"] <= pd.Timestamp(end)
    return int(keep.sum())


def busiest_month(df: pd.DataFrame) -> tuple[date, date]:
    """The calendar month with most incidents starting in it, as an inclusive window."""
    month = df["first"].dt.to_period("M").value_counts().idxmax()
    return month.start_time.date(), month.end_time.date()


def test_url_view_draws_its_incidents(app):
    df = read_bundled()
    start, end = busiest_month(df)
    expected = count_in_window(df, start.isoformat(), end.isoformat())
    assert 0 < expected < len(df)

    app.open(f"start={start}&end={end}")

    assert app.metric("Incidents shown") == expected
    assert app.wait_for_markers(expected) == expected
    params = parse_qs(urlsplit(app.page.url).query)
    assert params["start"] == [start.isoformat()] and params["end"] == [end.isoformat()]


def test_actor_view_from_url(app):
    df = read_bundled()
    actor = df["actor1"].value_counts().index[0]
    fields = ["actor1", "actor2", "assoc_actor_1", "assoc_actor_2"]
    named = (
        df[fields]
        .fillna("")
        .apply(lambda row: actor in {n.strip() for v in row for n in str(v).split(";")}, axis=1)
    )
    expected = int(named.sum())
    assert 0 < expected < len(df)

    app.open(f"actor={actor}")

    assert app.metric("Incidents shown") == expected
    assert app.wait_for_markers(expected) == expected


def test_moving_time_slider_changes_what_is_drawn(app):
    df = read_bundled()
    app.open()
    assert app.wait_for_markers(len(df)) == len(df)

    # Drag the upper end of the window back with the keyboard, as a user can.
    upper = app.page.locator(".st-key-window input[type='range']").nth(1)
    upper.focus()
    for _ in range(3):
        upper.press("PageDown")
    chosen = upper.get_attribute("aria-valuetext")
    assert chosen and chosen < df["last"].max().date().isoformat()
    # The URL follows the slider once the rerun that the move started has finished.
    app.page.wait_for_function(
        "end => new URLSearchParams(location.search).get('end') === end",
        arg=chosen,
        timeout=30_000,
    )
    app.wait_idle()
    params = parse_qs(urlsplit(app.page.url).query)
    expected = count_in_window(df, params.get("start", [None])[0], params["end"][0])
    assert expected < len(df)
    assert app.metric("Incidents shown") == expected
    assert app.wait_for_markers(expected) == expected


def test_legend_lists_the_event_types_shown(app):
    df = read_bundled()
    app.open()
    frame = app.map_frame()
    legend = frame.locator(".geo-legend")
    legend.wait_for(state="visible", timeout=30_000)
    text = legend.inner_text()
    assert "Event type" in text
    for event_type in df["event_type"].unique():
        assert event_type in text


def test_view_is_kept_across_filter_changes(app):
    df = read_bundled()
    word = "rocket"
    text = (df["notes"].fillna("") + "\n" + df["location"] + "\n" + df["source"]).str.casefold()
    expected = int(text.str.contains(word, regex=False).sum())
    assert 0 < expected < len(df)
    app.open()
    frame = app.map_frame()
    app.wait_for_markers(len(df))
    frame.evaluate("() => { window.map.setView([33.3, 44.4], 9, {animate: false}); }")

    app.page.locator(".st-key-q input").fill(word)
    app.page.locator(".st-key-q input").press("Enter")
    assert app.wait_for_markers(expected) == expected
    app.wait_idle()
    lat, lon, zoom = frame.evaluate(
        "() => [window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]"
    )
    assert (round(lat, 3), round(lon, 3), zoom) == (33.3, 44.4, 9)


def test_playback_advances_and_stops_at_the_end(app):
    df = read_bundled()
    last = df["last"].max().date()
    start, end = last - timedelta(days=40), last - timedelta(days=20)
    app.open(f"start={start}&end={end}")
    app.page.locator(".st-key-playing label").click()
    # At the data's last day the window is unbounded on the right: `end` leaves the URL.
    app.page.wait_for_function(
        "() => !new URLSearchParams(location.search).has('end')", timeout=60_000
    )
    app.page.wait_for_function(
        "() => !document.querySelector('.st-key-playing input').checked", timeout=30_000
    )
    app.wait_idle()
    params = parse_qs(urlsplit(app.page.url).query)
    assert date.fromisoformat(params["start"][0]) > start
    assert app.metric("Incidents shown") == count_in_window(df, params["start"][0], None)


def test_an_empty_step_keeps_the_map_and_the_users_view(app):
    df = read_bundled()
    here = count_in_window(df, "2020-04-03", "2020-04-09")
    assert here > 0 and count_in_window(df, "2020-04-10", "2020-04-16") == 0
    app.open("start=2020-04-03&end=2020-04-09")
    frame = app.map_frame()
    app.wait_for_markers(here)
    frame.evaluate("() => { window.map.setView([33.3, 44.4], 10, {animate: false}); }")
    view = "() => [window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]"
    for button, expected in (("step_forward", 0), ("step_back", here)):
        app.page.locator(f".st-key-{button} button").click()
        app.wait_idle()
        assert app.wait_for_markers(expected) == expected
        lat, lon, zoom = app.map_frame().evaluate(view)
        assert (round(lat, 3), round(lon, 3), zoom) == (33.3, 44.4, 10), button
        assert app.page.locator("[data-testid='stException']").count() == 0


def test_the_title_sits_near_the_top_of_the_page(app):
    app.open()
    title = app.page.locator("[data-testid='stMain'] h1").first
    title.wait_for()
    # The page's style arrives as an element of its own: give it a moment to apply.
    try:
        app.page.wait_for_function(
            "() => document.querySelector(\"[data-testid='stMain'] h1\")"
            ".getBoundingClientRect().top < 70",
            timeout=10_000,
        )
    except PlaywrightTimeoutError:
        pass
    box = title.bounding_box()
    assert box is not None and box["y"] < 70, box

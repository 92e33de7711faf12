"""An analyst's own file replaces the bundled data for that browser session only."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from geo.load import DEFAULT_DATA_PATH

from .conftest import App

pytestmark = pytest.mark.browser


def test_upload_replaces_data_for_this_session_only(app, browser, server, tmp_path):
    rows = pd.DataFrame(
        {
            "event_date": ["2020-01-03", "2020-01-08", "not a date", "2020-02-11"],
            "latitude": [33.31, 36.19, 33.0, 35.47],
            "longitude": [44.36, 44.01, 44.0, 44.39],
            "event_type": ["Explosions/Remote violence", "Battles", "Battles", "Protests"],
            "actor1": ["Group A", "Group B", "Group C", "Group A"],
            "fatalities": [2, 0, 1, 3],
            "notes": ["first", "second", "bad date", "fourth"],
        }
    )
    upload = tmp_path / "my_incidents.csv"
    rows.to_csv(upload, index=False)
    valid = int(pd.to_datetime(rows["event_date"], errors="coerce").notna().sum())

    app.open()
    app.page.locator(".st-key-upload input[type='file']").set_input_files(str(upload))
    app.page.get_by_text(f"checked {len(rows)} records").wait_for(timeout=60_000)
    app.wait_idle()

    sidebar = app.page.locator("[data-testid='stSidebar']")
    report = sidebar.get_by_text(f"checked {len(rows)} records").inner_text()
    assert f"{valid} accepted, {len(rows) - valid} rejected" in report
    assert app.metric("Incidents shown") == valid
    main = app.page.locator("[data-testid='stMain']")
    assert main.get_by_text("1 of the 4 records in my_incidents.csv were rejected").count() == 1
    note = "This page's link keeps the filters and the view, not my_incidents.csv"
    assert main.get_by_text(note).count() == 1
    assert app.wait_for_markers(valid) == valid
    sidebar.get_by_text("1 rejected record").click()
    download = sidebar.locator(".st-key-download_rejected")
    download.wait_for()
    with app.page.expect_download() as event:
        download.locator("button").click()
    rejected = pd.read_csv(event.value.path(), encoding="utf-8-sig")
    assert rejected["record"].tolist() == [3]
    assert "date" in rejected["reason"][0]

    # Another session still sees the bundled data.
    bundled = len(json.loads(DEFAULT_DATA_PATH.read_text(encoding="utf-8"))["features"])
    other = browser.new_context(viewport={"width": 1400, "height": 1000})
    other.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
    try:
        second = App(other.new_page(), server).open()
        assert second.metric("Incidents shown") == bundled
    finally:
        other.close()

"""Every download of the incidents shown, fetched as a user would."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from pypdf import PdfReader

from geo.assets import find_external_urls

from .test_map_view import busiest_month, count_in_window, read_bundled

pytestmark = pytest.mark.browser


def download(app, fmt: str) -> bytes:
    button = app.page.locator(f".st-key-download_{fmt} button")
    with app.page.expect_download(timeout=120_000) as event:
        button.click()
    assert event.value.suggested_filename == f"busiest-month.{fmt}"
    return event.value.path().read_bytes()


def open_busiest_month_titled(app) -> int:
    """Open the busiest month with the report title "Busiest month"; return its count."""
    df = read_bundled()
    start, end = busiest_month(df)
    app.open(f"start={start}&end={end}")
    app.page.get_by_text("Export the incidents shown").click()
    app.commit("report_title", "Busiest month")
    return count_in_window(df, start.isoformat(), end.isoformat())


def test_downloads_hold_the_incidents_shown(app):
    expected = open_busiest_month_titled(app)
    app.commit("report_width", "1400")
    app.commit("report_height", "900")

    png = download(app, "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1400, 900)
    pdf = PdfReader(io.BytesIO(download(app, "pdf")))
    # The report page, then the incident list continued where the page had no room.
    assert all("(continued)" in p.extract_text() for p in pdf.pages[1:])
    assert "(continued)" not in pdf.pages[0].extract_text()
    csv = pd.read_csv(io.BytesIO(download(app, "csv")), encoding="utf-8-sig")
    assert len(csv) == expected
    geojson = json.loads(download(app, "geojson"))
    assert len(geojson["features"]) == expected
    page = download(app, "html").decode("utf-8")
    assert "leaflet" in page.lower()
    assert find_external_urls(page) == []

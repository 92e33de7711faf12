"""The dashboard's time-lapse: made on a click, with one frame per step, then downloaded."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from geo.timelapse import timelapse_frames

pytestmark = pytest.mark.browser

WINDOW = (date(2020, 1, 1), date(2020, 3, 31))


def test_a_monthly_gif_of_the_window_downloads_with_one_frame_per_month(app):
    app.open(f"start={WINDOW[0]}&end={WINDOW[1]}&title=Winter+2020")
    app.page.get_by_text("Export the incidents shown").click()
    app.page.locator(".st-key-timelapse_step").get_by_text("Month").click()
    app.wait_idle()
    app.page.locator(".st-key-make_timelapse button").click()
    button = app.page.locator(".st-key-download_timelapse button")
    button.wait_for(state="visible", timeout=180_000)
    with app.page.expect_download(timeout=60_000) as event:
        button.click()
    assert event.value.suggested_filename == "winter-2020.gif"
    image = Image.open(io.BytesIO(event.value.path().read_bytes()))
    assert image.n_frames == len(timelapse_frames(WINDOW, "month"))
    assert image.size == (1920, 1080)

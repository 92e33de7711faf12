"""Time-lapses: frames that tile the window, their captions and pixels, GIF and MP4 files."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pandas as pd
import pytest
from conftest import make_incidents
from PIL import Image

from geo import cli
from geo.filters import IncidentFilter, IncidentIndex
from geo.recipe import read_recipe, recipe_path_for
from geo.report import PageOptions
from geo.timelapse import (
    MAX_FRAMES,
    TimelapseError,
    frame_caption,
    frame_incidents,
    render_frames,
    render_timelapse,
    timelapse_frames,
    timelapse_window,
)
from geo.view import View, select_view

SMALL = PageOptions(width=960, height=540, scale=1.0)  # quick frames, still the full page
# Incidents spread over five weeks of March 2020, one multi-day event across two weeks.
ROWS = [
    {"event_id": "a", "event_date": "2020-03-02", "lon": 44.25, "lat": 33.53, "fatalities": 3},
    {"event_id": "b", "event_date": "2020-03-05", "lon": 44.60, "lat": 32.90},
    {"event_id": "c", "event_date": "2020-03-13", "end_date": "2020-03-17", "lon": 43.7,
     "lat": 33.95, "event_type": "Battles", "sub_event_type": "Armed clash"},
    {"event_id": "d", "event_date": "2020-03-25", "lon": 44.1, "lat": 34.5, "fatalities": 12},
    {"event_id": "e", "event_date": "2020-03-31", "lon": 43.2, "lat": 35.3},
]  # fmt: skip


def day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


@pytest.fixture
def march():
    gdf = make_incidents(ROWS)
    view = View(flt=IncidentFilter(start=date(2020, 3, 1), end=date(2020, 3, 31)), step="week")
    return gdf, select_view(view, IncidentIndex(gdf), data_label="march.csv")


def test_weekly_frames_tile_the_window_one_per_iso_week() -> None:
    window = (date(2020, 3, 1), date(2020, 3, 31))  # a Sunday to a Tuesday
    frames = timelapse_frames(window, "week")
    mondays = pd.date_range(window[0] - timedelta(days=6), window[1], freq="W-MON")
    assert len(frames) == len(mondays)
    assert frames[0].start == window[0] and frames[-1].end == window[1]
    for before, after in zip(frames, frames[1:], strict=False):
        assert after.start == before.end + timedelta(days=1)
    for frame in frames[1:-1]:
        assert frame.start.weekday() == 0 and (frame.end - frame.start).days == 6
    assert [f.number for f in frames] == list(range(1, len(frames) + 1))


def test_monthly_frames_are_calendar_months_and_cumulative_frames_start_at_the_window() -> None:
    window = (date(2019, 11, 15), date(2020, 2, 10))
    frames = timelapse_frames(window, "month", cumulative=True)
    assert [(f.start, f.end) for f in frames] == [
        (date(2019, 11, 15), date(2019, 11, 30)),
        (date(2019, 12, 1), date(2019, 12, 31)),
        (date(2020, 1, 1), date(2020, 1, 31)),
        (date(2020, 2, 1), date(2020, 2, 10)),
    ]
    assert {f.since for f in frames} == {window[0]}


def test_too_many_frames_are_refused_in_one_sentence() -> None:
    window = (date(2000, 1, 1), date(2000, 1, 1) + timedelta(weeks=MAX_FRAMES + 3))
    with pytest.raises(TimelapseError, match=f"more than {MAX_FRAMES} frames: step by month"):
        timelapse_frames(window, "week")
    assert len(timelapse_frames(window, "month")) < MAX_FRAMES


def test_each_frame_shows_what_the_filter_selects_for_its_step(march) -> None:
    gdf, selection = march
    index = IncidentIndex(gdf)
    for cumulative in (False, True):
        frames = timelapse_frames(timelapse_window(selection), "week", cumulative=cumulative)
        for frame in frames:
            flt = selection.view.flt.with_changes(start=frame.since, end=frame.end)
            expected = index.select(flt)
            shown = frame_incidents(selection.incidents, frame)
            assert sorted(shown["event_id"]) == sorted(expected["event_id"])


def test_captions_carry_each_steps_dates_and_frames_differ(march) -> None:
    gdf, selection = march
    frames = timelapse_frames(timelapse_window(selection), "week")
    for frame in frames:
        shown = frame_incidents(selection.incidents, frame)
        caption = frame_caption(selection.view.flt, shown, len(gdf), frame)
        assert f"{day(frame.start)} – {day(frame.end)}" in caption
        assert f"{len(shown)} of {len(gdf)} incidents shown" in caption
        assert f"frame {frame.number} of {len(frames)}" in caption
    pixels = list(render_frames(selection, frames, SMALL))
    assert len(pixels) == len(frames)
    assert {p.shape for p in pixels} == {(540, 960, 3)}
    for i in range(len(pixels)):
        for j in range(i + 1, len(pixels)):
            assert np.any(pixels[i] != pixels[j]), (i, j)


def test_cumulative_caption_names_the_newest_step(march) -> None:
    gdf, selection = march
    frames = timelapse_frames(timelapse_window(selection), "week", cumulative=True)
    last = frames[-1]
    shown = frame_incidents(selection.incidents, last)
    caption = frame_caption(selection.view.flt, shown, len(gdf), last)
    assert caption.startswith(f"{day(date(2020, 3, 1))} – {day(date(2020, 3, 31))}")
    assert f"newest: {day(last.start)} – {day(last.end)} (1)" in caption
    assert len(shown) == len(gdf)


def test_gif_decodes_with_one_frame_per_step(march) -> None:
    _, selection = march
    steps = len(timelapse_frames(timelapse_window(selection), "week"))
    progress: list[tuple[int, int]] = []
    content = render_timelapse("gif", selection, SMALL, progress=lambda *p: progress.append(p))
    image = Image.open(io.BytesIO(content))
    assert image.format == "GIF" and image.size == (960, 540)
    assert image.n_frames == steps
    assert progress == [(k, steps) for k in range(1, steps + 1)]


def test_mp4_is_decoded_by_ffmpeg_with_one_frame_per_step(march, tmp_path: Path) -> None:
    _, selection = march
    path = tmp_path / "march.mp4"
    path.write_bytes(render_timelapse("mp4", selection, SMALL, cumulative=True))
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
    assert frames == len(timelapse_frames(timelapse_window(selection), "week"))
    assert seconds > 0


def test_cli_writes_a_monthly_gif_and_its_recipe(tmp_path: Path, capsys) -> None:
    data = tmp_path / "incidents.geojson"
    make_incidents(ROWS).to_file(data, driver="GeoJSON")
    out = tmp_path / "spring.gif"
    args = ["export", "--data", str(data), "--out", str(out), "--start", "2020-01-15",
            "--end", "2020-04-30", "--step", "month", "--cumulative", "--width", "960",
            "--height", "540", "--scale", "1"]  # fmt: skip
    assert cli.main(args) == 0
    assert Image.open(out).n_frames == 4  # mid-January, February, March, April
    recipe = read_recipe(recipe_path_for(out))
    assert recipe.format == "gif" and recipe.view.step == "month"
    assert recipe.output.cumulative
    # The recipe makes the same time-lapse again.
    again = tmp_path / "again.gif"
    assert cli.main(["export", "--recipe", str(recipe_path_for(out)), "--out", str(again)]) == 0
    assert Image.open(again).n_frames == 4


def test_cli_refuses_a_time_lapse_of_too_many_frames(tmp_path: Path, capsys) -> None:
    data = tmp_path / "incidents.geojson"
    make_incidents(ROWS).to_file(data, driver="GeoJSON")
    out = tmp_path / "decades.mp4"
    args = ["export", "--data", str(data), "--out", str(out), "--start", "2000-01-01",
            "--end", "2020-12-31", "--step", "week"]  # fmt: skip
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: a time-lapse of 2000-01-01 to 2020-12-31 by week")
    assert "Traceback" not in err
    assert not out.exists()

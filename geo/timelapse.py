"""Time-lapses for briefings: the report map of each step of a window, as a GIF or an MP4.

The steps come from :mod:`geo.timeline` (:func:`~geo.timeline.first_step`, then
:func:`~geo.timeline.step_window`), so they tile the window exactly as playback does:
whole ISO weeks or calendar months, cut at the window's ends. Every frame is the report
page (:mod:`geo.report`) of its step, with title, the step's dates, legend, scale bar
and source line, at one extent and with one legend for all frames, so nothing moves
between frames but the incidents. In cumulative mode a frame shows every incident so
far, the earlier steps pale and the newest step in full colour.

The GIF is written with Pillow; the MP4 with the ffmpeg that the ``imageio-ffmpeg``
package ships, so nothing outside the Python environment is needed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from geo.filters import IncidentFilter
from geo.report import PageOptions
from geo.schema import IncidentDataError, MissingComponentError
from geo.timeline import STEPS, at_span_end, first_step, step_window

if TYPE_CHECKING:
    import geopandas as gpd

    from geo.report import ReportPage
    from geo.view import Selection

TIMELAPSE_FORMATS: Final = {"gif": "image/gif", "mp4": "video/mp4"}
MAX_FRAMES: Final = 520  # ten years of weeks
FRAME_SECONDS: Final = 0.8  # how long each step stays on screen
# 1080p: a briefing screen's size, with text at 1.5x so that it reads from the back.
TIMELAPSE_PAGE: Final = PageOptions(width=1920, height=1080, scale=1.5)

Progress = Callable[[int, int], None]
"""Told ``(frames done, frames in all)`` after each frame."""


class TimelapseError(IncidentDataError):
    """A time-lapse cannot be made of this window: too many frames, or no window at all."""


@dataclass(frozen=True)
class Frame:
    """One step of a time-lapse.

    Attributes
    ----------
    start, end : date
        The step (inclusive): the incidents highlighted in the frame.
    since : date
        The first day shown: ``start``, or the window's start in cumulative mode.
    number, count : int
        The frame's position (from 1) and how many frames there are.
    """

    start: date
    end: date
    since: date
    number: int
    count: int


def timelapse_window(selection: Selection) -> tuple[date, date] | None:
    """Return the window a time-lapse steps through: the filter's, or the incidents' dates.

    Returns
    -------
    (date, date) or None
        None when the filter leaves an end open and there is no incident to close it.
    """
    flt, incidents = selection.view.flt, selection.incidents
    if len(incidents):
        first = incidents["event_date"].min().date()
        last = incidents["end_date"].fillna(incidents["event_date"]).max().date()
    start = flt.start or (first if len(incidents) else None)
    end = flt.end or (last if len(incidents) else None)
    if start is None or end is None:
        return None
    return start, max(start, end)


def timelapse_frames(
    window: tuple[date, date], step: str, *, cumulative: bool = False
) -> list[Frame]:
    """List the frames of a window: one per week or month, tiling it.

    Parameters
    ----------
    window : (date, date)
        Inclusive.
    step : {"week", "month"}
    cumulative : bool
        Each frame shows everything since the window's start.

    Returns
    -------
    list of Frame

    Raises
    ------
    TimelapseError
        When the window holds more than :data:`MAX_FRAMES` steps.
    ValueError
        When ``step`` is not ``week`` or ``month``.
    """
    if step not in STEPS:
        raise ValueError(f"step must be one of {', '.join(STEPS)}; got {step!r}")
    steps = [first_step(step, window[0], window)]
    while not at_span_end(steps[-1], window):
        steps.append(step_window(steps[-1], step, window))
        if len(steps) > MAX_FRAMES:
            raise TimelapseError(
                f"a time-lapse of {window[0]} to {window[1]} by {step} would have more than "
                f"{MAX_FRAMES} frames: step by month or choose a shorter time range"
            )
    return [
        Frame(s, e, window[0] if cumulative else s, k, len(steps))
        for k, (s, e) in enumerate(steps, 1)
    ]


def in_period(incidents: pd.DataFrame, start: date, end: date) -> np.ndarray:
    """Tell which incidents' days overlap ``[start, end]``, as the filters do."""
    first = incidents["event_date"]
    last = incidents["end_date"].fillna(first)
    return ((first <= pd.Timestamp(end)) & (last >= pd.Timestamp(start))).to_numpy(dtype=bool)


def frame_incidents(incidents: gpd.GeoDataFrame, frame: Frame) -> gpd.GeoDataFrame:
    """Return the incidents a frame shows: those whose days overlap ``[since, end]``."""
    return incidents[in_period(incidents, frame.since, frame.end)]


def frame_caption(
    flt: IncidentFilter, incidents: gpd.GeoDataFrame, total: int, frame: Frame
) -> str:
    """Say what one frame shows: its dates, the filters, the count and its place in the series.

    Parameters
    ----------
    flt : IncidentFilter
        The time-lapse's filter; its window is replaced by the frame's.
    incidents : GeoDataFrame
        The incidents the frame shows.
    total : int
        How many incidents the dataset holds.
    frame : Frame

    Returns
    -------
    str
        The report caption of the frame's period, then (cumulative) which step is
        highlighted, then ``frame 3 of 12``.
    """
    from geo.report import describe_caption, describe_period

    caption = describe_caption(flt.with_changes(start=frame.since, end=frame.end), incidents, total)
    if frame.since != frame.start:
        newest = int(in_period(incidents, frame.start, frame.end).sum()) if len(incidents) else 0
        step = describe_period(IncidentFilter(start=frame.start, end=frame.end), incidents)
        caption += f" · newest: {step} ({newest:,})"
    return f"{caption} · frame {frame.number} of {frame.count}"


def _fixed_view(selection: Selection, page: PageOptions) -> tuple[Selection, ReportPage]:
    """Fix the whole window's extent and ranking on the selection; return it and its page."""
    from geo import palette
    from geo.report import draw_selection

    view = selection.view
    if view.color_by == "actor" and not view.actor_ranking:
        ranking = tuple(palette.rank_actors(selection.incidents["actor1"]))
        view = view.with_changes(actor_ranking=ranking)
    whole = draw_selection(replace(selection, view=view), page)
    # Every frame shows what the page of the whole window shows.
    return replace(selection, view=view.with_changes(extent=whole.bounds)), whole


def render_frames(
    selection: Selection,
    frames: list[Frame],
    page: PageOptions | None = None,
    *,
    created: datetime | None = None,
    progress: Progress | None = None,
) -> Iterator[np.ndarray]:
    """Draw each frame's report page; yield its pixels, ``height x width x 3`` uint8.

    Parameters
    ----------
    selection : Selection
        The view and every incident of the window.
    frames : list of Frame
        See :func:`timelapse_frames`.
    page : PageOptions, optional
        Frame size; :data:`TIMELAPSE_PAGE` by default.
    created : datetime, optional
        The time printed as "made" on every frame; now by default.
    progress : callable, optional
        Called with ``(done, len(frames))`` after each frame.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from geo.report import PageOverlay, draw_selection

    page = page or TIMELAPSE_PAGE
    created = created or datetime.now(UTC)  # one time on every frame
    fixed, whole = _fixed_view(selection, page)
    legend = tuple(whole.legend)
    whole.figure.clear()
    incidents, flt = fixed.incidents, fixed.view.flt
    for frame in frames:
        shown = frame_incidents(incidents, frame)
        faded = ~in_period(shown, frame.start, frame.end) if frame.since != frame.start else None
        overlay = PageOverlay(
            caption=frame_caption(flt, shown, fixed.total, frame), legend=legend, faded=faded
        )
        framed = fixed.view.with_changes(flt=flt.with_changes(start=frame.since, end=frame.end))
        drawn = draw_selection(
            replace(fixed, view=framed, incidents=shown), page, created=created, overlay=overlay
        )
        canvas = FigureCanvasAgg(drawn.figure)
        canvas.draw()
        pixels = np.asarray(canvas.buffer_rgba())[:, :, :3].copy()
        drawn.figure.clear()
        yield pixels
        if progress is not None:
            progress(frame.number, frame.count)


def render_timelapse(
    fmt: str,
    selection: Selection,
    page: PageOptions | None = None,
    *,
    cumulative: bool = False,
    created: datetime | None = None,
    progress: Progress | None = None,
) -> bytes:
    """Render a time-lapse of a view: one report frame per step of its window.

    Parameters
    ----------
    fmt : {"gif", "mp4"}
    selection : Selection
        The view (its ``step``: week or month) and every incident of the window.
    page : PageOptions, optional
        Frame size; :data:`TIMELAPSE_PAGE` by default.
    cumulative : bool
        Each frame shows every incident so far, the newest step highlighted.
    created : datetime, optional
        The time printed as "made"; now by default.
    progress : callable, optional
        Called with ``(done, total)`` after each frame.

    Returns
    -------
    bytes
        The GIF or MP4 file.

    Raises
    ------
    TimelapseError
        When there is no window to step through or it holds too many steps.
    MissingComponentError
        When the report's font or basemap, or (MP4) ffmpeg, is not installed.
    """
    if fmt not in TIMELAPSE_FORMATS:
        raise ValueError(f"unknown time-lapse format {fmt!r}; expected gif or mp4")
    window = timelapse_window(selection)
    if window is None:
        raise TimelapseError(
            "a time-lapse needs a time range: no incident matches these filters, so give "
            "a start and an end"
        )
    frames = timelapse_frames(window, selection.view.step, cumulative=cumulative)
    pixels = render_frames(selection, frames, page, created=created, progress=progress)
    return _gif_bytes(pixels) if fmt == "gif" else _mp4_bytes(pixels)


def _gif_bytes(frames: Iterator[np.ndarray]) -> bytes:
    """Encode frames as a looping GIF; each is kept as 256 colours (a third of RGB)."""
    import io

    from PIL import Image

    images = [Image.fromarray(f).quantize(256, dither=Image.Dither.NONE) for f in frames]
    buffer = io.BytesIO()
    images[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=int(FRAME_SECONDS * 1000),
        loop=0,
    )
    return buffer.getvalue()


def _mp4_bytes(frames: Iterator[np.ndarray]) -> bytes:
    """Encode frames as H.264 MP4 with the packaged ffmpeg, one frame at a time."""
    try:
        import imageio_ffmpeg
    except ImportError as exc:
        raise MissingComponentError(
            "MP4 needs the imageio-ffmpeg package: install it with `make install`."
        ) from exc
    first = next(frames)
    height, width = first.shape[:2]
    with tempfile.TemporaryDirectory(prefix="timelapse-") as folder:
        path = Path(folder) / "timelapse.mp4"
        writer = imageio_ffmpeg.write_frames(
            str(path),
            (width, height),
            fps=Fraction(1) / Fraction(FRAME_SECONDS).limit_denominator(100),
            macro_block_size=2,  # H.264 needs even sides; odd ones are padded by ffmpeg
            output_params=["-movflags", "+faststart"],
        )
        writer.send(None)
        writer.send(np.ascontiguousarray(first))
        for frame in frames:
            writer.send(np.ascontiguousarray(frame))
        writer.close()
        return path.read_bytes()

"""The report page: real PNG and PDF files read back with Pillow and pypdf."""

from __future__ import annotations

import io
import math
from datetime import UTC, date, datetime

import numpy as np
import pytest
from conftest import make_incidents
from PIL import Image
from pypdf import PdfReader
from pyproj import Transformer

from geo import basemap, mapview, palette
from geo.filters import IncidentFilter
from geo.incidents import empty_incidents
from geo.report import (
    ReportOptions,
    count_approximate,
    describe_filters,
    describe_period,
    draw_report,
    fit_extent,
    nice_length,
    project_points,
    render_report_pdf,
    render_report_png,
    scale_bar_length,
)
from geo.report.wording import describe_incident

TYPES = ("Battles", "Explosions/Remote violence", "Strategic developments")
# Three precisely dated, precisely placed incidents around Baghdad, one per event type.
ROWS = [
    {
        "event_id": "a",
        "event_date": "2020-03-11",
        "event_type": TYPES[0],
        "sub_event_type": "Armed clash",
        "lon": 44.25,
        "lat": 33.53,
        "fatalities": 3,
    },
    {
        "event_id": "b",
        "event_date": "2020-03-13",
        "event_type": TYPES[1],
        "sub_event_type": "Air/drone strike",
        "lon": 44.60,
        "lat": 32.90,
        "fatalities": 0,
    },
    {
        "event_id": "c",
        "event_date": "2020-03-20",
        "event_type": TYPES[2],
        "sub_event_type": "Other",
        "lon": 43.70,
        "lat": 33.95,
        "fatalities": 40,
    },
]


def rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


def png_array(content: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(content)).convert("RGB"), dtype=float)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


@pytest.fixture(scope="module")
def incidents():
    return make_incidents(ROWS)


@pytest.fixture(scope="module")
def page(incidents):
    flt = IncidentFilter(start=date(2020, 3, 1), end=date(2020, 3, 31))
    return draw_report(
        incidents,
        flt=flt,
        total=28,
        options=ReportOptions(title="Test page"),
        data_label="test.geojson",
        data_hash="0" * 64,
    )


@pytest.fixture(scope="module")
def page_png(page) -> bytes:
    return page.to_png()


def test_png_has_the_requested_size() -> None:
    gdf = make_incidents(ROWS[:1])
    for width, height, scale in ((2400, 1697, 2.0), (1500, 1100, 1.25), (3000, 2000, 3.0)):
        content = render_report_png(
            gdf,
            flt=IncidentFilter(),
            total=1,
            data_label="x",
            options=ReportOptions(width=width, height=height, scale=scale),
        )
        assert content[:8] == b"\x89PNG\r\n\x1a\n"
        assert Image.open(io.BytesIO(content)).size == (width, height)


def test_png_is_not_blank(page_png: bytes) -> None:
    pixels = png_array(page_png)
    assert pixels.std() > 20
    distinct = np.unique(pixels.reshape(-1, 3)[::37], axis=0)
    assert len(distinct) > 100  # land, sea, borders, text, markers, not a flat fill


def test_markers_have_their_colour_at_the_projected_positions(page, page_png: bytes) -> None:
    pixels = png_array(page_png)
    positions = page.pixel_positions()
    for (col, row), event_type in zip(positions, TYPES, strict=True):
        found = pixels[
            int(round(row)) - 1 : int(round(row)) + 2, int(round(col)) - 1 : int(round(col)) + 2
        ].reshape(-1, 3)
        # Drawn as on the interactive map: the colour at the exact-place opacity, over land.
        alpha = mapview.GEO_PRECISION_OPACITY[1]
        expected = alpha * rgb(palette.event_type_color(event_type)) + (1 - alpha) * rgb(
            basemap.LAND_COLOR
        )
        assert np.abs(found - expected).max(axis=1).min() < 6, (event_type, found)


def test_pixel_positions_follow_web_mercator(page, incidents) -> None:
    # Independent of the report's code: pyproj's EPSG:3857 and an equal-aspect map.
    to_3857 = Transformer.from_crs(4326, 3857, always_xy=True)
    x, y = to_3857.transform(incidents.geometry.x.to_numpy(), incidents.geometry.y.to_numpy())
    px = page.pixel_positions()
    scale_x = (px[1, 0] - px[0, 0]) / (x[1] - x[0])
    scale_y = (px[0, 1] - px[1, 1]) / (y[1] - y[0])  # image rows grow southwards
    assert scale_x > 0
    assert scale_x == pytest.approx(scale_y, rel=1e-3)
    assert px[2, 0] - px[0, 0] == pytest.approx(scale_x * (x[2] - x[0]), abs=0.5)
    assert px[0, 1] - px[2, 1] == pytest.approx(scale_x * (y[2] - y[0]), abs=0.5)


def test_legend_shows_the_colours_present_only(page, page_png: bytes) -> None:
    pixels = png_array(page_png)
    frame = page.map_ax.get_window_extent()
    panel = pixels[:, int(frame.x1) + 10 :]  # right of the map: the legend panel
    for event_type in palette.EVENT_TYPE_COLORS:
        close = np.abs(panel - rgb(palette.event_type_color(event_type))).max(axis=2) < 8
        if event_type in TYPES:
            assert close.sum() > 50, f"no legend swatch for {event_type}"
        else:
            assert close.sum() == 0, f"legend swatch for absent {event_type}"
    assert [label for label, _ in page.legend] == list(TYPES)


def test_pdf_is_a4_landscape_with_title_legend_and_footer_as_text(incidents) -> None:
    flt = IncidentFilter(start=date(2020, 3, 1), end=date(2020, 3, 31), sites=("camp_taji",))
    made = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    content = render_report_pdf(
        incidents,
        flt=flt,
        total=28,
        data_label="incidents.geojson",
        data_hash="abcdef0123456789" * 4,
        created=made,
        options=ReportOptions(title="Taji attacks, March 2020"),
    )
    reader = PdfReader(io.BytesIO(content))
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((841.89, 595.28), abs=0.5)
    text = pdf_text(content)
    assert "Taji attacks, March 2020" in text
    assert "1 March 2020 – 31 March 2020" in text
    assert "Site: camp_taji" in text
    assert "3 of 28 incidents shown" in text
    for event_type in TYPES:
        assert event_type in text
    assert "0 of 3 incidents have approximate dates; 0 approximate places." in text
    assert "incidents.geojson (sha256 abcdef012345" in text
    assert "2024-05-06T07:08:09Z" in text
    assert "Natural Earth" in text
    assert " km" in text and "Scale true at 33." in text


def test_approximate_counts_are_printed() -> None:
    gdf = make_incidents(
        [
            {"event_id": "a", "event_date": "2020-01-01", "time_precision": 2, "geo_precision": 1},
            {"event_id": "b", "event_date": "2020-01-02", "time_precision": 3, "geo_precision": 3},
            {"event_id": "c", "event_date": "2020-01-03", "time_precision": 1, "geo_precision": 2},
            {"event_id": "d", "event_date": "2020-01-04", "time_precision": 1, "geo_precision": 1},
        ]
    )
    assert count_approximate(gdf) == (2, 2)
    text = pdf_text(
        render_report_pdf(
            gdf, flt=IncidentFilter(), total=9, data_label="x", options=ReportOptions()
        )
    )
    assert "2 of 4 incidents have approximate dates; 2 approximate places." in text


def test_hollow_marker_for_an_approximate_date() -> None:
    gdf = make_incidents(
        [
            {
                "event_id": "a",
                "event_date": "2020-01-01",
                "time_precision": 3,
                "fatalities": 100,
                "event_type": "Battles",
            }
        ]
    )
    page = draw_report(gdf, flt=IncidentFilter(), total=1, options=ReportOptions(), data_label="x")
    pixels = png_array(page.to_png())
    col, row = (int(round(v)) for v in page.pixel_positions()[0])
    assert pixels[row, col].min() > 240  # white centre
    # The rim: the marker's radius (the interactive map's, in CSS pixels) times the scale.
    radius = int(mapview.marker_radius([100])[0] * ReportOptions().scale)
    ring = pixels[row - radius - 4 : row + radius + 5, col - radius - 4 : col + radius + 5]
    inside = pixels[row - radius // 2 : row + radius // 2, col - radius // 2 : col + radius // 2]
    battles = rgb(palette.event_type_color("Battles"))
    assert (np.abs(ring.reshape(-1, 3) - battles).max(axis=1) < 6).sum() > 100
    assert (np.abs(inside.reshape(-1, 3) - battles).max(axis=1) < 60).sum() == 0


def test_empty_selection_says_so() -> None:
    content = render_report_pdf(
        empty_incidents(),
        flt=IncidentFilter(start=date(1990, 1, 1), end=date(1990, 1, 2)),
        total=28,
        data_label="x",
        options=ReportOptions(title="Nothing"),
    )
    text = pdf_text(content)
    assert "No incidents match these filters" in text
    assert "0 of 28 incidents shown" in text
    png = render_report_png(
        empty_incidents(),
        flt=IncidentFilter(),
        total=0,
        data_label="x",
        options=ReportOptions(width=1400, height=1000, scale=1),
    )
    assert Image.open(io.BytesIO(png)).size == (1400, 1000)


def test_text_from_data_is_not_parsed_as_mathtext() -> None:
    gdf = make_incidents(
        [
            {
                "event_id": "a",
                "event_date": "2020-01-01",
                "location": "Cost $5 and $10 place",
                "actor1": "A $x^2$ group",
            }
        ]
    )
    text = pdf_text(
        render_report_pdf(
            gdf,
            flt=IncidentFilter(actors=("A $x^2$ group",)),
            total=1,
            data_label="x",
            options=ReportOptions(),
        )
    )
    assert "Actor: A $x^2$ group" in text
    assert "Cost $5 and $10 place" in text


def test_actor_colours_follow_the_given_ranking() -> None:
    gdf = make_incidents(
        [
            {"event_id": "a", "event_date": "2020-01-01", "actor1": "Zeta"},
            {"event_id": "b", "event_date": "2020-01-01", "actor1": "Alpha", "lon": 44.5},
        ]
    )
    options = ReportOptions(color_by="actor", actor_ranking=("Zeta", "Alpha"))
    page = draw_report(gdf, flt=IncidentFilter(), total=2, options=options, data_label="x")
    assert page.legend == [("Zeta", palette.ACTOR_PALETTE[0]), ("Alpha", palette.ACTOR_PALETTE[1])]
    assert page.colors == [palette.ACTOR_PALETTE[0], palette.ACTOR_PALETTE[1]]


def test_scale_bar_is_true_at_the_centre_latitude() -> None:
    for latitude in (0.0, 33.3, 60.0):
        x, y = project_points(np.array([40.0, 41.0]), np.array([latitude, latitude]))
        cx, cy = float(x.mean()), float(y.mean())
        extent = (cx - 500_000, cy - 300_000, cx + 500_000, cy + 300_000)
        ground, mercator, at = scale_bar_length(extent)
        assert at == pytest.approx(latitude, abs=1e-6)
        assert ground / mercator == pytest.approx(math.cos(math.radians(latitude)), rel=1e-9)
        assert ground <= 0.22 * 1_000_000 * math.cos(math.radians(latitude))
        assert str(int(ground)).strip("0") in {"1", "2", "5"}


def test_nice_length() -> None:
    assert [nice_length(v) for v in (1.0, 7.3, 19_999, 20_000, 480_000)] == [
        1.0,
        5.0,
        10_000,
        20_000,
        200_000,
    ]


def test_extent_contains_the_incidents_and_has_the_frame_ratio() -> None:
    x, y = project_points(np.array([43.0, 45.0, 44.0]), np.array([33.0, 34.0, 36.0]))
    xmin, ymin, xmax, ymax = fit_extent(x, y, 1.5)
    assert (xmax - xmin) / (ymax - ymin) == pytest.approx(1.5)
    assert xmin < x.min() and x.max() < xmax and ymin < y.min() and y.max() < ymax
    # One incident still shows its surroundings (at least MIN_SPAN_KM across).
    one = fit_extent(x[:1], y[:1], 1.5)
    assert (one[2] - one[0]) * math.cos(math.radians(33)) == pytest.approx(120_000, rel=1e-6)
    # Requested bounds are kept whole.
    bx, by = project_points(np.array([40.0, 50.0]), np.array([30.0, 31.0]))
    shown = fit_extent(x, y, 1.5, (40.0, 30.0, 50.0, 31.0))
    assert shown[0] <= bx[0] and shown[2] >= bx[1] and shown[1] <= by[0] and shown[3] >= by[1]


def test_subtitle_names_period_and_filters(incidents) -> None:
    flt = IncidentFilter(
        start=date(2020, 3, 1),
        actors=("Kataib Hezbollah",),
        event_types=TYPES[:2],
        sites=("camp_taji",),
        min_fatalities=2,
        text="rocket",
    )
    assert describe_period(flt, incidents) == "1 March 2020 – the last record"
    assert describe_filters(flt, {"camp_taji": "Camp Taji"}) == [
        "Site: Camp Taji",
        "Actor: Kataib Hezbollah",
        "Event types: Battles, Explosions/Remote violence",
        "At least 2 killed",
        "Text: “rocket”",
    ]
    assert describe_period(IncidentFilter(), incidents) == (
        "All dates (incidents from 11 March 2020 to 20 March 2020)"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"width": 100}, "width and height"),
        ({"scale": 10}, "scale"),
        ({"width": 800, "height": 600, "scale": 2}, "too small"),
        ({"color_by": "  "}, "color_by"),
    ],
)
def test_report_options_are_checked(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        ReportOptions(**kwargs)


def test_every_report_page_is_bounded_by_the_pixel_budget() -> None:
    from geo.limits import MAX_REPORT_PIXELS
    from geo.report import PageOptions
    from geo.schema import ReportSizeError

    for make in (ReportOptions, PageOptions):
        with pytest.raises(ReportSizeError, match="million pixel limit"):
            make(width=20_000, height=20_000, scale=8)
        assert make(width=16_000, height=MAX_REPORT_PIXELS // 16_000, scale=8).width == 16_000


def march_2020():
    from geo.filters import IncidentIndex
    from geo.load import read_incidents

    flt = IncidentFilter(start=date(2020, 3, 1), end=date(2020, 3, 31))
    return IncidentIndex(read_incidents()).select(flt), flt


def figure_texts(fig) -> list[str]:
    return [t.get_text() for t in fig.texts]


def test_the_png_lists_what_fits_and_never_says_more_of_all() -> None:
    gdf, flt = march_2020()
    assert len(gdf) == 12
    page = draw_report(gdf, flt=flt, total=60, options=ReportOptions(), data_label="x")
    texts = figure_texts(page.figure)
    entries = {describe_incident(row) for _, row in gdf.iterrows()}
    listed = [t for t in texts if " ".join(t.split()) in entries]
    assert len(listed) >= 3, texts
    more = [t for t in texts if t.startswith("and ") and " more" in t]
    assert all(not t.startswith(f"and {len(gdf)} more") for t in more)
    assert not page.more_pages


def test_the_pdf_continues_the_list_on_a_page_of_two_columns() -> None:
    gdf, flt = march_2020()
    content = render_report_pdf(
        gdf, flt=flt, total=60, options=ReportOptions(title="March 2020"), data_label="x"
    )
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 2
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "and 12 more" not in text
    assert "March 2020: incidents shown (continued)" in text
    for _, row in gdf.iterrows():
        first_words = " ".join(describe_incident(row).split()[:4])
        assert first_words in text, first_words

"""The printed report shades provinces by the incidents shown, with its legend block."""

from __future__ import annotations

from geo.filters import IncidentIndex
from geo.load import DEFAULT_DATA_PATH, read_incidents
from geo.provinces import count_by_province
from geo.report import PageOptions, draw_selection
from geo.view import View, select_view

SMALL = PageOptions(width=1600, height=1131, scale=1)


def draw(incidents, measure: str):
    return draw_selection(select_view(View(choropleth=measure), IncidentIndex(incidents)), SMALL)


def texts(page) -> list[str]:
    return [t.get_text() for t in page.figure.texts]


def test_the_report_shades_provinces_and_explains_the_classes() -> None:
    incidents = read_incidents(DEFAULT_DATA_PATH)
    plain, shaded = draw(incidents, ""), draw(incidents, "incidents")
    counts = count_by_province(incidents, "incidents")
    assert "Incidents per province" in texts(shaded)
    assert "Incidents per province" not in texts(plain)
    for _, label in counts.legend_rows():
        assert label in texts(shaded)
    # One more collection on the map: the shaded provinces, one polygon each.
    extra = len(shaded.map_ax.collections) - len(plain.map_ax.collections)
    assert extra == 1
    assert shaded.map_ax.get_xlabel() == "" and shaded.map_ax.get_ylabel() == ""


def test_fatalities_per_province_on_the_report() -> None:
    incidents = read_incidents(DEFAULT_DATA_PATH)
    page = draw(incidents, "fatalities")
    assert "Fatalities per province" in texts(page)


def test_the_html_export_shades_provinces_too(tmp_path) -> None:
    from geo import cli

    out = tmp_path / "map.html"
    assert cli.main(["export", "--out", str(out), "--choropleth", "fatalities"]) == 0
    html = out.read_text()
    assert "geo-choropleth-legend" in html and "Fatalities per province" in html
    plain = tmp_path / "plain.html"
    assert cli.main(["export", "--out", str(plain)]) == 0
    assert "geo-choropleth-legend" not in plain.read_text()

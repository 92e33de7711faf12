"""What the dashboard says of the bundled dataset, and of which articles it was taken from."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import make_incidents

from geo.bundled import SOURCES_ANCHOR, article_sources, describe_bundled, is_bundled
from geo.load import DEFAULT_DATA_PATH, read_incidents


def test_each_article_is_named_by_the_reference_its_incidents_cite() -> None:
    gdf = make_incidents(
        [
            {"event_id": "a", "source_file": "001.txt",
             "source": 'Reuters wire [002.txt]; A. Writer, "First piece" [001.txt]; Wikipedia'},
            {"event_id": "b", "source_file": "001.txt", "source": "Wikipedia"},
            {"event_id": "c", "source_file": "002.txt", "source": "Reuters wire [002.txt]"},
            {"event_id": "d", "source_file": "003.txt", "source": "Wikipedia"},
            {"event_id": "e", "source_file": "", "source": "Wikipedia"},
        ]
    )  # fmt: skip
    assert article_sources(gdf) == [
        ('A. Writer, "First piece"', 2),
        ("Reuters wire", 1),
        ("003.txt", 1),  # no reference names it: the file stands in
    ]


def test_the_bundled_line_counts_incidents_years_and_articles_and_links_to_them() -> None:
    features = json.loads(DEFAULT_DATA_PATH.read_text(encoding="utf-8"))["features"]
    files = {f["properties"]["source_file"] for f in features}
    years = sorted({f["properties"]["event_date"][:4] for f in features})
    line = describe_bundled(read_incidents())
    assert line.startswith(f"Bundled data: {len(features)} incidents ({years[0]}–{years[-1]})")
    assert f"one of {len(files)} news articles" in line
    assert line.endswith(f"([the articles](#{SOURCES_ANCHOR})).")
    names = article_sources(read_incidents())
    assert len(names) == len(files) and sum(n for _, n in names) == len(features)
    assert not any(name.endswith(".txt") for name, _ in names)  # each named by a reference


def test_only_the_bundled_file_is_the_bundled_data(tmp_path: Path) -> None:
    assert is_bundled(DEFAULT_DATA_PATH, uploaded=False, db_url=None)
    assert not is_bundled(DEFAULT_DATA_PATH, uploaded=True, db_url=None)
    assert not is_bundled(DEFAULT_DATA_PATH, uploaded=False, db_url="sqlite:///x.db")
    assert not is_bundled(tmp_path / "incidents.geojson", uploaded=False, db_url=None)

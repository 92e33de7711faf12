"""What the bundled dataset is, in one line, and the articles it was taken from."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

import geopandas as gpd

from geo.load import DEFAULT_DATA_PATH

# An anchor on the dashboard's page: the line under the title links to the list of sources.
SOURCES_ANCHOR: Final = "bundled-data-sources"
SUBJECT: Final = (
    "the confrontation between Iran-aligned militias and the US-led coalition in Iraq and Syria"
)


def is_bundled(path: Path, *, uploaded: bool, db_url: str | None) -> bool:
    """Whether the page shows the bundled file (not an upload, a store or another file)."""
    return not uploaded and not db_url and path.resolve() == DEFAULT_DATA_PATH.resolve()


def article_sources(incidents: gpd.GeoDataFrame) -> list[tuple[str, int]]:
    """Name each article the incidents were taken from, with how many incidents it gave.

    The name is the reference the incidents' ``source`` cites next to the article's file
    (``Author, "Title" [file.txt]``), so it says what a reader can look for; the file name
    stands in when no reference names it. Most productive article first.

    Parameters
    ----------
    incidents : GeoDataFrame
        With ``source`` and ``source_file``.

    Returns
    -------
    list of (str, int)
    """
    rows = incidents.loc[incidents["source_file"].fillna("").astype(str) != ""]
    counts = rows["source_file"].value_counts()
    names = {}
    for source_file in counts.index:
        cited = re.compile(rf"\s*\[{re.escape(str(source_file))}\]\s*$")
        refs = (
            part.strip()
            for text in rows.loc[rows["source_file"] == source_file, "source"].astype(str)
            for part in text.split(";")
        )
        named = [cited.sub("", ref) for ref in refs if cited.search(ref)]
        names[source_file] = named[0] if named else str(source_file)
    return [(names[f], int(n)) for f, n in counts.items()]


def describe_bundled(incidents: gpd.GeoDataFrame) -> str:
    """Say in one line what the bundled dataset is: how many incidents, of what, from where.

    Parameters
    ----------
    incidents : GeoDataFrame
        The bundled incidents, with ``event_date`` and ``source_file``.

    Returns
    -------
    str
        Markdown whose last words link to :data:`SOURCES_ANCHOR` on the same page.
    """
    first, last = incidents["event_date"].min(), incidents["event_date"].max()
    years = f"{first.year}" if first.year == last.year else f"{first.year}–{last.year}"
    n_articles = len(article_sources(incidents))
    return (
        f"Bundled data: {len(incidents):,} incidents ({years}) of {SUBJECT}, each taken "
        f"from one of {n_articles} news articles with the sentence it rests on "
        f"([the articles](#{SOURCES_ANCHOR}))."
    )

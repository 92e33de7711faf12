"""The bundled dataset on the page: one line under the title, its articles at the foot."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import streamlit as st

from geo.bundled import SOURCES_ANCHOR, article_sources, describe_bundled, is_bundled
from geo.source import FileSource, IncidentSource
from geo.webtext import markdown_text


def bundled_incidents(
    source: IncidentSource, path: Path, *, uploaded: bool, db_url: str | None
) -> gpd.GeoDataFrame | None:
    """The incidents of the bundled file when the page shows it, else None."""
    if isinstance(source, FileSource) and is_bundled(path, uploaded=uploaded, db_url=db_url):
        return source.data.index.gdf
    return None


def show_bundled_line(incidents: gpd.GeoDataFrame) -> None:
    """Write what the bundled dataset is, linking to its articles further down."""
    st.markdown(describe_bundled(incidents))


def show_bundled_sources(incidents: gpd.GeoDataFrame) -> None:
    """List the articles the bundled incidents were taken from (their references only)."""
    st.subheader("Sources of the bundled data", anchor=SOURCES_ANCHOR)
    st.markdown(
        "\n".join(
            f"- {markdown_text(name)}: {n} incident{'s' if n != 1 else ''}"
            for name, n in article_sources(incidents)
        )
    )

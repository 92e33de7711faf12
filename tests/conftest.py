"""Shared fixtures: tiny in-memory datasets and paths to the real ones."""

from __future__ import annotations

import functools
import http.server
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest
from shapely.geometry import Point

from geo.incidents import coerce_incidents

REPO = Path(__file__).resolve().parents[1]
SEEDS_DIR = REPO.parent / "shared" / "seeds"
OUTPUT_DIR = REPO / "test-output"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, one instance for the whole run.

    Playwright's sync API allows one running instance per thread, so every browser
    test shares this fixture instead of starting its own.
    """
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make chromium`.")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@dataclass
class OfflinePage:
    """A page that refuses every request outside ``origin`` and records what it refused."""

    page: object
    refused: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@contextmanager
def offline_page(browser, origin: str, viewport: tuple[int, int]) -> Iterator[OfflinePage]:
    """Open a page allowed to reach only ``origin`` (``scheme://host:port`` or ``file://``)."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    opened = OfflinePage(page=None)

    def route(route_) -> None:
        url = urlsplit(route_.request.url)
        if url.scheme in ("data", "blob") or f"{url.scheme}://{url.netloc}" == origin:
            route_.continue_()
        else:
            opened.refused.append(route_.request.url)
            route_.abort()

    context.route("**/*", route)
    opened.page = context.new_page()
    opened.page.on("pageerror", lambda exc: opened.errors.append(str(exc)))
    try:
        yield opened
    finally:
        context.close()


def make_incidents(rows: list[dict]) -> object:
    """Canonical incidents from short dicts; ``lon``/``lat`` give the point."""
    defaults = {
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Shelling/artillery/missile attack",
        "actor1": "Actor A",
        "location": "Somewhere",
        "admin1": "Baghdad",
        "country": "Iraq",
        "time_precision": 1,
        "geo_precision": 1,
        "fatalities": 0,
        "notes": "",
        "source": "test",
        "date_basis": "source",
    }
    records = [{**defaults, **row} for row in rows]
    points = [Point(r.get("lon", 44.0), r.get("lat", 33.0)) for r in records]
    return coerce_incidents(pd.DataFrame(records), geometry=points)


@pytest.fixture
def tiny_dataset(tmp_path: Path) -> dict[str, Path]:
    """A valid three-file dataset (sites, attributes, actors) in tmp_path."""
    sites = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "site_id": sid,
                    "name": name,
                    "aliases": aliases,
                    "kind": "air_base",
                    "country": "Iraq",
                    "admin1": admin1,
                    "coord_source": "test reference",
                    "uncertainty_km": radius,
                },
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
            for sid, name, aliases, admin1, radius, lon, lat in [
                ("camp_taji", "Camp Taji", "Taji;Taji base", "Baghdad", 2.0, 44.25, 33.53),
                ("k1_air_base", "K-1 Air Base", "K1;Kirkuk Air Base", "Kirkuk", 1.5, 44.28, 35.51),
            ]
        ],
    }
    actors = pd.DataFrame(
        [
            (
                "Kataib Hezbollah",
                "KH;Ktaib Hezbullah",
                "Political Militias",
                "Popular Mobilization Forces",
            ),
            (
                "Military Forces of the United States",
                "US forces",
                "External/Other Forces",
                "US-led coalition",
            ),
        ],
        columns=["actor", "aliases", "actor_type", "affiliation"],
    )
    base = {
        "end_date": "",
        "time_precision": "1",
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Shelling/artillery/missile attack",
        "actor1": "Kataib Hezbollah",
        "assoc_actor_1": "",
        "actor2": "Military Forces of the United States",
        "assoc_actor_2": "",
        "location": "",
        "admin1": "",
        "country": "",
        "geo_precision": "1",
        "fatalities": "0",
        "injuries": "",
        "notes": "rockets",
        "source": "test",
        "source_file": "",
        "source_quote": "",
        "date_basis": "source",
        "latitude": "",
        "longitude": "",
    }
    attributes = pd.DataFrame(
        [
            {
                **base,
                "event_id": "b",
                "event_date": "2020-03-11",
                "site_id": "camp_taji",
                "fatalities": "3",
            },
            {
                **base,
                "event_id": "a",
                "event_date": "2019-12-27",
                "site_id": "k1_air_base",
                "latitude": "35.515",
                "longitude": "44.285",
            },
        ]
    )
    paths = {
        "sites": tmp_path / "sites.geojson",
        "attributes": tmp_path / "incidents.csv",
        "actors": tmp_path / "actors.csv",
    }
    paths["sites"].write_text(json.dumps(sites), encoding="utf-8")
    attributes.to_csv(paths["attributes"], index=False)
    actors.to_csv(paths["actors"], index=False)
    return paths


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def app_root(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A localhost server whose ``/app/static`` is the repository's static folder.

    It stands in for Streamlit's static serving, so a map page written to the
    returned folder loads its scripts from the same place the dashboard does.
    """
    from geo import assets

    root = tmp_path / "site"
    (root / "app").mkdir(parents=True)
    (root / "app" / "static").symlink_to(assets.STATIC_DIR, target_is_directory=True)
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()

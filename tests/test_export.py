"""Exports through the library and through ``python -m geo export``, offline."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from conftest import make_incidents
from PIL import Image
from pypdf import PdfReader

from geo import assets
from geo.export import (
    EXPORT_FORMATS,
    export_bytes,
    export_filename,
    export_format,
    export_view,
)
from geo.filters import IncidentFilter, IncidentIndex
from geo.incidents import to_geojson_bytes
from geo.load import DEFAULT_DATA_PATH
from geo.recipe import read_recipe
from geo.report import PageOptions
from geo.view import View, select_view

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
TAJI = ["--start", "2020-03-01", "--end", "2020-03-31", "--site", "camp_taji"]
HOSTILE = {
    "location": '=HYPERLINK("http://x","click")',
    "actor1": "+cmd|' /C calc'!A0",
    "notes": "-2+3",
    "source": "@SUM(1+1)",
}


@pytest.fixture(scope="module", autouse=True)
def installed() -> None:
    """Web assets and basemap, installed from node_modules (quick when up to date)."""
    assets.install()


@cache
def offline_prefix() -> tuple[str, ...]:
    """``unshare -n`` as root, else ``unshare -rn`` (root mapped in a user namespace)."""
    for prefix in (("unshare", "-n"), ("unshare", "-rn")):
        if (
            shutil.which(prefix[0])
            and subprocess.run([*prefix, "true"], capture_output=True).returncode == 0
        ):
            return prefix
    pytest.fail(
        "cannot make a network namespace: run the tests as root (for `unshare -n`) or allow "
        "unprivileged user namespaces (for `unshare -rn`)"
    )


def run_cli(*args: str, offline: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``python -m geo export`` in a subprocess, by default with no network at all."""
    command = [PYTHON, "-m", "geo", "export", *args]
    if offline:
        command = [*offline_prefix(), *command]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)


def test_the_namespace_really_has_no_network() -> None:
    # Only loopback exists in the namespace: any outside address is unreachable at once.
    probe = "import socket; socket.create_connection(('151.101.0.223', 443), timeout=5)"
    result = subprocess.run(
        [*offline_prefix(), PYTHON, "-c", probe], capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "Network is unreachable" in result.stderr


def test_format_from_suffix() -> None:
    assert [export_format(f"x.{f}") for f in EXPORT_FORMATS] == list(EXPORT_FORMATS)
    assert export_format("Report.PNG") == "png"
    with pytest.raises(ValueError, match=r"\.png, \.pdf"):
        export_format("x.jpeg")


def test_download_file_names() -> None:
    assert export_filename("Taji attacks, März 2020!", "pdf") == "taji-attacks-marz-2020.pdf"
    assert export_filename("???", "csv") == "incidents.csv"


def bundled_taji_march_ids() -> list[str]:
    """Incidents at Camp Taji in March 2020, read straight from the attribute table."""
    with (REPO / "data" / "incidents.csv").open(encoding="utf-8", newline="") as f:
        rows = csv.DictReader(f)
        ids = sorted(
            r["event_id"]
            for r in rows
            if r["site_id"] == "camp_taji" and r["event_date"].startswith("2020-03")
        )
    assert ids, "the bundled data has Taji attacks in March 2020"
    return ids


@pytest.mark.parametrize("fmt", ["png", "pdf", "html", "csv", "geojson"])
def test_cli_exports_taji_offline(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"taji.{fmt}"
    result = run_cli("--out", str(out), *TAJI, "--title", "Taji attacks, March 2020")
    assert result.returncode == 0, result.stderr
    assert f"wrote {out}" in result.stdout
    content = out.read_bytes()
    if fmt == "png":
        assert Image.open(io.BytesIO(content)).size == (2400, 1697)
    elif fmt == "pdf":
        assert "Taji attacks, March 2020" in PdfReader(io.BytesIO(content)).pages[0].extract_text()
    elif fmt == "html":
        page = content.decode("utf-8")
        assert assets.find_external_urls(page) == []
        assert "camp_taji" in page or "Camp Taji" in page
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
        assert sorted(r["event_id"] for r in rows) == bundled_taji_march_ids()
    else:
        features = json.loads(content)["features"]
        assert sorted(f["properties"]["event_id"] for f in features) == bundled_taji_march_ids()
    recipe = read_recipe(out.with_name(out.name + ".recipe.json"))
    assert recipe.format == fmt
    assert recipe.flt == IncidentFilter(
        start=date(2020, 3, 1), end=date(2020, 3, 31), sites=("camp_taji",)
    )
    assert recipe.data_path == str(DEFAULT_DATA_PATH.resolve())
    assert recipe.options.bounds is not None


def test_cli_png_size_and_scale_are_adjustable(tmp_path: Path) -> None:
    out = tmp_path / "small.png"
    result = run_cli("--out", str(out), "--width", "1800", "--height", "1200", "--scale", "1.5")
    assert result.returncode == 0, result.stderr
    assert Image.open(out).size == (1800, 1200)


def test_recipe_makes_the_same_outputs_again(tmp_path: Path) -> None:
    for fmt in ("csv", "png"):
        first = tmp_path / f"first.{fmt}"
        assert run_cli("--out", str(first), *TAJI, "--title", "T").returncode == 0
        again = tmp_path / f"again.{fmt}"
        result = run_cli("--recipe", f"{first}.recipe.json", "--out", str(again))
        assert result.returncode == 0, result.stderr
        assert "changed" not in result.stderr
        if fmt == "csv":
            assert again.read_bytes() == first.read_bytes()
        else:
            assert Image.open(again).size == Image.open(first).size
        first_recipe = read_recipe(f"{first}.recipe.json")
        again_recipe = read_recipe(f"{again}.recipe.json")
        assert again_recipe.flt == first_recipe.flt
        assert again_recipe.options == first_recipe.options


def test_options_given_override_the_recipe(tmp_path: Path) -> None:
    first = tmp_path / "first.csv"
    assert run_cli("--out", str(first), *TAJI).returncode == 0
    again = tmp_path / "again.csv"
    result = run_cli(
        "--recipe",
        f"{first}.recipe.json",
        "--out",
        str(again),
        "--end",
        "2020-12-31",
        "--title",
        "Taji, 2020",
    )
    assert result.returncode == 0, result.stderr
    recipe = read_recipe(f"{again}.recipe.json")
    assert recipe.flt.end == date(2020, 12, 31)
    assert recipe.flt.start == date(2020, 3, 1) and recipe.flt.sites == ("camp_taji",)
    assert recipe.options.title == "Taji, 2020"


def test_recipe_warns_when_the_data_changed(tmp_path: Path) -> None:
    data = tmp_path / "incidents.geojson"
    shutil.copyfile(DEFAULT_DATA_PATH, data)
    first = tmp_path / "first.csv"
    assert run_cli("--out", str(first), "--data", str(data)).returncode == 0
    data.write_bytes(data.read_bytes() + b"\n")
    result = run_cli("--recipe", f"{first}.recipe.json", "--out", str(tmp_path / "again.csv"))
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "has changed since the recipe was made" in warnings[0]


def test_csv_export_neutralises_formulas(tmp_path: Path) -> None:
    data = tmp_path / "hostile.geojson"
    data.write_bytes(
        to_geojson_bytes(
            make_incidents(
                [
                    {"event_id": "h1", "event_date": "2020-03-11", **HOSTILE},
                    {"event_id": "h2", "event_date": "2020-03-12", "location": "Taji"},
                ]
            )
        )
    )
    out = tmp_path / "hostile.csv"
    export_view(out, View(), data_path=data)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    hostile = next(r for r in rows if r["event_id"] == "h1")
    for field, value in HOSTILE.items():
        assert hostile[field] == "'" + value
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "@")), value
            assert not value.startswith("-") or value.lstrip("-").replace(".", "").isdigit()


def test_export_bytes_for_download_buttons() -> None:
    gdf = make_incidents(
        [{"event_id": "a", "event_date": "2020-03-11", "lon": 44.25, "lat": 33.53}]
    )
    selection = select_view(View(), IncidentIndex(gdf), data_label="x.geojson")
    page = PageOptions(width=1400, height=1000, scale=1)
    assert Image.open(io.BytesIO(export_bytes("png", selection, page))).size == (1400, 1000)
    assert export_bytes("pdf", selection, page).startswith(b"%PDF")
    assert export_bytes("csv", selection, page).decode("utf-8-sig").startswith("event_id,")
    assert (
        json.loads(export_bytes("geojson", selection, page))["features"][0]["properties"][
            "event_id"
        ]
        == "a"
    )
    html = export_bytes("html", selection, page).decode("utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    assert assets.find_external_urls(html) == []
    with pytest.raises(ValueError, match="unknown export format"):
        export_bytes("tiff", selection, page)


def test_cli_errors_are_one_sentence(tmp_path: Path) -> None:
    missing = run_cli("--out", str(tmp_path / "x.png"), "--data", str(tmp_path / "nope.csv"))
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    bad_suffix = run_cli("--out", str(tmp_path / "x.jpeg"))
    assert bad_suffix.returncode == 2 and "Traceback" not in bad_suffix.stderr
    assert ".png" in bad_suffix.stderr
    too_small = run_cli(
        "--out", str(tmp_path / "x.png"), "--width", "800", "--height", "600", "--scale", "2"
    )
    assert too_small.returncode == 2 and "too small" in too_small.stderr
    assert "Traceback" not in too_small.stderr
    bad_recipe = tmp_path / "r.json"
    bad_recipe.write_text("[]", encoding="utf-8")
    result = run_cli("--recipe", str(bad_recipe), "--out", str(tmp_path / "x.csv"))
    assert result.returncode == 2 and "expected a JSON object" in result.stderr


def test_unknown_filter_values_are_warned_about(tmp_path: Path) -> None:
    result = run_cli("--out", str(tmp_path / "x.csv"), "--actor", "Kataib Hezbolah")
    assert result.returncode == 0
    assert "no incident in the data has actor 'Kataib Hezbolah'" in result.stderr


def test_a_failing_write_leaves_the_previous_export_and_recipe_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geo import fileio

    out = tmp_path / "taji.csv"
    recipe_path = out.with_name(out.name + ".recipe.json")
    export_view(out, View(flt=IncidentFilter(sites=("camp_taji",))))
    before = out.read_bytes(), recipe_path.read_bytes()
    real_fsync = fileio.os.fsync

    def fail_for(name: str):
        """Fail the flush of the temporary file written for ``name``, after its bytes."""

        def fsync(fd: int) -> None:
            if Path(os.readlink(f"/proc/self/fd/{fd}")).name.startswith(f".{name}."):
                raise OSError(28, "No space left on device")
            real_fsync(fd)

        return fsync

    # The export's own write fails after its bytes went out: nothing changes.
    monkeypatch.setattr(fileio.os, "fsync", fail_for(out.name))
    with pytest.raises(OSError, match="No space left"):
        export_view(out, View())
    assert (out.read_bytes(), recipe_path.read_bytes()) == before
    # The recipe's write fails: the new export is whole and the old recipe too.
    monkeypatch.setattr(fileio.os, "fsync", fail_for(recipe_path.name))
    with pytest.raises(OSError, match="No space left"):
        export_view(out, View())
    assert out.read_bytes() != before[0] and recipe_path.read_bytes() == before[1]
    assert len(out.read_bytes()) > len(before[0])
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name, recipe_path.name]

"""The prepared copy: read back identical, reused across processes, invalidated by changes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal

from benchmarks import benchdata
from geo import prepared
from geo.filters import IncidentFilter
from geo.importers import import_file

REPO = Path(__file__).resolve().parents[1]
HOSTILE = REPO / "tests" / "data" / "hostile.csv"


@pytest.fixture
def imports(monkeypatch) -> list[Path]:
    """Record every call of the real importer made by load_dataset."""
    calls: list[Path] = []

    def counting(source, **kwargs):
        calls.append(Path(source))
        return import_file(source, **kwargs)

    monkeypatch.setattr(prepared, "import_file", counting)
    return calls


def assert_same_dataset(a, b) -> None:
    assert_geodataframe_equal(a.result.incidents, b.result.incidents)
    pd.testing.assert_frame_equal(a.result.rejected, b.result.rejected)
    for name in ("records_read", "format", "warnings", "record_label"):
        assert getattr(a.result, name) == getattr(b.result, name)
    assert (a.key, a.label, a.sha256, a.ranking, a.bounds) == (
        b.key, b.label, b.sha256, b.ranking, b.bounds
    )  # fmt: skip
    assert a.index.actor_names == b.index.actor_names
    assert a.index.date_span == b.index.date_span
    flt = IncidentFilter(actors=(a.index.actor_names[0],))
    assert (a.index.mask(flt) == b.index.mask(flt)).all()


@pytest.mark.parametrize("kind", ["acled", "bundled", "with rejections"])
def test_second_load_reads_the_copy_and_gives_an_identical_dataset(tmp_path, imports, kind):
    source = {
        "acled": lambda: benchdata.write_acled_csv(1_500, tmp_path, seed=4),
        "bundled": lambda: REPO / "data" / "incidents.geojson",
        "with rejections": lambda: HOSTILE,
    }[kind]()
    cache = tmp_path / "cache"
    first = prepared.load_dataset(source, folder=cache)
    assert len(imports) == 1
    assert prepared.prepared_path(first.sha256, cache).is_file()
    second = prepared.load_dataset(source, folder=cache)
    assert len(imports) == 1  # read from the prepared copy, not imported again
    assert_same_dataset(first, second)
    if kind == "with rejections":
        assert len(second.result.rejected) > 0
    fresh = prepared.load_dataset(source, cache=False)
    assert len(imports) == 2
    assert_same_dataset(first, fresh)


def test_a_new_process_reuses_the_copy(tmp_path):
    source = benchdata.write_acled_csv(800, tmp_path, seed=9)
    script = (
        "import json, sys\n"
        "from geo import prepared\n"
        "calls = []\n"
        "real = prepared.import_file\n"
        "prepared.import_file = lambda *a, **k: calls.append(1) or real(*a, **k)\n"
        "d = prepared.load_dataset(sys.argv[1])\n"
        "print(json.dumps({'imports': len(calls), 'n': len(d.result.incidents)}))\n"
    )
    env = {"INCIDENT_MAP_CACHE": str(tmp_path / "cache"), "PYTHONPATH": str(REPO)}

    def run() -> dict:
        done = subprocess.run([sys.executable, "-c", script, str(source)], capture_output=True,
                              text=True, check=True, env=env, cwd=REPO)  # fmt: skip
        return json.loads(done.stdout)

    assert run() == {"imports": 1, "n": 800}
    assert run() == {"imports": 0, "n": 800}  # a restarted server does not import again


def test_changed_content_or_importer_version_imports_again(tmp_path, imports, monkeypatch):
    source = benchdata.write_acled_csv(300, tmp_path, seed=2)
    cache = tmp_path / "cache"
    prepared.load_dataset(source, folder=cache)
    prepared.load_dataset(source, folder=cache)
    assert len(imports) == 1
    monkeypatch.setattr(prepared, "importer_version", lambda: "0123456789abcdef")
    prepared.load_dataset(source, folder=cache)
    assert len(imports) == 2
    source.write_text(source.read_text(encoding="utf-8").replace(",0,", ",1,", 1),
                      encoding="utf-8")  # fmt: skip
    prepared.load_dataset(source, folder=cache)
    assert len(imports) == 3


def test_importer_version_follows_the_importer_code():
    version = prepared.importer_version()
    assert len(version) == 16 and int(version, 16) >= 0
    assert "importers" in prepared._VERSIONED_SOURCES


def test_copy_is_written_atomically_and_a_damaged_copy_is_replaced(tmp_path, imports):
    source = benchdata.write_acled_csv(200, tmp_path, seed=6)
    cache = tmp_path / "cache"
    first = prepared.load_dataset(source, folder=cache)
    assert sorted(p.name for p in cache.iterdir()) == sorted(
        [prepared.prepared_path(first.sha256, cache).name,
         prepared.prepared_path(first.sha256, cache).name.replace(".parquet", ".rejected.parquet")]
    )  # fmt: skip
    target = prepared.prepared_path(first.sha256, cache)
    target.write_bytes(target.read_bytes()[:100])  # truncated, as by a crash of another writer
    again = prepared.load_dataset(source, folder=cache)
    assert len(imports) == 2
    assert_same_dataset(first, again)
    assert prepared.read_prepared(target) is not None  # rewritten whole


def test_cache_folder_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(prepared.CACHE_ENV, str(tmp_path / "elsewhere"))
    assert prepared.cache_dir() == tmp_path / "elsewhere"
    monkeypatch.delenv(prepared.CACHE_ENV)
    assert prepared.cache_dir() == REPO / "build" / "prepared"
    assert "build/" in (REPO / ".gitignore").read_text(encoding="utf-8").split()

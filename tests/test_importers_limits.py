"""Expansion bombs: the records and decoded bytes of an import are bounded while it is read.

The bombs are built here, in ``tmp_path``, at a scale that keeps the suite quick; the
limits are scaled down with them. One test runs a bomb in a fresh interpreter and
watches its peak memory, which shows the read stopped at the limit rather than after
decoding the whole file.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely

from geo.importers import ImportLimits, import_file, validate_path
from geo.limits import ENV_MAX_DECODED_MB, ENV_MAX_ROWS, UPLOAD_MAX_ROWS
from geo.schema import ImportLimitError, UnreadableFileError
from tests.conftest import REPO

GEO_METADATA = {
    "version": "1.0.0",
    "primary_column": "geometry",
    "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"]}},
}


def write_geoparquet_bomb(
    path: Path, rows: int, *, note_bytes: int = 1000, chunk: int = 50_000
) -> Path:
    """A GeoParquet of ``rows`` points, each with a distinct, highly compressible note."""
    schema = pa.schema(
        [("event_date", pa.string()), ("notes", pa.string()), ("geometry", pa.binary())],
        metadata={b"geo": json.dumps(GEO_METADATA).encode()},
    )
    with pq.ParquetWriter(
        path, schema, compression="zstd", compression_level=9, use_dictionary=False
    ) as writer:
        for start in range(0, rows, chunk):
            ids = np.arange(start, min(start + chunk, rows))
            notes = pa.array([f"{i:09d}" + "x" * (note_bytes - 9) for i in ids])
            points = shapely.points(44 + ids % 1000 / 1000, 33 + ids % 997 / 1000)
            dates = pa.array(["2020-01-01"] * len(ids))
            wkb = pa.array(shapely.to_wkb(points), pa.binary())
            writer.write_table(pa.table([dates, notes, wkb], schema=schema))
    return path


def points_csv(rows: int, note: str = "n") -> bytes:
    lines = ["date,lat,lon,notes"] + [
        f"2020-01-01,33.{i % 997},44.{i % 991},{note}" for i in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def test_upload_limits_come_from_the_environment() -> None:
    assert ImportLimits.for_upload({}) == ImportLimits()
    assert ImportLimits.for_upload({}).max_rows == UPLOAD_MAX_ROWS
    raised = ImportLimits.for_upload({ENV_MAX_ROWS: "2000000", ENV_MAX_DECODED_MB: "4096"})
    assert raised == ImportLimits(max_rows=2_000_000, max_decoded_bytes=4096 * 2**20)
    assert ImportLimits.for_upload({ENV_MAX_ROWS: "unlimited"}).max_rows is None
    assert ImportLimits.for_local_file({}).unlimited
    assert ImportLimits.for_local_file({ENV_MAX_ROWS: "10"}).max_rows == 10
    with pytest.raises(ImportLimitError, match=f"{ENV_MAX_ROWS} must be a whole number"):
        ImportLimits.for_upload({ENV_MAX_ROWS: "lots"})
    with pytest.raises(ImportLimitError, match=f"{ENV_MAX_DECODED_MB} must be a whole number"):
        ImportLimits.for_upload({ENV_MAX_DECODED_MB: "0"})


def test_csv_upload_over_the_row_limit_is_refused_naming_the_setting() -> None:
    data = points_csv(5_000)
    with pytest.raises(ImportLimitError, match=r"more than 1,000 records.*INCIDENT_MAP_MAX_ROWS"):
        import_file(data, name="big.csv", limits=ImportLimits(max_rows=1_000))
    assert (
        import_file(data, name="big.csv", limits=ImportLimits(max_rows=5_000)).records_read == 5_000
    )


def test_csv_read_by_the_csv_module_is_counted_too() -> None:
    # A record of the wrong width sends the file to the csv module's reader.
    data = points_csv(5_000) + b"2020-01-02,33,44,a,extra\n"
    with pytest.raises(ImportLimitError, match="more than 1,000 records"):
        import_file(data, name="odd.csv", limits=ImportLimits(max_rows=1_000))
    result = import_file(data, name="odd.csv", limits=ImportLimits(max_rows=5_001))
    assert result.records_read == 5_001 and len(result.rejected) == 1


def test_csv_over_the_decoded_limit_is_refused() -> None:
    data = points_csv(2_000, note="x" * 1_000)  # about 2 MB of notes
    with pytest.raises(
        ImportLimitError, match=r"decodes to more than 1 MB.*INCIDENT_MAP_MAX_DECODED_MB"
    ):
        import_file(data, name="notes.csv", limits=ImportLimits(max_decoded_bytes=2**20))


def test_environment_sets_the_upload_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    data = points_csv(300)
    monkeypatch.setenv(ENV_MAX_ROWS, "200")
    with pytest.raises(ImportLimitError, match="more than 200 records"):
        import_file(data, name="env.csv")
    monkeypatch.setenv(ENV_MAX_ROWS, "unlimited")
    assert import_file(data, name="env.csv").records_read == 300


def test_local_files_are_unlimited_unless_the_environment_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "local.csv"
    path.write_bytes(points_csv(300))
    monkeypatch.delenv(ENV_MAX_ROWS, raising=False)
    monkeypatch.delenv(ENV_MAX_DECODED_MB, raising=False)
    # The same bytes as an upload are held to what the caller allows; the path is not.
    with pytest.raises(ImportLimitError):
        import_file(path.read_bytes(), name="local.csv", limits=ImportLimits(max_rows=100))
    assert import_file(path).records_read == 300
    monkeypatch.setenv(ENV_MAX_ROWS, "100")
    with pytest.raises(ImportLimitError, match="more than 100 records"):
        import_file(path)


def test_geoparquet_bomb_is_refused_by_rows_and_by_decoded_bytes(tmp_path: Path) -> None:
    path = write_geoparquet_bomb(tmp_path / "bomb.parquet", 20_000)
    assert path.stat().st_size < 200_000  # 20 MB of notes in a small file
    data = path.read_bytes()
    with pytest.raises(ImportLimitError, match="more than 10,000 records"):
        import_file(data, name="bomb.parquet", limits=ImportLimits(max_rows=10_000))
    with pytest.raises(ImportLimitError, match="decodes to more than 4 MB"):
        import_file(
            data, name="bomb.parquet", limits=ImportLimits(None, max_decoded_bytes=4 * 2**20)
        )
    assert import_file(data, name="bomb.parquet", limits=None).records_read == 20_000


def test_dictionary_encoded_notes_count_as_the_text_they_expand_to(tmp_path: Path) -> None:
    rows = 20_000
    notes = pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(rows, dtype=np.int32)), pa.array(["x" * 1_000])
    )
    table = pa.table(
        {
            "date": pa.array(["2020-01-01"] * rows),
            "lat": pa.array(np.full(rows, 33.0)),
            "lon": pa.array(np.full(rows, 44.0)),
            "notes": notes,
        }
    )
    path = tmp_path / "dictionary.parquet"
    pq.write_table(table, path)
    assert path.stat().st_size < 100_000
    with pytest.raises(ImportLimitError, match="decodes to more than 4 MB"):
        import_file(path.read_bytes(), name="d.parquet", limits=ImportLimits(None, 4 * 2**20))


def test_geopackage_over_the_row_limit_is_refused(tmp_path: Path) -> None:
    n = 3_000
    gdf = gpd.GeoDataFrame(
        {"date": ["2020-01-01"] * n},
        geometry=gpd.points_from_xy(np.linspace(44, 45, n), np.linspace(33, 34, n)),
        crs=4326,
    )
    path = tmp_path / "points.gpkg"
    gdf.to_file(path, driver="GPKG", engine="pyogrio")
    with pytest.raises(ImportLimitError, match="more than 1,000 records"):
        import_file(path.read_bytes(), name="points.gpkg", limits=ImportLimits(max_rows=1_000))
    result = import_file(path.read_bytes(), name="points.gpkg")
    assert result.records_read == n and len(result.incidents) == n


def test_geojson_over_the_feature_limit_is_refused() -> None:
    feature = {
        "type": "Feature",
        "properties": {"date": "2020-01-01"},
        "geometry": {"type": "Point", "coordinates": [44, 33]},
    }
    data = json.dumps({"type": "FeatureCollection", "features": [feature] * 50}).encode()
    with pytest.raises(ImportLimitError, match="more than 20 records"):
        import_file(data, name="f.geojson", limits=ImportLimits(max_rows=20))


def test_a_refused_import_is_an_unreadable_file_for_validate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    path = tmp_path / "many.csv"
    path.write_bytes(points_csv(50))
    monkeypatch.setenv(ENV_MAX_ROWS, "10")
    out = io.StringIO()
    assert validate_path(path, out) == 2
    assert out.getvalue().startswith("cannot read many.csv: it holds more than 10 records")
    assert issubclass(ImportLimitError, UnreadableFileError)


def test_bomb_stops_at_the_limit_while_reading(tmp_path: Path) -> None:
    """A 400 MB-when-decoded GeoParquet under a 16 MB limit never grows the process by 400 MB."""
    path = write_geoparquet_bomb(tmp_path / "bomb.parquet", 400_000)
    script = textwrap.dedent(
        f"""
        import resource, sys
        from pathlib import Path
        from geo.importers import ImportLimits, import_file
        from geo.schema import ImportLimitError
        data = Path({str(path)!r}).read_bytes()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            import_file(data, name="bomb.parquet", limits=ImportLimits(None, 16 * 2**20))
        except ImportLimitError as exc:
            print("refused:", exc)
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        print("grown_mb", grown // 1024)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    lines = done.stdout.splitlines()
    assert lines[0].startswith("refused: cannot read bomb.parquet: its content decodes to more")
    grown_mb = int(lines[-1].split()[1])
    # The whole file decodes to about 400 MB; reading stops one 64 MB batch past the limit.
    assert grown_mb < 200, done.stdout

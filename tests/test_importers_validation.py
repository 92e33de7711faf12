"""Validation that loses nothing: reasons, counts, exit codes, safe CSV of rejections."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from geo.importers import MAX_UPLOAD_BYTES, import_file, rejected_to_csv_bytes, validate_path
from geo.schema import UnreadableFileError
from tests.conftest import REPO

DATA = Path(__file__).parent / "data" / "importers"
BROKEN = sorted((DATA / "broken").iterdir())
SUMMARY = "checked {n:,} records: {a:,} accepted, {r:,} rejected"


def read_fixture(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, dtype=str, keep_default_na=False)


def test_messy_rows_rejected_with_their_reason() -> None:
    raw = read_fixture("messy.csv")
    result = import_file(DATA / "messy.csv")
    assert result.records_read == len(raw) == len(result.incidents) + len(result.rejected)
    reasons = dict(zip(result.rejected["record"], result.rejected["reason"], strict=True))
    for number, expect in enumerate(raw["expect"], start=1):
        if expect:
            assert expect in reasons.get(number, ""), (number, expect, reasons.get(number))
        else:
            assert number not in reasons, (number, reasons.get(number))
    # The rejected table keeps every original field of the record, as text.
    kept = result.rejected.set_index("record").loc[7]
    assert kept["latitude"] == "144.4" and kept["event_id"] == "swapped"


def test_unknown_event_type_rejects_only_in_acled_files(tmp_path: Path) -> None:
    text = (DATA / "acled_current.csv").read_text(encoding="utf-8-sig")
    bad = text.replace("Peaceful protest", "Sit-in", 1)
    path = tmp_path / "acled.csv"
    path.write_text(bad, encoding="utf-8")
    result = import_file(path)
    assert result.format == "acled"
    assert result.rejected["record"].tolist() == [3]
    assert "Sit-in" in result.rejected["reason"].iloc[0]
    generic = import_file(b"date,lat,lon,event_type\n2020-01-01,33,44,Sit-in\n", name="g.csv")
    assert len(generic.rejected) == 0 and generic.incidents["event_type"].tolist() == ["Sit-in"]
    assert any("outside ACLED" in w for w in generic.warnings)


def test_wrong_field_count_is_a_rejected_row_not_a_lost_one() -> None:
    data = b"date,lat,lon,notes\n2020-01-01,33,44,a\n2020-01-02,33,44\n2020-01-03,33,44,c,extra\n"
    result = import_file(data, name="w.csv")
    assert result.records_read == 3
    reasons = dict(zip(result.rejected["record"], result.rejected["reason"], strict=True))
    assert reasons == {
        2: "row has 3 fields, the header has 4",
        3: "row has 5 fields, the header has 4",
    }
    assert result.rejected.set_index("record").loc[3, "extra_fields"] == "extra"


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (
            ["05/06/2020", "25/06/2020"],
            ["2020-06-05", "2020-06-25"],
        ),  # a day > 12 decides day-first
        (
            ["05/06/2020", "06/25/2020"],
            ["2020-05-06", "2020-06-25"],
        ),  # a second part > 12: month-first
        (["16 May 2020", "16-May-2020"], ["2020-05-16", "2020-05-16"]),
        (["43967", "2020-05-16T10:00:00"], ["2020-05-16", "2020-05-16"]),
    ],
)
def test_day_month_order_is_decided_per_file(dates: list[str], expected: list[str]) -> None:
    body = "".join(f"{d},33,44\n" for d in dates)
    result = import_file(f"date,lat,lon\n{body}".encode(), name="d.csv")
    assert result.incidents["event_date"].dt.strftime("%Y-%m-%d").tolist() == expected


def test_oversized_cell_rejects_the_row_and_keeps_it_whole() -> None:
    result = import_file(REPO / "tests" / "data" / "hostile.csv")
    big = result.rejected.set_index("event_id").loc["long-rejected"]
    assert "over the 100,000 limit" in big["reason"]
    assert len(big["notes"]) > 100_000
    assert "long-accepted" in result.incidents["event_id"].tolist()


def test_hostile_text_is_kept_verbatim_for_escaping_at_display() -> None:
    result = import_file(REPO / "tests" / "data" / "hostile.csv")
    notes = result.incidents["notes"].tolist()
    assert '<img src=x onerror=alert("notes")>' in notes
    assert '<script>alert("notes")</script>' in notes


def test_rejected_csv_has_reasons_and_neutralises_formulas() -> None:
    data = (
        b"event_id,date,lat,lon,notes\n=1+1,2999-01-01,33,44,@SUM(A1)\nok,2020-01-01,33,44,fine\n"
    )
    result = import_file(data, name="f.csv")
    payload = rejected_to_csv_bytes(result)
    assert payload.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(payload.decode("utf-8-sig"))))
    assert len(rows) == len(result.rejected) == 1
    assert rows[0]["record"] == "1"
    assert "in the future" in rows[0]["reason"]
    assert rows[0]["event_id"] == "'=1+1" and rows[0]["notes"] == "'@SUM(A1)"


def test_validate_path_lists_rejections_and_summarises() -> None:
    out = io.StringIO()
    code = validate_path(DATA / "messy.csv", out)
    lines = out.getvalue().splitlines()
    result = import_file(DATA / "messy.csv")
    assert code == 1
    listed = [line for line in lines if line.startswith("row ")]
    assert listed == [
        f"row {r}: {why}"
        for r, why in zip(result.rejected["record"], result.rejected["reason"], strict=True)
    ]
    assert lines[-1] == SUMMARY.format(
        n=result.records_read, a=len(result.incidents), r=len(result.rejected)
    )


def test_validate_path_exit_zero_and_feature_numbers(tmp_path: Path) -> None:
    out = io.StringIO()
    assert validate_path(DATA / "acled_current.csv", out) == 0
    assert out.getvalue().splitlines()[-1] == SUMMARY.format(n=3, a=3, r=0)
    geojson = tmp_path / "x.geojson"
    geojson.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"date":"2020-01-01"},'
        '"geometry":{"type":"Point","coordinates":[44,33]}},{"type":"Feature","properties":{"date":"x"},'
        '"geometry":{"type":"Point","coordinates":[44,33]}}]}',
        encoding="utf-8",
    )
    out = io.StringIO()
    assert validate_path(geojson, out) == 1
    assert "feature 2: date 'x' is not a date" in out.getvalue().splitlines()


@pytest.mark.parametrize("path", BROKEN, ids=[p.name for p in BROKEN])
def test_broken_corpus_gets_one_sentence_and_exit_2(path: Path) -> None:
    out = io.StringIO()
    assert validate_path(path, out) == 2
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"cannot read {path.name}: ") and lines[0].endswith(".")
    assert "Traceback" not in lines[0]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"date,lat\x00,lon\n" * 20, "binary"),
        (b"PK\x03\x04" + bytes(range(256)), "ZIP"),
        (b"[" * 200_000 + b"]" * 200_000, "nested too deeply"),
        (
            b'{"type":"FeatureCollection","features":[' + b"[" * 100_000 + b"]" * 100_000 + b"]}",
            "nested",
        ),
        (b"SQLite format 3\x00" + b"\x00" * 200, "GeoPackage"),
        (b"\xff\xfe" + b"\x00\xd8", "UTF-16"),
        (bytes(range(1, 32)) * 50, "binary"),
    ],
)
def test_unreadable_bytes_raise_one_clear_error(data: bytes, fragment: str) -> None:
    with pytest.raises(UnreadableFileError, match=fragment) as caught:
        import_file(data, name="upload.bin")
    assert str(caught.value).startswith("cannot read upload.bin: ")


def test_upload_limit_is_enforced(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:
        handle.truncate(MAX_UPLOAD_BYTES + 1)  # sparse: refused from its size, never read
    with pytest.raises(UnreadableFileError, match="over the 200 MB limit"):
        import_file(path, max_bytes=MAX_UPLOAD_BYTES)


def test_bytes_default_to_the_upload_limit() -> None:
    data = bytes(MAX_UPLOAD_BYTES + 1)
    with pytest.raises(UnreadableFileError, match="over the 200 MB limit"):
        import_file(data, name="big.csv")


def test_upload_over_a_small_limit_is_refused_in_one_sentence() -> None:
    data = (DATA / "acled_current.csv").read_bytes()
    limit = len(data) // 2
    with pytest.raises(UnreadableFileError) as caught:
        import_file(data, name="acled_current.csv", max_bytes=limit)
    message = str(caught.value)
    assert message.startswith("cannot read acled_current.csv: the file is ")
    assert "over the" in message and message.endswith(" limit.")
    assert message.count(". ") == 0 and "\n" not in message
    assert import_file(data, name="acled_current.csv", max_bytes=len(data)).records_read > 0


def test_paths_have_no_size_limit_unless_given(tmp_path: Path) -> None:
    fixture = DATA / "acled_current.csv"
    small = fixture.stat().st_size // 2
    whole = import_file(fixture, max_bytes=None)
    assert whole.records_read == len(read_fixture("acled_current.csv"))
    assert import_file(fixture).records_read == whole.records_read
    with pytest.raises(UnreadableFileError, match="over the"):
        import_file(fixture, max_bytes=small)
    # Past the upload limit a local file is still read: it is refused for its content.
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:
        handle.truncate(MAX_UPLOAD_BYTES + 1)
    with pytest.raises(UnreadableFileError, match="binary"):
        import_file(path, max_bytes=None)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    for target, fragment in ((tmp_path / "nope.csv", "no such file"), (tmp_path, "folder")):
        out = io.StringIO()
        assert validate_path(target, out) == 2
        assert fragment in out.getvalue()


def test_cli_validate_never_prints_a_traceback() -> None:
    cli = REPO / "geo" / "cli.py"
    if not cli.exists():
        pytest.fail("geo/cli.py is missing")
    for path, code in (
        (DATA / "messy.csv", 1),
        (DATA / "broken" / "empty.csv", 2),
        (DATA / "acled_35.csv", 0),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "geo", "validate", str(path)],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=120,
        )
        assert done.returncode == code, done.stderr
        assert "Traceback" not in done.stdout + done.stderr
        if code != 2:
            assert done.stdout.splitlines()[-1].startswith("checked ")


def reasons_by_record(result) -> dict[int, str]:
    return dict(zip(result.rejected["record"], result.rejected["reason"], strict=True))


@pytest.mark.parametrize("filler_rows", [0, 5_000])  # in the first 64 KiB, and far past it
def test_nul_byte_in_a_csv_rejects_its_record(filler_rows: int) -> None:
    filler = "".join(f"2020-01-01,33,44,ok {i}\n" for i in range(filler_rows))
    data = (
        "date,lat,lon,notes\n"
        + filler
        + "2020-01-02,33,44,before\x00after\n2020-01-03,33,44,fine\n"
    ).encode()
    result = import_file(data, name="nul.csv")
    assert result.records_read == filler_rows + 2
    assert result.records_read == len(result.incidents) + len(result.rejected)
    assert reasons_by_record(result) == {
        filler_rows + 1: "field 'notes' contains a NUL character (byte 0)"
    }
    assert not result.incidents["notes"].str.contains("\x00", regex=False).any()


def test_nul_in_a_geojson_property_rejects_its_feature() -> None:
    data = (
        b'{"type":"FeatureCollection","features":['
        b'{"type":"Feature","properties":{"date":"2020-01-01","notes":"a\\u0000b"},'
        b'"geometry":{"type":"Point","coordinates":[44,33]}},'
        b'{"type":"Feature","properties":{"date":"2020-01-02","notes":"fine"},'
        b'"geometry":{"type":"Point","coordinates":[44,33]}}]}'
    )
    result = import_file(data, name="nul.geojson")
    assert reasons_by_record(result) == {1: "field 'notes' contains a NUL character (byte 0)"}
    assert len(result.incidents) == 1


def test_implausible_casualty_counts_are_rejected_with_a_reason() -> None:
    data = (
        b"date,lat,lon,fatalities,injuries\n"
        b"2020-01-01,33,44,9223372036854775807,\n"
        b"2020-01-02,33,44,1000000,1000000\n"
        b"2020-01-03,33,44,3,1000001\n"
        b"2020-01-04,33,44,1e30,\n"
    )
    result = import_file(data, name="counts.csv")
    reasons = reasons_by_record(result)
    assert set(reasons) == {1, 3, 4}
    assert "fatalities '9223372036854775807' is over 1,000,000 for one incident" in reasons[1]
    assert "injuries '1000001' is over 1,000,000" in reasons[3]
    assert "fatalities '1e30' is over 1,000,000" in reasons[4]
    assert result.incidents["fatalities"].sum() == 1_000_000
    assert result.records_read == len(result.incidents) + len(result.rejected)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_read(codec: str) -> None:
    text = "date,lat,lon,notes\n2020-01-01,33.3,44.4,Ünïcode ☂\n2020-01-02,33.3,44.4,b\n"
    result = import_file(text.encode(codec), name="no-bom.csv")
    assert result.incidents["notes"].tolist() == ["Ünïcode ☂", "b"]
    endian = "little" if codec.endswith("le") else "big"
    assert f"read as UTF-16 ({endian}-endian, no BOM)" in result.warnings[0]


def test_damaged_utf16_without_bom_says_how_to_convert() -> None:
    data = "date,lat,lon\n2020-01-01,33,44\n".encode("utf-16-le") + b"\x00\xd8"  # lone surrogate
    with pytest.raises(UnreadableFileError, match="save it as UTF-8"):
        import_file(data, name="damaged.csv")

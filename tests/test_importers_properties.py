"""Property-based: random bytes and random rows never crash an importer; counts reconcile."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.importers import ImportResult, import_file
from geo.importers.csvfile import read_csv_bytes, read_csv_fields
from geo.schema import UnreadableFileError

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEADERS = {
    "csv": ["date", "lat", "lon", "place", "fatalities", "notes", "event_type", "id"],
    "acled": [
        "event_id_cnty",
        "event_date",
        "time_precision",
        "event_type",
        "sub_event_type",
        "actor1",
        "assoc_actor_1",
        "inter1",
        "location",
        "admin1",
        "country",
        "latitude",
        "longitude",
        "geo_precision",
        "fatalities",
        "notes",
        "source",
    ],
    "ucdp": [
        "id",
        "type_of_violence",
        "side_a",
        "side_b",
        "where_prec",
        "date_prec",
        "date_start",
        "date_end",
        "latitude",
        "longitude",
        "best",
        "low",
        "high",
        "where_coordinates",
        "country",
    ],
}
CELL = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            "",
            "2020-05-16",
            "16 May 2020",
            "31-02-2020",
            "43967",
            "1899-01-01",
            "3000-01-01",
            "33.3",
            "-91",
            "181",
            "nan",
            "inf",
            "1e400",
            "-1",
            "2.5",
            "0",
            "1",
            "3",
            "7",
            "Baghdad",
            "Battles",
            "Armed clash",
            "<script>alert(1)</script>",
            "=1+1",
        ]
    ),
    st.integers(-1000, 100000).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


def try_import(data: bytes, name: str | None) -> ImportResult | None:
    try:
        result = import_file(data, name=name)
    except UnreadableFileError as exc:
        message = str(exc)
        assert message.startswith("cannot read ") and message.endswith(".")
        assert "\n" not in message
        return None
    assert result.records_read == len(result.incidents) + len(result.rejected)
    assert result.rejected["record"].is_unique
    assert set(result.rejected["record"]) <= set(range(1, result.records_read + 1))
    assert (result.rejected["reason"] != "").all()
    assert result.incidents["event_id"].is_unique
    return result


@SETTINGS
@given(
    data=st.binary(max_size=2000),
    name=st.sampled_from([None, "x.csv", "x.geojson", "x.gpkg", "x.parquet", "x.txt", "../x"]),
)
def test_random_bytes_never_crash(data: bytes, name: str | None) -> None:
    try_import(data, name)


@SETTINGS
@given(
    prefix=st.sampled_from(
        [
            b"SQLite format 3\x00",
            b"PAR1",
            b"{",
            b"[",
            b"\xef\xbb\xbf",
            b"\xff\xfe",
            b"date,lat,lon\n",
            b'{"type":"FeatureCollection","features":[',
        ]
    ),
    rest=st.binary(max_size=500),
)
def test_random_bytes_behind_magic_numbers_never_crash(prefix: bytes, rest: bytes) -> None:
    try_import(prefix + rest, None)


@SETTINGS
@given(
    layout=st.sampled_from(sorted(HEADERS)),
    rows=st.lists(st.lists(CELL, min_size=0, max_size=20), max_size=25),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_random_rows_never_crash_and_reconcile(
    layout: str, rows: list[list[str]], delimiter: str, encoding: str
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(HEADERS[layout])
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding, errors="replace")
    result = try_import(data, "rows.csv")
    if result is not None:
        written = sum(1 for row in rows if row)  # csv.reader skips the blank lines of empty rows
        assert result.records_read == written


@SETTINGS
@given(
    features=st.lists(
        st.fixed_dictionaries(
            {
                "type": st.just("Feature"),
                "properties": st.one_of(
                    st.none(),
                    st.dictionaries(
                        st.sampled_from(
                            ["date", "event_date", "notes", "place", "fatalities", "id"]
                        ),
                        st.one_of(
                            CELL, st.integers(), st.none(), st.lists(st.integers(), max_size=3)
                        ),
                    ),
                ),
                "geometry": st.one_of(
                    st.none(),
                    st.fixed_dictionaries(
                        {
                            "type": st.just("Point"),
                            "coordinates": st.lists(
                                st.one_of(
                                    st.floats(allow_nan=False, allow_infinity=False),
                                    st.text(max_size=3),
                                ),
                                max_size=3,
                            ),
                        }
                    ),
                    st.fixed_dictionaries(
                        {"type": st.sampled_from(["LineString", "Polygon", "x"])}
                    ),
                ),
            }
        ),
        max_size=15,
    )
)
def test_random_geojson_features_reconcile(features: list[dict]) -> None:
    import json

    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    result = try_import(data, "f.geojson")
    if result is not None:
        assert result.records_read == len(features)


# Text built from the characters that make CSV hard: quotes, delimiters, line ends, spaces.
CSV_TEXT = st.text(alphabet=st.sampled_from(list('ab1,;"\n\r \t|é')), max_size=200)


def parse_both(text: str, delimiter: str) -> tuple[object, object]:
    """The csv-module reader's and the pyarrow reader's view of the same text."""
    views = []
    for parse in (
        lambda: read_csv_fields(text, delimiter),
        lambda: read_csv_bytes(memoryview(text.encode("utf-8")), delimiter),
    ):
        try:
            fields, problems, warnings = parse()
        except UnreadableFileError as exc:
            views.append(("error", str(exc)))
            continue
        views.append(
            (
                list(fields.columns),
                fields.astype(object).to_numpy().tolist(),
                list(fields.index),
                problems.tolist(),
                warnings,
            )
        )
    return views[0], views[1]


@SETTINGS
@given(text=CSV_TEXT, delimiter=st.sampled_from([",", ";", "\t", "|"]))
def test_fast_csv_reader_reads_exactly_like_the_csv_module(text: str, delimiter: str) -> None:
    by_module, by_arrow = parse_both(text, delimiter)
    assert by_arrow == by_module


@SETTINGS
@given(
    rows=st.lists(st.lists(st.text(max_size=12), min_size=3, max_size=3), max_size=30),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
)
def test_fast_csv_reader_round_trips_written_rows(rows: list[list[str]], delimiter: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["a", "b", "c"])
    writer.writerows(rows)
    by_module, by_arrow = parse_both(buffer.getvalue(), delimiter)
    assert by_arrow == by_module

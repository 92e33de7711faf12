"""Vectorised date reading: ISO, dd-mm-yyyy, "16 May 2020", Excel serials.

Numeric dates such as ``05/06/2020`` are read day-first or month-first for the
whole file, decided from the file's own values (a first part above 12 means
day-first, a second part above 12 means month-first), never row by row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Final

import pandas as pd

from geo.schema import EARLIEST_DATE

_TIME: Final = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_ORDINAL: Final = r"(?:st|nd|rd|th)?"
_MONTH: Final = r"(?P<mon>[A-Za-z]{3,9})\.?"
PATTERNS: Final = (
    ("ymd", rf"^(?P<y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}}){_TIME}$"),
    ("ymd", r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
    ("numeric", rf"^(?P<a>\d{{1,2}})[-/.](?P<b>\d{{1,2}})[-/.](?P<y>\d{{4}}){_TIME}$"),
    (
        "named",
        rf"^(?P<d>\d{{1,2}}){_ORDINAL}[ \-/.]+{_MONTH},?[ \-/.]+(?P<y>\d{{4}}){_TIME}$",
    ),
    (
        "named",
        rf"^{_MONTH}[ \-]+(?P<d>\d{{1,2}}){_ORDINAL},?[ \-]+(?P<y>\d{{4}}){_TIME}$",
    ),
    ("serial", r"^(?P<serial>\d{5})(?:\.\d+)?$"),
)
MONTHS: Final = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
# Excel's day 0 (its 1900 leap-year bug is absorbed by starting on 30 December).
EXCEL_EPOCH: Final = pd.Timestamp("1899-12-30")
_NUMERIC = PATTERNS[2][1]
_NUMERIC_START: Final = r"\d{1,2}[-/.]"


def decide_day_first(*columns: pd.Series) -> tuple[bool, bool]:
    """Decide the file-wide order of numeric dates.

    Returns
    -------
    day_first : bool
    decided : bool
        False when no value settled it (then day-first, ACLED's order, is assumed).
    """
    # Each distinct value is looked at once; only values starting like a numeric date
    # go through the (per-value) regular-expression extraction.
    distinct = [pd.Series(col.astype(str).str.strip().unique()) for col in columns]
    candidates = [values[values.str.match(_NUMERIC_START)] for values in distinct]
    parts = [values.str.extract(_NUMERIC)[["a", "b"]] for values in candidates]
    found = pd.concat(parts).dropna().astype(int) if parts else pd.DataFrame()
    if found.empty:
        return True, True
    if (found["a"] > 12).any():
        return True, True
    if (found["b"] > 12).any():
        return False, True
    return True, False


def parse_dates(
    values: pd.Series, *, day_first: bool, today: date | None = None, field: str = "date"
) -> tuple[pd.Series, pd.Series]:
    """Read a column of dates.

    Parameters
    ----------
    values : Series
        Raw text.
    day_first : bool
        Order of numeric dates, from :func:`decide_day_first`.
    today : date, optional
        The latest acceptable date (default: today).
    field : str
        Name used in reasons.

    Returns
    -------
    dates : Series of datetime64
        NaT where missing or rejected.
    reasons : Series of str
        "" for a valid or empty value, else why the value is refused.
    """
    text = values.fillna("").astype(str).str.strip()
    # Dates repeat (a day has many events): read each distinct value once.
    codes, uniques = pd.factorize(text)
    distinct = pd.Series(uniques, dtype=text.dtype).reset_index(drop=True)
    result, reasons = _parse_distinct(distinct, day_first=day_first, today=today, field=field)
    return result.iloc[codes].set_axis(text.index), reasons.iloc[codes].set_axis(text.index)


def _parse_distinct(
    text: pd.Series, *, day_first: bool, today: date | None, field: str
) -> tuple[pd.Series, pd.Series]:
    """:func:`parse_dates` on stripped, distinct values."""
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[s]")
    matched = pd.Series(False, index=text.index)
    for kind, pattern in PATTERNS:
        todo = text[~matched & text.ne("")]
        if todo.empty:
            break
        parts = todo.str.extract(pattern).dropna(how="all")
        if parts.empty:
            continue
        matched.loc[parts.index] = True
        result.loc[parts.index] = _build(kind, parts, day_first)
    upper = pd.Timestamp(today or date.today())
    reasons = pd.Series("", index=text.index, dtype=object)
    empty = text.eq("")
    unknown = ~matched & ~empty
    impossible = matched & result.isna()
    early = result < pd.Timestamp(EARLIEST_DATE)
    future = result > upper
    _say(reasons, unknown, text, lambda v: f"{field} {show(v)} is not a date")
    _say(reasons, impossible, text, lambda v: f"impossible {field} {show(v)}")
    iso = result[early | future].dt.strftime("%Y-%m-%d")
    _say(reasons, early, iso, lambda v: f"{field} {v} is before {EARLIEST_DATE.isoformat()}")
    _say(reasons, future, iso, lambda v: f"{field} {v} is in the future")
    # Accepted dates lie within 1900..today, so nanosecond precision holds them all.
    result = result.where(reasons.eq("")).astype("datetime64[ns]")
    return result, reasons


def _say(
    reasons: pd.Series, mask: pd.Series, values: pd.Series, text: Callable[[object], str]
) -> None:
    """Write a reason into the rows of ``mask`` (a local, freshly built Series).

    ``values`` holds at least the rows of ``mask``.
    """
    if mask.any():
        reasons.loc[mask] = [text(v) for v in values.loc[mask.index[mask.to_numpy()]]]


def _build(kind: str, parts: pd.DataFrame, day_first: bool) -> pd.Series:
    """Turn extracted parts into timestamps; impossible ones become NaT."""
    if kind == "serial":
        days = parts["serial"].astype(int)
        return (EXCEL_EPOCH + pd.to_timedelta(days, unit="D")).astype("datetime64[s]")
    if kind == "numeric":
        first, second = parts["a"].astype(int), parts["b"].astype(int)
        day, month = (first, second) if day_first else (second, first)
    elif kind == "named":
        day = parts["d"].astype(int)
        month = parts["mon"].str.lower().map(MONTHS).fillna(0).astype(int)
    else:
        day, month = parts["d"].astype(int), parts["m"].astype(int)
    frame = pd.DataFrame({"year": parts["y"].astype(int), "month": month, "day": day})
    valid = frame["month"].between(1, 12) & frame["day"].between(1, 31)
    out = pd.Series(pd.NaT, index=parts.index, dtype="datetime64[s]")
    if valid.any():
        out.loc[valid] = pd.to_datetime(frame[valid], errors="coerce").astype("datetime64[s]")
    return out


def show(value: object, limit: int = 40) -> str:
    """Quote a value for a message, cut to ``limit`` characters."""
    text = str(value)
    return repr(text if len(text) <= limit else text[:limit] + "…")

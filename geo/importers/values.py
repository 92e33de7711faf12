"""Vectorised checks of coordinates, counts and precision codes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pa_compute

from geo.importers.dates import show
from geo.importers.table import strip_text
from geo.limits import MAX_CASUALTIES_PER_INCIDENT

_PLAIN: Final = r"[-+]?(?:\d+\.?\d*|\.\d+)"


def as_text(values: pd.Series) -> pd.Series:
    """Return a column as stripped text (missing cells as "")."""
    return strip_text(values.fillna("") if values.hasnans else values)


def distinct_values(text: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Codes and distinct values of a column, so an element-wise check runs once per value.

    Returns
    -------
    codes : ndarray of int
        Position of each record's value in ``distinct``.
    distinct : Series
        The distinct values, indexed 0..k-1, in the column's dtype.
    """
    codes, uniques = pd.factorize(text)
    return codes, pd.Series(uniques, dtype=text.dtype).reset_index(drop=True)


def spread(found: pd.Series, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """Give every record the result computed for its distinct value."""
    return found.iloc[codes].set_axis(index)


def to_number(text: pd.Series) -> pd.Series:
    """Numbers from text; a decimal comma (``33,31``) is read as a point."""
    if isinstance(text.dtype, pd.StringDtype) and text.dtype.storage == "pyarrow":
        # Short plain decimals (up to 15 digits) are cast by pyarrow in one call; both
        # parsers round such strings exactly, so the numbers equal pandas' own.
        plain = (text.str.fullmatch(_PLAIN) & text.str.len().le(16)).to_numpy(dtype=bool)
        values = np.full(len(text), np.nan)
        if plain.any():
            cast = pa_compute.cast(pa.array(text[plain]), pa.float64())
            values[plain] = cast.to_numpy(zero_copy_only=False)
        rest = ~plain & text.ne("").to_numpy(dtype=bool)
        if rest.any():
            values[rest] = _to_number(text[rest]).to_numpy()
        return pd.Series(values, index=text.index, dtype="float64")
    return _to_number(text)


def _to_number(text: pd.Series) -> pd.Series:
    """:func:`to_number` for any text column, by pandas."""
    comma = text.str.fullmatch(r"[-+]?\d+,\d+")
    cleaned = text.where(~comma, text.str.replace(",", ".", regex=False))
    return pd.to_numeric(cleaned, errors="coerce").astype("float64")


def say(reasons: pd.Series, mask: pd.Series, make: Callable[[int], str]) -> None:
    """Write ``make(record)`` into the reasons of the records in ``mask``."""
    if mask.any():
        reasons.loc[mask] = [make(i) for i in mask.index[mask.to_numpy()]]


def check_coordinates(
    lat_text: pd.Series, lon_text: pd.Series
) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Read latitude and longitude.

    Returns
    -------
    lat, lon : Series of float
        NaN where missing or refused.
    missing : Series of bool
        Both coordinates empty (the record may still be geocoded).
    reasons : Series of str
        Why given coordinates are refused; swapped-looking pairs are refused
        with a reason saying so, never swapped silently.
    """
    lat, lon = to_number(lat_text), to_number(lon_text)
    reasons = pd.Series("", index=lat_text.index, dtype=object)
    lat_empty, lon_empty = lat_text.eq(""), lon_text.eq("")
    missing = lat_empty & lon_empty
    say(reasons, lat_empty & ~lon_empty, lambda i: "longitude given without latitude")
    say(reasons, lon_empty & ~lat_empty, lambda i: "latitude given without longitude")
    given = ~lat_empty & ~lon_empty
    lat_bad = given & ~np.isfinite(lat)
    lon_bad = given & ~np.isfinite(lon)
    say(reasons, lat_bad, lambda i: f"latitude {show(lat_text[i])} is not a number")
    say(reasons, lon_bad & ~lat_bad, lambda i: f"longitude {show(lon_text[i])} is not a number")
    numeric = given & ~lat_bad & ~lon_bad
    lat_out = numeric & ~lat.between(-90, 90)
    lon_out = numeric & ~lon.between(-180, 180)
    swapped = lat_out & ~lon_out & lon.between(-90, 90) & lat.between(-180, 180)
    say(
        reasons,
        swapped,
        lambda i: (
            f"latitude {lat[i]:g} and longitude {lon[i]:g} look swapped "
            "(latitude must be within -90..90); swap the columns if so"
        ),
    )
    say(reasons, lat_out & ~swapped, lambda i: f"latitude {lat[i]:g} is outside -90..90")
    say(reasons, lon_out & ~lat_out, lambda i: f"longitude {lon[i]:g} is outside -180..180")
    keep = reasons.eq("") & given
    return lat.where(keep), lon.where(keep), missing, reasons


def check_count(
    text: pd.Series, field: str, *, default: float | None
) -> tuple[pd.Series, pd.Series]:
    """Read a whole number >= 0 (fatalities, injuries); empty gives ``default``."""
    codes, distinct = distinct_values(text)
    value, reasons = _check_count(distinct, field, default=default)
    return spread(value, codes, text.index), spread(reasons, codes, text.index)


def _check_count(
    text: pd.Series, field: str, *, default: float | None
) -> tuple[pd.Series, pd.Series]:
    """:func:`check_count` on distinct values."""
    number = to_number(text)
    reasons = pd.Series("", index=text.index, dtype=object)
    given = text.ne("")
    not_number = given & ~np.isfinite(number)
    negative = given & (number < 0)
    fraction = given & np.isfinite(number) & (number >= 0) & (number != np.floor(number))
    say(reasons, not_number, lambda i: f"{field} {show(text[i])} is not a whole number")
    say(reasons, negative, lambda i: f"negative {field} {number[i]:g}")
    say(reasons, fraction, lambda i: f"{field} {number[i]:g} is not a whole number")
    implausible = given & np.isfinite(number) & (number > MAX_CASUALTIES_PER_INCIDENT)
    say(
        reasons,
        implausible & reasons.eq(""),
        lambda i: (
            f"{field} {show(text[i])} is over {MAX_CASUALTIES_PER_INCIDENT:,} for one incident, "
            "likely an error"
        ),
    )
    value = number.where(given & reasons.eq(""))
    if default is not None:
        value = value.where(given, default)
    return value, reasons


def check_code(
    text: pd.Series, field: str, allowed: Iterable[int], *, default: int
) -> tuple[pd.Series, pd.Series]:
    """Read a precision code; empty gives ``default``."""
    codes, distinct = distinct_values(text)
    value, reasons = _check_code(distinct, field, tuple(allowed), default=default)
    return spread(value, codes, text.index), spread(reasons, codes, text.index)


def _check_code(
    text: pd.Series, field: str, allowed: tuple[int, ...], *, default: int
) -> tuple[pd.Series, pd.Series]:
    """:func:`check_code` on distinct values."""
    number = to_number(text)
    reasons = pd.Series("", index=text.index, dtype=object)
    bad = text.ne("") & ~number.isin(allowed)
    listed = ", ".join(map(str, allowed))
    say(reasons, bad, lambda i: f"{field} {show(text[i])} is not one of {listed}")
    return number.where(text.ne(""), default).where(~bad), reasons

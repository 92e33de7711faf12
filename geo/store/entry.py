"""One incident typed by an analyst, checked as the importers check a file, field by field.

:func:`check_entry` runs the importers' own checks (:func:`geo.importers.checks.check_records`)
on a one-record table, so a form gets the same messages as ``python -m geo validate``; each
message is placed beside the field it names. Curation adds what a hand-entered incident must
carry: the acting side, and for a new incident its source, source URL and quoted sentence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import pandas as pd

from geo.importers.checks import check_records
from geo.importers.geocode import Gazetteer
from geo.importers.table import RawTable
from geo.incidents import COLUMNS
from geo.store.errors import StoreError
from geo.store.ingest import incident_values

ENTRY_FIELDS: Final = (*COLUMNS, "latitude", "longitude")
REQUIRED: Final = ("event_type", "sub_event_type", "actor1", "notes", "date_basis")
REQUIRED_NEW: Final = ("source", "source_quote")
SOURCE_URL: Final = "source_url"
DATE_BASES: Final = ("source", "external")
# Which field a message of the importers is about: the first name it mentions.
_FIELD_WORDS: Final = (
    ("end_date", "end_date"),
    ("sub_event_type", "sub_event_type"),
    ("event_type", "event_type"),
    ("time_precision", "time_precision"),
    ("geo_precision", "geo_precision"),
    ("fatalities", "fatalities"),
    ("injuries", "injuries"),
    ("latitude", "latitude"),
    ("longitude", "longitude"),
    ("coordinates", "location"),
    ("location", "location"),
    ("date", "event_date"),
)


class InvalidIncidentError(StoreError, ValueError):
    """An incident's values are refused; nothing was written.

    Attributes
    ----------
    errors : dict
        Field name -> one sentence saying what is wrong with its value.
    """

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        listed = "; ".join(f"{name}: {text}" for name, text in self.errors.items())
        super().__init__(f"the incident was not saved: {listed}.")


def entry_text(value: Any) -> str:
    """One value as a form shows it: empty for None or NaN, numbers without a trailing .0."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10]
    return str(value).strip()


def field_of(message: str) -> str:
    """Return the field an importer's message is about (``event_date`` when none is named)."""
    for word, name in _FIELD_WORDS:
        if re.search(rf"\b{word}\b", message):
            return name
    return "event_date"


def check_entry(
    values: Mapping[str, Any],
    *,
    new: bool,
    sites: Gazetteer | None = None,
) -> dict[str, Any]:
    """Check one incident and return it as a row of the incidents table.

    Parameters
    ----------
    values : mapping
        Contract fields (text or Python values), ``latitude``/``longitude`` when the place
        was picked on the map or from the gazetteer, and optionally ``source_url``. A
        ``location`` without coordinates is looked up in ``sites`` and GeoNames, as an
        import does.
    new : bool
        A new incident must also name its source, source URL and quoted sentence.
    sites : Gazetteer, optional
        The sites gazetteer (the bundled one by default).

    Returns
    -------
    dict
        Contract fields as stored (see :func:`geo.store.ingest.incident_values`),
        ``longitude``, ``latitude`` and ``extra`` (None; the caller fills it).

    Raises
    ------
    InvalidIncidentError
        With a message per refused field; nothing is returned then.
    """
    text = {name: entry_text(values.get(name)) for name in ENTRY_FIELDS}
    errors: dict[str, str] = {}
    for name in REQUIRED:
        if not text[name]:
            errors[name] = f"{name} is required"
    if text["date_basis"] and text["date_basis"] not in DATE_BASES:
        errors["date_basis"] = f"date_basis must be one of: {', '.join(DATE_BASES)}"
    if new:
        for name in REQUIRED_NEW:
            if not text[name]:
                errors[name] = f"{name} is required for a new incident"
        url = entry_text(values.get(SOURCE_URL))
        if not url and not text["source_file"]:
            errors[SOURCE_URL] = "a source URL (or the article's source_file) is required"
        elif url and not re.match(r"https?://\S+$", url):
            errors[SOURCE_URL] = f"source URL {url!r} must start with http:// or https://"
    if not text["event_id"]:
        text["event_id"] = "new"  # the caller gives the stored id; the check needs one
    index = pd.RangeIndex(1, 2)
    frame = pd.DataFrame({name: [value] for name, value in text.items()}, index=index)
    raw = RawTable(
        fields=frame, mapped=frame, format="incident-map", label="incident", strict_vocabulary=True
    )
    if sites is None:
        from geo.importers import _BundledSites

        sites = _BundledSites()
    incidents, rejected, _ = check_records(raw, sites)
    if len(rejected):
        for message in str(rejected["reason"].iloc[0]).split("; "):
            errors.setdefault(field_of(message), message)
    if errors:
        raise InvalidIncidentError(errors)
    (row,) = incident_values(incidents)
    return row

"""The data contract: fields, ACLED vocabulary, precision codes and errors.

Everything here mirrors ``DATA.md``; the names are fixed because analysts'
scripts and ACLED interoperability depend on them.
"""

from __future__ import annotations

from datetime import date
from types import MappingProxyType
from typing import Final

# ACLED codebook, Table 2: event type -> its sub-event types.
EVENT_TYPES: Final = MappingProxyType(
    {
        "Battles": (
            "Government regains territory",
            "Non-state actor overtakes territory",
            "Armed clash",
        ),
        "Protests": (
            "Excessive force against protesters",
            "Protest with intervention",
            "Peaceful protest",
        ),
        "Riots": ("Violent demonstration", "Mob violence"),
        "Explosions/Remote violence": (
            "Chemical weapon",
            "Air/drone strike",
            "Suicide bomb",
            "Shelling/artillery/missile attack",
            "Remote explosive/landmine/IED",
            "Grenade",
        ),
        "Violence against civilians": (
            "Sexual violence",
            "Attack",
            "Abduction/forced disappearance",
        ),
        "Strategic developments": (
            "Agreement",
            "Arrests",
            "Change to group/activity",
            "Disrupted weapons use",
            "Headquarters or base established",
            "Looting/property destruction",
            "Non-violent transfer of territory",
            "Other",
        ),
    }
)
SUB_EVENT_TYPES: Final = MappingProxyType(
    {sub: event for event, subs in EVENT_TYPES.items() for sub in subs}
)

# ACLED actor types (the ``inter`` codes 1-8 of the codebook).
ACTOR_TYPES: Final = MappingProxyType(
    {
        1: "State Forces",
        2: "Rebel Groups",
        3: "Political Militias",
        4: "Identity Militias",
        5: "Rioters",
        6: "Protesters",
        7: "Civilians",
        8: "External/Other Forces",
    }
)

TIME_PRECISION: Final = MappingProxyType(
    {1: "the day is known", 2: "only the week is known", 3: "only the month is known"}
)
GEO_PRECISION: Final = MappingProxyType(
    {1: "the exact place", 2: "near a place or part of a region", 3: "only a larger region"}
)
DATE_BASIS: Final = ("source", "external")

# Incident fields in contract order; ``geometry`` is added by the GeoDataFrame.
REQUIRED_FIELDS: Final = (
    "event_id",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "location",
    "admin1",
    "country",
    "geo_precision",
    "fatalities",
    "notes",
    "source",
    "date_basis",
)
INCIDENT_FIELDS: Final = (
    "event_id",
    "event_date",
    "end_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "actor2",
    "assoc_actor_2",
    "site_id",
    "location",
    "admin1",
    "country",
    "geo_precision",
    "fatalities",
    "injuries",
    "notes",
    "source",
    "source_file",
    "source_quote",
    "date_basis",
)
# Fields added beside the contract: where the point comes from and how far off it may be.
EXTRA_FIELDS: Final = ("uncertainty_km", "coord_source")
TEXT_FIELDS: Final = (
    "event_id",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "actor2",
    "assoc_actor_2",
    "site_id",
    "location",
    "admin1",
    "country",
    "notes",
    "source",
    "source_file",
    "source_quote",
    "date_basis",
    "coord_source",
)
ACTOR_FIELDS: Final = ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2")
MULTI_VALUE_SEPARATOR: Final = ";"

SITE_FIELDS: Final = (
    "site_id",
    "name",
    "aliases",
    "kind",
    "country",
    "admin1",
    "coord_source",
    "uncertainty_km",
)

EARLIEST_DATE: Final = date(1900, 1, 1)


class IncidentDataError(ValueError):
    """Incident or site data breaks the contract; the message names field and value."""


class UnreadableFileError(IncidentDataError):
    """A file cannot be read at all (empty, truncated, binary, wrong format)."""


class LimitExceededError(IncidentDataError):
    """An input is over one of the size limits of :mod:`geo.limits`; the message names it."""


class ImportLimitError(UnreadableFileError, LimitExceededError):
    """A file holds more records or decoded bytes than one import may (see :mod:`geo.limits`)."""


class ReportSizeError(LimitExceededError):
    """A report page has more pixels than memory allows (see :mod:`geo.limits`)."""


class MissingComponentError(RuntimeError):
    """An installed component (web assets, basemap, browser, font) is missing."""


def split_multi(value: object) -> list[str]:
    """Split a ``;``-separated field into its trimmed, non-empty parts.

    Parameters
    ----------
    value : object
        The raw field; ``None`` and NaN give an empty list.

    Returns
    -------
    list of str
    """
    if not isinstance(value, str):
        return []
    return [part.strip() for part in value.split(MULTI_VALUE_SEPARATOR) if part.strip()]


def check_vocabulary(event_type: str, sub_event_type: str) -> str | None:
    """Return why an event type / sub-event type pair is outside ACLED's, or None.

    Parameters
    ----------
    event_type, sub_event_type : str
        The pair to check.

    Returns
    -------
    str or None
        A reason naming the offending value, or None when the pair is valid.
    """
    if event_type not in EVENT_TYPES:
        return f"unknown event_type {event_type!r} (expected one of: {', '.join(EVENT_TYPES)})"
    if sub_event_type not in EVENT_TYPES[event_type]:
        return (
            f"sub_event_type {sub_event_type!r} does not belong to {event_type!r} "
            f"(expected one of: {', '.join(EVENT_TYPES[event_type])})"
        )
    return None

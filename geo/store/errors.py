"""What can go wrong with a store, as small typed exceptions the shells translate.

Every message is one sentence that says what to do; the command line prints it and
exits with status 2, the dashboard shows it with ``st.error``.
"""

from __future__ import annotations


class StoreError(RuntimeError):
    """A store cannot be opened or used; the message says what to do."""


class StoreURLError(StoreError, ValueError):
    """The database URL is malformed or names an engine the store does not support."""


class StoreUnavailableError(StoreError):
    """The database server cannot be reached, refuses the login or lacks the database."""


class StoreSchemaError(StoreError):
    """The database is not initialised, is at another schema version or lacks PostGIS."""


class IncidentNotFoundError(StoreError, LookupError):
    """No stored incident has the given id."""


class StaleVersionError(StoreError):
    """Someone else changed the incident since it was read (optimistic locking).

    Attributes
    ----------
    incident_id : int
        The store's id of the incident.
    expected, current : int
        The version the writer read, and the version now stored.
    """

    def __init__(self, incident_id: int, expected: int, current: int) -> None:
        super().__init__(
            f"incident {incident_id} was changed by someone else (version {current}, "
            f"you edited version {expected}): reload it and apply your change again."
        )
        self.incident_id = incident_id
        self.expected = expected
        self.current = current

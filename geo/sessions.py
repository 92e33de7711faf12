"""Per-session data held by the server: one prepared upload per browser session.

A session's upload is kept here, keyed by the session's id, not in its widget state:
the server then drops it as soon as the session has been gone for longer than a
reconnect may take, and hands the freed pages back to the system, instead of waiting
until another visitor happens to touch Streamlit's store of disconnected sessions.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Final, Generic, TypeVar

from geo.load import release_unused_memory

T = TypeVar("T")

# How often the sweeper looks for ended sessions.
SWEEP_INTERVAL_S: Final = 1.0


class SessionData(Generic[T]):
    """What each live session holds, dropped once the session has ended.

    Parameters
    ----------
    is_active : callable
        ``is_active(session_id)`` tells whether the session is still connected.
    grace_s : float
        How long a disconnected session keeps its data (a reconnect within it finds it).
    clock : callable, optional
        Seconds, monotonic (default :func:`time.monotonic`).
    on_drop : callable, optional
        ``on_drop(session_id)`` for each session whose data a sweep dropped: what else
        the server keeps for an ended session (the web framework's own references to
        it) is released there, before the freed memory is handed back.
    """

    def __init__(
        self,
        is_active: Callable[[str], bool],
        grace_s: float,
        clock: Callable[[], float] = time.monotonic,
        on_drop: Callable[[str], None] | None = None,
    ) -> None:
        self._is_active = is_active
        self._grace_s = grace_s
        self._clock = clock
        self._on_drop = on_drop
        self._items: dict[str, T] = {}
        self._gone_since: dict[str, float] = {}
        self._lock = threading.Lock()
        self._sweeper: threading.Thread | None = None

    def get(self, session_id: str) -> T | None:
        """Return the session's data, or None."""
        with self._lock:
            return self._items.get(session_id)

    def put(self, session_id: str, value: T) -> None:
        """Keep ``value`` for the session, replacing what it held."""
        with self._lock:
            self._items[session_id] = value
            self._gone_since.pop(session_id, None)
        release_unused_memory()  # what it held before is garbage now

    def drop(self, session_id: str) -> None:
        """Forget the session's data (and give its memory back)."""
        with self._lock:
            found = self._items.pop(session_id, None) is not None
            self._gone_since.pop(session_id, None)
        if found:
            release_unused_memory()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def sweep(self) -> int:
        """Drop the data of sessions gone for longer than the grace period.

        Returns
        -------
        int
            How many sessions' data was dropped.
        """
        now = self._clock()
        dropped = []
        with self._lock:
            for session_id in list(self._items):
                if self._is_active(session_id):
                    self._gone_since.pop(session_id, None)
                    continue
                since = self._gone_since.setdefault(session_id, now)
                if now - since >= self._grace_s:
                    del self._items[session_id]
                    del self._gone_since[session_id]
                    dropped.append(session_id)
        for session_id in dropped:
            if self._on_drop is not None:
                self._on_drop(session_id)
        if dropped:
            release_unused_memory()
        return len(dropped)

    def start_sweeping(self, interval_s: float = SWEEP_INTERVAL_S) -> None:
        """Sweep from a daemon thread every ``interval_s`` seconds (once per process)."""
        with self._lock:
            if self._sweeper is not None:
                return
            self._sweeper = threading.Thread(
                target=self._sweep_forever, args=(interval_s,), name="session-data", daemon=True
            )
            self._sweeper.start()

    def _sweep_forever(self, interval_s: float) -> None:
        """Sweep until the process ends."""
        while True:
            time.sleep(interval_s)
            self.sweep()


_STORES: dict[str, SessionData[Any]] = {}
_STORES_LOCK: Final = threading.Lock()


def session_data(
    name: str,
    is_active: Callable[[str], bool],
    grace_s: float,
    on_drop: Callable[[str], None] | None = None,
) -> SessionData[Any]:
    """Return the process's store called ``name``, made on first use and sweeping from then on.

    It lives as long as the process (a cleared Streamlit cache does not touch it).

    Parameters
    ----------
    name : str
    is_active : callable
        See :class:`SessionData`; used when the store is made.
    grace_s : float
        See :class:`SessionData`; used when the store is made.
    on_drop : callable, optional
        See :class:`SessionData`; used when the store is made.

    Returns
    -------
    SessionData
    """
    with _STORES_LOCK:
        store = _STORES.get(name)
        if store is None:
            store = _STORES[name] = SessionData(is_active, grace_s, on_drop=on_drop)
    store.start_sweeping()
    return store

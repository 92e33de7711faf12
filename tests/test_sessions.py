"""Per-session data is dropped once its session has been gone for the grace period."""

from __future__ import annotations

from geo.sessions import SessionData


def test_data_of_an_ended_session_is_dropped_after_the_grace_period() -> None:
    active = {"a", "b"}
    now = [100.0]
    store: SessionData[str] = SessionData(lambda sid: sid in active, 5.0, lambda: now[0])
    store.put("a", "upload a")
    store.put("b", "upload b")
    assert store.sweep() == 0
    active.discard("a")
    assert store.sweep() == 0  # just gone: a reconnect may still come
    now[0] += 4.9
    assert store.sweep() == 0
    now[0] += 0.2
    assert store.sweep() == 1
    assert store.get("a") is None
    assert store.get("b") == "upload b"
    assert len(store) == 1


def test_a_session_that_reconnects_keeps_its_data() -> None:
    active = {"a"}
    now = [0.0]
    store: SessionData[str] = SessionData(lambda sid: sid in active, 5.0, lambda: now[0])
    store.put("a", "upload")
    active.clear()
    store.sweep()
    now[0] += 3
    active.add("a")
    store.sweep()
    active.clear()
    now[0] += 3  # gone 3 s since it left again, not 6
    assert store.sweep() == 0
    assert store.get("a") == "upload"


def test_drop_and_replace() -> None:
    store: SessionData[str] = SessionData(lambda sid: True, 1.0)
    store.put("a", "first")
    store.put("a", "second")
    assert store.get("a") == "second"
    store.drop("a")
    assert store.get("a") is None
    store.drop("a")  # dropping twice is harmless


def test_a_sweep_hands_each_dropped_session_to_on_drop() -> None:
    """What the web framework keeps for an ended session is released with its data."""
    active = {"a", "b"}
    now = [0.0]
    released: list[str] = []
    store: SessionData[str] = SessionData(
        lambda sid: sid in active, 1.0, lambda: now[0], on_drop=released.append
    )
    store.put("a", "upload a")
    store.put("b", "upload b")
    active.discard("a")
    store.sweep()
    assert released == []
    now[0] += 2
    assert store.sweep() == 1
    assert released == ["a"]
    store.drop("b")  # a session going back to the server's data is still open
    assert released == ["a"]

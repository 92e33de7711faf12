"""Atomic writes: a killed writer leaves the old file or the new one, never a part of one."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from geo.build import write_incidents
from geo.fileio import write_bytes_atomic, write_text_atomic, write_with_companions
from tests.conftest import REPO, make_incidents

PAYLOAD_BYTES = 48 * 2**20
KILL_TIMEOUT_S = 120


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_write_replaces_the_file_and_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "out.png"
    write_bytes_atomic(target, b"old")
    target.chmod(0o640)
    assert write_bytes_atomic(target, b"new contents") == target
    assert target.read_bytes() == b"new contents"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    write_text_atomic(tmp_path / "note.txt", "é\n")
    assert (tmp_path / "note.txt").read_bytes() == "é\n".encode()
    assert leftovers(tmp_path) == []


def test_a_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        path = write_bytes_atomic(tmp_path / "fresh.csv", b"x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_the_write_is_a_new_file_renamed_over_the_old(tmp_path: Path) -> None:
    # A hard link keeps the old inode: it still shows the old content after an atomic write,
    # where a write in place would have changed it (and been seen half-done by a reader).
    target = tmp_path / "incidents.geojson"
    target.write_bytes(b"previous build")
    snapshot = tmp_path / "snapshot"
    os.link(target, snapshot)
    gdf = make_incidents([{"event_id": "a", "event_date": "2020-01-01", "lon": 44, "lat": 33}])
    write_incidents(gdf, target)
    assert snapshot.read_bytes() == b"previous build"
    assert target.read_bytes().startswith(b"{") and b'"a"' in target.read_bytes()
    assert leftovers(tmp_path) == []


def test_failed_write_leaves_the_target_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "report.png"
    target.write_bytes(b"previous")
    with pytest.raises(TypeError):
        write_bytes_atomic(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"previous"
    assert leftovers(tmp_path) == []


def test_companion_is_written_after_its_file(tmp_path: Path) -> None:
    export, recipe = tmp_path / "map.png", tmp_path / "map.png.recipe.json"
    write_with_companions(export, b"png v1", [(recipe, b"recipe v1")])
    assert (export.read_bytes(), recipe.read_bytes()) == (b"png v1", b"recipe v1")
    # A companion that cannot be written: the export is already complete, the recipe untouched.
    blocked = tmp_path / "blocked.recipe.json"
    blocked.mkdir()
    with pytest.raises(OSError):
        write_with_companions(export, b"png v2", [(blocked, b"recipe v2")])
    assert export.read_bytes() == b"png v2" and blocked.is_dir()
    assert recipe.read_bytes() == b"recipe v1"
    assert leftovers(tmp_path) == []


def test_sigkill_mid_write_leaves_the_old_or_the_new_file(tmp_path: Path) -> None:
    """A writer killed while it writes a large payload never leaves a partial target."""
    target = tmp_path / "export.png"
    old = b"O" * 1024
    target.write_bytes(old)
    script = textwrap.dedent(
        f"""
        from geo.fileio import write_bytes_atomic
        payloads = [b"A" * {PAYLOAD_BYTES}, b"B" * {PAYLOAD_BYTES}]
        i = 0
        while True:  # write until killed, so the kill lands inside a write
            write_bytes_atomic({str(target)!r}, payloads[i % 2])
            i += 1
        """
    )
    writer = subprocess.Popen(
        [sys.executable, "-c", script], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}
    )
    try:
        deadline = time.monotonic() + KILL_TIMEOUT_S
        # Kill once a temporary file holds part of a payload: the write has begun, not ended.
        while True:
            started = [
                p for p in tmp_path.glob(".export.png.*.tmp") if 0 < _size(p) < PAYLOAD_BYTES
            ]
            if started or writer.poll() is not None or time.monotonic() > deadline:
                break
            time.sleep(0.002)  # polling interval
        assert writer.poll() is None, "the writer stopped on its own"
        assert started, "no write in progress was seen"
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        if writer.poll() is None:
            writer.kill()
        writer.wait()
    assert writer.returncode == -signal.SIGKILL
    content = target.read_bytes()
    assert content in (old, b"A" * PAYLOAD_BYTES, b"B" * PAYLOAD_BYTES), len(content)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0

"""Atomic file writing: a file is either its old self or its new self, never a part.

Every file the product writes goes to a temporary file in the same folder (the same
file system, so the rename is atomic), is flushed to disk with ``fsync``, then replaces
the target with :func:`os.replace`; the folder is synced so the rename itself survives
a crash. A process killed mid-write leaves the target as it was, and at most a hidden
``.<name>.*.tmp`` file beside it (not removed by later writes, which cannot tell it from
another process's write in progress).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

TEMP_SUFFIX: Final = ".tmp"


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes | bytearray | memoryview) -> Path:
    """Write bytes to ``path`` atomically.

    Parameters
    ----------
    path : str or PathLike
        The target; its folder must exist.
    data : bytes-like

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OSError
        When the folder cannot be written; the target is then unchanged.
    """
    target = Path(path)
    folder = target.parent
    fd, temp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=folder if str(folder) else "."
    )
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _keep_mode(target, temp)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _sync_folder(folder)
    return target


def write_text_atomic(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> Path:
    """Write text to ``path`` atomically (see :func:`write_bytes_atomic`).

    Parameters
    ----------
    path : str or PathLike
    text : str
    encoding : str, default "utf-8"

    Returns
    -------
    Path
        ``path``.
    """
    return write_bytes_atomic(path, text.encode(encoding))


def write_with_companions(
    path: str | os.PathLike[str],
    data: bytes | bytearray | memoryview,
    companions: Sequence[tuple[str | os.PathLike[str], bytes | bytearray | memoryview]],
) -> Path:
    """Write a file, then the files that describe it (an export, then its recipe).

    Each file is written atomically, the main file first: a recipe never names
    an export that is not complete on disk. A crash between the two leaves the
    new file beside the previous companion, each whole.

    Parameters
    ----------
    path : str or PathLike
        The main file.
    data : bytes-like
        Its content.
    companions : sequence of (path, bytes)
        Written after it, in order.

    Returns
    -------
    Path
        ``path``.
    """
    target = write_bytes_atomic(path, data)
    for companion, content in companions:
        write_bytes_atomic(companion, content)
    return target


def _keep_mode(target: Path, temp: Path) -> None:
    """Give the new file the old one's permissions, else the usual ones for a new file."""
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(temp, mode)


def _sync_folder(folder: Path) -> None:
    """Flush a rename to disk (POSIX; a no-op where a folder cannot be opened)."""
    try:
        fd = os.open(folder if str(folder) else ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

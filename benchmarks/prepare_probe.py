"""Seconds and peak memory of loading one file as the dashboard does, stage by stage.

``python -m geo bench`` runs this in a fresh process, twice per size, with
``INCIDENT_MAP_CACHE`` pointing at a folder of its own: the first run finds no prepared copy
(it imports, validates, prepares and writes the copy), the second reads the copy. The stages
are the steps :func:`geo.prepared.load_dataset` takes; the peak resident memory (VmHWM) is
reset before each, so each figure is that stage's own peak. Prints one JSON object.

Usage: ``python -m benchmarks.prepare_probe CSV``
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def _status(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextlib.contextmanager
def stage(name: str, out: dict[str, Any]) -> Iterator[None]:
    """Time a stage and record its own peak RSS in MB."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    t0 = time.perf_counter()
    yield
    out["seconds"][name] = round(time.perf_counter() - t0, 3)
    out["peak_mb"][name] = round(_status("VmHWM"), 1)


def main(argv: list[str]) -> None:
    """Load the file given on the command line and print the figures."""
    (path,) = argv
    out: dict[str, Any] = {"seconds": {}, "peak_mb": {}}
    with stage("modules", out):
        from geo.dataset import prepare_dataset
        from geo.importers import import_file
        from geo.load import file_sha256
        from geo.prepared import prepared_path, read_prepared, write_prepared
    source = Path(path).resolve()
    t0 = time.perf_counter()
    with stage("hash", out):
        sha256 = file_sha256(source)
    target = prepared_path(sha256)
    with stage("read copy", out):
        result = read_prepared(target)
    out["from_copy"] = result is not None
    if result is None:
        del out["seconds"]["read copy"], out["peak_mb"]["read copy"]
        with stage("import", out):
            result = import_file(source)
    with stage("prepare", out):
        dataset = prepare_dataset(result, str(source), source.name, sha256)
    del result
    if not out["from_copy"]:
        with stage("write copy", out):
            write_prepared(dataset.result, target)
    out["load_s"] = round(time.perf_counter() - t0, 3)
    out["copy_bytes"] = target.stat().st_size if target.is_file() else 0
    out["n"] = len(dataset.result.incidents)
    out["rss_after_mb"] = round(_status("VmRSS"), 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])

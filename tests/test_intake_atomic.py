"""Intake output files are replaced whole (a temporary file renamed over them)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from geo.intake.confidence import ConfidenceModel, load_model, save_model
from geo.intake.output import write_candidates


def replaced_whole(path: Path, write: Callable[[], object]) -> None:
    """Assert ``write()`` put a new file at ``path`` rather than rewriting the old one in place."""
    path.write_text("previous\n", encoding="utf-8")
    before = path.stat().st_ino
    write()
    assert path.stat().st_ino != before
    assert path.read_text(encoding="utf-8") != "previous\n"
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_candidates_file_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "candidates.csv"
    replaced_whole(target, lambda: write_candidates([], target))


def test_confidence_model_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "model.json"
    model = ConfidenceModel(0.5, {"time_exact": 1.25}, "test")
    replaced_whole(target, lambda: save_model(model, target))
    assert load_model(target).weights == {"time_exact": 1.25}

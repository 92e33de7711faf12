"""The evaluation script, run end to end on the held-out articles, meets the issue's targets."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from geo.intake.evaluate import HELD_OUT, TARGETS, evaluate_set, missed_targets

REPO = Path(__file__).resolve().parents[1]
LINE = re.compile(
    r"recall (?P<recall>[\d.]+) \(confidence >= 0\.5: (?P<recall_confident>[\d.]+)\)\s+"
    r"precision (?P<precision_confident>[\d.]+)\s+type (?P<event_type>[\d.]+)\s+"
    r"date (?P<date>[\d.]+)\s+place (?P<place>[\d.]+)"
)


@pytest.fixture(scope="module")
def printed() -> str:
    done = subprocess.run(
        [sys.executable, "-m", "geo.intake.evaluate", "--set", str(HELD_OUT)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_script_prints_the_held_out_figures_and_they_meet_the_targets(printed):
    assert printed.startswith("held-out: ")
    m = LINE.search(printed)
    assert m is not None, printed
    figures = {name: float(value) for name, value in m.groupdict().items()}
    for name, least in TARGETS.items():
        assert figures[name] >= least, f"{name} {figures[name]} below the target {least}"
    assert "targets: met" in printed


def test_printed_figures_are_the_computed_ones(printed):
    figures = evaluate_set(HELD_OUT).figures()
    assert figures["key_incidents"] >= 20  # the held-out key is not trivially small
    assert f"recall {figures['recall']:.2f}" in printed
    assert f"precision {figures['precision_confident']:.2f}" in printed
    assert missed_targets(figures) == []


def test_a_shortfall_is_named():
    figures = {name: 1.0 for name in TARGETS} | {"place": 0.4}
    assert missed_targets(figures) == ["place 0.40 < 0.60"]

"""``confidence``: the chance an analyst accepts a candidate, from a small logistic model.

The weights are data (``confidence.json`` beside this module), fitted by
``python -m geo.intake.evaluate --fit`` on the development articles only, and
refitted later on analysts' recorded decisions (:mod:`geo.intake.decisions`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

from geo.fileio import write_text_atomic

MODEL_PATH: Final = Path(__file__).with_name("confidence.json")
FEATURES: Final = (
    "time_exact",
    "time_window",
    "time_inherited",
    "time_old",
    "place_point",
    "place_site",
    "place_country_only",
    "place_none",
    "place_borrowed",
    "actor_known",
    "casualties",
    "modal_after",
    "meta_words",
    "generic_event",
    "split",
    "restates",
)


@dataclass(frozen=True)
class ConfidenceModel:
    """Logistic weights over the candidate features.

    Attributes
    ----------
    intercept : float
    weights : dict
        Feature name to weight; features not listed weigh 0.
    fitted_on : str
        What the weights were fitted on, for the record.
    """

    intercept: float
    weights: Mapping[str, float]
    fitted_on: str = ""

    def predict(self, features: Mapping[str, float]) -> float:
        """Return the probability of acceptance for one candidate's features (3 decimals)."""
        z = self.intercept + sum(w * float(features.get(k, 0.0)) for k, w in self.weights.items())
        return round(1.0 / (1.0 + math.exp(-z)), 3)


def load_model(path: str | Path = MODEL_PATH) -> ConfidenceModel:
    """Read a fitted model; a neutral one (0.5 everywhere) when the file is absent.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    ConfidenceModel
    """
    path = Path(path)
    if not path.exists():
        return ConfidenceModel(0.0, {}, "unfitted")
    data = json.loads(path.read_text(encoding="utf-8"))
    return ConfidenceModel(
        float(data["intercept"]),
        {k: float(v) for k, v in data["weights"].items()},
        str(data.get("fitted_on", "")),
    )


def save_model(model: ConfidenceModel, path: str | Path = MODEL_PATH) -> Path:
    """Write a model as JSON (sorted keys, so refits diff cleanly)."""
    path = Path(path)
    payload = {
        "intercept": round(model.intercept, 4),
        "weights": {k: round(v, 4) for k, v in sorted(model.weights.items())},
        "fitted_on": model.fitted_on,
    }
    write_text_atomic(path, json.dumps(payload, indent=1, sort_keys=True) + "\n")
    return path


def fit_model(
    rows: Sequence[tuple[Mapping[str, float], bool]],
    l2: float = 1.0,
    fitted_on: str = "",
    iterations: int = 50,
) -> ConfidenceModel:
    """Fit logistic weights by Newton's method with an L2 penalty (not on the intercept).

    Parameters
    ----------
    rows : sequence of (features, accepted)
    l2 : float
        Penalty; a small set needs a firm one.
    fitted_on : str
    iterations : int

    Returns
    -------
    ConfidenceModel

    Raises
    ------
    ValueError
        When ``rows`` is empty.
    """
    if not rows:
        raise ValueError("cannot fit confidence on no candidates")
    x = np.array([[1.0] + [float(f.get(k, 0.0)) for k in FEATURES] for f, _ in rows])
    y = np.array([1.0 if accepted else 0.0 for _, accepted in rows])
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[0] = 1e-6
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-x @ w))
        grad = x.T @ (p - y) + penalty * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    weights = {k: float(v) for k, v in zip(FEATURES, w[1:], strict=True) if abs(v) > 1e-6}
    return ConfidenceModel(float(w[0]), weights, fitted_on)

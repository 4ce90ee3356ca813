"""Fitting the abstention model: a logistic regression per embedding model.

It learns, from a question file with in-scope and out-of-scope questions, how the features of
a ranking (retrieval.ranking.Features) tell "the corpus answers this" from "it does not", then
picks the threshold that keeps false abstention within a budget while abstaining on as many
out-of-scope questions as it can. The result goes to retrieval/data/calibration.json.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.evaluate import EvalItem
from retrieval.ranking import ABSTENTION_FEATURES, Features

CALIBRATION_FILE = Path(__file__).resolve().parent / "data" / "calibration.json"


def fit_logistic(
    x: np.ndarray, y: np.ndarray, l2: float = 0.05, steps: int = 5000
) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """Weights and bias in the original feature units (standardised inside for stability)."""
    mean, std = x.mean(0), x.std(0) + 1e-9
    xs = (x - mean) / std
    w, b = np.zeros(x.shape[1]), 0.0
    pos = max(1, int(y.sum()))
    neg = max(1, len(y) - pos)
    sample = np.where(y == 1, len(y) / (2 * pos), len(y) / (2 * neg))  # balance the classes
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(xs @ w + b)))
        g = (p - y) * sample
        w -= 0.1 * (xs.T @ g / len(y) + l2 * w)
        b -= 0.1 * g.mean()
    return w / std, b - float((w / std) @ mean), mean, std


def choose_threshold(p: np.ndarray, y: np.ndarray, max_false_abstention: float) -> float:
    """The highest threshold whose false abstention on in-scope questions stays in budget."""
    best = 0.0
    for t in np.unique(np.concatenate([p, [0.0]])):
        false_abstain = float(np.mean(p[y == 1] < t)) if (y == 1).any() else 0.0
        if false_abstain <= max_false_abstention:
            best = max(best, float(t))
    return best


def calibrate(
    items: Sequence[EvalItem],
    features_of: Callable[[str], Features],
    model: str,
    max_false_abstention: float = 0.03,
    names: Sequence[str] = ABSTENTION_FEATURES,
) -> dict[str, Any]:
    feats = [features_of(item.question) for item in items]
    x = np.array([f.vector(names) for f in feats], dtype=np.float64)
    y = np.array([1.0 if item.expect else 0.0 for item in items])
    w, b, _, _ = fit_logistic(x, y)
    p = 1 / (1 + np.exp(-(x @ w + b)))
    # a little below the last in-scope question it must keep, so the boundary is not razor-thin
    threshold = choose_threshold(p, y, max_false_abstention) * 0.98
    return {
        "weights": [round(float(v), 6) for v in w],
        "bias": round(float(b), 6),
        "threshold": round(float(threshold), 6),
        "fitted_on": len(items),
        "abstention_out_of_scope": round(float(np.mean(p[y == 0] < threshold)), 3)
        if (y == 0).any()
        else None,
        "false_abstention": round(float(np.mean(p[y == 1] < threshold)), 3),
        "features": list(names),
        "model": model,
    }


def save(model: str, entry: dict[str, Any], path: Path = CALIBRATION_FILE) -> None:
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"models": {}}
    data.setdefault("models", {})[model] = entry
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

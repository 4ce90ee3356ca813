"""Fitting the abstention model: a logistic regression per embedding model.

It learns, from a question file with in-scope and out-of-scope questions, how the features of
a ranking (retrieval.confidence.Features) tell "the corpus answers this" from "it does not", then
picks, for English questions and for the others apart, the threshold that keeps false
abstention within a budget while abstaining on as many out-of-scope questions as it can. The
result goes to retrieval/data/calibration.json.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.confidence import ABSTENTION_FEATURES, Features
from retrieval.evaluate import EvalItem

CALIBRATION_FILE = Path(__file__).resolve().parent / "data" / "calibration.json"
# The share of answerable questions of each group the threshold may refuse: under the 5% the
# project allows, with room for questions the fit has not seen (leave-one-out runs ~1 point
# higher than the fit)
MAX_FALSE_ABSTENTION = 0.04


# The direction each feature may push the confidence: evidence that the corpus answers never
# counts against answering, and a sign that it does not never counts for it. Fitted freely,
# features that say much the same (relative, english_cosine) took opposite signs and cancelled
# out, which fitted the own set and carried over to other questions worse (leave-one-out
# abstention on 202 questions 0.79 free, 0.81 with signs, same false abstention;
# docs/quality.md).
# Features not listed (the language flag, the *_foreign terms) may take either sign.
SIGNS = {
    "relative": 1,
    "english_cosine": 1,
    "known_words": 1,
    "unnamed_relative": 1,
    "unknown_name": -1,
    "answer_type_missing": -1,
}


def fit_logistic(
    x: np.ndarray,
    y: np.ndarray,
    l2: float = 0.05,
    steps: int = 5000,
    signs: Sequence[int] | None = None,
) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """Weights and bias in the original feature units (standardised inside for stability).
    `signs` (+1, -1 or 0 per feature) keeps a weight at or above, or at or below, zero."""
    mean, std = x.mean(0), x.std(0) + 1e-9
    xs = (x - mean) / std
    sign = np.zeros(x.shape[1]) if signs is None else np.asarray(signs, dtype=np.float64)
    w, b = np.zeros(x.shape[1]), 0.0
    pos = max(1, int(y.sum()))
    neg = max(1, len(y) - pos)
    sample = np.where(y == 1, len(y) / (2 * pos), len(y) / (2 * neg))  # balance the classes
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(xs @ w + b)))
        g = (p - y) * sample
        w -= 0.1 * (xs.T @ g / len(y) + l2 * w)
        b -= 0.1 * g.mean()
        w = np.where(sign > 0, np.maximum(w, 0.0), np.where(sign < 0, np.minimum(w, 0.0), w))
    return w / std, b - float((w / std) @ mean), mean, std


def choose_threshold(p: np.ndarray, y: np.ndarray, max_false_abstention: float) -> float:
    """The highest threshold whose false abstention on in-scope questions stays in budget."""
    best = 0.0
    for t in np.unique(np.concatenate([p, [0.0]])):
        false_abstain = float(np.mean(p[y == 1] < t)) if (y == 1).any() else 0.0
        if false_abstain <= max_false_abstention:
            best = max(best, float(t))
    return best


@dataclass(frozen=True)
class Fitted:
    """A fitted abstention model: weights, bias, and thresholds (one per group of questions,
    see Features.group, and one for all)."""

    weights: np.ndarray
    bias: float
    threshold: float
    thresholds: dict[str, float]

    def answers(self, x: np.ndarray, groups: np.ndarray) -> np.ndarray:
        p = 1 / (1 + np.exp(-(x @ self.weights + self.bias)))
        return p >= np.array([self.thresholds.get(str(g), self.threshold) for g in groups])


def fit(
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    max_false_abstention: float,
    names: Sequence[str] | None = None,
) -> Fitted:
    """Fit the weights on all questions (each within its sign, SIGNS, when the features'
    `names` are given), then each group's threshold on its own questions, as high as its
    budget of false abstention allows."""
    signs = None if names is None else [SIGNS.get(name, 0) for name in names]
    w, b, _, _ = fit_logistic(x, y, signs=signs)
    p = 1 / (1 + np.exp(-(x @ w + b)))

    def threshold(mask: np.ndarray) -> float:
        # a little below the last in-scope question it must keep: not a razor-thin boundary
        return round(choose_threshold(p[mask], y[mask], max_false_abstention) * 0.98, 6)

    thresholds = {
        str(g): threshold(groups == g) for g in sorted(set(groups)) if (y[groups == g] == 1).any()
    }
    return Fitted(w, b, threshold(np.ones(len(y), dtype=bool)), thresholds)


def calibrate(
    items: Sequence[EvalItem],
    features_of: Callable[[str], Features],
    model: str,
    max_false_abstention: float = MAX_FALSE_ABSTENTION,
    names: Sequence[str] = ABSTENTION_FEATURES,
) -> dict[str, Any]:
    feats = [features_of(item.question) for item in items]
    x = np.array([f.vector(names) for f in feats], dtype=np.float64)
    y = np.array([1.0 if item.expect else 0.0 for item in items])
    groups = np.array([f.group for f in feats])
    fitted = fit(x, y, groups, max_false_abstention, names)
    answers = fitted.answers(x, groups)
    return {
        "weights": [round(float(v), 6) for v in fitted.weights],
        "bias": round(float(fitted.bias), 6),
        "threshold": fitted.threshold,
        "thresholds": fitted.thresholds,
        "fitted_on": len(items),
        "abstention_out_of_scope": round(float(np.mean(~answers[y == 0])), 3)
        if (y == 0).any()
        else None,
        "false_abstention": round(float(np.mean(~answers[y == 1])), 3),
        "features": list(names),
        "model": model,
    }


def save(model: str, entry: dict[str, Any], path: Path = CALIBRATION_FILE) -> None:
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"models": {}}
    data.setdefault("models", {})[model] = entry
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

"""Ranking pieces that need no model: calibration, fusion, highlights, question cleaning."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.calibrate import calibrate, choose_threshold, fit_logistic
from retrieval.engine import Engine
from retrieval.errors import QuestionError
from retrieval.evaluate import EvalItem
from retrieval.question import MAX_CHARS, clean_question
from retrieval.ranking import Calibration, Features


def test_logistic_fit_separates_separable_data() -> None:
    rng = np.random.default_rng(7)
    x = np.vstack([rng.normal(0, 1, (40, 2)) + 3, rng.normal(0, 1, (40, 2)) - 3])
    y = np.array([1.0] * 40 + [0.0] * 40)
    w, b, _, _ = fit_logistic(x, y)
    p = 1 / (1 + np.exp(-(x @ w + b)))
    assert (p[:40] > 0.5).all() and (p[40:] < 0.5).all()


def test_threshold_keeps_false_abstention_in_budget() -> None:
    p = np.array([0.9, 0.8, 0.7, 0.2, 0.1, 0.6])
    y = np.array([1, 1, 1, 0, 0, 0])
    t = choose_threshold(p, y, 0.0)
    assert t == pytest.approx(0.7)
    assert (p[y == 1] >= t).all()


def test_calibrate_produces_a_usable_calibration() -> None:
    items = [EvalItem(f"q{i}", "en", ("x",) if i % 2 else ()) for i in range(20)]

    def features_of(question: str) -> Features:
        i = int(question[1:])
        return Features(0.1 if i % 2 else -0.05, 0.0, 1.0, 1.0 if i % 2 else 0.3)

    entry = calibrate(items, features_of, "m")
    calibration = Calibration(tuple(entry["weights"]), entry["bias"], entry["threshold"])
    assert entry["false_abstention"] == 0.0 and entry["abstention_out_of_scope"] == 1.0
    assert calibration.probability(features_of("q1")) >= calibration.threshold
    assert calibration.probability(features_of("q2")) < calibration.threshold


def test_question_cleaning() -> None:
    assert clean_question("  Who\tsigned\x00 the\nletter?  ")[0] == "Who signed the letter?"
    assert clean_question("Кто\u200b подписал?")[0] == "Кто подписал?"
    long_text, notes = clean_question("word " * 1000)
    assert len(long_text) <= MAX_CHARS and notes
    for bad in ("", "   ", "\x00\x01", "?!…"):
        with pytest.raises(QuestionError):
            clean_question(bad)


def test_exact_numbers_and_names_rank_first(fake_engine: Engine) -> None:
    for question, needle in [
        ("493-00-04", "493-00-04"),
        ("RITN-Baş-1/5498", "RITN-Baş-1/5498"),
        ("Zarifa Aliyeva", "Zarifa Aliyeva"),
        ("Fadi Chehadé", "Fadi Chehadé"),
    ]:
        answer = fake_engine.ask(question, k=1)
        assert needle in answer.passages[0].text, question


def test_highlight_is_a_sentence_of_the_clause(fake_engine: Engine) -> None:
    answer = fake_engine.ask(
        "Nevertheless, spreading broadband infrastructure within developing countries", k=1
    )
    passage = answer.passages[0]
    assert passage.highlight is not None
    a, b = passage.highlight
    assert passage.text[a:b].startswith("Nevertheless, spreading broadband")
    assert passage.text[a:b].endswith("for many countries.")


def test_k_bounds(fake_engine: Engine) -> None:
    assert len(fake_engine.ask("broadband", k=50).passages) == 29
    assert fake_engine.ask("broadband", k=0).passages == ()

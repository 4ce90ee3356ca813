"""Scoring: figures by kind, and the AUC of the confidence against each kind."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from retrieval.evaluate import EvalItem, auc, evaluate
from retrieval.types import Answer, Citation, Clause, Passage

scores = st.lists(st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0]), min_size=1, max_size=12)


@given(scores, scores)
def test_auc_is_the_share_of_pairs_ranked_right(positive: list[float], negative: list[float]):
    pairs = [(p > n) + 0.5 * (p == n) for p in positive for n in negative]
    assert auc(positive, negative) == round(sum(pairs) / len(pairs), 3)


def test_auc_needs_both_sides() -> None:
    assert auc([0.5], []) is None and auc([], [0.5]) is None
    assert auc([0.9, 0.8], [0.1, 0.2]) == 1.0 and auc([0.1], [0.9]) == 0.0


def _answer(question: str, text: str, confidence: float, abstained: bool) -> Answer:
    clause = Clause("d", 1, 0, len(text), text)
    passage = Passage(clause, Citation("d", "1", "D, ¶1"), confidence)
    return Answer(question, (passage,), abstained, confidence=confidence)


def test_figures_by_kind_and_confidence_auc() -> None:
    items = [
        EvalItem("a1", "en", ("apples",), "1", "answerable"),
        EvalItem("a2", "ru", ("pears",), "2", "answerable"),
        EvalItem("o1", "en", (), "3", "outside"),
        EvalItem("o2", "ru", (), "4", ""),  # no kind and no evidence: outside
        EvalItem("t1", "en", (), "5", "offtopic"),
    ]
    replies = {
        "a1": _answer("a1", "We grow apples.", 0.9, False),
        "a2": _answer("a2", "We grow apples.", 0.3, True),  # wrong clause, withheld
        "o1": _answer("o1", "We grow apples.", 0.2, True),
        "o2": _answer("o2", "We grow apples.", 0.6, False),
        "t1": _answer("t1", "We grow apples.", 0.95, False),
    }
    report = evaluate(items, lambda q: replies[q])
    kinds = report["by_kind"]
    assert set(kinds) == {"answerable", "outside", "offtopic"}
    assert kinds["answerable"]["hit@1"] == 0.5 and kinds["answerable"]["false_abstention"] == 0.5
    assert kinds["outside"]["abstention_out_of_scope"] == 0.5
    assert kinds["offtopic"]["abstention_out_of_scope"] == 0.0
    # outside: (0.9 > 0.2, 0.9 > 0.6, 0.3 > 0.2, 0.3 < 0.6) -> 3 of 4 pairs
    assert report["auc"]["outside"]["all"] == 0.75
    assert report["auc"]["outside"]["ru"] == 0.0 and report["auc"]["outside"]["en"] == 1.0
    assert report["auc"]["offtopic"] == {"all": 0.0, "en": 0.0}
    assert report["overall"]["answered_hit@1"] == 0.5


def test_answers_headed_may_not_answer_are_counted() -> None:
    """`uncertain`: answerable questions answered below even odds; `warned_out_of_scope`:
    out-of-scope questions refused, or answered below even odds."""
    items = [
        EvalItem("a1", "en", ("apples",), "1", "answerable"),
        EvalItem("a2", "en", ("pears",), "2", "answerable"),
        EvalItem("o1", "en", (), "3", "outside"),
        EvalItem("o2", "en", (), "4", "outside"),
        EvalItem("o3", "en", (), "5", "outside"),
        EvalItem("o4", "en", (), "6", "outside"),
    ]
    replies = {
        "a1": _answer("a1", "We grow apples.", 0.9, False),
        "a2": _answer("a2", "We grow pears.", 0.3, False),  # answered, unsure
        "o1": _answer("o1", "We grow plums.", 0.1, True),  # refused
        "o2": _answer("o2", "We grow plums.", 0.4, False),  # answered, unsure
        "o3": _answer("o3", "We grow plums.", 0.8, False),  # answered
        "o4": _answer("o4", "We grow plums.", 0.6, False),  # answered
    }
    overall = evaluate(items, lambda q: replies[q])["overall"]
    assert overall["uncertain"] == 0.5 and overall["false_abstention"] == 0.0
    assert overall["abstention_out_of_scope"] == 0.25
    assert overall["warned_out_of_scope"] == 0.5


def test_an_expected_phrase_is_found_wherever_a_pdf_broke_its_lines() -> None:
    """A PDF breaks a word after a hyphen at a line's end, a compound's ("co-" /
    "organizer") or one of its own ("man-" / "agement"): the phrase a question expects is
    found either way, and a phrase the passage does not hold is not."""
    items = [
        EvalItem("c", "en", ("a co-organizer of the Ministerial Meeting",), "c", "answerable"),
        EvalItem("m", "en", ("structures management",), "m", "answerable"),
        EvalItem("x", "en", ("co-organizer of the Summit",), "x", "answerable"),
    ]
    text = "to be a co-\norganizer of the Ministerial Meeting and of structures man-\n  agement"
    report = evaluate(items, lambda q: _answer(q, text, 0.9, False))
    assert [(m["id"], m["rank"]) for m in report["misses"]] == [("x", None)]
    assert report["overall"]["hit@1"] == 0.667

"""Ranking pieces that need no model: calibration, fusion, highlights, question cleaning."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from retrieval.answer_kind import answer_kind, answer_type_missing
from retrieval.bridge import towards_english, translate, unnamed
from retrieval.calibrate import (
    Sample,
    calibrate,
    choose_threshold,
    fit_logistic,
    sample_weights,
    shared_threshold,
    unseen_documents,
)
from retrieval.confidence import (
    ABSTENTION_FEATURES,
    MIN_LANGUAGE,
    Calibration,
    Features,
    language_features,
)
from retrieval.embed import HashingEmbedder
from retrieval.engine import Engine
from retrieval.errors import QuestionError
from retrieval.evidence import language_level, relative
from retrieval.holdout import without_documents
from retrieval.loaded import Space
from retrieval.question import MAX_CHARS, clean_question
from retrieval.ranking import rank
from retrieval.scores import HUB_WEIGHT, hubness, unit_scores
from retrieval.settings import Settings
from retrieval.types import Clause
from retrieval.word_vectors import forget
from tests.conftest import forget_words


def test_logistic_fit_keeps_each_weight_within_its_sign() -> None:
    """Two features that both rise with the answer, the second less: fitted freely, the
    second takes a negative weight (it is the first minus part of the signal); with signs,
    neither counts against what it is evidence for, and the fit still separates."""
    rng = np.random.default_rng(1)
    signal = np.repeat([1.0, -1.0], 40)
    y = (signal > 0).astype(np.float64)
    first = signal + rng.normal(0, 1.0, 80)
    x = np.column_stack([first, first - 0.8 * signal + rng.normal(0, 0.1, 80)])
    assert np.corrcoef(x[:, 1], y)[0, 1] > 0
    free, _, _, _ = fit_logistic(x, y)
    assert free[1] < 0
    w, b, _, _ = fit_logistic(x, y, signs=[1, 1])
    assert (w >= 0).all()
    assert ((x @ w + b > 0) == (y == 1)).mean() > 0.85


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


def _samples(corpus: str, shift: float, n: int = 40) -> list[Sample]:
    """Half answerable (relative above `shift`), half not (below it), in two languages."""
    out = []
    for i in range(n):
        answerable = i % 2 == 1
        relative = shift + (0.1 if answerable else -0.05) + 0.001 * i
        features = Features(relative, 0.0, 1.0, 1.0 if answerable else 0.3)
        kind = "answerable" if answerable else "outside"
        out.append(Sample(features, answerable, corpus, "en" if i % 4 < 2 else "ru", kind))
    return out


def test_calibrate_fits_several_corpora_with_one_threshold() -> None:
    """Two corpora whose answerable questions score on different levels: one threshold serves
    both, and each is reported in the fit and left out of it."""
    samples = _samples("a", 0.0) + _samples("b", 0.05)
    entry = calibrate(samples, "m", names=("relative", "known_words"))
    assert entry["features"] == ["relative", "known_words"] and len(entry["weights"]) == 2
    assert entry["fitted_on"] == {"a": 40, "b": 40}
    calibration = Calibration(
        tuple(entry["weights"]), entry["bias"], entry["threshold"], tuple(entry["features"])
    )
    for sample in samples:
        answered = calibration.probability(sample.features) >= calibration.threshold
        assert answered == sample.answerable
    assert entry["by_corpus"]["a"]["en"] == {"abstained_outside": 1.0, "false_abstention": 0.0}
    assert set(entry["leave_one_corpus_out"]) == {"a", "b"}
    assert entry["unseen_documents"] == {}  # no question says which document answers it


def test_unseen_documents_tests_each_fit_on_the_documents_it_left_out() -> None:
    """Corpus "a": the questions two of its four documents answer score as high as
    answerable questions do elsewhere, the other two's barely above the unanswerable ones.
    Fitted with every document, the threshold answers them all; fitted without the two low
    ones, it refuses those when they come: the worst draw refuses every one of them (a fit
    that had seen them would not), the mean over the draws much less. A corpus answered by
    fewer than MIN_DOCUMENTS documents is not drawn from."""
    samples = []
    for doc, level in (("d1", 0.3), ("d2", 0.3), ("d3", 0.0), ("d4", 0.0)):
        for i in range(10):
            features = Features(level + 0.001 * i, 0.0, 1.0, 1.0)
            samples.append(Sample(features, True, "a", "en", "answerable", (doc,)))
    for i in range(20):
        features = Features(-0.2 - 0.001 * i, 0.0, 1.0, 1.0)
        samples.append(Sample(features, False, "a", "en", "outside"))
    for i in range(20):
        answerable = i % 2 == 0
        features = Features(0.3 if answerable else -0.2, 0.0, 1.0, 1.0)
        kind = "answerable" if answerable else "outside"
        samples.append(Sample(features, answerable, "b", "en", kind, ("e1",) if answerable else ()))
    x = np.array([s.features.vector(("relative",)) for s in samples])
    everything = calibrate(samples, "m", names=("relative",))
    assert everything["by_corpus"]["a"]["en"]["false_abstention"] == 0.0
    unseen = unseen_documents(x, samples, 0.04, ("relative",), draws=20)
    assert everything["unseen_documents"] == unseen
    assert set(unseen) == {"a"} and unseen["a"]["documents"] == 4
    figures = unseen["a"]["en"]
    assert figures["false_abstention_worst"] == 1.0
    assert 0.0 < figures["false_abstention_mean"] < 0.5
    assert figures["abstained_heldout"] is None  # no held-out questions among these


def test_each_corpus_weighs_the_same() -> None:
    """A corpus with ten times the questions of another does not decide the fit alone: each
    (corpus, answerable or not) cell carries the same total weight."""
    y = np.array([1.0] * 100 + [0.0] * 100 + [1.0] * 5 + [0.0] * 15)
    corpora = np.array(["big"] * 200 + ["small"] * 20)
    weights = sample_weights(y, corpora)
    totals = {
        (c, label): weights[(corpora == c) & (y == label)].sum()
        for c in ("big", "small")
        for label in (0.0, 1.0)
    }
    assert max(totals.values()) == pytest.approx(min(totals.values()))
    assert weights.mean() == pytest.approx(1.0)


def test_each_language_of_a_corpus_weighs_the_same() -> None:
    """A corpus with 72 English answerable questions and 32 Azerbaijani ones gives each
    language half of its answerable questions' weight; its unanswerable questions are not
    shared out by language, and the corpora still weigh the same."""
    y = np.array([1.0] * 72 + [1.0] * 32 + [0.0] * 40 + [1.0] * 10 + [0.0] * 10)
    corpora = np.array(["own"] * 144 + ["other"] * 20)
    cells = np.array(
        ["own/en"] * 72 + ["own/az"] * 32 + ["own/en"] * 30 + ["own/az"] * 10 + ["other/en"] * 20
    )
    weights = sample_weights(y, corpora, cells)
    english = weights[:72].sum()
    assert english == pytest.approx(weights[72:104].sum())
    assert len(set(np.round(weights[104:144], 9))) == 1  # unanswerable: one weight each
    assert english * 2 == pytest.approx(weights[104:144].sum())
    assert english * 2 == pytest.approx(weights[144:154].sum())
    assert weights.mean() == pytest.approx(1.0)
    plain = sample_weights(y, corpora)  # without languages: one weight per answerable question
    assert plain[0] == pytest.approx(plain[100]) and plain[:72].sum() > plain[72:104].sum() * 2


def test_shared_threshold_keeps_every_language_in_budget() -> None:
    """Russian answerable questions score lower than English ones: the one threshold is set
    low enough for them, and a language with too few questions to say anything is ignored."""
    p = np.array([0.9] * 30 + [0.6] * 30 + [0.1] * 5)
    y = np.ones(len(p))
    cells = np.array(["c/en"] * 30 + ["c/ru"] * 30 + ["c/az"] * 5)
    t = shared_threshold(p, y, cells, 0.0)
    assert t == pytest.approx(0.6)


def test_a_language_read_across_languages_gets_an_offset_of_its_own() -> None:
    """Russian questions read across languages score lower than English ones, answerable or
    not: the Russian answerable ones (0.15-0.20) below the English unanswerable ones
    (0.20-0.25). No one threshold on the shared weights tells both languages apart; with
    Russian's own feature (enough questions: MIN_LANGUAGE) the fit does. A language with
    fewer questions gets none."""
    samples = []
    for i in range(MIN_LANGUAGE):
        step = 0.05 * i / MIN_LANGUAGE
        for language, answered, unanswered in (("", 0.35, 0.2), ("ru", 0.15, 0.0)):
            for answerable, level in ((True, answered), (False, unanswered)):
                features = Features(level + step, 0.0, 1.0, 1.0, read_across=language)
                kind = "answerable" if answerable else "outside"
                samples.append(Sample(features, answerable, "a", language or "en", kind))
    few = [Sample(Features(0.3, 0.0, 1.0, 1.0, read_across="az"), True, "a", "az", "answerable")]
    names = ("relative",)

    def answered(entry: dict[str, Any]) -> list[bool]:
        calibration = Calibration(
            tuple(entry["weights"]), entry["bias"], entry["threshold"], tuple(entry["features"])
        )
        return [calibration.probability(s.features) >= calibration.threshold for s in samples]

    own = calibrate(samples + few, "m", names=names, draws=0)
    assert own["features"] == ["relative", "language:ru"]
    assert answered(own) == [s.answerable for s in samples]
    shared = calibrate(samples + few, "m", names=names, draws=0, languages=False)
    assert shared["features"] == ["relative"]
    assert answered(shared) != [s.answerable for s in samples]


def test_a_language_feature_is_one_for_its_language_read_across_languages() -> None:
    features = Features(0.1, 0.0, 0.0, 1.0, read_across="tr")
    assert features.vector(("relative", "language:tr", "language:ru")) == [0.1, 1.0, 0.0]
    assert Features(0.1, 0.0, 1.0, 1.0).value("language:tr") == 0.0  # read as asked
    assert Features.known("language:tr") and Features.known("relative")
    assert not Features.known("language:") and not Features.known("nonsense")
    assert language_features(["tr"] * MIN_LANGUAGE + ["az", ""], [True] * (MIN_LANGUAGE + 2)) == (
        "language:tr",
    )


def test_shipped_calibrations_use_known_features() -> None:
    from retrieval.confidence import calibrations

    shipped = calibrations()
    assert "multilingual-e5-small-q4+all-MiniLM-L6-v2" in shipped
    assert shipped["multilingual-e5-small-q4+all-MiniLM-L6-v2"].names == ABSTENTION_FEATURES
    for calibration in shipped.values():
        assert all(Features.known(name) for name in calibration.names)
        assert 0.0 <= calibration.probability(Features(0.1, 0.5, 1.0, 1.0)) <= 1.0
        assert 0.0 < calibration.threshold < 1.0


def test_a_ranking_with_late_interaction_takes_its_own_calibration() -> None:
    from retrieval.confidence import FALLBACK, calibration_for, calibrations

    model = "multilingual-e5-small-q4+all-MiniLM-L6-v2"
    shipped = calibrations()
    assert calibration_for(model, False) == shipped[model]
    assert calibration_for(model, True) == shipped[model + "+late"]
    assert "late_scaled" in shipped[model + "+late"].names
    assert calibration_for("hashing-v1", True) == FALLBACK


def test_unnamed_takes_out_only_the_named_words() -> None:
    assert unnamed("When was ICANN founded?", frozenset({"ICANN"})) == "When was founded?"
    assert unnamed("Who wrote to ICANN's CEO?", frozenset({"ICANN's"})) == "Who wrote to CEO?"
    assert unnamed("What is broadband?", frozenset()) == "What is broadband?"


def test_bridge_finds_corpus_names_and_names_the_corpus_lacks(fake_engine: Engine) -> None:

    loaded = fake_engine.index()

    def bridge(question: str, english: bool = True):  # type: ignore[no-untyped-def]
        return translate(loaded, HashingEmbedder(), question, english)

    assert bridge("When was ICANN founded?").named == {"ICANN"}
    assert "Azerbaijani" in bridge("How do I get an Azerbaijani visa?").named  # name + suffix
    # accents folded, and a suffix after an apostrophe: Turkish "Bakü'deki" is Baku
    assert bridge("Bakü'deki toplantı ne zaman?", english=False).named == {"Bakü'deki"}
    assert bridge("What did Mr Chehade say?").named == {"Chehade"}
    # words every document's metadata shares (both are from Baku, Azerbaijan), as written
    assert bridge("How many ministers met in Baku?").common == {"Baku"}
    assert bridge("Bakü'deki toplantı ne zaman?", english=False).common == {"Bakü'deki"}
    assert bridge("When was ICANN founded?").common == frozenset()  # one document's name
    assert not bridge("When was ICANN founded?").unknown_name
    for question in (
        "What is the GDP of Azerbaijan?",  # an acronym the corpus lacks
        "Who hosted the forum in 2019?",  # a number it lacks
        "Who won the Premier League?",  # capitalised words of an English question
    ):
        assert bridge(question).unknown_name, question
    for question in (
        "What happened on 5 November 2012?",  # numbers of the corpus
        "Is the IGF mentioned?",
        "How do I reset my router?",  # "I" is no name
        "What Does The Declaration Say About Broadband?",  # title case: capitals say nothing
        "WHAT DOES IT SAY ABOUT BROADBAND?",  # nor do they in capitals throughout
    ):
        assert not bridge(question).unknown_name, question
    # in other languages a capital may be a translated name: only numbers and acronyms count
    assert not bridge("Что говорит Бакинская Декларация?", english=False).unknown_name
    assert bridge("ВВП Азербайджана в 2019?", english=False).unknown_name


def test_a_question_without_the_words_all_documents_share_is_read_again(
    settings: Any,
) -> None:
    """Asked with "Baku" (both documents are from Baku), the question is read once more
    without it; that form is also the question without its names, and is embedded once."""
    from retrieval.ranking import Options

    class Counting(HashingEmbedder):
        def __init__(self) -> None:
            super().__init__()
            self.texts: list[str] = []

        def embed(self, texts: Any, *, query: bool = False) -> np.ndarray:
            if query:
                self.texts.extend(texts)
            return super().embed(texts, query=query)

    embedder = Counting()
    engine = Engine(settings, embedders=[embedder])
    engine.index()
    question = "How many ministers attended the meeting in Baku?"
    embedder.texts.clear()
    read, _, _ = engine.ranking(question, k=3)
    plain = "How many ministers attended the meeting in ?"
    assert embedder.texts.count(question) == 1 and embedder.texts.count(plain) == 1
    embedder.texts.clear()
    engine.ranking(question, k=3, options=Options(common_words=False))
    assert embedder.texts.count(plain) == 1  # read for `unnamed_relative` only
    without, _, _ = engine.ranking(question, k=3, options=Options(common_words=False))
    assert [h.score for h in read.hits] != [h.score for h in without.hits]


class QueryCalls(HashingEmbedder):
    """The hashing embedder, recording each batch it embeds as questions."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[list[str]] = []

    def embed(self, texts: Any, *, query: bool = False) -> np.ndarray:
        if query:
            self.calls.append(list(texts))
        return super().embed(texts, query=query)


def test_a_question_asked_again_is_read_in_one_pass(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A question word the corpus lacks is embedded with the question, and kept. Asked again,
    the bridge looks it up before the pass, so that the form it changes (here without
    "Azerbaycan", the Turkish spelling of a name every document shares) is in the same
    batch: one call of the model where the first asking needed two, and the same ranking.
    Another question with the same word and a new one is read in one call as well: the word
    looked up before shapes its forms while the new word is embedded."""
    from retrieval import bridge

    # the hashing embedder's word vectors are far coarser than e5's: a lower bar for a match
    monkeypatch.setattr(bridge, "TRANSLATE_AT", 0.45)
    forget_words(settings.index)
    embedder = QueryCalls()
    engine = Engine(settings, embedders=[embedder])
    question = "How many ministers from Azerbaycan attended?"
    form = "How many ministers from attended?"
    # Turkish "Azerbaycan" is no name of the corpus as written, but translates to one
    assert bridge.question_words(engine.index(), question).common == frozenset()
    assert translate(engine.index(), embedder, question).common == {"Azerbaycan"}
    forget_words(settings.index)
    engine.index().translations.clear()  # what was looked up: nothing, as at first
    embedder.calls.clear()
    first, _, _ = engine.ranking(question, k=3)
    assert len(embedder.calls) == 2 and "Azerbaycan" in embedder.calls[0]
    assert form not in embedder.calls[0] and form in embedder.calls[1]
    embedder.calls.clear()
    again, _, _ = engine.ranking(question, k=3)
    assert embedder.calls == [[question, form]]
    assert again.hits == first.hits and again.confidence == first.confidence
    embedder.calls.clear()
    other = "Which ministers from Azerbaycan spoke?"
    engine.ranking(other, k=3)
    assert len(embedder.calls) == 1 and "spoke" in embedder.calls[0]
    assert "Which ministers from spoke?" in embedder.calls[0]


def test_a_new_process_reads_the_words_kept_beside_the_index(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The words the bridge embedded for one process are kept in the index's folder: a new
    process (here, one that has forgotten everything) reads them there, embeds the question
    alone, and ranks it as the first did. A rebuild of the corpus keeps them."""
    from retrieval import bridge

    monkeypatch.setattr(bridge, "TRANSLATE_AT", 0.45)  # the hashing vectors are coarse
    forget_words(settings.index)
    question = "Hangi bakanlar Azerbaycan toplantısına katıldı?"
    embedder = QueryCalls()
    engine = Engine(settings, embedders=[embedder])
    new = bridge.question_words(engine.index(), question).unknown
    embedder.calls.clear()
    first, _, _ = engine.ranking(question, k=3)
    assert new and all(w in embedder.calls[0] for w in new)
    forget()  # a new process: nothing in memory
    embedder = QueryCalls()
    engine = Engine(settings, embedders=[embedder])
    later, _, _ = engine.ranking(question, k=3)
    assert not any(w in call for call in embedder.calls for w in new)
    assert later.hits == first.hits and later.confidence == first.confidence
    (settings.corpus / "extra.txt").write_text("A new clause about fees.\n", encoding="utf-8")
    engine.build()
    forget()
    embedder.calls.clear()
    engine.ranking(question, k=3)
    assert not any(w in call for call in embedder.calls for w in new)


def test_a_word_is_searched_for_in_the_vocabulary_once_per_index(
    fake_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The corpus word a question word means is found once for a loaded index: asked again,
    the word is not searched for (nor embedded); the same words come out; and an index made
    from it (a corpus without some documents, whose vocabulary differs) searches afresh."""
    from retrieval import bridge

    monkeypatch.setattr(bridge, "TRANSLATE_AT", 0.45)  # the hashing vectors are coarse
    searched: list[list[str]] = []
    original = bridge._word_vectors

    def counted(loaded: Any, embedder: Any, words: list[str]) -> np.ndarray:
        searched.append(list(words))
        return original(loaded, embedder, words)

    monkeypatch.setattr(bridge, "_word_vectors", counted)
    loaded = fake_engine.index()
    embedder = fake_engine.embedders()[0]
    words = bridge.question_words(loaded, "How many ministers from Azerbaycan attended?")
    assert words.unknown
    first = bridge.lookup(loaded, embedder, words)
    assert first == {"Azerbaycan": "Azerbaijan"} and searched == [words.unknown]
    assert bridge.lookup(loaded, embedder, words) == first and len(searched) == 1
    loaded.translations.clear()  # what a search from nothing finds
    assert bridge.lookup(loaded, embedder, words) == first and len(searched) == 2
    rest = without_documents(loaded, {loaded.clauses[0].doc_id})
    assert rest.translations == {}
    bridge.lookup(rest, embedder, words)
    assert len(searched) == 3


def test_a_foreign_word_means_the_corpus_word_its_question_is_near(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Read alone, the word is nearest a corpus word spelt alike ("bier" for Turkish "bir");
    in its question, the corpus word near both the word and the question wins; a question
    far from every corpus word bridges nothing."""
    from types import SimpleNamespace

    from retrieval import bridge

    def unit(*parts: float) -> np.ndarray:
        vector = np.array(parts, dtype=np.float32)
        return vector / np.linalg.norm(vector)

    vocabulary = ["bier", "one", "other"]
    space = SimpleNamespace(
        words=np.stack([unit(3, 1, 0, 0), unit(3, 0.8, 0.7, 0), unit(3, 0, 0, 1)])
    )
    loaded: Any = SimpleNamespace(spaces=[space], words=vocabulary)
    words = bridge.Words(["bir"], frozenset(), frozenset(), 0, ["bir"])
    monkeypatch.setattr(
        bridge, "_word_vectors", lambda _l, _e, ws: np.stack([unit(3, 1, 0, 0)] * len(ws))
    )
    monkeypatch.setattr(bridge, "TRANSLATE_AT", 0.95)
    loaded.translations = {}
    assert bridge.lookup(loaded, HashingEmbedder(), words) == {"bir": "bier"}
    in_context = bridge.meanings(loaded, HashingEmbedder(), words, unit(3, 0, 1, 0))
    assert in_context == {"bir": "one"}
    assert bridge.meanings(loaded, HashingEmbedder(), words, unit(0, 0, -1, 0)) == {}
    # read in context first, the word's lookup comes from the same product: looked up after,
    # it is not searched for again, and the answer is lookup's own
    loaded.translations = {}
    searched: list[list[str]] = []
    read = bridge._word_vectors
    monkeypatch.setattr(
        bridge, "_word_vectors", lambda lo, e, ws: searched.append(ws) or read(lo, e, ws)
    )
    assert bridge.meanings(loaded, HashingEmbedder(), words, unit(3, 0, 1, 0)) == in_context
    assert bridge.lookup(loaded, HashingEmbedder(), words) == {"bir": "bier"}
    assert searched == [["bir"]]


def _space(languages: dict[str, list[float]], everyday: list[list[float]] | None = None) -> Space:
    def unit(rows: list[list[float]]) -> np.ndarray:
        vectors = np.array(rows, dtype=np.float32).reshape(-1, 3)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    return Space(
        model="m",
        vectors=unit([[1, 0, 0]]),
        dense=None,
        background=unit([[0, 1, 0]]),
        words=unit([]),
        english_only=False,
        everyday=None if everyday is None else unit(everyday),
        languages={code: np.array(v, dtype=np.float32) for code, v in languages.items()},
    )


def test_a_question_is_moved_by_its_language_alone() -> None:
    space = _space({"en": [0.0, 0.0, 0.2], "az": [0.0, 0.5, 0.2]})
    asked = np.array([0.6, 0.8, 0.0], dtype=np.float32)  # nearest the Azerbaijani mean
    moved = towards_english(space, asked)
    assert np.linalg.norm(moved) == pytest.approx(1.0)
    assert moved[1] < asked[1] and moved[0] > asked[0]  # the language's direction is gone
    english = np.array([0.6, 0.0, 0.8], dtype=np.float32)  # nearest the English mean
    assert towards_english(space, english) is english
    no_means = _space({})  # an index built before language means: left as it is
    assert towards_english(no_means, asked) is asked


def test_everyday_questions_are_the_off_topic_reference_when_asked_for() -> None:
    space = _space({}, everyday=[[0.6, 0.0, 0.8]])
    query = np.array([0.8, 0.0, 0.6], dtype=np.float32)
    units = space.vectors @ query  # 0.8 with the corpus, 0.0 with the passage, 0.96 everyday
    assert relative(space, units, query, everyday=False) == pytest.approx(0.8)
    assert relative(space, units, query, everyday=True) == pytest.approx(0.8 - 0.96)
    assert relative(_space({}), units, query, everyday=True) == pytest.approx(0.8)


def _clause(text: str) -> Clause:
    return Clause(doc_id="d", number=1, text=text, start=0, end=len(text))


def _ask_for_a_kind(questions: tuple[str, ...], lacking: Clause, *holding: Clause) -> None:
    """Each question asks for a kind of answer that `lacking` cannot be and each of
    `holding` can."""
    for question in questions:
        assert answer_type_missing(question, lacking), question
        for clause in holding:
            assert not answer_type_missing(question, clause), question


def test_a_number_asked_for_must_be_in_the_clause() -> None:
    numbers = _clause("12 ministers and 7 heads of international organizations were present.")
    words = _clause("Governments should protect the free flow of information.")
    counts = (
        "How many ministers came?",
        "Görüşdə neçə nazir iştirak edib?",
        "Bakının əhalisi nə qədərdir?",  # with a suffix
        "Сколько министров участвовало?",
        "Toplantıya kaç bakan katıldı?",
    )
    _ask_for_a_kind(counts, words, numbers)
    for question in (
        "Что сказано о кибератаках?",
        "May I ask?",
        "Bildirge kaçak faaliyetler hakkında ne diyor?",  # "kaçak" (illicit) is not "kaç"
        "Whenever is it said?",
    ):
        assert not answer_type_missing(question, words), question
    assert answer_type_missing("How many?", _clause("It may rain."))  # "may" is no month
    # a count is a number of things: a street number, a postcode or a fax number is none
    address = _clause("12025 Waterfront Drive, Suite 300 LA, CA 90094-2536 Fax: +1-310-823-8649")
    assert answer_type_missing("How many employees does ICANN have?", address)
    assert not answer_type_missing("How many?", _clause("over 100 respected guests"))
    assert not answer_type_missing("How long is it?", address)  # any number is an amount


def test_a_time_asked_for_must_be_a_time_not_any_number() -> None:
    phone = _clause("Phone: +(994-12) 493-00-04 Fax: +(994-12) 498-79-12")
    dated = _clause("The meeting was held in Baku on the fifth of November.")
    year = _clause('" 19 " 12.2012')
    times = (
        "When was the meeting held?",
        "Məktub nə vaxt yazılıb?",
        "Когда проходила встреча?",
        "В каком году была встреча?",
        "Mektup hangi tarihte yazıldı?",
        "Toplantı ne zaman yapıldı?",
    )
    _ask_for_a_kind(times, phone, dated, year)


def test_a_clause_in_another_language_can_be_the_kind_asked_for() -> None:
    """A corpus may be written in Russian, Azerbaijani or Turkish: its counts, dates and sums
    are read in its own words, whatever the question's language."""
    plain = _clause("Правительства должны защищать свободный поток информации.")
    counts = (
        _clause("На встрече присутствовали 12 министров."),
        _clause("Layihədə 7 şirkət iştirak edir."),
    )
    dates = (
        _clause("Встреча прошла 5 ноября в Баку."),
        _clause("Görüş 5 noyabr tarixində keçirildi."),
        _clause("Toplantı 5 Kasım'da yapıldı."),
    )
    sums = (_clause("Бюджет составил 40 млн рублей."), _clause("Выделено 5 млн долларов."))
    _ask_for_a_kind(("Сколько министров участвовало?", "How many companies?"), plain, *counts)
    _ask_for_a_kind(("Когда прошла встреча?", "Görüş nə vaxt keçirildi?"), plain, *dates)
    _ask_for_a_kind(("Сколько стоит проект?", "What is the budget of the project?"), plain, *sums)
    # a number before a word of English that is no plural is no count, nor "5 may" a date
    assert answer_type_missing("How many?", _clause("Article 5 may apply."))
    assert answer_type_missing("When?", _clause("Article 5 may apply."))
    assert answer_type_missing("Когда?", _clause("Статья 5 применяется в 12 случаях."))


def test_a_count_in_plain_latin_letters_is_read_in_a_corpus_not_in_english() -> None:
    """Azerbaijani and Turkish write no plural after a number, in letters English writes too:
    in a corpus in another language (language.corpus_language) a number before any word is a
    count, but not a date, a year, a phone number or a house number; in an English corpus
    "5 may" stays no count."""
    counts = (
        _clause("Görüşdə 12 nazir iştirak etdi."),
        _clause("Toplantıya 40 bakan katıldı."),
        _clause("Toplantıya 100-den fazla misafir katıldı."),
    )
    plain = _clause("Toplantı 5 Kasım 2012 tarihinde yapıldı, tel. 493-00-04.")
    for clause in counts:
        assert not answer_type_missing("Kaç bakan katıldı?", clause, "tr"), clause.text
        assert answer_type_missing("Kaç bakan katıldı?", clause, "en"), clause.text
    assert answer_type_missing("Neçə nazir iştirak etdi?", plain, "az")
    assert answer_type_missing("How many?", _clause("Article 5 may apply."), "en")
    # the other kinds are read as in any corpus
    assert not answer_type_missing("Ne zaman?", plain, "tr")


def test_a_price_asked_for_must_be_a_sum_of_money() -> None:
    phone = _clause("Phone: +(994-12) 493-00-04")
    priced = _clause("Registration costs 25 manats a year.")
    dollars = _clause("The fee is $10.")
    prices = (
        "How much does it cost to register a domain?",
        "What is the price of a ticket?",
        "Сколько стоит регистрация домена?",
        "Какой был курс маната в 2012 году?",
        "Biletin qiyməti nə qədərdir?",
        "Bilet kaça?",
        "Kayıt ücreti ne kadar?",
    )
    _ask_for_a_kind(prices, phone, priced, dollars)
    # a question that mentions prices without asking for one asks for no sum
    affordable = "What does the declaration say about affordable prices?"
    assert not answer_type_missing(affordable, phone)
    assert not answer_type_missing("Nazir əlaqələri necə qiymətləndirir?", phone)  # "evaluates"


def test_who_asks_for_no_kind_of_answer() -> None:
    """Whether a clause names the one asked for is the models' to judge: a "who" question
    puts no clause out of the running, whatever words it names its people with."""
    fund = _clause("The common fund is administered by a rotating secretariat.")
    mountains = _clause("In mountain regions, the last mile is paid for by the regional councils.")
    for question, clause in (
        ("Who administers the common fund?", fund),
        ("Кто управляет общим фондом?", fund),
        ("Ortak fonu kim yönetiyor?", fund),
        ("Who pays for the last mile in mountain regions?", mountains),
    ):
        assert not answer_type_missing(question, clause), question


def test_the_nearest_clause_of_the_kind_asked_for_is_raised() -> None:
    from types import SimpleNamespace

    clauses = [
        _clause("The meeting was held in Baku on 5 November 2012."),
        _clause("Governments should act together."),
        _clause("12 ministers were present."),
    ]
    loaded: Any = SimpleNamespace(clauses=clauses, names=frozenset())
    fused = np.array([2.0, 1.5, 1.4])
    # the count is third, 0.6 behind the first: it is raised to the top, the gap is 0.6
    gap, raised = answer_kind(loaded, "How many ministers came?", fused)
    assert gap == pytest.approx(0.6)
    assert int(np.argmax(raised)) == 2 and raised[0] == fused[0]
    # asking for no kind of answer: nothing moves
    gap, raised = answer_kind(loaded, "What did the ministers say?", fused)
    assert gap == 0.0 and raised is fused
    # a kind no clause holds (a price): the gap is full, nothing moves
    gap, raised = answer_kind(loaded, "How much does it cost?", fused)
    assert gap == 1.0 and raised is fused
    # far behind: the gap is capped at 1
    gap, _ = answer_kind(loaded, "How many ministers came?", np.array([4.0, 1.5, 1.4]))
    assert gap == 1.0
    # the first clause is of the kind (a date is no count, but it is a time): no gap
    gap, raised = answer_kind(loaded, "When was it held?", fused)
    assert gap == 0.0 and int(np.argmax(raised)) == 0


def test_question_cleaning() -> None:
    assert clean_question("  Who\tsigned\x00 the\nletter?  ")[0] == "Who signed the letter?"
    assert clean_question("Кто\u200b подписал?")[0] == "Кто подписал?"
    assert clean_question("Who is Mr. Chehade\u0301?")[0] == "Who is Mr. Chehadé?"
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
        ("Fadi Chehade\u0301", "Fadi Chehadé"),  # the accent typed as a mark of its own
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


def test_a_hub_no_longer_leads_a_question_of_its_language() -> None:
    """Two units: a hub that lies near every everyday Turkish question, and the one that
    answers. Read as asked, the hub leads by a little; with each unit's hubness for Turkish
    taken off (at CSLS's weight), the answer does. English questions are left alone."""
    rng = np.random.default_rng(0)

    def unit(rows: np.ndarray) -> np.ndarray:
        return np.asarray(rows / np.linalg.norm(rows, axis=-1, keepdims=True), dtype=np.float32)

    turkish = unit(np.array([0.0, 0.0, 1.0, 0.0]) + rng.normal(0, 0.05, (20, 4)))
    hub = unit(np.array([0.7, 0.0, 0.71, 0.0]))
    answer = unit(np.array([0.8, 0.6, 0.0, 0.0]))
    space = Space(
        model="m",
        vectors=np.stack([hub, answer]),
        dense=None,
        background=unit(np.array([[0.0, 0.0, 0.0, 1.0]])),
        words=np.zeros((0, 4), np.float32),
        english_only=False,
        languages={"en": unit(np.array([0.0, 0.0, 0.0, 1.0])), "tr": turkish.mean(0)},
        asked={"tr": turkish},
    )
    question = unit(np.array([0.7, 0.2, 0.45, 0.0]))
    cosines = unit_scores(space, question)
    assert cosines[0] > cosines[1]  # the hub is nearer the question as asked
    hubs = hubness(space, "tr")
    assert hubs is not None and hubs[0] > hubs[1] + 0.5
    assert hubness(space, "tr") is hubs  # computed once
    ranked = cosines - HUB_WEIGHT * hubs
    assert ranked[1] > ranked[0]
    assert hubness(space, "az") is None  # no everyday questions of that language


def test_a_score_is_read_against_its_languages_level() -> None:
    """Questions in one language score lower against the corpus than in another, whatever
    they ask: the level everyday questions of each language reach is taken off, so that an
    answerable Russian question and an answerable English one stand alike above their own
    languages' nothing. Computed once per language and reading."""
    rng = np.random.default_rng(3)

    def unit(rows: np.ndarray) -> np.ndarray:
        return np.asarray(rows / np.linalg.norm(rows, axis=-1, keepdims=True), dtype=np.float32)

    corpus = unit(rng.normal(0, 1, (30, 8)))
    english = unit(rng.normal(0, 1, (25, 8)))
    russian = unit(english + 2.0 * unit(np.ones(8)))  # the same questions, pulled one way
    space = Space(
        model="m",
        vectors=corpus,
        dense=None,
        background=unit(rng.normal(0, 1, (3, 8))),
        words=np.zeros((0, 8), np.float32),
        english_only=False,
        asked={"en": english, "ru": russian},
    )
    calls = []

    def read(question: np.ndarray) -> np.ndarray:
        calls.append(1)
        return unit_scores(space, question)

    level_en = language_level(space, "en", read, "asked")
    assert level_en == pytest.approx(float(np.mean((english @ corpus.T).max(1))), abs=1e-6)
    assert language_level(space, "en", read, "asked") == level_en and len(calls) == 25
    level_ru = language_level(space, "ru", read, "asked")
    assert level_ru != pytest.approx(level_en, abs=1e-3)
    assert language_level(space, "az", read, "asked") == 0.0  # no everyday questions


def test_an_index_without_a_document_is_the_index_of_the_rest(
    fake_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    """Taking a document out of a loaded index gives what indexing the corpus without it
    gives: the same clauses, vocabulary and names, and the same ranking."""
    loaded = fake_engine.index()
    letter = "letter-to-icann-2012"
    rest = without_documents(loaded, {letter})
    assert {c.doc_id for c in rest.clauses} == {"baku-declaration-2012"}
    assert len(rest.spaces[0].vectors) == len(rest.units) == rest.spaces[0].dense.ntotal
    assert rest.units[:, 0].max() == len(rest.clauses) - 1
    assert rest.lexical.size == len(rest.clauses)

    alone = tmp_path / "declaration-only"
    alone.mkdir()
    for path in settings.corpus.iterdir():
        if letter not in path.name:
            shutil.copy(path, alone / path.name)
    built = Engine(
        replace(settings, corpus=alone, index=tmp_path / "alone-index"),
        embedders=fake_engine.embedders(),
    )
    expected = built.index()
    assert [c.text for c in rest.clauses] == [c.text for c in expected.clauses]
    assert sorted(rest.words) == sorted(expected.words)
    assert rest.names == expected.names
    embedders = fake_engine.embedders()
    for question in ("Who signed the letter?", "cyber-crime and children", "Bakıda nə oldu?"):
        ours = rank(rest, embedders, question, 3)
        theirs = rank(expected, embedders, question, 3)
        assert [h.clause.number for h in ours.hits] == [h.clause.number for h in theirs.hits]
        assert ours.confidence == pytest.approx(theirs.confidence, abs=1e-5)

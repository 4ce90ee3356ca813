"""How confident are we that the best clause answers the question, and whether to abstain.

The evidence (Features) is read from the ranking: how much better the question matches the
corpus than off-topic passages and everyday questions, how many of its words the corpus knows,
whether it names something the corpus never mentions, whether the kind of answer it asks for
is near the top, how far its best score rises above what questions of its language reach in
this corpus when it has nothing for them. A logistic model over them (Calibration), fitted per
set of models on several corpora by `clausebot calibrate` (retrieval/calibrate.py), is kept in
retrieval/data/calibration.json; a question whose probability falls below its one threshold
(the same for every language) is not answered.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from retrieval.embed import Embedder
from retrieval.late import RERANKED, TokenStates, maxsim, reach, token_matches
from retrieval.lexical import tokenize
from retrieval.loaded import LoadedIndex, Space
from retrieval.reference import everyday_languages, everyday_questions, shipped_states
from retrieval.scores import best, clause_scores, unit_scores
from retrieval.units import lexical_text


@dataclass(frozen=True)
class Features:
    relative: float  # best cosine over the corpus minus best cosine over off-topic passages
    english_cosine: float  # best cosine of the English-only model (0 if none, or not English)
    english: float  # 1 for a question in English (when an English model can tell), else 0
    known_words: float  # share of the question's words found in the corpus, or translating to it
    support: float = 0.0  # share of the question's corpus words that the best clause contains
    # `relative` of the question with the corpus's names taken out ("When was ICANN founded?"
    # -> "When was founded?"): what the question asks, apart from whom it names
    unnamed_relative: float = 0.0
    # 1 when the question names something (a capitalised word of an English question, an
    # acronym, a number) that the corpus never mentions ("the GDP of Azerbaijan", "in 2019")
    unknown_name: float = 0.0
    # when the question asks for a kind of answer (a sum of money, a time, a count, an
    # amount: "how much does it cost", "когда", "kaç"; see answer_type_missing), how
    # far down the ranking the nearest clause of that kind is: 0 when the first clause is,
    # 1 when none near the top is (see answer_kind.answer_kind)
    answer_type_missing: float = 0.0
    # Read from the multilingual model's cosines of the question as asked, in any corpus:
    top_cosine: float = 0.0  # the best unit's cosine
    corpus_z: float = 0.0  # how far the best clause stands out from the corpus's clauses
    background_z: float = 0.0  # how far it stands out from the off-topic passages
    # the best clause's score as ranked (a question not in English moved towards English,
    # hubs taken off: ranking._ranked_units), and both scores less the level everyday
    # questions of the question's language reach in this corpus (language_level): one
    # scale for every language and corpus
    moved_top: float = 0.0
    level: float = 0.0
    moved_level: float = 0.0
    # late interaction (retrieval.late): the best clause's MaxSim, how far it leads the other
    # clauses read token by token, and 1 when the ranking read them (0: an index or model
    # without token states, where the two are 0)
    late_top: float = 0.0
    late_lead: float = 0.0
    late: float = 0.0
    late_low: float = 0.0  # how well it matches the question's worst-matched tokens (late.weakest)
    late_level: float = 0.0  # late_top less what questions of its language reach (late_level)
    # late_level over how strongly its language matches English token by token, relative to
    # English itself (language_signal): one scale for answerable questions in every language
    late_scaled: float = 0.0
    late_lead_scaled: float = 0.0  # late_lead on the same scale
    # how well its worst-matched quarter of tokens is met anywhere among the clauses read
    # (late.reach), and the same less what everyday questions of its language reach in this
    # corpus, over language_signal (reach_level): one scale, as late_scaled
    late_reach: float = 0.0
    late_reach_scaled: float = 0.0
    # how strongly the question's language carries to English token by token
    # (language_signal: 1 for English, Turkish 0.55): with it the fit sets how much more a
    # question read across languages must show than one in English, in every language by
    # one rule instead of one threshold that suits the weakest language alone (session 13)
    signal: float = 0.0

    NAMES = (
        "relative",
        "english_cosine",
        "english",
        "known_words",
        "support",
        "unnamed_relative",
        "unknown_name",
        "relative_foreign",
        "unnamed_relative_foreign",
        "below_background",
        "answer_type_missing",
        "top_cosine",
        "corpus_z",
        "background_z",
        "moved_top",
        "level",
        "moved_level",
        "late_top",
        "late_lead",
        "late",
        "late_top_foreign",
        "late_low",
        "late_level",
        "late_scaled",
        "late_lead_scaled",
        "late_reach",
        "late_reach_scaled",
        "signal",
    )

    # A question in another language is read by the multilingual model alone, across
    # languages, where cosines spread less: its scores get weights of their own.
    @property
    def relative_foreign(self) -> float:
        return self.relative * (1.0 - self.english)

    @property
    def late_top_foreign(self) -> float:
        return self.late_top * (1.0 - self.english)

    @property
    def unnamed_relative_foreign(self) -> float:
        return self.unnamed_relative * (1.0 - self.english)

    # An English question that matches an off-topic passage better than any clause (relative
    # below 0): read by two models that agree, that says the corpus does not answer it (on
    # the public benchmark 0.1% of answerable English questions, 4% of questions on other
    # articles; docs/quality.md). Across languages, cosines lie too close for it to say so.
    @property
    def below_background(self) -> float:
        return self.english * float(self.relative < 0.0)

    def vector(self, names: Sequence[str] = NAMES) -> list[float]:
        return [float(getattr(self, name)) for name in names]


# The features the shipped abstention model uses: chosen by figures on the public benchmark
# and the project's question set, each left out of the fit in turn (docs/quality.md).
ABSTENTION_FEATURES = (
    "relative",
    "english_cosine",
    "english",
    "known_words",
    "unnamed_relative",
    "unknown_name",
    "relative_foreign",
    "unnamed_relative_foreign",
    "answer_type_missing",
    "moved_level",
    "level",
    "corpus_z",
    "support",
    "below_background",
)


# With late interaction (retrieval.late), these as well: its best clause's MaxSim, against
# the level of the question's language on the scale of its language's match with English
# (late_scaled) and as is (for a question not in English, with a weight of its own), how far
# it leads the other clauses read (on the same scale), how well the question's
# worst-matched tokens are met in the best clause (docs/quality.md, session 11) and in any
# clause read, on the same scale as late_scaled (session 12), and how strongly its language
# carries to English (session 13).
LATE_FEATURES = (
    *ABSTENTION_FEATURES,
    "late_scaled",
    "late_top",
    "late_top_foreign",
    "late_lead_scaled",
    "late_low",
    "late_reach_scaled",
    "signal",
)


@dataclass(frozen=True)
class Calibration:
    weights: tuple[float, ...]
    bias: float
    threshold: float = 0.5  # one for every language and corpus
    names: tuple[str, ...] = ABSTENTION_FEATURES  # the features the weights go with

    def probability(self, features: Features) -> float:
        x = sum(w * f for w, f in zip(self.weights, features.vector(self.names), strict=True))
        x += self.bias
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))


# For models the project has not calibrated: answer when the corpus beats the off-topic
# passages clearly.
FALLBACK = Calibration(weights=(40.0,), bias=-1.0, names=("relative",))


@lru_cache(maxsize=1)
def calibrations() -> dict[str, Calibration]:
    raw = json.loads(
        resources.files("retrieval").joinpath("data/calibration.json").read_text(encoding="utf-8")
    )
    return {
        model: Calibration(
            tuple(c["weights"]),
            c["bias"],
            c.get("threshold", 0.5),
            tuple(c["features"]),
        )
        for model, c in raw.get("models", {}).items()
        if set(c.get("features", ["?"])) <= set(Features.NAMES)
        and len(c["features"]) == len(c["weights"])
    }


# A model set's calibration for an index with token states (retrieval.late) is kept under its
# name and this: the late-interaction features are 0 without them, and the ranking differs.
LATE = "+late"


def calibration_key(model: str, late: bool) -> str:
    return model + LATE if late else model


def calibration_for(model: str, late: bool) -> Calibration:
    """The calibration of a set of models, for a ranking with or without late interaction;
    the one without when only it was fitted, FALLBACK when neither was."""
    table = calibrations()
    return table.get(calibration_key(model, late)) or table.get(model, FALLBACK)


def relative(space: Space, unit_scores: np.ndarray, query: np.ndarray, everyday: bool) -> float:
    """How much better the question matches the corpus than anything off-topic: the off-topic
    passages and, with `everyday` (for a question not in English), everyday questions in
    several languages. Read across languages, a question's cosines to English texts lie close
    together; an everyday question in its own language is the nearer "anything else"."""
    off_topic = float((space.background @ query).max()) if len(space.background) else 0.0
    if everyday and space.everyday is not None and len(space.everyday):
        off_topic = max(off_topic, float((space.everyday @ query).max()))
    return float(unit_scores.max()) - off_topic


def standing(
    space: Space, units: np.ndarray, clauses: np.ndarray, query: np.ndarray
) -> tuple[float, float, float]:
    """The best unit's cosine, and how far it stands out (in standard deviations) from the
    corpus's clauses and from the off-topic passages: measures that need no word of the
    corpus, for any corpus and language."""
    top = float(units.max())
    valid = clauses[clauses > -1.0]
    corpus_z = (top - float(valid.mean())) / (float(valid.std()) + 1e-6) if len(valid) > 1 else 0.0
    background_z = 0.0
    if len(space.background) > 1:
        reference = space.background @ query
        background_z = (top - float(reference.mean())) / (float(reference.std()) + 1e-6)
    return top, corpus_z, background_z


def language_level(
    space: Space, language: str, read: Callable[[np.ndarray], np.ndarray], how: str
) -> float:
    """How well a question of `language` that this corpus does not answer matches it anyway:
    the mean best unit score of the everyday questions of that language (weather, cooking,
    travel: nothing of any corpus), each read by `read` (`how` names the reading, for the
    cache). Read across languages, every cosine of a question not in English is lower, by an
    amount that depends on the language and on the corpus; a score less this level means
    the same in every language. Computed once per language and reading, and kept; 0 without
    everyday questions of that language."""
    key = (language, how)
    if key not in space.levels:
        reference = space.asked.get(language)
        space.levels[key] = (
            float(np.mean([read(q).max() for q in reference]))
            if reference is not None and len(reference) and len(space.vectors)
            else 0.0
        )
    return space.levels[key]


_EVERYDAY_STATES: dict[tuple[str, str], list[np.ndarray]] = {}


def everyday_states(embedder: Embedder, language: str) -> list[np.ndarray]:
    """The token states of the everyday questions of a language, as questions: the same for
    every corpus, so shipped for the default model (reference.shipped_states) and read once
    per process for another."""
    key = (embedder.name, language)
    if key not in _EVERYDAY_STATES:
        texts = [
            text
            for text, code in zip(everyday_questions(), everyday_languages(), strict=True)
            if code == language
        ]
        model, shipped = shipped_states()
        if model == embedder.name and all(t in shipped for t in texts):
            read = [shipped[t] for t in texts]
        else:
            read = embedder.embed_states(texts, query=True)[1] if texts else []  # type: ignore[attr-defined]
        _EVERYDAY_STATES[key] = read
    return _EVERYDAY_STATES[key]


def late_level(loaded: LoadedIndex, space: Space, language: str, embedder: Embedder) -> float:
    """What late interaction (retrieval.late) gives a question of `language` that this corpus
    does not answer: the mean, over the everyday questions of that language, of the best
    MaxSim among the clauses their vectors put first. Token by token, a question's words
    match a text of another language less well than one of its own: a MaxSim less this
    level means the same in every language (as `language_level` does for cosines).
    Computed once per language and corpus, and kept; 0 without everyday questions."""
    return _everyday_late(loaded, space, language, embedder)[0]


def reach_level(loaded: LoadedIndex, space: Space, language: str, embedder: Embedder) -> float:
    """The same for late.reach: how well the everyday questions of `language` find their
    worst-matched words anywhere among the clauses they are read against."""
    return _everyday_late(loaded, space, language, embedder)[1]


def _everyday_late(
    loaded: LoadedIndex, space: Space, language: str, embedder: Embedder
) -> tuple[float, float]:
    """late_level and reach_level, computed together once per language and corpus."""
    key = (language, "late")
    if key not in space.levels:
        vectors = space.asked.get(language)
        levels = (0.0, 0.0)
        if vectors is not None and len(vectors) and loaded.tokens is not None:
            states = everyday_states(embedder, language)
            if len(states) == len(vectors):
                found, reached = [], []
                for vector, tokens in zip(vectors, states, strict=True):
                    clauses = clause_scores(loaded, unit_scores(space, vector), True)
                    candidates = best(clauses, min(RERANKED, len(clauses)))
                    matches = token_matches(tokens, loaded.tokens, candidates)
                    found.append(float(matches.mean(axis=1).max()) if matches.shape[1] else 0.0)
                    reached.append(reach(matches))
                levels = (float(np.mean(found)), float(np.mean(reached)))
        space.levels[key], space.levels[(language, "reach")] = levels
    return space.levels[key], space.levels[(language, "reach")]


_SIGNALS: dict[tuple[str, str], float] = {}
SIGNAL_RANGE = (0.25, 1.0)  # language_signal's bounds: no language reads better than English


def language_signal(embedder: Embedder, language: str) -> float:
    """How strongly a question of `language` finds its own words in an English text, token by
    token, relative to an English question: the everyday questions are the same in every
    language, so each one's MaxSim with its English version, less its mean MaxSim with the
    other English ones, is what its words carry across; its mean over the language's
    questions, over the same for English. A question the corpus answers in Turkish rises
    less above its level than one in English (it meets its answer in another language),
    while one it does not answer stays at its level in every language: late_level over
    this is one scale. 1 for English, or without parallel everyday questions."""
    key = (embedder.name, language)
    if key not in _SIGNALS:
        _SIGNALS[key] = 1.0
        english = everyday_states(embedder, "en")
        asked = everyday_states(embedder, language)
        if language != "en" and len(asked) == len(english) > 1:
            reference = TokenStates.join(english, len(english[0][0]) if len(english[0]) else 0)
            _SIGNALS[key] = _carried(asked, reference) / _carried(english, reference)
            _SIGNALS[key] = min(max(_SIGNALS[key], SIGNAL_RANGE[0]), SIGNAL_RANGE[1])
    return _SIGNALS[key]


def _carried(questions: list[np.ndarray], english: TokenStates) -> float:
    """The mean of each question's MaxSim with its English version less its mean MaxSim
    with the other English questions (see language_signal)."""
    if np.any(np.diff(english.starts) == 0):  # an English question without tokens
        return 1.0
    everything = np.arange(len(english))
    carried = []
    for number, tokens in enumerate(questions):
        if len(tokens):
            found = maxsim(tokens, english, everything)
            carried.append(found[number] - np.delete(found, number).mean())
    return max(float(np.mean(carried)), 1e-6) if carried else 1.0


def support(loaded: LoadedIndex, tokens: list[str], clause: int) -> float:
    known = {t for t in tokens if loaded.lexical.knows(t)}
    if not known:
        return 0.0
    words = set(tokenize([lexical_text(loaded.clauses[clause])])[0])
    return len(known & words) / len(known)

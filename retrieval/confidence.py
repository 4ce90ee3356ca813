"""How confident are we that the best clause answers the question, and whether to abstain.

The evidence (Features) is read from the ranking (retrieval.evidence): how much better the
question matches the corpus than off-topic passages and everyday questions, how many of its
words the corpus knows, whether it names something the corpus never mentions, whether the
kind of answer it asks for is near the top, how far its best score rises above what
questions of its language reach in this corpus when it has nothing for them, and, read
across languages, which language it is in. A logistic model over them (Calibration), fitted
per set of models on several corpora by `clausebot calibrate` (retrieval/calibrate.py), is
kept in retrieval/data/calibration.json; a question whose probability falls below its one
threshold (the same for every language) is not answered.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


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
    # hubs taken off: reading.ranked_units), and both scores less the level everyday
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
    late_level: float = 0.0  # late_top less what questions of its language reach (late_levels)
    # late_level over how strongly its language matches English token by token, relative to
    # English itself (language_signal): one scale for answerable questions in every language
    late_scaled: float = 0.0
    late_lead_scaled: float = 0.0  # late_lead on the same scale
    # how well its worst-matched quarter of tokens is met anywhere among the clauses read
    # (late.reach), and the same less what everyday questions of its language reach in this
    # corpus, over language_signal (late_levels): one scale, as late_scaled
    late_reach: float = 0.0
    late_reach_scaled: float = 0.0
    # how strongly the question's language carries to English token by token
    # (language_signal: 1 for English, Turkish 0.55): with it the fit sets how much more a
    # question read across languages must show than one in English, in every language by
    # one rule instead of one threshold that suits the weakest language alone (session 13)
    signal: float = 0.0
    # the question's language when it is read across languages (not the corpus's own), ""
    # otherwise: read as one feature per language the abstention was fitted on
    # (`language:ru`, 1 for a Russian question so read), each with a weight of its own
    read_across: str = ""

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
        return [self.value(name) for name in names]

    def value(self, name: str) -> float:
        """The feature `name`: one of NAMES, or `language:<code>` (see read_across)."""
        if name.startswith(LANGUAGE_FEATURE):
            return float(self.read_across == name[len(LANGUAGE_FEATURE) :])
        return float(getattr(self, name))

    @classmethod
    def known(cls, name: str) -> bool:
        """Whether `name` is a feature this code reads (a calibration may name others)."""
        return name in cls.NAMES or (name.startswith(LANGUAGE_FEATURE) and name != LANGUAGE_FEATURE)


# The prefix of a feature that says in which language a question read across languages was
# asked (Features.read_across). With one such feature for each language the fit has enough
# questions in, each language's confidences get an offset of their own: read across
# languages, e5's cosines spread by language (Spanish questions on other articles reached a
# confidence Turkish answerable questions fall below), and one threshold could only suit the
# language it separates worst (docs/quality.md, session 27).
LANGUAGE_FEATURE = "language:"


def language_features(read_across: Sequence[str], answerable: Sequence[bool]) -> tuple[str, ...]:
    """The language features to fit: one for each language with at least MIN_LANGUAGE
    answerable questions read across languages among those fitted on (`read_across`: each
    question's Features.read_across)."""
    counts: dict[str, int] = {}
    for language, label in zip(read_across, answerable, strict=True):
        if language and label:
            counts[language] = counts.get(language, 0) + 1
    enough = sorted(code for code, n in counts.items() if n >= MIN_LANGUAGE)
    return tuple(f"{LANGUAGE_FEATURE}{code}" for code in enough)


# The fewest answerable questions of a language that its own offset is fitted on: under it, a
# 4% budget is under four questions. The bundled corpus's 33 Azerbaijani ones are left to the
# shared weights: given an offset of their own, they moved the fit so that Russian questions
# on unseen articles were refused wrongly 0.049 of the time, against 0.034 (docs/quality.md)
MIN_LANGUAGE = 100


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

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages read across languages that have an offset of their own here."""
        prefix = len(LANGUAGE_FEATURE)
        return tuple(n[prefix:] for n in self.names if n.startswith(LANGUAGE_FEATURE))

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
        if all(Features.known(name) for name in c.get("features", ["?"]))
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

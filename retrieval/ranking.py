"""Ranking: dense and lexical evidence -> one fused order -> passages, or an abstention.

Dense: every clause is embedded whole and, when it has several sentences, sentence by
sentence, and a part of a letter also by its role alone ("closing and signature: who signed
the letter"); a clause scores its best unit (one precise sentence inside a long clause counts).
Each model's scores are turned into z-scores over the corpus (how far a clause stands out for
this question), which removes a model's habit of giving every text a high cosine, and the
models are summed: the multilingual one always, the English-only one for English questions
and, for a question in another language, on the question's corpus words (Bridge.corpus_words).
A question in another language is first moved towards English (towards_english).
Lexical: BM25 over clause text, added with a small weight so exact names and numbers win ties.
Abstention: a logistic model over a few features (retrieval.ranking.Features), fitted per set
of models on the project's own question set (`clausebot calibrate`), kept in
retrieval/data/calibration.json.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from retrieval.embed import Embedder
from retrieval.lexical import tokenize
from retrieval.store import ANN_ABOVE, WORD, LoadedIndex, Space, fold_name, lexical_text
from retrieval.types import Clause

LEXICAL_WEIGHT = 0.3  # in z units, for the clause with the highest BM25 score
ENGLISH_WEIGHT = 0.5  # weight of an English-only model, for English questions
ENGLISH_SHARE = 0.5  # a question is English when this share of its words are English words
TRANSLATE_AT = 0.88  # cosine at which a question word is taken to mean a corpus word
MAX_UNKNOWN = 12  # words of one question looked up in the corpus vocabulary
EXACT_LIMIT = ANN_ABOVE  # up to this many units, score every unit; above, ask FAISS for candidates
CANDIDATES = 200
# weight of the question read without the words every document shares (see rank), in z units
COMMON_WEIGHT = 1.0


@dataclass(frozen=True)
class Hit:
    clause: Clause
    score: float
    highlight: tuple[int, int] | None = None


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
    # when the question asks for a kind of answer (a sum of money, a time, a count, a
    # person: "how much does it cost", "когда", "kaç", "who"; see answer_type_missing), how
    # far down the ranking the nearest clause of that kind is: 0 when the first clause is,
    # 1 when none near the top is (see _answer_kind)
    answer_type_missing: float = 0.0
    # Read from the multilingual model's cosines of the question as asked, in any corpus:
    top_cosine: float = 0.0  # the best unit's cosine
    corpus_z: float = 0.0  # how far the best clause stands out from the corpus's clauses
    background_z: float = 0.0  # how far it stands out from the off-topic passages

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
        "answer_type_missing",
        "top_cosine",
        "corpus_z",
        "background_z",
    )

    # A question in another language is read by the multilingual model alone, across
    # languages, where cosines spread less: its scores get weights of their own.
    @property
    def relative_foreign(self) -> float:
        return self.relative * (1.0 - self.english)

    @property
    def unnamed_relative_foreign(self) -> float:
        return self.unnamed_relative * (1.0 - self.english)

    @property
    def group(self) -> str:
        """Questions are thresholded by group: English ones are read by more models."""
        return "english" if self.english else "other"

    def vector(self, names: Sequence[str] = NAMES) -> list[float]:
        return [float(getattr(self, name)) for name in names]


# The features the shipped abstention model uses: chosen by leave-one-out figures on the
# project's question set (benchmarks/quality.py, docs/quality.md).
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
)


@dataclass(frozen=True)
class Ranking:
    hits: tuple[Hit, ...]
    abstained: bool
    confidence: float  # calibrated probability that the best clause answers the question
    features: Features | None = None


@dataclass(frozen=True)
class Calibration:
    weights: tuple[float, ...]
    bias: float
    threshold: float = 0.5
    names: tuple[str, ...] = ABSTENTION_FEATURES  # the features the weights go with
    thresholds: tuple[tuple[str, float], ...] = ()  # per Features.group, where fitted

    def threshold_for(self, features: Features) -> float:
        return dict(self.thresholds).get(features.group, self.threshold)

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
            tuple(sorted(c.get("thresholds", {}).items())),
        )
        for model, c in raw.get("models", {}).items()
        if set(c.get("features", ["?"])) <= set(Features.NAMES)
        and len(c["features"]) == len(c["weights"])
    }


@dataclass(frozen=True)
class Options:
    """The ranking's methods, each switchable so that its contribution can be measured."""

    lexical_weight: float = LEXICAL_WEIGHT
    english_weight: float = ENGLISH_WEIGHT
    sentence_units: bool = True
    translate: bool = True
    everyday_reference: bool = True  # see _relative
    towards_english: bool = True  # see towards_english
    bridged_english: bool = True  # see rank: the English model reads Bridge.corpus_words
    answer_kinds: bool = True  # see _answer_kind: clauses of the kind asked for are raised
    common_words: bool = True  # see rank: the question is also read without them


class _Clock:
    """Adds the seconds spent in each stage to a dict; the rest of the call goes to `finish`."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.started = time.perf_counter()
        self.counted = 0.0

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        begun = time.perf_counter()
        try:
            yield
        finally:
            if self.timings is not None:
                spent = time.perf_counter() - begun
                self.timings[stage] = self.timings.get(stage, 0.0) + spent
                self.counted += spent

    def finish(self, stage: str) -> None:
        if self.timings is not None:
            rest = time.perf_counter() - self.started - self.counted
            self.timings[stage] = self.timings.get(stage, 0.0) + rest


def _unit_scores(space: Space, query: np.ndarray) -> np.ndarray:
    """Cosine of every unit; -1 for units FAISS did not return (large corpora)."""
    if len(space.vectors) <= EXACT_LIMIT:
        return np.asarray(space.vectors @ query, dtype=np.float32)
    unit_scores = np.full(len(space.vectors), -1.0, dtype=np.float32)
    scores, ids = space.dense.search(query[None, :], min(CANDIDATES, len(space.vectors)))
    keep = ids[0] >= 0
    unit_scores[ids[0][keep]] = scores[0][keep]
    return unit_scores


def _clause_scores(loaded: LoadedIndex, units: np.ndarray, sentence_units: bool) -> np.ndarray:
    """Each clause's score: its best unit's (itself, a sentence, its role), or its own only."""
    if sentence_units:
        return np.maximum.reduceat(units, loaded.unit_starts)
    return units[loaded.unit_starts]


def _zscores(scores: np.ndarray) -> np.ndarray:
    valid = scores > -1.0
    if valid.sum() < 2:
        return np.where(valid, 0.0, -10.0)
    mean, std = scores[valid].mean(), scores[valid].std()
    return np.where(valid, (scores - mean) / (std + 1e-6), -10.0)


def _highlight(loaded: LoadedIndex, unit_scores: np.ndarray, clause: int) -> tuple[int, int] | None:
    """The span of the clause's best sentence, if it has more than one."""
    start, end = loaded.unit_range(clause)
    sentences = start + np.flatnonzero(loaded.units[start:end, 1] >= 0)
    if len(sentences) == 0:
        return None  # the clause whole (and its role) only
    best = int(sentences[np.argmax(unit_scores[sentences])])
    return int(loaded.units[best, 1]), int(loaded.units[best, 2])


@dataclass(frozen=True)
class Bridge:
    """The question's words mapped onto the corpus vocabulary."""

    tokens: list[str]  # BM25 tokens of the question, and of the corpus words its others mean
    coverage: float  # share of its words known to the corpus or translated into it
    named: frozenset[str] = frozenset()  # question words that stand for a corpus name
    unknown_name: bool = False  # it names something the corpus never mentions
    # the question in the corpus's own words: the words it shares with the corpus and the
    # corpus words its others mean, in its order ("Сколько глав международных организаций
    # присутствовало?" -> "heads international organizations")
    corpus_words: str = ""
    # question words that are, or translate to, a word every document's metadata shares
    # (LoadedIndex.common_names: "Baku", "Bakıda", "Баку" when every document is from Baku)
    common: frozenset[str] = frozenset()


TOKEN = re.compile(r"[\w'’-]+")
NAME_SUFFIX = 3  # "Azerbaijani", "ICANN'a", "Bakuda": a name with up to 3 letters added
NAME_MIN = 4  # shorter names are matched only whole


def _is_name(names: frozenset[str], word: str) -> bool:
    folded = fold_name(word)
    # a suffix after an apostrophe: "ICANN's", Turkish "Bakü'deki", "Los Angeles'a"
    stem = re.split(r"['’]", folded, maxsplit=1)[0]
    if folded in names or stem in names:
        return True
    return any(
        folded[:-cut] in names for cut in range(1, NAME_SUFFIX + 1) if len(folded) - cut >= NAME_MIN
    )


def _unknown_name(loaded: LoadedIndex, question: str, english: bool, bridged: set[str]) -> bool:
    """Does the question name something (a number, an acronym, and in an English question a
    capitalised word) that the corpus never mentions, even by a close form?"""
    tokens = TOKEN.findall(question)
    # capitals mean names only where the rest is written in lower case
    shouting = question == question.upper()
    later = [t for t in tokens[1:] if t[0].isalpha()]
    title_case = sum(t[0].isupper() for t in later) > len(later) / 2
    for position, token in enumerate(tokens):
        number = any(ch.isdigit() for ch in token)
        acronym = len(token) > 1 and token.isupper() and token.isascii() and not shouting
        capitalised = (
            english and not title_case and position > 0 and token[0].isupper() and token != "I"
        )
        if not (number or acronym or capitalised):
            continue
        if token in bridged or _is_name(loaded.names, token):
            continue
        parts = tokenize([token])[0]
        if parts and not all(loaded.lexical.knows(t) for t in parts):
            return True
    return False


def translate(
    loaded: LoadedIndex, embedder: Embedder, question: str, english: bool = False
) -> Bridge:
    """Map each question word the corpus does not contain onto the corpus word it means.

    The multilingual model embeds single words well enough to pair 'qadınlar' with 'women'
    or 'киберпреступности' with 'cyber-crime'; BM25 then matches those corpus words. A
    word with no close corpus word (below TRANSLATE_AT) stays untranslated, which is also a
    sign that the corpus may not speak of it. Words that are, or translate to, one of the
    corpus's names are reported as `named`.
    """
    tokens = tokenize([question])[0]
    known = 0
    unknown: list[str] = []
    named: set[str] = set()
    words = list(dict.fromkeys(WORD.findall(question)))
    for word, word_tokens in zip(words, tokenize(words) if words else [], strict=True):
        if _is_name(loaded.names, word):
            named.add(word)
        if not word_tokens:
            continue  # a stop word
        if all(loaded.lexical.knows(t) for t in word_tokens):
            known += 1
        else:
            unknown.append(word)
    unknown = unknown[:MAX_UNKNOWN]
    translated: list[str] = []
    bridged: dict[str, str] = {}
    space = loaded.spaces[0]
    if unknown and len(space.words):
        sims = _word_vectors(embedder, unknown) @ space.words.T
        for word, row in zip(unknown, sims, strict=True):
            best = int(np.argmax(row))
            if row[best] >= TRANSLATE_AT:
                translated.append(loaded.words[best])
                bridged[word] = loaded.words[best]
                if _is_name(loaded.names, loaded.words[best]):
                    named.add(word)
    unknown_set = set(unknown)
    corpus_words = " ".join(
        bridged.get(word, "" if word in unknown_set else word) for word in words
    ).split()
    if translated:
        tokens = tokens + tokenize([" ".join(translated)])[0]
    common = frozenset(
        word
        for word in words
        if _is_name(loaded.common_names, word)
        or (word in bridged and _is_name(loaded.common_names, bridged[word]))
    )
    counted = known + len(unknown)
    return Bridge(
        tokens,
        (known + len(translated)) / counted if counted else 0.0,
        frozenset(named),
        _unknown_name(loaded, question, english, set(bridged)),
        " ".join(corpus_words),
        common,
    )


def unnamed(question: str, named: frozenset[str]) -> str:
    """The question without the words that name something of the corpus."""
    if not named:
        return question
    return " ".join(WORD.sub(lambda m: "" if m.group(0) in named else m.group(0), question).split())


_WORD_CACHE: dict[tuple[str, str], np.ndarray] = {}
WORD_CACHE_SIZE = 20_000


def _word_vectors(embedder: Embedder, words: list[str]) -> np.ndarray:
    """Query vectors of single words; question words recur, so they are kept."""
    missing = [w for w in words if (embedder.name, w) not in _WORD_CACHE]
    if missing:
        if len(_WORD_CACHE) + len(missing) > WORD_CACHE_SIZE:
            _WORD_CACHE.clear()
        for word, vector in zip(missing, embedder.embed(missing, query=True), strict=True):
            _WORD_CACHE[(embedder.name, word)] = vector
    return np.stack([_WORD_CACHE[(embedder.name, w)] for w in words])


def towards_english(space: Space, query: np.ndarray) -> np.ndarray:
    """A question not in English, moved by the difference between its language's mean
    question vector and the English one (Space.languages: the same everyday questions in
    each language, so the difference is the language alone). Read across languages, the
    multilingual model's vector of a question carries its language too, which pulls it
    towards whatever clauses happen to lie in that direction; this takes it out. The
    language is the one whose mean is nearest; a question nearest English is left as it is."""
    means = space.languages
    language = language_of(space, query)
    if language in (None, "en"):
        return query
    moved = query - (means[language] - means["en"])
    return np.asarray(moved / _norm(moved), dtype=np.float32)


def language_of(space: Space, query: np.ndarray) -> str | None:
    """The language whose mean question vector is nearest the question; None without means."""
    means = space.languages
    if "en" not in means or len(means) < 2:
        return None
    return max(means, key=lambda code: float(query @ means[code]) / _norm(means[code]))


def _norm(vector: np.ndarray) -> float:
    return float(np.linalg.norm(vector)) or 1.0


def _relative(space: Space, unit_scores: np.ndarray, query: np.ndarray, everyday: bool) -> float:
    """How much better the question matches the corpus than anything off-topic: the off-topic
    passages and, with `everyday` (for a question not in English), everyday questions in
    several languages. Read across languages, a question's cosines to English texts lie close
    together; an everyday question in its own language is the nearer "anything else"."""
    off_topic = float((space.background @ query).max()) if len(space.background) else 0.0
    if everyday and space.everyday is not None and len(space.everyday):
        off_topic = max(off_topic, float((space.everyday @ query).max()))
    return float(unit_scores.max()) - off_topic


def _standing(
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


def _support(loaded: LoadedIndex, tokens: list[str], clause: int) -> float:
    known = {t for t in tokens if loaded.lexical.knows(t)}
    if not known:
        return 0.0
    words = set(tokenize([lexical_text(loaded.clauses[clause])])[0])
    return len(known & words) / len(known)


def _best(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the n highest scores, best first (ties in index order); without sorting
    the whole array, which matters at a million clauses."""
    if n >= len(scores):
        return np.argsort(-scores, kind="stable")
    top = np.argpartition(-scores, n - 1)[:n]
    return top[np.lexsort((top, -scores[top]))]


# What a question asks for when it asks for a quantity, in the readers' languages (English,
# Azerbaijani, Russian, Turkish; matched case folded). Money first, then a time, then a count,
# then any amount: "Сколько стоит ...?" asks a price, "Когда ...?" a time, "Сколько ...?"
# otherwise a number of things, "How long ...?" a number of any kind.
# Money is asked for only in a question's own words for a sum ("how much does it cost",
# "what is the price of"), not whenever it mentions prices ("affordable prices").
# Azerbaijani and Turkish words may carry any suffix ("nə qədərdir", "fiyatı").
ASKS_MONEY = re.compile(
    r"\bhow much\b.*\b(?:cost|costs|pay|paid|charge|charges|spend|spent|worth)\b"
    r"|\b(?:price|fee|budget|salary|exchange rate) (?:of|for)\b"
    r"|\bwhat (?:is|was|are|were) the (?:\w+ )?(?:price|cost|fee|budget|salary)"
    r"|\bсколько (?:стои\w*|плат\w*|заплат\w*|денег)|\bстоимост\w*|\bцен(?:а|у|ой)\b"
    r"|\bбюджет\w*|\bзарплат\w*|\bкурс (?:доллар|манат|евро|рубл|валют)\w*"
    r"|\b(?:neçəyə|qiyməti|büdcə|maaş|məzənnə)|\bnə qədər (?:pul|xərc|ödə)"
    r"|\bkaça\b|\b(?:fiyat|ücret|maliyet|bütçe|döviz kuru)|\bne kadar (?:tut|öde|para|masraf)"
)
ASKS_TIME = re.compile(
    r"\b(?:when|what (?:year|date|time|day|month)|which (?:year|date|day|month)|how long ago"
    r"|когда|(?:в )?как(?:ом|ого|ой|ую) (?:году|числа|даты|дату|день|месяце)"
    r"|nə vaxt|ne zaman|kaçta)\b"
    r"|\b(?:hansı (?:il|tarix|gün|ay)|hangi (?:yıl|tarih|gün|ay))"
)
ASKS_COUNT = re.compile(
    r"\b(?:how many|сколько|kaç(?:ar|ıncı\w*)?)\b|\bneçə"  # not "kaçak" (illicit)
)
ASKS_AMOUNT = re.compile(r"\bhow (?:much|long|old|often|far)\b|\b(?:nə qədər|ne kadar)")
MONTHS = r"January|February|March|April|May|June|July|August|September|October|November|December"
NUMBER_WORDS = (
    r"[Oo]ne|[Tt]wo|[Tt]hree|[Ff]our|[Ff]ive|[Ss]ix|[Ss]even|[Ee]ight|[Nn]ine|[Tt]en"
    r"|[Ee]leven|[Tt]welve|[Tt]wenty|[Tt]hirty|[Hh]undreds?|[Tt]housands?|[Mm]illions?"
    r"|[Bb]illions?|[Dd]ozens?"
)
NUMBER = re.compile(rf"\d|\b(?:{NUMBER_WORDS}|{MONTHS})\b")
# A count: a number of things ("12 ministers", "over 100 respected guests", "two
# countries", "40%"), not any number (a street number, a postcode, a fax number)
COUNT = re.compile(
    rf"(?:\d|\b(?:{NUMBER_WORDS})\b)[\d,.]*\s*(?:%|per ?cent\b|(?:[a-z][\w-]*\s+){{0,2}}"
    r"(?:[a-z][\w-]*s|people|men|women|children|staff|personnel)\b)"
)
# A year, a month, a date written in figures (19.12.2012, 12/19/2012), a weekday or a
# relative day; not any number (a phone number is no date)
TIME = re.compile(
    rf"\b(?:1[5-9]\d\d|20\d\d|{MONTHS}|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday"
    r"|Sunday|today|tomorrow|yesterday)\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b"
)
# A sum of money: a currency sign or the name or code of a currency
MONEY = re.compile(
    r"[$€£¥₼₽₺]|\b(?:dollars?|euros?|pounds? sterling|manats?|roubles?|rubles?|liras?|yen"
    r"|USD|EUR|AZN|GBP|RUB|TRY)\b"
)
ANSWER_TYPES = (
    (ASKS_MONEY, MONEY),
    (ASKS_TIME, TIME),
    (ASKS_COUNT, COUNT),
    (ASKS_AMOUNT, NUMBER),
)
# "Who ...?": answered by a name the question does not already give, or by people named
# by what they are ("governments", "all stakeholders")
ASKS_AGENT = re.compile(
    r"\b(?:who|whom|whose|кто|кого|кому|кем|чей|чья|чьё|чьи|kim(?:in|ə|e|lər|ler)?(?:dir|di)?)\b"
)
AGENTS = re.compile(
    r"\b(?:governments?|countries|states|nations|stakeholders|participants|ministers?"
    r"|organi[sz]ations|institutions|users|citizens|people|parties|members|societ(?:y|ies)"
    r"|communit(?:y|ies)|sectors?|leaders|authorities|businesses|companies|everyone"
    r"|all of us|children|women|youth|individuals|panelists|guests|heads)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class AnswerKind:
    """What a question asks for: the pattern a clause must match (money, a time, a count, an
    amount), or, for "who", people named by what they are or a name the question does not
    already give (`given`: its words folded and its BM25 tokens, bridged words included)."""

    pattern: re.Pattern[str] | None
    given: frozenset[str] = frozenset()

    def holds(self, clause: Clause, names: frozenset[str]) -> bool:
        """Can the clause be such an answer (`names`: the corpus's names)?"""
        if self.pattern is not None:
            return bool(self.pattern.search(clause.text))

        def new_name(word: str) -> bool:
            if not _is_name(names, word) or fold_name(word) in self.given:
                return False
            return not set(tokenize([word])[0]) <= self.given

        return bool(AGENTS.search(clause.text)) or any(map(new_name, TOKEN.findall(clause.text)))


def asked_kind(question: str, question_tokens: Sequence[str] = ()) -> AnswerKind | None:
    """The kind of answer the question asks for, if any; only the first kind counts."""
    folded = question.casefold()
    for asks, answer in ANSWER_TYPES:
        if asks.search(folded):
            return AnswerKind(answer)
    if not ASKS_AGENT.search(folded):
        return None
    words = {fold_name(word) for word in TOKEN.findall(question)}
    return AnswerKind(None, frozenset(question_tokens) | words)


def answer_type_missing(
    question: str,
    clause: Clause,
    names: frozenset[str] = frozenset(),
    question_tokens: Sequence[str] = (),
) -> bool:
    """Can the clause not be what the question asks for: a sum of money, a time or a number
    it does not contain, or, for "who", neither people named by what they are nor one of the
    corpus's names (`names`) the question does not already give (`question_tokens`: its BM25
    tokens, bridged words included)? Only the first kind the question asks for counts."""
    kind = asked_kind(question, question_tokens)
    return kind is not None and not kind.holds(clause, names)


ANSWER_WINDOW = 10  # the first clauses searched for one of the kind a question asks for
ANSWER_BONUS = 1.0  # z units added to those clauses, so that one that can be the answer leads
ANSWER_GAP = 1.0  # z units behind the first clause at which the nearest such clause counts fully


def _answer_kind(
    loaded: LoadedIndex, question: str, bridge: Bridge, fused: np.ndarray
) -> tuple[float, np.ndarray]:
    """For a question that asks for a kind of answer (see answer_type_missing): how far behind
    the first clause the first clause of that kind is, from 0 (it is the first) to 1 (it is
    ANSWER_GAP or more behind, or none of the first ANSWER_WINDOW clauses is of that kind);
    and the scores with the clauses of that kind raised by ANSWER_BONUS. "Сколько министров
    было на встрече в Баку?" finds the declaration's opening (the meeting in Baku, no count)
    first and the letter's "12 ministers" fourth; raised, the count is second."""
    kind = asked_kind(question, bridge.tokens)
    if kind is None:
        return 0.0, fused
    head = _best(fused, min(ANSWER_WINDOW, len(fused)))
    fits = [int(i) for i in head if kind.holds(loaded.clauses[int(i)], loaded.names)]
    if len(fits) == len(head):
        return 0.0, fused  # every clause near the top is of that kind
    if not fits:
        return 1.0, fused
    gap = (float(fused[head[0]]) - float(fused[fits[0]])) / ANSWER_GAP
    raised = fused.copy()
    raised[fits] += ANSWER_BONUS
    return min(1.0, gap), raised


def is_english(embedders: Sequence[Embedder], question: str) -> float:
    for embedder in embedders:
        share = getattr(embedder, "english_share", None)
        if embedder.english_only and share is not None:
            return 1.0 if share(question) >= ENGLISH_SHARE else 0.0
    return 0.0


def rank(
    loaded: LoadedIndex,
    embedders: Sequence[Embedder],
    question: str,
    k: int,
    options: Options = Options(),
    timings: dict[str, float] | None = None,
) -> Ranking:
    """Rank the clauses for a question. `timings`, if given, receives seconds per stage
    (embed, search, lexical, fusion), for the benchmark."""
    clock = _Clock(timings)
    total = len(loaded.clauses)
    if total == 0 or not loaded.spaces:
        return Ranking((), True, 0.0, None)
    by_name = {e.name: e for e in embedders}
    english = is_english(embedders, question)
    everyday = options.everyday_reference and english == 0.0
    shift = options.towards_english and english == 0.0
    fused = np.zeros(total, dtype=np.float64)
    primary_units: np.ndarray | None = None
    relative = english_cosine = 0.0
    standing = (0.0, 0.0, 0.0)
    primary = loaded.spaces[0]
    with clock("lexical"):
        if options.translate:
            bridge = translate(loaded, by_name[primary.model], question, english == 1.0)
        else:
            bridge = Bridge(tokenize([question])[0], 1.0)
    for space in loaded.spaces:
        weight = 1.0
        text = question
        if space.english_only and len(loaded.spaces) > 1:
            weight = options.english_weight * english
            if not english and options.bridged_english and bridge.corpus_words:
                # it cannot read the question, but it reads the question's corpus words
                weight, text = options.english_weight, bridge.corpus_words
            if weight == 0.0:
                continue  # its vote would not count: skip the work
        with clock("embed"):
            asked = by_name[space.model].embed([text], query=True)[0]
            query = towards_english(space, asked) if shift and not space.english_only else asked
        with clock("search"):
            units = _unit_scores(space, query)
            # moving the question ranks better, but off-topic questions of its language are
            # then farther too: whether to answer is read from the question as asked
            asked_units = units if query is asked else _unit_scores(space, asked)
        dense = _clause_scores(loaded, units, options.sentence_units)
        fused += weight * _zscores(dense)
        if primary_units is None:
            primary_units = units
            relative = _relative(space, asked_units, asked, everyday)
            standing = _standing(
                space, asked_units, _clause_scores(loaded, asked_units, True), asked
            )
        elif space.english_only and english:
            english_cosine = float(dense.max())
    forms: dict[str, np.ndarray] = {}

    def primary_vector(text: str) -> np.ndarray:
        """The primary model's vector of a form of the question (without some of its
        words); the two forms below are often the same text, embedded once."""
        if text not in forms:
            with clock("embed"):
                forms[text] = by_name[primary.model].embed([text], query=True)[0]
        return forms[text]

    plain = unnamed(question, bridge.common) if options.common_words else question
    if plain != question and tokenize([plain])[0]:
        # A word every document shares ("Baku": both are from Baku) tells no clause from
        # another, but where one title spells it out ("Baku Declaration"), it pulls the
        # question to all of that document's clauses: "How many ministers attended the
        # meeting in Baku?" put the letter's "12 ministers ... were present at the
        # Ministerial Meeting" 16th. The question is read once more without such words.
        asked = primary_vector(plain)
        query = towards_english(primary, asked) if shift else asked
        with clock("search"):
            units = _unit_scores(primary, query)
        fused += COMMON_WEIGHT * _zscores(_clause_scores(loaded, units, options.sentence_units))
    with clock("lexical"):
        bm25 = loaded.lexical.scores(bridge.tokens)
    unnamed_relative = relative
    rest = unnamed(question, bridge.named)
    if rest != question and tokenize([rest])[0]:
        query = primary_vector(rest)
        with clock("search"):
            unnamed_relative = _relative(primary, _unit_scores(primary, query), query, everyday)
    top_bm25 = float(bm25.max()) if len(bm25) else 0.0
    if top_bm25 > 0:
        fused += options.lexical_weight * bm25 / top_bm25
    kind_gap, raised = _answer_kind(loaded, question, bridge, fused)
    if options.answer_kinds:
        fused = raised
    order = _best(fused, max(k, 2))
    features = Features(
        relative=relative,
        english_cosine=english_cosine,
        english=english,
        known_words=bridge.coverage,
        support=_support(loaded, bridge.tokens, int(order[0])),
        unnamed_relative=unnamed_relative,
        unknown_name=float(bridge.unknown_name),
        answer_type_missing=kind_gap,
        top_cosine=standing[0],
        corpus_z=standing[1],
        background_z=standing[2],
    )
    calibration = calibrations().get(loaded.model, FALLBACK)
    confidence = calibration.probability(features)
    best = float(fused[order[0]])
    hits = []
    assert primary_units is not None
    for i in order[:k]:
        # a passage's score: the calibrated confidence, discounted by how far it falls behind
        # the best clause
        score = confidence * math.exp(-max(0.0, best - float(fused[i])))
        hits.append(
            Hit(loaded.clauses[int(i)], round(score, 4), _highlight(loaded, primary_units, int(i)))
        )
    clock.finish("fusion")
    abstained = confidence < calibration.threshold_for(features)
    return Ranking(tuple(hits), abstained, confidence, features)

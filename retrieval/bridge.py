"""The word bridge: a question's words mapped onto the corpus's own words, and a question in
another language moved towards English.

For any corpus: the corpus vocabulary (LoadedIndex.words) is embedded at index time, a
question word the corpus lacks is embedded at question time (and kept, for later questions and
processes: retrieval.word_vectors), and the nearest corpus word above TRANSLATE_AT is taken to
be what it means; for BM25, a word of a question not in English means the corpus word nearest
both the word and the question (meanings). Nothing here lists words of a language or of a
corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from retrieval import products, word_vectors
from retrieval.embed import Embedder, token_states
from retrieval.lexical import tokenize
from retrieval.loaded import LoadedIndex, Space
from retrieval.vocabulary import WORD, fold_name

TRANSLATE_AT = 0.88  # cosine at which a question word is taken to mean a corpus word
MAX_UNKNOWN = 12  # words of one question looked up in the corpus vocabulary
# What a word of a question not in English means, for BM25 (see meanings): the corpus word
# whose cosine to the word plus CONTEXT_WEIGHT times its cosine to the question is highest, at
# MEANT_AT or above. 1.66 bridges as many of xquad-dev's (question, word) pairs as TRANSLATE_AT
# alone does (docs/quality.md, session 22)
CONTEXT_WEIGHT = 1.0
MEANT_AT = 1.66


@dataclass(frozen=True)
class Bridge:
    """The question's words mapped onto the corpus vocabulary."""

    tokens: list[str]  # BM25 tokens of the question, and of the corpus words its others mean
    coverage: float  # share of its words known to the corpus or translated into it
    named: frozenset[str] = frozenset()  # question words that stand for a corpus name
    unknown_name: bool = False  # it names something the corpus never mentions
    # the same as a question read across languages is read: its capitals not counted (in a
    # corpus of several languages, where its first clause is in another: ranking.rank)
    unknown_name_across: bool = False
    # question words that are, or translate to, a word every document's metadata shares
    # (LoadedIndex.common_names: "Baku", "Bakıda", "Баку" when every document is from Baku)
    common: frozenset[str] = frozenset()
    # `tokens` with each word's corpus word as lookup finds it, out of context, where they
    # differ (the words were read in context: meanings); see plain_tokens
    context_free: list[str] | None = None

    @property
    def plain_tokens(self) -> list[str]:
        """The tokens with lookup's words: what the abstention's `support` counts."""
        return self.tokens if self.context_free is None else self.context_free


@dataclass(frozen=True)
class Words:
    """What a question's own words tell, before any is embedded (question_words): read once,
    by the batch that embeds the question (embed_question) and by the bridge (translate)."""

    words: list[str]  # the question's words, each once
    named: frozenset[str]  # those that are names of the corpus
    common: frozenset[str]  # those that are a word every document's metadata shares
    known: int  # how many (stop words aside) the corpus has
    unknown: list[str]  # the first MAX_UNKNOWN of those it lacks


TOKEN = re.compile(r"[\w'’-]+")
NAME_SUFFIX = 3  # "Azerbaijani", "ICANN'a", "Bakuda": a name with up to 3 letters added
NAME_MIN = 4  # shorter names are matched only whole


def is_name(names: frozenset[str], word: str) -> bool:
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
        if token in bridged or is_name(loaded.names, token):
            continue
        parts = tokenize([token])[0]
        if parts and not all(loaded.lexical.knows(t) for t in parts):
            return True
    return False


def translate(
    loaded: LoadedIndex,
    embedder: Embedder,
    question: str,
    english: bool = False,
    words: Words | None = None,
    bridged: dict[str, str] | None = None,
    context: np.ndarray | None = None,
) -> Bridge:
    """Map each question word the corpus does not contain onto the corpus word it means.

    The multilingual model embeds single words well enough to pair 'qadınlar' with 'women'
    or 'киберпреступности' with 'cyber-crime'; BM25 then matches those corpus words. A
    word with no close corpus word (below TRANSLATE_AT) stays untranslated, which is also a
    sign that the corpus may not speak of it. Words that are, or translate to, one of the
    corpus's names are reported as `named`. `words` (question_words) and `bridged` (lookup),
    when the caller has them already. With `context` (the vector of a question not in
    English, moved towards English), BM25 reads what its words mean in that context
    (meanings); the coverage, the names and `plain_tokens` stay on lookup's words.
    """
    words = words or question_words(loaded, question)
    # in context, the words' meanings first: that reading gives lookup's too
    meant = None if context is None else meanings(loaded, embedder, words, context)
    if bridged is None:
        bridged = lookup(loaded, embedder, words)
    own = tokenize([question])[0]

    def read_with(found: dict[str, str]) -> list[str]:  # the question's tokens and theirs
        return own + tokenize([" ".join(found.values())])[0] if found else own

    plain = read_with(bridged)
    tokens = plain if meant is None else read_with(meant)
    named, common = _names(loaded, words, bridged)
    counted = words.known + len(words.unknown)
    unknown = _unknown_name(loaded, question, english, set(bridged))
    return Bridge(
        tokens,
        (words.known + len(bridged)) / counted if counted else 0.0,
        named,
        unknown,
        unknown and (not english or _unknown_name(loaded, question, False, set(bridged))),
        common,
        None if context is None else plain,
    )


def meanings(
    loaded: LoadedIndex, embedder: Embedder, words: Words, context: np.ndarray
) -> dict[str, str]:
    """Each question word the corpus lacks -> the corpus word it means in this question: the
    one whose cosine to the word plus CONTEXT_WEIGHT times its cosine to the question
    (`context`) is highest, at MEANT_AT or above. Read alone, a short foreign word finds
    corpus words spelt alike ("bir", Turkish for "a", finds "bier"; "kabul", accepted, finds
    "cabinet"); the question's own vector says which of its near words it can mean. On
    xquad-dev's questions in Russian, Turkish, German and Spanish, bridging as many pairs as
    lookup, a corpus word of the question's English version comes out for 59% of the pairs
    against 40%, and 4,430 distinct such words against 3,860 (docs/quality.md, session 22).
    The words' own cosines come with it: lookup's answer for those not looked up before is
    kept from them, so that it need not read the vocabulary again."""
    space = loaded.spaces[0]
    if not words.unknown or not len(space.words):
        return {}
    # the words and the question in one product (one pass over the vocabulary's vectors,
    # which is most of its time)
    read = np.vstack([_word_vectors(loaded, embedder, words.unknown), context[None, :]])
    cosines = products.cosines(space.words, read)
    new = [i for i, w in enumerate(words.unknown) if (embedder.name, w) not in loaded.translations]
    if new:
        _remember(loaded, embedder, [words.unknown[i] for i in new], cosines[new])
    scores = cosines[:-1] + CONTEXT_WEIGHT * cosines[-1][None, :]
    found = _nearest(loaded, words.unknown, scores, MEANT_AT)
    return {word: to for word, to in found.items() if to is not None}


def _nearest(
    loaded: LoadedIndex, words: list[str], scores: np.ndarray, at: float
) -> dict[str, str | None]:
    """Each word -> the corpus word of its row's best score, if that is `at` or above."""
    found: dict[str, str | None] = {}
    for word, row in zip(words, scores, strict=True):
        best = int(np.argmax(row))
        found[word] = loaded.words[best] if row[best] >= at else None
    return found


def _remember(
    loaded: LoadedIndex, embedder: Embedder, words: list[str], cosines: np.ndarray
) -> None:
    """Keep, for this loaded index, the corpus word each word is nearest (its row of cosines
    with the vocabulary), or None below TRANSLATE_AT: what lookup answers for it."""
    for word, to in _nearest(loaded, words, cosines, TRANSLATE_AT).items():
        loaded.translations[(embedder.name, word)] = to


def lookup(loaded: LoadedIndex, embedder: Embedder, words: Words) -> dict[str, str]:
    """Each question word the corpus lacks -> the corpus word it means: the nearest by the
    multilingual model, at TRANSLATE_AT or above (words without one are left out)."""
    space = loaded.spaces[0]
    if not words.unknown or not len(space.words):
        return {}
    # a word's nearest corpus word is the same for every question put to this index: each
    # is searched for once (a product with the whole vocabulary, most of a lookup's time)
    new = [w for w in words.unknown if (embedder.name, w) not in loaded.translations]
    if new:
        read = _word_vectors(loaded, embedder, new)
        _remember(loaded, embedder, new, products.cosines(space.words, read))
    return looked_up(loaded, embedder, words)


def looked_up(loaded: LoadedIndex, embedder: Embedder, words: Words) -> dict[str, str]:
    """lookup's answer for the question's words this index has looked up before (for
    earlier questions), without embedding or searching for any other."""
    found = loaded.translations
    bridged: dict[str, str] = {}
    for word in words.unknown:
        to = found.get((embedder.name, word))
        if to is not None:
            bridged[word] = to
    return bridged


def _names(
    loaded: LoadedIndex, words: Words, bridged: dict[str, str]
) -> tuple[frozenset[str], frozenset[str]]:
    """The question words that are, or translate to, a name of the corpus; and those that
    are, or translate to, a word every document's metadata shares."""
    named = words.named | {w for w, to in bridged.items() if is_name(loaded.names, to)}
    common = words.common | {w for w, to in bridged.items() if is_name(loaded.common_names, to)}
    return frozenset(named), frozenset(common)


def question_words(loaded: LoadedIndex, question: str) -> Words:
    words = list(dict.fromkeys(WORD.findall(question)))
    known = 0
    unknown: list[str] = []
    for word_tokens, word in zip(tokenize(words) if words else [], words, strict=True):
        if not word_tokens:
            continue  # a stop word
        if all(loaded.lexical.knows(t) for t in word_tokens):
            known += 1
        else:
            unknown.append(word)
    return Words(
        words,
        frozenset(w for w in words if is_name(loaded.names, w)),
        frozenset(w for w in words if is_name(loaded.common_names, w)),
        known,
        unknown[:MAX_UNKNOWN],
    )


@dataclass(frozen=True)
class Asked:
    """The question as embed_question reads it."""

    vector: np.ndarray
    forms: dict[str, np.ndarray]  # the vectors of forms of it, by their text
    # the bridge's lookup (see lookup); None while a word was new: looked up by translate,
    # which reads the question's words in context first when it can (see meanings)
    bridged: dict[str, str] | None
    tokens: np.ndarray | None  # its token states (retrieval.late), if the model gives them
    form_tokens: dict[str, np.ndarray]  # those of its forms, by their text (same condition)


def embed_question(loaded: LoadedIndex, embedder: Embedder, question: str, words: Words) -> Asked:
    """The question's vector, embedded in one batch with the forms the ranking reads it in
    as well (without the corpus's names, without the words every document shares) and with
    the words of it the corpus lacks that have no vector yet; and, when none was new, the
    bridge's lookup of those words. When every such word has its vector already (kept from
    earlier questions), the lookup comes first and the forms are exact; otherwise they are
    what the question's own words and the words looked up before tell (a new word that only
    translates to a name changes a form, which is then embedded when needed), and translate
    looks the words up. One pass of the model instead of up to four, and the same
    vectors: each text of a batch is encoded on its own. The question's token states come
    from the same pass, for an index that keeps its clauses' (retrieval.late)."""
    unknown = words.unknown if len(loaded.spaces[0].words) else []
    missing = word_vectors.missing(loaded.root, embedder.name, unknown)
    # the forms are read from what is known before the pass: every word's lookup, or, while
    # some word has no vector yet, that of the words looked up for earlier questions (a name
    # met before, "Kaliforniya" -> "California", is left out of the forms at once; only a
    # new word that turns out to mean a name leaves a form to embed after the pass)
    bridged = looked_up(loaded, embedder, words) if missing else lookup(loaded, embedder, words)
    texts: list[str] = []
    for names in _names(loaded, words, bridged):
        form = unnamed(question, names)
        if form != question and form not in texts and tokenize([form])[0]:
            texts.append(form)
    batch = [question, *texts, *missing]
    tokens, form_tokens = None, {}
    if loaded.tokens is not None and token_states(embedder):
        vectors, states = embedder.embed_states(batch, query=True)  # type: ignore[attr-defined]
        tokens = states[0]
        form_tokens = dict(zip(texts, states[1 : 1 + len(texts)], strict=True))
    else:
        vectors = embedder.embed(batch, query=True)
    if missing:
        word_vectors.keep(loaded.root, embedder.name, missing, vectors[1 + len(texts) :])
    return Asked(
        np.asarray(vectors[0]),
        dict(zip(texts, vectors[1 : 1 + len(texts)], strict=True)),
        None if missing else bridged,
        tokens,
        form_tokens,
    )


def unnamed(question: str, named: frozenset[str]) -> str:
    """The question without the words that name something of the corpus."""
    if not named:
        return question
    return " ".join(WORD.sub(lambda m: "" if m.group(0) in named else m.group(0), question).split())


def _word_vectors(loaded: LoadedIndex, embedder: Embedder, words: list[str]) -> np.ndarray:
    """Query vectors of single words, kept (retrieval.word_vectors): question words recur."""
    found = word_vectors.find(loaded.root, embedder.name, words)
    missing = [w for w in words if w not in found]
    if missing:
        vectors = embedder.embed(missing, query=True)
        word_vectors.keep(loaded.root, embedder.name, missing, vectors)
        found.update(zip(missing, vectors, strict=True))
    return np.stack([found[w] for w in words])


def towards_english(
    space: Space, query: np.ndarray, language: str | None = None, target: str = "en"
) -> np.ndarray:
    """A question not in English, moved by the difference between its language's mean
    question vector and the English one (Space.languages: the same everyday questions in
    each language, so the difference is the language alone). Read across languages, the
    multilingual model's vector of a question carries its language too, which pulls it
    towards whatever clauses happen to lie in that direction; this takes it out. The
    language is the one whose mean is nearest (or `language`, when the caller has it already);
    a question nearest English is left as it is. `target`: the corpus's language instead of
    English (language.corpus_language), for a corpus in another."""
    means = space.languages
    language = language or language_of(space, query)
    if language in (None, target) or target not in means:
        return query
    moved = query - (means[language] - means[target])
    return np.asarray(moved / _norm(moved), dtype=np.float32)


def language_of(space: Space, query: np.ndarray) -> str | None:
    """The language whose mean question vector is nearest the question (cosine to the mean's
    direction; the first of the means on a tie); None without means."""
    means = space.languages
    if "en" not in means or len(means) < 2:
        return None
    codes = list(means)
    norms = np.array([_norm(means[code]) for code in codes])
    return codes[int(np.argmax((query[None, :] @ np.stack([means[c] for c in codes]).T) / norms))]


def _norm(vector: np.ndarray) -> float:
    return float(np.linalg.norm(vector)) or 1.0

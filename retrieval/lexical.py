"""Lexical index: BM25 over clause text, so exact names and numbers are found.

Text is tokenized as bm25s does it (English stop words, Snowball stemming, Russian's for
Cyrillic words; letters and their marks composed first, see lower) and scored with the BM25
variant bm25s calls "lucene" (k1 1.5, b 0.75), the same figures bm25s gives. The index is
kept here rather than in bm25s because bm25s can only be built whole: this one keeps each
clause's tokens under the hash of its text, so a re-index tokenizes only the clauses that
changed and recomputes the scores from arrays (at 100k clauses, about 0.7 s instead of
3.7 s).

On disk (a folder): `terms.json` (the vocabulary), per clause its token ids (`doc_ptr.npy`,
`doc_ids.npy`) and text hash (`hashes.npy`), and per term its clauses and their BM25 weights
(`term_ptr.npy`, `term_docs.npy`, `term_weights.npy`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

K1 = 1.5  # bm25s's defaults
B = 0.75
TERMS = "terms.json"
ARRAYS = ("doc_ptr", "doc_ids", "hashes", "term_ptr", "term_docs", "term_weights")
# read by the next build, and by questions only for the first clause (shared): left mapped
BUILD_ONLY = ("doc_ptr", "doc_ids", "hashes")


_CYRILLIC = re.compile("[\u0400-\u04ff]")


class ScriptStemmer:
    """Snowball's English stemmer, and its Russian one for a word in Cyrillic letters: a
    corpus in Russian matches "министров" with "министр" as one in English matches
    "ministers" with "minister". The script tells the language without a guess; Latin
    letters stay English's (Azerbaijani and Turkish words cannot be told from English ones
    by their letters alone). `stemWords` as PyStemmer's, so that bm25s takes it too."""

    def __init__(self, stemmer: Any) -> None:
        self.english = stemmer.Stemmer("english")
        self.russian = stemmer.Stemmer("russian")

    def stemWords(self, words: Sequence[str]) -> list[str]:  # noqa: N802 - PyStemmer's name
        cyrillic = [bool(_CYRILLIC.search(w)) for w in words]
        if not any(cyrillic):
            return list(self.english.stemWords(words))
        stems = list(words)
        for model, script in ((self.english, False), (self.russian, True)):
            rows = [i for i, c in enumerate(cyrillic) if c == script]
            for i, stem in zip(rows, model.stemWords([words[i] for i in rows]), strict=True):
                stems[i] = stem
        return stems


@lru_cache(maxsize=1)
def _stemmer() -> ScriptStemmer | None:
    try:
        import Stemmer

        return ScriptStemmer(Stemmer)
    except ImportError:  # stemming is an improvement, not a requirement
        return None


def _bm25s() -> Any:
    import bm25s

    # bm25s sets its own logger to DEBUG when imported; keep it at the level others use
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


@lru_cache(maxsize=1)
def _rules() -> tuple[Any, frozenset[str]]:
    """bm25s.tokenize's rules: its token pattern and its English stop words. The stop words
    are read from bm25s's own stopwords.py without importing the bm25s package, whose
    import (it brings scipy) costs a build or a cold question 0.4 s."""
    stopwords: Any = None
    spec = importlib.util.find_spec("bm25s")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        source = importlib.util.spec_from_file_location(
            "_bm25s_stopwords", f"{folder}/stopwords.py"
        )
        if source is not None and source.loader is not None:
            stopwords = importlib.util.module_from_spec(source)
            source.loader.exec_module(stopwords)
            break
    if stopwords is None:  # pragma: no cover - an unusual install: import it the usual way
        _bm25s()
        stopwords = importlib.import_module("bm25s.stopwords")
    return re.compile(r"(?u)\b\w\w+\b").findall, frozenset(stopwords.STOPWORDS_EN)


_STEMS: dict[str, str] = {}
STEM_CACHE_SIZE = 200_000
# what tokenize() gives (and the words retrieval.vocabulary counts), as an index's build
# inputs record it: a change (2: letters and marks composed, the capital dotted I read whole
# and "ё" as "е", see lower; Russian words stemmed as Russian, see ScriptStemmer) makes the
# next build tokenize every clause again
TOKENIZER = 2


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Each text's tokens as bm25s.tokenize(texts, stopwords="en", stemmer=ScriptStemmer)
    gives them for the text lowered by lower() (lower case, its token pattern, no stop words,
    stemmed; tests/test_lexical.py holds the two equal), with the stems of words seen before
    kept: a question costs a few microseconds instead of bm25s's half millisecond of
    progress-bar set-up per call."""
    split, stop = _rules()
    stemmer = _stemmer()
    words = [[w for w in split(lower(text)) if w not in stop] for text in texts]
    if stemmer is None:
        return words
    new = list({w for row in words for w in row if w not in _STEMS})
    if new:
        if len(_STEMS) + len(new) > STEM_CACHE_SIZE:
            _STEMS.clear()
            new = list({w for row in words for w in row})
        _STEMS.update(zip(new, stemmer.stemWords(new), strict=True))
    return [[_STEMS[w] for w in row] for row in words]


def lower(text: str) -> str:
    """Text in lower case as a word is compared. bm25s's token pattern does not count a
    combining mark as part of a word, so two things are done first. Letters written as a
    letter and a mark ("Chehade" and U+0301, as some PDF and macOS text has them) are
    composed: "Chehadé" however it was typed. And the capital dotted I of Turkish and
    Azerbaijani ("İnternet", "İstanbul") lowers to "i" and a combining dot (U+0307), which
    would leave "nternet": the dot is dropped, so that "İnternet" and "internet" are one
    token. Russian's "ё" is read as "е", as Russian text mostly writes it ("пройдёт",
    "пройдет")."""
    return unicodedata.normalize("NFC", text).lower().replace("\u0307", "").replace("ё", "е")


def text_hash(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest().encode("ascii")


class LexicalIndex:
    def __init__(
        self,
        terms: list[str],
        doc_ptr: np.ndarray,
        doc_ids: np.ndarray,
        hashes: np.ndarray,
        term_ptr: np.ndarray,
        term_docs: np.ndarray,
        term_weights: np.ndarray,
    ) -> None:
        self.terms = terms
        self.vocab = {term: i for i, term in enumerate(terms)}
        self.doc_ptr, self.doc_ids, self.hashes = doc_ptr, doc_ids, hashes
        self.term_ptr, self.term_docs, self.term_weights = term_ptr, term_docs, term_weights
        self.size = len(doc_ptr) - 1

    @classmethod
    def build(cls, texts: Sequence[str], previous: LexicalIndex | None = None) -> LexicalIndex:
        """Index `texts`, one document each. A text that `previous` holds (same hash) keeps
        its tokens from there; only the others are tokenized."""
        hashes = [text_hash(t) for t in texts]
        terms = list(previous.terms) if previous else []
        vocab = dict(previous.vocab) if previous else {}
        rows = {h: i for i, h in enumerate(previous.hashes.tolist())} if previous else {}
        parts: list[np.ndarray] = []
        todo = [i for i, h in enumerate(hashes) if h not in rows]
        fresh = dict(zip(todo, tokenize([texts[i] for i in todo]) if todo else [], strict=True))
        for i, h in enumerate(hashes):
            if i in fresh:
                ids = []
                for token in fresh[i]:
                    if token not in vocab:
                        vocab[token] = len(terms)
                        terms.append(token)
                    ids.append(vocab[token])
                parts.append(np.asarray(ids, dtype=np.int32))
            else:
                assert previous is not None
                row = rows[h]
                parts.append(previous.doc_ids[previous.doc_ptr[row] : previous.doc_ptr[row + 1]])
        lengths = np.array([len(p) for p in parts], dtype=np.int64)
        doc_ptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        doc_ids = np.concatenate(parts).astype(np.int32) if parts else np.zeros(0, np.int32)
        # keep only the terms still in use, in their order
        used = np.bincount(doc_ids, minlength=len(terms)) > 0
        new_id = np.cumsum(used) - 1
        doc_ids = new_id[doc_ids].astype(np.int32) if len(doc_ids) else doc_ids
        terms = [t for t, u in zip(terms, used.tolist(), strict=True) if u]
        hash_array = np.array(hashes, dtype="S32").reshape(len(hashes))
        return cls(terms, doc_ptr, doc_ids, hash_array, *_postings(doc_ptr, doc_ids, len(terms)))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / TERMS).write_text(json.dumps(self.terms, ensure_ascii=False), encoding="utf-8")
        for name in ARRAYS:
            np.save(folder / f"{name}.npy", getattr(self, name), allow_pickle=False)

    @classmethod
    def load(cls, folder: Path, size: int) -> LexicalIndex:
        terms = json.loads((folder / TERMS).read_text(encoding="utf-8"))
        if not isinstance(terms, list):
            raise ValueError(f"{folder / TERMS} is not a list of terms")
        # what only a rebuild reads stays on disk (mapped) until it does
        arrays = [
            np.load(
                folder / f"{name}.npy",
                allow_pickle=False,
                mmap_mode="r" if name in BUILD_ONLY else None,
            )
            for name in ARRAYS
        ]
        index = cls(terms, *arrays)
        if index.size != size or len(index.term_ptr) != len(terms) + 1:
            raise ValueError(f"lexical index at {folder} does not match its clauses")
        return index

    def scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every clause for the question's tokens (0 where none is shared);
        a token the question repeats counts each time, as in bm25s."""
        scores = np.zeros(self.size, dtype=np.float32)
        for token in tokens:
            term = self.vocab.get(token)
            if term is not None:
                start, end = self.term_ptr[term], self.term_ptr[term + 1]
                scores[self.term_docs[start:end]] += self.term_weights[start:end]
        return scores

    def knows(self, token: str) -> bool:
        """Whether a (tokenized) word occurs anywhere in the corpus."""
        return token in self.vocab

    def shared(self, doc: int, tokens: set[str]) -> int:
        """How many of `tokens` document `doc` holds (its tokens as indexed: no second
        tokenizing of its text)."""
        wanted = {self.vocab[t] for t in tokens if t in self.vocab}
        if not wanted:
            return 0
        own = self.doc_ids[self.doc_ptr[doc] : self.doc_ptr[doc + 1]]
        return len(wanted.intersection(own.tolist()))


def _postings(
    doc_ptr: np.ndarray, doc_ids: np.ndarray, n_terms: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per term, the documents that contain it and its BM25 weight in each (term_ptr,
    term_docs, term_weights)."""
    n_docs = len(doc_ptr) - 1
    lengths = np.diff(doc_ptr)
    if not len(doc_ids):
        return np.zeros(n_terms + 1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32)
    docs = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
    # one entry per (term, document), term-major, with the term's count in the document
    keys, tf = np.unique(doc_ids.astype(np.int64) * n_docs + docs, return_counts=True)
    term, doc = keys // n_docs, keys % n_docs
    df = np.bincount(term, minlength=n_terms)
    idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
    average = lengths.mean()
    tf = tf.astype(np.float64)
    weights = idf[term] * tf / (K1 * ((1 - B) + B * lengths[doc] / average) + tf)
    term_ptr = np.concatenate([[0], np.cumsum(df)]).astype(np.int64)
    return term_ptr, doc.astype(np.int32), weights.astype(np.float32)

"""Lexical index: BM25 over clause text (bm25s), so exact names and numbers are found."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    try:
        import Stemmer

        return Stemmer.Stemmer("english")
    except ImportError:  # stemming is an improvement, not a requirement
        return None


def _bm25s() -> Any:
    import bm25s

    # bm25s sets its own logger to DEBUG when imported; keep it at the level others use
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    bm25s = _bm25s()
    tokens: list[list[str]] = bm25s.tokenize(
        list(texts), stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False
    )
    return tokens


class LexicalIndex:
    def __init__(self, retriever: Any, size: int) -> None:
        self._retriever = retriever
        self.size = size

    @classmethod
    def build(cls, texts: Sequence[str]) -> LexicalIndex:
        bm25s = _bm25s()

        retriever = bm25s.BM25()
        if texts:
            corpus = bm25s.tokenize(
                list(texts), stopwords="en", stemmer=_stemmer(), show_progress=False
            )
            retriever.index(corpus, show_progress=False)
        return cls(retriever, len(texts))

    def save(self, folder: Path) -> None:
        if self.size:
            self._retriever.save(str(folder))

    @classmethod
    def load(cls, folder: Path, size: int) -> LexicalIndex:
        bm25s = _bm25s()

        if not size:
            return cls(bm25s.BM25(), 0)
        return cls(bm25s.BM25.load(str(folder)), size)

    def scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every clause for the question's tokens (0 where none is shared)."""
        if not self.size:
            return np.zeros(0, dtype=np.float32)
        if not tokens:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)

    def knows(self, token: str) -> bool:
        """Whether a (tokenized) word occurs anywhere in the corpus."""
        return bool(self.size) and token in self._retriever.vocab_dict

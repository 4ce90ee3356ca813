"""Documents that are translations of one another, and which clause of one says what a clause
of the other says: an answer quotes such a clause once, in the asker's language where the
corpus has it, and names where its other versions stand.

A corpus of documents in several languages (language.unit_languages) often holds one text in
several: a law in Azerbaijani with its English and Russian translations. Read across
languages, each version of a clause scores about as well as the others, so that an answer's
three passages were one clause in three languages, the asker's own not always first.

Two clauses are versions of one another when each is the other's nearest among all the
clauses of its language (the multilingual model's whole-clause vectors; mutual nearest
neighbours, as bitext mining pairs sentences), and two documents are when such pairs, in
reading order, pair at least half of the longer one's clauses: clauses that lie near each
other by chance do not line up in order over a whole document (the benchmark's English
articles beside the bundled documents in Russian pair none). Between two such pairs, a
clause of each document standing in the same place is paired too (_filled). Nothing here is
a threshold on a cosine, and nothing is read for a corpus in one language. Each document is
read the first time one of its clauses is ranked (a product of its clauses with each other
language's), and kept for the index's generation.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from retrieval.language import unit_languages
from retrieval.loaded import LoadedIndex
from retrieval.types import Clause

if TYPE_CHECKING:
    from retrieval.ranking import Hit, Ranking

MIN_PAIRED = 2  # clauses paired in order, at least, for two documents to be versions


@dataclass
class Versions:
    """The versions found so far of the clauses of the documents read (LoadedIndex.versions):
    clause index -> {language: its version's clause index}."""

    languages: np.ndarray  # each clause's language
    vectors: np.ndarray  # each clause's whole-clause vector (the primary model's)
    documents: list[str]  # each clause's document
    by_document: dict[str, np.ndarray]  # each document's clause indices, in reading order
    position: dict[tuple[str, int], int]  # each clause's index, by document and number
    pairs: dict[int, dict[str, int]] = field(default_factory=dict)
    read: set[str] = field(default_factory=set)  # the documents read
    # the pairs of documents weighed (each once: its lining up is not read again the other
    # way round, which may pick another run of as many pairs)
    weighed: set[tuple[str, str]] = field(default_factory=set)

    def of(self, clause: int) -> dict[str, int]:
        """The clause's versions in other languages (its document read first if need be)."""
        if self.documents[clause] not in self.read:
            self._read(self.documents[clause])
        return self.pairs.get(clause, {})

    def _read(self, doc_id: str) -> None:
        own = self.by_document[doc_id]
        language = self.languages[own[0]]
        ours = np.flatnonzero(self.languages == language)
        for other in sorted(set(self.languages.tolist()) - {language}):
            theirs = np.flatnonzero(self.languages == other)
            nearest = theirs[np.argmax(self.vectors[own] @ self.vectors[theirs].T, axis=1)]
            found = np.unique(nearest)
            back = ours[np.argmax(self.vectors[found] @ self.vectors[ours].T, axis=1)]
            nearest_back = dict(zip(found.tolist(), back.tolist(), strict=True))
            mutual = [
                (a, b)
                for a, b in zip(own.tolist(), nearest.tolist(), strict=True)
                if nearest_back[b] == a
            ]
            for document in sorted({self.documents[b] for _, b in mutual}):
                if (document, doc_id) in self.weighed:
                    continue
                self.weighed.add((doc_id, document))
                paired = _in_order([(a, b) for a, b in mutual if self.documents[b] == document])
                longer = max(len(own), len(self.by_document[document]))
                if len(paired) >= max(MIN_PAIRED, (longer + 1) // 2):
                    for a, b in _filled(paired, own, self.by_document[document]):
                        self.pairs.setdefault(a, {})[other] = b
                        self.pairs.setdefault(b, {})[language] = a
        self.read.add(doc_id)


def _in_order(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of pairs (in the order of their first clause) whose second clauses
    come in order too: those that line the two documents up."""
    pairs = sorted(pairs)
    tails: list[int] = []  # the smallest last second clause of a run of each length
    ends: list[int] = []  # which pair ends it
    before = [-1] * len(pairs)
    for i, (_, b) in enumerate(pairs):
        at = bisect.bisect_left(tails, b)
        before[i] = ends[at - 1] if at else -1
        if at == len(tails):
            tails.append(b)
            ends.append(i)
        else:
            tails[at], ends[at] = b, i
    run: list[tuple[int, int]] = []
    i = ends[-1] if ends else -1
    while i >= 0:
        run.append(pairs[i])
        i = before[i]
    return run[::-1]


def _filled(
    pairs: list[tuple[int, int]], own: np.ndarray, theirs: np.ndarray
) -> list[tuple[int, int]]:
    """The pairs of two documents that are versions of one another, with the clauses between
    two pairs (or before the first, or after the last) paired in turn where as many stand on
    each side: a clause whose nearest version lay elsewhere ("the Baku Declaration was
    discussed" nearer the letter's "Encl.: Baku Declaration") is paired by its place, as
    sentence aligners fill a gap between anchors."""
    at_own = {int(c): n for n, c in enumerate(own)}
    at_theirs = {int(c): n for n, c in enumerate(theirs)}
    anchors = [(at_own[a], at_theirs[b]) for a, b in pairs]
    bounds = [(-1, -1), *anchors, (len(own), len(theirs))]
    filled: list[tuple[int, int]] = []
    for (a, b), (next_a, next_b) in itertools.pairwise(bounds):
        if (a, b) != (-1, -1):
            filled.append((int(own[a]), int(theirs[b])))
        if next_a - a == next_b - b:
            filled += [(int(own[i]), int(theirs[b + i - a])) for i in range(a + 1, next_a)]
    return filled


def versions(loaded: LoadedIndex) -> Versions | None:
    """The index's Versions (None for a corpus in one language)."""
    units = unit_languages(loaded)
    if units is None or not loaded.spaces:
        return None
    if loaded.versions is None:
        starts = loaded.unit_starts
        documents = [clause.doc_id for clause in loaded.clauses]
        by_document: dict[str, list[int]] = {}
        for index, doc_id in enumerate(documents):
            by_document.setdefault(doc_id, []).append(index)
        loaded.versions = Versions(
            units[starts],
            np.asarray(loaded.spaces[0].vectors[starts], dtype=np.float32),
            documents,
            {doc_id: np.array(clauses) for doc_id, clauses in by_document.items()},
            {(c.doc_id, c.number): index for index, c in enumerate(loaded.clauses)},
        )
    return loaded.versions


def version_in(loaded: LoadedIndex, clause: int, language: str | None) -> int:
    """The clause's version in `language` where the corpus has one, else the clause."""
    found = versions(loaded)
    if found is None or language is None:
        return clause
    return found.of(clause).get(language, clause)


def wanted(loaded: LoadedIndex, k: int) -> int:
    """How many clauses to rank for `k` passages: one clause may stand for its versions in
    each of the corpus's languages (one_version)."""
    units = unit_languages(loaded)
    return k if units is None else k * len(set(units.tolist()))


def one_version(loaded: LoadedIndex, ranking: Ranking, k: int) -> Ranking:
    """The first `k` hits with each clause quoted once: a clause whose version an earlier hit
    quotes is left out, and each is quoted in the question's language (Ranking.language)
    where a version is in it, the others named in Hit.versions."""
    found = versions(loaded)
    if found is None:
        return replace(ranking, hits=ranking.hits[:k])
    ranked = {found.position[hit.clause.doc_id, hit.clause.number]: hit for hit in ranking.hits}
    hits: list[Hit] = []
    for clause, chosen, rest in _once(found, ranked, ranking.language):
        if len(hits) == k:
            break
        hit = ranked[clause]
        named = tuple(loaded.clauses[i] for i in rest)
        if chosen == clause:
            hits.append(replace(hit, versions=named))
        else:
            span = _matching_sentence(loaded, clause, hit.highlight, chosen)
            hits.append(replace(hit, clause=loaded.clauses[chosen], highlight=span, versions=named))
    return replace(ranking, hits=tuple(hits))


def quoted_once(
    loaded: LoadedIndex, clauses: Sequence[Clause], language: str | None
) -> list[tuple[Clause, tuple[Clause, ...]]]:
    """The clauses (those standing at a place a question names: retrieval.lookup), each
    quoted once as one_version quotes them, with its versions."""
    found = versions(loaded)
    if found is None:
        return [(clause, ()) for clause in clauses]
    asked = (found.position[clause.doc_id, clause.number] for clause in clauses)
    return [
        (loaded.clauses[chosen], tuple(loaded.clauses[i] for i in rest))
        for _, chosen, rest in _once(found, asked, language)
    ]


def _once(
    found: Versions, clauses: Iterable[int], language: str | None
) -> Iterator[tuple[int, int, tuple[int, ...]]]:
    """Each clause, in turn, that no earlier one stands for: with the version to quote (the
    one in `language`, where there is one) and the rest of its versions."""
    shown: set[int] = set()
    for clause in clauses:
        if clause in shown:
            continue
        others = found.of(clause)
        chosen = others.get(language, clause) if language else clause
        # with the chosen one's own versions (three languages are paired two by two)
        group = {clause, *others.values(), *found.of(chosen).values()}
        shown |= group
        yield clause, chosen, tuple(sorted(group - {chosen}))


def _matching_sentence(
    loaded: LoadedIndex,
    clause: int,
    span: tuple[int, int] | None,
    version: int,
) -> tuple[int, int] | None:
    """The sentence of `version` that says what the span (a sentence) of `clause` says: the
    one whose vector is nearest the span's."""
    if span is None:
        return None
    vectors = loaded.spaces[0].vectors
    start, end = loaded.unit_range(clause)
    rows = loaded.units[start:end]
    at = np.flatnonzero((rows[:, 1] == span[0]) & (rows[:, 2] == span[1]))
    first, last = loaded.unit_range(version)
    sentences = first + np.flatnonzero(loaded.units[first:last, 1] >= 0)
    if not len(at) or not len(sentences):
        return None
    nearest = int(sentences[np.argmax(vectors[sentences] @ vectors[start + int(at[0])])])
    return int(loaded.units[nearest, 1]), int(loaded.units[nearest, 2])

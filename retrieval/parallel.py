"""Documents that are translations of one another, and which clause of one says what a clause
of the other says: an answer quotes such a clause once, in the asker's language where the
corpus has it, and names where its other versions stand; and so a clause other documents
repeat word for word (copies).

A corpus of documents in several languages (language.mixed_languages) often holds one text in
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

import numpy as np

from retrieval.language import mixed_languages, nearest_languages, unit_language_names
from retrieval.loaded import LoadedIndex
from retrieval.types import Clause, Hit, Ranking

MIN_PAIRED = 2  # clauses paired in order, at least, for two documents to be versions


@dataclass
class Versions:
    """The versions found so far of the clauses of the documents read (LoadedIndex.versions):
    clause index -> {language: its version's clause index}."""

    languages: np.ndarray  # each clause's language
    names: tuple[str, ...]  # the corpus's languages, in order (language.Mixed.names)
    vectors: np.ndarray  # each clause's whole-clause vector (the primary model's)
    documents: list[str]  # each clause's document
    by_document: dict[str, np.ndarray]  # each document's clause indices, in reading order
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

    def read_by(self, clause: int, language: str) -> int:
        """The version of the clause a reader of `language` reads best: the one in it where
        there is one, else the one in the language written nearest it
        (language.nearest_languages: a Turkish reader gets the Azerbaijani version, a German
        one the English), the clause itself among them."""
        found = {**self.of(clause), str(self.languages[clause]): clause}
        return next(
            found[name] for name in nearest_languages(language, self.names) if name in found
        )

    def _read(self, doc_id: str) -> None:
        own = self.by_document[doc_id]
        language = self.languages[own[0]]
        ours = np.flatnonzero(self.languages == language)
        for other in (name for name in self.names if name != language):
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
    each side: a clause whose nearest version lay elsewhere (a sentence naming a document,
    nearer a line that names it alone in the translation) is paired by its place, as
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
    languages = mixed_languages(loaded)
    if languages is None or not loaded.spaces:
        return None
    if loaded.versions is None:
        starts = loaded.unit_starts
        loaded.versions = Versions(
            languages.clauses,
            languages.names,
            np.asarray(loaded.spaces[0].vectors[starts], dtype=np.float32),
            [clause.doc_id for clause in loaded.clauses],
            {doc_id: np.array(loaded.of_document(doc_id)) for doc_id in loaded.documents},
        )
    return loaded.versions


def copies(loaded: LoadedIndex) -> dict[int, tuple[int, ...]]:
    """Each clause whose words another clause repeats word for word (a footer on every page
    of a manual, a law's formula in each of a corpus's laws, a document saved twice): the
    clauses with its text, itself among them. Read from the lexical index's hashes of the
    clauses' text, once a generation."""
    if loaded.copies is None:
        hashes = np.asarray(loaded.lexical.hashes)
        found: dict[int, tuple[int, ...]] = {}
        if len(hashes) == len(loaded.clauses):
            _, inverse, counts = np.unique(hashes, return_inverse=True, return_counts=True)
            repeated = np.flatnonzero(counts[inverse] > 1)
            by_text: dict[int, list[int]] = {}
            for clause in repeated.tolist():
                by_text.setdefault(int(inverse[clause]), []).append(clause)
            found = {c: tuple(same) for same in by_text.values() for c in same}
        loaded.copies = found
    return loaded.copies


def version_in(loaded: LoadedIndex, clause: int, language: str | None) -> int:
    """The clause's version a reader of `language` reads best (Versions.read_by): the one
    quoted (one_version). The clause itself in a corpus without versions."""
    found = versions(loaded)
    if found is None or language is None:
        return clause
    return found.read_by(clause, language)


def wanted(loaded: LoadedIndex, k: int) -> int:
    """How many clauses to rank for `k` passages, at first: one clause may stand for its
    versions in each of the corpus's languages, and for its copies (one_version; the
    engine ranks more where that leaves fewer than `k`)."""
    languages = max(1, len(unit_language_names(loaded)))
    return k * languages * (2 if copies(loaded) else 1)


def one_version(loaded: LoadedIndex, ranking: Ranking, k: int) -> Ranking:
    """The first `k` hits with each clause quoted once: a clause that an earlier hit stands
    for (its version in another language, or its words word for word) is left out, and each
    is quoted in the version a reader of the question's language (Ranking.language) reads
    best (Versions.read_by: its own language's, else the nearest's), the others named in
    Hit.versions."""
    same = _Same(loaded)
    if not same:
        return replace(ranking, hits=ranking.hits[:k])
    ranked = {hit.index if hit.index >= 0 else same.index(hit.clause): hit for hit in ranking.hits}
    hits: list[Hit] = []
    for clause, chosen, rest in same.once(ranked, ranking.language):
        if len(hits) == k:
            break
        hit = ranked[clause]
        named = tuple(loaded.clauses[i] for i in rest)
        if chosen == clause:
            hits.append(replace(hit, versions=named))
        else:
            span = _matching_sentence(loaded, clause, hit.highlight, chosen)
            version = loaded.clauses[chosen]
            hits.append(replace(hit, clause=version, highlight=span, versions=named, index=chosen))
    return replace(ranking, hits=tuple(hits))


def quoted_once(
    loaded: LoadedIndex, clauses: Sequence[Clause], language: str | None
) -> list[tuple[Clause, tuple[Clause, ...]]]:
    """The clauses (those standing at a place a question names: retrieval.lookup), each
    quoted once as one_version quotes them, with the others it stands for."""
    same = _Same(loaded)
    if not same:
        return [(clause, ()) for clause in clauses]
    return [
        (loaded.clauses[chosen], tuple(loaded.clauses[i] for i in rest))
        for _, chosen, rest in same.once(map(same.index, clauses), language)
    ]


class _Same:
    """What a clause stands for: its versions in the corpus's other languages (Versions) and
    its copies word for word (copies)."""

    def __init__(self, loaded: LoadedIndex) -> None:
        self.loaded = loaded
        self.versions = versions(loaded)
        self.copies = copies(loaded)

    def __bool__(self) -> bool:
        return self.versions is not None or bool(self.copies)

    def index(self, clause: Clause) -> int:
        """The clause's index in LoadedIndex.clauses (where no ranking gave it: a clause
        asked for by its place)."""
        index = self.loaded.index_of(clause.doc_id, clause.number)
        assert index is not None, clause
        return index

    def of(self, clause: int) -> set[int]:
        """The clause, its copies, and its versions (with theirs' copies)."""
        found = {clause, *self.copies.get(clause, ())}
        if self.versions is not None:
            for version in self.versions.of(clause).values():
                found.update((version, *self.copies.get(version, ())))
        return found

    def once(
        self, clauses: Iterable[int], language: str | None
    ) -> Iterator[tuple[int, int, tuple[int, ...]]]:
        """Each clause, in turn, that no earlier one stands for: with the clause to quote
        (its version a reader of `language` reads best) and the rest it stands for."""
        shown: set[int] = set()
        for clause in clauses:
            if clause in shown:
                continue
            chosen = clause
            if self.versions is not None and language:
                chosen = self.versions.read_by(clause, language)
            # with the chosen one's own (three languages are paired two by two)
            group = self.of(clause) | self.of(chosen)
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

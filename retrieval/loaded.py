"""One generation of the index in memory (LoadedIndex), each model's view of it (Space), and
the FAISS index over a model's vectors (dense_index)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.late import TokenStates
from retrieval.lexical import LexicalIndex
from retrieval.numbering import NOTE, NOTE_MARK
from retrieval.reflow import wrap_width
from retrieval.types import HEADINGS_JOINED, Clause, DocumentInfo
from retrieval.vocabulary import common_names

MAX_FOOTNOTES = 5  # quoted after a clause that calls them (LoadedIndex.footnotes)
# a mark calling one, after a word or a stop ("… portal.[2]", markdown's "… portal.[^2]")
_MARK = re.compile(rf"(?<=\S)\[\^?({NOTE_MARK})\]")
ANN_ABOVE = 200_000  # more vectors than this: an approximate (IVF) index instead of exact
ANN_PROBES = 48


def dense_index(vectors: np.ndarray, dim: int, exact_up_to: int = ANN_ABOVE) -> Any:
    """Exact inner-product search up to `exact_up_to` vectors; above, an inverted-file index
    (trained on a seeded sample) that scans ANN_PROBES of its lists per question."""
    import faiss

    ids = np.arange(len(vectors), dtype=np.int64)
    if len(vectors) <= exact_up_to:
        index = faiss.IndexIDMap(faiss.IndexFlatIP(dim))
        if len(vectors):
            index.add_with_ids(vectors, ids)
        return index
    lists = min(4096, int(4 * np.sqrt(len(vectors))))
    quantizer = faiss.IndexFlatIP(dim)
    ivf = faiss.IndexIVFFlat(quantizer, dim, lists, faiss.METRIC_INNER_PRODUCT)
    sample = np.random.default_rng(0).choice(
        len(vectors), size=min(len(vectors), 64 * lists), replace=False
    )
    ivf.train(vectors[np.sort(sample)])
    ivf.add_with_ids(vectors, ids)
    ivf.nprobe = ANN_PROBES
    return ivf


class StoredIndex:
    """A FAISS index file, read when first used. A corpus of at most ANN_ABOVE units is
    scored against every vector (scores.unit_scores) and never searches its FAISS index:
    loading it then would only import FAISS, a twentieth of a cold `clausebot ask`."""

    def __init__(self, path: Path, count: int) -> None:
        self._path, self._count = path, count
        self._index: Any = None

    def _read(self) -> Any:
        if self._index is None:
            self._index = read_dense(self._path, self._count)
        return self._index

    def __getattr__(self, name: str) -> Any:
        return getattr(self._read(), name)


def read_dense(path: Path, count: int) -> Any:
    """The FAISS index in `path`, which must hold `count` vectors (ValueError if not)."""
    import faiss

    index = faiss.read_index(str(path))
    if index.ntotal != count:
        raise ValueError(f"{path.name} holds {index.ntotal} vectors, not {count}")
    return index


@dataclass(frozen=True)
class Space:
    """One model's view of the index: a vector per unit, per off-topic passage, per word."""

    model: str
    vectors: np.ndarray
    dense: Any  # faiss.Index over `vectors`, ids = unit numbers (or a StoredIndex of one)
    background: np.ndarray
    words: np.ndarray  # empty except for the first model
    english_only: bool
    everyday: np.ndarray | None = None  # None except for the first model (if built with it)
    languages: dict[str, np.ndarray] = field(default_factory=dict)  # see language_means
    # the everyday questions of each language, as questions (first model only): see
    # scores.hubness
    asked: dict[str, np.ndarray] = field(default_factory=dict)
    hubs: dict[str, np.ndarray] = field(default_factory=dict, repr=False)  # scores.hubness
    # evidence.language_level, by language and reading
    levels: dict[tuple[str, str], float] = field(default_factory=dict, repr=False)


@dataclass
class LoadedIndex:
    """One generation of the index, in memory."""

    folder: Path
    manifest: dict[str, Any]
    documents: dict[str, DocumentInfo]
    clauses: list[Clause]
    units: np.ndarray  # (units x 3): clause index, sentence start, end (see Units)
    spaces: list[Space]  # the first is the primary model
    lexical: LexicalIndex  # one document per clause
    words: list[str]  # the corpus vocabulary, in the order of Space.words
    names: frozenset[str] = frozenset()  # see retrieval.vocabulary.names
    tokens: TokenStates | None = None  # the first model's, of each clause (retrieval.late)
    written_in: str | None = None  # the clauses' language, as the build found it (language.py)
    # the documents not in that language, and theirs, as the build found them (None: an
    # index built before builds did; language.document_languages)
    document_languages: dict[str, str] | None = None
    _starts: np.ndarray | None = field(default=None, repr=False)
    _common: frozenset[str] | None = field(default=None, repr=False)
    _language: str | None = field(default=None, repr=False)  # see language.corpus_language
    _mixed: Any = field(default=None, repr=False)  # language.mixed_languages
    # each document's citations' language, as read so far (citation.citation_language)
    cited_in: dict[str, str] = field(default_factory=dict, repr=False)
    # how many of the headings each document's headed clauses stand under all of them
    # stand under (a title over the whole document), as read so far (citation.heading_named)
    shared_headings: dict[str, int] = field(default_factory=dict, repr=False)
    _by_number: dict[tuple[str, int], int] | None = field(default=None, repr=False)
    _items: dict[tuple[str, int], list[Clause]] | None = field(default=None, repr=False)
    _notes: dict[tuple[str, str], list[Clause]] | None = field(default=None, repr=False)
    _widths: dict[str, int] | None = field(default=None, repr=False)  # see wrap
    _of_document: dict[str, list[int]] | None = field(default=None, repr=False)  # of_document
    # the word bridge's lookups: (model, question word) -> the corpus word it means, or None
    # (bridge.lookup); they hold for this generation of the index only
    translations: dict[tuple[str, str], str | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    # the places in the documents' numbering (retrieval.lookup.Places), for questions that
    # ask for a clause by its place; read once a generation
    places: Any = field(default=None, init=False, repr=False, compare=False)
    # the clauses' versions in other languages (retrieval.parallel.Versions), found as they
    # are ranked; for this generation of the index
    versions: Any = field(default=None, init=False, repr=False, compare=False)
    # the clauses whose words another repeats word for word (retrieval.parallel.copies); read
    # once a generation, as needed
    copies: dict[int, tuple[int, ...]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def model(self) -> str:
        return str(self.manifest["model"])

    @property
    def generation(self) -> str:
        return self.folder.name

    @property
    def root(self) -> Path:
        """The index's own folder, which holds its generations (retrieval.store) and what
        outlives them (retrieval.word_vectors)."""
        return self.folder.parent

    @property
    def unit_starts(self) -> np.ndarray:
        """Index of each clause's first unit (units are grouped by clause, in order)."""
        if self._starts is None:
            self._starts = np.searchsorted(self.units[:, 0], np.arange(len(self.clauses)))
        return self._starts

    @property
    def common_names(self) -> frozenset[str]:
        """See common_names: the words every document's metadata shares."""
        if self._common is None:
            self._common = common_names(self.documents.values())
        return self._common

    def clause(self, doc_id: str, number: int) -> Clause | None:
        """A document's clause by its number, None if it has none of that number."""
        index = self.index_of(doc_id, number)
        return None if index is None else self.clauses[index]

    def index_of(self, doc_id: str, number: int) -> int | None:
        """The index in `clauses` of a document's clause by its number (None if it has none)."""
        if self._by_number is None:
            self._by_number = {(c.doc_id, c.number): n for n, c in enumerate(self.clauses)}
        return self._by_number.get((doc_id, number))

    def of_document(self, doc_id: str) -> list[int]:
        """The indices in `clauses` of a document's clauses, in reading order (all documents
        grouped once a generation)."""
        if self._of_document is None:
            self._of_document = {}
            for index, clause in enumerate(self.clauses):
                self._of_document.setdefault(clause.doc_id, []).append(index)
        return self._of_document.get(doc_id, [])

    def wrap(self, doc_id: str) -> int:
        """The width a document's lines are wrapped at (retrieval.reflow.wrap_width), 0
        where they are not."""
        if self._widths is None:
            self._widths = {
                doc: wrap_width(info.format, [self.clauses[i] for i in self.of_document(doc)])
                for doc, info in self.documents.items()
            }
        return self._widths.get(doc_id, 0)

    def leads(self, clause: Clause, deepest: int = 6) -> tuple[Clause, ...]:
        """The clauses that open the list `clause` is an item of, and the items it is
        nested in, outermost first (Clause.lead)."""
        found: list[Clause] = []
        lead = clause.lead
        while lead and lead < clause.number and len(found) < deepest:
            opening = self.clause(clause.doc_id, lead)
            if opening is None:
                break
            found.append(opening)
            clause, lead = opening, opening.lead
        return tuple(reversed(found))

    def heading_question(self, clause: Clause) -> tuple[str, bool]:
        """The question the document sets over `clause`, where the heading it stands under
        asks one (a page of questions and answers, whose questions segment reads as the
        headings of their answers; a section titled "Who may apply?"), and whether clauses
        of the same answer stand between the two; ("", False) where it asks nothing. Only a
        question is quoted with its answer: other headings name a part of the document (a
        title over all of it, "General provisions"), which the answer reads without."""
        question = clause.heading.rsplit(HEADINGS_JOINED, 1)[-1]
        if not question.endswith("?"):
            return "", False
        before = self.clause(clause.doc_id, clause.number - 1)
        return question, before is not None and before.heading == clause.heading

    def items(self, clause: Clause) -> tuple[Clause, ...]:
        """The items of the list `clause` opens (those whose Clause.lead it is), in order."""
        if self._items is None:
            self._items = {}
            for item in self.clauses:
                if item.lead:
                    self._items.setdefault((item.doc_id, item.lead), []).append(item)
        return tuple(self._items.get((clause.doc_id, clause.number), ()))

    def footnotes(self, clause: Clause, most: int = MAX_FOOTNOTES) -> tuple[Clause, ...]:
        """The footnotes a clause's marks call ("[1]"): the clauses of its document that are
        those notes ("[1] By the Board.", as the readers of DOCX and ODT files set them at
        the end), at most `most`; none where the document has no such clause (a mark of
        Wikipedia's text, "[12]", calls no note of the corpus). Of the notes with a mark's
        number, the first after the clause: a document that numbers its notes afresh on
        each page (or chapter) sets each under its marks; the last before it if none
        follows."""
        if self._notes is None:
            self._notes = {}
            for note in self.clauses:  # in reading order
                found = NOTE.match(note.text)
                if found:
                    self._notes.setdefault((note.doc_id, found.group(1)), []).append(note)
        if not self._notes:
            return ()
        called = dict.fromkeys(_MARK.findall(clause.text))
        notes = (_nearest(self._notes.get((clause.doc_id, mark), []), clause) for mark in called)
        return tuple(n for n in notes if n is not None and n != clause)[:most]

    def unit_range(self, clause: int) -> tuple[int, int]:
        starts = self.unit_starts
        end = int(starts[clause + 1]) if clause + 1 < len(starts) else len(self.units)
        return int(starts[clause]), end


def _nearest(notes: list[Clause], clause: Clause) -> Clause | None:
    """The first of a number's notes after the clause, or the last before it."""
    after = bisect.bisect_right([note.number for note in notes], clause.number)
    return notes[after] if after < len(notes) else notes[-1] if notes else None

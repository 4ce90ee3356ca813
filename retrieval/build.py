"""Building the index: a new generation from the documents, reusing what the current one
has (vectors by content hash, clauses and word counts of unchanged documents, BM25 tokens),
written beside it and swapped in atomically under the store's lock (retrieval.store).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections import ChainMap, Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.corpus import CorpusProblem, fsync_path
from retrieval.embed import Embedder, token_states
from retrieval.generations import clean_leftovers, prune, publish
from retrieval.language import document_languages, written_in
from retrieval.lexical import TOKENIZER, LexicalIndex
from retrieval.loaded import dense_index
from retrieval.progress import Reporter
from retrieval.reference import (
    background_passages,
    everyday_languages,
    everyday_questions,
    inputs_digest,
    shipped_vectors,
)
from retrieval.store import (
    CLAUSES,
    LEXICAL,
    MANIFEST,
    SCHEMA_VERSION,
    SEGMENTER_VERSION,
    UNITS,
    IndexStore,
    dense_file,
    document_checksum,
    file_checksum,
    manifest_checksum,
    read_tokens,
    vectors_file,
    write_tokens,
)
from retrieval.types import Clause, Document
from retrieval.units import Units, lexical_text, plan_units, whole_units
from retrieval.vectors import (
    SpacePlan,
    SpilledStates,
    content_hash,
    embed_all,
    plan_vectors,
)
from retrieval.vocabulary import count_words, names, stored_counts, vocabulary

log = logging.getLogger(__name__)


def build_inputs(embedders: Sequence[Embedder]) -> dict[str, Any]:
    """Everything besides the documents that decides what a build produces."""
    return {
        "models": [e.name for e in embedders],
        # an index without token states is built again by an engine that gives them
        "token_states": bool(embedders) and token_states(embedders[0]),
        "segmenter": SEGMENTER_VERSION,
        "tokenizer": TOKENIZER,
        **inputs_digest(),
    }


@dataclass(frozen=True)
class BuildReport:
    documents: int
    clauses: int
    embedded: int
    reused: int
    removed: int
    seconds: float
    skipped: tuple[CorpusProblem, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "documents": self.documents,
            "clauses": self.clauses,
            "embedded": self.embedded,
            "reused": self.reused,
            "removed": self.removed,
            "seconds": round(self.seconds, 3),
        }
        if self.skipped:
            out["skipped"] = [{"path": p.path, "reason": p.reason} for p in self.skipped]
        return out


@dataclass
class _Previous:
    """What the current generation offers a new build."""

    vectors: dict[str, np.ndarray] = field(default_factory=dict)  # content hash -> vector
    clause_hashes: set[str] = field(default_factory=set)
    clauses: dict[str, list[Clause]] = field(default_factory=dict)  # by document
    word_counts: dict[str, Counter[str]] = field(default_factory=dict)  # by document
    documents: dict[str, str] = field(default_factory=dict)  # document checksums
    inputs: dict[str, Any] | None = None
    lexical: LexicalIndex | None = None  # its clauses' tokens, by the hash of their text
    states: dict[str, np.ndarray] = field(default_factory=dict)  # unit hash -> token states


def _clause_record(clause: Clause, digest: str) -> dict[str, Any]:
    # by hand: dataclasses.asdict is ten times slower, which shows at 100k clauses
    return {
        "doc_id": clause.doc_id,
        "number": clause.number,
        "start": clause.start,
        "end": clause.end,
        "text": clause.text,
        "label": clause.label,
        "heading": clause.heading,
        "page": clause.page,
        "ref": clause.ref,
        "section": clause.section,
        "lead": clause.lead,
        "hash": digest,
    }


def _write_json(path: Path, data: Any) -> None:
    with path.open("w", encoding="utf-8") as handle:
        # json.dumps runs the C encoder; json.dump to a file would run the Python one
        handle.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        handle.flush()
        os.fsync(handle.fileno())


def build_index(
    store: IndexStore,
    documents: Sequence[Document],
    embedders: Sequence[Embedder],
    skipped: Sequence[CorpusProblem] = (),
    progress: Reporter = None,
    corpus_files: Sequence[tuple[str, int, int]] | None = None,
) -> BuildReport:
    """Build a new generation from `documents`, embedding only what the current one lacks.
    `corpus_files`, the corpus folder's signature read before its documents were
    (folder.corpus_signature), is kept in the manifest: what tells later whether the corpus
    has changed since, without reading it (retrieval.status)."""
    started = time.monotonic()
    with store.lock():
        clean_leftovers(store.root)
        inputs = {
            **build_inputs(embedders),
            "context": store.context,
            "sentence_units": store.sentence_units,
            "role_units": store.role_units,
        }
        checksums = {d.doc_id: document_checksum(d) for d in documents}
        current = store.checked_current()
        if (
            current
            and current[1].get("inputs") == inputs
            and current[1].get("documents") == checksums
        ):
            count = int(current[1].get("clause_count", 0))  # nothing to do
            return BuildReport(
                len(documents), count, 0, count, 0, time.monotonic() - started, tuple(skipped)
            )
        previous = _previous(*current) if current else _Previous()
        # documents whose text is unchanged keep their clauses and word counts
        same = {
            doc_id
            for doc_id, checksum in checksums.items()
            if previous.inputs == inputs
            and previous.documents.get(doc_id) == checksum
            and doc_id in previous.clauses
        }
        units = plan_units(
            documents,
            store.context,
            store.sentence_units,
            {doc_id: previous.clauses[doc_id] for doc_id in same},
            store.role_units,
        )
        by_document: dict[str, list[Clause]] = {}
        for clause in units.clauses:
            by_document.setdefault(clause.doc_id, []).append(clause)
        word_counts = {
            d.doc_id: previous.word_counts[d.doc_id]
            if d.doc_id in same and d.doc_id in previous.word_counts
            else count_words(lexical_text(c) for c in by_document.get(d.doc_id, []))
            for d in documents
        }
        whole = whole_units(units.rows)
        everyday = everyday_questions()
        texts = {
            "units": units.texts,
            "background": background_passages(),
            "words": vocabulary(word_counts.values()),
            "everyday": everyday,
            "asked": everyday,  # the same questions, embedded as questions
        }
        # vectors known already: this index's before, and the reference sets' as shipped
        known = ChainMap(previous.vectors, shipped_vectors())  # looked up, not copied
        plans = plan_vectors(embedders, texts, known, whole.tolist(), previous.states)
        changed = {int(units.rows[u, 0]) for p in plans for u in p.todo["units"]}
        announce = getattr(progress, "documents", None)
        if announce is not None:
            todo = Counter(units.clauses[i].doc_id for i in changed)
            announce(
                {d: (len(c), todo[d]) for d, c in by_document.items()},
                sum(p.count for p in plans),
            )
        # new token states go to a file beside the generations until they are written
        # (vectors.SpilledStates), removed when the build ends, written or failed (a build
        # killed on the way leaves it to the next one's clean_leftovers)
        spill = store.root / f".building-states-{time.time_ns()}"
        spaces = embed_all(plans, texts, known, progress, previous.states, spill)
        try:
            clause_hashes = [
                content_hash("clause", t) for t, w in zip(units.texts, whole, strict=True) if w
            ]
            removed = len(previous.clause_hashes - set(clause_hashes))
            _write(
                store.root,
                documents,
                units,
                clause_hashes,
                texts["words"],
                word_counts,
                spaces,
                inputs,
                previous.lexical,
                corpus_files,
            )
        finally:
            for space in spaces:
                if isinstance(space.states, SpilledStates):
                    space.states.close()
    return BuildReport(
        documents=len(documents),
        clauses=len(units.clauses),
        embedded=len(changed),
        reused=len(units.clauses) - len(changed),
        removed=removed,
        seconds=time.monotonic() - started,
        skipped=tuple(skipped),
    )


def _previous(folder: Path, manifest: dict[str, Any]) -> _Previous:
    """What a build can take over from the current generation."""
    try:
        vectors: dict[str, np.ndarray] = {}
        for i, space in enumerate(manifest["spaces"]):
            for kind, hashes in space["hashes"].items():
                loaded = np.load(folder / vectors_file(i, kind), allow_pickle=False)
                vectors.update(zip(hashes, loaded, strict=True))
        records = json.loads((folder / CLAUSES).read_text(encoding="utf-8"))
        clauses: dict[str, list[Clause]] = {}
        for record in records["clauses"]:
            clause = Clause(**{k: v for k, v in record.items() if k != "hash"})
            clauses.setdefault(clause.doc_id, []).append(clause)
        word_counts = stored_counts(records)
        states = _previous_states(folder, manifest, len(records["clauses"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("previous index not reused (%s): embedding every clause", exc)
        return _Previous()
    lexical: LexicalIndex | None = None
    if (manifest.get("inputs") or {}).get("tokenizer") != TOKENIZER:
        log.info("the previous index was tokenized otherwise: tokenizing every clause")
    else:
        try:
            lexical = LexicalIndex.load(folder / LEXICAL, len(records["clauses"]))
        except (OSError, ValueError) as exc:
            log.warning("previous lexical index not reused (%s): tokenizing every clause", exc)
    return _Previous(
        vectors,
        set(manifest.get("hashes", [])),
        clauses,
        word_counts,
        manifest.get("documents", {}),
        manifest.get("inputs"),
        lexical,
        states,
    )


def _previous_states(folder: Path, manifest: dict[str, Any], clauses: int) -> dict[str, np.ndarray]:
    """The current generation's token states of each clause, by its whole unit's hash."""
    tokens = read_tokens(folder, manifest, clauses)
    if tokens is None:
        return {}
    rows = np.load(folder / UNITS, allow_pickle=False)
    whole = np.flatnonzero(whole_units(rows))
    hashes = manifest["spaces"][0]["hashes"]["units"]
    if len(whole) != clauses:
        raise ValueError("clauses and whole units differ in number")
    return {hashes[int(u)]: tokens.of(c) for c, u in enumerate(whole)}


def _write(
    root: Path,
    documents: Sequence[Document],
    units: Units,
    clause_hashes: list[str],
    words: list[str],
    word_counts: dict[str, Counter[str]],
    spaces: Sequence[SpacePlan],
    inputs: dict[str, Any],
    lexical: LexicalIndex | None = None,
    corpus_files: Sequence[tuple[str, int, int]] | None = None,
) -> None:
    """Write a new generation and make it current; `lexical`, the previous generation's
    lexical index, lends the tokens of clauses whose text has not changed."""
    import faiss

    name = f"gen-{time.time_ns()}"
    staging = root / f".building-{name}"
    staging.mkdir(parents=True)
    try:
        clauses = units.clauses
        np.save(staging / UNITS, units.rows, allow_pickle=False)
        space_records = []
        for i, plan in enumerate(spaces):
            for kind, vectors in plan.vectors.items():
                np.save(staging / vectors_file(i, kind), vectors, allow_pickle=False)
            dense = dense_index(plan.vectors["units"], plan.embedder.dim)
            faiss.write_index(dense, str(staging / dense_file(i)))
            if plan.states is not None:  # the first model's, clause by clause
                hashes = plan.hashes["units"]
                whole = np.flatnonzero(whole_units(units.rows))
                write_tokens(staging, [plan.states[hashes[u]] for u in whole], plan.embedder.dim)
            space_records.append(
                {
                    "model": plan.embedder.name,
                    "dimension": plan.embedder.dim,
                    "english_only": plan.embedder.english_only,
                    "hashes": plan.hashes,
                    "tokens": plan.states is not None,
                }
            )
        corpus_language = written_in(clauses)
        records = {
            "documents": [asdict(d.info) for d in documents],
            "clauses": [_clause_record(c, h) for c, h in zip(clauses, clause_hashes, strict=True)],
            "words": words,
            "word_counts": word_counts,
            "names": names(word_counts.values()),
            "everyday_languages": everyday_languages(),
            "language": corpus_language,
            "document_languages": document_languages(clauses, corpus_language),
        }
        _write_json(staging / CLAUSES, records)
        LexicalIndex.build([lexical_text(c) for c in clauses], lexical).save(staging / LEXICAL)
        files = {
            str(p.relative_to(staging)): file_checksum(p)
            for p in sorted(staging.rglob("*"))
            if p.is_file()
        }
        manifest = {
            "schema": SCHEMA_VERSION,
            "model": "+".join(plan.embedder.name for plan in spaces),
            "dimension": spaces[0].embedder.dim if spaces else 0,
            "spaces": space_records,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "documents": {d.doc_id: document_checksum(d) for d in documents},
            "inputs": inputs,
            "clause_count": len(clauses),
            "hashes": clause_hashes,
            "files": files,
        }
        if corpus_files is not None:
            manifest["corpus_files"] = [list(entry) for entry in corpus_files]
        manifest["checksum"] = manifest_checksum(manifest)
        _write_json(staging / MANIFEST, manifest)
        for path in [*staging.rglob("*"), staging]:
            fsync_path(path)
        staging.rename(root / name)
        publish(root, name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    prune(root, keep={name})

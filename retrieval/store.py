"""The index on disk: build it (incrementally, atomically, under a lock) and load it.

Layout of the index folder::

    current -> gen-1732838400123456789     a symlink, swapped atomically after each build
    gen-.../manifest.json                  schema, models, dimensions, content hashes, checksums
    gen-.../clauses.json                   clause records and document metadata
    gen-.../units.npy                      what was embedded: each clause, and its sentences
    gen-.../vectors-N.npy                  float32 (units x dim) of model N, allow_pickle=False
    gen-.../dense-N.faiss                  FAISS inner-product index over those vectors
    gen-.../background-N.npy               model N's vectors of off-topic passages (abstention)
    gen-.../everyday-0.npy                 the first model's vectors of everyday questions,
    gen-.../asked-0.npy                    as passages and as questions (several languages)
    gen-.../words-0.npy                    the first model's vectors of the corpus vocabulary
    gen-.../lexical/                       BM25: each clause's tokens, each term's weights
    .lock                                  held by the one build that may run at a time

A reader resolves `current` once and reads that generation; a build never touches it, so a
failed or killed build leaves the old index serving. The previous generation is kept for
readers that are still loading it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
import zlib
from collections import ChainMap, Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.corpus import CorpusProblem, fsync_path
from retrieval.embed import Embedder
from retrieval.errors import (
    IndexCorruptError,
    IndexLockedError,
    IndexMismatchError,
    IndexMissingError,
)
from retrieval.lexical import LexicalIndex
from retrieval.loaded import LoadedIndex, Space, dense_index
from retrieval.reference import (
    background_passages,
    everyday_languages,
    everyday_questions,
    inputs_digest,
    language_means,
    shipped_vectors,
)
from retrieval.types import Clause, Document, DocumentInfo
from retrieval.units import Units, lexical_text, plan_units
from retrieval.vectors import (
    SETS,
    Reporter,
    SpacePlan,
    content_hash,
    embed_all,
    plan_vectors,
)
from retrieval.vocabulary import count_words, names, vocabulary

log = logging.getLogger(__name__)

# 2: the lexical index keeps each clause's tokens (retrieval.lexical); 3: the manifest carries
# a checksum of itself
SCHEMA_VERSION = 3
SEGMENTER_VERSION = 9  # bump when segmentation or embedded text changes: forces a rebuild
CURRENT = "current"
MANIFEST = "manifest.json"
CLAUSES = "clauses.json"
UNITS = "units.npy"


_SET_PREFIX = {
    "units": "vectors",
    "background": "background",
    "words": "words",
    "everyday": "everyday",
    "asked": "asked",
}


def vectors_file(space: int, kind: str = "units") -> str:
    return f"{_SET_PREFIX[kind]}-{space}.npy"


def dense_file(space: int) -> str:
    return f"dense-{space}.faiss"


LEXICAL = "lexical"


def file_checksum(path: Path) -> str:
    """CRC-32 and size: made to catch a damaged or truncated file, at a few GB/s (an index
    of 100k clauses has 360 MB to check on every build)."""
    crc, size = 0, 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 22), b""):
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
    return f"{crc:08x}-{size}"


def document_checksum(document: Document) -> str:
    """Changes when the text or any metadata (title, kind, …) of a document does."""
    digest = hashlib.blake2b(document.text.encode("utf-8"), digest_size=16)
    digest.update(json.dumps(asdict(document.info), sort_keys=True).encode("utf-8"))
    return digest.hexdigest()


def build_inputs(embedders: Sequence[Embedder]) -> dict[str, Any]:
    """Everything besides the documents that decides what a build produces."""
    return {
        "models": [e.name for e in embedders],
        "segmenter": SEGMENTER_VERSION,
        **inputs_digest(),
    }


def rebuild_hint(index_dir: Path) -> str:
    return f"clausebot index --index {index_dir}"


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
        "hash": digest,
    }


def manifest_checksum(manifest: dict[str, Any]) -> str:
    """A checksum of the manifest's content, apart from the checksum itself: the manifest
    checks every other file, and this checks the manifest (a flipped bit in a count, a
    model name or a file's checksum would otherwise be read as it is)."""
    content = {k: v for k, v in manifest.items() if k != "checksum"}
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(canonical.encode("utf-8"), digest_size=16).hexdigest()


def _write_json(path: Path, data: Any) -> None:
    with path.open("w", encoding="utf-8") as handle:
        # json.dumps runs the C encoder; json.dump to a file would run the Python one
        handle.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        handle.flush()
        os.fsync(handle.fileno())


class IndexStore:
    def __init__(
        self,
        root: Path,
        context: bool = True,
        sentence_units: bool = True,
        lock_wait: float = 300.0,
        role_units: bool = True,
    ) -> None:
        """`context`, `sentence_units` and `role_units` exist to measure what they bring
        (benchmarks); `lock_wait` is how long a build waits for another one to finish."""
        self.root = root
        self.lock_wait = lock_wait
        self.context = context
        self.sentence_units = sentence_units
        self.role_units = role_units

    # -- reading -----------------------------------------------------------------------------

    def current(self) -> Path | None:
        link = self.root / CURRENT
        if not link.is_symlink() and not link.exists():
            return None
        target = link.resolve()
        return target if target.is_dir() else None

    def generation(self) -> str | None:
        """Name of the generation `current` points at: changes with every successful build."""
        try:
            return os.readlink(self.root / CURRENT)
        except OSError:
            return None

    def read_manifest(self, folder: Path) -> dict[str, Any]:
        hint = rebuild_hint(self.root)
        try:
            manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise IndexCorruptError(
                f"index manifest {folder / MANIFEST} is missing: rebuild with {hint}"
            ) from None
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise IndexCorruptError(
                f"index manifest {folder / MANIFEST} cannot be read ({exc}): rebuild with {hint}"
            ) from None
        schema = manifest.get("schema")
        if schema != SCHEMA_VERSION:
            raise IndexMismatchError(
                f"index at {self.root} has schema {schema}, this clausebot reads schema "
                f"{SCHEMA_VERSION}: rebuild with {hint}"
            )
        if manifest.get("checksum") != manifest_checksum(manifest):
            raise IndexCorruptError(
                f"index manifest {folder / MANIFEST} is damaged (its checksum does not match): "
                f"rebuild with {hint}"
            )
        return manifest

    def load(self, model: str | None = None) -> LoadedIndex:
        """Load the current generation; `model` (a model name) must match it if given."""
        folder = self.current()
        if folder is None:
            raise IndexMissingError(
                f"no index at {self.root}: build it with {rebuild_hint(self.root)}"
            )
        manifest = self.read_manifest(folder)
        if model is not None and manifest.get("model") != model:
            raise IndexMismatchError(
                f"index at {self.root} was built with model {manifest.get('model')}, but the "
                f"configured model is {model}: rebuild with {rebuild_hint(self.root)} "
                "(with the same --model), or ask with the index's model"
            )
        self._verify(folder, manifest)
        try:
            return self._read(folder, manifest)
        except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
            raise IndexCorruptError(
                f"index at {folder} cannot be read ({exc}): rebuild with {rebuild_hint(self.root)}"
            ) from None

    def _verify(self, folder: Path, manifest: dict[str, Any]) -> None:
        for name, expected in manifest.get("files", {}).items():
            path = folder / name
            if not path.is_file():
                raise IndexCorruptError(
                    f"index file {path} is missing: rebuild with {rebuild_hint(self.root)}"
                )
            if file_checksum(path) != expected:
                raise IndexCorruptError(
                    f"index file {path} is damaged (checksum differs): rebuild with "
                    f"{rebuild_hint(self.root)}"
                )

    def _read(self, folder: Path, manifest: dict[str, Any]) -> LoadedIndex:
        import faiss

        records = json.loads((folder / CLAUSES).read_text(encoding="utf-8"))
        documents = {d["doc_id"]: DocumentInfo(**d) for d in records["documents"]}
        clauses = [
            Clause(**{k: v for k, v in r.items() if k != "hash"}) for r in records["clauses"]
        ]
        units = np.load(folder / UNITS, allow_pickle=False)
        if len(units) and (units[:, 0].max() >= len(clauses) or units[:, 0].min() < 0):
            raise ValueError("units refer to clauses that are not there")
        words = list(records.get("words", []))
        spaces = []
        for i, space in enumerate(manifest["spaces"]):
            sets = {
                kind: np.load(folder / vectors_file(i, kind), allow_pickle=False)
                for kind in SETS
                if kind in space["hashes"]
            }
            dense = faiss.read_index(str(folder / dense_file(i)))
            if len(units) != len(sets["units"]) or dense.ntotal != len(units):
                raise ValueError(f"unit and vector counts of {space['model']} differ")
            empty = np.zeros((0, int(space["dimension"])), dtype=np.float32)
            word_vectors = sets.get("words", empty)
            if len(word_vectors) not in (0, len(words)):
                raise ValueError("word and word vector counts differ")
            spaces.append(
                Space(
                    model=space["model"],
                    vectors=sets["units"],
                    dense=dense,
                    background=sets.get("background", empty),
                    words=word_vectors,
                    english_only=bool(space["english_only"]),
                    everyday=sets.get("everyday"),
                    languages=language_means(sets["asked"], records.get("everyday_languages", []))
                    if "asked" in sets
                    else {},
                )
            )
        lexical = LexicalIndex.load(folder / LEXICAL, len(clauses))
        return LoadedIndex(
            folder,
            manifest,
            documents,
            clauses,
            units,
            spaces,
            lexical,
            words,
            frozenset(records.get("names", [])),
        )

    # -- building ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, wait: float | None = None) -> Iterator[None]:
        wait = self.lock_wait if wait is None else wait
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("a+") as handle:
            deadline = time.monotonic() + wait
            told = False
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise IndexLockedError(
                            f"another clausebot index is still building {self.root} (waited "
                            f"{wait:.0f} s): let it finish, then run the command again"
                        ) from None
                    if not told:
                        log.warning("another clausebot index is building %s: waiting", self.root)
                        told = True
                    time.sleep(0.2)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _current_manifest(self) -> tuple[Path, dict[str, Any]] | None:
        """The current generation and its manifest, checked; None if absent or damaged."""
        folder = self.current()
        if folder is None:
            return None
        try:
            manifest = self.read_manifest(folder)
            self._verify(folder, manifest)
        except (IndexCorruptError, IndexMismatchError) as exc:
            # what is wrong, without the advice to rebuild: this is the rebuild
            reason = str(exc).split(": rebuild with", 1)[0]
            log.warning("previous index not reused (%s): embedding every clause", reason)
            return None
        return folder, manifest

    def _previous(self, folder: Path, manifest: dict[str, Any]) -> _Previous:
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
            word_counts = {k: Counter(v) for k, v in records.get("word_counts", {}).items()}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("previous index not reused (%s): embedding every clause", exc)
            return _Previous()
        try:
            lexical: LexicalIndex | None = LexicalIndex.load(
                folder / LEXICAL, len(records["clauses"])
            )
        except (OSError, ValueError) as exc:
            log.warning("previous lexical index not reused (%s): tokenizing every clause", exc)
            lexical = None
        return _Previous(
            vectors,
            set(manifest.get("hashes", [])),
            clauses,
            word_counts,
            manifest.get("documents", {}),
            manifest.get("inputs"),
            lexical,
        )

    def build(
        self,
        documents: Sequence[Document],
        embedders: Sequence[Embedder],
        skipped: Sequence[CorpusProblem] = (),
        progress: Reporter = None,
    ) -> BuildReport:
        started = time.monotonic()
        with self.lock():
            self._clean_leftovers()
            inputs = {
                **build_inputs(embedders),
                "context": self.context,
                "sentence_units": self.sentence_units,
                "role_units": self.role_units,
            }
            checksums = {d.doc_id: document_checksum(d) for d in documents}
            current = self._current_manifest()
            if (
                current
                and current[1].get("inputs") == inputs
                and current[1].get("documents") == checksums
            ):
                count = int(current[1].get("clause_count", 0))  # nothing to do
                return BuildReport(
                    len(documents), count, 0, count, 0, time.monotonic() - started, tuple(skipped)
                )
            previous = self._previous(*current) if current else _Previous()
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
                self.context,
                self.sentence_units,
                {doc_id: previous.clauses[doc_id] for doc_id in same},
                self.role_units,
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
            whole = units.rows[:, 1] == -1  # the units that stand for a whole clause
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
            plans = plan_vectors(embedders, texts, known)
            changed = {int(units.rows[u, 0]) for p in plans for u in p.todo["units"]}
            announce = getattr(progress, "documents", None)
            if announce is not None:
                todo = Counter(units.clauses[i].doc_id for i in changed)
                announce(
                    {d: (len(c), todo[d]) for d, c in by_document.items()},
                    sum(p.count for p in plans),
                )
            spaces = embed_all(plans, texts, known, progress)
            clause_hashes = [
                content_hash("clause", t) for t, w in zip(units.texts, whole, strict=True) if w
            ]
            removed = len(previous.clause_hashes - set(clause_hashes))
            self._write(
                documents,
                units,
                clause_hashes,
                texts["words"],
                word_counts,
                spaces,
                inputs,
                previous.lexical,
            )
        return BuildReport(
            documents=len(documents),
            clauses=len(units.clauses),
            embedded=len(changed),
            reused=len(units.clauses) - len(changed),
            removed=removed,
            seconds=time.monotonic() - started,
            skipped=tuple(skipped),
        )

    def _clean_leftovers(self) -> None:
        for path in self.root.glob(".building-*"):
            shutil.rmtree(path, ignore_errors=True)

    def _write(
        self,
        documents: Sequence[Document],
        units: Units,
        clause_hashes: list[str],
        words: list[str],
        word_counts: dict[str, Counter[str]],
        spaces: Sequence[SpacePlan],
        inputs: dict[str, Any],
        lexical: LexicalIndex | None = None,
    ) -> None:
        """Write a new generation and make it current; `lexical`, the previous generation's
        lexical index, lends the tokens of clauses whose text has not changed."""
        import faiss

        name = f"gen-{time.time_ns()}"
        staging = self.root / f".building-{name}"
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
                space_records.append(
                    {
                        "model": plan.embedder.name,
                        "dimension": plan.embedder.dim,
                        "english_only": plan.embedder.english_only,
                        "hashes": plan.hashes,
                    }
                )
            records = {
                "documents": [asdict(d.info) for d in documents],
                "clauses": [
                    _clause_record(c, h) for c, h in zip(clauses, clause_hashes, strict=True)
                ],
                "words": words,
                "word_counts": word_counts,
                "names": names(word_counts.values()),
                "everyday_languages": everyday_languages(),
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
            manifest["checksum"] = manifest_checksum(manifest)
            _write_json(staging / MANIFEST, manifest)
            for path in [*staging.rglob("*"), staging]:
                fsync_path(path)
            final = self.root / name
            staging.rename(final)
            link = self.root / f".{CURRENT}-{os.getpid()}"
            with contextlib.suppress(FileNotFoundError):
                link.unlink()
            os.symlink(name, link)
            os.replace(link, self.root / CURRENT)
            fsync_path(self.root)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self._prune(keep={name})

    def _prune(self, keep: set[str]) -> None:
        generations = sorted(p for p in self.root.glob("gen-*") if p.name not in keep)
        for old in generations[:-1]:  # keep the one before, for readers still loading it
            shutil.rmtree(old, ignore_errors=True)

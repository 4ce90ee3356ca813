"""The index on disk: its layout, its checksums, its lock, and loading it (retrieval.build
writes it: incrementally, atomically, under the lock).

Layout of the index folder::

    current -> gen-1732838400123456789     a symlink, swapped atomically after each build (a
                                           file holding the name where there are no symlinks)
    gen-.../manifest.json                  schema, models, dimensions, content hashes, checksums
    gen-.../clauses.json                   clause records and document metadata
    gen-.../units.npy                      what was embedded: each clause, and its sentences
    gen-.../vectors-N.npy                  float32 (units x dim) of model N, allow_pickle=False
    gen-.../dense-N.faiss                  FAISS inner-product index over those vectors
    gen-.../background-N.npy               model N's vectors of off-topic passages (abstention)
    gen-.../everyday-0.npy                 the first model's vectors of everyday questions,
    gen-.../asked-0.npy                    as passages and as questions (several languages)
    gen-.../words-0.npy                    the first model's vectors of the corpus vocabulary
    gen-.../tokens-0.npy                   its token states of each clause, float16, and
    gen-.../token-starts-0.npy             where each clause's states start (retrieval.late)
    gen-.../lexical/                       BM25: each clause's tokens, each term's weights
    .lock                                  held by the one build that may run at a time
    word-vectors/                          question words' vectors, kept across generations
                                           and processes (retrieval.word_vectors)

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
import time
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from retrieval import late
from retrieval.errors import (
    IndexCorruptError,
    IndexLockedError,
    IndexMismatchError,
    IndexMissingError,
)
from retrieval.folder import CURRENT, GENERATION
from retrieval.late import TokenStates
from retrieval.lexical import LexicalIndex
from retrieval.loaded import ANN_ABOVE, LoadedIndex, Space, StoredIndex, read_dense
from retrieval.reference import by_language, language_means
from retrieval.types import Clause, Document, DocumentInfo
from retrieval.vectors import SETS

log = logging.getLogger(__name__)

# 2: the lexical index keeps each clause's tokens (retrieval.lexical); 3: the manifest carries
# a checksum of itself
SCHEMA_VERSION = 3
SEGMENTER_VERSION = 68  # bump when segmentation or embedded text changes: forces a rebuild
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


# the first model's token states of each clause (retrieval.late), when it gives them
TOKENS = "tokens-0.npy"
TOKEN_STARTS = "token-starts-0.npy"


def write_tokens(folder: Path, per_clause: Sequence[np.ndarray], dim: int) -> None:
    """Each clause's token states, in order, written as TokenStates are read (read_tokens):
    straight into the file, in half precision, from wherever they wait (the current
    generation's file, or the build's own: vectors.SpilledStates), never joined in memory."""
    starts = TokenStates.starts_of(per_clause)
    states = np.lib.format.open_memmap(
        folder / TOKENS, mode="w+", dtype=np.float16, shape=(int(starts[-1]), dim)
    )
    for clause, rows in enumerate(per_clause):
        states[starts[clause] : starts[clause + 1]] = rows
    states.flush()
    del states
    np.save(folder / TOKEN_STARTS, starts, allow_pickle=False)


def read_tokens(folder: Path, manifest: dict[str, Any], clauses: int) -> TokenStates | None:
    """The generation's token states as stored, checked against its clauses; None if it has
    none."""
    spaces = manifest.get("spaces") or [{}]
    if not spaces[0].get("tokens"):
        return None
    path = folder / TOKENS
    # states that would not be held in single precision (late.IN_SINGLE) are mapped, not
    # loaded: a question reads its few clauses' rows from the page cache, and a large
    # corpus's index does not take its size in memory in every process that serves it
    mapped = path.stat().st_size * 2 > late.IN_SINGLE
    tokens = TokenStates(
        np.load(path, allow_pickle=False, mmap_mode="r" if mapped else None),
        np.load(folder / TOKEN_STARTS, allow_pickle=False),
    )
    tokens.check(clauses, int(spaces[0]["dimension"]))
    return tokens


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


def rebuild_hint(index_dir: Path) -> str:
    return f"clausebot index --index {index_dir}"


def manifest_checksum(manifest: dict[str, Any]) -> str:
    """A checksum of the manifest's content, apart from the checksum itself: the manifest
    checks every other file, and this checks the manifest (a flipped bit in a count, a
    model name or a file's checksum would otherwise be read as it is)."""
    content = {k: v for k, v in manifest.items() if k != "checksum"}
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(canonical.encode("utf-8"), digest_size=16).hexdigest()


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
        """The folder of the generation that serves, or None. `current` is a symbolic link to
        it (by its name, or, made by hand, by a whole path); on a file system without links
        (FAT, some network shares) a file that holds its name (retrieval.generations.publish);
        and in an index copied by a tool that follows links (`cp -L`, Python's
        `shutil.copytree`, most zip tools) a folder of its own, which serves until the next
        build makes a new generation current."""
        link = self.root / CURRENT
        if link.is_symlink() or link.is_dir():
            target = link.resolve()
        else:
            try:
                name = link.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError):
                return None
            if not GENERATION.fullmatch(name):  # nothing outside the index
                return None
            target = self.root / name
        return target if target.is_dir() else None

    def generation(self) -> str | None:
        """The name of the folder that serves (current), as the loaded index has it: it
        changes with every successful build. Asked at every question: the link a build
        makes, to a generation by its name, is read without resolving it."""
        with contextlib.suppress(OSError):
            name = os.readlink(self.root / CURRENT)
            if GENERATION.fullmatch(name):
                return name
        folder = self.current()
        return folder.name if folder is not None else None

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
            if len(units) != len(sets["units"]):
                raise ValueError(f"unit and vector counts of {space['model']} differ")
            path = folder / dense_file(i)
            dense = (
                StoredIndex(path, len(units))
                if len(units) <= ANN_ABOVE
                else read_dense(path, len(units))
            )
            empty = np.zeros((0, int(space["dimension"])), dtype=np.float32)
            word_vectors = sets.get("words", empty)
            if len(word_vectors) not in (0, len(words)):
                raise ValueError("word and word vector counts differ")
            asked = (
                by_language(sets["asked"], records.get("everyday_languages", []))
                if "asked" in sets
                else {}
            )
            spaces.append(
                Space(
                    model=space["model"],
                    vectors=sets["units"],
                    dense=dense,
                    background=sets.get("background", empty),
                    words=word_vectors,
                    english_only=bool(space["english_only"]),
                    everyday=sets.get("everyday"),
                    languages=language_means(asked),
                    asked=asked,
                )
            )
        lexical = LexicalIndex.load(folder / LEXICAL, len(clauses))
        tokens = read_tokens(folder, manifest, len(clauses))
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
            None if tokens is None else tokens.for_reading(),
            records.get("language"),
            records.get("document_languages"),
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

    def checked_current(self) -> tuple[Path, dict[str, Any]] | None:
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

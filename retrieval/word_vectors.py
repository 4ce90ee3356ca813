"""The word bridge's single-word vectors, kept across questions, processes and rebuilds.

The bridge (retrieval.bridge) embeds each question word the corpus lacks, alone, as a
question: on the bundled corpus about two words and 14 tokens of a question's 38, a third of
its time the first time the words are seen. A word's vector depends on the model and the word
alone, not on the corpus, and question words recur, so each is kept: in memory for the
process (up to MAX_WORDS), and on disk beside the index (`<index>/word-vectors/`, one file a
model), so that a new process (each `clausebot ask`, a bot restarted, a replica) reads them
instead of embedding them again. Builds leave the folder alone: a rebuilt or changed corpus
keeps its words.

A file is a head (MAGIC and the vectors' length) and records of one size: the word in UTF-8
padded to WORD_BYTES, its float32 vector (exactly the vector embedded) and a CRC-32 of both.
Opening a file reads only where each word's record is (15 ms for a file of MAX_WORDS); a
record is checked when its word is first asked for. Processes append side by side (whole
records, one write a batch); a record cut short at the end (a write interrupted, not one
under way) is dropped, a record that does not check out is embedded again, and a file that
is not one of these is started afresh. A folder that cannot be written keeps the words in
memory only. The ranking is the same whichever words are kept (tests/test_model.py).
"""

from __future__ import annotations

import logging
import os
import struct
import threading
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from retrieval import word_table

log = logging.getLogger(__name__)

FOLDER = "word-vectors"  # under the index's root folder, beside its generations
MAX_WORDS = 20_000  # kept in memory, and stored in one model's file
WORD_BYTES = 64  # a longer word (in UTF-8) is kept in memory only
MAGIC = b"CBWORDS1"
PREFIX = ".words-"  # of a file written aside (word_table.temporary, with its FILE_MODE)
SETTLED_AFTER = 2.0  # seconds since a file's last write after which a record cut short is one
_HEAD = struct.Struct("<8sI4x")  # MAGIC, the vectors' length


@dataclass
class _Shelf:
    """One model's file under one index root: where each word's record is."""

    path: Path
    dim: int = 0  # 0: the file is empty or missing
    data: bytes = b""
    offsets: dict[bytes, int] = field(default_factory=dict)  # padded word -> record offset
    writable: bool = True

    @property
    def size(self) -> int:
        return WORD_BYTES + 4 * self.dim + 4


_memory: dict[tuple[str, str], np.ndarray] = {}
_shelves: dict[tuple[Path, str], _Shelf] = {}
_lock = threading.RLock()


def path_for(root: Path, model: str) -> Path:
    """The file of `model`'s word vectors under the index root `root`."""
    return root / FOLDER / word_table.file_name(model)


def find(root: Path | None, model: str, words: Sequence[str]) -> dict[str, np.ndarray]:
    """The vectors kept of `words` for `model`: in memory, in the install's table of common
    words (retrieval.word_table), or in the file under `root` (each opened the first time
    this process asks about it)."""
    found: dict[str, np.ndarray] = {}
    with _lock:
        shelf = None if root is None else _shelf(root, model)
        common = word_table.table(model)
        for word in words:
            vector = _memory.get((model, word))
            if vector is None and common is not None:
                vector = common.get(word)
                if vector is not None:
                    _remember(model, [word], [vector])
            if vector is None and shelf is not None:
                vector = _take(shelf, model, word)
            if vector is not None:
                found[word] = vector
    return found


def missing(root: Path | None, model: str, words: Sequence[str]) -> list[str]:
    """The words with no vector kept (see find)."""
    found = find(root, model, words)
    return [w for w in words if w not in found]


def keep(root: Path | None, model: str, words: Sequence[str], vectors: np.ndarray) -> None:
    """Keep the words' vectors in memory, and in the file under `root` (if given) those it
    does not hold yet."""
    vectors = np.asarray(vectors, dtype=np.float32)
    with _lock:
        _remember(model, words, vectors)
        if root is not None:
            _store(_shelf(root, model), words, vectors)


def forget() -> None:
    """Forget what this process keeps and has read (the files stay): as in a new process."""
    with _lock:
        _memory.clear()
        _shelves.clear()


def _remember(model: str, words: Sequence[str], vectors: Sequence[np.ndarray] | np.ndarray) -> None:
    if len(_memory) + len(words) > MAX_WORDS:
        _memory.clear()
    for word, vector in zip(words, vectors, strict=True):
        _memory[(model, word)] = vector


def _padded(word: str) -> bytes | None:
    encoded = word.encode("utf-8")
    return encoded.ljust(WORD_BYTES, b"\0") if 0 < len(encoded) <= WORD_BYTES else None


def _shelf(root: Path, model: str) -> _Shelf:
    shelf = _shelves.get((root, model))
    if shelf is None:
        shelf = _shelves[(root, model)] = _open(path_for(root, model))
    return shelf


def _open(path: Path) -> _Shelf:
    """Where each word's record is in the file; a file cut short in its last record is
    written again without it, one that is not a file of word vectors afresh."""
    shelf = _Shelf(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return shelf
    except OSError as exc:
        log.warning("word vectors in %s cannot be read (%s): embedded again", path, exc)
        shelf.writable = False
        return shelf
    if len(data) < _HEAD.size or data[: len(MAGIC)] != MAGIC or not _HEAD.unpack_from(data)[1]:
        log.warning("%s is not a file of word vectors: started afresh", path)
        try:
            path.unlink()
        except OSError:
            shelf.writable = False
        return shelf
    shelf.dim = _HEAD.unpack_from(data)[1]
    whole = _HEAD.size + (len(data) - _HEAD.size) // shelf.size * shelf.size
    if whole != len(data):
        data = data[:whole]
        if _settled(path):  # not another process's write, under way
            log.warning("word vectors in %s end in a record cut short: dropped", path)
            _rewrite(shelf, data)
    shelf.data = data
    size = shelf.size
    # a word kept twice (two processes at once, or a damaged record embedded again): the last
    shelf.offsets = {data[at : at + WORD_BYTES]: at for at in range(_HEAD.size, len(data), size)}
    return shelf


def _settled(path: Path) -> bool:
    """Whether the file was last written long enough ago that no write to it is under way."""
    try:
        return time.time() - path.stat().st_mtime > SETTLED_AFTER
    except OSError:
        return False


def _take(shelf: _Shelf, model: str, word: str) -> np.ndarray | None:
    """The word's vector from the file, into memory, if its record checks out."""
    padded = _padded(word)
    if padded is None:
        return None
    at = shelf.offsets.get(padded)
    if at is None or at < 0:  # not in the file, or written by this process after it read it
        return None
    end = at + shelf.size - 4
    (crc,) = struct.unpack_from("<I", shelf.data, end)
    if zlib.crc32(shelf.data[at:end]) != crc:
        del shelf.offsets[padded]  # so that the vector embedded again is stored after it
        log.warning("the vector of %r in %s is damaged: embedded again", word, shelf.path)
        return None
    vector = np.frombuffer(shelf.data, dtype="<f4", count=shelf.dim, offset=at + WORD_BYTES)
    vector = vector.astype(np.float32)
    _remember(model, [word], [vector])
    return vector


def _rewrite(shelf: _Shelf, data: bytes) -> None:
    try:
        os.replace(word_table.temporary(shelf.path.parent, [data], PREFIX), shelf.path)
    except OSError as exc:
        _not_kept(shelf, exc)


def _not_kept(shelf: _Shelf, exc: OSError) -> None:
    shelf.writable = False
    log.info("word vectors not kept on disk (%s): %s", shelf.path, exc)


def _store(shelf: _Shelf, words: Sequence[str], vectors: np.ndarray) -> None:
    """Append the records of the words the file does not hold, in one write; a new file is
    linked into place with its head and first records, so that no one appends to a file
    without its head."""
    if not shelf.writable or not len(vectors):
        return
    dim = vectors.shape[1]
    if shelf.dim and shelf.dim != dim:
        return  # another length than the file's: not this model's vectors after all
    records = []
    for word, vector in zip(words, vectors, strict=True):
        padded = _padded(word)
        if padded is None or padded in shelf.offsets or len(shelf.offsets) >= MAX_WORDS:
            continue
        body = padded + vector.astype("<f4").tobytes()
        records.append(body + struct.pack("<I", zlib.crc32(body)))
        shelf.offsets[padded] = -1  # written, not read: this process has it in memory
    if not records:
        return
    try:
        if shelf.path.exists() or not _create(shelf.path, _HEAD.pack(MAGIC, dim), records):
            with open(shelf.path, "ab", buffering=0) as out:
                out.write(b"".join(records))
        shelf.dim = dim
    except OSError as exc:
        _not_kept(shelf, exc)


def _create(path: Path, head: bytes, records: list[bytes]) -> bool:
    """Make the file with its head and first records, all at once: False when another
    process made it first (then the records are for appending to theirs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = head + b"".join(records)
    temporary = word_table.temporary(path.parent, [data], PREFIX)
    try:
        os.link(temporary, path)
        return True
    except FileExistsError:
        return False
    except PermissionError:  # a file system without hard links: created in place instead
        try:
            with open(path, "xb", buffering=0) as out:
                out.write(data)
            return True
        except FileExistsError:
            return False
    finally:
        os.unlink(temporary)

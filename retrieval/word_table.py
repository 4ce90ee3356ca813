"""Single-word vectors of common words, embedded once per install, for any corpus.

The word bridge (retrieval.bridge) embeds each question word that the corpus lacks, alone,
as a question ("query: nüfusunun"): a third of a question's time the first time its words
are met. retrieval.word_vectors keeps those vectors beside the index once embedded; this
table holds, before any question is asked, those of the common words of the languages
questions come in (retrieval/data/common-words.txt, written by training/word_list.py from
wordfreq's frequency lists: 8,000 words a language and 2,000 of them capitalised, in English,
Russian, Turkish, German and Spanish; and the words of the everyday questions, Azerbaijani's
among them). A word's vector depends on the model and the word, not on the corpus, so the
table serves every index.

The table is made by `clausebot words` (`make ask` runs it when it sets up; about a minute on
two cores) into retrieval/data/word-table/, or into the folder that CLAUSEBOT_WORD_TABLE
names ("off": no table); made again, a table that holds the list's words and still matches
the model (see `current`) is left as it is. Without it every answer is the same; the common
words are then embedded with the question, as any other word is.

A file is a head (MAGIC, the vectors' length, the count of words, the length of the words'
text, the slots of its lookup), the words one a line, where each starts, a CRC-32 of each
vector, a hashed lookup from a word to its row, and the float32 vectors exactly as the model
embedded them (docs/reliability.md). Opening a file reads its head and maps the rest (a
fraction of a millisecond, so that a one-question `clausebot ask` pays nothing for it); a
word is looked up when asked for, and its vector checked the first time it is read. A file
of another size than its head says, or not of this kind, is not used (a warning says so); a
vector that does not check out, or a word whose entry is damaged, is embedded with the
question instead. A new table replaces the old at once (a process that has the old one
mapped goes on reading it).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import struct
import tempfile
import threading
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.reference import DATA, data_lines

log = logging.getLogger(__name__)

LIST_FILE = DATA / "common-words.txt"
FOLDER = DATA / "word-table"
ENV = "CLAUSEBOT_WORD_TABLE"  # the tables' folder instead of FOLDER; "off": no table
MAGIC = b"CBTABLE1"
_HEAD = struct.Struct("<8sIIII")  # MAGIC, the vectors' length, words, the text's bytes, slots
ALIGN = 64  # where the vectors start: a multiple of this
CHUNK = 256  # words embedded in one call while a table is made
# as the index's own files: a bot running as another user than the build still reads them
FILE_MODE = 0o644


def words() -> list[str]:
    """The words of LIST_FILE (empty if it is missing)."""
    try:
        return data_lines(LIST_FILE)
    except OSError:
        return []


def folder() -> Path | None:
    """Where the tables are: CLAUSEBOT_WORD_TABLE, FOLDER if it is unset or empty (as
    .env.example leaves it, like every setting); None for "off"."""
    setting = (os.environ.get(ENV) or "").strip()
    if not setting:
        return FOLDER
    return None if setting.lower() == "off" else Path(setting)


def file_name(model: str) -> str:
    """A file name of `model`'s own: readable, and told apart by a digest of the name."""
    readable = re.sub(r"[^\w.-]+", "_", model)[:80]
    digest = hashlib.blake2b(model.encode(), digest_size=6).hexdigest()
    return f"{readable}-{digest}.bin"


def path_for(where: Path, model: str) -> Path:
    """The file of `model`'s table in the folder `where`."""
    return where / file_name(model)


@dataclass(frozen=True)
class _Layout:
    """Where each part of a table's file starts, from its head."""

    dim: int
    count: int
    text_bytes: int
    slots: int

    @property
    def text(self) -> int:
        return _HEAD.size

    @property
    def starts(self) -> int:  # each word's start in the text, and the text's end
        return self.text + -(-self.text_bytes // 4) * 4

    @property
    def crcs(self) -> int:
        return self.starts + 4 * (self.count + 1)

    @property
    def hashed(self) -> int:
        return self.crcs + 4 * self.count

    @property
    def vectors(self) -> int:
        return -(-(self.hashed + 4 * self.slots) // ALIGN) * ALIGN

    @property
    def size(self) -> int:
        return self.vectors + 4 * self.dim * self.count


def _slots(count: int) -> int:
    """Slots of the hashed lookup: a power of two, at most half of them taken."""
    return 1 << max(4, (2 * count - 1).bit_length())


def _hash(encoded: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(encoded, digest_size=8).digest(), "little")


class Table:
    """One model's table, opened: the file mapped, nothing read but its head. A word is found
    by its hash in the file's lookup (open addressing, linear probing: a slot holds a row
    plus one, 0 when empty) and compared with the word stored there, so that a damaged
    lookup or text finds nothing rather than another word's vector."""

    def __init__(self, path: Path, layout: _Layout, data: np.ndarray) -> None:
        self.path, self.layout, self.data = path, layout, data
        self.starts = data[layout.starts : layout.crcs].view("<u4")
        self.crcs = data[layout.crcs : layout.hashed].view("<u4")
        self.slots = data[layout.hashed : layout.hashed + 4 * layout.slots].view("<u4")
        self.vectors = data[layout.vectors :].view("<f4").reshape(layout.count, layout.dim)
        self.checked: dict[int, bool] = {}  # row -> whether its vector checked out

    def __len__(self) -> int:
        return self.layout.count

    def row(self, word: str) -> int | None:
        """The word's row, if the table has it."""
        encoded = word.encode("utf-8", "surrogatepass")
        layout = self.layout
        mask = layout.slots - 1
        at = _hash(encoded) & mask
        for _ in range(layout.slots):
            taken = int(self.slots[at])
            if not taken:
                return None
            row = taken - 1
            if row < layout.count:  # (a damaged slot may hold anything)
                start, end = int(self.starts[row]), int(self.starts[row + 1]) - 1
                if end - start == len(encoded) and end <= layout.text_bytes:
                    found = self.data[layout.text + start : layout.text + end].tobytes()
                    if found == encoded:
                        return row
            at = (at + 1) & mask
        return None

    def get(self, word: str) -> np.ndarray | None:
        """The word's vector, if the table has it and it checks out."""
        row = self.row(word)
        if row is None:
            return None
        vector = np.array(self.vectors[row], dtype=np.float32)
        good = self.checked.get(row)
        if good is None:
            good = self.checked[row] = zlib.crc32(vector.tobytes()) == int(self.crcs[row])
            if not good:
                log.warning("the vector of %r in %s is damaged: embedded instead", word, self.path)
        return vector if good else None


_tables: dict[Path, Table | None] = {}
_lock = threading.Lock()


def table(model: str) -> Table | None:
    """`model`'s table, opened the first time this process asks (None: there is none)."""
    where = folder()
    if where is None:
        return None
    path = path_for(where, model)
    with _lock:
        if path not in _tables:
            _tables[path] = read(path)
        return _tables[path]


def forget() -> None:
    """Open the tables afresh when next asked (as a new process would)."""
    with _lock:
        _tables.clear()


def read(path: Path) -> Table | None:
    """The table in the file at `path`; None if there is none, or if it is not whole."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_HEAD.size)
            size = os.fstat(handle.fileno()).st_size
        if len(head) < _HEAD.size or head[: len(MAGIC)] != MAGIC:
            log.warning("%s is not a table of word vectors: not used", path)
            return None
        layout = _Layout(*_HEAD.unpack(head)[1:])
        if size != layout.size or not layout.dim or layout.slots != _slots(layout.count):
            log.warning("%s is not whole (remake it: clausebot words)", path)
            return None
        data = np.memmap(path, dtype=np.uint8, mode="r")
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("%s cannot be read (%s): not used", path, exc)
        return None
    return Table(path, layout, data)


def write(path: Path, table_words: Sequence[str], vectors: np.ndarray) -> None:
    """Write a table of `table_words` and their `vectors` to `path`, replacing any there at
    once."""
    vectors = np.ascontiguousarray(vectors, dtype="<f4")
    count, dim = vectors.shape
    if count != len(table_words) or any("\n" in w or not w for w in table_words):
        raise ValueError("a table needs one vector a word, and words without line breaks")
    encoded = [w.encode("utf-8", "surrogatepass") for w in table_words]
    text = b"\n".join(encoded)
    layout = _Layout(dim, count, len(text), _slots(count))
    starts = np.zeros(count + 1, dtype="<u4")
    starts[1:] = np.cumsum([len(e) + 1 for e in encoded])
    slots = np.zeros(layout.slots, dtype="<u4")
    mask = layout.slots - 1
    for row, word in enumerate(encoded):
        at = _hash(word) & mask
        while slots[at]:
            at = (at + 1) & mask
        slots[at] = row + 1
    crcs = np.array([zlib.crc32(v.tobytes()) for v in vectors], dtype="<u4")
    parts = [
        (0, _HEAD.pack(MAGIC, *astuple(layout))),
        (layout.text, text),
        (layout.starts, starts.tobytes()),
        (layout.crcs, crcs.tobytes()),
        (layout.hashed, slots.tobytes()),
        (layout.vectors, vectors.tobytes()),
    ]
    padded, end = [], 0
    for at, part in parts:
        padded += [b"\0" * (at - end), part]
        end = at + len(part)
    assert end == layout.size
    path.parent.mkdir(parents=True, exist_ok=True)
    made = temporary(path.parent, padded, ".table-")
    try:
        os.replace(made, path)
    except OSError:
        os.unlink(made)
        raise
    with _lock:
        _tables.pop(path, None)


def temporary(folder: Path, parts: Iterable[bytes], prefix: str) -> str:
    """A new file in `folder` holding `parts` one after another, with FILE_MODE: its path
    (the file removed again if writing it fails). Written aside, then linked or moved into
    place, so that no reader sees a file half written (here, and retrieval.word_vectors)."""
    handle, made = tempfile.mkstemp(dir=folder, prefix=prefix)
    try:
        with os.fdopen(handle, "wb") as out:
            os.fchmod(out.fileno(), FILE_MODE)
            for part in parts:
                out.write(part)
    except BaseException:
        os.unlink(made)
        raise
    return made


def embed_words(embedder: Any, table_words: Sequence[str], progress: Any = None) -> np.ndarray:
    """The words' vectors as questions, as the bridge embeds them: in chunks, on a thread a
    core where the model runs in clausebot's engine (retrieval.vectors.side_by_side)."""
    from retrieval.embed import threaded
    from retrieval.progress import Progress, cost
    from retrieval.vectors import side_by_side

    out = np.zeros((len(table_words), embedder.dim), dtype=np.float32)
    chunks = [
        _Chunk(start, min(start + CHUNK, len(table_words)))
        for start in range(0, len(table_words), CHUNK)
    ]
    for chunk in chunks:
        chunk.work = sum(cost(w) for w in table_words[chunk.start : chunk.stop])
    counter = Progress(len(table_words), sum(c.work for c in chunks), progress)
    lock = threading.Lock()

    def embed(chunk: _Chunk) -> None:
        found = embedder.embed(list(table_words[chunk.start : chunk.stop]), query=True)
        with lock:
            out[chunk.start : chunk.stop] = found
            counter.advance(chunk.stop - chunk.start, chunk.work)

    count = max(1, os.cpu_count() or 1) if threaded(embedder) else 1
    if count > 1:
        side_by_side(embed, chunks, count)
    else:
        for chunk in chunks:
            embed(chunk)
    return out


@dataclass
class _Chunk:
    start: int
    stop: int
    work: int = 0


PROBES = 8  # words of a table embedded again to tell whether the model still gives them


def current(embedder: Any, path: Path, table_words: Sequence[str]) -> bool:
    """Whether the table at `path` holds exactly `table_words`, and `embedder` still gives
    some of them (PROBES, spread over the list) the vectors it holds, bit for bit: a model
    changed under the same name (a new release of its package) makes it out of date."""
    found = read(path)
    if found is None or len(found) != len(table_words) or not table_words:
        return False
    text = b"\n".join(w.encode("utf-8", "surrogatepass") for w in table_words)
    layout = found.layout
    if layout.text_bytes != len(text) or layout.dim != embedder.dim:
        return False
    if found.data[layout.text : layout.text + len(text)].tobytes() != text:
        return False
    rows = sorted({round(i * (len(table_words) - 1) / (PROBES - 1)) for i in range(PROBES)})
    fresh = embedder.embed([table_words[r] for r in rows], query=True)
    return all(
        (kept := found.get(table_words[r])) is not None and np.array_equal(kept, vector)
        for r, vector in zip(rows, fresh, strict=True)
    )


def make(
    embedder: Any, where: Path, progress: Any = None, force: bool = False
) -> tuple[Path, int, float | None]:
    """Embed LIST_FILE's words with `embedder` and write its table in `where`: the file, the
    words and the seconds it took (None: the table there was current, see `current`, and
    `force` was not given)."""
    started = time.perf_counter()
    table_words = words()
    path = path_for(where, embedder.name)
    if not force and current(embedder, path, table_words):
        return path, len(table_words), None
    vectors = embed_words(embedder, table_words, progress)
    write(path, table_words, vectors)
    return path, len(table_words), time.perf_counter() - started

"""Vectors for a build: which texts each model must embed, and embedding them.

A text's vector is kept under the hash of the model and the text (content_hash): a build looks
each one up in the previous generation and in the shipped reference vectors, and embeds only
what it cannot find, in batches of texts of about one length, reporting its progress.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

import numpy as np

from retrieval.embed import Embedder, token_states

# What each model embeds: the units of the corpus; off-topic passages (for abstention); and,
# for the first model only, the corpus vocabulary and everyday questions in several languages
# (for questions in other languages, see bridge.translate and confidence.relative).
SETS = ("units", "background", "words", "everyday", "asked")
FIRST_MODEL_ONLY = ("words", "everyday", "asked")
QUERY_SETS = ("asked",)  # embedded as questions ("query: "), the others as passages
EMBED_BATCH = 64


def content_hash(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()[:32]


class SpilledStates(MutableMapping[str, np.ndarray]):
    """Token states by unit hash, for a build: those known already (views of the current
    generation's file) as given; new ones appended to a file at `path` in half precision
    as the embedding pass gives them, and read back from it mapped. A build of a large
    corpus then holds none of its new clauses' states in memory (100k paragraphs of about
    150 tokens: some 11 GB) on their way to the index (store.write_tokens). `close`
    removes the file when the generation is written."""

    def __init__(self, path: Path, dim: int, known: Mapping[str, np.ndarray] | None = None):
        self.path, self.dim = path, dim
        self.known: dict[str, np.ndarray] = dict(known or {})
        self.spilled: dict[str, tuple[int, int]] = {}  # hash -> (first row, rows) in the file
        self.rows = 0
        self._file: BinaryIO | None = None
        self._mapped: np.ndarray | None = None

    def __setitem__(self, key: str, value: np.ndarray) -> None:
        rows = np.ascontiguousarray(value, dtype=np.float16).reshape(-1, self.dim)
        if self._file is None:
            self._file = self.path.open("ab")
        self._file.write(rows.tobytes())
        self.known.pop(key, None)
        self.spilled[key] = (self.rows, len(rows))
        self.rows += len(rows)
        self._mapped = None  # the file grew: mapped again when next read

    def __getitem__(self, key: str) -> np.ndarray:
        if key in self.known:
            return self.known[key]
        first, count = self.spilled[key]
        if count == 0:
            return np.zeros((0, self.dim), dtype=np.float16)
        if self._mapped is None:
            assert self._file is not None
            self._file.flush()
            self._mapped = np.memmap(self.path, np.float16, "r", shape=(self.rows, self.dim))
        return self._mapped[first : first + count]

    def __delitem__(self, key: str) -> None:
        if self.known.pop(key, None) is None:
            del self.spilled[key]  # its rows stay in the file, unread

    def __iter__(self) -> Iterator[str]:
        yield from self.known
        yield from self.spilled

    def __len__(self) -> int:
        return len(self.known) + len(self.spilled)

    def close(self) -> None:
        """Stop writing, drop the mapping and remove the file: the states read from it are
        no longer needed."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._mapped = None
        self.path.unlink(missing_ok=True)


@dataclass(frozen=True)
class SpacePlan:
    """One model's vectors for a build: per set, the content hashes and their vectors."""

    embedder: Embedder
    hashes: dict[str, list[str]]
    vectors: dict[str, np.ndarray]
    # the token states of the units in Planned.states_for, by the unit's hash (retrieval.late)
    states: MutableMapping[str, np.ndarray] | None = None


@dataclass(frozen=True)
class Planned:
    """One model's share of a build: per set, every text's hash and the texts to embed."""

    embedder: Embedder
    hashes: dict[str, list[str]]
    todo: dict[str, list[int]]
    states_for: frozenset[int] = frozenset()  # units whose token states are kept

    @property
    def count(self) -> int:
        return sum(len(t) for t in self.todo.values())


def plan_vectors(
    embedders: Sequence[Embedder],
    texts: Mapping[str, Sequence[str]],
    known: Mapping[str, object],
    whole: Sequence[bool] = (),
    known_states: Mapping[str, object] | None = None,
) -> list[Planned]:
    """For each model, the hashes of its sets' texts and those that `known` lacks. The
    first model, if it gives token states, also keeps those of the units marked `whole`
    (each clause whole: retrieval.late), and embeds again a unit whose vector is known but
    whose states `known_states` lacks."""
    plans = []
    for number, embedder in enumerate(embedders):
        kinds = SETS if number == 0 else tuple(k for k in SETS if k not in FIRST_MODEL_ONLY)
        hashes = {
            kind: [content_hash(embedder.name, f"{kind}\0{t}") for t in texts[kind]]
            for kind in kinds
        }
        todo = {kind: [i for i, h in enumerate(hashes[kind]) if h not in known] for kind in kinds}
        wanted: frozenset[int] = frozenset()
        if number == 0 and token_states(embedder):
            wanted = frozenset(i for i, w in enumerate(whole) if w)
            stated = known_states or {}
            lacking = {i for i in wanted if hashes["units"][i] not in stated}
            todo["units"] = sorted(set(todo["units"]) | lacking)
        planned = Planned(embedder, hashes, todo, wanted)
        expect = getattr(embedder, "expect", None)
        if expect is not None:  # it may choose how to embed by how much there is
            expect(planned.count)
        plans.append(planned)
    return plans


TEXT_COST = 16  # characters a text costs besides its own: the prefix and the special tokens


def cost(text: str) -> int:
    """About what embedding a text costs, in characters: a model's time grows with its
    tokens, so a paragraph costs what a dozen single words do."""
    return len(text) + TEXT_COST


@dataclass(frozen=True)
class Step:
    """How far a build's embedding has come: texts, and their cost (see `cost`)."""

    texts: int
    total_texts: int
    work: int
    total_work: int


Reporter = Callable[[Step], None] | None


class Progress:
    """Counts embedded texts across models and reports each step to a callback."""

    def __init__(
        self, plans: Sequence[Planned], texts: Mapping[str, Sequence[str]], callback: Reporter
    ) -> None:
        self.callback = callback
        self.total_texts = sum(p.count for p in plans)
        self.total_work = sum(
            cost(texts[kind][i]) for p in plans for kind, todo in p.todo.items() for i in todo
        )
        self.texts = self.work = 0

    def advance(self, batch: Sequence[str]) -> None:
        self.texts += len(batch)
        self.work += sum(map(cost, batch))
        if self.callback is not None:
            self.callback(Step(self.texts, self.total_texts, self.work, self.total_work))


def embed_all(
    plans: Sequence[Planned],
    texts: Mapping[str, Sequence[str]],
    known: Mapping[str, np.ndarray],
    progress: Reporter = None,
    known_states: Mapping[str, np.ndarray] | None = None,
    spill: Path | None = None,
) -> list[SpacePlan]:
    """Every model's vectors of every set, known ones looked up, the others embedded; and
    the token states a plan keeps (Planned.states_for), known ones looked up, the others
    taken from the same pass: kept in memory, or with `spill` (a path) written as they come
    to a file of that name and the plan's number (SpilledStates; the caller closes those it
    gets back, and a pass that fails closes them itself)."""
    counter = Progress(plans, texts, progress)
    spaces = []
    spilled: list[SpilledStates] = []
    try:
        for number, p in enumerate(plans):
            states: MutableMapping[str, np.ndarray] | None = None
            if p.states_for:
                stated = known_states or {}
                reused = {
                    p.hashes["units"][i]: stated[p.hashes["units"][i]]
                    for i in p.states_for
                    if p.hashes["units"][i] in stated
                }
                states = reused
                if spill is not None:
                    path = spill.with_name(f"{spill.name}-{number}")
                    states = SpilledStates(path, p.embedder.dim, reused)
                    spilled.append(states)
            vectors = {
                kind: _embed(
                    p.embedder,
                    texts[kind],
                    p.hashes[kind],
                    p.todo[kind],
                    known,
                    counter,
                    query=kind in QUERY_SETS,
                    states=(states, p.states_for)
                    if kind == "units" and states is not None
                    else None,
                )
                for kind in p.hashes
            }
            spaces.append(SpacePlan(p.embedder, p.hashes, vectors, states))
    except BaseException:
        for states in spilled:
            states.close()
        raise
    return spaces


def _embed(
    embedder: Embedder,
    texts: Sequence[str],
    hashes: Sequence[str],
    todo: Sequence[int],
    known: Mapping[str, np.ndarray],
    counter: Progress,
    query: bool = False,
    states: tuple[MutableMapping[str, np.ndarray], frozenset[int]] | None = None,
) -> np.ndarray:
    """Vectors for all texts: reused where the hash is known, embedded in batches where
    not; a batch holds texts of about one length (a model pads each text of a batch to
    its longest: sentences batched with whole paragraphs cost a paragraph each). With
    `states` (a dict to fill and the texts wanted), the token states of the wanted texts
    embedded go into the dict, in half precision, by hash."""
    vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    for i, h in enumerate(hashes):
        if h in known:
            vectors[i] = known[h]
    todo = sorted(todo, key=lambda i: len(texts[i]))
    for start in range(0, len(todo), EMBED_BATCH):
        batch = list(todo[start : start + EMBED_BATCH])
        chunk = [texts[i] for i in batch]
        if states is None or not states[1].intersection(batch):
            vectors[batch] = embedder.embed(chunk, query=query)
        else:
            vectors[batch], rows = embedder.embed_states(chunk, query=query)  # type: ignore[attr-defined]
            kept, wanted = states
            for i, row in zip(batch, rows, strict=True):
                if i in wanted:
                    kept[hashes[i]] = row.astype(np.float16)
        counter.advance(chunk)
    return vectors


PROGRESS_ABOVE = 200  # texts to embed: below, a build is quick and says nothing until done
LOG_STEP = 0.1  # away from a terminal, a line per tenth of the texts


class ProgressReport:
    """Progress of a long build on stderr. On a terminal, one line redrawn with the share
    done and the time left; elsewhere (a log, CI), a line per document before embedding
    starts, then a line per tenth. Shares and the time left are of the work (see `cost`),
    not of the texts: the corpus's paragraphs take longer than its vocabulary's words. The
    time left is the time so far scaled by the work that remains, counted from the end of
    the first batch (which also loads the model)."""

    def __init__(
        self, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.stream = stream or sys.stderr
        self.clock = clock
        self.quiet = False
        self.started: float | None = None
        self.first = 0
        self.logged = 0.0

    def documents(self, counts: Mapping[str, tuple[int, int]], texts: int) -> None:
        """Before embedding `texts` texts: each document's clauses, and how many of them
        must be embedded (the rest are reused); away from a terminal only. A build of
        PROGRESS_ABOVE texts or fewer is quick and says nothing until done."""
        self.quiet = texts <= PROGRESS_ABOVE
        if self.quiet or self.stream.isatty():
            return
        for doc_id, (clauses, todo) in counts.items():
            self.stream.write(f"{doc_id}: {clauses} clauses, {todo} to embed\n")
        self.stream.flush()

    def __call__(self, step: Step) -> None:
        now = self.clock()
        if self.started is None:
            self.started, self.first = now, step.work
        if self.quiet or step.total_texts <= PROGRESS_ABOVE:
            return
        share = step.work / step.total_work if step.total_work else 1.0
        done = step.texts >= step.total_texts
        line = (
            f"embedding {step.texts}/{step.total_texts} texts ({int(100 * share)}%)"
            f"{self._left(step, now)}"
        )
        if self.stream.isatty():
            self.stream.write(f"\r{line}\033[K" + ("\n" if done else ""))
        elif done or share >= self.logged + LOG_STEP:
            self.logged = share
            self.stream.write(line + "\n")
        self.stream.flush()

    def _left(self, step: Step, now: float) -> str:
        counted = step.work - self.first
        if self.started is None or step.texts >= step.total_texts or counted <= 0:
            return ""
        seconds = (now - self.started) / counted * (step.total_work - step.work)
        return f", about {_duration(seconds)} left"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"

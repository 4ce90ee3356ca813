"""Vectors for a build: which texts each model must embed, and embedding them.

A text's vector is kept under the hash of the model and the text (content_hash): a build looks
each one up in the previous generation and in the shipped reference vectors, and embeds only
what it cannot find, in batches of texts of about one length, shared out among a thread a
core where the models run in clausebot's engine, reporting its progress (retrieval.progress).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, TypeVar

import numpy as np

from retrieval.embed import Embedder, threaded, token_states
from retrieval.native import engine_threads
from retrieval.progress import Progress, Reporter, cost

# What each model embeds: the units of the corpus; off-topic passages (for abstention); and,
# for the first model only, the corpus vocabulary and everyday questions in several languages
# (for questions in other languages, see bridge.translate and evidence.relative).
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
    gets back, and a pass that fails closes them itself). Where every model with work runs
    in clausebot's engine, the batches are shared out among a thread a core (`workers`)."""
    spilled: list[SpilledStates] = []
    try:
        kept = [_kept_states(p, n, known_states, spill, spilled) for n, p in enumerate(plans)]
        vectors = [
            {kind: _known(p.embedder, p.hashes[kind], known) for kind in p.hashes} for p in plans
        ]
        count = workers(plans)
        batches = [
            batch
            for number, p in enumerate(plans)
            for kind in p.hashes
            for batch in _batches(number, p, kind, texts[kind], count)
        ]
        counter = Progress(
            sum(len(b.rows) for b in batches), sum(b.work for b in batches), progress
        )
        lock = threading.Lock()

        def embed(batch: Batch) -> None:
            p = plans[batch.plan]
            chunk = [texts[batch.kind][i] for i in batch.rows]
            query = batch.kind in QUERY_SETS
            rows: list[np.ndarray] = []
            if batch.states:
                found, rows = p.embedder.embed_states(chunk, query=query)  # type: ignore[attr-defined]
            else:
                found = p.embedder.embed(chunk, query=query)
            with lock:  # one writer at a time: the progress line, a spilled states file
                vectors[batch.plan][batch.kind][list(batch.rows)] = found
                states = kept[batch.plan]
                if batch.states and states is not None:  # (a plan that keeps some has them)
                    for i, row in zip(batch.rows, rows, strict=True):
                        if i in p.states_for:
                            states[p.hashes["units"][i]] = row.astype(np.float16)
                counter.advance(len(batch.rows), batch.work)

        if count > 1 and len(batches) > 1:
            side_by_side(embed, batches, count)
        else:
            for batch in batches:
                embed(batch)
    except BaseException:
        for states in spilled:
            states.close()
        raise
    return [SpacePlan(p.embedder, p.hashes, vectors[n], kept[n]) for n, p in enumerate(plans)]


def _kept_states(
    plan: Planned,
    number: int,
    known_states: Mapping[str, np.ndarray] | None,
    spill: Path | None,
    spilled: list[SpilledStates],
) -> MutableMapping[str, np.ndarray] | None:
    """Where a plan's token states go: those known already, and room for the new ones (in
    memory, or in a spilled file that `spilled` gets); None for a plan that keeps none."""
    if not plan.states_for:
        return None
    stated = known_states or {}
    units = plan.hashes["units"]
    reused = {units[i]: stated[units[i]] for i in plan.states_for if units[i] in stated}
    if spill is None:
        return reused
    states = SpilledStates(spill.with_name(f"{spill.name}-{number}"), plan.embedder.dim, reused)
    spilled.append(states)
    return states


def _known(
    embedder: Embedder, hashes: Sequence[str], known: Mapping[str, np.ndarray]
) -> np.ndarray:
    """A set's vectors, with those `known` has filled in; the others are embedded."""
    vectors = np.zeros((len(hashes), embedder.dim), dtype=np.float32)
    for i, h in enumerate(hashes):
        if h in known:
            vectors[i] = known[h]
    return vectors


@dataclass(frozen=True)
class Batch:
    """Texts of one set that one model embeds in one call."""

    plan: int  # the model's plan, by its number
    kind: str
    rows: tuple[int, ...]  # the texts, by their place in the set
    states: bool  # whose token states are kept (some of them)
    work: int  # their cost (see `cost`)


def _batches(
    number: int, plan: Planned, kind: str, texts: Sequence[str], threads: int
) -> Iterator[Batch]:
    """The batches a set's texts to embed are read in: texts of about one length together
    (a model pads each text of a batch to its longest: sentences batched with whole
    paragraphs cost a paragraph each), EMBED_BATCH at most; SHARED_BATCH at most when
    several threads share them, so that no batch is a large part of all the work."""
    size = EMBED_BATCH if threads == 1 else SHARED_BATCH
    todo = sorted(plan.todo[kind], key=lambda i: len(texts[i]))
    for start in range(0, len(todo), size):
        rows = tuple(todo[start : start + size])
        states = kind == "units" and not plan.states_for.isdisjoint(rows)
        yield Batch(number, kind, rows, states, sum(cost(texts[i]) for i in rows))


# Texts in a batch when several threads share a build's batches: small enough that the
# largest batch (the longest paragraphs) is not the whole of one thread's work, large enough
# that each call still multiplies a few thousand tokens at once.
SHARED_BATCH = 16
MOST_WORKERS = 8


def workers(plans: Sequence[Planned]) -> int:
    """How many threads a build embeds with: one a core (MOST_WORKERS at most) where every
    model with texts to embed runs in clausebot's engine (embed.threaded), each thread then
    taking its share of the engine's (one on a machine of up to MOST_WORKERS cores);
    otherwise one, the caller's, whose calls use every core as the engine or torch share
    them out. Two passes side by side, one a core, embed a fifth to a third more than one
    pass on both cores, whose threads wait for each other at every layer
    (docs/performance.md, eighteenth session); the vectors are the same, bit for bit."""
    busy = [p for p in plans if p.count]
    if not busy or not all(threaded(p.embedder) for p in busy):
        return 1
    return max(1, min(os.cpu_count() or 1, MOST_WORKERS))


class Weighed(Protocol):
    """A batch of texts to embed, with what it costs."""

    @property
    def work(self) -> int:  # what embedding it costs (progress.cost)
        ...


W = TypeVar("W", bound=Weighed)


def side_by_side(embed: Callable[[W], None], batches: Sequence[W], count: int) -> None:
    """Embed the batches on `count` threads, each with its share of the cores for the
    engine's own threads, the costliest first (so that the last ones to finish are short);
    the first failure stops the batches not yet begun and is raised."""
    share = max(1, (os.cpu_count() or 1) // count)
    order = sorted(batches, key=lambda b: -b.work)
    with ThreadPoolExecutor(count, initializer=engine_threads, initargs=(share,)) as pool:
        futures = [pool.submit(embed, batch) for batch in order]
        try:
            for future in futures:
                future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            raise

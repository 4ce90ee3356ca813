"""A build's embedding pass shared among threads (retrieval.vectors): the same index as one
thread's, every batch embedded once, a failure stopping the build cleanly."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from retrieval import vectors
from retrieval.build import build_index
from retrieval.corpus import load_corpus
from retrieval.embed import HashingEmbedder
from retrieval.engine import Engine
from retrieval.settings import Settings
from retrieval.vectors import plan_vectors, workers


class ThreadedHashing(HashingEmbedder):
    """The hashing embedder as clausebot's engine presents itself: safe to call from several
    threads at once, with token states (one hashed vector per word). It notes the threads
    that called it and every text it embedded, takes a little time a call (so that every
    thread gets batches), and can be told to fail on the texts that hold some words."""

    name = "threaded-hashing"
    token_states = True
    threaded = True

    def __init__(self, fail_on: str | None = None) -> None:
        super().__init__()
        self.fail_on = fail_on
        self.threads: set[int] = set()
        self.texts: list[str] = []
        self._lock = threading.Lock()

    def embed(self, texts, *, query=False):  # type: ignore[no-untyped-def]
        with self._lock:
            self.threads.add(threading.get_ident())
            self.texts.extend(texts)
        if self.fail_on is not None and any(self.fail_on in t for t in texts):
            raise RuntimeError("model crashed")
        time.sleep(0.01)
        return super().embed(texts, query=query)

    def embed_states(self, texts, *, query=False):  # type: ignore[no-untyped-def]
        words = [t.lower().split() for t in texts]
        states = [
            super(ThreadedHashing, self).embed(w) if w else np.zeros((0, self.dim), np.float32)
            for w in words
        ]
        return self.embed(texts, query=query), states


def _arrays(index: Path) -> dict[str, np.ndarray]:
    return {p.name: np.load(p) for p in sorted((index / "current").glob("*.npy"))}


def _built(settings: Settings, tmp_path: Path, name: str, count: int, mp: pytest.MonkeyPatch):
    mp.setattr(vectors, "workers", lambda plans: count)
    embedder = ThreadedHashing()
    engine = Engine(Settings(corpus=settings.corpus, index=tmp_path / name), embedders=[embedder])
    engine.build()
    return _arrays(tmp_path / name), embedder


def test_a_build_shared_among_threads_writes_the_index_one_thread_writes(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone, one = _built(settings, tmp_path, "alone", 1, monkeypatch)
    shared, three = _built(settings, tmp_path, "shared", 3, monkeypatch)
    assert len(one.threads) == 1 and len(three.threads) == 3
    # every text embedded as often as one thread embeds it, whichever thread took its batch
    assert sorted(three.texts) == sorted(one.texts)
    assert alone.keys() == shared.keys() and "tokens-0.npy" in shared
    for name, array in alone.items():
        np.testing.assert_array_equal(shared[name], array, err_msg=name)


def test_a_failure_on_one_thread_fails_the_build_and_the_old_index_serves(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vectors, "workers", lambda plans: 2)
    engine = Engine(settings, embedders=[ThreadedHashing()])
    engine.build()
    before = engine.store.generation()
    clause = "A brand new clause on satellites."
    (settings.corpus / "new.txt").write_text(clause + "\n", "utf-8")
    documents, _ = load_corpus(settings.corpus)
    failing = ThreadedHashing(fail_on=clause)
    with pytest.raises(RuntimeError, match="crashed"):
        build_index(engine.store, documents, [failing])
    assert engine.store.generation() == before
    assert not list(engine.store.root.glob(".building-*"))  # no spilled states left
    assert engine.ask("children").passages


def test_a_build_takes_a_thread_a_core_only_where_every_busy_model_allows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = {
        "units": ["one text", "another"],
        "background": ["off topic"],
        "words": ["word"],
        "everyday": ["what time is it"],
        "asked": ["what time is it"],
    }
    monkeypatch.setattr(vectors.os, "cpu_count", lambda: 2)
    assert workers(plan_vectors([ThreadedHashing()], texts, {})) == 2
    assert workers(plan_vectors([ThreadedHashing(), HashingEmbedder()], texts, {})) == 1
    # a model with nothing left to embed does not count
    idle = HashingEmbedder()
    _, second = plan_vectors([ThreadedHashing(), idle], texts, {})
    known = dict.fromkeys(h for hashes in second.hashes.values() for h in hashes)
    assert workers(plan_vectors([ThreadedHashing(), idle], texts, known)) == 2
    monkeypatch.setattr(vectors.os, "cpu_count", lambda: 64)
    assert workers(plan_vectors([ThreadedHashing()], texts, {})) == vectors.MOST_WORKERS
    monkeypatch.setattr(vectors.os, "cpu_count", lambda: None)
    assert workers(plan_vectors([ThreadedHashing()], texts, {})) == 1


def test_each_thread_asks_the_engine_for_its_share_of_the_cores(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On two cores each of two threads takes one of the engine's threads; on 32, each of
    MOST_WORKERS threads takes four. The caller's own thread keeps all of them."""
    asked: list[tuple[int, int]] = []
    monkeypatch.setattr(
        vectors, "engine_threads", lambda n: asked.append((threading.get_ident(), n))
    )
    for cores, share in ((2, 1), (32, 32 // vectors.MOST_WORKERS)):
        asked.clear()
        monkeypatch.setattr(vectors.os, "cpu_count", lambda cores=cores: cores)
        index = tmp_path / f"index-{cores}"
        Engine(Settings(corpus=settings.corpus, index=index), [ThreadedHashing()]).build()
        assert {n for _, n in asked} == {share}
        threads = {ident for ident, _ in asked}
        assert len(threads) == min(cores, vectors.MOST_WORKERS)
        assert threading.get_ident() not in threads

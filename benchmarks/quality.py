"""What each retrieval method brings: builds the bundled corpus under several configurations
and scores each with the same metrics as `clausebot eval`; then the shipped configuration on
the public benchmark (benchmarks/xquad-dev, CC BY-SA 4.0; see benchmarks/baselines.py for
plain e5, MiniLM and BM25 on the same data).

    .venv/bin/python benchmarks/quality.py [--json docs/quality.json]

Question sets: ../shared/eval/dev.jsonl (if present) and tests/questions.jsonl on the bundled
corpus; benchmarks/xquad-dev/questions.jsonl on its own corpus.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.embed import load_embedders  # noqa: E402
from retrieval.engine import Engine  # noqa: E402
from retrieval.evaluate import DEPTH, evaluate, read_items  # noqa: E402
from retrieval.ranking import Options  # noqa: E402
from retrieval.settings import Settings  # noqa: E402
from retrieval.store import IndexStore  # noqa: E402
from retrieval.types import Answer  # noqa: E402

# each row adds a method to the one above it
ALL = Options()
NONE = Options(
    lexical_weight=0.0,
    sentence_units=False,
    translate=False,
    towards_english=False,
    answer_kinds=False,
    common_words=False,
)
SENTENCES = replace(NONE, sentence_units=True)
BM25 = replace(SENTENCES, lexical_weight=ALL.lexical_weight)
BRIDGE = replace(BM25, translate=True)
MOVED = replace(BRIDGE, towards_english=True)  # hybrid: MiniLM on English only
KINDS = replace(MOVED, answer_kinds=True)
CONFIGS = [
    # name, backend, context in embedded text, sentence units, role units, ranking options
    ("dense MiniLM, clause text only (baseline)", "minilm", False, False, False, NONE),
    ("dense e5, clause text only", "e5", False, False, False, NONE),
    ("e5 + context (title, letter part)", "e5", True, False, False, NONE),
    ("e5 + context + sentence units", "e5", True, True, False, SENTENCES),
    ("e5 + context + sentences + BM25", "e5", True, True, False, BM25),
    ("e5 + ... + BM25 with word bridge", "e5", True, True, False, BRIDGE),
    ("e5 + ... + word bridge + letter-part roles", "e5", True, True, True, BRIDGE),
    ("e5 + ... + questions moved towards English", "e5", True, True, True, MOVED),
    ("hybrid e5 + MiniLM (English) + all of the above", "hybrid", True, True, True, MOVED),
    ("hybrid + ... + clauses of the kind asked for raised", "hybrid", True, True, True, KINDS),
    ("hybrid + ... + read without words all documents share", "hybrid", True, True, True, ALL),
]


def question_sets() -> dict[str, Path]:
    sets = {}
    dev = ROOT.parent / "shared" / "eval" / "dev.jsonl"
    if dev.exists():
        sets["dev"] = dev
    sets["own"] = ROOT / "tests" / "questions.jsonl"
    return sets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    models = {name: load_embedders(name) for name in ("minilm", "e5", "hybrid")}
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for number, (name, backend, context, sentences, roles, options) in enumerate(CONFIGS):
            settings = Settings(corpus=ROOT / "corpus", index=Path(tmp) / f"idx{number}")
            store = IndexStore(
                settings.index, context=context, sentence_units=sentences, role_units=roles
            )
            engine = Engine(settings, embedders=models[backend], store=store)
            engine.build()
            row = {"method": name}
            for set_name, path in question_sets().items():

                def ask(
                    question: str, engine: Engine = engine, options: Options = options
                ) -> Answer:
                    return engine.ask(question, k=DEPTH, options=options)

                report = evaluate(read_items(path), ask)
                row[set_name] = report
            results.append(row)
            print_row(row)
        benchmark, xquad = public_benchmark(models["hybrid"], Path(tmp) / "xquad")
        abstention = abstention_ablation(
            {
                "bundled": (engine, question_sets()["own"]),
                "xquad-dev": (xquad, BENCH / "questions.jsonl"),
            }
        )
    for row in abstention:
        print(f"abstention from {row['features']}: {json.dumps(row)}")
    if args.json:
        out = {"retrieval": results, "abstention": abstention, "xquad-dev": benchmark}
        args.json.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


def abstention_sets() -> list[tuple[str, tuple[str, ...]]]:
    from retrieval.confidence import ABSTENTION_FEATURES as BEFORE
    from retrieval.confidence import LATE_FEATURES as SHIPPED

    def without(*names: str) -> tuple[str, ...]:
        return tuple(n for n in SHIPPED if n not in names)

    late = tuple(n for n in SHIPPED if n not in BEFORE)
    return [
        ("shipped", SHIPPED),
        ("without late interaction's features (session 10's)", BEFORE),
        # the first nine are those of session 7's model, fitted on the project's set alone
        ("session 7's features", BEFORE[:9]),
        ("late interaction's alone", late),
        ("levels alone", ("moved_level", "level")),
        ("without the levels", without("moved_level", "level")),
        ("without late_scaled", without("late_scaled")),
        ("without late_low", without("late_low")),
        ("without late_reach_scaled", without("late_reach_scaled")),
        ("without support", without("support")),
        ("without corpus_z", without("corpus_z")),
        ("without below_background", without("below_background")),
    ]


def abstention_ablation(engines: dict[str, tuple[Engine, Path]]) -> list[dict]:  # type: ignore[type-arg]
    """Which features tell answerable questions from the rest, on both corpora: each set is
    fitted as `clausebot calibrate` fits (both corpora, one threshold) and reported on each
    corpus, in the fit and left out of it (fitted on the other corpus alone)."""
    from retrieval.calibrate import MAX_FALSE_ABSTENTION, calibrate, collect

    samples = []
    for name, (engine, questions) in engines.items():
        samples += collect(engine, read_items(questions), name)
    out = []
    for label, names in abstention_sets():
        entry = calibrate(samples, "ablation", MAX_FALSE_ABSTENTION, names)
        out.append(
            {
                "features": label,
                "fitted": entry["by_corpus"],
                "left_out": entry["leave_one_corpus_out"],
            }
        )
    return out


BENCH = ROOT / "benchmarks" / "xquad-dev"


def public_benchmark(embedders: list, index: Path) -> tuple[dict, Engine]:  # type: ignore[type-arg]
    """The shipped configuration on the public benchmark, built from nothing (and its engine)."""
    engine = Engine(Settings(corpus=BENCH / "corpus", index=index), embedders=embedders)
    engine.build()
    report = evaluate(read_items(BENCH / "questions.jsonl"), lambda q: engine.ask(q, k=DEPTH))
    report.pop("misses")
    for lang, figures in report["by_language"].items():
        print(f"xquad-dev {lang}: {figures}")
    for kind, figures in report["by_kind"].items():
        print(f"xquad-dev {kind}: {figures}")
    print(f"xquad-dev confidence AUC: {report['auc']}")
    return report, engine


def print_row(row: dict) -> None:  # type: ignore[type-arg]
    cells = [row["method"]]
    for set_name in ("dev", "own"):
        if set_name not in row:
            continue
        langs = row[set_name]["by_language"]
        en = langs.get("en", {})
        other = [v for k, v in langs.items() if k != "en" and v["hit@3"] is not None]
        other_hit3 = sum(v["hit@3"] * v["in_scope"] for v in other) / max(
            1, sum(v["in_scope"] for v in other)
        )
        overall = row[set_name]["overall"]
        cells.append(
            f"{set_name}: en h@1 {en.get('hit@1', 0):.2f} h@3 {en.get('hit@3', 0):.2f} | "
            f"az/ru/tr h@3 {other_hit3:.2f} | "
            f"abst-out {overall['abstention_out_of_scope'] or 0:.2f} "
            f"false-abst {overall['false_abstention'] or 0:.2f}"
        )
    print(" || ".join(cells), flush=True)


if __name__ == "__main__":
    raise SystemExit(main())

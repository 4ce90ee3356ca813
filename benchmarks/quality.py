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

import numpy as np

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
        abstention = abstention_ablation(engine)
        benchmark = public_benchmark(models["hybrid"], Path(tmp) / "xquad")
    for row in abstention:
        print(f"abstention from {row['features']}: {row}")
    if args.json:
        out = {"retrieval": results, "abstention": abstention, "xquad-dev": benchmark}
        args.json.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


BASE = ("relative", "english_cosine", "english", "known_words")
FOREIGN = ("relative_foreign", "unnamed_relative_foreign")
ABSTENTION_SETS = [
    ("relative",),
    ("relative", "known_words"),
    ("relative", "english_cosine", "english"),
    BASE,
    (*BASE, "support"),
    (*BASE, "unnamed_relative"),
    (*BASE, "unknown_name"),
    (*BASE, "unnamed_relative", "unknown_name"),
    (*BASE, "support", "unnamed_relative", "unknown_name", *FOREIGN),
    (*BASE, "unnamed_relative", "unknown_name", *FOREIGN),
    (*BASE, "unnamed_relative", "unknown_name", *FOREIGN, "answer_type_missing"),  # shipped
]


def abstention_ablation(engine: Engine) -> list[dict]:  # type: ignore[type-arg]
    """Which features tell answerable questions from the rest: each subset is fitted on the
    project's set (leave-one-out figures) and, fitted on all of it, applied to the dev set.
    The last two rows are the shipped features again: fitted with weights of any sign (not
    within retrieval.calibrate.SIGNS), and without everyday questions as the off-topic
    reference of questions not in English."""
    from retrieval.calibrate import MAX_FALSE_ABSTENTION as BUDGET
    from retrieval.calibrate import fit
    from retrieval.confidence import Features

    def table(path: Path, options: Options) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        items = read_items(path)
        rows, groups = [], []
        for item in items:
            ranking, _, _ = engine.ranking(item.question, k=1, options=options)
            assert ranking.features is not None
            rows.append(ranking.features.vector())
            groups.append(ranking.features.group)
        y = np.array([1.0 if i.expect else 0.0 for i in items])
        return np.array(rows), y, np.array(groups)

    sets = question_sets()
    runs = [(names, Options(), True, "") for names in ABSTENTION_SETS]
    shipped = ABSTENTION_SETS[-1]
    runs.append((shipped, Options(), False, " (weights of any sign)"))
    runs.append((shipped, Options(everyday_reference=False), True, " (no everyday)"))
    tables = {
        options: (
            table(sets["own"], options),
            table(sets["dev"], options) if "dev" in sets else None,
        )
        for options in {options for _, options, _, _ in runs}
    }
    out = []
    for names, options, signed, note in runs:
        (x_own, y_own, g_own), dev = tables[options]
        cols = [Features.NAMES.index(n) for n in names]
        x = x_own[:, cols]
        answered = np.zeros(len(y_own), dtype=bool)
        for i in range(len(y_own)):
            rest = np.arange(len(y_own)) != i
            fitted = fit(x[rest], y_own[rest], g_own[rest], BUDGET, names if signed else None)
            answered[i] = fitted.answers(x[i : i + 1], g_own[i : i + 1])[0]
        row = {
            "features": "+".join(names) + note,
            "own_loo_abstained_out": round(float(np.mean(~answered[y_own == 0])), 2),
            "own_loo_false_abstention": round(float(np.mean(~answered[y_own == 1])), 2),
        }
        if dev is not None:
            fitted = fit(x, y_own, g_own, BUDGET, names if signed else None)
            dev_answered = fitted.answers(dev[0][:, cols], dev[2])
            row["dev_abstained_out"] = round(float(np.mean(~dev_answered[dev[1] == 0])), 2)
            row["dev_false_abstention"] = round(float(np.mean(~dev_answered[dev[1] == 1])), 2)
        out.append(row)
    return out


BENCH = ROOT / "benchmarks" / "xquad-dev"


def public_benchmark(embedders: list, index: Path) -> dict:  # type: ignore[type-arg]
    """The shipped configuration on the public benchmark, built from nothing."""
    engine = Engine(Settings(corpus=BENCH / "corpus", index=index), embedders=embedders)
    engine.build()
    report = evaluate(read_items(BENCH / "questions.jsonl"), lambda q: engine.ask(q, k=DEPTH))
    report.pop("misses")
    for lang, figures in report["by_language"].items():
        print(f"xquad-dev {lang}: {figures}")
    for kind, figures in report["by_kind"].items():
        print(f"xquad-dev {kind}: {figures}")
    print(f"xquad-dev confidence AUC: {report['auc']}")
    return report


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

"""What `clausebot eval` and `clausebot calibrate` do: the quality of the answers measured on
question sets, and the abstention fitted on them (retrieval.evaluate, retrieval.calibrate),
rendered on stdout. The other subcommands are bot/commands.py's.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.commands import DEFAULT_QUESTIONS, ROOT, emit_json, stale_notes
from retrieval.errors import ClausebotError
from retrieval.settings import Settings

BENCHMARK = ROOT / "benchmarks" / "xquad-dev"  # the public benchmark's development half


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval.engine import Engine
    from retrieval.evaluate import DEPTH, evaluate, read_items

    path = args.file or DEFAULT_QUESTIONS
    items = read_items(path)
    engine = Engine(settings)
    report = evaluate(items, lambda q: engine.ask(q, k=DEPTH))
    for note in stale_notes(engine, "these figures do"):  # the index's figures, as built
        print(f"warning: {note}", file=sys.stderr)
    if args.json:
        emit_json(report if args.verbose else {k: v for k, v in report.items() if k != "misses"})
        return 0
    print(f"{path}: {report['overall']['questions']} questions")
    # unsure: answered, headed "may not answer"; warned-out: refused or answered so
    columns: tuple[str, ...] = ("n", "hit@1", "hit@3", "mrr@10", "answered@1", "false-abst")
    columns += ("abst-out", "unsure", "warned-out")
    widths = (5, 6, 6, 7, 10, 10, 9, 7, 10)

    def cell(v: float | None, w: int) -> str:
        return f"{v:>{w}.3f}" if v is not None else f"{'-':>{w}}"

    def table(title: str, rows: list[tuple[str, dict[str, Any]]]) -> None:
        print(f"{title:12} " + " ".join(f"{c:>{w}}" for c, w in zip(columns, widths, strict=True)))
        for name, f in rows:
            print(
                f"{name:12} {f['questions']:>5} {cell(f['hit@1'], 6)} {cell(f['hit@3'], 6)} "
                f"{cell(f['mrr@10'], 7)} {cell(f['answered_hit@1'], 10)} "
                f"{cell(f['false_abstention'], 10)} {cell(f['abstention_out_of_scope'], 9)} "
                f"{cell(f['uncertain'], 7)} {cell(f['warned_out_of_scope'], 10)}"
            )

    table("language", [("overall", report["overall"]), *report["by_language"].items()])
    if len(report["by_kind"]) > 1:
        print()
        table("kind", list(report["by_kind"].items()))
    if report["auc"]:
        langs = sorted({lang for row in report["auc"].values() for lang in row} - {"all"})
        print("\nconfidence AUC, answerable against each kind (0.5 = chance)")
        print(f"{'kind':12} " + " ".join(f"{lang:>6}" for lang in ["all", *langs]))
        for kind, row in report["auc"].items():
            cells = " ".join(cell(row.get(lang), 6) for lang in ["all", *langs])
            print(f"{kind:12} {cells}")
    if args.verbose:
        for miss in report["misses"]:
            what = (
                "answered (should abstain)"
                if miss["out_of_scope"]
                else (f"rank {miss['rank']}" + (", abstained" if miss["abstained"] else ""))
            )
            print(f"  miss [{miss['lang']}] {miss['question']!r}: {what}; top {miss['top']}")
    return 0


def calibration_sets(args: argparse.Namespace, settings: Settings) -> list[tuple[str, Path, Path]]:
    """The corpora and question files to fit on: those given with --set, else the bundled
    corpus with the project's questions and the public benchmark with its own."""
    if args.set:
        return [(name, Path(corpus), Path(questions)) for name, corpus, questions in args.set]
    return [
        ("bundled", settings.corpus, DEFAULT_QUESTIONS),
        ("xquad-dev", BENCHMARK / "corpus", BENCHMARK / "questions.jsonl"),
    ]


def cmd_calibrate(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import replace

    from retrieval.calibrate import (
        CALIBRATION_FILE,
        MAX_FALSE_ABSTENTION,
        UNSEEN_DRAWS,
        calibrate,
        collect,
        save,
    )
    from retrieval.confidence import ABSTENTION_FEATURES, LATE_FEATURES, calibration_key
    from retrieval.engine import Engine
    from retrieval.evaluate import read_items

    samples = []
    models = set()
    late = set()
    for name, corpus, questions in calibration_sets(args, settings):
        items = read_items(questions)
        # each corpus gets an index of its own, beside the configured one, built (or brought
        # up to date) with the configured models
        index = settings.index.parent / "calibrate" / f"{name}-{settings.model or 'default'}"
        engine = Engine(replace(settings, corpus=corpus, index=index))
        report = engine.build()
        loaded = engine.index()
        models.add(loaded.model)
        late.add(loaded.tokens is not None)
        for problem in report.skipped:
            print(f"warning: {name}: skipped {problem}", file=sys.stderr)
        print(f"{name}: {report.clauses} clauses, {len(items)} questions", file=sys.stderr)
        samples += collect(engine, items, name)
    if len(models) != 1 or len(late) != 1:
        raise ClausebotError(
            f"the corpora were indexed with different models: {sorted(models)}"
            if len(models) != 1
            else "some corpora's indexes have token states and some do not: rebuild them"
        )
    model, read_late = models.pop(), late.pop()
    budget = args.max_false_abstention
    entry = calibrate(
        samples,
        model,
        MAX_FALSE_ABSTENTION if budget is None else budget,
        LATE_FEATURES if read_late else ABSTENTION_FEATURES,
        UNSEEN_DRAWS if args.unseen_draws is None else args.unseen_draws,
    )
    # a ranking with late interaction has a calibration of its own (confidence.calibration_key)
    save(calibration_key(model, read_late), entry, args.output or CALIBRATION_FILE)
    print(json.dumps(entry, ensure_ascii=False))
    return 0

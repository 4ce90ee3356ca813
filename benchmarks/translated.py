"""The project's own question set put to the bundled corpus in Russian (benchmarks/bundled-ru).

`benchmarks/bundled-ru/corpus` is the bundled corpus translated into Russian by the project,
paragraph for paragraph: its documents are segmented into the same clauses, in the same
order. Each question of tests/questions.jsonl expects the clauses whose English text holds
one of its `expect` strings; here it expects the same clauses of the Russian documents (the
start of their text). The questions stay as they were asked, in English, Azerbaijani,
Russian and Turkish: a corpus in the readers' language, asked in theirs and in others.

Run `python benchmarks/translated.py` to write benchmarks/bundled-ru/questions.jsonl again
after a change to the corpus, the translation or the question set; then
`clausebot eval --corpus benchmarks/bundled-ru/corpus --index DIR
benchmarks/bundled-ru/questions.jsonl`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.corpus import load_corpus  # noqa: E402
from retrieval.evaluate import fold, read_items  # noqa: E402
from retrieval.segment import segment  # noqa: E402

HERE = ROOT / "benchmarks" / "bundled-ru"
# each bundled document and its translation
TRANSLATIONS = {
    "baku-declaration-2012": "bakinskaya-deklaratsiya-2012",
    "letter-to-icann-2012": "pismo-v-icann-2012",
}
PREFIX = 60  # characters of a translated clause that name it in `expect`


def clauses(folder: Path) -> dict[tuple[str, int], str]:
    documents, problems = load_corpus(folder)
    if problems:
        raise SystemExit(f"{folder}: {problems}")
    return {(d.doc_id, c.number): c.text for d in documents for c in segment(d)}


def main() -> int:
    english = clauses(ROOT / "corpus")
    russian = clauses(HERE / "corpus")
    mapped = {(TRANSLATIONS[doc], number) for doc, number in english}
    if mapped != set(russian):
        raise SystemExit("the translation is not segmented into the same clauses")
    names = {key: " ".join(text.split())[:PREFIX] for key, text in russian.items()}
    if len(set(names.values())) != len(names):
        raise SystemExit(f"two translated clauses start alike in their first {PREFIX} characters")
    lines = []
    for item in read_items(ROOT / "tests" / "questions.jsonl"):
        wanted = [fold(e) for e in item.expect]
        found = sorted(
            (TRANSLATIONS[doc], number)
            for (doc, number), text in english.items()
            if any(w in fold(text) for w in wanted)
        )
        if item.expect and not found:
            raise SystemExit(f"{item.item_id}: no clause holds what it expects")
        record = {
            "id": item.item_id,
            "lang": item.lang,
            "question": item.question,
            "expect": [names[key] for key in found],
        }
        lines.append(json.dumps(record, ensure_ascii=False))
    (HERE / "questions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} questions -> {HERE / 'questions.jsonl'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

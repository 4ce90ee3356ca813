"""The project's own question set put to the bundled corpus in Russian and in Azerbaijani
(benchmarks/bundled-ru, benchmarks/bundled-az).

Each `corpus` folder there is the bundled corpus translated by the project, paragraph for
paragraph: its documents are segmented into the same clauses, in the same order. Each
question of tests/questions.jsonl expects the clauses whose English text holds one of its
`expect` strings; here it expects the same clauses of the translated documents (the start
of their text). The questions stay as they were asked, in English, Azerbaijani,
Russian and Turkish: a corpus in the readers' language, asked in theirs and in others.

Run `python benchmarks/translated.py` to write each translation's questions.jsonl again after
a change to the corpus, a translation or the question set; then
`clausebot eval --corpus benchmarks/bundled-ru/corpus --index DIR
benchmarks/bundled-ru/questions.jsonl` (or bundled-az).

It writes benchmarks/bundled-versions/questions.jsonl too: the same questions put to the three
versions together (the bundled corpus with both translations in one corpus folder), each
expecting its clauses in its own language (English, Russian, Azerbaijani), and a Turkish one
in any of the three (retrieval.parallel).
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

# each translation's folder, and each bundled document's translation in it
TRANSLATIONS = {
    "bundled-ru": {
        "baku-declaration-2012": "bakinskaya-deklaratsiya-2012",
        "letter-to-icann-2012": "pismo-v-icann-2012",
    },
    "bundled-az": {
        "baku-declaration-2012": "baki-beyannamesi-2012",
        "letter-to-icann-2012": "icanna-mektub-2012",
    },
}
PREFIX = 60  # characters of a translated clause that name it in `expect`


def clauses(folder: Path) -> dict[tuple[str, int], str]:
    documents, problems = load_corpus(folder)
    if problems:
        raise SystemExit(f"{folder}: {problems}")
    return {(d.doc_id, c.number): c.text for d in documents for c in segment(d)}


VERSIONS = "bundled-versions"  # the three versions in one corpus
LANGUAGES = {"bundled-ru": "ru", "bundled-az": "az"}  # each translation's language


def main() -> int:
    english = clauses(ROOT / "corpus")
    for folder, documents in TRANSLATIONS.items():
        write(english, ROOT / "benchmarks" / folder, documents)
    write_versions()
    return 0


def write_versions() -> None:
    """bundled-versions/questions.jsonl: each question expects its clauses in its language's
    version, a question in a language no version is in (Turkish) any version's."""
    sets = {"en": ROOT / "tests" / "questions.jsonl"}
    sets.update({LANGUAGES[f]: ROOT / "benchmarks" / f / "questions.jsonl" for f in TRANSLATIONS})
    expected = {
        language: {item.item_id: item.expect for item in read_items(path)}
        for language, path in sets.items()
    }
    lines = []
    for item in read_items(sets["en"]):
        if item.lang in expected:
            expect = expected[item.lang][item.item_id]
        else:
            expect = [e for language in expected for e in expected[language][item.item_id]]
        record = {"id": item.item_id, "lang": item.lang, "question": item.question}
        lines.append(json.dumps({**record, "expect": expect}, ensure_ascii=False))
    here = ROOT / "benchmarks" / VERSIONS / "questions.jsonl"
    here.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} questions -> {here}")


def write(english: dict[tuple[str, int], str], here: Path, documents: dict[str, str]) -> None:
    """`here`/questions.jsonl: the own set, each question expecting the translated clauses."""
    translated = clauses(here / "corpus")
    mapped = {(documents[doc], number) for doc, number in english}
    if mapped != set(translated):
        raise SystemExit(f"{here.name}: the translation is not segmented into the same clauses")
    names = {key: " ".join(text.split())[:PREFIX] for key, text in translated.items()}
    if len(set(names.values())) != len(names):
        raise SystemExit(f"{here.name}: two clauses start alike in their first {PREFIX} characters")
    lines = []
    for item in read_items(ROOT / "tests" / "questions.jsonl"):
        wanted = [fold(e) for e in item.expect]
        found = sorted(
            (documents[doc], number)
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
    (here / "questions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} questions -> {here / 'questions.jsonl'}")


if __name__ == "__main__":
    raise SystemExit(main())

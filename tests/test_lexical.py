"""The lexical index: BM25 as bm25s scores it, rebuilt from the tokens it already has."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval import lexical
from retrieval.corpus import load_corpus
from retrieval.lexical import LexicalIndex, tokenize
from retrieval.segment import segment
from retrieval.units import lexical_text

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "Who signed the letter?",
    "What is the ministry's fax number?",
    "protect children online cyber security",
    "broadband broadband infrastructure",  # a repeated word counts twice, as in bm25s
    "ICANN patronage logo",
    "unanimously accepted declaration",
    "zzz not a corpus word",
]


def bundled_texts() -> list[str]:
    documents, _ = load_corpus(ROOT / "corpus")
    return [lexical_text(c) for d in documents for c in segment(d)]


def test_scores_are_those_of_bm25s() -> None:
    texts = bundled_texts()
    bm25s = lexical._bm25s()
    reference = bm25s.BM25()
    reference.index(
        bm25s.tokenize(texts, stopwords="en", stemmer=lexical._stemmer(), show_progress=False),
        show_progress=False,
    )
    index = LexicalIndex.build(texts)
    for question in QUESTIONS:
        tokens = tokenize([question])[0]
        known = [t for t in tokens if t in reference.vocab_dict]
        expected = reference.get_scores(known) if known else np.zeros(len(texts))
        assert np.allclose(index.scores(tokens), expected, atol=1e-5), question
        assert [index.knows(t) for t in tokens] == [t in reference.vocab_dict for t in tokens]
    assert index.scores(tokenize(["Who signed the letter?"])[0]).argmax() == next(
        i for i, t in enumerate(texts) if "Abbasov" in t
    )


def test_a_clause_s_share_of_the_question_s_words_is_read_from_the_index(
    tmp_path: Path,
) -> None:
    """shared() counts the words of a clause as its text tokenizes (what the abstention's
    `support` reads), from the index as built, saved and loaded (its documents mapped)."""
    texts = bundled_texts()
    LexicalIndex.build(texts).save(tmp_path / "lexical")
    index = LexicalIndex.load(tmp_path / "lexical", len(texts))
    for question in [*QUESTIONS, *texts[:3]]:
        known = {t for t in tokenize([question])[0] if index.knows(t)}
        for doc, text in enumerate(texts):
            assert index.shared(doc, known) == len(known & set(tokenize([text])[0])), question
    assert index.shared(0, {"zzz", "not-a-word"}) == 0
    assert index.shared(0, set()) == 0


def test_tokens_are_those_of_bm25s() -> None:
    """tokenize() keeps stems it has seen; the tokens are bm25s.tokenize's, text by text
    and in a batch, in any language and with odd characters."""
    import json

    texts = bundled_texts() + QUESTIONS
    texts += [
        json.loads(line)["question"]
        for line in (ROOT / "benchmarks" / "xquad-dev" / "questions.jsonl").open(encoding="utf-8")
    ][::5]
    texts += ["", "   ", "ÇAĞ İstanbul ǅ ß ﬁ ١٢٣ a_b __init__", "The the THE running runs", "x"]
    bm25s = lexical._bm25s()
    # bm25s reads the text lowered as it is here (the capital dotted I aside: see below)
    expected = bm25s.tokenize(
        [lexical.lower(t) for t in texts],
        stopwords="en",
        stemmer=lexical._stemmer(),
        return_ids=False,
        show_progress=False,
    )
    assert tokenize(texts) == expected
    assert [tokenize([text])[0] for text in texts] == expected


def test_russian_words_are_stemmed_as_russian() -> None:
    """A corpus in Russian finds "министров" for "министры", as one in English finds
    "ministers" for "minister"; English words keep English's stems."""
    assert tokenize(["министров министры министр"]) == [["министр"] * 3]
    assert tokenize(["Форум пройдёт в Баку"]) == tokenize(["форум пройдет в баку"])
    assert tokenize(["ministers ministry"]) == [["minist", "ministri"]]
    texts = [
        "На встрече присутствовали 12 министров и 7 руководителей организаций.",
        "Декларация принята единогласно.",
    ]
    index = LexicalIndex.build(texts)
    assert index.scores(tokenize(["Какие министры были?"])[0]).argmax() == 0
    assert index.scores(tokenize(["Как была принята декларация?"])[0]).argmax() == 1


def test_a_letter_with_a_mark_is_read_as_part_of_its_word() -> None:
    """bm25s's token pattern splits a word at a combining mark. Turkish and Azerbaijani write
    "İnternet" at the start of a sentence and "internet" inside one; lowered, "İ" is "i" and
    a combining dot, and bm25s alone leaves "nternet" (and "stanbul"), which matched neither
    the word in lower case. A letter typed as a letter and a mark ("e" and U+0301) is split
    off the same way."""
    bm25s = lexical._bm25s()
    split = bm25s.tokenize(
        ["İnternet İstanbul"], stopwords="en", return_ids=False, show_progress=False
    )
    assert split == [["nternet", "stanbul"]]  # what bm25s alone gives
    assert tokenize(["İnternet İstanbul", "internet istanbul"]) == [
        ["internet", "istanbul"],
        ["internet", "istanbul"],
    ]
    assert tokenize(["IŞIK İLK"]) == tokenize(["işik ilk"])  # the dotless I lowers to i as ever
    assert tokenize(["Chehade\u0301 is\u0327c\u0327i"]) == tokenize(["Chehadé işçi"])
    assert tokenize(["Chehadé işçi"]) == [["chehadé", "işçi"]]
    texts = ["İnternet xidmətləri hər kəs üçün əlçatan olmalıdır.", "Mobil rabitə şəbəkəsi."]
    index = LexicalIndex.build(texts)
    assert index.scores(tokenize(["internet xidmətləri"])[0]).argmax() == 0


def test_rebuild_tokenizes_only_new_texts_and_equals_a_fresh_build(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    texts = bundled_texts()
    before = LexicalIndex.build(texts)
    before.save(tmp_path / "lexical")
    previous = LexicalIndex.load(tmp_path / "lexical", len(texts))

    changed = list(texts)
    changed[3] = changed[3] + " Amended with a zebra."
    dropped = changed.pop(10)
    changed.append("A new clause about giraffes and broadband.")
    seen: list[str] = []

    def counting(batch: list[str]) -> list[list[str]]:
        seen.extend(batch)
        return tokenize(batch)

    monkeypatch.setattr(lexical, "tokenize", counting)
    rebuilt = LexicalIndex.build(changed, previous)
    assert seen == [changed[3], changed[-1]]  # the rest keep their tokens

    fresh = LexicalIndex.build(changed)
    assert sorted(rebuilt.terms) == sorted(fresh.terms)
    only_dropped = set(tokenize([dropped])[0]) - {t for t in fresh.terms}
    assert only_dropped and not any(rebuilt.knows(t) for t in only_dropped)
    for question in [*QUESTIONS, "zebra giraffes", *changed[:5]]:
        tokens = tokenize([question])[0]
        assert np.allclose(rebuilt.scores(tokens), fresh.scores(tokens), atol=1e-6), question


def test_empty_corpus_and_mismatched_files(tmp_path: Path) -> None:
    empty = LexicalIndex.build([])
    assert empty.size == 0 and len(empty.scores(["anything"])) == 0
    empty.save(tmp_path / "empty")
    assert LexicalIndex.load(tmp_path / "empty", 0).size == 0

    LexicalIndex.build(bundled_texts()).save(tmp_path / "lexical")
    with pytest.raises(ValueError, match="does not match"):
        LexicalIndex.load(tmp_path / "lexical", 5)  # the index holds 29 clauses
    (tmp_path / "lexical" / "terms.json").write_text('{"not": "a list"}', encoding="utf-8")
    with pytest.raises(ValueError, match="not a list"):
        LexicalIndex.load(tmp_path / "lexical", 29)


def test_a_word_hyphenated_at_a_line_end_is_read_whole() -> None:
    """Justified PDFs break words at a line's end ("structures man-" / "agement"): BM25 and
    the models read the word whole, so that a question's "management" finds it; the clause
    is quoted as set. A hyphen before a capital is a compound's ("Anglo-" / "Saxon")."""
    from retrieval.types import Clause, DocumentInfo
    from retrieval.units import embed_text

    text = "It provides ASN.1 parsing and structures man-\n   agement for Anglo-\nSaxon readers."
    clause = Clause("manual", 1, 0, len(text), text)
    index = LexicalIndex.build([lexical_text(clause), "Structures are parsed at once."])
    scores = index.scores(tokenize(["Who does the management of structures?"])[0])
    assert scores[0] > scores[1] > 0
    read = embed_text(DocumentInfo("manual", "Libtasn1", "manual.pdf"), clause)
    assert (
        read
        == "Libtasn1. It provides ASN.1 parsing and structures management for Anglo-Saxon readers."
    )
    assert clause.text == text  # quoted as the document sets it

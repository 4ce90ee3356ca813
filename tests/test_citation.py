"""Citations in the words of the document they cite (retrieval.citation)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.citation import CITED, PARTS, cite, human_date, reference, shortened
from retrieval.letter import LABEL_CLOSING
from retrieval.types import Clause, DocumentInfo
from tests.conftest import run_cli

LETTER = DocumentInfo(doc_id="pismo", title="Письмо в ICANN", path="pismo.txt", date="2012-12-19")


def _clause(**fields: object) -> Clause:
    text = "С уважением,\nПроф. д-р Али М. Аббасов"
    base: dict[str, object] = {
        "doc_id": "pismo",
        "number": 14,
        "start": 0,
        "end": len(text),
        "text": text,
    }
    return Clause(**(base | fields))  # type: ignore[arg-type]


def test_a_date_is_written_in_the_document_s_language() -> None:
    assert human_date("2012-11-05") == "5 November 2012"
    assert human_date("2012-12-19", "ru") == "19 декабря 2012"
    assert human_date("2012-12-19", "az") == "19 dekabr 2012"
    assert human_date("2012-12-19", "tr") == "19 Aralık 2012"
    assert human_date("2012-03-01", "de") == "1. März 2012"
    assert human_date("2012-05-02", "es") == "2 de mayo de 2012"
    assert human_date("2012-12-19", "fr") == "19 December 2012"  # not in the table: English
    assert human_date("winter 2012", "ru") == "winter 2012"  # not a date: as written


def test_every_language_names_each_month_and_each_part_of_a_letter() -> None:
    for words in CITED.values():
        assert len(words.months) == 12 and len(set(words.months)) == 12
        assert len(words.parts) == len(PARTS) and len(set(words.parts)) == len(PARTS)


def test_a_russian_letter_is_cited_in_russian_an_english_one_as_before() -> None:
    signature = _clause(label=LABEL_CLOSING)
    assert (
        cite(LETTER, signature, "ru").text
        == "Письмо в ICANN (19 декабря 2012), ¶14 (заключительная фраза и подпись)"
    )
    english = DocumentInfo(
        doc_id="letter", title="Letter to ICANN", path="l.txt", date="2012-12-19"
    )
    assert (
        cite(english, signature).text
        == "Letter to ICANN (19 December 2012), ¶14 (closing and signature)"
    )


def test_a_page_a_scan_and_a_number_are_written_in_the_document_s_language() -> None:
    scanned = DocumentInfo(
        doc_id="pismo", title="Письмо в ICANN", path="pismo.pdf", date="2012-12-19", ocr_pages="2"
    )
    numbered = _clause(page=2, section="3", ref="3.1")
    assert cite(scanned, numbered, "ru").text == (
        "Письмо в ICANN (19 декабря 2012), с. 2, скан (текст распознан OCR), № 3.1"
    )
    assert cite(scanned, numbered, "de").text == (
        "Письмо в ICANN (19. Dezember 2012), S. 2, gescannt (Text per OCR gelesen), Nr. 3.1"
    )
    assert reference("5", "(a)", "№ ") == "№ 5(a)"
    assert reference("Article 2", "2(b)", "№ ") == "Article 2(2)(b)"  # a section's own name


@pytest.mark.model
def test_a_document_in_a_language_the_table_lacks_is_cited_in_english(tmp_path: Path) -> None:
    """A corpus's language is always one the everyday questions are in: a French decree is
    told Spanish, by a hair (language.surely_in), and cited with an English date, not
    "(2 de abril de 2013)"; a Russian one beside it is surely Russian, and cited so. A
    Ukrainian one reads as Russian decisively, but writes letters Russian never does ("і",
    "ї", "є"): it is cited with an English date, not "(2 апреля 2013)"."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "decret.txt").write_text(
        "---\ntitle: Décret relatif aux redevances\ndate: 2013-04-02\n---\n"
        "Article 1. Les opérateurs de télécommunications paient une redevance annuelle "
        "fixée par le ministère.\n\nArticle 2. La redevance est versée avant le 31 mars de "
        "chaque année, sur le compte du Trésor public.\n\nArticle 3. Le présent décret entre "
        "en vigueur le jour de sa publication au Journal officiel.\n",
        encoding="utf-8",
    )
    (corpus / "prikaz.txt").write_text(
        "---\ntitle: Приказ о сборах\ndate: 2013-04-02\n---\n"
        "Статья 1. Операторы связи ежегодно уплачивают сбор, установленный министерством.\n\n"
        "Статья 2. Сбор уплачивается до 31 марта каждого года на счёт казначейства.\n",
        encoding="utf-8",
    )
    (corpus / "nakaz.txt").write_text(
        "---\ntitle: Наказ про збори\ndate: 2013-04-02\n---\n"
        "Стаття 1. Оператори зв'язку щороку сплачують збір, встановлений міністерством.\n\n"
        "Стаття 2. Збір сплачується до 31 березня кожного року на рахунок казначейства.\n\n"
        "Стаття 3. Цей наказ набирає чинності з дня його офіційного опублікування.\n",
        encoding="utf-8",
    )
    paths = ("--corpus", str(corpus), "--index", str(tmp_path / "idx"))
    cited = {}
    questions = (
        "Quand la redevance est-elle versée ?",
        "Когда уплачивается сбор?",
        "Коли сплачується збір?",
        "Що сказано в статті 2?",
    )
    for question in questions:
        result = run_cli("ask", *paths, "--json", "--k", "5", question, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        cited |= {p["doc_id"]: p["citation"] for p in json.loads(result.stdout)["passages"]}
    assert cited["decret"].startswith("Décret relatif aux redevances (2 April 2013), Article")
    assert cited["prikaz"].startswith("Приказ о сборах (2 апреля 2013), Статья")
    assert cited["nakaz"].startswith("Наказ про збори (2 April 2013), Стаття")


HANDBOOK = """---
title: Staff handbook
---
# Staff handbook

Everyone reads this handbook on the first day.

## Leave

Unused leave lapses at the end of March.

## Expenses

1. Receipts are kept for six years.
2. Claims are paid monthly.

## 3. Travel

Trains are booked in second class.

## Questions

### Can I work from home?

Yes, two days a week.
"""


def test_a_paragraph_the_document_does_not_number_is_cited_with_its_heading(
    tmp_path: Path,
) -> None:
    """A reader cannot count to "¶3" in a page of headings; "“Leave”, ¶3" they find. Not
    named: the title every clause stands under, a numbered heading (the number places the
    clause), and a question quoted with its answer, whose own heading is named instead."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "handbook.md").write_text(HANDBOOK, encoding="utf-8")
    paths = ("--corpus", str(corpus), "--index", str(tmp_path / "idx"), "--model", "hashing")
    cited = {}
    for question in (
        "Who reads this handbook on the first day?",
        "When does unused leave lapse?",
        "How long are receipts kept?",
        "How are trains booked?",
        "Can I work from home?",
    ):
        result = run_cli("ask", *paths, "--json", "--k", "10", question, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        cited |= {p["text"]: p["citation"] for p in json.loads(result.stdout)["passages"]}
    assert cited == {
        "Everyone reads this handbook on the first day.": "Staff handbook, ¶1",
        "Unused leave lapses at the end of March.": "Staff handbook, “Leave”, ¶2",
        "1. Receipts are kept for six years.": "Staff handbook, “Expenses”, no. 1",
        "2. Claims are paid monthly.": "Staff handbook, “Expenses”, no. 2",
        "Trains are booked in second class.": "Staff handbook, no. 3, ¶5",
        "Yes, two days a week.": "Staff handbook, “Questions”, ¶6",
    }


def test_a_heading_is_quoted_as_the_document_s_language_quotes_and_cut_at_a_word() -> None:
    clause = _clause(number=3, text="Сбор уплачивается ежегодно.")
    assert cite(LETTER, clause, "ru", "Сроки").text.endswith(", «Сроки», ¶3")
    assert cite(LETTER, clause, "de", "Fristen").text.endswith(", „Fristen“, ¶3")
    long = "Obligations of the operators of public electronic communications networks"
    assert shortened(long) == "Obligations of the operators of public electronic…"
    assert shortened("Leave") == "Leave"

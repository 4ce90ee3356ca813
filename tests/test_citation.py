"""Citations in the words of the document they cite (retrieval.citation)."""

from __future__ import annotations

from retrieval.citation import CITED, PARTS, cite, human_date, reference
from retrieval.letter import LABEL_CLOSING
from retrieval.types import Clause, DocumentInfo

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

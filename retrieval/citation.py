"""Citations: how a clause is named so that a reader can find it in the original.

A citation names a place in a document, in the document's words: its title, its date and
the words around them written in its language (CITED), so that a Russian order is cited
"Приказ о сборах (2 апреля 2013), с. 3, № 4", not with an English date and page in the
middle of a Russian title. A document in a language the
table does not have is cited in English.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from retrieval.language import document_language, surely_in
from retrieval.letter import (
    LABEL_ADDRESSEE,
    LABEL_CLOSING,
    LABEL_CONTACT,
    LABEL_COPY,
    LABEL_DATE_REF,
    LABEL_ENCLOSURE,
    LABEL_SALUTATION,
    LABEL_SENDER,
)
from retrieval.loaded import LoadedIndex
from retrieval.numbering import heading_number
from retrieval.types import HEADINGS_JOINED, Citation, Clause, DocumentInfo

# a letter's parts (retrieval.letter), in the order of each language's `parts` below
PARTS = (
    LABEL_SENDER,
    LABEL_CONTACT,
    LABEL_DATE_REF,
    LABEL_ADDRESSEE,
    LABEL_COPY,
    LABEL_SALUTATION,
    LABEL_ENCLOSURE,
    LABEL_CLOSING,
)


@dataclass(frozen=True)
class Words:
    """The words a citation writes around a document's own, in one language."""

    date: str  # a date's form, of {day}, {month} and {year}
    months: Sequence[str]  # each month's name as a date writes it (Russian: genitive)
    page: str  # before a page's number
    number: str  # before a clause's number that is not a section's name ("no. 3.1")
    scanned: str  # a page whose text OCR read: a quote from it is what OCR read
    parts: tuple[str, ...]  # a letter's parts, in the order of PARTS
    quotes: tuple[str, str] = ("“", "”")  # around a heading's words, as the language quotes


# a heading a citation names is cut at a word within this many characters (shortened)
HEADING_CHARACTERS = 60

# the languages a document is told to be in (retrieval.language), each in its own usage
CITED = {
    "en": Words(
        "{day} {month} {year}",
        (
            "January February March April May June July August September October November December"
        ).split(),
        "p. ",
        "no. ",
        "scanned (text read by OCR)",
        PARTS,
    ),
    "ru": Words(
        "{day} {month} {year}",
        (
            "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"
        ).split(),
        "с. ",
        "№ ",
        "скан (текст распознан OCR)",
        (
            "отправитель и адрес",
            "телефон, факс и e-mail",
            "дата и номер",
            "адресат",
            "копия",
            "обращение",
            "приложение",
            "заключительная фраза и подпись",
        ),
        ("«", "»"),
    ),
    "az": Words(
        "{day} {month} {year}",
        "yanvar fevral mart aprel may iyun iyul avqust sentyabr oktyabr noyabr dekabr".split(),
        "s. ",
        "№ ",
        "skan (mətn OCR ilə oxunub)",
        (
            "göndərən və ünvan",
            "telefon, faks və e-poçt",
            "tarix və nömrə",
            "ünvançı",
            "surət",
            "müraciət",
            "əlavə",
            "yekun və imza",
        ),
    ),
    "tr": Words(
        "{day} {month} {year}",
        "Ocak Şubat Mart Nisan Mayıs Haziran Temmuz Ağustos Eylül Ekim Kasım Aralık".split(),
        "s. ",
        "No. ",
        "taranmış (metin OCR ile okundu)",
        (
            "gönderen ve adres",
            "telefon, faks ve e-posta",
            "tarih ve sayı",
            "alıcı",
            "suret",
            "hitap",
            "ek",
            "kapanış ve imza",
        ),
    ),
    "de": Words(
        "{day}. {month} {year}",
        (
            "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"
        ).split(),
        "S. ",
        "Nr. ",
        "gescannt (Text per OCR gelesen)",
        (
            "Absender und Anschrift",
            "Telefon, Fax und E-Mail",
            "Datum und Aktenzeichen",
            "Empfänger",
            "Kopie",
            "Anrede",
            "Anlage",
            "Grußformel und Unterschrift",
        ),
        ("„", "“"),
    ),
    "es": Words(
        "{day} de {month} de {year}",
        (
            "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
            "diciembre"
        ).split(),
        "p. ",
        "n.º ",
        "escaneado (texto leído por OCR)",
        (
            "remitente y dirección",
            "teléfono, fax y correo electrónico",
            "fecha y número de referencia",
            "destinatario",
            "copia",
            "saludo",
            "anexo",
            "despedida y firma",
        ),
        ("«", "»"),
    ),
}


def words(language: str) -> Words:
    """The citation's words in `language`, English where the table has none."""
    return CITED.get(language, CITED["en"])


def human_date(value: str, language: str = "en") -> str:
    """'2012-11-05' -> '5 November 2012' ('5 ноября 2012' in Russian); anything else is
    returned as written."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return value
    said = words(language)
    return said.date.format(day=day.day, month=said.months[day.month - 1], year=day.year)


def reference(section: str, ref: str, number: str = "no. ") -> str:
    """A clause's number as a citation writes it, with the section it stands in, "" if it has
    none: ("Article 2", "2(b)") -> "Article 2(2)(b)"; ("Chapter II", "(a)") -> "Chapter II,
    (a)"; ("3", "3.1") -> "no. 3.1"; ("Maddə 5", "5.1") -> "Maddə 5.1"; ("1", "2.1") -> "no.
    1(2.1)"; ("5", "(a)") -> "no. 5(a)"; ("", "2(b)") -> "no. 2(b)". A bare number is
    written after `number`, the document's language's word for it (Words.number)."""
    head = number + section if section[:1].isdigit() else section
    if not ref:
        return head
    if ref[:1].isupper() or ref.startswith("§"):  # "Article 5": its own section
        return ref
    numbered = number + ref if ref[:1].isdigit() else ref
    if not section or ref.startswith(section + "."):
        return numbered
    if section[-1:].isdigit():
        # "Article 2" and "2(b)" -> "Article 2(2)(b)", as laws are cited; "5" and "(a)" ->
        # "no. 5(a)"
        first, bracket, rest = ref.partition("(")
        own = section.rsplit(" ", 1)[-1]
        if first.startswith(own + "."):  # "Maddə 5" and "5.1": the number says the whole
            return section + ref[len(own) :]
        if ref[:1].isdigit():  # an item of the section, "2." or "2.1." under "2."
            return f"{head}({first}){bracket}{rest}"
        if ref.startswith("("):
            return head + ref
    return f"{head}, {numbered}"


def cite(
    document: DocumentInfo, clause: Clause, language: str = "en", heading: str = ""
) -> Citation:
    """The clause's citation, in the words of the document's `language`, naming the
    `heading` it stands under, if given (heading_named)."""
    said = words(language)
    date = human_date(document.date, language)
    where = f"{document.label} ({date})" if document.date else document.label
    if clause.page is not None:
        where += f", {said.page}{clause.page}"
    if str(clause.page or 1) in document.ocr_pages.split(","):
        where += f", {said.scanned}"  # a quote from it is what OCR read
    if heading:
        opening, closing = said.quotes
        where += f", {opening}{shortened(heading)}{closing}"
    number = reference(clause.section, clause.ref, said.number)
    if not clause.ref:  # a paragraph the document does not number: its place in reading order
        number = f"{number}, ¶{clause.number}" if number else f"¶{clause.number}"
    text = f"{where}, {number}"
    if clause.label:
        part = said.parts[PARTS.index(clause.label)] if clause.label in PARTS else clause.label
        text += f" ({part})"
    return Citation(doc_id=document.doc_id, clause_id=clause.clause_id, text=text)


def citation_language(loaded: LoadedIndex, doc_id: str) -> str:
    """The language a document's citations are written in: its own (language.
    document_language) where its characters tell it surely (language.surely_in), else
    English. A corpus's language is always one of those the everyday questions are in, the
    nearest where its documents are in another: a French decree is told Spanish, and was
    cited "(2 de abril de 2013)"; it is cited "(2 April 2013)", as every document was
    before. Read once a document and generation."""
    told = loaded.cited_in.get(doc_id)
    if told is None:
        told = document_language(loaded, doc_id)
        if told != "en":
            own = [loaded.clauses[i] for i in loaded.of_document(doc_id)]
            told = told if surely_in(own, told) else "en"
        loaded.cited_in[doc_id] = told
    return told


def shortened(heading: str, most: int = HEADING_CHARACTERS) -> str:
    """A heading as a citation names it: whole up to `most` characters, else cut at the last
    word that ends within them, with "…"."""
    if len(heading) <= most:
        return heading
    cut = heading[: most + 1].rsplit(None, 1)[0] if " " in heading[:most] else heading[:most]
    return cut.rstrip(",;:—–- ") + "…"


def heading_named(loaded: LoadedIndex, clause: Clause) -> str:
    """The heading a clause's citation names, so that a reader finds in the original a
    paragraph the document does not number ("¶24", its place in reading order) or an item
    of a list it numbers ("no. 2", where another list may have a 2): the innermost heading
    it stands under. Not the headings every headed clause of its document stands under (a
    title over the whole document, as the declaration sets its own): they tell no part of
    it from another; nor one that is the document's title or opens with it ("GNU GENERAL
    PUBLIC LICENSE Version 3, 29 June 2007"), which the citation names first; nor a
    question over its answer, quoted with it (LoadedIndex.heading_question): the heading
    over the question is named. None where its number places the clause: a numbered heading
    (Clause.section, or one the numbering did not take for the clause's section, as
    "1. Definitions." over "2." and "3."), or the clause's own ("Article 5"). "" where none
    is named."""
    if clause.section or not clause.heading or clause.ref[:1].isupper() or clause.ref[:1] == "§":
        return ""
    shared = loaded.shared_headings.get(clause.doc_id)
    if shared is None:
        chains = [
            loaded.clauses[i].heading.split(HEADINGS_JOINED)
            for i in loaded.of_document(clause.doc_id)
            if loaded.clauses[i].heading
        ]
        shared = 0
        while all(len(c) > shared and c[shared] == chains[0][shared] for c in chains):
            shared += 1
        loaded.shared_headings[clause.doc_id] = shared
    own = clause.heading.split(HEADINGS_JOINED)[shared:]
    if own and loaded.heading_question(clause)[0]:
        own.pop()  # a question over its answer is quoted with it (Passage.heading_question)
    if not own:
        return ""
    document = loaded.documents[clause.doc_id]
    names = tuple(filter(None, (_folded(document.title), _folded(document.label))))
    if (names and _folded(own[-1]).startswith(names)) or heading_number(own[-1]):
        return ""
    return own[-1]


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def cited(loaded: LoadedIndex, clause: Clause) -> Citation:
    """A clause of the index cited in its document's language (citation_language), with
    the heading it stands under (heading_named)."""
    document = loaded.documents[clause.doc_id]
    language = citation_language(loaded, clause.doc_id)
    return cite(document, clause, language, heading_named(loaded, clause))

"""PDF, DOCX, HTML and plain-text documents: fixtures built in code, clauses, pages,
citations."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrieval.citation import cite
from retrieval.corpus import load_corpus, read_document
from retrieval.errors import CorpusError
from retrieval.formats import unframe
from retrieval.segment import segment
from retrieval.types import Clause
from tests.conftest import run_cli

HEADER = "Tallinn Note on Cable Security - Draft"


def written_pdf(pdf: Any, path: Path) -> Path:
    """An fpdf2 document, saved at `path`."""
    pdf.output(str(path))
    return path


def written(pdf: Any, path: Path) -> list[Clause]:
    """The clauses of an fpdf2 document, saved at `path` and read as a corpus file is."""
    pdf.output(str(path))
    return segment(read_document(path))


def make_pdf(path: Path, encrypt: bool = False, text: bool = True) -> Path:
    from fpdf import FPDF

    class Note(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", size=9)
            self.cell(0, 6, HEADER, align="C")
            self.ln(12)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", size=9)
            self.cell(0, 6, str(self.page_no()), align="C")

    pdf = Note()
    if encrypt:
        pdf.set_encryption(owner_password="owner", user_password="user")
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    if text:
        pdf.multi_cell(
            0,
            6,
            "1. The ministers agreed to share cyber incident reports within 24 "
            "hours of detection, through the national contact points.",
        )
        pdf.ln(4)
        pdf.multi_cell(
            0,
            6,
            "2. A joint exercise on undersea cable resilience will be held every "
            "spring, hosted in turn by the participating states, and its results will be",
        )
        pdf.add_page()
        pdf.multi_cell(0, 6, "reported to the ministers before the end of each year.")
        pdf.ln(4)
        pdf.multi_cell(0, 6, "3. This note takes effect on signature.")
    else:
        pdf.rect(20, 40, 100, 60, style="F")  # a "scan": marks, no text layer
        pdf.add_page()
    pdf.output(str(path))
    path.with_name(path.name + ".meta").write_text(
        "title: Tallinn Note on Cable Security\nshort_title: Tallinn Note\ndate: 2013-04-01\n",
        encoding="utf-8",
    )
    return path


def test_pdf_clauses_pages_and_citations(tmp_path: Path) -> None:
    document = read_document(make_pdf(tmp_path / "tallinn.pdf"))
    assert document.info.format == "pdf" and document.info.title == "Tallinn Note on Cable Security"
    clauses = segment(document)
    assert [c.ref for c in clauses] == ["1", "2", "3"]
    assert [c.page for c in clauses] == [1, 1, 2]
    broken = clauses[1]
    assert "its results will be" in broken.text and "reported to the ministers" in broken.text
    for clause in clauses:
        assert document.text[clause.start : clause.end] == clause.text
        assert HEADER not in clause.text
    assert HEADER not in document.text  # running header gone
    assert not any(
        line.strip() in ("1", "2") for line in document.text.splitlines()
    )  # page numbers
    assert cite(document.info, broken).text == "Tallinn Note (1 April 2013), p. 1, no. 2"
    assert cite(document.info, clauses[2]).text == "Tallinn Note (1 April 2013), p. 2, no. 3"
    # without a title of its own (no metadata, no sidecar), the header set over every page
    (tmp_path / "tallinn.pdf.meta").unlink()
    assert read_document(tmp_path / "tallinn.pdf").info.title == HEADER


def make_set_pdf(path: Path) -> Path:
    """A PDF set as a word processor sets one: headings in a larger bold font a third of a
    line above their text, paragraphs under a line apart, a list's items set in, and the
    paragraph after the list at the margin right under its last item."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title("Cable Rules")
    pdf.add_page()

    def heading(text: str) -> None:
        pdf.set_font("Helvetica", "B", 14)
        pdf.multi_cell(0, 7, text)
        pdf.ln(1)
        pdf.set_font("Helvetica", size=11)

    def lines(text: str, indent: float = 0, after: float = 2) -> None:
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(0, 5, text)
        pdf.ln(after)

    heading("Article 1. Registers")
    lines(
        "Each operator of a public network shall keep a register of the cables it lays, the "
        "depth at which they lie and the vessels that may cross them, and shall send it to "
        "the ministry once a year."
    )
    lines(
        "The register is public. Anyone may read it at the ministry, and the ministry shall "
        "publish a summary of it on its website every spring, with a map of the cables."
    )
    heading("Article 2. Incidents")
    lines("An operator shall report to the ministry:")
    lines("1. a cut cable, within 24 hours of its detection;", indent=7, after=0)
    lines("2. a vessel anchored over a cable, within a day.", indent=7, after=0)
    lines("The ministry may ask the operator for the logs of the cable and of its repair.")
    pdf.output(str(path))
    return path


def test_pdf_paragraphs_and_headings_are_told_by_the_space_between_lines(
    tmp_path: Path,
) -> None:
    """Read as pypdf's layout mode reads it (a break only where lines stand two lines apart),
    this page was four clauses, each heading run into the paragraph under it and the two
    paragraphs of Article 1 one clause."""
    document = read_document(make_set_pdf(tmp_path / "cables.pdf"))
    clauses = segment(document)
    assert [c.text.split()[:2] for c in clauses] == [
        ["Each", "operator"],
        ["The", "register"],
        ["An", "operator"],
        ["1.", "a"],
        ["2.", "a"],
        ["The", "ministry"],
    ]
    assert [c.heading for c in clauses] == ["Article 1. Registers"] * 2 + [
        "Article 2. Incidents"
    ] * 4
    assert [cite(document.info, c).text for c in clauses][2:] == [
        "Cable Rules, Article 2, ¶3",
        "Cable Rules, Article 2(1)",
        "Cable Rules, Article 2(2)",
        "Cable Rules, Article 2, ¶6",
    ]
    assert all(document.text[c.start : c.end] == c.text for c in clauses)


def test_a_short_pdf_s_paragraphs_are_told_apart_by_their_spacing(tmp_path: Path) -> None:
    """A one-page notice of two paragraphs set a third of a line apart, as Word's and
    LibreOffice's default styles set them: its line spacing was learnt only from eight gaps
    between lines or more, so its paragraphs were one clause. Three gaps tell it."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 5, "Notice on tariffs", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    first = (
        "The ministry shall ensure that every licensed operator of fixed and mobile networks "
        "publishes its tariffs, the terms of its contracts and the quality of its services "
        "in a form that any subscriber can read, and that it keeps this information up to "
        "date for as long as its licence is in force."
    )
    pdf.multi_cell(0, 5, first, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)  # 0.4 of a line
    pdf.multi_cell(0, 5, "Operators that fail to do so are fined.", new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "notice.pdf"
    pdf.output(str(path))
    clauses = segment(read_document(path))
    assert [" ".join(c.text.split()) for c in clauses] == [
        first,
        "Operators that fail to do so are fined.",
    ]


def test_a_pdf_table_is_read_row_by_row_and_symbol_bullets_as_bullets(tmp_path: Path) -> None:
    """A table set in columns is read as the other readers read one, a row a clause with
    its cells side by side; before, its rows and the paragraph under them were one clause
    (and rows apart, each a short line without a stop, were taken for headings). Word's
    bullets, set in the Symbol font, come out of a PDF as a private-use character and are
    read as the bullet they show."""
    from fpdf import FPDF

    from retrieval.pdf_reader import symbol_bullets

    pdf = FPDF()
    pdf.set_title("Fees")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 5, "The fees for a licence are set out below.")
    pdf.ln(2)
    for cells in (("Licence", "Fee per year"), ("Broadband", "100 EUR"), ("Mobile", "250 EUR")):
        for cell in cells:
            pdf.cell(60, 6, cell)
        pdf.ln(6)
    pdf.ln(2)
    pdf.multi_cell(0, 5, "Fees are paid by the end of January.")
    assert [c.text for c in written(pdf, tmp_path / "fees.pdf")] == [
        "The fees for a licence are set out below.",
        "Licence | Fee per year",
        "Broadband | 100 EUR",
        "Mobile | 250 EUR",
        "Fees are paid by the end of January.",
    ]
    page = "Cables:\n\uf0b7  undersea;\n  \uf0a7 land.\nSee \uf0b7 below."
    assert symbol_bullets(page) == "Cables:\n•  undersea;\n  • land.\nSee \uf0b7 below."


def test_plain_text_in_pages_reads_as_a_pdf_does(tmp_path: Path) -> None:
    """Text with a form feed between its pages, as pdftotext writes a PDF out: the running
    header and footer of its pages are dropped, a paragraph cut by a page break is one
    clause, and citations carry the page."""
    head = "RFC 9999            Cable Security Guidelines             May 2024"
    foot = "Smith                    Informational                    [Page {}]"
    pages = [
        f"{head}\n\n1. Introduction\n\nThis memo describes how operators protect cables.\n\n"
        f"2. Requirements\n\nOperators MUST report incidents within a day, and they\n\n"
        f"{foot.format(1)}\n",
        f"{head}\n\nSHOULD share the report with the national contact points.\n\n"
        f"Operators MAY exercise every spring.\n\n{foot.format(2)}\n",
    ]
    path = tmp_path / "rfc9999.txt"
    path.write_text("\f".join(pages) + "\f", encoding="utf-8")
    document = read_document(path)
    clauses = segment(document)
    assert [(cite(document.info, c).text.split(", ", 1)[1], c.page) for c in clauses] == [
        ("p. 1, no. 1, ¶1", 1),
        ("p. 1, no. 2, ¶2", 1),
        ("p. 2, no. 2, ¶3", 2),
    ]
    assert "SHOULD share the report" in clauses[1].text
    assert "Page" not in document.text and "RFC 9999" not in document.text
    assert all(document.text[c.start : c.end] == c.text for c in clauses)


def test_a_pdf_page_in_two_columns_is_read_a_column_at_a_time(tmp_path: Path) -> None:
    """As the EU's Official Journal sets its acts: a title across the page, then two
    columns. Layout mode writes each line of the page with the left column's line and the
    right's side by side; read across, no sentence held together. A table of seven short
    rows on the next page is still a table, not two columns."""
    from fpdf import FPDF

    articles = [
        f"Article {n}. {text}"
        for n, text in enumerate(
            (
                "Each Member State shall keep a register of the undersea cables that land "
                "on its coast, with the depth at which they lie.",
                "The register shall be public. Anyone may read it at the competent "
                "authority, which shall publish a summary of it every spring.",
                "An operator shall report a cut cable to the competent authority within "
                "24 hours of its detection, and a vessel anchored over a cable within a day.",
                "The competent authority may ask the operator for the logs of the cable "
                "and of its repair, and shall keep them for five years.",
                "Member States shall lay down the penalties for breaches of this "
                "Regulation, which shall be effective, proportionate and dissuasive.",
                "This Regulation shall enter into force on the twentieth day following "
                "that of its publication in the Official Journal of the European Union.",
            ),
            start=1,
        )
    ]
    pdf = FPDF()
    pdf.set_title("Cable Regulation")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 7, "REGULATION (EU) 2013/99 on the protection of undersea cables")
    pdf.ln(3)
    pdf.set_font("Helvetica", size=10)
    with pdf.text_columns(ncols=2, gutter=8, balance=True) as columns:
        for article in articles:
            columns.write(article + "\n")
            columns.ln()
    pdf.add_page()
    for n in range(7):
        pdf.cell(40, 6, f"Zone {n + 1}")
        pdf.cell(40, 6, f"{100 * (n + 1)} EUR")
        pdf.ln(6)
    clauses = written(pdf, tmp_path / "cables.pdf")
    assert [" ".join(c.text.split()) for c in clauses] == [
        "REGULATION (EU) 2013/99 on the protection of undersea cables",
        *articles,
        *(f"Zone {n + 1} | {100 * (n + 1)} EUR" for n in range(7)),
    ]


def test_a_pdf_text_box_is_read_whole_after_the_paragraph_beside_it(tmp_path: Path) -> None:
    """A text box set beside a paragraph (a callout, as in the DOCX and ODT test above)
    came out of layout mode line by line beside the paragraph's lines: its lines were read
    into them, and as a table's rows ("years after they cease to apply. | the duty to
    publish tariffs"), quotes the page does not have. Each is read whole now: the paragraph
    first, to its end under the box where it runs on there, then the box, then the
    paragraph after them. A box beside a paragraph set to the column's width reads alike."""
    from fpdf import FPDF

    paragraph = [
        "1. Every operator shall publish its tariffs for fixed and mobile services on its",
        "website and keep them there for at least two years after they cease to apply, in",
        "a form that subscribers can read without special software, and in",
        "each of the languages in which the operator offers its services to",
        "the public, together with the conditions that apply to each tariff",
        "and the date from which each tariff applies, so that a subscriber can compare the",
        "offers of operators with each other.",
    ]
    box = [
        "Note: operators with fewer",
        "than ten staff are exempt from",
        "the duty to publish tariffs.",
    ]
    after = "2. Operators shall notify the regulator of any change to a tariff in advance."
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for n, line in enumerate(paragraph):  # its lines 3-5 set around the box
        pdf.text(20, 20 + 5 * n, line)
    pdf.text(20, 20 + 5 * len(paragraph) + 6, after)
    for n, line in enumerate(box):
        pdf.text(135, 30 + 5 * n, line)
    expected = [" ".join(paragraph), " ".join(box), after]
    assert [" ".join(c.text.split()) for c in written(pdf, tmp_path / "box.pdf")] == expected

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    body = (
        "1. Every operator shall publish its tariffs for fixed and mobile services on its "
        "website and keep them there for at least two years after they cease to apply."
    )
    pdf.multi_cell(110, 5, body)
    pdf.ln(3)
    pdf.multi_cell(110, 5, after)
    pdf.set_xy(135, 10)
    pdf.set_font("Helvetica", "I", 10)
    pdf.multi_cell(55, 4.5, " ".join(box))
    clauses = [" ".join(c.text.split()) for c in written(pdf, tmp_path / "beside.pdf")]
    assert clauses == [body, " ".join(box), after]


def test_a_pdf_table_s_cells_of_several_lines_are_read_a_row_at_a_time(tmp_path: Path) -> None:
    """A table whose cells run over several lines: each line of a row held a line of both
    cells, read across as a row of its own ("Suspension of tariffs by the | The regulator
    may suspend a tariff that discriminates between"). A row is read as the other readers
    write one now, its cells whole and side by side, and the paragraph under the table
    after its last row."""
    from fpdf import FPDF

    rows = [
        (
            "Duty to publish tariffs",
            "Every operator shall publish its tariffs on its website and keep them there "
            "for two years.",
        ),
        (
            "Notice of a change in tariffs",
            "Operators shall notify the regulator of any change thirty days before it "
            "takes effect.",
        ),
        (
            "Suspension of tariffs by the regulator",
            "The regulator may suspend a tariff that discriminates between subscribers of "
            "one class.",
        ),
    ]
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for first, second in rows:
        top = pdf.get_y()
        pdf.set_xy(15, top)
        pdf.multi_cell(45, 5, first)
        below = pdf.get_y()
        pdf.set_xy(70, top)
        pdf.multi_cell(110, 5, second)
        pdf.set_y(max(below, pdf.get_y()) + 3)
    pdf.multi_cell(0, 5, "Fees are paid by the end of January.")
    clauses = [" ".join(c.text.split()) for c in written(pdf, tmp_path / "duties.pdf")]
    assert clauses == [
        *(" | ".join(row) for row in rows),
        "Fees are paid by the end of January.",
    ]


_WORDS = st.lists(
    st.sampled_from(["the", "operator", "shall", "1.", "Ə", "ш", "(a)"]), min_size=1, max_size=8
).map(" ".join)


@st.composite
def _pages(draw: st.DrawFn) -> str:
    """Lines of words, and beside some of them, a gutter's width or less apart, a box's
    lines."""
    left = draw(st.lists(_WORDS, max_size=20))
    right = draw(st.lists(_WORDS, min_size=1, max_size=12))
    right[0] = f"Note: {right[0]}"
    top = draw(st.integers(0, len(left)))
    width = max((len(line) for line in left), default=0) + draw(st.integers(1, 8))
    lines = [*left, *[""] * max(0, top + len(right) - len(left))]
    for n, words in enumerate(right):
        lines[top + n] = lines[top + n].ljust(width) + words
    return "\n".join(line if draw(st.booleans()) else f"{line}\n\n" for line in lines)


@given(_pages())
def test_text_set_side_by_side_is_read_with_every_word_once(page: str) -> None:
    """However a page's lines stand, reading them a side at a time moves words, never
    loses or repeats one."""
    from retrieval.pdf_columns import side_by_side

    read = side_by_side(page, 20)
    assert sorted(read.replace(" | ", " ").split()) == sorted(page.split())


@given(_pages())
def test_a_table_s_rows_are_read_with_every_word_once(page: str) -> None:
    """However a page's lines stand, reading a table's rows of several lines each as one
    line moves words, never loses or repeats one."""
    from retrieval.pdf_tables import table_grid

    (read,) = table_grid([page], 20)
    assert sorted(read.replace(" | ", " ").split()) == sorted(page.split())


def test_only_a_table_s_wrapped_cells_are_read_into_its_rows() -> None:
    """table_grid reads a row's next lines into it only where they are its cells wrapped:
    each starts with a letter (or, past the first column, a number with its unit) under a
    cell that its first word would not have fitted in.
    A heading with its tag set at the page's right over the paragraph that explains it
    (Nettle's "EAX_SET_KEY (ctx, …)  [Macro]"), a listing's numbered lines and a page's
    number under a table are read as they stand."""
    from retrieval.pdf_tables import table_grid

    table = [
        "Licence                  Fee               Term",
        "Fixed telephony          10,000 AZN        10 years",
        "services for the whole",
        "territory",
        "Satellite                5,000 AZN         7 years",
        "Fees are paid before the licence is issued.",
    ]
    (read,) = table_grid(["\n".join(table)], 1)
    assert read.strip().split("\n\n") == [
        "Licence | Fee | Term",
        "Fixed telephony services for the whole territory | 10,000 AZN | 10 years",
        "Satellite | 5,000 AZN | 7 years",
        "Fees are paid before the licence is issued.",
    ]
    for lines in (
        [
            "EAX_SET_KEY (ctx, set_key, key)                                   [Macro]",
            "set key is the function for setting the encryption key, and",
            "key is the key.",
            "EAX_SET_NONCE (ctx, length, nonce)                                [Macro]",
            "sets the nonce to be used for the message.",
        ],
        ["1      int main(void)", "2      {", "3      int i;", "4      return 0;"],
        [
            "Indicator            Minimum",
            "Latency              50 ms",
            "Availability         99.5",
            "                     11",
        ],
    ):
        assert table_grid(["\n".join(lines)], 1) == ["\n".join(lines)], lines[0]


def test_a_pdf_table_of_one_line_rows_with_empty_cells_is_read_a_row_at_a_time() -> None:
    """A table whose rows leave a cell empty ("Broadband  100 AZN" under "Service  Fee
    Note", as LibreOffice's PDF of tests/fixtures/numbered.fodt sets it) has rows of
    fewer cells than its columns, which table_rows (as many cells in each row) did not
    read: its rows and the paragraphs around them were one clause. Each row is read with
    its empty cell in its place, as the other readers write it."""
    from retrieval.pdf_tables import table_grid

    page = "\n".join(
        [
            "Fees for access:",
            "Service                    Fee                         Note",
            "Broadband                  100 AZN",
            "Mobile                                                 free for staff",
            "Exceptions are granted by the head of the department.",
        ]
    )
    (read,) = table_grid([page], 1)
    assert read.strip().split("\n\n") == [
        "Fees for access:",
        "Service | Fee | Note",
        "Broadband | 100 AZN |",
        "Mobile |  | free for staff",
        "Exceptions are granted by the head of the department.",
    ]


def test_a_table_s_row_cut_by_a_page_s_end_goes_on_at_the_next_page_s_top() -> None:
    """The lines at a page's top that go on from the cells of the row the page before ends
    in (under a running header, a line both pages open with, which is passed over) end
    that row; a paragraph at the page's top is no cell's next line, and stays where it
    stands, its second line too."""
    from retrieval.pdf_tables import table_grid

    table = "\n".join(
        [
            "Licence                  Fee               Term",
            "Fixed telephony          10,000 AZN        10 years",
            "services for the whole",
            "Satellite                5,000 AZN         7 years",
            "Regional radio           2,000 AZN         5 years",
            "broadcasting in one",
        ]
    )
    header = "Ministry of Communications and Information Technologies"
    pages = [f"{header}\n{table}", f"{header}\ndistrict\nFees are paid yearly."]
    first, second = table_grid(pages, 1)
    assert first.strip().split("\n\n")[-1] == (
        "Regional radio broadcasting in one district | 2,000 AZN | 5 years"
    )
    assert second.split() == f"{header} Fees are paid yearly.".split()
    prose = "Fees are paid yearly to the regulator,\nwhich publishes them."
    assert table_grid([table, prose], 1)[1] == prose


def runs(pdf: Any, y: float, *texts: tuple[str, float]) -> None:
    """A line of an fpdf2 page at `y`, its runs side by side, each shifted up by its second
    value and, where shifted, set small (a footnote's mark)."""
    x = pdf.l_margin
    for text, shift in texts:
        pdf.set_font("Helvetica", size=7 if shift else 11)
        pdf.text(x, y + shift, text)
        x += pdf.get_string_width(text)


def test_pdf_footnote_marks_are_read_as_the_other_readers_write_them(tmp_path: Path) -> None:
    """A mark set in superscript after a word came out of the PDF as part of the word
    ("year1."), and its note at the page's foot as a number ("1 Through …"): now "year[1]"
    and "[1] Through …", as the DOCX and ODT readers write them, so that a clause is quoted
    with the notes it calls. A number set in the text's own size is no mark ("2 licences")."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title("Fees Act")
    pdf.add_page()

    runs(
        pdf,
        30,
        ("Fees are reviewed every year", 0),
        ("1", -1.6),
        (". Fees for 2 licences: 200 EUR.", 0),
    )
    runs(pdf, 45, ("They are paid online", 0), ("2", -1.6), (".", 0))
    pdf.set_font("Helvetica", size=8)
    pdf.text(pdf.l_margin, 270, "1 Through the ministry's portal.")
    pdf.text(pdf.l_margin, 275, "2 By the Board.")
    assert [c.text for c in written(pdf, tmp_path / "fees.pdf")] == [
        "Fees are reviewed every year[1]. Fees for 2 licences: 200 EUR.",
        "They are paid online[2].",
        "[1] Through the ministry's portal.",
        "[2] By the Board.",
    ]


def test_pdf_endnotes_in_roman_numerals_are_read_at_the_document_s_end(tmp_path: Path) -> None:
    """Word and LibreOffice number endnotes i, ii, iii and set them at the document's end:
    the marks came out of the PDF as letters of the word ("Board.i"), the notes as lines
    opening with them ("i Decision 12 of 2013."), on another page. Now "Board.[i]" and
    "[i] Decision …", as the DOCX and ODT readers write them. The same numeral in the
    text's own size is no mark, nor is a number set raised right before a letter (x2k: a
    power), and a numbered list's items on the last page stay as they are."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()

    runs(pdf, 30, ("The fee is set by the Board.", 0), ("i", -1.6))
    runs(pdf, 45, ("Appeals go to the court", 0), ("ii", -1.6), (", within a month.", 0))
    runs(
        pdf, 60, ("The fee grows as x", 0), ("2", -1.6), ("k with the number of lines, Annex v.", 0)
    )
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.text(pdf.l_margin, 30, "Notes")
    pdf.text(pdf.l_margin, 45, "i Decision 12 of 2013.")
    pdf.text(pdf.l_margin, 60, "ii Law on Appeals, Article 4.")
    pdf.text(pdf.l_margin, 75, "2 copies are kept by the Board.")
    text = read_document(written_pdf(pdf, tmp_path / "notes.pdf")).text
    assert "The fee is set by the Board.[i]" in text
    assert "Appeals go to the court[ii], within a month." in text
    assert "as x2k with the number of lines, Annex v." in text
    assert "[i] Decision 12 of 2013." in text and "[ii] Law on Appeals, Article 4." in text
    assert "\n2 copies are kept by the Board." in text


def test_footnotes_numbered_afresh_on_each_page_are_each_page_s_own(tmp_path: Path) -> None:
    """Many documents number their footnotes from 1 on every page: a mark calls the note of
    its number that follows it, not the document's first such note."""
    import numpy as np
    from fpdf import FPDF

    from retrieval.loaded import LoadedIndex

    pdf = FPDF()
    pdf.set_title("Fees Act")
    for text, note in (
        ("Fees are reviewed every year", "1 By the Board."),
        ("They are paid", "1 Online."),
    ):
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.text(pdf.l_margin, 30, text)
        x = pdf.l_margin + pdf.get_string_width(text)
        pdf.set_font("Helvetica", size=7)
        pdf.text(x, 28.4, "1")
        pdf.set_font("Helvetica", size=11)
        pdf.text(x + pdf.get_string_width("1") * 7 / 11, 30, ".")
        pdf.set_font("Helvetica", size=8)
        pdf.text(pdf.l_margin, 270, note)
    clauses = written(pdf, tmp_path / "fees.pdf")
    assert [c.text for c in clauses] == [
        "Fees are reviewed every year[1].",
        "[1] By the Board.",
        "They are paid[1].",
        "[1] Online.",
    ]
    loaded = LoadedIndex(tmp_path, {}, {}, clauses, np.zeros((0, 3)), [], None, [])  # type: ignore[arg-type]
    assert [[n.text for n in loaded.footnotes(c)] for c in clauses] == [
        ["[1] By the Board."],
        [],
        ["[1] Online."],
        [],
    ]


def test_a_pdf_heading_set_right_over_its_text_heads_it(tmp_path: Path) -> None:
    """Word's heading styles have no space below them: in its PDFs a heading stands as close
    to its text as the text's lines to each other, and was read as the first line of the
    text's first clause; the text's next paragraphs had no heading."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title("Retention Policy")
    pdf.add_page()
    sections = (
        (
            "1. Scope",
            [
                "This policy applies to all personal data held by the ministry, on "
                "paper or in its systems.",
                "It does not apply to published registers.",
            ],
        ),
        (
            "2. Deletion",
            [
                "Data past its period is deleted within thirty days, and the "
                "deletion is recorded by the officer."
            ],
        ),
    )
    for title, paragraphs in sections:
        pdf.set_font("Helvetica", "B", 14)
        pdf.cell(0, 7, title)
        pdf.ln(7)
        pdf.set_font("Helvetica", size=11)
        for paragraph in paragraphs:
            pdf.multi_cell(0, 6, paragraph)
            pdf.ln(3)
    clauses = written(pdf, tmp_path / "policy.pdf")
    assert [(c.text.split("\n")[0][:20], c.heading) for c in clauses] == [
        ("This policy applies ", "1. Scope"),
        ("It does not apply to", "1. Scope"),
        ("Data past its period", "2. Deletion"),
    ]


def test_a_table_of_contents_is_no_clause_and_heads_nothing(tmp_path: Path) -> None:
    """A printed table of contents (each title, a leader of dots, its page number) was read
    a row per clause, each an answer that says only where a section is; and nothing broke
    the clause before it from what followed. A list priced with dot leaders is the text's
    own, as are a page's lone small roman numeral (the front matter's page number) and a
    subsection titled with a question, which heads its text."""
    from fpdf import FPDF

    class Report(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", size=9)
            self.cell(0, 6, "i" if self.page_no() == 1 else str(self.page_no() - 1), align="C")

    sections = [("1. Scope", "This report covers the licences issued in 2012.")]
    sections += [("2. Fees", "The fees for a licence are set out below.")]
    pdf = Report()
    pdf.set_title("Licensing Report")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "The ministry thanks the operators for their reports.")
    pdf.ln(8)
    pdf.multi_cell(0, 6, "Contents")
    pdf.ln(4)
    for title, page in (("1. Scope", 1), ("2. Fees", 1), ("2.1. Who pays the fee?", 2)):
        pdf.cell(150, 6, f"{title} " + ". " * 30)
        pdf.cell(0, 6, str(page), align="R")
        pdf.ln(8)
    pdf.add_page()
    for title, text in sections:
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(0, 7, title)
        pdf.ln(3)
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, text)
        pdf.ln(5)
    for service, fee in (("Broadband", 300), ("Mobile", 100), ("Cable", 200)):
        pdf.cell(150, 6, f"{service} " + ". " * 30)
        pdf.cell(0, 6, f"{fee}", align="R")
        pdf.ln(8)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 12)
    pdf.multi_cell(0, 7, "2.1. Who pays the fee?")
    pdf.ln(3)
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "The operator pays it before the licence is issued.")
    clauses = written(pdf, tmp_path / "report.pdf")
    assert [(" ".join(c.text.replace(". ", "").split()[:2]), c.heading) for c in clauses] == [
        ("The ministry", ""),
        ("This report", "1. Scope"),
        ("The fees", "2. Fees"),
        ("Broadband |", "2. Fees"),
        ("Mobile |", "2. Fees"),
        ("Cable |", "2. Fees"),
        ("The operator", "2.1. Who pays the fee?"),
    ]
    assert [c.page for c in clauses] == [1, 2, 2, 2, 2, 2, 3]


def test_the_bundled_corpus_as_pdf_is_cut_as_its_text_is() -> None:
    """benchmarks/bundled-pdf holds the bundled documents as LibreOffice saves them as PDF
    (make_pdfs.py): each is read clause for clause as its text is, the letter's parts with
    their labels, every clause cited where its text's is. The text's "**" marks are not in
    the PDF, and a word the PDF broke after its hyphen is read whole."""
    root = Path(__file__).resolve().parents[1]

    def read(folder: Path) -> dict[str, list[tuple[str, str, str]]]:
        documents, skipped = load_corpus(folder)
        assert not skipped
        return {
            d.doc_id: [
                (
                    " ".join(c.text.replace("**", "").replace("-\n", "-").split()),
                    c.label,
                    re.sub(r", p\. \d+", "", cite(d.info, c).text),  # a PDF's has its page
                )
                for c in segment(d)
            ]
            for d in documents
        }

    text, pdf = read(root / "corpus"), read(root / "benchmarks" / "bundled-pdf" / "corpus")
    assert text == pdf and sum(len(clauses) for clauses in pdf.values()) == 29


def test_a_running_head_that_changes_with_the_chapter_is_dropped(tmp_path: Path) -> None:
    """A book sets its chapter's title over the chapter's pages, a page number set apart
    from it: over the whole document no one head stands on most pages, yet each is a
    running head, and was read as a heading over whatever the page held. An article that
    opens two pages in a row is no running head: its number is no page number; nor is the
    title over the first page."""
    pages = [
        "Cable Act\n\nAs adopted on 1 May 2013.",
        "Chapter 1: Scope\n\nArticle 1\n\nThis Act applies to every operator.",
        "Chapter 1: Scope          2\n\nIt applies from 2013.",
        "Chapter 2: Fees          3\n\nArticle 2\n\nThe fee is 100 EUR a year.",
        "4          Chapter 2: Fees\n\nArticle 3\n\nFees are paid in January.",
        "Article 4\n\nThe Board sets the fees.",
        "Article 5\n\nThis Act takes effect on signature.",
    ]
    path = tmp_path / "act.txt"
    path.write_text("\f".join(pages), encoding="utf-8")
    document = read_document(path)
    assert "Chapter" not in document.text
    clauses = segment(document)
    assert [(c.section, c.page) for c in clauses] == [
        ("", 1),
        ("Article 1", 2),
        ("Article 1", 3),
        ("Article 2", 4),
        ("Article 3", 5),
        ("Article 4", 6),
        ("Article 5", 7),
    ]
    assert document.text.startswith("Cable Act")


def test_docx_text_in_content_controls_and_tracked_changes_is_read(tmp_path: Path) -> None:
    """python-docx reads a paragraph's own runs and links only: a form's or a template's
    content controls (<w:sdt>, in the body or in a paragraph), a tracked insertion, a smart
    tag and a simple field's result were lost, in paragraphs and in table cells. They are
    read as Word shows them; a tracked deletion is not, nor is a table of contents Word
    keeps in a content control."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    def xml(markup: str) -> Any:  # the namespace declared on the outer element
        return parse_xml(re.sub(r"^<(w:\w+)", rf"<\1 {nsdecls('w')}", markup, count=1))

    word = docx.Document()
    body = word.element.body
    body.insert(
        0,
        xml(
            "<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val='Table of Contents'/>"
            "</w:docPartObj></w:sdtPr><w:sdtContent><w:p><w:r><w:t>Scope</w:t></w:r><w:r>"
            "<w:tab/><w:t>1</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        ),
    )
    paragraph = word.add_paragraph("The fee is ")
    paragraph._p.append(
        xml("<w:sdt><w:sdtContent><w:r><w:t>100 manat</w:t></w:r></w:sdtContent></w:sdt>")
    )
    paragraph._p.append(xml("<w:ins w:id='1' w:author='a'><w:r><w:t> a year</w:t></w:r></w:ins>"))
    paragraph._p.append(
        xml("<w:del w:id='2' w:author='a'><w:r><w:delText> a month</w:delText></w:r></w:del>")
    )
    paragraph._p.append(
        xml("<w:smartTag w:element='place'><w:r><w:t>, in Baku</w:t></w:r></w:smartTag>")
    )
    paragraph._p.append(
        xml("<w:fldSimple w:instr='REF x'><w:r><w:t> (7)</w:t></w:r></w:fldSimple>")
    )
    paragraph.add_run(".")
    body.insert(
        len(body) - 1,
        xml(
            "<w:sdt><w:sdtContent><w:p><w:r><w:t>Operators apply online.</w:t></w:r></w:p>"
            "</w:sdtContent></w:sdt>"
        ),
    )
    table = word.add_table(rows=1, cols=2)
    table.cell(0, 0).paragraphs[0].add_run("Mobile")
    table.cell(0, 1).paragraphs[0]._p.append(
        xml("<w:sdt><w:sdtContent><w:r><w:t>250 EUR</w:t></w:r></w:sdtContent></w:sdt>")
    )
    path = tmp_path / "form.docx"
    word.save(str(path))
    assert [c.text for c in segment(read_document(path))] == [
        "The fee is 100 manat a year, in Baku (7).",
        "Operators apply online.",
        "Mobile | 250 EUR",
    ]


def test_docx_headings_and_numbered_articles(tmp_path: Path) -> None:
    import docx

    word = docx.Document()
    word.core_properties.title = "Cable Charter"
    word.add_heading("Cable Charter", level=0)
    word.add_heading("Chapter I. Principles", level=1)
    word.add_paragraph("Article 1 The parties protect undersea cables as critical infrastructure.")
    word.add_paragraph("Article 2 Repairs are allowed in territorial waters without delay.")
    word.add_heading("Chapter II. Cooperation", level=1)
    word.add_paragraph("(a) The parties exchange information on incidents.")
    path = tmp_path / "charter.docx"
    word.save(str(path))
    document = read_document(path)
    assert document.info.title == "Cable Charter" and document.info.format == "docx"
    clauses = segment(document)
    assert [c.ref for c in clauses] == ["Article 1", "Article 2", "(a)"]
    assert clauses[0].heading.endswith("Chapter I. Principles")
    assert clauses[2].heading.endswith("Chapter II. Cooperation")
    assert cite(document.info, clauses[1]).text == "Cable Charter, Article 2"
    assert all(c.page is None for c in clauses)


def test_a_docx_written_by_libreoffice_keeps_its_title(tmp_path: Path) -> None:
    """LibreOffice names the relationship to a DOCX's properties otherwise than Word
    ("…/officedocument/2006/…"); python-docx then missed them and gave its own default
    title, "Word Document", which every citation of such a file carried."""
    import zipfile

    import docx

    word = docx.Document()
    word.core_properties.title = "Fees Act 2013"
    word.add_paragraph("Fees are reviewed every year.")
    written = tmp_path / "written.docx"
    word.save(str(written))
    path = tmp_path / "fees.docx"
    standard = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/"
    libreoffice = "http://schemas.openxmlformats.org/officedocument/2006/relationships/metadata/"
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(path, "w") as copy:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "_rels/.rels":
                assert standard.encode() in data
                data = data.replace(standard.encode(), libreoffice.encode())
            copy.writestr(item, data)
    assert docx.Document(str(path)).core_properties.title == "Word Document"  # as it was read
    document = read_document(path)
    assert document.info.title == "Fees Act 2013"
    assert cite(document.info, segment(document)[0]).text == "Fees Act 2013, ¶1"


def test_docx_footnotes_are_read_after_their_marks(tmp_path: Path) -> None:
    """Word keeps footnotes in a part of their own, which python-docx does not read: each
    note is read at the end of the document after its mark, and the mark stands in the
    text where Word shows its number, numbered in the order the notes are called."""
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    word = docx.Document()
    word.core_properties.title = "Fees Act"
    for text, note in (("Fees are reviewed every year", 7), ("They are paid online", 3)):
        paragraph = word.add_paragraph(text)
        paragraph._p.append(
            parse_xml(f'<w:r {nsdecls("w")}><w:footnoteReference w:id="{note}"/></w:r>')
        )
        paragraph.add_run(".")
    notes = (
        f'<w:footnotes {nsdecls("w")}><w:footnote w:type="separator" w:id="-1"><w:p><w:r>'
        "<w:separator/></w:r></w:p></w:footnote>"
        '<w:footnote w:id="3"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve">'
        " Through the ministry's portal.</w:t></w:r></w:p></w:footnote>"
        '<w:footnote w:id="7"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve">'
        " By the Board.</w:t></w:r></w:p></w:footnote></w:footnotes>"
    )

    def saved(name: str, footnotes: bytes) -> Path:
        part = Part(
            PackURI("/word/footnotes.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
            footnotes,
            word.part.package,
        )
        rel = word.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)
        word.save(str(tmp_path / name))
        word.part.drop_rel(rel)
        return tmp_path / name

    clauses = segment(read_document(saved("fees.docx", notes.encode("utf-8"))))
    assert [c.text for c in clauses] == [
        "Fees are reviewed every year[1].",
        "They are paid online[2].",
        "[1] By the Board.",
        "[2] Through the ministry's portal.",
    ]
    # damaged notes: the text is read without them
    clauses = segment(read_document(saved("damaged.docx", b"<w:footnotes>[1] By the")))
    assert [c.text for c in clauses] == [
        "Fees are reviewed every year.",
        "They are paid online.",
    ]


def _numbered(paragraph, list_id: int, level: int) -> None:
    """Make a DOCX paragraph an item of Word list `list_id` at `level`, as Word does."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    paragraph._p.get_or_add_pPr().append(
        parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{list_id}"/>'
            "</w:numPr>"
        )
    )


def test_docx_lists_keep_the_numbers_word_shows_and_tables_their_rows(tmp_path: Path) -> None:
    """Word keeps a list's numbers out of the paragraphs' text and tables out of the
    paragraphs: the reader sees both, so the text has both, in reading order."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    word = docx.Document()
    word.core_properties.title = "Fees Act"
    numbering = word.part.numbering_part.element
    numbering.insert(
        0,
        parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
            '<w:lvlText w:val="%1."/></w:lvl>'
            '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/>'
            '<w:lvlText w:val="(%2)"/></w:lvl></w:abstractNum>'
        ),
    )
    numbering.append(
        parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>')
    )
    word.add_heading("Article 7 Fees", level=1)
    for text, level in (
        ("A licence fee is due.", 0),
        ("No fee is due for the processing of requests:", 0),
        ("by a natural person;", 1),
        ("by a public authority.", 1),
        ("Fees are paid yearly.", 0),
    ):
        _numbered(word.add_paragraph(text), 90, level)
    word.add_paragraph("an item of the template's own list", style="List Bullet")
    table = word.add_table(rows=2, cols=2)
    for (row, col), text in {(0, 0): "Service", (0, 1): "Fee", (1, 0): "Licence"}.items():
        table.cell(row, col).text = text
    table.cell(1, 1).text = "100 EUR"
    word.add_paragraph("Fees are published each year.")
    path = tmp_path / "fees.docx"
    word.save(str(path))
    document = read_document(path)
    clauses = segment(document)
    assert [c.text for c in clauses] == [
        "1. A licence fee is due.",
        "2. No fee is due for the processing of requests:",
        "(a) by a natural person;",
        "(b) by a public authority.",
        "3. Fees are paid yearly.",
        "• an item of the template's own list",
        "Service | Fee",
        "Licence | 100 EUR",
        "Fees are published each year.",
    ]
    cited = [cite(document.info, c).text.removeprefix("Fees Act, ") for c in clauses]
    assert cited[:5] == [
        "Article 7(1)",
        "Article 7(2)",
        "Article 7(2)(a)",
        "Article 7(2)(b)",
        "Article 7(3)",
    ]
    assert clauses[3].lead == 2


def test_html_drops_scripts_navigation_and_styles(tmp_path: Path) -> None:
    """What is not the document: scripts, styles, and navigation, whether its element says so
    (<nav>) or its role does (Sphinx's breadcrumbs: <div role="navigation">); a dialog over
    the page (a cookie consent's, as a page saved from a browser keeps it: <div
    role="dialog">, <dialog>)."""
    path = tmp_path / "statement.html"
    path.write_text(
        "<html><head><title>Joint Statement on Connectivity</title><style>p{color:red}</style>"
        "<script>var secret = 1;</script></head><body><nav><a href='/'>Home</a> | Menu</nav>"
        "<header>Site header</header><div class='related' role='navigation'><ul><li>"
        "<a href='/'>Index</a> &raquo;</li></ul><div>Breadcrumbs</div></div>"
        "<main><h1>Joint Statement</h1>"
        "<p>The signatories commit to <b>affordable</b> broadband &amp; open access.</p>"
        "<h2>Children</h2><p>Children&#39;s safety online is a shared duty.</p></main>"
        "<footer>Copyright</footer><div id='CybotCookiebotDialog' role='dialog'><p>This "
        "website uses cookies.</p></div><dialog open><p>Subscribe to our newsletter.</p>"
        "</dialog></body></html>",
        encoding="utf-8",
    )
    document = read_document(path)
    assert document.info.title == "Joint Statement on Connectivity"
    clauses = segment(document)
    assert [c.text for c in clauses] == [
        "The signatories commit to affordable broadband & open access.",
        "Children's safety online is a shared duty.",
    ]
    assert clauses[1].heading.endswith("Children")
    for banned in (
        "secret",
        "Home",
        "Menu",
        "Site header",
        "Copyright",
        "color",
        "Index",
        "Bread",
        "cookies",
        "Subscribe",
    ):
        assert banned not in document.text


def test_a_table_of_contents_of_titles_alone_is_no_clause(tmp_path: Path) -> None:
    """A table of contents typed out as the titles alone (no leader, no page, no link), as
    Debian's README files and texts saved from a word processor set it: its entries were
    clauses under the document's title, each an answer that says only that a section
    exists. Each line naming a heading after it, in the order they stand, numbered or not,
    it is left out, with its label ("Contents:"). A list naming sections in words of its
    own, out of their order, or repeated under each section ("• --expose-gc"), is the
    text's."""
    path = tmp_path / "README.txt"
    path.write_text(
        "Licensing rules\n===============\n\nContents:\n 1. Scope\n 2. Fees\n 3. Appeals\n\n"
        "Scope\n-----\n\nThese rules apply to every operator.\n\n"
        "Fees\n----\n\nOperators pay the fee each year.\n\n"
        "Appeals\n-------\n\nAn operator may appeal within 30 days.\n\n"
        "The rules name their parts:\n\n• Fees\n• Scope\n• Appeals\n"
    )
    clauses = segment(read_document(path))
    texts = [c.text for c in clauses]
    assert "1. Scope" not in " ".join(texts)
    assert "Contents:" not in texts  # the table's label says no more than the table
    assert [(c.heading, c.text) for c in clauses] == [
        ("Licensing rules — Scope", "These rules apply to every operator."),
        ("Fees", "Operators pay the fee each year."),
        ("Appeals", "An operator may appeal within 30 days."),
        ("Appeals", "The rules name their parts:"),
        ("Appeals", "• Fees"),
        ("Appeals", "• Scope"),
        ("Appeals", "• Appeals"),
    ]
    # out of the headings' order, the same titles are a list of the text's
    path.write_text(path.read_text().replace(" 1. Scope\n 2. Fees", " 1. Fees\n 2. Scope"))
    assert "1. Fees" in [c.text for c in segment(read_document(path))]


def test_an_html_table_of_contents_is_no_clause(tmp_path: Path) -> None:
    """A list whose items are only links to places in the page (a Sphinx or wiki page's
    "Contents") is a table of contents: no clause, and its title heads nothing. A list of
    links elsewhere is the page's own, and its short numbered items are items, not a run of
    headings."""
    path = tmp_path / "retention.html"
    path.write_text(
        "<html><body><h1>Data Retention Policy</h1><div class='contents'><p>Contents</p><ul>"
        "<li><a href='#scope'>1. Scope</a></li><li><a href='#periods'>2. Periods</a><ul>"
        "<li><a href='#logs'>2.1 Logs</a></li></ul></li></ul></div>"
        "<h2 id='scope'>1. Scope</h2><p>This policy applies to all personal data.</p>"
        "<h2 id='periods'>2. Periods</h2><p>Records are kept for five years.</p>"
        "<h3 id='logs'>2.1 Logs</h3><p>Logs are kept for six months, as <a href='#scope'>"
        "the scope</a> says.</p><ol><li><a href='/form'>Request form</a></li>"
        "<li><a href='#logs'>Logs</a>, above</li></ol></body></html>",
        encoding="utf-8",
    )
    clauses = segment(read_document(path))
    assert [(c.text, c.heading) for c in clauses] == [
        ("This policy applies to all personal data.", "Data Retention Policy — 1. Scope"),
        ("Records are kept for five years.", "2. Periods"),
        ("Logs are kept for six months, as the scope says.", "2.1 Logs"),
        ("1. Request form", "2.1 Logs"),
        ("2. Logs, above", "2.1 Logs"),
    ]
    # DocBook's, in a definition list, each entry's number outside its link; a link alone
    # to the page's start ("Skip to content")
    path.write_text(
        "<html><body><p><a href='#main'>Skip to content</a></p><h1>Users</h1><dl><dt>"
        "<b>Table of Contents</b></dt><dt>1. <a href='#intro'>Introduction</a></dt><dt>2. "
        "<a href='#groups'>Groups</a></dt></dl><h2 id='intro'>1. Introduction</h2><p>The "
        "package holds the master files.</p><h2 id='groups'>2. Groups</h2><p>Each group has "
        "an id.</p></body></html>",
        encoding="utf-8",
    )
    assert [(c.text, c.heading) for c in segment(read_document(path))] == [
        ("The package holds the master files.", "Users — 1. Introduction"),
        ("Each group has an id.", "2. Groups"),
    ]


FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_a_text_box_beside_paragraphs_in_a_pdf_libreoffice_wrote_is_read_whole() -> None:
    """The PDFs LibreOffice writes (soffice --headless --convert-to pdf) of
    tests/fixtures/sidebar.fodt, leftbar.fodt and middle.fodt: a paragraph with a text box
    anchored in it, set at its right, its left or its middle, the paragraph's lines wrapped
    around it (in the middle, on both its sides: a line runs on from the box's left to its
    right). Layout mode gives each line of the paragraph beside a line of the box, and six
    clauses were quoted so ("and mobile services on its website and keep them | fewer than
    ten staff are"); the box and the paragraph are read whole now, the paragraph to its end
    under the box, the box after it or, at its left, before it."""
    paragraphs = [
        "1. Every operator shall publish its tariffs for fixed and mobile services on its "
        "website and keep them there for at least two years after they cease to apply, in a "
        "form that subscribers can read without special software and in each of the "
        "languages in which the operator offers its services to the public, together with "
        "the conditions that apply to each tariff and the date from which each tariff applies.",
        "2. Operators shall notify the regulator of any change to a tariff thirty days before "
        "the change takes effect, in writing or by electronic means, and shall inform their "
        "subscribers of it by the same date.",
        "3. The regulator may suspend a tariff that is found to discriminate between "
        "subscribers of the same class, after hearing the operator.",
    ]
    box = (
        "Note: operators with fewer than ten staff are exempt from the duty to publish their "
        "tariffs, but must give them to a subscriber on request."
    )
    read = {
        name: [" ".join(c.text.split()) for c in segment(read_document(FIXTURES / name))]
        for name in ("sidebar.pdf", "leftbar.pdf", "middle.pdf")
    }
    assert read == {
        "sidebar.pdf": [*paragraphs, box],
        "leftbar.pdf": [box, *paragraphs],
        "middle.pdf": [*paragraphs, box],
    }
    # the paragraph at the box's right runs on under it as one: no break read between
    assert "each tariff and the\ndate from which" in read_document(FIXTURES / "leftbar.pdf").text


def test_a_heading_set_right_over_its_text_in_a_pdf_is_read_as_its_heading() -> None:
    """tests/fixtures/reflow.docx saved as PDF by LibreOffice: its heading (Heading 1, 14 pt
    over 12 pt text, no space under it) stands over its first paragraph at a gap the text's
    own lines nearly keep, and was read as that paragraph's first line ("Regulation on
    cross-border data services 1. This Regulation …"), the heading lost to the clauses
    under it. The sizes its lines are set in tell it (retrieval.pdf_fonts): the PDF's
    clauses, and the heading each stands under, are the DOCX's."""
    from pypdf import PdfReader

    from retrieval.pdf_reader import GAUGE, gaps, line_spacing

    page = PdfReader(FIXTURES / "reflow.pdf").pages[0]
    lines = gaps(page.extract_text(extraction_mode="layout", layout_mode_font_height_weight=GAUGE))
    pitch = line_spacing([lines])
    assert pitch is not None and lines[1][0] is not None
    assert lines[1][0] < 1.2 * pitch  # the heading's gap: no paragraph's break by itself

    def read(name: str) -> list[tuple[str, str]]:
        clauses = segment(read_document(FIXTURES / name))
        return [(c.heading, " ".join(c.text.split()).replace("- ", "-")) for c in clauses]

    assert read("reflow.pdf") == read("reflow.docx")
    assert read("reflow.pdf")[0] == (
        "Regulation on cross-border data services",
        "1. This Regulation sets out the non-discriminatory conditions under which operators "
        "of high-speed networks provide cross-border data services, including peer-to-peer "
        "and real-time services, to subscribers in the Republic and abroad.",
    )


def _pageless(name: str) -> list[tuple[str, str]]:
    """The clauses of tests/fixtures/<name>, each its text with its spaces folded and its
    citation without its page: a PDF's and its source's, to compare."""
    document = read_document(FIXTURES / name)
    return [
        (" ".join(c.text.split()), re.sub(r"p\. \d+, ", "", cite(document.info, c).text))
        for c in segment(document)
    ]


def test_a_pdf_of_a_docx_in_word_s_styles_reads_as_the_docx() -> None:
    """tests/fixtures/tariffs.docx and pravila.docx, written in Word's default styles
    (python-docx's template: numbered headings of two levels, body paragraphs, numbered and
    bulleted lists, tables; pravila.docx in Russian, long paragraphs over a page break, a
    running header and footer, a table whose second column's cells run over several lines),
    and the PDFs LibreOffice writes of them: the same clauses, cited alike but for the PDF's
    pages. Before, in the PDFs, the heading "2. Publication of tariffs" was read into the one
    line under it ("2. Publication of tariffs An operator shall publish its tariffs:"), as
    that line was not much longer than the heading; the table's rows ran into each other and
    into the paragraph under the table ("Фиксированная связь | Абонентская плата взимается",
    then the rest of the cell, the next row and the paragraph as one clause); and in both
    formats "4.1 Appeals to the court" gave no section (a number without a stop after it).
    security.docx runs over three pages, with a page number in its footer and numbered
    items past 9: a heading at a page's foot was read into the paragraph it cuts short
    ("4. Section 4 Data ministry …"), and the items "10.", "11.", "12." (a tab after a wide
    number, which layout mode writes as no space: "10.Data key …") were one paragraph."""
    for name in ("tariffs", "pravila", "security"):
        assert _pageless(f"{name}.pdf") == _pageless(f"{name}.docx"), name
    tariffs = read_document(FIXTURES / "tariffs.pdf")
    clauses = segment(tariffs)
    assert (clauses[2].text, cite(tariffs.info, clauses[2]).text) == (
        "An operator shall publish its tariffs:",
        "Rules on Communications Tariffs, p. 1, no. 2, ¶3",
    )
    assert (
        cite(tariffs.info, clauses[-1]).text
        == "Rules on Communications Tariffs, p. 2, no. 4.1, ¶16"
    )
    pravila = [" ".join(c.text.split()) for c in segment(read_document(FIXTURES / "pravila.pdf"))]
    assert pravila[11] == (
        "Фиксированная связь | Абонентская плата взимается ежемесячно, независимо от объёма "
        "потреблённых услуг, за исключением случаев приостановления."
    )


def test_a_pdf_of_an_odt_in_libreoffice_s_styles_reads_as_the_odt() -> None:
    """tests/fixtures/qaydalar.fodt, in Azerbaijani, in LibreOffice's "Text body" and
    "Heading 1" styles: a footnote, a lettered list, a table whose cells run over several
    lines in both columns, its rows set close; saved as ODT and as PDF by LibreOffice. The
    PDF reads as the ODT, clause for clause and citation for citation but for the pages.
    Before, the table's rows were read as two blocks, a column each, with the paragraph
    under the table in the first ("Xidmət Sabit rabitə xidməti … Abonent istənilən vaxt
    …"), and the footnote, its mark set right before its text ("1Nazirliyin …"), was no
    note. A row of cells set close begins where both cells begin otherwise than in lower
    case."""
    read = _pageless("qaydalar.pdf")
    assert read == _pageless("qaydalar.odt")
    assert read[-1][0].startswith("[1] Nazirliyin")


def test_a_pdf_table_whose_cells_run_over_several_lines_reads_as_the_docx() -> None:
    """Tables in Word's styles (python-docx's "Table Grid") and the PDFs LibreOffice writes
    of them, where a cell runs over several lines in any column: tarify.docx (Russian, three
    columns, the first and the last wrapping, the paragraph under the table set as close
    as its rows), annex.docx (four columns, a "No." column, a heading right over the second
    table), budget.docx (its amounts set right in their column) and fees.docx (only the
    first column wrapping, and a table with empty cells).
    Before, the rows ran into each other and into the paragraph under the table ("телефонная
    связь для местных звонков населения Мобильная связь 8 манат …", "services for the whole
    territory Regional radio 2,000 AZN 5 years broadcasting in one district"), a wrapped
    middle cell took the next column's words ("5 AZN households in towns and villages"),
    and the heading was read into the table's first row ("Penalties Breach | Penalty").
    Now each row is a clause, its cells whole, as the DOCX reader writes it."""
    for name in ("tarify", "annex", "budget"):
        assert _pageless(f"{name}.pdf") == _pageless(f"{name}.docx"), name
    fees = _pageless("fees.pdf")
    assert [text for text, _ in fees[1:6]] == [
        "Licence | Fee | Term",
        "Fixed telephony services for the whole territory | 10,000 AZN | 10 years",
        "Regional radio broadcasting in one district | 2,000 AZN | 5 years",
        "Satellite | 5,000 AZN | 7 years",
        "Internet access services for the public | 1,000 AZN | 5 years",
    ]
    # an empty cell kept in its place; the e-mail address is broken over two lines on the
    # page itself ("complaints@example.a" over "z")
    assert fees[9][0] == "Complaints | | complaints@example.a z"
    assert fees[10][0] == "Press office | +994 12 498 00 10 |"
    assert fees[11][0] == "Offices are open from 9:00 to 18:00 on working days."
    assert fees[:9] + fees[10:] == [*_pageless("fees.docx")[:9], *_pageless("fees.docx")[10:]]


def test_a_pdf_table_over_several_pages_reads_as_the_docx() -> None:
    """register.docx, a register of 40 operators in a table of four columns whose cells run
    over several lines, its header row repeated at each page's top (Word's "repeat as
    header row"), over four pages of the PDF LibreOffice writes of it: rows 12 and 25 are
    cut by a page's end, their last lines under the next page's repeated header. Before,
    the table was taken for a page in two columns and read a column at a time; then, read
    as a table, the lines under each repeated header ended the header ("No. | Operator
    Limited | Services the whole territory | …") and not the row the page cut. Now the
    header is read once and each row whole, as in the DOCX. register-plain.docx is the same
    table without its header repeated (Word's default): the lines at the next page's top
    that go on from the cut row's cells end it, where before they were a clause of their
    own ("Limited the whole territory") or ran into the title of the table after
    ("Limited access in the capital and its suburbs Fees for 2016")."""
    for name in ("register", "register-plain"):
        pdf, docx = _pageless(f"{name}.pdf"), _pageless(f"{name}.docx")
        assert pdf[:42] == docx[:42], name
        assert pdf[13][0] == (
            "12 | Operator number 12 Limited | satellite broadcasting for the whole territory | "
            "13 May 2023"
        )
        header = "No. | Operator | Services | Licence valid until"
        assert [text for text, _ in pdf].count(header) == 1


def test_a_document_s_title_numbered_parts_and_third_column_read_alike_in_each_format() -> None:
    """quality.docx, a regulation in Word's styles: a title and a subtitle, articles, "3.1
    Method", a table of three columns whose middle cell runs over two lines, a running
    header and footer; saved by LibreOffice as ODT, HTML and PDF. keyfiyyet.docx, in
    Azerbaijani: numbered parts whose first paragraph is numbered under them ("1. Ümumi
    müddəalar" over "1.1. Bu Qaydalar …"), its title over two lines. Before: the title, in
    sentence case, was a clause in the ODT and the HTML (the DOCX reader reads Word's
    "Title" style as a heading); the HTML's running header and footer (LibreOffice's '<div
    title="header">') were clauses and the header its title; in the PDF the table's third
    column was read into the second ("80% of the advertised Mbit/s speed"), each part's
    heading into its first paragraph ("1. Ümumi müddəalar 1.1. Bu Qaydalar …", cited "no.
    1"), and the title cut to its first line ("Elektron rabitə xidmətlərinin"); and its
    title and subtitle (26 pt, and oblique, over text in 11 pt) were a clause, where the
    DOCX reads them as headings: read by their fonts, they head the PDF's clauses as the
    DOCX's. law.docx: articles of numbered paragraphs over three pages, a running header
    and a page number."""
    quality = _pageless("quality.docx")
    assert _pageless("quality.odt") == quality
    assert _pageless("quality.html") == quality
    pdf = [text for text, _ in _pageless("quality.pdf")]
    assert pdf == [text for text, _ in quality]
    headings = [c.heading for c in segment(read_document(FIXTURES / "quality.pdf"))]
    assert headings == [c.heading for c in segment(read_document(FIXTURES / "quality.docx"))]
    assert headings[0].startswith("Regulation on the quality of broadband services — Approved")
    assert pdf[14:18] == [
        "Indicator | Minimum | Unit",
        "Download speed | 80% of the advertised speed | Mbit/s",
        "Latency | 50 | ms",
        "Availability | 99.5 | % of the month",
    ]
    # law.docx's title, set by the PDF over two lines, the second in lower case ("Law on
    # electronic" over "communications"), heads the document as Word's "Title" style does;
    # it was a clause, as a heading's line in lower case reads as a sentence's end
    assert _pageless("law.pdf") == _pageless("law.docx")
    keyfiyyet = _pageless("keyfiyyet.pdf")
    title = "Elektron rabitə xidmətlərinin keyfiyyəti haqqında Qaydalar"
    assert read_document(FIXTURES / "keyfiyyet.pdf").info.title == title
    # the PDF's one page has its footer ("Rəsmi nəşr") as its last line: with no second
    # page to repeat it, it is text
    assert keyfiyyet[:-1] == _pageless("keyfiyyet.docx")
    assert keyfiyyet[0] == (
        "1.1. Bu Qaydalar elektron rabitə xidmətlərinin keyfiyyətinə dair tələbləri müəyyən edir.",
        f"{title}, no. 1.1",
    )


def test_an_article_s_heading_over_its_first_numbered_paragraph_heads_it_in_a_pdf() -> None:
    """yonetmelik.docx, a Turkish regulation in Word's styles: chapters, articles headed
    "Madde 1 – Amaç" over paragraphs numbered "(1)", "(2)", lettered definitions, a table;
    and the PDF LibreOffice writes of it. Before, in the PDF, each article's heading was
    read into its first paragraph ("Madde 1 – Amaç (1) Bu Yönetmeliğin amacı …", cited
    "Madde 1" where the DOCX cites "Madde 1(1)"): a line opening with a list's number was
    never a heading's text. A heading numbered by a word ("Madde", "Article", "Статья") is
    no list's item, and heads the item under it. Each clause now reads and is numbered as
    in the DOCX. So in sroki.docx (Russian: "Статья 5. Сроки рассмотрения обращений" at a
    page's top, over a paragraph whose first line is not much longer, and a table whose
    cells hold two paragraphs): the heading was read into the paragraph under it, as a
    heading as long as half the line under it was taken for the paragraph's first line."""
    docx, pdf = (
        [
            (" ".join(c.text.split()), c.ref, c.section)
            for c in segment(read_document(FIXTURES / name))
        ]
        for name in ("yonetmelik.docx", "yonetmelik.pdf")
    )
    assert pdf == docx
    assert pdf[0] == (
        "(1) Bu Yönetmeliğin amacı, elektronik haberleşme sektöründe tüketicilerin haklarını "
        "korumaktır.",
        "(1)",
        "Madde 1",
    )
    assert _pageless("sroki.pdf") == _pageless("sroki.docx")


def test_a_numbered_table_of_contents_set_by_hand_keeps_the_list_s_count() -> None:
    """numlinks.docx: a table of contents set by hand as a numbered list of links ("1. " and
    a link to "Scope"), then the same list going on with the rules ("3. Operators pay a
    fee."); and LibreOffice's .doc and RTF of it. Telling an entry in the .doc asked the
    paragraph's list for its number a second time, which counts it again: the entries and
    the rules after them read "3. Fees", "5. Operators pay a fee.", a number the document
    does not show, cited so. Each format now reads the DOCX's numbers."""
    from retrieval.formats import extract

    read = {
        suffix: extract(
            FIXTURES / f"numlinks.{suffix}", (FIXTURES / f"numlinks.{suffix}").read_bytes()
        ).text
        for suffix in ("docx", "doc", "rtf")
    }
    assert read["doc"] == read["rtf"] == read["docx"]
    assert "[2. Fees](#fees)\n\nThe rules follow.\n\n3. Operators pay a fee." in read["docx"]


def test_a_link_field_s_place_in_the_document() -> None:
    """A field's code as Word and LibreOffice write a link in .doc and RTF: a place in the
    document ("\\l", or a target opening with "#"), somewhere else, or no link at all."""
    from retrieval.contents import link_place

    assert link_place(' HYPERLINK  \\l "scope"\x01') == "#scope"  # LibreOffice's, in a .doc
    assert link_place('HYPERLINK \\l "_Toc12" \\o "Go to Scope" \\h') == "#_Toc12"
    assert link_place('HYPERLINK "#fees"') == "#fees"
    assert link_place('HYPERLINK "https://example.org/#fees"') == ""
    assert link_place('HYPERLINK "rules.doc" \\l "fees"') == ""  # a place in another file
    assert link_place("PAGEREF _Toc12 \\h") is None


def test_a_cell_merged_down_over_rows_is_read_in_each_of_them_in_every_format() -> None:
    """tests/fixtures/spans.docx (python-docx: a tariff table whose first column's cells are
    merged down over two rows each, "Mobile internet" beside "4G" and "5G") and the ODT,
    RTF, .doc and HTML LibreOffice writes of it. The DOCX read the merged cell in each row
    it spans (python-docx gives a row the cell merged down over it); ODT and HTML left it
    out of the rows under its first, their cells a column off ("5G | 15 AZN"), RTF and .doc
    left it empty ("| 5G | 15 AZN"): the quote of a row did not say what it is the price
    of. Every format now reads each row as the DOCX does. So in spans-across.docx, where a
    row's first two cells are merged across under a cell merged down beside them (RTF and
    .doc then give the row fewer cells: the merged cell is the one that ends where the
    cell above it ends, not the one at its place in the row)."""
    read = {
        suffix: [c.text for c in segment(read_document(FIXTURES / f"spans.{suffix}"))]
        for suffix in ("docx", "odt", "rtf", "doc", "html")
    }
    assert all(clauses == read["docx"] for clauses in read.values()), read
    across = {
        suffix: [c.text for c in segment(read_document(FIXTURES / f"spans-across.{suffix}"))]
        for suffix in ("docx", "odt", "rtf", "doc", "html")
    }
    assert all(clauses == across["docx"] for clauses in across.values()), across
    assert "All regions and services | VAT included" in across["docx"]
    assert read["docx"][1:6] == [
        "Service | Speed | Monthly fee",
        "Mobile internet | 4G | 10 AZN",
        "Mobile internet | 5G | 15 AZN",
        "Fixed broadband | 50 Mbit/s | 20 AZN",
        "Fixed broadband | 100 Mbit/s | 30 AZN",
    ]


def test_a_pdf_table_is_read_by_the_rules_it_draws() -> None:
    """The PDFs LibreOffice writes of spans.docx and spans-across.docx, and of two tables
    made with python-docx: one ruled in full, a cell of its first column and one of its
    middle column each merged down over two rows (ruled-merged.pdf); one ruled only above,
    under its header and below, with cells of several lines (ruled-header.pdf). Layout
    mode writes no borders: a row under a merged cell ("  5G   15 AZN") read as the next
    line of the row above, and the paragraph under a table whose first column holds short
    labels as that label's next line ("Fixed broadband Fees are paid in advance. | 50
    Mbit/s 100 Mbit/s | 20 AZN 30 AZN"), a quote of words the document does not set
    together. The rules drawn now begin a row (and where they are drawn between rows, a line
    under none goes on the row above), carry a merged cell into the rows it spans (no rule
    is drawn over it), join a cell merged across (no rule between) and end the table
    (retrieval.pdf_rules)."""

    def clauses(name: str) -> list[str]:
        return [c.text for c in segment(read_document(FIXTURES / name))]

    assert clauses("spans.pdf") == clauses("spans.docx")
    # a row's first two cells merged across, beside a cell merged down: no rule between them
    assert clauses("spans-across.pdf") == clauses("spans-across.docx")
    assert clauses("ruled-merged.pdf") == [
        "Tariffs for 2015.",
        "Region | Service | Fee",
        "Baku | Mobile | 10 AZN",
        "Baku | Fixed | 20 AZN",
        "Ganja | Mobile | 8 AZN",
        "Sheki | Mobile | 9 AZN",
        "Other regions pay the Baku fee.",
    ]
    # a title row merged across a table's columns, boxed by its rules: a row, as in the DOCX,
    # not a heading over the table and the paragraphs after it

    def read(name: str) -> list[tuple[str, str]]:
        return [(" ".join(c.text.split()), c.heading) for c in segment(read_document(name))]

    assert read(FIXTURES / "register.pdf") == read(FIXTURES / "register.docx")
    assert ("| Fees for 2016 |", "Annex 3. Register of licensed operators") in read(
        FIXTURES / "register.pdf"
    )
    # a header row opening with "№" (no letter or digit): its first row, as the rules say
    assert clauses("ruled-numero.pdf")[:3] == [
        "Fees for services:",
        "№ | Service | Fee",
        "1 | Licence for mobile telephony in the whole territory of the republic | 500 AZN",
    ]
    # an underlined link in a cell that wraps: the underline meets no upright, so it is no
    # border, and the row is not cut at it (its other cells carried into made-up rows)
    assert clauses("ruled-underline.pdf")[1:4] == [
        "Office | Where | Hours",
        "Licences | registry.example.az/ licences/operators/ register lists every operator "
        "licensed under this Regulation and its services | 9 to 18",
        "Fees | Room 5 | 9 to 13",
    ]
    # a row whose cells wrap onto a line that opens as a row would: no rule over it, so the
    # row goes on (before: "Plus | For Business |", a row of its own)
    assert clauses("ruled-wrapped.pdf")[1:4] == [
        "Plan | What | Price",
        "Mobile Internet Access Plus | Unlimited Data Plan For Business | 30 AZN",
        "Fixed Line | Calls | 5 AZN",
    ]
    # python-docx tables of random words, as LibreOffice sets them: a merged cell's words
    # wrapped into the row under it (before: "Operator network | voice period period appeal
    # | Data | 408 AZN"); a table ruled across the page whose long cells fill their columns
    # like prose (before: read as a page in two columns, its rows in halves)
    for name in ("ruled-merged-wrap", "ruled-wide"):
        assert clauses(f"{name}.pdf") == clauses(f"{name}.docx"), name
    # a table's last row alone over a page's end (before: read into the paragraph under
    # it); a row of one cell merged across the table, its words crossing the columns'
    # starts (before: a heading over the paragraphs after the table); a table of a header
    # and one such row (before: never looked for, one line of text with the paragraph)
    for name in ("ruled-lastrow", "ruled-across", "ruled-onerow"):
        pdf, docx = clauses(f"{name}.pdf"), clauses(f"{name}.docx")
        assert [" ".join(c.split()) for c in pdf] == docx, name
    assert "| Court |" in clauses("ruled-onerow.pdf")
    # ruled off at its header alone: its rows told by their text, as before
    assert clauses("ruled-header.pdf")[1:] == [
        "Fee | Amount | When due",
        "Licence | 500 AZN for each licence granted under this Regulation to an operator | 1 June",
        "Renewal | 300 AZN | 1 July of the year the licence ends",
        "Transfer | 200 AZN | On transfer",
        "Fees are paid in advance.",
        "A fee paid late is raised by a tenth for each month.",
    ]


def test_a_pdf_border_drawn_as_a_line_or_a_thin_box_is_a_rule() -> None:
    """LibreOffice strokes a cell's border as a line; Word fills a thin box. Both are
    rules, level or upright; a clipping box, a shaded cell or a line at a slant is none."""
    from retrieval.pdf_rules import Rule, Upright, _rules

    def box(x: float, y: float, w: float, h: float) -> list[tuple[float, float, float, float]]:
        corners = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
        return [(*a, *b) for a, b in zip(corners, corners[1:] + corners[:1], strict=True)]

    level, upright = [Rule(652.0, 84.0, 516.0)], [Upright(84.0, 585.0, 652.0)]
    assert _rules([(84.0, 652.0, 516.0, 652.0)], filled=False) == (level, [])
    assert _rules([(84.0, 652.0, 84.0, 585.0)], filled=False) == ([], upright)
    assert _rules(box(84.0, 651.5, 432.0, 1.0), filled=True) == (level, [])
    assert _rules(box(83.75, 585.0, 0.5, 67.0), filled=True) == ([], upright)
    assert _rules(box(84.0, 585.0, 432.0, 67.0), filled=True) == ([], [])  # a shaded cell
    assert _rules([(84.0, 600.0, 516.0, 652.0)], filled=False) == ([], [])  # at a slant


def test_an_html_cell_spanning_rows_and_columns_stands_in_each_row_it_spans(
    tmp_path: Path,
) -> None:
    """A web page's table as browsers lay it out: a cell with rowspan stands in each row it
    spans at its column, before the row's own cells there, also where it spans columns too
    and where the rows leave their end tags out; a row the one before says word for word
    (a navigation bar's cells merged down over an empty one) is read once; a row the page
    hides, not at all; a cell said to span more rows than its table has, in those it has."""
    path = tmp_path / "fees.html"
    path.write_text(
        "<table><tr><th>Service</th><th>Speed</th><th>Fee</th><th>Note</th></tr>"
        "<tr><td rowspan=2>Mobile</td><td>4G</td><td>10 AZN</td><td rowspan=3>VAT included"
        "</td></tr><tr><td>5G<td>15 AZN<tr><td>Fixed<td>50 Mbit/s<td>20 AZN"
        "<tr><td colspan=2 rowspan=2>Other</td><td>1 AZN</td><td>none</td></tr>"
        "<tr style='display:none'><td>2 AZN</td><td>draft</td></tr>"
        "<tr><td>2 AZN</td><td>none</td></tr></table>"
        "<table><tr><td rowspan=2>&lt;&lt; Back</td><td></td><td rowspan=2>Next &gt;&gt;</td>"
        "</tr><tr><td></td></tr></table><table><tr><td rowspan=65534>Note</td><td>a</td></tr>"
        "<tr><td>b</td><td>c</td></tr></table><p>Fees are paid in advance.</p>",
        encoding="utf-8",
    )
    assert [c.text for c in segment(read_document(path))] == [
        "Service | Speed | Fee | Note",
        "Mobile | 4G | 10 AZN | VAT included",
        "Mobile | 5G | 15 AZN | VAT included",
        "Fixed | 50 Mbit/s | 20 AZN | VAT included",
        "Other | 1 AZN | none",
        "Other | 2 AZN | none",
        "<< Back | | Next >>",
        "Note | a",
        "Note | b | c",
        "Fees are paid in advance.",
    ]


def test_a_number_a_page_writes_in_digits_int_does_not_read_is_no_number(tmp_path: Path) -> None:
    """A list's start, an item's value, a cell's rowspan or a font's weight written in
    digits Python's int() does not read ("²", a superscript two: str.isdigit says it is a
    digit) is read as no number, as a browser reads it, not as a failure to read the page."""
    path = tmp_path / "odd.html"
    path.write_text(
        "<p style='font-weight:⁷⁰⁰'>Rules</p><ol start='²'><li value='³'>Apply.</li></ol>"
        "<table><tr><td rowspan='²'>Fee</td><td>10 AZN</td></tr><tr><td>5 AZN</td></tr>"
        "</table>",
        encoding="utf-8",
    )
    assert read_document(path).text == "Rules\n\n1. Apply.\n\nFee | 10 AZN\n\n5 AZN"


def test_a_table_nested_in_an_odt_cell_is_read_once_in_its_cell() -> None:
    """tests/fixtures/nested.docx (a table in a table's cell, as contact sheets and web
    pages saved from a browser set one, beside a cell whose text is set in a heading's
    style) and LibreOffice's ODT and .doc of it. The ODT reader read the nested table's
    rows in its cell and again as rows of their own, and the heading as a heading's line
    inside the row ("# Ministry | …"), which left the row out: the ministry's name stood in
    no clause, the phone and email in two. (The .doc reader marked a heading in a cell so
    too, "| # …" in the quote of a web page's layout table.) Each now reads as the DOCX:
    the nested table's words once, in its cell, the heading as the cell's text."""
    docx, odt, doc = (
        [c.text for c in segment(read_document(FIXTURES / f"nested.{suffix}"))]
        for suffix in ("docx", "odt", "doc")
    )
    assert odt == doc == docx
    assert docx == [
        "Ministry | Phone +994 12 000 00 00 Email office@example.az",
        "Write to the ministry for a licence.",
    ]


def test_a_doc_s_paragraph_in_lower_case_carries_on_the_one_before_as_in_the_docx() -> None:
    """yonetmelik.docx saved by LibreOffice as .doc: a definitions list's last item ends
    in a comma and the sentence ends in a paragraph of its own ("c) İşletmeci: … şirketi,"
    then "ifade eder."). The DOCX, ODT and RTF read them as one clause; a .doc read each of
    its paragraphs as a clause of its own whatever it opened with, a rule from before the
    .doc reader read a list's numbers (so that an item then opened in lower case): the
    quote "ifade eder." ("means.") said nothing. Each clause now reads, and is numbered
    and cited, as in the DOCX."""
    docx, doc = (
        [(c.text, c.ref, c.section, c.heading) for c in segment(read_document(FIXTURES / name))]
        for name in ("yonetmelik.docx", "yonetmelik.doc")
    )
    assert doc == docx
    assert (
        "c) İşletmeci: Elektronik haberleşme hizmeti sunan şirketi,\n\nifade eder.",
        "(1)(c)",
        "Madde 3",
    ) in [(text, ref, section) for text, ref, section, _ in doc]


def test_a_pdf_of_a_docx_in_two_columns_reads_its_columns_and_articles() -> None:
    """tests/fixtures/cables.docx, a regulation in Word's styles, its title and a line
    across the page, then "Article 1" to "Article 8" in two columns, each over two
    paragraphs; and the PDF LibreOffice writes of it. A long line of the left column
    reached into the gutter and was taken for a line across both columns (a title's): the
    columns were read across from there on, a line of each in turn, and 6 of the 17
    paragraphs stood whole in no clause. And an article's heading over a paragraph that a
    column's end cuts short was read into it ("Article 3 Detection within …"). Now each
    column is read down: every paragraph of the DOCX stands whole, in its order, in a
    clause under its article. (Where the columns' lines stand at different heights, layout
    mode spaces them unevenly, and two paragraphs of a column may be one clause.)"""
    docx, pdf = (read_document(FIXTURES / f"cables.{suffix}") for suffix in ("docx", "pdf"))
    read = [(" ".join(c.text.split()), c.heading.split(" — ")[-1]) for c in segment(pdf)]
    at = 0
    for clause in segment(docx):
        text = " ".join(clause.text.split())
        while at < len(read) and text not in read[at][0]:
            at += 1
        assert at < len(read), text
        assert read[at][1] == clause.heading.split(" — ")[-1], text


def test_a_word_97_doc_is_read_as_the_other_readers_read_a_document(tmp_path: Path) -> None:
    """Ministries still publish .doc files (Word 97-2003), which were passed over. The
    fixture is tests/fixtures/rules.fodt saved by LibreOffice as "MS Word 97" (soffice
    --headless --convert-to 'doc:MS Word 97' rules.fodt): Azerbaijani, Russian and English
    text, a title, headings of two levels (their styles read), a table of contents (a TOC
    field: left out), a list, a table, a link (a field: its result is read, not its code),
    a footnote and an endnote (numbered in the order the text calls them, the endnote apart
    in small roman numerals, "[i]", as Word shows it and the DOCX and ODT readers write
    it). Its list is a bulleted one, as LibreOffice shows it: the bullets lie in the list's
    formatting, not in the text (see
    test_word_list_numbers_and_numbered_headings_read_alike_in_doc_docx_and_odt)."""
    document = read_document(FIXTURES / "rules.doc")
    assert document.info.title == "Rüsum Qaydaları"
    clauses = segment(document)
    assert [(c.text, cite(document.info, c).text) for c in clauses] == [
        ("Bu Qaydalar bütün operatorlara şamil edilir.[1]", "Rüsum Qaydaları, Maddə 1, ¶1"),
        ("Operators pay the following fees:", "Rüsum Qaydaları, no. 2.1, ¶2"),
        ("• a licence fee of 100 manat;", "Rüsum Qaydaları, no. 2.1, ¶3"),
        ("• a renewal fee of 50 manat.", "Rüsum Qaydaları, no. 2.1, ¶4"),
        ("Service | Fee", "Rüsum Qaydaları, no. 2.1, ¶5"),
        ("Broadband | 100 AZN", "Rüsum Qaydaları, no. 2.1, ¶6"),
        ("Appeals go to the Board.[i]", "Rüsum Qaydaları, no. 2.1, ¶7"),
        (
            "The fees are paid online — “in advance”, see the portal.",
            "Rüsum Qaydaları, no. 2.1, ¶8",
        ),
        ("[1] Nazirliyin 2012-ci il qərarı ilə.", "Rüsum Qaydaları, no. 2.1, ¶9"),
        ("[i] Since 2013.", "Rüsum Qaydaları, no. 2.1, ¶10"),
    ]
    assert clauses[1].heading == "Статья 2. Сборы — 2.1 Amounts"
    for heading in ("# Rüsum Qaydaları", "# Статья 2. Сборы", "## 2.1 Amounts"):
        assert f"\n{heading}\n" in f"\n{document.text}\n"  # its style's level, as DOCX's
    assert document.text.count("Tətbiq dairəsi") == 1  # its entry in the contents left out
    # an encrypted .doc, a Word 6/95 one and a file that only has the suffix are named
    import olefile

    for byte, value, reason in ((0x0B, 0x01, "encrypted"), (0x02, 0x65, "Word 6 or 95")):
        damaged = tmp_path / f"{reason.split()[0]}.doc"
        damaged.write_bytes((FIXTURES / "rules.doc").read_bytes())
        with olefile.OleFileIO(str(damaged), write_mode=True) as ole:
            word = bytearray(ole.openstream("WordDocument").read())
            word[byte] = word[byte] | value if byte == 0x0B else value
            if byte == 0x02:
                word[0x03] = 0
            ole.write_stream("WordDocument", bytes(word))
        with pytest.raises(CorpusError, match=reason):
            read_document(damaged)
    fake = tmp_path / "fake.doc"
    fake.write_text("just text", encoding="utf-8")
    with pytest.raises(CorpusError, match="not a readable Word 97-2003 file"):
        read_document(fake)


def test_word_list_numbers_and_numbered_headings_read_alike_in_doc_docx_and_odt() -> None:
    """Word numbers a policy's clauses and headings itself: "1.", "2.1.", "(a)", "i.", a
    bullet lie in the list's formatting, not in the text. A .doc's were not read at all
    (its items cited "¶2", "¶3"), a DOCX's headings lost theirs ("Ümumi müddəalar" for
    "1. Ümumi müddəalar", and every clause under it cited without its section), and an
    empty cell inside a .doc's row ended the row ("Mobile" a block of its own, "free for
    staff" another). The fixture is tests/fixtures/numbered.fodt saved by LibreOffice as
    MS Word 97, DOCX, ODT and RTF (which was not read at all): headings with outline
    numbers, a two-level numbered list, a lettered, a bulleted and a roman one, and a table
    with empty cells. Each is now read as LibreOffice shows it, and the four alike. A
    clause under "2.1 Passwords" is cited by its subsection, as under "2.1. Passwords"
    (was "no. 2": a number without a stop after it was no heading's)."""
    expected = [
        ("Bu Siyasət aşağıdakılara şamil edilir:", "no. 1, ¶1"),
        ("1. nazirliyin əməkdaşlarına;", "no. 1(1)"),
        ("2. podratçılara;", "no. 1(2)"),
        ("2.1. müvəqqəti podratçılara;", "no. 1(2.1)"),
        ("2.2. daimi podratçılara;", "no. 1(2.2)"),
        ("3. qonaqlara.", "no. 1(3)"),
        ("A password must:", "no. 2.1, ¶7"),
        ("(a) be at least twelve characters long;", "no. 2.1(a)"),
        ("(b) be changed every ninety days.", "no. 2.1(b)"),
        ("Staff keep their devices locked. The ministry provides:", "no. 2.2, ¶10"),
        ("• encrypted laptops;", "no. 2.2, ¶11"),
        ("• security keys.", "no. 2.2, ¶12"),
        ("Fees for access:", "no. 2.2, ¶13"),
        ("Service | Fee | Note", "no. 2.2, ¶14"),
        ("Broadband | 100 AZN |", "no. 2.2, ¶15"),
        ("Mobile |  | free for staff", "no. 2.2, ¶16"),  # the fee's cell left empty, in place
        ("Exceptions are granted by:", "no. 2.2, ¶17"),
        ("i. the head of the department;", "no. 2.2(i)"),
        ("ii. the security officer.", "no. 2.2(ii)"),
    ]
    title = "Məlumat Təhlükəsizliyi Siyasəti"
    for suffix in ("doc", "docx", "odt", "rtf"):
        document = read_document(FIXTURES / f"numbered.{suffix}")
        clauses = segment(document)
        got = [(c.text, cite(document.info, c).text) for c in clauses]
        assert got == [(text, f"{title}, {where}") for text, where in expected], suffix
        # (under the title in .doc and DOCX, whose "Title" style is a heading's)
        assert clauses[0].heading.endswith("1. Ümumi müddəalar"), suffix
        assert clauses[9].heading.endswith("2.2 Devices"), suffix
        for heading in ("# 1. Ümumi müddəalar", "## 2.1 Passwords"):
            assert f"\n{heading}\n" in f"\n{document.text}\n", suffix


def test_a_doc_list_s_numbers_counted_as_word_counts_them() -> None:
    """How a .doc's list numbers are counted ([MS-DOC] LVL, LFO): a level restarts the
    levels below it, a number text shows the levels it names in their own formats
    ("2.(b)"), a legal level shows every count in decimal, a list format override that
    restarts a level ("Restart numbering" in Word) starts it again where it says, once, and
    a list or level the tables lack shows nothing."""
    from retrieval.doc_paragraphs import Paragraphs, _Level, _Override

    paragraphs = Paragraphs(b"", [], [], b"")
    paragraphs.lists = {
        7: [_Level(1, 0, "\x00.", False), _Level(1, 4, "\x00.(\x01)", False)],
        8: [_Level(3, 2, "\x00)", False), _Level(1, 4, "\x00.\x01", True)],
    }
    paragraphs.overrides = [_Override(7), _Override(7, starts={0: 1}), _Override(8), _Override(9)]
    asked = [(1, 0), (1, 1), (1, 1), (1, 0), (1, 1), (2, 0), (2, 0), (3, 0), (3, 1), (4, 0), (0, 0)]
    assert [paragraphs._marker(ilfo, level) for ilfo, level in asked] == [
        "1.",
        "  1.(a)",
        "  1.(b)",
        "2.",
        "  2.(a)",  # (a) again under a new item
        "1.",  # restarted by the override
        "2.",
        "iii)",
        "  3.1",  # legal: the roman level's count in decimal
        "",  # an override of a list that is not there
        "",  # no list
    ]


def test_a_text_box_is_read_after_the_paragraph_it_is_anchored_in() -> None:
    """A text box (a callout, a sidebar) holds text the reader of the page reads, here an
    exemption: every reader left it out, each keeping it apart from the paragraphs (ODT's
    frames, DOCX's txbxContent, .doc's text box story, RTF's shape text). The fixture is
    tests/fixtures/box.fodt saved by LibreOffice as .doc, DOCX, ODT and RTF: a frame
    anchored in a paragraph. DOCX keeps each box twice (a copy for older readers): it is
    read once."""
    for suffix in ("doc", "docx", "odt", "rtf"):
        document = read_document(FIXTURES / f"box.{suffix}")
        assert [(c.text, cite(document.info, c).text) for c in segment(document)] == [
            ("The rules apply to every operator.", "Article 1. Scope, Article 1, ¶1"),
            (
                "Note: operators with fewer than ten staff are exempt.",
                "Article 1. Scope, Article 1, ¶2",
            ),
            ("Fees are paid yearly.", "Article 1. Scope, Article 1, ¶3"),
        ], suffix


def test_a_table_s_column_numbered_by_a_list_keeps_its_numbers() -> None:
    """Government tables number their rows in a "№" column that Word or LibreOffice numbers
    itself (a list in each cell): the ODT, DOCX and .doc readers read those cells empty
    ("| Broadband | 100 AZN"), RTF alone kept "1.", and HTML lost the numbers of a list in
    a cell. The fixture is tests/fixtures/tab.fodt saved as .doc, DOCX, ODT, RTF and HTML;
    each now reads the rows as the page shows them."""
    assert _clauses_in_every_format("tab") == [
        "Fees for services:",
        "№ | Service | Fee",
        "1. | Broadband | 100 AZN",
        "2. | Mobile | 50 AZN",
    ]


def test_a_tracked_deletion_and_hidden_text_are_no_part_of_the_text() -> None:
    """A document edited with changes tracked: "thirty" deleted, "sixty" inserted. The
    .doc and RTF readers read the deleted word as text ("within thirtysixty days"), a quote
    the document does not say. And a draft's note to its editors formatted hidden ("DRAFT
    NOTE: check the amount"), which Word and LibreOffice neither show nor print, was read
    as text by every reader. The fixtures are tests/fixtures/tracked.fodt and hidden.fodt
    saved as .doc, DOCX, ODT and RTF (hidden.fodt as HTML too, its note "display: none");
    each now reads what the document shows."""
    assert _clauses_in_every_format("tracked") == ["Operators pay within sixty days."]
    assert _clauses_in_every_format("hidden") == ["Operators pay 100 manat a year."]


def test_a_cell_of_several_paragraphs_and_a_note_in_a_cell_read_alike() -> None:
    """A cell holding a list of two items was two rows in a .doc ("Internet | • 10 AZN
    monthly", then "• 5 AZN connection" alone); RTF wrote its bullet as the list style's
    "–" where the other readers write "•", and HTML wrote no bullets in a cell. The fixture
    is tests/fixtures/misc.fodt saved as .doc, DOCX, ODT, RTF and HTML: also a link in a
    heading, dashes and no-break spaces, a page break and a footnote in a cell; the five
    read it alike."""
    assert _clauses_in_every_format("misc") == [
        "The rules apply to every operator — fixed or mobile — from 1 January 2014.",
        "Operators registered in Bakı pay the fee “in advance”.",
        "Service | Fee[1]",
        "Internet | • 10 AZN monthly • 5 AZN connection",
        "Appeals go to the Board.",
        "[1] Excluding VAT.",
    ]


def _clauses_in_every_format(name: str) -> list[str]:
    """The clauses of tests/fixtures/<name>.fodt saved by LibreOffice as .doc, DOCX, ODT
    and RTF (and as HTML, where its HTML export keeps what the test reads: not a list's
    numbers as set, nor tracked changes; and as PDF, where its paragraphs can be told
    apart on the page: the fixtures set them without space between, so that a page of
    one-line paragraphs reads as one), checked to be the same in all."""
    suffixes = ("doc", "docx", "odt", "rtf", "html", "pdf")
    read = {
        suffix: [c.text for c in segment(read_document(FIXTURES / f"{name}.{suffix}"))]
        for suffix in suffixes
        if suffix not in ("html", "pdf") or (FIXTURES / f"{name}.{suffix}").exists()
    }
    assert all(clauses == read["odt"] for clauses in read.values()), read
    return read["odt"]


def test_an_rtf_file_s_code_pages_fields_notes_and_title() -> None:
    """RTF as Word and older writers set it: letters as bytes of the document's code page
    ("\\ansicpg1251") or of the font's ("\\fcharset204" under a Western document), and as
    Unicode ("\\u1046") with a fallback to pass over ("\\uc1"); a link's result, not its
    code; a table of contents' field left out; a footnote after its mark; headers, comments,
    hidden text and binary data left out; the title from the document's information, a
    heading by its style's name."""
    from retrieval.formats import extract

    rtf = (
        rb"{\rtf1\ansi\ansicpg1252\uc1{\fonttbl{\f0\fcharset0 Times;}{\f1\fcharset204 Arial;}}"
        rb"{\stylesheet{\s0 Normal;}{\s1\outlinelevel0 heading 1;}{\cs10 heading 1 Char;}}"
        rb"{\info{\title Rules}{\author Ministry}}{\header Official use only\par}"
        rb"{\field{\*\fldinst TOC \\o}{\fldrslt Article 1\tab 1\par}}"
        rb"\pard\s1 Article 1. Fees\par\pard\s0 {\f1 \'d1\'e1\'ee\'f0 }\u1046?\u1048? "
        rb"{\*\annotation a comment}{\v hidden }caf\v\'e9\v0 \'e9, see "
        rb"{\field{\*\fldinst HYPERLINK x}"
        rb"{\fldrslt the portal}}.{\super\chftn}{\*\footnote\chftn  By the Board.}"
        rb"{\pict\bin4 \}\{x}\par}"
    )
    extracted = extract(Path("rules.rtf"), rtf)
    assert extracted.title == "Rules"
    assert extracted.text == (
        "# Article 1. Fees\n\nСбор ЖИ café, see the portal.[1]\n\n[1] By the Board."
    )
    # Word's bullet: a byte of the Symbol font in the item's list text
    listed = rb"{\rtf1{\fonttbl{\f3\fcharset2 Symbol;}}{\listtext\f3 \'b7\tab}Laptops\par}"
    assert extract(Path("list.rtf"), listed).text == "• Laptops"


def test_a_damaged_rtf_is_named_or_read_never_a_traceback() -> None:
    """Bytes of the fixture overwritten or cut: each file is read or refused with a
    CorpusError naming it; braces left open or closed too often, groups nested deep and a
    binary run longer than the file are read without a traceback."""

    from retrieval.formats import extract

    # bytes RTF reads as its own: braces, backslashes, a star, hex digits, a space
    _read_damaged_copies(["numbered.rtf", "box.rtf"], 11, b"{}\\'*0x ")
    odd = b"{\\rtf1 " + b"{" * 50_000 + b"deep" + b"}" * 60_000 + b"\\par tail\\bin99999 x}"
    assert extract(Path("odd.rtf"), odd).text == "deep\n\ntail"
    stray = b"{\\rtf1 one \\'zz two\\par three\\"  # a backslash that starts nothing
    assert extract(Path("stray.rtf"), stray).text == "one 'zz two\n\nthree"


def test_a_damaged_doc_is_named_or_read_never_a_traceback(tmp_path: Path) -> None:
    """Bytes of the fixture overwritten or cut, as a damaged download leaves them: each file
    is read (a damaged style sheet leaves the headings to their shape) or refused with a
    CorpusError, which names it; nothing else escapes. A title property damaged into a
    vector of two billion strings (olefile's reader of the properties looped over it for
    hours) is passed over at once."""
    import signal
    import struct

    import olefile

    vector = tmp_path / "vector.doc"
    vector.write_bytes((FIXTURES / "rules.doc").read_bytes())
    with olefile.OleFileIO(str(vector), write_mode=True) as ole:
        data = bytearray(ole.openstream("\x05SummaryInformation").read())
        base = struct.unpack_from("<I", data, 44)[0]
        for n in range(struct.unpack_from("<I", data, base + 4)[0]):
            pid, offset = struct.unpack_from("<II", data, base + 8 + 8 * n)
            if pid == 2:  # the title: a vector (0x1000) of strings, its count damaged
                struct.pack_into("<II", data, base + offset, 0x101E, 0x7FFFFFFF)
        ole.write_stream("\x05SummaryInformation", bytes(data))

    def too_long(*_: Any) -> None:
        raise TimeoutError("reading a damaged .doc took over 10 s")

    signal.signal(signal.SIGALRM, too_long)
    signal.alarm(10)
    try:
        assert "Bu Qaydalar bütün operatorlara" in read_document(vector).text
    finally:
        signal.alarm(0)

    # the second fixture's lists and table rows damaged too
    _read_damaged_copies(
        ["rules.doc", "numbered.doc", "box.doc", "tracked.doc", "misc.doc"], 7, bytes(range(256))
    )


def _read_damaged_copies(names: list[str], seed: int, alphabet: bytes, copies: int = 300) -> None:
    """Copies of the fixtures (in turn) with bytes overwritten from `alphabet` or cut short,
    as a damaged download leaves them: each is read, or refused with a CorpusError that
    names it."""
    import random

    from retrieval.formats import extract

    rng = random.Random(seed)
    for n in range(copies):
        name = names[n % len(names)]
        damaged = bytearray((FIXTURES / name).read_bytes())
        for _ in range(rng.choice([1, 8, 64])):
            damaged[rng.randrange(len(damaged))] = rng.choice(alphabet)
        if n % 4 == 0:
            damaged = damaged[: rng.randrange(len(damaged))]
        path = Path("damaged" + Path(name).suffix)
        try:
            extract(path, bytes(damaged))
        except CorpusError as exc:
            assert path.name in str(exc)


def test_a_doc_s_8_bit_pieces_fields_and_cells() -> None:
    """Word writes text that Windows-1252 holds in 8-bit pieces (LibreOffice writes UTF-16
    only): such a piece, a nested field, a table's row and a table of contents' field, read
    from the piece table as [MS-DOC] sets them out."""
    import struct

    from retrieval.doc_pieces import chars, pieces_of
    from retrieval.doc_reader import _blocks, _visible

    eight = "\x93Fees\x94 \x13 HYPERLINK \x13 X \x14\x15\x14portal\x15.\rA\x07B\x07\x07".encode(
        "latin-1"
    )
    wide = "Ə lə.\r".encode("utf-16-le")
    word = b"\0" * 64 + eight + wide
    cps = (0, len(eight), len(eight) + len(wide) // 2)
    pcd = struct.pack("<HIH", 0, (64 * 2) | 0x40000000, 0) + struct.pack(
        "<HI H", 0, 64 + len(eight), 0
    )
    plc = struct.pack("<3I", *cps) + pcd
    clx = b"\x01" + struct.pack("<H", 2) + b"\0\0" + b"\x02" + struct.pack("<I", len(plc)) + plc
    pieces = pieces_of(clx)
    assert pieces == [(0, cps[1], 64, True), (cps[1], cps[2], 64 + len(eight), False)]
    text = _visible(chars(word, pieces, 0, cps[2]))
    # the table ends before the paragraph after it: two blank lines (formats.TABLE_END)
    assert _blocks(text)[0] == "“Fees” portal.\n\nA | B\n\n\nƏ lə."
    contents = "\x13 TOC \\o \x14Fees\t1\rRows\t2\r\x15Text.\r"
    assert _blocks(_visible(contents))[0] == "Text."  # a table of contents' field: left out


def test_html_definition_lists_and_permalinks_read_as_shown(tmp_path: Path) -> None:
    """Sphinx's and DocBook's pages: a heading's permalink ("¶") is no part of its title,
    and a definition list's term and its definition are one clause ("default-version: The
    name …"). Before, the pilcrow stood in every heading, and a term in lower case was
    joined to the clause before it, its definition a clause without it."""
    path = tmp_path / "policy.html"
    path.write_text(
        "<html><body><h1>Versions<a class='headerlink' href='#versions'>¶</a></h1>"
        "<p>They define the following options:</p><dl><dt><code>default-version</code></dt>"
        "<dd><p>The name of the default interpreter.</p></dd><dt>old-versions</dt><dd>Names "
        "not built for.</dd><dt>Authors:</dt><dd><ul><li>Neil</li></ul></dd></dl>"
        "<p>Newer versions may follow.</p><p>See <a href='#versions'>versions</a>,<br>"
        "and the list.</p></body></html>",
        encoding="utf-8",
    )
    assert [(c.text, c.heading) for c in segment(read_document(path))] == [
        ("They define the following options:", "Versions"),
        ("default-version: The name of the default interpreter.", "Versions"),
        ("old-versions: Names not built for.", "Versions"),
        ("Authors:", "Versions"),
        ("• Neil", "Versions"),
        ("Newer versions may follow.", "Versions"),
        ("See versions,\nand the list.", "Versions"),  # a line break (<br>) kept
    ]


ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3"'
)


def make_odt(path: Path, body: str, styles: str = "", title: str = "") -> Path:
    """An OpenDocument text file as LibreOffice writes one: a zip of XML parts."""
    import zipfile

    with zipfile.ZipFile(path, "w") as odt:
        odt.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        odt.writestr(
            "content.xml",
            f"<office:document-content {ODT_NS}><office:automatic-styles>{styles}"
            f"</office:automatic-styles><office:body><office:text>{body}</office:text>"
            "</office:body></office:document-content>",
        )
        odt.writestr(
            "meta.xml",
            f"<office:document-meta {ODT_NS}><office:meta><dc:title>{title}</dc:title>"
            "</office:meta></office:document-meta>",
        )
    return path


def test_odt_headings_lists_tables_and_footnotes(tmp_path: Path) -> None:
    """An OpenDocument text (LibreOffice's format, and many administrations'): its headings,
    the numbers its list style shows ("(a)", "1."), which the text does not hold, a table a
    row a clause, and a footnote read at the end after its mark; comments and tracked
    changes are not the text."""
    styles = (
        '<text:list-style style:name="L1"><text:list-level-style-number text:level="1" '
        'style:num-format="1" style:num-suffix="."/><text:list-level-style-number '
        'text:level="2" style:num-prefix="(" style:num-suffix=")" style:num-format="a"/>'
        '</text:list-style><text:list-style style:name="L2"><text:list-level-style-bullet '
        'text:level="1" text:bullet-char="•"/></text:list-style>'
    )
    body = (
        "<text:tracked-changes><text:changed-region><text:deletion><text:p>old wording"
        "</text:p></text:deletion></text:changed-region></text:tracked-changes>"
        '<text:h text:outline-level="1">Article 4 Fees</text:h>'
        '<text:p>The following fees<text:s text:c="2"/>apply:<office:annotation><text:p>'
        "check with finance</text:p></office:annotation></text:p>"
        '<text:list text:style-name="L1">'
        "<text:list-item><text:p>a licence fee;</text:p></text:list-item>"
        "<text:list-item><text:p>a renewal fee:</text:p><text:list>"
        "<text:list-item><text:p>for a year;</text:p></text:list-item>"
        "<text:list-item><text:p>for a month.</text:p></text:list-item>"
        "</text:list></text:list-item></text:list>"
        '<text:list text:style-name="L2"><text:list-item><text:p>paid online</text:p>'
        "</text:list-item></text:list>"
        "<table:table><table:table-row><table:table-cell><text:p>Service</text:p>"
        "</table:table-cell><table:table-cell><text:p>Fee</text:p></table:table-cell>"
        "</table:table-row><table:table-row><table:table-cell><text:p>Licence</text:p>"
        "</table:table-cell><table:table-cell><text:p>100 EUR</text:p></table:table-cell>"
        "</table:table-row></table:table>"
        '<text:p>Fees are reviewed every year.<text:note text:note-class="footnote">'
        "<text:note-citation>1</text:note-citation><text:note-body><text:p>By the Board."
        "</text:p></text:note-body></text:note></text:p>"
    )
    path = make_odt(tmp_path / "fees.odt", body, styles, title="Fees Act")
    document = read_document(path)
    assert document.info.title == "Fees Act" and document.info.format == "odt"
    clauses = segment(document)
    assert [c.text for c in clauses] == [
        "The following fees apply:",
        "1. a licence fee;",
        "2. a renewal fee:",
        "(a) for a year;",
        "(b) for a month.",
        "• paid online",
        "Service | Fee",
        "Licence | 100 EUR",
        "Fees are reviewed every year.[1]",
        "[1] By the Board.",
    ]
    cited = [cite(document.info, c).text.removeprefix("Fees Act, ") for c in clauses[1:5]]
    assert cited == ["Article 4(1)", "Article 4(2)", "Article 4(2)(a)", "Article 4(2)(b)"]
    assert clauses[0].heading == "Article 4 Fees"
    for hidden in ("old wording", "check with finance"):
        assert hidden not in document.text


def test_odt_headings_numbered_by_the_outline_style(tmp_path: Path) -> None:
    """Headings numbered by the outline style show those numbers, with the levels above them
    that the style shows too ("1.2"); a heading marked as no list's stands unnumbered and
    uncounted."""
    outline = (
        '<text:outline-style style:name="Outline"><text:outline-level-style text:level="1" '
        'style:num-format="1" style:num-suffix="."/><text:outline-level-style text:level="2" '
        'style:num-format="1" text:display-levels="2"/></text:outline-style>'
    )
    body = (
        '<text:h text:outline-level="1">Scope</text:h><text:p>This Act covers fees.</text:p>'
        '<text:h text:outline-level="2">Terms</text:h><text:p>A fee is a charge.</text:p>'
        '<text:h text:outline-level="2">Rates</text:h><text:p>Rates are set yearly.</text:p>'
        '<text:h text:outline-level="1" text:is-list-header="true">Annex</text:h>'
        '<text:h text:outline-level="1">Review</text:h><text:p>It is reviewed.</text:p>'
    )
    document = read_document(make_odt(tmp_path / "act.odt", body, outline))
    assert [c.heading for c in segment(document)] == [
        "1. Scope",
        "1.1 Terms",
        "1.2 Rates",
        "Annex — 2. Review",
    ]


def test_a_damaged_odt_or_epub_is_named_or_read_never_a_traceback() -> None:
    """Bytes of a zip-packed fixture (ODT, EPUB) overwritten or cut: each copy is read or
    refused with a CorpusError naming it. A zip header's version or compression method
    overwritten made the zip module raise NotImplementedError, which escaped the ODT
    reader as a traceback."""
    _read_damaged_copies(["box.odt", "box.epub", "numbered.odt"], 5, bytes(range(256)))


def test_a_damaged_pdf_is_named_or_read_never_a_traceback() -> None:
    """Bytes of a PDF overwritten or cut: each copy is read or refused with a CorpusError
    naming it. pypdf raises what its parsers meet in a damaged file, and a filter's name
    overwritten ("/FlateDecodm") escaped as its NotImplementedError, a traceback."""
    _read_damaged_copies(["fees.pdf", "annex.pdf"], 3, bytes(range(256)), copies=400)


def test_a_file_named_for_another_format_is_read_as_the_one_it_holds(tmp_path: Path) -> None:
    """Web applications export "Word" files that are HTML or RTF, a DOCX is renamed .doc to
    pass a form, a .doc saved as .docx: Word opens each by what it holds, and each was
    refused here ("no OLE container"). Each is read by its signature (retrieval.sniff),
    and its format named so, a web archive (MHT) as one. A .txt or .md
    is read so only where it opens with a signature no text opens with (an RTF renamed
    .txt was quoted as its control words, "{\\rtf1\\ansi…"); HTML, or "%PDF-" mentioned in
    a .txt, is its text."""
    cases = {
        "page.doc": (b"<!DOCTYPE html><html><body><p>A fee is paid yearly.</p></body></html>"),
        "wordpad.doc": (FIXTURES / "box.rtf").read_bytes(),
        "renamed.doc": (FIXTURES / "box.docx").read_bytes(),
        "old.docx": (FIXTURES / "box.doc").read_bytes(),
        "export.pdf": (FIXTURES / "box.odt").read_bytes(),
        "book.html": (FIXTURES / "box.epub").read_bytes(),
        "rules.txt": (FIXTURES / "box.rtf").read_bytes(),
        "fees.md": (FIXTURES / "fees.pdf").read_bytes(),
        "page.txt": b"<html><body><p>Tags are quoted as written.</p></body></html>\n",
        "format.txt": b"A PDF file opens with %PDF- and its version.\n",
    }
    formats = {}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        document = read_document(tmp_path / name)
        formats[name] = document.info.format
        assert segment(document), name
    assert formats == {
        "page.doc": "html",
        "wordpad.doc": "rtf",
        "renamed.doc": "docx",
        "old.docx": "doc",
        "export.pdf": "odt",
        "book.html": "epub",
        "rules.txt": "rtf",
        "fees.md": "pdf",
        "page.txt": "txt",
        "format.txt": "txt",
    }
    (tmp_path / "saved.doc").write_bytes(_web_archive())
    assert read_document(tmp_path / "saved.doc").info.format == "mht"


def _web_archive() -> bytes:
    """A page saved as a web archive, as Word and browsers save one: the page in
    quoted-printable windows-1251, its stylesheet and a picture in parts of their own."""
    from email.charset import QP, Charset
    from email.mime.base import MIMEBase
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    archive = MIMEMultipart("related", type="text/html")
    cyrillic = Charset("windows-1251")
    cyrillic.body_encoding = QP
    archive.attach(
        MIMEText(
            "<html><head><title>Тарифы</title></head><body><p class=head>Тарифы на связь</p>"
            "<p>Плата вносится ежегодно.</p><img src='cid:logo'></body></html>",
            "html",
            cyrillic,
        )
    )
    archive.attach(MIMEText(".head { font-weight: bold }", "css"))
    picture = MIMEBase("image", "png")
    picture.set_payload(b"\x89PNG")
    archive.attach(picture)
    return b"From: <Saved by Blink>\r\n" + archive.as_bytes()


def test_a_web_archive_is_read_as_its_page(tmp_path: Path) -> None:
    """A web archive (.mht, .mhtml: Word's "Single File Web Page", a browser's "Save as
    MHTML") was refused as no format clausebot reads: its page is read, in the character set
    its part declares, with the stylesheet the archive holds (a paragraph it sets bold heads
    the text under it); the picture is left out."""
    for suffix in ("mht", "mhtml"):
        path = tmp_path / f"tariffs.{suffix}"
        path.write_bytes(_web_archive())
        document = read_document(path)
        assert (document.info.format, document.info.title) == ("mht", "Тарифы")
        assert [(c.text, c.heading) for c in segment(document)] == [
            ("Плата вносится ежегодно.", "Тарифы на связь")
        ]


def test_a_broken_odt_is_named_and_skipped(tmp_path: Path) -> None:
    (tmp_path / "broken.odt").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CorpusError, match="broken.odt: not a readable ODT file"):
        read_document(tmp_path / "broken.odt")
    odd = make_odt(tmp_path / "odd.odt", '<text:h text:outline-level="first">Scope</text:h>')
    with pytest.raises(CorpusError, match="odd.odt: not a readable ODT file"):
        read_document(odd)
    deep = "<text:list><text:list-item>" * 40 + "<text:p>deep</text:p>"
    deep += "</text:list-item></text:list>" * 40
    assert read_document(make_odt(tmp_path / "deep.odt", deep)).text.endswith("deep")


def test_html_lists_keep_their_numbers_and_table_cells_stay_apart(tmp_path: Path) -> None:
    """A browser shows an <ol>'s numbers and a table's cells side by side: so does the text,
    and the items are cited by the numbers the reader sees."""
    path = tmp_path / "fees.html"
    path.write_text(
        "<html><head><title>Fees Act</title></head><body><h2>Article 4 Fees</h2>"
        "<p>The following fees apply:</p><ol><li>a licence fee;</li><li>a renewal fee:"
        "<ol type='a'><li>for a year;</li><li>for a month.</li></ol></li></ol>"
        "<ol type='i' start='3'><li>a third;</li><li value='9'>a ninth.</li></ol>"
        "<ul><li>bullet one</li><li>bullet two</li></ul>"
        "<ol><li><p>a paragraph in an item</p></li></ol>"
        "<ol><li>a fee for a copy<ul><li>paid online</li></ul></li></ol>"
        "<table><tr><th>Service</th><th>Fee</th></tr><tr><td>Licence</td><td>100 EUR</td>"
        "</tr></table></body></html>",
        encoding="utf-8",
    )
    document = read_document(path)
    clauses = segment(document)
    assert [c.text for c in clauses] == [
        "The following fees apply:",
        "1. a licence fee;",
        "2. a renewal fee:",
        "a. for a year;",
        "b. for a month.",
        "iii. a third;",
        "ix. a ninth.",
        "• bullet one",
        "• bullet two",
        "1. a paragraph in an item",  # its number before its text, not a clause of its own
        "1. a fee for a copy",
        "• paid online",  # nested in the item: quoted under it
        "Service | Fee",
        "Licence | 100 EUR",
    ]
    cited = [cite(document.info, c).text.removeprefix("Fees Act, ") for c in clauses[1:5]]
    assert cited == ["Article 4(1)", "Article 4(2)", "Article 4(2)(a)", "Article 4(2)(b)"]
    assert [c.lead for c in clauses[1:5]] == [1, 1, 3, 3]
    assert clauses[-1].lead == clauses[-2].number  # a row, under its table's head
    assert clauses[-3].lead == clauses[-4].number  # the nested bullet, in its item


def test_html_table_cells_written_as_paragraphs_stay_in_their_row(tmp_path: Path) -> None:
    """LibreOffice and Word write each cell's text in a paragraph ("<td><p>Cable</p></td>"),
    and HTML may leave a cell's end tag out: a row is still a clause, its cells side by
    side. Before, each cell's paragraph was a block of its own and "|" another, the cells
    short lines read as headings: the table was in no clause."""
    path = tmp_path / "charter.html"
    path.write_text(
        "<h1>Article 1 Scope</h1><table><tr><td><p>Cable</p></td><td><p>Owner</p>"
        "<p>since 2013</p></td></tr><tr><td><p>AZ-1<br>main line<td>State</table>"
        "<p>The Board keeps the register.</p>",
        encoding="utf-8",
    )
    document = read_document(path)
    assert [c.text for c in segment(document)] == [
        "Cable | Owner since 2013",
        "AZ-1 main line | State",
        "The Board keeps the register.",
    ]


BOXED = """5. Termination
--------------

5.1. The rights granted under this Licence end if You fail to comply.

************************************************************************
*                                                                      *
*  6. Disclaimer of Warranty                                           *
*  -------------------------                                           *
*                                                                      *
*  The Software is provided "as is", without warranty of any kind.     *
*  The entire risk as to its quality is with You.                      *
*                                                                      *
*  No use of the Software is authorized except under this disclaimer.  *
*                                                                      *
************************************************************************

+--------------+-------+
| Service      | Fee   |
+--------------+-------+

```
+----------+
| verbatim |
+----------+
```
"""


def test_a_passage_boxed_in_characters_is_read_without_its_frame(tmp_path: Path) -> None:
    """As licences box their disclaimers: the words in the box are clauses under the box's
    own heading, and no clause is a row of asterisks or quotes one. A table drawn in
    characters and a fenced block stay as written."""
    path = tmp_path / "licence.txt"
    path.write_text(BOXED, encoding="utf-8")
    document = read_document(path)
    clauses = segment(document)
    assert [(cite(document.info, c).text.split(", ", 1)[1], c.text) for c in clauses[:3]] == [
        ("no. 5.1", "5.1. The rights granted under this Licence end if You fail to comply."),
        (
            "no. 6, ¶2",
            'The Software is provided "as is", without warranty of any kind.\n'
            "The entire risk as to its quality is with You.",
        ),
        ("no. 6, ¶3", "No use of the Software is authorized except under this disclaimer."),
    ]
    assert clauses[2].heading == "6. Disclaimer of Warranty"
    assert not any("*" in c.text for c in clauses)
    assert "| Service      | Fee   |" in document.text  # a table's row: no box
    assert "| verbatim |" in document.text
    assert all(document.text[c.start : c.end] == c.text for c in clauses)


def test_a_box_in_a_fenced_block_of_code_is_the_code_s() -> None:
    """A fence closes only with its own mark, as many times or more, as CommonMark reads
    fences: a "```" line inside a block fenced with "````" is code, and so is the box drawn
    after it. A line with backticks after its fence ("```js x```") is code in a line, and
    opens no block: a box after it is a box."""
    box = "+-------+\n| a fee |\n+-------+"
    in_code = f"````\n```\n{box}\n````\n"
    assert unframe(in_code) == in_code
    assert unframe(f"```js x```\n{box}\n").split("\n") == ["```js x```", "", "a fee", "", ""]


def test_a_pdf_whose_information_dictionary_is_damaged_is_read_by_its_pages(
    tmp_path: Path,
) -> None:
    """A PDF's title comes from its metadata where it gives one; a damaged trailer's
    reference to it ("/Info 10 0 R" with its "R" overwritten) loses the title, not the
    document: the pages' text is read and cited."""
    path = make_pdf(tmp_path / "note.pdf")
    raw = path.read_bytes()
    info = re.search(rb"/Info \d+ 0 R", raw)
    assert info is not None
    path.write_bytes(raw.replace(info.group(), info.group()[:-1] + b"\xd5"))
    document = read_document(path)
    assert "This note takes effect on signature." in document.text
    assert document.info.title


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        ("locked.pdf", lambda p: make_pdf(p, encrypt=True), "encrypted"),
        ("scan.pdf", lambda p: make_pdf(p, text=False), "no text layer"),
        ("broken.pdf", lambda p: p.write_bytes(b"%PDF-1.4 garbage"), "not a readable PDF"),
        (
            "broken.docx",
            lambda p: p.write_bytes(b"PK\x03\x04 not really a zip"),
            "not a readable DOCX",
        ),
        ("decree.doc", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0 cut"), "no OLE container"),
        # a format not read at all (RTF, a spreadsheet): named, not passed over in silence
        ("notice.wpd", lambda p: p.write_bytes(b"\xffWPC notice"), "not a format clausebot"),
        ("broken.rtf", lambda p: p.write_text("Notice, not RTF"), "not a readable RTF"),
        ("fees.xls", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0"), "save it as"),
    ],
)
def test_unreadable_files_are_named_and_the_rest_indexed(
    tmp_path: Path, name: str, make: object, reason: str
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "good.md").write_text("# Good\n\nA readable clause.\n", encoding="utf-8")
    make(folder / name)  # type: ignore[operator]
    documents, problems = load_corpus(folder)
    assert [d.doc_id for d in documents] == ["good"]
    assert len(problems) == 1 and problems[0].path.endswith(name) and reason in problems[0].reason
    with pytest.raises(CorpusError, match=name):
        read_document(folder / name)
    # what is no document is not named: a sidecar's metadata, a folder, a hidden file
    (folder / "good.md.meta").write_text("title: Good\n", encoding="utf-8")
    (folder / "images").mkdir()
    (folder / ".DS_Store").write_bytes(b"\0")
    assert [p.path for p in load_corpus(folder)[1]] == [problems[0].path]


def test_add_then_documents_then_ask(tmp_path: Path, corpus_dir: Path) -> None:
    pdf = make_pdf(tmp_path / "tallinn.pdf")
    pdf.with_name("tallinn.pdf.meta").unlink()
    paths = ("--corpus", str(corpus_dir), "--index", str(tmp_path / "idx"), "--model", "hashing")
    added = run_cli(
        "add",
        str(pdf),
        *paths,
        "--title",
        "Tallinn Note on Cable Security",
        "--short-title",
        "Tallinn Note",
        "--date",
        "2013-04-01",
        "--json",
        cwd=tmp_path,
    )
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout.splitlines()[-1])["documents"] == 3
    assert (corpus_dir / "tallinn.pdf").exists() and (corpus_dir / "tallinn.pdf.meta").exists()
    listed = json.loads(run_cli("documents", *paths[:4], "--json", cwd=tmp_path).stdout)
    row = next(d for d in listed if d["doc_id"] == "tallinn")
    assert (row["format"], row["clauses"], row["date"]) == ("pdf", 3, "2013-04-01")
    answer = json.loads(
        run_cli(
            "ask", *paths[:4], "--json", "undersea cable resilience exercise", cwd=tmp_path
        ).stdout
    )
    top = answer["passages"][0]
    assert top["citation"] == "Tallinn Note (1 April 2013), p. 1, no. 2"
    assert "reported to the ministers" in top["text"]
    again = run_cli("add", str(pdf), *paths, cwd=tmp_path)
    assert again.returncode == 1 and "--force" in again.stderr
    bad = tmp_path / "notes.xyz"
    bad.write_text("x", encoding="utf-8")
    refused = run_cli("add", str(bad), *paths, cwd=tmp_path)
    assert refused.returncode == 1 and "cannot be read" in refused.stderr
    # a file that cannot be read is named as the user gave it, not as the copy being checked
    scan = make_pdf(tmp_path / "scan.pdf", text=False)
    unread = run_cli("add", str(scan), *paths, cwd=tmp_path)
    assert unread.returncode == 1
    # (a "scan" of a grey box: OCR finds no text on it; where OCR's tools are missing, the
    # message names them: test_a_scan_without_ocr_tools_is_refused_with_what_to_install)
    assert unread.stderr.strip() == (
        f"clausebot add: {scan}: the PDF has no text layer and OCR found no text on its pages"
    )
    assert not (corpus_dir / "scan.pdf").exists()


def test_a_word_processor_s_index_and_table_of_contents_are_no_clauses() -> None:
    """A document with a table of contents at its head and an index at its end, both
    generated by the word processor (tests/fixtures/index.fodt saved by LibreOffice as
    .doc, DOCX, ODT and RTF). The DOCX reader read the index's entries as clauses ("appeal
    3", "court 3 fee 2 licence 1": a TOC or INDEX field's result, which runs over
    paragraphs), and the .doc and RTF readers its title ("Index", set outside the field in
    the style "Index Heading"); the table of contents' title ("Contents", set right before
    its field) headed the first section in the .doc and RTF files. A heading LibreOffice
    writes as a paragraph with an outline level, not a heading style, was read as text by
    the DOCX reader. Now the four formats give the same clauses, under the same headings."""
    assert _clauses_in_every_format("index") == [
        "Every operator holds a licence issued by the Ministry.",
        "The fee is paid each year before the first of March.",
        "An appeal goes to the Board within thirty days, and the court hears it after.",
    ]
    for suffix in ("doc", "docx", "odt", "rtf"):  # the contents' title heads nothing
        document = read_document(FIXTURES / f"index.{suffix}")
        assert [c.heading for c in segment(document)] == [
            "Rules on licences — 1. Licences",
            "2. Fees",
            "3. Appeals",
        ], suffix


def _book(path: Path, last_page: str, entries: list[tuple[str, int]]) -> list[Clause]:
    """A PDF of three pages of rules and a fourth of entries, each a title, a leader of dots
    and a number: its clauses."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title("Licensing Rules")
    rules = [
        ("1. Licences", "Every operator holds a licence issued by the Ministry."),
        ("2. Fees", "The fee is paid each year before the first of March."),
        ("3. Appeals", "An appeal goes to the Board within thirty days, then to a court."),
    ]
    for heading, text in rules:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(0, 7, heading)
        pdf.ln(3)
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, text)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 12)
    pdf.multi_cell(0, 7, last_page)
    pdf.ln(4)
    pdf.set_font("Helvetica", size=11)
    for title, page in entries:
        pdf.cell(150, 6, f"{title} " + ". " * 30)
        pdf.cell(0, 6, str(page), align="R")
        pdf.ln(8)
    return written(pdf, path)


def test_a_printed_index_is_no_clause_and_a_priced_list_is_kept(tmp_path: Path) -> None:
    """A book's index at its end ("appeal . . . 3", in alphabetical order) was read an entry
    per clause, answers that say only where a word is (a manual's function index was 47
    clauses of libtasn1's 302, and 1,216 of Nettle's 1,908). It is left out when its entries
    run to the document's end in alphabetical order and most are found on the pages they
    give; a list priced with leaders, as alphabetical and numbered within the pages, whose
    items are on no such page, is the document's own."""
    index = [
        ("appeal", 3),
        ("Board", 3),
        ("court", 3),
        ("fee", 2),
        ("licence", 1),
        ("March", 2),
        ("Ministry", 1),
        ("operator", 1),
    ]
    rules = [
        "Every operator holds a licence issued by the Ministry.",
        "The fee is paid each year before the first of March.",
        "An appeal goes to the Board within thirty days, then to a court.",
    ]
    clauses = _book(tmp_path / "indexed.pdf", "Index", index)
    assert [c.text for c in clauses] == rules
    prices = [("Annual renewal", 3), ("Broadband", 4), ("Cable", 2), ("Domain", 1), ("Email", 4)]
    clauses = _book(tmp_path / "priced.pdf", "Prices in manat", prices)
    assert [c.text for c in clauses][:3] == rules
    assert [" ".join(c.text.replace(".", "").split()) for c in clauses][3:] == [
        "Annual renewal | 3",
        "Broadband | 4",
        "Cable | 2",
        "Domain | 1",
        "Email | 4",
    ]


# the rows of two tables one after the other, each under its own table's head
TWO_TABLES = {
    "Broadband | 100 AZN": "Service | Fee",
    "Telephone | 20 AZN": "Service | Fee",
    "Baktelecom | Baku": "Operator | Region",
    "Aztelekom | Regions": "Operator | Region",
}


def _heads(clauses: list[Clause]) -> dict[str, str]:
    """Each table row that stands under a head -> that head (a markdown row's bars aside)."""
    return {c.text.strip("| "): clauses[c.lead - 1].text.strip("| ") for c in clauses if c.lead}


def test_a_table_after_another_is_read_under_its_own_head() -> None:
    """Two tables one after the other, an empty paragraph between them as Word sets them
    (tests/fixtures/tables.fodt saved as .doc, DOCX, ODT and RTF): every reader read them
    as one table, so that "Baktelecom | Baku" was quoted under the first table's head,
    "Service | Fee". Each row now stands under its own table's head."""
    clauses = _clauses_in_every_format("tables")
    assert clauses[1:7] == [
        "Service | Fee",
        "Broadband | 100 AZN",
        "Telephone | 20 AZN",
        "Operator | Region",
        "Baktelecom | Baku",
        "Aztelekom | Regions",
    ]
    for suffix in ("doc", "docx", "odt", "rtf"):
        assert _heads(segment(read_document(FIXTURES / f"tables.{suffix}"))) == TWO_TABLES, suffix


def test_two_html_or_markdown_tables_each_under_its_own_head(tmp_path: Path) -> None:
    """Two tables one after the other in HTML (two <table> elements) and in markdown (two
    tables, each a head and its rule, a blank line between) were read as one: the second
    table's head and rows stood under the first one's head."""
    (tmp_path / "t.html").write_text(
        "<html><body><h1>Tariffs</h1><table><tr><th>Service</th><th>Fee</th></tr>"
        "<tr><td>Broadband</td><td>100 AZN</td></tr></table><table><tr><th>Operator</th>"
        "<th>Region</th></tr><tr><td>Baktelecom</td><td>Baku</td></tr></table></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "t.md").write_text(
        "# Tariffs\n\n| Service | Fee |\n|---|---|\n| Broadband | 100 AZN |\n\n"
        "| Operator | Region |\n|---|---|\n| Baktelecom | Baku |\n",
        encoding="utf-8",
    )
    # markdown's tables without pipes at their sides, as GitHub reads them too (they were one
    # clause, their rule in it)
    (tmp_path / "sides.md").write_text(
        "# Tariffs\n\nService | Fee\n---|---\nBroadband | 100 AZN\n\n"
        "Operator | Region\n--------|-------\nBaktelecom | Baku\n",
        encoding="utf-8",
    )
    for name in ("t.html", "t.md", "sides.md"):
        assert _heads(segment(read_document(tmp_path / name))) == {
            "Broadband | 100 AZN": "Service | Fee",
            "Baktelecom | Baku": "Operator | Region",
        }, name


def test_two_tables_in_a_pdf_each_under_its_own_head(tmp_path: Path) -> None:
    """Two tables set one under the other in a PDF, a blank line between them: their rows
    line up in the same columns, so they were read as one table, "Baktelecom | Baku" under
    "Service | Fee". A gap between two rows a paragraph wide, wider than the table's rows
    stand apart, now begins another table."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "Fees for fixed services:")
    pdf.ln(4)
    tables = [
        [("Service", "Fee"), ("Broadband", "100 AZN"), ("Telephone", "20 AZN")],
        [("Operator", "Region"), ("Baktelecom", "Baku"), ("Aztelekom", "Regions")],
    ]
    for rows in tables:
        for left, right in rows:
            pdf.cell(90, 6, left)
            pdf.cell(0, 6, right)
            pdf.ln(6)
        pdf.ln(8)
    pdf.multi_cell(0, 6, "Appeals go to the Board.")
    assert _heads(written(pdf, tmp_path / "tables.pdf")) == TWO_TABLES


def test_a_title_merged_across_a_table_is_the_table_s_not_a_heading(tmp_path: Path) -> None:
    """A table whose first row is one cell merged across its columns ("Tariffs for 2013"),
    as government tables set their titles (tests/fixtures/merged.fodt saved as .doc, DOCX,
    ODT and RTF; and in HTML, a cell spanning the columns). The title, short and without a
    stop, was read as a heading: the table's rows and the paragraphs after the table stood
    under it, not under their section "1. Fees". It is a row of one cell now, the table's."""
    assert _clauses_in_every_format("merged") == [
        "Operators pay the fees below.",
        "| Tariffs for 2013 |",
        "Service | Fee",
        "Broadband | 100 AZN",
        "Telephone | 20 AZN",
        "Fees are paid in January.",
        "Late payers lose their licence.",
    ]
    (tmp_path / "merged.html").write_text(
        "<html><body><h1>1. Fees</h1><table><tr><th colspan='2'>Tariffs for 2013</th></tr>"
        "<tr><td>Service</td><td>Fee</td></tr><tr><td>Broadband</td><td>100 AZN</td></tr>"
        "</table><p>Fees are paid in January.</p></body></html>",
        encoding="utf-8",
    )
    paths = [FIXTURES / f"merged.{suffix}" for suffix in ("doc", "docx", "odt", "rtf")]
    for path in [*paths, tmp_path / "merged.html"]:
        clauses = segment(read_document(path))
        assert {c.heading for c in clauses} == {"1. Fees"}, path.name
        assert _heads(clauses) == {"Broadband | 100 AZN": "Service | Fee"} | (
            {} if path.suffix == ".html" else {"Telephone | 20 AZN": "Service | Fee"}
        )


def test_endnotes_are_read_after_the_footnotes_and_called_by_their_marks(tmp_path: Path) -> None:
    """A document with a footnote and an endnote (tests/fixtures/notes.fodt saved as .doc,
    DOCX, ODT and RTF). The DOCX reader lost the endnote, its mark and its text; the .doc
    and RTF readers numbered it with the footnotes ("[2]") where Word and LibreOffice show
    "i", as the ODT reader read it; and a mark "[i]" called no note. Now every reader writes
    the endnote "[i]" after the footnotes, and its mark calls it."""
    clauses = _clauses_in_every_format("notes")
    assert clauses == [
        "Operators pay the fee each year.[1]",
        "The fee is set by the Board.[i]",
        "[1] Excluding VAT.",
        "[i] Decision 12 of 2013.",
    ]
    import numpy as np

    from retrieval.loaded import LoadedIndex

    read = segment(read_document(FIXTURES / "notes.docx"))
    loaded = LoadedIndex(tmp_path, {}, {}, read, np.zeros((0, 3)), [], None, [])  # type: ignore[arg-type]
    assert [[n.text for n in loaded.footnotes(c)] for c in read] == [
        ["[1] Excluding VAT."],
        ["[i] Decision 12 of 2013."],
        [],
        [],
    ]


def test_a_short_paragraph_set_as_body_text_is_no_heading() -> None:
    """An address set in one paragraph with line breaks ("Write to the ministry at:" /
    "33 Boulevard Street" / "Baku AZ1000"), short and without a stop, was read as a heading
    in every format: it was in no clause, and "What is the ministry's address?" could not
    be answered. Every reader of a word processor's file now tells a paragraph set as body
    text (its style no heading's, its text neither bold, italic, underlined, in capitals
    nor large) from one set apart, and such a paragraph is no heading, however short (the
    document's first aside, where titles stand). The DOCX and ODT readers keep its line
    breaks, as the .doc, RTF and PDF readers keep them, so that a list set in one paragraph
    is read item by item in each (tests/fixtures/lines.fodt saved as .doc, DOCX, ODT and
    RTF)."""
    assert _clauses_in_every_format("lines") == [
        "Write to the ministry at:\n33 Boulevard Street\nBaku AZ1000",
        "The fees are:",
        "1. a licence fee;",
        "2. a renewal fee.",
    ]
    for suffix in ("doc", "docx", "odt", "rtf"):
        read = segment(read_document(FIXTURES / f"lines.{suffix}"))
        assert {c.heading for c in read} == {"Contacts"}, suffix


def test_a_short_bold_paragraph_still_heads_its_text(tmp_path: Path) -> None:
    """Many Word documents set their section titles as bold paragraphs of the body's
    style, not in a heading style: such a paragraph, set apart, still heads the text under
    it, and a paragraph set as the body's text does not."""
    import docx

    document = docx.Document()
    document.add_paragraph("Licensing rules")
    document.add_paragraph().add_run("Fees and charges").bold = True
    document.add_paragraph("Operators pay the fee each year.")
    document.add_paragraph("Office hours 9 to 18")
    document.add_paragraph("The office is closed on public holidays.")
    document.save(str(tmp_path / "rules.docx"))
    clauses = segment(read_document(tmp_path / "rules.docx"))
    assert [(c.text, c.heading.split(" — ")[-1]) for c in clauses] == [
        ("Operators pay the fee each year.", "Fees and charges"),
        ("Office hours 9 to 18", "Fees and charges"),
        ("The office is closed on public holidays.", "Fees and charges"),
    ]


def test_a_table_of_contents_set_by_hand_with_links_is_no_clause() -> None:
    """A table of contents made of paragraphs (or list items) that are only links to places
    in the document ("1. " and a link to "Scope"), as a web page has one and keeps it when
    saved as DOCX or ODT: in HTML it was no clause, in DOCX and ODT every entry was one, the
    best match of a question on its section. tests/fixtures/links.html, saved by
    LibreOffice as DOCX and ODT, and the DOCX as .doc and RTF (where a link is a field,
    `HYPERLINK "#scope"`: before, each entry was a clause there too); a link inside a
    sentence ("as the scope says") stays."""
    read = {
        suffix: [c.text for c in segment(read_document(FIXTURES / f"links.{suffix}"))]
        for suffix in ("html", "docx", "odt", "doc", "rtf")
    }
    assert read["docx"] == read["odt"] == read["html"] == read["doc"] == read["rtf"]
    # a web page's "Skip to content" over its sections, saved by LibreOffice as DOCX, .doc and
    # RTF: in the .doc the link's paragraph ends at a section break, not a paragraph's end;
    # before, it was read as a heading over the page in .doc and RTF
    skipped = {
        suffix: [(c.text, c.heading) for c in segment(read_document(FIXTURES / f"skip.{suffix}"))]
        for suffix in ("docx", "doc", "rtf")
    }
    assert skipped["doc"] == skipped["rtf"] == skipped["docx"]
    assert skipped["docx"] == [
        ("A fee is paid each year.", "Fees"),
        ("Appeals go to the Board.", "Fees"),
    ]
    assert read["html"] == [
        "The rules apply to every operator.",
        "A fee is paid each year, as the scope says.",
        "Appeals go to the Board.",
    ]


def test_a_contents_entry_with_brackets_is_written_as_markdown_reads_it() -> None:
    """A table of contents' entry whose title holds brackets ("Fees [2013]"): written with
    them as round ones, an entry still (it was refused, and read as a clause)."""
    from retrieval.contents import MARKDOWN_ENTRY, contents_entry

    assert contents_entry("Fees [2013]", "#fees") == "[Fees (2013)](#fees)"
    assert MARKDOWN_ENTRY.match(contents_entry("2. Fees [2013]", "#fees") or "")
    assert contents_entry("Fees\nand charges", "#fees") is None  # over two lines: no entry

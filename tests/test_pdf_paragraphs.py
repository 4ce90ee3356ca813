"""A PDF's paragraphs as a reader tells them: set with no gap between them, by a line that
ends a sentence short of the margin or a first line set in (pdf_reader.opens_paragraph); a
short line set in the text's font read as text, not as a heading (pdf_fonts.body_text);
and a paragraph that stops mid-sentence carried on only past a page's or a column's end
(segment)."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.citation import cite
from retrieval.corpus import read_document
from retrieval.errors import CorpusError
from retrieval.pdf_reader import spaced
from retrieval.reflow import shown, wrap_width
from retrieval.segment import segment
from retrieval.types import Document, DocumentInfo

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ADDRESS = (
    "Requests are sent to:\nRegulator of Communications\n33 Zarifa Aliyeva Street\nBaku AZ1000"
)


@pytest.mark.parametrize("name", ["masts", "masts-indented"])
def test_a_pdf_s_paragraphs_set_with_no_gap_read_as_its_docx(name: str) -> None:
    """tests/fixtures/masts.docx and masts-indented.docx: six justified paragraphs in one
    style with no space before or after them (masts-indented sets each first line in by
    1 cm, as books and many reports do), then an address broken by hand, and the PDFs
    LibreOffice writes of them (soffice --headless --convert-to pdf). The PDF reads as the
    DOCX: its paragraphs each a clause and the address one clause on its four lines, where
    before the whole page was one clause."""
    docx = segment(read_document(FIXTURES / f"{name}.docx"))
    pdf = segment(read_document(FIXTURES / f"{name}.pdf"))
    assert len(docx) == 7
    assert [" ".join(c.text.split()) for c in pdf] == [" ".join(c.text.split()) for c in docx]
    width = wrap_width("pdf", pdf)
    assert [shown(c.text, width) for c in pdf] == [shown(c.text) for c in docx]
    assert shown(pdf[-1].text, width) == ADDRESS


def _page(*lines: str, gaps: tuple[float, ...] = ()) -> list[tuple[float | None, str]]:
    """A page's lines as pdf_reader.gaps gives them: each a line's spacing (1.15 font heights)
    below the one before, or `gaps` where given."""
    spacing = list(gaps) or [1.15] * (len(lines) - 1)
    return [(None, lines[0])] + list(zip(spacing, lines[1:], strict=True))


FULL = "The operator shall keep a register of the masts it builds and of what stands on them."


def test_a_sentence_ended_short_of_the_margin_ends_its_paragraph() -> None:
    """A line that ends a sentence where the next line's first word would have fitted on it
    ends a paragraph; one that ends a sentence at the margin (the page wrapped it there), one
    that stops mid-sentence (an address's lines) and one before a line in lower case do not."""
    page = _page(
        FULL,
        "It is kept for ten years.",  # a sentence ended short of the margin
        "The Regulator may read it at any time, and the operator shall show it on request.",
        "Copies are free.",  # ... then a line in lower case: the sentence goes on
        "cables and masts alike are registered. The register is public and the operator",
        "keeps it up to date. It is shown on the operator's website for any subscriber to read.",
        "Write to:",  # after a sentence ended at the margin; then lines that end none
        "Regulator of Communications",
        "Baku AZ1000",
    )
    assert spaced([page])[0].split("\n") == [
        FULL,
        "It is kept for ten years.",
        "",
        "The Regulator may read it at any time, and the operator shall show it on request.",
        "Copies are free.",
        "cables and masts alike are registered. The register is public and the operator",
        "keeps it up to date. It is shown on the operator's website for any subscriber to read.",
        "Write to:",
        "Regulator of Communications",
        "Baku AZ1000",
    ]


def test_a_first_line_set_in_opens_a_paragraph_but_not_an_item_s_next_line() -> None:
    """A line set in after a line that ends a sentence at the margin, the line after it back
    at the margin, opens a paragraph; an item's next lines, set in past its marker, do not;
    nor does a short line stopping mid-sentence right before a column's end, which would
    then read as a heading over the rest of its own paragraph."""
    page = _page(
        FULL,
        "      The Regulator may read it at any time, and the operator shall show it on",
        "request, free of charge, to any subscriber who asks the operator to see it.",
    )
    assert spaced([page])[0].split("\n")[1] == ""
    listed = _page(
        "1. The operator keeps a register of the masts it builds and what stands on them.",
        "   The register is kept for ten years after the mast is taken down, and",
        "2. The Regulator may read it at any time.",
    )
    assert "" not in spaced([listed])[0].split("\n")
    cut = _page(
        FULL,
        "It is kept for ten years.",
        "The Regulator may read it",  # a column's last line
        "at any time.",
        gaps=(1.15, 1.15, 3.0),
    )
    assert spaced([cut])[0].split("\n") == [
        FULL,
        "It is kept for ten years.",
        "The Regulator may read it",
        "",
        "at any time.",
    ]


def test_a_short_line_set_as_the_text_is_a_clause_not_a_heading() -> None:
    """tests/fixtures/office.docx sets its section titles as bold paragraphs of the body's
    style ("Fees and charges", "Appeals") and has short paragraphs of text without a stop
    ("Office hours 9 to 18", "33 Boulevard Street"); office.pdf is the PDF LibreOffice
    writes of it. Read by their shape alone, the short paragraphs were headings in the PDF,
    in no clause: "What are the office hours?" had nothing to quote. Set in the body's
    font, where the document sets its titles in another, they are text: the PDF reads as
    the DOCX, clause for clause and heading for heading."""

    def read(name: str) -> list[tuple[str, str, str]]:
        document = read_document(FIXTURES / name)
        return [
            (" ".join(c.text.split()), c.heading, cite(document.info, c).text.split(", p. ")[0])
            for c in segment(document)
        ]

    pdf = read("office.pdf")
    assert pdf == read("office.docx")
    assert ("Office hours 9 to 18", "Licensing rules — Fees and charges") in [x[:2] for x in pdf]
    assert ("33 Boulevard Street", "Appeals") in [x[:2] for x in pdf]


def _code_in_courier(path: Path) -> Path:
    """A manual's section (fpdf2): headings in bold, text in Helvetica, and a definition's
    lines in Courier, each a paragraph of its own, in capitals or short as headings are."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()

    def put(text: str, style: str, size: int, height: int) -> None:
        pdf.set_font("Courier" if style == "code" else "Helvetica", style.strip("code"), size)
        pdf.multi_cell(0, height, text)
        pdf.ln(3)

    put("2.1 Syntax", "B", 13, 8)
    put(
        "Definitions follow the syntax below, one definition for each type a module names.",
        "",
        11,
        6,
    )
    for line in ("DEFINITIONS TAGS ::=", "BEGIN", "<type and constant definitions>", "END"):
        put(line, "code", 10, 5)
    put("The token must be separate from the other elements of the definition.", "", 11, 6)
    put("2.2 Naming", "B", 13, 8)
    put(
        "Each name is unique within its module, and a module is named by its definitions.",
        "",
        11,
        6,
    )
    pdf.output(str(path))
    return path


def test_code_set_in_a_font_of_fixed_pitch_is_no_heading(tmp_path: Path) -> None:
    """A manual's code, set in a typewriter's font in a text that is not, is short and in
    capitals as headings are, and in a font other than the text's as headings are: libtasn1's
    manual (TeX's CMTT) headed its section 2.1 with "DEFINITIONS <EXPLICIT or IMPLICIT> TAGS
    ::= — BEGIN — … — END", and the MIME-info specification its section 2.9 with its tables'
    names ("AliasList: 4 CARD32 N_ALIASES …"). A font of fixed pitch (its descriptor's flag,
    one width for all its glyphs, or a standard Courier) sets code: its lines are text,
    each a clause under the section's heading, and no heading is lost."""
    clauses = segment(read_document(_code_in_courier(tmp_path / "manual.pdf")))
    assert [(c.heading, " ".join(c.text.split())) for c in clauses] == [
        (
            "2.1 Syntax",
            "Definitions follow the syntax below, one definition for each type a module names.",
        ),
        ("2.1 Syntax", "DEFINITIONS TAGS ::="),
        ("2.1 Syntax", "BEGIN"),
        ("2.1 Syntax", "<type and constant definitions>"),
        ("2.1 Syntax", "END"),
        ("2.1 Syntax", "The token must be separate from the other elements of the definition."),
        (
            "2.2 Naming",
            "Each name is unique within its module, and a module is named by its definitions.",
        ),
    ]


def test_a_font_is_of_fixed_pitch_by_its_flag_its_widths_or_its_name() -> None:
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject

    from retrieval.pdf_fonts import _fixed

    def font(name: str, widths: list[float], flags: int = 32) -> DictionaryObject:
        descriptor = DictionaryObject({NameObject("/Flags"): FloatObject(flags)})
        return DictionaryObject(
            {
                NameObject("/BaseFont"): NameObject(f"/ABCDEF+{name}"),
                NameObject("/Widths"): ArrayObject(FloatObject(w) for w in widths),
                NameObject("/FontDescriptor"): descriptor,
            }
        )

    assert _fixed(font("CMTT10", [0, 525] * 40))  # TeX's typewriter: one width, no flag
    assert _fixed(font("Mono", [500, 600], flags=33))  # the descriptor's FixedPitch flag
    assert not _fixed(font("CMR10", [500, 278, 444] * 30))  # the text's, proportional
    assert not _fixed(font("CMMI10", [0, 525, 0]))  # one glyph of a subset tells nothing
    assert _fixed(DictionaryObject({NameObject("/BaseFont"): NameObject("/Courier")}))
    assert not _fixed(None)


def test_a_paragraph_stopping_mid_sentence_goes_on_only_past_a_page_or_column_end() -> None:
    """In a PDF, a paragraph that stops mid-sentence carries on into the next only where a
    page ends between them, or where the page is read a column at a time (a column's end);
    elsewhere on a page the space between them is a paragraph's break, and a line such as
    an address's last ("Baku AZ1000", set as text: Document.plain) is whole, not read into
    the paragraph under it."""
    first = "Appeals are heard by the Regulator."
    address = "Write to the Regulator at\n33 Zarifa Aliyeva Street\nBaku AZ1000"
    last = "Fees are paid yearly."
    text = f"{first}\n\n{address}\n\n{last}"
    start, cut = text.index(address), text.index(last)

    def read(pages: tuple[int, ...], columns: frozenset[int]) -> list[str]:
        info = DocumentInfo("t", "T", "t.pdf", format="pdf")
        document = Document(info, text, 0, pages, frozenset({start}), columns)
        return [c.text for c in segment(document)]

    assert read((), frozenset()) == [first, address, last]
    assert read((cut,), frozenset()) == [first, f"{address}\n\n{last}"]  # a page's end
    assert read((), frozenset({0})) == [first, f"{address}\n\n{last}"]  # a column's end


def test_a_scanned_pdf_is_read_by_ocr_as_the_page_with_a_text_layer_is() -> None:
    """A scan (tests/fixtures/scan.pdf: fees.pdf's page drawn at 200 dpi in black and white,
    as a fax or an office scanner sends it; scan-az.pdf: keyfiyyet.pdf's, in Azerbaijani)
    has no text layer: it was refused ("run OCR on it first"). Its pages are read by OCR
    (tesseract, in every language installed, English first) as layout text, and then as the
    page with a text layer is: the paragraph over two lines one clause, the table's rows of
    several lines a clause each, its cells side by side, a title set large over two rows
    one title ("Elektron rabitə xidmətlərinin" / "keyfiyyəti haqqında Qaydalar": OCR's rows
    stood a body line's height apart too many times, and the second row was a clause). The
    Makefile's `test` installs the tools (Debian's tesseract-ocr and poppler-utils); without
    them this test fails."""
    from retrieval.pdf_ocr import ocr_tools

    assert ocr_tools(), "OCR needs tesseract-ocr and poppler-utils (make test installs them)"
    clauses = [c.text for c in segment(read_document(FIXTURES / "scan.pdf"))]
    for expected in (
        "The regulator charges the following fees for licences issued under this\nRegulation.",
        "Fixed telephony services for the whole territory | 10,000 AZN | 10 years",
        "Fees are paid before the licence is issued.",
        "Offices are open from 9:00 to 18:00 on working days.",
    ):
        assert expected in clauses
    read = segment(read_document(FIXTURES / "scan-az.pdf"))
    azerbaijani = [c.text for c in read]
    assert "2.1. Operator hər rüb keyfiyyət göstəricilərini öz internet saytında dərc edir." in (
        azerbaijani
    )
    assert "keyfiyyəti haqqında Qaydalar" not in azerbaijani
    assert read[0].heading == (
        "Elektron rabitə xidmətlərinin keyfiyyəti haqqında Qaydalar — 1. Ümumi müddəalar"
    )


def test_a_scan_s_bullets_are_bullets_and_its_items_clauses_of_their_own() -> None:
    """Tesseract reads a list's bullet "•" as a letter ("e"): the items of scan-az.pdf's
    definitions were one clause with the line over them, each opening with "e". A bullet is
    told by its box (smaller than a lower-case letter, clear of the baseline, a word's gap
    before its text), so the items read as keyfiyyet.pdf's text layer has them."""
    azerbaijani = [c.text for c in segment(read_document(FIXTURES / "scan-az.pdf"))]
    assert "•  abonent — operatorla müqavilə bağlamış şəxs." in azerbaijani
    assert "1.2. Qaydalarda istifadə olunan əsas anlayışlar:" in azerbaijani
    assert not [text for text in azerbaijani if text.startswith("e ")]


def test_a_scan_s_title_set_large_is_its_title_and_no_clause() -> None:
    """tests/fixtures/scan-title.pdf: quality.pdf's first page drawn at 200 dpi in black and
    white, its title set large over two rows ("Regulation on the quality of" / "broadband
    services") under the ministry's letterhead. With no fonts to tell it by, the title was
    a clause of the text (its second row in lower case, seven words: no heading's shape)
    and the document was titled by its file's name. Its rows' letters twice a line's height,
    at the page's top, it is the document's title (over the metadata's, which a scanner or
    converter writes), heading the text as a text layer's fonts would have it."""
    document = read_document(FIXTURES / "scan-title.pdf")
    assert document.info.title == "Regulation on the quality of broadband services"
    clauses = segment(document)
    assert "Regulation on the quality of\nbroadband services" not in [c.text for c in clauses]
    assert clauses[0].text == "For the purposes of this Regulation:"
    assert "Regulation on the quality of broadband services" in clauses[0].heading
    # a scan whose rows are all of the text's size has no such title (its metadata's stands)
    assert read_document(FIXTURES / "scan.pdf").info.title == "scan"


def _tsv(*words: tuple[int, int, int, int, str]) -> str:
    """Tesseract's TSV of one line of words (left, top, width, height, text), 45 high."""
    head = "\t".join(
        "level page_num block_num par_num line_num word_num left top width height conf text".split()
    )
    rows = [head, "4\t1\t1\t1\t1\t0\t375\t1803\t1000\t45\t-1\t"]
    for n, (left, top, width, height, text) in enumerate(words, 1):
        rows.append(f"5\t1\t1\t1\t1\t{n}\t{left}\t{top}\t{width}\t{height}\t96\t{text}")
    return "\n".join(rows)


def test_only_rows_set_large_at_a_page_s_top_are_a_title() -> None:
    from retrieval.pdf_ocr import read_page

    def page(*rows: tuple[int, int, str]) -> str:  # (top, height, words), 45 high lines
        head = "level page_num block_num par_num line_num word_num left top width height conf text"
        lines = ["\t".join(head.split()), "1\t1\t0\t0\t0\t0\t0\t0\t1700\t2200\t-1\t"]
        for n, (top, height, words) in enumerate(rows, 1):
            lines.append(f"4\t1\t1\t1\t{n}\t0\t300\t{top}\t1000\t45\t-1\t")
            for m, word in enumerate(words.split(), 1):
                left = 300 + 150 * m
                lines.append(f"5\t1\t1\t1\t{n}\t{m}\t{left}\t{top}\t120\t{height}\t96\t{word}")
        return "\n".join(lines)

    body = [(900, 45, "The regulator measures speeds"), (960, 45, "every quarter of the year")]
    title = [(318, 105, "Regulation on the quality of"), (444, 84, "broadband services")]
    assert (
        read_page(page(*title, *body), 1.0).title
        == "Regulation on the quality of broadband services"
    )
    # a speck read between the title's rows does not cut it
    speck = [(318, 105, "Rules on"), (430, 16, "ows"), (470, 84, "Tariffs")]
    assert read_page(page(*speck, *body), 1.0).title == "Rules on Tariffs"
    assert read_page(page(*body), 1.0).title == ""  # the text's size alone
    assert (
        read_page(page(*body, (1700, 84, "Annex")), 1.0).title == ""
    )  # set large, low on the page


def test_a_letter_that_opens_a_scanned_line_stays_a_letter() -> None:
    """Only a box a bullet's size, clear of the baseline, is a bullet: the Portuguese "e"
    (and) opening a line sits on the baseline at a lower-case letter's height, and a "1"
    (a footnote's mark) is a figure, whatever the gap after them."""
    from retrieval.pdf_ocr import read_page

    # "•  networks used" as Tesseract read a 300 dpi scan: the dot 16 high, 9 over the line
    bullet = _tsv(
        (375, 1814, 16, 16, "e"), (452, 1803, 211, 36, "networks"), (681, 1803, 107, 36, "used")
    )
    assert read_page(bullet, 1.0).text.split() == ["•", "networks", "used"]
    letter = _tsv(
        (375, 1814, 24, 25, "e"), (452, 1803, 211, 36, "networks"), (681, 1803, 107, 36, "used")
    )
    assert read_page(letter, 1.0).text.split() == ["e", "networks", "used"]
    mark = _tsv((375, 1810, 12, 16, "1"), (452, 1803, 211, 36, "networks"))
    assert read_page(mark, 1.0).text.split() == ["1", "networks"]
    near = _tsv((375, 1814, 16, 16, "e"), (395, 1803, 211, 36, "networks"))
    assert read_page(near, 1.0).text.split()[0] == "e"


def test_a_quote_from_a_scanned_page_is_cited_as_read_by_ocr(tmp_path: Path) -> None:
    """A quote from a scan is what OCR read, which may differ from the page by a letter: its
    citation says so, and only for the pages OCR read (a PDF of a text page, then a scanned
    one: the same table, once from each)."""
    from pypdf import PdfReader, PdfWriter

    mixed = PdfWriter()
    for name in ("fees.pdf", "scan.pdf"):
        mixed.add_page(PdfReader(FIXTURES / name).pages[0])
    path = tmp_path / "mixed.pdf"
    with path.open("wb") as out:
        mixed.write(out)
    document = read_document(path)
    assert document.info.ocr_pages == "2"
    by_page = {
        c.page: cite(document.info, c).text
        for c in segment(document)
        if c.text == "Fees are paid before the licence is issued."
    }
    assert set(by_page) == {1, 2}
    assert by_page[2].startswith("Schedule of fees, p. 2, scanned (text read by OCR), ")
    assert "OCR" not in by_page[1]
    alone = read_document(FIXTURES / "scan.pdf")  # one page: no page number, still said
    assert "scanned (text read by OCR)" in cite(alone.info, segment(alone)[0]).text


def test_a_scan_without_ocr_tools_is_refused_with_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where tesseract or pdftoppm is not installed, a scan is refused as before, naming
    what to install."""
    import retrieval.pdf_ocr as pdf_ocr

    monkeypatch.setattr(pdf_ocr.shutil, "which", lambda _: None)
    with pytest.raises(CorpusError, match="install tesseract-ocr and poppler-utils"):
        read_document(FIXTURES / "scan.pdf")


def _rules_pdf(path: Path, linked: bool) -> dict[str, str]:
    """A short document whose contents list its headings on the page they head, each
    entry a link to its heading where `linked` (as a page printed from the web sets them),
    with a link to the web of its own and one over words of a sentence; its sections."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    sections = {
        "Scope": "The rules apply to every operator of a public network, whatever its size, "
        "and to every service it sells to the public.",
        "Fees": "A fee is paid each year, before the end of January, into the account the "
        "regulator names on its website.",
        "Appeals": "Appeals go to the Board, which hears them within a month and gives its "
        "reasons in writing to the operator.",
    }
    places = {heading: pdf.add_link() for heading in sections}
    pdf.set_font("Helvetica", "B", 20)
    pdf.cell(0, 12, "Licensing rules", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, "Contents", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=12)
    for number, heading in enumerate(sections, 1):
        if linked:  # numbered, the number set before the link
            pdf.cell(8, 8, f"{number}.")
            pdf.cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT", link=places[heading])
        else:
            pdf.cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")

    pdf.ln(4)
    for heading, text in sections.items():
        pdf.set_link(places[heading], y=pdf.get_y())
        pdf.set_font("Helvetica", "B", 18)
        pdf.cell(0, 9, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=12)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(5)
    pdf.cell(
        0, 6, "The regulator's register", new_x="LMARGIN", new_y="NEXT", link="https://example.org"
    )
    pdf.ln(5)
    pdf.write(6, "Each fee is set out under ")
    pdf.write(6, "Fees", link=places["Fees"])
    pdf.write(6, ".")
    pdf.output(str(path))
    return sections


def test_a_heading_whose_words_a_table_of_contents_repeats_on_its_page_stands_over_its_text(
    tmp_path: Path,
) -> None:
    """A short document's contents list its headings on the page they head: "Scope" is set
    twice, an entry in the text's size and the heading in a larger one. Each is told by its
    own font, so each heading heads its text; when the page's two "Scope"s were read as one
    line, of no known font, the entries were headings and the first heading was lost. The
    entries, titles alone in the headings' order (no link, no page), are no clauses: the
    document reads as the one whose entries link to its headings (next test) does; they
    were clauses, an answer to "What are the rules' parts?" that says only their names."""
    sections = _rules_pdf(tmp_path / "rules.pdf", linked=False)
    clauses = segment(read_document(tmp_path / "rules.pdf"))
    assert [(" ".join(c.text.split()), c.heading) for c in clauses[:3]] == [
        (sections["Scope"], "Licensing rules — Scope"),
        (sections["Fees"], "Fees"),
        (sections["Appeals"], "Appeals"),
    ]
    _rules_pdf(tmp_path / "linked.pdf", linked=True)
    linked = segment(read_document(tmp_path / "linked.pdf"))
    assert [(c.text, c.heading) for c in clauses] == [(c.text, c.heading) for c in linked]


def test_a_pdf_s_contents_made_of_links_to_its_headings_are_no_clauses(tmp_path: Path) -> None:
    """The same contents, each entry a link to its heading (its number set before the
    link): no clause, as an HTML page's list of links to its own headings is none. A link
    to the web, and a link over a word of a sentence, leave their text the text's."""
    sections = _rules_pdf(tmp_path / "rules.pdf", linked=True)
    clauses = segment(read_document(tmp_path / "rules.pdf"))
    assert [(" ".join(c.text.split()), c.heading) for c in clauses] == [
        (sections["Scope"], "Licensing rules — Scope"),
        (sections["Fees"], "Fees"),
        (sections["Appeals"], "Appeals"),
        ("The regulator's register", "Appeals"),
        ("Each fee is set out under Fees.", "Appeals"),
    ]

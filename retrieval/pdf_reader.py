"""Text out of PDF files, in the shape the segmenter reads (see retrieval.formats).

A PDF has no paragraphs, only lines placed on a page: where one paragraph ends and the next
begins, and where a heading stands over its text, is told by the space between the lines.
pypdf's layout mode keeps each line as set (its words spaced as on the page), and marks a
gap between two lines with blank lines, one for each font height past the first; so it sees
a break only where the gap is two lines high. Most documents set their paragraphs, and a
heading's space below it, closer than that: a manual's paragraphs half a line apart, a
heading a third of a line above its text. Read so, a page was one clause, its headings run
into the paragraphs under them ("2.1 ASN.1 syntax The parser is case sensitive. …").

So the lines are read at a finer gauge (GAUGE of a font height a blank line), each gap is
measured in the height of the line's font, and a document's line spacing is learnt from its
own pages: the spacing most of its lines are set at (PITCH_QUANTILE of its gaps). A gap
wider than that by a fifth (PARAGRAPH_GAP) is a paragraph break, as it is to a reader; never
more than pypdf's two lines. Where paragraphs are set with no gap between them, one ends as
a reader sees it end: a sentence ended short of the margin, or the next line set in
(opens_paragraph). Running headers, footers and page numbers are then removed
(pages.paged), and a paragraph that a page break split is left for the segmenter to join.
Text set side by side (a page's two columns, a text box beside the paragraphs around it, a
table's cells of several lines) is read a side at a time before (retrieval.pdf_columns).
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.errors import CorpusError
from retrieval.formats import TABLE_BREAK, Extracted
from retrieval.headings import ends_without_punctuation, starts_upper
from retrieval.numbering import CLOSERS, NOTE, leaves_list, opens_item
from retrieval.pages import paged
from retrieval.pdf_columns import in_columns, side_by_side
from retrieval.pdf_fonts import (
    Font,
    body_text,
    keyed_blocks,
    line_fonts,
    line_keys,
    short,
    sizes_differ,
)
from retrieval.pdf_links import internal_links, linked_blocks, linked_lines
from retrieval.pdf_notes import endnote_marks, endnotes, footnote_marks
from retrieval.pdf_ocr import ocr_tools, scanned_pages
from retrieval.pdf_rules import PageRules, page_rules
from retrieval.pdf_tables import Rules, table_grid, table_rows
from retrieval.reflow import WIDTH_QUANTILE

# the gap pypdf's layout mode writes a blank line for, in font heights: int(gap / GAUGE) - 1
# blank lines between two lines a gap apart (gaps up to 1000 GAUGEs are written so)
GAUGE = 0.1
PARAGRAPH_GAP = 1.2  # a gap this many times the document's line spacing breaks a paragraph
WIDEST_BREAK = 2.0  # ... and one two lines high always does (pypdf's own reading)
# blank lines that stand for a gap WIDEST_BREAK high (see gaps): a paragraph's break
APART = int(WIDEST_BREAK / GAUGE)
PITCH_QUANTILE = 25  # the line spacing: this percentile of the gaps between lines
# fewer gaps between lines than this in the whole document: too few to learn a spacing from
# (was 8, and a one-page notice's paragraphs a third of a line apart were one clause)
SPACED_LINES = 3
# gaps outside these bounds (in font heights) are no line spacing: lines set side by side
# (a superscript, a table's cells) or far apart (a page's title over its text)
_PITCH_RANGE = (0.8, 3.0)
# a paragraph's first line stands in this many columns (of layout mode's characters) or
# more where the paragraphs are set with no gap between them (opens_paragraph)
INDENT = 2
# a bullet in a symbol font at a line's start: a private-use character, then space
_SYMBOL_BULLET = re.compile(r"^([ \t]*)[\uf000-\uf0ff](?=[ \t])", re.M)
# a list's number at a line's start run into its item's first word ("10.Data key …"): a tab
# after a wide number, which layout mode writes as no space at all
_RUN_IN_NUMBER = re.compile(r"^([ \t]*\d{1,3}[.)])(?=[^\W\d_][^\W\d_])", re.M)


def read_pdf(path: Path, raw: bytes) -> Extracted:
    try:
        from pypdf import PdfReader
    except ImportError as exc:  # pragma: no cover - pypdf is a dependency
        raise CorpusError(f"{path}: reading PDF needs pypdf (pip install .)") from exc
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise CorpusError(f"{path}: the PDF is encrypted; save an unprotected copy")
        texts = [
            page.extract_text(extraction_mode="layout", layout_mode_font_height_weight=GAUGE) or ""
            for page in reader.pages
        ]
        # a scanned page (no text layer) read by OCR, where its tools are installed
        blank = [number for number, text in enumerate(texts) if not text.strip()]
        scanned = {n: page for n, page in scanned_pages(raw, blank, GAUGE).items() if page.text}
        for number, page in scanned.items():
            texts[number] = page.text
        ends = endnote_marks(texts)
        pages = endnotes(
            [
                footnote_marks(text, page, bool(ends and ends.search(text)))
                for text, page in zip(texts, reader.pages, strict=True)
            ]
        )
    except CorpusError:
        raise
    except Exception as exc:
        # pypdf raises what its parsers meet in a damaged file: PdfReadError, and as often
        # NotImplementedError (a filter's name overwritten), zlib.error, struct.error,
        # KeyError, AttributeError or a recursion too deep: a damaged PDF, named
        raise CorpusError(f"{path}: not a readable PDF ({exc or type(exc).__name__})") from None
    # a page's text read in its columns, its tables' rows of several lines read as lines
    # (across a page's end too; by the rules the page draws, where it draws them and its
    # lines stand as layout mode set them), then what stands side by side a block at a time
    prepared = [run_in_numbers(symbol_bullets(page)) for page in pages]
    found: dict[int, PageRules | None] = {}

    def drawn(number: int, written: list[str]) -> PageRules | None:
        if number not in found:
            found[number] = page_rules(reader.pages[number], written)
        return found[number]

    columns = [_columns(page, number, drawn) for number, page in enumerate(prepared)]

    def as_set(number: int, written: list[str]) -> PageRules | None:
        return drawn(number, written) if columns[number] == prepared[number] else None

    read: dict[int, dict[str, Font]] = {}

    def page_lines(number: int) -> tuple[list[str], list[str] | None]:
        """A page's lines as layout mode wrote them, and as prepared where the two have
        the same lines (an endnote moved off its page: None, read as written)."""
        written = [line for line in texts[number].split("\n") if line.strip()]
        lines = [line for line in prepared[number].split("\n") if line.strip()]
        return written, lines if len(lines) == len(written) else None

    def fonts(number: int) -> dict[str, Font]:
        if number not in read:
            read[number] = line_fonts(reader.pages[number], *page_lines(number))
        return read[number]

    # each page's links to places in the document: its contents' entries, if it has some
    links = {n: rects for n, page in enumerate(reader.pages) if (rects := internal_links(page))}

    @functools.cache
    def linked(number: int) -> set[str]:
        if number not in links:
            return set()
        written, lines = page_lines(number)
        flags = linked_lines(reader.pages[number], written, links[number])
        return {key for key, flag in zip(line_keys(lines or written), flags, strict=True) if flag}

    def sized(number: int) -> dict[str, float]:
        return {key: font.height for key, font in fonts(number).items()}

    gridded = table_grid(columns, APART, as_set)
    read_as = [side_by_side(page, APART) for page in gridded]
    extracted = paged(spaced([gaps(page) for page in read_as], sized))
    if not extracted.text.strip():
        how = (
            "and OCR found no text on its pages"
            if ocr_tools()
            else "(a scan?): install tesseract-ocr and poppler-utils to read it by OCR, or run "
            "OCR on it first"
        )
        raise CorpusError(f"{path}: the PDF has no text layer {how}")
    # a scan's title set large on its first page: what a text layer's fonts set apart, and
    # the document's own, where a scan's metadata names what its scanner or converter named
    # (its file's name); a running header is the title of a document without either
    set_large = scanned[0].title if 0 in scanned else ""
    title = set_large or _metadata_title(reader) or extracted.title
    keyed = keyed_blocks(extracted.text, extracted.pages)
    plain, code = body_text(keyed, fonts)
    # the pages read a column or a side at a time, where a paragraph may go on in the next
    sides = frozenset(
        number
        for number, page in enumerate(read_as)
        if page != gridded[number] or columns[number] != prepared[number]
    )
    title, read_by_ocr = " ".join(title.split()), frozenset(scanned)
    entries = linked_blocks(keyed, linked) if links else frozenset()
    return Extracted(
        extracted.text,
        extracted.pages,
        title,
        plain,
        sides,
        code,
        scanned=read_by_ocr,
        linked=entries,
    )


def _metadata_title(reader: Any) -> str:
    """The title the PDF's information dictionary gives; "" where it gives none, or where
    the dictionary is damaged and its pages' text was read: the text is what is cited."""
    try:
        return (reader.metadata.title if reader.metadata else None) or ""
    except Exception:  # pypdf's parsers raise what they meet (PdfReadError, KeyError, ...)
        return ""


def _columns(page: str, number: int, drawn: Rules) -> str:
    """A page read a column at a time where it is set in two (pdf_columns.in_columns); as
    set where a table ruled across its width stands in it (pdf_rules.PageRules.across):
    its cells' columns, long cells filling them like prose, are no page's columns, and read
    a column at a time its rows came apart."""
    split = in_columns(page)
    if split == page:
        return page
    rules = drawn(number, [line for line in page.split("\n") if line.strip()])
    return page if rules is not None and rules.across() else split


def _width(pages: list[list[tuple[float | None, str]]]) -> float:
    """How many characters a document's full lines hold: the WIDTH_QUANTILE of its lines'
    lengths (most lines of a page of text run to its margin; reflow reads a wrap width so)."""
    lengths = [len(line.strip()) for lines in pages for _, line in lines]
    return float(np.percentile(lengths, WIDTH_QUANTILE)) if lengths else 0.0


def symbol_bullets(text: str) -> str:
    """A page's text with the bullets set in a symbol font (Word's Symbol and Wingdings
    bullets, which a PDF's text gives as private-use characters, U+F0B7 for "•") read as
    the bullet they show, so that their items are a list's items."""
    return _SYMBOL_BULLET.sub(r"\1•", text)


def run_in_numbers(text: str) -> str:
    """A page's text with a list's number run into its item's first word, which opens in a
    capital ("10.Data key …", a tab after the number that layout mode writes as no space),
    set apart from it, as the page shows it."""
    return _RUN_IN_NUMBER.sub(
        lambda m: f"{m.group(1)} " if text[m.end()].isupper() else m.group(1), text
    )


def gaps(text: str) -> list[tuple[float | None, str]]:
    """A page's lines as layout mode read them at GAUGE, each with the gap above it in its
    font's height (None for the page's first line): k blank lines before a line say the
    gap is (k + 1) to (k + 2) GAUGEs, read as the middle of that."""
    lines: list[tuple[float | None, str]] = []
    blanks = 0
    for line in text.split("\n"):
        if not line.strip():
            blanks += 1
            continue
        lines.append(((blanks + 1.5) * GAUGE if lines else None, line))
        blanks = 0
    return lines


def line_spacing(pages: list[list[tuple[float | None, str]]]) -> float | None:
    """The spacing most of a document's lines are set at, in font heights; None when it has
    too few lines one under another to tell."""
    low, high = _PITCH_RANGE
    found = [gap for lines in pages for gap, _ in lines if gap is not None and low <= gap <= high]
    if len(found) < SPACED_LINES:
        return None
    return float(np.percentile(found, PITCH_QUANTILE))


def opens_paragraph(
    lines: Sequence[tuple[float | None, str]], n: int, width: float, at: float, listed: bool
) -> bool:
    """Whether a page's line n opens a paragraph set right under the one before, no further
    from it than its own lines stand (`lines` as gaps reads them, `at` the gap that breaks
    a paragraph): it opens a sentence, in a capital, after a line that ends one (".", "!"
    or "?", past a closing quote or bracket), and either that line stops short of the
    document's width, where the page did not wrap it (pdf_fonts.short: this line's first
    word would have fitted on it), or this line stands in as a paragraph's first line does,
    INDENT columns or more, the line after it back to the left (not where a list is being
    read, `listed`: an item's next lines stand in past its marker). A line broken by hand
    mid-sentence (an address's lines) opens none; nor does the last line before a break (a
    column's or the page's end, a paragraph's gap) where it stops mid-sentence: it reads as
    a heading over what follows, which may be its own paragraph going on past the break."""
    before, line = lines[n - 1][1], lines[n][1]
    if before.rstrip(CLOSERS)[-1:] not in ".!?" or not starts_upper(line):
        return False
    follows = lines[n + 1] if n + 1 < len(lines) else None
    if (follows is None or (follows[0] or 0) >= at) and ends_without_punctuation(line):
        return False
    if short(before, line, width):
        return True
    indent = _indent(line)
    return (
        not listed
        and indent >= _indent(before) + INDENT
        and (follows is None or _indent(follows[1]) < indent)
    )


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def spaced(
    pages: list[list[tuple[float | None, str]]],
    sizes: Callable[[int], Mapping[str, float]] | None = None,
) -> list[str]:
    """Each page's text with a blank line where its lines stand a paragraph apart: wider
    than the document's line spacing by PARAGRAPH_GAP, or WIDEST_BREAK font heights; and
    where a line stands left of a list item's marker after the item's last sentence, the
    paragraph set right under a list (numbering.leaves_list: the page's indents are lost
    once its lines are trimmed); and around each row of a table (table_rows), written as
    the other readers write one."""
    pitch = line_spacing(pages)
    at = WIDEST_BREAK if pitch is None else min(WIDEST_BREAK, PARAGRAPH_GAP * pitch)
    width = _width(pages)
    out = []
    for number, lines in enumerate(pages):
        # the lines' sizes, read where a line may be a heading over the text right under
        # it: short, and a little further from the next line than the text's spacing (a
        # larger font's line stands further from the next)
        heights: Mapping[str, float] = {}
        if sizes and any(
            gap is not None and (pitch or 0) < gap < at and short(lines[n - 1][1], line, width)
            for n, (gap, line) in enumerate(lines)
        ):
            heights = sizes(number)
        keys = line_keys([line for _, line in lines])
        text: list[str] = []
        markers: list[int] = []  # where the items of the list being read stand
        rows = table_rows([line for _, line in lines])
        row_gap: float | None = None  # how far apart the rows of the table being read stand
        for n, (gap, line) in enumerate(lines):
            words = line.lstrip()
            indent = _indent(line)
            # a table's rows are clauses of their own, as in the other formats
            apart = (gap is not None and gap >= at) or n in rows or n - 1 in rows
            apart = apart or bool(NOTE.match(words))  # a note: "[2] By the Board."
            apart = apart or (
                gap is not None and opens_paragraph(lines, n, width, at, bool(markers))
            )
            # a heading over its text, set in a larger size (pdf_fonts)
            above = heights.get(keys[n - 1]) if n else None
            apart = apart or sizes_differ(above, heights.get(keys[n]))
            line = rows.get(n, line)
            if n in rows and n - 1 in rows and gap is not None:
                # a paragraph's gap between two rows, wider than the table's own rows stand
                # apart: another table begins (formats.TABLE_END)
                if row_gap is not None and gap >= at and gap >= PARAGRAPH_GAP * row_gap:
                    text.append(TABLE_BREAK)
                    row_gap = None
                else:
                    row_gap = gap
            if apart or (text and leaves_list(text[-1], indent, markers)):
                text.append("")
                markers = []
            if opens_item(words):
                markers.append(indent)
            text.append(line)
        out.append("\n".join(text))
    return out

"""Text out of the formats clausebot reads, in the shape the segmenter reads.

Each reader returns the document's text (paragraphs separated by blank lines, headings as
markdown '#' lines) and, for paged formats, the offset where each page starts. That text is
the source clauses are quoted from. DOCX is read in retrieval.docx_reader, .doc in
retrieval.doc_reader, ODT in retrieval.odt_reader, RTF in retrieval.rtf_reader, HTML in
retrieval.html_reader (a web archive's page in retrieval.mht_reader), EPUB in
retrieval.epub_reader, PDF in retrieval.pdf_reader; a document in pages (a PDF's, plain
text with form feeds) is made one text in retrieval.pages, without its running headers,
footers and page numbers, and a paragraph broken by a page break is left for the segmenter
to join again. Plain text is read as written, but for the boxes drawn in characters around
a passage (unframe). A file is read as the format it holds where its bytes say so
(retrieval.sniff), whatever its suffix.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from retrieval.blocks import BLANK_LINES
from retrieval.errors import CorpusError

PAGED = {".pdf"}
# a format's other suffixes, read as the format its first names: markdown's as GitHub's
# Linguist names them, and a web page's in XHTML
SAME_FORMAT = {
    **dict.fromkeys((".markdown", ".mdown", ".mdwn", ".mkd", ".mkdn", ".mkdown"), ".md"),
    **dict.fromkeys((".htm", ".xhtml", ".xht"), ".html"),
    ".mhtml": ".mht",
}
SUFFIXES = (
    ".txt", ".md", ".pdf", ".docx", ".doc", ".odt", ".rtf", ".html", ".epub", ".mht", *SAME_FORMAT
)  # fmt: skip
# A word processor's index and table of contents say where a part is, not what it says: the
# readers leave them out (a TOC or INDEX field's result; ODT's index elements), and the
# paragraph that titles one where it stands outside it (LibreOffice's "Index" over the
# entries), by the style Word names the title with, whatever the language of its menus
GENERATED_TITLES = ("Index Heading", "TOC Heading")
GENERATED_FIELDS = ("TOC", "INDEX")  # fields whose result is a table of contents or an index
# ... and a title set right before one, outside it ("Contents", "Mündəricat"), of this many
# words at most, where a paragraph stands before it (the document's own title stays)
GENERATED_TITLE_WORDS = 4


def generated_title(paragraph: str, before: str) -> bool:
    """Is a paragraph set right before a table of contents' or an index's field (LibreOffice
    sets their titles so in .doc and RTF files) that table's title, to leave out with it:
    a few words, after some text of the document?"""
    return bool(before.strip()) and 0 < len(paragraph.split()) <= GENERATED_TITLE_WORDS


# Where a reader knows a table ends (its element closes, a paragraph outside it follows), a
# block of its own: joined, two blank lines after the table's last row instead of one, so
# that a table right after another (an empty paragraph between, as Word sets them) is read
# as another, its rows not quoted under the first one's head (retrieval.segment)
TABLE_END = "\n"
# the same in a page's lines (retrieval.pdf_reader), where runs of blank lines fold to one
TABLE_BREAK = "\ufdd0"
LARGE_PT = 14.0  # text set this large or larger stands out from a page's body text
LARGE_SHARE = 1.15  # ... as does text set this many times its paragraph's size


def fold_spaces(text: str) -> str:
    """A paragraph's text with the runs of spaces on each of its lines folded to one, its
    line breaks (Shift+Enter: an address's lines, a list set in one paragraph) kept, as the
    .doc, RTF and PDF readers keep them."""
    return "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()


class Body(str):
    """A paragraph its document sets as body text (a block of join_blocks): its style no
    heading's, its text neither bold, italic, underlined, in capitals nor large, as the
    readers of DOCX, ODT, RTF and .doc files tell. No heading however short
    (headings.is_heading): "Write to the ministry at: 33 Boulevard Street, Baku AZ1000",
    one line without a stop, is the text of a page that sets it as its other paragraphs."""

    __slots__ = ()


class Code(Body):
    """Preformatted text (HTML's <pre>), a block of join_blocks: body text whose lines are
    code's, no heading however they open ("# install it"), and no paragraph's that runs on
    before or after it (retrieval.segment)."""

    __slots__ = ()


class Joined(NamedTuple):
    """A reader's blocks as the segmenter reads them (join_blocks)."""

    text: str
    # where each Body block starts, and each part of one that a blank line sets off
    plain: frozenset[int]
    code: frozenset[int]  # ... and each Code block's


@dataclass(frozen=True)
class Row:
    """A table's row as a reader reads it (a block of join_blocks): its cells' texts."""

    cells: tuple[str, ...]

    def text(self, width: int = 0) -> str:
        """The row as the readers write one: its cells side by side (" | "); a row of one
        cell in a table `width` cells wide, "| Tariffs for 2013 |" (see join_blocks)."""
        if len(self.cells) == 1 and width > 1:
            return f"| {self.cells[0]} |"
        return " | ".join(self.cells).strip()


def join_blocks(blocks: Iterable[str | Row]) -> Joined:
    """A reader's blocks as the segmenter reads them, and where each Body (and Code) block
    starts in that text: a blank line between two (empty ones left out), two after a
    table's end (TABLE_END, or any block that is no row after its rows). A row's cells
    stand side by side (" | "); a row of one cell in a table of more columns (a title
    merged across the table: "Tariffs for 2013") is written as a row of one cell, "|
    Tariffs for 2013 |", so that it is read as the table's, not as a heading over what
    follows the table; a row the same as the one before it, once."""
    out: list[str] = []
    plain: set[int] = set()  # which of `out` are Body blocks
    rows: list[Row] = []

    def end_table() -> None:
        width = max((len(row.cells) for row in rows), default=0)
        out.extend(row.text(width) for row in rows)
        if rows and not out[-1].endswith(TABLE_END):
            out[-1] += TABLE_END
        rows.clear()

    for block in blocks:
        if isinstance(block, Row):
            # a row the one before says word for word (a cell merged down over a row whose
            # own cells are empty, as a web page's navigation sets one) is read once
            if any(cell.strip() for cell in block.cells) and not (rows and rows[-1] == block):
                rows.append(block)
            continue
        end_table()
        if block == TABLE_END:  # after rows written as text (an HTML table's)
            if out and not out[-1].endswith(TABLE_END):
                out[-1] += TABLE_END
        elif block.strip():
            if isinstance(block, Body):
                plain.add(len(out))
            out.append(block)
    end_table()
    starts: set[int] = set()
    code: set[int] = set()
    at = 0
    for n, block in enumerate(out):
        if n in plain:  # where the segmenter's blocks start: its text's, trimmed, and each
            # after a blank line in it (its line breaks kept: "<br><br>", <pre>'s)
            found = {at + len(block) - len(block.lstrip())}
            found.update(at + gap.end() for gap in BLANK_LINES.finditer(block.rstrip()))
            starts |= found
            if isinstance(block, Code):
                code |= found
        at += len(block) + 2
    return Joined("\n\n".join(out).rstrip("\n"), frozenset(starts), frozenset(code))


@dataclass(frozen=True)
class Extracted:
    text: str
    pages: tuple[int, ...] = ()  # offsets in `text` where pages 2, 3, … start
    title: str = ""
    plain: frozenset[int] = frozenset()  # where each Body block starts in `text`
    # the pages (from 0) read a column or a side at a time, where a paragraph a column's end
    # cuts short goes on in the next column (a PDF's; pdf_reader)
    columns: frozenset[int] = frozenset()
    code: frozenset[int] = frozenset()  # where each block of preformatted text starts (Code)
    scanned: frozenset[int] = frozenset()  # the pages (from 0) read by OCR (pdf_ocr)
    # where each block starts whose every line is a link to a place in the document (a PDF's
    # table of contents without page numbers: pdf_links)
    linked: frozenset[int] = frozenset()


def extract(path: Path, raw: bytes, encoding: str = "", kind: str = "") -> Extracted:
    """A document's text in the shape the segmenter reads; `encoding`: the one its metadata
    names (read by an HTML page, whose own declaration it overrides); `kind`: the format
    it holds (retrieval.sniff), if not its suffix's."""
    suffix = kind or SAME_FORMAT.get(path.suffix.lower(), path.suffix.lower())
    if suffix == ".pdf":
        from retrieval.pdf_reader import read_pdf  # it imports Extracted from here

        return read_pdf(path, raw)
    if suffix == ".docx":
        from retrieval.docx_reader import read_docx  # it imports Extracted from here

        return read_docx(path, raw)
    if suffix == ".doc":
        from retrieval.doc_reader import read_doc  # it imports Extracted from here

        return read_doc(path, raw)
    if suffix == ".odt":
        from retrieval.odt_reader import read_odt  # it imports Extracted from here

        return read_odt(path, raw)
    if suffix == ".rtf":
        from retrieval.rtf_reader import read_rtf  # it imports Extracted from here

        return read_rtf(path, raw)
    if suffix == ".html":
        from retrieval.html_reader import read_html  # it imports Extracted from here

        return read_html(path, raw, encoding)
    if suffix == ".epub":
        from retrieval.epub_reader import read_epub  # it imports Extracted from here

        return read_epub(path, raw)
    if suffix == ".mht":
        from retrieval.mht_reader import read_mht  # it imports Extracted from here

        return read_mht(path, raw)
    raise CorpusError(f"{path}: {suffix} files are not read (use {', '.join(SUFFIXES)})")


# -- plain text ---------------------------------------------------------------------------------

# A box drawn in characters around a passage, as licences set their disclaimers and notices:
#     ********************************
#     *  6. Disclaimer of Warranty   *
#     *  Covered Software is ...     *
#     ********************************
# a rule above and below (one character, mostly, repeated), and each line between opening
# and closing with the same side character in the rule's first and last columns.
_RULE = re.compile(r"^[*#=+~_─━═╔╗╚╝┌┐└┘╭╮╯╰-]{8,}$")
_SIDES = "*#|│┃║"


# Byte order marks, longest first (UTF-32's starts as UTF-16's does): a file that opens with
# one says its encoding, as Windows Notepad's "Unicode" (UTF-16) files do
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(path: Path, raw: bytes, declared: str, metadata: str) -> str:
    """A text file's characters: in the encoding its byte order mark says, or its metadata
    names ("encoding: windows-1251" in `metadata`, its .meta, for a file saved in an older
    code page), or UTF-8. Nothing is guessed: a code page guessed wrong changes letters (Turkish "ş"
    read as "ţ" in Central European), and a quote must be the document's own."""
    # (UTF-16 and UTF-32 write a space or a line's end with a zero byte, which no 8-bit text
    # holds: one that only opens with the same bytes, as "яю" in windows-1251, is not read so)
    encoding = next(
        (
            name
            for bom, name in _BOMS
            if raw.startswith(bom) and (name == "utf-8-sig" or b"\x00" in raw)
        ),
        "",
    )
    if not encoding and declared:
        try:
            encoding = codecs.lookup(declared).name
        except LookupError:
            raise CorpusError(
                f"{path.with_name(metadata)}: encoding {declared!r} is not one Python knows "
                "(e.g. windows-1251, windows-1254, koi8-r, utf-16)"
            ) from None
    if not encoding and b"\x00" in raw:
        raise CorpusError(f"{path}: looks like a binary file, not text")
    try:
        return raw.decode(encoding or "utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        if encoding:
            raise CorpusError(f"{path}: not valid {encoding} ({exc.reason})") from exc
        line = raw[: exc.start].count(b"\n") + 1
        raise CorpusError(
            f"{path}: line {line}: not valid UTF-8: save the file as UTF-8, or name its "
            f"encoding in {metadata} (a line 'encoding: windows-1251' for Russian "
            "in Windows's code page, 'encoding: windows-1254' for Turkish or Azerbaijani)"
        ) from exc


_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")  # a block of code's fence (CommonMark)


def opening_fence(line: str) -> str:
    """The fence a line opens a block of code with ("```", "~~~~": three backticks or
    tildes or more; backticks with none after them), or ""."""
    if line.lstrip()[:1] not in ("`", "~"):
        return ""  # (most lines: told at once)
    found = _FENCE.fullmatch(line)
    if found is None or (found.group(1)[0] == "`" and "`" in found.group(2)):
        return ""  # ("```code```" is code in a line)
    return found.group(1)


def closes_fence(fence: str, line: str) -> bool:
    """Does the line close the block `fence` opened: the same mark, at least as many,
    and nothing after them?"""
    found = _FENCE.fullmatch(line)
    return (
        found is not None
        and found.group(1)[0] == fence[0]
        and len(found.group(1)) >= len(fence)
        and not found.group(2).strip()
    )


def unframe(text: str) -> str:
    """Plain text with the boxes drawn around its passages taken off: each box's lines read
    without their sides, its rules as paragraph breaks. A reader reads the words in the box;
    a frame read as text makes clauses of asterisks and puts them in every quotation. Lines
    with a side inside ("| a | b |", a table's) are no box, nor is anything in a fenced
    code block."""
    lines = text.split("\n")
    out: list[str] = []
    fence = ""  # the fence of the block of code open, if any (opening_fence)
    at = 0
    while at < len(lines):
        line = lines[at]
        if fence:
            fence = "" if closes_fence(fence, line) else fence
            inner = None
        else:
            fence = opening_fence(line)
            inner = None if fence else _boxed(lines, at)
        if inner is None:
            out.append(line)
            at += 1
            continue
        out += ["", *inner, ""]
        at += len(inner) + 2
    return "\n".join(out)


def _boxed(lines: list[str], top: int) -> list[str] | None:
    """The lines inside a box whose top rule is lines[top], without their sides and their
    common indent; None if no box starts there."""
    rule = lines[top].rstrip()
    body = rule.lstrip()
    if not _RULE.match(body) or Counter(body).most_common(1)[0][1] < 0.7 * len(body):
        return None
    left, right = len(rule) - len(body), len(rule) - 1
    inner: list[str] = []
    side = ""
    for line in lines[top + 1 :]:
        line = line.rstrip()
        if len(line) == len(rule) and _RULE.match(line.lstrip()) and inner:
            indent = min((len(s) - len(s.lstrip()) for s in inner if s.strip()), default=0)
            return [s[indent:].rstrip() for s in inner]
        edge = line[left : left + 1]
        if len(line) != right + 1 or edge not in _SIDES or line[right] != (side or edge):
            return None
        content = line[left + 1 : right]
        if edge in content or line[:left].strip():
            return None  # a table's row, or text beside the box
        side = edge
        inner.append(content)
    return None

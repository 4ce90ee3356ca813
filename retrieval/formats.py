"""Text out of PDF, DOCX, ODT and HTML files, in the shape the segmenter reads.

Each reader returns the document's text (paragraphs separated by blank lines, headings as
markdown '#' lines) and, for paged formats, the offset where each page starts. That text is
the source clauses are quoted from. Running headers, footers and page numbers of a PDF are
removed here, so they never become clauses, and a paragraph broken by a page break is left
for the segmenter to join again. What a reader sees of HTML's structure is kept: a list's
numbers ("2.", "a.", "•") and a table's cells side by side (" | "). DOCX is read in
retrieval.docx_reader, ODT in retrieval.odt_reader, PDF in retrieval.pdf_reader (its pages
then made one text here, by paged). Plain text is read as written, but for the boxes drawn
in characters around a passage (unframe).
"""

from __future__ import annotations

import html.parser
import itertools
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retrieval.errors import CorpusError
from retrieval.numbering import list_marker

PAGED = {".pdf"}
SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".doc", ".odt", ".rtf", ".html", ".htm")
# a page's number alone on its first or last line: "12", "- 12 -", "Page 3 of 10", and the
# front matter's numbers in small roman numerals ("iv"; a capital "IV" alone may be a part's)
_PAGE_NUMBER = re.compile(
    r"^\W*(?:(?i:page\s+)?\d{1,4}(?:\s*(?:/|(?i:of))\s*\d{1,4})?|(?=[ivxlc])c{0,3}"
    r"(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3}))\W*$"
)


@dataclass(frozen=True)
class Extracted:
    text: str
    pages: tuple[int, ...] = ()  # offsets in `text` where pages 2, 3, … start
    title: str = ""


def extract(path: Path, raw: bytes, encoding: str = "") -> Extracted:
    """A document's text in the shape the segmenter reads; `encoding`: the one its metadata
    names (read by an HTML page, whose own declaration it overrides)."""
    suffix = path.suffix.lower()
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
    if suffix in (".html", ".htm"):
        return _html(path, raw, encoding)
    raise CorpusError(f"{path}: {suffix} files are not read (use {', '.join(SUFFIXES)})")


# -- pages: PDF, and plain text in pages ------------------------------------------------------


def _clean_page(text: str) -> list[str]:
    lines = [line.strip() for line in text.replace("\r", "").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", line.lower())


def _running(pages: list[list[str]], end: int) -> set[str]:
    """Line shapes that repeat at the same end (0 top, -1 bottom) of most pages."""
    if len(pages) < 2:
        return set()
    counts = Counter(_shape(p[end]) for p in pages if p)
    return {shape for shape, n in counts.items() if n >= max(2, (len(pages) + 1) // 2)}


# a page number set apart from a running head's words: "Chapter 4: Function reference    23"
_SET_APART_NUMBER = re.compile(r"^\d{1,4}\s{3,}|\s{3,}\d{1,4}$")


def _chapter_heads(pages: list[list[str]], end: int) -> set[str]:
    """Lines that stand at the same end (0 top, -1 bottom) of two pages in a row, word for
    word but for a page number set apart from them: a running head that changes with the
    chapter ("Chapter 4: Function reference      23" over a chapter's pages), which
    _running, counting over the whole document, misses. A heading that opens two pages in
    a row differs in its number ("Article 4", "Article 5"), which is no page number. The
    first page's lines are the document's own (the GNU GPL 1 sets its title over its first
    two pages), unless they stand on most pages (_running)."""
    ends = [_SET_APART_NUMBER.sub("", p[end]) if p else "" for p in pages[1:]]
    return {a for a, b in itertools.pairwise(ends) if a and a == b}


def _running_head(line: str, shapes: set[str], heads: set[str]) -> bool:
    return _shape(line) in shapes or _SET_APART_NUMBER.sub("", line) in heads


def paged(texts: list[str]) -> Extracted:
    """The text of a document's pages (a PDF's, or plain text with a form feed between pages,
    as pdftotext writes it) without the running headers, footers and page numbers at either
    end of its pages; its title is the running header when it has one, which is often the
    document's title set over every page ("Shared MIME-info Database")."""
    pages = [_clean_page(text) for text in texts]
    heads, feet = _running(pages, 0), _running(pages, -1)
    first = next((p[0] for p in pages if p), "")
    header = first if _shape(first) in heads and sum(c.isalpha() for c in first) >= 4 else ""
    chapters = _chapter_heads(pages, 0), _chapter_heads(pages, -1)
    for lines in pages:
        while lines and (
            _running_head(lines[0], heads, chapters[0]) or _PAGE_NUMBER.match(lines[0])
        ):
            lines.pop(0)
        while lines and (
            _running_head(lines[-1], feet, chapters[1]) or _PAGE_NUMBER.match(lines[-1])
        ):
            lines.pop()
    out, starts = "", []
    for number, lines in enumerate(pages):
        if number:
            out += "\n\n"
            starts.append(len(out))
        out += "\n".join(_paragraphs(lines))
    return Extracted(out, tuple(starts), " ".join(header.split()))


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines with runs of blank lines folded to one (a paragraph break)."""
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return out


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
_FENCE = re.compile(r"^\s*(```|~~~)")


def unframe(text: str) -> str:
    """Plain text with the boxes drawn around its passages taken off: each box's lines read
    without their sides, its rules as paragraph breaks. A reader reads the words in the box;
    a frame read as text makes clauses of asterisks and puts them in every quotation. Lines
    with a side inside ("| a | b |", a table's) are no box, nor is anything in a fenced
    code block."""
    lines = text.split("\n")
    out: list[str] = []
    fenced = False
    at = 0
    while at < len(lines):
        line = lines[at]
        if _FENCE.match(line):
            fenced = not fenced
        inner = None if fenced else _boxed(lines, at)
        if inner is None:
            out.append(line)
            at += 1
            continue
        out += ["", *inner, ""]
        at += len(inner) + 2
    return "\n".join(out)


# what a markdown reader never sees: comments ("<!-- TOC -->") and the definitions of
# links written by reference ("[nodejs/node]: https://github.com/nodejs/node")
_HIDDEN_MARKDOWN = re.compile(r"<!--.*?-->|^ {0,3}\[[^\]\n]+\]:[ \t]*\S+[^\n]*$", re.S | re.M)


def unseen_markdown(text: str) -> str:
    """Markdown without what its reader never sees: the text clauses are quoted from."""
    return _HIDDEN_MARKDOWN.sub("", text)


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


# -- HTML ---------------------------------------------------------------------------------------

_SKIP = {
    "script",
    "style",
    "nav",
    "header",
    "footer",
    "aside",
    "noscript",
    "template",
    "svg",
    "form",
    "button",
    "iframe",
}
_BLOCK = {
    "p",
    "div",
    "li",
    "section",
    "article",
    "main",
    "blockquote",
    "tr",
    "table",
    "ul",
    "ol",
    "dd",
    "dt",
    "br",
    "hr",
    "pre",
    "figure",
    "figcaption",
    "address",
}
_HEADING = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# what the skipped elements are, said by role ("<div class="related" role="navigation">", as
# Sphinx sets its breadcrumbs): ARIA's landmarks for them
_SKIP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search"}


_CELL = {"td", "th"}


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.skipping = 0
        self.heading = 0
        self.in_title = False
        self.title = ""
        self.lists: list[list[Any]] = []  # open lists, innermost last: [kind, last number]
        self.cells = 0  # cells begun in the current table row
        self.in_cell = 0  # open table cells: their paragraphs run on within the row
        self.marker = ""  # a list item's number, for the first text in the item
        self.landmark: list[Any] = []  # an element skipped for its role: [tag, depth]
        # a link to a place in the page itself ("<a href="#scope">"), while in one, and the
        # places the current block's text links to; whether it has text outside such links
        self.anchor: str | None = None
        self.anchor_at = 0  # where its text starts in `current`
        self.linked: set[str] = set()
        self.unlinked = False
        self.term = False  # a definition list's term just read: its definition runs on

    def _flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text and len(self.linked) == 1 and not self.unlinked and not self.heading:
            # a block (a list's item, as a rule) that is only a link to a place in the page,
            # and its number: a table of contents' entry, or a "Back to top"; written as
            # markdown writes one (retrieval.contents), so it is no clause
            text = f"[{text}]({next(iter(self.linked))})"
        self.linked, self.unlinked, self.term = set(), False, False
        if text:
            # an item of a nested list stands further in, as the browser shows it
            indent = "  " * (len(self.lists) - 1) if self.marker and self.lists else ""
            text, self.marker = indent + self.marker + text, ""
            self.blocks.append(("#" * self.heading + " " + text) if self.heading else text)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if self.landmark and tag == self.landmark[0]:
            self.landmark[1] += 1
        elif not self.landmark and (named.get("role") or "").lower() in _SKIP_ROLES:
            self.landmark = [tag, 1]
            self.skipping += 1
        if tag in _SKIP:
            self.skipping += 1
        elif tag == "a":
            href = named.get("href") or ""
            self.anchor = href if href.startswith("#") and len(href) > 1 else None
            self.anchor_at = len(self.current)
        elif tag == "title":
            self.in_title = True
        elif tag in _HEADING:
            self._flush()
            self.heading = _HEADING[tag]
        elif tag in _CELL and not self.skipping:
            if self.cells:  # cells side by side, as the table shows them
                self.current.append(" | ")
            self.cells += 1
            self.in_cell += 1
        elif tag in _BLOCK and self._within_cell(tag):
            self.current.append(" ")
        elif tag in ("dd", "p") and self.term:
            # a term's definition (and its first paragraph) runs on from the term, one block:
            # "default-version: The name of the interpreter …"
            if tag == "dd":  # after the term's own colon, if it has one ("Authors:")
                self.current.append(" " if "".join(self.current).rstrip().endswith(":") else ": ")
            else:
                self.term = False
        elif tag in _BLOCK:
            self._flush()
            self._block_begins(tag, named)

    def _within_cell(self, tag: str) -> bool:
        """Is a block's tag one that a table cell holds (a paragraph, a line break, a list:
        "<td><p>Cable</p></td>", as LibreOffice and Word write every cell), read as a space
        in the cell's text? A row is a block, its cells side by side."""
        return bool(self.in_cell) and tag not in ("tr", "table")

    def _block_begins(self, tag: str, attrs: dict[str, str | None]) -> None:
        if tag == "tr":
            self.cells = self.in_cell = 0
        elif tag in ("ol", "ul"):
            kind = (attrs.get("type") or "1") if tag == "ol" else "•"
            start = attrs.get("start") or "1"
            self.lists.append([kind, int(start) - 1 if start.strip().isdigit() else 0])
        elif tag == "li" and self.lists and not self.skipping:
            # the number a browser shows is part of the text a reader sees and cites
            level = self.lists[-1]
            value = attrs.get("value") or ""
            level[1] = int(value) if value.strip().isdigit() else level[1] + 1
            # before the item's text, in whichever block of the item it stands ("<li><p>")
            self.marker = list_marker(level[0], level[1]) + " "

    def handle_endtag(self, tag: str) -> None:
        if self.landmark and tag == self.landmark[0]:
            self.landmark[1] -= 1
            if not self.landmark[1]:
                self.landmark = []
                self.skipping = max(0, self.skipping - 1)
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "a":
            shown = "".join(self.current[self.anchor_at :])
            if self.anchor and not any(c.isalnum() for c in shown):
                # a permalink ("¶", "#", "§" after a heading, as Sphinx and wikis set them)
                del self.current[self.anchor_at :]
                self.linked.discard(self.anchor)
            self.anchor = None
        elif tag == "title":
            self.in_title = False
        elif tag in _HEADING:
            self._flush()
            self.heading = 0
        elif tag in _CELL:
            self.in_cell = max(0, self.in_cell - 1)
        elif tag in _BLOCK and self._within_cell(tag):
            self.current.append(" ")
        elif tag == "dt" and "".join(self.current).strip():
            self.term = True  # its definition follows, in the same block
        elif tag in _BLOCK:
            self._flush()
            if tag in ("tr", "table"):
                self.in_cell = 0  # its cells end with it, their end tags written or not
            if tag in ("ol", "ul") and self.lists:
                self.lists.pop()
                self.marker = ""

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
        elif not self.skipping:
            self.current.append(data)
            if self.anchor:
                self.linked.add(self.anchor)
            elif any(ch.isalpha() for ch in data):  # words, not an entry's number ("1. ")
                self.unlinked = True


def _html(path: Path, raw: bytes, encoding: str = "") -> Extracted:
    """An HTML page's text, in the encoding its metadata names, or UTF-8, or as the page
    declares it (windows-1252 when it declares none, as browsers read such pages)."""
    try:
        if encoding:
            markup = raw.decode(encoding)
        else:
            try:
                markup = raw.decode("utf-8")
            except UnicodeDecodeError:
                charset = re.search(rb"charset=[\"']?([\w-]+)", raw[:2048])
                markup = raw.decode(charset.group(1).decode() if charset else "cp1252")
    except (LookupError, UnicodeDecodeError):
        raise CorpusError(
            f"{path}: the HTML is not in {encoding or 'a known encoding'}"
            f"{'' if encoding else ' (name it in its .meta: encoding: windows-1251)'}"
        ) from None
    parser = _Text()
    parser.feed(markup)
    parser.close()
    parser._flush()
    return Extracted("\n\n".join(parser.blocks), (), " ".join(parser.title.split()))

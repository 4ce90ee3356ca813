"""The text of a document set in pages (a PDF's, or plain text with a form feed between
pages, as pdftotext writes it): its running headers, footers and page numbers left out at
either end of each page, its paragraphs and tables' ends as the segmenter reads them."""

from __future__ import annotations

import itertools
import re
from collections import Counter

from retrieval.formats import TABLE_BREAK, Extracted

# a page's number alone on its first or last line: "12", "- 12 -", "Page 3 of 10", and the
# front matter's numbers in small roman numerals ("iv"; a capital "IV" alone may be a part's)
_PAGE_NUMBER = re.compile(
    r"^\W*(?:(?i:page\s+)?\d{1,4}(?:\s*(?:/|(?i:of))\s*\d{1,4})?|(?=[ivxlc])c{0,3}"
    r"(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3}))\W*$"
)


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
    """Lines with runs of blank lines folded to one (a paragraph break); two where a table
    ends (TABLE_BREAK)."""
    out: list[str] = []
    for line in lines:
        if line == TABLE_BREAK:
            while out and not out[-1]:
                out.pop()
            out.extend(["", ""] if out else [])
        elif line or (out and out[-1]):
            out.append(line)
    return out

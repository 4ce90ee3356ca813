"""A clause as a reader sees it: its lines reflowed where a page wrapped them, its own kept.

A clause's text is the document's, line breaks and all. Some of those breaks are the
document's own (an address's lines, a signature under "Best regards,", Shift+Enter in Word);
in a PDF or a text file wrapped at a fixed width, most are where the page ran out of room.
Shown as set, such a paragraph is ragged on a phone's narrow screen; folded to one line, an
address runs together and a word broken after its hyphen at a line's end reads "state-of-
the-art". The break is told apart as a typesetter makes it: a line is wrapped when the next
line's first word would not have fitted on it, within the width the document's lines are
wrapped at (`wrap_width`), which a document whose lines are not wrapped does not have.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

import numpy as np

from retrieval.types import Clause

# how a table's row sets its cells apart in a clause ("Licence | Fee | Term")
ROW_SEPARATOR = " | "

# the formats whose lines a page or an editor may have wrapped at a width; the others (DOCX,
# ODT, RTF, .doc, HTML) write a paragraph on one line, and a line break in it is the
# document's own
WRAPPED_FORMATS = frozenset({"pdf", "txt", "md"})
# a document's width is read from the lines that go on when this many do
MIN_LINES = 5
# the width: this quantile of those lines' lengths, in characters (the longest lines fill
# the measure; a few run past it in a proportional font's narrow letters)
WIDTH_QUANTILE = 90
# a line is wrapped when it and the next line's first word are longer than this share of
# the width: a proportional font sets more or fewer characters to a line than the
# document's usual. On 60 DOCX documents saved as PDF by LibreOffice (six fonts, 9 to
# 14 pt, justified or not; blocks of lines broken by hand among the paragraphs), 0.8 read
# every one of 1,143 wrapped lines as wrapped and 7 of 109 lines broken by hand
# as wrapped, each over 0.8 of the width long (0.9: 19 and 3)
FILLED = 0.8

_SPACE = re.compile(r"\s+")
# a word broken after its hyphen: a letter or a digit, "-", then the next line's
# ("state-of-" / "the-art", "licensing-procedures-" / "2016.pdf")
_HYPHEN_END = re.compile(r"[^\W_]-$")
# a dash set close between two words, a slash in a web address or a path, or an underscore
# in a name of code, where the page may break a line as after a hyphen ("Normans—" /
# "formerly of Oursel", "1990–" / "2000", "https://example.gov.az/en/" / "regulations.pdf",
# "ASN1_" / "MAX_LENGTH_SIZE" as a manual sets it); shown on, with no space, where the page
# wrapped the line there
_BREAK_AFTER = re.compile(r"[^\W_][–—/_]$")


def wrap_width(format_: str, clauses: Iterable[Clause]) -> int:
    """The width in characters a document's lines are wrapped at: of its clauses' lines
    that the next line continues, the WIDTH_QUANTILE of their lengths, or where fewer than
    MIN_LINES go on, the longest of its lines (a wrapped line is no longer); 0 where its
    format does not wrap lines or none goes on. A letter's parts (an address, a signature)
    and a table's rows are left out: their lines are the document's own."""
    if format_ not in WRAPPED_FORMATS:
        return 0
    continued: list[int] = []
    every: list[int] = []
    for clause in clauses:
        lines = [x.strip() for x in clause.text.split("\n") if x.strip()]
        if clause.label or any(ROW_SEPARATOR in line for line in lines):
            continue
        continued += [len(line) for line in lines[:-1]]
        every += [len(line) for line in lines]
    if not continued:
        return 0
    if len(continued) < MIN_LINES:
        return max(every)
    return round(float(np.percentile(continued, WIDTH_QUANTILE)))


def _joint(text: str, start: int, end: int, width: int) -> str:
    """What the run of white space text[start:end], between two words, is shown as."""
    if "\n" not in text[start:end]:
        return " "
    line = text[text.rfind("\n", 0, start) + 1 : start].strip()
    word = _first_word(text, end)
    if width and _HYPHEN_END.search(line) and word[0].isalnum():
        return ""  # "state-of-" / "the-art": the word whole, its hyphen kept
    if width and len(line) + 1 + len(word) > FILLED * width:
        return "" if _BREAK_AFTER.search(line) and word[0].isalnum() else " "
    return "\n"


def _first_word(text: str, at: int) -> str:
    found = _SPACE.search(text, at)
    return text[at : found.start() if found else len(text)]


def shown(
    text: str,
    width: int = 0,
    marks: Mapping[int, str] | None = None,
    escape: Callable[[str], str] = str,
) -> str:
    """The text for reading: a line the page wrapped (`width`, see wrap_width) goes on
    after a space, or after nothing where it breaks a word after its hyphen; a line break
    of the document's own (and a page break or a blank line, as one) is kept; other runs
    of white space are one space, and none at either end. `marks` are put in at offsets of
    the text (a sentence's bold tags: one at a run of white space's start goes before what
    it is shown as, one in it or at its end after), `escape` is applied to the text."""
    pieces: list[tuple[int, int, str | None]] = []  # (start, end, shown as; None: as is)
    at = 0
    for gap in _SPACE.finditer(text):
        if gap.start() > at:
            pieces.append((at, gap.start(), None))
        inner = gap.start() > 0 and gap.end() < len(text)  # none shown at either end
        pieces.append((gap.start(), gap.end(), _joint(text, *gap.span(), width) if inner else ""))
        at = gap.end()
    if at < len(text):
        pieces.append((at, len(text), None))
    cuts = sorted((marks or {}).items())
    out: list[str] = []
    for start, end, shown_as in pieces:
        if shown_as is None:
            for offset, mark in [c for c in cuts if start <= c[0] < end]:
                out += [escape(text[start:offset]), mark]
                start = offset
            out.append(escape(text[start:end]))
        else:
            out += [mark for offset, mark in cuts if offset == start]
            out.append(shown_as)
            out += [mark for offset, mark in cuts if start < offset < end]
    out += [mark for offset, mark in cuts if offset >= len(text)]
    return "".join(out)

"""A PDF's footnotes and endnotes, read as the other readers write them: each mark where the
text calls it ("year[1]"), each note after the text that calls it ("[1] Excluding VAT."),
where layout mode reads a mark as a digit run into its word ("year1") and a note as a line
at the page's foot (retrieval.pdf_reader)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Any

SUPERSCRIPT = 0.8  # a footnote mark's size, at most, of the text it follows
RAISED = 0.2  # ... and how far above that text's baseline it stands, in that text's size
# a footnote mark: a number (set apart: footnote_marks); or an endnote's in small roman
# numerals, as Word and LibreOffice number endnotes, where a document may have them
_MARK_RUN = re.compile(r"\d{1,3}")
_ROMAN_MARK_RUN = re.compile(r"\d{1,3}|[ivx]{1,5}")
_MARKED_WORD = re.compile(r"[^\W\d_]{2,}[.,;:)]?\d{1,3}(?![\w-])")  # "year1", "year.1"
# an endnote, its mark in roman numerals: "i   Decision 12 of 2013."
_ROMAN_NOTE = re.compile(r"^[ \t]*([ivx]{1,5})[ \t]+\S", re.M)
_ROMAN = "i ii iii iv v vi vii viii ix x xi xii xiii xiv xv xvi xvii xviii xix xx".split()
_LAST_WORD = re.compile(r"\S{1,20}$")


def endnote_marks(texts: Sequence[str]) -> re.Pattern[str] | None:
    """A word that ends in a numeral an endnote may be marked with ("Board.i"), where the
    document's pages have lines that open with such numerals, as endnotes do ("i Decision
    12 of 2013."), from "i" on in turn: two or more, or "i" on its last page. None where
    they have none: no page is read twice for them (footnote_marks)."""
    opening = {m.group(1) for text in texts for m in _ROMAN_NOTE.finditer(text)}
    numerals = list(itertools.takewhile(opening.__contains__, _ROMAN))
    last = texts[-1] if texts else ""
    if len(numerals) < 2 and not any(m.group(1) == "i" for m in _ROMAN_NOTE.finditer(last)):
        return None
    return re.compile(rf"[^\W\d_]{{2,}}[.,;:)]?(?:{'|'.join(numerals)})(?![\w-])")


def footnote_marks(text: str, page: Any, roman: bool = False) -> tuple[str, list[str]]:
    """A page's text with its footnote marks written as the DOCX and ODT readers write them:
    "year[1]", and the note at the page's foot "[1] Through the portal."; a clause is then
    quoted with the notes it calls (LoadedIndex.footnotes). Layout mode writes a mark set
    in superscript as if it were part of the word ("year1."), which no reader reads. A mark
    is digits set smaller (SUPERSCRIPT of the text before it, or less) and raised (RAISED
    of that text's size, or more) right after a word, as pypdf's plain reading gives each
    run of text with its size and position; a page with no word followed by digits is not
    read twice, unless `roman` (a word of it ends in a numeral that opens a line of the
    document, as an endnote's mark does: only then is a numeral a mark). Also the marks
    whose notes the page does not hold, where they are roman numerals (endnotes, at the
    document's end: see endnotes). A number set raised right before a letter is no mark
    ("x2k": a power)."""
    if not (roman or _MARKED_WORD.search(text)):
        return text, []
    runs: list[tuple[str, float, float]] = []  # text, size, baseline

    def seen(
        run: str, matrix: Sequence[float], tm: Sequence[float], font: Any, size: float
    ) -> None:
        if run:  # pypdf also reports the runs of nothing between them
            scale = abs(tm[3] * matrix[3]) or 1.0
            runs.append((run, size * scale, tm[5] * matrix[3] + matrix[5]))

    try:
        page.extract_text(visitor_text=seen)
    except (ValueError, KeyError, TypeError, IndexError):  # a mark unread: the text as set
        return text, []
    marks: list[tuple[str, str]] = []  # the word before, the mark
    for (before, size, base), (run, small, raised) in itertools.pairwise(runs):
        mark = run.strip()
        if (
            (_ROMAN_MARK_RUN if roman else _MARK_RUN).fullmatch(mark)
            and before[-1:].strip()  # right after a word or a stop, no space between
            and size > 0
            and small <= SUPERSCRIPT * size
            and raised - base >= RAISED * size
        ):
            marks.append((_LAST_WORD.search(before).group(), mark))  # type: ignore[union-attr]
    at = 0
    noted: list[str] = []
    for word, mark in marks:
        found = text.find(word + mark, at)
        after = found + len(word) + len(mark)
        if found < 0 or text[after : after + 1].isalnum():  # "year12", "Board.iv": not all
            continue
        text = f"{text[: after - len(mark)]}[{mark}]{text[after:]}"
        at = after + 2
        noted.append(mark)
    unplaced = []
    for mark in noted:  # each note at the page's foot, below its mark: "1 Through" -> "[1] …"
        placed = _note(text, mark, at)
        if placed is None and mark.isalpha():  # an endnote's (a footnote is on its page)
            unplaced.append(mark)
        text = placed or text
    return text, unplaced


def _note(text: str, mark: str, start: int) -> str | None:
    """The text with the last line from `start` on that opens with the note `mark` calls
    ("1 Through the portal.", or "1Through …", where the note's mark is set raised right
    before it, as LibreOffice sets one) written as the readers write a note ("[1] Through
    …"); None if no line does."""
    lines = [
        match
        for match in re.finditer(rf"^([ \t]*){mark}(?:(?=[ \t]+\S)|([^\W\d_]))", text[start:], re.M)
        if match.group(2) is None or match.group(2).isupper()  # "1st" opens no note
    ]
    if not lines:
        return None
    match = lines[-1]  # the last such line: a page's foot is its bottom
    begin = start + match.start()
    end = start + match.end() - len(match.group(2) or "")
    space = " " if match.group(2) else ""
    return f"{text[:begin]}{match.group(1)}[{mark}]{space}{text[end:]}"


def endnotes(pages: Sequence[tuple[str, list[str]]]) -> list[str]:
    """The pages' texts, each note that a page calls but does not hold (an endnote, which
    Word and LibreOffice set at the document's end, numbered in roman numerals) written as
    the readers write a note where it stands, on the last of the pages after its mark's
    that holds a line opening with it."""
    texts = [text for text, _ in pages]
    for at, (_, unplaced) in enumerate(pages):
        for mark in unplaced:
            for later in range(len(texts) - 1, at, -1):
                placed = _note(texts[later], mark, 0)
                if placed is not None:
                    texts[later] = placed
                    break
    return texts

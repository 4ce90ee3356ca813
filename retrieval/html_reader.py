"""Text out of HTML pages (.html, .htm, .xhtml), in the shape the segmenter reads (see
retrieval.formats).

What a reader sees of a page's structure is kept: headings as markdown '#' lines, a list's
numbers ("2.", "a.", "•"), a table's cells side by side (" | "), a definition list's term
with its definition; what is no part of the document is left out: scripts, styles,
navigation, headers and footers (by element or by ARIA role), a heading's permalink ("¶"),
a table of contents of same-page links, and a bar of links from page to page (what links
are to the text: retrieval.html_links).
"""

from __future__ import annotations

import html.parser
import re
from pathlib import Path
from typing import Any

from retrieval.contents import contents_entry
from retrieval.css import PageStyles, hidden, reader_only
from retrieval.errors import CorpusError
from retrieval.formats import (
    TABLE_END,
    Body,
    Code,
    Extracted,
    Joined,
    fold_spaces,
    join_blocks,
)
from retrieval.html_elements import (
    BLOCK,
    CELL,
    HEADING,
    RUNNING,
    SKIP,
    SKIP_ROLES,
    VOID,
)
from retrieval.html_links import NOTES, Entry, Links, named_as, settled
from retrieval.html_open import OpenElements
from retrieval.html_rows import RowCells
from retrieval.html_scopes import HeadingScopes
from retrieval.numbering import list_marker

SUMMARY_LEVEL = 6  # a <summary>'s text heads its <details> as the deepest heading does
# a sentence said in a summary ("… repositories. Click here"), which makes it text
_SENTENCE = re.compile(r"[.!;:](?:\s|$)")
# a definition list's term that ends so runs into its definition after a space, not ": "
_TERM_ENDS = set(":?")
_BREAKS = re.compile(r"\n(?:\n)+")  # line breaks (<br>) in a row: a paragraph's end, once


class _Text(html.parser.HTMLParser):
    def __init__(self, styles: PageStyles, fragment: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.styles = styles
        self.open = OpenElements()  # innermost last, and what sets their text apart (css)
        self.plain = False  # the current block has words set as body text
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.skipping = 0
        self.heading = 0
        self.in_title = False
        self.title = ""
        self.lists: list[list[Any]] = []  # open lists, innermost last: [kind, last number]
        self.row = RowCells()  # the table row's cells, as they stand
        self.in_row = False  # a row begun, its end not yet read
        self.last_row = ""  # the table's row before, as read
        # where the table's blocks start in `blocks`, and its rows left out (contents,
        # navigation)
        self.table_at = self.left_out = 0
        self.in_cell = 0  # open table cells: their paragraphs run on within the row
        self.marker = ""  # a list item's number, for the first text in the item
        self.landmark: list[Any] = []  # an element skipped for its role: [tag, depth]
        self.links = Links()
        self.asides: list[bool] = []  # the asides open, innermost last: each skipped or not
        self.term = False  # a definition list's term just read: its definition runs on
        self.defined = False  # the current block is a term and its definition
        self.scopes = HeadingScopes()  # how far each heading reaches (a note's title: the note)
        # the summaries open, innermost last: where their <details> stands among the open
        # elements, and whether a heading was read in it
        self.summaries: list[list[Any]] = []
        # a piece of a markdown page (its HTML blocks), where a <details> may end in a later
        # piece: no summary heads it (a README's "Click to expand" would head all after)
        self.fragment = fragment

    def _flush(self, bound: int | None = None) -> None:
        # the page's line breaks (<br>) kept, as the other readers keep a paragraph's
        text = _BREAKS.sub("\n\n", fold_spaces("".join(self.current)))
        place = self.links.entry() if text and not self.heading else None
        if not self.heading and (
            self.links.navigation()
            or self.links.bar()
            or self.links.breadcrumbs(" ".join(self.title.split()))
        ):
            # links to the next page and the one before, or above, or a site's bar: none
            text, place = "", None
        if self.heading:
            text = self.links.titled(" ".join(text.split()))
        # a paragraph with words set as body text is no heading, however short (css)
        body = self.plain and not (self.heading or self.marker or self.in_cell)
        # (a paragraph's, or a term's with its definition: "-v: verbose output", not a
        # heading over the options after it; or what a <div> holds of its own, as a page
        # sets a date's line or an author's: "<div>Published: 5 November 2012</div>")
        body = body and (self.open.count("p") > 0 or self.defined or self.open.in_container())
        # and preformatted text is text, whatever its lines say ("# install it": code)
        code = self.open.count("pre") > 0 and not self.in_cell
        self.links.block_ends()
        self.term = self.plain = self.defined = False
        if text:
            # an item of a nested list stands further in, as the browser shows it
            indent = "  " * (len(self.lists) - 1) if self.marker and self.lists else ""
            if self.marker.startswith("[") and text.startswith(self.marker.rstrip()):
                self.marker = ""  # a note that opens with its own number ("[1] …"): once
            opening, self.marker = indent + self.marker, ""
            shown = opening + text
            if self.heading:
                shown = "#" * self.heading + " " + shown
                if self.summaries:  # a heading of the summary's own: the summary is none
                    self.summaries[-1][1] = True
                parent = len(self.open) - 2 if bound is None else bound
                self.scopes.heading(parent, self.heading, shown, held=bound is not None)
            else:
                self._restore_heading()
                if code:
                    shown = Code(shown)
                elif body:
                    shown = Body(shown)
            # (its brackets as markdown can read them: "listen(port[, host])"; the text it
            # shows, where it is the text's, is kept as it stands)
            written = contents_entry(text, place) if place else None
            if written:
                # a block (a list's item, as a rule) that is only a link to a place in the
                # page or another, and its number: a table of contents' entry, a menu's, or
                # a "Back to top"; written as markdown writes one (retrieval.contents), so
                # that it is no clause where it stands in a table (html_links.settled)
                shown = Entry(opening + written, shown)
            self.blocks.append(shown)
        self.current = []

    def _restore_heading(self) -> None:
        """Text is read: the heading in force is written again before it, where the one over
        the text before has ended (a note's title, html_scopes)."""
        restored = self.scopes.text()
        if restored is not None:
            self.blocks.append(restored)

    def _summary_ends(self) -> None:
        """A <summary> ends: its text heads its <details> alone, unless it holds a heading
        (rustdoc's method) or says a sentence (html_scopes)."""
        details, headed = self.summaries.pop()
        text = " ".join("".join(self.current).split())
        if headed or not text or _SENTENCE.search(text) or self.fragment:
            self._flush()
            return
        self.heading = SUMMARY_LEVEL
        self._flush(details)
        self.heading = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if self.landmark and tag == self.landmark[0]:
            self.landmark[1] += 1
        elif (
            not self.landmark
            and tag not in VOID
            and (
                (named.get("role") or "").lower() in SKIP_ROLES
                or (tag == "div" and (named.get("title") or "").lower() in RUNNING)
                or hidden(named)
                # text for a screen reader alone ("(opens in a new tab)"); but a heading's
                # names the part under it, as a citation does ("Footnotes")
                or (tag not in HEADING and reader_only(named))
            )
        ):
            # skipped with what it holds: a landmark, or an element the page does not show
            self.landmark = [tag, 1]
            self.skipping += 1
        if tag == "aside":
            # an aside is no part of the text, but a note set in one is (EPUB's footnotes),
            # numbered as its mark is
            self.asides.append(not named_as(named, NOTES))
            self.skipping += int(self.asides[-1])
            called = self.links.notes.get(named.get("id") or "")
            if called and not self.skipping:
                self._flush()
                self.marker = f"[{called}] "
        elif tag in SKIP:
            self.skipping += 1
        elif tag == "a" and not self.skipping:
            self.links.opens(named, len(self.current), self.open.count("sup") > 0)
        elif tag == "sup" and self.open.count("a"):
            self.links.raised = True  # a link's text raised: "<a href='#n1'><sup>1</sup></a>"
        elif tag == "br" and not self.skipping:
            # a line break: within a cell's or a heading's text, a space
            self.current.append(" " if self.in_cell or self.heading else "\n")
        elif tag == "title":
            self.in_title = True
        elif tag in HEADING:
            self._flush()
            self.heading = HEADING[tag]
        elif tag in CELL and not self.skipping:
            self.row.cell_begins(self.current, named.get("rowspan"), named.get("colspan"))
            self.in_cell += 1
        elif tag in BLOCK and self._within_cell(tag):
            self.current.append(" ")
            if tag in ("ol", "ul", "li"):  # a list in a cell: its items' numbers in the row
                self._block_begins(tag, named)
                self.current.append(self.marker)
                self.marker = ""
        elif tag in ("dd", "p") and self.term:
            # a term's definition (and its first paragraph) runs on from the term, one block:
            # "default-version: The name of the interpreter …"
            if tag == "dd":  # after the term's own stop, if it has one ("Authors:", "Why?")
                ends = "".join(self.current).rstrip()[-1:]
                self.current.append(" " if ends in _TERM_ENDS else ": ")
                self.defined = True
            else:
                self.term = False
        elif tag in BLOCK:
            if tag in ("tr", "table"):
                self._row_ends()  # (its end tag left out)
            self._flush()
            self._block_begins(tag, named)
        if tag not in VOID:
            if tag in BLOCK or tag in HEADING:
                self._close("p")  # a block begins: an open paragraph ends, as browsers read
                self.open.blocks_begin()
            self.open.opens(tag, self.styles.apart(tag, named))

    def _close(self, tag: str) -> None:
        """The innermost open `tag` ends, and the elements inside it (their end tags left
        out); nothing when none is open."""
        if self.open.closes(tag):
            self.scopes.closed(len(self.open))

    def _row_ends(self) -> None:
        """A table's row ends (at its end tag, or the next row's start where it has none):
        its cells merged down from above, after its last, read in; a row the one before
        says word for word read once (formats.join_blocks), and one of links alone to
        places in the page or its set (a table of contents), or from page to page (the way
        through a manual), not at all."""
        if self.in_row:
            self.row.cell_ends(self.current)
            self.row.merged_down(self.current, every=True)
            self.in_row = False
            shown = " ".join("".join(self.current).split())
            if shown and shown == self.last_row:
                self.current = []
            elif self.links.contents() or self.links.navigation():
                self.current = []
                self.left_out += 1
            self.last_row = shown

    def _within_cell(self, tag: str) -> bool:
        """Is a block's tag one that a table cell holds (a paragraph, a line break, a list:
        "<td><p>Cable</p></td>", as LibreOffice and Word write every cell), read as a space
        in the cell's text? A row is a block, its cells side by side."""
        return bool(self.in_cell) and tag not in ("tr", "table")

    def _block_begins(self, tag: str, attrs: dict[str, str | None]) -> None:
        if tag == "tr":
            self.row.row_begins()
            self.in_cell, self.in_row = 0, not self.skipping  # (a row the page hides: none)
        elif tag == "table":
            self.row.table_begins()
            self.last_row = ""
            self._restore_heading()  # before the table: a table left out whole takes none
            self.table_at, self.left_out = len(self.blocks), 0
        elif tag == "summary":
            self.summaries.append([len(self.open) - 1, False])
        elif tag in ("ol", "ul"):
            kind = (attrs.get("type") or "1") if tag == "ol" else "•"
            start = attrs.get("start") or "1"
            self.lists.append([kind, int(start) - 1 if start.strip().isdecimal() else 0])
        elif tag == "li" and self.lists and not self.skipping:
            # the number a browser shows is part of the text a reader sees and cites
            level = self.lists[-1]
            value = attrs.get("value") or ""
            level[1] = int(value) if value.strip().isdecimal() else level[1] + 1
            # before the item's text, in whichever block of the item it stands ("<li><p>")
            self.marker = list_marker(level[0], level[1]) + " "
            called = self.links.notes.get(attrs.get("id") or "")
            if called:  # a list of notes (pandoc's, kramdown's): the item a mark links to
                self.marker = f"[{called}] "

    def handle_endtag(self, tag: str) -> None:
        if self.landmark and tag == self.landmark[0]:
            self.landmark[1] -= 1
            if not self.landmark[1]:
                self.landmark = []
                self.skipping = max(0, self.skipping - 1)
        if tag == "aside":
            self.skipping = max(0, self.skipping - (self.asides.pop() if self.asides else 1))
        elif tag in SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "a" and not self.skipping:
            self.links.closes(self.current)
        elif tag == "title":
            self.in_title = False
        elif tag in HEADING:
            self._flush()
            self.heading = 0
        elif tag == "summary" and self.summaries and not self.in_cell:
            self._summary_ends()
        elif tag in CELL:
            self.in_cell = max(0, self.in_cell - 1)
            self.row.cell_ends(self.current)
        elif tag in BLOCK and self._within_cell(tag):
            self.current.append(" ")
            if tag in ("ol", "ul") and self.lists:
                self.lists.pop()
        elif tag == "dt" and "".join(self.current).strip():
            self.term = True  # its definition follows, in the same block
        elif tag in BLOCK:
            if tag in ("tr", "table"):
                self._row_ends()
            one = self.row.cells == 1 and self.row.spanned
            if tag == "tr" and one and "".join(self.current).strip():
                # a title merged across the table's columns: a row of one cell, the table's
                # (formats.join_blocks writes the other readers' so)
                self.current = ["| ", *self.current, " |"]
            self._flush()
            if tag in ("tr", "table"):
                self.in_cell = 0  # its cells end with it, their end tags written or not
            if tag == "table" and self.left_out and len(self.blocks) <= self.table_at + 1:
                del self.blocks[self.table_at :]  # a table of contents' head alone: none
            elif tag == "table":
                self.blocks.append(TABLE_END)
            if tag in ("ol", "ul") and self.lists:
                self.lists.pop()
                self.marker = ""
        self._close(tag)

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
        elif not self.skipping:
            # a line break in the markup is a space on the page (<br> is a line break), but
            # one in preformatted text (<pre>) is a line break too
            kept = not self.in_cell and self.open.count("pre") > 0
            self.current.append(
                data.replace("\r", "" if kept else " ").replace("\n", "\n" if kept else " ")
            )
            if not self.plain and any(ch.isalpha() for ch in data):
                self.plain = not self.open.set_apart
            self.links.text(data)


def read_html(path: Path, raw: bytes, encoding: str = "") -> Extracted:
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
    parser = _read(markup)
    joined = join_blocks(parser.blocks)
    title = " ".join(parser.title.split())
    return Extracted(joined.text, (), title, joined.plain, code=joined.code)


def html_text(markup: str) -> Joined:
    """A piece of HTML's text as the segmenter reads it (markdown's HTML blocks: a table's
    rows as a page's, its tags unseen), and where its blocks of code start."""
    return join_blocks(_read(markup, fragment=True).blocks)


def _read(markup: str, fragment: bool = False) -> _Text:
    parser = _Text(PageStyles.of(markup), fragment)
    parser.feed(markup)
    parser.close()
    parser._flush()
    parser.blocks = settled(parser.blocks)
    return parser

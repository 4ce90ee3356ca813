"""Text out of OpenDocument text files (.odt: LibreOffice, and many public administrations'
own format), in the shape the segmenter reads (see retrieval.formats).

An .odt file is a zip of XML parts: the text in content.xml, the list and outline styles in
content.xml and styles.xml, the title in meta.xml. Headings, paragraphs, list items and table
rows are read in reading order, a row's cells side by side. A list item gets the number the
reader sees before it ("2.", "(a)", "•"), which the file keeps in the list's style, not in
the text; numbered headings get theirs from the outline style. Footnotes are read at the end
of the document, each after its mark ("[1] …"), the mark standing in the text where the
note was called. A text box (a frame's callout or sidebar) is read after the paragraph it is
anchored in. Comments, tracked changes, hidden text, tables of contents and drawings are
left out.
Only the standard library is used.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from retrieval.contents import contents_entry
from retrieval.errors import CorpusError
from retrieval.formats import TABLE_END, Body, Extracted, Row, fold_spaces, join_blocks
from retrieval.odt_styles import (
    NS,
    Level,
    T,
    emphatic_styles,
    hidden_styles,
    level_styles,
    list_styles,
    shown_number,
    tag,
)
from retrieval.zipped import DAMAGED, xml_member

DEEPEST = 10  # list levels counted (OpenDocument's list styles have ten)

_OFFICE_TEXT = tag("office", "text")
_TEXT_BOX = tag("draw", "text-box")  # a frame's text (a callout, a sidebar)
_ANNOTATION = tag("office", "annotation")
_TABLE = tag("table", "table")
_ROW = tag("table", "table-row")
_CELL = tag("table", "table-cell")
_COVERED = tag("table", "covered-table-cell")  # where a merged cell spans (the grid kept)
_ROWS_SPANNED = tag("table", "number-rows-spanned")
_REPEATED = tag("table", "number-columns-repeated")  # (empty cells side by side, as one)
_HEADING_MARKS = re.compile(r"^#+ ")
# what a reader of the document does not read as its text
_LEFT_OUT = {
    T["tracked-changes"],
    T["table-of-content"],
    T["alphabetical-index"],
    T["illustration-index"],
    T["bibliography"],
    T["user-index"],
    T["sequence-decls"],
    _ANNOTATION,
}


@dataclass
class _Reader:
    styles: dict[str, dict[int, Level]]  # list style name -> level -> how it numbers
    outline: dict[int, Level]  # heading level -> how it numbers
    blocks: list[str | Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, list[int]] = field(default_factory=dict)  # per list style, per level
    headings: list[int] = field(default_factory=lambda: [0] * 10)
    last_style: str = ""
    in_cell: bool = False  # reading a table's cell (see _cell)
    hidden: set[str] = field(default_factory=set)  # text styles that hide their text
    emphatic: set[str] = field(default_factory=set)  # styles that set their text apart

    def body(self, element: ElementTree.Element) -> None:
        for child in element:
            if child.tag in _LEFT_OUT:
                continue
            if child.tag == T["h"]:
                self._heading(child)
                self._boxes(child)
            elif child.tag == T["p"]:
                text = self._text(child)
                # a paragraph set as body text is no heading, however short (formats.Body)
                plain = text if self._set_apart(child) else Body(text)
                self._add(_contents_entry(child, text) or plain)
                self._boxes(child)
            elif child.tag == T["list"]:
                self._list(child, 1, "")
            elif child.tag == _TABLE:
                self._table(child)
            elif child.tag == T["section"]:
                self.body(child)

    def _boxes(self, element: ElementTree.Element) -> None:
        """The text boxes anchored in a paragraph (a frame's callout or sidebar), read after
        it as the document's text; not the boxes inside those (read with their own)."""
        for child in element:
            if child.tag == _TEXT_BOX:
                self.body(child)
            elif child.tag not in _LEFT_OUT:
                self._boxes(child)

    def _set_apart(self, element: ElementTree.Element, inherited: bool = False) -> bool:
        """Is every word of a paragraph (or span) set apart from body text, by its style or
        its spans' (see emphatic_styles)?"""
        apart = inherited or element.get(tag("text", "style-name")) in self.emphatic
        if not apart and (element.text or "").strip():
            return False
        for child in element:
            if child.tag == T["span"] and not self._set_apart(child, apart):
                return False
            if not apart and (child.tail or "").strip():
                return False
        return True

    def _add(self, text: str, marker: str = "", level: int = 1) -> None:
        plain = isinstance(text, Body)
        text = fold_spaces(text)
        text = Body(text) if plain and not marker else text
        if text:  # an item of a nested list stands further in, as the page shows it
            self.blocks.append(f"{'  ' * (level - 1)}{marker} {text}" if marker else text)
        elif marker and self.in_cell:  # a cell that shows only its number ("№" column)
            self.blocks.append(marker)

    def _heading(self, element: ElementTree.Element) -> None:
        level = max(1, min(6, int(element.get(tag("text", "outline-level")) or 1)))
        text = " ".join(self._text(element).split())
        if not text:
            return
        rendered = element.find(T["number"])
        number = (rendered.text or "").strip() if rendered is not None else ""
        # a heading marked as no list's ("Annex") is not numbered, nor counted
        if element.get(tag("text", "is-list-header")) != "true":
            start = self.outline[level].start if level in self.outline else 1
            count = self.headings[level - 1]
            self.headings[level - 1] = count + 1 if count else start
            self.headings[level:] = [0] * (len(self.headings) - level)
            if not number and level in self.outline:
                number = shown_number(self.outline, self.headings, level)
        self.blocks.append("#" * level + " " + (f"{number} {text}" if number else text))

    def _list(self, element: ElementTree.Element, level: int, style: str) -> None:
        style = element.get(tag("text", "style-name")) or style
        level = min(level, DEEPEST)  # deeper lists are counted at the deepest level
        if level == 1:
            continues = element.get(tag("text", "continue-numbering")) == "true" or element.get(
                tag("text", "continue-list")
            )
            if not continues or style != self.last_style:
                self.counts[style] = [0] * DEEPEST
            self.last_style = style
        counts = self.counts.setdefault(style, [0] * DEEPEST)
        levels = self.styles.get(style, {})
        for item in element:
            if item.tag not in (T["list-item"], T["list-header"]):
                continue
            numbered = item.tag == T["list-item"]
            how = levels.get(level, Level("•"))
            if numbered:
                start = item.get(tag("text", "start-value")) or ""
                count = counts[level - 1] + 1 if counts[level - 1] else how.start
                counts[level - 1] = int(start) if start.isdecimal() else count
                counts[level:] = [0] * (len(counts) - level)
            first = True
            for child in item:
                if child.tag == T["list"]:
                    self._list(child, level + 1, style)
                elif child.tag in (T["p"], T["h"]):
                    marker = shown_number(levels, counts, level) if numbered and first else ""
                    text = self._text(child)
                    self._add(_contents_entry(child, text) or text, marker, level)
                    first = False

    def _table(self, element: ElementTree.Element) -> None:
        """The table's rows, a Row each; a cell merged down over several rows read in each
        of them, as the DOCX reader reads one (a row's label: "Mobile | 5G | 15 AZN"), one
        merged across columns once. A table nested in a cell is read in that cell alone."""
        down: dict[int, tuple[str, int]] = {}  # by column: a cell merged down, rows to go
        for row in _rows(element):
            cells: list[str] = []
            column = 0
            for cell in row:
                if cell.tag not in (_CELL, _COVERED):
                    continue
                column += int(cell.get(_REPEATED) or 1)  # the column after this cell's
                if cell.tag == _CELL:
                    cells.append(self._cell(cell))
                    spanned = int(cell.get(_ROWS_SPANNED) or 1)
                    down.pop(column, None)
                    if spanned > 1:
                        down[column] = (cells[-1], spanned - 1)
                elif column in down:  # covered by a cell merged down over it
                    text, left = down.pop(column)
                    cells.append(text)
                    if left > 1:
                        down[column] = (text, left - 1)
            self.blocks.append(Row(tuple(cells)))
        self.blocks.append(TABLE_END)

    def _cell(self, cell: ElementTree.Element) -> str:
        """A cell's text as the page shows it, its lists' numbers too (a "№" column numbered
        by a list: "1.", "2."): its paragraphs read as the body's, side by side."""
        outer, was_in_cell = self.blocks, self.in_cell
        self.blocks, self.in_cell = [], True
        try:
            self.body(cell)
            # a heading set in a cell is the cell's text, without a heading's marks; a table
            # nested in it, its cells' words, as the DOCX reader reads one
            shown = (
                _HEADING_MARKS.sub("", b) if isinstance(b, str) else " ".join(b.cells)
                for b in self.blocks
            )
            return " ".join(" ".join(shown).split())
        finally:
            self.blocks, self.in_cell = outer, was_in_cell

    def _text(self, element: ElementTree.Element) -> str:
        """The text a reader sees in a paragraph or heading, its notes' marks in brackets and
        their bodies kept for the end."""
        out = [element.text or ""]
        for child in element:
            if child.tag == T["s"]:
                out.append(" " * int(child.get(tag("text", "c")) or 1))
            elif child.tag == T["line-break"]:
                out.append("\n")  # kept (formats.fold_spaces)
            elif child.tag == T["tab"]:
                out.append(" ")
            elif child.tag == T["note"]:
                out.append(self._note(child))
            elif child.tag in _LEFT_OUT or child.tag == T["number"]:
                pass
            elif child.get(tag("text", "style-name")) in self.hidden:
                pass  # hidden text
            elif child.tag.startswith("{" + NS["text"]):  # spans, links, fields
                out.append(self._text(child))
            out.append(child.tail or "")
        return "".join(out)

    def _note(self, note: ElementTree.Element) -> str:
        """A footnote's mark, in brackets, where it is called; its text kept for the end."""
        citation = note.find(T["note-citation"])
        mark = "".join(citation.itertext()).strip() if citation is not None else ""
        mark = mark or str(len(self.notes) + 1)
        body = note.find(T["note-body"])
        paragraphs = body.iter(T["p"]) if body is not None else ()
        self.notes.append(
            f"[{mark}] " + " ".join(" ".join(self._text(p).split()) for p in paragraphs)
        )
        return f"[{mark}]"


def _rows(table: ElementTree.Element) -> Iterator[ElementTree.Element]:
    """A table's rows, in its header rows and row groups too, not a nested table's."""
    for child in table:
        if child.tag == _ROW:
            yield child
        elif child.tag != _CELL and child.tag != _TABLE:  # table:table-header-rows, …
            yield from _rows(child)


def _contents_entry(paragraph: ElementTree.Element, text: str) -> str | None:
    """A paragraph whose words are only a link to a place in the document (a table of
    contents' entry set by hand, a web page's saved as ODT), written as
    contents.contents_entry writes one; None for any other."""
    places = {link.get(tag("xlink", "href")) or "" for link in paragraph.iter(T["a"])}
    place = places.pop() if len(places) == 1 else ""
    if not place.startswith("#") or len(place) < 2:
        return None

    def outside(element: ElementTree.Element) -> str:  # its text outside links
        return (element.text or "") + "".join(
            ("" if child.tag == T["a"] else outside(child)) + (child.tail or "")
            for child in element
        )

    words = any(ch.isalpha() for ch in outside(paragraph))
    return None if words else contents_entry(text, place)


def read_odt(path: Path, raw: bytes) -> Extracted:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            content = xml_member(archive, "content.xml", path)
            styles = xml_member(archive, "styles.xml", path)
            meta = xml_member(archive, "meta.xml", path)
    except DAMAGED as exc:
        raise CorpusError(f"{path}: not a readable ODT file ({exc})") from None
    text = content.find(f".//{_OFFICE_TEXT}") if content is not None else None
    if text is None:
        raise CorpusError(f"{path}: not a readable ODT file (no text in content.xml)")
    outline_style = None
    for root in (styles, content):
        found = root.find(f".//{T['outline-style']}") if root is not None else None
        outline_style = found if found is not None else outline_style
    reader = _Reader(
        {**list_styles(styles), **list_styles(content)},
        level_styles(outline_style) if outline_style is not None else {},
        hidden=hidden_styles(styles) | hidden_styles(content),
        emphatic=emphatic_styles(styles, content),
    )
    try:
        reader.body(text)
    except (ValueError, TypeError, RecursionError) as exc:  # a number that is none, or a loop
        raise CorpusError(f"{path}: not a readable ODT file ({exc})") from None
    title_element = meta.find(f".//{{{NS['dc']}}}title") if meta is not None else None
    title = " ".join((title_element.text or "").split()) if title_element is not None else ""
    joined = join_blocks([*reader.blocks, *reader.notes])
    return Extracted(joined.text, (), title, joined.plain)

"""Text out of Rich Text Format files (.rtf), in the shape the segmenter reads (see
retrieval.formats).

WordPad saves RTF by default, and legal databases export laws and decrees as RTF. An RTF file
is text with control words ("\\par", "\\cell") in groups ("{…}"); letters outside ASCII are
written "\\u601?" (Unicode) or "\\'e7" (a byte of the document's code page, or of the code
page of the font it is set in: "\\fcharset204" is Cyrillic, windows-1251). Read here, in
one pass over the file: paragraphs, a block each; a table's rows, a row a block with its
cells side by side (" | ", an empty cell in its place), as the other readers set them; the
number or bullet a list's item shows (the "\\listtext" Word and LibreOffice write before
it, "2.1.", "(a)", "•"), a nested level set in; a paragraph in a heading style ("heading
1" … "heading 9", "Title", or an outline level) marked as markdown marks one, its number
kept; a field as its result, a table of contents or an index (a TOC or INDEX field) left
out; footnotes and endnotes at the end after their marks ("[1] …", numbered in the order
the text calls them); a text box after the paragraph it is anchored in; the title from the
document's information. Headers, footers, comments, hidden text, tracked deletions,
pictures and objects are left out. Bytes that are not RTF are refused.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from retrieval.contents import link_place, linked_entry
from retrieval.errors import CorpusError
from retrieval.formats import (
    GENERATED_FIELDS,
    GENERATED_TITLES,
    LARGE_PT,
    TABLE_END,
    Body,
    Extracted,
    Row,
    fold_spaces,
    generated_title,
    join_blocks,
)
from retrieval.merged_cells import MergedDown
from retrieval.numbering import note_mark
from retrieval.rtf_paragraphs import MAX_LEVEL, Paragraph, Styles, heading_level
from retrieval.rtf_words import (
    BREAKS,
    CHARACTERS,
    CHARSETS,
    SKIPPED,
    SYMBOL,
    TOKEN,
    Group,
    RowCells,
)

_PRIVATE, _PRIVATE_END = "\ue000", "\uf8ff"  # the private use area, where symbol fonts draw


_NOTE = "\ufdd1"  # around a note's number in the text, until its mark is known (_marks)
_PLACED = re.compile(f"{_NOTE}(\\d+){_NOTE}")


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.code_page = 1252
        self.fonts: dict[int, int] = {}  # font number -> code page
        self.symbol_fonts: set[int] = set()  # fonts of symbols (Symbol, Wingdings)
        self.styles = Styles()
        self.blocks: list[str | Row] = []
        self.notes: list[list[str]] = []
        self.endnotes: set[int] = set()  # which of the notes are endnotes (\ftnalt)
        self.cells: list[str] = []  # the row's cells so far
        self.cell: list[str] = []  # the cell's paragraphs so far
        self.rows_end = -1  # len(self.blocks) after the last row read
        self.row_cells = RowCells()  # what the row's definition says of its cells
        self.merged = MergedDown()
        self.paragraph = Paragraph()
        # what is read aside ("note": a footnote, "box": a text box) and the paragraph it
        # stands in, innermost last; a text box's blocks wait for the end of that paragraph
        self.outside: list[tuple[str, Paragraph]] = []
        self.boxed: list[str | Row] = []
        self.title: list[str] = []
        self.pending = bytearray()  # "\'hh" bytes not yet read as letters
        self.skipping = 0  # fallback characters after a "\u" letter still to pass over

    def run(self) -> Extracted:
        stack: list[Group] = []
        group = Group()
        at, end = 0, len(self.data)
        opened = False  # the token before was a "{": a control word may name a destination
        ignorable = False  # ... and "\*" said to pass over it if it is not known
        while at < end:
            match = TOKEN.match(self.data, at)
            if match is None:  # a backslash that starts nothing ("\\'zz", one at the end)
                at += 1
                continue
            at = match.end()
            word, parameter, byte, symbol, brace, text = match.groups()
            if byte is None:
                self._flush(group)
            if brace == b"{":
                stack.append(group)
                group = replace(group, opens_aside=False)
                opened, ignorable = True, False
            elif brace == b"}":
                if group.opens_aside:
                    self._close_aside()
                group = stack.pop() if stack else Group()
                self.skipping = 0
                opened = ignorable = False
            elif symbol is not None:
                name = symbol.decode("latin-1")
                ignorable = opened and name == "*"
                opened = opened and name == "*"
                if name in CHARACTERS:
                    self._text(group, CHARACTERS[name])
            elif word is not None:
                name = word.decode("ascii")
                value = int(parameter) if parameter is not None else None
                if name == "bin" and value is not None:  # raw bytes, passed over
                    at += max(value, 0)
                else:
                    self._word(group, name, value, opened, ignorable)
                opened = ignorable = False
            else:
                opened = ignorable = False
                if byte is not None:
                    if self.skipping:
                        self.skipping -= 1
                    elif not group.skip:
                        self.pending.append(int(byte, 16))
                elif text is not None and not group.skip:
                    chars = self._decode(group, text)
                    if self.skipping:
                        passed = min(self.skipping, len(chars))
                        chars, self.skipping = chars[passed:], self.skipping - passed
                    self._text(group, chars)
        self._flush(group)
        while self.outside:  # a footnote or a text box the file never closed
            self._close_aside()
        self._end_paragraph()
        self.blocks.extend(self.boxed)
        if self.cells:
            self._row()
        marks = self._marks()
        # the footnotes, then the endnotes
        order = sorted(range(len(self.notes)), key=lambda n: n in self.endnotes)
        notes = [f"{marks[n]} {fold_spaces(' '.join(self.notes[n]))}" for n in order]

        def marked(text: str) -> str:  # a Body block stays one
            placed = _PLACED.sub(lambda m: marks[int(m.group(1))], text)
            return Body(placed) if isinstance(text, Body) else placed

        blocks = [
            marked(b) if isinstance(b, str) else Row(tuple(marked(c) for c in b.cells))
            for b in self.blocks
        ]
        joined = join_blocks([*blocks, *notes])
        return Extracted(joined.text, (), fold_spaces("".join(self.title)), joined.plain)

    def _decode(self, group: Group, raw: bytes | bytearray) -> str:
        page = self.fonts.get(group.font, self.code_page) if group.font is not None else 0
        try:
            return bytes(raw).decode(f"cp{page or self.code_page}")
        except (LookupError, UnicodeDecodeError):
            return bytes(raw).decode("cp1252", errors="replace")

    def _flush(self, group: Group) -> None:
        if self.pending:
            chars = self._decode(group, self.pending)
            self.pending.clear()
            self._text(group, chars)

    def _text(self, group: Group, chars: str) -> None:
        if group.skip or not chars:
            return
        if (group.hidden or group.deleted) and group.destination != "fldinst":
            return
        if group.destination == "title":
            self.title.append(chars)
        elif group.destination == "fldinst":
            if group.field is not None:
                group.field["instruction"] += chars
        elif group.destination == "stylesheet":
            if group.entry is not None:
                self.styles.names[group.entry] = self.styles.names.get(group.entry, "") + chars
        elif group.destination == "listtext":
            # a bullet in a symbol font ("\\'b7" in Symbol, as Word writes one) is a bullet
            symbol = group.font in self.symbol_fonts and not chars.isspace()
            self.paragraph.listtext.append("\ue000" if symbol else chars)
        elif not group.destination:  # the text (a footnote's, while one is read)
            self.paragraph.text.append(chars)
            if chars.strip() and not group.marked and group.size < 2 * LARGE_PT:
                self.paragraph.plain = True
            if any(ch.isalpha() for ch in chars):
                self.paragraph.places.add(group.link)

    def _word(
        self, group: Group, name: str, value: int | None, opened: bool, ignorable: bool
    ) -> None:
        if name == "ansicpg" and value:
            self.code_page = value
        elif name == "uc" and value is not None:
            group.uc = max(value, 0)
        elif name == "u" and value is not None:
            self._text(group, chr(value + 65536 if value < 0 else value))
            self.skipping = group.uc
        elif name == "f" and value is not None:
            group.font = value
        elif opened and name == "shp":  # a shape: only its text box's text is read
            group.in_shape, group.skip = not group.skip, True
        elif opened and name == "shptxt" and group.in_shape:  # a text box's text
            group.skip = False
            self._open_aside(group, "box")
        elif group.skip:
            return
        elif name == "ftnalt" and self.outside and self.outside[-1][0] == "note":
            self.endnotes.add(len(self.notes) - 1)  # the note being read is an endnote
        elif opened and name in ("fonttbl", "stylesheet", "listtext", "pntext", "title"):
            group.destination = "listtext" if name == "pntext" else name
            if name == "title":
                self.title.clear()  # the last one read: the Unicode one ("\ud"), after the ANSI
        elif opened and name == "footnote":
            self._open_aside(group, "note")
        elif opened and name == "field":
            group.field = {"instruction": ""}
        elif opened and name == "fldinst":
            group.destination = "fldinst"
        elif opened and name == "fldrslt" and group.field is not None:
            place = link_place(group.field["instruction"])
            group.link = group.link if place is None else place  # a field in a link: the link's
            words = group.field["instruction"].split()
            group.skip = bool(words) and words[0].upper() in GENERATED_FIELDS
            if group.skip and not self.paragraph.text and len(self.blocks) > 1:
                # the table's title, the paragraph right before it (formats.generated_title)
                title = self.blocks[-1]
                if isinstance(title, str) and generated_title(title, str(self.blocks[-2])):
                    self.blocks.pop()
        elif opened and name == "info":
            group.destination = "info"  # only its title is read
        elif opened and (name in SKIPPED or ignorable) and name != "ud":
            group.skip = True
        elif group.destination == "fonttbl":
            if name == "fcharset" and value in CHARSETS and group.font is not None:
                self.fonts[group.font] = CHARSETS[value]
            elif name == "fcharset" and value == SYMBOL and group.font is not None:
                self.symbol_fonts.add(group.font)
        elif group.destination == "stylesheet":
            if name == "s" and value is not None:
                group.entry = value
                self.styles.names[value] = ""
            elif name == "outlinelevel" and value is not None and group.entry is not None:
                self.styles.outline[group.entry] = value
        elif group.destination in ("info", "title", "fldinst"):
            return
        elif group.destination == "listtext":
            if name in CHARACTERS and name != "tab":
                self._text(group, CHARACTERS[name])
        else:
            self._body_word(group, name, value)

    def _body_word(self, group: Group, name: str, value: int | None) -> None:
        paragraph = self.paragraph
        if name in BREAKS:
            self._end_paragraph()
        elif name == "pard":
            paragraph.style, paragraph.outline, paragraph.level = 0, None, 0
            paragraph.in_table = False
        elif name == "s" and value is not None:
            paragraph.style = value
        elif name == "outlinelevel" and value is not None:
            paragraph.outline = value
        elif name == "ilvl" and value is not None:
            paragraph.level = value
        elif name == "intbl":
            paragraph.in_table = True
        elif group.formats(name, value) or self.row_cells.word(name, value):
            pass  # how its text looks (Group.formats), or a row's cells (RowCells)
        elif name in ("cell", "nestcell"):
            self.cell.extend(self._take())
            self.cells.append(" ".join(self.cell))
            self.cell = []
        elif name in ("row", "nestrow"):
            self._row()
        elif name in CHARACTERS:
            self._text(group, CHARACTERS[name])

    def _take(self) -> list[str]:
        """The paragraph's text so far, after its list's number, leaving a paragraph with the
        same properties (a cell's next paragraph's, or the next one's until "\\pard")."""
        paragraph = self.paragraph
        number = fold_spaces("".join(paragraph.listtext))
        if number and not any(ch.isalnum() for ch in number if not _PRIVATE <= ch <= _PRIVATE_END):
            # a bullet, as the other readers write every bullet: "–", "•", or one drawn
            # from a symbol font (Symbol's U+F0B7, or "\\'b7")
            number = "•"
        text = fold_spaces("".join(paragraph.text))
        self.paragraph = replace(paragraph, text=[], listtext=[], plain=False, places=set())
        return [f"{number} {text}".strip()] if number or text else []

    def _row(self) -> None:
        if self.cell:  # text after the last cell's end: a cell of its own
            self.cells.append(" ".join(self.cell))
        if any(self.cells):
            self.blocks.append(Row(self.merged.row(self.row_cells.cells, self.cells)))
            self.rows_end = len(self.blocks)
        self.cells, self.cell = [], []

    def _end_paragraph(self) -> None:
        paragraph = self.paragraph
        aside = self.outside[-1][0] if self.outside else ""
        if aside == "note":  # a paragraph of a footnote
            if self.notes:
                self.notes[-1].extend(self._take())
            return
        if paragraph.in_table:  # a paragraph of a cell: the cell goes on
            self.cell.extend(self._take())
            return
        if self.blocks and self.rows_end == len(self.blocks) and not aside:
            self.blocks.append(TABLE_END)  # a paragraph after a table's rows: the table ended
        level = heading_level(paragraph, self.styles)
        numbered = bool(fold_spaces("".join(paragraph.listtext)))
        taken = self._take()
        if self.styles.name(paragraph) in GENERATED_TITLES:
            return  # the title of an index or a table of contents, left out with it
        into = self.boxed if aside == "box" else self.blocks
        entry = linked_entry(taken[0], paragraph.places) if taken and not level else None
        if entry:
            into.append(entry)  # no clause (retrieval.contents)
        elif taken and level:
            into.append("#" * level + " " + taken[0])
        elif taken and numbered:  # a nested level set in, as the DOCX reader sets it
            into.append("  " * min(paragraph.level, MAX_LEVEL) + taken[0])
        elif taken:  # a paragraph set as body text is no heading, however short
            into.append(Body(taken[0]) if paragraph.plain else taken[0])
        if not aside and self.boxed:  # the text boxes anchored in it, after it
            self.blocks.extend(self.boxed)
            self.boxed = []

    def _open_aside(self, group: Group, kind: str) -> None:
        """A footnote or endnote ("note": its mark in the text where it is called), or a
        text box ("box": read after the paragraph it is anchored in): its text read aside
        until its group ends."""
        if kind == "note":  # its mark, until it is known whether it is an endnote (_marks)
            self.paragraph.text.append(f"{_NOTE}{len(self.notes)}{_NOTE}")
            self.notes.append([])
        group.opens_aside = True
        group.destination = ""
        self.outside.append((kind, self.paragraph))
        self.paragraph = Paragraph()

    def _marks(self) -> list[str]:
        """Each note's mark, in the order they are called: the footnotes numbered "[1]",
        the endnotes apart, "[i]", as the other readers write them."""
        counts = [0, 0]
        marks = []
        for n in range(len(self.notes)):
            end = n in self.endnotes
            counts[end] += 1
            marks.append(note_mark(counts[end], end))
        return marks

    def _close_aside(self) -> None:
        if self.paragraph.text or self.paragraph.listtext:
            self._end_paragraph()
        self.paragraph = self.outside.pop()[1]


def read_rtf(path: Path, raw: bytes) -> Extracted:
    if not raw.lstrip()[:5] == b"{\\rtf":
        raise CorpusError(f"{path}: not a readable RTF file (it does not open with {{\\rtf)")
    extracted = _Reader(raw).run()
    if not extracted.text.strip():
        raise CorpusError(f"{path}: the RTF file holds no text")
    return extracted

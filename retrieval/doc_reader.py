"""Text out of Word 97-2003 documents (.doc), in the shape the segmenter reads (see
retrieval.formats).

Ministries still publish decrees and letters as .doc. A .doc is an OLE compound file
(read with olefile); its text lies in pieces, each in 8 bits (Windows-1252) or UTF-16, which
the piece table in the table stream lists in reading order ([MS-DOC] 2.4.1). Read here:
- the main text, a paragraph a block;
- a table's rows, a row a block with its cells side by side (" | ", an empty cell kept in
  its place, a cell's paragraphs one after another), as the other readers set them, each
  row's end told by its paragraph's properties;
- a field as the reader sees it, its result ("the portal"), not its code ("HYPERLINK …");
  a table of contents or an index (a TOC or INDEX field) left out;
- footnotes and endnotes at the end after their marks ("[1] …", numbered in the order the
  text calls them; endnotes apart, "[i] …"), as the DOCX and ODT readers set notes;
- a paragraph in a heading style ("heading 1" to "heading 9", "Title") marked as markdown
  marks one, and the number or bullet Word shows before a list's item or a numbered
  heading ("2.1.", "(a)", "•"), from the paragraphs' properties and the style sheet
  (retrieval.doc_paragraphs), as the DOCX reader reads them;
- tracked deletions and hidden text left out (the characters' property pages);
- a text box's text (its own story) after the paragraph its shape is anchored in;
- the title from the summary properties.

Not read: a table nested in a cell is read as its text; a text box anchored in a table's
cell or in a header. Properties that cannot be read leave the headings to be told by their
shape, the items without numbers, a cell's paragraphs as paragraphs, and a row's end to a
second cell mark ("\x07\x07").
"""

from __future__ import annotations

import io
import itertools
import logging
import re
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from retrieval.contents import link_place, linked_entry
from retrieval.doc_characters import set_apart, unseen
from retrieval.doc_paragraphs import Paragraphs, read_lists, read_styles, u16, u32
from retrieval.doc_pieces import chars, pieces_of
from retrieval.doc_properties import read_title
from retrieval.errors import CorpusError
from retrieval.formats import (
    GENERATED_FIELDS,
    Body,
    Extracted,
    Row,
    fold_spaces,
    generated_title,
    join_blocks,
)
from retrieval.merged_cells import Described, MergedDown
from retrieval.numbering import note_mark

log = logging.getLogger(__name__)

WORD_97 = 0x00C1  # the FIB's nFib from Word 97 on; Word 6 and 95 wrote less
_FLAGS = 0x0A  # the FIB's flags: which table stream, encryption
_WHICH_TABLE = 0x0200
_ENCRYPTED = 0x0100
# in FibRgLw97: the lengths of the main text, the footnotes, the headers, (a reserved
# field), the comments and the endnotes, in characters
_CCP_TEXT, _CCP_FTN, _CCP_EDN, _CCP_TXBX = 3, 4, 8, 9
_FTN_REF, _EDN_REF = 2, 46  # where the footnotes' and endnotes' marks stand (fcPlcf*Ref)
_CLX = 33  # the piece table's place and size, the 34th pair of FibRgFcLcb97
_STSH = 1  # the style sheet's (fcStshf)
_BTE_CHPX, _BTE_PAPX = 12, 13  # the characters' and the paragraphs' properties' pages
_PLF_LST, _PLF_LFO = 73, 74  # the lists and the list format overrides (fcPlfLst, fcPlfLfo)
# the shapes anchored in the main text (fcPlcSpaMom), and the text boxes' stories with the
# shape each belongs to (fcPlcftxbxTxt)
_SPA, _PLC_TXBX = 40, 56
# control characters of the text stream ([MS-DOC] 2.8.25)
_FIELD_BEGIN, _FIELD_SEPARATOR, _FIELD_END = "\x13", "\x14", "\x15"
_NOTE_MARK = "\x02"  # an automatically numbered footnote's mark, and its note's first char
_CELL = "\x07"  # a cell's end, and twice a row's
# marks a tracked deletion or hidden text does not take out: paragraphs, cells, fields and
# notes stay whole
_STRUCTURE = f"\r{_CELL}\x0c{_FIELD_BEGIN}{_FIELD_SEPARATOR}{_FIELD_END}{_NOTE_MARK}"
# marks _visible sets and _blocks reads, characters no text holds (Unicode noncharacters):
# a table row's end, told by its paragraph's properties, and a list level's indent
_ROW, _INDENT = "\uffff", "\ufffe"
_PLAIN = "\ufdd2"  # before a paragraph set as body text (formats.Body), until _blocks
_GENERATED = re.compile(rf"{_FIELD_BEGIN}\s*(?:{'|'.join(GENERATED_FIELDS)})\b", re.IGNORECASE)
_DROPPED = re.compile(r"[\x00-\x08\x0e-\x12\x16-\x1d\x1f]")  # pictures, objects, soft hyphens


def read_doc(path: Path, raw: bytes) -> Extracted:
    try:
        import olefile
    except ImportError as exc:  # pragma: no cover - olefile is a dependency
        raise CorpusError(f"{path}: reading .doc needs olefile (pip install .)") from exc
    if not olefile.isOleFile(io.BytesIO(raw)):
        raise CorpusError(f"{path}: not a readable Word 97-2003 file (no OLE container)")
    try:
        with olefile.OleFileIO(io.BytesIO(raw)) as ole:
            if not ole.exists("WordDocument"):
                raise CorpusError(f"{path}: not a Word document (no WordDocument stream)")
            word = ole.openstream("WordDocument").read()
            flags = u16(word, _FLAGS)
            if flags & _ENCRYPTED:
                raise CorpusError(f"{path}: the document is encrypted: save it without a password")
            table_name = "1Table" if flags & _WHICH_TABLE else "0Table"
            if u16(word, 2) < WORD_97 or not ole.exists(table_name):
                raise CorpusError(f"{path}: a Word 6 or 95 document: save it as DOCX or PDF")
            table = ole.openstream(table_name).read()
            title = read_title(ole)
    except (OSError, struct.error, ValueError) as exc:
        raise CorpusError(f"{path}: not a readable Word 97-2003 file ({exc})") from None
    try:
        body, notes, rows = _subdocuments(word, table)
    except (struct.error, ValueError, IndexError) as exc:
        raise CorpusError(f"{path}: the document's text cannot be read ({exc})") from None
    shown, plain = _blocks(body, rows)
    text = "\n\n".join(b for b in [shown, *notes] if b)
    return Extracted(text, (), title, plain)


def _subdocuments(word: bytes, table: bytes) -> tuple[str, list[str], list[Described]]:
    """The main text, each note's mark numbered in the order the text calls them ("[1]"; an
    endnote's apart, in small roman numerals: "[i]"), and those notes, each after its mark,
    the footnotes before the endnotes: footnotes and endnotes alike, each from its own
    part of the text ([MS-DOC] 2.3: the main text, then the footnotes, the headers, the
    comments, the endnotes), the marks told apart by the positions each kind's references
    stand at (PlcffndRef, PlcfendRef); and what each cell of each of the text's tables' rows
    is to a merge down, in order (_visible)."""
    csw = u16(word, 32)  # the FIB: FibBase (32 bytes), then counted arrays
    lw = 34 + 2 * csw + 2  # FibRgLw97, after fibRgW and cslw
    cslw = u16(word, lw - 2)
    ccp = [u32(word, lw + 4 * n) for n in range(_CCP_TEXT, _CCP_TXBX + 1)]
    ccp_text, ccp_ftn = ccp[0], ccp[1]
    pairs = lw + 4 * cslw + 2  # FibRgFcLcb, after cbRgFcLcb
    described = u16(word, pairs - 2)  # how many (fc, lcb) pairs the FIB has
    if described <= _CLX:
        raise ValueError("the FIB has no piece table")

    def place(index: int) -> tuple[int, int]:  # the index'th (fc, lcb) pair
        return u32(word, pairs + 8 * index), u32(word, pairs + 8 * index + 4)

    def part(index: int, stream: bytes) -> bytes:  # its bytes
        fc, lcb = place(index)
        return stream[fc : fc + lcb]

    pieces = pieces_of(part(_CLX, table))

    styles: Paragraphs | None
    try:
        styles = Paragraphs(word, pieces, read_styles(part(_STSH, table)), part(_BTE_PAPX, table))
    except (struct.error, ValueError, IndexError) as exc:
        log.warning("the paragraphs' styles cannot be read (%s): headings told by shape", exc)
        styles = None
    if styles is not None and described > _PLF_LFO:
        try:
            styles.lists, styles.overrides = read_lists(table, place(_PLF_LST), place(_PLF_LFO))
        except (struct.error, ValueError, IndexError) as exc:
            log.warning("the lists cannot be read (%s): their items without numbers", exc)
    raw = chars(word, pieces, 0, ccp_text)
    boxes: dict[int, str] = {}
    if described > _PLC_TXBX:
        try:  # the text boxes' story, after the endnotes'
            at = ccp_text + ccp_ftn + ccp[2] + ccp[4] + ccp[5]
            boxes = _text_boxes(
                chars(word, pieces, at, at + ccp[6]), part(_PLC_TXBX, table), part(_SPA, table)
            )
        except (struct.error, ValueError, IndexError) as exc:
            log.warning("the text boxes cannot be read (%s): the text is read without", exc)
    struck: list[tuple[int, int]] = []
    try:
        struck = unseen(word, pieces, part(_BTE_CHPX, table))
        if styles is not None:  # what is set apart from body text (formats.Body)
            styles.apart = set_apart(word, pieces, part(_BTE_CHPX, table))
            styles.apart_starts = [first for first, _ in styles.apart]
    except (struct.error, ValueError, IndexError) as exc:
        log.warning("deleted and hidden text cannot be told (%s): it is read as text", exc)
    rows: list[Described] = []
    if _NOTE_MARK not in raw:
        return _visible(raw, 0, styles, boxes, struck, rows), [], rows
    endnotes_at = ccp_text + ccp_ftn + ccp[2] + ccp[4]  # after the headers and comments
    kinds = []  # each kind of note: where its marks stand in the text, and its notes' texts
    for ref, start, count in (
        (_FTN_REF, ccp_text, ccp_ftn),
        (_EDN_REF, endnotes_at, ccp[5]),
    ):
        text = _visible(chars(word, pieces, start, start + count)) if count else ""
        # each note opens with its mark: "\x02 By the Board.\r"
        kinds.append(
            (_positions(part(ref, table)), [_blocks(n)[0] for n in text.split(_NOTE_MARK)[1:]])
        )
    called: list[list[str]] = [[], []]  # the footnotes' texts and the endnotes', as called
    labels = []  # what each mark in the text reads as: its note's mark, or nothing
    for at in (n for n, ch in enumerate(raw) if ch == _NOTE_MARK):
        kind, found = 0, None
        for k, (positions, texts) in enumerate(kinds):
            if positions.get(at, -1) in range(len(texts)):
                kind, found = k, texts[positions[at]]
                break
        if found is None and not any(p for p, _ in kinds):
            # no list of marks to tell them by (a damaged one): footnotes in turn
            footnotes = kinds[0][1]
            found = footnotes[len(called[0])] if len(called[0]) < len(footnotes) else ""
        if found is not None:
            called[kind].append(found)
        labels.append(note_mark(len(called[kind]), kind == 1) if found is not None else "")
    # the marks stay one character each through _visible, which reads the paragraphs'
    # styles by each character's position
    shown = iter(labels)
    body = _visible(raw, 0, styles, boxes, struck, rows)
    notes = [
        f"{note_mark(number, kind == 1)} {text}"
        for kind, texts in enumerate(called)
        for number, text in enumerate(texts, 1)
        if text
    ]
    return re.sub(_NOTE_MARK, lambda _: next(shown, ""), body), notes, rows


def _positions(plc: bytes) -> dict[int, int]:
    """Where each reference of a kind of note stands in the text (a PLC of character
    positions and 2-byte FRDs, [MS-DOC] 2.8.9), and which of its notes it calls."""
    count = (len(plc) - 4) // 6 if len(plc) >= 10 else 0
    return {cp: n for n, cp in enumerate(struct.unpack_from(f"<{count}I", plc, 0))}


def _text_boxes(story: str, stories: bytes, shapes: bytes) -> dict[int, str]:
    """Each text box's text, by where its shape is anchored in the main text: the stories of
    the text boxes' text (a PLC of character positions and 22-byte FTXBXS, whose lid names
    the shape), matched to the shapes anchored in the text (a PLC of positions and 26-byte
    FSPA, whose first four bytes are the shape's id) ([MS-DOC] 2.8.26, 2.8.25)."""
    count = (len(stories) - 4) // 26 if len(stories) >= 30 else 0
    bounds = struct.unpack_from(f"<{count + 1}I", stories, 0) if count else ()
    placed = (len(shapes) - 4) // 30 if len(shapes) >= 34 else 0
    anchors = struct.unpack_from(f"<{placed}I", shapes, 0) if placed else ()
    at = {u32(shapes, 4 * (placed + 1) + 26 * n): anchors[n] for n in range(placed)}
    boxes: dict[int, str] = {}
    for n in range(count):
        shape = u32(stories, 4 * (count + 1) + 22 * n + 14)
        text = _visible(story[bounds[n] : bounds[n + 1]]).strip("\r")
        if shape in at and text.strip():
            boxes[at[shape]] = (boxes.get(at[shape], "") + "\r" + text).strip("\r")
    return boxes


def _visible(
    text: str,
    start: int = 0,
    styles: Paragraphs | None = None,
    boxes: dict[int, str] | None = None,
    struck: list[tuple[int, int]] | None = None,
    rows: list[Described] | None = None,
) -> str:
    """The text as the reader sees it: of a field ("\x13 HYPERLINK … \x14the portal\x15"),
    its result, fields nesting; of a table of contents or an index (fields TOC and INDEX),
    nothing (retrieval.contents); a paragraph in a heading style marked as markdown marks
    one ("# Article 1"), by `styles`; a tracked deletion or hidden text (`struck`,
    character positions) left out. `start`: the first character's position. `rows` gets
    what each cell of each table's row is to a merge down (merged_cells), row by row."""
    out: list[str] = []
    fields: list[list[Any]] = []  # for each open field: its state, its code so far, its link
    places: set[str | None] = set()  # where the paragraph's words link to (None: nowhere)
    link: str | None = None  # where the innermost open link leads (a field in it is its)
    level = 0  # the heading level of the paragraph that ends (Paragraphs.paragraph)
    paragraph = 0  # where the current paragraph starts in `out`
    opened = start  # ... and in the text (a character position)
    deletions = iter(struck or ())  # tracked deletions and hidden text, in order: left out
    deletion = next(deletions, None)
    for at, ch in enumerate(text):
        while deletion is not None and deletion[1] <= start + at:
            deletion = next(deletions, None)
        if deletion is not None and deletion[0] <= start + at and ch not in _STRUCTURE:
            continue
        if ch == _FIELD_BEGIN:
            fields.append(["code", [], None])
        elif ch == _FIELD_SEPARATOR and fields:
            code = "".join(fields[-1][1]).split()
            fields[-1][0] = "hidden" if code and code[0].upper() in GENERATED_FIELDS else "result"
            fields[-1][2] = link_place(" ".join(code))
            link = next((f[2] for f in reversed(fields) if f[2] is not None), None)
        elif ch == _FIELD_END and fields:
            fields.pop()
            link = next((f[2] for f in reversed(fields) if f[2] is not None), None)
        elif fields and fields[-1][0] == "code":
            fields[-1][1].append(ch)
        elif all(state == "result" for state, *_ in fields) and ch not in (_ROW, _INDENT):
            if ch.isalpha():
                places.add(link)
            if ch == "\r" and styles is not None:
                level, marker = styles.paragraph(start + at)
                if level < 0 or (
                    _GENERATED.match(text, at + 1)
                    and generated_title("".join(out[paragraph:]), "".join(out[:paragraph]))
                ):  # a table of contents' or an index's title (formats.GENERATED_TITLES)
                    del out[paragraph:]
                elif level and not styles.in_cell(start + at):  # (in a cell: the cell's text)
                    # a numbered heading keeps its number, as the DOCX reader's
                    shown = marker.strip()
                    out.insert(paragraph, "#" * level + " " + (f"{shown} " if shown else ""))
                elif marker:  # a nested level's indent kept through _clean
                    shown = marker.lstrip(" ")
                    out.insert(paragraph, _INDENT * (len(marker) - len(shown)) + f"{shown} ")
                elif (
                    not styles.in_cell(start + at)
                    and not _GENERATED.match(text, at + 1)  # a table of contents' title
                    and styles.plain(opened, text[opened - start : at])
                ):
                    out.insert(paragraph, _PLAIN)  # set as body text (formats.Body)
            if (  # a table of contents' entry set by hand: a link's words alone, no heading
                ch in "\r\x0c"
                and any(places)
                and styles is not None
                and not styles.in_cell(start + at)
                # its level, read above at a paragraph's end; asked once at a break's (asked
                # twice, a list's numbers would count the item twice: Paragraphs.paragraph)
                and (level if ch == "\r" else styles.paragraph(start + at)[0]) == 0
            ):
                shown = "".join(out[paragraph:]).replace(_PLAIN, "").replace(_INDENT, "")
                entry = linked_entry(shown.replace("\x0b", "\n"), places)
                out[paragraph:] = [entry] if entry else out[paragraph:]
            if ch == "\r" and styles is not None and styles.in_cell(start + at):
                ch = " "  # a paragraph of a cell that goes on: the cell's text goes on
            elif ch == _CELL and styles is not None and styles.row_end(start + at):
                ch = _ROW
                if rows is not None:
                    rows.append(styles.row_merges(start + at))
            elif ch == _CELL and styles is not None:  # a cell's number ("№" column: "1.")
                shown = styles.paragraph(start + at)[1].strip()
                if shown:
                    out.insert(paragraph, f"{shown} ")
            out.append(ch)
            if ch == "\r" and boxes:  # the text boxes anchored in it, after it
                out.extend(
                    boxes[anchor] + "\r"
                    for anchor in range(opened, start + at + 1)
                    if anchor in boxes
                )
            if text[at] in "\r\x07\x0c":  # (read as written: a cell's "\r" ends its paragraph)
                paragraph, opened = len(out), start + at + 1
                places = set()
    return "".join(out)


def _blocks(text: str, rows: Sequence[Described] = ()) -> tuple[str, frozenset[int]]:
    """Paragraphs (ended by "\r", a page or section break) as blocks; a table's row, its
    cells ended by "\x07", as one block with its cells side by side; a line break within a
    paragraph kept. A row ends where _visible marked it (_ROW), or, with no paragraph
    properties to tell, at a second "\x07" (an empty cell inside a row then ends it); a
    cell merged down read in each row it spans (`rows`, as _visible read them)."""
    if _ROW not in text:
        text = text.replace(_CELL * 2, _CELL + _ROW)
    blocks: list[str | Row] = []
    described, merged = iter(rows), MergedDown()
    pieces = re.split(f"([\r\x0c{_ROW}])", text)
    for paragraph, end in itertools.zip_longest(pieces[::2], pieces[1::2], fillvalue=""):
        cells = paragraph.split(_CELL)
        definition = next(described, ()) if end == _ROW else ()  # (each row end's, in turn)
        if len(cells) > 1:  # an empty cell kept in its place, as the DOCX and ODT readers keep it
            cells = cells[:-1] if not cells[-1].strip() else cells
            blocks.append(
                Row(merged.row(definition, [_clean(c.replace(_PLAIN, "")) for c in cells]))
            )
        else:  # (an empty one after a table's rows ends the table: formats.join_blocks)
            shown = _clean(paragraph.replace(_PLAIN, "")).replace(_INDENT, " ")
            blocks.append(Body(shown) if paragraph.startswith(_PLAIN) else shown)
    joined = join_blocks(blocks)
    return joined.text, joined.plain


def _clean(text: str) -> str:
    text = text.replace("\x0b", "\n").replace("\x1e", "-").replace("\t", " ")
    return fold_spaces(_DROPPED.sub("", text))

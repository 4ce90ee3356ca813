"""What a .doc's paragraph properties say about each paragraph: whether it is a heading (its
style) and the number or bullet Word shows before it (its list), which lie in the
formatting, not in the text ([MS-DOC]).

A paragraph's properties are in the paragraph property pages (PapxFkp, 2.9.179): its style
(istd) and its own property modifiers (sprms), among them the list it is an item of (sprmPIlfo,
an index into the list format overrides, PlfLfo) and its level (sprmPIlvl). A style's own
modifiers (in the style sheet, STSH, 2.9.271) give the list to every paragraph in it, through
the styles it is based on: Word's "heading 1" numbered "1.", "1.1". Each list (LSTF in PlfLst)
has up to nine levels (LVL), each with its start, its number format (nfc) and its number
text, where characters 0 to 8 stand for the counts of levels 1 to 9 ("\\x00.\\x01." shows
"2.1."). Counted here in reading order as Word counts them, per list, a level restarting
those below it, a list format override restarting a level where it says so; set out as the
DOCX reader sets them ("2.1.", "(a)", "•", nested levels set in).
"""

from __future__ import annotations

import bisect
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

from retrieval.formats import LARGE_PT
from retrieval.merged_cells import Described, doc_merges
from retrieval.numbering import list_marker

_FKP = 512  # a page of paragraph properties
_HEADINGS = range(1, 10)  # the built-in styles "heading 1" to "heading 9" (sti)
_TITLE = 62  # the built-in style "Title" (sti), read as a first-level heading
_INDEX_HEADING = 33  # the built-in "Index Heading" (sti): see formats.GENERATED_TITLES
_NO_STYLE = 0x0FFF
_PARAGRAPH_STYLE = 1  # a style's kind (stk)
_ILFO, _ILVL = 0x460B, 0x260A  # sprmPIlfo and sprmPIlvl
_ROW_END = 0x2417  # sprmPFTtp: the paragraph is a table row's end mark
_IN_TABLE = 0x2416  # sprmPFInTable: the paragraph stands in a table's cell
# a toggle's operand that turns it on: 1, or 0x81 (the opposite of the style's, which is off
# in any style a document's text is set in); 0x80 is the style's own
ON = (b"\x01", b"\x81")
# what sets characters apart from body text: sprmCFBold, sprmCFItalic, sprmCFCaps (toggles);
# sprmCKul (an underline, 0 none); sprmCHps (the size, in half-points)
_APART_TOGGLES = (0x0835, 0x0836, 0x083B)
_UNDERLINE, _SIZE = 0x2A3E, 0x4A43
# the operand's size of a property modifier by its spra, the top three bits ([MS-DOC] 2.2.5.1);
# 6: a size byte first
_OPERAND = {0: 1, 1: 1, 2: 2, 3: 4, 4: 2, 5: 2, 7: 3}
_TABLE_DEFINITION, _TABS = 0xD608, 0xC615  # the two modifiers whose size is read otherwise
# number formats ([MS-OSHARED] 2.2.1.3 MSONFC) as numbering.list_marker's kinds; others
# (ordinals, words, scripts) are shown as decimal numbers
_FORMATS = {0: "1", 1: "I", 2: "i", 3: "A", 4: "a", 22: "1"}
_BULLET, _NONE = 23, 255
MAX_LEVELS = 9


def u16(data: bytes, at: int) -> int:
    return int(struct.unpack_from("<H", data, at)[0])


def u32(data: bytes, at: int) -> int:
    return int(struct.unpack_from("<I", data, at)[0])


def modifiers(grpprl: bytes) -> dict[int, bytes]:
    """A run of property modifiers (sprms) as {sprm: operand}; one cut short ends the run."""
    out: dict[int, bytes] = {}
    at = 0
    while at + 2 <= len(grpprl):
        sprm = u16(grpprl, at)
        at += 2
        spra = sprm >> 13
        if spra != 6:
            size = _OPERAND[spra]
        elif sprm == _TABLE_DEFINITION and at + 2 <= len(grpprl):
            size = u16(grpprl, at) + 1
        elif sprm == _TABS and at < len(grpprl) and grpprl[at] == 255:
            break  # a tab change of the older kind, whose size needs its contents: stop
        elif at < len(grpprl):
            size = grpprl[at] + 1
        else:
            break
        if at + size > len(grpprl):
            break
        out[sprm] = grpprl[at : at + size]
        at += size
    return out


def sets_apart(props: dict[int, bytes]) -> bool:
    """Do character modifiers set their text apart from body text: bold, italic, in
    capitals, underlined, or large (formats.LARGE_PT)?"""
    if any(props.get(sprm, b"\x00")[:1] in ON for sprm in _APART_TOGGLES):
        return True
    size = props.get(_SIZE, b"")
    return props.get(_UNDERLINE, b"\x00")[:1] != b"\x00" or (
        len(size) == 2 and u16(size, 0) >= 2 * LARGE_PT
    )


def _list_of(props: dict[int, bytes]) -> tuple[int | None, int | None]:
    """The list format override (ilfo) and level a run of modifiers sets, each None if unset."""
    ilfo = u16(props[_ILFO], 0) if len(props.get(_ILFO, b"")) == 2 else None
    ilvl = props[_ILVL][0] if len(props.get(_ILVL, b"")) == 1 else None
    return ilfo, ilvl


@dataclass
class _Style:
    sti: int = 0
    base: int = _NO_STYLE
    ilfo: int | None = None
    ilvl: int | None = None
    apart: bool = False  # its characters' modifiers set its text apart (sets_apart)


def read_styles(stsh: bytes) -> list[_Style]:
    """Each style's built-in identity (sti), the style it is based on, the list and level its
    paragraph modifiers set, and whether its character modifiers set its text apart (STSH:
    the STSHI, then each STD after its size)."""
    base_size = u16(stsh, 4)  # the STSHI's cbSTDBaseInFile
    at = 2 + u16(stsh, 0)
    styles = []
    for _ in range(u16(stsh, 2)):  # its cstd
        size = u16(stsh, at)
        style = _Style()
        if size >= 10:
            std = stsh[at + 2 : at + 2 + size]
            style.sti = u16(std, 0) & 0x0FFF
            kind, style.base = u16(std, 2) & 0x000F, u16(std, 2) >> 4
            if kind == _PARAGRAPH_STYLE and base_size + 2 <= len(std):
                name = base_size + 2 + 2 * u16(std, base_size) + 2  # after the name and its end
                if name + 4 <= len(std):  # the paragraph UPX: its size, istd, then modifiers
                    papx = u16(std, name)
                    upx = std[name + 2 : name + 2 + papx]
                    style.ilfo, style.ilvl = _list_of(modifiers(upx[2:]))
                    chpx = name + 2 + papx + (papx & 1)  # then the characters', padded to even
                    if chpx + 2 <= len(std):
                        style.apart = sets_apart(
                            modifiers(std[chpx + 2 : chpx + 2 + u16(std, chpx)])
                        )
        else:
            style.sti = _NO_STYLE
        styles.append(style)
        at += 2 + size
    return styles


@dataclass
class _Level:
    start: int
    nfc: int
    text: str  # the number text: characters 0-8 stand for the levels' counts
    legal: bool  # every level's count in decimal ("1.1", not "I.a")


@dataclass
class _Override:
    lsid: int
    starts: dict[int, int] = field(default_factory=dict)  # level -> restart at
    levels: dict[int, _Level] = field(default_factory=dict)  # level -> its own formatting


def _level(table: bytes, at: int) -> tuple[_Level, int]:
    """An LVL at `at`: its LVLF (28 bytes), paragraph and character modifiers, number text."""
    start = struct.unpack_from("<i", table, at)[0]
    nfc, info = table[at + 4], table[at + 5]
    chpx, papx = table[at + 24], table[at + 25]
    at += 28 + papx + chpx
    count = u16(table, at)
    text = table[at + 2 : at + 2 + 2 * count].decode("utf-16-le", errors="replace")
    if len(text) < count:
        raise ValueError("a list level's number text runs past the table stream")
    return _Level(start, nfc, text, bool(info & 0x04)), at + 2 + 2 * count


def read_lists(
    table: bytes, plflst: tuple[int, int], plflfo: tuple[int, int]
) -> tuple[dict[int, list[_Level]], list[_Override]]:
    """The lists (lsid -> its levels) and the list format overrides, in order (a paragraph's
    ilfo is 1 + an index into them). The levels follow PlfLst, outside its counted size."""
    lists: dict[int, list[_Level]] = {}
    overrides: list[_Override] = []
    fc, size = plflst
    if size >= 2:
        count = struct.unpack_from("<h", table, fc)[0]
        ids = []
        for n in range(max(count, 0)):
            entry = fc + 2 + 28 * n
            ids.append((struct.unpack_from("<i", table, entry)[0], table[entry + 26] & 0x01))
        at = fc + 2 + 28 * max(count, 0)
        for lsid, simple in ids:
            levels = []
            for _ in range(1 if simple else MAX_LEVELS):
                level, at = _level(table, at)
                levels.append(level)
            lists[lsid] = levels
    fc, size = plflfo
    if size >= 4:
        count = u32(table, fc)
        if fc + 4 + 16 * count > len(table):
            raise ValueError("the list format overrides run past the table stream")
        at = fc + 4 + 16 * count
        for n in range(count):
            entry = fc + 4 + 16 * n
            override = _Override(struct.unpack_from("<i", table, entry)[0])
            at += 4  # LFOData: its cp, then a level override (LFOLVL) for each it names
            for _ in range(table[entry + 12]):
                start, bits = struct.unpack_from("<i", table, at)[0], table[at + 4]
                at += 8
                which = bits & 0x0F  # iLvl, then fStartAt and fFormatting
                if bits & 0x10:
                    override.starts[which] = start
                if bits & 0x20:
                    override.levels[which], at = _level(table, at)
            overrides.append(override)
    return lists, overrides


PAPX_ENTRY, CHPX_ENTRY = 13, 1  # bytes of a run's entry in a paragraph's, a character's page


def page_runs(word: bytes, bte: bytes, entry: int) -> Iterator[tuple[int, int, bytes, int]]:
    """The runs of a table of property pages (PlcBtePapx, PlcBteChpx: each page's number
    in the WordDocument stream, [MS-DOC] 2.9.179, 2.9.35): each run's first and end byte in
    the stream, its page, and where its properties stand in the page (0: none). A run's
    entry opens with the properties' offset in words."""
    count = (len(bte) - 4) // 8
    for n in range(count):
        page = word[(u32(bte, 4 * (count + 1) + 4 * n) & 0x3FFFFF) * _FKP :][:_FKP]
        crun = page[_FKP - 1]
        fcs = struct.unpack_from(f"<{crun + 1}I", page, 0)
        for k in range(crun):
            yield fcs[k], fcs[k + 1], page, 2 * page[4 * (crun + 1) + entry * k]


class Paragraphs:
    """Each paragraph's heading level and the number Word shows before it, by the character
    position of its mark; `paragraph` is asked of the paragraphs in reading order, since the
    numbers are counted so."""

    def __init__(
        self,
        word: bytes,
        pieces: list[tuple[int, int, int, bool]],
        styles: list[_Style],
        bte: bytes,
        lists: tuple[dict[int, list[_Level]], list[_Override]] = ({}, []),
    ) -> None:
        self.apart: list[tuple[int, int]] = []  # set apart characters (see plain), in order
        self.apart_starts: list[int] = []
        self.pieces = pieces
        self.piece_starts = [piece[0] for piece in pieces]
        self.styles = styles
        self.lists, self.overrides = lists
        self.counts: dict[int, list[int]] = {}  # lsid -> each level's count (0: none yet)
        self.restarted: set[tuple[int, int]] = set()  # (ilfo, level) overrides applied
        runs: list[tuple[int, int, int, int | None, int | None]] = []
        self.row_ends: set[int] = set()  # where the runs of row end marks start (their fc)
        self.merges: dict[int, Described] = {}  # ... and their cells
        self.in_cells: set[int] = set()  # ... and those of paragraphs in a table's cells
        for first, end, page, offset in page_runs(word, bte, PAPX_ENTRY):
            istd, ilfo, ilvl = 0, None, None
            if offset:  # PapxInFkp: cb (its size in words), or 0 and a byte size
                size = 2 * page[offset] - 1 if page[offset] else 2 * page[offset + 1]
                at = offset + (1 if page[offset] else 2)
                istd = u16(page, at)
                props = modifiers(page[at + 2 : at + size])
                ilfo, ilvl = _list_of(props)
                if props.get(_ROW_END, b"\x00")[0]:
                    self.row_ends.add(first)
                    self.merges[first] = doc_merges(props.get(_TABLE_DEFINITION, b""))
                if props.get(_IN_TABLE, b"\x00")[0]:
                    self.in_cells.add(first)
            runs.append((first, end, istd, ilfo, ilvl))
        runs.sort(key=lambda run: run[0])
        self.runs = runs
        self.starts = [run[0] for run in runs]

    def _run(self, cp: int) -> tuple[int, int, int, int | None, int | None] | None:
        piece = bisect.bisect_right(self.piece_starts, cp) - 1  # the pieces are in order
        if piece < 0 or cp >= self.pieces[piece][1]:
            return None
        first, _, offset, compressed = self.pieces[piece]
        fc = offset + (cp - first) * (1 if compressed else 2)
        at = bisect.bisect_right(self.starts, fc) - 1
        return self.runs[at] if at >= 0 and fc < self.runs[at][1] else None

    def plain(self, first: int, text: str) -> bool:
        """Is the paragraph `text`, from character `first` (its mark after it), set as body
        text: neither its style (through those it is based on) nor all of its letters set
        apart (`apart`: the character positions of text set apart, doc_characters)?"""
        run = self._run(first + len(text))
        if any(style.apart for style in self._chain(run[2] if run is not None else 0)):
            return False
        shown = [first + n for n, ch in enumerate(text) if not ch.isspace()]
        at = bisect.bisect_right(self.apart_starts, shown[0]) - 1 if shown else -1
        for cp in shown:
            while at + 1 < len(self.apart) and self.apart[at + 1][0] <= cp:
                at += 1
            if at < 0 or cp >= self.apart[at][1]:
                return True
        return False

    def row_end(self, cp: int) -> bool:
        """Whether the cell mark ("\x07") at character `cp` ends a table's row, not a cell:
        an empty cell's mark after another cell's reads the same ("\x07\x07")."""
        run = self._run(cp)
        return run is not None and run[0] in self.row_ends

    def row_merges(self, cp: int) -> Described:
        """Each cell of the row whose end mark stands at `cp`: where it ends and what it is
        to a merge down (merged_cells.doc_merges)."""
        run = self._run(cp)
        return self.merges.get(run[0], ()) if run is not None else ()

    def in_cell(self, cp: int) -> bool:
        """Whether the paragraph whose mark stands at character `cp` is one of a table's
        cell's paragraphs (the cell goes on after it)."""
        run = self._run(cp)
        return run is not None and run[0] in self.in_cells

    def _chain(self, istd: int) -> Iterator[_Style]:
        """A style, then the styles it is based on, in turn (each once)."""
        seen = set()
        while istd < len(self.styles) and istd not in seen:
            seen.add(istd)
            yield self.styles[istd]
            istd = self.styles[istd].base

    def _inherited(self, istd: int) -> tuple[int | None, int | None]:
        """The list and level a style sets, or the styles it is based on."""
        ilfo = ilvl = None
        for style in self._chain(istd):
            ilfo = style.ilfo if ilfo is None else ilfo
            ilvl = style.ilvl if ilvl is None else ilvl
            if ilfo is not None and ilvl is not None:
                break
        return ilfo, ilvl

    def paragraph(self, cp: int) -> tuple[int, str]:
        """The heading level (0: none) of the paragraph whose mark stands at character `cp`,
        and what Word shows before its text ("" if nothing); level -1 for the title of an
        index, left out with it (formats.GENERATED_TITLES)."""
        run = self._run(cp)
        if run is None:
            return 0, ""
        _, _, istd, ilfo, ilvl = run
        sti = self.styles[istd].sti if istd < len(self.styles) else 0
        if sti == _INDEX_HEADING:
            return -1, ""
        level = sti if sti in _HEADINGS else 1 if sti == _TITLE else 0
        own_ilfo, own_ilvl = self._inherited(istd)
        ilfo = own_ilfo if ilfo is None else ilfo
        ilvl = own_ilvl if ilvl is None else ilvl
        return level, self._marker(ilfo or 0, ilvl or 0)

    def _marker(self, ilfo: int, ilvl: int) -> str:
        if not 1 <= ilfo <= len(self.overrides) or ilvl >= MAX_LEVELS:
            return ""  # no list (0), or one of the values that mean none
        override = self.overrides[ilfo - 1]
        levels = self.lists.get(override.lsid)
        if not levels or ilvl >= len(levels):
            return ""

        def level_of(at: int) -> _Level:
            return override.levels.get(at) or levels[min(at, len(levels) - 1)]

        counts = self.counts.setdefault(override.lsid, [0] * MAX_LEVELS)
        if ilvl in override.starts and (ilfo, ilvl) not in self.restarted:
            self.restarted.add((ilfo, ilvl))
            counts[ilvl] = 0
            restart = override.starts[ilvl]
        else:
            restart = level_of(ilvl).start
        counts[ilvl] = counts[ilvl] + 1 if counts[ilvl] else restart
        for deeper in range(ilvl + 1, MAX_LEVELS):
            counts[deeper] = 0
        own = level_of(ilvl)
        if own.nfc == _NONE:
            return ""
        if own.nfc == _BULLET:
            shown = "•"
        else:
            parts = []
            for ch in own.text:
                at = ord(ch)
                if at >= MAX_LEVELS:
                    parts.append(ch)
                    continue
                of = level_of(at)
                count = counts[at] or of.start
                kind = "1" if own.legal else _FORMATS.get(of.nfc, "1")
                parts.append(list_marker(kind, count).rstrip("."))
            shown = "".join(parts).strip()
        # a nested level stands further in, as Word shows it (retrieval.numbering reads that)
        return "  " * ilvl + shown if shown else ""

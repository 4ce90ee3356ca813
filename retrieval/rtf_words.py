"""RTF's vocabulary as retrieval.rtf_reader reads it: its tokens, the groups that hold no
text of the document, the characters some control words stand for, the code pages of
fonts' character sets; what a group sets (Group), its character formatting read; and a
table's row's cells as its definition gives them (RowCells).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from retrieval.merged_cells import FIRST, ON

TOKEN = re.compile(
    rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?"  # a control word and its parameter
    rb"|\\'([0-9a-fA-F]{2})"  # a byte in a code page
    rb"|\\([^a-zA-Z'])"  # a control symbol: "\~", "\-", "\{"
    rb"|([{}])"
    rb"|[\r\n]+"  # line ends are no text in RTF
    rb"|([^\\{}\r\n]+)"
)
# groups whose text is no part of the document's: tables of fonts, colours and lists,
# headers and footers, pictures, objects, comments, a field's instructions (read aside)
SKIPPED = frozenset(
    "fonttbl colortbl stylesheet listtable listoverridetable revtbl rsidtbl generator "
    "xmlnstbl themedata colorschememapping latentstyles datastore pgdsctbl mmathPr "
    "userprops docvar template pict object shprslt shppict nonshppict header headerl "
    "headerr headerf footer footerl footerr footerf ftnsep ftnsepc aftnsep aftnsepc "
    "annotation atnid atnauthor atndate atnref bkmkstart bkmkend fldinst falt panose "
    "objdata blipuid pn".split()
)
# what a few control words and symbols stand for
CHARACTERS = {
    "emdash": "—",
    "endash": "–",
    "lquote": "‘",
    "rquote": "’",
    "ldblquote": "“",
    "rdblquote": "”",
    "bullet": "•",
    "emspace": " ",
    "enspace": " ",
    "qmspace": " ",
    "tab": "\t",
    "line": "\n",
    "~": " ",
    "_": "-",
    "\\": "\\",
    "{": "{",
    "}": "}",
}
BREAKS = frozenset({"par", "sect", "page", "column"})  # what ends a paragraph
# a font's character set (\fcharset) -> its Windows code page; 0 (ANSI), 1 (default) and
# 2 (symbol) are read in the document's own code page (\ansicpg)
CHARSETS = {
    128: 932,
    129: 949,
    134: 936,
    136: 950,
    161: 1253,
    162: 1254,
    163: 1258,
    177: 1255,
    178: 1256,
    186: 1257,
    204: 1251,
    222: 874,
    238: 1250,
}
SYMBOL = 2  # the character set of a font of symbols


@dataclass
class Group:
    """What a group ("{…}") sets, and its inner groups inherit."""

    skip: bool = False
    # "listtext", "footnote", "title", "stylesheet", "fonttbl", "fldinst", or "" (the text)
    destination: str = ""
    font: int | None = None
    entry: int | None = None  # the style sheet's entry being read
    uc: int = 1  # characters after a "\u" letter that stand in for it, to be passed over
    field: dict[str, str] | None = None  # the field it is in: its instruction so far
    link: str | None = None  # in a link's result: where to (formats.link_place)
    opens_aside: bool = False  # a footnote's or a text box's own group: its end ends it
    in_shape: bool = False  # in a shape of the text (not of a header, a picture…)
    hidden: bool = False  # text formatted hidden ("\\v"), which the reader does not see
    deleted: bool = False  # a tracked deletion ("\\deleted")
    # what sets its text apart from body text: "b", "i", "ul", "caps" on; its size (\fs)
    marked: frozenset[str] = frozenset()
    size: int = 24  # half-points

    def formats(self, name: str, value: int | None) -> bool:
        """Read a control word of character formatting into the group: whether it was one.
        What the reader does not see (hidden text, a tracked deletion), and what sets the
        text apart from body text (formats.Body)."""
        if name == "v":  # hidden text: "\\v" on, "\\v0" off
            self.hidden = value != 0
        elif name == "deleted":  # a tracked deletion, which the document reads without
            self.deleted = value != 0
        elif name == "plain":  # the character formatting reset
            self.hidden = self.deleted = False
            self.marked, self.size = frozenset(), Group.size
        elif name in ("b", "i", "ul", "caps", "ulnone"):
            on = value != 0 and name != "ulnone"
            mark = "ul" if name == "ulnone" else name
            self.marked = self.marked | {mark} if on else self.marked - {mark}
        elif name == "fs" and value is not None:
            self.size = value
        else:
            return False
        return True


@dataclass
class RowCells:
    """Each cell of a table's row as the row's definition gives it ("\\trowd", then
    "\\cellx" after each cell's properties): where it ends, and what it is to a merge down
    (merged_cells: "", FIRST, ON): "\\clvmgf" opens a merge, "\\clvmrg" is a cell it covers."""

    cells: list[tuple[int, str]] = field(default_factory=list)
    kind: str = ""  # the next cell's

    def word(self, name: str, value: int | None) -> bool:
        """Read a control word of a row's definition: whether it was one."""
        if name == "trowd":  # a row's definition begins
            self.cells, self.kind = [], ""
        elif name in ("clvmgf", "clvmrg"):
            self.kind = FIRST if name == "clvmgf" else ON
        elif name == "cellx" and value is not None:
            self.cells.append((value, self.kind))
            self.kind = ""
        else:
            return False
        return True

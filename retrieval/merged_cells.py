"""Cells merged down over a table's rows, as the .doc and RTF readers find them.

A table sets a row's label once over the rows it heads ("Mobile internet" beside "4G" and
"5G"). The DOCX reader reads it in each row it spans, as python-docx gives a row the cell
merged down over it, so that each row's clause says what the row is ("Mobile internet | 5G |
15 AZN"); the ODT reader reads its covered cells so. Read here for .doc and RTF, whose rows
say which of their cells open a merge and which one covers, and read as they stand
otherwise ("| 5G | 15 AZN").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

FIRST, ON = "first", "on"  # a cell that opens a merge down, and a cell one covers
_VERT_MERGE, _VERT_RESTART = 0x0020, 0x0040  # a .doc cell's flags (TC80's tcgrf)
_TC80 = 20  # a .doc cell's description, in bytes
# a row's cells as its definition describes them: each one's end (its right edge) and what
# it is to a merge down
Described = tuple[tuple[int, str], ...]


def doc_merges(operand: bytes) -> Described:
    """Each cell of a .doc table's row: where it ends (its right edge, in twips) and what it
    is to a merge down ("", FIRST or ON), from the row's definition (sprmTDefTable's
    operand: its size, the cells' count, their edges, a TC80 each, of which the last may
    be left out)."""
    if len(operand) < 3:
        return ()
    count = operand[2]
    at = 3 + 2 * (count + 1)  # after the cells' edges
    if len(operand) < at:
        return ()
    cells = []
    for n in range(count):
        edge = int.from_bytes(operand[5 + 2 * n : 7 + 2 * n], "little", signed=True)
        start = at + _TC80 * n
        flags = (
            int.from_bytes(operand[start : start + 2], "little") if start + 2 <= len(operand) else 0
        )
        cells.append(
            (edge, "" if not flags & _VERT_MERGE else FIRST if flags & _VERT_RESTART else ON)
        )
    return tuple(cells)


@dataclass
class MergedDown:
    """The text of each merge down still open in a table, by where its cell ends."""

    texts: dict[int, str] = field(default_factory=dict)

    def row(self, described: Sequence[tuple[int, str]], cells: Sequence[str]) -> tuple[str, ...]:
        """A row's cells, an empty one that a merge covers read as the cell that opened it
        (the cell above that ends where it ends: a row whose cells are merged across
        columns has fewer); a row whose cells its definition (`described`: each cell's end
        and what it is to a merge) does not describe, a nested table's, as it stands."""
        if len(described) != len(cells):
            return tuple(cells)
        out = []
        for (edge, kind), text in zip(described, cells, strict=True):
            if kind == ON and not text.strip():
                text = self.texts.get(edge, text)
            elif kind == FIRST:
                self.texts[edge] = text
            elif kind != ON:
                self.texts.pop(edge, None)
            out.append(text)
        return tuple(out)

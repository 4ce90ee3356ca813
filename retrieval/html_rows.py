"""An HTML table's rows as a browser lays them out: where each cell stands, and the cells
merged down over rows (rowspan) read in each row they span, as the DOCX reader reads them
(retrieval.html_reader reads the rest of the page)."""

from __future__ import annotations

from typing import Any

MAX_SPAN = 1000  # rows or columns a cell spans, read at most (a page may say 65534)


def span(value: str | None) -> int:
    """A cell's rowspan or colspan: 1 unless a number over 1 (at most MAX_SPAN)."""
    value = (value or "").strip()
    return min(int(value), MAX_SPAN) if value.isdecimal() and int(value) > 1 else 1


class RowCells:
    """The cells of the row being read, written into the reader's text (`current`, the
    parser's list of the block's pieces) side by side, " | " between them."""

    def __init__(self) -> None:
        self.cells = 0  # cells begun in the current table row
        self.column = 0  # the column its next cell stands in
        self.spanned = False  # whether the last of them spans columns
        # the cell being read, while its rows span more than one: [where its text starts
        # in `current`, its column, rows, columns]; and each cell merged down from a row
        # above that stands in the rows to come, by its column: [its text, rows, columns]
        self.merging: list[Any] | None = None
        self.down: dict[int, list[Any]] = {}
        self.fed: set[int] = set()  # the columns of those read into the current row

    def table_begins(self) -> None:
        self.down = {}

    def row_begins(self) -> None:
        self.cells = self.column = 0
        self.fed = set()

    def cell_begins(self, current: list[str], rowspan: str | None, colspan: str | None) -> None:
        """A cell begins: the cells merged down that stand before it, read in first."""
        self.cell_ends(current)
        self.merged_down(current)
        if self.cells:  # cells side by side, as the table shows them
            current.append(" | ")
        self.cells += 1
        self.spanned = (colspan or "1").strip() not in ("", "0", "1")
        rows, columns = span(rowspan), span(colspan)
        self.merging = [len(current), self.column, rows, columns] if rows > 1 else None
        self.column += columns

    def cell_ends(self, current: list[str]) -> None:
        """The cell read ends: if its rows span more than one, its text is kept for them."""
        if self.merging is not None:
            at, column, rows, columns = self.merging
            text = " ".join("".join(current[at:]).split())
            self.down[column] = [text, rows - 1, columns]
            self.fed.add(column)  # (this row is its first)
            self.merging = None

    def merged_down(self, current: list[str], every: bool = False) -> None:
        """The cells merged down from the rows above that stand in this row at its next
        column (`every`: all those left, at the row's end), read into it as the DOCX reader
        reads them: a row's label ("Mobile internet | 5G | 15 AZN"). One that overlaps a
        cell of the row (a page's error) counts its row all the same."""
        while True:
            ahead = sorted(column for column in self.down if column >= self.column)
            if not ahead or not every and ahead[0] != self.column:
                break
            text, rows, columns = self.down.pop(ahead[0])
            current.append((" | " if self.cells else "") + text)
            self.cells += 1
            if rows > 1:
                self.down[ahead[0]] = [text, rows - 1, columns]
            self.fed.add(ahead[0])
            self.column = ahead[0] + columns
        if every:
            for column in [c for c in self.down if c not in self.fed]:
                self.down[column][1] -= 1
                if self.down[column][1] < 1:
                    del self.down[column]

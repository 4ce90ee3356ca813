"""A table's rows on a PDF page, read as the other readers write a row: its cells side by
side, " | " between them (retrieval.pdf_reader, retrieval.pdf_columns).

pypdf's layout mode writes a table's row as a line with its cells a gutter apart; a cell that
runs over several lines goes on in the lines under it, beside the other cells' next lines or
blanks. Read as they stand, a row's words run into the next row's and the paragraph under
the table: a quote of them words the document does not have in that order.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence

from retrieval.numbering import opens_item

GUTTER = 5  # spaces between a table's cells, or a page's columns, at least
COLUMN_SLACK = 2  # columns a cell may stand off the one above it, in the same column
CELL = re.compile(rf"\S+(?: {{1,{GUTTER - 1}}}\S+)*")  # words closer than a gutter
ITEM_ROW_CELLS = 3  # cells of a table's row that opens with a list's number, at least
# columns a word may fall short of its cell's end and still not fit there: layout mode's
# columns are its own gauge of the page, not the font's letters
FIT_SLACK = 2 * GUTTER


def table_rows(lines: Sequence[str]) -> dict[int, str]:
    """The lines of a page that are a table's rows, as the other readers write a row (its
    cells side by side, " | " between them), by their index: runs of two lines or more
    whose cells (words set a gutter apart, GUTTER spaces or more) are as many and start
    in the same columns, the first cell aside. Prose that a justified line spaces widely
    does not line up with the line under it."""
    cells = [[(m.start(), m.group()) for m in CELL.finditer(line)] for line in lines]
    for at, line in enumerate(lines):
        # a list's item is no row, however far its text stands from its marker; but a row
        # whose first cell a list numbers ("1. | Broadband | 100 AZN", a "№" column) is
        if opens_item(line.lstrip()) and len(cells[at]) < ITEM_ROW_CELLS:
            cells[at] = []
    rows: dict[int, str] = {}
    for at in range(1, len(lines)):
        above, here = cells[at - 1], cells[at]
        if len(above) == len(here) >= 2 and all(
            abs(a - b) <= COLUMN_SLACK for (a, _), (b, _) in zip(above[1:], here[1:], strict=True)
        ):
            for row in (at - 1, at):
                rows[row] = " | ".join(cell for _, cell in cells[row])
    return rows


def table_of_rows(
    block: Sequence[str], tops: Sequence[int], edge: int, apart: int, above: int
) -> list[str]:
    """A table's rows (see _read_sides), each beginning at one of `tops` (the last, where
    the rows end), read as the other readers write a row, `apart` blank lines at least
    before the first (`above` stand over the block) and after each: a clause each, however
    close the next stands (a heading right over the table heads it). A side may
    hold columns of its own (a table of three: "Latency  50  ms"): each cell is read
    whole down its column, as the side's are. The rows end before a line whose text runs
    across a column's start (the paragraph under the table, set as close as its rows);
    the lines from there, and those before the first row, read as they stand."""
    last = tops[-1]
    parts = [line[: edge - GUTTER] for line in block[:last]], [line[edge:] for line in block[:last]]
    starts = [_column_starts(part, tops) for part in parts]
    across = next(
        (
            at
            for at in range(tops[0], last)
            if any(_crosses(part[at], found) for part, found in zip(parts, starts, strict=True))
        ),
        last,
    )
    tops = [top for top in tops if top < across] + [across]
    columns = [
        column
        for part, found in zip(parts, starts, strict=True)
        for column in _columns(part[:across], found)
    ]
    before = list(block[: tops[0]])
    blank = next((n for n, line in enumerate(reversed(before)) if line.strip()), None)
    blank = above + len(before) if blank is None else blank
    out = [*before, *[""] * max(0, apart - blank)]
    for start, end in itertools.pairwise(tops):
        cells = [[text for at, text in column if start <= at < end] for column in columns]
        out += [" | ".join(" ".join(cell) for cell in cells if cell)] + [""] * apart
    return [*out, *block[across:]]


def _column_starts(part: Sequence[str], tops: Sequence[int]) -> list[int]:
    """Where a side of a table's rows has columns of its own past its first: where, after
    a gutter, a cell starts in two rows or more (beginning with `tops`), COLUMN_SLACK
    aside."""
    rows: dict[int, set[int]] = {}  # where a cell starts, in which rows
    for at, line in enumerate(part):
        row = bisect.bisect_right(tops, at)
        for cell in CELL.finditer(line):
            rows.setdefault(cell.start(), set()).add(row)
    written = min(rows, default=0)  # where the side's own cells start
    starts: list[int] = []
    for start in sorted(rows):
        apart = not starts or start - starts[-1] > COLUMN_SLACK
        if start - written >= GUTTER and len(rows[start]) >= 2 and apart:
            starts.append(start)
    return starts


def _crosses(line: str, starts: Sequence[int]) -> bool:
    """Does a cell of the line (words closer than a gutter) run across a column's start?"""
    return any(
        cell.start() < start - COLUMN_SLACK and cell.end() > start
        for cell in CELL.finditer(line)
        for start in starts
    )


def _columns(part: Sequence[str], starts: Sequence[int]) -> list[list[tuple[int, str]]]:
    """A side's cells (words closer than a gutter) by the column they start in (`starts`
    the columns past its first), with the line they stand on."""
    columns: list[list[tuple[int, str]]] = [[] for _ in range(len(starts) + 1)]
    for at, line in enumerate(part):
        for cell in CELL.finditer(line):
            column = bisect.bisect_right(starts, cell.start() + COLUMN_SLACK)
            columns[column].append((at, cell.group()))
    return columns


def table_grid(lines: Sequence[str]) -> tuple[list[int], dict[int, str]]:
    """A page's tables whose cells run over several lines, found in its lines as they stand
    (those of a side_by_side table are read before): where each is read, a row a line, the
    lines kept (by their index, a row's first standing for the row) and the rows by
    that index. A table begins at a line of cells a gutter apart, its columns where they
    start; the lines under it whose cells each stand in one column, crossing no other's
    start, are its rows: a row begins where the first column's cell begins otherwise than
    in lower case beside another cell, and the lines between are its cells' next lines,
    none of them beginning the first column's in a capital letter. Two rows at least and
    some cell of several lines make a table (tables of one-line rows: table_rows)."""
    kept: list[int] = []
    rows: dict[int, str] = {}
    at = 0
    while at < len(lines):
        found = _grid(lines, at)
        if found is None:
            kept.append(at)
            at += 1
            continue
        end, tops = found
        for top, row in tops:
            kept.append(top)
            rows[top] = row
        at = end
    return kept, rows


def _grid(lines: Sequence[str], first: int) -> tuple[int, list[tuple[int, str]]] | None:
    """The table whose first row is `first`'s line (see table_grid): the line after its
    last, and its rows (each row's first line, the row's text)."""
    seed = list(CELL.finditer(lines[first]))
    if len(seed) < 2 or (opens_item(lines[first].lstrip()) and len(seed) < ITEM_ROW_CELLS):
        return None  # a list's item is no row, however far its text stands from its marker
    starts = [cell.start() for cell in seed]
    limits = [start - COLUMN_SLACK for start in starts[1:]]  # where a column ends
    widest = 0  # where the last column's text reaches, on the lines read
    placed: list[list[tuple[int, str]]] = []  # each line's cells: (column, text)
    tops: list[int] = []
    reached: dict[int, int] = {}  # where each column's text reaches on the row's last line
    for at in range(first, len(lines)):
        cells = []
        for cell in CELL.finditer(lines[at]):
            column = bisect.bisect_right(starts, cell.start() + COLUMN_SLACK) - 1
            if column < 0 or (column < len(limits) and cell.end() > limits[column]):
                break  # before the first column, or across the next one's start
            cells.append((column, cell.end(), cell.group()))
        else:
            if cells and _row_line(cells, reached, limits, widest):
                columns = [column for column, *_ in cells]
                if columns[0] == 0 and len(cells) >= 2:  # a row's first line
                    tops.append(at)
                    reached = {}
                reached |= {column: end for column, end, _ in cells}
                widest = max([widest] + [end for column, end, _ in cells if column >= len(limits)])
                placed.append([(column, text) for column, _, text in cells])
                continue
        break
    last = first + len(placed)
    if len(tops) < 2 or len(tops) == len(placed):
        return None
    found = []
    for start, end in itertools.pairwise([*tops, last]):
        texts: list[list[str]] = [[] for _ in starts]
        for placed_line in placed[start - first : end - first]:
            for column, text in placed_line:
                texts[column].append(text)
        found.append((start, " | ".join(" ".join(text) for text in texts)))
    return last, found


def _row_line(
    cells: Sequence[tuple[int, int, str]],
    reached: dict[int, int],
    limits: Sequence[int],
    widest: int,
) -> bool:
    """Is a line of cells (column, where it ends, text), each in a column of its own, a row's
    first line (its first column's cell beginning otherwise than in lower case, beside
    another cell) or its next (each cell going on in lower case from the row's text above
    it in its column, which its first word would not have fitted after: the cell
    wrapped, as a word processor wraps a cell's text, not a paragraph under a heading set
    beside a tag)?"""
    columns = [column for column, *_ in cells]
    if len(set(columns)) < len(columns):
        return False
    opens = cells[0][2][0]
    if columns[0] == 0 and len(cells) >= 2:
        return opens.isalnum() and not opens.islower()
    for column, _, text in cells:
        limit = limits[column] if column < len(limits) else widest
        word = len(text.split()[0])
        if not text[0].islower() or column not in reached:
            return False
        if reached[column] + 1 + word < limit - FIT_SLACK:
            return False  # its first word would have fitted on the line above
    return True

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
from typing import NamedTuple

from retrieval.numbering import opens_item

GUTTER = 5  # spaces between a table's cells, or a page's columns, at least
COLUMN_SLACK = 2  # columns a cell may stand off the one above it, in the same column
CELL = re.compile(rf"\S+(?: {{1,{GUTTER - 1}}}\S+)*")  # words closer than a gutter
ITEM_ROW_CELLS = 3  # cells of a table's row that opens with a list's number, at least
# of a column's width, how far short of its widest text a word may end and still not have
# fitted there: layout mode's columns are its own gauge of the page, not the font's letters
FIT_SLACK = 0.25
# written lines a page's running header or footer may take beside a table that runs on
# over the page's end
EDGE_LINES = 2


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


class _Grid(NamedTuple):
    """A table found on a page (see table_grid), by its written lines."""

    first: int  # its first line
    end: int  # the line after its last
    columns: int
    rows: list[list[list[tuple[int, str]]]]  # each row's lines, each line's (column, text)
    tops: list[int]  # where each row begins
    header: list[list[tuple[int, str]]]  # its first row's lines, read as a row or not


def table_grid(pages: Sequence[str], apart: int) -> list[str]:
    """The pages' tables whose cells run over several lines, each row read as one line, as
    the other readers write a row, with `apart` blank lines (a paragraph's break) at least
    before the first and after each: a clause each. Found in a page's written lines as
    layout mode sets them: a table begins at a line of cells a gutter apart, its columns
    where they start; the lines under it whose cells each stand in one column, crossing no
    other's start, are its rows. A row begins where the first column's cell begins with a
    capital letter or a digit beside another cell; the lines between are its cells' next
    lines (see _row_line). Two rows at least and some cell of several lines make a
    table; a table of one-line rows is read by table_rows, after. A table that runs on
    over a page's end, its header row repeated at the next page's top (as word processors
    repeat it), is read as one: the header is read once, and the cells' lines above the
    next page's first row end the row the page's end cut."""
    found = [_grids(page) for page in pages]
    for (before, written), (after, _) in itertools.pairwise(found):
        if before and before[-1].end >= written - EDGE_LINES:  # it reaches the page's end
            _join(before[-1], after)
    return [_read(page, grids, apart) for page, (grids, _) in zip(pages, found, strict=True)]


def _grids(page: str) -> tuple[list[_Grid], int]:
    """A page's tables (see table_grid), and how many written lines it has."""
    texts = [line for line in page.split("\n") if line.strip()]
    grids: list[_Grid] = []
    at = 0
    while at < len(texts):
        grid = _grid(texts, at)
        if grid is None:
            at += 1
            continue
        grids.append(grid)
        at = grid.end
    return grids, len(texts)


def _join(before: _Grid, after: list[_Grid]) -> None:
    """A table at a page's end and the next page's first, read as one where the second
    opens with the first's header row repeated (see table_grid): its lines are no row
    again, and the lines of cells under them, before the next row, end the first table's
    last row."""
    if not after or after[0].first > EDGE_LINES or before.columns != after[0].columns:
        return
    header, opening = before.header, after[0].rows[0]
    if len(after[0].rows) < 2 or opening[: len(header)] != header:
        return
    before.rows[-1].extend(opening[len(header) :])
    after[0].header[:] = header  # the header the table runs on with, over the next page too
    del after[0].rows[0], after[0].tops[0]  # no row: its lines are left out


def _read(page: str, grids: Sequence[_Grid], apart: int) -> str:
    """A page with its tables' rows read each as a line (see table_grid)."""
    if not grids:
        return page
    lines = page.split("\n")
    written = [at for at, line in enumerate(lines) if line.strip()]
    rows: dict[int, str] = {}  # by the page's line: a row's first line, and its text
    gone: set[int] = set()  # the tables' other lines, and the blank ones between them
    for grid in grids:
        for top, row in zip(grid.tops, grid.rows, strict=True):
            texts: list[list[str]] = [[] for _ in range(grid.columns)]
            for cells in row:
                for column, text in cells:
                    texts[column].append(text)
            rows[written[top]] = " | ".join(" ".join(text) for text in texts)
        gone |= set(range(written[grid.first], written[grid.end - 1] + 1)) - set(rows)
    out: list[str] = []
    for n, line in enumerate(lines):
        if n in rows:
            blank = next((k for k, above in enumerate(reversed(out)) if above.strip()), len(out))
            out += [""] * max(0, apart - blank) + [rows[n]] + [""] * apart
        elif n not in gone:
            out.append(line)
    return "\n".join(out)


def _grid(lines: Sequence[str], first: int) -> _Grid | None:
    """The table whose first row is `first`'s line, if one is (see table_grid)."""
    seed = list(CELL.finditer(lines[first]))
    if len(seed) < 2 or (opens_item(lines[first].lstrip()) and len(seed) < ITEM_ROW_CELLS):
        return None  # a list's item is no row, however far its text stands from its marker
    starts, ends = [cell.start() for cell in seed], [cell.end() for cell in seed]
    limits = [start - COLUMN_SLACK for start in starts[1:]]  # where a column ends
    widest: dict[int, int] = {}  # where each column's text reaches, on the lines read
    placed: list[list[tuple[int, str]]] = []  # each line's cells: (column, text)
    tops: list[int] = []
    reached: dict[int, int] = {}  # where each column's text reaches on the row's last line
    for at in range(first, len(lines)):
        cells = []
        for cell in CELL.finditer(lines[at]):
            column = bisect.bisect_right(starts, cell.start() + COLUMN_SLACK) - 1
            aligned = column >= 0 and (
                cell.start() <= starts[column] + COLUMN_SLACK  # as the first row's, left
                or abs(cell.end() - ends[column]) <= COLUMN_SLACK  # or right ("1,250")
            )
            if not aligned:
                break  # not where a column's cells stand (a justified line's wide spaces)
            if column < len(limits) and cell.end() > limits[column]:
                break  # across the next column's start
            cells.append((column, cell.end(), cell.group()))
        else:
            line = _row_line(cells, starts, reached, widest) if cells else None
            if line is not None:
                if line == "top":
                    tops.append(at)
                    reached = {}
                reached |= {column: end for column, end, _ in cells}
                for column, end, _ in cells:
                    widest[column] = max(widest.get(column, 0), end)
                placed.append([(column, text) for column, _, text in cells])
                continue
        break
    last = first + len(placed)
    if len(tops) < 2 or len(tops) == len(placed):
        return None
    rows = [placed[start - first : end - first] for start, end in itertools.pairwise([*tops, last])]
    return _Grid(first, last, len(starts), rows, tops, rows[0][:])


def _row_line(
    cells: Sequence[tuple[int, int, str]],
    starts: Sequence[int],
    reached: dict[int, int],
    widest: dict[int, int],
) -> str | None:
    """What a line of cells (column, where it ends, text) is to a table: "top", a row's
    first line (its first column's cell beginning with a capital letter or a digit, beside
    another cell); "next", its next line (each cell going on, in a letter or a number with
    its unit, from the row's text above it in its column, which its first word would not
    have fitted after within the column's widest text: the cell wrapped, as a word
    processor wraps a cell's text, not a paragraph under a heading set beside a tag, or a
    page's number under a table); None, neither, or two cells in one column."""
    columns = [column for column, *_ in cells]
    if len(set(columns)) < len(columns):
        return None
    opens = cells[0][2][0]
    if columns[0] == 0 and len(cells) >= 2 and opens.isalnum() and not opens.islower():
        return "top"
    for column, end, text in cells:
        limit = max(widest.get(column, 0), end)  # where the column's text reaches
        slack = FIT_SLACK * (limit - starts[column])
        if not (text[0].isalpha() or column > 0 and text[0].isdigit() and not text.isdigit()):
            return None  # a page's number under the table, a listing's next numbered line
        if column not in reached:
            return None
        if reached[column] + 1 + len(text.split()[0]) < limit - slack:
            return None  # its first word would have fitted on the line above
    return "next"

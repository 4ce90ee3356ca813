"""One table on a PDF page, read from its first row down (retrieval.pdf_tables finds them
and writes their rows): which written lines are its rows' first lines and which their
cells' next lines, told by the words (a row opens at a capital or a digit beside another
cell; a cell's next line is one its first word would not have fitted above) or, in a table
ruled as a grid, by the rules drawn (retrieval.pdf_rules).
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from typing import NamedTuple

from retrieval.numbering import opens_item
from retrieval.pdf_rules import PageRules

GUTTER = 5  # spaces between a table's cells, or a page's columns, at least
COLUMN_SLACK = 2  # columns a cell may stand off the one above it, in the same column
CELL = re.compile(rf"\S+(?: {{1,{GUTTER - 1}}}\S+)*")  # words closer than a gutter
ITEM_ROW_CELLS = 3  # cells of a table's row that opens with a list's number, at least
# of a column's width, how far short of its widest text a word may end and still not have
# fitted there: layout mode's columns are its own gauge of the page, not the font's letters
FIT_SLACK = 0.25


class Grid(NamedTuple):
    """A table found on a page (see pdf_tables.table_grid), by its written lines."""

    first: int  # its first line
    end: int  # the line after its last
    starts: list[int]  # where its columns' cells start (its first row's)
    ends: list[int]  # ... and end
    rows: list[list[list[tuple[int, str]]]]  # each row's lines, each line's (column, text)
    tops: list[int]  # where each row begins
    header: list[list[tuple[int, str]]]  # its first row's lines, read as a row or not
    reached: dict[int, int]  # where each column's text reaches on its last row's last line
    widest: dict[int, int]  # where each column's text reaches, on any of its lines
    # by row (its index in rows), the columns whose cell is merged down from the row above:
    # no rule drawn over it where the row's other cells begin under one (see _ruled_line;
    # the cell's words may stand on this row's lines too: cells)
    merged: dict[int, set[int]]
    # ... and those whose empty cell is merged across with the one on its left: no rule
    # drawn between them
    across: dict[int, set[int]]


def cells(grid: Grid) -> list[list[str]]:
    """Each row's cells' text: a cell's lines joined; a cell merged down over rows (see
    _ruled_line) its text in each row it spans, whichever of their lines its words stand on
    (a merged cell's text set at its top, in its middle, or wrapped into the rows below)."""
    table: list[list[str]] = []
    spans: dict[int, int] = {}  # by column: the row its cell begins in
    for number, row in enumerate(grid.rows):
        texts: list[list[str]] = [[] for _ in grid.starts]
        for cells in row:
            for column, text in cells:
                texts[column].append(text)
        table.append([" ".join(text) for text in texts])
        for column in range(len(grid.starts)):
            if number == 0 or column not in grid.merged.get(number, ()):
                spans[column] = number
                continue
            whole = " ".join(filter(None, (table[number - 1][column], table[number][column])))
            for spanned in range(spans[column], number + 1):
                table[spanned][column] = whole
    return table


def find(
    lines: Sequence[str], first: int, rules: PageRules | None = None, columns: Grid | None = None
) -> Grid | None:
    """The table whose first row is `first`'s line, if one is (see pdf_tables.table_grid):
    read by the rules drawn, where it is ruled as a grid (PageRules.grid); in the columns of
    `columns` where that reads on further (a row whose cells are merged across sets fewer)."""
    seed = list(CELL.finditer(lines[first]))
    if len(seed) < 2 or (opens_item(lines[first].lstrip()) and len(seed) < ITEM_ROW_CELLS):
        return None  # a list's item is no row, however far its text stands from its marker
    own = _read_grid(lines, first, rules, [c.start() for c in seed], [c.end() for c in seed])
    if columns is None or len(columns.starts) <= len(seed):
        return own
    wide = _read_grid(lines, first, rules, list(columns.starts), list(columns.ends))
    return wide if wide is not None and (own is None or wide.end > own.end) else own


def _read_grid(
    lines: Sequence[str], first: int, rules: PageRules | None, starts: list[int], ends: list[int]
) -> Grid | None:
    """The table from `first`'s line on, its columns' cells starting at `starts` and ending
    at `ends` (see find)."""
    grid = Grid(first, first, starts, ends, [], [], [], {}, {}, {}, {})
    opening = place(lines[first], grid, rules, first) if rules is not None else None
    # ruled as a grid at the cells its first line has (a cell merged across has no upright)
    has = sorted({starts[column] for column, *_ in opening or ()})
    ruled = rules if rules is not None and has and rules.grid(first, has) else None
    placed: list[list[tuple[int, str]]] = []  # each line's cells: (column, text)
    for at in range(first, len(lines)):
        cells = place(lines[at], grid, ruled, at)
        if not cells:
            break
        line = row_line(cells, grid)
        if ruled is not None:  # its first line is its first row's, whatever it opens with ("№")
            line = _ruled_line(cells, grid, ruled, at, line) if at > first else "top"
            if at == first:
                grid.across[0] = _across(ruled, at, starts, {column for column, *_ in cells})
        if line is None:
            break
        if line == "top":
            grid.tops.append(at)
            grid.reached.clear()
        placed.append(add(grid, cells))
    last = first + len(placed)
    # a table of one-line rows is table_rows's, unless a row leaves a cell empty; and two
    # rows at least make a table, but one its rules draw (a table's last row, over a page's
    # end from the rest)
    empty = any(len(line) < len(starts) for line in placed)
    if len(grid.tops) < (1 if ruled is not None else 2) or (
        len(grid.tops) == len(placed) and not empty
    ):
        return None
    rows = [placed[a - first : b - first] for a, b in itertools.pairwise([*grid.tops, last])]
    return grid._replace(end=last, rows=rows, header=rows[0][:])


def place(
    line: str, grid: Grid, rules: PageRules | None = None, at: int = 0
) -> list[tuple[int, int, str]] | None:
    """A line's cells (words closer than a gutter) in the table's columns: (column, where
    it ends, text); None where a cell stands where no column's cells do (a justified
    line's wide spaces) or runs across the next column's start, unless the table's rules
    (`rules`, the line being written line `at`) draw no border there: a cell merged across
    columns ("| Regional tariffs |" under a table's last row)."""
    cells = []
    for cell in _stretches(line, grid, rules, at):
        start, end, text = cell
        column = bisect.bisect_right(grid.starts, start + COLUMN_SLACK) - 1
        aligned = column >= 0 and (
            start <= grid.starts[column] + COLUMN_SLACK  # as the first row's, left
            or abs(end - grid.ends[column]) <= COLUMN_SLACK  # or right ("1,250")
        )
        crossed = [begin for begin in grid.starts[column + 1 :] if end > begin - COLUMN_SLACK]
        merged = rules is not None and not any(rules.divided(at, begin) for begin in crossed)
        if not aligned or crossed and not merged:
            return None
        cells.append((column, end, text))
    return cells


def _stretches(
    line: str, grid: Grid, rules: PageRules | None, at: int
) -> list[tuple[int, int, str]]:
    """A line's words closer than a gutter, (start, end, text); in a table ruled as a grid,
    a stretch cut where a column's cells start, a word beginning there and an upright
    drawn on its left: two cells set less than a gutter apart ("tariff service    annual
    payment network")."""
    out = []
    for match in CELL.finditer(line):
        start, end = match.start(), match.end()
        if rules is not None:
            for begin in grid.starts:
                apart = start < begin < end and line[begin - 1] == " " != line[begin]
                if apart and rules.divided(at, begin) and rules.pitch > 0:
                    text = line[start:begin].rstrip()
                    out.append((start, start + len(text), text))
                    start = begin
        out.append((start, end, line[start:end]))
    return out


def add(grid: Grid, cells: Sequence[tuple[int, int, str]]) -> list[tuple[int, str]]:
    """A line of cells read into the table: where its columns' text reaches, moved on; and
    the line's cells as a row holds them, (column, text)."""
    for column, end, _ in cells:
        grid.reached[column] = end
        grid.widest[column] = max(grid.widest.get(column, 0), end)
    return [(column, text) for column, _, text in cells]


def _ruled_line(
    cells: Sequence[tuple[int, int, str]], grid: Grid, rules: PageRules, at: int, read: str | None
) -> str | None:
    """What written line `at`, of `cells`, is to a table with rules drawn. Under a rule
    that no rule closes (down to the next line under one), or beside no upright of the
    table's left border, no line of the table: a paragraph after its last rule (one a
    table right under it closes). Under one that is closed, a row's first line where the
    rule is not drawn over a column (that cell is merged down from the row above, whatever
    of its words the line holds), where the line has cells in the first column and
    another, or where its one cell is merged across every column; an empty cell with no
    rule drawn on its left is merged across with the cell there. Under no rule, in a table
    that draws rules between its rows, the next line of the row above. Else what its text
    says (`read`, row_line's): a table may draw a row's borders where a page's end cuts it,
    or set a title row over its columns."""
    over = rules.above(at)
    end = rules.band(at)  # the last line before the next rule under it
    inside = rules.divided(at, grid.starts[0])  # beside the table's left border
    if not over:
        # in a table that draws rules between its rows, a line under none, inside its left
        # border, goes on the row above, though it opens as a row would ("Plus | For
        # Business" under "Mobile Internet Access | Unlimited Data Plan") or its words
        # would have fitted on the line above. Rules are drawn between its rows where one
        # stands over a row under its first, or, in its first (a header of several lines),
        # where the rule that closes the row has another of the table's lines under it
        below = end + 1 < len(rules.baselines) and rules.divided(end + 1, grid.starts[0])
        between = any(rules.above(top) for top in grid.tops[1:]) or (
            len(grid.tops) == 1 and rules.closed(end) and below
        )
        return "next" if between and inside else read
    if not rules.closed(end) or not inside:
        return None  # no border under it, or none on its left: outside the table
    have = {column for column, *_ in cells}
    merged = {column for column, start in enumerate(grid.starts) if not rules.covers(over, start)}
    across = _across(rules, at, grid.starts, have | merged)
    # a row: one with a cell merged down; or cells in the first column and another; or one
    # cell merged across every column (a heading inside the table, "| Regional tariffs |")
    whole = 0 in have and have | across == set(range(len(grid.starts)))
    if not merged and not (0 in have and len(have) >= 2) and not (across and whole):
        return read
    row = len(grid.tops)
    grid.merged[row] = merged
    grid.across[row] = across
    return "top"


def _across(rules: PageRules, at: int, starts: Sequence[int], taken: set[int]) -> set[int]:
    """The columns of written line `at` but its first, not in `taken` (those with a cell of
    their own, or merged down), with no rule drawn on their left: each merged across with
    the cell there."""
    return {
        column
        for column, start in enumerate(starts)
        if column and column not in taken and not rules.divided(at, start)
    }


def row_line(cells: Sequence[tuple[int, int, str]], grid: Grid) -> str | None:
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
        limit = max(grid.widest.get(column, 0), end)  # where the column's text reaches
        slack = FIT_SLACK * (limit - grid.starts[column])
        if not (text[0].isalpha() or column > 0 and text[0].isdigit() and not text.isdigit()):
            return None  # a page's number under the table, a listing's next numbered line
        if column not in grid.reached:
            return None
        if grid.reached[column] + 1 + len(text.split()[0]) < limit - slack:
            return None  # its first word would have fitted on the line above
    return "next"

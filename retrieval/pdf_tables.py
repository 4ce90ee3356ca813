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
from collections.abc import Callable, Sequence
from typing import NamedTuple

from retrieval.numbering import opens_item
from retrieval.pdf_rules import PageRules

# a page's rules against its written lines (retrieval.pdf_rules), asked of the page's index
# and its written lines for a page with a table on it: None where none are drawn or placed
Rules = Callable[[int, list[str]], PageRules | None]

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
    starts: list[int]  # where its columns' cells start (its first row's)
    ends: list[int]  # ... and end
    rows: list[list[list[tuple[int, str]]]]  # each row's lines, each line's (column, text)
    tops: list[int]  # where each row begins
    header: list[list[tuple[int, str]]]  # its first row's lines, read as a row or not
    reached: dict[int, int]  # where each column's text reaches on its last row's last line
    widest: dict[int, int]  # where each column's text reaches, on any of its lines
    # by row (its index in rows), the columns whose cell is merged down from the row above:
    # no rule drawn over it where the row's other cells begin under one (see _ruled_line;
    # the cell's words may stand on this row's lines too: _cells)
    merged: dict[int, set[int]]
    # ... and those whose empty cell is merged across with the one on its left: no rule
    # drawn between them
    across: dict[int, set[int]]


def table_grid(pages: Sequence[str], apart: int, rules: Rules | None = None) -> list[str]:
    """The pages' tables whose cells run over several lines, each row read as one line, as
    the other readers write a row, with `apart` blank lines (a paragraph's break) at least
    before the first and after each: a clause each. Found in a page's written lines as
    layout mode sets them: a table begins at a line of cells a gutter apart, its columns
    where they start; the lines under it whose cells each stand in one column, crossing no
    other's start, are its rows. A row begins where the first column's cell begins with a
    capital letter or a digit beside another cell; the lines between are its cells' next
    lines (see _row_line). Two rows at least, and some cell of several lines or some row
    with a cell left empty, make a table; a table of one-line rows, as many cells in each,
    is read by table_rows, after. A table that runs on over a page's end is read as one:
    where its header row is repeated at the next page's top (as word processors can
    repeat it), the header is read once; and the cells' next lines at the next page's top
    (under the header, or under a running header) end the row the page's end cut.

    Where the page draws its tables' borders (`rules`: retrieval.pdf_rules), a table ruled
    as a grid (a rule over its first row, and between each two of its cells) is read by
    them: a line with a rule over it begins a row, though its first cell is empty (a cell
    merged down over two rows, read in both, as the other readers read it, where no rule
    is drawn over it); and the lines after the table's last rule are none of its rows (a
    paragraph under it). See _ruled_line."""
    texts = [[line for line in page.split("\n") if line.strip()] for page in pages]
    # each page's tables, the lines carried to the page before, and its title rows
    found: list[tuple[list[_Grid], set[int], dict[int, str]]] = []
    last: _Grid | None = None  # the table that runs on over the page's end, if one does
    heads: set[str] = set()  # the page before's first lines: a running header's
    for number, lines in enumerate(texts):
        grids, carried = _grids(lines, 0), set()
        # a page with a line of cells a gutter apart: a table, maybe, of one-line rows, or
        # of one row and one cell merged across it, or running on from the page before
        tabled = last is not None or any(len(CELL.findall(line)) >= 2 for line in lines)
        drawn = rules(number, lines) if tabled and rules is not None else None
        if drawn is not None:
            grids = _grids(lines, 0, drawn)
        if last is not None and not _join(last, grids, drawn is not None):
            carried = _carry(last, lines, heads, drawn)
            grids = _grids(lines, max(carried) + 1, drawn) if carried else grids
        titles = _titles(lines, drawn) if drawn is not None else {}
        for grid in grids:  # a line read into a table's row is no title of the next
            titles = {at: title for at, title in titles.items() if not grid.first <= at < grid.end}
        found.append((grids, carried, titles))
        last = grids[-1] if grids and grids[-1].end >= len(lines) - EDGE_LINES else None
        heads = {" ".join(line.split()) for line in lines[:EDGE_LINES]}
    return [_read(page, *tables, apart) for page, tables in zip(pages, found, strict=True)]


def _grids(lines: Sequence[str], at: int, rules: PageRules | None = None) -> list[_Grid]:
    """A page's tables (see table_grid) from its written line `at` on."""
    grids: list[_Grid] = []
    while at < len(lines):
        grid = _grid(lines, at, rules)
        if grid is None:
            at += 1
            continue
        grids.append(grid)
        at = grid.end
    return grids


def _join(before: _Grid, after: list[_Grid], ruled: bool = False) -> bool:
    """A table at a page's end and the next page's first, read as one where the second
    opens with the first's header row repeated (see table_grid): its lines are no row
    again, and the lines of cells under them, before the next row, end the first table's
    last row (`ruled`, the page's rules read: the row under the header, ruled off as one,
    where its first cell is empty, as the next lines of a row cut at its other cells'
    are). Whether they were."""
    if not after or after[0].first > EDGE_LINES or len(before.starts) != len(after[0].starts):
        return False
    header, opening = before.header, after[0].rows[0]
    rows = after[0].rows
    cut = ruled and len(rows) > 2 and all(column > 0 for column, _ in rows[1][0])
    ends = 2 if cut else 1  # the rows the page opens with that are no rows of their own
    if len(after[0].rows) < 2 or opening[: len(header)] != header:
        return False
    before.rows[-1].extend(opening[len(header) :])
    if ends == 2:
        before.rows[-1].extend(after[0].rows[1])
    after[0].header[:] = header  # the header the table runs on with, over the next page too
    del after[0].rows[:ends], after[0].tops[:ends]  # no row: their lines are left out
    for by_row in (after[0].merged, after[0].across):
        shifted = {row - ends: columns for row, columns in by_row.items() if row >= ends}
        by_row.clear()
        by_row.update(shifted)
    return True


def _carry(
    before: _Grid, lines: Sequence[str], heads: set[str], rules: PageRules | None = None
) -> set[int]:
    """The written lines at a page's top that are the next lines of the cells of the
    table the page before ends in (see table_grid), read into its last row: which they
    are. A running header over them (a line the page before opens with too, or a page's
    number) is passed over. With `rules` (the page's), a first line that does not open a
    row as its words read (_row_line's "top") is such a line (a row cut by the page's end
    is cut, not wrapped: its words may have fitted on the line above), and where the first
    is, the lines down to the next rule drawn are too: a rule, not the words, ends a row."""
    top = 0
    while top < min(EDGE_LINES, len(lines)) and (
        " ".join(lines[top].split()) in heads or lines[top].strip().isdigit()
    ):
        top += 1
    carried: set[int] = set()
    for at in range(top, len(lines)):
        cells = _place(lines[at], before)
        if cells is None:
            break
        if rules is not None and at > top and carried:
            if rules.above(at):
                break
        elif rules is not None:
            if _row_line(cells, before) == "top":
                break  # a row of its own: cut, not wrapped, a row's other lines open no row
        elif _row_line(cells, before) != "next":
            break
        before.rows[-1].append(_add(before, cells))
        carried.add(at)
    return carried


def _titles(lines: Sequence[str], rules: PageRules) -> dict[int, str]:
    """The title rows of a page's tables ruled as a grid, by their written line: a line of
    one cell that the rules make a cell merged across the table under it
    (PageRules.title), read as the other readers read it ("| Fees for 2016 |")."""
    titles: dict[int, str] = {}
    for at in range(len(lines) - 1):
        cells, below = list(CELL.finditer(lines[at])), list(CELL.finditer(lines[at + 1]))
        if len(cells) == 1 and len(below) >= 2 and rules.title(at, [c.start() for c in below]):
            titles[at] = f"| {cells[0].group()} |"
    return titles


def _read(
    page: str, grids: Sequence[_Grid], carried: set[int], titles: dict[int, str], apart: int
) -> str:
    """A page with its tables' rows read each as a line (see table_grid), their title rows
    as rows, and the lines carried into the page before's left out."""
    if not grids and not carried and not titles:
        return page
    lines = page.split("\n")
    written = [at for at, line in enumerate(lines) if line.strip()]
    # by the page's line: a row's first line, and its text
    rows: dict[int, str] = {written[at]: title for at, title in titles.items()}
    gone = {written[at] for at in carried}  # the tables' other lines, the blank ones between
    for grid in grids:
        table = _cells(grid)
        for number, (top, joined) in enumerate(zip(grid.tops, table, strict=True)):
            across = grid.across.get(number, set())
            kept = [cell for column, cell in enumerate(joined) if column not in across]
            # one cell across the table, as the other readers write it: "| Fees for 2016 |"
            shown = f"| {kept[0]} |" if len(kept) == 1 < len(joined) else " | ".join(kept)
            rows[written[top]] = shown.rstrip()
        gone |= set(range(written[grid.first], written[grid.end - 1] + 1)) - set(rows)
    out: list[str] = []
    for n, line in enumerate(lines):
        if n in rows:
            blank = next((k for k, above in enumerate(reversed(out)) if above.strip()), len(out))
            out += [""] * max(0, apart - blank) + [rows[n]] + [""] * apart
        elif n not in gone:
            out.append(line)
    return "\n".join(out)


def _cells(grid: _Grid) -> list[list[str]]:
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


def _grid(lines: Sequence[str], first: int, rules: PageRules | None = None) -> _Grid | None:
    """The table whose first row is `first`'s line, if one is (see table_grid): read by the
    rules drawn, where it is ruled as a grid (PageRules.grid)."""
    seed = list(CELL.finditer(lines[first]))
    if len(seed) < 2 or (opens_item(lines[first].lstrip()) and len(seed) < ITEM_ROW_CELLS):
        return None  # a list's item is no row, however far its text stands from its marker
    starts, ends = [cell.start() for cell in seed], [cell.end() for cell in seed]
    grid = _Grid(first, first, starts, ends, [], [], [], {}, {}, {}, {})
    ruled = rules if rules is not None and rules.grid(first, starts) else None
    placed: list[list[tuple[int, str]]] = []  # each line's cells: (column, text)
    for at in range(first, len(lines)):
        cells = _place(lines[at], grid, ruled, at)
        if not cells:
            break
        line = _row_line(cells, grid)
        if ruled is not None:  # its first line is its first row's, whatever it opens with ("№")
            line = _ruled_line(cells, grid, ruled, at, line) if at > first else "top"
        if line is None:
            break
        if line == "top":
            grid.tops.append(at)
            grid.reached.clear()
        placed.append(_add(grid, cells))
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


def _place(
    line: str, grid: _Grid, rules: PageRules | None = None, at: int = 0
) -> list[tuple[int, int, str]] | None:
    """A line's cells (words closer than a gutter) in the table's columns: (column, where
    it ends, text); None where a cell stands where no column's cells do (a justified
    line's wide spaces) or runs across the next column's start, unless the table's rules
    (`rules`, the line being written line `at`) draw no border there: a cell merged across
    columns ("| Regional tariffs |" under a table's last row)."""
    cells = []
    for cell in CELL.finditer(line):
        column = bisect.bisect_right(grid.starts, cell.start() + COLUMN_SLACK) - 1
        aligned = column >= 0 and (
            cell.start() <= grid.starts[column] + COLUMN_SLACK  # as the first row's, left
            or abs(cell.end() - grid.ends[column]) <= COLUMN_SLACK  # or right ("1,250")
        )
        crossed = [
            start for start in grid.starts[column + 1 :] if cell.end() > start - COLUMN_SLACK
        ]
        merged = rules is not None and not any(rules.divided(at, start) for start in crossed)
        if not aligned or crossed and not merged:
            return None
        cells.append((column, cell.end(), cell.group()))
    return cells


def _add(grid: _Grid, cells: Sequence[tuple[int, int, str]]) -> list[tuple[int, str]]:
    """A line of cells read into the table: where its columns' text reaches, moved on; and
    the line's cells as a row holds them, (column, text)."""
    for column, end, _ in cells:
        grid.reached[column] = end
        grid.widest[column] = max(grid.widest.get(column, 0), end)
    return [(column, text) for column, _, text in cells]


def _ruled_line(
    cells: Sequence[tuple[int, int, str]], grid: _Grid, rules: PageRules, at: int, read: str | None
) -> str | None:
    """What written line `at`, of `cells`, is to a table with rules drawn (see table_grid).
    Under a rule that no rule closes (down to the next line under one), or beside no
    upright of the table's left border, no line of the table: a paragraph after its last
    rule (one a table right under it closes). Under one that is closed, a row's first line
    where the rule is not drawn over a column (that cell is merged down from the row above,
    whatever of its words the line holds), where the line has cells in the first column and
    another, or where its one cell is merged across every column; an empty cell with no
    rule drawn on its left is merged across with the cell there. Under no rule, in a table
    that draws rules between its rows, the next line of the row above. Else what its text
    says (`read`, _row_line's): a table may draw a row's borders where a page's end cuts it,
    or set a title row over its columns."""
    over = rules.above(at)
    if not over:
        # in a table that draws rules between its rows, a line under none, inside its left
        # border, goes on the row above, though it opens as a row would ("Plus | For
        # Business" under "Mobile Internet Access | Unlimited Data Plan") or its words
        # would have fitted on the line above
        between = any(rules.above(top) for top in grid.tops[1:])
        return "next" if between and rules.divided(at, grid.starts[0]) else read
    end = at
    while end + 1 < len(rules.baselines) and not rules.above(end + 1):
        end += 1
    if not rules.closed(end) or not rules.divided(at, grid.starts[0]):
        return None  # no border under it, or none on its left: outside the table
    have = {column for column, *_ in cells}
    merged = {column for column, start in enumerate(grid.starts) if not rules.covers(over, start)}
    across = {
        column
        for column, start in enumerate(grid.starts)
        if column and column not in have | merged and not rules.divided(at, start)
    }
    # a row: one with a cell merged down; or cells in the first column and another; or one
    # cell merged across every column (a heading inside the table, "| Regional tariffs |")
    whole = 0 in have and have | across == set(range(len(grid.starts)))
    if not merged and not (0 in have and len(have) >= 2) and not (across and whole):
        return read
    row = len(grid.tops)
    grid.merged[row] = merged
    grid.across[row] = across
    return "top"


def _row_line(cells: Sequence[tuple[int, int, str]], grid: _Grid) -> str | None:
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

"""A table's rows on a PDF page, read as the other readers write a row: its cells side by
side, " | " between them (retrieval.pdf_reader, retrieval.pdf_columns).

pypdf's layout mode writes a table's row as a line with its cells a gutter apart; a cell that
runs over several lines goes on in the lines under it, beside the other cells' next lines or
blanks. Read as they stand, a row's words run into the next row's and the paragraph under
the table: a quote of them words the document does not have in that order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from retrieval.numbering import opens_item
from retrieval.pdf_grid import (
    CELL,
    COLUMN_SLACK,
    ITEM_ROW_CELLS,
    Grid,
    add,
    cells,
    find,
    place,
    row_line,
)
from retrieval.pdf_rules import PageRules

# a page's rules against its written lines (retrieval.pdf_rules), asked of the page's index
# and its written lines for a page with a table on it: None where none are drawn or placed
Rules = Callable[[int, list[str]], PageRules | None]

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


def table_grid(pages: Sequence[str], apart: int, rules: Rules | None = None) -> list[str]:
    """The pages' tables whose cells run over several lines, each row read as one line, as
    the other readers write a row, with `apart` blank lines (a paragraph's break) at least
    before the first and after each: a clause each. Found in a page's written lines as
    layout mode sets them: a table begins at a line of cells a gutter apart, its columns
    where they start; the lines under it whose cells each stand in one column, crossing no
    other's start, are its rows. A row begins where the first column's cell begins with a
    capital letter or a digit beside another cell; the lines between are its cells' next
    lines (see row_line). Two rows at least, and some cell of several lines or some row
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
    found: list[tuple[list[Grid], set[int], dict[int, str]]] = []
    last: Grid | None = None  # the table that runs on over the page's end, if one does
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
            grids = _grids(lines, max(carried) + 1, drawn, last) if carried else grids
        elif grids and not grids[0].rows:  # its repeated header and the cut row's end alone
            carried = set(range(grids[0].first, grids[0].end))
            del grids[0]
        titles = _titles(lines, drawn) if drawn is not None else {}
        for grid in grids:  # a line read into a table's row is no title of the next
            titles = {at: title for at, title in titles.items() if not grid.first <= at < grid.end}
        found.append((grids, carried, titles))
        last = grids[-1] if grids and grids[-1].end >= len(lines) - EDGE_LINES else None
        heads = {" ".join(line.split()) for line in lines[:EDGE_LINES]}
    return [_read(page, *tables, apart) for page, tables in zip(pages, found, strict=True)]


def _grids(
    lines: Sequence[str], at: int, rules: PageRules | None = None, columns: Grid | None = None
) -> list[Grid]:
    """A page's tables (see table_grid) from its written line `at` on; the first in the
    columns of `columns` (the table the page before ends in, running on) where its line
    stands in them."""
    grids: list[Grid] = []
    while at < len(lines):
        grid = find(lines, at, rules, columns if not grids else None)
        if grid is None:
            at += 1
            continue
        grids.append(grid)
        at = grid.end
    return grids


def _join(before: Grid, after: list[Grid], ruled: bool = False) -> bool:
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
    cut = ruled and len(rows) >= 2 and all(column > 0 for column, _ in rows[1][0])
    ends = 2 if cut else 1  # the rows the page opens with that are no rows of their own
    alone = len(after[0].rows) < 2 and len(opening) == len(header)  # a table of one row
    if opening[: len(header)] != header or alone:
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
    before: Grid, lines: Sequence[str], heads: set[str], rules: PageRules | None = None
) -> set[int]:
    """The written lines at a page's top that are the next lines of the cells of the
    table the page before ends in (see table_grid), read into its last row: which they
    are. A running header over them (a line the page before opens with too, or a page's
    number) is passed over. With `rules` (the page's), a first line that does not open a
    row as its words read (row_line's "top") is such a line (a row cut by the page's end
    is cut, not wrapped: its words may have fitted on the line above), and where the first
    is, the lines down to the next rule drawn are too: a rule, not the words, ends a row."""
    top = 0
    while top < min(EDGE_LINES, len(lines)) and (
        " ".join(lines[top].split()) in heads or lines[top].strip().isdigit()
    ):
        top += 1
    carried: set[int] = set()
    for at in range(top, len(lines)):
        cells = place(lines[at], before)
        if cells is None:
            break
        if rules is not None and at > top and carried:
            if rules.above(at):
                break
        elif rules is not None:
            if row_line(cells, before) == "top":
                break  # a row of its own: cut, not wrapped, a row's other lines open no row
        elif row_line(cells, before) != "next":
            break
        before.rows[-1].append(add(before, cells))
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
    page: str, grids: Sequence[Grid], carried: set[int], titles: dict[int, str], apart: int
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
        table = cells(grid)
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

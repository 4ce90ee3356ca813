"""Text set side by side on a PDF page, read a side at a time (retrieval.pdf_reader).

pypdf's layout mode writes each line of a page as it stands: where two blocks of text stand
side by side (the page's two columns; a text box beside the paragraphs it is set in; a
table's row whose two cells run over several lines), each line holds a line of both, which
read across makes no sentence, and a quote of it words the document does not have. A
table's short cells, one line each, are read across, a row at a time (retrieval.pdf_tables).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

from retrieval.numbering import ends_sentence, opens_item
from retrieval.pdf_grid import CELL, COLUMN_SLACK, GUTTER

COLUMN_LINES = 6  # lines with text on both sides of a gutter that make a page two columns
COLUMN_FILL = 0.6  # of a column's width, its lines fill in the median: prose, not cells
COLUMN_CHARS = 25  # ... and at least so many characters (a column of prose holds 40-60)
COLUMN_EDGE = 0.6  # of those lines, the share that start right after the gutter
COLUMN_CELLS = 0.2  # ... and the share, at most, that hold cells a gutter apart in a column
SIDE_LINES = 2  # lines of text on each side of a gutter, at least, that make two blocks
SIDE_WORDS = 4  # words on a line of prose that runs on into the next, at least
# a side's line begins a paragraph when it stands this many times further below the line
# before it than the side's lines closest together do
SIDE_PARAGRAPH = 1.5
# a table's rows set close together, told apart by where both cells begin in capitals: so
# many row beginnings at least, with the blocks' end (three rows)
ROW_TOPS = 3


def in_columns(text: str) -> str:
    """A page set in two columns, read a column at a time: layout mode writes each line of
    the page as it stands, the left column's line and the right's side by side, which
    read across the gutter makes no sentence. The gutter is a run of GUTTER columns or
    more, in the page's middle half, that no line's text crosses but the lines that span
    the page (a title over both columns), with both columns' text beside it on
    COLUMN_LINES lines or more, each column's lines filling it (prose, not a table's
    short cells: in the median, COLUMN_FILL of its width and COLUMN_CHARS characters), most
    of them starting right after the gutter. Between the lines that span the page, the left
    column's lines are read first, then the right's; a page without such a gutter is read
    as it stands."""
    lines = text.split("\n")
    gutter = _gutter(lines)
    if gutter is None:
        return text
    start, end = gutter
    out: list[str] = []
    left: list[str] = []
    right: list[str] = []
    for line in [*lines, None]:
        if line is None or line[start:end].strip():  # a line across the gutter, or the end
            out += left + right + ([line] if line is not None else [])
            left, right = [], []
        else:
            left.append(line[:start].rstrip())
            right.append(line[end:].rstrip())
    return "\n".join(out)


def _gutter(lines: Sequence[str]) -> tuple[int, int] | None:
    """The columns of a page's gutter between two columns of text (see in_columns): of the
    runs of columns that qualify, the widest, and of those as wide the one after which
    most lines start (a column's left edge is straight; an index's page numbers, set
    right before a gutter, are not)."""
    written = [line for line in lines if line.strip()]
    width = max((len(line) for line in written), default=0)
    if len(written) < COLUMN_LINES or width < 2 * GUTTER:
        return None
    spanning = len(written) // 10  # lines that may cross the gutter: titles over both
    crossing = [sum(1 for line in written if line[c : c + 1].strip()) for c in range(width)]
    best: tuple[int, int, int, int] | None = None  # start, end, width, lines starting at end
    at = width // 4
    while at < 3 * width // 4:
        if crossing[at] > spanning:  # text stands here on too many lines
            at += 1
            continue
        end = at
        while end < width and crossing[end] <= spanning:
            end += 1
        both = [line for line in written if line[:at].strip() and line[end:].strip()]
        # a column's lines start in one column: right after the gutter, on most lines
        starting = sum(1 for line in both if line[end : end + 1].strip())
        if (
            end - at >= GUTTER
            and len(both) >= COLUMN_LINES
            and starting >= COLUMN_EDGE * len(both)
            and _filled(both, at, end, width)
            and (best is None or (end - at, starting) > best[2:])
        ):
            best = at, end, end - at, starting
        at = end
    if best is None:
        return None
    # the gutter read is its columns that no line crosses but those across it all (a title
    # over both columns): a long line of the left column may reach into it
    start, end = best[:2]
    within = [  # lines reaching into the run from one side, not across it
        line
        for line in written
        if line[start:end].strip()
        and not (line[start : start + GUTTER].strip() and line[end - GUTTER : end].strip())
    ]
    runs: list[list[int]] = []
    for column in range(start, end):
        if any(line[column : column + 1].strip() for line in within):
            continue
        if runs and runs[-1][-1] == column - 1:
            runs[-1].append(column)
        else:
            runs.append([column])
    if not runs:
        return None
    widest = max(runs, key=len)
    return widest[0], widest[-1] + 1


def _filled(lines: Sequence[str], start: int, end: int, width: int) -> bool:
    """Do the lines fill both columns (median COLUMN_FILL of each column's width, and
    COLUMN_CHARS characters), as prose does, rather than stand in a table's short cells?
    And are they no table's columns read as two: a table of four whose cells run over
    several lines has cells a gutter apart on the lines where its rows begin (more than
    COLUMN_CELLS of them), and its cells' next lines start further in; an index's entries
    beside their pages start at the column's edge."""
    left = sorted(len(line[:start].rstrip()) for line in lines)
    right = sorted(len(line[end:].rstrip()) for line in lines)
    middle = len(lines) // 2
    cells = sum(
        len(CELL.findall(line[:start])) > 1 or len(CELL.findall(line[end:])) > 1 for line in lines
    )
    indents = [len(line) - len(line.lstrip()) for line in lines]
    least = min(indents)  # the column's edge
    edge = sum(indent < least + GUTTER for indent in indents)
    return (
        min(left[middle], right[middle]) >= COLUMN_CHARS
        and (left[middle] >= COLUMN_FILL * start and right[middle] >= COLUMN_FILL * (width - end))
        and not (cells > COLUMN_CELLS * len(lines) and edge < COLUMN_EDGE * len(lines))
    )


def side_by_side(text: str, apart: int) -> str:
    """A page's blocks of text set side by side on part of it (a text box or a sidebar
    beside the paragraphs around it, a table's row of two cells that run over several
    lines, a text and its translation), each read whole, the left one first, with `apart`
    blank lines (a paragraph's break) after each: before, a box's lines were read into the
    lines beside them, and a quote of them held words the document does not have in that
    order. Two blocks stand side by side where a gutter (GUTTER columns that none of their
    lines crosses) parts lines of text, SIDE_LINES or more on each side, and each side
    reads as prose: one of its lines runs on into the next, which starts in lower case,
    and the right side's first line does not; or the left side's lines are a table's
    labels, one line each, beside cells that run on. Where both sides begin a paragraph on
    one line (a table's row, a paragraph and its translation), or a cell in capitals (a
    table's rows set close), they are read a row at a time, as the other readers write a
    row. A side's paragraph beside the other's last line is read to its end, under both
    sides if it runs on there (a paragraph set around a box); the paragraphs after it are
    read after the other side. A box in a paragraph's middle, the paragraph's lines on both
    its sides, is read after the paragraph, read line by line across it. A page in two
    columns is read before (in_columns)."""
    lines = text.split("\n")
    for _ in range(len(lines)):  # one pair of blocks at a time, until none is left
        found = _side_blocks(lines)
        if found is None:
            break
        below, right_runs_on = _runs_below(lines, found)
        lines[found.first : below] = _read_sides(
            lines[found.first : below], found, apart, right_runs_on
        )
    return "\n".join(lines)


class _Found(NamedTuple):
    """Two blocks of text set side by side (see side_by_side)."""

    first: int  # their first line, on the page
    last: int  # the line after their last
    edge: int  # the column the right one starts at
    pitch: int  # how many lines apart their closest two lines stand (blank lines mark the
    # space between two lines, pdf_reader.gaps): a line's step
    labelled: bool = False  # a table's rows, each a label of one line beside a longer cell


def _side_blocks(lines: Sequence[str]) -> _Found | None:
    """The first two blocks of text set side by side on a page (see side_by_side)."""
    edges: Counter[int] = Counter()  # where text starts after a gutter
    running = set()  # ... and where a line of it starts in lower case, as one that runs on
    for line in lines:
        for cell in CELL.finditer(line):
            if cell.start() >= GUTTER:
                edges[cell.start()] += 1
                if cell.group()[0].islower():
                    running.add(cell.start())
    written = [at for at, line in enumerate(lines) if line.strip()]
    for edge, count in edges.most_common():
        if count < SIDE_LINES:
            break
        if not running.intersection(range(edge, edge + COLUMN_SLACK + 1)):
            continue  # no line of the right side would run on into the next
        first = last = None
        for at in [*written, None]:
            if at is not None and _beside(lines[at], edge):
                first = at if first is None else first
                last = at
                continue
            if first is not None and last is not None:
                found = _prose_sides(lines, first, last + 1, edge)
                if found is not None:
                    return found
                first = None
    return None


def _beside(line: str, edge: int) -> bool:
    """Does a line leave a gutter before `edge`, any text after it starting there?"""
    right = line[edge:]
    return not line[max(0, edge - GUTTER) : edge].strip() and (
        not right.strip() or len(right) - len(right.lstrip()) <= COLUMN_SLACK
    )


def _prose_sides(lines: Sequence[str], first: int, last: int, edge: int) -> _Found | None:
    """Of the lines from `first` to `last`, which leave a gutter before `edge`, those that
    stand side by side, if both their sides hold prose (see side_by_side): from the first
    written one to the left side's last line before a paragraph that begins under the
    right side's last line (that paragraph and those after it are read after it); and a
    line's step."""
    written = [at for at in range(first, last) if lines[at].strip()]
    if not written:
        return None
    left, right = _sides(lines, written[0], written[-1] + 1, edge)
    steps = [b - a for side in (left, right) for (a, _), (b, _) in itertools.pairwise(side)]
    if not (left and right and steps):
        return None
    pitch = min(steps)  # the lines of a side closest together: a line's step
    end = written[-1] + 1
    for (above, _), (at, _) in itertools.pairwise(left):
        if at > right[-1][0] and at - above > SIDE_PARAGRAPH * pitch:
            end = max(above, right[-1][0]) + 1
            break
    left, right = _sides(lines, written[0], end, edge)
    # the right side begins where it stands, not in lower case: the words of a line that
    # spaces them widely (a function's signature in a manual set by TeX) run on in it
    begins = not right[0][1][0].islower()
    if not (begins and len(left) >= SIDE_LINES and len(right) >= SIDE_LINES):
        return None
    if not _runs_on(right, pitch):
        return None
    if _runs_on(left, pitch):
        return _Found(written[0], end, edge, pitch)
    # a table's rows, each a label of one line beside a cell that runs on ("Mobile" beside
    # "A fee is charged for the services given, under the plan …"): each label stands on a
    # line where the right side has text, the first on the block's first; no label is a
    # list's number (an item's text set a gutter after it runs on under itself: the lines
    # read as they stand), a cell is one paragraph, and some cell runs over several lines
    beside = {at for at, _ in right}
    rows = [at for at, _ in left]
    if (
        left[0][0] == right[0][0] == written[0]
        and all(at in beside for at in rows)
        and not any(opens_item(label) for _, label in left)
        and not (_paragraphs(right, pitch) - set(rows))
        and len(right) > len(left)
    ):
        return _Found(written[0], end, edge, pitch, labelled=True)
    return None


def _sides(
    lines: Sequence[str], first: int, last: int, edge: int
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Each side's written lines from `first` to `last`, with where they stand."""
    left = [(at, lines[at][: edge - GUTTER].strip()) for at in range(first, last)]
    right = [(at, lines[at][edge:].strip()) for at in range(first, last)]
    return [s for s in left if s[1]], [s for s in right if s[1]]


def _runs_on(side: Sequence[tuple[int, str]], pitch: int) -> bool:
    """Does a line of the side run on into the next as prose does: the line fills the side
    (COLUMN_FILL of its longest line, SIDE_WORDS words or more), and the next, set right
    under it (within SIDE_PARAGRAPH times a line's step), starts in lower case?"""
    widest = max(len(text) for _, text in side)
    return any(
        len(text) >= COLUMN_FILL * widest
        and len(text.split()) >= SIDE_WORDS
        and after[0].islower()
        and below - at <= SIDE_PARAGRAPH * pitch
        for (at, text), (below, after) in itertools.pairwise(side)
    )


def _runs_below(lines: Sequence[str], found: _Found) -> tuple[int, bool]:
    """Where a side's last paragraph ends, if it runs on under both sides (text set around
    a box: its lines beside the box are narrower than those under it): the line after its
    last (the blocks' last if none runs on, or they are a table's rows); and whether it is
    the right side's. It is the side whose last line ends no sentence, or if both or
    neither do, the one that reaches lower."""
    first, last, edge, pitch, labelled = found
    if labelled:
        return last, False
    left, right = _sides(lines, first, last, edge)
    (low_left, end_left), (low_right, end_right) = left[-1], right[-1]
    open_left, open_right = not ends_sentence(end_left), not ends_sentence(end_right)
    right_runs_on = open_right and not open_left or open_right == open_left and low_right > low_left
    above, end = max(low_left, low_right), last
    for at in range(last, len(lines)):
        if not lines[at].strip():
            continue
        if at - above > SIDE_PARAGRAPH * pitch:
            break
        above, end = at, at + 1
    return end, right_runs_on


def _read_sides(block: Sequence[str], found: _Found, apart: int, right_runs_on: bool) -> list[str]:
    """Two blocks set side by side (`found`) in the block's lines (one of them, the right
    one if `right_runs_on`, running on in the lines after theirs, whole), each read whole,
    left then right, `apart` blank lines after each. Where both begin a paragraph on one
    line more than once, or both a cell in capitals (ROW_TOPS), or the left side's lines
    are labels (found.labelled), they are a table's rows: each is read as the other
    readers write a row, its cells side by side (" | "), and the lines after it as they
    stand. Each line keeps its place among the blank lines around it, so that the gaps
    between the lines read as before (pdf_reader.gaps)."""
    last, edge, pitch = found.last - found.first, found.edge, found.pitch
    left, right = _sides(block, 0, last, edge)
    if found.labelled:  # a row at each of the left side's lines
        tops = sorted({at for at, _ in left} | {0, last})
    else:
        tops = sorted(_paragraphs(left, pitch) & _paragraphs(right, pitch) | {0, last})
        if len(tops) <= 2:
            # rows set close (a word processor's table): a row begins where both cells
            # begin on one line, neither in lower case, in three rows or more; the lines
            # before the first are read as they stand
            tops = sorted(_capitals(left) & _capitals(right) | {last})
            tops = tops if len(tops) > ROW_TOPS else []
    if len(tops) > 2:
        out: list[str] = list(block[: tops[0]])
        for start, end in itertools.pairwise(tops):
            cells = [[text for at, text in side if start <= at < end] for side in (left, right)]
            # each row a clause of its own, however close the next stands
            out += [" | ".join(" ".join(cell) for cell in cells)] + [""] * apart
        return [*out, *block[last:]]
    sides = [
        [line[: edge - GUTTER].rstrip() for line in block[:last]],
        [line[edge:].rstrip() for line in block[:last]],
    ]
    inner = _inner_edge(sides[1])
    if inner is not None:
        # a box set in a paragraph's middle, its lines running on from the box's left to its
        # right ("parallel" wrap): each line read across, the box after the paragraph
        box = [line[: inner - GUTTER].rstrip() for line in sides[1]]
        sides = [
            [f"{a} {b[inner:].strip()}".strip() for a, b in zip(sides[0], sides[1], strict=True)]
            + list(block[last:]),
            box,
        ]
    else:
        sides[right_runs_on] += block[last:]  # its paragraph, run on under both
    return [*sides[0], *[""] * apart, *sides[1], *[""] * apart]


def _inner_edge(lines: Sequence[str]) -> int | None:
    """Where, in the lines of a side, text starts after a gutter of its own on SIDE_LINES
    lines or more, with text before that gutter on as many: a box with the rest of its
    paragraph's lines beside it."""
    edges = Counter(
        cell.start() for line in lines for cell in CELL.finditer(line) if cell.start() >= GUTTER
    )
    for edge, count in edges.most_common():
        if count < SIDE_LINES:
            break
        if all(_beside(line, edge) for line in lines):
            before = [line for line in lines if line[: edge - GUTTER].strip()]
            if len(before) >= SIDE_LINES:
                return edge
    return None


def _capitals(side: Sequence[tuple[int, str]]) -> set[int]:
    """Where a side's lines begin otherwise than in lower case: where a cell may begin."""
    return {at for at, text in side if not text[0].islower()}


def _paragraphs(side: Sequence[tuple[int, str]], pitch: int) -> set[int]:
    """Where a side's paragraphs begin after its first: a line that stands further below
    the one before than SIDE_PARAGRAPH times a line's step."""
    return {
        at
        for (above, _), (at, _) in itertools.pairwise(side)
        if at - above > SIDE_PARAGRAPH * pitch
    }

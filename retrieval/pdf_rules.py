"""The rules a PDF page draws (a table's borders), placed between its written lines.

pypdf's layout mode writes a page's text as lines of characters; a table's borders are no
characters, and without them a line of cells under a cell merged down over two rows ("5G"
beside "Mobile internet" above it) reads as the next line of the row above, and a paragraph
set right under a table whose first column holds short labels as that label's next line
(retrieval.pdf_tables). A reader tells both by the lines drawn between them. So, for a page
with a table on it, the page's content is read once more (pypdf's visitors): each line of
text's baseline, and each rule drawn, level or upright (a stroked line, a box's edges, or a
thin filled box, as word processors draw a cell's border), in the page's space; a level rule
whose ends meet no upright (an underline) is no border. The lines of text are grouped as
layout mode groups them; where they are not the page's written lines, line for line,
nothing is placed and the table is read by its text alone.
"""

from __future__ import annotations

import bisect
import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

# a box this thin (points) at most, and this many times as long as it is thin, is a rule
THIN = 2.0
LONG = 4.0
# how far (points) a rule may stand beyond a column's first letter and still be over it: a
# cell's border runs a cell's padding left of its text
PADDING = 8.0
JOIN = 3.0  # how far (points) a border's end may stand from the upright it meets
ACROSS = 0.6  # of the page's text's width, a table's border across it (PageRules.across)

AGREE = 0.9  # of a page's lines, those whose text must be where its written line is
_STRETCH = re.compile(r"\S+(?: \S+)*")  # words a single space apart: text set as one run
# a box or a line (an operator after its last number), or a form drawn
_DRAWING = re.compile(rb"[\d.]\s+(?:re|l)(?![\w*'\"])|/[^\s/()\[\]<>]+\s+Do(?![\w*'\"])")
_PAINT = {b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"}
Matrix = Sequence[float]
Run = tuple[float, float, float, str]  # a run of text: x, y, its font's height, its text


@dataclass(frozen=True)
class Rule:
    y: float
    x0: float
    x1: float


@dataclass(frozen=True)
class Upright:
    """A vertical rule: a border between two cells."""

    x: float
    y0: float
    y1: float


@dataclass(frozen=True)
class PageRules:
    """A page's rules against its written lines (see page_rules)."""

    baselines: list[float]  # each written line's baseline, top down (y grows upwards)
    rules: list[Rule]  # the horizontal ones, by y, top down
    uprights: list[Upright]  # the vertical ones, by x
    runs: list[float]  # where each run of text starts (x)
    origin: float  # the x where layout mode's column 0 stands
    pitch: float  # points a column of layout mode's text is wide (0: not known)
    # the rules' -y and the uprights' x, in order: a page may draw thousands (a chart's)
    _levels: list[float] = field(init=False, repr=False)
    _places: list[float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_levels", [-rule.y for rule in self.rules])
        object.__setattr__(self, "_places", [upright.x for upright in self.uprights])

    def _between(self, top: float, bottom: float) -> list[Rule]:
        first = bisect.bisect_right(self._levels, -top)
        return self.rules[first : bisect.bisect_left(self._levels, -bottom)]

    def above(self, line: int) -> list[Rule]:
        """The rules drawn between written line `line` and the one above it (for the page's
        first line, any above it)."""
        top = self.baselines[line - 1] if line > 0 else float("inf")
        return self._between(top, self.baselines[line])

    def closed(self, line: int) -> bool:
        """Whether a rule is drawn between written line `line` and the one under it (for the
        page's last line, any under it)."""
        last = line + 1 >= len(self.baselines)
        bottom = float("-inf") if last else self.baselines[line + 1]
        return bool(self._between(self.baselines[line], bottom))

    def band(self, line: int) -> int:
        """The last written line from `line` down before the next one under a rule: with
        `line`, one row's lines in a table that rules its rows off."""
        end = line
        while end + 1 < len(self.baselines) and not self.above(end + 1):
            end += 1
        return end

    def across(self) -> bool:
        """Whether a table ruled across the page's text stands on it: two of its borders or
        more between its lines of text (not a frame over and under them all), each as wide
        as ACROSS of the text."""
        if len(self.baselines) < 3 or not self.runs:
            return False
        left, right = min(self.runs), max(self.runs)
        inside = self._between(self.baselines[0], self.baselines[-1])
        wide = [rule for rule in inside if rule.x1 - rule.x0 >= ACROSS * (right - left)]
        return len(wide) >= 2

    def covers(self, rules: Sequence[Rule], column: int) -> bool:
        """Whether one of `rules` runs over the text that starts at layout column `column`
        (as far as can be told: yes, where no line is indented to measure a column by)."""
        if self.pitch <= 0:
            return bool(rules)
        x = self.origin + column * self.pitch
        return any(rule.x0 - PADDING <= x <= rule.x1 for rule in rules)

    def boxed(self, line: int, columns: Sequence[int]) -> bool:
        """Whether the cells of written line `line` that start at layout `columns` (all but
        its first) each have a vertical rule on their left: a table ruled as a grid, not a
        line over underlined links or a table ruled off at its header alone."""
        if self.pitch <= 0 or not self.uprights or not columns:
            return False
        return all(self._upright(line, column) for column in columns)

    def grid(self, first: int, starts: Sequence[int]) -> bool:
        """Whether written line `first`, its cells starting at layout columns `starts`, is
        a table's first row ruled as a grid: a rule over it across every cell, and one on
        the left of each cell but its first. A box set beside a paragraph (a note in a
        frame) has its rule over itself alone."""
        over = self.above(first)
        return all(self.covers(over, start) for start in starts) and self.boxed(first, starts[1:])

    def title(self, line: int, starts: Sequence[int]) -> bool:
        """Whether written line `line` is a title row merged across the table whose first
        row is the line under it, its cells starting at layout columns `starts`: in a box
        of its own (a rule over it, one under it), inside the table's outer border (an
        upright at its left) and crossed by none of the table's uprights between its
        columns. A paragraph between two rules, over a table, has no upright beside it."""
        if not self.above(line) or not self.closed(line):
            return False
        inside = self.boxed(line + 1, starts[1:]) and self.divided(line, starts[0])
        return inside and not any(self.divided(line, start) for start in starts[1:])

    def _upright(self, line: int, column: int) -> bool:
        x, y = self.origin + column * self.pitch, self.baselines[line]
        first = bisect.bisect_left(self._places, x - 2 * PADDING)
        near = self.uprights[first : bisect.bisect_right(self._places, x + 1)]
        return any(u.y0 <= y <= u.y1 for u in near)

    def divided(self, line: int, column: int) -> bool:
        """Whether a vertical rule stands just left of the text that starts at layout
        column `column`, beside written line `line`: a border between two cells (as far as
        can be told: yes, where the page draws no such rules or no column can be measured).
        Where none does, the cell there is merged across with the one on its left."""
        return self.pitch <= 0 or not self.uprights or self._upright(line, column)


def page_rules(page: Any, written: Sequence[str]) -> PageRules | None:
    """The rules of a pypdf page against `written`, the page's written lines as layout mode
    wrote them (see the module's note); None when it draws none, or its text does not fall
    into the same lines."""
    rules: list[Rule] = []
    uprights: list[Upright] = []
    path: list[tuple[float, float, float, float]] = []  # segments: x0, y0, x1, y1
    runs: list[Run] = []
    at = [0.0, 0.0, 0.0, 0.0]  # the current point, and where its subpath began

    def operator(op: bytes, args: list[Any], cm: Matrix, _tm: Matrix) -> None:
        try:
            values = [float(a) for a in args]
        except (TypeError, ValueError):
            return
        if op == b"m" and len(values) == 2:
            at[:] = _apply(cm, values[0], values[1]) * 2
        elif op == b"l" and len(values) == 2:
            x, y = _apply(cm, values[0], values[1])
            path.append((at[0], at[1], x, y))
            at[:2] = [x, y]
        elif op in (b"c", b"v", b"y") and len(values) >= 4:
            at[:2] = _apply(cm, values[-2], values[-1])  # a curve: no rule, but it moves on
        elif op == b"h":
            path.append((at[0], at[1], at[2], at[3]))
            at[:2] = at[2:]
        elif op == b"re" and len(values) == 4:
            x, y, w, h = values
            at[:] = _apply(cm, x, y) * 2
            corners = [_apply(cm, x, y), _apply(cm, x + w, y), _apply(cm, x + w, y + h)]
            corners.append(_apply(cm, x, y + h))
            edges = zip(corners, corners[1:] + corners[:1], strict=True)
            path.extend((a[0], a[1], b[0], b[1]) for a, b in edges)
        elif op in _PAINT:
            level, upright = _rules(path, filled=op not in (b"S", b"s"))
            rules.extend(level)
            uprights.extend(upright)
            path.clear()
        elif op == b"n":
            path.clear()  # a clipping path: nothing drawn

    try:
        if not _draws(page):
            return None
        page.extract_text(visitor_operand_before=operator, visitor_text=run_visitor(runs))
    except Exception:  # a page pypdf cannot read again: read by its text alone
        return None
    if not rules:
        return None
    uprights.sort(key=lambda u: u.x)
    rules = _borders(rules, uprights)
    if not rules:
        return None
    found = placed(runs, written)
    if found is None:
        return None
    baselines, lines = found
    origin, pitch = _columns(runs, lines, written)
    starts = [x for x, *_ in runs]
    return PageRules(baselines, sorted(rules, key=lambda r: -r.y), uprights, starts, origin, pitch)


def run_visitor(runs: list[Run]) -> Callable[[str, Matrix, Matrix, Any, float], None]:
    """A pypdf text visitor that adds each run of text the page shows to `runs`: where it
    starts, in the page's space, its font's height there, and its text."""

    def text(content: str, cm: Matrix, tm: Matrix, _font: Any, size: float) -> None:
        if content.strip():
            m = _multiply(tm, cm)
            runs.append((m[4], m[5], abs(size * m[3]) or abs(size), content))

    return text


def placed(runs: Sequence[Run], written: Sequence[str]) -> tuple[list[float], list[int]] | None:
    """The page's baselines, top down, and each run's line among them, where the runs fall
    into the page's written lines as layout mode wrote them (line for line); else None."""
    baselines = _lines(runs)
    if not runs or len(baselines) != len(written):
        return None
    lines = _nearest(baselines, [y for _, y, *_ in runs])
    return (baselines, lines) if _placed(runs, lines, written) else None


def _draws(page: Any) -> bool:
    """Whether the page's content may draw a line or a box, or a form that may: read from
    its bytes before its operators are parsed (most of a manual's pages draw none)."""
    contents = page.get_contents()
    return contents is not None and bool(_DRAWING.search(contents.get_data()))


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _multiply(a: Matrix, b: Matrix) -> list[float]:
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def _rules(
    path: Sequence[tuple[float, float, float, float]], filled: bool
) -> tuple[list[Rule], list[Upright]]:
    """The horizontal and vertical rules a painted path draws: its level and upright
    segments when stroked; a filled box only when it is thin (a border drawn as a box), as
    the line through its middle."""
    if not filled:
        level = [
            Rule((y0 + y1) / 2, min(x0, x1), max(x0, x1))
            for x0, y0, x1, y1 in path
            if abs(y1 - y0) < 0.5 and abs(x1 - x0) > THIN
        ]
        upright = [
            Upright((x0 + x1) / 2, min(y0, y1), max(y0, y1))
            for x0, y0, x1, y1 in path
            if abs(x1 - x0) < 0.5 and abs(y1 - y0) > THIN
        ]
        return level, upright
    if not path:
        return [], []
    xs = [x for x0, _, x1, _ in path for x in (x0, x1)]
    ys = [y for _, y0, _, y1 in path for y in (y0, y1)]
    left, right, bottom, top = min(xs), max(xs), min(ys), max(ys)
    width, height = right - left, top - bottom
    if height <= THIN and width >= LONG * max(height, 0.1):
        return [Rule((top + bottom) / 2, left, right)], []
    if width <= THIN and height >= LONG * max(width, 0.1):
        return [], [Upright((left + right) / 2, bottom, top)]
    return [], []


def _borders(rules: Sequence[Rule], uprights: Sequence[Upright]) -> list[Rule]:
    """The level rules that are a cell's border: each end meets an upright (within JOIN),
    as a table's borders meet at its corners. An underline (a link's, in a cell or a web
    page's list) meets none, and is no border between two rows."""
    places = [u.x for u in uprights]

    def meets(x: float, y: float) -> bool:
        first = bisect.bisect_left(places, x - JOIN)
        near = uprights[first : bisect.bisect_right(places, x + JOIN)]
        return any(u.y0 - JOIN <= y <= u.y1 + JOIN for u in near)

    return [rule for rule in rules if meets(rule.x0, rule.y) and meets(rule.x1, rule.y)]


def _lines(runs: Sequence[Run]) -> list[float]:
    """The baselines of the page's lines of text, top down, grouped as layout mode groups
    text into lines: by its y, and a run within a font's height of the line above that
    shares no column with it joined to it (a superscript)."""
    groups: list[tuple[float, float, set[int]]] = []  # baseline, font height, xs
    for x, y, height, _ in sorted(runs, key=lambda r: (-r[1], r[0])):
        if groups and int(groups[-1][0]) == int(y):
            groups[-1][2].add(int(x))
            continue
        if groups:
            top, top_height, xs = groups[-1]
            if abs(top - y) < min(height, top_height) and int(x) not in xs:
                xs.add(int(x))
                continue
        groups.append((y, height, {int(x)}))
    return [y for y, _, _ in groups]


def _placed(runs: Sequence[Run], lines: Sequence[int], written: Sequence[str]) -> bool:
    """Whether the lines of text stand as the written lines do, line for line: the first
    word of each line's leftmost run is in its written line (at least AGREE of them; a
    ligature or a glyph without its letter may differ). A page whose space runs downwards,
    or whose lines layout mode grouped otherwise, does not."""
    leftmost: dict[int, tuple[float, str]] = {}
    for (x, _, _, text), line in zip(runs, lines, strict=True):
        if line not in leftmost or x < leftmost[line][0]:
            leftmost[line] = (x, text)
    agree = sum(text.split()[0] in written[line] for line, (_, text) in leftmost.items())
    return agree >= AGREE * len(written)


def _columns(
    runs: Sequence[Run], lines: Sequence[int], written: Sequence[str]
) -> tuple[float, float]:
    """Where layout mode's column 0 stands and how wide a column is, in points: the page's
    leftmost text is column 0, and on a line with as many runs of text as stretches of
    words apart, each run stands at its stretch's first column (layout mode places text at
    its x over one width for every character); a width of 0 where no line tells."""
    origin = min(x for x, *_ in runs)
    by_line: dict[int, list[float]] = {}
    for (x, *_), line in zip(runs, lines, strict=True):
        by_line.setdefault(line, []).append(x)
    ratios = []
    for line, xs in by_line.items():
        starts = [m.start() for m in _STRETCH.finditer(written[line])]
        if len(starts) == len(xs):
            ratios += [(x - origin) / c for x, c in zip(sorted(xs), starts, strict=True) if c > 0]
    return origin, statistics.median(ratios) if ratios else 0.0


def _nearest(baselines: Sequence[float], ys: Sequence[float]) -> list[int]:
    """For each y, the line (an index into the top-down baselines) whose baseline is
    nearest it."""
    descending = [-b for b in baselines]
    out = []
    for y in ys:
        at = bisect.bisect_left(descending, -y)
        options = [i for i in (at - 1, at) if 0 <= i < len(baselines)]
        out.append(min(options, key=lambda i: abs(baselines[i] - y)))
    return out

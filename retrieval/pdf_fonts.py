"""The size each line of a PDF page is set in: a heading stands over its text in a larger one.

A word processor sets a heading in a larger font with room above it and often none below
(Word's Heading 1 to 3: 12 or 2 points before, none after), so the gap between a heading
and its first line is close to the text's own line spacing, and read by its gaps alone
(retrieval.pdf_reader) the heading ran into the paragraph under it ("Regulation on
cross-border data services 1. This Regulation sets out …"). A reader sees the change of
size: two lines set in sizes this far apart (SIZE_STEP) are not one paragraph.

Reading the sizes costs a second pass over the page's content (pypdf's text visitor), so
it is read only for a page with a line that ends short of the page's width though the next
line's first word would fit on it (`short`): a heading, an address's line, a line
broken by hand; a paragraph's wrapped lines never do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from retrieval.formats import fold_spaces
from retrieval.pdf_rules import Run, placed, run_visitor
from retrieval.reflow import FILLED

# two lines whose fonts' heights are this far apart, or further, are set apart: Word's
# Heading 3 is 12 pt over 11 pt text (1.09), Heading 1 16 pt (1.45); a paragraph's lines
# are set in one size
SIZE_STEP = 1.08


def short(line: str, after: str, width: float) -> bool:
    """Whether the next line's first word would have fitted on `line` within `width` (the
    share of it a line that the page wrapped fills at least: reflow.FILLED)."""
    return len(line.strip()) + 1 + len(after.split()[0]) <= FILLED * width


def line_sizes(page: Any, written: Sequence[str]) -> list[float] | None:
    """The font height of each of a pypdf page's written lines (layout mode's, not blank):
    the height most of its characters are set in. None where the page cannot be read again
    or its text does not fall into the same lines."""
    runs: list[Run] = []
    try:
        page.extract_text(visitor_text=run_visitor(runs))
    except Exception:  # a page pypdf cannot read again: read by its gaps alone
        return None
    found = placed(runs, written)
    if found is None:
        return None
    counts: list[Counter[float]] = [Counter() for _ in written]
    for (_, _, height, text), line in zip(runs, found[1], strict=True):
        counts[line][round(height, 1)] += len(text.strip())
    return [c.most_common(1)[0][0] if c else 0.0 for c in counts]


def line_heights(page: Any, written: Sequence[str]) -> dict[str, float]:
    """Each written line's font height (line_sizes), by its text with its spaces folded
    (formats.fold_spaces); a text written in two sizes on the page is left out."""
    heights = line_sizes(page, written) or []
    found: dict[str, float] = {}
    clashing = set()
    for line, height in zip(written, heights, strict=False):
        key = fold_spaces(line)
        if found.setdefault(key, height) != height:
            clashing.add(key)
    return {key: height for key, height in found.items() if key not in clashing}


def sizes_differ(a: float | None, b: float | None) -> bool:
    """Whether two lines' font heights (None or 0: not known) are SIZE_STEP apart."""
    if not a or not b:
        return False
    return max(a, b) >= SIZE_STEP * min(a, b)

"""The font each line of a PDF page is set in: a heading stands over its text in a larger
one, or in a bold one where the text's short lines are set as the text.

A word processor sets a heading in a larger font with room above it and often none below
(Word's Heading 1 to 3: 12 or 2 points before, none after), so the gap between a heading
and its first line is close to the text's own line spacing, and read by its gaps alone
(retrieval.pdf_reader) the heading ran into the paragraph under it ("Regulation on
cross-border data services 1. This Regulation sets out …"). A reader sees the change of
size: two lines set in sizes this far apart (SIZE_STEP) are not one paragraph.

A short paragraph without a stop reads as a heading by its shape ("Fees and charges"), but
so does a line of text ("Office hours 9 to 18", an address's last line). A reader tells
them by their fonts: where a document sets such paragraphs apart in a font of their own
(bold, larger), the ones set in the text's own font are text (body_text), as the readers
of a word processor's files tell a paragraph in a body style. So is code, set in a font of
fixed pitch in a text that is not: a line of it is as short as a heading, and its font
differs from the text's as a heading's does ("DEFINITIONS <EXPLICIT or IMPLICIT> TAGS ::=").

Reading the fonts costs a second pass over the page's content (pypdf's text visitor), so
it is read only for a page with a line that ends short of the page's width though the next
line's first word would fit on it (`short`): a heading, an address's line, a line
broken by hand; a paragraph's wrapped lines never do. Or for a page with a paragraph that
its shape alone would make a heading.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from retrieval.blocks import Block, blocks
from retrieval.formats import fold_spaces
from retrieval.headings import is_heading
from retrieval.pdf_rules import Matrix, Run, placed, run_visitor
from retrieval.reflow import FILLED

# two lines whose fonts' heights are this far apart, or further, are set apart: Word's
# Heading 3 is 12 pt over 11 pt text (1.09), Heading 1 16 pt (1.45); a paragraph's lines
# are set in one size
SIZE_STEP = 1.08

# a font whose glyphs are this many or more, each as wide as the others, is of fixed pitch
# (a typewriter's, code's) though its descriptor does not say so (TeX's and Ghostscript's
# fonts do not): a subset of one or two glyphs tells nothing
FIXED_GLYPHS = 10
# the standard fonts of fixed pitch, which a PDF may name without widths (PDF 1.7, 9.6.2.2)
STANDARD_FIXED = frozenset({"Courier", "Courier-Bold", "Courier-Oblique", "Courier-BoldOblique"})


class Font(NamedTuple):
    """The font a line is set in."""

    height: float  # its height on the page
    name: str  # its name ("Arial-BoldMT")
    fixed: bool = False  # of fixed pitch: a typewriter's, code's ("CourierNewPSMT", "CMTT10")


_AGAIN = "\x00"  # between a line's text and how many times the page has set it before


def short(line: str, after: str, width: float) -> bool:
    """Whether the next line's first word would have fitted on `line` within `width` (the
    share of it a line that the page wrapped fills at least: reflow.FILLED)."""
    return len(line.strip()) + 1 + len(after.split()[0]) <= FILLED * width


def line_keys(lines: Sequence[str]) -> list[str]:
    """Each line of a page's, as line_fonts names it: its text with its spaces folded
    (formats.fold_spaces), and a text the page has set before counted ("1. Scope" a table
    of contents' entry in the text's size, then the heading in a larger one)."""
    seen: Counter[str] = Counter()
    keys = []
    for line in lines:
        key = fold_spaces(line)
        keys.append(f"{key}{_AGAIN}{seen[key]}" if seen[key] else key)
        seen[key] += 1
    return keys


def line_fonts(
    page: Any, written: Sequence[str], read: Sequence[str] | None = None
) -> dict[str, Font]:
    """The font each of a pypdf page's written lines (layout mode's, not blank) is set in:
    the height and the name most of its characters are set in, by the text the line is
    read as (`read`, line for line: a symbol font's bullet read as "•"; else as written)
    as line_keys names it. Empty where the page cannot be read again or its text does not
    fall into the same lines."""
    runs: list[Run] = []
    names: list[tuple[str, bool]] = []
    visit = run_visitor(runs)

    def named(content: str, cm: Matrix, tm: Matrix, font: Any, size: float) -> None:
        before = len(runs)
        visit(content, cm, tm, font, size)
        names.extend([(_name(font), _fixed(font))] * (len(runs) - before))

    try:
        page.extract_text(visitor_text=named)
    except Exception:  # a page pypdf cannot read again: read by its gaps alone
        return {}
    found = placed(runs, written)
    if found is None:
        return {}
    counts: list[Counter[Font]] = [Counter() for _ in written]
    for (_, _, height, content), (name, fixed), at in zip(runs, names, found[1], strict=True):
        counts[at][Font(round(height, 1), name, fixed)] += len(content.strip())
    keys = line_keys(read or written)
    return {
        key: count.most_common(1)[0][0] for key, count in zip(keys, counts, strict=True) if count
    }


def _name(font: Any) -> str:
    """A pypdf font's name, without the tag of the subset a PDF embeds ("ABCDEF+")."""
    try:
        name = str(font["/BaseFont"]) if font is not None else ""
    except (KeyError, TypeError):
        return ""
    return name.split("+", 1)[-1].lstrip("/")


def _fixed(font: Any) -> bool:
    """Whether a pypdf font is of fixed pitch: its descriptor says so (the FixedPitch flag),
    or its widths do (FIXED_GLYPHS or more, all one width), or it is a standard Courier."""
    try:
        if font is None:
            return False
        if _name(font) in STANDARD_FIXED:
            return True
        descendants = font.get("/DescendantFonts")
        described = descendants[0].get_object() if descendants else font
        descriptor = described.get("/FontDescriptor")
        if descriptor is not None and int(descriptor.get_object().get("/Flags", 0)) & 1:
            return True
        listed = font.get("/Widths")  # (an indirect object, as pdfTeX writes it, read)
        widths = [float(width) for width in (listed.get_object() if listed is not None else ())]
    except Exception:  # a damaged font dictionary (pypdf raises what it meets): as proportional
        return False
    drawn = [width for width in widths if width]
    return len(set(drawn)) == 1 and len(drawn) >= FIXED_GLYPHS


class Bodies(NamedTuple):
    """Where the blocks of a PDF's text set as its body start (body_text), and those of them
    set as code: in a font of fixed pitch where the body's is not."""

    plain: frozenset[int] = frozenset()
    code: frozenset[int] = frozenset()


def body_text(keyed: Sequence[KeyedBlock], fonts: Callable[[int], Mapping[str, Font]]) -> Bodies:
    """Where each block of a PDF's text (`keyed`: keyed_blocks) set in the body's font
    starts, as the readers of a word processor's files mark a paragraph in a body style
    (formats.Body): the font most of the text is set in on the pages of the blocks that
    their shape alone would make headings (`fonts`: a page's lines' fonts, line_fonts), and
    the blocks on those pages. So an address, or a line such as "Office hours 9 to 18", set
    as the text around it is read as text, and a first block set apart from it may be the
    document's title (segment). Only where the document sets some such heading-shaped
    block apart in a font of its own (a bold or a larger one, as it sets its headings): one
    that sets its headings as its text tells nothing by its fonts."""
    candidates = [
        n
        for n, one in enumerate(keyed)
        if n == 0 or (is_heading(one.block) and not is_heading(one.block, plain=True))
    ]
    read = {keyed[n].page for n in candidates}
    body: Counter[Font] = Counter()
    for number in sorted(read):
        for key, font in fonts(number).items():
            if _AGAIN not in key:  # a text set again (a line of code, an entry) counted once
                body[font] += len(key)
    if not body:
        return Bodies()
    usual = body.most_common(1)[0][0]

    # the fonts each block on those pages has its lines set in (None: a line's font is not
    # known), read once
    set_in: dict[int, set[Font | None]] = {
        n: {fonts(one.page).get(key) for key in one.keys}
        for n, one in enumerate(keyed)
        if one.page in read
    }

    def code(n: int) -> bool:
        """Is block n set in code's fonts (of fixed pitch, one or more: "BEGIN" over "<type
        and constants definitions>" slanted) where the body's is not? (A table's rows are
        rows, whatever their font.)"""
        return (
            not usual.fixed
            and all(font is not None and font.fixed for font in set_in[n])
            and " | " not in keyed[n].block.text
        )

    def apart(n: int) -> bool:  # set in one font that is neither the body's nor code's
        found = set_in[n]
        return len(found) == 1 and None not in found and found != {usual} and not code(n)

    if not any(apart(n) for n in candidates if n):
        return Bodies()
    # every block on those pages set in the body's font, as a DOCX marks each paragraph in
    # a body style, or as code, which a DOCX sets in a style of its own too: what is not
    # among them, the first block, is set apart
    coded = frozenset(keyed[n].block.start for n in set_in if code(n))
    plain = frozenset(keyed[n].block.start for n, found in set_in.items() if found == {usual})
    return Bodies(plain | coded, coded)


@dataclass(frozen=True)
class KeyedBlock:
    """A block of a PDF's text as the segmenter reads it into blocks, the page it starts on
    (how many pages start before it), and its lines' keys (line_keys: their text, counted
    within their page), by which the page's fonts and links name them."""

    block: Block
    page: int
    keys: list[str]


def keyed_blocks(text: str, pages: Sequence[int]) -> list[KeyedBlock]:
    """The blocks of a PDF's text (`pages`: where pages 2, 3, ... start), each with its
    lines' keys: read once for what the fonts (body_text) and the links
    (pdf_links.linked_blocks) say of them."""
    starts: list[int] = []
    lines: list[str] = []
    at = 0
    for line in text.split("\n"):
        if line.strip():
            starts.append(at)
            lines.append(line)
        at += len(line) + 1
    keys: list[str] = []
    for _, run in itertools.groupby(
        zip(starts, lines, strict=True), key=lambda item: bisect.bisect_right(pages, item[0])
    ):
        keys += line_keys([line for _, line in run])
    found = []
    for block in blocks(text):
        first = max(bisect.bisect_right(starts, block.start) - 1, 0)
        last = bisect.bisect_left(starts, block.end)
        found.append(KeyedBlock(block, bisect.bisect_right(pages, block.start), keys[first:last]))
    return found


def sizes_differ(a: float | None, b: float | None) -> bool:
    """Whether two lines' font heights (None or 0: not known) are SIZE_STEP apart."""
    if not a or not b:
        return False
    return max(a, b) >= SIZE_STEP * min(a, b)

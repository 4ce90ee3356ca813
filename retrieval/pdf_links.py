"""A PDF's links to places in itself: the lines a table of contents is made of, where it
gives no page numbers (a page printed from the web, whose contents are a list of links to
its headings; a word processor's contents without their page numbers). Such a line is no
clause, as an HTML page's list of links to its own headings is none (retrieval.contents),
though by its words alone it reads as a heading, or as a list's item.

A link is an annotation over a part of the page (its /Rect) that leads to a destination
in the document (/Dest, or a /GoTo action); a link to the web (/URI) or to another file
(/GoToR) is no entry. A line is linked where every run of its words starts inside such a
link (its number or bullet may stand before it): a link over a few words of a sentence
("as the scope says") leaves the line text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from retrieval.pdf_fonts import KeyedBlock
from retrieval.pdf_rules import Run, placed, run_visitor

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in the page's space
SLACK = 1.0  # points a run may start outside its link's rectangle (a glyph's side bearing)


def internal_links(page: Any) -> list[Rect]:
    """The rectangles of a pypdf page's links to places in its own document."""
    found: list[Rect] = []
    try:
        annotations = page.get("/Annots")
        for reference in annotations.get_object() if annotations is not None else ():
            link = reference.get_object()
            if link.get("/Subtype") != "/Link" or not _inside(link):
                continue
            x0, y0, x1, y1 = (float(v.get_object()) for v in link["/Rect"].get_object())
            found.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
    except Exception:  # a damaged annotation: the page read as if it had no links
        return []
    return found


def _inside(link: Any) -> bool:
    """Does a link annotation lead to a place in its own document?"""
    if link.get("/Dest") is not None:
        return True
    action = link.get("/A")
    action = action.get_object() if action is not None else None
    return action is not None and action.get("/S") == "/GoTo"


def linked_lines(page: Any, written: Sequence[str], links: Sequence[Rect]) -> list[bool]:
    """For each of a pypdf page's written lines (layout mode's, not blank), whether all its
    words stand in the page's links to places in the document (`links`: internal_links);
    all False where the page cannot be read again or its text does not fall into the same
    lines."""
    runs: list[Run] = []
    try:
        page.extract_text(visitor_text=run_visitor(runs))
    except Exception:  # a page pypdf cannot read again: no line is read as linked
        return [False] * len(written)
    found = placed(runs, written)
    if found is None:
        return [False] * len(written)
    inside = [True] * len(written)
    seen = [False] * len(written)
    for (x, y, _, content), line in zip(runs, found[1], strict=True):
        if not any(ch.isalpha() for ch in content):
            continue  # an entry's number or bullet, set before the link
        seen[line] = True
        inside[line] = inside[line] and any(
            x0 - SLACK <= x <= x1 and y0 - SLACK <= y <= y1 + SLACK for x0, y0, x1, y1 in links
        )
    return [a and b for a, b in zip(inside, seen, strict=True)]


def linked_blocks(keyed: Sequence[KeyedBlock], linked: Callable[[int], set[str]]) -> frozenset[int]:
    """Where each block of a PDF's text (`keyed`: pdf_fonts.keyed_blocks) starts whose every
    line is a link to a place in the document (`linked`: a page's linked lines, as
    line_keys names them)."""
    return frozenset(
        one.block.start
        for one in keyed
        if one.keys and (page := linked(one.page)) and all(key in page for key in one.keys)
    )

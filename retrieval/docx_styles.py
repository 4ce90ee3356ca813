"""What a DOCX paragraph's style and list make of it, which is not in its text: the number
Word shows before a list's item ("2.", "(a)", "•"), counted in reading order, and the level
of a heading (its style's, or an outline level).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from retrieval.formats import LARGE_PT
from retrieval.numbering import list_marker

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _emphasis(props: Any) -> bool:
    """Do run properties (w:rPr) set their text apart: bold, italic, underlined, in
    capitals, or large?"""
    if props is None:
        return False
    for tag in ("b", "i", "caps"):
        found = props.find(f"{W}{tag}")
        if found is not None and found.get(f"{W}val", "true") not in ("0", "false", "off"):
            return True
    underline = props.find(f"{W}u")
    if underline is not None and underline.get(f"{W}val", "single") != "none":
        return True
    size = props.find(f"{W}sz")
    value = size.get(f"{W}val", "") if size is not None else ""
    return value.isdecimal() and int(value) >= 2 * LARGE_PT  # in half-points


_WORD_FORMATS = {"lowerLetter": "a", "upperLetter": "A", "lowerRoman": "i", "upperRoman": "I"}


class WordNumbering:
    """The numbers Word shows before list paragraphs, which are not in their text: each
    paragraph's list (its own or its style's) and level, counted in reading order."""

    def __init__(self, document: Any) -> None:
        # list id -> level -> (format, text such as "%1.%2.", start)
        self.lists: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counts: dict[str, list[int]] = {}
        self.styles: dict[str | None, Any] = {}  # style id -> style (see _style)
        # (what is read, style id) -> what the style or those it is based on set (_inherited)
        self.inherited: dict[tuple[str, str], Any] = {}
        try:
            self.style_elements = {
                s.get(f"{W}styleId", ""): s for s in document.styles.element.iter(f"{W}style")
            }
        except (KeyError, NotImplementedError, AttributeError):
            self.style_elements = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return  # a document without lists
        abstract = {a.get(f"{W}abstractNumId"): _levels(a) for a in root.iter(f"{W}abstractNum")}
        for num in root.iter(f"{W}num"):
            ref = num.find(f"{W}abstractNumId")
            levels = dict(abstract.get(ref.get(f"{W}val"), {})) if ref is not None else {}
            for override in num.iter(f"{W}lvlOverride"):
                start = override.find(f"{W}startOverride")
                at = int(override.get(f"{W}ilvl", "0"))
                if start is not None and at in levels:
                    fmt, text, _ = levels[at]
                    levels[at] = (fmt, text, int(start.get(f"{W}val", "1")))
            self.lists[num.get(f"{W}numId", "")] = levels

    def style_name(self, paragraph: Any) -> str:
        style = self._style(paragraph)
        return (style.name if style is not None else "") or ""

    def outline_level(self, paragraph: Any) -> int | None:
        """The paragraph's level as a heading (1-9): its style's ("Heading 2"), or the
        outline level set on it or on its style (a paragraph LibreOffice writes from an ODT
        heading, a heading style of a template's own), as Word's navigation pane shows
        them; None for body text."""
        style = self._style(paragraph)
        named = re.match(r"Heading (\d)", (style.name if style is not None else "") or "")
        if named:
            return int(named.group(1))
        own = _outline(paragraph._p.pPr)
        if own is None:
            own = self._inherited(
                style.style_id if style is not None else "",
                "outline",
                lambda element: _outline(element.find(f"{W}pPr")),
            )
        return own or None

    def emphatic(self, paragraph: Any) -> bool:
        """Does the page set the paragraph apart from body text, as a heading without a
        heading's style is set: its style's text, or every run of its text, bold, italic,
        underlined, in capitals or large?"""
        props = paragraph._p.pPr
        style = props.pStyle.val if props is not None and props.pStyle is not None else None
        if style and self._style_emphatic(style):
            return True
        runs = [
            run
            for run in paragraph._p.iter(f"{W}r")
            if any((t.text or "").strip() for t in run.iter(f"{W}t"))
        ]
        return bool(runs) and all(self._run_emphatic(run) for run in runs)

    def _run_emphatic(self, run: Any) -> bool:
        props = run.find(f"{W}rPr")
        own = props.find(f"{W}rStyle") if props is not None else None
        return _emphasis(props) or (
            own is not None and self._style_emphatic(own.get(f"{W}val", ""))
        )

    def _style_emphatic(self, style_id: str) -> bool:
        """Does a style set its text apart, itself or through the styles it is based on?"""
        return bool(
            self._inherited(style_id, "emphasis", lambda e: _emphasis(e.find(f"{W}rPr")) or None)
        )

    def _inherited(self, style_id: str, what: str, read: Callable[[Any], Any]) -> Any:
        """The first thing `read` finds (not None) in a style's element or in those of the
        styles it is based on, in turn; None if none has it. Read once per style."""
        key = (what, style_id)
        if key not in self.inherited:
            found, seen, at = None, set(), style_id
            while at and at not in seen and found is None:
                seen.add(at)
                element = self.style_elements.get(at)
                if element is None:
                    break
                found = read(element)
                based = element.find(f"{W}basedOn")
                at = based.get(f"{W}val", "") if based is not None else ""
            self.inherited[key] = found
        return self.inherited[key]

    def _style(self, paragraph: Any) -> Any:
        """The paragraph's style, looked up once per style: python-docx's `style` reads
        every style of the document each time (about 2 ms a paragraph, 6 s for a document
        of 3,000)."""
        props = paragraph._p.pPr
        found = props.pStyle.val if props is not None and props.pStyle is not None else None
        if found not in self.styles:
            self.styles[found] = paragraph.style
        return self.styles[found]

    def _style_list(self, style: Any) -> Any:
        """The list a style's paragraphs are items of, through the styles it is based on."""
        return self._inherited(
            style.style_id if style is not None else "",
            "list",
            lambda element: element.find(f"{W}pPr/{W}numPr"),
        )

    def _list_of(self, paragraph: Any) -> tuple[str, int] | None:
        """The list (its id) and level a paragraph is an item of, directly or through its
        style."""
        props = paragraph._p.pPr
        num = props.numPr if props is not None else None
        if num is None:
            num = self._style_list(self._style(paragraph))
        if num is None or num.numId is None or not num.numId.val:
            return None
        return str(num.numId.val), int(num.ilvl.val) if num.ilvl is not None else 0

    def marker(self, paragraph: Any) -> str:
        """What Word shows before a list paragraph's text, set in by its level; "" for
        another paragraph."""
        found = self._list_of(paragraph)
        if found is None or found[0] not in self.lists:
            return ""
        list_id, level = found
        levels = self.lists[list_id]
        if level not in levels:
            return ""
        counts = self.counts.setdefault(list_id, [0] * 10)
        counts[level] = counts[level] + 1 if counts[level] else levels[level][2]
        for deeper in range(level + 1, len(counts)):
            counts[deeper] = 0
        fmt, text, _ = levels[level]
        if fmt == "none":
            return ""

        def number(match: re.Match[str]) -> str:
            at = int(match.group(1)) - 1
            own_fmt, _, start = levels.get(at, ("decimal", "", 1))
            count = counts[at] if 0 <= at < len(counts) and counts[at] else start
            return list_marker(_WORD_FORMATS.get(own_fmt, "1"), count).rstrip(".")

        shown = "•" if fmt == "bullet" else re.sub(r"%(\d)", number, text).strip()
        # a nested level stands further in, as Word shows it (retrieval.numbering reads that)
        return "  " * level + shown if shown else ""


def _outline(props: Any) -> int | None:
    """The outline level paragraph properties set: 1-9 for a heading's, 0 for body text
    (Word's level 10), None where they set none."""
    found = props.find(f"{W}outlineLvl") if props is not None else None
    if found is None:
        return None
    value = found.get(f"{W}val", "")
    return int(value) + 1 if value.isdecimal() and int(value) < 9 else 0


def _levels(abstract: Any) -> dict[int, tuple[str, str, int]]:
    out = {}
    for lvl in abstract.iter(f"{W}lvl"):
        fmt, text, start = (lvl.find(f"{W}{tag}") for tag in ("numFmt", "lvlText", "start"))
        out[int(lvl.get(f"{W}ilvl", "0"))] = (
            fmt.get(f"{W}val", "decimal") if fmt is not None else "decimal",
            text.get(f"{W}val", "") if text is not None else "",
            int(start.get(f"{W}val", "1")) if start is not None else 1,
        )
    return out

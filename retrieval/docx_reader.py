"""Text out of DOCX files, in the shape the segmenter reads (see retrieval.formats).

Paragraphs and tables in reading order: a table row is a block, its cells side by side. A
list paragraph gets the number Word shows before it ("2.", "(a)", "•"), which Word keeps out
of the paragraph's text, so that an item is read, and cited, as the reader sees it.
Footnotes are read at the end of the document, each after its mark ("[1] …"), the mark
standing in the text where the note was called.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from retrieval.errors import CorpusError
from retrieval.formats import Extracted
from retrieval.numbering import list_marker

log = logging.getLogger(__name__)


def read_docx(path: Path, raw: bytes) -> Extracted:
    try:
        import docx
    except ImportError as exc:  # pragma: no cover - python-docx is a dependency
        raise CorpusError(f"{path}: reading DOCX needs python-docx (pip install .)") from exc
    try:
        document = docx.Document(io.BytesIO(raw))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise CorpusError(f"{path}: not a readable DOCX file ({exc})") from None
    except Exception as exc:  # python-docx raises its own package errors for broken files
        raise CorpusError(f"{path}: not a readable DOCX file ({type(exc).__name__})") from None
    from docx.table import Table

    numbering = _WordNumbering(document)
    notes = _Footnotes(document)
    blocks: list[str] = []
    for part in _parts(document):
        if isinstance(part, Table):  # a row a block, its cells side by side as shown
            blocks.extend(_row(row.cells, notes, numbering) for row in part.rows)
            continue
        text = " ".join(notes.text(part).split())
        if not text:
            continue
        style = numbering.style_name(part)
        level = re.match(r"Heading (\d)", style)
        marker = numbering.marker(part)  # what Word shows before the text: "1.", "(a)"
        if style == "Title" or level:
            # a numbered heading keeps its number ("# 2.1 Passwords"), as the ODT reader
            # and a PDF show it: it is what the clauses under it are cited by
            shown = f"{marker.strip()} {text}" if marker.strip() else text
            text = "#" * (int(level.group(1)) if level else 1) + " " + shown
        elif marker:
            text = f"{marker} {text}"
        blocks.append(text)
    return Extracted("\n\n".join(b for b in [*blocks, *notes.bodies()] if b), (), _title(raw))


_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
MAX_PROPERTIES_KB = 512  # a properties part larger than this unpacked is not read


def _title(raw: bytes) -> str:
    """The title in the document's properties. python-docx finds them by the standard
    relationship type alone; LibreOffice names the type otherwise ("…/officedocument/2006/
    relationships/metadata/core-properties"), and for every DOCX it writes python-docx
    gave its own default title, "Word Document", which citations then carried. So the
    properties are read here, wherever the package's relationships point to them."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            rels = ElementTree.fromstring(archive.read("_rels/.rels"))
            target = next(
                (
                    r.get("Target", "").lstrip("/")
                    for r in rels.iter(_RELATIONSHIPS)
                    if r.get("Type", "").lower().endswith("/metadata/core-properties")
                ),
                None,
            )
            if target is None or archive.getinfo(target).file_size > MAX_PROPERTIES_KB * 1024:
                return ""
            title = ElementTree.fromstring(archive.read(target)).find(_DC_TITLE)
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError) as exc:
        log.warning("the document's properties cannot be read (%s): no title from them", exc)
        return ""
    return " ".join((title.text or "").split()) if title is not None else ""


def _row(cells: Any, notes: _Footnotes, numbering: _WordNumbering) -> str:
    """A table's row, its cells side by side as shown, a list's number in a cell too (a
    "№" column Word numbers itself: "1.", "2.")."""
    from docx.text.paragraph import Paragraph

    texts: list[str] = []
    seen: set[int] = set()
    for cell in cells:
        if id(cell._tc) in seen:  # a merged cell is given once for each column it spans
            continue
        seen.add(id(cell._tc))
        shown = []
        for p in cell._tc.iter(f"{_W}p"):
            marker = numbering.marker(Paragraph(p, cell)).strip()
            shown.append(f"{marker} {notes.text(p)}" if marker else notes.text(p))
        texts.append(" ".join(" ".join(shown).split()))
    return " | ".join(texts) if any(texts) else ""


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# what a paragraph holds that Word does not show as its text: a text box's paragraphs (read
# after it, as paragraphs of their own: _boxes), the copy of a drawing kept for older
# readers, deleted text
_NOT_SHOWN = {f"{_W}txbxContent", f"{_MC}Fallback", f"{_W}del", f"{_W}moveFrom"}
# where Word keeps a document's paragraphs beside the body's own: content controls (a form's
# or a template's fields, "<w:sdt>") and custom XML, whose paragraphs python-docx passes over
_WRAPPERS = {f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"}


def _parts(document: Any, element: Any = None) -> Iterator[Any]:
    """The body's paragraphs and tables in reading order (or a text box's), those inside
    content controls too, each paragraph followed by the text boxes anchored in it (a
    callout, a sidebar); a table of contents Word keeps in a content control (its gallery
    "Table of Contents") left out."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in document.element.body if element is None else element:
        if child.tag == f"{_W}p":
            yield Paragraph(child, document._body)
            for box in _boxes(child):
                yield from _parts(document, box)
        elif child.tag == f"{_W}tbl":
            yield Table(child, document._body)
        elif child.tag in _WRAPPERS and not _is_contents(child):
            yield from _parts(document, child)


def _boxes(element: Any) -> Iterator[Any]:
    """The text boxes (w:txbxContent) anchored in a paragraph, in order: each box once
    (Word keeps a copy for older readers in mc:Fallback), not those inside a box (read with
    its own paragraphs)."""
    for child in element:
        if child.tag == f"{_W}txbxContent":
            yield child
        elif child.tag != f"{_MC}Fallback":
            yield from _boxes(child)


def _hidden(run: Any) -> bool:
    """Whether a run is formatted hidden (w:vanish), as a draft's notes to its editors are:
    Word neither prints nor shows it."""
    vanish = run.find(f"{_W}rPr/{_W}vanish")
    return vanish is not None and vanish.get(f"{_W}val", "true") not in ("0", "false", "off")


def _is_contents(element: Any) -> bool:
    gallery = element.find(f"{_W}sdtPr/{_W}docPartObj/{_W}docPartGallery")
    return gallery is not None and gallery.get(f"{_W}val", "") == "Table of Contents"


class _Footnotes:
    """A document's footnotes, which python-docx does not read: each mark in brackets where
    Word shows its number ("[1]", numbered in the order they are called), and their texts
    for the end of the document ("[1] By the Board.")."""

    def __init__(self, document: Any) -> None:
        self.texts: dict[str, str] = {}
        self.order: dict[str, int] = {}  # footnote id -> the number Word shows
        for rel in document.part.rels.values():
            if rel.is_external or not rel.reltype.endswith("/footnotes"):
                continue
            from lxml import etree  # python-docx's own XML library

            try:
                root = etree.fromstring(rel.target_part.blob)
            except (etree.XMLSyntaxError, ValueError):
                log.warning("the footnotes of a DOCX file are damaged; its text is read without")
                continue
            for note in root.iter(f"{_W}footnote"):
                if note.get(f"{_W}type") in ("separator", "continuationSeparator"):
                    continue
                words = "".join(t.text or "" for t in note.iter(f"{_W}t"))
                self.texts[note.get(f"{_W}id", "")] = " ".join(words.split())

    def text(self, paragraph: Any) -> str:
        """The paragraph's text as Word shows it, its footnotes' marks in place: what its
        runs say wherever they stand (python-docx's `text` reads only the paragraph's own
        runs and links, and lost a content control's text, a tracked insertion's, a smart
        tag's and a simple field's result). A paragraph element or a python-docx one."""
        out: list[str] = []
        self._shown(getattr(paragraph, "_p", paragraph), out)
        return "".join(out)

    def _shown(self, element: Any, out: list[str]) -> None:
        for node in element:
            tag = node.tag
            if tag in _NOT_SHOWN or (tag == f"{_W}r" and _hidden(node)):
                continue
            if tag == f"{_W}t":
                out.append(node.text or "")
            elif tag in (f"{_W}tab", f"{_W}br", f"{_W}cr"):
                out.append(" ")
            elif tag == f"{_W}noBreakHyphen":
                out.append("-")
            elif tag == f"{_W}footnoteReference" and self.texts:
                found = node.get(f"{_W}id", "")
                mark = self.order.setdefault(found, len(self.order) + 1)
                out.append(f"[{mark}]")
            else:
                self._shown(node, out)

    def bodies(self) -> list[str]:
        return [f"[{mark}] {self.texts.get(found, '')}" for found, mark in self.order.items()]


_WORD_FORMATS = {"lowerLetter": "a", "upperLetter": "A", "lowerRoman": "i", "upperRoman": "I"}


class _WordNumbering:
    """The numbers Word shows before list paragraphs, which are not in their text: each
    paragraph's list (its own or its style's) and level, counted in reading order."""

    def __init__(self, document: Any) -> None:
        # list id -> level -> (format, text such as "%1.%2.", start)
        self.lists: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counts: dict[str, list[int]] = {}
        self.styles: dict[str | None, Any] = {}  # style id -> style (see _style)
        self.style_lists: dict[str | None, Any] = {}  # style id -> its list's numPr
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return  # a document without lists
        abstract = {a.get(f"{_W}abstractNumId"): _levels(a) for a in root.iter(f"{_W}abstractNum")}
        for num in root.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            levels = dict(abstract.get(ref.get(f"{_W}val"), {})) if ref is not None else {}
            for override in num.iter(f"{_W}lvlOverride"):
                start = override.find(f"{_W}startOverride")
                at = int(override.get(f"{_W}ilvl", "0"))
                if start is not None and at in levels:
                    fmt, text, _ = levels[at]
                    levels[at] = (fmt, text, int(start.get(f"{_W}val", "1")))
            self.lists[num.get(f"{_W}numId", "")] = levels

    def style_name(self, paragraph: Any) -> str:
        style = self._style(paragraph)
        return (style.name if style is not None else "") or ""

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
        key = style.style_id if style is not None else None
        if key not in self.style_lists:
            num = None
            while num is None and style is not None:
                props = style.element.pPr
                num = props.numPr if props is not None else None
                style = style.base_style
            self.style_lists[key] = num
        return self.style_lists[key]

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


def _levels(abstract: Any) -> dict[int, tuple[str, str, int]]:
    out = {}
    for lvl in abstract.iter(f"{_W}lvl"):
        fmt, text, start = (lvl.find(f"{_W}{tag}") for tag in ("numFmt", "lvlText", "start"))
        out[int(lvl.get(f"{_W}ilvl", "0"))] = (
            fmt.get(f"{_W}val", "decimal") if fmt is not None else "decimal",
            text.get(f"{_W}val", "") if text is not None else "",
            int(start.get(f"{_W}val", "1")) if start is not None else 1,
        )
    return out

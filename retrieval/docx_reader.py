"""Text out of DOCX files, in the shape the segmenter reads (see retrieval.formats).

Paragraphs and tables in reading order: a table row is a block, its cells side by side. A
list paragraph gets the number Word shows before it ("2.", "(a)", "•"), which Word keeps out
of the paragraph's text, so that an item is read, and cited, as the reader sees it.
Footnotes are read at the end of the document, each after its mark ("[1] …"), the mark
standing in the text where the note was called. A table of contents or an index that Word
generates (a TOC or INDEX field's result, or a content control of the "Table of Contents"
gallery) is left out, with its title (formats.GENERATED_TITLES).
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from retrieval.contents import contents_entry
from retrieval.docx_styles import W as _W
from retrieval.docx_styles import WordNumbering
from retrieval.errors import CorpusError
from retrieval.formats import (
    GENERATED_FIELDS,
    GENERATED_TITLES,
    TABLE_END,
    Body,
    Extracted,
    Row,
    fold_spaces,
    join_blocks,
)
from retrieval.numbering import note_mark

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

    numbering = WordNumbering(document)
    notes = _Footnotes(document)
    blocks: list[str | Row] = []
    for part in _parts(document):
        if isinstance(part, Table):  # a row a block, its cells side by side as shown
            blocks.extend(_row(row.cells, notes, numbering) for row in part.rows)
            blocks.append(TABLE_END)
            continue
        text = fold_spaces(notes.text(part))
        if not text:
            continue
        style = numbering.style_name(part)
        if style in GENERATED_TITLES:
            continue
        level = numbering.outline_level(part)
        marker = numbering.marker(part)  # what Word shows before the text: "1.", "(a)"
        if style == "Title" or level:
            # a numbered heading keeps its number ("# 2.1 Passwords"), as the ODT reader
            # and a PDF show it: it is what the clauses under it are cited by
            shown = " ".join((f"{marker.strip()} {text}" if marker.strip() else text).split())
            text = "#" * (level or 1) + " " + shown
        elif marker:
            text = f"{marker} {text}"
        place = None if text.startswith("#") else _contents_link(part)
        entry = contents_entry(text, f"#{place}") if place else None
        if entry:
            blocks.append(entry)  # no clause (retrieval.contents)
            continue
        # a paragraph set as body text is no heading, however short (formats.Body)
        blocks.append(text if text.startswith("#") or numbering.emphatic(part) else Body(text))
    joined = join_blocks([*blocks, *notes.bodies()])
    return Extracted(joined.text, (), _title(raw), joined.plain)


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


def _contents_link(paragraph: Any) -> str | None:
    """The place in the document a paragraph links to, when its words are only a link to
    one: a table of contents' entry set by hand, or a web page's saved as DOCX ("1. " and a
    link to "Introduction"; contents.contents_entry). None for any other paragraph."""
    places = {link.get(f"{_W}anchor") for link in paragraph._p.iter(f"{_W}hyperlink")}
    if len(places) != 1:
        return None
    for text in paragraph._p.iter(f"{_W}t"):
        words = any(ch.isalpha() for ch in text.text or "")
        if words and all(up.tag != f"{_W}hyperlink" for up in text.iterancestors()):
            return None
    return places.pop() or None


def _row(cells: Any, notes: _Footnotes, numbering: WordNumbering) -> Row:
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
    return Row(tuple(texts))


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


_SHOWN_TAGS = {f"{_W}{tag}" for tag in ("t", "tab", "br", "cr", "noBreakHyphen")}


def _generates(instruction: str) -> bool:
    code = instruction.split()
    return bool(code) and code[0].upper() in GENERATED_FIELDS


def _generated(body: Any) -> set[Any]:
    """The text Word generates for a table of contents or an index (the result of a TOC or
    INDEX field: "appeal 3", "2.1 Fees 4"), which says where a part is, not what it says: as
    the .doc and RTF readers leave it out. A field runs from its begin mark through its
    instruction and its separate mark to its end, across paragraphs; fields nest (a TOC's
    entries hold PAGEREF fields). A field with no end (a damaged file) hides nothing."""
    hidden: set[Any] = set()
    # each open field: its instruction, whether its result has begun, the result's text
    fields: list[tuple[list[str], list[bool], list[Any]]] = []
    for node in body.iter(f"{_W}fldChar", f"{_W}instrText", *_SHOWN_TAGS):
        if node.tag == f"{_W}fldChar":
            kind = node.get(f"{_W}fldCharType")
            if kind == "begin":
                fields.append(([], [False], []))
            elif kind == "separate" and fields:
                fields[-1][1][0] = True
            elif kind == "end" and fields:
                instruction, _, shown = fields.pop()
                if _generates("".join(instruction)):
                    hidden.update(shown)
                elif fields and fields[-1][1][0]:  # a field in another's result is part of it
                    fields[-1][2].extend(shown)
        elif node.tag == f"{_W}instrText":
            if fields and not fields[-1][1][0]:
                fields[-1][0].append(node.text or "")
        elif fields and fields[-1][1][0]:
            fields[-1][2].append(node)
    return hidden


def _is_contents(element: Any) -> bool:
    gallery = element.find(f"{_W}sdtPr/{_W}docPartObj/{_W}docPartGallery")
    return gallery is not None and gallery.get(f"{_W}val", "") == "Table of Contents"


_NOTE_KINDS = ("footnote", "endnote")


class _Footnotes:
    """A document's footnotes and endnotes, which python-docx does not read: each mark in
    brackets where Word shows it (numbered in the order they are called, "[1]"; an
    endnote's in small roman numerals, "[i]", as Word numbers them), and their texts for
    the end of the document ("[1] By the Board.", then "[i] Decision 12 of 2013.")."""

    def __init__(self, document: Any) -> None:
        # each kind of note: note id -> its text, and note id -> the number Word shows
        self.texts: dict[str, dict[str, str]] = {kind: {} for kind in _NOTE_KINDS}
        self.order: dict[str, dict[str, int]] = {kind: {} for kind in _NOTE_KINDS}
        self.generated = _generated(document.element.body)
        for rel in document.part.rels.values():
            kind = rel.reltype.rsplit("/", 1)[-1][:-1]  # ".../footnotes" -> "footnote"
            if rel.is_external or kind not in _NOTE_KINDS:
                continue
            from lxml import etree  # python-docx's own XML library

            try:
                root = etree.fromstring(rel.target_part.blob)
            except (etree.XMLSyntaxError, ValueError):
                log.warning("the %ss of a DOCX file are damaged; its text is read without", kind)
                continue
            for note in root.iter(f"{_W}{kind}"):
                if note.get(f"{_W}type") in ("separator", "continuationSeparator"):
                    continue
                words = "".join(t.text or "" for t in note.iter(f"{_W}t"))
                self.texts[kind][note.get(f"{_W}id", "")] = " ".join(words.split())

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
            if tag in _NOT_SHOWN or (tag == f"{_W}r" and _hidden(node)) or node in self.generated:
                continue
            if tag == f"{_W}fldSimple" and _generates(node.get(f"{_W}instr", "")):
                continue
            if tag == f"{_W}t":
                out.append(node.text or "")
            elif tag == f"{_W}br" and node.get(f"{_W}type", "textWrapping") == "textWrapping":
                out.append("\n")  # a line break, kept (formats.fold_spaces)
            elif tag in (f"{_W}tab", f"{_W}br", f"{_W}cr"):
                out.append(" ")
            elif tag == f"{_W}noBreakHyphen":
                out.append("-")
            elif tag in (f"{_W}footnoteReference", f"{_W}endnoteReference"):
                kind = tag[len(_W) : -len("Reference")]
                if self.texts[kind]:
                    order = self.order[kind]
                    number = order.setdefault(node.get(f"{_W}id", ""), len(order) + 1)
                    out.append(note_mark(number, kind == "endnote"))
            else:
                self._shown(node, out)

    def bodies(self) -> list[str]:
        return [
            f"{note_mark(number, kind == 'endnote')} {self.texts[kind].get(found, '')}"
            for kind in _NOTE_KINDS
            for found, number in self.order[kind].items()
        ]

"""Text out of OpenDocument text files (.odt: LibreOffice, and many public administrations'
own format), in the shape the segmenter reads (see retrieval.formats).

An .odt file is a zip of XML parts: the text in content.xml, the list and outline styles in
content.xml and styles.xml, the title in meta.xml. Headings, paragraphs, list items and table
rows are read in reading order, a row's cells side by side. A list item gets the number the
reader sees before it ("2.", "(a)", "•"), which the file keeps in the list's style, not in
the text; numbered headings get theirs from the outline style. Footnotes are read at the end
of the document, each after its mark ("[1] …"), the mark standing in the text where the
note was called. A text box (a frame's callout or sidebar) is read after the paragraph it is
anchored in. Comments, tracked changes, hidden text, tables of contents and drawings are
left out.
Only the standard library is used.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from retrieval.contents import contents_entry
from retrieval.css import stands_apart
from retrieval.errors import CorpusError
from retrieval.formats import TABLE_END, Body, Extracted, Row, fold_spaces, join_blocks
from retrieval.numbering import list_marker

_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
}
MAX_PART_MB = 200  # an XML part larger than this unpacked is refused (a zip bomb)
DEEPEST = 10  # list levels counted (OpenDocument's list styles have ten)


def _tag(prefix: str, name: str) -> str:
    return f"{{{_NS[prefix]}}}{name}"


_T = {name: _tag("text", name) for name in (
    "h", "p", "list", "list-item", "list-header", "span", "a", "s", "tab", "line-break",
    "note", "note-citation", "note-body", "section", "soft-page-break", "tracked-changes",
    "table-of-content", "alphabetical-index", "illustration-index", "bibliography",
    "user-index", "list-style", "list-level-style-number", "list-level-style-bullet",
    "outline-style", "outline-level-style", "number", "sequence-decls",
)}  # fmt: skip
_OFFICE_TEXT = _tag("office", "text")
_TEXT_BOX = _tag("draw", "text-box")  # a frame's text (a callout, a sidebar)
_ANNOTATION = _tag("office", "annotation")
_TABLE = _tag("table", "table")
_ROW = _tag("table", "table-row")
_CELL = _tag("table", "table-cell")
# what a reader of the document does not read as its text
_LEFT_OUT = {
    _T["tracked-changes"],
    _T["table-of-content"],
    _T["alphabetical-index"],
    _T["illustration-index"],
    _T["bibliography"],
    _T["user-index"],
    _T["sequence-decls"],
    _ANNOTATION,
}


@dataclass(frozen=True)
class _Level:
    """How one level of a list style numbers its items."""

    kind: str  # "1", "a", "A", "i", "I", "•", or "" (no number shown)
    prefix: str = ""
    suffix: str = ""
    start: int = 1
    shown: int = 1  # how many levels' numbers it shows ("1.2." shows 2)


@dataclass
class _Reader:
    styles: dict[str, dict[int, _Level]]  # list style name -> level -> how it numbers
    outline: dict[int, _Level]  # heading level -> how it numbers
    blocks: list[str | Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, list[int]] = field(default_factory=dict)  # per list style, per level
    headings: list[int] = field(default_factory=lambda: [0] * 10)
    last_style: str = ""
    in_cell: bool = False  # reading a table's cell (see _cell)
    hidden: set[str] = field(default_factory=set)  # text styles that hide their text
    emphatic: set[str] = field(default_factory=set)  # styles that set their text apart

    def body(self, element: ElementTree.Element) -> None:
        for child in element:
            if child.tag in _LEFT_OUT:
                continue
            if child.tag == _T["h"]:
                self._heading(child)
                self._boxes(child)
            elif child.tag == _T["p"]:
                text = self._text(child)
                # a paragraph set as body text is no heading, however short (formats.Body)
                plain = text if self._set_apart(child) else Body(text)
                self._add(_contents_entry(child, text) or plain)
                self._boxes(child)
            elif child.tag == _T["list"]:
                self._list(child, 1, "")
            elif child.tag == _TABLE:
                self._table(child)
            elif child.tag == _T["section"]:
                self.body(child)

    def _boxes(self, element: ElementTree.Element) -> None:
        """The text boxes anchored in a paragraph (a frame's callout or sidebar), read after
        it as the document's text; not the boxes inside those (read with their own)."""
        for child in element:
            if child.tag == _TEXT_BOX:
                self.body(child)
            elif child.tag not in _LEFT_OUT:
                self._boxes(child)

    def _set_apart(self, element: ElementTree.Element, inherited: bool = False) -> bool:
        """Is every word of a paragraph (or span) set apart from body text, by its style or
        its spans' (see _emphatic_styles)?"""
        apart = inherited or element.get(_tag("text", "style-name")) in self.emphatic
        if not apart and (element.text or "").strip():
            return False
        for child in element:
            if child.tag == _T["span"] and not self._set_apart(child, apart):
                return False
            if not apart and (child.tail or "").strip():
                return False
        return True

    def _add(self, text: str, marker: str = "", level: int = 1) -> None:
        plain = isinstance(text, Body)
        text = fold_spaces(text)
        text = Body(text) if plain and not marker else text
        if text:  # an item of a nested list stands further in, as the page shows it
            self.blocks.append(f"{'  ' * (level - 1)}{marker} {text}" if marker else text)
        elif marker and self.in_cell:  # a cell that shows only its number ("№" column)
            self.blocks.append(marker)

    def _heading(self, element: ElementTree.Element) -> None:
        level = max(1, min(6, int(element.get(_tag("text", "outline-level")) or 1)))
        text = " ".join(self._text(element).split())
        if not text:
            return
        rendered = element.find(_T["number"])
        number = (rendered.text or "").strip() if rendered is not None else ""
        # a heading marked as no list's ("Annex") is not numbered, nor counted
        if element.get(_tag("text", "is-list-header")) != "true":
            start = self.outline[level].start if level in self.outline else 1
            count = self.headings[level - 1]
            self.headings[level - 1] = count + 1 if count else start
            self.headings[level:] = [0] * (len(self.headings) - level)
            if not number and level in self.outline:
                number = _number(self.outline, self.headings, level)
        self.blocks.append("#" * level + " " + (f"{number} {text}" if number else text))

    def _list(self, element: ElementTree.Element, level: int, style: str) -> None:
        style = element.get(_tag("text", "style-name")) or style
        level = min(level, DEEPEST)  # deeper lists are counted at the deepest level
        if level == 1:
            continues = element.get(_tag("text", "continue-numbering")) == "true" or element.get(
                _tag("text", "continue-list")
            )
            if not continues or style != self.last_style:
                self.counts[style] = [0] * DEEPEST
            self.last_style = style
        counts = self.counts.setdefault(style, [0] * DEEPEST)
        levels = self.styles.get(style, {})
        for item in element:
            if item.tag not in (_T["list-item"], _T["list-header"]):
                continue
            numbered = item.tag == _T["list-item"]
            how = levels.get(level, _Level("•"))
            if numbered:
                start = item.get(_tag("text", "start-value")) or ""
                count = counts[level - 1] + 1 if counts[level - 1] else how.start
                counts[level - 1] = int(start) if start.isdigit() else count
                counts[level:] = [0] * (len(counts) - level)
            first = True
            for child in item:
                if child.tag == _T["list"]:
                    self._list(child, level + 1, style)
                elif child.tag in (_T["p"], _T["h"]):
                    marker = _number(levels, counts, level) if numbered and first else ""
                    text = self._text(child)
                    self._add(_contents_entry(child, text) or text, marker, level)
                    first = False

    def _table(self, element: ElementTree.Element) -> None:
        for row in element.iter(_ROW):
            cells = [self._cell(cell) for cell in row if cell.tag == _CELL]
            self.blocks.append(Row(tuple(cells)))
        self.blocks.append(TABLE_END)

    def _cell(self, cell: ElementTree.Element) -> str:
        """A cell's text as the page shows it, its lists' numbers too (a "№" column numbered
        by a list: "1.", "2."): its paragraphs read as the body's, side by side."""
        outer, was_in_cell = self.blocks, self.in_cell
        self.blocks, self.in_cell = [], True
        try:
            self.body(cell)
            shown = (b if isinstance(b, str) else b.text() for b in self.blocks)
            return " ".join(" ".join(shown).split())
        finally:
            self.blocks, self.in_cell = outer, was_in_cell

    def _text(self, element: ElementTree.Element) -> str:
        """The text a reader sees in a paragraph or heading, its notes' marks in brackets and
        their bodies kept for the end."""
        out = [element.text or ""]
        for child in element:
            if child.tag == _T["s"]:
                out.append(" " * int(child.get(_tag("text", "c")) or 1))
            elif child.tag == _T["line-break"]:
                out.append("\n")  # kept (formats.fold_spaces)
            elif child.tag == _T["tab"]:
                out.append(" ")
            elif child.tag == _T["note"]:
                out.append(self._note(child))
            elif child.tag in _LEFT_OUT or child.tag == _T["number"]:
                pass
            elif child.get(_tag("text", "style-name")) in self.hidden:
                pass  # hidden text
            elif child.tag.startswith("{" + _NS["text"]):  # spans, links, fields
                out.append(self._text(child))
            out.append(child.tail or "")
        return "".join(out)

    def _note(self, note: ElementTree.Element) -> str:
        """A footnote's mark, in brackets, where it is called; its text kept for the end."""
        citation = note.find(_T["note-citation"])
        mark = "".join(citation.itertext()).strip() if citation is not None else ""
        mark = mark or str(len(self.notes) + 1)
        body = note.find(_T["note-body"])
        paragraphs = body.iter(_T["p"]) if body is not None else ()
        self.notes.append(
            f"[{mark}] " + " ".join(" ".join(self._text(p).split()) for p in paragraphs)
        )
        return f"[{mark}]"


def _contents_entry(paragraph: ElementTree.Element, text: str) -> str | None:
    """A paragraph whose words are only a link to a place in the document (a table of
    contents' entry set by hand, a web page's saved as ODT), written as
    contents.contents_entry writes one; None for any other."""
    places = {link.get(_tag("xlink", "href")) or "" for link in paragraph.iter(_T["a"])}
    place = places.pop() if len(places) == 1 else ""
    if not place.startswith("#") or len(place) < 2:
        return None

    def outside(element: ElementTree.Element) -> str:  # its text outside links
        return (element.text or "") + "".join(
            ("" if child.tag == _T["a"] else outside(child)) + (child.tail or "")
            for child in element
        )

    words = any(ch.isalpha() for ch in outside(paragraph))
    return None if words else contents_entry(text, place)


def _number(levels: dict[int, _Level], counts: list[int], level: int) -> str:
    """What a list item or a heading at `level` shows before its text: "•", "(a)", or its
    number with those of the levels above that its style shows too ("1.2."); `counts` are
    the numbers each level has reached."""
    how = levels.get(level, _Level("•"))
    if how.kind in ("•", ""):
        return how.kind
    parts = [
        _format(levels.get(at, _Level("1")), counts[at - 1] or 1)
        for at in range(max(1, level - how.shown + 1), level + 1)
    ]
    return how.prefix + ".".join(parts) + how.suffix


def _format(how: _Level, count: int) -> str:
    return list_marker(how.kind or "1", count).rstrip(".") if how.kind != "•" else "•"


def _emphatic_styles(*roots: ElementTree.Element | None) -> set[str]:
    """The styles whose text stands apart from body text: bold, italic, underlined, in
    capitals or large, by their own text properties or those of the styles they inherit
    from."""
    own: dict[str, bool] = {}
    parents: dict[str, str] = {}
    for root in roots:
        for style in root.iter(_tag("style", "style")) if root is not None else ():
            name = style.get(_tag("style", "name")) or ""
            parents[name] = style.get(_tag("style", "parent-style-name")) or ""
            props = style.find(_tag("style", "text-properties"))
            own[name] = props is not None and _stands_apart(props)
    found = set()
    for name in own:
        seen, at = set(), name
        while at and at not in seen:
            seen.add(at)
            if own.get(at):
                found.add(name)
                break
            at = parents.get(at, "")
    return found


def _stands_apart(props: ElementTree.Element) -> bool:
    underline = props.get(_tag("style", "text-underline-style")) or "none"
    return stands_apart(
        {
            name: props.get(_tag("fo", name)) or ""
            for name in ("font-weight", "font-style", "font-size", "text-transform")
        }
        | {"text-decoration": "underline" if underline != "none" else ""}
    )


def _hidden_styles(root: ElementTree.Element | None) -> set[str]:
    """The text styles that hide their text (text:display="none"), as a draft's notes to
    its editors are set: LibreOffice neither prints nor shows it."""
    found = set()
    for style in root.iter(_tag("style", "style")) if root is not None else ():
        props = style.find(_tag("style", "text-properties"))
        if props is not None and props.get(_tag("text", "display")) == "none":
            found.add(style.get(_tag("style", "name")) or "")
    return found


def _list_styles(root: ElementTree.Element | None) -> dict[str, dict[int, _Level]]:
    found: dict[str, dict[int, _Level]] = {}
    for style in root.iter(_T["list-style"]) if root is not None else ():
        found[style.get(_tag("style", "name")) or ""] = _levels(style)
    return found


def _levels(style: ElementTree.Element) -> dict[int, _Level]:
    levels: dict[int, _Level] = {}
    for child in style:
        level = int(child.get(_tag("text", "level")) or 1)
        if child.tag == _T["list-level-style-bullet"]:
            levels[level] = _Level("•")
        elif child.tag in (_T["list-level-style-number"], _T["outline-level-style"]):
            kind = child.get(_tag("style", "num-format")) or ""
            start = child.get(_tag("text", "start-value")) or "1"
            shown = child.get(_tag("text", "display-levels")) or "1"
            levels[level] = _Level(
                kind if kind in ("1", "a", "A", "i", "I") else "",
                child.get(_tag("style", "num-prefix")) or "",
                child.get(_tag("style", "num-suffix")) or "",
                int(start) if start.isdigit() else 1,
                int(shown) if shown.isdigit() else 1,
            )
    return levels


def _part(archive: zipfile.ZipFile, name: str, path: Path) -> ElementTree.Element | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_PART_MB * 1024 * 1024:
        raise CorpusError(f"{path}: its {name} unpacks to over {MAX_PART_MB} MB; not read")
    return ElementTree.fromstring(archive.read(info))


def read_odt(path: Path, raw: bytes) -> Extracted:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            content = _part(archive, "content.xml", path)
            styles = _part(archive, "styles.xml", path)
            meta = _part(archive, "meta.xml", path)
    except (zipfile.BadZipFile, ElementTree.ParseError, OSError, ValueError) as exc:
        raise CorpusError(f"{path}: not a readable ODT file ({exc})") from None
    text = content.find(f".//{_OFFICE_TEXT}") if content is not None else None
    if text is None:
        raise CorpusError(f"{path}: not a readable ODT file (no text in content.xml)")
    outline_style = None
    for root in (styles, content):
        found = root.find(f".//{_T['outline-style']}") if root is not None else None
        outline_style = found if found is not None else outline_style
    reader = _Reader(
        {**_list_styles(styles), **_list_styles(content)},
        _levels(outline_style) if outline_style is not None else {},
        hidden=_hidden_styles(styles) | _hidden_styles(content),
        emphatic=_emphatic_styles(styles, content),
    )
    try:
        reader.body(text)
    except (ValueError, TypeError, RecursionError) as exc:  # a number that is none, or a loop
        raise CorpusError(f"{path}: not a readable ODT file ({exc})") from None
    title_element = meta.find(f".//{{{_NS['dc']}}}title") if meta is not None else None
    title = " ".join((title_element.text or "").split()) if title_element is not None else ""
    joined, plain = join_blocks([*reader.blocks, *reader.notes])
    return Extracted(joined, (), title, plain)

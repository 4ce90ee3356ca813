"""Text out of EPUB books (.epub: e-books, and the editions of laws, reports and
publications that publications offices issue for readers), in the shape the segmenter
reads (see retrieval.formats).

An EPUB is a zip: META-INF/container.xml names its package document, whose spine lists the
book's XHTML documents in reading order. Each is read as a web page is
(retrieval.html_reader), the stylesheets it links read with it (which of its classes set
text bold or large: the headings of a book whose headings are styled paragraphs, as
LibreOffice exports them), one after the other; the documents the spine marks as read
apart (linear="no": notes, answers) come after the rest. The book's title is the package's
dc:title. The navigation document and the NCX are the reader's table of contents, not read
unless the spine lists them (then their entries, links to the book's documents, are a table
of contents: no clauses). A book whose documents are encrypted (DRM) is refused, naming it;
fonts obfuscated as the specification allows are no obstacle.

Only the standard library is used.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote

from retrieval.errors import CorpusError
from retrieval.formats import Extracted
from retrieval.html_links import ELSEWHERE
from retrieval.html_reader import html_text
from retrieval.zipped import DAMAGED, member, xml_member

_CONTAINER = "META-INF/container.xml"
_ENCRYPTION = "META-INF/encryption.xml"
_OPF = "{http://www.idpf.org/2007/opf}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_ROOTFILE = "{urn:oasis:names:tc:opendocument:xmlns:container}rootfile"
_CIPHER = "{http://www.w3.org/2001/04/xmlenc#}CipherReference"
_PAGES = {"application/xhtml+xml", "text/html"}
# the title generators write when the document gave none (libepubgen's, LibreOffice's;
# calibre's): no title, which the first heading then gives
_NO_TITLE = {"unknown title", "unknown", "untitled"}
_STYLESHEET = re.compile(r"<link\b[^>]*>", re.I)
_HREF = re.compile(r"""\bhref\s*=\s*["']([^"']+)["']""", re.I)
_LINK = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*)(["'])([^"']*)\2""", re.I)


def read_epub(path: Path, raw: bytes) -> Extracted:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return _read(archive, path)
    except DAMAGED as exc:
        raise CorpusError(f"{path}: not a readable EPUB file ({exc})") from None


def _read(archive: zipfile.ZipFile, path: Path) -> Extracted:
    container = xml_member(archive, _CONTAINER, path)
    rootfile = container.find(f".//{_ROOTFILE}") if container is not None else None
    package_name = rootfile.get("full-path", "") if rootfile is not None else ""
    package = xml_member(archive, package_name, path) if package_name else None
    if package is None:
        raise CorpusError(f"{path}: not an EPUB file (no package document named in {_CONTAINER})")
    here = posixpath.dirname(package_name)
    items = {
        item.get("id", ""): (_joined(here, item.get("href", "")), item.get("media-type", ""))
        for item in package.iter(f"{_OPF}item")
    }
    spine = [
        (items[ref.get("idref", "")][0], ref.get("linear", "yes") != "no")
        for ref in package.iter(f"{_OPF}itemref")
        if items.get(ref.get("idref", ""), ("", ""))[1] in _PAGES
    ]
    order = [name for name, linear in spine if linear] + [n for n, linear in spine if not linear]
    locked = _encrypted(archive, path) & set(order)
    if locked:
        raise CorpusError(
            f"{path}: the book is encrypted (DRM: {len(locked)} of its {len(order)} documents); "
            "not read"
        )
    # one page of the book's documents in reading order (a document the spine lists twice
    # read once), each with its stylesheets, its links within the book made links within
    # the page: a note's mark in a chapter and its note in the notes' document, or a table
    # of contents' entries, read as they are on one page (retrieval.html_links)
    book = {name for name, _ in items.values()}
    pages = [
        _in_book(_with_stylesheets(markup, archive, name, path), name, book)
        for name in dict.fromkeys(order)
        if (markup := _page(archive, name, path)) is not None
    ]
    joined = html_text("\n".join(pages))
    title = " ".join((package.findtext(f".//{_DC}title") or "").split())
    if title.lower() in _NO_TITLE:
        title = ""
    return Extracted(joined.text, (), title, joined.plain, code=joined.code)


def _joined(folder: str, href: str) -> str:
    """A manifest's address ("Text/ch%201.xhtml") as the zip names it, from the package's
    folder ("OEBPS/Text/ch 1.xhtml")."""
    return posixpath.normpath(posixpath.join(folder, unquote(href.split("#")[0])))


def _page(archive: zipfile.ZipFile, name: str, path: Path) -> str | None:
    """A document of the book, as text (XHTML in UTF-8 or UTF-16, as EPUB requires)."""
    data = member(archive, name, path)
    if data is None:
        return None
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CorpusError(f"{path}: its {name} is neither UTF-8 nor UTF-16, as EPUB requires")


def _with_stylesheets(markup: str, archive: zipfile.ZipFile, name: str, path: Path) -> str:
    """The document with each stylesheet it links set in it (<style>), for the HTML reader to
    read which classes set text apart; a stylesheet the book lacks stays a link."""

    def inline(found: re.Match[str]) -> str:
        tag = found.group(0)
        href = _HREF.search(tag)
        if "stylesheet" not in tag.lower() or href is None:
            return tag
        sheet = member(archive, _joined(posixpath.dirname(name), href.group(1)), path)
        if sheet is None:
            return tag
        return "<style>" + sheet.decode("utf-8", "replace").replace("</", "<\\/") + "</style>"

    return _STYLESHEET.sub(inline, markup)


def _in_book(markup: str, name: str, book: set[str]) -> str:
    """A document's links to a place in the book ("notes.xhtml#n1", "ch2.xhtml#fees") as
    links to that place in one page ("#n1"); links elsewhere, and to a document as a whole,
    as they are."""

    def within(found: re.Match[str]) -> str:
        href = found.group(3)
        target, _, place = href.partition("#")
        if not place or ELSEWHERE.match(href) or not target:
            return found.group(0)
        if _joined(posixpath.dirname(name), target) not in book:
            return found.group(0)
        return f"{found.group(1)}{found.group(2)}#{place}{found.group(2)}"

    return _LINK.sub(within, markup)


def _encrypted(archive: zipfile.ZipFile, path: Path) -> set[str]:
    """The book's parts its encryption.xml names as encrypted (fonts obfuscated, or the
    whole book under DRM)."""
    listing = xml_member(archive, _ENCRYPTION, path)
    if listing is None:
        return set()
    return {_joined("", ref.get("URI", "")) for ref in listing.iter(_CIPHER)}

"""EPUB books read as their reader shows them (retrieval.epub_reader): the spine's documents
in reading order as one page, their stylesheets read, links within the book read as links
within the page (a note's mark in a chapter and the note in the notes' document), what is
no text left out, and a book that cannot be read named."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from retrieval.corpus import load_corpus, read_document
from retrieval.errors import CorpusError
from retrieval.segment import segment

FIXTURES = Path(__file__).resolve().parent / "fixtures"
_PAGE = (
    '<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml" '
    'xmlns:epub="http://www.idpf.org/2007/ops"><head><title>page</title><link '
    'href="../style.css" rel="stylesheet" type="text/css"/></head><body>{}</body></html>'
)
_CONTAINER = (
    '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:'
    'xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" '
    'media-type="application/oebps-package+xml"/></rootfiles></container>'
)


def _book(
    parts: dict[str, str],
    spine: list[tuple[str, str, bool]],
    title: str = "Fee Rules",
    extra: dict[str, str] | None = None,
) -> bytes:
    """An EPUB 3 book: `parts` under OEBPS/, `spine` its (id, href, linear) in order."""
    kinds = {"svg": "image/svg+xml", "css": "text/css"}
    items = "".join(
        f'<item id="{ref}" href="{href}" '
        f'media-type="{kinds.get(href.rsplit(".", 1)[-1], "application/xhtml+xml")}"/>'
        for ref, href, _ in spine
    )
    apart = ' linear="no"'
    order = "".join(
        f'<itemref idref="{ref}"{"" if linear else apart}/>'
        for ref, href, linear in spine
        if not href.endswith(".css")
    )
    package = (
        '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
        f'<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title>'
        f"</metadata><manifest>{items}</manifest><spine>{order}</spine></package>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr("mimetype", "application/epub+zip")
        book.writestr("META-INF/container.xml", _CONTAINER)
        book.writestr("OEBPS/content.opf", package)
        for name, text in parts.items():
            book.writestr(f"OEBPS/{name}", text)
        for name, text in (extra or {}).items():
            book.writestr(name, text)
    return out.getvalue()


_PARTS = {
    "title.xhtml": _PAGE.format("<h1>Fee Rules</h1><p>Issued by the ministry in 2013.</p>"),
    "nav.xhtml": _PAGE.format(
        '<nav epub:type="toc"><ol><li><a href="Text/ch%201.xhtml#scope">1. Scope</a></li>'
        '<li><a href="Text/ch2.xhtml">2. Fees</a></li></ol></nav>'
    ),
    "Text/ch 1.xhtml": _PAGE.format(
        '<p class="head">Contents</p><ol><li><a href="ch2.xhtml#fees">Fees</a></li><li>'
        '<a href="#scope">Scope</a></li></ol><h1 id="scope">1. Scope</h1><p>The rules apply '
        'to every operator.<a epub:type="noteref" href="notes.xhtml#n1" id="r1"><sup>1</sup>'
        '</a></p><p class="head">Payment terms</p><p>Fees are paid yearly.</p>'
    ),
    "Text/ch2.xhtml": _PAGE.format(
        '<h1 id="fees">2. Fees</h1><p>A fee of 100 manat is paid each year.<a href="notes.'
        'xhtml#n2" role="doc-noteref">2</a></p><aside><p>Buy the print edition.</p></aside>'
    ),
    "Text/notes.xhtml": _PAGE.format(
        '<aside epub:type="footnote" id="n1"><p><a href="ch%201.xhtml#r1">1</a> Excluding '
        'VAT.</p></aside><aside role="doc-footnote" id="n2"><p>Paid to the treasury.</p>'
        "</aside>"
    ),
    "style.css": ".head { font-weight: bold }",
    "cover.svg": "<svg/>",
}
_SPINE = [
    ("title", "title.xhtml", True),
    ("cover", "cover.svg", True),
    ("c1", "Text/ch%201.xhtml", True),
    ("notes", "Text/notes.xhtml", False),
    ("c2", "Text/ch2.xhtml", True),
    ("css", "style.css", True),
]


def test_a_book_is_read_in_its_spine_s_order_as_one_page(tmp_path: Path) -> None:
    """The spine's documents in order (the notes it reads apart, linear="no", last; a
    picture, the navigation document's table and a publisher's aside not at all); a
    paragraph its stylesheet sets bold heads the text under it; the chapter's table of
    contents, linking into the book, is no clause, and a note's mark, in a chapter, calls
    its note in the notes' document ("[1]"): raised, or named a note's reference by its
    markup (pandoc's `role="doc-noteref"`, no <sup>), the note numbered as its mark is
    where it has no number of its own."""
    path = tmp_path / "fee-rules.epub"
    path.write_bytes(_book(_PARTS, _SPINE))
    document = read_document(path)
    assert (document.info.title, document.info.format) == ("Fee Rules", "epub")
    clauses = segment(document)
    assert [(c.text, c.heading.split(" — ")[-1]) for c in clauses] == [
        ("Issued by the ministry in 2013.", "Fee Rules"),
        ("The rules apply to every operator.[1]", "1. Scope"),
        ("Fees are paid yearly.", "Payment terms"),
        ("A fee of 100 manat is paid each year.[2]", "2. Fees"),
        ("[1] Excluding VAT.", "2. Fees"),
        ("[2] Paid to the treasury.", "2. Fees"),
    ]
    assert all(document.text[c.start : c.end] == c.text for c in clauses)


def test_a_book_libreoffice_exports_is_read() -> None:
    """tests/fixtures/box.epub, LibreOffice's export of tests/fixtures/box.odt (its headings
    styled spans, in an external stylesheet; no title given): the same clauses as the ODT,
    the heading told by its style, the title by the heading (libepubgen's "Unknown Title"
    is none)."""
    document = read_document(FIXTURES / "box.epub")
    assert document.info.title == "Article 1. Scope"
    assert sorted((c.text, c.heading) for c in segment(document)) == sorted(
        (c.text, c.heading) for c in segment(read_document(FIXTURES / "box.odt"))
    )


def test_a_book_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    """A book under DRM (its documents encrypted), a zip that is no EPUB and a damaged file
    are named and left out, with the rest of the corpus read; fonts obfuscated, as the
    specification allows, are no obstacle."""
    font = (
        '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
        'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData><enc:CipherData>'
        '<enc:CipherReference URI="{}"/></enc:CipherData></enc:EncryptedData></encryption>'
    )
    fonts = {"META-INF/encryption.xml": font.format("OEBPS/fonts/serif.otf")}
    (tmp_path / "fonts.epub").write_bytes(_book(_PARTS, _SPINE, extra=fonts))
    locked = {"META-INF/encryption.xml": font.format("OEBPS/Text/ch%201.xhtml")}
    (tmp_path / "locked.epub").write_bytes(_book(_PARTS, _SPINE, extra=locked))
    bare = io.BytesIO()
    with zipfile.ZipFile(bare, "w") as archive:
        archive.writestr("chapter.xhtml", "<p>No package.</p>")
    (tmp_path / "bare.epub").write_bytes(bare.getvalue())
    (tmp_path / "cut.epub").write_bytes(_book(_PARTS, _SPINE)[:300])
    documents, problems = load_corpus(tmp_path)
    assert [d.doc_id for d in documents] == ["fonts"]
    reasons = {Path(p.path).name: p.reason for p in problems}
    assert "encrypted (DRM: 1 of its 4 documents)" in reasons["locked.epub"]
    assert "no package document" in reasons["bare.epub"]
    assert reasons["cut.epub"].startswith("not a readable EPUB file")
    with pytest.raises(CorpusError, match="encrypted"):
        read_document(tmp_path / "locked.epub")

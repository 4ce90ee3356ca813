"""Text out of PDF, DOCX and HTML files, in the shape the segmenter reads.

Each reader returns the document's text (paragraphs separated by blank lines, headings as
markdown '#' lines) and, for paged formats, the offset where each page starts. That text is
the source clauses are quoted from. Running headers, footers and page numbers of a PDF are
removed here, so they never become clauses, and a paragraph broken by a page break is left
for the segmenter to join again.
"""

from __future__ import annotations

import html.parser
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import CorpusError

PAGED = {".pdf"}
SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")
_PAGE_NUMBER = re.compile(r"^\W*(page\s+)?\d{1,4}(\s*(/|of)\s*\d{1,4})?\W*$", re.I)


@dataclass(frozen=True)
class Extracted:
    text: str
    pages: tuple[int, ...] = ()  # offsets in `text` where pages 2, 3, … start
    title: str = ""


def extract(path: Path, raw: bytes) -> Extracted:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _pdf(path, raw)
    if suffix == ".docx":
        return _docx(path, raw)
    if suffix in (".html", ".htm"):
        return _html(path, raw)
    raise CorpusError(f"{path}: {suffix} files are not read (use {', '.join(SUFFIXES)})")


# -- PDF ----------------------------------------------------------------------------------------


def _clean_page(text: str) -> list[str]:
    lines = [line.strip() for line in text.replace("\r", "").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", line.lower())


def _running(pages: list[list[str]], end: int) -> set[str]:
    """Line shapes that repeat at the same end (0 top, -1 bottom) of most pages."""
    if len(pages) < 2:
        return set()
    counts = Counter(_shape(p[end]) for p in pages if p)
    return {shape for shape, n in counts.items() if n >= max(2, (len(pages) + 1) // 2)}


def _pdf(path: Path, raw: bytes) -> Extracted:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as exc:  # pragma: no cover - pypdf is a dependency
        raise CorpusError(f"{path}: reading PDF needs pypdf (pip install .)") from exc
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise CorpusError(f"{path}: the PDF is encrypted; save an unprotected copy")
        pages = [
            _clean_page(page.extract_text(extraction_mode="layout") or "") for page in reader.pages
        ]
    except CorpusError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise CorpusError(f"{path}: not a readable PDF ({exc})") from None
    heads, feet = _running(pages, 0), _running(pages, -1)
    for lines in pages:
        # running headers and footers, and page numbers, at either end of a page
        while lines and (_shape(lines[0]) in heads or _PAGE_NUMBER.match(lines[0])):
            lines.pop(0)
        while lines and (_shape(lines[-1]) in feet or _PAGE_NUMBER.match(lines[-1])):
            lines.pop()
    texts = ["\n".join(_paragraphs(lines)) for lines in pages]
    if not any(t.strip() for t in texts):
        raise CorpusError(f"{path}: the PDF has no text layer (a scan?); run OCR on it first")
    out, starts = "", []
    for number, page_text in enumerate(texts):
        if number:
            out += "\n\n"
            starts.append(len(out))
        out += page_text
    title = (reader.metadata.title if reader.metadata else None) or ""
    return Extracted(out, tuple(starts), title)


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines with runs of blank lines folded to one (a paragraph break)."""
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return out


# -- DOCX ---------------------------------------------------------------------------------------


def _docx(path: Path, raw: bytes) -> Extracted:
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
    blocks = []
    for paragraph in document.paragraphs:
        text = " ".join(paragraph.text.split())
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        level = re.match(r"Heading (\d)", style)
        if style == "Title" or level:
            text = "#" * (int(level.group(1)) if level else 1) + " " + text
        blocks.append(text)
    title = document.core_properties.title or ""
    return Extracted("\n\n".join(blocks), (), title)


# -- HTML ---------------------------------------------------------------------------------------

_SKIP = {
    "script",
    "style",
    "nav",
    "header",
    "footer",
    "aside",
    "noscript",
    "template",
    "svg",
    "form",
    "button",
    "iframe",
}
_BLOCK = {
    "p",
    "div",
    "li",
    "section",
    "article",
    "main",
    "blockquote",
    "tr",
    "table",
    "ul",
    "ol",
    "dd",
    "dt",
    "br",
    "hr",
    "pre",
    "figure",
    "figcaption",
    "address",
}
_HEADING = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.skipping = 0
        self.heading = 0
        self.in_title = False
        self.title = ""

    def _flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(("#" * self.heading + " " + text) if self.heading else text)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag == "title":
            self.in_title = True
        elif tag in _HEADING:
            self._flush()
            self.heading = _HEADING[tag]
        elif tag in _BLOCK:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "title":
            self.in_title = False
        elif tag in _HEADING:
            self._flush()
            self.heading = 0
        elif tag in _BLOCK:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
        elif not self.skipping:
            self.current.append(data)


def _html(path: Path, raw: bytes) -> Extracted:
    try:
        markup = raw.decode("utf-8")
    except UnicodeDecodeError:
        charset = re.search(rb"charset=[\"']?([\w-]+)", raw[:2048])
        try:
            markup = raw.decode(charset.group(1).decode() if charset else "cp1252")
        except (LookupError, UnicodeDecodeError):
            raise CorpusError(f"{path}: the HTML is not in a known encoding") from None
    parser = _Text()
    parser.feed(markup)
    parser.close()
    parser._flush()
    return Extracted("\n\n".join(parser.blocks), (), " ".join(parser.title.split()))

"""The format a document's bytes are in, where they say so: a file is often named for
another format than the one it holds, and Word, LibreOffice and browsers open it by what it
holds. Web applications export "Word" files that are HTML or RTF (`report.doc`), a DOCX
renamed `.doc` to pass a form's check, an RTF that WordPad saved as `.doc`: each was refused
("no OLE container") where a reader of the format it holds reads it.

Told by the file's own signature, as the formats define it: OLE2's header (Word 97-2003),
"%PDF-", "{\\rtf", a zip's parts (DOCX's word/document.xml; ODT's and EPUB's mimetype), an
HTML page's opening tag, a web archive's MIME header. A plain-text or markdown file is read
as another format only where it opens with a signature no text opens with (a DOCX, a PDF,
an RTF renamed ".txt"): a page of HTML or a mention of "%PDF-" in a .txt is the text of one.
"""

from __future__ import annotations

import io
import re
import zipfile

from retrieval.zipped import DAMAGED

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE2 compound file's header (.doc)
_ZIP = b"PK\x03\x04"
_RTF = re.compile(rb"\s*(?:\xef\xbb\xbf)?\s*\{\\rtf")
_PDF = b"%PDF-"  # within the first kilobyte, as readers look for it
_HTML = re.compile(
    rb"(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b",
    re.I | re.S,
)
# a MIME message's headers (a line folded onto the next one's start), one MIME-Version
_WEB_ARCHIVE = re.compile(
    rb"\s*(?:[\w-]+:[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*)*MIME-Version:", re.I
)
_TEXT = (".txt", ".md")  # read as another format only by a signature no text opens with
_ZIPPED = {  # a zip's mimetype part, as ODF and EPUB write it first
    b"application/vnd.oasis.opendocument.text": ".odt",
    b"application/epub+zip": ".epub",
}


def format_of(raw: bytes, suffix: str) -> str:
    """The format (a suffix, ".doc") `raw` holds by its signature, or `suffix` when it holds
    none this tells."""
    head = raw[:1024]
    if raw.startswith(_OLE):
        return ".doc"
    if raw.startswith(_ZIP):
        return _zipped(raw) or suffix
    if raw.startswith(_PDF) or (_PDF in head and suffix not in _TEXT):
        return ".pdf"
    if _RTF.match(head):
        return ".rtf"
    if suffix in _TEXT:
        return suffix
    if _HTML.match(head):
        return ".html"
    if _WEB_ARCHIVE.match(head):
        return ".mht"  # a page saved with its pictures in one file (Word's, a browser's)
    return suffix


def _zipped(raw: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return ".docx"
            kind = archive.getinfo("mimetype") if "mimetype" in names else None
            if kind is not None and kind.file_size <= 100:
                return _ZIPPED.get(archive.read(kind).strip(), "")
    except DAMAGED:
        return ""  # (read as its suffix says, which names what is wrong)
    return ""

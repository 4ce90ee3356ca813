"""Text out of web archives (.mht, .mhtml: a page saved with its pictures and styles in one
file, as Word saves a "Single File Web Page" and browsers "Save as MHTML"), in the shape the
segmenter reads (see retrieval.formats).

A web archive is a MIME message (RFC 2557): its page is the part the message names as its
start, or its first HTML part, in whatever transfer encoding and character set the part
declares (quoted-printable in windows-1252, as Word writes it). The page is read as a web
page is (retrieval.html_reader), with the stylesheets the archive holds set in it (which
classes set text bold or large: headings). Pictures and scripts are left out.

Only the standard library is used.
"""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage, Message
from pathlib import Path

from retrieval.errors import CorpusError
from retrieval.formats import Extracted
from retrieval.html_reader import read_html


def read_mht(path: Path, raw: bytes) -> Extracted:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    parts = list(message.walk())
    pages = [part for part in parts if part.get_content_type() == "text/html"]
    if not pages:
        raise CorpusError(f"{path}: a web archive (MHT) with no page in it")
    start = (message.get_param("start") or "") if message.is_multipart() else ""
    page = next((p for p in pages if start and p.get("Content-ID", "") == start), pages[0])
    styles = "".join(
        f"<style>{_text(part)}</style>" for part in parts if part.get_content_type() == "text/css"
    )
    return read_html(path, (styles + _text(page)).encode("utf-8"), "utf-8")


def _text(part: Message) -> str:
    """A part's text, decoded as it declares (its transfer encoding and character set); in
    UTF-8, its undecodable bytes replaced, where it declares a set Python does not know."""
    if isinstance(part, EmailMessage):
        try:
            content = part.get_content()
        except (LookupError, UnicodeError, ValueError):
            content = None
        if isinstance(content, str):
            return content
    data = part.get_payload(decode=True)
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else ""

"""A document fetched from the web to be added to the corpus (`clausebot add URL`): a law's
page or its PDF where the ministry publishes it. The file is saved under the name the
server gives it (Content-Disposition), else the last part of the address, with the suffix
of the format it holds where the name has none a corpus reads (Content-Type, then its own
signature: retrieval.sniff); a page's character set, as the server names it, is kept as its
metadata's `encoding`, which a browser's reading follows too. Only http and https; at most
the corpus's size limit is read; what cannot be fetched is refused in one line that says
why, and nothing in the corpus changes.
"""

from __future__ import annotations

import email.message
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import CorpusError
from retrieval.folder import file_name
from retrieval.formats import SUFFIXES
from retrieval.sniff import format_of

TIMEOUT = 30.0  # seconds a server may take to answer, and between two reads
USER_AGENT = "clausebot (a document added to a corpus)"
# the suffix a Content-Type names, for a file whose name names none a corpus reads
TYPES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/msword": ".doc",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/rtf": ".rtf",
    "text/rtf": ".rtf",
    "application/epub+zip": ".epub",
    "multipart/related": ".mht",
    "message/rfc822": ".mht",
}


@dataclass(frozen=True)
class Fetched:
    path: Path  # where the file was saved
    url: str  # where it was fetched from, after any redirect
    encoding: str  # the character set the server names for a text or a page, if any


def is_url(text: str) -> bool:
    """Is the text a web address, one `fetch` fetches?"""
    return text.lower().startswith(("http://", "https://"))


def names_address(text: str) -> bool:
    """Does the text name an address of any kind ("ftp://…"), not a file?"""
    return "://" in text


def fetch(url: str, folder: Path, max_mb: float) -> Fetched:
    """Fetch `url` into `folder` (which the caller removes), at most `max_mb` MB."""
    if not is_url(url):
        raise CorpusError(f"{url}: only http:// and https:// addresses are fetched")
    limit = int(max_mb * 1024 * 1024)
    try:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            raw = response.read(limit + 1)
            headers: email.message.Message = response.headers
            final = response.geturl()
    except urllib.error.HTTPError as exc:
        raise CorpusError(f"{url}: the server answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc or type(exc).__name__
        raise CorpusError(f"{url}: cannot be fetched ({reason})") from None
    if len(raw) > limit:
        raise CorpusError(
            f"{url}: over the limit of {max_mb:g} MB (raise CLAUSEBOT_MAX_FILE_MB to add it)"
        )
    if not raw:
        raise CorpusError(f"{url}: the server sent nothing")
    path = folder / _name(headers, final, raw)
    path.write_bytes(raw)
    texts = format_of(raw, path.suffix.lower()) in (".html", ".txt", ".md")
    encoding = (headers.get_content_charset() or "") if texts else ""
    return Fetched(path=path, url=final, encoding=encoding)


def _name(headers: email.message.Message, url: str, raw: bytes) -> str:
    """The file's name: the server's, else the address's last part; where it has no suffix
    a corpus reads, the one its content's type names, else the one its signature tells
    (none for a format no reader takes: `add` refuses it, naming the formats)."""
    given = headers.get_filename() or ""
    if not given:
        parts = urllib.parse.urlsplit(url)
        given = urllib.parse.unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])
        given = given or parts.hostname or ""  # a site's front page: its name
    name = file_name(given) or "document"
    if Path(name).suffix.lower() not in SUFFIXES:
        name += TYPES.get(headers.get_content_type(), "") or format_of(raw, "")
    return name

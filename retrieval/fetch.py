"""A document fetched from the web to be added to the corpus (`clausebot add URL`): a law's
page or its PDF where the ministry publishes it. The file is saved under the name the
server gives it (Content-Disposition), else the last part of the address, with the suffix
of the format it holds where the name has none a corpus reads (Content-Type, then its own
signature: retrieval.sniff); a page's character set, as the server names it, is kept as its
metadata's `encoding`, which a browser's reading follows too. Only http and https; at most
the corpus's size limit is read; what cannot be fetched is refused in one line that says
why, and nothing in the corpus changes.

An address asked for from afar (Telegram's /add) may lead only to the public internet: a
server on the bot's own machine or its private network (a cloud's metadata service, an
intranet's admin pages, the database) is refused unless the deployment allows it
(`CLAUSEBOT_FETCH_LOCAL`), since what is fetched becomes a document every user may quote.
Where a connection leads is checked as it is made, on every redirect, so that neither a
redirect nor a name that resolves otherwise the second time leads round the check.
"""

from __future__ import annotations

import email.message
import http.client
import ipaddress
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retrieval.errors import CorpusError
from retrieval.folder import file_name
from retrieval.formats import SUFFIXES
from retrieval.sniff import format_of

TIMEOUT = 30.0  # seconds a server may take to answer, and between two reads
DEADLINE = 300.0  # seconds a whole download may take (a server trickling bytes holds no more)
CHUNK = 1 << 16  # bytes read at a time
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


class LocalAddressError(OSError):
    """A connection that led to this machine or its private network, where none may."""


def is_public(ip: str) -> bool:
    """Is the IP address on the public internet (not this machine, a private or shared
    network, a link's own addresses as a cloud's metadata service's, or multicast)?"""
    address = ipaddress.ip_address(ip.split("%", 1)[0])  # an IPv6 address's zone left out
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _public(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
    """socket.create_connection, refusing a peer that is not on the public internet."""
    sock = socket.create_connection(address, *args, **kwargs)
    peer = sock.getpeername()[0]
    if not is_public(peer):
        sock.close()
        host = address[0] if address[0] == peer else f"{address[0]} ({peer})"
        raise LocalAddressError(f"{host} is on this machine or a private network")
    return sock


def _public_connection(
    kind: type[http.client.HTTPConnection],
) -> Callable[..., http.client.HTTPConnection]:
    """A maker of `kind`'s connections (HTTP's, HTTPS's) that connect through _public."""

    def connection(host: str, **kwargs: Any) -> http.client.HTTPConnection:
        made = kind(host, **kwargs)
        made._create_connection = _public  # type: ignore[attr-defined]
        return made

    return connection


class _PublicHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_public_connection(http.client.HTTPConnection), req)


class _PublicHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        maker = _public_connection(http.client.HTTPSConnection)
        return self.do_open(maker, req, context=self._context)  # type: ignore[attr-defined]


def fetch(url: str, folder: Path, max_mb: float, local: bool = True) -> Fetched:
    """Fetch `url` into `folder` (which the caller removes), at most `max_mb` MB; where
    `local` is false, only from the public internet."""
    if not is_url(url):
        raise CorpusError(f"{url}: only http:// and https:// addresses are fetched")
    limit = int(max_mb * 1024 * 1024)
    handlers = () if local else (_PublicHTTPHandler(), _PublicHTTPSHandler())
    opener = urllib.request.build_opener(*handlers)
    try:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        started = time.monotonic()
        with opener.open(request, timeout=TIMEOUT) as response:
            raw = _read(response, limit + 1, started)
            headers: email.message.Message = response.headers
            final = response.geturl()
    except urllib.error.HTTPError as exc:
        raise CorpusError(f"{url}: the server answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc or type(exc).__name__
        if isinstance(reason, LocalAddressError):
            raise CorpusError(
                f"{url}: not fetched: {reason}; only public addresses are fetched from here "
                "(CLAUSEBOT_FETCH_LOCAL=yes allows the others)"
            ) from None
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


def _read(response: http.client.HTTPResponse, most: int, started: float) -> bytes:
    """At most `most` bytes of the response, read before DEADLINE seconds from `started`
    are out (TimeoutError past them)."""
    chunks: list[bytes] = []
    got = 0
    while got < most:
        if time.monotonic() - started > DEADLINE:
            raise TimeoutError(f"not done after {DEADLINE:g} s")
        chunk = response.read1(min(CHUNK, most - got))  # what one read of the socket gives
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


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

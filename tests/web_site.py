"""A web site on 127.0.0.1 that speaks real HTTP, for `clausebot add URL` and Telegram's
/add (tests/test_fetch.py, tests/test_telegram_corpus.py): a page in the character set its
server names (and the page does not), a PDF served by a script under the name the server
gives it, a redirect, a page trickled a byte at a time, and a 404 for anything else."""

from __future__ import annotations

import contextlib
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from tests.test_formats import make_pdf

PAGE = (
    "<html><head><title>Правила о сборах</title></head><body>"
    "<p>Сбор уплачивается до 31 марта каждого года.</p></body></html>"
)
LOCAL = {"no_proxy": "127.0.0.1", "NO_PROXY": "127.0.0.1"}  # never through a proxy


@contextlib.contextmanager
def web_site(tmp_path: Path) -> Iterator[str]:
    """The site's address, while it serves."""
    pdf = make_pdf(tmp_path / "tariffs.pdf").read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
            if self.path == "/laws/sbory":
                body, kind, extra = PAGE.encode("cp1251"), "text/html; charset=windows-1251", {}
            elif self.path.startswith("/download.php"):
                given = {"Content-Disposition": 'attachment; filename="tariffs-2013.pdf"'}
                body, kind, extra = pdf, "application/octet-stream", given
            elif self.path == "/slow":  # a server trickling its bytes, one a tenth of a second
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "1000")
                self.end_headers()
                with contextlib.suppress(OSError):  # the client gone
                    for _ in range(1000):
                        self.wfile.write(b"x")
                        self.wfile.flush()
                        time.sleep(0.1)
                return
            elif self.path == "/old":
                self.send_response(301)
                self.send_header("Location", "/laws/sbory")
                self.end_headers()
                return
            else:
                self.send_error(404, "Not Found")
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            for key, value in extra.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()

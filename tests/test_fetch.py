"""`clausebot add URL` (retrieval/fetch.py), against a web server on 127.0.0.1 that speaks
real HTTP: a page in the character set its server names, a PDF under the name the server
gives it behind an address without one, a redirect, and what is refused (a missing page, a
file over the limit, an address that is no web address), the corpus unchanged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.web_site import LOCAL, PAGE, web_site

FAST = ("--model", "hashing")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    with web_site(tmp_path) as address:
        yield address


def test_a_document_is_added_from_its_address(tmp_path: Path, site: str) -> None:
    corpus = tmp_path / "corpus"
    paths = ("--corpus", str(corpus), "--index", str(tmp_path / "idx"), *FAST)
    page = run_cli("add", *paths, f"{site}/old", cwd=tmp_path, env=LOCAL)
    assert page.returncode == 0, page.stderr
    assert page.stdout.startswith(f"fetched {site}/laws/sbory (")  # where the redirect led
    assert (corpus / "sbory.html").read_bytes() == PAGE.encode("cp1251")
    assert (corpus / "sbory.html.meta").read_text() == "encoding: windows-1251\n"
    pdf = run_cli(
        "add", *paths, f"{site}/download.php?id=7", "--date", "2013-04-01", cwd=tmp_path, env=LOCAL
    )
    assert pdf.returncode == 0, pdf.stderr
    assert (corpus / "tariffs-2013.pdf").read_bytes()[:5] == b"%PDF-"
    answer = run_cli("ask", *paths, "--json", "Когда уплачивается сбор?", cwd=tmp_path, env=LOCAL)
    texts = [p["text"] for p in json.loads(answer.stdout)["passages"]]
    assert "Сбор уплачивается до 31 марта каждого года." in texts


def test_what_cannot_be_fetched_is_refused_in_one_line(tmp_path: Path, site: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    paths = ("--corpus", str(corpus), "--index", str(tmp_path / "idx"), *FAST)
    missing = run_cli("add", *paths, f"{site}/laws/none", cwd=tmp_path, env=LOCAL)
    assert missing.returncode == 1
    assert missing.stderr.strip().endswith(f"{site}/laws/none: the server answered 404 Not Found")
    small = {**LOCAL, "CLAUSEBOT_MAX_FILE_MB": "0.001"}
    large = run_cli("add", *paths, f"{site}/download.php", cwd=tmp_path, env=small)
    assert large.returncode == 1 and "over the limit of 0.001 MB" in large.stderr
    closed = run_cli("add", *paths, "http://127.0.0.1:9/x.pdf", cwd=tmp_path, env=LOCAL)
    assert closed.returncode == 1 and "cannot be fetched" in closed.stderr
    other = run_cli("add", *paths, "ftp://127.0.0.1/x.pdf", cwd=tmp_path, env=LOCAL)
    assert other.returncode == 1
    assert other.stderr.strip().endswith("only http:// and https:// addresses are fetched")
    broken = run_cli("add", *paths, "http://[::1/x.pdf", cwd=tmp_path, env=LOCAL)
    assert broken.returncode == 1 and "cannot be fetched (Invalid IPv6 URL)" in broken.stderr
    assert "Traceback" not in missing.stderr + large.stderr + closed.stderr + broken.stderr
    assert list(corpus.iterdir()) == []

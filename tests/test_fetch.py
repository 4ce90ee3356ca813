"""`clausebot add URL` (retrieval/fetch.py), against a web server on 127.0.0.1 that speaks
real HTTP: a page in the character set its server names, a PDF under the name the server
gives it behind an address without one, a redirect, and what is refused (a missing page, a
file over the limit, an address that is no web address), the corpus unchanged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from retrieval.errors import CorpusError
from retrieval.fetch import fetch, is_public
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
    # fetched again: refused as a file of the corpus's name is, in one line
    again = run_cli("add", *paths, f"{site}/old", cwd=tmp_path, env=LOCAL)
    assert again.returncode == 1 and "Traceback" not in again.stderr
    assert again.stderr.strip().endswith("sbory.html already exists: pass --force to replace it")


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


def test_an_address_asked_for_from_afar_leads_to_the_public_internet_alone(
    tmp_path: Path, site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram's /add fetches with local=False: a server on this machine is refused as the
    connection is made, by its address and by a name that resolves to it, nothing saved."""
    for key, value in LOCAL.items():
        monkeypatch.setenv(key, value)
    port = site.rsplit(":", 1)[1]
    for url in (f"{site}/laws/sbory", f"http://localhost:{port}/old"):
        with pytest.raises(CorpusError) as refused:
            fetch(url, tmp_path / "none", 1.0, local=False)
        assert str(refused.value).startswith(f"{url}: not fetched: ")
        assert "is on this machine or a private network; only public addresses" in str(
            refused.value
        )
    assert "localhost (127.0.0.1) is on" in str(refused.value) or "(::1)" in str(refused.value)
    assert not (tmp_path / "none").exists()
    (tmp_path / "here").mkdir()
    assert fetch(f"{site}/old", tmp_path / "here", 1.0).path.name == "sbory.html"  # the CLI's


@pytest.mark.parametrize(
    ("ip", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("192.168.0.10", False),
        ("172.20.0.5", False),  # docker's networks
        ("169.254.169.254", False),  # a cloud's metadata service
        ("100.64.0.1", False),  # a carrier's shared network
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fd00::5", False),
        ("::ffff:127.0.0.1", False),  # IPv4 written as IPv6
        ("224.0.0.1", False),
    ],
)
def test_what_is_a_public_address(ip: str, public: bool) -> None:
    assert is_public(ip) is public


def test_a_server_trickling_its_bytes_is_given_up_on(
    tmp_path: Path, site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each read within the time a server may take between two, the whole download not:
    given up on after DEADLINE seconds, in one line, nothing saved."""
    import retrieval.fetch

    for key, value in LOCAL.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(retrieval.fetch, "DEADLINE", 0.5)
    with pytest.raises(CorpusError, match=r"/slow: cannot be fetched \(not done after 0.5 s\)"):
        fetch(f"{site}/slow", tmp_path, 1.0)
    assert list(tmp_path.glob("slow*")) == []

"""The corpus changed from Telegram by an administrator, end to end against the fake Bot API
server: a document sent to the bot (bot/telegram_upload.py) fetched over HTTP, added to the
corpus, the index rebuilt, and answered from, or refused with the reason, the corpus
unchanged, when it cannot be added; /remove (bot/telegram_admin.py) taking one out."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

import bot.telegram_upload
from bot.telegram_upload import CaptionError, caption_details
from retrieval.engine import Engine
from retrieval.settings import Settings
from tests.conftest import CORPUS
from tests.test_formats import make_pdf
from tests.test_telegram import ADMIN, running, scenario, texts
from tests.web_site import LOCAL, PAGE, web_site

FUND = (
    b"# Common fund\n\nA rotating secretariat administers the common fund.\n\n"
    b"Each member pays two per cent of its licence fees into the fund.\n"
)


def _engine(tmp_path: Path) -> Engine:
    """The bundled corpus, a copy of it the bot may add to, read by the hashing model."""
    shutil.copytree(CORPUS, tmp_path / "corpus")
    engine = Engine(Settings(corpus=tmp_path / "corpus", index=tmp_path / "index", model="hashing"))
    engine.build()
    return engine


def test_an_administrator_s_document_is_added_indexed_and_answered_from(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    corpus = tmp_path / "corpus"

    async def run() -> None:
        async with running(engine, tmp_path) as (fake, _):
            fake.push(
                message=fake.message(
                    user_id=ADMIN,
                    document=fake.document("fund.md", FUND, "text/markdown"),
                    caption="title: Common fund rules\ndate: 2013-04-02",
                )
            )
            await fake.wait_for("sendMessage", 3, chat_id=ADMIN, timeout=30)
            added, rebuilding, rebuilt = texts(fake, ADMIN)
            assert added == "Added “Common fund rules” to the corpus as fund."
            assert rebuilding == "Re-embedding the corpus…"
            assert rebuilt.startswith("Index updated. Documents: 3; clauses: 31 (2 embedded")
            assert fake.sent("download")  # fetched over HTTP, as from Telegram's servers
            fake.push(message=fake.message("Who administers the common fund?", user_id=ADMIN))
            await fake.wait_for("sendMessage", 4, chat_id=ADMIN)
            answer = texts(fake, ADMIN)[-1]
            assert "A rotating secretariat administers the common fund." in answer
            assert "Common fund rules (2 April 2013)" in answer
            # sent again with "replace: yes", under a title of one line
            fake.push(
                message=fake.message(
                    user_id=ADMIN,
                    document=fake.document("fund.md", FUND.replace(b"two", b"three")),
                    caption="Fund rules, 2014\nreplace: yes",
                )
            )
            await fake.wait_for("sendMessage", 7, chat_id=ADMIN, timeout=30)
            assert texts(fake, ADMIN)[4] == "Added “Fund rules, 2014” to the corpus as fund."
            assert texts(fake, ADMIN)[6].startswith("Index updated. Documents: 3; clauses: 31")

    scenario(run())
    assert (corpus / "fund.md").read_bytes() == FUND.replace(b"two", b"three")
    assert (corpus / "fund.md.meta").read_text(encoding="utf-8") == "title: Fund rules, 2014\n"


def test_what_cannot_be_added_is_refused_with_the_reason(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    corpus = tmp_path / "corpus"
    before = sorted(p.name for p in corpus.iterdir())
    whole = make_pdf(tmp_path / "whole.pdf").read_bytes()

    async def run() -> None:
        async with running(engine, tmp_path) as (fake, _):
            sent = [
                ("notes.xlsx", b"PK\x03\x04", "", "en"),
                ("cut.pdf", whole[: len(whole) // 2], "", "en"),
                ("baku-declaration-2012.txt", b"Another declaration.\n", "", "en"),
                # the id the letter has, asked in Russian: said in Russian, the files by name
                ("letter-to-icann-2012.md", b"# Letter\n\nAnother letter.\n", "", "ru"),
                ("fund.md", FUND, "Tariffs: 2013\nFund rules", "en"),
            ]
            for name, content, caption, lang in sent:
                document = fake.document(name, content)
                fake.push(
                    message=fake.message(
                        user_id=ADMIN, document=document, caption=caption, lang=lang
                    )
                )
                await fake.wait_for("sendMessage", len(texts(fake, ADMIN)) + 1, chat_id=ADMIN)
            large = fake.document("large.pdf", whole) | {"file_size": 25 * 1024 * 1024}
            fake.push(message=fake.message(user_id=ADMIN, document=large))
            await fake.wait_for("sendMessage", 6, chat_id=ADMIN)
            # anyone else's document is no upload: its caption is a question, as before
            fund = fake.document("fund.md", FUND)
            fake.push(
                message=fake.message(user_id=3, document=fund, caption="Who signed the letter?")
            )
            fake.push(message=fake.message(user_id=4, document=fund))
            await fake.wait_for("sendMessage", 1, chat_id=3)
            await fake.wait_for("sendMessage", 1, chat_id=4)
            xlsx, cut, same_name, same_id, caption, size = texts(fake, ADMIN)
            assert xlsx.startswith("notes.xlsx cannot be added: the corpus reads .txt, .md, .pdf")
            assert cut.startswith(
                "The document was not added, and the corpus is as it was: cut.pdf: not a "
                "readable PDF"
            )
            assert same_name == (
                "The corpus has a document named baku-declaration-2012.txt already: a line "
                "“replace: yes” in the caption, or after /add, replaces it."
            )
            assert same_id == (
                "Идентификатор letter-to-icann-2012 уже занят другим документом "
                "(letter-to-icann-2012.txt): дайте этому свой строкой «id: …» или, чтобы "
                "заменить тот, пришлите этот под именем letter-to-icann-2012.txt со строкой "
                "«replace: yes»."
            )
            assert caption.endswith("Not understood: Tariffs: 2013")
            assert size == ("large.pdf is 25.0 MB: a document sent here may be 20 MB at most.")
            (question,) = texts(fake, 3)
            assert "Abbasov" in question or "not answer" in question
            assert texts(fake, 4) == ["I can only read text questions. Please type your question."]
            assert len(fake.sent("download")) == 2  # the PDF and the clashing id were fetched

    scenario(run())
    assert sorted(p.name for p in corpus.iterdir()) == before


def test_a_corpus_that_cannot_be_written_is_said_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docker-compose.yml mounts the corpus read-only in the bot's container: the folder's
    refusal (EROFS, which no test run as root meets on its own) is told, not a failure."""
    engine = _engine(tmp_path)

    def read_only(*_: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(tmp_path / "corpus"))

    monkeypatch.setattr(bot.telegram_upload, "add_document", read_only)

    async def run() -> None:
        async with running(engine, tmp_path) as (fake, _):
            document = fake.document("fund.md", FUND)
            fake.push(message=fake.message(user_id=ADMIN, document=document))
            await fake.wait_for("sendMessage", 1, chat_id=ADMIN)
            assert texts(fake, ADMIN) == [
                "No document can be added from here: the corpus folder cannot be written "
                "(Read-only file system). Add it where the corpus is kept, then send /reindex."
            ]

    scenario(run())


def test_an_administrator_takes_a_document_out(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    corpus = tmp_path / "corpus"

    async def run() -> None:
        async with running(engine, tmp_path) as (fake, _):
            for asked in ("/remove letter-to-icann-2012", "/remove"):
                fake.push(message=fake.message(asked, user_id=3))
            await fake.wait_for("sendMessage", 2, chat_id=3)
            for asked in ("/remove", "/remove letter", "/remove letter-to-icann-2012"):
                fake.push(message=fake.message(asked, user_id=ADMIN))
                await fake.wait_for("sendMessage", len(texts(fake, ADMIN)) + 1, chat_id=ADMIN)
            await fake.wait_for("sendMessage", 5, chat_id=ADMIN, timeout=30)
            fake.push(message=fake.message("/documents", user_id=ADMIN))
            await fake.wait_for("sendMessage", 6, chat_id=ADMIN)
            assert all("only the bot's administrators" in text for text in texts(fake, 3))
            usage, unknown, removed, rebuilding, rebuilt, documents = texts(fake, ADMIN)
            assert usage.startswith("Usage: /remove &lt;document&gt;, e.g. /remove ")
            assert unknown.startswith("no document 'letter' in") and "/documents" in unknown
            assert removed.startswith("Took “Letter from the Minister")
            assert "(letter-to-icann-2012) out of the corpus; it is kept in .removed/" in removed
            assert rebuilt.startswith("Index updated. Documents: 1; clauses: 15")
            assert "Letter" not in documents and "Baku Declaration" in documents

    scenario(run())
    assert not (corpus / "letter-to-icann-2012.txt").exists()
    (aside,) = (corpus / ".removed").iterdir()
    assert [p.name for p in aside.iterdir()] == ["letter-to-icann-2012.txt"]


def test_help_tells_administrators_what_they_alone_may_do(tmp_path: Path) -> None:
    engine = _engine(tmp_path)

    async def run() -> None:
        async with running(engine, tmp_path) as (fake, _):
            fake.push(message=fake.message("/help", user_id=ADMIN))
            fake.push(message=fake.message("/help", user_id=3, lang="ru"))
            await fake.wait_for("sendMessage", 1, chat_id=ADMIN)
            await fake.wait_for("sendMessage", 1, chat_id=3)
            (admin,) = texts(fake, ADMIN)
            (other,) = texts(fake, 3)
            assert admin.endswith(
                "As an administrator: /stats, /reindex, /add &lt;address&gt;, /remove "
                "&lt;document&gt;; a document you send me here is added (its caption: “title: "
                "…”, “date: …”, a line each)."
            )
            assert "/remove" not in other and "/stats" not in other

    scenario(run())


def test_an_administrator_adds_a_document_from_its_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/add <address>, its details on the lines after it: fetched as `clausebot add URL`
    fetches (its server's character set kept), added, the index rebuilt; a missing page or
    no address is said so; anyone else is refused; an address on the bot's machine is
    refused unless the deployment allows it (CLAUSEBOT_FETCH_LOCAL)."""
    engine = _engine(tmp_path)
    corpus = tmp_path / "corpus"
    for key, value in LOCAL.items():
        monkeypatch.setenv(key, value)  # the bot runs in this process

    async def run() -> None:
        with web_site(tmp_path) as site:
            # by default, from the public internet alone: the site is on this machine
            async with running(engine, tmp_path) as (fake, _):
                fake.push(message=fake.message(f"/add {site}/old", user_id=ADMIN, lang="tr"))
                await fake.wait_for("sendMessage", 1, chat_id=ADMIN)
                assert texts(fake, ADMIN) == [
                    f"Belge eklenmedi, belgeler olduğu gibi kaldı: {site}/old: not fetched: "
                    "127.0.0.1 is on this machine or a private network; only public addresses "
                    "are fetched from here (CLAUSEBOT_FETCH_LOCAL=yes allows the others)"
                ]
            engine.settings = engine.settings.with_(fetch_local=True)
            async with running(engine, tmp_path) as (fake, _):
                fake.push(message=fake.message(f"/add {site}/old", user_id=3))
                await fake.wait_for("sendMessage", 1, chat_id=3)
                for asked in ("/add", f"/add {site}/none", f"/add {site}/old\ntitle: Fees"):
                    fake.push(message=fake.message(asked, user_id=ADMIN))
                    await fake.wait_for("sendMessage", len(texts(fake, ADMIN)) + 1, chat_id=ADMIN)
                await fake.wait_for("sendMessage", 5, chat_id=ADMIN, timeout=30)
                usage, missing, added, _, rebuilt = texts(fake, ADMIN)
                assert "only the bot's administrators" in texts(fake, 3)[0]
                assert usage.startswith("Usage: /add &lt;address of a document on the web&gt;")
                assert missing == (
                    "The document was not added, and the corpus is as it was: "
                    f"{site}/none: the server answered 404 Not Found"
                )
                assert added == "Added “Fees” to the corpus as sbory."
                assert rebuilt.startswith("Index updated. Documents: 3; clauses: 30 (1 embedded")

    scenario(run())
    assert (corpus / "sbory.html").read_bytes() == PAGE.encode("cp1251")
    assert (corpus / "sbory.html.meta").read_text() == "title: Fees\nencoding: windows-1251\n"


def test_a_caption_gives_the_document_s_details() -> None:
    assert caption_details("") == ({}, False)
    assert caption_details("Fund rules, 2014") == ({"title": "Fund rules, 2014"}, False)
    assert caption_details("Fund rules\ndate: 2014-01-01\nreplace: yes") == (
        {"title": "Fund rules", "date": "2014-01-01"},
        True,
    )
    assert caption_details("Title: Fund rules\nshort-title: Fund\nreplace: yes") == (
        {"title": "Fund rules", "short_title": "Fund"},
        True,
    )
    with pytest.raises(CaptionError, match="colour: red"):
        caption_details("title: Fund rules\ncolour: red")

"""The Telegram front end, end to end against a fake Bot API server over real HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bot.feedback import FeedbackStore
from bot.storage import RateLimiter
from bot.telegram_app import _post_init, build_application
from bot.telegram_html import LIMIT, split_blocks, telegram_length
from retrieval.engine import Engine
from retrieval.settings import Settings
from tests.conftest import CORPUS, as_built_by_an_earlier_version, run_cli
from tests.fake_telegram import BOT, FakeTelegram, check_html, spawn_bot, start_bot
from tests.processes import child_env, free_port

CHILDREN = "What does the declaration say about protecting children online?"
ADMIN = 777


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The real models over the bundled corpus, built once for this module."""
    root = tmp_path_factory.mktemp("tg")
    shutil.copytree(CORPUS, root / "corpus")
    engine = Engine(Settings(corpus=root / "corpus", index=root / "index"))
    engine.build()
    engine.warm_up()
    return engine


@contextlib.asynccontextmanager
async def running(
    engine: Engine, tmp_path: Path, limit: int = 50
) -> AsyncIterator[tuple[FakeTelegram, Any]]:
    fake = FakeTelegram()
    await fake.start()
    settings = engine.settings.with_(
        telegram_token=fake.token,
        telegram_api_url=fake.base_url,
        admins=frozenset({ADMIN}),
        feedback_db=tmp_path / "feedback.db",
    )
    feedback = FeedbackStore(settings.feedback_db)
    app = build_application(settings, engine, feedback, RateLimiter(limit=limit))
    await app.initialize()
    await _post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        yield fake, app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        feedback.close()
        await fake.stop()


def scenario(coro: Any) -> None:
    asyncio.run(asyncio.wait_for(coro, 60))


def texts(fake: FakeTelegram, chat_id: int | None = None) -> list[str]:
    return [c.params["text"] for c in fake.sent("sendMessage", chat_id)]


def buttons(sent: Any) -> list[dict[str, Any]]:
    """The inline buttons of a sent message, row after row."""
    return [b for row in sent.params["reply_markup"]["inline_keyboard"] for b in row]


def test_start_and_help_list_the_documents(engine: Engine, tmp_path: Path) -> None:
    async def run() -> None:
        async with running(engine, tmp_path) as (fake, _):
            fake.push(message=fake.message("/start"))
            fake.push(message=fake.message("/help", user_id=2))
            await fake.wait_for("sendMessage", 2)
            for text in texts(fake):
                assert "Baku Declaration" in text and "(5 November 2012)" in text
                assert "Letter from the Minister" in text and "(19 December 2012)" in text
                assert "Who signed the letter to ICANN?" in text

    scenario(run())


def test_help_offers_the_corpus_own_examples_or_none(tmp_path: Path) -> None:
    from retrieval.embed import HashingEmbedder

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rules = corpus / "harbour-rules.txt"
    rules.write_text(
        "---\ntitle: Harbour Rules\n"
        "examples: Who pays the harbour fee? | Когда закрывается порт?\n---\n"
        "The harbour fee is paid by the owner of the ship.\n\nThe port closes at midnight.\n",
        encoding="utf-8",
    )
    (corpus / "staff-memo.txt").write_text(
        "---\ntitle: Staff Memo\n---\nStaff meet on Mondays.\n", encoding="utf-8"
    )
    engine = Engine(
        Settings(corpus=corpus, index=tmp_path / "index"), embedders=[HashingEmbedder()]
    )
    engine.build()

    async def help_text(user_id: int) -> str:
        async with running(engine, tmp_path) as (fake, _):
            fake.push(message=fake.message("/help", user_id=user_id))
            await fake.wait_for("sendMessage")
            return texts(fake, user_id)[0]

    offered = asyncio.run(asyncio.wait_for(help_text(5), 60))
    assert "For example:" in offered and "ICANN" not in offered
    assert "Who pays the harbour fee?" in offered and "Когда закрывается порт?" in offered
    rules.write_text(
        "---\ntitle: Harbour Rules\n---\nThe harbour fee is paid by the owner of the ship.\n",
        encoding="utf-8",
    )
    engine.build()
    plain = asyncio.run(asyncio.wait_for(help_text(6), 60))
    assert "Harbour Rules" in plain and "For example:" not in plain


def test_an_empty_index_says_there_are_no_documents_yet(tmp_path: Path) -> None:
    """Not "the documents do not answer this question" with a closest clause that is not
    there: there are no documents."""
    from retrieval.embed import HashingEmbedder

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    engine = Engine(
        Settings(corpus=corpus, index=tmp_path / "index"), embedders=[HashingEmbedder()]
    )
    engine.build()

    async def run() -> None:
        async with running(engine, tmp_path) as (fake, _):
            fake.push(message=fake.message("Who signed the letter?"))
            fake.push(message=fake.message("Кто подписал письмо?", user_id=2, lang="ru"))
            fake.push(message=fake.message("/help", user_id=3))
            fake.push(message=fake.message("/documents", user_id=4))
            await fake.wait_for("sendMessage", 4)
            english, russian = texts(fake, 1)[0], texts(fake, 2)[0]
            assert english.startswith("No documents are indexed yet")
            assert "Closest clause" not in english and "do not answer" not in english
            assert russian.startswith("Пока не проиндексировано ни одного документа")
            assert "No documents are indexed yet" in texts(fake, 3)[0]
            assert "I answer questions about these documents" not in texts(fake, 3)[0]
            assert texts(fake, 4)[0].startswith("No documents are indexed yet")

    scenario(run())


def test_every_phrase_in_every_language_with_the_same_fields() -> None:
    import string

    from bot.i18n import PHRASES

    def fields(phrase: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(phrase) if name}

    for lang in ("az", "ru", "tr"):
        assert set(PHRASES[lang]) == set(PHRASES["en"]), lang
        for key, phrase in PHRASES["en"].items():
            assert fields(PHRASES[lang][key]) == fields(phrase), (lang, key)


def test_help_in_the_readers_language(engine: Engine, tmp_path: Path) -> None:
    async def run() -> None:
        async with running(engine, tmp_path) as (fake, _):
            fake.push(message=fake.message("/help", user_id=3, lang="tr"))
            fake.push(message=fake.message("/help", user_id=4, lang="az"))
            await fake.wait_for("sendMessage", 2)
            turkish, azerbaijani = texts(fake, 3)[0], texts(fake, 4)[0]
            assert "Örneğin:" in turkish and "Komutlar:" in turkish
            assert "Məsələn:" in azerbaijani and "Əmrlər:" in azerbaijani

    scenario(run())


def test_question_answered_with_quote_citation_and_buttons(engine: Engine, tmp_path: Path) -> None:
    async def run() -> None:
        async with running(engine, tmp_path) as (fake, _):
            fake.push(message=fake.message(CHILDREN))
            (sent,) = await fake.wait_for("sendMessage")
            assert fake.sent("sendChatAction")[0].params["action"] == "typing"
            text = sent.params["text"]
            assert sent.params["parse_mode"] == "HTML"
            assert text.startswith("<blockquote>Fostering protection of children")
            assert "Baku Declaration (5 November 2012), ¶8" in text
            assert "https://t.me/clause_test_bot?start=c_baku-declaration-2012_8" in text
            assert [b["text"] for b in buttons(sent)] == ["More ▸", "Full clause", "👍", "👎"]

    scenario(run())


def test_abstention_says_so_and_marks_the_closest(engine: Engine, tmp_path: Path) -> None:
    async def run() -> None:
        async with running(engine, tmp_path) as (fake, _):
            fake.push(message=fake.message("How do I bake sourdough bread at home?"))
            fake.push(
                message=fake.message("Как испечь хлеб на закваске дома?", user_id=2, lang="ru")
            )
            await fake.wait_for("sendMessage", 2)
            english, russian = texts(fake, 1)[0], texts(fake, 2)[0]
            assert english.startswith("The documents do not answer this question.")
            assert "Closest clause (not an answer" in english
            assert english.count("<blockquote>") == 1
            assert russian.startswith("В документах нет ответа на этот вопрос.")

    scenario(run())


def test_a_pasted_run_is_read_once_and_the_reader_is_told(engine: Engine, tmp_path: Path) -> None:
    async def run() -> None:
        async with running(engine, tmp_path) as (fake, _):
            fake.push(message=fake.message("protecting children online " * 4))
            fake.push(message=fake.message("защита детей " * 3, user_id=2, lang="ru"))
            await fake.wait_for("sendMessage", 2)
            english, russian = texts(fake, 1)[0], texts(fake, 2)[0]
            assert english.startswith(
                "Words repeated three times or more in a row were read once.\n"
            )
            assert "<blockquote>Fostering protection of children" in english
            assert russian.startswith("Слова, повторённые три раза и более подряд")
            check_html(english)

    scenario(run())


def test_buttons_more_context_and_feedback(engine: Engine, tmp_path: Path) -> None:
    async def run() -> None:
        async with running(engine, tmp_path) as (fake, _):
            fake.push(message=fake.message(CHILDREN))
            (answer,) = await fake.wait_for("sendMessage")
            data = {b["text"]: b["callback_data"] for b in buttons(answer)}
            message = {**fake.message(None), "message_id": 5, "text": "x"}

            def press(payload: str, query_id: str) -> None:
                fake.push(
                    callback_query={
                        "id": query_id,
                        "from": fake.user(1),
                        "chat_instance": "c",
                        "message": message,
                        "data": payload,
                    }
                )

            press(data["More ▸"], "q1")
            await fake.wait_for("sendMessage", 2)
            more = texts(fake)[1]
            assert more.count("<blockquote>") == 3 and "¶8" not in more.split("\n")[1]
            press(data["Full clause"], "q2")
            await fake.wait_for("sendMessage", 3)
            context = texts(fake)[2]
            assert "¶7" in context and "¶8" in context and "¶9" in context
            press(data["👍"], "q3")
            press("x:../../etc/passwd:1", "q4")
            press("m:999999:3", "q5")
            answers = await fake.wait_for("answerCallbackQuery", 5)
            by_id = {c.params["callback_query_id"]: c.params.get("text") for c in answers}
            assert by_id["q3"] == "Thank you for the feedback."
            assert by_id["q4"].startswith("This button has expired")
            assert by_id["q5"].startswith("This button has expired")

    scenario(run())
    store = FeedbackStore(tmp_path / "feedback.db")
    assert store.stats().up == 1
    store.close()


def test_inline_query_offers_clauses(engine: Engine, tmp_path: Path) -> None:
    async def run() -> None:
        async with running(engine, tmp_path) as (fake, _):
            fake.push(
                inline_query={
                    "id": "iq1",
                    "from": fake.user(3),
                    "query": "Who signed the letter?",
                    "offset": "",
                }
            )
            (call,) = await fake.wait_for("answerInlineQuery")
            results = call.params["results"]
            assert results and results[0]["type"] == "article"
            assert results[0]["title"].startswith("Letter to ICANN (19 December 2012), ¶14")
            assert "Ali M. Abbasov" in results[0]["input_message_content"]["message_text"]

    scenario(run())


def test_groups_answer_only_when_addressed(engine: Engine, tmp_path: Path) -> None:
    async def run() -> None:
        async with running(engine, tmp_path) as (fake, _):
            group = -100
            fake.push(message=fake.message("Who signed the letter?", chat_id=group, kind="group"))
            mention = "@clause_test_bot who signed the letter?"
            asked = fake.message(
                mention,
                chat_id=group,
                kind="group",
                user_id=5,
                entities=[{"type": "mention", "offset": 0, "length": 16}],
            )
            fake.push(message=asked)
            fake.push(
                message=fake.message(
                    "/ask How many ministers took part?", chat_id=group, kind="group", user_id=6
                )
            )
            bot_message = {
                "message_id": 77,
                "date": int(time.time()),
                "chat": fake.chat(group, "group"),
                "from": BOT,
                "text": "earlier answer",
            }
            fake.push(
                message=fake.message(
                    "and who received a copy?",
                    chat_id=group,
                    kind="group",
                    user_id=7,
                    reply_to_message=bot_message,
                )
            )
            await fake.wait_for("sendMessage", 3)
            await asyncio.sleep(1.0)  # the unaddressed message would have been answered by now
            sent = fake.sent("sendMessage")
            assert len(sent) == 3
            replied_to = {c.params["reply_parameters"]["message_id"] for c in sent}
            assert asked["message_id"] in replied_to
            joined = " ".join(c.params["text"] for c in sent)
            assert (
                "Ali M. Abbasov" in joined
                and "12 ministers" in joined
                and "Cc: Consulate" in joined
            )

    scenario(run())


def test_non_text_long_and_empty_messages(engine: Engine, tmp_path: Path) -> None:
    async def run() -> None:
        async with running(engine, tmp_path) as (fake, _):
            fake.push(
                message=fake.message(
                    None,
                    sticker={
                        "file_id": "s",
                        "file_unique_id": "s",
                        "type": "regular",
                        "width": 1,
                        "height": 1,
                        "is_animated": False,
                        "is_video": False,
                    },
                )
            )
            fake.push(message=fake.message("x" * 5000, user_id=2))
            fake.push(message=fake.message("?!", user_id=3))
            fake.push(message=fake.message("What is it?", user_id=4))
            await fake.wait_for("sendMessage", 4)
            assert "only read text" in texts(fake, 1)[0]
            assert "too long" in texts(fake, 2)[0]
            assert "send a question as text" in texts(fake, 3)[0]
            assert texts(fake, 4) == [
                "Your question names nothing to look for in the documents. Say what you want "
                "to know about: a subject, a name, a date."
            ]

    scenario(run())


@pytest.mark.filterwarnings("error::telegram.warnings.PTBDeprecationWarning")
@pytest.mark.parametrize(
    ("fault", "failures", "waited"),
    [
        ("fail_next", 1, 0.9),  # flood control: 429 with retry_after 1 s
        ("break_next", 2, 1.4),  # network errors (502): back-off of 0.5 s, then 1 s
    ],
)
def test_flood_control_and_network_errors_are_retried(
    engine: Engine, tmp_path: Path, fault: str, failures: int, waited: float
) -> None:
    async def run() -> None:
        async with running(engine, tmp_path) as (fake, _):
            getattr(fake, fault)["sendMessage"] = failures
            fake.push(message=fake.message(CHILDREN))
            calls = await fake.wait_for("sendMessage", failures + 1, timeout=15)
            assert calls[0].params["text"] == calls[-1].params["text"]
            assert calls[-1].at - calls[0].at >= waited
            assert not getattr(fake, fault)["sendMessage"]

    scenario(run())


def test_failing_update_does_not_stop_the_bot(engine: Engine, tmp_path: Path) -> None:
    async def run() -> None:
        async with running(engine, tmp_path) as (fake, _):
            fake.reject_next["sendMessage"] = 1
            fake.push(message=fake.message("Who signed the letter?"))
            await fake.wait_for("sendMessage", 2)
            assert texts(fake)[1].startswith("Sorry, something went wrong")
            fake.push(message=fake.message("Who signed the letter?", user_id=2))
            await fake.wait_for("sendMessage", 1, chat_id=2)
            assert "Ali M. Abbasov" in texts(fake, 2)[0]

    scenario(run())


def test_documents_and_clause_commands(engine: Engine, tmp_path: Path) -> None:
    async def run() -> None:
        async with running(engine, tmp_path) as (fake, _):
            fake.push(message=fake.message("/documents"))
            await fake.wait_for("sendMessage", 1)
            fake.push(message=fake.message("/clause baku-declaration-2012 8"))
            await fake.wait_for("sendMessage", 2)
            fake.push(message=fake.message("/clause ../../etc/passwd 1"))
            await fake.wait_for("sendMessage", 3)
            fake.push(message=fake.message("/clause"))
            await fake.wait_for("sendMessage", 4)
            fake.push(message=fake.message("/start c_letter-to-icann-2012_14"))
            await fake.wait_for("sendMessage", 5)
            documents, clause, bad, usage, deep = texts(fake)
            assert "<code>baku-declaration-2012</code>" in documents
            assert "Fostering protection of children" in clause and "¶8" in clause
            assert "no such clause" in bad
            assert usage.startswith("Usage: /clause")
            assert "Prof. Dr. Ali M. Abbasov" in deep

    scenario(run())


def test_a_large_corpus_is_listed_a_page_at_a_time(tmp_path: Path) -> None:
    """120 documents with long titles are more than one message holds (Telegram refuses
    one over 4096 characters): /documents lists a page, "More ▸" the next, to the last;
    /help lists the first ten and says how many more /documents lists."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(120):
        title = f"Regulation {n + 1} on the licensing of regional broadcasting and data services"
        (corpus / f"reg-{n + 1:03}.txt").write_text(
            f"---\ntitle: {title}\ndate: 2013-04-02\n---\nArticle {n + 1} applies.\n",
            encoding="utf-8",
        )
    many = Engine(Settings(corpus=corpus, index=tmp_path / "index", model="hashing"))
    many.build()

    async def run() -> None:
        async with running(many, tmp_path, limit=100) as (fake, _):
            fake.push(message=fake.message("/help", user_id=2))
            (help_text,) = await fake.wait_for("sendMessage", 1, chat_id=2)
            assert help_text.params["text"].count("• <b>Regulation") == 10
            assert "… and 110 more: /documents lists them all." in help_text.params["text"]
            fake.push(message=fake.message("/documents"))
            listed: list[str] = []
            while True:
                page = (await fake.wait_for("sendMessage", len(listed) + 1, chat_id=1))[-1]
                listed.append(page.params["text"])
                more = page.params.get("reply_markup")
                if not more:
                    break
                (button,) = buttons(page)
                assert button["text"] == "More ▸"
                message = {**fake.message(None), "message_id": 90 + len(listed), "text": "x"}
                fake.push(
                    callback_query={
                        "id": f"q{len(listed)}",
                        "from": fake.user(1),
                        "chat_instance": "c",
                        "message": message,
                        "data": button["callback_data"],
                    }
                )
            assert len(listed) == 5 and listed[0].startswith("Documents 1-25 of 120:")
            assert listed[-1].startswith("Documents 101-120 of 120:")
            codes = [re.findall(r"<code>(reg-\d+)</code>", page) for page in listed]
            assert [code for page in codes for code in page] == [
                f"reg-{n + 1:03}" for n in range(120)
            ]

    scenario(run())


def _one_document(tmp_path: Path, name: str, text: str) -> Engine:
    """An engine over a corpus of one document (`name`, holding `text`), built with the
    hashing model: what a test of how one document reads needs."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / name).write_text(text, encoding="utf-8")
    own = Engine(Settings(corpus=corpus, index=tmp_path / "index", model="hashing"))
    own.build()
    return own


def test_an_answer_and_a_clause_come_with_the_question_the_document_sets_over_them(
    tmp_path: Path,
) -> None:
    """A page of questions and answers: the question over an answer (its heading) is quoted
    before it, in an answer and in /clause, where "No." alone would say nothing."""
    own = _one_document(
        tmp_path,
        "rules.txt",
        "Visitor rules\n\nCan visitors bring food into the reading room?\n\nNo.\n\n"
        "Is photography allowed in the archive?\n\nOnly without flash.\n",
    )

    async def run() -> None:
        async with running(own, tmp_path) as (fake, _):
            fake.push(message=fake.message("Can visitors bring food into the reading room?"))
            await fake.wait_for("sendMessage", 1)
            fake.push(message=fake.message("/clause rules 2"))
            await fake.wait_for("sendMessage", 2)
            answer, clause = texts(fake)
            food = "<i>Can visitors bring food into the reading room?</i>\nNo."
            assert f"<blockquote>{food}</blockquote>" in answer
            photography = "<i>Is photography allowed in the archive?</i>\nOnly without flash."
            assert clause.startswith(f"<blockquote>{photography}</blockquote>")
            # an inline query's result: the question in its description, and in its message
            asked = "Can visitors bring food into the reading room?"
            fake.push(inline_query={"id": "q", "from": fake.user(3), "query": asked, "offset": ""})
            (call,) = await fake.wait_for("answerInlineQuery")
            first = call.params["results"][0]
            assert first["description"] == f"{asked} No."
            assert food in first["input_message_content"]["message_text"]

    scenario(run())


def test_rate_limit_is_polite(engine: Engine, tmp_path: Path) -> None:
    async def run() -> None:
        async with running(engine, tmp_path, limit=3) as (fake, _):
            for _ in range(4):
                fake.push(message=fake.message("Who signed the letter?"))
            await fake.wait_for("sendMessage", 4)
            assert sum("asking quickly" in t for t in texts(fake)) == 1

    scenario(run())


def test_stats_for_admins_only(engine: Engine, tmp_path: Path) -> None:
    async def run() -> None:
        async with running(engine, tmp_path) as (fake, _):
            fake.push(message=fake.message("Who signed the letter?", user_id=ADMIN))
            await fake.wait_for("sendMessage", 1)
            fake.push(message=fake.message("/stats", user_id=3))
            fake.push(message=fake.message("/stats", user_id=ADMIN))
            await fake.wait_for("sendMessage", 3)
            assert "only the bot's administrators" in texts(fake, 3)[0]
            stats = texts(fake, ADMIN)[-1]
            assert "Questions: 1" in stats and "who signed the letter?" in stats

    scenario(run())


def test_reindex_for_admins_only(engine: Engine, tmp_path: Path) -> None:
    async def run() -> None:
        async with running(engine, tmp_path) as (fake, _):
            fake.push(message=fake.message("/reindex", user_id=3))
            await fake.wait_for("sendMessage", 1, chat_id=3)
            fake.push(message=fake.message("/reindex", user_id=ADMIN))
            await fake.wait_for("sendMessage", 2, chat_id=ADMIN, timeout=60)
            assert "only the bot's administrators" in texts(fake, 3)[0]
            done = texts(fake, ADMIN)[-1]
            assert done.startswith(
                "Index updated. Documents: 2; clauses: 29 (0 embedded, 29 reused"
            )

    scenario(run())


def test_what_admins_are_told_fits_a_message_however_much_there_is(tmp_path: Path) -> None:
    """A rebuild that leaves out 30 damaged files names ten, and says how many more the
    log names; /stats shows each of five long most-asked questions cut at a word."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    for n in range(30):
        (corpus / f"scanned-annex-{n:02}-{'x' * 120}.pdf").write_bytes(b"%PDF-1.4 damaged")
    own = Engine(Settings(corpus=corpus, index=tmp_path / "index", model="hashing"))
    own.build()
    long = " ".join(["Which ministry wrote to ICANN about the domain names"] * 16)

    async def run() -> None:
        async with running(own, tmp_path, limit=100) as (fake, _):
            for n in range(5):
                fake.push(message=fake.message(f"{n} {long}?", user_id=ADMIN))
                await fake.wait_for("sendMessage", n + 1, chat_id=ADMIN, timeout=30)
            fake.push(message=fake.message("/stats", user_id=ADMIN))
            await fake.wait_for("sendMessage", 6, chat_id=ADMIN)
            stats = texts(fake, ADMIN)[-1]
            assert stats.count("1 × <i>") == 5 and stats.count("…</i>") == 5
            fake.push(message=fake.message("/reindex", user_id=ADMIN))
            await fake.wait_for("sendMessage", 8, chat_id=ADMIN, timeout=60)
            done = texts(fake, ADMIN)[-1]
            assert done.startswith("Index updated. Documents: 2;")
            assert done.count("⚠ ") == 11 and done.count("scanned-annex-") == 10
            assert done.endswith("⚠ … and 20 more left out: the log names each.")

    scenario(run())


def test_stats_tell_admins_when_the_corpus_has_changed(tmp_path: Path) -> None:
    """A document put in the corpus folder by hand is not read until /reindex: the admins'
    /stats names it, and says so no more once the index has been rebuilt. So for an index
    an earlier clausebot built, which cut and cited the documents otherwise."""
    shutil.copytree(CORPUS, tmp_path / "corpus")
    own = Engine(Settings(corpus=tmp_path / "corpus", index=tmp_path / "index", model="hashing"))
    own.build()
    as_built_by_an_earlier_version(tmp_path / "index")
    outdated = (
        "⚠ The index was built by an earlier version of clausebot, which cut and cited the "
        "documents otherwise: /reindex reads them again."
    )

    async def run() -> None:
        async with running(own, tmp_path) as (fake, _):
            fake.push(message=fake.message("/stats", user_id=ADMIN))
            await fake.wait_for("sendMessage", 1, chat_id=ADMIN)
            (tmp_path / "corpus" / "fund.txt").write_text("A secretariat runs the fund.\n")
            fake.push(message=fake.message("/stats", user_id=ADMIN))
            await fake.wait_for("sendMessage", 2, chat_id=ADMIN)
            fake.push(message=fake.message("/reindex", user_id=ADMIN))
            await fake.wait_for("sendMessage", 4, chat_id=ADMIN, timeout=30)
            fake.push(message=fake.message("/stats", user_id=ADMIN))
            await fake.wait_for("sendMessage", 5, chat_id=ADMIN)
            before, changed, _, rebuilt, after = texts(fake, ADMIN)
            assert before.startswith("Questions: 0") and before.count("⚠") == 1
            assert before.endswith(outdated)
            assert changed.endswith(
                "⚠ The corpus has changed since the index was built (fund): "
                f"/reindex reads the changes.\n{outdated}"
            )
            assert rebuilt.startswith("Index updated. Documents: 3; clauses: 30 (1 embedded")
            assert "⚠" not in after

    scenario(run())


def test_a_law_is_quoted_where_it_stands_and_asked_for_by_article(tmp_path: Path) -> None:
    """A regulation's clauses in Telegram: a point quoted under the clause opening its list
    and cited as laws are, an article asked for by its number, one it lacks said so."""
    own = _one_document(
        tmp_path,
        "regulation.md",
        "---\ntitle: Data Regulation\n---\n## Article 2 — Material scope\n\n"
        "1. This Regulation applies to the processing of personal data by automated means.\n\n"
        "2. This Regulation does not apply to the processing of personal data:\n\n"
        "(a) in the course of an activity outside the scope of Union law;\n\n"
        "(b) by a natural person in the course of a purely household activity;\n",
    )

    async def run() -> None:
        async with running(own, tmp_path) as (fake, _):
            fake.push(message=fake.message("Art. 2(2)(b)"))
            await fake.wait_for("sendMessage", 1, chat_id=1)
            fake.push(message=fake.message("Что говорит Article 9?", user_id=2, lang="ru"))
            await fake.wait_for("sendMessage", 1, chat_id=2)
            (point,) = texts(fake, 1)
            assert point.startswith(
                "<blockquote><i>2. This Regulation does not apply to the processing of personal "
                "data:</i>\n…\n(b) by a natural person"
            )
            assert "— <a href=" in point and ">Data Regulation, Article 2(2)(b)</a>" in point
            (missing,) = texts(fake, 2)
            assert missing.startswith("В документах такого места нет: Article 9.")

    scenario(run())


def test_a_document_beside_its_translation_answers_in_the_reader_s(tmp_path: Path) -> None:
    """The bundled letter and declaration beside their Russian translation (retrieval.parallel):
    a Russian reader's question is answered from the Russian version, the English one named
    after the citation in Russian, and an English reader's from the English version; each
    version cited in its own language (retrieval.citation)."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    for path in (CORPUS.parent / "benchmarks" / "bundled-ru" / "corpus").iterdir():
        shutil.copy(path, corpus / path.name)
    both = Engine(Settings(corpus=corpus, index=tmp_path / "index"))
    both.build()

    async def run() -> None:
        async with running(both, tmp_path) as (fake, _):
            fake.push(message=fake.message("Кто подписал письмо?", user_id=2, lang="ru"))
            await fake.wait_for("sendMessage", 1, chat_id=2)
            fake.push(message=fake.message("Who signed the letter?"))
            await fake.wait_for("sendMessage", 1, chat_id=1)
            (russian,), (english,) = texts(fake, 2), texts(fake, 1)
            bare = lambda html: re.sub(r"</?b>", "", html)  # noqa: E731 - its best sentence
            assert bare(russian).startswith("<blockquote>С уважением,")
            assert "\nТакже: <i>Letter to ICANN (19 December 2012), ¶14" in russian
            assert bare(english).startswith("<blockquote>Best regards,")
            assert "\nAlso in: <i>Письмо в ICANN (19 декабря 2012), ¶14" in english
            # each cited in its own document's words: the date and the letter's part
            assert (
                "Письмо в ICANN (19 декабря 2012), ¶14 (заключительная фраза и подпись)" in russian
            )
            for text in (russian, english):  # the signature once, in one language
                assert text.count("Аббасов") + text.count("Abbasov") == 1

    scenario(run())


def test_burst_of_200_updates_from_20_users(engine: Engine, tmp_path: Path) -> None:
    """Every update is answered or politely rate-limited, none lost; memory stays flat."""
    import resource

    questions = [
        "Who signed the letter?",
        "How many ministers took part?",
        "What about broadband?",
        "Кто подписал письмо?",
        "What is the capital of France?",
    ]

    async def burst(fake: FakeTelegram, first_user: int) -> None:
        for n in range(200):
            user = first_user + n % 20
            fake.push(message=fake.message(questions[n % len(questions)], user_id=user))

    async def run() -> None:
        async with running(engine, tmp_path, limit=5) as (fake, _):
            await burst(fake, 1000)
            await fake.wait_for("sendMessage", 200, timeout=120)
            after_first = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            for user in range(1000, 1020):
                sent = texts(fake, user)
                assert len(sent) == 10  # one reply per update: none lost
                assert sum("asking quickly" in t for t in sent) == 5
            await asyncio.sleep(10.5)  # let the rate-limit windows pass
            await burst(fake, 2000)
            await fake.wait_for("sendMessage", 400, timeout=120)
            grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - after_first
            assert grown_kb < 60_000, f"memory grew by {grown_kb} kB on the second burst"
            fake.push(message=fake.message("Who signed the letter?", user_id=1))
            await fake.wait_for("sendMessage", 1, chat_id=1)

    asyncio.run(asyncio.wait_for(run(), 300))


def test_webhook_checks_the_secret_token(engine: Engine, tmp_path: Path) -> None:
    async def run() -> None:
        fake = FakeTelegram()
        await fake.start()
        settings = engine.settings.with_(
            telegram_token=fake.token,
            telegram_api_url=fake.base_url,
            feedback_db=tmp_path / "fb.db",
        )
        feedback = FeedbackStore(settings.feedback_db)
        app = build_application(settings, engine, feedback)
        port = free_port()
        await app.initialize()
        await _post_init(app)
        await app.start()
        assert app.updater is not None
        url = f"http://127.0.0.1:{port}/hook"
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            webhook_url=url,
            secret_token="s3cret-token",
        )
        try:
            assert fake.webhook is not None and fake.webhook["secret_token"] == "s3cret-token"
            update = {"update_id": 1, "message": fake.message("Who signed the letter?")}
            async with aiohttp.ClientSession() as session:
                wrong = await session.post(
                    url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}
                )
                assert wrong.status == 403
                right = await session.post(
                    url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
                )
                assert right.status == 200
            (sent,) = await fake.wait_for("sendMessage")
            assert "Ali M. Abbasov" in sent.params["text"]
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
            feedback.close()
            await fake.stop()

    scenario(run())


def test_missing_token_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli("telegram", cwd=tmp_path)
    assert result.returncode == 1
    assert "TELEGRAM_BOT_TOKEN is not set" in result.stderr and "Traceback" not in result.stderr


def test_clausebot_telegram_process_answers_and_stops_on_sigterm(
    engine: Engine, tmp_path: Path
) -> None:
    """The real command: ready, answers within 2 s of an update once it takes updates (how
    soon it does is benchmarks/bench.py's), exits 0 on SIGTERM."""

    async def run() -> None:
        fake = FakeTelegram()
        await fake.start()
        env = {
            "CLAUSEBOT_CORPUS": str(engine.settings.corpus),
            "CLAUSEBOT_INDEX": str(engine.settings.index),
            "CLAUSEBOT_FEEDBACK_DB": str(tmp_path / "fb.db"),
            "CLAUSEBOT_LOG_LEVEL": "DEBUG",
        }
        log_file = (tmp_path / "bot.log").open("wb")  # a file, not a pipe: DEBUG logs never block
        proc = await start_bot(fake, env, tmp_path, stderr=log_file)
        try:
            await asyncio.wait_for(fake.polled.wait(), 30)
            pushed = time.monotonic()
            fake.push(message=fake.message(CHILDREN))
            (sent,) = await fake.wait_for("sendMessage", timeout=10)
            assert sent.at - pushed <= 2.0
            assert "Fostering protection of children" in sent.params["text"]
            assert "Baku Declaration (5 November 2012), ¶8" in sent.params["text"]
            proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(proc.wait(), 15)
            assert proc.returncode == 0
            log_file.close()
            log_text = (tmp_path / "bot.log").read_text(encoding="utf-8")
            assert "question chat=private" in log_text
            assert fake.token not in log_text and fake.token.split(":")[1] not in log_text
            # at DEBUG too, no personal data: not the question, the user's name or id
            assert CHILDREN not in log_text and "User1" not in log_text
            assert "'id': 1," not in log_text and '"id": 1,' not in log_text
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
            await fake.stop()

    scenario(run())


def test_running_bot_picks_up_a_rebuilt_index(engine: Engine, tmp_path: Path) -> None:
    """Add a document, run `clausebot index` beside the running bot: it answers from it."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(engine.settings.corpus, corpus)
    shutil.copytree(engine.settings.index, index, symlinks=True)

    async def run() -> None:
        fake = FakeTelegram()
        await fake.start()
        env = {
            "CLAUSEBOT_CORPUS": str(corpus),
            "CLAUSEBOT_INDEX": str(index),
            "CLAUSEBOT_FEEDBACK_DB": str(tmp_path / "fb.db"),
        }
        proc = await start_bot(fake, env, tmp_path)
        try:
            (corpus / "tallinn-note.md").write_text(
                "---\ntitle: Tallinn Note on Cable Security\nshort_title: Tallinn Note\n"
                "date: 2013-04-01\n---\nThe ministers agreed to hold a joint exercise on undersea "
                "cable resilience every spring.\n",
                encoding="utf-8",
            )
            indexer = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "index",
                env=child_env(**env),
                cwd=tmp_path,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            out, err = await asyncio.wait_for(indexer.communicate(), 120)
            assert indexer.returncode == 0, err.decode()
            assert "1 embedded" in out.decode()
            fake.push(
                message=fake.message("When is the exercise on undersea cable resilience held?")
            )
            (sent,) = await fake.wait_for("sendMessage", timeout=15)
            text = sent.params["text"]
            assert "joint exercise on undersea cable resilience every spring" in text
            assert "Tallinn Note (1 April 2013), ¶1" in text
            proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(proc.wait(), 15)
            assert proc.returncode == 0
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
            await fake.stop()

    asyncio.run(asyncio.wait_for(run(), 240))


# -- rendering and splitting -----------------------------------------------------------------

_clause_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
    | st.sampled_from("<>&\"' \n"),
    min_size=1,
    max_size=3000,
)


@hsettings(max_examples=60, deadline=None)
@given(st.lists(_clause_text, min_size=1, max_size=5), st.data())
def test_rendered_answers_are_valid_and_complete(texts_: list[str], data: st.DataObject) -> None:
    import html as html_lib
    import re

    from bot.telegram_html import Labels, render_answer
    from retrieval.types import Answer, Citation, Clause, Passage

    passages = []
    wrap = data.draw(st.sampled_from([0, 12, 80]))  # its lines wrapped at a width, or not
    for n, text in enumerate(texts_, start=1):
        if not text.strip():
            text = "x" + text
        text = text.strip()
        span = None
        if len(text) > 2 and data.draw(st.booleans()):
            a = data.draw(st.integers(0, len(text) - 2))
            b = data.draw(st.integers(a + 1, len(text)))
            span = (a, b)
        clause = Clause("doc", n, 0, len(text), text)
        # a list item is shown under the clauses that open its list (Passage.leads)
        leads = tuple(p.clause for p in passages[: data.draw(st.integers(0, n - 1))])
        items = tuple(p.clause for p in passages[: data.draw(st.integers(0, n - 1))])
        notes = tuple(p.clause for p in passages[: data.draw(st.integers(0, n - 1))])
        # the same clause in other languages, named after it (retrieval.parallel)
        versions = tuple(
            (p.clause, Citation("doc", str(n), f"Doc <{n}> & версия, ¶{n}"))
            for p in passages[: data.draw(st.integers(0, n - 1))]
        )
        passages.append(
            Passage(
                clause,
                Citation("doc", str(n), f"Doc <{n}> & co, ¶{n}"),
                0.5,
                span,
                leads,
                items,
                data.draw(st.integers(0, 3)),
                notes,
                wrap,
                versions,
                # the question its heading asks, quoted before it (Passage.heading_question)
                data.draw(st.sampled_from(["", "Who <pays> & when?"])),
                data.draw(st.booleans()),
            )
        )
    answer = Answer("q", tuple(passages), data.draw(st.booleans()))
    blocks = render_answer(answer, Labels("Not answered <x>", "Closest & near", "score"))
    messages = split_blocks(blocks)
    visible = ""
    for message in messages:
        assert check_html(message) is None, message
        assert 0 < telegram_length(message) <= LIMIT
        visible += html_lib.unescape(re.sub(r"<[^>]+>", "", message))
    shown = passages[:1] if answer.abstained else passages
    squash = lambda s: re.sub(r"\s+", "", s.replace("…", ""))  # noqa: E731
    for passage in shown:
        # every character of the clauses is there: lines reflowed, never a word lost
        opening = passage.heading_question + "".join(c.text for c in passage.leads)
        items = "".join(c.text for c in passage.items)
        notes = "".join(c.text for c in passage.footnotes)
        assert squash(opening + passage.text + items) in squash(visible)
        assert squash(notes) in squash(visible)  # after the items and how many more
        for _, citation in passage.versions:  # named, not quoted
            assert squash(citation.text) in squash(visible)


def test_a_clause_s_versions_in_other_languages_are_named_in_the_reader_s() -> None:
    """A clause whose document stands beside its translations (retrieval.parallel) is quoted
    once, with where its versions stand named after its citation, in the reader's language."""
    from bot.i18n import t
    from bot.telegram_handlers import labels
    from bot.telegram_html import render_answer
    from retrieval.types import Answer, Citation, Clause, Passage

    version = Clause("pismo", 14, 0, 12, "С уважением")
    passage = Passage(
        Clause("letter", 14, 0, 12, "Best regards"),
        Citation("letter", "14", "Letter, ¶14"),
        0.9,
        versions=((version, Citation("pismo", "14", "Письмо <в> ICANN, ¶14")),),
    )
    for lang in ("en", "az", "ru", "tr"):
        (block,) = render_answer(Answer("q", (passage,), False, confidence=0.9), labels(lang))
        assert block.endswith(f"\n{t(lang, 'also_in')} <i>Письмо &lt;в&gt; ICANN, ¶14</i>")
        assert "С уважением" not in block  # named, not quoted again
    # a footer repeated on every page of a manual: the first five named, and how many more
    pages = tuple(
        (Clause(f"page-{n}", 9, 0, 12, "Best regards"), Citation(f"page-{n}", "9", f"Page {n}, ¶9"))
        for n in range(1, 8)
    )
    many = Passage(passage.clause, passage.citation, 0.9, versions=pages)
    (block,) = render_answer(Answer("q", (many,), False, confidence=0.9), labels("en"))
    assert block.endswith("<i>Page 1, ¶9; Page 2, ¶9; Page 3, ¶9; Page 4, ¶9; Page 5, ¶9</i> (+2)")


def test_an_uncertain_answer_is_headed_so_on_its_first_page_only() -> None:
    """Answered below even odds: a heading says the documents may not answer, before the
    passages, and not again on the "More" pages; a sure answer and a refusal have none."""
    from bot.i18n import t
    from bot.telegram_handlers import labels
    from bot.telegram_html import render_answer
    from retrieval.types import Answer, Citation, Clause, Passage

    passages = tuple(
        Passage(Clause("doc", n, 0, 4, f"text {n}"), Citation("doc", str(n), f"Doc, ¶{n}"), 0.3)
        for n in (1, 2, 3)
    )
    for lang in ("en", "az", "ru", "tr"):
        heading = t(lang, "uncertain")
        unsure = render_answer(Answer("q", passages, False, confidence=0.3), labels(lang))
        assert unsure[0] == heading and len(unsure) == 4, lang
        later = render_answer(Answer("q", passages, False, confidence=0.3), labels(lang), start=1)
        assert heading not in later and len(later) == 2
        sure = render_answer(Answer("q", passages, False, confidence=0.8), labels(lang))
        refused = render_answer(Answer("q", passages, True, confidence=0.1), labels(lang))
        assert heading not in sure + refused and len(sure) == 3


# -- what an operator must be able to trust (secrets, users) ----------------------------------


async def _telegram_process(
    fake: FakeTelegram, tmp_path: Path, token: str, *args: str, **env: str
) -> tuple[int, str]:
    """`clausebot telegram ARGS` with TOKEN against FAKE, to its end: exit code, stderr."""
    files = {
        "CLAUSEBOT_INDEX": str(tmp_path / "index"),
        "CLAUSEBOT_FEEDBACK_DB": str(tmp_path / "fb.db"),
    }
    proc = await spawn_bot(
        fake, {**files, **env}, tmp_path, *args, token=token, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(proc.communicate(), 45)
    return proc.returncode or 0, err.decode("utf-8", "replace")


@pytest.mark.parametrize("level", ["WARNING", "DEBUG"])
def test_a_rejected_token_is_named_in_one_line_and_never_shown(tmp_path: Path, level: str) -> None:
    wrong = "777000:AAH-wrong-token-0123456789abcdef"

    async def run() -> None:
        fake = FakeTelegram()
        await fake.start()
        try:
            code, err = await _telegram_process(fake, tmp_path, wrong, CLAUSEBOT_LOG_LEVEL=level)
        finally:
            await fake.stop()
        assert code == 1, err
        last = err.strip().splitlines()[-1]
        assert last.startswith("clausebot telegram: Telegram rejected the bot token")
        assert "TELEGRAM_BOT_TOKEN" in last
        assert "Traceback" not in err
        assert wrong not in err and wrong.split(":")[1] not in err
        assert [c.method for c in fake.calls] == []  # the fake saw only the rejected getMe

    scenario(run())


def test_an_unreachable_bot_api_is_tried_again_then_named(tmp_path: Path, caplog: Any) -> None:
    """Two failed getMe calls (502) are retried with a growing wait, and the bot starts; a
    Bot API that never answers is given up after the attempts, in one line without the token."""
    from bot.telegram_app import check_connection
    from retrieval.errors import ClausebotError

    async def run() -> None:
        fake = FakeTelegram()
        await fake.start()
        fake.break_next["getMe"] = 2
        settings = Settings(telegram_token=fake.token, telegram_api_url=fake.base_url)
        try:
            started = time.monotonic()
            assert await check_connection(settings, attempts=3, backoff=0.2) == BOT["username"]
            assert time.monotonic() - started >= 0.2 + 0.4  # waited, and twice as long the 2nd time
        finally:
            await fake.stop()
        closed = Settings(
            telegram_token=fake.token, telegram_api_url=f"http://127.0.0.1:{free_port()}/bot"
        )
        with pytest.raises(ClausebotError) as failed:
            await check_connection(closed, attempts=2, backoff=0.05)
        message = str(failed.value)
        assert message.startswith("cannot reach the Bot API at http://127.0.0.1:")
        assert "after 2 attempts" in message and fake.token not in message

    with caplog.at_level("WARNING"):
        scenario(run())
    retries = [r for r in caplog.records if "cannot reach the Bot API" in r.getMessage()]
    assert len(retries) == 3  # two for the 502s, one before giving up on the closed port


@pytest.mark.parametrize("secret", [None, ""])
def test_webhook_mode_refuses_to_start_without_a_secret(tmp_path: Path, secret: str | None) -> None:
    args = ["--webhook-url", "https://bot.example.org/hook", "--port", str(free_port())]
    if secret is not None:
        args += ["--secret-token", secret]

    async def run() -> None:
        fake = FakeTelegram()
        await fake.start()
        try:
            code, err = await _telegram_process(fake, tmp_path, fake.token, *args)
        finally:
            await fake.stop()
        assert code == 1
        (line,) = err.strip().splitlines()
        assert "--secret-token" in line and "TELEGRAM_WEBHOOK_SECRET" in line
        assert fake.calls == []  # refused before talking to the Bot API

    scenario(run())


def test_user_ids_are_hashed_with_a_key_of_this_install(tmp_path: Path) -> None:
    import hashlib
    import stat

    from bot.storage import hash_user, key_file

    first = FeedbackStore(tmp_path / "a" / "fb.db")
    second = FeedbackStore(tmp_path / "b" / "fb.db")
    assert stat.S_IMODE(key_file(tmp_path / "a" / "fb.db").stat().st_mode) == 0o600
    assert first.user(12345) == FeedbackStore(tmp_path / "a" / "fb.db").user(12345)  # kept
    assert first.user(12345) != second.user(12345)  # another install, another key
    # not the fixed public salt of before, and not found by trying ids without the key
    assert first.user(12345) != hashlib.blake2b(b"clausebot:12345", digest_size=12).hexdigest()
    assert first.user(12345) not in {hash_user(i, b"clausebot") for i in range(12340, 12350)}
    configured = FeedbackStore(tmp_path / "c" / "fb.db", "a-key-from-the-environment")
    assert configured.user(1) == hash_user(1, b"a-key-from-the-environment")
    assert not key_file(tmp_path / "c" / "fb.db").exists()
    for store in (first, second, configured):
        store.close()


def test_purge_deletes_old_questions_and_their_votes(tmp_path: Path) -> None:
    db = tmp_path / "fb.db"
    store = FeedbackStore(db)
    old = store.log_question(1, "private", "en", "an old question", None, False, 5.0, 1)
    new = store.log_question(1, "private", "en", "a new question", None, False, 5.0, 1)
    store.vote(old, 1, True, 1)
    store.vote(new, 1, True, 1)
    store._db.execute("update questions set asked_at = asked_at - 40 * 86400 where id = ?", (old,))
    store.close()
    result = run_cli(
        "purge", "--older-than", "30", cwd=tmp_path, env={"CLAUSEBOT_FEEDBACK_DB": str(db)}
    )
    assert result.returncode == 0 and "deleted 1 question" in result.stdout, result.stderr
    store = FeedbackStore(db)
    assert store.question(old) is None and store.question(new) == "a new question"
    assert store.stats().up == 1 and store.stats().questions == 1
    store.close()
    assert b"an old question" not in db.read_bytes()  # gone from the file, not only the table
    assert run_cli("purge", "--older-than", "-1", cwd=tmp_path).returncode == 2


def test_buttons_act_only_in_their_chat_and_count_towards_the_limit(
    engine: Engine, tmp_path: Path
) -> None:
    async def run() -> None:
        async with running(engine, tmp_path, limit=3) as (fake, _):
            fake.push(message=fake.message(CHILDREN, user_id=1))
            (answer,) = await fake.wait_for("sendMessage")
            data = {b["text"]: b["callback_data"] for b in buttons(answer)}

            def press(payload: str, query_id: str, user: int) -> None:
                message = {**fake.message(None, user_id=user), "message_id": 5, "text": "x"}
                fake.push(
                    callback_query={
                        "id": query_id,
                        "from": fake.user(user),
                        "chat_instance": str(user),
                        "message": message,
                        "data": payload,
                    }
                )

            # another user, in another chat, forges presses on user 1's question
            press(data["More ▸"], "forged-more", 2)
            press(data["👍"], "forged-vote", 2)
            answers = await fake.wait_for("answerCallbackQuery", 2)
            by_id = {c.params["callback_query_id"]: c.params.get("text") for c in answers}
            assert by_id["forged-more"].startswith("This button has expired")
            assert by_id["forged-vote"].startswith("This button has expired")
            assert fake.sent("sendMessage", chat_id=2) == []
            # user 1 has asked once; of 4 presses, 2 fit in the limit of 3
            for n in range(4):
                press(data["More ▸"], f"more-{n}", 1)
            answers = await fake.wait_for("answerCallbackQuery", 6)
            slowed = [c for c in answers if (c.params.get("text") or "").startswith("You are")]
            assert len(slowed) == 2
            await asyncio.sleep(0.3)
            assert len(fake.sent("sendMessage", chat_id=1)) == 1 + 2

    scenario(run())
    store = FeedbackStore(tmp_path / "feedback.db")
    assert store.stats().up == 0  # the forged vote was not counted
    store.close()


def test_inline_typing_is_answered_once_it_settles_and_keeps_its_own_budget(
    engine: Engine, tmp_path: Path
) -> None:
    """A question typed at ~6 queries a second: the final query gets clauses, the ones typed
    over get an empty answer, and the user's budget for chat questions is untouched."""
    typed = "Who signed the letter to ICANN?"

    async def run() -> None:
        async with running(engine, tmp_path, limit=5) as (fake, _):
            for n in range(4, len(typed) + 1):
                fake.push(
                    inline_query={
                        "id": f"iq{n}",
                        "from": fake.user(1),
                        "query": typed[:n],
                        "offset": "",
                    }
                )
                await asyncio.sleep(1 / 6)
            answers = await fake.wait_for("answerInlineQuery", len(typed) - 3, timeout=20)
            by_id = {c.params["inline_query_id"]: c.params["results"] for c in answers}
            assert by_id[f"iq{len(typed)}"], "the last query got no clauses"
            assert "Abbasov" in str(by_id[f"iq{len(typed)}"])
            searched = [i for i, results in by_id.items() if results]
            assert len(searched) <= 3  # the typed-over prefixes were not searched
            for n in range(5):  # and the chat budget is whole: 5 questions answered
                fake.push(message=fake.message(f"Who signed the letter? {n}"))
            sent = await fake.wait_for("sendMessage", 5, timeout=30)
            assert not [c for c in sent if "asking quickly" in c.params["text"]]

    scenario(run())


def test_an_edited_question_edits_its_answer_and_captions_are_questions(
    engine: Engine, tmp_path: Path
) -> None:
    async def run() -> None:
        async with running(engine, tmp_path) as (fake, _):
            asked = fake.message("Who wrote the letter to ICANN?")
            fake.push(message=asked)
            (first,) = await fake.wait_for("sendMessage")
            fake.push(edited_message={**asked, "text": CHILDREN, "edit_date": int(time.time())})
            (edit,) = await fake.wait_for("editMessageText")
            assert "Fostering protection of children" in edit.params["text"]
            assert len(fake.sent("sendMessage")) == 1  # no second answer
            key = (1, int(edit.params["message_id"]))
            assert "Fostering protection of children" in fake.messages[key]
            photo = [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
            fake.push(message=fake.message(None, photo=photo, caption="Who signed the letter?"))
            (_, captioned) = await fake.wait_for("sendMessage", 2)
            assert "Ali M. Abbasov" in captioned.params["text"]
            fake.push(message=fake.message(None, photo=photo))  # no caption: text only
            (*_, plain) = await fake.wait_for("sendMessage", 3)
            assert "I can only read text questions" in plain.params["text"]

    scenario(run())


def test_health_tells_whether_the_bot_reaches_the_bot_api(engine: Engine, tmp_path: Path) -> None:
    """`clausebot health --bot`: fails before the bot's first heartbeat and when it is old,
    passes while the running bot reaches the Bot API."""
    env = {
        "CLAUSEBOT_CORPUS": str(engine.settings.corpus),
        "CLAUSEBOT_INDEX": str(engine.settings.index),
        "CLAUSEBOT_FEEDBACK_DB": str(tmp_path / "fb.db"),
    }
    before = run_cli("health", "--bot", cwd=tmp_path, env=env)
    assert before.returncode == 1 and "has not reached the Bot API yet" in before.stderr

    async def run() -> None:
        async with running(engine, tmp_path):
            beat = tmp_path / "bot-heartbeat"
            deadline = time.monotonic() + 10
            while not beat.exists() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert beat.exists()

    scenario(run())
    alive = run_cli(
        "health",
        "--bot",
        cwd=tmp_path,
        env={**env, "CLAUSEBOT_FEEDBACK_DB": str(tmp_path / "feedback.db")},
    )
    assert alive.returncode == 0 and "bot reached the Bot API" in alive.stdout, alive.stderr
    (tmp_path / "bot-heartbeat").write_text(f"{time.time() - 300:.0f}\n", encoding="utf-8")
    stale = run_cli(
        "health",
        "--bot",
        "90",
        cwd=tmp_path,
        env={**env, "CLAUSEBOT_FEEDBACK_DB": str(tmp_path / "feedback.db")},
    )
    assert stale.returncode == 1 and "s ago (over 90 s)" in stale.stderr

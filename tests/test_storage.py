"""The bot's state (history, votes, rate limits): the same tests against both stores,
SQLite in one process and a real PostgreSQL server shared by replicas."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.feedback import FeedbackStore
from bot.postgres import SCHEMA_VERSION, PostgresStore
from bot.storage import HistoryStore, open_store
from retrieval.errors import ClausebotError, ConfigError
from retrieval.settings import Settings
from tests.conftest import run_cli
from tests.postgres_server import fresh_database

KEY = "a-key-shared-by-the-replicas"
_names = itertools.count()


@pytest.fixture(params=["sqlite", "postgres"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator:  # type: ignore[type-arg]
    """Opens stores on one fresh database (several: as several replicas would)."""
    opened: list[HistoryStore] = []
    if request.param == "postgres":
        url = fresh_database(request.getfixturevalue("postgres_url"), f"t{next(_names)}")

        def make() -> HistoryStore:
            opened.append(PostgresStore(url, KEY))
            return opened[-1]
    else:

        def make() -> HistoryStore:
            opened.append(FeedbackStore(tmp_path / "fb.db", KEY))
            return opened[-1]

    make.kind = request.param  # type: ignore[attr-defined]
    yield make
    for store in opened:
        store.close()


def test_history_votes_and_stats(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store()
    first = store.log_question(1, "private", "en", "Who signed?", "Letter, ¶14", False, 40.0, 1)
    second = store.log_question(2, "group", "ru", "Кто подписал?", None, True, 50.0, -100)
    assert second != first
    assert store.question(first) == "Who signed?"
    assert store.question(first, chat_id=1) == "Who signed?"
    assert store.question(first, chat_id=2) is None  # asked in another chat
    assert store.question(999_999) is None
    assert store.vote(first, 1, up=True, chat_id=1)
    assert store.vote(first, 1, up=False, chat_id=1)  # a later vote replaces the earlier
    assert store.vote(second, 3, up=True, chat_id=-100)
    assert not store.vote(first, 5, up=True, chat_id=5)  # from another chat
    assert not store.vote(999_999, 1, up=True)
    stats = store.stats()
    assert (stats.questions, stats.answered, stats.abstained) == (2, 1, 1)
    assert (stats.up, stats.down) == (1, 1)
    assert set(stats.top) == {("who signed?", 1), ("кто подписал?", 1)}
    assert store.user(1) == make_store().user(1) != store.user(2)  # the key decides


def test_purge_deletes_old_questions_with_their_votes(make_store) -> None:  # type: ignore[no-untyped-def]
    import time

    store = make_store()
    old = store.log_question(1, "private", "en", "old", None, False, 1.0, 1)
    new = store.log_question(1, "private", "en", "new", None, False, 1.0, 1)
    store.vote(old, 1, up=True, chat_id=1)
    made_old = "update questions set asked_at = asked_at - 40 * 86400 where id = "
    if make_store.kind == "postgres":
        store._one(made_old + "%s returning id", (old,))
    else:
        store._db.execute(made_old + "?", (old,))
    assert store.purge(30) == 1
    assert store.question(old) is None and store.question(new) == "new"
    assert store.stats().up == 0
    assert store.purge(30) == 0
    assert time.time() > 0


def test_rate_limits_count_per_user_and_per_name(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store()
    questions = store.limiter(3, 10.0, "questions")
    inline = store.limiter(2, 10.0, "inline")
    assert [questions.allow(7) for _ in range(5)] == [True, True, True, False, False]
    assert questions.allow(8)  # another user, another budget
    assert [inline.allow(7) for _ in range(3)] == [True, True, False]  # its own budget


def test_replicas_share_one_rate_limit(postgres_url: str) -> None:
    """Two stores on one database, as two replicas: a user sending to both gets the budget
    of one. (SQLite serves one process: its limit is that process's.)"""
    url = fresh_database(postgres_url, "shared_limit")
    a, b = PostgresStore(url, KEY), PostgresStore(url, KEY)
    limit_a, limit_b = a.limiter(5, 10.0, "questions"), b.limiter(5, 10.0, "questions")
    results: list[bool] = []
    lock = threading.Lock()

    def send(limiter) -> None:  # type: ignore[no-untyped-def]
        allowed = limiter.allow(42)
        with lock:
            results.append(allowed)

    threads = [threading.Thread(target=send, args=(lim,)) for lim in [limit_a, limit_b] * 8]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 5 and results.count(False) == 11
    question = a.log_question(1, "private", "en", "asked on A", None, False, 1.0, 1)
    assert b.question(question, chat_id=1) == "asked on A"  # B answers "More" for A's question
    a.close()
    b.close()


def test_replicas_starting_at_once_migrate_once(postgres_url: str) -> None:
    import psycopg

    url = fresh_database(postgres_url, "migrate_at_once")
    stores: list[PostgresStore] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            stores.append(PostgresStore(url, KEY))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(stores) == 6
    with psycopg.connect(url) as conn:
        versions = conn.execute("select version from clausebot_schema").fetchall()
    assert versions == [(SCHEMA_VERSION,)]
    assert stores[0].migrate() == SCHEMA_VERSION  # a later start finds it done
    for store in stores:
        store.close()


def test_configuration_errors_are_one_line_without_the_password(postgres_url: str) -> None:
    with pytest.raises(ConfigError, match="CLAUSEBOT_USER_KEY"):
        PostgresStore(postgres_url, None)
    port = postgres_url.rsplit(":", 1)[1].split("/")[0]
    wrong = f"postgresql://clausebot:hunter2-secret@127.0.0.1:{port}/no_such_database"
    with pytest.raises(ClausebotError) as failed:
        PostgresStore(wrong, KEY)
    assert "no_such_database" in str(failed.value) and "hunter2" not in str(failed.value)
    with pytest.raises(ConfigError, match="postgresql://"):
        Settings.load({"database_url": "mysql://x"}, {})
    assert isinstance(
        open_store(Settings(database_url=None, feedback_db=Path("/tmp/x/fb.db"))), FeedbackStore
    )


def test_stats_and_purge_commands_read_the_configured_store(
    postgres_url: str, tmp_path: Path
) -> None:
    url = fresh_database(postgres_url, "commands")
    store = PostgresStore(url, KEY)
    store.log_question(1, "private", "en", "Who signed the letter?", None, False, 1.0, 1)
    store.close()
    env = {"CLAUSEBOT_DATABASE_URL": url, "CLAUSEBOT_USER_KEY": KEY}
    stats = run_cli("stats", "--json", cwd=tmp_path, env=env)
    assert stats.returncode == 0, stats.stderr
    assert '"questions": 1' in stats.stdout
    purged = run_cli("purge", "--older-than", "0", cwd=tmp_path, env=env)
    assert purged.returncode == 0 and "deleted 1 question" in purged.stdout, purged.stderr


def test_a_database_that_stops_answering_does_not_stop_the_bot(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A rate limit it cannot check lets the request through, and says so in the log."""
    store = PostgresStore(fresh_database(postgres_url, "gone"), KEY)
    limiter = store.limiter(1, 10.0, "questions")
    assert limiter.allow(1) and not limiter.allow(1)
    store.close()  # as if the database went away
    with caplog.at_level("WARNING", logger="bot.postgres"):
        assert limiter.allow(1)
    assert any("rate limit not checked" in r.getMessage() for r in caplog.records)

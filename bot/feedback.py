"""Questions, votes and rate limits in one process: the SQLite implementation of
bot.storage.HistoryStore (what is stored, and how user ids are hashed, is said there).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from bot.storage import RateLimiter, Stats, asked_in, hash_user, load_key

SCHEMA = """
create table if not exists questions (
    id integer primary key,
    asked_at real not null,
    user_hash text not null,
    chat_type text not null,
    lang text not null,
    question text not null,
    top_citation text,
    abstained integer not null,
    latency_ms real not null
);
create table if not exists feedback (
    question_id integer not null references questions(id),
    user_hash text not null,
    vote integer not null,
    given_at real not null,
    primary key (question_id, user_hash)
);
"""


class FeedbackStore:
    def __init__(self, path: Path, key: str | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._key = load_key(path, key)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.executescript(SCHEMA)
        columns = {row[1] for row in self._db.execute("pragma table_info(questions)")}
        if "chat_hash" not in columns:  # a database from before questions were bound to chats
            self._db.execute("alter table questions add column chat_hash text")
        self._lock = threading.Lock()

    def user(self, user_id: int) -> str:
        return hash_user(user_id, self._key)

    def log_question(
        self,
        user_id: int,
        chat_type: str,
        lang: str,
        question: str,
        top_citation: str | None,
        abstained: bool,
        latency_ms: float,
        chat_id: int = 0,
    ) -> int:
        with self._lock:
            cursor = self._db.execute(
                "insert into questions (asked_at, user_hash, chat_type, lang, question,"
                " top_citation, abstained, latency_ms, chat_hash)"
                " values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    time.time(),
                    self.user(user_id),
                    chat_type,
                    lang,
                    question,
                    top_citation,
                    int(abstained),
                    latency_ms,
                    self.user(chat_id),
                ),
            )
            return int(cursor.lastrowid or 0)

    def question(self, question_id: int, chat_id: int | None = None) -> str | None:
        """The text of a question; with `chat_id`, only if it was asked in that chat."""
        with self._lock:
            row = self._db.execute(
                "select question, chat_hash from questions where id = ?", (question_id,)
            ).fetchone()
        if row is None or not asked_in(row[1], chat_id, self._key):
            return None
        return str(row[0])

    def purge(self, older_than_days: float) -> int:
        """Delete the questions (and their votes) asked more than so many days ago."""
        cutoff = time.time() - older_than_days * 86400
        with self._lock, self._transaction():
            self._db.execute(
                "delete from feedback where question_id in"
                " (select id from questions where asked_at < ?)",
                (cutoff,),
            )
            deleted = self._db.execute("delete from questions where asked_at < ?", (cutoff,))
            count = deleted.rowcount
        with self._lock:
            self._db.execute("vacuum")  # the deleted text leaves the file too
        return int(count)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("begin")
        try:
            yield
        except BaseException:
            self._db.execute("rollback")
            raise
        self._db.execute("commit")

    def vote(self, question_id: int, user_id: int, up: bool, chat_id: int | None = None) -> bool:
        """Record a vote (a later vote replaces the earlier); False for an unknown question,
        or, with `chat_id`, one asked in another chat."""
        with self._lock:
            row = self._db.execute(
                "select chat_hash from questions where id = ?", (question_id,)
            ).fetchone()
            if row is None or not asked_in(row[0], chat_id, self._key):
                return False
            self._db.execute(
                "insert or replace into feedback (question_id, user_hash, vote, given_at)"
                " values (?, ?, ?, ?)",
                (question_id, self.user(user_id), 1 if up else -1, time.time()),
            )
        return True

    def stats(self, top: int = 5) -> Stats:
        with self._lock:
            total, abstained = self._db.execute(
                "select count(*), coalesce(sum(abstained), 0) from questions"
            ).fetchone()
            up, down = self._db.execute(
                "select coalesce(sum(vote = 1), 0), coalesce(sum(vote = -1), 0) from feedback"
            ).fetchone()
            rows = self._db.execute(
                "select trim(question) q, count(*) n from questions group by q"
            ).fetchall()
        # folded here: SQLite's lower() folds ASCII only ("Кто" stayed apart from "кто")
        counts: Counter[str] = Counter()
        for question, n in rows:
            counts[question.lower()] += n
        most = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
        return Stats(total, total - abstained, abstained, up, down, most)

    def limiter(self, limit: int, window: float, name: str) -> RateLimiter:
        """One process: the limit is kept in its memory."""
        return RateLimiter(limit, window)

    def close(self) -> None:
        with self._lock:
            self._db.close()

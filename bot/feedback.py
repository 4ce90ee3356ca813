"""Questions and feedback, kept in SQLite for later review; user ids are stored hashed."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

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


def hash_user(user_id: int, salt: str) -> str:
    return hashlib.blake2b(f"{salt}:{user_id}".encode(), digest_size=12).hexdigest()


@dataclass(frozen=True)
class Stats:
    questions: int
    answered: int
    abstained: int
    up: int
    down: int
    top: list[tuple[str, int]]


class FeedbackStore:
    def __init__(self, path: Path, salt: str = "clausebot") -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()
        self.salt = salt

    def user(self, user_id: int) -> str:
        return hash_user(user_id, self.salt)

    def log_question(
        self,
        user_id: int,
        chat_type: str,
        lang: str,
        question: str,
        top_citation: str | None,
        abstained: bool,
        latency_ms: float,
    ) -> int:
        with self._lock:
            cursor = self._db.execute(
                "insert into questions (asked_at, user_hash, chat_type, lang, question,"
                " top_citation, abstained, latency_ms) values (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    time.time(),
                    self.user(user_id),
                    chat_type,
                    lang,
                    question,
                    top_citation,
                    int(abstained),
                    latency_ms,
                ),
            )
            return int(cursor.lastrowid or 0)

    def question(self, question_id: int) -> str | None:
        with self._lock:
            row = self._db.execute(
                "select question from questions where id = ?", (question_id,)
            ).fetchone()
        return row[0] if row else None

    def vote(self, question_id: int, user_id: int, up: bool) -> bool:
        """Record a vote (a later vote replaces the earlier); False for an unknown question."""
        with self._lock:
            if not self._db.execute(
                "select 1 from questions where id = ?", (question_id,)
            ).fetchone():
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
                "select lower(trim(question)) q, count(*) n from questions group by q"
                " order by n desc, q limit ?",
                (top,),
            ).fetchall()
        return Stats(total, total - abstained, abstained, up, down, [(q, n) for q, n in rows])

    def close(self) -> None:
        with self._lock:
            self._db.close()

"""Questions and feedback, kept in SQLite for later review.

What is stored, per question: when it was asked, the question's text, its language, the kind
of chat, the citation of the first passage, whether the bot abstained, the latency, and the
asking user and chat as keyed hashes (HMAC-SHA256); per vote, the question, the voter's hash
and the vote. The key is made at random per install and kept outside the code and the logs:
`CLAUSEBOT_USER_KEY`, or a file beside the database (`<database>.key`, mode 0600), so a
hash cannot be turned back into a user id by trying ids without it. Entries stay until the
operator deletes them (`clausebot purge --older-than DAYS`).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import secrets
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import ConfigError

log = logging.getLogger(__name__)

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


KEY_BYTES = 32


def key_file(database: Path) -> Path:
    return database.with_name(database.name + ".key")


def load_key(database: Path, configured: str | None = None) -> bytes:
    """The install's key for hashing user ids: `configured` (CLAUSEBOT_USER_KEY) if set,
    else the key file beside the database, made with random bytes on first use."""
    if configured:
        return configured.encode("utf-8")
    path = key_file(database)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            log.warning("%s can be read by others (mode %o): setting it to 0600", path, mode)
            path.chmod(0o600)
        key = path.read_bytes().strip()
        if len(key) < KEY_BYTES:
            raise ConfigError(
                f"the user key file {path} is damaged (too short): delete it to make a new "
                "one (earlier hashes will no longer match) or set CLAUSEBOT_USER_KEY"
            ) from None
        return key
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(KEY_BYTES) + "\n")
    return path.read_bytes().strip()


def hash_user(user_id: int, key: bytes) -> str:
    """A keyed hash of a Telegram id (a user's or a chat's): the same id, the same hash, in
    this install only."""
    return hmac.new(key, str(user_id).encode(), hashlib.sha256).hexdigest()[:24]


@dataclass(frozen=True)
class Stats:
    questions: int
    answered: int
    abstained: int
    up: int
    down: int
    top: list[tuple[str, int]]


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
        if row is None or (chat_id is not None and row[1] != self.user(chat_id)):
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
            if row is None or (chat_id is not None and row[0] != self.user(chat_id)):
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

"""Where the bot keeps its state: question history, votes, per-user rate limits.

One interface (HistoryStore), two implementations: SQLite in one process (bot.feedback, the
default) and PostgreSQL shared by several bot replicas (bot.postgres, with
CLAUSEBOT_DATABASE_URL). `open_store` picks by the settings.

What is stored, per question: when it was asked, the question's text, its language, the kind
of chat, the citation of the first passage, whether the bot abstained, the latency, and the
asking user and chat as keyed hashes (HMAC-SHA256); per vote, the question, the voter's hash
and the vote. The key is made at random per install and kept outside the code and the logs:
`CLAUSEBOT_USER_KEY`, or a file beside the SQLite database (`<database>.key`, mode 0600), so
a hash cannot be turned back into a user id by trying ids without it. Entries stay until the
operator deletes them (`clausebot purge --older-than DAYS`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import stat
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from retrieval.errors import ConfigError
from retrieval.settings import Settings

log = logging.getLogger(__name__)

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


def asked_in(stored_chat: str | None, chat_id: int | None, key: bytes) -> bool:
    """Was a question stored with the chat hash `stored_chat` asked in `chat_id`? (None:
    in any chat.) Buttons act only on questions of their own chat."""
    return chat_id is None or stored_chat == hash_user(chat_id, key)


class Limiter(Protocol):
    def allow(self, user_id: int) -> bool:
        """Count one request of the user; False when over the limit (it is not counted)."""
        ...


@dataclass
class RateLimiter:
    """At most `limit` requests per user in any `window` seconds, in this process."""

    limit: int = 5
    window: float = 10.0
    _seen: dict[int, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def allow(self, user_id: int, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        seen = self._seen[user_id]
        while seen and now - seen[0] > self.window:
            seen.popleft()
        if len(seen) >= self.limit:
            return False
        seen.append(now)
        return True


class HistoryStore(Protocol):
    """Question history, votes and rate limits, as the bot uses them."""

    def user(self, user_id: int) -> str:
        """The keyed hash of a Telegram user or chat id."""
        ...

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
        """Store an answered question; returns its id (what the buttons carry)."""
        ...

    def question(self, question_id: int, chat_id: int | None = None) -> str | None:
        """The text of a question; with `chat_id`, only if it was asked in that chat."""
        ...

    def vote(self, question_id: int, user_id: int, up: bool, chat_id: int | None = None) -> bool:
        """Record a vote (a later one replaces the earlier); False for an unknown question,
        or, with `chat_id`, one asked in another chat."""
        ...

    def stats(self, top: int = 5) -> Stats: ...

    def purge(self, older_than_days: float) -> int:
        """Delete the questions (and their votes) asked more than so many days ago."""
        ...

    def limiter(self, limit: int, window: float, name: str) -> Limiter:
        """A rate limit of `limit` per user in `window` seconds, named (questions, inline)
        so that two limits do not share a budget; shared by every process on this store."""
        ...

    def close(self) -> None: ...


def open_store(settings: Settings) -> HistoryStore:
    """PostgreSQL when CLAUSEBOT_DATABASE_URL is set, else the SQLite file."""
    if settings.database_url:
        from bot.postgres import PostgresStore

        return PostgresStore(settings.database_url, settings.user_key)
    from bot.feedback import FeedbackStore

    return FeedbackStore(settings.feedback_db, settings.user_key)

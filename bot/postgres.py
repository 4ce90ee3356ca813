"""Questions, votes and rate limits in PostgreSQL, shared by several bot replicas: the
PostgreSQL implementation of bot.storage.HistoryStore (psycopg 3, a connection pool).

The schema is created and migrated when a store opens, under a transaction-level advisory
lock, so that replicas starting at once migrate it once; `clausebot_schema` holds its
version. Rate limits count each request as a row and decide under a per-user advisory lock,
with the database's clock, so two replicas give a user one budget between them.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from bot.storage import Stats, asked_in, hash_user
from retrieval.errors import ClausebotError, ConfigError

log = logging.getLogger(__name__)

MIGRATION_LOCK = 0x636C617573  # pg_advisory_xact_lock key: one migration at a time ("claus")
# Each migration brings the schema from the version before it to its own number.
MIGRATIONS: tuple[tuple[int, str], ...] = (
    (
        1,
        """
        create table questions (
            id bigserial primary key,
            asked_at double precision not null,
            user_hash text not null,
            chat_hash text,
            chat_type text not null,
            lang text not null,
            question text not null,
            top_citation text,
            abstained boolean not null,
            latency_ms double precision not null
        );
        create index questions_asked_at on questions (asked_at);
        create table feedback (
            question_id bigint not null references questions(id) on delete cascade,
            user_hash text not null,
            vote smallint not null,
            given_at double precision not null,
            primary key (question_id, user_hash)
        );
        create table rate_events (
            bucket text not null,
            user_hash text not null,
            at double precision not null
        );
        create index rate_events_user on rate_events (bucket, user_hash, at);
        """,
    ),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]
POOL_WAIT = 5.0  # seconds a request waits for a free connection before it fails
CONNECT_TIMEOUT = 5  # seconds to open a connection
NOW = "extract(epoch from clock_timestamp())"


def _where(url: str) -> str:
    """The database's host, port and name, for messages (never its password)."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(url)
    except Exception:  # an unparsable URL says nothing we may print
        return "the database of CLAUSEBOT_DATABASE_URL"
    return f"{parts.get('host', 'localhost')}:{parts.get('port', 5432)}/{parts.get('dbname', '')}"


class PostgresStore:
    def __init__(self, url: str, key: str | None, pool_size: int = 4) -> None:
        if not key:
            raise ConfigError(
                "with CLAUSEBOT_DATABASE_URL, set CLAUSEBOT_USER_KEY too, the same on every "
                "replica: user ids are hashed with it, and replicas must agree on the hashes"
            )
        try:
            import psycopg
            from psycopg_pool import ConnectionPool
        except ImportError as exc:  # pragma: no cover - a dependency
            raise ConfigError("PostgreSQL needs psycopg (pip install .)") from exc
        self._key = key.encode("utf-8")
        self.errors: tuple[type[BaseException], ...] = (psycopg.Error,)
        self.where = _where(url)
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            open=False,
            timeout=POOL_WAIT,
            kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT},
        )
        try:
            self._pool.open(wait=True, timeout=15)
            self.migrate()
        except Exception as exc:
            self._pool.close()
            raise ClausebotError(
                f"cannot use the PostgreSQL database at {self.where} "
                f"({type(exc).__name__}): check CLAUSEBOT_DATABASE_URL and that the server runs"
            ) from None

    # -- schema ------------------------------------------------------------------------------

    def migrate(self) -> int:
        """Create or migrate the schema; safe when replicas start at once. Returns the
        version it found."""
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("select pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            conn.execute("create table if not exists clausebot_schema (version integer not null)")
            row = conn.execute("select max(version) from clausebot_schema").fetchone()
            found = int(row[0]) if row and row[0] is not None else 0
            if found > SCHEMA_VERSION:
                raise ConfigError(
                    f"the database at {self.where} has schema {found}, newer than this "
                    f"clausebot's {SCHEMA_VERSION}: upgrade clausebot"
                )
            for version, sql in MIGRATIONS:
                if version > found:
                    conn.execute(sql)
                    conn.execute("insert into clausebot_schema (version) values (%s)", (version,))
                    log.info("database schema migrated to version %d", version)
        return found

    # -- HistoryStore ------------------------------------------------------------------------

    def user(self, user_id: int) -> str:
        return hash_user(user_id, self._key)

    def _one(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        with self._pool.connection() as conn:
            return conn.execute(sql, params).fetchone()

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
        row = self._one(
            "insert into questions (asked_at, user_hash, chat_hash, chat_type, lang, question,"
            " top_citation, abstained, latency_ms) values (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " returning id",
            (
                time.time(),
                self.user(user_id),
                self.user(chat_id),
                chat_type,
                lang,
                question,
                top_citation,
                abstained,
                latency_ms,
            ),
        )
        return int(row[0])

    def question(self, question_id: int, chat_id: int | None = None) -> str | None:
        row = self._one("select question, chat_hash from questions where id = %s", (question_id,))
        if row is None or not asked_in(row[1], chat_id, self._key):
            return None
        return str(row[0])

    def vote(self, question_id: int, user_id: int, up: bool, chat_id: int | None = None) -> bool:
        row = self._one("select chat_hash from questions where id = %s", (question_id,))
        if row is None or not asked_in(row[0], chat_id, self._key):
            return False
        self._one(
            "insert into feedback (question_id, user_hash, vote, given_at)"
            " values (%s, %s, %s, %s) on conflict (question_id, user_hash)"
            " do update set vote = excluded.vote, given_at = excluded.given_at returning 1",
            (question_id, self.user(user_id), 1 if up else -1, time.time()),
        )
        return True

    def stats(self, top: int = 5) -> Stats:
        with self._pool.connection() as conn:
            total, abstained = conn.execute(
                "select count(*), count(*) filter (where abstained) from questions"
            ).fetchone() or (0, 0)
            up, down = conn.execute(
                "select count(*) filter (where vote = 1), count(*) filter (where vote = -1)"
                " from feedback"
            ).fetchone() or (0, 0)
            rows = conn.execute(
                "select lower(trim(question)) q, count(*) n from questions group by q"
                " order by n desc, q limit %s",
                (top,),
            ).fetchall()
        return Stats(
            int(total),
            int(total) - int(abstained),
            int(abstained),
            int(up),
            int(down),
            [(str(q), int(n)) for q, n in rows],
        )

    def purge(self, older_than_days: float) -> int:
        cutoff = time.time() - older_than_days * 86400
        with self._pool.connection() as conn, conn.transaction():
            deleted = conn.execute("delete from questions where asked_at < %s", (cutoff,))
            count = deleted.rowcount  # their votes go with them (on delete cascade)
            conn.execute(f"delete from rate_events where at < {NOW} - 86400")
        return int(count)

    def limiter(self, limit: int, window: float, name: str) -> SharedLimiter:
        return SharedLimiter(self, limit, window, name)

    def allow(self, bucket: str, user_id: int, limit: int, window: float) -> bool:
        """Count one request of a user in a bucket unless it is over `limit` in `window`
        seconds; decided under a lock on the user, by the database's clock."""
        user = self.user(user_id)
        with self._pool.connection() as conn, conn.transaction():
            conn.execute(
                "select pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"{bucket}:{user}",)
            )
            conn.execute(
                "delete from rate_events where bucket = %s and user_hash = %s"
                f" and at <= {NOW} - %s",
                (bucket, user, window),
            )
            row = conn.execute(
                "select count(*) from rate_events where bucket = %s and user_hash = %s",
                (bucket, user),
            ).fetchone()
            if row is not None and int(row[0]) >= limit:
                return False
            conn.execute(
                f"insert into rate_events (bucket, user_hash, at) values (%s, %s, {NOW})",
                (bucket, user),
            )
        return True

    def close(self) -> None:
        self._pool.close()


class SharedLimiter:
    """A rate limit kept in the database: every replica counts against one budget. If the
    database cannot be reached, the request is let through (and said in the log): a limit
    is no reason to stop answering."""

    blocking = True  # a round trip to the database: the bot asks it off its event loop

    def __init__(self, store: PostgresStore, limit: int, window: float, name: str) -> None:
        self.store, self.limit, self.window, self.name = store, limit, window, name

    def allow(self, user_id: int) -> bool:
        try:
            return self.store.allow(self.name, user_id, self.limit, self.window)
        except self.store.errors as exc:
            log.warning("rate limit not checked (%s): the database did not answer", exc)
            return True

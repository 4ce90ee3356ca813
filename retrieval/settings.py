"""Settings, built in one place from flags and the environment (flags win).

Nothing else in clausebot reads os.environ, but for the switches of how the models run
(ENVIRONMENT names each, and who reads it), which hold for the whole process.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from retrieval.errors import ConfigError

# Every environment variable clausebot reads (deployment files are checked against this list).
ENVIRONMENT = (
    "CLAUSEBOT_CORPUS",
    "CLAUSEBOT_INDEX",
    "CLAUSEBOT_MODEL",
    "CLAUSEBOT_ADMINS",
    "CLAUSEBOT_FEEDBACK_DB",
    "CLAUSEBOT_LOG_LEVEL",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_URL",
    "TELEGRAM_WEBHOOK_SECRET",
    "CLAUSEBOT_USER_KEY",
    "CLAUSEBOT_MAX_FILE_MB",
    "CLAUSEBOT_DATABASE_URL",
    "CLAUSEBOT_FETCH_LOCAL",
    "CLAUSEBOT_NATIVE",  # read by retrieval.native
    "CLAUSEBOT_WORD_TABLE",  # read by retrieval.word_table
    "CLAUSEBOT_E5_AVX2_ONLY",  # read by the engine (retrieval/csrc/qmat.c)
    "CLAUSEBOT_E5_BYTES",  # read by the engine (retrieval/csrc/qmat.c)
    "CLAUSEBOT_MINILM_FP16_ONLY",  # read by the engine (retrieval/csrc/model.c)
    "CLAUSEBOT_MINILM_AVX2_ONLY",  # read by the engine (retrieval/csrc/model.c)
)
DEFAULT_CORPUS = "corpus"
DEFAULT_INDEX = ".clausebot/index"
DEFAULT_FEEDBACK = ".clausebot/feedback.sqlite3"
DEFAULT_MODEL = "hybrid"
# Corpus files over this size are left out with a message: a policy document is rarely over a
# few MB, and reading, converting and segmenting one holds it in memory
DEFAULT_MAX_FILE_MB = 20.0


YES = ("1", "yes", "true", "on")  # a switch set on (a setting, a caption's "replace: yes")
_NO = ("", "0", "no", "false", "off")


def _switch(name: str, raw: str | None) -> bool:
    value = (raw or "").strip().lower()
    if value not in YES + _NO:
        raise ConfigError(f"{name} must be yes or no, got {raw!r}")
    return value in YES


def _positive(raw: str | None, default: float) -> float:
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ConfigError(
            f"CLAUSEBOT_MAX_FILE_MB must be a number of megabytes above 0, got {raw!r}"
        )
    return value


@dataclass(frozen=True)
class Settings:
    corpus: Path = Path(DEFAULT_CORPUS)
    index: Path = Path(DEFAULT_INDEX)
    model: str | None = None  # None: the index's own models; hybrid for a new index
    telegram_token: str | None = field(default=None, repr=False)
    telegram_api_url: str | None = None
    telegram_webhook_secret: str | None = field(default=None, repr=False)
    admins: frozenset[int] = frozenset()
    feedback_db: Path = Path(DEFAULT_FEEDBACK)
    log_level: str = "WARNING"
    # the key user ids are hashed with (bot.feedback); None: a key file beside feedback_db
    user_key: str | None = field(default=None, repr=False)
    max_file_mb: float = DEFAULT_MAX_FILE_MB  # corpus files over this are left out, with why
    # postgresql://…: history, votes and rate limits shared by replicas; None: the SQLite file
    database_url: str | None = field(default=None, repr=False)
    # may Telegram's /add fetch from this machine or its private network (retrieval.fetch)?
    fetch_local: bool = False

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr)
        token = "set" if self.telegram_token else "unset"
        secret = "set" if self.telegram_webhook_secret else "unset"
        key = "set" if self.user_key else "unset"
        database = "postgresql" if self.database_url else "sqlite"
        return (
            f"Settings({shown}, telegram_token=<{token}>, telegram_webhook_secret=<{secret}>, "
            f"user_key=<{key}>, database=<{database}>)"
        )

    @property
    def bot_heartbeat(self) -> Path:
        """Where a running bot notes when it last reached the Bot API (beside its database),
        for `clausebot health --bot`."""
        return self.feedback_db.with_name("bot-heartbeat")

    @property
    def build_model(self) -> str:
        return self.model or DEFAULT_MODEL

    @classmethod
    def load(
        cls, flags: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> Settings:
        env = os.environ if environ is None else environ
        flags = {k: v for k, v in (flags or {}).items() if v is not None}
        admins_raw = env.get("CLAUSEBOT_ADMINS", "")
        try:
            admins = frozenset(int(a) for a in admins_raw.replace(" ", "").split(",") if a)
        except ValueError:
            raise ConfigError(
                f"CLAUSEBOT_ADMINS must be comma-separated Telegram user ids, got {admins_raw!r}"
            ) from None
        settings = cls(
            corpus=Path(flags.get("corpus") or env.get("CLAUSEBOT_CORPUS") or DEFAULT_CORPUS),
            index=Path(flags.get("index") or env.get("CLAUSEBOT_INDEX") or DEFAULT_INDEX),
            model=flags.get("model") or env.get("CLAUSEBOT_MODEL") or None,
            telegram_token=env.get("TELEGRAM_BOT_TOKEN") or None,
            telegram_api_url=env.get("TELEGRAM_API_URL") or None,
            telegram_webhook_secret=flags.get("secret_token")
            or env.get("TELEGRAM_WEBHOOK_SECRET")
            or None,
            admins=admins,
            feedback_db=Path(
                flags.get("feedback_db") or env.get("CLAUSEBOT_FEEDBACK_DB") or DEFAULT_FEEDBACK
            ),
            log_level=(
                flags.get("log_level") or env.get("CLAUSEBOT_LOG_LEVEL") or "WARNING"
            ).upper(),
            user_key=env.get("CLAUSEBOT_USER_KEY") or None,
            max_file_mb=_positive(env.get("CLAUSEBOT_MAX_FILE_MB"), DEFAULT_MAX_FILE_MB),
            database_url=flags.get("database_url") or env.get("CLAUSEBOT_DATABASE_URL") or None,
            fetch_local=_switch("CLAUSEBOT_FETCH_LOCAL", env.get("CLAUSEBOT_FETCH_LOCAL")),
        )
        if settings.database_url and not settings.database_url.startswith(
            ("postgresql://", "postgres://")
        ):
            raise ConfigError(
                "CLAUSEBOT_DATABASE_URL (--database-url) must be a postgresql:// URL; "
                "leave it unset for the SQLite file"
            )
        return settings

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

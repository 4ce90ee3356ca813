"""Secrets out of everything clausebot prints or logs, at every level.

The bot token travels in every Bot API URL (`…/bot<token>/getMe`), which httpx logs and
python-telegram-bot repeats in its exceptions ("The token `…` was rejected"); a webhook
secret and the key that user ids are hashed with must not show either. A filter on every
handler of the root logger rewrites each record's message, arguments and traceback, and
`redact` does the same for the one line an error ends in.
"""

from __future__ import annotations

import logging
import urllib.parse
from collections.abc import Iterable

MASK = "<redacted>"
MIN_SECRET = 6  # shorter values would mask ordinary words


def variants(secrets: Iterable[str | None]) -> list[str]:
    """Each secret as it may appear: whole, URL-quoted, and for a bot token ('123:abc…')
    its secret half alone; longest first, so that a part never masks half of a whole."""
    found: set[str] = set()
    for secret in secrets:
        if not secret or len(secret) < MIN_SECRET:
            continue
        found.update({secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote(secret)})
        _, _, half = secret.partition(":")
        if len(half) >= MIN_SECRET:
            found.add(half)
    return sorted(found, key=len, reverse=True)


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


class Redactor(logging.Filter):
    """Masks the secrets in a record's message and traceback before any handler writes it."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        super().__init__()
        self.secrets = variants(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        record.msg, record.args = redact(message, self.secrets), None
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


def install(secrets: Iterable[str | None]) -> Redactor:
    """Put a Redactor on every handler of the root logger (set up before this call)."""
    redactor = Redactor(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    return redactor


def database_secrets(url: str | None) -> list[str]:
    """The password in a database URL (and the URL whole): secrets as much as the token."""
    if not url:
        return []
    parsed = urllib.parse.urlsplit(url)
    password = urllib.parse.unquote(parsed.password or "")
    return [url, password] if password else [url]

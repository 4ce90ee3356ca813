"""The Telegram front end: the application that routes updates to the handlers
(bot/telegram_handlers.py, bot/telegram_inline.py), its start and stop, a heartbeat while
it reaches the Bot API, and `clausebot telegram` (long polling or a webhook).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.error import NetworkError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.storage import HistoryStore, Limiter, open_store
from bot.telegram_admin import on_reindex, on_remove, on_stats
from bot.telegram_handlers import (
    INLINE_LIMIT,
    RATE_LIMIT,
    BotState,
    on_ask,
    on_clause,
    on_documents,
    on_error,
    on_help,
    on_other,
    on_start,
    on_text,
)
from bot.telegram_inline import on_button, on_inline
from bot.telegram_send import RETRIES
from bot.telegram_upload import on_add, on_upload
from retrieval.engine import Engine
from retrieval.errors import ClausebotError, ConfigError
from retrieval.settings import Settings

log = logging.getLogger(__name__)

HEARTBEAT_EVERY = 20.0  # seconds between the bot's checks that it reaches the Bot API


def build_application(
    settings: Settings, engine: Engine, feedback: HistoryStore, limiter: Limiter | None = None
) -> Application:
    if not settings.telegram_token:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is not set: export the token BotFather gave you, "
            "e.g. TELEGRAM_BOT_TOKEN=123:abc clausebot telegram"
        )
    # python-telegram-bot 22 gives time periods (a flood control's retry_after) as seconds,
    # with a deprecation warning in the log at each, unless this opts into the timedelta of
    # its next major version; bot/telegram_send.py reads either. An operator's own setting
    # stands.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    builder: ApplicationBuilder = (
        Application.builder()
        .token(settings.telegram_token)
        .rate_limiter(AIORateLimiter(max_retries=RETRIES))
        .concurrent_updates(True)
        .post_init(_post_init)
        .post_stop(_post_stop)
    )
    if settings.telegram_api_url:
        builder = builder.base_url(settings.telegram_api_url).base_file_url(
            settings.telegram_api_url.rsplit("/bot", 1)[0] + "/file/bot"
        )
    application = builder.build()
    application.bot_data["state"] = BotState(
        engine,
        feedback,
        settings,
        limiter or feedback.limiter(*RATE_LIMIT, "questions"),
        feedback.limiter(*INLINE_LIMIT, "inline"),
    )
    application.add_handler(CommandHandler("start", on_start))
    application.add_handler(CommandHandler("help", on_help))
    application.add_handler(CommandHandler("documents", on_documents))
    application.add_handler(CommandHandler("clause", on_clause))
    application.add_handler(CommandHandler("ask", on_ask))
    application.add_handler(CommandHandler("stats", on_stats))
    application.add_handler(CommandHandler("reindex", on_reindex))
    application.add_handler(CommandHandler("remove", on_remove))
    application.add_handler(CommandHandler("add", on_add))
    # an administrator's document, in a private chat, is added to the corpus; anyone else's
    # caption is a question, as below
    uploads = filters.Document.ALL & filters.ChatType.PRIVATE & filters.User(settings.admins)
    application.add_handler(MessageHandler(uploads, on_upload))
    questions = (filters.TEXT | filters.CAPTION) & ~filters.COMMAND
    application.add_handler(MessageHandler(questions, on_text))
    application.add_handler(
        MessageHandler(~questions & ~filters.COMMAND & ~filters.StatusUpdate.ALL, on_other)
    )
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(InlineQueryHandler(on_inline))
    application.add_error_handler(on_error)
    return application


async def _post_init(application: Application) -> None:
    """Load the index and the models before the first update is taken; then keep a
    heartbeat while the bot reaches the Bot API."""
    state: BotState = application.bot_data["state"]
    state.username = application.bot.username or ""
    await asyncio.to_thread(state.engine.warm_up)
    application.bot_data["heartbeat"] = asyncio.create_task(
        _heartbeat(application, state.settings.bot_heartbeat)
    )
    log.info("ready as @%s", state.username)


async def _post_stop(application: Application) -> None:
    task = application.bot_data.pop("heartbeat", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _heartbeat(application: Application, path: Path) -> None:
    """Every HEARTBEAT_EVERY seconds, ask the Bot API who the bot is and, when it answers,
    write the time to `path`: the bot's event loop runs and Telegram answers it."""
    while True:
        try:
            await application.bot.get_me()
            path.parent.mkdir(parents=True, exist_ok=True)
            staged = path.with_name(path.name + ".tmp")
            staged.write_text(f"{time.time():.0f}\n", encoding="utf-8")
            staged.replace(path)
        except (NetworkError, TimedOut, OSError) as exc:
            log.warning("heartbeat failed (%s): the Bot API did not answer", type(exc).__name__)
        await asyncio.sleep(HEARTBEAT_EVERY)


# Attempts to reach the Bot API at start, and the wait before each next one (doubling)
CONNECT_ATTEMPTS = 5
CONNECT_BACKOFF = 1.0


def api_location(settings: Settings) -> str:
    """Where the Bot API is, for messages: its base URL, which never holds the token."""
    return settings.telegram_api_url or "https://api.telegram.org/bot"


async def check_connection(
    settings: Settings, attempts: int = CONNECT_ATTEMPTS, backoff: float = CONNECT_BACKOFF
) -> str:
    """Ask the Bot API who the bot is before anything else starts: a token that Telegram
    rejects is a setting to fix, said in one line; a Bot API that cannot be reached is tried
    again with a doubling wait, then said in one line. Returns the bot's username."""
    from telegram import Bot
    from telegram.error import InvalidToken

    assert settings.telegram_token
    bot = (
        Bot(settings.telegram_token, base_url=settings.telegram_api_url)
        if settings.telegram_api_url
        else Bot(settings.telegram_token)
    )
    wait = backoff
    for attempt in range(1, attempts + 1):
        try:
            async with bot:
                return bot.username
        except InvalidToken:
            raise ConfigError(
                "Telegram rejected the bot token: check TELEGRAM_BOT_TOKEN "
                "(the token @BotFather gave you)"
            ) from None
        except (NetworkError, TimedOut) as exc:
            reason = type(exc).__name__
            if attempt == attempts:
                raise ClausebotError(
                    f"cannot reach the Bot API at {api_location(settings)} after {attempts} "
                    f"attempts ({reason}): check the network or TELEGRAM_API_URL"
                ) from None
            log.warning(
                "cannot reach the Bot API (%s, attempt %d of %d): trying again in %.0f s",
                reason,
                attempt,
                attempts,
                wait,
            )
            await asyncio.sleep(wait)
            wait *= 2
    raise AssertionError("unreachable")


def run(settings: Settings, args: Any) -> int:
    """`clausebot telegram`: long polling by default, a webhook with --webhook-url."""
    if not settings.telegram_token:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is not set: export the token BotFather gave you, "
            "e.g. TELEGRAM_BOT_TOKEN=123:abc clausebot telegram"
        )
    if args.webhook_url and not settings.telegram_webhook_secret:
        raise ConfigError(
            "webhook mode needs a secret, or anyone who can reach the port can post updates "
            "as any user: pass --secret-token or set TELEGRAM_WEBHOOK_SECRET "
            "(1-256 characters: A-Z, a-z, 0-9, _ and -)"
        )
    asyncio.run(check_connection(settings))
    engine = Engine(settings)
    feedback = open_store(settings)
    application = build_application(settings, engine, feedback)
    try:
        if args.webhook_url:
            application.run_webhook(
                listen=args.listen,
                port=args.port,
                url_path=args.url_path,
                webhook_url=args.webhook_url,
                secret_token=settings.telegram_webhook_secret,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            application.run_polling(allowed_updates=Update.ALL_TYPES)
    finally:
        feedback.close()
    return 0

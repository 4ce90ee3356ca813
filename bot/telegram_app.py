"""The Telegram front end: a thin layer of handlers over `Engine.ask`.

Each handler parses an update, makes one call into the engine off the event loop, and renders
the answer as Telegram HTML (bot/telegram_html.py). Started by `clausebot telegram`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.i18n import language, t
from bot.storage import HistoryStore, Limiter, RateLimiter, open_store
from bot.telegram_html import (
    Labels,
    citation_line,
    display_text,
    esc,
    quote,
    render_answer,
    split_blocks,
)
from retrieval.citation import cite
from retrieval.engine import Engine
from retrieval.errors import ClausebotError, ConfigError, QuestionError
from retrieval.question import MAX_CHARS
from retrieval.settings import Settings
from retrieval.types import Answer, Clause, Passage

log = logging.getLogger(__name__)
questions_log = logging.getLogger("clausebot.questions")

PAGE = 3  # passages per answer; "More" shows the next ones
RATE_LIMIT = (5, 10.0)  # questions per user per seconds
INLINE_LIMIT = (30, 10.0)  # inline searches per user per seconds
INLINE_SETTLE = 0.4  # seconds an inline query must stand before it is searched
REMEMBERED = 2000  # answers kept for edits, and inline answers kept for repeats
HEARTBEAT_EVERY = 20.0  # seconds between the bot's checks that it reaches the Bot API
RETRIES = 3
T = TypeVar("T")
_START_CLAUSE = re.compile(r"^c_([a-z0-9-]+)_(\d{1,6})$")
_CALLBACK = re.compile(r"^(m|x|f):([a-z0-9-]+|\d+):(\d{1,6}|u|d)$")
EXAMPLES = (
    "Who signed the letter to ICANN?",
    "What does the declaration say about protecting children online?",
    "Bəyannamə genişzolaqlı internet haqqında nə deyir?",
)


@dataclass
class BotState:
    engine: Engine
    feedback: HistoryStore
    settings: Settings
    limiter: Limiter = field(default_factory=RateLimiter)
    # inline queries come at every key press: a budget of their own, not the questions'
    inline_limiter: Limiter = field(default_factory=lambda: RateLimiter(*INLINE_LIMIT))
    username: str = ""
    latest_inline: dict[int, str] = field(default_factory=dict)  # user id -> inline query id
    inline_answers: OrderedDict[str, Answer] = field(default_factory=OrderedDict)
    # (chat id, question message id) -> the ids of the messages that answered it, so that an
    # edited question edits its answer instead of getting a second one
    answered: OrderedDict[tuple[int, int], list[int]] = field(default_factory=OrderedDict)


def _state(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    state: BotState = context.application.bot_data["state"]
    return state


def _lang(update: Update) -> str:
    user = update.effective_user
    return language(user.language_code if user else None)


def _labels(lang: str) -> Labels:
    return Labels(t(lang, "not_answered"), t(lang, "closest"), t(lang, "score"))


async def with_retry(call: Callable[[], Awaitable[T]]) -> T:
    """Run a Bot API call, retrying flood control, timeouts and network errors with back-off."""
    for attempt in range(RETRIES):
        try:
            return await call()
        except RetryAfter as exc:
            if attempt == RETRIES - 1:
                raise
            delay = exc.retry_after
            await asyncio.sleep(delay.total_seconds() if hasattr(delay, "total_seconds") else delay)
        except (TimedOut, NetworkError) as exc:
            if attempt == RETRIES - 1 or isinstance(exc, BadRequest):
                raise
            await asyncio.sleep(0.5 * 2**attempt)
    raise AssertionError("unreachable")


async def reply(message: Message, html_text: str, **kwargs: Any) -> Message:
    quote_it = message.chat.type != ChatType.PRIVATE
    return await with_retry(
        lambda: message.reply_html(
            html_text, do_quote=quote_it, disable_web_page_preview=True, **kwargs
        )
    )


def _link(state: BotState, clause: Clause) -> str | None:
    if not state.username:
        return None
    return f"https://t.me/{state.username}?start=c_{clause.doc_id}_{clause.number}"


def _buttons(lang: str, question_id: int, shown: int, top: Passage | None) -> InlineKeyboardMarkup:
    row = [InlineKeyboardButton(t(lang, "more"), callback_data=f"m:{question_id}:{shown}")]
    if top is not None:
        data = f"x:{top.clause.doc_id}:{top.clause.number}"
        if len(data.encode()) <= 64:
            row.append(InlineKeyboardButton(t(lang, "context"), callback_data=data))
    return InlineKeyboardMarkup(
        [
            row,
            [
                InlineKeyboardButton("👍", callback_data=f"f:{question_id}:u"),
                InlineKeyboardButton("👎", callback_data=f"f:{question_id}:d"),
            ],
        ]
    )


async def _send_blocks(
    message: Message,
    blocks: list[str],
    markup: InlineKeyboardMarkup | None = None,
    replacing: list[int] | None = None,
) -> list[int]:
    """Send the blocks (split to Telegram's length) as replies to `message`; with
    `replacing`, edit those earlier messages first, and delete the ones left over.
    Returns the ids of the messages that now hold the answer."""
    parts = split_blocks(blocks)
    earlier = list(replacing or [])
    sent: list[int] = []
    for number, part in enumerate(parts):
        last = number == len(parts) - 1
        keyboard = markup if last else None
        if number < len(earlier):
            message_id = earlier[number]
            try:
                await with_retry(
                    functools.partial(
                        message.get_bot().edit_message_text,
                        part,
                        chat_id=message.chat.id,
                        message_id=message_id,
                        parse_mode=ParseMode.HTML,
                        reply_markup=keyboard,
                        disable_web_page_preview=True,
                    )
                )
            except BadRequest as exc:
                if "not modified" not in str(exc).lower():
                    raise
            sent.append(message_id)
        else:
            sent.append((await reply(message, part, reply_markup=keyboard)).message_id)
    for message_id in earlier[len(parts) :]:
        with contextlib.suppress(BadRequest):
            await with_retry(
                functools.partial(message.get_bot().delete_message, message.chat.id, message_id)
            )
    return sent


async def allowed(limiter: Limiter, user_id: int) -> bool:
    """Count a request against a limit; a limit kept in a database is asked off the event
    loop, so that a slow database never holds up the other chats."""
    if getattr(limiter, "blocking", False):
        return await asyncio.to_thread(limiter.allow, user_id)
    return limiter.allow(user_id)


def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > REMEMBERED:
        cache.popitem(last=False)


# -- asking ------------------------------------------------------------------------------------


async def answer_question(
    update: Update, context: ContextTypes.DEFAULT_TYPE, question: str
) -> None:
    state = _state(context)
    message = update.effective_message
    user = update.effective_user
    assert message is not None
    lang = _lang(update)
    if user is not None and not await allowed(state.limiter, user.id):
        await reply(message, esc(t(lang, "slow_down")))
        return
    if len(question) > MAX_CHARS:
        await reply(message, esc(t(lang, "too_long", limit=MAX_CHARS)))
        return
    if not question.strip():
        await reply(message, esc(t(lang, "empty")))
        return
    await with_retry(lambda: message.chat.send_action(ChatAction.TYPING))
    started = time.perf_counter()
    try:
        answer: Answer = await asyncio.to_thread(state.engine.ask, question, PAGE)
    except QuestionError:
        await reply(message, esc(t(lang, "empty")))
        return
    latency = (time.perf_counter() - started) * 1000
    top = answer.passages[0] if answer.passages else None
    question_id = await asyncio.to_thread(
        state.feedback.log_question,
        user.id if user else 0,
        message.chat.type,
        lang,
        question,
        top.citation.text if top else None,
        answer.abstained,
        latency,
        message.chat.id,
    )
    # no user id or hash here: the log names no one
    questions_log.info(
        "question chat=%s lang=%s latency_ms=%.0f top=%r abstained=%s",
        message.chat.type,
        lang,
        latency,
        top.citation.text if top else None,
        answer.abstained,
    )
    blocks = render_answer(answer, _labels(lang), lambda p: _link(state, p.clause))
    key = (message.chat.id, message.message_id)
    earlier = state.answered.get(key) if update.edited_message is not None else None
    sent = await _send_blocks(message, blocks, _buttons(lang, question_id, PAGE, top), earlier)
    _remember(state.answered, key, sent)


def _addressed(message: Message, state: BotState) -> str | None:
    """In a group: the question (the text, or a photo's caption) if the message is
    addressed to the bot, else None."""
    caption = message.text is None
    text = (message.caption if caption else message.text) or ""
    reply_to = message.reply_to_message
    if reply_to and reply_to.from_user and reply_to.from_user.username == state.username:
        return text
    mention = f"@{state.username}".lower()
    for entity in (message.caption_entities if caption else message.entities) or ():
        if entity.type == MessageEntity.MENTION:
            name = message.parse_caption_entity(entity) if caption else message.parse_entity(entity)
            if name.lower() == mention:
                return (text[: entity.offset] + text[entity.offset + entity.length :]).strip()
    return None


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A question as text, or as the caption of a photo or document; an edited question
    edits its earlier answer."""
    message = update.effective_message
    if message is None:
        return
    text = message.text if message.text is not None else message.caption
    if text is None:
        return
    if message.chat.type == ChatType.PRIVATE:
        await answer_question(update, context, text)
        return
    question = _addressed(message, _state(context))
    if question is not None:
        await answer_question(update, context, question)


async def on_ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    question = " ".join(context.args or [])
    if not question:
        await reply(message, esc(t(_lang(update), "ask_usage")))
        return
    await answer_question(update, context, question)


async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice…: a short explanation in private chats, or when addressed."""
    message = update.effective_message
    if message is None:
        return
    state = _state(context)
    reply_to = message.reply_to_message
    to_bot = (
        reply_to is not None
        and reply_to.from_user is not None
        and (reply_to.from_user.username == state.username)
    )
    if message.chat.type == ChatType.PRIVATE or to_bot:
        await reply(message, esc(t(_lang(update), "non_text")))


# -- commands ----------------------------------------------------------------------------------


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    args = context.args or []
    if args and (match := _START_CLAUSE.match(args[0])):
        await show_clause(update, context, match.group(1), int(match.group(2)))
        return
    await on_help(update, context)


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    lang = _lang(update)
    lines = [esc(t(lang, "intro")), await _documents_html(context), "", esc(t(lang, "how")), ""]
    lines.append(esc(t(lang, "examples")))
    lines.extend(f"• <i>{esc(example)}</i>" for example in EXAMPLES)
    await reply(message, "\n".join(lines))


async def _documents_html(context: ContextTypes.DEFAULT_TYPE) -> str:
    from retrieval.citation import human_date

    loaded = await asyncio.to_thread(_state(context).engine.index)
    return "\n".join(
        f"• <b>{esc(doc.title)}</b>"
        + (f" ({esc(human_date(doc.date))})" if doc.date else "")
        + f" — <code>{esc(doc.doc_id)}</code>"
        for doc in loaded.documents.values()
    )


async def on_documents(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    await reply(message, f"{esc(t(_lang(update), 'documents'))}\n{await _documents_html(context)}")


async def on_clause(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    args = context.args or []
    if len(args) != 2 or not args[1].lstrip("¶").isdigit():
        loaded = await asyncio.to_thread(_state(context).engine.index)
        example = next(iter(loaded.documents), "document-id")
        await reply(message, esc(t(_lang(update), "clause_usage", example=example)))
        return
    await show_clause(update, context, args[0].lower(), int(args[1].lstrip("¶")))


async def show_clause(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    doc_id: str,
    number: int,
    neighbours: int = 0,
) -> None:
    """One clause whole, cited; with `neighbours`, the clauses around it too."""
    message = update.effective_message
    assert message is not None
    state = _state(context)
    loaded = await asyncio.to_thread(state.engine.index)
    document = loaded.documents.get(doc_id)
    clauses = {c.number: c for c in loaded.clauses if c.doc_id == doc_id}
    if document is None or number not in clauses:
        await reply(message, esc(t(_lang(update), "no_clause")))
        return
    blocks = []
    for n in range(number - neighbours, number + neighbours + 1):
        clause = clauses.get(n)
        if clause is None:
            continue
        body = quote(None, clause)
        if n == number and neighbours:
            body = f"<b>▸</b>{body}"
        blocks.append(f"{body}\n{citation_line(cite(document, clause).text)}")
    await _send_blocks(message, blocks)


async def _admin(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> tuple[Message, BotState, str] | None:
    """The message, state and language if the sender is an admin; else a polite refusal."""
    message = update.effective_message
    assert message is not None
    state = _state(context)
    lang = _lang(update)
    user = update.effective_user
    if user is None or user.id not in state.settings.admins:
        await reply(message, esc(t(lang, "not_admin")))
        return None
    return message, state, lang


async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    admin = await _admin(update, context)
    if admin is None:
        return
    message, state, lang = admin
    stats = await asyncio.to_thread(state.feedback.stats)
    lines = [
        esc(
            t(
                lang,
                "stats",
                questions=stats.questions,
                answered=stats.answered,
                abstained=stats.abstained,
                up=stats.up,
                down=stats.down,
            )
        )
    ]
    if stats.top:
        lines.append(esc(t(lang, "top_questions")))
        lines.extend(f"{n} × <i>{esc(q)}</i>" for q, n in stats.top)
    await reply(message, "\n".join(lines))


async def on_reindex(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    admin = await _admin(update, context)
    if admin is None:
        return
    message, state, lang = admin
    await reply(message, esc(t(lang, "reindexing")))
    try:
        report = await asyncio.to_thread(state.engine.build)
    except ClausebotError as exc:
        await reply(message, esc(str(exc)))
        return
    text = t(lang, "reindexed", **{k: v for k, v in report.to_json().items() if k != "skipped"})
    for problem in report.skipped:
        text += f"\n⚠ {problem}"
    await reply(message, esc(text))


# -- buttons and inline mode -------------------------------------------------------------------


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    state = _state(context)
    lang = _lang(update)
    match = _CALLBACK.match(query.data or "")
    if match is None:
        await with_retry(lambda: query.answer(t(lang, "expired")))
        return
    kind, key, value = match.groups()
    # a press costs what a question costs, and acts only on a question asked in its own chat
    # (question ids are sequential: a forged press names another chat's question)
    if not await allowed(state.limiter, query.from_user.id):
        await with_retry(lambda: query.answer(t(lang, "slow_down")))
        return
    chat_id = query.message.chat.id if query.message is not None else None
    if kind in "fm" and chat_id is None:
        await with_retry(lambda: query.answer(t(lang, "expired")))
        return
    if kind == "f" and key.isdigit():
        known = await asyncio.to_thread(
            state.feedback.vote, int(key), query.from_user.id, value == "u", chat_id
        )
        await with_retry(lambda: query.answer(t(lang, "thanks" if known else "expired")))
        return
    if kind == "x" and value.isdigit():
        await with_retry(lambda: query.answer())
        await show_clause(update, context, key, int(value), neighbours=1)
        return
    if kind == "m" and key.isdigit() and value.isdigit():
        question = await asyncio.to_thread(state.feedback.question, int(key), chat_id)
        if question is None:
            await with_retry(lambda: query.answer(t(lang, "expired")))
            return
        shown = int(value)
        answer = await asyncio.to_thread(state.engine.ask, question, shown + PAGE)
        if len(answer.passages) <= shown or answer.abstained:
            await with_retry(lambda: query.answer(t(lang, "no_more")))
            return
        await with_retry(lambda: query.answer())
        blocks = render_answer(answer, _labels(lang), lambda p: _link(state, p.clause), start=shown)
        message = query.message
        if isinstance(message, Message):
            top = answer.passages[shown]
            await _send_blocks(message, blocks, _buttons(lang, int(key), shown + PAGE, top))
        return
    await with_retry(lambda: query.answer(t(lang, "expired")))


async def on_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    inline = update.inline_query
    assert inline is not None
    state = _state(context)
    question = inline.query.strip()
    user = inline.from_user.id
    if not question or len(question) > MAX_CHARS:
        await with_retry(lambda: inline.answer([], cache_time=5))
        return
    # Telegram sends a query at each key press: search only the one the user stops at
    state.latest_inline[user] = inline.id
    await asyncio.sleep(INLINE_SETTLE)
    if state.latest_inline.get(user) != inline.id:
        await with_retry(lambda: inline.answer([], cache_time=0))  # typed over
        return
    answer = state.inline_answers.get(question)
    if answer is None:
        if not await allowed(state.inline_limiter, user):
            await with_retry(lambda: inline.answer([], cache_time=0))
            return
        try:
            answer = await asyncio.to_thread(state.engine.ask, question, 5)
        except QuestionError:
            await with_retry(lambda: inline.answer([], cache_time=5))
            return
        _remember(state.inline_answers, question, answer)
    lang = language(inline.from_user.language_code)
    passages = answer.passages[:1] if answer.abstained else answer.passages
    results = []
    for passage in passages:
        title = passage.citation.text
        if answer.abstained:
            title = f"{t(lang, 'closest')} {title}"
        cited = citation_line(passage.citation.text, _link(state, passage.clause))
        body = f"{quote(passage)}\n{cited}"
        results.append(
            InlineQueryResultArticle(
                id=f"{passage.clause.doc_id}:{passage.clause.number}"[:64],
                title=title[:256],
                description=display_text(passage.text)[:200],
                input_message_content=InputTextMessageContent(
                    body, parse_mode=ParseMode.HTML, disable_web_page_preview=True
                ),
            )
        )
    await with_retry(lambda: inline.answer(results, cache_time=30))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    if isinstance(update, Update):
        chat = update.effective_chat.type if update.effective_chat else None
        described = f"{update.update_id} (chat {chat})"
    else:
        described = type(update).__name__
    log.error("update %s failed", described, exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            await update.effective_message.reply_text(t(_lang(update), "error"))
        except Exception:  # the reply is a courtesy: never let it fail the error handler
            log.warning("could not tell the user about the error", exc_info=True)


# -- the application ---------------------------------------------------------------------------


def build_application(
    settings: Settings, engine: Engine, feedback: HistoryStore, limiter: Limiter | None = None
) -> Application:
    if not settings.telegram_token:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is not set: export the token BotFather gave you, "
            "e.g. TELEGRAM_BOT_TOKEN=123:abc clausebot telegram"
        )
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

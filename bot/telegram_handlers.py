"""The Telegram conversation: questions (text, captions, /ask, edits), commands (/start,
/help, /documents, /clause) and errors, each a thin layer over `Engine`: a handler parses an
update, makes one call into the engine off the event loop, and renders the answer as
Telegram HTML (bot/telegram_html.py). Buttons and inline mode are in bot/telegram_inline.py;
the administrators' commands (/stats, /reindex) in bot/telegram_admin.py; the application
that routes updates here, in bot/telegram_app.py.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.constants import ChatAction, ChatType
from telegram.ext import ContextTypes

from bot.i18n import language, t
from bot.storage import HistoryStore, Limiter, RateLimiter
from bot.telegram_html import (
    LIMIT,
    Labels,
    citation_line,
    esc,
    quote,
    render_answer,
    telegram_length,
)
from bot.telegram_send import answer_buttons, clause_link, reply, send_blocks, with_retry
from retrieval.citation import citation_language, cited, human_date
from retrieval.engine import Engine
from retrieval.errors import QuestionError
from retrieval.question import MAX_CHARS, NOTHING_ASKED, REPEATS_NOTE
from retrieval.settings import Settings
from retrieval.types import Answer, DocumentInfo, Passage

log = logging.getLogger(__name__)
questions_log = logging.getLogger("clausebot.questions")

PAGE = 3  # passages per answer; "More" shows the next ones
RATE_LIMIT = (5, 10.0)  # questions per user per seconds
INLINE_LIMIT = (30, 10.0)  # inline searches per user per seconds
REMEMBERED = 2000  # answers kept for edits, and inline answers kept for repeats
_START_CLAUSE = re.compile(r"^c_([a-z0-9-]+)_(\d{1,6})$")
SHOWN_EXAMPLES = 3  # example questions /help offers, from the documents' front matter
LISTED = 25  # documents a message of /documents lists at most; "More" lists the next ones
LISTED_IN_HELP = 10  # ... and /help, before "and N more"
LIST_ROOM = LIMIT - 400  # what a page of the listing may take of a message


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


def bot_state(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    state: BotState = context.application.bot_data["state"]
    return state


def user_language(update: Update) -> str:
    user = update.effective_user
    return language(user.language_code if user else None)


def labels(lang: str) -> Labels:
    return Labels(
        t(lang, "not_answered"),
        t(lang, "closest"),
        t(lang, "score"),
        t(lang, "uncertain"),
        t(lang, "also_in"),
    )


async def allowed(limiter: Limiter, user_id: int) -> bool:
    """Count a request against a limit; a limit kept in a database is asked off the event
    loop, so that a slow database never holds up the other chats."""
    if getattr(limiter, "blocking", False):
        return await asyncio.to_thread(limiter.allow, user_id)
    return limiter.allow(user_id)


def remember(cache: OrderedDict[Any, Any], key: Any, value: Any) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > REMEMBERED:
        cache.popitem(last=False)


# -- asking ------------------------------------------------------------------------------------


async def answer_question(
    update: Update, context: ContextTypes.DEFAULT_TYPE, question: str
) -> None:
    state = bot_state(context)
    message = update.effective_message
    user = update.effective_user
    assert message is not None
    lang = user_language(update)
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
    if NOTHING_ASKED in answer.notes:  # "what": the engine quoted no clause, so nothing to log
        await reply(message, esc(t(lang, "vague")))
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
    blocks = render_answer(answer, labels(lang), lambda p: clause_link(state.username, p.clause))
    if answer.unplaced:  # "What does Article 9 say?" of four articles: say so first
        blocks.insert(0, esc(t(lang, "no_place", places=", ".join(answer.unplaced))))
    if REPEATS_NOTE in answer.notes:  # "word word word ...": say how the question was read
        blocks.insert(0, esc(t(lang, "repeated")))
    if not answer.passages and not await documents_listed(context):
        blocks = [esc(t(lang, "no_documents"))]  # not "the documents do not answer": there are none
    key = (message.chat.id, message.message_id)
    earlier = state.answered.get(key) if update.edited_message is not None else None
    sent = await send_blocks(message, blocks, answer_buttons(lang, question_id, PAGE, top), earlier)
    remember(state.answered, key, sent)


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
    question = _addressed(message, bot_state(context))
    if question is not None:
        await answer_question(update, context, question)


async def on_ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    question = " ".join(context.args or [])
    if not question:
        await reply(message, esc(t(user_language(update), "ask_usage")))
        return
    await answer_question(update, context, question)


async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice…: a short explanation in private chats, or when addressed."""
    message = update.effective_message
    if message is None:
        return
    state = bot_state(context)
    reply_to = message.reply_to_message
    to_bot = (
        reply_to is not None
        and reply_to.from_user is not None
        and (reply_to.from_user.username == state.username)
    )
    if message.chat.type == ChatType.PRIVATE or to_bot:
        await reply(message, esc(t(user_language(update), "non_text")))


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
    lang = user_language(update)
    documents = await documents_listed(context)
    page, end = _documents_page(documents, 0, LISTED_IN_HELP)
    listing = [esc(t(lang, "intro")), page]
    if end < len(documents):  # a large corpus: the rest in /documents
        listing.append(esc(t(lang, "documents_more", more=len(documents) - end)))
    if not documents:
        listing = [esc(t(lang, "no_documents"))]
    lines = [*listing, "", esc(t(lang, "how"))]
    examples = _examples([doc for doc, _ in documents])
    if examples:  # the corpus's own, when its documents offer some (front matter `examples:`)
        lines += ["", esc(t(lang, "examples"))]
        lines.extend(f"• <i>{esc(example)}</i>" for example in examples)
    user = update.effective_user
    if user is not None and user.id in bot_state(context).settings.admins:
        lines += ["", esc(t(lang, "admin_help"))]  # what only they may do
    await reply(message, "\n".join(lines))


async def documents_listed(context: ContextTypes.DEFAULT_TYPE) -> list[tuple[DocumentInfo, str]]:
    """The index's documents, each with the language it is written in (its dates are
    written in it, as its citations are)."""

    def listed() -> list[tuple[DocumentInfo, str]]:
        loaded = bot_state(context).engine.index()
        return [(doc, citation_language(loaded, doc.doc_id)) for doc in loaded.documents.values()]

    return await asyncio.to_thread(listed)


def _examples(documents: list[DocumentInfo]) -> list[str]:
    """Up to SHOWN_EXAMPLES example questions, the documents' in turn: one from each first."""
    offered = [doc.example_questions for doc in documents]
    picked: list[str] = []
    for n in range(max((len(questions) for questions in offered), default=0)):
        picked += [questions[n] for questions in offered if n < len(questions)]
    return picked[:SHOWN_EXAMPLES]


def _documents_page(
    documents: list[tuple[DocumentInfo, str]], start: int, most: int = LISTED
) -> tuple[str, int]:
    """The documents from `start` as HTML lines, as many as one message holds (`most` at
    most), and where the next page starts."""
    lines: list[str] = []
    for doc, written_in in documents[start : start + most]:
        line = (
            f"• <b>{esc(doc.title)}</b>"
            + (f" ({esc(human_date(doc.date, written_in))})" if doc.date else "")
            + f" — <code>{esc(doc.doc_id)}</code>"
        )
        if lines and telegram_length("\n".join([*lines, line])) > LIST_ROOM:
            break
        lines.append(line)
    return "\n".join(lines), start + len(lines)


async def on_documents(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    lang = user_language(update)
    await show_documents(message, lang, await documents_listed(context), 0)


async def show_documents(
    message: Message, lang: str, documents: list[tuple[DocumentInfo, str]], start: int
) -> None:
    """The documents from `start`, a page of them, with a button for the next page."""
    if not documents:
        await reply(message, esc(t(lang, "no_documents")))
        return
    page, end = _documents_page(documents, start)
    heading = (
        t(lang, "documents")
        if start == 0 and end == len(documents)
        else t(lang, "documents_part", first=start + 1, last=end, total=len(documents))
    )
    more = None
    if end < len(documents):
        button = InlineKeyboardButton(t(lang, "more"), callback_data=f"d:{end}:0")
        more = InlineKeyboardMarkup([[button]])
    await reply(message, f"{esc(heading)}\n{page}", reply_markup=more)


async def on_clause(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    args = context.args or []
    if len(args) != 2 or not args[1].lstrip("¶").isdigit():
        loaded = await asyncio.to_thread(bot_state(context).engine.index)
        example = next(iter(loaded.documents), "document-id")
        await reply(message, esc(t(user_language(update), "clause_usage", example=example)))
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
    state = bot_state(context)
    loaded = await asyncio.to_thread(state.engine.index)
    if loaded.clause(doc_id, number) is None:
        await reply(message, esc(t(user_language(update), "no_clause")))
        return
    blocks = []
    asked = ""  # the question the clauses shown so far stand under (Passage.heading_question)
    wrap = loaded.wrap(doc_id)
    for n in range(number - neighbours, number + neighbours + 1):
        clause = loaded.clause(doc_id, n)
        if clause is None:
            continue
        question, gap = loaded.heading_question(clause)
        if question == asked:  # quoted over a clause shown before it
            question, gap = "", False
        asked = question or asked
        citation = cited(loaded, clause)
        body = quote(
            Passage(clause, citation, 0.0, wrap=wrap, heading_question=question, question_gap=gap)
        )
        if n == number and neighbours:
            body = f"<b>▸</b>{body}"
        blocks.append(f"{body}\n{citation_line(citation.text)}")
    await send_blocks(message, blocks)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    if isinstance(update, Update):
        chat = update.effective_chat.type if update.effective_chat else None
        described = f"{update.update_id} (chat {chat})"
    else:
        described = type(update).__name__
    log.error("update %s failed", described, exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            await update.effective_message.reply_text(t(user_language(update), "error"))
        except Exception:  # the reply is a courtesy: never let it fail the error handler
            log.warning("could not tell the user about the error", exc_info=True)

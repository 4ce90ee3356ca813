"""Delivering to Telegram: Bot API calls retried with back-off, replies, answers split to
Telegram's length (an edited question's answer edited in place), and the buttons under an
answer. Used by the handlers (bot/telegram_handlers.py, bot/telegram_inline.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.i18n import t
from bot.telegram_html import split_blocks
from retrieval.types import Clause, Passage

RETRIES = 3
T = TypeVar("T")


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


def clause_link(username: str, clause: Clause) -> str | None:
    """A link that opens the bot on this clause (/start c_<doc>_<number>), if it has a name."""
    if not username:
        return None
    return f"https://t.me/{username}?start=c_{clause.doc_id}_{clause.number}"


def answer_buttons(
    lang: str, question_id: int, shown: int, top: Passage | None
) -> InlineKeyboardMarkup:
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


async def send_blocks(
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

"""Telegram's buttons and inline mode: "More", "Context" and the votes under an answer, and
answers offered as the user types @bot in any chat.
"""

from __future__ import annotations

import asyncio
import re

from telegram import InlineQueryResultArticle, InputTextMessageContent, Message, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.i18n import language, t
from bot.telegram_handlers import (
    PAGE,
    allowed,
    bot_state,
    documents_listed,
    labels,
    remember,
    show_clause,
    show_documents,
    user_language,
)
from bot.telegram_html import citation_line, quote, render_answer
from bot.telegram_send import answer_buttons, clause_link, send_blocks, with_retry
from retrieval.errors import QuestionError
from retrieval.question import MAX_CHARS
from retrieval.reflow import shown

INLINE_SETTLE = 0.4  # seconds an inline query must stand before it is searched
_CALLBACK = re.compile(r"^(m|x|f|d):([a-z0-9-]+|\d+):(\d{1,6}|u|d)$")


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    state = bot_state(context)
    lang = user_language(update)
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
    if kind == "d" and key.isdigit() and isinstance(query.message, Message):
        documents = await documents_listed(context)
        if int(key) >= len(documents):
            await with_retry(lambda: query.answer(t(lang, "expired")))
            return
        await with_retry(lambda: query.answer())
        await show_documents(query.message, lang, documents, int(key))
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
        blocks = render_answer(
            answer, labels(lang), lambda p: clause_link(state.username, p.clause), start=shown
        )
        message = query.message
        if isinstance(message, Message):
            top = answer.passages[shown]
            await send_blocks(message, blocks, answer_buttons(lang, int(key), shown + PAGE, top))
        return
    await with_retry(lambda: query.answer(t(lang, "expired")))


async def on_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    inline = update.inline_query
    assert inline is not None
    state = bot_state(context)
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
        remember(state.inline_answers, question, answer)
    lang = language(inline.from_user.language_code)
    passages = answer.passages[:1] if answer.abstained else answer.passages
    results = []
    for passage in passages:
        title = passage.citation.text
        if answer.abstained:
            title = f"{t(lang, 'closest')} {title}"
        elif answer.uncertain:
            title = f"{t(lang, 'uncertain')} {title}"
        cited = citation_line(passage.citation.text, clause_link(state.username, passage.clause))
        body = f"{quote(passage)}\n{cited}"
        results.append(
            InlineQueryResultArticle(
                id=f"{passage.clause.doc_id}:{passage.clause.number}"[:64],
                title=title[:256],
                # the question its heading asks first: "No." alone tells nothing
                description=" ".join(
                    filter(None, (passage.heading_question, shown(passage.text, passage.wrap)))
                )[:200],
                input_message_content=InputTextMessageContent(
                    body, parse_mode=ParseMode.HTML, disable_web_page_preview=True
                ),
            )
        )
    await with_retry(lambda: inline.answer(results, cache_time=30))

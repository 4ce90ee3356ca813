"""The administrators' Telegram commands: /stats (questions, answers and votes, and whether
the corpus changed since the index was built), /reindex (the index built again, the old one
serving until the new one is whole; so too after a document is sent to the bot,
bot/telegram_upload.py) and /remove <document> (the document taken out of the corpus, as
`clausebot remove` takes it, and the index built again). Only the users the settings name
as administrators (CLAUSEBOT_ADMINS) may use them; others are told so, politely.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.i18n import t
from bot.telegram_handlers import BotState, bot_state, user_language
from bot.telegram_html import esc
from bot.telegram_send import reply
from retrieval.citation import shortened
from retrieval.corpus_edit import remove_document
from retrieval.errors import ClausebotError
from retrieval.status import changes_since_build, outdated

SKIPPED_SHOWN = 10  # files a rebuild left out that its report names; the log names them all
SHOWN_CHARS = 300  # of each, and of each most-asked question /stats shows

log = logging.getLogger(__name__)


async def as_admin(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> tuple[Message, BotState, str] | None:
    """The message, state and language if the sender is an admin; else a polite refusal."""
    message = update.effective_message
    assert message is not None
    state = bot_state(context)
    lang = user_language(update)
    user = update.effective_user
    if user is None or user.id not in state.settings.admins:
        await reply(message, esc(t(lang, "not_admin")))
        return None
    return message, state, lang


async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    admin = await as_admin(update, context)
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
        lines.extend(f"{n} × <i>{esc(shortened(q, SHOWN_CHARS))}</i>" for q, n in stats.top)
    changes = await asyncio.to_thread(changes_since_build, state.engine)
    if changes:
        lines.append(esc(t(lang, "corpus_changed", documents=changes.named())))
    if await asyncio.to_thread(outdated, state.engine):
        lines.append(esc(t(lang, "index_outdated")))
    await reply(message, "\n".join(lines))


async def on_reindex(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    admin = await as_admin(update, context)
    if admin is None:
        return
    await rebuild(*admin)


async def rebuild(message: Message, state: BotState, lang: str) -> None:
    """The index built again from the corpus, the old one serving until then; what it read
    told, and what it skipped."""
    await reply(message, esc(t(lang, "reindexing")))
    try:
        report = await asyncio.to_thread(state.engine.build)
    except ClausebotError as exc:
        await reply(message, esc(str(exc)))
        return
    text = t(lang, "reindexed", **{k: v for k, v in report.to_json().items() if k != "skipped"})
    for problem in report.skipped:
        log.warning("skipped %s", problem)
    for problem in report.skipped[:SKIPPED_SHOWN]:
        text += f"\n⚠ {shortened(str(problem), SHOWN_CHARS)}"
    if len(report.skipped) > SKIPPED_SHOWN:  # a folder of many: one message holds a few
        text += "\n" + t(lang, "skipped_more", more=len(report.skipped) - SKIPPED_SHOWN)
    await reply(message, esc(text))


async def on_remove(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    admin = await as_admin(update, context)
    if admin is None:
        return
    message, state, lang = admin
    args = context.args or []
    if len(args) != 1:
        loaded = await asyncio.to_thread(state.engine.index)
        example = next(iter(loaded.documents), "document-id")
        await reply(message, esc(t(lang, "remove_usage", example=example)))
        return
    settings = state.settings
    try:
        info, aside = await asyncio.to_thread(
            remove_document, settings.corpus, args[0], settings.max_file_mb
        )
    except ClausebotError as exc:
        await reply(message, esc(str(exc).replace("`clausebot documents`", "/documents")))
        return
    except OSError as exc:
        await unwritable(message, lang, "remove_unwritable", exc)
        return
    kept = aside.relative_to(settings.corpus)
    await reply(message, esc(t(lang, "removed", title=info.title, id=info.doc_id, kept=kept)))
    await rebuild(message, state, lang)


async def unwritable(message: Message, lang: str, phrase: str, exc: OSError) -> None:
    """The corpus folder could not be written (mounted read-only, as docker-compose.yml
    mounts it for the bot): said with `phrase`, in the administrator's language."""
    log.warning("the corpus folder cannot be written: %s", exc)
    await reply(message, esc(t(lang, phrase, reason=exc.strerror or type(exc).__name__)))

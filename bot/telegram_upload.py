"""A document sent to the bot by an administrator, in a private chat: added to the corpus and
the index built again (as `clausebot add` does), the old index serving until the new one is
whole. The caption, if any, gives the document's details a line each ("title: Tariffs",
"date: 2013-04-02"; a first line without a key is its title); "replace: yes" replaces a document
of the same file name. A file the corpus cannot hold (its format, its size, a damaged file,
an id another document has) is refused with the reason, and the corpus is left as it was.
Anyone else's document goes where it went before: its caption is a question. So too a
document at a web address an administrator gives with /add (as `clausebot add URL`).
"""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
import tempfile
from pathlib import Path

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.i18n import t
from bot.telegram_admin import as_admin, rebuild, unwritable
from bot.telegram_handlers import BotState, bot_state, user_language
from bot.telegram_html import esc
from bot.telegram_send import reply, with_retry
from retrieval.corpus import SUFFIXES
from retrieval.corpus_edit import ADD_KEYS, add_document
from retrieval.errors import CorpusError, DocumentExistsError, IdTakenError
from retrieval.fetch import fetch, is_url
from retrieval.folder import file_name
from retrieval.settings import YES
from retrieval.types import Document

log = logging.getLogger(__name__)

# the largest file a bot may fetch from Telegram's servers (getFile)
TELEGRAM_MB = 20
_KEY = re.compile(r"^\s*([A-Za-z][A-Za-z_-]*)\s*:\s*(.*?)\s*$")
# "yes" as the settings read it, or in the bot's other languages
_YES = frozenset({*YES, "да", "bəli", "evet"})


class CaptionError(ValueError):
    """A caption that does not give a document's details as they are given."""


def caption_details(caption: str) -> tuple[dict[str, str], bool]:
    """The document's details a caption gives (ADD_KEYS), and whether it replaces a document
    of the same name ("replace: yes"). A first line that is no "key: value" is the title."""
    lines = [line for line in caption.splitlines() if line.strip()]
    details: dict[str, str] = {}
    if lines and not _KEY.match(lines[0]):
        details["title"] = lines.pop(0).strip()
    replace = False
    for line in lines:
        match = _KEY.match(line)
        key = match.group(1).lower().replace("-", "_") if match else ""
        if match is None or key not in (*ADD_KEYS, "replace"):
            raise CaptionError(line.strip())
        if key == "replace":
            replace = match.group(2).lower() in _YES
        elif match.group(2):
            details[key] = match.group(2)
    return details, replace


async def on_upload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An administrator's document (the filter registering this handler lets no one else's
    through): checked, fetched, added to the corpus, and the index rebuilt."""
    message = update.effective_message
    assert message is not None and message.document is not None
    state = bot_state(context)
    lang = user_language(update)
    name = file_name(message.document.file_name or "")
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        formats = ", ".join(SUFFIXES)
        await reply(message, esc(t(lang, "upload_format", name=name or "?", formats=formats)))
        return
    limit = min(state.settings.max_file_mb, TELEGRAM_MB)
    size = (message.document.file_size or 0) / 1024 / 1024
    if size > limit:
        await reply(
            message, esc(t(lang, "upload_size", name=name, size=f"{size:.1f}", limit=f"{limit:g}"))
        )
        return
    given = await _given(message, lang, message.caption or "")
    if given is None:
        return
    details, replace = given
    if not replace and (state.settings.corpus / name).exists():
        await reply(message, esc(t(lang, "upload_exists", name=name)))
        return
    folder = Path(tempfile.mkdtemp(prefix="clausebot-upload-"))
    try:
        path = folder / name
        try:
            file = await with_retry(lambda: message.document.get_file())  # type: ignore[union-attr]
            await with_retry(lambda: file.download_to_drive(path))
        except (TelegramError, OSError) as exc:
            log.warning("could not fetch %s: %s", name, exc)
            await reply(message, esc(t(lang, "upload_fetch", name=name)))
            return
        added = await _added(message, state, lang, path, details, replace)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if added is not None:
        await rebuild(message, state, lang)


async def on_add(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/add <address> [details]: an administrator's document fetched from the web (as
    `clausebot add URL` fetches it), added, and the index rebuilt; the lines after the
    command give its details as a caption does."""
    admin = await as_admin(update, context)
    if admin is None:
        return
    message, state, lang = admin
    first, _, rest = (message.text or "").partition("\n")
    words = first.split()[1:]
    if len(words) != 1 or not is_url(words[0]):
        await reply(message, esc(t(lang, "add_usage")))
        return
    given = await _given(message, lang, rest)
    if given is None:
        return
    details, replace = given
    settings = state.settings
    folder = Path(tempfile.mkdtemp(prefix="clausebot-fetch-"))
    try:
        try:
            fetched = await asyncio.to_thread(
                fetch, words[0], folder, settings.max_file_mb, settings.fetch_local
            )
        except CorpusError as exc:
            await reply(message, esc(t(lang, "upload_refused", reason=str(exc))))
            return
        if fetched.encoding:
            details.setdefault("encoding", fetched.encoding)  # as the server names it
        added = await _added(message, state, lang, fetched.path, details, replace)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if added is not None:
        await rebuild(message, state, lang)


async def _given(message: Message, lang: str, caption: str) -> tuple[dict[str, str], bool] | None:
    """The details a caption gives (caption_details); None, with the form told, where it
    gives them otherwise."""
    try:
        return caption_details(caption)
    except CaptionError as exc:
        keys = ", ".join(ADD_KEYS)
        await reply(message, esc(t(lang, "upload_caption", line=str(exc), keys=keys)))
        return None


async def _added(
    message: Message,
    state: BotState,
    lang: str,
    path: Path,
    details: dict[str, str],
    replace: bool,
) -> Document | None:
    """The file at `path` added to the corpus (corpus_edit.add_document) and said so; None,
    with the reason said, where the corpus cannot take it."""
    settings = state.settings
    try:
        added = await asyncio.to_thread(  # the file named alone, not the folder it waited in
            add_document, settings.corpus, path, details, replace, settings.max_file_mb, path.name
        )
    except DocumentExistsError as exc:
        await reply(message, esc(t(lang, "upload_exists", name=exc.name)))
        return None
    except IdTakenError as exc:
        await reply(message, esc(t(lang, "upload_id_taken", id=exc.doc_id, other=exc.other)))
        return None
    except CorpusError as exc:
        await reply(message, esc(t(lang, "upload_refused", reason=str(exc))))
        return None
    except OSError as exc:
        await unwritable(message, lang, "upload_unwritable", exc)
        return None
    log.info("added %s as %s", path.name, added.doc_id)
    await reply(message, esc(t(lang, "uploaded", title=added.info.title, id=added.doc_id)))
    return added

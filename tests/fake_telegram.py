"""A fake Telegram Bot API server on 127.0.0.1 that speaks the real HTTP protocol.

python-telegram-bot talks to it through `base_url`, exactly as it talks to Telegram. It
rejects what Telegram rejects (bad HTML, empty text, text over 4096 characters, edits that
change nothing), can answer the next call with 429 (flood control), records every call, and
hands out updates to getUpdates or posts them to a webhook.
"""

from __future__ import annotations

import asyncio
import contextlib
import html.parser
import itertools
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.telegram_html import telegram_length
from tests.processes import child_env

BOT = {
    "id": 4242,
    "is_bot": True,
    "first_name": "Clausebot",
    "username": "clause_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-spoiler",
    "span",
    "tg-emoji",
}
JSON_FIELDS = {
    "reply_markup",
    "results",
    "reply_parameters",
    "link_preview_options",
    "allowed_updates",
    "entities",
    "commands",
}


class _HTMLCheck(html.parser.HTMLParser):
    """Parses Telegram HTML as Telegram does: known tags only, properly nested."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.error = self.error or f'Unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.error = self.error or f'Unmatched end tag "{tag}"'
            return
        self.stack.pop()


def check_html(text: str) -> str | None:
    # a bare & that does not start an entity is rejected by Telegram
    for i, ch in enumerate(text):
        if ch == "&":
            end = text.find(";", i)
            name = text[i + 1 : end] if end != -1 else ""
            if end == -1 or not (name in ("lt", "gt", "amp", "quot") or name.startswith("#")):
                return "Can't parse entities: character '&' is reserved"
    parser = _HTMLCheck()
    parser.feed(text)
    parser.close()
    if parser.error:
        return f"Can't parse entities: {parser.error}"
    if parser.stack:
        tag = parser.stack[-1]
        return f"Can't parse entities: can't find end tag corresponding to start tag \"{tag}\""
    return None


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class FakeTelegram:
    def __init__(self, token: str = "123456:TEST-token-secret") -> None:
        self.token = token
        self.calls: list[Call] = []
        self.updates: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.messages: dict[tuple[int, int], str] = {}
        self.fail_next: dict[str, int] = {}  # method -> how many calls answer 429
        self.reject_next: dict[str, int] = {}  # method -> how many calls answer 400
        self.break_next: dict[str, int] = {}  # method -> how many calls answer 502 (network)
        self.polled = asyncio.Event()  # set at the first getUpdates: the bot takes updates
        self._ids = itertools.count(1000)
        self._update_ids = itertools.count(1)
        self.webhook: dict[str, Any] | None = None
        self.files: dict[str, bytes] = {}  # file_path -> content, served under /file/bot...
        self.runner: web.AppRunner | None = None
        self.port = 0
        self._changed = asyncio.Event()

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # -- what tests use ----------------------------------------------------------------------

    def user(self, user_id: int = 1, lang: str = "en") -> dict[str, Any]:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": f"User{user_id}",
            "language_code": lang,
        }

    def chat(self, chat_id: int = 1, kind: str = "private") -> dict[str, Any]:
        chat: dict[str, Any] = {"id": chat_id, "type": kind}
        if kind != "private":
            chat["title"] = "Group"
        return chat

    def message(
        self,
        text: str | None = None,
        user_id: int = 1,
        chat_id: int | None = None,
        kind: str = "private",
        lang: str = "en",
        **extra: Any,
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": self.chat(chat_id if chat_id is not None else user_id, kind),
            "from": self.user(user_id, lang),
            **extra,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return message

    def document(self, name: str, content: bytes, mime: str = "") -> dict[str, Any]:
        """A Document a message carries, its content kept for getFile and the download."""
        file_id = f"file-{next(self._ids)}"
        self.files[f"documents/{file_id}"] = content
        document = {"file_id": file_id, "file_unique_id": file_id, "file_size": len(content)}
        return document | {"file_name": name} | ({"mime_type": mime} if mime else {})

    def push(self, **update: Any) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **update}
        self.updates.put_nowait(update)
        return update

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method
            and (chat_id is None or int(c.params.get("chat_id", 0)) == chat_id)
        ]

    async def wait_for(
        self, method: str, count: int = 1, timeout: float = 10.0, chat_id: int | None = None
    ) -> list[Call]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.sent(method, chat_id)
            if len(found) >= count:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"expected {count} {method} calls, saw {len(found)}: "
                    f"{[(c.method, c.params.get('text', '')[:60]) for c in self.calls]}"
                )
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.2))

    # -- the API -----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params: dict[str, Any] = {}
        if request.content_type == "application/json":
            params = await request.json()
        else:
            for key, value in (await request.post()).items():
                params[key] = (
                    json.loads(value) if key in JSON_FIELDS and isinstance(value, str) else value
                )
        if method != "getUpdates":
            self.calls.append(Call(method, params))
            self._changed.set()
        if self.fail_next.get(method):
            self.fail_next[method] -= 1
            return web.json_response(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                },
                status=429,
            )
        if self.break_next.get(method):
            self.break_next[method] -= 1
            return web.json_response(
                {"ok": False, "error_code": 502, "description": "Bad Gateway"}, status=502
            )
        if self.reject_next.get(method):
            self.reject_next[method] -= 1
            return web.json_response(
                {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
                status=400,
            )
        handler = getattr(self, f"api_{method}", None)
        if handler is None:
            return web.json_response({"ok": True, "result": True})
        try:
            result = await handler(params)
        except _Reject as exc:
            return web.json_response(
                {"ok": False, "error_code": 400, "description": str(exc)}, status=400
            )
        return web.json_response({"ok": True, "result": result})

    async def api_getFile(self, params: dict[str, Any]) -> Any:
        path = f"documents/{params.get('file_id')}"
        if path not in self.files:
            raise _Reject("Bad Request: invalid file_id")
        file_id = str(params["file_id"])
        size = len(self.files[path])
        return {"file_id": file_id, "file_unique_id": file_id, "file_size": size, "file_path": path}

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        content = self.files.get(request.match_info["path"])
        self.calls.append(Call("download", {"path": request.match_info["path"]}))
        self._changed.set()
        return web.Response(status=404) if content is None else web.Response(body=content)

    async def api_getMe(self, params: dict[str, Any]) -> Any:
        return BOT

    async def api_getUpdates(self, params: dict[str, Any]) -> Any:
        self.polled.set()
        timeout = min(float(params.get("timeout", 0) or 0), 1.0)
        offset = int(params.get("offset", 0) or 0)
        out = []
        try:
            if self.updates.empty() and timeout:
                out.append(await asyncio.wait_for(self.updates.get(), timeout))
            while not self.updates.empty():
                out.append(self.updates.get_nowait())
        except TimeoutError:
            pass
        return [u for u in out if u["update_id"] >= offset]

    def _check_text(self, text: Any, parse_mode: Any) -> str:
        if not isinstance(text, str) or not text.strip():
            raise _Reject("Bad Request: message text is empty")
        if parse_mode == "HTML":
            problem = check_html(text)
            if problem:
                raise _Reject(f"Bad Request: {problem}")
            length = telegram_length(text)
        else:
            length = len(text.encode("utf-16-le")) // 2
        if length > 4096:
            raise _Reject("Bad Request: message is too long")
        return text

    async def api_sendMessage(self, params: dict[str, Any]) -> Any:
        text = self._check_text(params.get("text"), params.get("parse_mode"))
        chat_id = int(params["chat_id"])
        message_id = next(self._ids)
        self.messages[(chat_id, message_id)] = text
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT,
            "text": text,
        }

    async def api_editMessageText(self, params: dict[str, Any]) -> Any:
        text = self._check_text(params.get("text"), params.get("parse_mode"))
        key = (int(params["chat_id"]), int(params["message_id"]))
        if self.messages.get(key) == text:
            raise _Reject(
                "Bad Request: message is not modified: specified new message content "
                "and reply markup are exactly the same as a current content"
            )
        self.messages[key] = text
        return {
            "message_id": key[1],
            "date": int(time.time()),
            "chat": {"id": key[0], "type": "private"},
            "text": text,
        }

    async def api_deleteMessage(self, params: dict[str, Any]) -> Any:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if self.messages.pop(key, None) is None:
            raise _Reject("Bad Request: message to delete not found")
        return True

    async def api_answerInlineQuery(self, params: dict[str, Any]) -> Any:
        for result in params.get("results", []):
            content = result.get("input_message_content", {})
            self._check_text(content.get("message_text"), content.get("parse_mode"))
        return True

    async def api_setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = params
        return True

    async def api_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = None
        return True


class _Reject(Exception):
    pass


async def spawn_bot(
    fake: FakeTelegram,
    env: dict[str, str],
    cwd: Path,
    *args: str,
    token: str | None = None,
    stderr: Any = None,
) -> asyncio.subprocess.Process:
    """`clausebot telegram ARGS` as a new process talking to `fake` with `token` (the fake's
    own by default). Its stderr goes to `stderr` (a file, a pipe), or nowhere."""
    import sys

    full = child_env(TELEGRAM_BOT_TOKEN=token or fake.token, TELEGRAM_API_URL=fake.base_url, **env)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "telegram",
        *args,
        env=full,
        cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL if stderr is None else stderr,
    )


async def start_bot(
    fake: FakeTelegram,
    env: dict[str, str],
    cwd: Path,
    *,
    stderr: Any = None,
) -> asyncio.subprocess.Process:
    """`clausebot telegram` as a new process talking to `fake`; returns once it polls.
    Its stderr goes to `stderr` (a file, say), or nowhere."""
    proc = await spawn_bot(fake, env, cwd, stderr=stderr)
    deadline = time.monotonic() + 60
    while not any(c.method == "deleteWebhook" for c in fake.calls):  # its first step of polling
        if proc.returncode is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"clausebot telegram did not start (exit {proc.returncode})")
        await asyncio.sleep(0.05)
    return proc

"""Two `clausebot telegram` replicas in webhook mode over one PostgreSQL database and one
index, against the fake Bot API: a button pressed on one acts on a question the other
answered, a user's rate limit holds across both, and a replica killed in a burst loses no
question that got an answer."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import signal
import statistics
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import psycopg
import pytest

from bot.storage import hash_user
from retrieval.engine import Engine
from retrieval.settings import Settings
from tests.conftest import CORPUS
from tests.fake_telegram import FakeTelegram
from tests.postgres_server import fresh_database
from tests.processes import child_env, free_port

SECRET = "replica-webhook-secret"
KEY = "replica-user-key"
QUESTION = "Who signed the letter to ICANN?"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The real models over the bundled corpus, built once (as the `index` service does)."""
    root = tmp_path_factory.mktemp("replicas")
    shutil.copytree(CORPUS, root / "corpus")
    Engine(Settings(corpus=root / "corpus", index=root / "index")).build()
    return root / "corpus", root / "index"


class Replica:
    def __init__(self, proc: asyncio.subprocess.Process, port: int) -> None:
        self.proc, self.port = proc, port
        self.url = f"http://127.0.0.1:{port}/hook"


@contextlib.asynccontextmanager
async def replicas(
    fake: FakeTelegram, index: tuple[Path, Path], database: str, tmp: Path, count: int
) -> AsyncIterator[list[Replica]]:
    corpus, built = index
    env = child_env(
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_URL=fake.base_url,
        CLAUSEBOT_CORPUS=str(corpus),
        CLAUSEBOT_INDEX=str(built),
        CLAUSEBOT_DATABASE_URL=database,
        CLAUSEBOT_USER_KEY=KEY,
        TELEGRAM_WEBHOOK_SECRET=SECRET,
    )
    started: list[Replica] = []
    try:
        for n in range(count):
            port = free_port()
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "telegram", "--listen", "127.0.0.1",
                "--port", str(port), "--url-path", "hook",
                "--webhook-url", f"http://127.0.0.1:{port}/hook",
                env={**env, "CLAUSEBOT_FEEDBACK_DB": str(tmp / f"state-{n}" / "fb.db")},
                stdout=asyncio.subprocess.DEVNULL,
                stderr=(tmp / f"replica-{n}.log").open("wb"),
            )  # fmt: skip
            started.append(Replica(proc, port))
        deadline = time.monotonic() + 90
        async with aiohttp.ClientSession() as session:
            for replica in started:
                while True:
                    if replica.proc.returncode is not None or time.monotonic() > deadline:
                        raise AssertionError(
                            f"replica on {replica.port} did not start: "
                            + (tmp / f"replica-{started.index(replica)}.log").read_text()[-2000:]
                        )
                    with contextlib.suppress(aiohttp.ClientError):
                        async with session.get(replica.url) as response:
                            if response.status in (200, 403, 405):
                                break
                    await asyncio.sleep(0.2)
        yield started
    finally:
        for replica in started:
            if replica.proc.returncode is None:
                replica.proc.send_signal(signal.SIGTERM)
        for replica in started:
            try:
                await asyncio.wait_for(replica.proc.wait(), 20)
            except TimeoutError:
                replica.proc.kill()
                await replica.proc.wait()


async def post(session: aiohttp.ClientSession, replica: Replica, update: dict[str, Any]) -> bool:
    """Deliver an update as Telegram would; False if the replica did not take it."""
    try:
        async with session.post(
            replica.url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        ) as response:
            return response.status == 200
    except aiohttp.ClientError:
        return False


def _update(fake: FakeTelegram, **body: Any) -> dict[str, Any]:
    return {"update_id": next(fake._update_ids), **body}


def test_two_replicas_share_history_limits_and_lose_nothing(
    index: tuple[Path, Path], postgres_url: str, tmp_path: Path
) -> None:
    database = fresh_database(postgres_url, "replicas")
    figures: dict[str, Any] = {}

    async def run() -> None:
        fake = FakeTelegram()
        await fake.start()
        try:
            async with (
                replicas(fake, index, database, tmp_path, 2) as (a, b),
                aiohttp.ClientSession() as session,
            ):
                assert fake.webhook is not None and fake.webhook["secret_token"] == SECRET
                # a question answered by A, its "More" pressed on B
                asked = fake.message(QUESTION, user_id=1)
                assert await post(session, a, _update(fake, message=asked))
                (answer,) = await fake.wait_for("sendMessage", chat_id=1, timeout=30)
                assert "Ali M. Abbasov" in answer.params["text"]
                markup = answer.params["reply_markup"]["inline_keyboard"]
                more = next(b for row in markup for b in row if b["text"].startswith("More"))
                press = {
                    "id": "press-1",
                    "from": fake.user(1),
                    "chat_instance": "1",
                    "message": {**fake.message(None, user_id=1), "text": "x"},
                    "data": more["callback_data"],
                }
                assert await post(session, b, _update(fake, callback_query=press))
                (_, following) = await fake.wait_for("sendMessage", 2, chat_id=1, timeout=30)
                assert following.params["text"].count("<blockquote>") >= 1
                # one user's burst over both replicas: one budget (5 questions in 10 s)
                burst = [
                    post(session, (a, b)[n % 2], _update(fake, message=fake.message(
                        f"What does the declaration say about topic {n}?", user_id=2)))
                    for n in range(10)
                ]  # fmt: skip
                assert all(await asyncio.gather(*burst))
                replies = await fake.wait_for("sendMessage", 10, chat_id=2, timeout=60)
                slowed = [r for r in replies if "asking quickly" in r.params["text"]]
                assert len(slowed) == 5 and len(replies) - len(slowed) == 5
                figures["two"] = await latencies(fake, session, [a, b], first_user=1000)
                # a replica killed in the middle of a burst from 40 users
                sent: dict[int, bool] = {}
                for n in range(40):
                    user = 200 + n
                    target = (a, b)[n % 2]
                    if n == 16:
                        a.proc.send_signal(signal.SIGKILL)
                        await a.proc.wait()
                    update = _update(fake, message=fake.message(QUESTION, user_id=user))
                    sent[user] = await post(session, target, update)
                    await asyncio.sleep(0.05)
                await asyncio.sleep(8)  # what B took is answered by now
                answered = {
                    int(c.params["chat_id"])
                    for c in fake.sent("sendMessage")
                    if 200 <= int(c.params["chat_id"]) < 240
                }
                with psycopg.connect(database) as conn:
                    stored = {row[0] for row in conn.execute("select chat_hash from questions")}
                lost = [u for u in answered if hash_user(u, KEY.encode()) not in stored]
                figures["killed"] = {
                    "updates_sent": 40,
                    "taken": sum(sent.values()),
                    "answered": len(answered),
                    "answered_but_missing_from_history": len(lost),
                }
                assert lost == []
                assert len(answered) >= sum(1 for u, ok in sent.items() if ok and u % 2 == 1)
            async with (
                replicas(fake, index, database, tmp_path, 1) as (one,),
                aiohttp.ClientSession() as session,
            ):
                figures["one"] = await latencies(fake, session, [one], first_user=2000)
        finally:
            await fake.stop()

    asyncio.run(asyncio.wait_for(run(), 300))
    (tmp_path / "figures.json").write_text(json.dumps(figures), encoding="utf-8")
    print(f"replica figures: {json.dumps(figures)}")


async def latencies(
    fake: FakeTelegram, session: aiohttp.ClientSession, targets: list[Replica], first_user: int
) -> dict[str, float]:
    """60 questions from 60 users, 4 at a time, spread over the replicas: seconds from the
    update's delivery to the answer's arrival at the Bot API."""
    times: list[float] = []

    async def one(n: int) -> None:
        user = first_user + n
        started = time.monotonic()
        update = _update(fake, message=fake.message(QUESTION, user_id=user))
        assert await post(session, targets[n % len(targets)], update)
        (answer,) = await fake.wait_for("sendMessage", chat_id=user, timeout=60)
        times.append(answer.at - started)

    for start in range(0, 60, 4):
        await asyncio.gather(*(one(n) for n in range(start, start + 4)))
    times.sort()
    return {
        "questions": len(times),
        "p50_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))] * 1000, 1),
    }

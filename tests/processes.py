"""The environment for a clausebot child process in tests and benchmarks: the caller's,
without any CLAUSEBOT_ or TELEGRAM_ setting that could leak in (but PASSED_ON), and able to
import the project from the checkout."""

from __future__ import annotations

import os
import socket
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# kept from the caller: whether the install's table of common words is read (tests turn it
# off, so that a word a test calls new is; retrieval.word_table)
PASSED_ON = ("CLAUSEBOT_WORD_TABLE",)


def child_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k in PASSED_ON or not k.startswith(("CLAUSEBOT_", "TELEGRAM_"))
    }
    return {**env, "PYTHONPATH": str(ROOT), **extra}

"""The environment for a clausebot child process in tests and benchmarks: the caller's,
without any CLAUSEBOT_ or TELEGRAM_ setting that could leak in, and able to import the
project from the checkout."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAUSEBOT_", "TELEGRAM_"))}
    return {**env, "PYTHONPATH": str(ROOT), **extra}

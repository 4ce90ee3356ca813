"""docker-compose.yml, the Dockerfile and .env.example, checked offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.settings import ENVIRONMENT
from tests.conftest import ROOT
from tests.deploy_checks import compose_problems, dockerfile_problems


def test_compose_file_is_valid_and_matches_the_code() -> None:
    assert compose_problems(ROOT / "docker-compose.yml") == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("restart: unless-stopped", "restrat: unless-stopped", "was unexpected"),
        ('command: ["clausebot", "telegram"]', 'command: ["clausebot", "serve"]', "not a valid"),
        ("CLAUSEBOT_INDEX: /data/index", "CLAUSEBOT_INDX: /data/index", "does not read"),
        ("      read_only: true\n    - index", "      read_only: false\n    - index", "read-only"),
        ("  index:\n  state:\n", "  state:\n", "not declared"),
    ],
)
def test_a_broken_compose_file_is_rejected(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    problems = compose_problems(broken)
    assert problems and any(expected in p for p in problems), problems


def test_dockerfile_commands_exist() -> None:
    assert dockerfile_problems(ROOT / "Dockerfile", ROOT) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('CMD ["clausebot", "telegram"]', 'CMD ["clausebot", "serve"]', "not a valid"),
        ("USER clausebot", "USER root", "non-root"),
        ("COPY bot ./bot", "COPY robot ./bot", "no such file"),
        ('CMD ["clausebot", "health"]', 'CMD ["curl", "localhost"]', "not the clausebot"),
    ],
)
def test_a_broken_dockerfile_is_rejected(tmp_path: Path, old: str, new: str, expected: str) -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "Dockerfile"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    problems = dockerfile_problems(broken, ROOT)
    assert any(expected in p for p in problems), problems


def test_env_example_documents_every_setting() -> None:
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    keys = {line.split("=", 1)[0] for line in lines if "=" in line and not line.startswith("#")}
    assert keys == set(ENVIRONMENT)
    assert "TELEGRAM_BOT_TOKEN=\n" in (ROOT / ".env.example").read_text(encoding="utf-8")


def test_dockerignore_keeps_secrets_and_bulk_out() -> None:
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".env", ".venv", ".git", ".clausebot"} <= ignored

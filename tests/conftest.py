"""Shared fixtures: every test runs in its own folder, with a clean environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from retrieval.embed import HashingEmbedder
from retrieval.engine import Engine
from retrieval.settings import Settings
from retrieval.word_table import ENV as WORD_TABLE_SETTING
from retrieval.word_vectors import FOLDER as WORD_VECTORS
from retrieval.word_vectors import forget
from tests.processes import child_env

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED_DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for key in list(os.environ):
        if key.startswith(("CLAUSEBOT_", "TELEGRAM_")):
            monkeypatch.delenv(key)
    # no install's table of common words (retrieval.word_table): a word a test calls new is
    # new, whether or not this checkout has made the table; its own tests give it one
    monkeypatch.setenv(WORD_TABLE_SETTING, "off")
    monkeypatch.chdir(tmp_path)
    yield


def forget_words(index: Path) -> None:
    """No question word known, in memory or beside the index: as in a new process over a new
    index (retrieval.word_vectors)."""
    forget()
    shutil.rmtree(index / WORD_VECTORS, ignore_errors=True)


def as_built_by_an_earlier_version(index: Path) -> None:
    """Make the index at `index` read as an earlier clausebot built it: one that cut and cited
    documents otherwise (an earlier segmenter version in its manifest, sealed again)."""
    import json

    from retrieval.store import MANIFEST, SEGMENTER_VERSION, manifest_checksum

    path = index / "current" / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["inputs"]["segmenter"] = SEGMENTER_VERSION - 1
    manifest["checksum"] = manifest_checksum(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A private copy of the bundled corpus, free to edit."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
def settings(tmp_path: Path, corpus_dir: Path) -> Settings:
    return Settings(corpus=corpus_dir, index=tmp_path / "index", feedback_db=tmp_path / "fb.db")


@pytest.fixture
def fake_engine(settings: Settings) -> Engine:
    """An engine with the deterministic hashing embedder: fast, no model."""
    return Engine(settings, embedders=[HashingEmbedder()])


def run_cli(
    *args: str,
    cwd: Path,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run `clausebot` as a user would: a new process, exit code and streams captured."""
    proc = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env=child_env(**(env or {})),
        timeout=timeout,
    )
    return subprocess.CompletedProcess(
        proc.args,
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server for this test session (tests/postgres_server.py). If it
    cannot be started, the tests that need it fail, saying why: they are never skipped."""
    from tests.postgres_server import Cluster, PostgresUnavailable

    try:
        cluster = Cluster()
        url = cluster.start()
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL could not be started for the tests: {exc}", pytrace=False)
    try:
        yield url
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def lib() -> object:
    """clausebot's compiled engine (retrieval.native); the test is skipped without it."""
    from retrieval import native

    found = native.library()
    if found is None:
        pytest.skip("this install has no compiled engine, or the CPU lacks AVX2")
    return found

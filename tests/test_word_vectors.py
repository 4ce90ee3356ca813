"""The word bridge's single-word vectors kept on disk (retrieval.word_vectors): read back
exactly by a new process, and a damaged or unwritable file never costs an answer."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import numpy as np
import pytest

from retrieval import word_vectors
from retrieval.word_vectors import (
    SETTLED_AFTER,
    WORD_BYTES,
    find,
    forget,
    keep,
    missing,
    path_for,
)

MODEL = "some/model-v1"


def vectors(count: int, dim: int = 8, seed: int = 0) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((count, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.fixture(autouse=True)
def new_process() -> None:
    forget()


def test_a_new_process_reads_the_kept_words_exactly(tmp_path: Path) -> None:
    words = ["nüfusunun", "население", "Bakıda"]
    kept = vectors(3)
    keep(tmp_path, MODEL, words, kept)
    assert path_for(tmp_path, MODEL).stat().st_mode & 0o777 == 0o644  # readable by others
    keep(tmp_path, "other/model", ["население"], vectors(1, seed=1))
    forget()
    found = find(tmp_path, MODEL, [*words, "yeni"])
    assert list(found) == words
    for word, vector in zip(words, kept, strict=True):
        assert found[word].dtype == np.float32 and np.array_equal(found[word], vector)
    other = find(tmp_path, "other/model", ["население"])["население"]
    assert not np.array_equal(other, kept[1])
    # a word kept again is not written twice; one too long for a record is kept in memory
    size = path_for(tmp_path, MODEL).stat().st_size
    long = "ы" * WORD_BYTES
    keep(tmp_path, MODEL, [words[0], long], kept[:2])
    assert path_for(tmp_path, MODEL).stat().st_size == size
    assert missing(tmp_path, MODEL, [long]) == []
    forget()
    assert missing(tmp_path, MODEL, [*words, long]) == [long]


def test_a_record_cut_short_is_dropped_and_the_rest_kept(tmp_path: Path) -> None:
    keep(tmp_path, MODEL, ["one", "two"], vectors(2))
    path = path_for(tmp_path, MODEL)
    whole = path.read_bytes()
    path.write_bytes(whole[:-5])  # the last write under way (another process's), or cut short
    forget()
    assert missing(tmp_path, MODEL, ["one", "two"]) == ["two"]
    assert len(path.read_bytes()) == len(whole) - 5  # under way: left to its writer
    old = path.stat().st_mtime - 2 * SETTLED_AFTER
    os.utime(path, (old, old))  # cut short
    forget()
    assert missing(tmp_path, MODEL, ["one", "two"]) == ["two"]
    record = WORD_BYTES + 4 * 8 + 4
    assert len(path.read_bytes()) == len(whole) - record  # written again without it
    keep(tmp_path, MODEL, ["two"], vectors(1, seed=2))  # and appended to as before
    forget()
    assert missing(tmp_path, MODEL, ["one", "two"]) == []


def test_a_damaged_record_is_embedded_again_and_a_foreign_file_replaced(tmp_path: Path) -> None:
    keep(tmp_path, MODEL, ["one", "two", "three"], vectors(3))
    path = path_for(tmp_path, MODEL)
    data = bytearray(path.read_bytes())
    record = WORD_BYTES + 4 * 8 + 4
    data[len(data) - 2 * record + WORD_BYTES + 3] ^= 0xFF  # a flipped bit in "two"'s vector
    path.write_bytes(bytes(data))
    forget()
    assert missing(tmp_path, MODEL, ["one", "two", "three"]) == ["two"]
    keep(tmp_path, MODEL, ["two"], vectors(1, seed=3))
    forget()  # the good record, written after the damaged one, is the one read
    assert np.array_equal(find(tmp_path, MODEL, ["two"])["two"], vectors(1, seed=3)[0])
    path.write_bytes(b"\x00not a file of word vectors" * 50)
    forget()
    assert missing(tmp_path, MODEL, ["one"]) == ["one"]
    assert not path.exists()
    keep(tmp_path, MODEL, ["one"], vectors(1))
    forget()
    assert missing(tmp_path, MODEL, ["one"]) == []


def test_a_folder_that_cannot_be_written_keeps_words_in_memory(tmp_path: Path) -> None:
    (tmp_path / word_vectors.FOLDER).write_text("a file where the folder should be")
    keep(tmp_path, MODEL, ["one"], vectors(1))
    assert missing(tmp_path, MODEL, ["one"]) == []
    forget()
    assert missing(tmp_path, MODEL, ["one"]) == ["one"]


def _keep_in_a_process(root: Path, start: int) -> None:
    forget()
    for n in range(start, start + 40, 2):  # two words a write, as a question's batch
        keep(root, MODEL, [f"w{n}", f"w{n + 1}"], vectors(2, seed=n))


def test_processes_keeping_words_at_once_lose_none(tmp_path: Path) -> None:
    """Four processes append to one new file at once (one of them creates it): every word is
    read back, exactly."""
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=_keep_in_a_process, args=(tmp_path, s)) for s in range(0, 160, 40)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    found = find(tmp_path, MODEL, [f"w{n}" for n in range(160)])
    assert len(found) == 160
    for n in range(0, 160, 2):
        assert np.array_equal(found[f"w{n}"], vectors(2, seed=n)[0])
        assert np.array_equal(found[f"w{n + 1}"], vectors(2, seed=n)[1])


def test_a_file_system_without_hard_links_still_keeps_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(*_: object) -> None:
        raise PermissionError("hard links are not supported here")

    monkeypatch.setattr(os, "link", no_links)
    keep(tmp_path, MODEL, ["one"], vectors(1))
    keep(tmp_path, MODEL, ["two"], vectors(1, seed=1))
    forget()
    assert missing(tmp_path, MODEL, ["one", "two"]) == []

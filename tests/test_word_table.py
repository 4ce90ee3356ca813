"""The install's table of common words' vectors (retrieval.word_table): read back exactly,
found by the word bridge's lookups before anything is embedded, and a damaged, cut or
foreign file never costs an answer."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from retrieval import word_table, word_vectors
from retrieval.embed import HashingEmbedder
from retrieval.word_table import ENV, current, path_for, read, table, write
from tests.conftest import run_cli

MODEL = "some/model-v1"
WORDS = ["население", "nüfusunun", "Bakıda", "population"]


def vectors(count: int, dim: int = 8, seed: int = 0) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((count, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.fixture
def tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of tables that this process reads (CLAUSEBOT_WORD_TABLE), none open yet."""
    folder = tmp_path / "tables"
    monkeypatch.setenv(ENV, str(folder))
    word_table.forget()
    word_vectors.forget()
    return folder


def test_a_table_is_read_back_exactly_and_found_before_the_index_s_words(tables: Path) -> None:
    made = vectors(len(WORDS))
    write(path_for(tables, MODEL), WORDS, made)
    assert path_for(tables, MODEL).stat().st_mode & 0o777 == 0o644  # readable by others
    opened = table(MODEL)
    assert opened is not None and table("other/model") is None
    for word, vector in zip(WORDS, made, strict=True):
        got = opened.get(word)
        assert got is not None and got.dtype == np.float32 and np.array_equal(got, vector)
    assert opened.get("Население") is None  # a word as written, not folded
    # the bridge's lookups find the table's words, with no index folder at all
    index = tables.parent / "index"
    found = word_vectors.find(index, MODEL, [*WORDS, "yeni"])
    assert list(found) == WORDS
    assert word_vectors.missing(index, MODEL, [*WORDS, "yeni"]) == ["yeni"]
    assert not (index / word_vectors.FOLDER).exists()  # nothing was written for them


def test_off_means_no_table(tables: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(path_for(tables, MODEL), WORDS, vectors(len(WORDS)))
    monkeypatch.setenv(ENV, "off")
    word_table.forget()
    assert word_table.folder() is None and table(MODEL) is None
    assert word_vectors.missing(None, MODEL, WORDS) == WORDS
    # empty, as .env.example leaves it: the install's own table, as every setting left empty
    monkeypatch.setenv(ENV, "")
    assert word_table.folder() == word_table.FOLDER


def test_a_damaged_vector_is_embedded_instead(
    tables: Path, caplog: pytest.LogCaptureFixture
) -> None:
    made = vectors(len(WORDS))
    path = path_for(tables, MODEL)
    write(path, WORDS, made)
    data = bytearray(path.read_bytes())
    data[-5] ^= 0xFF  # inside the last word's vector
    path.write_bytes(bytes(data))
    opened = table(MODEL)
    assert opened is not None
    assert np.array_equal(opened.get(WORDS[0]), made[0])
    assert opened.get(WORDS[-1]) is None
    assert "damaged" in caplog.text
    assert word_vectors.missing(None, MODEL, WORDS) == [WORDS[-1]]


@pytest.mark.parametrize("damage", ["cut", "foreign", "empty", "grown"])
def test_a_file_that_is_not_whole_is_not_used(
    tables: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    path = path_for(tables, MODEL)
    write(path, WORDS, vectors(len(WORDS)))
    data = path.read_bytes()
    if damage == "cut":
        data = data[:-3]
    elif damage == "foreign":
        data = b"GIF89a" + data[6:]
    elif damage == "empty":
        data = b""
    else:
        data += b"\0" * 64
    path.write_bytes(data)
    assert read(path) is None
    assert table(MODEL) is None
    assert path.name in caplog.text
    assert word_vectors.missing(None, MODEL, WORDS) == WORDS


def test_a_damaged_word_or_lookup_finds_nothing_rather_than_another_word(
    tables: Path,
) -> None:
    """A byte of a word's text or of the lookup changed: the word is not found (it is then
    embedded with its question), and never another word's vector in its place."""
    made = vectors(len(WORDS))
    path = path_for(tables, MODEL)
    write(path, WORDS, made)
    data = bytearray(path.read_bytes())
    at = data.index("nüfusunun".encode())
    data[at] ^= 0x01  # "oüfusunun"
    path.write_bytes(bytes(data))
    opened = table(MODEL)
    assert opened is not None
    assert opened.get("nüfusunun") is None and opened.get("oüfusunun") is None
    assert np.array_equal(opened.get("население"), made[0])
    # every slot of the lookup pointing at the first word's row
    layout = opened.layout
    data[layout.hashed : layout.hashed + 4 * layout.slots] = b"\x01\0\0\0" * layout.slots
    path.write_bytes(bytes(data))
    word_table.forget()
    opened = table(MODEL)
    assert opened is not None
    assert np.array_equal(opened.get("население"), made[0])
    assert [opened.get(w) for w in WORDS[2:]] == [None, None]


def test_no_table_is_no_table(tables: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert table(MODEL) is None
    assert caplog.text == ""


def test_a_new_table_replaces_the_old_at_once(tables: Path) -> None:
    """A process that has the old table open goes on reading it whole; a new process reads
    the new one."""
    path = path_for(tables, MODEL)
    old, new = vectors(len(WORDS)), vectors(2, seed=1)
    write(path, WORDS, old)
    opened = table(MODEL)
    write(path, WORDS[:2], new)
    assert opened is not None and np.array_equal(opened.get(WORDS[3]), old[3])
    assert [p.name for p in tables.iterdir()] == [path.name]  # no temporary file left
    renewed = table(MODEL)
    assert renewed is not None and renewed.get(WORDS[3]) is None
    assert np.array_equal(renewed.get(WORDS[1]), new[1])


def test_words_that_a_table_cannot_hold_are_refused(tables: Path) -> None:
    with pytest.raises(ValueError):
        write(path_for(tables, MODEL), ["two\nlines"], vectors(1))
    with pytest.raises(ValueError):
        write(path_for(tables, MODEL), WORDS, vectors(2))


def test_clausebot_words_makes_the_table_a_later_process_reads(
    tmp_path: Path, corpus_dir: Path
) -> None:
    """`clausebot words` embeds the list's words with the configured model, as the bridge
    would, into the folder given; the table holds each word's vector exactly, and
    `clausebot status` says an index's questions read it."""
    folder = tmp_path / "tables"
    hashing = {"CLAUSEBOT_MODEL": "hashing"}
    paths = ("--corpus", str(corpus_dir), "--index", str(tmp_path / "index"))
    assert run_cli("index", *paths, cwd=tmp_path, env=hashing).returncode == 0
    status = json.loads(run_cli("status", *paths, "--json", cwd=tmp_path).stdout)
    assert status["word_table"] is None  # (the tests turn the package's off)
    result = run_cli("words", "--folder", str(folder), cwd=tmp_path, env=hashing)
    assert result.returncode == 0, result.stderr
    listed = word_table.words()
    assert f"{len(listed)} common words' vectors" in result.stdout
    assert len(listed) > 10_000 and "население" in listed and "Nasıl" in listed
    embedder = HashingEmbedder()
    opened = read(path_for(folder, embedder.name))
    assert opened is not None and len(opened) == len(listed)
    some = listed[:: len(listed) // 50]
    expected = embedder.embed(some, query=True)
    assert all(np.array_equal(opened.get(w), v) for w, v in zip(some, expected, strict=True))
    # made again, it is up to date: not written again; with --force it is
    made = opened.path.stat().st_mtime_ns
    again = run_cli("words", "--folder", str(folder), cwd=tmp_path, env=hashing)
    assert again.returncode == 0 and "up to date" in again.stdout
    assert opened.path.stat().st_mtime_ns == made
    forced = run_cli("words", "--folder", str(folder), "--force", cwd=tmp_path, env=hashing)
    assert forced.returncode == 0 and "up to date" not in forced.stdout
    assert opened.path.stat().st_mtime_ns != made
    shown = run_cli("status", *paths, "--json", cwd=tmp_path, env={ENV: str(folder)})
    assert json.loads(shown.stdout)["word_table"] == {
        "path": str(opened.path),
        "words": len(listed),
    }
    shown = run_cli("status", *paths, cwd=tmp_path, env={ENV: str(folder)})
    assert f"word table: {len(listed):,} common words" in shown.stdout


def test_a_table_is_current_only_with_the_same_words_and_the_model_s_vectors(
    tables: Path,
) -> None:
    """`clausebot words` makes a table again unless it holds the list's words and the model
    still gives some of them the vectors it holds (a model changed under its name)."""
    embedder = HashingEmbedder(dim=8)
    listed = [f"word{n}" for n in range(40)]
    path = path_for(tables, embedder.name)
    write(path, listed, embedder.embed(listed, query=True))
    assert current(embedder, path, listed)
    assert not current(embedder, path, listed[:-1])
    assert not current(embedder, path, [*listed[:-1], "other"])
    assert not current(HashingEmbedder(dim=16), path, listed)
    changed = embedder.embed(listed, query=True)
    changed[-1] = -changed[-1]  # the last word is one of the words embedded again
    write(path, listed, changed)
    assert not current(embedder, path, listed)
    assert not current(embedder, tables / "none.bin", listed)


def test_clausebot_words_says_where_it_cannot_write(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    result = run_cli(
        "words", "--folder", str(blocked), cwd=tmp_path, env={"CLAUSEBOT_MODEL": "hashing"}
    )
    assert result.returncode == 1
    assert "word table could not be written" in result.stderr
    assert "Traceback" not in result.stderr

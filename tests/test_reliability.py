"""Bad input, faults and concurrency: each case ends in a clear message, never a traceback,
never a half-written index. docs/reliability.md lists the promises these tests hold."""

from __future__ import annotations

import fcntl
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrieval.engine import Engine
from retrieval.errors import IndexCorruptError, IndexMismatchError, QuestionError
from retrieval.evaluate import read_items
from retrieval.question import (
    MAX_CHARS,
    NOTHING_ASKED,
    REPEATS_NOTE,
    clean_question,
    names_nothing,
)
from retrieval.store import IndexStore
from tests.conftest import ROOT, run_cli
from tests.processes import child_env
from tests.test_formats import make_pdf

FAST = ("--model", "hashing")


def _paths(tmp_path: Path, corpus: Path) -> tuple[str, ...]:
    return ("--corpus", str(corpus), "--index", str(tmp_path / "idx"))


def _built(tmp_path: Path, corpus: Path) -> tuple[str, ...]:
    paths = _paths(tmp_path, corpus)
    result = run_cli("index", *paths, *FAST, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return paths


# -- questions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "Who signed the letter?\x1b[31m\x07\x08",  # escape and control characters
        "من وقّع الرسالة؟ מי חתם על המכתב?",  # right-to-left scripts
        "Кто signed the письмо? Məktub 🤔🔥",  # mixed scripts and emoji
        "<b>Who</b> signed the <script>alert(1)</script> letter?",  # HTML
        "**Who** signed _the_ `letter`? [x](http://e.x)",  # Markdown
        "‮Who signed the letter?‬",  # bidi overrides
    ],
)
def test_odd_questions_are_answered_verbatim(
    tmp_path: Path, corpus_dir: Path, question: str
) -> None:
    paths = _built(tmp_path, corpus_dir)
    result = run_cli("ask", *paths, "--json", question, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    corpus = "".join(p.read_text(encoding="utf-8") for p in corpus_dir.iterdir())
    assert answer["question"] == question
    assert answer["passages"] and all(p["text"] in corpus for p in answer["passages"])


def test_huge_question_is_truncated_with_a_note(tmp_path: Path, corpus_dir: Path) -> None:
    paths = _built(tmp_path, corpus_dir)
    pasted = "broadband for the schools of mountain villages " * 1_500  # 72,000 characters
    result = run_cli("ask", *paths, "--json", pasted, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["passages"] and "only its start was read" in answer["notes"][0]
    # in the terminal, the question is echoed as far as it was read, not all 72,000 characters
    result = run_cli("ask", *paths, pasted, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    echoed = result.stdout.splitlines()[0]
    assert echoed.startswith("Q: broadband for the") and echoed.endswith(" …")
    assert len(echoed) <= MAX_CHARS + len("Q:  …")
    assert "only its start was read" in result.stdout and "> " in result.stdout


def test_invalid_utf8_on_stdin_costs_only_that_line(tmp_path: Path, corpus_dir: Path) -> None:
    paths = _built(tmp_path, corpus_dir)
    stdin = b"Zarifa Aliyeva\n\xff\xfe broken \xc3\n\n   \nFadi Chehad\xc3\xa9\n"
    result = run_cli("ask", *paths, "--json", "-", cwd=tmp_path, stdin=stdin)
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["question"] for a in lines] == ["Zarifa Aliyeva", None, "Fadi Chehadé"]
    assert "line 2 is not valid UTF-8" in lines[1]["error"]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("question", "read"),
    [
        ("word " * 300, "word"),  # 1,500 characters, read as one word, not cut at 1,000
        ("Broadband, broadband. BROADBAND? in schools", "Broadband, in schools"),
        ("open data open data open data policy", "open data policy"),
        ("a b c d a b c d a b c d e", "a b c d e"),  # a phrase of four words
        ("word " * 100_000 + "in schools", "word in schools"),  # what follows a run is read
    ],
)
def test_a_run_of_repeats_is_read_once_with_a_note(question: str, read: str) -> None:
    assert clean_question(question) == (read, (REPEATS_NOTE,))


@pytest.mark.parametrize(
    "question",
    [
        "Who signed the letter, the letter to ICANN?",  # said twice: as asked
        "Is it very very important?",
        "a b c d e a b c d e a b c d e",  # a phrase longer than four words
    ],
)
def test_words_said_twice_or_far_apart_are_read_as_asked(question: str) -> None:
    assert clean_question(question) == (question, ())


def test_a_run_past_what_is_read_is_left_to_the_cut() -> None:
    """Words past the first MAX_CHARS are not read, repeated or not: no note of repeats."""
    start = " ".join(f"w{i}" for i in range(300))  # 1,389 characters
    text, notes = clean_question(f"{start} x x x")
    assert text.startswith("w0 w1 w2") and len(text) <= MAX_CHARS
    assert notes == (
        f"the question was longer than {MAX_CHARS} characters; only its start was read",
    )


def test_a_pasted_run_is_answered_as_the_words_it_repeats(fake_engine: Engine) -> None:
    """ "word" said 300 times is the question "word", not a strong match for any clause."""
    once = fake_engine.ask("governance forum")
    run = fake_engine.ask("governance forum " * 150)
    assert run.notes == (REPEATS_NOTE,)
    assert (run.abstained, run.confidence) == (once.abstained, once.confidence)
    assert [p.text for p in run.passages] == [p.text for p in once.passages]


@pytest.mark.parametrize(
    ("question", "nothing"),
    [
        ("what", True),
        ("What what what what?", True),
        ("Что что что что", True),
        ("Who is he?", True),
        ("What can I do?", True),  # "I" is no name
        ("¿Qué?", True),
        ("Ne mi?", True),
        ("WHO IS IT", True),  # in capitals throughout: no word is told as a name by them
        ("Who signed?", False),
        ("Что в России?", False),  # a name, told by its capital after the first word
        ("What about 2012?", False),  # a number
        ("İçin ne?", True),  # Turkish "İ" lowered as the list writes it
        ("Nə?", False),  # Azerbaijani: no list, so every word names something
    ],
)
def test_a_question_of_the_commonest_words_alone_names_nothing(
    question: str, nothing: bool
) -> None:
    assert names_nothing(question) is nothing


def test_no_question_of_the_benchmark_or_the_project_names_nothing() -> None:
    """The commonest words refuse no real question: none of the public benchmark's 3,083
    (five languages, every kind), nor of the project's own set or the dev set."""
    files = [
        ROOT / "benchmarks" / "xquad-dev" / "questions.jsonl",
        ROOT / "tests" / "questions.jsonl",
        ROOT.parent / "shared" / "eval" / "dev.jsonl",
    ]
    questions = [i.question for f in files if f.exists() for i in read_items(f)]
    assert len(questions) > 3000
    assert [q for q in questions if names_nothing(q)] == []
    # nor is any of them read other than as asked, repeats and all
    assert [q for q in questions if clean_question(q)[1]] == []


def test_a_question_that_names_nothing_quotes_no_clause(tmp_path: Path, corpus_dir: Path) -> None:
    """ "what" (or 3,000 of them) is no question the documents could answer: no clause is
    quoted for it, as a guess would be, and the note says what to ask instead."""
    paths = _built(tmp_path, corpus_dir)
    for question in ("what", "what " * 3000):
        result = run_cli("ask", *paths, "--json", question, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        answer = json.loads(result.stdout)
        assert answer["abstained"] and answer["passages"] == []
        assert answer["notes"][-1] == NOTHING_ASKED
    answer = json.loads(run_cli("ask", *paths, "--json", "Who signed?", cwd=tmp_path).stdout)
    assert answer["passages"] and NOTHING_ASKED not in answer.get("notes", [])
    # for people: asked to name something, as the bot asks it, not "do not answer"
    result = run_cli("ask", *paths, "what", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[2:] == [
        "Your question names nothing to look for in the documents. Say what you want to know "
        "about: a subject, a name, a date."
    ]


@pytest.mark.parametrize("k", ["0", "-3", "51", "x"])
def test_bad_k_is_a_usage_error(tmp_path: Path, k: str) -> None:
    result = run_cli("ask", "--k", k, "question", cwd=tmp_path)
    assert result.returncode == 2 and "--k" in result.stderr


def test_k_larger_than_the_corpus_returns_every_clause(tmp_path: Path, corpus_dir: Path) -> None:
    paths = _built(tmp_path, corpus_dir)
    answer = json.loads(
        run_cli("ask", *paths, "--json", "--k", "50", "broadband", cwd=tmp_path).stdout
    )
    assert len(answer["passages"]) == 29


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=300))
def test_any_text_gets_an_answer_or_a_clear_refusal(fake_engine: Engine, question: str) -> None:
    try:
        answer = fake_engine.ask(question, k=3)
    except QuestionError as exc:
        assert str(exc)
        return
    if NOTHING_ASKED in answer.notes:  # the commonest words alone: no clause is guessed
        read = clean_question(question)[0]  # the question as the engine read it
        assert answer.abstained and not answer.passages and names_nothing(read)
        return
    texts = {c.text for c in fake_engine.index().clauses}
    assert 0 < len(answer.passages) <= 3
    assert all(p.text in texts and p.citation.text for p in answer.passages)
    assert all(0.0 <= p.score <= 1.0 for p in answer.passages)


# -- the index ----------------------------------------------------------------------------------


def _generation_files(fake_engine: Engine) -> list[str]:
    fake_engine.build()
    folder = fake_engine.store.current()
    assert folder is not None
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_every_index_file_is_guarded(fake_engine: Engine) -> None:
    """Truncate or delete any one file of the index: loading says so and names the fix."""
    names = _generation_files(fake_engine)
    assert {"manifest.json", "clauses.json", "units.npy", "vectors-0.npy", "dense-0.faiss"} <= set(
        names
    )
    folder = fake_engine.store.current()
    assert folder is not None
    for name in names:
        path = folder / name
        original = path.read_bytes()
        for damaged in (original[: len(original) // 2], b""):
            path.write_bytes(damaged)
            with pytest.raises((IndexCorruptError, IndexMismatchError), match="clausebot index"):
                IndexStore(fake_engine.settings.index).load()
        path.unlink()
        with pytest.raises((IndexCorruptError, IndexMismatchError), match="clausebot index"):
            IndexStore(fake_engine.settings.index).load()
        path.write_bytes(original)
        IndexStore(fake_engine.settings.index).load()


def test_a_corrupt_index_is_rebuilt_by_the_next_index(tmp_path: Path, corpus_dir: Path) -> None:
    paths = _built(tmp_path, corpus_dir)
    current = (tmp_path / "idx" / "current").resolve()
    (current / "dense-0.faiss").write_bytes(b"\x00" * 10)
    assert run_cli("ask", *paths, "x", cwd=tmp_path).returncode == 1
    again = run_cli("index", *paths, "--json", cwd=tmp_path)
    assert again.returncode == 0 and json.loads(again.stdout.splitlines()[-1])["embedded"] == 29
    assert run_cli("ask", *paths, "broadband", cwd=tmp_path).returncode == 0


def test_bad_corpus_files_are_skipped_and_named(tmp_path: Path, corpus_dir: Path) -> None:
    (corpus_dir / "latin1.txt").write_bytes("caf\xe9 clause".encode("latin-1"))
    (corpus_dir / "empty.md").write_text("", encoding="utf-8")
    (corpus_dir / "broken.md").write_text("---\ntitle: x\n", encoding="utf-8")
    whole = make_pdf(tmp_path / "whole.pdf").read_bytes()
    (corpus_dir / "cut.pdf").write_bytes(whole[: len(whole) // 2])  # a download cut short
    result = run_cli("index", *_paths(tmp_path, corpus_dir), *FAST, "--json", cwd=tmp_path)
    assert result.returncode == 0
    summary = json.loads(result.stdout.splitlines()[-1])
    assert summary["documents"] == 2
    skipped = {Path(s["path"]).name: s["reason"] for s in summary["skipped"]}
    assert skipped["latin1.txt"].startswith(
        "line 1: not valid UTF-8: save the file as UTF-8, or name its encoding in "
        "latin1.txt.meta (a line 'encoding: windows-1251'"
    )
    assert skipped["empty.md"] == "the document is empty"
    assert "no closing '---'" in skipped["broken.md"]
    assert skipped["cut.pdf"].startswith("not a readable PDF")
    assert "warning: skipped" in result.stderr and "latin1.txt" in result.stderr
    assert (
        result.stderr.count("skipped") == 4 and result.stderr.count("latin1.txt:") == 1
    )  # named once, not by a log line as well
    assert "pypdf" not in result.stderr  # nor by the PDF reader's own ("EOF marker not found")


def test_a_second_build_waits_then_refuses_and_readers_keep_answering(
    tmp_path: Path, corpus_dir: Path
) -> None:
    paths = _built(tmp_path, corpus_dir)
    with (tmp_path / "idx" / ".lock").open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # as if a build were running
        started = time.monotonic()
        refused = run_cli("index", *paths, "--wait", "1", cwd=tmp_path)
        assert refused.returncode == 1 and time.monotonic() - started >= 1
        assert "another clausebot index is still building" in refused.stderr
        assert "Traceback" not in refused.stderr
        reading = run_cli("ask", *paths, "--json", "Zarifa Aliyeva", cwd=tmp_path)
        assert reading.returncode == 0 and json.loads(reading.stdout)["passages"]
    assert run_cli("index", *paths, cwd=tmp_path).returncode == 0


def test_killing_a_build_at_any_moment_leaves_a_complete_index(
    tmp_path: Path, corpus_dir: Path
) -> None:
    paths = _built(tmp_path, corpus_dir)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import write_corpus

    write_corpus(corpus_dir, 6000, per_document=500)  # enough to take a few seconds
    env = child_env()
    started = time.monotonic()
    full = subprocess.run(
        [sys.executable, "-m", "bot", "index", *paths, "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    duration = time.monotonic() - started
    assert full.returncode == 0, full.stderr
    for n in range(4):
        (corpus_dir / f"extra-{n}.txt").write_text(
            f"Extra clause number {n} about kills.\n", encoding="utf-8"
        )
    for fraction in (0.05, 0.3, 0.6, 0.9):
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "index", *paths],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        answer = run_cli("ask", *paths, "--json", "Zarifa Aliyeva", cwd=tmp_path)
        assert answer.returncode == 0, answer.stderr
        assert json.loads(answer.stdout)["passages"]
    finish = run_cli("index", *paths, "--json", cwd=tmp_path, timeout=300)
    assert finish.returncode == 0, finish.stderr
    assert json.loads(finish.stdout.splitlines()[-1])["documents"] == 2 + 12 + 4
    assert not list((tmp_path / "idx").glob(".building-*"))
    status = json.loads(run_cli("status", *paths, "--json", cwd=tmp_path).stdout)
    assert status["corpus_changed"] is False


def test_an_unwritable_index_place_is_one_line(tmp_path: Path, corpus_dir: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the index should go", encoding="utf-8")
    result = run_cli(
        "index", "--corpus", str(corpus_dir), "--index", str(blocker / "idx"), *FAST, cwd=tmp_path
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "not-a-folder" in result.stderr

"""The command line as a user runs it: a new process, exit codes, messages, JSON."""

from __future__ import annotations

import json
import queue
import shutil
import threading
import time
from pathlib import Path
from typing import IO

import pytest

from retrieval.errors import ConfigError
from retrieval.settings import Settings
from tests.conftest import ROOT, as_built_by_an_earlier_version, run_cli
from tests.processes import child_env

FAST = ("--model", "hashing")


def _paths(tmp_path: Path, corpus_dir: Path) -> tuple[str, ...]:
    return ("--corpus", str(corpus_dir), "--index", str(tmp_path / "idx"))


def test_index_json_summary_and_incremental(tmp_path: Path, corpus_dir: Path) -> None:
    first = run_cli("index", *_paths(tmp_path, corpus_dir), *FAST, "--json", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout.strip().splitlines()[-1])
    assert summary["documents"] == 2 and summary["clauses"] == 29
    assert summary["embedded"] == 29 and summary["reused"] == 0 and summary["removed"] == 0
    assert isinstance(summary["seconds"], float)
    assert "indexed 2 documents, 29 clauses" in first.stdout

    again = run_cli("index", *_paths(tmp_path, corpus_dir), "--json", cwd=tmp_path)
    summary = json.loads(again.stdout.strip().splitlines()[-1])
    assert (summary["embedded"], summary["reused"]) == (0, 29)


def test_ask_json_passages_are_verbatim_and_cited(tmp_path: Path, corpus_dir: Path) -> None:
    result = run_cli(
        "ask",
        *_paths(tmp_path, corpus_dir),
        *FAST,
        "--json",
        "--k",
        "2",
        "What is the phone number 493-00-04?",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["question"] == "What is the phone number 493-00-04?"
    assert isinstance(answer["abstained"], bool)
    assert len(answer["passages"]) == 2
    corpus_text = "".join(p.read_text(encoding="utf-8") for p in corpus_dir.iterdir())
    for passage in answer["passages"]:
        assert set(passage) >= {"doc_id", "clause_id", "citation", "text", "score"}
        assert passage["text"] in corpus_text
        assert passage["citation"]
    assert "493-00-04" in answer["passages"][0]["text"]


def test_ask_reads_many_questions_from_stdin(tmp_path: Path, corpus_dir: Path) -> None:
    questions = "Zarifa Aliyeva\n\nFadi Chehadé\nprotection of children\n"
    result = run_cli(
        "ask",
        *_paths(tmp_path, corpus_dir),
        *FAST,
        "--json",
        "-",
        cwd=tmp_path,
        stdin=questions.encode(),
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["question"] for a in lines] == [
        "Zarifa Aliyeva",
        "Fadi Chehadé",
        "protection of children",
    ]


def test_ask_for_people_quotes_and_cites(tmp_path: Path, corpus_dir: Path) -> None:
    result = run_cli(
        "ask", *_paths(tmp_path, corpus_dir), *FAST, "Fadi Chehadé ICANN", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "> " in result.stdout and "Letter to ICANN (19 December 2012), ¶" in result.stdout


def test_empty_question_is_a_clear_error(tmp_path: Path, corpus_dir: Path) -> None:
    result = run_cli("ask", *_paths(tmp_path, corpus_dir), *FAST, "   ", cwd=tmp_path)
    assert result.returncode == 1
    assert "question is empty" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_empty_index_says_why_nothing_is_answered(tmp_path: Path) -> None:
    empty = tmp_path / "corpus"
    empty.mkdir()
    paths = ("--corpus", str(empty), "--index", str(tmp_path / "idx"), *FAST)
    result = run_cli("ask", *paths, "--json", "Who signed the letter?", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["abstained"] and not answer["passages"]
    assert any("holds no documents" in note and str(empty) in note for note in answer["notes"])
    text = run_cli("ask", *paths, "Who signed the letter?", cwd=tmp_path).stdout
    assert "note: the index holds no documents" in text and "clausebot index" in text


def test_one_document_of_one_clause_is_counted_in_the_singular(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.txt").write_text("The fund is administered by a rotating secretariat.\n")
    paths = ("--corpus", str(corpus), "--index", str(tmp_path / "idx"), *FAST)
    built = run_cli("index", *paths, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert "indexed 1 document, 1 clause:" in built.stdout
    listed = run_cli("documents", *paths, cwd=tmp_path).stdout
    assert listed.rstrip().endswith("\t1 clause")
    assert run_cli("health", *paths, cwd=tmp_path).stdout.startswith("ok: 1 clause, ")


def test_a_clause_is_quoted_with_the_footnotes_its_marks_call(tmp_path: Path) -> None:
    """A note says what a clause rests on: the footnotes a clause's marks call ("[2]") are
    quoted after it, in JSON and on the terminal; a mark no note answers calls nothing. So
    in markdown ("[^1]")."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "fees.txt").write_text(
        "Fees are reviewed every year by the Board.[1]\n\n"
        "Payment is made online through the portal.[2][7]\n\n"
        "[1] The Board meets in March.\n\n"
        "[2] Payment by cheque ended in 2020.\n",
        encoding="utf-8",
    )
    paths = ("--corpus", str(corpus), "--index", str(tmp_path / "idx"), *FAST)
    question = "How is payment made through the portal?"
    result = run_cli("ask", *paths, "--json", "--k", "4", question, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    passages = {p["text"][:7]: p for p in json.loads(result.stdout)["passages"]}
    assert passages["Payment"]["footnotes"] == [
        {"clause_id": "4", "text": "[2] Payment by cheque ended in 2020."}
    ]
    assert passages["Fees ar"]["footnotes"] == [
        {"clause_id": "3", "text": "[1] The Board meets in March."}
    ]
    assert "footnotes" not in passages["[1] The"]
    text = run_cli("ask", *paths, "--k", "1", question, cwd=tmp_path).stdout
    assert "> Payment is made online through the portal.[2][7]\n> [2] Payment by cheque" in text
    # markdown's notes ("[^1]" and "[^1]: …", GitHub's): the note was taken for a link's
    # definition and never shown, so lost; it is a clause, and its mark calls it
    (corpus / "fees.txt").unlink()
    (corpus / "fees.md").write_text(
        "# Fees\n\nOperators pay yearly.[^1]\n\n[^1]: Excluding VAT, paid monthly.\n\n"
        "[portal]: https://example.org\n",
        encoding="utf-8",
    )
    assert run_cli("index", *paths, cwd=tmp_path).returncode == 0
    result = run_cli(
        "ask", *paths, "--json", "--k", "2", "How often do operators pay?", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    first = json.loads(result.stdout)["passages"][0]
    assert first["text"] == "Operators pay yearly.[^1]"
    assert [note["text"] for note in first["footnotes"]] == ["[^1]: Excluding VAT, paid monthly."]


FAQ = (
    "Visitor rules\n\nCan visitors bring food into the reading room?\n\nNo.\n\n"
    "Is photography allowed in the archive?\n\nOnly without flash.\n\n"
    "Tripods need a permit from the reading room's desk.\n"
)


def test_an_answer_is_quoted_with_the_question_the_document_sets_over_it(
    tmp_path: Path,
) -> None:
    """A page of questions and answers: "No." says nothing without what it answers, so the
    question over it (a heading, not a clause) is quoted before it, with a "…" where
    another clause of the same answer stands between; a clause under no question has none."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "rules.txt").write_text(FAQ, encoding="utf-8")
    paths = ("--corpus", str(corpus), "--index", str(tmp_path / "idx"), *FAST)
    question = "Can visitors bring food into the reading room?"
    result = run_cli("ask", *paths, "--json", question, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    passages = {p["text"]: p for p in json.loads(result.stdout)["passages"]}
    assert set(passages) == {
        "No.",
        "Only without flash.",
        "Tripods need a permit from the reading room's desk.",
    }
    food = "Can visitors bring food into the reading room?"
    photography = "Is photography allowed in the archive?"
    assert passages["No."]["heading_question"] == food
    assert passages["Only without flash."]["heading_question"] == photography
    text = run_cli("ask", *paths, question, cwd=tmp_path).stdout
    assert f"> {food}\n> No.\n  — Visitor rules, ¶1" in text
    text = run_cli("ask", *paths, "Do tripods need a permit?", cwd=tmp_path).stdout
    assert f"> {photography}\n> …\n> Tripods need a permit" in text
    (corpus / "rules.txt").write_text(FAQ.replace("?", "."), encoding="utf-8")
    run_cli("index", *paths, cwd=tmp_path)
    result = run_cli("ask", *paths, "--json", "--k", "5", question, cwd=tmp_path)
    assert all("heading_question" not in p for p in json.loads(result.stdout)["passages"])


REGULATION = """---
title: Data Regulation
---
## Article 1 — Subject matter

1. This Regulation lays down rules on the processing of personal data.

## Article 2 — Material scope

1. This Regulation applies to the processing of personal data by automated means.

2. This Regulation does not apply to the processing of personal data:

(a) in the course of an activity outside the scope of Union law;

(b) by a natural person in the course of a purely household activity;
"""


def test_a_list_is_cited_where_it_stands_and_quoted_with_its_opening_and_items(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "regulation.md").write_text(REGULATION, encoding="utf-8")
    paths = ("--corpus", str(corpus), "--index", str(tmp_path / "idx"), *FAST)
    question = "Does the regulation apply to a household activity of a natural person?"
    result = run_cli("ask", *paths, "--json", "--k", "5", question, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    passages = {p["text"][:3]: p for p in json.loads(result.stdout)["passages"]}
    item = passages["(b)"]
    assert item["citation"] == "Data Regulation, Article 2(2)(b)"
    opening = "2. This Regulation does not apply to the processing of personal data:"
    assert item["leads"] == [{"clause_id": "3", "text": opening}]
    assert passages["1. "]["citation"] in (
        "Data Regulation, Article 1(1)",
        "Data Regulation, Article 2(1)",
    )
    assert "leads" not in passages["1. "] and "items" not in passages["1. "]
    # the opening of a list is quoted with its items, where what it says is
    assert [i["text"][:3] for i in passages["2. "]["items"]] == ["(a)", "(b)"]
    assert passages["2. "]["items"][1] == {"clause_id": "5", "text": item["text"]}
    text = run_cli("ask", *paths, "--k", "5", question, cwd=tmp_path).stdout
    # the opening, the items between left out, then the item and where it stands
    assert (
        f"> {opening}\n> …\n> (b) by a natural person in the course of a purely household" in text
    )
    assert "— Data Regulation, Article 2(2)(b)" in text
    assert (
        f"> {opening}\n> (a) in the course of an activity outside the scope of Union law;\n"
        "> (b) by a natural person in the course of a purely household activity;\n"
        "  — Data Regulation, Article 2(2)  [score" in text
    )


def test_a_clause_asked_for_by_its_place_is_quoted_from_there(tmp_path: Path) -> None:
    """ "What does Art. 2(2) say?": the clauses standing there, whatever the ranking reads;
    a place the documents' numbering lacks is named in a note."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "regulation.md").write_text(REGULATION, encoding="utf-8")
    paths = ("--corpus", str(corpus), "--index", str(tmp_path / "idx"), *FAST)

    def ask(question: str, k: str = "3") -> dict:
        result = run_cli("ask", *paths, "--json", "--k", k, question, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    answer = ask("What does Art. 2(2) say?")
    assert not answer["abstained"] and answer["confidence"] == 1.0
    # the opening, its items quoted within it and not again
    assert [p["citation"] for p in answer["passages"]] == ["Data Regulation, Article 2(2)"]
    assert len(answer["passages"][0]["items"]) == 2
    whole = ask("what is in article 2?", k="5")["passages"]
    assert [p["citation"].removeprefix("Data Regulation, ") for p in whole] == [
        "Article 2(1)",
        "Article 2(2)",
    ]
    assert [p["clause_id"] for p in ask("¶1, please")["passages"]] == ["1"]
    missing = ask("What does Article 9 say?")
    assert "the documents have no Article 9" in missing["notes"]
    assert missing["unplaced"] == ["Article 9"]
    assert all(not p["citation"].endswith("Article 9") for p in missing["passages"])


def test_an_index_built_by_an_earlier_version_says_so_until_rebuilt(
    tmp_path: Path, corpus_dir: Path
) -> None:
    """After an upgrade that cuts or cites documents otherwise, the index serves as it was
    built: `ask`, `status` and `eval` say so, and `clausebot index` reads them again."""
    paths = (*_paths(tmp_path, corpus_dir), *FAST)
    assert run_cli("index", *paths, cwd=tmp_path).returncode == 0
    as_built_by_an_earlier_version(tmp_path / "idx")
    question = "Who signed the letter?"
    answer = json.loads(run_cli("ask", *paths, "--json", question, cwd=tmp_path).stdout)
    assert any("earlier version of clausebot" in n for n in answer.get("notes", ()))
    status = run_cli("status", *paths, cwd=tmp_path).stdout
    assert "built by: an earlier version of clausebot" in status
    assert json.loads(run_cli("status", *paths, "--json", cwd=tmp_path).stdout)[
        "built_by_earlier_version"
    ]
    rebuilt = run_cli("index", *paths, "--json", cwd=tmp_path)
    summary = json.loads(rebuilt.stdout.strip().splitlines()[-1])
    assert summary["embedded"] == 0 and summary["reused"] == 29  # read again, not embedded
    answer = json.loads(run_cli("ask", *paths, "--json", question, cwd=tmp_path).stdout)
    assert "notes" not in answer
    assert "built by" not in run_cli("status", *paths, cwd=tmp_path).stdout


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run_cli("ask", "--k", "0", "q", cwd=tmp_path).returncode == 2
    assert run_cli("ask", "--k", "many", "q", cwd=tmp_path).returncode == 2
    assert run_cli("frobnicate", cwd=tmp_path).returncode == 2
    assert run_cli("ask", cwd=tmp_path).returncode == 2


def test_missing_corpus_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = run_cli("index", "--corpus", str(tmp_path / "none"), *FAST, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "--corpus" in result.stderr and "Traceback" not in result.stderr


def test_corrupt_index_is_reported_with_the_rebuild_command(
    tmp_path: Path, corpus_dir: Path
) -> None:
    paths = _paths(tmp_path, corpus_dir)
    assert run_cli("index", *paths, *FAST, cwd=tmp_path).returncode == 0
    current = (tmp_path / "idx" / "current").resolve()
    (current / "vectors-0.npy").write_bytes(b"garbage")
    result = run_cli("ask", *paths, "anything", cwd=tmp_path)
    assert result.returncode == 1
    assert (
        "damaged" in result.stderr
        and f"clausebot index --index {tmp_path / 'idx'}" in result.stderr
    )


def test_model_mismatch_on_ask(tmp_path: Path, corpus_dir: Path) -> None:
    paths = _paths(tmp_path, corpus_dir)
    assert run_cli("index", *paths, *FAST, cwd=tmp_path).returncode == 0
    result = run_cli("ask", *paths, "--model", "e5", "anything", cwd=tmp_path)
    assert result.returncode == 1
    assert "hashing-v1" in result.stderr and "multilingual-e5-small-q4" in result.stderr


def test_settings_from_environment(tmp_path: Path, corpus_dir: Path) -> None:
    env = {
        "CLAUSEBOT_CORPUS": str(corpus_dir),
        "CLAUSEBOT_INDEX": str(tmp_path / "envidx"),
        "CLAUSEBOT_MODEL": "hashing",
    }
    result = run_cli("index", "--json", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "envidx" / "current").is_symlink()


def test_a_switch_is_read_as_yes_or_no() -> None:
    assert Settings.load({}, {}).fetch_local is False
    for yes in ("yes", "1", "true", " ON "):
        assert Settings.load({}, {"CLAUSEBOT_FETCH_LOCAL": yes}).fetch_local is True
    for no in ("no", "0", "false", "off", ""):
        assert Settings.load({}, {"CLAUSEBOT_FETCH_LOCAL": no}).fetch_local is False
    with pytest.raises(ConfigError, match="CLAUSEBOT_FETCH_LOCAL must be yes or no, got 'maybe'"):
        Settings.load({}, {"CLAUSEBOT_FETCH_LOCAL": "maybe"})


def test_default_corpus_is_relative_to_working_directory(tmp_path: Path, corpus_dir: Path) -> None:
    work = tmp_path / "work"
    shutil.copytree(corpus_dir, work / "corpus")
    result = run_cli("ask", *FAST, "--json", "Zarifa Aliyeva", cwd=work)
    assert result.returncode == 0, result.stderr
    assert (work / ".clausebot" / "index" / "current").is_symlink()


def test_status_reports_corpus_changes(tmp_path: Path, corpus_dir: Path) -> None:
    paths = _paths(tmp_path, corpus_dir)
    run_cli("index", *paths, *FAST, cwd=tmp_path)
    status = json.loads(run_cli("status", *paths, "--json", cwd=tmp_path).stdout)
    assert status["clauses"] == 29 and status["model"] == "hashing-v1"
    assert status["language"] == "en"  # told from the clauses' characters, whatever the model
    # the project never fitted the abstention for the test's hashing model: the fallback rule
    assert status["abstention"] == {"fitted": False, "threshold": 0.5, "language_offsets": []}
    assert status["corpus_changed"] is False
    (corpus_dir / "new.txt").write_text("A new clause.\n", encoding="utf-8")
    status = json.loads(run_cli("status", *paths, "--json", cwd=tmp_path).stdout)
    assert status["corpus_changed"] is True
    assert status["corpus_changes"] == {"added": ["new"], "changed": [], "removed": []}


def test_an_answer_from_an_index_older_than_its_corpus_says_so(
    tmp_path: Path, corpus_dir: Path
) -> None:
    """A document added or edited by hand is not read until `clausebot index` runs: each
    answer says which, and what to run; once it has run, or where the index is served
    without its corpus, nothing is said."""
    paths = _paths(tmp_path, corpus_dir)
    assert run_cli("index", *paths, *FAST, cwd=tmp_path).returncode == 0
    (corpus_dir / "fund.txt").write_text("A rotating secretariat administers the fund.\n")
    letter = corpus_dir / "letter-to-icann-2012.txt"
    letter.write_text(letter.read_text(encoding="utf-8") + "\nA postscript.\n", encoding="utf-8")
    (corpus_dir / "baku-declaration-2012.txt").unlink()
    said = "(new: fund; changed: letter-to-icann-2012; removed: baku-declaration-2012)"

    text = run_cli("ask", *paths, "Who administers the fund?", cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    assert f"note: the corpus has changed since the index was built {said}" in text.stdout
    assert "run clausebot index" in text.stdout
    asked = run_cli("ask", *paths, "--json", "-", cwd=tmp_path, stdin=b"Who signed?\nWhen?\n")
    answers = [json.loads(line) for line in asked.stdout.splitlines()]
    assert len(answers) == 2 and all(said in a["notes"][-1] for a in answers)
    status = run_cli("status", *paths, cwd=tmp_path).stdout
    assert f"corpus:   changed since the build {said}: run clausebot index" in status
    figures = run_cli("eval", *paths, cwd=tmp_path)
    assert figures.returncode == 0, figures.stderr
    assert (
        f"warning: the corpus has changed since the index was built {said}, and these "
        "figures do not read those changes" in figures.stderr
    )

    elsewhere = ("--corpus", str(tmp_path / "absent"), "--index", str(tmp_path / "idx"))
    served = json.loads(run_cli("ask", *elsewhere, "--json", "Who signed?", cwd=tmp_path).stdout)
    assert "notes" not in served and served["passages"]
    status = run_cli("status", *elsewhere, cwd=tmp_path).stdout
    assert "absent not found: the index serves as it was built" in status

    assert run_cli("index", *paths, cwd=tmp_path).returncode == 0
    fresh = json.loads(
        run_cli("ask", *paths, "--json", "Who administers the fund?", cwd=tmp_path).stdout
    )
    assert "notes" not in fresh and fresh["passages"][0]["doc_id"] == "fund"


def test_eval_reports_figures(tmp_path: Path, corpus_dir: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"question": "Zarifa Aliyeva Str.", "lang": "en", "expect": ["Zarifa Aliyeva"]}\n'
        '{"question": "zzzz qqqq", "lang": "en", "expect": []}\n'
        '{"question": "qqqq zzzz", "lang": "en", "expect": [], "kind": "offtopic"}\n',
        encoding="utf-8",
    )
    paths = _paths(tmp_path, corpus_dir)
    result = run_cli("eval", *paths, *FAST, str(questions), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["overall"]["in_scope"] == 1 and report["overall"]["out_of_scope"] == 2
    assert report["overall"]["hit@1"] == 1.0
    assert set(report["by_language"]) == {"en"}
    assert set(report["by_kind"]) == {"answerable", "outside", "offtopic"}
    assert set(report["auc"]) == {"outside", "offtopic"}
    assert 0.0 <= report["auc"]["outside"]["en"] <= 1.0
    text = run_cli("eval", *paths, *FAST, str(questions), cwd=tmp_path).stdout
    assert "offtopic" in text and "confidence AUC" in text


def test_health_command(tmp_path: Path, corpus_dir: Path) -> None:
    paths = _paths(tmp_path, corpus_dir)
    missing = run_cli("health", *paths, cwd=tmp_path)
    assert missing.returncode == 1 and "no index" in missing.stderr
    run_cli("index", *paths, *FAST, cwd=tmp_path)
    healthy = run_cli("health", *paths, cwd=tmp_path)
    assert healthy.returncode == 0 and healthy.stdout.startswith("ok: 29 clauses")
    current = (tmp_path / "idx" / "current").resolve()
    (current / "clauses.json").write_text("{}", encoding="utf-8")
    broken = run_cli("health", *paths, cwd=tmp_path)
    assert broken.returncode == 1 and "damaged" in broken.stderr


def test_index_watch_re_embeds_on_change(tmp_path: Path, corpus_dir: Path) -> None:
    import signal
    import subprocess
    import sys

    env = child_env()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot",
            "index",
            "--watch",
            "--interval",
            "0.2",
            "--json",
            *_paths(tmp_path, corpus_dir),
            *FAST,
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = _lines_of(proc.stdout)
        first = json.loads(_next_json(lines))
        assert first["embedded"] == 29
        (corpus_dir / "new.txt").write_text(
            "A watched clause about cable resilience.\n", encoding="utf-8"
        )
        second = json.loads(_next_json(lines))
        assert (second["documents"], second["embedded"], second["reused"]) == (3, 1, 29)
        # a metadata sidecar is the document's too: its title is in every clause's context
        (corpus_dir / "new.txt.meta").write_text("title: Cable Resilience\n", encoding="utf-8")
        third = json.loads(_next_json(lines))
        assert (third["documents"], third["embedded"], third["reused"]) == (3, 1, 29)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert time.monotonic() - started < 5
    finally:
        if proc.poll() is None:
            proc.kill()


def _lines_of(stream: IO[str]) -> queue.Queue[str | None]:
    """The stream's lines as they come, read on a thread (None at its end)."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in stream:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return lines


def _next_json(lines: queue.Queue[str | None], wait: float = 60) -> str:
    """The watcher's next summary; a watcher that stays silent fails the test, not hangs it."""
    deadline = time.monotonic() + wait
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            raise AssertionError("the watcher ended without a summary")
        if line.startswith("{"):
            return line
    raise AssertionError(f"no summary from the watcher within {wait:g} s")


def test_ask_answers_stdin_questions_as_they_arrive(tmp_path: Path, corpus_dir: Path) -> None:
    import subprocess
    import sys

    paths = _paths(tmp_path, corpus_dir)
    assert run_cli("index", *paths, *FAST, cwd=tmp_path).returncode == 0
    env = child_env()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "ask", *paths, "--json", "-"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write("Zarifa Aliyeva\n")
        proc.stdin.flush()
        first = json.loads(proc.stdout.readline())  # answered while stdin is still open
        assert first["question"] == "Zarifa Aliyeva" and first["passages"]
        proc.stdin.write("Fadi Chehadé\n")
        proc.stdin.close()
        second = json.loads(proc.stdout.readline())
        assert second["question"] == "Fadi Chehadé"
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def _corpus_state(corpus: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(corpus.iterdir()) if not p.is_symlink()}


def test_add_never_loses_or_replaces_what_it_was_not_asked_to(
    tmp_path: Path, corpus_dir: Path
) -> None:
    paths = _paths(tmp_path, corpus_dir)
    before = _corpus_state(corpus_dir)
    # 1. --force with a file that cannot be read: the good letter stays
    elsewhere = tmp_path / "X"
    elsewhere.mkdir()
    bad = elsewhere / "letter-to-icann-2012.txt"
    bad.write_bytes(b"Caf\xe9 au lait\n")
    result = run_cli("add", *paths, *FAST, "--force", str(bad), cwd=tmp_path)
    assert result.returncode == 1 and "not valid UTF-8" in result.stderr
    assert _corpus_state(corpus_dir) == before
    # 2. an id another document holds: refused, naming that document
    other = tmp_path / "aa.txt"
    other.write_text("Another clause.\n", encoding="utf-8")
    result = run_cli("add", *paths, *FAST, str(other), "--id", "letter-to-icann-2012", cwd=tmp_path)
    assert result.returncode == 1 and "letter-to-icann-2012.txt" in result.stderr
    assert "already used" in result.stderr
    assert _corpus_state(corpus_dir) == before
    # 3. a value with a line break would write another key into the metadata file
    result = run_cli(
        "add", *paths, *FAST, str(other), "--title", "A\nid: letter-to-icann-2012", cwd=tmp_path
    )
    assert result.returncode == 1 and "--title must be one line" in result.stderr
    assert _corpus_state(corpus_dir) == before
    # 4. --force onto a symbolic link in the corpus: never written through
    outside = tmp_path / "outside.txt"
    outside.write_text("Not part of the corpus.\n", encoding="utf-8")
    (corpus_dir / "linked.txt").symlink_to(outside)
    linked = elsewhere / "linked.txt"
    linked.write_text("New text.\n", encoding="utf-8")
    result = run_cli("add", *paths, *FAST, "--force", str(linked), cwd=tmp_path)
    assert result.returncode == 1 and "symbolic link" in result.stderr
    assert outside.read_text(encoding="utf-8") == "Not part of the corpus.\n"
    assert _corpus_state(corpus_dir) == before
    assert not [p for p in corpus_dir.iterdir() if p.name.startswith(".adding-")]
    # and a good file is added, its metadata written, the index updated
    (corpus_dir / "linked.txt").unlink()
    result = run_cli("add", *paths, *FAST, str(other), "--title", "Another note", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (corpus_dir / "aa.txt.meta").read_text(encoding="utf-8") == "title: Another note\n"
    status = json.loads(run_cli("status", *paths, "--json", cwd=tmp_path).stdout)
    assert status["clauses"] == 30


def test_several_files_are_added_with_one_build(tmp_path: Path) -> None:
    """`clausebot add a b c`: each added, or said why not, and one build for those that
    were; a file that cannot be added loses the others nothing, and the exit says so. One
    document's details (--title) are refused for several."""
    corpus, files = tmp_path / "corpus", tmp_path / "in"
    files.mkdir()
    (files / "fees.txt").write_text("Fees are paid yearly.\n", encoding="utf-8")
    (files / "legacy.txt").write_bytes("Café fees.\n".encode("latin-1"))
    (files / "appeals.md").write_text("# Appeals\n\nAppeals go to the Board.\n")
    paths = ("--corpus", str(corpus), "--index", str(tmp_path / "idx"), *FAST)
    named = [str(files / n) for n in ("fees.txt", "legacy.txt", "appeals.md")]
    result = run_cli("add", *paths, *named, "--json", cwd=tmp_path)
    assert result.returncode == 1
    assert "warning: not added: " in result.stderr and "legacy.txt" in result.stderr
    assert result.stderr.strip().endswith("1 of 3 files not added (above)")
    assert json.loads(result.stdout.splitlines()[-1])["documents"] == 2
    assert sorted(p.name for p in corpus.iterdir()) == ["appeals.md", "fees.txt"]
    titled = run_cli("add", *paths, *named, "--title", "Fees", cwd=tmp_path)
    assert titled.returncode == 1 and "add the files one at a time" in titled.stderr


def test_remove_moves_a_document_aside_and_it_can_be_put_back(
    tmp_path: Path, corpus_dir: Path
) -> None:
    """`clausebot remove <id>`: the file and its metadata moved into the corpus folder's
    .removed, which no build reads, and the index updated; an unknown id changes nothing.
    Moved back, the document is read again as it was."""
    paths = _paths(tmp_path, corpus_dir)
    assert run_cli("index", *paths, *FAST, cwd=tmp_path).returncode == 0
    (corpus_dir / "letter-to-icann-2012.txt.meta").write_text("short_title: Letter\n")
    before = _corpus_state(corpus_dir)
    result = run_cli("remove", *paths, "letter-to-icann", cwd=tmp_path)
    assert result.returncode == 1 and "no document 'letter-to-icann'" in result.stderr
    assert _corpus_state(corpus_dir) == before
    result = run_cli("remove", *paths, "letter-to-icann-2012", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1])["removed"] == 14
    (aside,) = (corpus_dir / ".removed").iterdir()
    assert aside.name.endswith("-letter-to-icann-2012")
    assert {p.name: p.read_bytes() for p in aside.iterdir()} == {
        name: data for name, data in before.items() if name.startswith("letter")
    }
    assert sorted(p.name for p in corpus_dir.iterdir()) == [
        ".removed",
        "baku-declaration-2012.txt",
    ]
    status = json.loads(run_cli("status", *paths, "--json", cwd=tmp_path).stdout)
    assert [d["doc_id"] for d in status["documents"]] == ["baku-declaration-2012"]
    assert status["corpus_changes"] == {"added": [], "changed": [], "removed": []}
    for moved in aside.iterdir():
        moved.rename(corpus_dir / moved.name)
    rebuilt = run_cli("index", *paths, "--json", cwd=tmp_path)
    assert json.loads(rebuilt.stdout.splitlines()[-1])["clauses"] == 29


def test_calibrate_fits_on_several_corpora_and_reports_each_left_out(
    tmp_path: Path, corpus_dir: Path
) -> None:
    """`clausebot calibrate --set ...`: each corpus indexed beside the configured index, its
    questions and its held-out-document questions collected, one model fitted on all, each
    corpus reported in the fit and left out of it; the package's calibration is untouched."""
    from retrieval.calibrate import CALIBRATION_FILE

    shipped = CALIBRATION_FILE.read_bytes()
    declaration = tmp_path / "declaration"
    declaration.mkdir()
    shutil.copy(corpus_dir / "baku-declaration-2012.txt", declaration)
    questions = (ROOT / "tests" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    some = tmp_path / "some.jsonl"
    some.write_text("\n".join(questions[:120]) + "\n", encoding="utf-8")
    out = tmp_path / "calibration.json"
    result = run_cli(
        "calibrate",
        *FAST,
        "--index",
        str(tmp_path / "idx" / "index"),
        "--set",
        "bundled",
        str(corpus_dir),
        str(ROOT / "tests" / "questions.jsonl"),
        "--set",
        "declaration",
        str(declaration),
        str(some),
        "--output",
        str(out),
        "--unseen-draws",
        "3",
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    entry = json.loads(out.read_text(encoding="utf-8"))["models"]["hashing-v1"]
    assert entry["unseen_documents"] == {}  # two documents or one: no halves to draw
    assert set(entry["fitted_on"]) == {"bundled", "declaration"}
    assert entry["fitted_on"]["bundled"] > len(questions)  # with held-out-document questions
    assert set(entry["leave_one_corpus_out"]) == {"bundled", "declaration"}
    assert "heldout" in " ".join(entry["by_corpus"]["bundled"]["en"])
    assert 0.0 < entry["threshold"] < 1.0
    assert (tmp_path / "idx" / "calibrate" / "declaration-hashing").is_dir()
    assert CALIBRATION_FILE.read_bytes() == shipped

"""What each `clausebot` subcommand does: one call into `retrieval` (or the bot's stores), its
result rendered on stdout. Parsing the command line and turning problems into one line on
stderr is bot/cli.py's.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.render import counted
from retrieval.errors import ClausebotError, QuestionError
from retrieval.settings import Settings

if TYPE_CHECKING:
    from bot.storage import HistoryStore
    from retrieval.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_QUESTIONS = ROOT / "tests" / "questions.jsonl"


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval.engine import Engine
    from retrieval.store import IndexStore

    engine = Engine(settings, store=IndexStore(settings.index, lock_wait=args.wait))
    if args.watch:
        return _watch(engine, args)
    _build_and_report(engine, args.json)
    return 0


def _build_and_report(engine: Engine, as_json: bool) -> None:
    from retrieval.progress import ProgressReport

    settings = engine.settings
    report = engine.build(progress=ProgressReport())
    for problem in report.skipped:
        print(f"warning: skipped {problem}", file=sys.stderr)
    print(
        f"indexed {counted(report.documents, 'document')}, {counted(report.clauses, 'clause')}: "
        f"{report.embedded} embedded, {report.reused} reused, {report.removed} removed "
        f"in {report.seconds:.1f} s -> {settings.index}"
    )
    if as_json:
        emit_json(report.to_json())


def _watch(engine: Engine, args: argparse.Namespace) -> int:
    """Re-embed whenever the corpus changes, once it has been still for a moment."""
    import signal
    import time

    from retrieval.folder import corpus_signature

    stop = False

    def on_term(signum: int, frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    print(f"watching {engine.settings.corpus} (Ctrl-C to stop)", file=sys.stderr)
    built_for = None
    try:
        while not stop:
            seen = corpus_signature(engine.settings.corpus)
            if seen != built_for:
                time.sleep(min(1.0, args.interval))  # debounce: let a save or a copy finish
                if corpus_signature(engine.settings.corpus) != seen:
                    continue
                try:
                    _build_and_report(engine, args.json)
                except ClausebotError as exc:  # keep watching: the old index still serves
                    print(f"clausebot index: {exc}", file=sys.stderr)
                built_for = seen
            time.sleep(args.interval)
    except KeyboardInterrupt:
        pass
    return 0


def cmd_words(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval import word_table
    from retrieval.embed import load_embedders
    from retrieval.progress import ProgressReport

    where = args.folder or word_table.folder()
    if where is None:
        print(f"{word_table.ENV} is off: no table made", file=sys.stderr)
        return 0
    embedder = load_embedders(settings.build_model)[0]  # the one the bridge reads words with
    try:
        path, count, seconds = word_table.make(embedder, where, ProgressReport(), args.force)
    except OSError as exc:
        raise ClausebotError(
            f"the word table could not be written in {where} ({exc}): choose a folder with "
            f"--folder or {word_table.ENV}"
        ) from exc
    if seconds is None:
        print(f"{count} common words' vectors ({embedder.name}) up to date: {path}")
    else:
        print(f"{count} common words' vectors ({embedder.name}) in {seconds:.0f} s -> {path}")
    return 0


def cmd_health(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval.store import IndexStore

    loaded = IndexStore(settings.index).load()
    clauses = counted(len(loaded.clauses), "clause")
    line = f"ok: {clauses}, model {loaded.model}, {loaded.generation}"
    if args.bot is not None:
        line += f"; {_bot_alive(settings, args.bot)}"
    print(line)
    return 0


def _bot_alive(settings: Settings, max_age: float) -> str:
    """The running bot's heartbeat (Settings.bot_heartbeat) is recent, or why not."""
    import time

    path = settings.bot_heartbeat
    try:
        beat = float(path.read_text(encoding="utf-8").strip())
    except FileNotFoundError:
        raise ClausebotError(
            f"the bot has not reached the Bot API yet (no {path}): is clausebot telegram running?"
        ) from None
    except (OSError, ValueError) as exc:
        raise ClausebotError(f"cannot read the bot's heartbeat {path} ({exc})") from None
    age = time.time() - beat
    if age > max_age:
        raise ClausebotError(
            f"the bot last reached the Bot API {age:.0f} s ago (over {max_age:g} s): "
            "see its log for network errors"
        )
    return f"bot reached the Bot API {age:.0f} s ago"


def _questions_from_stdin() -> Iterator[tuple[str | None, str | None]]:
    """(question, error) per non-blank stdin line, as the lines arrive."""
    for lineno, raw in enumerate(sys.stdin.buffer, start=1):
        try:
            line = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            yield None, f"stdin line {lineno} is not valid UTF-8; skipped"
            continue
        if line.strip():
            yield line, None


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.render import render_answer
    from retrieval.engine import Engine

    if args.question is None:
        print("clausebot ask: give a question, or - to read questions from stdin", file=sys.stderr)
        return 2
    from_stdin = args.question == "-"
    questions = _questions_from_stdin() if from_stdin else iter([(args.question, None)])
    engine = Engine(settings)
    failed = False
    bold = sys.stdout.isatty()
    stale: tuple[str, ...] | None = None  # read once, at the first answer
    for question, problem in questions:
        error = problem
        if question is not None and error is None:
            try:
                answer = engine.ask(question, k=args.k)
            except QuestionError as exc:
                error = str(exc)
            else:
                stale = stale_notes(engine) if stale is None else stale
                if stale:
                    answer = replace(answer, notes=(*answer.notes, *stale))
                if args.json:
                    emit_json(answer.to_json())
                else:
                    print(render_answer(answer, bold=bold), end="\n\n" if from_stdin else "\n")
                    sys.stdout.flush()
                continue
        failed = True
        if args.json:
            emit_json({"question": question, "error": error, "abstained": True, "passages": []})
        print(f"clausebot ask: {error}", file=sys.stderr)
    return 1 if failed else 0


def stale_notes(engine: Engine, reader: str = "this answer does") -> tuple[str, ...]:
    """Notes when the index is older than what it serves: the corpus has changed since it was
    built (an answer does not read a document added or edited by hand until `clausebot
    index` runs), or an earlier clausebot built it (its clauses are cut and cited as that
    one cut them)."""
    from retrieval.status import OUTDATED_NOTE, changes_since_build, outdated

    changes = changes_since_build(engine)
    return (
        *((changes.note(reader),) if changes else ()),
        *((OUTDATED_NOTE,) if outdated(engine) else ()),
    )


def cmd_documents(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval.status import index_status

    documents = index_status(settings)["documents"]
    if args.json:
        emit_json(documents)
        return 0
    for doc in documents:
        print(
            f"{doc['doc_id']}\t{doc['title']}\t{doc['date'] or 'undated'}\t{doc['format']}\t"
            f"{counted(doc['clauses'], 'clause')}"
        )
    return 0


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval.engine import Engine

    meta = {
        k.removeprefix("meta_"): v for k, v in vars(args).items() if k.startswith("meta_") and v
    }
    files: list[str] = args.file
    if len(files) > 1 and set(meta) - {"encoding"}:
        raise ClausebotError(
            "--id, --title, --short-title, --date, --place, --author and --kind give one "
            "document's details: add the files one at a time to give each its own"
        )
    failed: list[str] = []
    if len(files) == 1:
        _add_one(files[0], meta, args.force, settings)
    else:  # each added or said why not; one build for all that were
        for given in files:
            try:
                _add_one(given, dict(meta), args.force, settings)
            except ClausebotError as exc:
                print(f"warning: not added: {exc}", file=sys.stderr)
                failed.append(given)
        if len(failed) == len(files):
            raise ClausebotError(f"none of the {len(files)} files was added (above)")
    _build_and_report(Engine(settings), args.json)
    if failed:
        raise ClausebotError(f"{len(failed)} of {len(files)} files not added (above)")
    return 0


def _add_one(given: str, meta: dict[str, str], force: bool, settings: Settings) -> None:
    """One file, or a web address's (fetched first), added to the corpus and said so."""
    import tempfile

    from retrieval.corpus_edit import add_document
    from retrieval.fetch import fetch, names_address

    with tempfile.TemporaryDirectory(prefix="clausebot-fetch-") as folder:
        source = Path(given)
        if names_address(given):  # fetched, then added as a file is
            fetched = fetch(given, Path(folder), settings.max_file_mb)
            source = fetched.path
            if fetched.encoding and "encoding" not in meta:
                meta["encoding"] = fetched.encoding  # as the server names it
            print(f"fetched {fetched.url} ({source.stat().st_size / 1024:.0f} KB)")
        # a fetched file named by its address, not by where it waited
        document = add_document(
            settings.corpus, source, meta, force, settings.max_file_mb, shown_as=given
        )
    print(f"added {document.info.path} as {document.doc_id}: {document.info.title}")


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval.corpus_edit import remove_document
    from retrieval.engine import Engine

    info, aside = remove_document(settings.corpus, args.doc_id, settings.max_file_mb)
    print(f"removed {info.doc_id} ({info.title}): {info.path} moved to {aside}")
    _build_and_report(Engine(settings), args.json)
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval.status import CorpusChanges, index_status

    status = index_status(settings)
    if args.json:
        emit_json(status)
        return 0
    print(f"index:    {settings.index} (generation {status['generation']})")
    print(f"model:    {status['model']}")
    print(f"built:    {status['built_at']}")
    print(f"clauses:  {status['clauses']}")
    print(f"language: {status['language'] or 'not told'}")
    abstention = status["abstention"]
    offsets = ", ".join(abstention["language_offsets"]) or "none"
    print(
        f"abstention: threshold {abstention['threshold']:.3f}; languages with an offset of "
        f"their own: {offsets}"
        if abstention["fitted"]
        else "abstention: not fitted for these models (clausebot calibrate); the fallback rule"
    )
    table = status["word_table"]
    print(
        f"word table: {table['words']:,} common words ({table['path']})"
        if table
        else "word table: none (clausebot words makes it: a first question is then faster)"
    )
    if status["built_by_earlier_version"]:
        print(
            "built by: an earlier version of clausebot, which cut and cited documents "
            "otherwise: run clausebot index"
        )
    print("documents:")
    for doc in status["documents"]:
        # a document in another language than the corpus's says which (read in its own)
        other = f" [{doc['language']}]" if doc["language"] != status["language"] else ""
        print(f"  {doc['doc_id']}: {doc['title']} ({doc['date'] or 'undated'}){other}")
    changes = CorpusChanges.from_json(status["corpus_changes"])
    if not status["corpus_found"]:
        print(f"corpus:   {settings.corpus} not found: the index serves as it was built")
    elif changes:
        print(f"corpus:   changed since the build ({changes.summary()}): run clausebot index")
    else:
        print("corpus:   unchanged since the build")
    return 0


@contextlib.contextmanager
def _history(settings: Settings) -> Iterator[HistoryStore | None]:
    """The configured store of questions and votes; None when nothing was ever stored."""
    from bot.storage import open_store

    if not settings.database_url and not settings.feedback_db.exists():
        print(f"nothing stored: {settings.feedback_db} does not exist")
        yield None
        return
    store = open_store(settings)
    try:
        yield store
    finally:
        store.close()


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    with _history(settings) as store:
        if store is not None:
            deleted = store.purge(args.older_than)
            print(f"deleted {deleted} questions older than {args.older_than:g} days")
    return 0


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import asdict

    with _history(settings) as store:
        if store is None:
            return 0
        stats = store.stats()
    if args.json:
        emit_json(asdict(stats))
        return 0
    print(
        f"questions {stats.questions} (answered {stats.answered}, not answered "
        f"{stats.abstained}); votes {stats.up} up, {stats.down} down"
    )
    for question, count in stats.top:
        print(f"  {count:>5}  {question}")
    return 0


def cmd_telegram(args: argparse.Namespace, settings: Settings) -> int:
    from bot.telegram_app import run

    return run(settings, args)

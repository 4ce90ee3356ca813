"""The `clausebot` command line: its parser, and the one place where a problem becomes one
line on stderr. What each subcommand does is in bot/commands.py
(`eval` and `calibrate`: bot/measure.py).

Problems the user can fix end as one line on stderr and exit 1; usage errors exit 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import commands, measure
from bot.redact import database_secrets, install, redact, variants
from retrieval.corpus_edit import ADD_KEYS
from retrieval.errors import ClausebotError
from retrieval.settings import Settings

log = logging.getLogger("clausebot")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--corpus", metavar="DIR", help="folder of source documents (CLAUSEBOT_CORPUS)"
    )
    parser.add_argument(
        "--index", metavar="DIR", help="folder of the built index (CLAUSEBOT_INDEX)"
    )
    parser.add_argument(
        "--model",
        choices=("hybrid", "e5", "minilm", "hashing"),
        help="embedding model (CLAUSEBOT_MODEL); default: the index's own, hybrid for a new index",
    )
    parser.add_argument(
        "--log-level", metavar="LEVEL", help="DEBUG, INFO, WARNING (CLAUSEBOT_LOG_LEVEL)"
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="postgresql://… for history, votes and rate limits shared by bot replicas "
        "(CLAUSEBOT_DATABASE_URL); default: the SQLite file",
    )


def _positive_k(value: str) -> int:
    try:
        k = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--k takes a whole number, got {value!r}") from None
    if k < 1 or k > 50:
        raise argparse.ArgumentTypeError(f"--k must be between 1 and 50, got {k}")
    return k


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clausebot",
        description="Ask questions of policy documents; get back the exact clauses, cited.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("index", help="build or update the index from the corpus")
    _common(p)
    p.add_argument("--json", action="store_true", help="end with a JSON summary line")
    p.add_argument(
        "--watch", action="store_true", help="keep watching the corpus and re-embed on change"
    )
    p.add_argument(
        "--interval", type=float, default=2.0, help="with --watch: seconds between looks"
    )
    p.add_argument(
        "--wait",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="how long to wait for another build of the same index (default 300)",
    )

    p = sub.add_parser("health", help="exit 0 if the index loads, 1 (with the reason) if not")
    p.add_argument(
        "--bot",
        nargs="?",
        type=float,
        const=90.0,
        metavar="SECONDS",
        help="also check that the running bot reached the Bot API within SECONDS (90)",
    )
    _common(p)

    p = sub.add_parser("ask", help="answer a question from the index")
    _common(p)
    p.add_argument("question", nargs="?", help="the question, or - to read one per line from stdin")
    p.add_argument("--k", type=_positive_k, default=3, help="passages to return (1-50, default 3)")
    p.add_argument("--json", action="store_true", help="one JSON object per question")

    p = sub.add_parser("eval", help="score retrieval on a question file")
    _common(p)
    p.add_argument("file", nargs="?", type=Path, default=None, help="JSON-lines question file")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--verbose", "-v", action="store_true", help="list the questions missed")

    p = sub.add_parser(
        "calibrate",
        help="fit the abstention model of the configured models on several corpora",
    )
    _common(p)
    p.add_argument(
        "--set",
        nargs=3,
        action="append",
        metavar=("NAME", "CORPUS", "QUESTIONS"),
        help="a corpus folder and its JSON-lines question file (repeat it; default: the "
        "bundled corpus with tests/questions.jsonl and benchmarks/xquad-dev)",
    )
    p.add_argument(
        "--max-false-abstention",
        type=float,
        default=None,
        help="share of each corpus's answerable questions in a language the threshold may "
        "refuse in the fit (default 0.04: the 5%% allowed, less a margin for new questions)",
    )
    p.add_argument(
        "--output",
        type=Path,
        default=None,
        metavar="FILE",
        help="where to write the calibration (default: the package's, which `ask` uses)",
    )
    p.add_argument(
        "--unseen-draws",
        type=int,
        default=None,
        metavar="N",
        help="times half of a corpus's documents are left out of the fit and it is tested on "
        "their questions (default 20; 0: not done)",
    )

    p = sub.add_parser(
        "words",
        help="embed the common words' vectors once for this install, for every index (the "
        "word bridge's table, retrieval/word_table.py; about a minute)",
    )
    _common(p)
    p.add_argument(
        "--folder",
        type=Path,
        default=None,
        help="where to write the table (default: CLAUSEBOT_WORD_TABLE, or the package's)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="embed the words again even if the table there is up to date",
    )

    p = sub.add_parser("documents", help="list the indexed documents: title, date, format, clauses")
    _common(p)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser(
        "add", help="copy a document into the corpus, with its metadata, and re-embed"
    )
    _common(p)
    p.add_argument(
        "file",
        nargs="+",
        help="a .txt, .md, .pdf, .docx, .doc, .odt, .rtf, .html, .mht or .epub file, or the "
        "http(s) address of one; several are added with one build",
    )
    for key in ADD_KEYS:
        p.add_argument(f"--{key.replace('_', '-')}", dest=f"meta_{key}", metavar=key.upper())
    p.add_argument("--force", action="store_true", help="replace a file of the same name")
    p.add_argument("--json", action="store_true", help="end with a JSON summary line")

    p = sub.add_parser(
        "remove",
        help="take a document out of the corpus (moved into its .removed folder) and re-embed",
    )
    _common(p)
    p.add_argument("doc_id", metavar="DOCUMENT", help="the document's id (clausebot documents)")
    p.add_argument("--json", action="store_true", help="end with a JSON summary line")

    p = sub.add_parser("status", help="show the index: documents, clauses, model, freshness")
    _common(p)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("telegram", help="run the Telegram bot")
    _common(p)
    p.add_argument(
        "--webhook-url", help="public HTTPS URL for webhook mode (default: long polling)"
    )
    p.add_argument("--listen", default="127.0.0.1", help="webhook listen address")
    p.add_argument("--port", type=int, default=8443, help="webhook listen port")
    p.add_argument("--url-path", default="telegram", help="webhook path")
    p.add_argument("--secret-token", help="webhook secret token (or TELEGRAM_WEBHOOK_SECRET)")

    p = sub.add_parser("stats", help="questions, answers and votes from the configured store")
    _common(p)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser(
        "purge",
        help="delete stored questions and votes older than some days (CLAUSEBOT_FEEDBACK_DB)",
    )
    _common(p)
    p.add_argument(
        "--older-than", type=_days, required=True, metavar="DAYS", help="age in days, e.g. 30"
    )
    return parser


def _days(text: str) -> float:
    try:
        days = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of days: {text!r}") from None
    if not days >= 0:
        raise argparse.ArgumentTypeError(f"days must be 0 or more, got {text!r}")
    return days


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.load(
        {
            "corpus": args.corpus,
            "index": args.index,
            "model": args.model,
            "log_level": args.log_level,
            "secret_token": getattr(args, "secret_token", None),
            "database_url": getattr(args, "database_url", None),
        }
    )


COMMANDS = {
    "index": commands.cmd_index,
    "ask": commands.cmd_ask,
    "eval": measure.cmd_eval,
    "status": commands.cmd_status,
    "calibrate": measure.cmd_calibrate,
    "health": commands.cmd_health,
    "documents": commands.cmd_documents,
    "add": commands.cmd_add,
    "remove": commands.cmd_remove,
    "telegram": commands.cmd_telegram,
    "purge": commands.cmd_purge,
    "words": commands.cmd_words,
    "stats": commands.cmd_stats,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    secrets: list[str] = []
    try:
        settings = _settings(args)
        logging.basicConfig(
            level=getattr(logging, settings.log_level, logging.WARNING),
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        for chatty in ("bm25s", "httpx", "sentence_transformers"):
            logging.getLogger(chatty).setLevel(logging.WARNING)
        if settings.log_level != "DEBUG":
            # pypdf warns of each damaged object it reads past ("EOF marker not found"): a
            # PDF it cannot read is skipped with one line that names it, one it reads is read
            logging.getLogger("pypdf").setLevel(logging.ERROR)
        if settings.log_level == "DEBUG":
            # python-telegram-bot logs whole updates (names, user ids, questions) at DEBUG,
            # and httpx every URL: clausebot's own debug lines name no one, theirs stay at INFO
            for talker in ("telegram", "httpcore"):
                logging.getLogger(talker).setLevel(logging.INFO)
        secrets = variants(
            [
                settings.telegram_token,
                settings.telegram_webhook_secret,
                settings.user_key,
                *database_secrets(settings.database_url),
            ]
        )
        install(secrets)
        return COMMANDS[args.command](args, settings)
    except ClausebotError as exc:
        print(f"clausebot {args.command}: {redact(str(exc), secrets)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"clausebot {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"clausebot {args.command}: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: still one line, with how to see the details
        log.debug("unexpected error", exc_info=True)
        print(
            f"clausebot {args.command}: unexpected error: {type(exc).__name__}: "
            f"{redact(str(exc), secrets)} (run again with --log-level DEBUG for the details)",
            file=sys.stderr,
        )
        return 1

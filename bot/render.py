"""Rendering answers as plain text for a terminal (Telegram HTML lives in bot/telegram_html.py)."""

from __future__ import annotations

import textwrap

from bot.i18n import t
from retrieval.question import NOTHING_ASKED, read_part
from retrieval.reflow import shown
from retrieval.types import Answer, Passage

BOLD, PLAIN = "\033[1m", "\033[0m"


def counted(number: int, noun: str) -> str:
    """'1 clause', '29 clauses': an English count for the terminal."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def folded(text: str) -> str:
    return " ".join(text.split())


def quote_text(passage: Passage, bold: bool = False) -> str:
    """The clause for reading (retrieval.reflow.shown), its best sentence in bold when asked
    for."""
    marks = {}
    if bold and passage.highlight:
        a, b = passage.highlight
        marks = {a: BOLD, b: PLAIN}
    return shown(passage.text, passage.wrap, marks)


def _wrapped(text: str, width: int) -> list[str]:
    """Lines of at most `width` characters, each of the text's own lines begun afresh, cut
    only where the text has a space: a word is never cut at its hyphen or in two (a web
    address longer than the line runs past it), so that each line break of a quote stands
    for a space or a line break of the text."""
    return [
        line
        for part in text.split("\n")
        for line in textwrap.wrap(part, width=width, break_on_hyphens=False, break_long_words=False)
        or [""]
    ]


def render_passage(passage: Passage, bold: bool = False, width: int = 88) -> str:
    def lines(clause_text: str) -> list[str]:
        return _wrapped(shown(clause_text, passage.wrap), width - 2)

    before: list[str] = []  # the question it answers; the opening of its list, then the item
    if passage.heading_question:
        before += [*lines(passage.heading_question), *(["…"] if passage.question_gap else [])]
    for lead, gap in passage.openings():
        before += [*lines(lead.text), *(["…"] if gap else [])]
    items: list[str] = []  # the items of the list the clause opens, where its words are
    for item in passage.items:
        items += lines(item.text)
    if passage.more_items:
        items.append(f"… ({passage.more_items} more)")
    for note in passage.footnotes:  # what its marks call
        items += lines(note.text)
    quoted = "\n".join(
        f"> {line}" for line in [*before, *_wrapped(quote_text(passage, bold), width - 2), *items]
    )
    cited = f"{quoted}\n  — {passage.citation.text}  [score {passage.score:.2f}]"
    if passage.versions:  # the same clause elsewhere: other languages, other documents
        named, more = passage.elsewhere()
        cited += f"\n  {t('en', 'also_in')} {'; '.join(named)}" + (f" (+{more})" if more else "")
    return cited


def asked(question: str) -> str:
    """The question as it is echoed: whitespace folded and, past what is read of a question
    (retrieval.question.read_part, which a note then says), cut there with an ellipsis, so
    that a pasted page does not fill the terminal."""
    text = folded(question)
    read = read_part(text)
    return read if read == text else f"{read} …"


def render_answer(answer: Answer, bold: bool = False) -> str:
    parts = [f"Q: {asked(answer.question)}", ""]
    # a question that names nothing ("what") is asked to name something, as the bot asks
    # it, not told that the documents do not answer it (its note stays in the JSON)
    vague = NOTHING_ASKED in answer.notes
    parts.extend(f"note: {note}" for note in answer.notes if note != NOTHING_ASKED)
    if answer.abstained:
        parts.append(t("en", "vague" if vague else "not_answered"))
        if answer.passages:
            parts += [t("en", "closest"), render_passage(answer.passages[0], bold)]
    elif not answer.passages:
        parts.append("No passages were asked for (--k 0).")
    else:
        if answer.uncertain:
            parts.append(t("en", "uncertain"))
        parts.append("\n\n".join(render_passage(p, bold) for p in answer.passages))
    return "\n".join(parts)

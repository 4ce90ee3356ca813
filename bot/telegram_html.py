"""Answers as Telegram HTML: quotes in blockquotes, the best sentence in bold, citations.

Everything from users and documents is escaped. Long answers are split into messages that
stay under Telegram's 4096-character limit, counted as Telegram counts (UTF-16 code units of
the text after its tags are parsed), and never split inside a tag or an entity.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from retrieval.reflow import shown
from retrieval.types import Answer, Clause, Passage

LIMIT = 4096
_TAG = re.compile(r"<[^>]+>")


def telegram_length(markup: str) -> int:
    """What Telegram counts against its limit: UTF-16 code units of the visible text."""
    visible = html.unescape(_TAG.sub("", markup))
    return len(visible.encode("utf-16-le")) // 2


def esc(text: str) -> str:
    return html.escape(text, quote=False)


@dataclass(frozen=True)
class Labels:
    """The fixed phrases an answer needs, in the reader's language."""

    not_answered: str
    closest: str
    score: str
    uncertain: str = ""  # heads an answer the documents may not give (Answer.uncertain)
    also_in: str = "Also in:"  # names where the same clause stands elsewhere (Passage.versions)


def quote(passage: Passage | None, clause: Clause | None = None, wrap: int = 0) -> str:
    """The clause as a blockquote, its best sentence in bold; `wrap` is the width its
    document's lines are wrapped at where no passage says (Passage.wrap)."""
    clause = clause or (passage.clause if passage else None)
    assert clause is not None
    wrap = passage.wrap if passage else wrap
    span = passage.highlight if passage else None
    marks = {span[0]: "<b>", span[1]: "</b>"} if span else None
    body = shown(clause.text, wrap, marks, esc)
    if passage:  # the question it answers, the list's opening: in italics, the clause's context
        opening = ""
        if passage.heading_question:
            after = "\n…\n" if passage.question_gap else "\n"
            opening += f"<i>{shown(passage.heading_question, wrap, escape=esc)}</i>{after}"
        for lead, gap in passage.openings():
            opening += f"<i>{shown(lead.text, wrap, escape=esc)}</i>" + ("\n…\n" if gap else "\n")
        body = opening + body
    if passage and passage.items:  # the items of the list the clause opens, where its words are
        more = f"\n… (+{passage.more_items})" if passage.more_items else ""
        body += "".join(f"\n{shown(item.text, wrap, escape=esc)}" for item in passage.items) + more
    if passage and passage.footnotes:  # the notes its marks call, after it
        body += "".join(f"\n{shown(note.text, wrap, escape=esc)}" for note in passage.footnotes)
    return f"<blockquote>{body}</blockquote>"


def citation_line(citation: str, link: str | None = None, score: str | None = None) -> str:
    line = f"— <i>{esc(citation)}</i>"
    if link:
        line = f'— <a href="{html.escape(link, quote=True)}">{esc(citation)}</a>'
    if score:
        line += f" · {esc(score)}"
    return line


def render_answer(
    answer: Answer,
    labels: Labels,
    link_for: Callable[[Passage], str | None] | None = None,
    start: int = 0,
) -> list[str]:
    """Blocks of HTML, one per passage, plus a heading block when the documents do not answer,
    or may not (from the first block only: the later ones are more of the same answer)."""
    blocks: list[str] = []
    passages: Sequence[Passage] = answer.passages
    if answer.abstained:
        closest = f"\n{esc(labels.closest)}" if passages else ""
        blocks.append(f"{esc(labels.not_answered)}{closest}")
        passages = passages[:1]
    elif answer.uncertain and labels.uncertain and start == 0:
        blocks.append(esc(labels.uncertain))
    for passage in passages[start:]:
        link = link_for(passage) if link_for else None
        score = f"{labels.score} {passage.score:.2f}"
        block = f"{quote(passage)}\n{citation_line(passage.citation.text, link, score)}"
        if passage.versions:  # the same clause elsewhere: other languages, other documents
            named, more = passage.elsewhere()
            block += f"\n{esc(labels.also_in)} <i>{esc('; '.join(named))}</i>"
            block += f" (+{more})" if more else ""
        blocks.append(block)
    return blocks


def split_blocks(blocks: Sequence[str], limit: int = LIMIT) -> list[str]:
    """Pack blocks into messages under the limit; a block too long alone is split further."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        for piece in _fit(block, limit):
            candidate = f"{current}\n\n{piece}" if current else piece
            if telegram_length(candidate) <= limit:
                current = candidate
            else:
                messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages


def _fit(block: str, limit: int) -> list[str]:
    """A block as pieces under the limit. Only a blockquote's text is ever cut (at a space),
    and each piece closes the tags it opened, so no tag or entity is broken."""
    if telegram_length(block) <= limit:
        return [block]
    match = re.fullmatch(r"(?s)<blockquote>(.*)</blockquote>(.*)", block)
    if not match:
        return _cut_plain(block, limit)
    inner, tail = match.groups()
    words = _tokens(inner)
    pieces: list[str] = []
    current: list[str] = []
    budget = limit - 16
    for token in words:
        trial = "".join([*current, token])
        if current and telegram_length(_balanced(trial)) > budget:
            pieces.append(f"<blockquote>{_balanced(''.join(current))}</blockquote>")
            current = [_reopen("".join(current)) + token]
        else:
            current.append(token)
    last = f"<blockquote>{_balanced(''.join(current))}</blockquote>{tail}"
    if telegram_length(last) > limit:
        pieces.append(f"<blockquote>{_balanced(''.join(current))}</blockquote>")
        pieces.extend(_cut_plain(tail.lstrip("\n"), limit))
    else:
        pieces.append(last)
    return pieces


def _tokens(markup: str, longest: int = 1000) -> list[str]:
    """Markup cut into tags, words (with the spaces after them) and spaces; a word longer
    than `longest` is cut too, never inside an entity such as &amp;."""
    out: list[str] = []
    for token in re.findall(r"<[^>]+>|[^<\s]+\s*|\s+", markup):
        while len(token) > longest and not token.startswith("<"):
            cut = longest
            amp = token.rfind("&", 0, cut)
            if amp != -1 and token.find(";", amp) >= cut:
                cut = amp  # do not split an entity
            out.append(token[:cut])
            token = token[cut:]
        out.append(token)
    return out


def _open_tags(markup: str) -> list[str]:
    """The tags (bold, italic) left open at the end of the markup, as opened."""
    return [tag for tag in ("i", "b") if markup.count(f"<{tag}>") > markup.count(f"</{tag}>")]


def _balanced(markup: str) -> str:
    return markup + "".join(f"</{tag}>" for tag in reversed(_open_tags(markup)))


def _reopen(markup: str) -> str:
    return "".join(f"<{tag}>" for tag in _open_tags(markup))


def _cut_plain(text: str, limit: int) -> list[str]:
    """Text without blockquotes, cut at spaces into pieces under the limit."""
    pieces: list[str] = []
    current = ""
    for token in _tokens(text):
        if current and telegram_length(_balanced(current + token)) > limit - 8:
            pieces.append(_balanced(current))
            current = _reopen(current) + token
        else:
            current += token
    if current.strip():
        pieces.append(_balanced(current))
    return pieces

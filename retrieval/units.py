"""What gets embedded for a corpus (the units), in what words (embed_text), and what BM25 reads
(lexical_text)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from retrieval.letter import describe
from retrieval.segment import segment
from retrieval.sentences import sentences
from retrieval.types import Clause, Document, DocumentInfo


def embed_text(
    document: DocumentInfo,
    clause: Clause,
    part: str | None = None,
    context: bool = True,
    lead: str = "",
) -> str:
    """What the model reads for a clause (or one sentence of it): the text in its context.

    The context (document title, heading, what a letter's part is for, and for a list's item
    or a table's row the sentence that opens its list or the table's head: `lead`, see
    lead_sentence) gives short clauses a meaning; only the clause itself is ever quoted.
    """
    text = unbroken(clause.text if part is None else part)
    if not context:
        return " ".join(text.split())
    parts = [document.title]
    if clause.heading and clause.heading != document.title:
        parts.append(clause.heading)
    if clause.label:
        text = f"{describe(clause)}: {text}"
    if lead:
        text = f"{lead} {text}"
    return " ".join(f"{'. '.join(parts)}. {text}".split())


# a lead sentence longer than this is no context for an item: it drowns it (at 40 words, the
# licences' long leads made their items alike; docs/quality.md, session 32)
LEAD_WORDS = 15


def lead_sentence(lead: Clause | None) -> str:
    """What an item of a list, or a row of a table, is read with: the last sentence of the
    clause that opens its list ("Each operator shall report to the ministry:"), or the
    table's head ("Licence | Fee per year"), if it is short enough to be context. "1. a cut
    cable, within 24 hours" says what must be reported only after "shall report:"; "Mobile |
    250 EUR" says what 250 EUR is only under "Licence | Fee per year"."""
    if lead is None:
        return ""
    spans = sentences(lead)
    a, b = spans[-1] if spans else (0, len(lead.text))
    text = unbroken(lead.text[a:b])
    return text if len(text.split()) <= LEAD_WORDS else ""


@dataclass(frozen=True)
class Units:
    """What gets embedded: each clause whole, each sentence of a multi-sentence clause, and
    for a part of a letter what the part is for, alone (its role).

    `rows[u]` is (clause index, sentence start, sentence end) for unit u; start = end = WHOLE
    for the whole clause, which always comes first among its clause's units; start = end = ROLE
    for the role.
    """

    clauses: list[Clause]
    texts: list[str]
    rows: np.ndarray  # int64 (units x 3)


WHOLE = -1
ROLE = -2


def whole_units(rows: np.ndarray) -> np.ndarray:
    """Which of the units (Units.rows) stand for a whole clause: one per clause, in order."""
    return np.asarray(rows[:, 1] == WHOLE)


def plan_units(
    documents: Sequence[Document],
    context: bool = True,
    sentence_units: bool = True,
    segmented: dict[str, list[Clause]] | None = None,
    role_units: bool = True,
) -> Units:
    """`segmented` holds the clauses of documents already segmented (unchanged since).

    A role unit ("Letter from the Minister ... . closing and signature: who signed the
    letter") lets a question about what a part of the letter is for find it in any language,
    without the part's names and numbers blurring the match."""
    clauses: list[Clause] = []
    texts: list[str] = []
    rows: list[tuple[int, int, int]] = []
    for document in documents:
        known = (segmented or {}).get(document.doc_id)
        own = known if known is not None else segment(document)
        by_number = {c.number: c for c in own}
        leads: dict[int, str] = {}  # each lead's sentence, read once for all its items
        for clause in own:
            index = len(clauses)
            clauses.append(clause)
            if clause.lead and clause.lead not in leads:
                leads[clause.lead] = lead_sentence(by_number.get(clause.lead))
            lead = leads.get(clause.lead, "")
            texts.append(embed_text(document.info, clause, context=context, lead=lead))
            rows.append((index, WHOLE, WHOLE))
            spans = sentences(clause) if sentence_units else []
            if len(spans) > 1:
                for a, b in spans:
                    part = clause.text[a:b]
                    texts.append(embed_text(document.info, clause, part, context, lead))
                    rows.append((index, a, b))
            if role_units and context and clause.label:
                role = describe(clause)
                texts.append(" ".join(f"{document.info.title}. {role}".split()))
                rows.append((index, ROLE, ROLE))
    return Units(clauses, texts, np.array(rows, dtype=np.int64).reshape(-1, 3))


def lexical_text(clause: Clause) -> str:
    """What BM25 reads: the clause (its words whole, see unbroken), and what the letter part
    it is stands for."""
    if clause.label:
        return f"{describe(clause)}: {unbroken(clause.text)}"
    return unbroken(clause.text)


# a word hyphenated at a line's end, as justified PDFs break them: "man-" / "agement"
_BROKEN_WORD = re.compile(r"([^\W\d_])-\n[ \t]*([^\W\d_])")


def unbroken(text: str) -> str:
    """The text with its words hyphenated at a line's end read whole ("structures man-" /
    "agement" -> "structures management"), for the models and BM25: read as two pieces,
    neither is a word the question can match. A hyphen before a capital stays ("Anglo-" /
    "Saxon"). Quotations keep the text as the document sets it."""
    return _BROKEN_WORD.sub(lambda m: m[1] + m[2] if m[2].islower() else f"{m[1]}-{m[2]}", text)

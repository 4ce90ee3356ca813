"""What gets embedded for a corpus (the units), in what words (embed_text), and what BM25 reads
(lexical_text)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from retrieval.letter import describe
from retrieval.segment import segment, sentences
from retrieval.types import Clause, Document, DocumentInfo


def embed_text(
    document: DocumentInfo, clause: Clause, part: str | None = None, context: bool = True
) -> str:
    """What the model reads for a clause (or one sentence of it): the text in its context.

    The context (document title, heading, what a letter's part is for) gives short clauses a
    meaning; only the clause itself is ever quoted.
    """
    text = unbroken(clause.text if part is None else part)
    if not context:
        return " ".join(text.split())
    parts = [document.title]
    if clause.heading and clause.heading != document.title:
        parts.append(clause.heading)
    if clause.label:
        text = f"{describe(clause)}: {text}"
    return " ".join(f"{'. '.join(parts)}. {text}".split())


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
        for clause in known if known is not None else segment(document):
            index = len(clauses)
            clauses.append(clause)
            texts.append(embed_text(document.info, clause, context=context))
            rows.append((index, WHOLE, WHOLE))
            spans = sentences(clause) if sentence_units else []
            if len(spans) > 1:
                for a, b in spans:
                    texts.append(embed_text(document.info, clause, clause.text[a:b], context))
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

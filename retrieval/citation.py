"""Citations: how a clause is named so that a reader can find it in the original."""

from __future__ import annotations

import datetime as dt

from retrieval.numbering import reference
from retrieval.types import Citation, Clause, DocumentInfo


def human_date(value: str) -> str:
    """'2012-11-05' -> '5 November 2012'; anything else is returned as written."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day} {day.strftime('%B')} {day.year}"


def cite(document: DocumentInfo, clause: Clause) -> Citation:
    where = f"{document.label} ({human_date(document.date)})" if document.date else document.label
    if clause.page is not None:
        where += f", p. {clause.page}"
    if str(clause.page or 1) in document.ocr_pages.split(","):
        where += ", scanned (text read by OCR)"  # a quote from it is what OCR read
    number = reference(clause.section, clause.ref)
    if not clause.ref:  # a paragraph the document does not number: its place in reading order
        number = f"{number}, ¶{clause.number}" if number else f"¶{clause.number}"
    text = f"{where}, {number}"
    if clause.label:
        text += f" ({clause.label})"
    return Citation(doc_id=document.doc_id, clause_id=clause.clause_id, text=text)

"""A clause's sentences: the units embedded beside the clause whole (retrieval.units), so that
a question asking for one sentence of a long clause finds it."""

from __future__ import annotations

import re

from retrieval.numbering import only_a_number
from retrieval.types import Clause
from retrieval.vocabulary import ABBREVIATION

# a period, "!", "?" or ";" and space before a capital or a digit, past any opening quote or
# bracket; a capital of any script, or a letter of a script without capitals (see sentences)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?;])\s+(?=[\"“‘'(«¿¡\[]*([^\W_]))")
# where a period and a capital or a number end no sentence, in any language: after an
# initial or a run of them ("John F. Kennedy", "U.S. Army", "т.е.", "г. Баку"), and after a
# short word before a number ("No. 81", "et al. 1998", "ст. 5")
_INITIALS = re.compile(r"(?:^|[^\w.])(?:[^\W\d_]\.)+$")
_SHORT_BEFORE_NUMBER = re.compile(r"(?:^|\W)[^\W\d_]{1,3}\.$")


def sentences(clause: Clause) -> list[tuple[int, int]]:
    """Spans (within clause.text) of its sentences; for labelled parts, of its lines."""
    text = clause.text
    if clause.label:
        pieces = re.finditer(r"[^\n]+", text)
        spans = [(m.start(), m.end()) for m in pieces if m.group().strip()]
    else:
        spans, start = [], 0
        for match in _SENTENCE_BREAK.finditer(text):
            first = match.group(1)
            if first.islower():
                continue
            before = text[max(start, match.start() - 12) : match.start()]
            if only_a_number(text[start : match.start()]):
                continue  # "2. This Regulation ...": the clause's number opens its sentence
            if (
                _INITIALS.search(before)
                or (before.endswith(".") and ABBREVIATION.search(before[:-1]))  # "Mr. Smith"
                or (first.isdigit() and _SHORT_BEFORE_NUMBER.search(before))
            ):
                continue
            spans.append((start, match.start()))
            start = match.end()
        spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]

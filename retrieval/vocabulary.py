"""What a corpus's words say about it, read at index time for any corpus: its vocabulary (the
word bridge maps question words onto it), its names (words written with a capital inside
sentences and never in lower case) and the words every document's metadata shares.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from retrieval.lexical import tokenize
from retrieval.types import DocumentInfo

MAX_WORDS = 50_000
WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W_]")


SENTENCE_START = "^"  # marks, in word counts, a capitalised word that opens a sentence or line
# a word right after the start of a line or a sentence's end (and any quotes or brackets)
OPENING = re.compile(r"(?:^|([.!?:;]))[ \t\"'“‘(«\[]*(" + WORD.pattern + ")", re.MULTILINE)
# an initial ("Ali M. Abbasov") or a title ("Dr. Ali", "Mr. Chehadé") does not end a sentence
ABBREVIATION = re.compile(r"(?:^|\W)(?:[A-Z]|Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr)$")


def count_words(texts: Iterable[str]) -> Counter[str]:
    """How often each word (3+ letters, as written) occurs in some texts. A capitalised word
    that opens a sentence or a line is counted as SENTENCE_START + word: its capital says
    nothing about whether it is a name. A letter written as a letter and a combining mark
    is read composed, as the lexical index reads it (retrieval.lexical.lower)."""
    joined = unicodedata.normalize("NFC", "\n".join(texts))
    counts = Counter(w for w in WORD.findall(joined) if len(w) >= 3)
    for match in OPENING.finditer(joined):
        mark, word = match.groups()
        if len(word) < 3 or not word[0].isupper():
            continue
        at = match.start()
        if mark == "." and ABBREVIATION.search(joined, max(0, at - 5), at):
            continue  # "Ali M. Abbasov": Abbasov is inside the sentence
        counts[word] -= 1
        counts[SENTENCE_START + word] += 1
    return +counts  # without the words that only ever open a sentence


def stored_counts(records: dict[str, Any]) -> dict[str, Counter[str]]:
    """Each document's word counts (count_words) as an index's clauses.json keeps them."""
    return {doc: Counter(counts) for doc, counts in records.get("word_counts", {}).items()}


def vocabulary(per_document: Iterable[Counter[str]]) -> list[str]:
    """Distinct words (3+ letters, case folded) of the corpus, most frequent first."""
    forms: Counter[str] = Counter()
    for document_counts in per_document:
        forms.update(document_counts)
    counts: Counter[str] = Counter()
    first_form: dict[str, str] = {}
    for word, n in forms.most_common():
        plain = word.removeprefix(SENTENCE_START)
        key = plain.casefold()
        counts[key] += n
        first_form.setdefault(key, plain)
    return [first_form[k] for k, _ in counts.most_common(MAX_WORDS)]


@lru_cache(maxsize=100_000)
def fold_name(word: str) -> str:
    """A name as compared: case and accents folded ("Zürich", "Zurich" -> "zurich"; the
    Turkish dotless i as i: "Işık" -> "isik"). Kept: a question folds each of its words a
    few times."""
    decomposed = unicodedata.normalize("NFKD", word.casefold().replace("ı", "i"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def names(per_document: Iterable[Counter[str]]) -> list[str]:
    """The corpus's names (folded, see fold_name): words written with a capital inside
    sentences and never in lower case ("ICANN", "Baku", "Chehadé"). Ranking uses them to ask
    whether a question is about what the corpus says or only mentions what it names."""
    capitalised: set[str] = set()
    lower: set[str] = set()
    for document_counts in per_document:
        for word in document_counts:
            if word.startswith(SENTENCE_START):
                continue
            (lower if word[0].islower() else capitalised).add(fold_name(word))
    return sorted(capitalised - lower)


def common_names(documents: Iterable[DocumentInfo]) -> frozenset[str]:
    """Words (folded, 3+ letters, not stop words) that every document's title, place or
    author has, in a corpus of two documents or more: "Baku" when every document is from
    Baku. Such a word tells no clause from another, yet a title that spells it out ("Baku
    Declaration") pulls a question that names it towards that document's every clause (see
    retrieval.ranking.rank). A single document's words pull nowhere else: none."""
    per_document = [
        {fold_name(w) for w in WORD.findall(f"{d.title} {d.place} {d.author}") if len(w) >= 3}
        for d in documents
    ]
    common = sorted(set.intersection(*per_document)) if len(per_document) > 1 else []
    if not common:
        return frozenset()
    return frozenset(w for w, tokens in zip(common, tokenize(common), strict=True) if tokens)

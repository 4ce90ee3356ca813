"""A clause asked for by where it stands: "What does Article 3 say?", "Art. 2(2)(b)", "¶9".

A reader of a law or a treaty asks for a place in it as often as for a subject. A question
that names a place in a document's own numbering (retrieval.numbering) is answered with the
clauses standing there, as turning to that page would:

- a numbered heading or a clause numbered by a word ("Article 3", "Chapter II", "§ 5"): every
  clause under it, or the points asked for ("Article 2(2)" is "2." and its "(a)", "(b)");
- a section numbered without a word ("5. Conveying Modified Source Versions."), by the word
  the document's own text names its sections by ("section 5", as the GNU GPL says);
- a clause's place in reading order, as citations give it ("¶9").

The word before the number is the document's own, matched by its letters, so that an
abbreviation ("Art. 3") and an inflected form ("в статье 4", "Madde 3'te") find "Article
3", "Статья 4" and "Madde 3", as does a word after an ordinal ("3-cü maddə", "3. madde");
a word of fewer than three letters is no reference ("in 1967"). No list of words: only
those the documents number their parts with can match, so a question about a year or an
amount in a corpus without numbered parts is read as before.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from retrieval.loaded import LoadedIndex
from retrieval.numbering import POINT
from retrieval.types import Clause

# "Article 2(2)(b)", "Art. 3", "статье 4", "Chapter IV"; "¶9", "§ 5"
_ASKED = re.compile(
    r"(?:([¶§])\s*|\b([^\W\d_]{3,})\.?\s+)(\d{1,4}(?:\.\d{1,3})*[a-z]?\b|[IVXLC]{1,6}\b)"
    rf"((?:\s?\((?:{POINT})\))*)"
)
# the number first, as an ordinal: "3. madde", "3-cü maddə", "3-я статья", "3rd article"
_ASKED_ORDINAL = re.compile(r"\b(\d{1,4})(?:\.|-[^\W\d_]{1,4}|st|nd|rd|th)\s+([^\W\d_]{3,})")
_CHAIN = re.compile(r"\(([^()]+)\)")
PREFIX = 4  # letters an inflected form shares with the document's word at least
ENDING = 1  # letters of an ending that an inflected form changes at most


@dataclass(frozen=True)
class Place:
    """A place asked for: the word (or ¶, §), the number, the points below it."""

    word: str
    number: str
    points: tuple[str, ...] = ()
    written: str = ""  # as the question writes it


def asked_places(question: str) -> list[Place]:
    """The places in a document's numbering a question names, as written."""
    found = []
    for match in _ASKED.finditer(question):
        symbol, word, number, chain = match.groups()
        points = tuple(p.strip().lower() for p in _CHAIN.findall(chain or ""))
        written = match.group().strip()
        found.append(Place((symbol or word).lower(), number.lower(), points, written))
    for match in _ASKED_ORDINAL.finditer(question):
        number, word = match.groups()
        found.append(Place(word.lower(), number, (), match.group()))
    return found


def _same_word(asked: str, own: str) -> bool:
    """Is the question's word the document's: the word, an abbreviation of it ("Art" for
    "Article"), or an inflected form, its ending changed ("статье" for "Статья") or added
    ("maddesinde" for "Madde")? A word that shares only a stem is not ("artist")."""
    own = own.lower()
    if own.startswith(asked) or asked.startswith(own):
        return True
    shared = len(os.path.commonprefix([asked, own]))
    return shared >= max(PREFIX, min(len(asked), len(own)) - ENDING)


def _designations(
    clause: Clause, learned: frozenset[str] = frozenset()
) -> list[tuple[str, str, tuple[str, ...]]]:
    """The places a clause stands at: (word, number, points), from its section and its own
    number ("Article 2" and "2(b)" -> ("article", "2", ("2", "b"))); a section numbered
    without a word ("5. Conveying ...") by each of the words its document calls its sections
    by (`learned`, see _learned). Its place in reading order ("¶9") is read from the index
    itself (LoadedIndex.clause)."""
    points = tuple(p.lower() for p in _CHAIN.findall(clause.ref))
    first = clause.ref.split("(", 1)[0]
    found = []
    for own in (clause.section, first):
        word, _, number = own.rpartition(" ")
        inner = points if own == first else ((first.lower(),) if first else ()) + points
        if word and number:
            found.append((word.lower(), number.lower(), inner))
        elif own[:1].isdigit() and (own == clause.section or not clause.section):
            # a section numbered without a word, or a clause numbered so outside any section
            # ("2. Grant of Copyright License. …", its title run into its text)
            found.extend((w, own, inner) for w in learned)
    return found


# a word and a number in a document's text: how it refers to its own parts ("see section 10")
_MENTION = re.compile(r"\b([^\W\d_]{3,})\s+(\d{1,3}(?:\.\d{1,3})*)\b")
LEARNED = 3  # of its sections a word must name in a document's text to be its word for them


def _learned(clauses: list[Clause]) -> dict[str, frozenset[str]]:
    """For each document whose sections are numbered without a word ("5. Conveying Modified
    Source Versions."), the words its own text names them by: "section" in a licence that
    says "the requirements of section 7" and "sections 15 and 16". A word counts when it
    comes before the numbers of LEARNED sections or more ("version 3" names one)."""
    bare: dict[str, set[str]] = {}
    for clause in clauses:
        # a section numbered without a word, or a clause numbered so outside any section
        first = clause.section or clause.ref.split("(", 1)[0]
        if first[:1].isdigit():
            bare.setdefault(clause.doc_id, set()).add(first)
    named: dict[str, dict[str, set[str]]] = {}
    for clause in clauses:
        numbers = bare.get(clause.doc_id, set())
        for match in _MENTION.finditer(clause.text) if numbers else ():
            if match.group(2) in numbers:
                words = named.setdefault(clause.doc_id, {})
                words.setdefault(match.group(1).lower(), set()).add(match.group(2))
    return {
        doc: frozenset(w for w, numbers in words.items() if len(numbers) >= LEARNED)
        for doc, words in named.items()
    }


@dataclass
class Places:
    """The places in an index's numbering, by number: (clause, word, points)."""

    by_number: dict[str, list[tuple[Clause, str, tuple[str, ...]]]]
    words: frozenset[str]  # the words the documents number their parts with


def _places(loaded: LoadedIndex) -> Places:
    if loaded.places is None:  # once a generation
        by_number: dict[str, list[tuple[Clause, str, tuple[str, ...]]]] = {}
        learned = _learned(loaded.clauses)
        for clause in loaded.clauses:
            if clause.section or clause.ref:  # most clauses of most corpora have neither
                words = learned.get(clause.doc_id, frozenset())
                for word, number, points in _designations(clause, words):
                    by_number.setdefault(number, []).append((clause, word, points))
        words = frozenset(w for found in by_number.values() for _, w, _ in found)
        loaded.places = Places(by_number, words)
    assert isinstance(loaded.places, Places)
    return loaded.places


@dataclass(frozen=True)
class Lookup:
    clauses: tuple[Clause, ...]  # standing at the places asked for, in reading order
    missing: tuple[str, ...]  # places asked for in words the documents use, that none has


def referenced(loaded: LoadedIndex, question: str) -> Lookup:
    """The clauses standing at the places the question names, and the places it names in
    the documents' words that no clause stands at ("Article 9" of four articles)."""
    asked = asked_places(question)
    if not asked:
        return Lookup((), ())
    places = _places(loaded)
    found: set[Clause] = set()
    missing = []
    for place in asked:
        before = len(found)
        if place.word == "¶" and place.number.isdecimal() and not place.points:
            # "¶9": the ninth clause of a document, as citations and /clause number them
            for doc_id in loaded.documents:
                clause = loaded.clause(doc_id, int(place.number))
                found.update([clause] if clause is not None else [])
            continue
        for clause, word, points in places.by_number.get(place.number, ()):
            if place.points == points[: len(place.points)] and (
                place.word == word or _same_word(place.word, word)
            ):
                found.add(clause)
        if len(found) == before and any(_same_word(place.word, w) for w in places.words):
            missing.append(place.written)
    order = {doc_id: n for n, doc_id in enumerate(loaded.documents)}
    in_order = sorted(found, key=lambda c: (order.get(c.doc_id, len(order)), c.number))
    return Lookup(tuple(in_order), tuple(missing))

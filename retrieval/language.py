"""Which language a corpus is written in, told from its characters.

A question's language is told by the multilingual model (bridge.language_of: the nearest of
the everyday questions' mean vectors). A corpus's clauses are passages, and passages do not
sit near any language's mean question vector: the bundled corpus in Azerbaijani had every
clause nearest the Turkish questions' mean, and the same questions embedded as passages put
it nearer Turkish and Russian (docs/quality.md, session 26). Its characters tell it plainly:
naive Bayes over character 1- to 3-grams, learnt from the same everyday questions in each of
their languages (reference.everyday_questions), so that the corpus's language is always one
the question's can be compared with. On the benchmark's and the own set's questions it names
the language of 96-100% of them, whichever of the six; over a corpus, which pools every
clause read, the sets here all come out right.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from retrieval.loaded import LoadedIndex
from retrieval.reference import everyday_languages, everyday_questions
from retrieval.types import Clause

NOT_LETTERS = re.compile(r"[\W\d_]+")
GRAMS = (1, 2, 3)  # the n-gram lengths read (1-3: az/tr questions told apart best; 3-4 less)
SAMPLE_CLAUSES = 50  # a large corpus: clauses spread over all of it
SAMPLE_CHARACTERS = 200  # of each clause
# letters a document has at least for its own language to be told apart from the corpus's
# (a page of a title and a link, a table of figures: too few to tell)
TOLD_LETTERS = 100
# and how decisive its characters must be: at least this share of the odds its language's
# own everyday questions give it over the corpus's (everyday_odds). Of this machine's 918
# English documents, 14 lists of a library's function names ("xsltCleanupGlobals") were
# told German or Spanish by a hair (0.03-0.15 a character n-gram, one 0.33, where German's
# everyday questions give 0.65 over English, Spanish's 0.84); 13 are no longer. The
# benchmark's German, Spanish, Russian and Turkish questions, eight at a time, give
# 0.26-2.9 over English, Turkish 0.19 or more over Azerbaijani; documents in Russian,
# Azerbaijani and Turkish 0.34-2.9 over English or each other
DECISIVE = 1 / 3
# the share of a text's letters, of its language's own script, that the language's everyday
# questions never write, above which the text is in another language written in the same
# script (surely_in). Text in each of the six, from this machine's translated messages:
# 0.05-0.50% (English terms in Turkish: "j", "q", "w", "x"); Ukrainian 6.3% ("і", "ї", "є"),
# Belarusian 5.8%, Serbian 5.7%, Bulgarian 1.8% ("ъ", which Russian writes rarely and its
# questions never), Portuguese 2.7%, Crimean Tatar 3.0% ("â", "ñ", "q"), Romanian 5.2%
FOREIGN_LETTERS = 0.01


def char_grams(text: str) -> Counter[str]:
    """The text's character n-grams (GRAMS) of its letters, lower case; anything else
    (figures, signs, white space: every language writes them) is one space, and the text is
    framed in spaces, so that a word's first and last letters count as such."""
    framed = f" {' '.join(NOT_LETTERS.sub(' ', text.lower()).split())} "
    grams = Counter[str]()
    for n in GRAMS:
        grams.update(map("".join, zip(*(framed[i:] for i in range(n)), strict=False)))
    del grams[" "]
    return grams


class CharacterModel:
    """Each language's n-gram log probabilities, with add-one smoothing over the n-grams of
    every language; an n-gram no language was seen with tells nothing and is not read."""

    def __init__(self, texts: Iterable[tuple[str, str]]) -> None:
        counts: dict[str, Counter[str]] = {}
        for language, text in texts:
            counts.setdefault(language, Counter()).update(char_grams(text))
        self.languages = sorted(counts)
        grams = sorted(set().union(*counts.values())) if counts else []
        self._column = {g: i for i, g in enumerate(grams)}
        seen = np.array([[counts[c][g] for g in grams] for c in self.languages], dtype=np.float64)
        seen += 1.0
        self._logs = np.log(seen / seen.sum(axis=1, keepdims=True)) if grams else seen

    def language(self, texts: Iterable[str]) -> str | None:
        """The language of the texts together, the most likely; None without languages or
        without an n-gram any language was seen with."""
        counts = self._counts(texts)
        if not self.languages or not counts.any():
            return None
        return self.languages[int(np.argmax(self._logs @ counts))]

    def odds(self, texts: Iterable[str], language: str, other: str) -> float:
        """How much likelier the texts are in `language` than in `other`: the log of the
        ratio, a character n-gram (0 without n-grams, or either language unknown)."""
        counts = self._counts(texts)
        if language not in self.languages or other not in self.languages or not counts.any():
            return 0.0
        logs = self._logs @ counts
        found = logs[self.languages.index(language)] - logs[self.languages.index(other)]
        return float(found / counts.sum())

    def _counts(self, texts: Iterable[str]) -> np.ndarray:
        grams = Counter[str]()
        for text in texts:
            grams.update(char_grams(text))
        counts = np.zeros(len(self._column))
        for gram, n in grams.items():
            column = self._column.get(gram)
            if column is not None:
                counts[column] += n
        return counts


@lru_cache(maxsize=1)
def everyday_model() -> CharacterModel:
    """The model learnt from the everyday questions of each language."""
    return CharacterModel(zip(everyday_languages(), everyday_questions(), strict=True))


@lru_cache(maxsize=64)
def everyday_odds(language: str, other: str) -> float:
    """How much likelier the everyday questions of `language`, together, are in it than in
    `other` (CharacterModel.odds): what a text surely in it shows."""
    texts = [
        q for q, c in zip(everyday_questions(), everyday_languages(), strict=True) if c == language
    ]
    return everyday_model().odds(texts, language, other)


@lru_cache(maxsize=256)
def nearest_languages(language: str, among: tuple[str, ...]) -> tuple[str, ...]:
    """`among` in the order a reader of `language` reads them best: `language` itself, then
    each by how near its writing is to `language`'s, as the everyday questions' characters
    tell it (everyday_odds: how much likelier those of `language` are in it than in the
    other; less is nearer). Turkish reads Azerbaijani first (0.47), then English (0.92),
    then Russian (2.82); German and Spanish read English first; every language reads
    Russian last but Russian itself (another alphabet). A language the everyday questions
    lack keeps `among`'s order, after `language`."""
    known = everyday_model().languages

    def distance(other: str) -> tuple[bool, float]:
        near = everyday_odds(language, other) if {language, other} <= set(known) else 0.0
        return other != language, near

    return tuple(sorted(among, key=distance))


def _script(letter: str) -> str:
    """The script a letter is written in, as Unicode names it: "LATIN", "CYRILLIC"."""
    return unicodedata.name(letter, "").partition(" ")[0]


@lru_cache(maxsize=1)
def _alphabets() -> dict[str, frozenset[str]]:
    """The letters each language's everyday questions write, lower case."""
    found: dict[str, set[str]] = {}
    for language, question in zip(everyday_languages(), everyday_questions(), strict=True):
        found.setdefault(language, set()).update(ch for ch in question.lower() if ch.isalpha())
    return {language: frozenset(letters) for language, letters in found.items()}


def foreign_letters(texts: Iterable[str], language: str) -> float:
    """The share of the texts' letters in `language`'s scripts that its everyday questions
    never write (0 without such letters): Ukrainian's "і" read as Russian, Portuguese's
    "ã" as Spanish. Letters of another script (a Latin name in a Russian text) are not
    counted: every language quotes them."""
    alphabet = _alphabets().get(language, frozenset())
    scripts = {_script(letter) for letter in alphabet}
    letters = [
        ch
        for text in texts
        for ch in unicodedata.normalize("NFC", text.lower())
        if ch.isalpha() and _script(ch) in scripts
    ]
    return sum(ch not in alphabet for ch in letters) / len(letters) if letters else 0.0


def _sample(clauses: Sequence[Clause]) -> list[str]:
    """Up to SAMPLE_CLAUSES of the clauses spread over them, SAMPLE_CHARACTERS of each; the
    parts of a letter left out when there is anything else (a letterhead, a fax number)."""
    read = [c for c in clauses if not c.label] or list(clauses)
    if len(read) > SAMPLE_CLAUSES:
        read = [read[int(i)] for i in np.linspace(0, len(read) - 1, SAMPLE_CLAUSES)]
    return [c.text[:SAMPLE_CHARACTERS] for c in read]


def written_in(clauses: Sequence[Clause]) -> str | None:
    """The language the clauses are written in (everyday_model), from a sample of them
    (_sample). Recorded by a build (the index's clauses.json), read again for an index
    built before it was."""
    return everyday_model().language(_sample(clauses))


def clauses_language(loaded: LoadedIndex) -> str | None:
    """The language the index's clauses are written in: as its build recorded it, or read
    now (written_in) for an index built before builds did."""
    return loaded.written_in or written_in(loaded.clauses)


def corpus_language(loaded: LoadedIndex) -> str:
    """The language the corpus is written in (written_in): "en" for the bundled corpus and
    the benchmark, "ru" and "az" for the bundled corpus in Russian and in Azerbaijani; "en"
    when the index has no mean vector for it to move a question with (or none at all). A
    question in this language is read as asked; one in another is moved towards it
    (bridge.towards_english). Kept for the generation."""
    if loaded._language is None:
        means = loaded.spaces[0].languages if loaded.spaces else {}
        found = clauses_language(loaded) if "en" in means else None
        loaded._language = found if found in means else "en"
    return loaded._language


def document_languages(clauses: Sequence[Clause], corpus: str | None) -> dict[str, str]:
    """The language each document is written in (written_in over its own clauses), where it
    is not the corpus's (`corpus`: written_in over all of them), the document has letters
    enough to tell (TOLD_LETTERS) and its characters tell it decisively (DECISIVE): a corpus
    of English reports with a law in Russian added. Recorded by a build (the index's
    clauses.json), read again for an index built before it was; documents in the corpus's
    language are not listed."""
    by_document: dict[str, list[Clause]] = {}
    for clause in clauses:
        by_document.setdefault(clause.doc_id, []).append(clause)
    model = everyday_model()
    found: dict[str, str] = {}
    for doc_id, own in by_document.items():
        letters = sum(sum(ch.isalpha() for ch in c.text[:SAMPLE_CHARACTERS]) for c in own)
        if letters < TOLD_LETTERS:
            continue
        sample = _sample(own)
        language = model.language(sample)
        if language is None or language == corpus:
            continue
        if corpus is not None and model.odds(sample, language, corpus) < DECISIVE * everyday_odds(
            language, corpus
        ):
            continue  # told by a hair: a list of code's names, not a text in another language
        found[doc_id] = language
    return found


def surely_in(clauses: Sequence[Clause], language: str) -> bool:
    """Whether the clauses' characters tell `language` decisively against every other
    language the everyday questions are in: each time at least DECISIVE of the odds its own
    everyday questions show over that one (everyday_odds). A text in a language they lack
    is told the nearest they have, by a hair: a French decree was told Spanish at 0.17 of
    Spanish's odds over German, an Italian one at 0.29 over English, where a Spanish one
    reads 0.67, German 0.61, Turkish 0.62 and Azerbaijani 0.75 at worst. A language written
    like one of them can be told it decisively (Ukrainian, Bulgarian and Serbian as Russian
    at 0.78-0.79 at worst, a Portuguese text as Spanish at 0.46): its letters tell it apart,
    as more than FOREIGN_LETTERS of them are letters the language never writes
    (foreign_letters)."""
    model = everyday_model()
    if language not in model.languages:
        return False
    sample = _sample(clauses)
    if foreign_letters(sample, language) > FOREIGN_LETTERS:
        return False
    return all(
        model.odds(sample, language, other) >= DECISIVE * everyday_odds(language, other)
        for other in model.languages
        if other != language
    )


def documents_apart(loaded: LoadedIndex) -> dict[str, str]:
    """The index's documents not in its clauses' language, and theirs: as its build
    recorded them, or read now (document_languages) for an index built before builds did."""
    if loaded.document_languages is None:
        loaded.document_languages = document_languages(loaded.clauses, clauses_language(loaded))
    return loaded.document_languages


def document_language(loaded: LoadedIndex, doc_id: str) -> str:
    """The language a document is written in: its own where told apart from the corpus's
    (documents_apart), else the corpus's."""
    return documents_apart(loaded).get(doc_id, corpus_language(loaded))


@dataclass(frozen=True)
class Mixed:
    """A corpus of documents in several languages, read once a generation (mixed_languages): the
    language of each clause (its document's: document_languages), and each language's units
    and clauses, as masks. A question is ranked in each language's group
    (reading.ranked_units) and judged within one (ranking.rank): the masks are read on every
    question, and taken afresh (an object array compared with each language's name) they
    cost 15 ms a question at 200,000 units."""

    clauses: np.ndarray  # each clause's language
    groups: dict[str, np.ndarray]  # each language's units (a mask), the languages in order
    clause_groups: dict[str, np.ndarray]  # and its clauses

    @property
    def names(self) -> tuple[str, ...]:
        """The languages, in order."""
        return tuple(self.groups)


def mixed_languages(loaded: LoadedIndex) -> Mixed | None:
    """The corpus's languages, where it holds documents in more than one of the languages
    the primary model has a mean for; None for a corpus in one language, read as it always
    was (reading.ranked_units)."""
    if loaded._mixed is None:
        corpus = corpus_language(loaded)
        means = loaded.spaces[0].languages if loaded.spaces else {}
        own = {doc: lang for doc, lang in documents_apart(loaded).items() if lang in means}
        loaded._mixed = False
        if own:
            clauses = np.array([own.get(c.doc_id, corpus) for c in loaded.clauses], dtype=object)
            starts = loaded.units[:, 0].astype(np.int64) if len(loaded.units) else np.zeros(0, int)
            units = clauses[starts]
            names = sorted(set(clauses.tolist()))
            loaded._mixed = Mixed(
                clauses,
                {name: units == name for name in names},
                {name: clauses == name for name in names},
            )
    return loaded._mixed or None


def unit_language_names(loaded: LoadedIndex) -> tuple[str, ...]:
    """The languages of a corpus of documents in several (mixed_languages), in order; none for a
    corpus in one language."""
    found = mixed_languages(loaded)
    return () if found is None else found.names

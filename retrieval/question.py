"""Cleaning a question before it reaches the models: one place decides what is usable."""

from __future__ import annotations

import re
import string
import unicodedata
from functools import lru_cache

from retrieval.errors import QuestionError
from retrieval.reference import DATA, data_lines

MAX_CHARS = 1000  # well past what a question needs; the models read ~500 tokens at most
# the commonest words of the benchmark's languages (training/word_list.py: wordfreq's words
# used once in a thousand words or more): "the", "what", "что", "ne", "qué"
FREQUENT_FILE = DATA / "frequent-words.txt"
NOTHING_ASKED = (
    "the question names nothing to look for: each of its words is among the commonest of "
    "its language; say what you want to know about (a subject, a name, a date)"
)
TOKEN = re.compile(r"\w+(?:['’]\w+)*")
# a word or a phrase of up to LONGEST_REPEAT words said this many times in a row or more
# ("word word word ...", "a b a b a b") is read once: a pasted run says nothing more the
# second time, and the models, fitted on questions, read a long one as a strong match
READ_ONCE_FROM = 3
LONGEST_REPEAT = 4
REPEATS_NOTE = "words repeated three times or more in a row were read once"


def clean_question(raw: str) -> tuple[str, tuple[str, ...]]:
    """Return the question as the models will read it, and notes on what was changed."""
    notes: list[str] = []
    text = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in raw
        if unicodedata.category(ch) not in ("Cf", "Cs", "Co") or ch in "\u200c\u200d"
    )
    # a letter typed as a letter and a combining mark ("e" and U+0301) is the letter itself:
    # every stage then reads "Chehadé" alike, however the keyboard sent it
    text = unicodedata.normalize("NFC", " ".join(text.split()))
    if not text:
        raise QuestionError(
            'the question is empty: ask something, e.g. clausebot ask "Who signed the letter?"'
        )
    if not any(ch.isalnum() for ch in text):
        raise QuestionError("the question has no words or numbers in it")
    text, repeated = without_repeats(text)
    if repeated:
        notes.append(REPEATS_NOTE)
    if len(text) > MAX_CHARS:
        text = read_part(text)
        notes.append(
            f"the question was longer than {MAX_CHARS} characters; only its start was read"
        )
    return text, tuple(notes)


def without_repeats(text: str) -> tuple[str, bool]:
    """`text` (words separated by single spaces) with each run of a word or phrase repeated
    READ_ONCE_FROM times or more in a row kept once, and whether there was one; words compare
    in any case, without the punctuation around them ("Word, word. WORD" is one word three
    times). Once what is kept passes MAX_CHARS, the rest is left as it is: read_part cuts it."""
    words = text.split(" ")
    keys = [w.strip(string.punctuation + "«»„“”‘’¿¡…").casefold() for w in words]
    kept: list[str] = []
    length = 0
    at = 0
    repeated = False
    while at < len(words) and length <= MAX_CHARS:
        size, times = _run(keys, at)
        kept += words[at : at + size]
        length += sum(len(w) + 1 for w in words[at : at + size])
        repeated = repeated or times > 1
        at += size * times
    return " ".join(kept + words[at:]), repeated


def _run(keys: list[str], at: int) -> tuple[int, int]:
    """The words in the phrase said READ_ONCE_FROM times or more in a row from `at` (the
    shortest such phrase of up to LONGEST_REPEAT words), and how many times; (1, 1) if none."""
    for size in range(1, LONGEST_REPEAT + 1):
        phrase = keys[at : at + size]
        times = 1
        while keys[at + times * size : at + (times + 1) * size] == phrase:
            times += 1
        if times >= READ_ONCE_FROM:
            return size, times
    return 1, 1


def read_part(text: str) -> str:
    """What is read of a question longer than MAX_CHARS: its start, cut at a word."""
    if len(text) <= MAX_CHARS:
        return text
    cut = text.rfind(" ", 0, MAX_CHARS)
    return text[: cut if cut > MAX_CHARS // 2 else MAX_CHARS]


def names_nothing(question: str) -> bool:
    """Whether every word of the question is one of the commonest words of a language
    ("what", "Что что что", "Who is he?"): it names no subject, name, date or number that a
    clause could be found by, and any clause would be a guess. A number, or a capitalised
    word after the first (a name: "Что в России?"), is something named, unless the whole
    question is in capitals. Words of a language without a list (Azerbaijani) always name
    something."""
    tokens = TOKEN.findall(question)
    shouted = question.upper() == question
    frequent = _frequent_words()
    for place, token in enumerate(tokens):
        if any(ch.isdigit() for ch in token):
            return False
        if place and token[:1].isupper() and len(token) > 1 and not shouted:  # not "I"
            return False
        # lower case as the list is: Turkish "İ" lowers to "i" and a combining dot
        if token.lower().replace("\u0307", "").replace("’", "'") not in frequent:
            return False
    return bool(tokens)


@lru_cache(maxsize=1)
def _frequent_words() -> frozenset[str]:
    return frozenset(data_lines(FREQUENT_FILE))

"""Cleaning a question before it reaches the models: one place decides what is usable."""

from __future__ import annotations

import unicodedata

from retrieval.errors import QuestionError

MAX_CHARS = 1000  # well past what a question needs; the models read ~500 tokens at most


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
    if len(text) > MAX_CHARS:
        text = read_part(text)
        notes.append(
            f"the question was longer than {MAX_CHARS} characters; only its start was read"
        )
    return text, tuple(notes)


def read_part(text: str) -> str:
    """What is read of a question longer than MAX_CHARS: its start, cut at a word."""
    if len(text) <= MAX_CHARS:
        return text
    cut = text.rfind(" ", 0, MAX_CHARS)
    return text[: cut if cut > MAX_CHARS // 2 else MAX_CHARS]

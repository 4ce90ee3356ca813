"""What a question asks for, when it asks for a kind of answer: a sum of money, a time, a count
or an amount; and whether a clause can be such an answer.

The question words are each reader language's own ("how many", "сколько", "neçə", "kaç"),
and the answers are forms any text writes a quantity in (figures, currency signs, month
names): nothing here names a corpus's words. A "who" question asks for no kind: whether a
clause names the person asked for ("a rotating secretariat", "the ministers") is left to
the models.
"""

from __future__ import annotations

import re

import numpy as np

from retrieval.letter import MONTHS, OTHER_MONTHS
from retrieval.loaded import LoadedIndex
from retrieval.scores import best
from retrieval.types import Clause

# What a question asks for when it asks for a quantity, in the readers' languages (English,
# Azerbaijani, Russian, Turkish; matched case folded). Money first, then a time, then a count,
# then any amount: "Сколько стоит ...?" asks a price, "Когда ...?" a time, "Сколько ...?"
# otherwise a number of things, "How long ...?" a number of any kind.
# Money is asked for only in a question's own words for a sum ("how much does it cost",
# "what is the price of"), not whenever it mentions prices ("affordable prices").
# Azerbaijani and Turkish words may carry any suffix ("nə qədərdir", "fiyatı").
ASKS_MONEY = re.compile(
    r"\bhow much\b.*\b(?:cost|costs|pay|paid|charge|charges|spend|spent|worth)\b"
    r"|\b(?:price|fee|budget|salary|exchange rate) (?:of|for)\b"
    r"|\bwhat (?:is|was|are|were) the (?:\w+ )?(?:price|cost|fee|budget|salary)"
    r"|\bсколько (?:стои\w*|плат\w*|заплат\w*|денег)|\bстоимост\w*|\bцен(?:а|у|ой)\b"
    r"|\bбюджет\w*|\bзарплат\w*|\bкурс (?:доллар|манат|евро|рубл|валют)\w*"
    r"|\b(?:neçəyə|qiyməti|büdcə|maaş|məzənnə)|\bnə qədər (?:pul|xərc|ödə)"
    r"|\bkaça\b|\b(?:fiyat|ücret|maliyet|bütçe|döviz kuru)|\bne kadar (?:tut|öde|para|masraf)"
)
ASKS_TIME = re.compile(
    r"\b(?:when|what (?:year|date|time|day|month)|which (?:year|date|day|month)|how long ago"
    r"|когда|(?:в )?как(?:ом|ого|ой|ую) (?:году|числа|даты|дату|день|месяце)"
    r"|nə vaxt|ne zaman|kaçta)\b"
    r"|\b(?:hansı (?:il|tarix|gün|ay)|hangi (?:yıl|tarih|gün|ay))"
)
ASKS_COUNT = re.compile(
    r"\b(?:how many|сколько|kaç(?:ar|ıncı\w*)?)\b|\bneçə"  # not "kaçak" (illicit)
)
ASKS_AMOUNT = re.compile(r"\bhow (?:much|long|old|often|far)\b|\b(?:nə qədər|ne kadar)")
NUMBER_WORDS = (
    r"[Oo]ne|[Tt]wo|[Tt]hree|[Ff]our|[Ff]ive|[Ss]ix|[Ss]even|[Ee]ight|[Nn]ine|[Tt]en"
    r"|[Ee]leven|[Tt]welve|[Tt]wenty|[Tt]hirty|[Hh]undreds?|[Tt]housands?|[Mm]illions?"
    r"|[Bb]illions?|[Dd]ozens?"
)
# A day's date in the other readers' languages, as a text in them writes it: the day, then
# the month (retrieval.letter.OTHER_MONTHS)
OTHER_DATES = rf"\b\d{{1,2}}\s+(?:{OTHER_MONTHS})(?![^\W\d_])"
NUMBER = re.compile(rf"\d|\b(?:{NUMBER_WORDS}|{MONTHS})\b")
# A count: a number of things ("12 ministers", "over 100 respected guests", "two
# countries", "40%"), not any number (a street number, a postcode, a fax number). In English
# the things are a plural. A word of another script after the number, or one that starts with
# a letter English does not write, is read as things counted ("12 министров", "7 şirkət"):
# Russian's plural after a number is no "-s", and Azerbaijani and Turkish write none there.
# Their words in plain Latin letters ("12 nazir") cannot be told from English ones, and stay
# no count.
COUNT = re.compile(
    rf"(?:\d|\b(?:{NUMBER_WORDS})\b)[\d,.]*\s*(?:%|per ?cent\b|(?:[a-z][\w-]*\s+){{0,2}}"
    r"(?:[a-z][\w-]*s|people|men|women|children|staff|personnel)\b"
    r"|(?:[^\W\d_][\w-]*\s+){0,2}[^\W\d_A-Za-z])"
)
# In a corpus not in English (language.corpus_language), a number before any word is a count
# of things: "12 nazir", "7 beynəlxalq təşkilat", "100-dən artıq qonaq" (Azerbaijani and
# Turkish write no plural after a number, and their words may be plain Latin letters), unless
# the word is a month ("5 noyabr" is a date) or the number is a year or longer
COUNT_IN_OTHER_LANGUAGES = re.compile(
    rf"{COUNT.pattern}|(?<![\d.,/-])\d{{1,3}}(?:[.,]\d+)?(?:-[^\W\d_]+)?\s+"
    rf"(?!(?:{OTHER_MONTHS}|{MONTHS})(?![^\W\d_]))[^\W\d_]",
    re.IGNORECASE,
)
# A year, a month, a date written in figures (19.12.2012, 12/19/2012) or in words, a weekday
# or a relative day; not any number (a phone number is no date)
TIME = re.compile(
    rf"\b(?:1[5-9]\d\d|20\d\d|{MONTHS}|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday"
    r"|Sunday|today|tomorrow|yesterday)\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b"
    rf"|{OTHER_DATES}"
)
# A sum of money: a currency sign or the name or code of a currency
MONEY = re.compile(
    r"[$€£¥₼₽₺]|\b(?:dollars?|euros?|pounds? sterling|manats?|roubles?|rubles?|liras?|yen"
    r"|USD|EUR|AZN|GBP|RUB|TRY|TL|доллар\w*|евро|манат\w*|рубл\w*|лир\w*)\b"
)
ANSWER_TYPES = (
    (ASKS_MONEY, MONEY),
    (ASKS_TIME, TIME),
    (ASKS_COUNT, COUNT),
    (ASKS_AMOUNT, NUMBER),
)


def asked_kind(question: str, written_in: str = "en") -> re.Pattern[str] | None:
    """The pattern a clause must match to be the kind of answer the question asks for (a sum
    of money, a time, a count, an amount), if it asks for one; only the first kind counts.
    `written_in`: the corpus's language (a count is written otherwise outside English)."""
    folded = question.casefold()
    for asks, answer in ANSWER_TYPES:
        if asks.search(folded):
            return COUNT_IN_OTHER_LANGUAGES if answer is COUNT and written_in != "en" else answer
    return None


def answer_type_missing(question: str, clause: Clause, written_in: str = "en") -> bool:
    """Can the clause not be what the question asks for: a sum of money, a time or a number
    it does not contain? Only the first kind the question asks for counts."""
    kind = asked_kind(question, written_in)
    return kind is not None and not kind.search(clause.text)


ANSWER_WINDOW = 10  # the first clauses searched for one of the kind a question asks for
ANSWER_BONUS = 1.0  # z units added to those clauses, so that one that can be the answer leads
ANSWER_GAP = 1.0  # z units behind the first clause at which the nearest such clause counts fully


def answer_kind(
    loaded: LoadedIndex, question: str, fused: np.ndarray, written_in: str = "en"
) -> tuple[float, np.ndarray]:
    """For a question that asks for a kind of answer (see answer_type_missing): how far behind
    the first clause the first clause of that kind is, from 0 (it is the first) to 1 (it is
    ANSWER_GAP or more behind, or none of the first ANSWER_WINDOW clauses is of that kind);
    and the scores with the clauses of that kind raised by ANSWER_BONUS. "Сколько министров
    было на встрече в Баку?" finds the declaration's opening (the meeting in Baku, no count)
    first and the letter's "12 ministers" fourth; raised, the count is second. `written_in`:
    the corpus's language (language.corpus_language)."""
    kind = asked_kind(question, written_in)
    if kind is None:
        return 0.0, fused
    head = best(fused, min(ANSWER_WINDOW, len(fused)))
    fits = [int(i) for i in head if kind.search(loaded.clauses[int(i)].text)]
    if len(fits) == len(head):
        return 0.0, fused  # every clause near the top is of that kind
    if not fits:
        return 1.0, fused
    gap = (float(fused[head[0]]) - float(fused[fits[0]])) / ANSWER_GAP
    raised = fused.copy()
    raised[fits] += ANSWER_BONUS
    return min(1.0, gap), raised

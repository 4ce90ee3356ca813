"""A letter's parts: its letterhead, contact details, date and reference, addressee, copies,
salutation, enclosures and signature, as letters in the readers' languages write them.

The segmenter (retrieval.segment) labels these parts so that "who signed the letter?" finds
the signature; `describe` gives each label the words a question might use.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from retrieval.types import Clause

# The parts of a letter, as letters in English and in the readers' other languages (Russian,
# Azerbaijani, Turkish) write them, and German, Spanish and French ones. A salutation in
# those languages is a line of its own that ends in ",", "!" or ":" ("Sayın Bakan,",
# "Monsieur le Ministre,"): their words also open sentences of other texts ("Sayın Bakan
# toplantıda konuştu", "Madame Curie ...")
_SALUTATION = re.compile(
    r"^(Dear|To whom it may concern|Your Excellency|Excellency)\b"
    r"|^(Уважаем\w*|Многоуважаем\w*|Глубокоуважаем\w*|Ваше Превосходительство|Hörmətli"
    r"|Zati-aliləri|Sayın|Ekselansları|Sehr geehrte\w*|Estimad[oa]s?|Excelentísim[oa]|Monsieur"
    r"|Madame|Excellence)\b[^\n]{0,80}[,!:]$",
    re.I,
)
VALEDICTION = re.compile(
    r"^(best regards|kind regards|warm regards|regards|sincerely|yours (sincerely|faithfully|truly)"
    r"|respectfully|with (best|kind) regards|with respect|с (глубоким |искренним )?уважением"
    r"|с наилучшими пожеланиями|искренне ваш\w*|(dərin |səmimi )?hörmətlə|ehtiramla"
    r"|saygılarımla|saygılarımızla|mit freundlichen grüßen|hochachtungsvoll|atentamente"
    r"|saludos cordiales|cordialement|veuillez agréer)\b",
    re.I,
)
ENCLOSURE = re.compile(
    r"^(encl\.?|enclosures?|attachments?|annex(es)?|приложени[ея]|əlavə(lər)?\s*:"
    r"|ek(ler)?\s*[:\-–]|anlage|anhang|anexos?|pièces? jointes?)(?![^\W\d_])",
    re.I,
)
_CONTACT = re.compile(
    r"^(phone|tel\.?|telephone|fax|e-?mail|mobile|web|website|телефон|тел\.?|факс|эл\. ?почта"
    r"|faks|e-poçt|e-posta|telefon|teléfono|téléphone|tél\.?|courriel)(?![^\W\d_])",
    re.I,
)
_ADDRESSEE = re.compile(r"^(to|кому|kimə|kime|an|para|à)\s*:", re.I)
_COPY = re.compile(r"^(cc|copy|copies|копия|копии|surəti|bilgi|kopie|copia|copie)\s*:", re.I)
_REFERENCE = re.compile(r"^(№|no\.|ref\.?|reference|our ref|your ref|исх\.|sayı\s*:)", re.I)
_NUMERIC_DATE = re.compile(r"\d{1,2}\D{0,4}\d{1,2}[./-]\d{2,4}")
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_WORD_DATE = re.compile(rf"^\W*\d{{1,2}}(st|nd|rd|th)?\s+({MONTHS}),?\s+\d{{4}}\W*$", re.I)
# the months of the readers' other languages as a date writes them, after the day ("5 ноября",
# "5 noyabr", "5 Kasım"; Azerbaijani "may" left out: "Article 5 may apply" is no date)
OTHER_MONTHS = (
    "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
    "|yanvar|fevral|mart|aprel|iyun|iyul|avqust|sentyabr|oktyabr|noyabr|dekabr"
    "|Ocak|Şubat|Mart|Nisan|Mayıs|Haziran|Temmuz|Ağustos|Eylül|Ekim|Kasım|Aralık"
)
# a header line that is a date in those languages, with what they write after the year
# ("19 декабря 2012 г.", "19 dekabr 2012-ci il")
_OTHER_WORD_DATE = re.compile(rf"^\W*\d{{1,2}}\s+({OTHER_MONTHS})\s+\d{{4}}\b.{{0,12}}$", re.I)

LABEL_SENDER = "sender and address"
LABEL_CONTACT = "phone, fax and e-mail"
LABEL_DATE_REF = "date and reference number"
LABEL_ADDRESSEE = "addressee"
LABEL_COPY = "copy"
LABEL_SALUTATION = "salutation"
LABEL_ENCLOSURE = "enclosure"
LABEL_CLOSING = "closing and signature"

# What each part of a letter is for, in words a question might use: read by the models as
# context, never quoted.
LABEL_CONTEXT = {
    LABEL_SENDER: "sender of the letter: who sent it, from which office, and its address",
    LABEL_CONTACT: "contact details of the sender: phone, fax and e-mail",
    LABEL_DATE_REF: "date of the letter: when it was written, and its reference number",
    LABEL_ADDRESSEE: "addressee: to whom the letter is addressed",
    LABEL_COPY: "copy: who else received the letter",
    LABEL_SALUTATION: "salutation of the letter",
    LABEL_ENCLOSURE: "enclosure: what was sent with the letter",
    LABEL_CLOSING: "closing and signature: who signed the letter",
}


WEB_ADDRESS = re.compile(r"https?://|\bwww\.", re.IGNORECASE)


def describe(clause: Clause) -> str:
    """What a part of a letter is for, in words a question might use (LABEL_CONTEXT), and
    that it gives a web site when it does."""
    description = LABEL_CONTEXT.get(clause.label, clause.label)
    if WEB_ADDRESS.search(clause.text):
        description += ", and a web site"
    return description


def header_label(first: str) -> str:
    """Which part of a letter's header a block is, by its first line."""
    if _ADDRESSEE.match(first):
        return LABEL_ADDRESSEE
    if _COPY.match(first):
        return LABEL_COPY
    if _CONTACT.match(first):
        return LABEL_CONTACT
    if (
        _REFERENCE.match(first)
        or _NUMERIC_DATE.search(first)
        or _WORD_DATE.match(first)
        or _OTHER_WORD_DATE.match(first)
    ):
        return LABEL_DATE_REF
    return LABEL_SENDER


def salutation_at(kind: str, blocks: Sequence[str]) -> int | None:
    """Index of the salutation among a document's first blocks if it reads as a letter (its
    `kind`, from its metadata, a letter's or not told)."""
    kind = kind.lower()
    if kind and kind not in ("letter", "note", "memo", "note verbale"):
        return None
    for i, text in enumerate(blocks[:15]):
        if _SALUTATION.match(text):
            return i
    return None

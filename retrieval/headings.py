"""Which blocks are headings, by their shape: markdown's "#", a line set in bold or in
capitals, a numbered title, a short line without a stop; and a heading set right over its
text on a page, told apart from it. A heading is no clause: it is the context of the clauses
under it (retrieval.segment)."""

from __future__ import annotations

import re

from retrieval.blocks import Block
from retrieval.contents import leads_to_a_number
from retrieval.numbering import (
    BULLET,
    CLOSERS,
    ends_sentence,
    only_a_number,
    opens_item,
    own_number,
    table_cells,
    titled_number,
)

_SENTENCE_END = ".,;:!?…"
_CONNECTORS = frozenset(
    "a an and as at by for from in into of on or that the to with which who whose than".split()
)

# A note in square brackets at the end of a paragraph ("[citation needed]", "[12]",
# "[3][4]"): reference marks that close a paragraph, as in Wikipedia's text
_TRAILING_NOTES = re.compile(r"(?:\s*\[[^\[\]\n]{1,60}\])+\s*$")
_UNDERLINE = re.compile(r"\n\s*(?:=+|-+)\s*$")  # the line under a heading: "=====", "-----"
# ... and in plain text, as reStructuredText and NEWS files set titles, "~~~~~", "^^^^^",
# "*****", "+++++": one mark, three times or more
_UNDERLINE_MARKS = re.compile(r"[ \t]*([=\-~^*+])\1{2,}[ \t]*")
UNDERLINES = "=-~^*+"  # the marks that underline a title in plain text (markdown's: "=-")
# a heading marked as markdown marks one, "#"s and a space ("## Fees"), as every reader writes
# the headings its format marks; "#hashtag" or "#1 priority" is no mark
_MARKED = re.compile(r"#+(?:[ \t]|$)")


def marked_level(text: str) -> int:
    """The level of a heading marked as markdown marks one ("## Fees": 2), or 0."""
    found = _MARKED.match(text)
    return len(found.group(0).rstrip()) if found else 0


def in_bold_alone(text: str) -> bool:
    """Is the text set in bold alone, as markdown marks it ("**Appeals**")?"""
    return text.startswith("**") and text.endswith("**") and text.count("**") == 2


def ends_without_punctuation(text: str) -> bool:
    """Does the text stop mid-sentence (a paragraph cut by a page break)? A paragraph that
    ends in a bracketed note is complete, whatever stands before the note."""
    if _TRAILING_NOTES.search(text):
        return False
    tail = text.rstrip(CLOSERS)
    return bool(tail) and tail[-1] not in _SENTENCE_END


_OPENERS = "\"'“‘«([ \t"  # what may stand before a sentence's first letter


def starts_lower(text: str) -> bool:
    first = text.lstrip(_OPENERS)[:1]
    return first.isalpha() and first.islower()


def starts_upper(text: str) -> bool:
    return text.lstrip(_OPENERS)[:1].isupper()


TITLE_WORDS = 12  # words a heading has at most, but one set in capitals without a stop
# what no title holds: an address to reach, a web address ("https://…", "www.…") or an
# e-mail address, as contact details and signatures do; or a shell's prompt, as a
# command does ("$ make check"; not "$ 5", an amount)
_NO_TITLE = re.compile(
    r"[a-z][\w+.-]*://|\bwww\.\w|[\w.+-]+@[\w-]+\.[\w.-]*\w|^\$ (?!\d)|^\.{1,2}/|(?:^|\s)--[a-z]",
    re.IGNORECASE,
)
# a field: a line of a label and its value, a number ("Phone: 012 555 12 34", "Tel.: +994
# 12 493 00 04", "Fee: 50 AZN", "Date: 5 November 2012"); a title's label has its number,
# and a title follows it ("Chapter 2: Definitions", "Quickstart: language guesser")
_FIELD = re.compile(r"^[^\W\d_]+\.?(?: [^\W\d_]+\.?){0,2}:[ \t]+[\d+(]", re.MULTILINE)


def is_heading(block: Block, plain: bool = False) -> bool:
    """Does the block read as a heading? `plain`: its document sets it as body text
    (formats.Body): its markup, its number or its capitals make it one, not its shortness."""
    text = block.text
    if starts_lower(text):
        return False
    if opens_item(text) and starts_lower(text.split(None, 1)[-1]):
        return False  # "1. a paragraph in an item": an item's text, no title ("3. Fines")
    if marked_level(text):
        return True
    lines = text.split("\n")
    if len(lines) == 2 and underlines(lines[0], lines[1]):
        return True  # a title underlined: "Scope" over "=====", "Release 3.6.0" over "~~~~"
    if len(text) > 300 or not any(ch.isalnum() for ch in text):
        return False  # (a heading names something: "}", "-->" alone are code's)
    if BULLET.match(text) or " | " in text or table_cells(text) or leads_to_a_number(text):
        return False  # a list item or a table's row (retrieval.formats), however short
    if in_bold_alone(text):
        return True
    if text.isupper() and sum(c.isalpha() for c in text[:40]) >= 4:
        # set in capitals; but a sentence in capitals, as licences set their disclaimers
        # ("10. THIS PACKAGE IS PROVIDED "AS IS" AND WITHOUT ANY … PURPOSE."), is text
        return len(text.split()) <= TITLE_WORDS or ends_without_punctuation(text)
    if titled_number(text):
        return True  # "5. Conveying Modified Source Versions.": a section's title
    words = text.split()
    if len(words) > TITLE_WORDS or not ends_without_punctuation(text):
        return False
    if words[-1].lower().strip(CLOSERS) in _CONNECTORS:
        return False  # "... and the": a sentence cut off, not a title
    lines = text.split("\n")
    last = lines[-1].strip()
    if len(lines) > 1 and last.isalpha() and last.islower():
        return False  # '1.5. "Incompatible With Secondary Licenses"' over "means": a sentence
    if len(lines) <= 3 and only_a_number(lines[0]) and not own_number(lines[0])[:1].isdigit():
        return True  # "Article 17" over its title: "Right to erasure (‘right to be forgotten’)"
    if plain and not own_number(text):  # set as body text: short, but no heading
        return False
    capitalised = sum(1 for w in words if w[:1].isupper() or w[:1].isdigit())
    return len(words) <= 6 or capitalised * 2 >= len(words)


def no_title(text: str) -> bool:
    """Does the text hold what no title does (an address to reach, a shell's prompt)?
    Short and without a stop ("Mike Frysinger <vapier@gentoo.org>", "Homepage:
    https://www.freetype.org", "$ make check"), it is text, not a heading over what follows;
    but a document's title block may end with its address ("Apache License" / "Version
    2.0, January 2004" / "http://www.apache.org/licenses/"): the segmenter's to tell."""
    return bool(_NO_TITLE.search(text))


def _a_field(text: str) -> bool:
    """Is a line of the text a field, a label and its value, a number ("Phone: 012 555 12
    34")? Where nothing but its shape tells a heading (plain text), such a block is text;
    where markup sets a block apart, the markup tells (text_however_shaped)."""
    return bool(_FIELD.search(text))


def is_title(block: Block) -> bool:
    """Could the block be a document's title, set apart by its markup: at most TITLE_WORDS
    words, not in lower case, no list's item or table's row ("| |": a row of pictures),
    that end no sentence?"""
    text = block.text.strip()
    return (
        bool(text)
        and not starts_lower(text)
        and not opens_item(text)
        and "|" not in text.split()
        and any(ch.isalnum() for ch in text)
        and len(text.split()) <= TITLE_WORDS
        and ends_without_punctuation(text)
    )


PROSE = 0.6  # a heading's line is shorter than this share of the prose line under it


def heading_over_text(block: Block) -> list[Block]:
    """A page's heading set right over its text, no wider a gap between them than between
    the text's lines (Word's headings have no space below them: "2.1 Access Logs" over
    "Access logs of the ministry's systems are kept for six months …"), as a heading block
    and a paragraph block. The first line must read as a heading alone and be much shorter
    than the line under it (or, numbered, over one line), and what follows must be prose,
    ending a sentence (unless the heading is numbered: "Article 3", "4. Scope", over text
    a column's or a page's end cuts short), not a list's item (a signature's name over its
    title stays one block) unless its number goes on from the heading's ("1. General
    provisions" over "1.1. These Rules …") or the heading's is a word's ("Article 1 –
    Purpose" over "(1) …")."""
    first, _, rest = block.text.partition("\n")
    second = rest.split("\n", 1)[0].strip()
    number = own_number(first.strip())
    numbered = bool(number) and not number.startswith("(")  # "2.", "Article 2", not "(a)"
    short = len(first.strip()) < PROSE * len(second)
    # a numbered heading ("2. Publication of tariffs") over a longer sentence of one line
    # heads it, however much longer: the first line of a numbered paragraph fills its width,
    # and the line it runs on in is its last
    over_one_line = numbered and "\n" not in rest.strip() and len(first.strip()) < len(second)
    # a heading numbered by a word ("Статья 5. Сроки рассмотрения обращений", "Madde 1")
    # is a part's, however long beside its text's first line. A numbered heading over its
    # part's first numbered paragraph heads it: the paragraph's number goes on from the
    # heading's ("1. Ümumi müddəalar" over "1.1. Bu Qaydalar …"), or the heading's is a
    # word's ("Madde 1 – Amaç" over "(1) Bu Yönetmeliğin amacı …"), as no list item's is
    below = own_number(second)
    worded = numbered and not number[:1].isdigit()
    opens_part = numbered and below.startswith(number + ".") or worded and bool(below)
    if (
        not rest.strip()
        or not (short or over_one_line or worded)
        or not (second[:1].isupper() or opens_part)
        or (opens_item(second) and not opens_part)
        # a paragraph a column's or a page's end cuts short goes on after it; but under a
        # word and a number alone ("Article 3"), or a numbered title much shorter than it
        # ("4. Scope"), a part's heading, it need not end here
        or not (ends_sentence(rest) or only_a_number(first.strip()) or (numbered and short))
        or not is_heading(Block(block.start, block.start + len(first), first))
    ):
        return [block]
    at = block.text.index(rest.lstrip(), len(first))
    return [
        Block(block.start, block.start + len(first.rstrip()), first.rstrip()),
        Block(block.start + at, block.end, block.text[at:]),
    ]


def underlines(title: str, line: str, marks: str = UNDERLINES) -> bool:
    """Does `line` underline `title`: one of `marks` repeated, at least 3 times and most of
    the title's length, under a title of at most TITLE_WORDS words that ends no sentence?"""
    found = _UNDERLINE_MARKS.fullmatch(line)
    title = title.strip()
    return (
        found is not None
        and found.group(1) in marks
        and len(line.strip()) >= 0.6 * len(title)
        and 0 < len(title.split()) <= TITLE_WORDS
        and title[-1] not in ".,;"
        and not _UNDERLINE_MARKS.fullmatch(title)
    )


def split_underlined(block: Block, marks: str = UNDERLINES) -> list[Block]:
    """A title underlined right over its text, in one block ("Release 3.6.0 (21 October
    2010)" over "~~~~~~" over "3.6.0 is a feature release …", as plain text's NEWS and
    READMEs set them): the title with its underline, a heading, and the text under it."""
    first, second, *rest = [*block.text.split("\n", 2), "", ""][:3]
    if not rest[0].strip() or not underlines(first, second, marks):
        return [block]
    end = len(first) + 1 + len(second.rstrip())
    at = block.text.index(rest[0].lstrip(), end)
    return [
        Block(block.start, block.start + end, block.text[:end]),
        Block(block.start + at, block.end, block.text[at:]),
    ]


def underlined(text: str) -> bool:
    """Is the text a heading underlined ("Termination" over "-----------", markdown's
    other heading)?"""
    return bool(_UNDERLINE.search(text.strip()))


def heading_text(text: str) -> str:
    """A heading's words, as a citation names its part: without the marks that make it one
    ("## Fees ##", an underline, "**"). (Markdown's inline markup, a link's "(where)", is
    read before: retrieval.markdown_inline.)"""
    # a heading underlined ("Termination" over "-----------", markdown's other heading; in
    # plain text "~~~~~" too)
    lines = text.strip().split("\n")
    if len(lines) == 2 and underlines(lines[0], lines[1]):
        text = lines[0]
    text = _UNDERLINE.sub("", text.strip())
    if marked_level(text):  # and its closing "#"s ("## Fees ##"), as CommonMark reads them
        text = re.sub(r"^#+(?:[ \t]+|$)", "", text)
        text = re.sub(r"(?:^|[ \t]+)#+[ \t]*$", "", text)
    cleaned = text.strip().replace("**", "").replace("__", "")
    return " ".join(cleaned.split())


QUESTION_WORDS = 25  # words a question heading an answer has at most


def asks(text: str) -> bool:
    """Is the block one short question ("How do I apply for a licence?"), unnumbered? Over
    a paragraph that is no question, it heads it, as a frequently-asked-questions page sets
    its answers (retrieval.segment): read as a clause, the question was the best match of
    the same question asked, and was quoted as its own answer."""
    text = text.strip()
    if not text.endswith("?") or starts_lower(text) or opens_item(text):
        return False
    words = text.split()
    inside = (m.group(1).isupper() for m in _SENTENCE_INSIDE.finditer(text[:-1]))
    return len(words) <= QUESTION_WORDS and not any(inside)


# a sentence's end inside a text: a stop, a space and a capital ("Yes. An appeal …"); a
# letter in lower case after the stop ends none ("the U.S. policy")
_SENTENCE_INSIDE = re.compile(r"[.!?]\s+([^\W\d_])")


def text_however_shaped(text: str, before: str, kind: str) -> bool:
    """Is a block after the document's first text (`before`: the block before it; `kind`:
    the document's format) text, whatever its shape, unless a mark, an underline or a
    number makes it a title? So is one that holds what no title does (an e-mail address, a
    command: no_title), and one a sentence introduces ("Write to the ministry at:" over
    "33 Boulevard Street"); and in plain text, where nothing but its shape tells a heading,
    short lines set together, or a field whose value is a number, unless capitals make them
    a title: an address, contact details, a name over its e-mail, a price ("Customer
    service" / "Phone: 012 555 12 34" / "Office hours 9 to 18")."""
    lines = text.split("\n")
    # (a title marked or underlined is one line, or one over its underline: a block of
    # lines opening with "#" is a comment's, one between rules a sample's)
    underline = len(lines) == 2 and (underlined(text) or underlines(lines[0], lines[1]))
    if (marked_level(text) and len(lines) == 1) or own_number(text) or underline:
        return False
    if no_title(text) or before.rstrip().endswith(":"):
        return True
    return kind == "txt" and (len(lines) > 1 or _a_field(text)) and not text.isupper()

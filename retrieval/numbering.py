"""Where a clause stands in its document's own numbering: "Article 2(2)(b)", not "(b)".

A document numbers its parts at several levels at once: headings ("Article 2 — Material
scope", "3. Fines", "Chapter II"), paragraphs under them ("1.", "2."), points under those
("(a)", "(b)") and sub-points ("(i)", "(ii)"). A clause's own number alone is ambiguous: a
regulation has a "2." in every article and a "(b)" in every list. This module reads the
numbers in reading order, as a reader does, and gives each clause

- its `section`: the number of the heading it stands under ("Article 2", "Chapter II"), if
  that heading has one;
- its `ref`: its own number with the numbers of the list items it is nested in ("2(b)"),
  the style of each level (1., (1), (a), (i)) telling the levels apart;
- its `lead`: the clause that introduces the list it is an item of ("This Regulation does
  not apply to the processing of personal data:"), or the item a sub-list is nested in, or
  the head of the table it is a row of; without it an item can read as the opposite of what
  the document says, and a row is figures without their names.

Nothing here is written for one corpus: the levels are told by how numbers are written.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

# The word before a number, as documents number their parts in English and in the readers'
# languages (Russian "Статья 5", Azerbaijani "Maddə 5", Turkish "Madde 5"), and as Ukrainian,
# German, Spanish and French do
_NUMBERED = (
    "Article|Section|Clause|Paragraph|Rule|Chapter|Part|Annex|Статья|Раздел|Пункт|Глава"
    "|Часть|Приложение|Стаття|Розділ|Частина|Додаток|Maddə|Bölmə|Bənd|Fəsil|Madde|Bölüm"
    "|Fıkra|Kısım|Artikel|Abschnitt|Kapitel|Anhang|Artículo|Sección|Apartado|Capítulo|Anexo"
    "|Chapitre|Annexe"
)
# "Article 5", "§ 3", "2.", "2.3", "1)", "(a)", "(iv)", "(2)", and "a.", "б)" or "iv)" in lower
# case only ("A. Smith" is a name), in Latin or Cyrillic letters; a Roman number after a word
# in capitals only ("Chapter IV"; "Article civil" is no number)
POINT = r"\d{1,3}|[a-zа-яё]{1,2}|[ivxlc]{1,6}"  # what stands in a point's brackets: "(2)", "(b)"
_OWN_NUMBER = re.compile(
    rf"^(?:({_NUMBERED})\s+(\d+(?:\.\d+)*[A-Za-z]?|(?-i:[IVXLC]+))\b[.:]?|§\s*(\d+(?:\.\d+)*)"
    rf"|(\d{{1,3}}(?:\.\d{{1,3}})*)[.)]|\(({POINT})\)"
    r"|(?-i:([a-zа-яё]|[ivxlc]{1,6})[.)]))(?=\s|$)",
    re.I,
)
# a heading numbered without a word: "3. Fines", "II. Scope", "IV Final provisions", and a
# subsection's number without a stop after it, as Word's multilevel headings set one: "4.1
# Appeals to the court"
_HEADING_NUMBER = re.compile(
    r"^(\d{1,3}(?:\.\d{1,3})*|[IVXLC]{1,6})(?:[.)]\s|\s+[—–-]\s|\s*$)"
    r"|^(\d{1,3}(?:\.\d{1,3})+)\s+(?=[^\W\d_])"
)
_ROMAN = re.compile(r"^[ivxlc]+$")
# a markdown table's line under its head: "|---|:---:|"
TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
# an item of a list without numbers: a dash, an asterisk, a plus (markdown's and plain
# text's), or a bullet of any shape: the dots and triangles of General Punctuation, the
# arrows, the geometric shapes ("●", "■", "◆", "►") and the dingbats ("✓", "➢") Word and
# plain text set before items
BULLET = re.compile(r"^[-+*–•‣⁃·∙\u2190-\u21ff\u25a0-\u25ff\u2700-\u27bf]\s")
_SENTENCE_AFTER = re.compile(r"[^\W\d_]{2}[.!?]\s+[^\W\d_]")  # "home. Call": a sentence ends
_CAPITAL = re.compile(r"^([A-Z])[.)]\s")  # "A. Use in …": see capital_items
CLOSERS = "\"'”’»)]*_ \t"  # what may follow the mark that ends a sentence
# a footnote as the readers write it, opening with its mark: "[2] By the Board." (the DOCX
# and ODT readers, and pdf_notes.footnote_marks; called by LoadedIndex.footnotes); an
# endnote's, in small roman numerals as word processors number them: "[ii] Decision 12."
NOTE_MARK = r"\d{1,3}|[ivx]{1,6}"
NOTE = re.compile(rf"\[\^?({NOTE_MARK})\]:? ")  # "[2] By the Board.", markdown's "[^2]: By …"
_LEAD_END = re.compile(r":[\"'”’»)\]*_\s]*$")


def own_number(text: str, capital: bool = False) -> str:
    """The number a document gives a clause itself, as written ("Article 5", "2", "(a)").
    A word and a number that open a sentence ("Article 5 of the Treaty applies") are no
    clause's number: the sentence goes on in lower case. A capital letter ("A. Use in the
    Title Page …") only with `capital`: an item of a run of them (capital_items), not the
    initial of a name ("A. Smith")."""
    match = _OWN_NUMBER.match(text)
    if not match:
        upper = _CAPITAL.match(text) if capital else None
        return f"({upper.group(1)})" if upper else ""
    word, word_number, section, number, bracketed, lettered = match.groups()
    if word or section:
        after = text[match.end() :].lstrip()
        if after[:1].islower():
            return ""
        return f"§ {section}" if section else f"{word.capitalize()} {word_number}"
    return number or f"({bracketed or lettered})"  # "a." is cited as "(a)" is


def capital_items(texts: Sequence[str]) -> set[int]:
    """Which of the texts, in reading order, open the items of a list lettered in capitals
    ("A. Use in the Title Page …", "B. List on the Title Page …", as the GNU FDL letters the
    things a modified version must do): the letters of a run from A, each the next letter,
    two or more. One "A." alone, or a letter out of turn, is the initial of a name."""
    found: set[int] = set()
    run: list[int] = []
    for at, text in enumerate(texts):
        match = _CAPITAL.match(text)
        if not match:
            continue
        letter = match.group(1)
        follows = run and ord(letter) == ord(texts[run[-1]][0]) + 1
        if not follows:
            found.update(run if len(run) > 1 else ())
            run = []
        if follows or letter == "A":
            run.append(at)
    found.update(run if len(run) > 1 else ())
    return found


def opens_item(text: str) -> bool:
    """Does the text open an item of a list: a number of its own ("2.", "(b)") or a bullet?"""
    return bool(own_number(text) or BULLET.match(text))


def listed(texts: Sequence[str], shaped: Sequence[bool]) -> set[int]:
    """Which of the blocks (their texts, in reading order) are a list's items though a
    heading's shape (`shaped`: short, capitalised) would make them headings: two numbered
    blocks in turn, each of that shape ("1. Name" over "2. Address": a section's heading has
    its text between it and the next), and a numbered or bulleted block right under a line
    that opens a list ("We collect:")."""
    found: set[int] = set()
    numbers = [own_number(text) for text in texts]
    for at in range(1, len(texts)):
        before, own = numbers[at - 1], numbers[at]
        if before and own and shaped[at - 1] and shaped[at] and in_sequence(before, own):
            found.update((at - 1, at))
        elif opens_item(texts[at]) and texts[at - 1].rstrip(CLOSERS).endswith(":"):
            found.add(at)
    return found


def in_sequence(before: str, own: str) -> bool:
    """Is `own` the number after `before` ("1" -> "2", "2.3" -> "2.4", "(a)" -> "(b)")?"""
    if before.startswith("(") and own.startswith("(") and len(before) == len(own) == 3:
        return ord(own[1]) == ord(before[1]) + 1
    return bool(own) and own == _next_number(before)


def ends_sentence(text: str) -> bool:
    """Does the text end a sentence or open a list (".", ";", ":", "!", "?"), past any
    closing quote or bracket? An empty text does, as it always has for these checks."""
    return text.rstrip(CLOSERS)[-1:] in ".;:!?"


def leaves_list(before: str, indent: int, markers: Sequence[int]) -> bool:
    """Does a line standing `indent` columns in end a list set line under line, whose items'
    markers stood `markers` columns in, the line `before` it ending the last item? A line
    that stands left of the last marker after a line that ends a sentence is the paragraph
    set under the list ("   2. keep records." / "The ministry may inspect them."), not more
    of its last item. Only under a list of two items or more: a numbered paragraph alone
    may set its own lines left of its number ("  4. You may not copy ..." / "except as
    expressly provided ...", as the GNU GPL 2 sets its sections)."""
    ends = ends_sentence(before)
    return len(markers) >= 2 and indent < markers[-1] and ends


def only_a_number(text: str) -> bool:
    """Is the text a clause's number and nothing else ("2.", "(b)", "Article 5.")?"""
    text = text.strip()
    match = _OWN_NUMBER.match(text)
    return bool(text) and match is not None and match.end() >= len(text)


QUESTION_TITLE_WORDS = 12  # words a subsection's title asked as a question has at most


def titled_number(text: str) -> bool:
    """Is the text a numbered title on a line of its own, a heading though it ends in a stop
    ("5. Conveying Modified Source Versions.", "0. Definitions.")? Every word of five letters
    or more is capitalised, as in a title, not in a sentence ("2. Fees apply."). Or in a
    question mark, under a subsection's number ("1.2. What is this spec?")."""
    own = own_number(text)
    if not own[:1].isdigit() or "\n" in text:
        return False
    words = text.split()[1:]
    if text.rstrip().endswith("?"):
        # a subsection's title asked as a question ("1.2. What is this spec?"); a list's own
        # numbers ("3.") also number a questionnaire's questions, which are its text
        return "." in own and 0 < len(words) <= QUESTION_TITLE_WORDS
    if not text.rstrip().endswith("."):
        return False
    if _SENTENCE_AFTER.search(text.rstrip()[:-1]):
        return False  # "4. Close up and go home. Call BZ2_bzCompressEnd.": two sentences
    long = [w for w in words if sum(c.isalpha() for c in w) >= 5]
    return 0 < len(words) <= 10 and bool(long) and all(w[:1].isupper() for w in long)


def heading_number(heading: str) -> str:
    """A heading's number, if it has one: "Article 2 — Material scope" -> "Article 2",
    "3. Fines" -> "3", "Chapter II. Principles" -> "Chapter II", "4.1 Appeals" -> "4.1";
    "(a) Education" -> ""."""
    own = own_number(heading)
    if own and not own.startswith("("):
        return own
    match = _HEADING_NUMBER.match(heading)
    return (match.group(1) or match.group(2)) if match else ""


def _style(ref: str, levels: Sequence[_Level]) -> str:
    """How a number is written, which tells the level of a list it stands at: "num" (1., 2.3,
    1)), "paren" ((1)), "alpha" ((a)), "capital" (A.), "roman" ((i)), or "word" (Article 5)."""
    if not ref.startswith("("):
        return "num" if ref[:1].isdigit() else "word"
    inner = ref[1:-1]
    if inner.isdigit():
        return "paren"
    if inner.isupper():
        return "capital"
    letters = [lv.ref[1:-1] for lv in levels if lv.style == "alpha"]
    if letters and len(inner) == len(letters[-1]) == 1 and ord(inner) == ord(letters[-1]) + 1:
        return "alpha"  # (h), then (i): the next letter, not a Roman one
    if _ROMAN.match(inner) and (inner == "i" or any(lv.style == "roman" for lv in levels)):
        return "roman"
    return "alpha"


# how laws and treaties nest their numbers: "1." over "(1)" over "(a)" over "(i)"
_RANK = {"word": 0, "num": 1, "paren": 2, "alpha": 3, "capital": 4, "roman": 5, "bullet": 6}


@dataclass
class _Level:
    style: str
    ref: str
    lead: int  # the clause introducing this level's list, 0 if none
    number: int  # the clause of the level's current item


@dataclass(frozen=True)
class Place:
    """Where one clause stands (see the module's docstring)."""

    section: str = ""
    ref: str = ""
    lead: int = 0


@dataclass(frozen=True)
class Numbered:
    """What the numbering reads of one clause, in reading order."""

    text: str
    headings: tuple[str, ...]  # every heading the clause stands under, outermost first
    new_group: bool  # a heading stands between this clause and the one before
    labelled: bool  # a labelled part of a letter (sender, salutation, ...): not numbered
    indent: int = 0  # how far in its line starts: a bullet further in than an item is in it
    # two blank lines or more before it: a table's row that begins another table
    # (formats.TABLE_END), not a row of the one before
    apart: bool = False


def places(clauses: Sequence[Numbered]) -> list[Place]:
    """Each clause's place, the clauses numbered 1, 2, ... in the order given."""
    found: list[Place] = []
    levels: list[_Level] = []
    section = ""
    table = (0, 0)  # the head of the table being read (its clause, its cells), if any
    lettered = capital_items([c.text for c in clauses])
    for number, clause in enumerate(clauses, start=1):
        if clause.new_group:
            levels = []
            numbers = [heading_number(h) for h in clause.headings]
            section = next((n for n in reversed(numbers) if n), "")
        if clause.labelled:
            levels = []
            found.append(Place())
            continue
        cells = table_cells(clause.text)
        if cells and cells == table[1] and not (clause.new_group or clause.apart):
            found.append(Place(section=section, lead=table[0]))  # a row, under the head
            continue
        table = (number, cells) if cells else (0, 0)
        if cells:
            found.append(Place(section=section))
            continue
        previous = clauses[number - 2] if number > 1 and not clause.new_group else None
        # a clause right after one that ends in ":" is what that one introduces
        introduced = previous and not previous.labelled and _LEAD_END.search(previous.text)
        lead = number - 1 if introduced else 0
        own = own_number(clause.text, capital=number - 1 in lettered)
        bullet = not own and BULLET.match(clause.text)
        if not own and not bullet:
            # a paragraph ends a list of bullets; numbered items may go on after it
            levels = list(itertools.takewhile(lambda lv: lv.style != "bullet", levels))
            found.append(Place(section=section))
            continue
        style = "bullet" if bullet else _style(own, levels)
        if style == "word":
            levels = [_Level(style, own, lead, number)]
            found.append(Place(ref=own, lead=lead))
            continue
        at = next((i for i, lv in enumerate(levels) if lv.style == style), None)
        if style == "num" and own == _next_number(section) and (at is None or "." in own):
            # "2. Grant of Copyright License. Subject to …" after the heading "1. Definitions.":
            # the section after it, its title run into its text, not an item of section 1
            # (whose list would have begun at "1."); "3.3.3. …" after section 3.3.2, even
            # where a list of it is open ("1.", "2."): a list's items are not numbered so
            levels, section = [], own
            found.append(Place(ref=own, lead=lead))  # the section itself: "no. 2"
            continue
        if at is None:  # a new level, under those written as higher ones ("6." after "(b)")
            while levels and _RANK[levels[-1].style] > _RANK[style]:
                levels.pop()
            # a list nested in an item without an opening of its own is the item's; bullets
            # are, when they stand further in than the item ("4. Report Quality" over "   * Use
            # isolated environments"), and otherwise a list after it ("2. land cables." then
            # "• It applies from 2013.")
            parent = levels[-1].number if levels else 0
            if bullet and parent and clause.indent <= clauses[parent - 1].indent:
                parent = 0
            levels.append(_Level(style, own, lead or parent, number))
        else:
            del levels[at + 1 :]
            levels[at] = _Level(style, own, levels[at].lead or lead, number)
        ref = _path([lv for lv in levels if lv.style != "bullet"]) if own else ""
        found.append(Place(section=section, ref=ref, lead=levels[-1].lead))
    return found


def _next_number(section: str) -> str:
    """The number of the section after a numbered one ("1" -> "2", "2.3" -> "2.4"); "" for a
    section numbered otherwise ("Article 2", "Chapter II") or none."""
    head, dot, last = section.rpartition(".")
    if not last.isdecimal() or (head and not head.replace(".", "").isdecimal()):
        return ""
    return f"{head}{dot}{int(last) + 1}"


def table_cells(text: str) -> int:
    """How many cells a table's row has, side by side (" | ", as retrieval.formats gives
    HTML and DOCX tables, or a markdown row); 0 for a clause that is no row."""
    row = text.strip()
    if "\n" in row or (" | " not in row and not (row.startswith("|") and row.endswith("|"))):
        return 0
    return row.strip("|").count("|") + 1


def _path(levels: Sequence[_Level]) -> str:
    """ "2", "(b)" -> "2(b)"; an "Article 5" level opens the path ("Article 5(a)")."""
    out = ""
    for level in levels:
        if out and level.style == "num" and not level.ref.startswith(out.split("(")[0] + "."):
            out += f"({level.ref})"
        elif out and level.style == "num":
            out = level.ref  # "3.1" under "3.": the number says the whole of it
        else:
            out += level.ref
    return out


def list_marker(kind: str, count: int) -> str:
    """An item's marker as a browser or a word processor shows it: "3.", "c.", "iv.", "•"."""
    if kind in ("a", "A") and 0 < count <= 26:
        letter = chr(ord("a") + count - 1)
        return f"{letter.upper() if kind == 'A' else letter}."
    if kind in ("i", "I") and 0 < count < 40:
        roman = _roman(count)
        return f"{roman.upper() if kind == 'I' else roman}."
    return "•" if kind == "•" else f"{count}."


def note_mark(number: int, endnote: bool = False) -> str:
    """A note's mark as the readers write it: a footnote's number, "[2]"; an endnote's in
    small roman numerals, "[ii]", as Word and LibreOffice number them unless told otherwise
    (counted apart from the footnotes)."""
    return f"[{_roman(number) if endnote and 0 < number < 40 else number}]"


def _roman(number: int) -> str:
    out = ""
    for value, digits in ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while number >= value:
            out, number = out + digits, number - value
    return out

"""Tables of contents: entries that say where a part of a document stands, not what it says.

A table of contents is no clause: quoted as an answer, "4.3 DER functions . . . . 15" tells
the reader nothing the section does not, and as a question's best match it stands in for the
section it names. These forms are left out of the clauses (retrieval.segment):

- markdown's, bullets linking to the document's own headings ("* [Triagers](#triagers)"),
  and an HTML page's, blocks (a list's items, a DocBook `<dt>`) that are only a link to a
  place in the page and its number;
- a PDF's lines that are links to places in the document (retrieval.pdf_links), as a
  page printed from the web sets its contents, without page numbers, taken as a printed
  table's entries are;
- a printed one (PDFs, and text as `pdftotext` or a word processor writes it): each entry's
  title runs into a leader of dots and ends with its page number ("2.1 ASN.1 syntax . . . 2",
  "Introduction ........ iii"), or has its page number set apart ("Licence Fees     4"),
  an entry a block or several entries a block. Dot leaders also set price lists, and
  numbers set apart tables, so a run of entries is a table of contents only when it has
  CONTENTS_RUN entries or more, most of their titles are the first lines of blocks after
  it (the headings they point to, numbered or not; a title wrapped over lines, the first
  lines of its heading read as one), and, without leaders, its pages rise;
- one of the titles alone, typed out ("Contents:" over " 1. History", " 2. Configuration"):
  each line the title of a heading after it, in their order (bare_entries).

A printed book's index, whose entries read alike: retrieval.book_index.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Collection, Sequence

BRACKETS = str.maketrans("[]", "()")  # an entry's brackets, as a markdown link's text holds them
# an entry of a markdown table of contents, its sub-entries indented under it, or a link
# alone to a place in the page, in another of its set (a relative address: "install.md#usage")
# or elsewhere (a site's menu); and an HTML page's, which the readers write so
# (contents_entry: "• [1. Scope](#scope)", "[2. Fees](fees.html)"). Not a link to write to
# or call ("mailto:", "tel:"): an address to reach, which the text gives.
NOT_A_PAGE = r"(?i:mailto|tel|sms|javascript|data):"
# a link's address that names its scheme ("https:", "mailto:"), host ("//example.org") or
# path from the site's root ("/form"): a page elsewhere, where a relative address
# ("install.html#usage") is one of the page's own set (a manual's, a project's)
ELSEWHERE_ADDRESS = r"[A-Za-z][\w+.-]*:|/"
MARKDOWN_ENTRY = re.compile(
    rf"^(?:\s*(?:(?:[-*+•]|\d{{1,3}}[.)])\s+)?\[[^\]\n]+\]\((?!{NOT_A_PAGE})[^)\s]*\)"
    r"\s*(?:\n|$))+$"
)
# an entry's link to another page (of the set or not), not to a place in its own; and to a
# page elsewhere (ELSEWHERE_ADDRESS)
_TO_ANOTHER_PAGE = re.compile(r"\]\((?!#)")
_ELSEWHERE = re.compile(rf"\]\((?:{ELSEWHERE_ADDRESS})")
LEADERS = ".·…"  # a leader's dots, four or more (spaced or not), or an ellipsis
ROMAN = "ivxlcIVXLC"
APART = 3  # spaces that set a page number apart from its title, where no leader stands
_NOT_LETTERS = re.compile(r"[\W\d_]+")
CONTENTS_RUN = 3  # entries a printed table of contents has at least
WRAPPED = 2  # lines an entry's title wraps onto before its leader, at most
# a title's number: "1", "2.1.", "IV.", "a)" (a letter's or a Roman's with its mark)
_NUMBERED = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*\.?|(?:[ivxlc]{1,6}|[^\W\d_])[.)])\s+")
LABEL_WORDS = 4  # words of a label over a table of contents, at most ("Table of contents:")
ENTRY_WORDS = 12  # words an entry's title alone has at most (headings.TITLE_WORDS)


def entries_stand(texts: Sequence[str], before: str = "") -> bool:
    """Are markdown-written entries (MARKDOWN_ENTRY; blocks in a row, after the block
    `before`) a table of contents, or a site's menu? Links to places in the page are,
    however few ("Back to top"). Links to other pages are when there are as many as a
    printed table has at least: a manual's, a project's index of its files; one or two
    ("See: the list of triagers", a type's page under a property) are the text's. Links
    elsewhere (a page saved from a site: its menu, its "Related links") are too, unless a
    sentence introduces them ("Node.js supports the following Web Performance APIs:"):
    a list that ends a sentence is the text's."""
    entries = sum(text.strip().count("\n") + 1 for text in texts)
    if not any(_TO_ANOTHER_PAGE.search(text) for text in texts):
        return True
    introduced = before.rstrip().endswith(":") and any(_ELSEWHERE.search(t) for t in texts)
    return entries >= CONTENTS_RUN and not introduced


def contents_entry(text: str, place: str) -> str | None:
    """A paragraph whose words are only a link to `place` in the document ("#scope": a table
    of contents' entry set by hand) written as markdown writes one, "[1. Scope](#scope)", so
    that it is no clause (contents_entries: MARKDOWN_ENTRY), its brackets as markdown can read
    them ("Fees [2013]" -> "[Fees (2013)](#fees)"); None when it cannot be (a line break in
    it)."""
    if "\n" in text.strip():
        return None
    return f"[{' '.join(text.translate(BRACKETS).split())}]({place})"


def linked_entry(text: str, places: set[str | None]) -> str | None:
    """A paragraph as contents_entry writes it when all its words are a link's to one place
    in the document; `places`: where each of its words links to (link_place: "" for a link
    elsewhere; None for words outside any link). None for any other paragraph."""
    place = next(iter(places)) if len(places) == 1 else None
    return contents_entry(text, place) if place else None


# a field code's words: a quoted argument, or a word (a switch: "\l")
_FIELD_WORD = re.compile(r'"([^"]*)"|(\S+)')
_ARGUED = ("\\l", "\\o", "\\t")  # HYPERLINK's switches that take an argument


def link_place(code: str) -> str | None:
    """Where a field links to, from its code, as the .doc and RTF readers see it: a place
    in the document ("#scope") for Word's `HYPERLINK \\l "scope"` or LibreOffice's
    `HYPERLINK "#scope"`; "" for a link elsewhere (a web address, another file); None for
    a field that is no link. What contents_entry needs of a paragraph's links."""
    code = "".join(ch if ch.isprintable() else " " for ch in code)  # .doc's "\x01" marks
    words = [quoted or bare for quoted, bare in _FIELD_WORD.findall(code)]
    if not words or words[0].upper() != "HYPERLINK":
        return None
    target = place = ""
    rest = iter(words[1:])
    for word in rest:
        if word.lower() in _ARGUED:
            value = next(rest, "")
            place = value if word.lower() == "\\l" else place
        elif not word.startswith("\\") and not target:
            target = word
    if target.startswith("#") and len(target) > 1 and not place:
        return target
    return f"#{place}" if place and not target else ""


def _page(line: str) -> int | None:
    """Where a page number ending the line starts: arabic, or roman after a non-letter."""
    end = len(line)
    start = end
    while start and line[start - 1].isdecimal():
        start -= 1
    if 0 < end - start <= 4:
        return start
    while start and line[start - 1] in ROMAN:
        start -= 1
    if 0 < end - start <= 7 and not (start and line[start - 1].isalpha()):
        return start
    return None


def entry_end(line: str) -> tuple[int, bool] | None:
    """Where an entry's title ends, and whether a leader stands before its page: the line
    runs into a leader of dots and a page number, or its page (arabic) stands in a cell of
    its own (a PDF's row read as a table's, retrieval.pdf_reader) or APART spaces off (as a
    tab stop's leader of blanks comes out of a PDF). None for any other line."""
    page = _page(line)
    if page is None:
        return None
    before = line[:page].rstrip(" \t|")
    title = before.rstrip(LEADERS + " \t")
    if is_leader(before[len(title) :]):
        return len(title), True
    gap = line[len(before) : page]
    if line[page:].isdecimal() and before == title and ("|" in gap or len(gap) >= APART):
        return len(before), False
    return None


def is_leader(text: str) -> bool:
    return sum(text.count(c) for c in ".·") + 4 * text.count("…") >= 4


def _entries(block: str) -> list[tuple[str, int | None, bool]] | None:
    """The entries a block holds, each its title, its page where no leader stands before it,
    and whether the title wraps over lines, if every line of the block belongs to one (a
    wrapped title ends on its page number); else None."""
    found: list[tuple[str, int | None, bool]] = []
    pending: list[str] = []
    for line in block.split("\n"):
        line = line.strip()
        ends = entry_end(line)
        if ends is None or not any(ch.isalpha() for ch in line[: ends[0]]):
            pending.append(line)
            if len(pending) > WRAPPED:
                return None
            continue
        end, leader = ends
        page = None if leader else int(line[end:].strip(" \t|"))
        found.append((" ".join([*pending, line[:end]]), page, bool(pending)))
        pending = []
    return found if found and not pending else None


def _rising(pages: list[int | None]) -> bool:
    """Do the pages of entries without leaders (the others' are None) never fall, as a table
    of contents' do?"""
    numbers = [page for page in pages if page is not None]
    return numbers == sorted(numbers)


def leads_to_a_number(text: str) -> bool:
    """Does a line of the text run into a leader of dots and a number (a table of contents'
    entry, a priced list's line)? Such a line is no heading."""
    return any((entry_end(line.strip()) or (0, False))[1] for line in text.split("\n"))


def _key(text: str) -> str:
    """A title as compared with a heading: its letters alone, in lower case (its number,
    spacing and punctuation are set differently in the two places)."""
    return _NOT_LETTERS.sub("", text.lower())


def _openings(text: str) -> list[str]:
    """A block's first line, and its first lines read as one, up to WRAPPED + 1 of them: a
    heading wrapped over lines, as an entry's title is, is read whole."""
    lines = text.split("\n", WRAPPED + 1)
    return [" ".join(lines[:count]) for count in range(1, WRAPPED + 2)]


def contents_entries(texts: Sequence[str], linked: Collection[int] = ()) -> set[int]:
    """Which of a document's blocks (their texts, in order) are entries of a table of
    contents; `linked`: the blocks each line of which is a link to a place in the document
    (a PDF's: pdf_links), each line an entry however it ends."""
    found = _markdown_entries(texts)
    entries = [
        [(line.strip(), None, False) for line in text.split("\n")]
        if n in linked
        else _entries(text)
        for n, text in enumerate(texts)
    ]
    if not any(entries):
        return found
    # where each first line stands last, and each block's first lines read as one (a heading
    # wrapped over lines, as a wrapped entry's title is): a title points after its table
    # when it stands there
    last: dict[str, int] = {}
    for n, text in enumerate(texts):
        for opening in _openings(text):
            last[_key(opening)] = n
    start = 0
    while start < len(texts):
        if entries[start] is None:
            start += 1
            continue
        stop = start
        while stop < len(texts) and entries[stop] is not None:
            stop += 1
        run = [entry for n in range(start, stop) for entry in entries[n] or ()]
        points = [last.get(_key(title), -1) >= stop for title, _, _ in run]
        rising = _rising([page for _, page, _ in run])
        # a title wrapped over lines must point after the table: else its first lines may be
        # the text's own, set right over the table (a title page's)
        wraps = all(point for point, (_, _, wrapped) in zip(points, run, strict=True) if wrapped)
        if len(run) >= CONTENTS_RUN and 2 * sum(points) > len(run) and rising and wraps:
            found.update(range(start, stop))
        start = stop
    return found


def entries_from(texts: Sequence[str], contents: Collection[int], start: int) -> int:
    """How many entries (lines) the run of contents' blocks (`contents`: their indexes in
    `texts`, a document's blocks) from block `start` holds."""
    run = itertools.takewhile(lambda n: n in contents, range(start, len(texts)))
    return sum(texts[n].strip().count("\n") + 1 for n in run)


def with_titles(
    texts: Sequence[str], contents: Collection[int], headings: Sequence[bool]
) -> set[int]:
    """The contents' blocks (`contents`: their indexes in `texts`, a document's blocks, as
    contents_entries and index_entries read them), the tables of titles alone among the
    blocks (bare_entries; `headings`: which blocks are), and the label right over a run of
    them, a line of LABEL_WORDS words or fewer that ends with a colon ("Contents:", "Table
    of contents:", "Содержание:"): it says no more than the table does, and was a clause of
    its own, a colon heading nothing."""
    entries = set(contents) | bare_entries(texts, headings)
    found = set(entries)
    for n in entries:
        label = texts[n - 1].strip() if n and n - 1 not in entries else ""
        if "\n" not in label and label.endswith(":") and len(label.split()) <= LABEL_WORDS:
            found.add(n - 1)
    return found


def bare_entries(texts: Sequence[str], headings: Sequence[bool]) -> set[int]:
    """Which blocks are entries of a table of contents that gives its titles alone (no page,
    no leader, no link: a text saved from a word processor, a page's contents typed out):
    a run of blocks, CONTENTS_RUN lines or more, each line the title of a heading after the
    run (`headings`: which blocks are; its first lines, as contents_entries reads them), in
    the order the headings stand. Every line of the run must be one: a list naming sections
    in other words is text, and so are lines that a later text repeats (a manual's
    "Added in: v0.1.100" under each of its functions)."""
    where: dict[str, list[int]] = {}  # each heading's first lines' key -> the headings
    for n, text in enumerate(texts):
        for opening in _openings(text) if headings[n] else ():
            where.setdefault(_as_set(opening), []).append(n)
    found: set[int] = set()
    run: list[int] = []  # the blocks of the run so far
    points: list[int] = []  # the block each of its lines points to

    def close() -> None:
        if len(points) >= CONTENTS_RUN and run[-1] < points[0]:
            found.update(run)
        run.clear()
        points.clear()

    for n, text in enumerate(texts):
        pointed = _pointed(text, n, points[-1] if points else n, where)
        if pointed is None and run:
            close()  # the run ends here; this block may open the next
            pointed = _pointed(text, n, n, where)
        if pointed:
            run.append(n)
            points.extend(pointed)
    close()
    return found


def _as_set(text: str) -> str:
    """A title as an entry that gives it alone repeats it: its words as the heading sets
    them, whatever their case and spacing, and its number or not ("1. History" for the
    heading "History"; but "• --expose-gc", a list's item, names the section "--expose-gc"
    in words of its own); "" for one with no letter."""
    text = _NUMBERED.sub("", " ".join(text.split()).casefold(), count=1)
    return text if any(ch.isalpha() for ch in text) else ""


def _pointed(text: str, n: int, after: int, where: dict[str, list[int]]) -> list[int] | None:
    """The headings block n's lines point to as a table of contents' titles alone: each line
    short, ending in no stop (as a title does), no table's row, and the first line of a
    heading after block n and `after`, each further on than the one before (`where`: the
    headings each key opens); None where a line is none."""
    pointed: list[int] = []
    at = max(after, n)
    for line in (line.strip() for line in text.split("\n")):
        key = _as_set(line)
        if not key or len(line.split()) > ENTRY_WORDS or line[-1] in ".;:," or " | " in line:
            return None  # (a table's row is none: a table of parameters repeats its rows)
        headings = where.get(key, [])  # (in order: the first after `at` found by halving)
        later = bisect.bisect_right(headings, at)
        if later == len(headings):
            return None
        at = headings[later]
        pointed.append(at)
    return pointed


def _markdown_entries(texts: Sequence[str]) -> set[int]:
    """Which blocks are markdown-written entries (MARKDOWN_ENTRY) of a table of contents,
    each run of them in a row taken whole (entries_stand)."""
    found: set[int] = set()
    for written, run in itertools.groupby(
        enumerate(texts), key=lambda item: bool(MARKDOWN_ENTRY.match(item[1]))
    ):
        blocks = list(run)
        # (a run a sentence introduces is written so by no reader: each shows its text)
        if written and entries_stand([text for _, text in blocks]):
            found.update(n for n, _ in blocks)
    return found

"""Tables of contents and indexes: entries that say where a part of a document stands, not
what it says.

A table of contents is no clause: quoted as an answer, "4.3 DER functions . . . . 15" tells
the reader nothing the section does not, and as a question's best match it stands in for the
section it names. Two forms are left out of the clauses (retrieval.segment):

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
  lines of its heading read as one), and, without leaders, its pages rise.

A printed book's index (a manual's "Function and Data Index": "asn1_der_coding . . . 17")
is no clause either: its entries run to the document's end, in alphabetical order, under
their letters ("A", "F   S" where it is set in columns), each ending with a page the
document has, most of them found on that page (index_entries).
"""

from __future__ import annotations

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
INDEX_RUN = 5  # entries a printed index has at least
IN_ORDER = 0.8  # of an index's entries side by side, the share in alphabetical order at least
# a row of an index's letters: "A", or "F      S" where the index is set in two columns
_LETTERS = re.compile(r"^[^\W\d_](?:\s+[^\W\d_])*$")
_COLUMN_LETTER = re.compile(rf"\s{{{APART},}}[^\W\d_]$")
_OTHER_PAGE = re.compile(rf"^\d{{1,4}}(?:\s*\|\s*|\s{{{APART},}})(?=\S)")
WRAPPED = 2  # lines an entry's title wraps onto before its leader, at most


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


def _entry_end(line: str) -> tuple[int, bool] | None:
    """Where an entry's title ends, and whether a leader stands before its page: the line
    runs into a leader of dots and a page number, or its page (arabic) stands in a cell of
    its own (a PDF's row read as a table's, retrieval.pdf_reader) or APART spaces off (as a
    tab stop's leader of blanks comes out of a PDF). None for any other line."""
    page = _page(line)
    if page is None:
        return None
    before = line[:page].rstrip(" \t|")
    title = before.rstrip(LEADERS + " \t")
    if _is_leader(before[len(title) :]):
        return len(title), True
    gap = line[len(before) : page]
    if line[page:].isdecimal() and before == title and ("|" in gap or len(gap) >= APART):
        return len(before), False
    return None


def _is_leader(text: str) -> bool:
    return sum(text.count(c) for c in ".·") + 4 * text.count("…") >= 4


def _entries(block: str) -> list[tuple[str, int | None, bool]] | None:
    """The entries a block holds, each its title, its page where no leader stands before it,
    and whether the title wraps over lines, if every line of the block belongs to one (a
    wrapped title ends on its page number); else None."""
    found: list[tuple[str, int | None, bool]] = []
    pending: list[str] = []
    for line in block.split("\n"):
        line = line.strip()
        ends = _entry_end(line)
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
    return any((_entry_end(line.strip()) or (0, False))[1] for line in text.split("\n"))


def _key(text: str) -> str:
    """A title as compared with a heading: its letters alone, in lower case (its number,
    spacing and punctuation are set differently in the two places)."""
    return _NOT_LETTERS.sub("", text.lower())


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
        for lines in range(1, WRAPPED + 2):
            last[_key(" ".join(text.split("\n", lines)[:lines]))] = n
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


def index_entries(texts: Sequence[str], text: str, page_starts: Sequence[int]) -> set[int]:
    """Which of a paged document's blocks (their texts, in order; `text` the document's,
    `page_starts` where its pages 2, 3, … start) are a printed index's: the blocks that end
    the document, INDEX_RUN entries
    or more, each ending with a page the document has (or with its leader alone, where its
    page was read with the other column's), their titles in alphabetical order by their
    first letters (IN_ORDER of them side by side: an index set in columns is read across
    its columns), most of them found on the pages they give (checked: a price list set with
    leaders is no index), with the rows of letters among them and lines of one title (the
    index's own, a title wrapped before its entry)."""
    if not page_starts:
        return set()
    kinds: list[list[_Entry]] = []  # those of the blocks that end the document, last first
    for block in reversed(texts):
        kind = _index_kind(block, len(page_starts) + 1)
        if kind is None:
            break
        kinds.append(kind)
    while kinds and kinds[-1] is _TITLE_LINE:  # an index's title over it is no entry
        kinds.pop()
    entries = [entry for kind in reversed(kinds) if kind is not _TITLE_LINE for entry in kind]
    if len(entries) < INDEX_RUN or not _alphabetical([title for title, _ in entries]):
        return set()
    bounds = [0, *page_starts, len(text)]
    pages = [text[a:b] for a, b in itertools.pairwise(bounds)]
    return (
        set(range(len(texts) - len(kinds), len(texts)))
        if _on_their_pages(entries, pages)
        else set()
    )


_Entry = tuple[str, int | None]  # an index's entry: its title and its page, if read
_TITLE_LINE: list[_Entry] = []  # a block of one line that is no entry, and ends no sentence
PAGE_OFFSET = 30  # pages before the first one numbered 1 (a cover, front matter), at most
ON_PAGE = 0.5  # of an index's entries with a page, the share found there at least
_TERM = re.compile(r"[^\W\d_]{3,}")


def _index_kind(text: str, pages: int) -> list[_Entry] | None:
    """An index's block: its entries ([] for rows of letters or of the other column's pages
    alone, _TITLE_LINE for one line of a title), or None for any other block (an entry whose
    page the document does not have is none)."""
    entries: list[_Entry] = []
    pending = 0  # lines of a title not ended yet
    for raw in text.split("\n"):
        # what the next column leaves on a line read across columns: its letter ("Porting
        # . . . 1         P"), the page of its entry ("63 | umac32_update . . . | 66")
        line = _COLUMN_LETTER.sub("", _OTHER_PAGE.sub("", raw.strip()))
        if not line or _LETTERS.match(line) or (line.isdecimal() and int(line) <= pages):
            continue
        ends = _entry_end(line)
        title = line.rstrip(LEADERS + " \t")
        if ends is not None:
            page = line[ends[0] :].strip(LEADERS + " \t|")
            if page.isdecimal() and not 1 <= int(page) <= pages:
                return None
            entries.append((line[: ends[0]], int(page) if page.isdecimal() else None))
        elif _is_leader(line[len(title) :]):  # its page read with the other column's
            entries.append((title, None))
        else:
            pending += 1
            if pending > WRAPPED:
                return None
            continue
        pending = 0
    if entries or not pending:
        return entries
    one_line = "\n" not in text.strip() and text.strip()[-1] not in ".!?:;"
    return _TITLE_LINE if one_line else None


def _alphabetical(titles: list[str]) -> bool:
    initials = [next((ch for ch in title.casefold() if ch.isalpha()), "") for title in titles]
    in_order = sum(a <= b for a, b in itertools.pairwise(initials))
    return in_order >= IN_ORDER * (len(initials) - 1)


def _on_their_pages(entries: list[_Entry], pages: Sequence[str]) -> bool:
    """Are ON_PAGE of the entries with a page found on it (their first word), the pages
    numbered from the first page or from up to PAGE_OFFSET pages after it (as many as
    finds the most)?"""
    checked = [
        (term.group().casefold(), page)
        for title, page in entries
        if page is not None and (term := _TERM.search(title))
    ]
    if not checked:
        return False
    folded = [page.casefold() for page in pages]
    found = max(
        sum(
            page + offset <= len(folded) and term in folded[page + offset - 1]
            for term, page in checked
        )
        for offset in range(min(PAGE_OFFSET, len(folded)) + 1)
    )
    return found >= ON_PAGE * len(checked)

"""A printed book's index: no clause (a manual's "Function and Data Index": "asn1_der_coding
. . . 17"). Its entries run to the document's end, in alphabetical order, under their
letters ("A", "F   S" where it is set in columns), each ending with a page the document
has, most of them found on that page (index_entries). Tables of contents, whose entries
read alike: retrieval.contents.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from retrieval.contents import APART, LEADERS, WRAPPED, entry_end, is_leader

INDEX_RUN = 5  # entries a printed index has at least
IN_ORDER = 0.8  # of an index's entries side by side, the share in alphabetical order at least
# a row of an index's letters: "A", or "F      S" where the index is set in two columns
_LETTERS = re.compile(r"^[^\W\d_](?:\s+[^\W\d_])*$")
_COLUMN_LETTER = re.compile(rf"\s{{{APART},}}[^\W\d_]$")
_OTHER_PAGE = re.compile(rf"^\d{{1,4}}(?:\s*\|\s*|\s{{{APART},}})(?=\S)")


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
        ends = entry_end(line)
        title = line.rstrip(LEADERS + " \t")
        if ends is not None:
            page = line[ends[0] :].strip(LEADERS + " \t|")
            if page.isdecimal() and not 1 <= int(page) <= pages:
                return None
            entries.append((line[: ends[0]], int(page) if page.isdecimal() else None))
        elif is_leader(line[len(title) :]):  # its page read with the other column's
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

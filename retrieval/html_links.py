"""A page's links, as they bear on the text a reader sees of it (retrieval.html_reader).

A link's text is the text's, but some links are marks the other readers write otherwise
or not at all:
- a note's mark linking to its note, and the note's number linking back: "[1]";
- a heading's permalink ("¶", "#"): nothing;
- a block that is one link to a place in the page, or to another page: a table of
  contents' entry, or a site's menu's (where it stands in a run of them: contents);
- a block of links from page to page ("Next: Installing, Previous: Overview, Up: Manual",
  "<< 2. Overview | Up | 3. Installing >>"), or a site's breadcrumbs ("Home » Laws »
  Law on Electronic Signature"): the reader's way through a set of pages, no part of the
  document.
"""

from __future__ import annotations

import itertools
import re

from retrieval.contents import CONTENTS_RUN, ELSEWHERE_ADDRESS, NOT_A_PAGE, entries_stand
from retrieval.formats import Body
from retrieval.numbering import NOTE_MARK

# a link's text that is a note's mark ("1", "[2]", "iv")
_MARK = re.compile(rf"\[?({NOTE_MARK})\]?")
ELSEWHERE = re.compile(ELSEWHERE_ADDRESS)  # a link to a page elsewhere
_NOT_A_PAGE = re.compile(NOT_A_PAGE)  # an address to write to or call ("mailto:")
_WORD = re.compile(r"\w")  # not a separator ("|", "»")
_UNSAFE = re.compile(r"[()\s]")  # what ends a markdown link's address
BAR_LABEL = 2  # words of a bar of links' label at most ("Share:", "Follow us:"): Links.bar
# HTML's link types for a link from one page of a set to another (HTML 4.01's "start",
# "next", "prev", "contents", "index", "glossary", "chapter", "section", "subsection",
# "appendix"; "previous", "first", "last", "up" and "home", which texinfo, DocBook and
# site generators also write)
_NAVIGATION = frozenset(
    (
        "start prev previous next first last up home contents toc index glossary chapter"
        " section subsection appendix"
    ).split()
)


# what an element is, as its markup names it: EPUB's structural semantics (epub:type) and
# DPUB-ARIA's roles, as e-books mark their notes and the marks that call them
NOTE_REFERENCES = frozenset({"noteref", "doc-noteref"})
NOTES = frozenset({"footnote", "endnote", "rearnote", "note", "doc-footnote", "doc-endnote"})


def named_as(attrs: dict[str, str | None], kinds: frozenset[str]) -> bool:
    """Does an element's markup name it one of `kinds` (NOTES, NOTE_REFERENCES)?"""
    named = f"{attrs.get('epub:type') or ''} {attrs.get('role') or ''}".lower().split()
    return any(kind in kinds for kind in named)


def navigates(attrs: dict[str, str | None]) -> bool:
    """Is a link ("<a>" with its attributes) one from page to page of a set: named so by
    its link type ("rel='next'"), or given a key to follow it by ("accesskey='n'"), as
    the navigation bars of generated manuals are?"""
    kinds = (attrs.get("rel") or "").lower().split()
    return bool(attrs.get("accesskey")) or any(kind in _NAVIGATION for kind in kinds)


def _escaped(found: re.Match[str]) -> str:
    return "".join(f"%{byte:02X}" for byte in found.group().encode())


class Links:
    """The links of the block being read, and of the page so far (notes' marks)."""

    def __init__(self) -> None:
        # a link to a place in the page itself ("<a href="#scope">"), while in one; and to
        # a place in the page or another page, of its set ("install.html#usage") or not
        self.anchor: str | None = None
        self.place: str | None = None
        self.far = False  # ... and that place is a page elsewhere (another site's, the root's)
        self.at = 0  # where the open link's text starts in the block's pieces
        self.names: set[str] = set()  # the open link's own id and name
        self.raised = False  # its text is (or is in) a superscript
        self.open = False  # a link (with an href) is open
        self.marks: set[str] = set()  # the ids and names of the links read as notes' marks
        self.notes: dict[str, str] = {}  # the places those marks link to, and their marks
        # the block's: the places in the page and other pages its text links to, whether it
        # has words outside such links; its links from page to page, its other links, and
        # its words outside any link
        self.linked: set[str] = set()
        self.unlinked = False
        self.steps = self.others = self.loose = 0
        self.pages = 0  # its links to other pages
        self.elsewhere: set[str] = set()  # ... the places elsewhere its text links to
        self.outside: list[str] = []  # its words outside any link
        self.bracketed = ""  # its last link to another page set in brackets, with them

    def opens(self, attrs: dict[str, str | None], at: int, raised: bool) -> None:
        """A link ("<a>") opens, its text to start at piece `at` of the block."""
        href = attrs.get("href") or ""
        self.anchor = href if href.startswith("#") and len(href) > 1 else None
        to_page = href and not href.startswith("#") and not _NOT_A_PAGE.match(href)
        # written as markdown can read it: "Mercury_(planet).html" as "Mercury_%28planet%29.html"
        self.place = _UNSAFE.sub(_escaped, href) if self.anchor or to_page else None
        self.far = bool(to_page and ELSEWHERE.match(href))
        # a mark its markup names a note's reference, however set
        raised = raised or named_as(attrs, NOTE_REFERENCES)
        self.at, self.raised, self.open = at, raised, bool(href)
        self.names = {v for k, v in attrs.items() if k in ("id", "name") and v}
        if not href:
            return
        if navigates(attrs):
            self.steps += 1
        else:
            self.others += 1
        self.pages += bool(to_page)

    def text(self, data: str) -> None:
        """Text read in the block: in the open link, or outside any."""
        words = any(ch.isalpha() for ch in data)  # not an entry's number ("1. ")
        if self.place:
            self.linked.add(self.place)
            if self.far:
                self.elsewhere.add(self.place)
        elif words:
            self.unlinked = True
        if not self.open:
            self.loose += sum(any(ch.isalpha() for ch in word) for word in data.split())
            self.outside.append(data)

    def closes(self, pieces: list[str]) -> None:
        """The open link ends: its text (from piece `at` of the block) rewritten when it
        is a note's mark, a note's number or a permalink."""
        shown = "".join(pieces[self.at :])
        mark = _MARK.fullmatch(shown.strip())
        if self.anchor and mark and (self.raised or shown.strip().startswith("[")):
            # a note's mark, raised or bracketed, linking to its note: written as the
            # other readers write one, "[1]" (retrieval.loaded finds the note it calls)
            pieces[self.at :] = [f"[{mark.group(1)}]"]
            self.marks |= self.names
            self.notes[self.anchor[1:]] = mark.group(1)
            self.linked.discard(self.anchor)
        elif self.anchor and mark and self.anchor[1:] in self.marks:
            # a note's own number, linking back to its mark: "[1] " opens the note
            opens = not "".join(pieces[: self.at]).strip()
            pieces[self.at :] = [f"[{mark.group(1)}]" + (" " if opens else "")]
            self.linked.discard(self.anchor)
        elif self.anchor and not any(c.isalnum() for c in shown):
            # a permalink ("¶", "#", "§" after a heading, as Sphinx and wikis set them)
            del pieces[self.at :]
            self.linked.discard(self.anchor)
        elif not self.anchor and "".join(pieces[: self.at]).rstrip().endswith("["):
            self.bracketed = f"[{shown.strip()}]"  # a tool's, "[edit]", if it ends a heading
        self.anchor = self.place = None
        self.raised = self.open = False

    def entry(self) -> str | None:
        """The place a block links to when it is that one link alone (with its number): a
        table of contents' entry (of the page or of its set), a menu's, or a "Back to top"."""
        return next(iter(self.linked)) if len(self.linked) == 1 and not self.unlinked else None

    def contents(self) -> bool:
        """Is a table's row links to places in the page (or its set) alone, as a changelog's
        index of its releases sets them: a table of contents set as a table? So is a row of
        as many links to pages elsewhere as a table of contents has entries at least (a
        site's menu set in a table); but fewer, a ministry beside its site, are the table's."""
        least = CONTENTS_RUN if self.elsewhere else 2
        return len(self.linked) >= least and not self.unlinked

    def navigation(self) -> bool:
        """Is the block links from page to page alone, with no more words outside them than
        their labels ("Next:", a manual's title beside its "Prev" and "Up" icons)? A
        sentence that links to the next chapter is the text's."""
        return bool(self.steps) and not self.others and self.loose <= 2 * self.steps

    def bar(self) -> bool:
        """Is the block a bar of links to pages elsewhere, as many as a site's menu has at
        least, with no words outside them but a label of a word or two ("Share: Facebook
        Twitter LinkedIn", "Follow us:")? A site's, set in one line; a sentence that names
        its links ("The laws that apply: …") is the text's."""
        label = " ".join("".join(self.outside).split())
        words = [word for word in label.split() if _WORD.search(word)]
        return (
            len(self.elsewhere) >= CONTENTS_RUN
            and self.linked == self.elsewhere
            and (not words or (len(words) <= BAR_LABEL and label.endswith(":")))
        )

    def breadcrumbs(self, title: str) -> bool:
        """Is the block a site's breadcrumbs, links to the pages over this one and its own
        title, not linked ("Home » Laws » Law on Electronic Signature")? The page's title
        may name the site too, before or after its own ("Law on Electronic Signature |
        Ministry of Justice"). (A bar of links alone may be the text's: a property's types,
        "<integer> | <undefined>".)"""
        words = [word for word in "".join(self.outside).split() if _WORD.search(word)]
        named = [word for word in title.split() if _WORD.search(word)]
        own = len(words)
        return self.pages > 1 and own > 0 and words in (named[:own], named[-own:])

    def titled(self, heading: str) -> str:
        """A heading's words without the tool its page sets at its end, a link to another
        page in brackets ("History[edit]", as wikis link a section to its editor): a
        permalink's kin, no part of the part's name."""
        if self.bracketed and heading.endswith(self.bracketed):
            return heading.removesuffix(self.bracketed).rstrip()
        return heading

    def block_ends(self) -> None:
        self.linked, self.unlinked = set(), False
        self.steps = self.others = self.loose = self.pages = 0
        self.elsewhere = set()
        self.outside = []
        self.bracketed = ""


class Entry(str):
    """A block that is one link alone to a place in the page or its set, written as markdown
    writes a table of contents' entry ("• [1. Fees](fees.html)"), with the text it shows
    ("• 1. Fees") for when it is the text's (settled)."""

    shown: str

    def __new__(cls, written: str, shown: str) -> Entry:
        entry = super().__new__(cls, written)
        entry.shown = shown
        return entry


def settled(blocks: list[str]) -> list[str]:
    """A page's blocks, each run of entries in a row (Entry) kept as written where it is a
    table of contents (contents.entries_stand), the paragraph over it no longer body text
    (its title, "Contents"); else each entry shows its text."""
    out: list[str] = []
    for entries, run in itertools.groupby(blocks, key=lambda block: isinstance(block, Entry)):
        group = list(run)
        if not entries:
            out.extend(group)
        elif entries_stand(group, out[-1] if out else ""):
            if out and isinstance(out[-1], Body):
                out[-1] = str(out[-1])
            out.extend(str(entry) for entry in group)
        else:
            out.extend(entry.shown for entry in group if isinstance(entry, Entry))
    return out

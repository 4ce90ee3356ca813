"""Segmentation: a document's text -> the clauses a reader would cite.

A clause is a paragraph (a block between blank lines). Paragraphs that a page break split
are joined again: a block that starts in lower case, or follows one that ends without any
punctuation, continues the clause before it. Headings (markdown '#', a block set in bold or
capitals, a short line without punctuation) are not clauses: they become the context of the
clauses under them. A list's items set line under line, and a table's rows, are clauses of
their own. A letter's header splits into labelled parts (sender, contact details, date and
reference, addressee, copy), and its closing and signature form one clause
(retrieval.letter). Where each clause stands in the document's own numbering is read by
retrieval.numbering. Every clause keeps its exact text and character offsets in the source
file.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

from retrieval.contents import contents_entries, leads_to_a_number
from retrieval.letter import (
    ENCLOSURE,
    LABEL_CLOSING,
    LABEL_ENCLOSURE,
    LABEL_SALUTATION,
    VALEDICTION,
    header_label,
    salutation_at,
)
from retrieval.numbering import BULLET as _BULLET
from retrieval.numbering import (
    TABLE_RULE,
    Numbered,
    capital_items,
    leaves_list,
    listed,
    only_a_number,
    opens_item,
    own_number,
    places,
    table_cells,
    titled_number,
)
from retrieval.types import Clause, Document

_BLANK_LINES = re.compile(r"\n[ \t\f\v]*\n\s*")
DEEPEST = 99  # the level of a heading that does not say its level (bold, capitals, short)
# formats whose paragraphs are told by their markup: a blank line ends a markdown paragraph
_MARKED_UP = ("html", "htm", "docx", "odt", "md")
_TRAILING_CLOSERS = "\"'”’»)]*_ \t"
_SENTENCE_END = ".,;:!?…"
_CONNECTORS = frozenset(
    "a an and as at by for from in into of on or that the to with which who whose than".split()
)


@dataclass(frozen=True)
class Block:
    start: int
    end: int
    text: str

    @property
    def first_line(self) -> str:
        return self.text.split("\n", 1)[0].strip()


def blocks(text: str, start: int = 0, markdown: bool = False) -> list[Block]:
    """The non-blank blocks of text[start:], separated by blank lines, trimmed; a list's
    items on lines of their own are blocks of their own, and so is a paragraph set right
    under a list, left of its items (_items; not in `markdown`, where a line under an item
    carries it on wherever it stands)."""
    found: list[Block] = []
    pos = start
    for match in [*_BLANK_LINES.finditer(text, start), None]:
        stop = match.start() if match else len(text)
        chunk = text[pos:stop]
        lead = len(chunk) - len(chunk.lstrip())
        body = chunk.strip()
        if body:
            block = Block(pos + lead, pos + lead + len(body), body)
            found.extend(_items(block, _indent(text, block.start), not markdown))
        if match:
            pos = match.end()
    return found


def _items(block: Block, indent: int = 0, dedent_ends_items: bool = True) -> list[Block]:
    """A block cut before each line that opens with a list's number or bullet ("2.", "(b)",
    "•") after a line that ends a sentence or opens a list (".", ";", ":"): the items of a
    list set line under line, as PDFs and plain text set them, are clauses of their own. A
    line cut by wrapping ("as paragraph" / "2. says") ends in no such mark. With
    `dedent_ends_items`, a block is cut too before the paragraph set right under such a list,
    left of its items (numbering.leaves_list), the block's first line standing `indent`
    columns in. A markdown table's rows are clauses of their own too, under its head."""
    lines = block.text.split("\n")
    if (
        len(lines) > 2
        and TABLE_RULE.match(lines[1].strip())
        and all(line.lstrip().startswith("|") for line in lines)
    ):  # a markdown table: its head and each row a clause, the rule under the head none
        spans, at = [], 0
        for n, line in enumerate(lines):
            if n != 1:
                spans.append((at, at + len(line.rstrip())))
            at += len(line) + 1
        return [Block(block.start + a, block.start + b, block.text[a:b]) for a, b in spans]
    # the lines that may open an item: the first, and those after a line that ends a sentence;
    # in a list of bullets, each bullet, stop or none ("* Ability to label issues" / "* Ability
    # to comment"), its own items' bullets (indented further) kept in it
    may_open = [True] + [line.rstrip(_TRAILING_CLOSERS)[-1:] in ".;:!?" for line in lines[:-1]]
    if _BULLET.match(lines[0]):
        may_open = [
            ok or (_BULLET.match(line) is not None)  # not indented: a bullet of the list's own
            for line, ok in zip(lines, may_open, strict=True)
        ]
    lettered = capital_items(
        [ln.lstrip() if ok else "" for ln, ok in zip(lines, may_open, strict=True)]
    )
    cuts = [0]
    offset = 0
    markers = [indent] if opens_item(lines[0]) else []  # where the list's items stand
    for at, (before, line) in enumerate(itertools.pairwise(lines), start=1):
        offset += len(before) + 1
        item = line.lstrip()
        if may_open[at] and (opens_item(item) or at in lettered):
            cuts.append(offset + len(line) - len(item))
            markers.append(len(line) - len(item))
        elif dedent_ends_items and leaves_list(before, len(line) - len(item), markers):
            cuts.append(offset + len(line) - len(item))
            markers = []
    if len(cuts) == 1:
        return [block]
    pieces = []
    for a, b in itertools.pairwise([*cuts, len(block.text)]):
        piece = block.text[a:b].rstrip()
        pieces.append(Block(block.start + a, block.start + a + len(piece), piece))
    return pieces


# A note in square brackets at the end of a paragraph ("[citation needed]", "[12]",
# "[3][4]"): reference marks that close a paragraph, as in Wikipedia's text
_TRAILING_NOTES = re.compile(r"(?:\s*\[[^\[\]\n]{1,60}\])+\s*$")
_UNDERLINE = re.compile(r"\n\s*(?:=+|-+)\s*$")  # the line under a heading: "=====", "-----"


def _ends_without_punctuation(text: str) -> bool:
    """Does the text stop mid-sentence (a paragraph cut by a page break)? A paragraph that
    ends in a bracketed note is complete, whatever stands before the note."""
    if _TRAILING_NOTES.search(text):
        return False
    tail = text.rstrip(_TRAILING_CLOSERS)
    return bool(tail) and tail[-1] not in _SENTENCE_END


def _starts_lower(text: str) -> bool:
    first = text.lstrip("\"'“‘«([ ")[:1]
    return first.isalpha() and first.islower()


TITLE_WORDS = 12  # words a heading has at most, but one set in capitals without a stop


def is_heading(block: Block) -> bool:
    text = block.text
    if _starts_lower(text):
        return False
    if opens_item(text) and _starts_lower(text.split(None, 1)[-1]):
        return False  # "1. a paragraph in an item": an item's text, no title ("3. Fines")
    if text.startswith("#"):
        return True
    if len(text) > 300:
        return False
    if _BULLET.match(text) or " | " in text or leads_to_a_number(text):
        return False  # a list item or a table's row (retrieval.formats), however short
    if text.startswith("**") and text.endswith("**") and text.count("**") == 2:
        return True
    if text.isupper() and sum(c.isalpha() for c in text[:40]) >= 4:
        # set in capitals; but a sentence in capitals, as licences set their disclaimers
        # ("10. THIS PACKAGE IS PROVIDED "AS IS" AND WITHOUT ANY … PURPOSE."), is text
        return len(text.split()) <= TITLE_WORDS or _ends_without_punctuation(text)
    if titled_number(text):
        return True  # "5. Conveying Modified Source Versions.": a section's title
    words = text.split()
    if len(words) > TITLE_WORDS or not _ends_without_punctuation(text):
        return False
    if words[-1].lower().strip(_TRAILING_CLOSERS) in _CONNECTORS:
        return False  # "... and the": a sentence cut off, not a title
    lines = text.split("\n")
    last = lines[-1].strip()
    if len(lines) > 1 and last.isalpha() and last.islower():
        return False  # '1.5. "Incompatible With Secondary Licenses"' over "means": a sentence
    if len(lines) <= 3 and only_a_number(lines[0]) and not own_number(lines[0])[:1].isdigit():
        return True  # "Article 17" over its title: "Right to erasure (‘right to be forgotten’)"
    capitalised = sum(1 for w in words if w[:1].isupper() or w[:1].isdigit())
    return len(words) <= 6 or capitalised * 2 >= len(words)


def _indent(text: str, start: int) -> int:
    """How far in from its line's start the text at `start` stands (0 after other text)."""
    before = text[text.rfind("\n", 0, start) + 1 : start]
    return len(before) if not before.strip() else 0


def heading_text(text: str) -> str:
    # a heading underlined ("Termination" over "-----------", markdown's other heading)
    text = _UNDERLINE.sub("", text.strip())
    cleaned = re.sub(r"^#+\s*", "", text.strip())
    cleaned = cleaned.replace("**", "").replace("__", "")
    return " ".join(cleaned.split())


@dataclass
class _Draft:
    start: int
    end: int
    label: str
    headings: tuple[str, ...]  # the group of headings it stands under
    kind: str  # "paragraph", or "part" for labelled parts that never absorb continuations
    new_group: bool = False  # the first clause after its headings
    outline: tuple[str, ...] = ()  # every heading above it, outermost first


class Segmenter:
    """Turns one document into clauses (and remembers the heading spans it skipped)."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.headings: list[tuple[int, int]] = []
        self._drafts: list[_Draft] = []

    def _add(
        self,
        block: Block,
        label: str,
        headings: tuple[str, ...],
        kind: str,
        continues: bool = False,
        new_group: bool = False,
        outline: tuple[str, ...] = (),
    ) -> None:
        last = self._drafts[-1] if self._drafts else None
        if last and kind == "part" and last.kind == "part" and last.label == label:
            last.end = block.end  # consecutive blocks of one labelled part
            return
        if last and continues:
            last.end = block.end  # a paragraph broken by a page break
            return
        self._drafts.append(
            _Draft(block.start, block.end, label, headings, kind, new_group, outline)
        )

    def _continues(self, block: Block) -> bool:
        """Whether a paragraph block carries on the clause before it."""
        last = self._drafts[-1] if self._drafts else None
        if last is None or last.kind != "paragraph":
            return False
        before = self.document.text[last.start : last.end]
        return (
            not opens_item(block.text)  # "(a) …" starts a clause of its own
            and not block.text.startswith("#")  # nor does a heading
            and not table_cells(block.text)  # nor does a table's row
            and not table_cells(before)
            and not leads_to_a_number(before)  # nor a list set with leaders, as a table
            and (
                _starts_lower(block.text)
                # a paragraph cut short by a page break; HTML, DOCX, ODT and markdown have none,
                # and their blocks (a list's items, a table's rows) end where their markup
                # says. A bullet's item ends without a stop as often as not.
                or (
                    self.document.info.format not in _MARKED_UP
                    and not _BULLET.match(before)
                    and _ends_without_punctuation(before)
                )
            )
        )

    def _body(self, found: list[Block]) -> None:
        heading_parts: list[str] = []  # the group of headings right above: the context
        # every heading still open, by level (markdown's "#"s; other headings the deepest):
        # where a clause stands ("Article 1" above "### Definitions"), for its citation
        outline: list[tuple[int, str]] = []
        previous_was_heading = False
        contents = contents_entries([block.text for block in found])
        shaped = [is_heading(block) for block in found]
        items = listed([block.text for block in found], shaped)  # no headings, however short
        after_contents = False
        for n, block in enumerate(found):
            if n in contents:
                # a table of contents' entry: where a part is, not what it says; the heading
                # right over the table ("Table of Contents") heads nothing that follows it,
                # unless it is the document's title
                if previous_was_heading and heading_parts and n - 1 not in contents and n > 1:
                    heading_parts.pop()
                    outline.pop()
                after_contents = True
                continue
            # nothing carries on across a table of contents
            continues = not previous_was_heading and not after_contents and self._continues(block)
            after_contents = False
            if not continues and n not in items and shaped[n]:
                hashes = len(block.text) - len(block.text.lstrip("#"))
                level = hashes or DEEPEST
                if not previous_was_heading:
                    heading_parts = []
                    while outline and outline[-1][0] >= level:
                        outline.pop()
                heading_parts.append(heading_text(block.text))
                outline.append((level, heading_parts[-1]))
                self.headings.append((block.start, block.end))
                previous_was_heading = True
                continue
            self._add(
                block,
                "",
                tuple(heading_parts),
                "paragraph",
                continues,
                previous_was_heading,
                tuple(text for _, text in outline),
            )
            previous_was_heading = False

    def _letter(self, found: list[Block], salutation: int) -> None:
        for block in found[:salutation]:
            self._add(block, header_label(block.first_line), (), "part")
        closing = len(found)
        for i in range(len(found) - 1, salutation, -1):
            if VALEDICTION.match(found[i].text):
                closing = i
                break
        self._add(found[salutation], LABEL_SALUTATION, (), "part")
        body, tail = found[salutation + 1 : closing], found[closing:]
        while body and ENCLOSURE.match(body[-1].text):
            tail.insert(0, body.pop())
        for block in body:
            self._add(block, "", (), "paragraph", self._continues(block))
        for block in tail:
            label = LABEL_ENCLOSURE if ENCLOSURE.match(block.text) else LABEL_CLOSING
            self._add(block, label, (), "part")

    def run(self) -> list[Clause]:
        found = blocks(
            self.document.text, self.document.body_start, self.document.info.format == "md"
        )
        salutation = salutation_at(self.document.info.kind, [b.text for b in found])
        if salutation is None:
            self._body(found)
        else:
            self._letter(found, salutation)
        text = self.document.text
        pages = self.document.pages
        numbered = [
            Numbered(
                text[d.start : d.end], d.outline, d.new_group, bool(d.label), _indent(text, d.start)
            )
            for d in self._drafts
        ]
        return [
            Clause(
                doc_id=self.document.doc_id,
                number=n,
                start=d.start,
                end=d.end,
                text=text[d.start : d.end],
                label=d.label,
                heading=" — ".join(d.headings),
                page=bisect.bisect_right(pages, d.start) + 1 if pages else None,
                ref=place.ref,
                section=place.section,
                lead=place.lead,
            )
            for n, (d, place) in enumerate(zip(self._drafts, places(numbered), strict=True), 1)
        ]


def segment(document: Document) -> list[Clause]:
    return Segmenter(document).run()

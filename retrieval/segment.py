"""Segmentation: a document's text -> the clauses a reader would cite.

A clause is a paragraph (a block between blank lines, retrieval.blocks). Paragraphs that a
page break split are joined again: a block that starts in lower case, or follows one that
ends without any punctuation across a page's end, continues the clause before it. A rule
("-----") is neither clause nor heading; code is no heading. Headings (markdown '#', a
block set in bold or capitals, a short line without punctuation: retrieval.headings) are not
clauses: they become the context of the clauses under them; nor is a table of contents
(retrieval.contents). A list's items set line under line, and a table's rows, are clauses of
their own. A letter's header splits into labelled parts (sender, contact details, date and
reference, addressee, copy), and its closing and signature form one clause
(retrieval.letter). Where each clause stands in the document's own numbering is read by
retrieval.numbering. Every clause keeps its exact text and character offsets in the source
file.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, replace

from retrieval.blocks import Block, blocks, indent
from retrieval.book_index import index_entries
from retrieval.contents import contents_entries, entries_from, leads_to_a_number, with_titles
from retrieval.headings import (
    UNDERLINES,
    asks,
    ends_without_punctuation,
    heading_over_text,
    heading_text,
    in_bold_alone,
    is_heading,
    is_title,
    marked_level,
    no_title,
    split_underlined,
    starts_lower,
    text_however_shaped,
    underlined,
)
from retrieval.letter import (
    ENCLOSURE,
    LABEL_CLOSING,
    LABEL_ENCLOSURE,
    LABEL_SALUTATION,
    VALEDICTION,
    header_label,
    salutation_at,
)
from retrieval.numbering import (
    BULLET,
    NOTE,
    TABLE_RULE,
    Numbered,
    ends_sentence,
    listed,
    opens_item,
    own_number,
    places,
    table_cells,
)
from retrieval.types import HEADINGS_JOINED, Clause, Document

ANSWERED = 2  # questions a document sets over their answers, to be read as their headings
DEEPEST = 99  # the level of a heading that does not say its level (bold, capitals, short)
# formats whose paragraphs are told by their markup: a blank line ends a markdown paragraph
_MARKED_UP = ("html", "mht", "epub", "docx", "doc", "odt", "rtf", "md")


@dataclass
class _Draft:
    start: int
    end: int
    label: str
    headings: tuple[str, ...]  # the group of headings it stands under
    kind: str  # "paragraph", or "part" for labelled parts that never absorb continuations
    new_group: bool = False  # the first clause after its headings
    outline: tuple[str, ...] = ()  # every heading above it, outermost first
    opens_code: bool = False  # it opens with code (preformatted, or markdown's)
    code: bool = False  # ... that no sentence runs into: nothing runs on in it


class Segmenter:
    """Turns one document into clauses (and remembers the heading spans it skipped)."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.headings: list[tuple[int, int]] = []
        self.contents: list[tuple[int, int]] = []  # a table of contents' entries, no clauses
        self._drafts: list[_Draft] = []
        self._after_rule: set[int] = set()  # where the blocks right after a rule start

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
        # a block of code that a sentence runs into ("… by including" over "#include
        # <node_api.h>" and "and by checking …" under it) is the sentence's: it may go on
        opens_code = block.code
        code = opens_code and (
            last is None
            or new_group
            or last.opens_code
            or ends_sentence(self.document.text[last.start : last.end])
        )
        self._drafts.append(
            _Draft(
                block.start, block.end, label, headings, kind, new_group, outline, opens_code, code
            )
        )

    def _continues(self, block: Block) -> bool:
        """Whether a paragraph block carries on the clause before it."""
        last = self._drafts[-1] if self._drafts else None
        if last is None or last.kind != "paragraph" or last.code:
            return False  # nothing carries on a block of code (but one a sentence runs into)
        if block.start in self._after_rule:
            return False
        before = self.document.text[last.start : last.end]
        return (
            not opens_item(block.text)  # "(a) …" starts a clause of its own
            and not NOTE.match(block.text)  # nor does a note, "[ii] Decision 12."
            and not marked_level(block.text)  # nor does a heading
            and not table_cells(block.text)  # nor does a table's row
            and not table_cells(before)
            and not leads_to_a_number(before)  # nor a list set with leaders, as a table
            and (
                # a block in lower case carries on the one before, unless, where markup tells
                # the paragraphs (HTML, DOCX, ODT, markdown), that one ended a sentence: a
                # term of a definition list ("default-version: The name …") is its own. In
                # markdown, where a blank line ends a paragraph, only code a sentence runs
                # into is carried on ("util.print() has been removed." under "Type:
                # End-of-Life" is a paragraph of its own, in code at first: "`util.print()`")
                (
                    starts_lower(block.text)
                    and (self.document.info.format not in _MARKED_UP or not ends_sentence(before))
                    and (self.document.info.format != "md" or last.opens_code)
                )
                # a paragraph cut short by a page break; HTML, DOCX, ODT and markdown have none,
                # and their blocks (a list's items, a table's rows) end where their markup
                # says. A bullet's item ends without a stop as often as not.
                or (
                    self.document.info.format not in _MARKED_UP
                    and not BULLET.match(before)
                    and ends_without_punctuation(before)
                    # (not a title page's authors over their address, "… (help@gnu.org)")
                    and not no_title(before.rsplit("\n", 1)[-1])
                    # only where a page or a column ends under it (a PDF's, or plain text's
                    # pages set apart by form feeds): a short line set as text ("Office
                    # hours 9 to 18", an address's last line, a command) is whole, and a
                    # plain text without pages has no break to cut a paragraph short
                    and self._cut_short(last, block)
                )
            )
        )

    def _cut_short(self, last: _Draft, block: Block) -> bool:
        """Whether a page ends between a clause and the block after it, or the block stands
        on a page read a column or a side at a time (Document.columns)."""
        pages = self.document.pages
        page = bisect.bisect_right(pages, block.start)
        return bisect.bisect_right(pages, last.end) < page or page in self.document.columns

    def _body(self, found: list[Block]) -> None:
        heading_parts: list[str] = []  # the group of headings right above: the context
        above: list[str] = []  # ... and the group before it, over the text before it
        # every heading still open, by level (markdown's "#"s; other headings the deepest):
        # where a clause stands ("Article 1" above "### Definitions"), for its citation
        outline: list[tuple[int, str]] = []
        previous_was_heading = False
        texts = [block.text for block in found]
        linked = {n for n, block in enumerate(found) if block.start in self.document.linked}
        contents = contents_entries(texts, linked) | index_entries(
            texts, self.document.text, self.document.pages
        )
        # a paragraph set as body text is no heading, however short; but the first, where
        # documents set their title, often as a paragraph of its own. In markdown, every
        # paragraph its markup does not make a heading ("#", an underline, in bold alone)
        plain = self.document.plain
        markdown = self.document.info.format == "md"
        shaped = [
            is_heading(
                block, n > 0 and (block.start in plain or (markdown and not underlined(block.text)))
            )
            for n, block in enumerate(found)
        ]
        for n, block in enumerate(found):
            # no line of code is a heading, however it opens ("# install it": a comment),
            # in preformatted text or markdown's code, fenced or set in by four spaces; nor
            # is a paragraph opening with "#" that its document sets as body text ("#MeToo")
            set_in = markdown and indent(self.document.text, block.start) >= 4
            if block.code or (block.text.startswith("#") and (block.start in plain or set_in)):
                shaped[n] = False
            # nor, in markdown, a list's item set under or over another ("4. Return null."):
            # a heading is marked there, and a numbered title is no item of a list
            if markdown and (block.next_item or (n + 1 < len(found) and found[n + 1].next_item)):
                shaped[n] = False
            # nor what is text whatever its shape (an address, what a sentence introduces)
            if n and text_however_shaped(block.text, found[n - 1].text, self.document.info.format):
                shaped[n] = False
        first = next((n for n, heading in enumerate(shaped) if not heading), len(found))
        if first < len(found) and is_title(found[first]):
            # the first set apart from the body text where markup tells the two ("Regulation
            # on the quality of broadband services" in large letters, as a title style
            # sets it, over the text), or the first block after headings alone (a scan's
            # letterhead) read as the document's title (a PDF's "Law on electronic" over
            # "communications"): a title however its words are set
            title = " ".join(self.document.info.title.split())
            set_apart = first == 0 and bool(plain) and found[0].start not in plain
            shaped[first] = set_apart or " ".join(found[first].text.split()) == title
        # a question over its answer (a paragraph that asks nothing) heads it, where the
        # document sets questions so more than once (a page of questions and answers; a
        # question alone in a paragraph of prose is the prose's)
        asked = [
            n
            for n, (block, after) in enumerate(itertools.pairwise(found))
            if asks(block.text)
            and not (asks(after.text) or shaped[n + 1])
            and not starts_lower(after.text)
        ]
        for n in asked if len(asked) >= ANSWERED else ():
            shaped[n] = True
        contents = with_titles(texts, contents, shaped)
        items = listed(texts, shaped)  # no headings, however short
        # what reads as headings at the document's end, after the last heading marked as
        # one ("# Appendix") or numbered ("3. References"), heads nothing: a signature, a
        # closing line, a footnote or a list of references set in short lines are text,
        # not lost
        for n in range(len(found) - 1, -1, -1):
            text = found[n].text
            if n in contents or not shaped[n] or marked_level(text) or own_number(text):
                break
            shaped[n] = False
        after_contents = table = False
        for n, block in enumerate(found):
            if n in contents:
                self.contents.append((block.start, block.end))
                # a table of contents' entry: where a part is, not what it says; the heading
                # right over the table ("Table of Contents") heads nothing that follows it,
                # unless it is the document's title
                if n - 1 not in contents:
                    table = entries_from(texts, contents, n) > 1
                    if previous_was_heading and heading_parts and table and n > 1:
                        heading_parts.pop()
                        outline.pop()
                        if not heading_parts and above:  # a menu's ("Share this") in the text:
                            heading_parts, previous_was_heading = list(above), False  # goes on
                # but a link alone under a heading (to a type's page, "See the annex") is no
                # table: the heading headed it, and one after it heads what follows alone
                previous_was_heading = previous_was_heading and table
                after_contents = True
                continue
            # nothing carries on across a table of contents
            continues = not previous_was_heading and not after_contents and self._continues(block)
            after_contents = False
            if not continues and n not in items and shaped[n]:
                level = marked_level(block.text) or DEEPEST
                if not previous_was_heading:
                    above, heading_parts = heading_parts, []
                    while outline and outline[-1][0] >= level:
                        outline.pop()
                heading_parts.append(heading_text(block.text))
                outline.append((level, heading_parts[-1]))
                self.headings.append((block.start, block.end))
                previous_was_heading = True
                continue
            if markdown and in_bold_alone(block.text):
                block = _unbolded(block)  # a paragraph in bold alone that heads nothing
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
        found: list[Block] = []
        ruled = False
        document = self.document
        markdown = document.info.format == "md"
        for block in blocks(document.text, document.body_start, markdown, document.code):
            # a rule ("-----", "* * *", a box of asterisks) sets parts apart and says
            # nothing, nor does a mark alone ("+", "|"): no clause, and no heading over
            # what follows it, which carries on nothing before it. A bracket alone is
            # code's ("}"), kept with it; a heading marked so names its part ("### `--`")
            if not marked_level(block.text) and not any(
                ch.isalnum() or ch in "{}[]()" for ch in block.text
            ):
                ruled = True
                continue
            if ruled:
                self._after_rule.add(block.start)
            found.append(block)
            ruled = False
        if document.info.format in ("txt", "md"):
            # a title underlined right over its text, in one block, heads it
            marks = "=-" if markdown else UNDERLINES
            found = [
                piece
                for block in found
                for piece in ([block] if block.code else split_underlined(block, marks))
            ]
        salutation = salutation_at(document.info.kind, [b.text for b in found])
        if salutation is None:
            if document.info.format == "pdf" or document.pages:
                found = [piece for block in found for piece in heading_over_text(block)]
            self._body(found)
        else:
            self._letter(found, salutation)
        text = self.document.text
        pages = self.document.pages
        numbered = [
            Numbered(
                text[d.start : d.end],
                d.outline,
                d.new_group,
                bool(d.label),
                indent(text, d.start),
                n > 0 and _begins_table(text, self._drafts[n - 1].end, d.start, d.end),
            )
            for n, d in enumerate(self._drafts)
        ]
        return [
            Clause(
                doc_id=self.document.doc_id,
                number=n,
                start=d.start,
                end=d.end,
                text=text[d.start : d.end],
                label=d.label,
                heading=HEADINGS_JOINED.join(d.headings),
                page=bisect.bisect_right(pages, d.start) + 1 if pages else None,
                ref=place.ref,
                section=place.section,
                lead=place.lead,
            )
            for n, (d, place) in enumerate(zip(self._drafts, places(numbered), strict=True), 1)
        ]


def _begins_table(text: str, before: int, start: int, end: int) -> bool:
    """Does the block at text[start:end] begin a table of its own, whatever the block before
    it (ending at `before`)? It does two blank lines after that one (a reader's table
    ended: formats.TABLE_END), or with a markdown table's rule under it (its head)."""
    line_end = text.find("\n", end + 1)
    next_line = text[end + 1 : line_end if line_end >= 0 else len(text)]
    return "\n\n\n" in text[before:start] or bool(TABLE_RULE.match(next_line.strip()))


def _unbolded(block: Block) -> Block:
    """A markdown paragraph in bold alone ("**Warning: this is insecure.**"), whose marks
    the reader keeps so that it may head what follows, as text: its words without the
    marks, as the page shows them (the clause is still the document's text at its
    offsets)."""
    inner = block.text[2:-2]
    if not inner.strip():
        return block
    start = block.start + 2 + len(inner) - len(inner.lstrip())
    end = block.end - 2 - (len(inner) - len(inner.rstrip()))
    return replace(block, start=start, end=end, text=inner.strip())


def segment(document: Document) -> list[Clause]:
    return Segmenter(document).run()

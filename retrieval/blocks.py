"""A document's text -> its blocks: the paragraphs between blank lines, and a list's items
or a table's rows set line under line, each a block of its own (retrieval.segment groups
them into clauses and headings)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from retrieval.numbering import (
    BULLET,
    TABLE_RULE,
    capital_items,
    ends_sentence,
    in_sequence,
    leaves_list,
    opens_item,
    own_number,
)

BLANK_LINES = re.compile(r"\n[ \t\f\v]*\n\s*")


@dataclass(frozen=True)
class Block:
    start: int
    end: int
    text: str
    code: bool = False  # code's (Document.code): a piece of a fenced block, preformatted text
    # a list's item set right under another of its items, line under line (_items)
    next_item: bool = False

    @property
    def first_line(self) -> str:
        return self.text.split("\n", 1)[0].strip()


def blocks(
    text: str, start: int = 0, markdown: bool = False, code: frozenset[int] = frozenset()
) -> list[Block]:
    """The non-blank blocks of text[start:], separated by blank lines, trimmed; a list's
    items on lines of their own are blocks of their own, and so is a paragraph set right
    under a list, left of its items (_items; not in `markdown`, where a line under an item
    carries it on wherever it stands). A block starting at one of `code` is code's
    (Document.code), cut into no items."""
    found: list[Block] = []
    pos = start
    for match in [*BLANK_LINES.finditer(text, start), None]:
        stop = match.start() if match else len(text)
        chunk = text[pos:stop]
        lead = len(chunk) - len(chunk.lstrip())
        body = chunk.strip()
        if body:
            block = Block(pos + lead, pos + lead + len(body), body)
            if block.start in code:
                # code: its lines no headings ("# install it") nor a list's items ("1. cd")
                found.append(Block(block.start, block.end, block.text, code=True))
            else:
                found.extend(_items(block, indent(text, block.start), not markdown))
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
        and (
            all(line.lstrip().startswith("|") for line in lines)
            # (or written without pipes at its sides: "Service | Fee" over "---|---")
            or ("|" in lines[1] and all("|" in line for line in lines))
        )
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
    may_open = [True] + [ends_sentence(line) for line in lines[:-1]]
    if BULLET.match(lines[0]):
        may_open = [
            ok or (BULLET.match(line) is not None)  # not indented: a bullet of the list's own
            for line, ok in zip(lines, may_open, strict=True)
        ]
    lettered = capital_items(
        [ln.lstrip() if ok else "" for ln, ok in zip(lines, may_open, strict=True)]
    )
    cuts = [0]
    offset = 0
    markers = [indent] if opens_item(lines[0]) else []  # where the list's items stand
    number = own_number(lines[0].lstrip())  # the number of the list's item read last
    for at, (before, line) in enumerate(itertools.pairwise(lines), start=1):
        offset += len(before) + 1
        item = line.lstrip()
        own = own_number(item)
        # ... or the number after the item's before it, stop or none ("1. Name" / "2.
        # Address"): a line a paragraph wraps seldom opens with the very next number
        in_turn = bool(number) and in_sequence(number, own)
        if (may_open[at] or in_turn) and (opens_item(item) or at in lettered):
            cuts.append(offset + len(line) - len(item))
            markers.append(len(line) - len(item))
            number = own or number
        elif dedent_ends_items and leaves_list(before, len(line) - len(item), markers):
            cuts.append(offset + len(line) - len(item))
            markers = []
    if len(cuts) == 1:
        return [block]
    pieces: list[Block] = []
    for a, b in itertools.pairwise([*cuts, len(block.text)]):
        piece = block.text[a:b].rstrip()
        after = bool(pieces) and opens_item(pieces[-1].text) and opens_item(piece)
        pieces.append(Block(block.start + a, block.start + a + len(piece), piece, next_item=after))
    return pieces


def indent(text: str, start: int) -> int:
    """How far in from its line's start the text at `start` stands (0 after other text)."""
    before = text[text.rfind("\n", 0, start) + 1 : start]
    return len(before) if not before.strip() else 0

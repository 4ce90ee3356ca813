"""The elements open as an HTML page is read (retrieval.html_reader), innermost last: how
many of each tag, which are blocks, and whether the text read is set apart from the page's
body text by any of them (retrieval.css)."""

from __future__ import annotations

from retrieval.css import NOT_APART, UNSEEN
from retrieval.html_elements import BLOCK, TEXT_CONTAINERS

_APART = ""  # the count of the elements open that set their text apart


class OpenElements:
    def __init__(self) -> None:
        self.elements: list[tuple[str, int]] = []  # each tag, and how it sets text apart
        self.counts: dict[str, int] = {}  # how many of each are open (_APART: set apart)
        # where among them the elements stand that a stylesheet not read may set apart
        # (css.UNSEEN: see blocks_begin), and the blocks (BLOCK), each in the order opened
        self.unseen: list[int] = []
        self.blocks: list[int] = []

    def __len__(self) -> int:
        return len(self.elements)

    def count(self, tag: str) -> int:
        return self.counts.get(tag, 0)

    @property
    def set_apart(self) -> bool:
        """Is the text read set apart by an element open (css.PageStyles.apart)?"""
        return self.counts.get(_APART, 0) > 0

    def in_container(self) -> bool:
        """Is the text read a container's own (the innermost block open a <div>, a
        <section>, ...: TEXT_CONTAINERS), not a list's, a table's or a summary's?"""
        return bool(self.blocks) and self.elements[self.blocks[-1]][0] in TEXT_CONTAINERS

    def opens(self, tag: str, apart: int) -> None:
        if apart == UNSEEN:
            self.unseen.append(len(self.elements))
        if tag in BLOCK:
            self.blocks.append(len(self.elements))
        self.elements.append((tag, apart))
        self.counts[tag] = self.counts.get(tag, 0) + 1
        if apart:
            self.counts[_APART] = self.counts.get(_APART, 0) + 1

    def blocks_begin(self) -> None:
        """A block begins inside the elements open: those that a stylesheet the reader does
        not have might set apart (css.UNSEEN: a class or an id) hold blocks, so they are the
        page's layout ("<div id="content">" around every paragraph), not what sets a
        paragraph's words apart from the others'. Each is read so once (a page of 20,000
        <div>s left open)."""
        for at in self.unseen:
            self.elements[at] = (self.elements[at][0], NOT_APART)
            self.counts[_APART] -= 1
        self.unseen.clear()

    def closes(self, tag: str) -> bool:
        """The innermost open `tag` ends, and the elements inside it (their end tags left
        out); False when none is open."""
        if not self.counts.get(tag):
            return False
        for at in range(len(self.elements) - 1, -1, -1):
            if self.elements[at][0] == tag:
                for name, apart in self.elements[at:]:
                    self.counts[name] -= 1
                    if apart:
                        self.counts[_APART] -= 1
                del self.elements[at:]
                for kept in (self.unseen, self.blocks):
                    while kept and kept[-1] >= at:
                        kept.pop()
                return True
        return False

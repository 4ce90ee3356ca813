"""How far an HTML heading reaches: to the end of the element that holds it and the text
under it. A page's markup says what a heading heads where its text stands: a note's title
("<div class="note"><h3>Note</h3><p>…</p></div>", as DocBook sets one in a list of options)
heads the note, not the options after it, which the section's heading ("OPTIONS") heads
again; a card's heading heads its card. Read as a run of blocks, the note's title headed
every option after it, and its citation named it ("xsltproc, “Note”, ¶34" for "-v or
--verbose").

So each heading is kept with the element it stands in. A wrapper that holds the heading
alone ("<div class="titlepage"><h2>…</h2></div>") is no bound: the heading reaches into
the element around it. Nor is the element that holds the heading and text under it: it
may hold a part of what the heading heads (rustdoc's <summary>, the method's heading and a
line under it, where the <details> around it holds its description). The element around
that is: the note's list item, the <details>. Where it ends, the heading that was in force
before is written again before the next text, unless a heading comes first; where there
was none, nothing is written, and the heading reaches on as before.

A <summary> that holds no heading of its own, and no sentence, is the heading of its
<details> alone (Node.js's "History" over an API's changes, a list's "TSC emeriti members",
an FAQ's question over its answer): it was read as a short line, a heading by its shape,
over everything after it ("new buffer.Blob(…) — History" over the method's parameters and
description). One that says a sentence ("… is available from 15+ repositories. Click here
for more details") is text, as it was.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class _Scope:
    parent: int  # where the element holding the heading stands among the open ones
    level: int  # 1 for <h1>, ...
    line: str  # the heading as the reader writes it ("## OPTIONS")
    headed: bool = False  # text has been read under it
    held: bool = False  # the element holding it and text under it has ended


class HeadingScopes:
    """The headings in force as a page is read, each with the element that bounds it."""

    def __init__(self) -> None:
        self._open: list[_Scope] = []
        self._restore: str | None = None

    def heading(self, parent: int, level: int, line: str, held: bool = False) -> None:
        """A heading of `level`, written as `line`, read in the element at `parent` among
        the open ones (`held`: that element bounds it, as a <details> bounds its
        <summary>): it ends the headings of its level and deeper."""
        while self._open and self._open[-1].level >= level:
            self._open.pop()
        self._open.append(_Scope(parent, level, line, held=held))
        self._restore = None

    def text(self) -> str | None:
        """A block of text is read: the heading to write before it, where the one over the
        text before it has ended; None where the heading before reaches it."""
        for scope in self._open:
            scope.headed = True
        restore, self._restore = self._restore, None
        return restore

    def closed(self, depth: int) -> None:
        """Elements ended: `depth` are open now."""
        while self._open and depth <= self._open[-1].parent:
            scope = self._open[-1]
            # a wrapper of the heading alone reaches no text; nor does the element that
            # holds the heading and its text always hold all it heads (a <summary>: the
            # heading and a line under it; the <details> around it holds the rest)
            if not (scope.headed and scope.held):
                scope.held = scope.headed
                scope.parent = depth - 1
                return
            self._open.pop()
            if self._open:
                self._restore = self._open[-1].line

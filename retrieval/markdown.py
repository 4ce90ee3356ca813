"""Markdown as its reader sees it: the text a markdown file's clauses are quoted from.

A markdown page shows its text without its inline markup ("We **must** reply" shows "We
must reply": retrieval.markdown_inline), and is quoted so. It does not show its comments,
the definitions of its links written by reference, its images as text, nor the tags of the
HTML written in it. An HTML block, as CommonMark reads one (a line that opens with a block
element's tag, "<table>", "<div align='center'>", or with a tag alone, up to a blank line),
is read as a web page is (retrieval.html_reader): a table's rows a clause each under its
head, its cells side by side, and a block of tags alone ("<details>", "</div>") nothing.
Its fenced blocks of code are found as CommonMark finds them, and said where they stand
(Document.code: no line of code is a heading); a heading and a fence are set apart from
the text they run into, as the segmenter reads blocks.
"""

from __future__ import annotations

import re

from retrieval.blocks import BLANK_LINES
from retrieval.formats import closes_fence, opening_fence
from retrieval.html_reader import html_text
from retrieval.markdown_inline import DEFINITION, link_labels, shown_paragraph

# what a markdown reader never sees: comments ("<!-- TOC -->"), the definitions of links
# written by reference ("[nodejs/node]: https://github.com/nodejs/node"), and MyST's targets
# of cross-references, a line over a heading ("(repeatability)=", as Sphinx's manuals write
# them); a note's ("[^1]: Excluding VAT.") is shown, at the page's foot
_HIDDEN = re.compile(rf"<!--.*?-->|{DEFINITION}[^\n]*$|^ {{0,3}}\([^()\s]+\)=[ \t]*$", re.S | re.M)
# ... nor a line of HTML tags alone, in a paragraph too ("<br>", "<a id='fees'></a>"; a
# link written "<https://example.org>" is shown)
_TAGS_ALONE = re.compile(r"[ \t]*(?:</?[A-Za-z][\w-]*(?:[\s/][^<>\n]*)?>[ \t]*)+")
# ... nor a line of images alone, as the HTML reader reads "<img>": a project's badges
# ("[![Build Status](https://…/badge.svg)](https://…)"), a screenshot ("![Share box](a.png)")
_IMAGE = r"!\[[^\]\n]*\]\([^)\n]*\)"
_IMAGES_ALONE = re.compile(rf"[ \t]*(?:(?:\[[ \t]*{_IMAGE}[ \t]*\]\([^)\n]*\)|{_IMAGE})[ \t]*)+")
# CommonMark's HTML blocks that end at a blank line: a line that opens with the tag of one
# of HTML's block elements, opening or closing it, which may interrupt a paragraph ...
_BLOCK_ELEMENTS = (
    "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|"
    "details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|"
    "h[1-6]|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|"
    "optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|tr|"
    "track|ul"
)
_OPENS_BLOCK = re.compile(rf" {{0,3}}</?(?:{_BLOCK_ELEMENTS})(?:[\s/>]|$)", re.I)
# ... or a line of one tag alone, of any other element, which may not
_TAG_ALONE = re.compile(r" {0,3}</?[A-Za-z][\w-]*(?:\s[^<>]*)?>\s*")
# and those that end with their element's end tag, blank lines and all: preformatted text,
# scripts and styles
_OPENS_RAW = re.compile(r" {0,3}<(pre|script|style|textarea)(?:[\s>]|$)", re.I)
_TABLE_OPENS = re.compile(r"<table\b", re.I)
_TABLE_CLOSES = re.compile(r"</table\b", re.I)
_QUOTE = re.compile(r"(?: {0,3}>[ \t]?)+")  # a quote's marks ("> ", "> > "), opening a line
_ALERT = re.compile(r"\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\][ \t]*", re.I)  # GitHub's
# a list's item: its bullet or number, and the spaces (up to four) before its text
_ITEM = re.compile(r"[ \t]*(?:[-+*]|\d{1,9}[.)])[ \t]{1,4}(?=\S)")
# a bullet's mark ("* ", "+ ", "- "), shown as "•" as a browser and the other readers show it;
# not a rule ("* * *")
_BULLET_MARK = re.compile(r"\A([ \t]*)[-+*](?=[ \t]{1,4}\S)")
_RULE = re.compile(r"[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*")
_NOTE = re.compile(r" {0,3}\[\^[^\]\n]+\]:")  # a note's definition, "[^1]: Paid yearly."
_ATX_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t].*)?")  # "## Fees": a heading, of one line


def unseen_markdown(text: str) -> tuple[str, frozenset[int]]:
    """Markdown as its reader sees it: without what is never shown as text (comments, link
    definitions, lines of tags or images alone), and with each HTML block read as a page's
    (its text without its tags; a table's rows apart, as TABLE_END sets a reader's); and where
    in that text each block of code starts: a fenced block's pieces between blank lines, a
    block set in by four spaces' too, and an HTML block's preformatted text (formats.Code).
    A fence opens only outside an HTML block, a line in a fenced block is the code's, and a
    line set in by four spaces past a list item's text opens code, but not in a paragraph,
    as CommonMark reads them. A heading ("## Fees") and a block of code are blocks of their
    own, set apart by blank lines where the page runs them into the text around them ("##
    Fees" over "Operators pay …"), as the segmenter reads blocks. A quote's lines are read
    without their ">"s, as the blocks they make (a list, code that ends with the quote,
    GitHub's alert "[!NOTE]" titled "Note")."""
    return _Reader(text).read()


class _Reader:
    """A markdown text read line by line (unseen_markdown)."""

    def __init__(self, text: str) -> None:
        self.lines = _HIDDEN.sub("", text).split("\n")
        self.blocks = _HtmlBlocks(self.lines)
        self.shown = _Shown(link_labels(text))
        self.code: set[int] = set()  # where each HTML block's preformatted text starts
        self.spans: list[tuple[int, int]] = []  # where each block of code stands, shown
        self.fence = ""  # the fence of the block of code open, if any ("```", "~~~~")
        self.set_in = False  # a block of code set in by four spaces is open
        self.quoted = False  # ... the block of code open is a quote's, and ends with it
        self.opened = 0  # ... where it starts in the text shown
        self.closed = 0  # ... where its last line of code ends (set in)
        self.in_paragraph = False  # the line before is a paragraph's
        self.was_quoted = False  # the line before is a quote's
        self.items: list[int] = []  # where the text of each list's item open stands

    def read(self) -> tuple[str, frozenset[int]]:
        at = 0
        while at < len(self.lines):
            at = self._line(at)
        if self.set_in:
            self._close(self.closed)
        shown_text = self.shown.text()
        if self.fence and self.opened >= 0:  # never closed: the code runs to the text's end
            self.spans.append((self.opened, len(shown_text)))
        code = self.code
        for start, end in self.spans:
            # each piece of the block between blank lines, where retrieval.blocks starts one
            code.add(start)
            code.update(gap.end() for gap in BLANK_LINES.finditer(shown_text, start, end))
        return shown_text, frozenset(at for at in code if at < len(shown_text))

    def _line(self, at: int) -> int:
        """Read the line `at`; where the next line to read is."""
        line = self.lines[at]
        # a quote's lines read without their ">"s, as blocks of their own (but in code
        # fenced outside a quote, where "> " is the code's)
        in_code = bool(self.fence) and not self.quoted
        quote = _QUOTE.match(line) if ">" in line[:4] and not in_code else None
        line = line[quote.end() :] if quote else line
        if self.quoted and not quote and (self.fence or self.set_in):
            self._close(self.shown.length - 1 if self.fence else self.closed)
        if quote and not self.was_quoted:
            if self.in_paragraph:
                self.shown.apart()  # (a quote opens a block of its own)
            alert = _ALERT.fullmatch(line)  # GitHub's "> [!NOTE]": the quote's title, "Note"
            line = alert.group(1).capitalize() if alert else line
        self.was_quoted = bool(quote)
        if not self.fence:
            self._list(line)
        if not self.fence and self._set_in(line, bool(quote)):
            return at + 1
        opens = "" if self.fence else opening_fence(_dedent(line, self.item))
        if self.fence or opens:
            self._fenced(line, opens, bool(quote))
            return at + 1
        end = self.blocks.end(at, self.in_paragraph) if "<" in line else None
        if end is None:
            self._text(line)
            return at + 1
        markup = "\n".join(self.lines[at:end])
        read = html_text(markup)
        if read.text:
            # a table begins and ends apart from what stands around it (formats.TABLE_END)
            apart = [""] if _TABLE_OPENS.search(markup) else []
            for blank in ["", *apart]:
                self.shown.add(blank)
            start = self.shown.add(read.text)
            self.code.update(start + offset for offset in read.code)
            for blank in ["", *apart]:
                self.shown.add(blank)
        self.in_paragraph = False
        return end

    def _fenced(self, line: str, opens: str, quoted: bool) -> None:
        """A line of a fenced block of code, or the fence it `opens` or closes (in a list's
        item, as far in as the item's text). The fences are markup, not shown ("```sh" was
        quoted over the code, "```" under it): the code is."""
        shown = self.shown
        if opens:
            shown.apart()
            self.fence = opens
            self.quoted = quoted
            self.opened = -1  # where its first line of code starts, once one is shown
        elif closes_fence(self.fence, _dedent(line, self.item)):
            self._close(shown.length - 1)
        else:
            at = shown.add(line)
            if self.opened < 0 and line.strip():
                # past the line's indent, where the segmenter's block starts
                self.opened = at + len(line) - len(line.lstrip())
        self.in_paragraph = False

    def _set_in(self, line: str, quoted: bool) -> bool:
        """Is the line code set in by four spaces (past a list item's text), or a blank
        line in such code? Not in a paragraph, which it carries on."""
        shown = self.shown
        deep = _indent(line) >= self.item + 4
        if self.set_in:
            if not line.strip():
                shown.add(line)
                return True
            if deep:
                self.closed = shown.add(line) + len(line)
                return True
            self._close(self.closed)
        if not deep or self.in_paragraph or not line.strip():
            return False
        shown.apart()
        self.set_in, self.quoted = True, quoted
        self.opened = shown.add(line) + len(line) - len(line.lstrip())
        self.closed = self.opened + len(line.lstrip())
        return True

    def _close(self, end: int) -> None:
        """The block of code open ends at `end` (a fenced block with no line of code: none)."""
        if self.opened >= 0:
            self.spans.append((self.opened, end))
        self.fence, self.set_in = "", False
        self.shown.end_part()

    @property
    def item(self) -> int:
        """Where the text of the list's item open stands (0: no list's)."""
        return self.items[-1] if self.items else 0

    def _list(self, line: str) -> None:
        """The items open after the line: an item ends at a line set left of its text (a
        blank line before it: not a paragraph's line carried on), or at its list's next
        item; a line that opens an item opens one, its text where it stands, and a note's
        definition one whose text stands four spaces in."""
        item = _ITEM.match(line)
        note = not item and "[^" in line[:5] and _NOTE.match(line)
        if line.strip() and (item or note or not self.in_paragraph):
            while self.items and _indent(line) < self.items[-1]:
                self.items.pop()
        if item:
            self.items.append(len(item.group(0).expandtabs(4)))
        elif note:  # a note's ("[^1]: …"): its paragraphs set in by four spaces, as GitHub's
            self.items.append(4)

    def _text(self, line: str) -> None:
        """A line of text: a heading's, or a paragraph's, if it shows."""
        heading = line.lstrip()[:1] == "#" and bool(_ATX_HEADING.fullmatch(line))
        shown = self.shown
        if heading:
            shown.apart()
            shown.write(line)
            shown.end_part()
        elif not ("<" in line and _TAGS_ALONE.fullmatch(line)) and not (
            "![" in line and _IMAGES_ALONE.fullmatch(line)
        ):
            if line.lstrip()[:1] in ("-", "+", "*") and not _RULE.fullmatch(line):
                line = _BULLET_MARK.sub(r"\1•", line, count=1)
            shown.write(line)
        self.in_paragraph = bool(line.strip()) and not heading


def _dedent(line: str, columns: int) -> str:
    """The line less `columns` columns of its indent, where it stands that far in (a line of
    a list's item, read as its item's text); else as it is."""
    if not columns or _indent(line) < columns:
        return line
    return line.expandtabs(4)[columns:]


def _indent(line: str) -> int:
    """How far in a line's text stands, a tab to the next multiple of four."""
    if line[:1] not in (" ", "\t"):
        return 0  # (most lines: told at once)
    expanded = line.expandtabs(4)
    return len(expanded) - len(expanded.lstrip())


class _Shown:
    """The text a markdown reader shows, line by line, and where each line starts in it; a
    paragraph's lines (and a heading's) shown with their inline markup read."""

    def __init__(self, labels: frozenset[str]) -> None:
        self.lines: list[str] = []
        self.length = 0  # of "\n".join(lines), and a newline, while there are lines
        self.part_ends = False  # the next line of text stands apart from the last
        self.labels = labels  # the links the text defines by reference
        self.paragraph: list[str] = []  # lines of text written, not yet read

    def write(self, line: str) -> None:
        """Add a line of text (not code's, nor HTML's), read with its paragraph's."""
        if not line.strip():
            self._read()
            self.add(line)
        else:
            self.paragraph.append(line)

    def add(self, line: str) -> int:
        """Add a line as it stands, and say where it starts."""
        self._read()
        if self.part_ends and line.strip():
            self._put("")
        self.part_ends = False
        return self._put(line)

    def apart(self) -> None:
        """What is added next stands apart from the line before: a blank line between."""
        self._read()
        if self.lines and self.lines[-1].strip():
            self._put("")

    def end_part(self) -> None:
        """What is added next stands apart from what was added last."""
        self._read()
        self.part_ends = True

    def text(self) -> str:
        self._read()
        return "\n".join(self.lines)

    def _read(self) -> None:
        if not self.paragraph:
            return
        paragraph, self.paragraph = self.paragraph, []
        # the line before it: a sentence that introduces a list of links (contents)
        before = next((line for line in reversed(self.lines) if line.strip()), "")
        for line in shown_paragraph(paragraph, self.labels, before):
            self.add(line)

    def _put(self, line: str) -> int:
        at = self.length
        self.lines.append(line)
        self.length += len(line) + 1
        return at


class _HtmlBlocks:
    """Where the HTML blocks of a markdown text's lines end, each found in time linear in
    the lines it takes (a page of 20,000 tables never closed is read in one pass)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        # how many more tables the lines before each open than close, and the least of
        # that from each line on: whether a table open at a line is ever closed after it
        self.open = [0]
        for line in lines:
            tables = 0
            if "<" in line:
                tables = len(_TABLE_OPENS.findall(line)) - len(_TABLE_CLOSES.findall(line))
            self.open.append(self.open[-1] + tables)
        self.least = self.open[:]
        for n in range(len(lines) - 1, -1, -1):
            self.least[n] = min(self.least[n], self.least[n + 1])

    def end(self, at: int, in_paragraph: bool) -> int | None:
        """Where the HTML block opening on line `at` ends (the index of the line after
        it); None if no block opens there. A table's block runs on to the end of the
        table, blank lines and all (its cells may hold markdown set apart by blank
        lines, as GitHub reads them)."""
        lines = self.lines
        line = lines[at]
        raw = _OPENS_RAW.match(line)
        if raw:  # up to the line with its end tag, or the text's end, as CommonMark reads it
            closing = f"</{raw.group(1).lower()}>"
            return next(
                (n + 1 for n in range(at, len(lines)) if closing in lines[n].lower()), len(lines)
            )
        if not (_OPENS_BLOCK.match(line) or (not in_paragraph and _TAG_ALONE.fullmatch(line))):
            return None
        end = next((n for n in range(at, len(lines)) if not lines[n].strip()), len(lines))
        stop = end
        if self.open[end] > self.open[at]:  # a table left open at the block's end
            if self.least[end] > self.open[at]:
                return end  # never closed: the block alone
            while self.open[stop] > self.open[at]:
                stop += 1
        while stop < len(lines) and lines[stop].strip():
            stop += 1
        return stop

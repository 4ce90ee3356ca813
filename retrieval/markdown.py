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
from retrieval.markdown_inline import link_labels, shown_paragraph

# what a markdown reader never sees: comments ("<!-- TOC -->") and the definitions of
# links written by reference ("[nodejs/node]: https://github.com/nodejs/node"); a note's
# ("[^1]: Excluding VAT.") is shown, at the page's foot
_HIDDEN = re.compile(r"<!--.*?-->|^ {0,3}\[(?!\^)[^\]\n]+\]:[ \t]*\S+[^\n]*$", re.S | re.M)
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
_ATX_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t].*)?")  # "## Fees": a heading, of one line


def unseen_markdown(text: str) -> tuple[str, frozenset[int]]:
    """Markdown as its reader sees it: without what is never shown as text (comments, link
    definitions, lines of tags or images alone), and with each HTML block read as a page's
    (its text without its tags; a table's rows apart, as TABLE_END sets a reader's); and where
    in that text each block of code starts: a fenced block's pieces between blank lines,
    and an HTML block's preformatted text (formats.Code). A fence opens only outside an
    HTML block, and a line in a fenced block is the code's, as CommonMark reads them. A
    heading ("## Fees") and a fenced block are blocks of their own, set apart by blank
    lines where the page runs them into the text around them ("## Fees" over "Operators
    pay …"), as the segmenter reads blocks. A quote's lines are read without their ">"s,
    as the blocks they make (a list, a fenced block that ends with the quote, GitHub's
    alert "[!NOTE]" titled "Note")."""
    lines = _HIDDEN.sub("", text).split("\n")
    blocks = _HtmlBlocks(lines)
    shown = _Shown(link_labels(text))
    code: set[int] = set()
    fences: list[tuple[int, int]] = []  # where each fenced block stands in the text shown
    fence = ""  # the fence of the block of code open, if any ("```", "~~~~")
    fence_quoted = False  # ... opened in a quote, which it ends with
    opened = 0  # ... where it starts in the text shown
    in_paragraph = False  # the line before is a paragraph's, which a lone tag carries on
    was_quoted = False  # the line before is a quote's
    at = 0
    while at < len(lines):
        line = lines[at]
        # a quote's lines read without their ">"s, as blocks of their own (but in code
        # fenced outside a quote, where "> " is the code's)
        in_code = bool(fence) and not fence_quoted
        quote = _QUOTE.match(line) if ">" in line[:4] and not in_code else None
        line = line[quote.end() :] if quote else line
        if fence and fence_quoted and not quote:  # the quote ends, and its code with it
            fence = ""
            fences.append((opened, shown.length - 1))
            shown.end_part()
        if quote and not was_quoted:
            if in_paragraph:
                shown.apart()  # (a quote opens a block of its own)
            alert = _ALERT.fullmatch(line)  # GitHub's "> [!NOTE]": the quote's title, "Note"
            line = alert.group(1).capitalize() if alert else line
        was_quoted = bool(quote)
        opens = "" if fence else opening_fence(line)
        if fence or opens:
            if opens:  # (where the segmenter's block starts: past the line's indent)
                shown.apart()
                fence = opens
                fence_quoted = bool(quote)
                opened = shown.add(line) + len(line) - len(line.lstrip())
            elif closes_fence(fence, line):
                fence = ""
                fences.append((opened, shown.add(line) + len(line)))
                shown.end_part()
            else:
                shown.add(line)
            in_paragraph = False
            at += 1
            continue
        tagged = "<" in line  # (most lines have no tag: read them so, at once)
        end = blocks.end(at, in_paragraph) if tagged else None
        if end is None:
            heading = line.lstrip()[:1] == "#" and bool(_ATX_HEADING.fullmatch(line))
            if heading:
                shown.apart()
                shown.write(line)
                shown.end_part()
            elif not (tagged and _TAGS_ALONE.fullmatch(line)) and not (
                "![" in line and _IMAGES_ALONE.fullmatch(line)
            ):
                shown.write(line)
            in_paragraph = bool(line.strip()) and not heading
            at += 1
            continue
        markup = "\n".join(lines[at:end])
        read = html_text(markup)
        if read.text:
            # a table begins and ends apart from what stands around it (formats.TABLE_END)
            apart = [""] if _TABLE_OPENS.search(markup) else []
            for blank in ["", *apart]:
                shown.add(blank)
            start = shown.add(read.text)
            code.update(start + offset for offset in read.code)
            for blank in ["", *apart]:
                shown.add(blank)
        in_paragraph = False
        at = end
    shown_text = shown.text()
    if fence:  # never closed: the code runs to the text's end
        fences.append((opened, len(shown_text)))
    for start, end in fences:
        # each piece of the block between blank lines, where retrieval.blocks starts one
        code.add(start)
        code.update(gap.end() for gap in BLANK_LINES.finditer(shown_text, start, end))
    return shown_text, frozenset(at for at in code if at < len(shown_text))


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
        paragraph, self.paragraph = self.paragraph, []
        for line in shown_paragraph(paragraph, self.labels):
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

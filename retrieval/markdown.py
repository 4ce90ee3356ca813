"""Markdown as its reader sees it: the text a markdown file's clauses are quoted from.

A markdown page shows its text with its markup, and is quoted so ("**Appeals**"), but it
does not show its comments, the definitions of its links written by reference, nor the tags
of the HTML written in it. An HTML block, as CommonMark reads one (a line that opens with a
block element's tag, "<table>", "<div align='center'>", or with a tag alone, up to a blank
line), is read as a web page is (retrieval.html_reader): a table's rows a clause each under
its head, its cells side by side, and a block of tags alone ("<details>", "</div>") nothing.
"""

from __future__ import annotations

import re

from retrieval.blocks import fenced_code
from retrieval.html_reader import html_text

# what a markdown reader never sees: comments ("<!-- TOC -->") and the definitions of
# links written by reference ("[nodejs/node]: https://github.com/nodejs/node")
_HIDDEN = re.compile(r"<!--.*?-->|^ {0,3}\[[^\]\n]+\]:[ \t]*\S+[^\n]*$", re.S | re.M)
# ... nor a line of HTML tags alone, in a paragraph too ("<br>", "<a id='fees'></a>"; a
# link written "<https://example.org>" is shown)
_TAGS_ALONE = re.compile(r"[ \t]*(?:</?[A-Za-z][\w-]*(?:[\s/][^<>\n]*)?>[ \t]*)+")
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


def unseen_markdown(text: str) -> tuple[str, frozenset[int]]:
    """Markdown as its reader sees it: without what is never shown (comments, link
    definitions, lines of tags alone), and with each HTML block read as a page's (its
    text without its tags; a table's rows apart, as TABLE_END sets a reader's); and where
    in that text each block of an HTML block's preformatted text starts (formats.Code)."""
    shown_text = _HIDDEN.sub("", text)
    lines = shown_text.split("\n")
    blocks = _HtmlBlocks(lines)
    code = _code_lines(shown_text, lines)
    out: list[str] = []
    written = 0  # the length of "\n".join(out), and a newline, while out has lines
    preformatted: set[int] = set()
    in_paragraph = False  # the line before is a paragraph's, which a lone tag carries on
    at = 0
    while at < len(lines):
        line = lines[at]
        fenced = code[at]
        end = None if fenced else blocks.end(at, in_paragraph)
        if end is None:
            if fenced or not _TAGS_ALONE.fullmatch(line):
                out.append(line)
                written += len(line) + 1
            in_paragraph = bool(line.strip()) and not fenced and not line.startswith("#")
            at += 1
            continue
        markup = "\n".join(lines[at:end])
        shown = html_text(markup)
        if shown.text:
            # a table begins and ends apart from what stands around it (formats.TABLE_END)
            apart = [""] if _TABLE_OPENS.search(markup) else []
            written += 1 + len(apart)  # the blank lines before it
            preformatted.update(written + start for start in shown.code)
            out += ["", *apart, shown.text, "", *apart]
            written += len(shown.text) + 2 + len(apart)
        in_paragraph = False
        at = end
    return "\n".join(out), frozenset(preformatted)


def _code_lines(text: str, lines: list[str]) -> list[bool]:
    """Which of the text's lines are a fenced block of code's, its fences included
    (blocks.fenced_code: what the segmenter reads as code)."""
    fences = fenced_code(text)
    code: list[bool] = []
    at = k = 0
    for line in lines:
        while k < len(fences) and fences[k][1] <= at:
            k += 1
        code.append(k < len(fences) and fences[k][0] <= at)
        at += len(line) + 1
    return code


class _HtmlBlocks:
    """Where the HTML blocks of a markdown text's lines end, each found in time linear in
    the lines it takes (a page of 20,000 tables never closed is read in one pass)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        # how many more tables the lines before each open than close, and the least of
        # that from each line on: whether a table open at a line is ever closed after it
        self.open = [0]
        for line in lines:
            self.open.append(
                self.open[-1] + len(_TABLE_OPENS.findall(line)) - len(_TABLE_CLOSES.findall(line))
            )
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

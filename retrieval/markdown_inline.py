"""Markdown's inline markup as its reader sees it: a paragraph's text without the marks that
set it ("We **must** reply within *48 hours* to [security@example.org](mailto:…)" reads "We
must reply within 48 hours to security@example.org"), as CommonMark reads them: code spans
("`SECURITY.md`"), backslash escapes, links (inline, and by reference to a definition the
document gives), images (shown as no text, as the HTML reader reads "<img>"), autolinks,
HTML tags of HTML's own elements ("<kbd>", "<br>") and entities, and emphasis by CommonMark's
rules for delimiter runs ("snake_case" and "2 * 3" keep their marks). A struck-through
"~~old~~" keeps its marks: read without them it would say what its page strikes out."""

from __future__ import annotations

import bisect
import html
import re
import unicodedata

from retrieval.contents import MARKDOWN_ENTRY, entries_stand
from retrieval.headings import in_bold_alone

# a placeholder, for what the rules for emphasis and links do not read into (a code span,
# an escaped mark, a tag): a character of Unicode's private use area, one for each
_FIRST = 0xE000
_LAST = 0xF8FF
_PRIVATE = re.compile("[\ue000-\uf8ff]")
_MARKUP = re.compile(r"[`*_\[\]\\<&]")  # (a line without any of these has no markup)

_BACKTICKS = re.compile(r"`+")
# what stands apart, found left to right (an escaped "\\<" opens no tag; in "<http://a.b\\*>"
# the backslash is the link's): a backslash escape of ASCII punctuation ("\\|" stays: a
# cell's), or one that breaks its line; an autolink; a tag; an entity
_ESCAPE = r"\\([!-/:-@\[-`{}-~])|\\(\n)"
_AUTOLINK = (
    r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
    r"[A-Za-z0-9])?)*)>"
)
_TAG = (
    r"</?([A-Za-z][A-Za-z0-9-]*)(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^']*'"
    r"|\"[^\"]*\"))?)*\s*/?>"
)
_ENTITY = r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
_APART = re.compile(f"{_ESCAPE}|{_AUTOLINK}|{_TAG}|({_ENTITY})")

# where a link leads, after its text: "(<a b.md>)", or without spaces, its parentheses
# balanced, and its title ("(a.md "The rules")"); or the label of its definition ("[rules]")
_WHERE = re.compile(
    r"\(\s*(?:<[^<>\n]*>|(?!<)[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"
    r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\)))?\s*\)"
)
_LABEL = re.compile(r"\[((?:[^\[\]\\]|\\.){0,999})\]", re.S)
_BRACKETS = re.compile(r"!?\[|\]")
# a link's definition, written by reference ("[tracker]: https://…"); a note's ("[^1]: …") is
# none: its label, and where its line starts to show
DEFINITION = r"^ {0,3}\[(?!\^)([^\]\n]+)\]:[ \t]*\S"
_DEFINITION = re.compile(DEFINITION, re.M)

_DELIMITERS = re.compile(r"\*+|_+")

# HTML's elements: a tag of one is markup, shown as no text ("<kbd>", "</sup>"); a tag of
# another is text ("List<String>", as a page that does not know it shows it)
_ELEMENTS = frozenset(
    "a abbr address area article aside audio b base bdi bdo big blockquote body br button "
    "canvas caption center cite code col colgroup data datalist dd del details dfn dialog dir "
    "div dl dt em embed fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 "
    "h5 h6 head header hgroup hr html i iframe img input ins kbd label legend li link main map "
    "mark menu meta meter nav noframes noscript object ol optgroup option output p param "
    "picture pre progress q rp rt ruby s samp search section select slot small source span "
    "strike strong sub summary sup table tbody td template textarea tfoot th thead time title "
    "tr track tt u ul var video wbr".split()
)


# what opens a line of a paragraph and is no inline markup: its indent, a quote's ">", a
# heading's "#"s, a list item's bullet or number and a task's box ("- [x] ")
_OPENING = re.compile(
    r"[ \t]*(?:>[ \t]?)*[ \t]*(?:(#{1,6})(?=[ \t]|$)[ \t]*|([-+*]|\d{1,9}[.)])(?=[ \t]|$)"
    r"[ \t]*(?:\[[ xX]\](?=[ \t]))?)?"
)
_CELLS = re.compile(r"(?<!\\)\|")  # where a table's row parts its cells: "|", not "\\|"
_TABLE_RULE = re.compile(r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*")


def shown_paragraph(
    lines: list[str], labels: frozenset[str] = frozenset(), before: str = ""
) -> list[str]:
    """A paragraph's lines as they show, their inline markup read (shown_inline) and what
    opens them kept: a list's items each read apart, a table's cells too. Kept as written,
    for what reads them by their markup: a table of contents' entries ("* [Fees](#fees)"),
    and the marks of a paragraph in bold alone ("**Appeals**": a heading, by its markup,
    retrieval.headings). (Code set in by four spaces is no paragraph: retrieval.markdown.)"""
    whole = "\n".join(lines)
    if not _MARKUP.search(whole):
        return lines
    if MARKDOWN_ENTRY.match(whole) and entries_stand([whole], before):
        return lines  # a table of contents' entries, no clause (retrieval.contents)
    if in_bold_alone(whole.strip()):
        # in bold alone: its marks kept, what they hold read ("**[Appeals](a.md)**")
        opens, closes = whole.index("**") + 2, whole.rindex("**")
        bold = whole[:opens] + shown_inline(whole[opens:closes], labels) + whole[closes:]
        return bold.split("\n") if bold.count("\n") == whole.count("\n") else lines
    if len(lines) > 1 and "-" in lines[1] and _TABLE_RULE.fullmatch(lines[1]):
        # a table: each cell read apart, as GitHub reads them ("| *a | b* |": no emphasis),
        # a "|" in it written "\|" (in code too: "`a \| b`" shows "a | b")
        return [
            "|".join(shown_inline(cell.replace("\\|", "|"), labels) for cell in _CELLS.split(row))
            for row in lines
        ]
    shown: list[str] = []
    units: list[list[tuple[str, str]]] = []  # an item's lines, a paragraph's: what opens each
    for line in lines:
        found = _OPENING.match(line)  # (always: its parts may all be missing)
        opening = found.group(0) if found else ""
        if not units or (found and (found.group(1) or found.group(2))):
            units.append([])
        units[-1].append((opening, line[len(opening) :]))
    for unit in units:
        written = [opening + rest for opening, rest in unit]
        read = shown_inline("\n".join(rest for _, rest in unit), labels).split("\n")
        if len(read) != len(unit):
            shown.extend(written)  # (a link's title over two lines: left as written)
        else:
            shown.extend(opening + line for (opening, _), line in zip(unit, read, strict=True))
    return shown


def link_labels(text: str) -> frozenset[str]:
    """The labels a markdown text defines links by ("[tracker]: https://…"), as matched."""
    return frozenset(label(found.group(1)) for found in _DEFINITION.finditer(text))


def label(text: str) -> str:
    """A link's label as CommonMark matches it: case and runs of spaces aside."""
    return " ".join(text.split()).casefold()


def shown_inline(text: str, labels: frozenset[str] = frozenset()) -> str:
    """The text a paragraph shows, its inline markup read; its lines stay lines. `labels`:
    the links its document defines by reference (link_labels)."""
    if not _MARKUP.search(text) or _PRIVATE.search(text):
        return text  # (no markup; or characters of the private area, kept as they are)
    atoms = _Atoms()
    if "`" in text:
        text = _code_spans(text, atoms)
    if "\\" in text or "<" in text or "&" in text:
        text = _APART.sub(lambda found: atoms.keep(_shown_apart(found), found.group(0)), text)
    if atoms.full:
        return atoms.restore(text)  # (too many to set apart: read no further)
    if "](" in text or ("]" in text and labels):
        text = _links(text, labels, atoms)
    return atoms.restore(_emphasis(text, atoms))


class _Atoms:
    """What is set apart from the rules for links and emphasis, each as a placeholder, with
    the characters it shows and the source characters its ends are read as."""

    def __init__(self) -> None:
        self.shown: list[str] = []
        self.sources: list[str] = []
        self.full = False

    def keep(self, shown: str, source: str) -> str:
        if _FIRST + len(self.shown) > _LAST:
            self.full = True
            return source
        self.shown.append(shown)
        self.sources.append(source)
        return chr(_FIRST + len(self.shown) - 1)

    def restore(self, text: str) -> str:
        return _PRIVATE.sub(lambda found: self.shown[ord(found.group(0)) - _FIRST], text)

    def written(self, text: str) -> str:
        """The text as written ("[`napi_wrap`][]"'s label: "`napi_wrap`")."""
        return _PRIVATE.sub(lambda found: self.sources[ord(found.group(0)) - _FIRST], text)

    def source(self, ch: str, last: bool) -> str:
        """The source character a placeholder's end is read as (its first or `last`)."""
        if _FIRST <= ord(ch) <= _LAST:
            return self.sources[ord(ch) - _FIRST][-1 if last else 0]
        return ch


def _code_spans(text: str, atoms: _Atoms) -> str:
    """The text with each code span ("`x`", "`` a`b ``") set apart, showing its code: a run
    of backticks closed by the next run as long; one not closed is backticks as written. A
    backslash before a run outside code escapes its first backtick ("\\`"); in code, it is
    code ("`\\`")."""
    runs = [found.span() for found in _BACKTICKS.finditer(text)]
    by_length: dict[int, list[int]] = {}  # the runs of each length, in order
    for n, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(n)
    parts: list[str] = []
    at = 0
    n = 0
    while n < len(runs):
        start, end = runs[n]
        backslash = start
        while backslash > at and text[backslash - 1] == "\\":
            backslash -= 1
        start += (start - backslash) % 2  # (its first backtick escaped: text)
        same = by_length.get(end - start, [])
        later = bisect.bisect_right(same, n)
        if start == end or later == len(same):
            n += 1
            continue
        closer = same[later]
        code = text[end : runs[closer][0]]
        if code[:1] in (" ", "\n") and code[-1:] in (" ", "\n") and code.strip():
            # a space each side taken off (a line's end is a space in code, but kept: the
            # lines stay lines)
            code = code[0].strip(" ") + code[1:-1] + code[-1].strip(" ")
        parts.append(text[at:start])
        parts.append(atoms.keep(code, text[start : runs[closer][1]]))
        at = runs[closer][1]
        n = closer + 1
    parts.append(text[at:])
    return "".join(parts)


def _shown_apart(found: re.Match[str]) -> str:
    """What an escape, an autolink, a tag or an entity shows: a tag of one of HTML's
    elements a space for a line break ("<br>"), else nothing; another tag is text."""
    escaped, broken, link, tag, entity = found.groups()
    if tag:
        name = tag.lower()
        return (" " if name == "br" else "") if name in _ELEMENTS else found.group(0)
    if entity:
        return html.unescape(entity)
    return escaped or broken or link


def _links(text: str, labels: frozenset[str], atoms: _Atoms) -> str:
    """The text with each link set apart, showing its text (its emphasis read), and each
    image, showing nothing; found as CommonMark finds them, left to right: a "]" closes the
    nearest "[" or "![" before it, and makes a link with what follows it ("(a.md)"), or with
    the label of a definition the document gives ("[text][label]", "[label][]", "[label]");
    a link holds no link."""

    shown: list[str] = []  # the text so far, in pieces
    openers: list[tuple[int, int, bool]] = []  # each "[": its piece, where it stands, image?
    at = 0
    for found in _BRACKETS.finditer(text):
        if found.start() < at:
            continue  # (in what a link took after its text)
        shown.append(text[at : found.start()])
        at = found.end()
        if found.group() != "]":
            openers.append((len(shown), found.start(), found.group() == "!["))
            shown.append(found.group())
            continue
        if not openers:
            shown.append("]")
            continue
        piece, start, image = openers.pop()
        if not labels and text[at : at + 1] != "(":
            shown.append("]")  # (no link but an inline one)
            continue
        inside = text[start + 1 + image : found.start()]
        end = _link_end(text, found.end(), inside, atoms, labels)
        if piece < 0 or end is None:  # (piece < 0: a "[" inside a link)
            shown.append("]")
            continue
        inner = "".join(shown[piece + 1 :])
        del shown[piece:]
        read = "" if image else atoms.restore(_emphasis(inner, atoms))
        shown.append(atoms.keep(read, text[start:end]))
        at = end
        if not image:  # no link in a link: the "[" before it open no more (an image may)
            openers = [(n if shows else -1, place, shows) for n, place, shows in openers]
    shown.append(text[at:])
    return "".join(shown)


def _link_end(text: str, at: int, inside: str, atoms: _Atoms, labels: frozenset[str]) -> int | None:
    """Where a link whose text `inside` closes at `at` ends, or None if it is none: `labels`
    the links defined by reference."""

    def defined(name: str) -> bool:
        return label(atoms.written(name)) in labels

    where = _WHERE.match(text, at)
    if where and _WHERE.fullmatch(atoms.written(where.group())):  # ("(<kbd>x)": no link)
        return where.end()
    named = _LABEL.match(text, at)
    if named and named.group(1):  # "[text][label]"
        return named.end() if named.group(1).strip() and defined(named.group(1)) else None
    if inside.startswith("^") or not inside.strip() or not defined(inside):
        return None  # ("[^1]": a note's mark)
    return named.end() if named else at  # "[label][]", "[label]"


class _Run:
    """A run of "*" or "_" that may open or close emphasis, and what is left of it."""

    def __init__(self, found: re.Match[str], opens: bool, closes: bool) -> None:
        self.mark = found.group(0)[0]
        self.start, self.end = found.span()  # what is left of it, as marks
        self.length = self.end - self.start  # as written
        self.opens = opens
        self.closes = closes


def _punctuation(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


def _runs(text: str, atoms: _Atoms) -> list[_Run]:
    """The delimiter runs of a text, each told whether it may open or close emphasis by
    what stands on either side of it (CommonMark's flanking rules)."""
    runs = []
    for found in _DELIMITERS.finditer(text):
        start, end = found.span()
        before = atoms.source(text[start - 1], last=True) if start else " "
        after = atoms.source(text[end], last=False) if end < len(text) else " "
        left = not after.isspace() and (
            not _punctuation(after) or before.isspace() or _punctuation(before)
        )
        right = not before.isspace() and (
            not _punctuation(before) or after.isspace() or _punctuation(after)
        )
        if found.group(0)[0] == "*":
            runs.append(_Run(found, left, right))
        else:  # "_" inside a word is the word's ("snake_case")
            opens = left and (not right or _punctuation(before))
            closes = right and (not left or _punctuation(after))
            runs.append(_Run(found, opens, closes))
    return runs


def _emphasis(text: str, atoms: _Atoms) -> str:
    """The text without the marks of its emphasis, matched as CommonMark matches them: each
    closing run with the nearest run before it that may open, of the same mark, two marks
    at a time where both have two; what stands between them and is not matched stays."""
    if "*" not in text and "_" not in text:
        return text
    runs = _runs(text, atoms)
    dropped: list[tuple[int, int]] = []
    stack: list[int] = []  # the runs before that may still open, nearest last
    floors: dict[tuple[str, bool, int], int] = {}  # where a search for an opener found none
    n = 0
    while n < len(runs):
        closer = runs[n]
        if not closer.closes or closer.start >= closer.end:
            if closer.opens and closer.start < closer.end:
                stack.append(n)
            n += 1
            continue
        key = (closer.mark, closer.opens, closer.length % 3)
        floor = floors.get(key, -1)
        at = len(stack) - 1
        while at >= 0 and stack[at] > floor:
            opener = runs[stack[at]]
            if opener.mark == closer.mark and not _odd(opener, closer):
                break
            at -= 1
        else:
            floors[key] = n - 1
            if closer.opens:
                stack.append(n)
            n += 1
            continue
        opener = runs[stack[at]]
        use = 2 if opener.end - opener.start >= 2 and closer.end - closer.start >= 2 else 1
        opener.end -= use
        dropped.append((opener.end, opener.end + use))
        dropped.append((closer.start, closer.start + use))
        closer.start += use
        del stack[at + (opener.end > opener.start) :]  # what stood between: text
        if closer.start >= closer.end:
            n += 1
    if not dropped:
        return text
    parts = []
    at = 0
    for start, end in sorted(dropped):
        parts.append(text[at:start])
        at = end
    parts.append(text[at:])
    return "".join(parts)


def _odd(opener: _Run, closer: _Run) -> bool:
    """CommonMark's rule of three: where either run may both open and close, the two match
    only if their lengths, as written, sum to no multiple of 3 (or both are multiples)."""
    either = opener.closes or closer.opens
    total = opener.length + closer.length
    return either and total % 3 == 0 and not (opener.length % 3 == 0 and closer.length % 3 == 0)

"""CSS: which properties set text apart from body text (bold, italic, underlined, in capitals
or large; ODT's fo: properties are CSS's, and its reader asks too), and what an HTML page sets
apart, by its elements ("<strong>", "<em>"), their style attributes and the rules of the
page's own <style> elements.

A paragraph ("<p>") with words set as the page's other paragraphs is body text
(formats.Body), however short, as the readers of DOCX, ODT, RTF and .doc files tell it: "Office
hours 9 to 18" is text, not a heading over the paragraph after it. A paragraph whose every
word is set apart ("<p><strong>Payment terms</strong></p>") can still be a heading
(headings.is_heading). What the reader cannot see counts as set apart, so that such a
paragraph is read as before: a class or id of a page that links or imports a stylesheet,
and pseudo-classes of a rule (":first-child"); but not the class of an element that holds
blocks (the page's layout, "<div id="content">": html_reader), nor any class on a page that
marks its headings as headings (<h1>-<h6>).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from retrieval.formats import LARGE_PT, LARGE_SHARE

# elements a browser shows bold, italic, underlined or larger than the text around them
EMPHATIC = frozenset({"b", "strong", "i", "em", "u", "big"})
PX_PER_PT = 4 / 3  # CSS's pixel is 1/96 of an inch, its point 1/72
FONT_LARGE = 4  # <font size="4"> (and up, or "+1"): CSS's "large", 18 px
# the elements whose style is the page's base, not what sets text apart from it
_BASE = frozenset({"html", "body", ":root", "*"})
_SIZE_WORDS = frozenset({"large", "x-large", "xx-large", "xxx-large", "larger"})
_SIZE = re.compile(r"([\d.]+)(pt|px|em|rem|%)")
_BRACE = re.compile(r"[{}]")
# a stylesheet the page links to or imports, which the reader does not have
_LINKED = re.compile(r"<link\b[^>]*\bstylesheet\b|@import\b", re.I)
_COMBINATOR = re.compile(r"[\s>+~]+")
_HEADING_ELEMENT = re.compile(r"<h[1-6][\s>/]", re.I)
# how an element sets its text apart (PageStyles.apart)
NOT_APART, APART, UNSEEN = 0, 1, 2


def declarations(text: str) -> dict[str, str]:
    """A style attribute's (or a rule's) properties, by name, in lower case."""
    found: dict[str, str] = {}
    for part in text.split(";"):
        name, colon, value = part.partition(":")
        if colon:
            found[name.strip().lower()] = value.replace("!important", "").strip().lower()
    return found


def large(size: str) -> bool:
    """Is a CSS font size (or ODT's fo:font-size) LARGE_PT or more, or LARGE_SHARE times the
    text around it or more?"""
    found = _SIZE.fullmatch(size.strip())
    if found is None:
        return size.strip() in _SIZE_WORDS
    try:
        value = float(found.group(1))
    except ValueError:
        return False
    unit = found.group(2)
    if unit == "pt":
        return value >= LARGE_PT
    if unit == "px":
        return value >= LARGE_PT * PX_PER_PT
    if unit == "%":
        return value >= 100 * LARGE_SHARE
    return value >= LARGE_SHARE


def _heavy(weight: str) -> bool:
    return weight in ("bold", "bolder") or (weight.isdecimal() and int(weight) >= 600)


def stands_apart(props: Mapping[str, str]) -> bool:
    """Do these properties (CSS's names: font-weight, font-style, font-size, text-transform,
    text-decoration, and the font shorthand) set text apart from body text?"""
    shorthand = props.get("font", "").split()
    return (
        _heavy(props.get("font-weight", ""))
        or props.get("font-style", "") in ("italic", "oblique")
        or "underline" in props.get("text-decoration", "")
        or "underline" in props.get("text-decoration-line", "")
        or props.get("text-transform", "") == "uppercase"
        or large(props.get("font-size", ""))
        or any(
            _heavy(word) or word in ("italic", "oblique") or large(word.split("/")[0])
            for word in shorthand
        )
    )


@dataclass(frozen=True)
class PageStyles:
    """What a page's <style> rules set apart: elements ("p"), and classes and ids, each with
    the element the rule names it on ("h1.western" sets apart an h1 of class "western", not
    a paragraph of it; "" for any element); and whether the page links or imports a
    stylesheet of its own, whose rules the reader does not have."""

    tags: frozenset[str] = frozenset()
    classes: frozenset[tuple[str, str]] = frozenset()
    ids: frozenset[tuple[str, str]] = frozenset()
    linked: bool = False
    # whether the page marks its headings as headings (<h1> to <h6>): then what a
    # stylesheet not read may style is no heading (see apart)
    headed: bool = False

    @classmethod
    def of(cls, markup: str) -> PageStyles:
        tags: set[str] = set()
        classes: set[tuple[str, str]] = set()
        ids: set[tuple[str, str]] = set()
        for sheet in _style_elements(markup):
            for selectors, body in _rules(_uncommented(sheet)):
                if not stands_apart(declarations(body)):
                    continue
                for selector in selectors.split(","):
                    # the element the rule styles: the selector's last part ("div.note p": p)
                    last = _COMBINATOR.split(selector.strip())[-1].lower()
                    named = re.findall(r"\.([\w-]+)", last)
                    numbered = re.findall(r"#([\w-]+)", last)
                    tag = re.match(r"[\w-]*", last)
                    element = tag.group(0) if tag else ""
                    if named or numbered:
                        classes.update((element, name) for name in named)
                        ids.update((element, number) for number in numbered)
                    elif element and element not in _BASE:
                        tags.add(element)
        linked = bool(_LINKED.search(markup))
        headed = bool(_HEADING_ELEMENT.search(markup))
        return cls(frozenset(tags), frozenset(classes), frozenset(ids), linked, headed)

    def sets_apart(self, tag: str, attrs: Mapping[str, str | None]) -> bool:
        """Does the element set its text apart (or might it, by a stylesheet not read)?"""
        return self.apart(tag, attrs) != NOT_APART

    def apart(self, tag: str, attrs: Mapping[str, str | None]) -> int:
        """How the element sets its text apart: APART, by what the reader sees (its tag, its
        style, a rule of the page's); UNSEEN, by a class or id that a stylesheet the page
        links to might style; NOT_APART."""
        if tag in EMPHATIC or tag in self.tags:
            return APART
        if tag == "font" and _font_large(attrs.get("size") or ""):
            return APART
        style = attrs.get("style")
        if style and stands_apart(declarations(style)):
            return APART
        named = (attrs.get("class") or "").lower().split()
        number = (attrs.get("id") or "").strip().lower()
        if not (named or number):
            return NOT_APART
        if any(
            (element, name) in found
            for found, names in ((self.classes, named), (self.ids, [number] if number else []))
            for name in names
            for element in ("", tag)
        ):
            return APART
        # a page that marks its headings sets none by a class (a date's line, an author's,
        # a box's label: "<div class="meta">Published: 5 November 2012</div>")
        return UNSEEN if self.linked and not self.headed else NOT_APART


def hidden(attrs: Mapping[str, str | None]) -> bool:
    """Does the page not show the element, nor what it holds ("hidden", "display: none"),
    as a draft's notes to its editors are set?"""
    style = attrs.get("style") or ""
    return "hidden" in attrs or (bool(style) and declarations(style).get("display") == "none")


def reader_only(attrs: Mapping[str, str | None]) -> bool:
    """Does the page show the element to a screen reader alone, by the class its framework
    hides such text by ("sr-only", "govuk-visually-hidden", "screen-reader-text"), whose
    style sheet is seldom in the page: "(opens in a new tab)" after a link?"""
    return any(_READER_ONLY.search(name) for name in (attrs.get("class") or "").split())


# the class names the web's frameworks give text for screen readers alone (Bootstrap's
# "sr-only", GOV.UK's "govuk-visually-hidden", WordPress's "screen-reader-text")
_READER_ONLY = re.compile(
    r"(?:^|[-_])(?:sr-only|visually-?hidden|screen-?reader-(?:text|only))$", re.I
)


# The page's style sheets are read in one pass each, with no regular expression that could
# scan the rest of the page again from every place it fails at: a page of 20,000 "<style>"
# left open, or 40 KB without a brace before a "}", took 12-22 s that way.


def _style_elements(markup: str) -> Iterator[str]:
    """The text of each <style> element (to the page's end, when one is never closed)."""
    lower = markup.lower()
    at = 0
    while (start := lower.find("<style", at)) >= 0:
        at = start + 6
        if at < len(lower) and (lower[at].isalnum() or lower[at] in "-_:"):
            continue  # another element ("<styles>")
        opened = lower.find(">", at)
        if opened < 0:
            return
        closed = lower.find("</style", opened)
        yield markup[opened + 1 : closed if closed >= 0 else len(markup)]
        if closed < 0:
            return
        at = closed + 7


def _uncommented(sheet: str) -> str:
    """A style sheet without its comments (an unclosed one runs to the end)."""
    kept, at = [], 0
    while (start := sheet.find("/*", at)) >= 0:
        kept.append(sheet[at:start])
        end = sheet.find("*/", start + 2)
        if end < 0:
            return "".join(kept)
        at = end + 2
    kept.append(sheet[at:])
    return "".join(kept)


def _rules(sheet: str) -> Iterator[tuple[str, str]]:
    """Each innermost rule of a style sheet, its selectors and its declarations ("p.note"
    and "font-weight: bold"; the rules inside an "@media … { … }" too)."""
    after = 0  # where the text after the last brace begins
    opened = -1  # where the last brace, if it was an opening one, stands
    for brace in _BRACE.finditer(sheet):
        at = brace.start()
        if brace.group() == "{":
            selectors, opened = sheet[after:at], at
        elif opened >= 0:
            yield selectors, sheet[opened + 1 : at]
            opened = -1
        after = at + 1


def _font_large(size: str) -> bool:
    size = size.strip()
    try:
        value = 3 + int(size) if size[:1] in "+-" and size[1:].isdecimal() else int(size)
    except ValueError:
        return False
    return value >= FONT_LARGE

"""What an OpenDocument text file's styles say (retrieval.odt_reader): how each list style
and the outline style number their levels ("2.", "(a)", "1.2."), which text styles hide
their text, and which set it apart from body text (formats.Body). Its namespaces and tags,
shared with the reader."""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree import ElementTree

from retrieval.css import stands_apart
from retrieval.numbering import list_marker

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
}


def tag(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"


T = {name: tag("text", name) for name in (
    "h", "p", "list", "list-item", "list-header", "span", "a", "s", "tab", "line-break",
    "note", "note-citation", "note-body", "section", "soft-page-break", "tracked-changes",
    "table-of-content", "alphabetical-index", "illustration-index", "bibliography",
    "user-index", "list-style", "list-level-style-number", "list-level-style-bullet",
    "outline-style", "outline-level-style", "number", "sequence-decls",
)}  # fmt: skip


@dataclass(frozen=True)
class Level:
    """How one level of a list style numbers its items."""

    kind: str  # "1", "a", "A", "i", "I", "•", or "" (no number shown)
    prefix: str = ""
    suffix: str = ""
    start: int = 1
    shown: int = 1  # how many levels' numbers it shows ("1.2." shows 2)


def shown_number(levels: dict[int, Level], counts: list[int], level: int) -> str:
    """What a list item or a heading at `level` shows before its text: "•", "(a)", or its
    number with those of the levels above that its style shows too ("1.2."); `counts` are
    the numbers each level has reached."""
    how = levels.get(level, Level("•"))
    if how.kind in ("•", ""):
        return how.kind
    parts = [
        _format(levels.get(at, Level("1")), counts[at - 1] or 1)
        for at in range(max(1, level - how.shown + 1), level + 1)
    ]
    return how.prefix + ".".join(parts) + how.suffix


def _format(how: Level, count: int) -> str:
    return list_marker(how.kind or "1", count).rstrip(".") if how.kind != "•" else "•"


def emphatic_styles(*roots: ElementTree.Element | None) -> set[str]:
    """The styles whose text stands apart from body text: bold, italic, underlined, in
    capitals or large, by their own text properties or those of the styles they inherit
    from."""
    own: dict[str, bool] = {}
    parents: dict[str, str] = {}
    for root in roots:
        for style in root.iter(tag("style", "style")) if root is not None else ():
            name = style.get(tag("style", "name")) or ""
            parents[name] = style.get(tag("style", "parent-style-name")) or ""
            props = style.find(tag("style", "text-properties"))
            own[name] = props is not None and _stands_apart(props)
    found = set()
    for name in own:
        seen, at = set(), name
        while at and at not in seen:
            seen.add(at)
            if own.get(at):
                found.add(name)
                break
            at = parents.get(at, "")
    return found


def _stands_apart(props: ElementTree.Element) -> bool:
    underline = props.get(tag("style", "text-underline-style")) or "none"
    return stands_apart(
        {
            name: props.get(tag("fo", name)) or ""
            for name in ("font-weight", "font-style", "font-size", "text-transform")
        }
        | {"text-decoration": "underline" if underline != "none" else ""}
    )


def hidden_styles(root: ElementTree.Element | None) -> set[str]:
    """The text styles that hide their text (text:display="none"), as a draft's notes to
    its editors are set: LibreOffice neither prints nor shows it."""
    found = set()
    for style in root.iter(tag("style", "style")) if root is not None else ():
        props = style.find(tag("style", "text-properties"))
        if props is not None and props.get(tag("text", "display")) == "none":
            found.add(style.get(tag("style", "name")) or "")
    return found


def list_styles(root: ElementTree.Element | None) -> dict[str, dict[int, Level]]:
    found: dict[str, dict[int, Level]] = {}
    for style in root.iter(T["list-style"]) if root is not None else ():
        found[style.get(tag("style", "name")) or ""] = level_styles(style)
    return found


def level_styles(style: ElementTree.Element) -> dict[int, Level]:
    levels: dict[int, Level] = {}
    for child in style:
        level = int(child.get(tag("text", "level")) or 1)
        if child.tag == T["list-level-style-bullet"]:
            levels[level] = Level("•")
        elif child.tag in (T["list-level-style-number"], T["outline-level-style"]):
            kind = child.get(tag("style", "num-format")) or ""
            start = child.get(tag("text", "start-value")) or "1"
            shown = child.get(tag("text", "display-levels")) or "1"
            levels[level] = Level(
                kind if kind in ("1", "a", "A", "i", "I") else "",
                child.get(tag("style", "num-prefix")) or "",
                child.get(tag("style", "num-suffix")) or "",
                int(start) if start.isdecimal() else 1,
                int(shown) if shown.isdecimal() else 1,
            )
    return levels

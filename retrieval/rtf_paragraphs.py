"""An RTF paragraph as the reader gathers it (retrieval.rtf_reader), and the heading level
its style gives it: a style named "heading 1" … "heading 9" or "Title", or an outline level
set on the paragraph or on its style."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HEADING_STYLE = re.compile(r"heading\s*(\d)$", re.IGNORECASE)
MAX_LEVEL = 9


@dataclass
class Paragraph:
    text: list[str] = field(default_factory=list)
    listtext: list[str] = field(default_factory=list)
    style: int = 0
    outline: int | None = None  # an outline level set on the paragraph itself (0: level 1)
    level: int = 0  # a list's level (\ilvl)
    in_table: bool = False  # \intbl: a paragraph of a table's cell
    plain: bool = False  # some of its text is set as body text (formats.Body)
    # where its words link to (contents.link_place; None: words outside links), to tell a
    # table of contents' entry set by hand, a link's words alone (contents.linked_entry)
    places: set[str | None] = field(default_factory=set)


@dataclass
class Styles:
    """The document's paragraph styles, as its style sheet defines them."""

    names: dict[int, str] = field(default_factory=dict)  # paragraph style -> its name
    outline: dict[int, int] = field(default_factory=dict)  # paragraph style -> outline level

    def name(self, paragraph: Paragraph) -> str:
        return self.names.get(paragraph.style, "").strip().rstrip(";").strip()


def heading_level(paragraph: Paragraph, styles: Styles) -> int:
    """The paragraph's heading level (1-MAX_LEVEL), 0 for one that is no heading."""
    name = styles.name(paragraph)
    found = HEADING_STYLE.search(name)
    if found:
        return min(max(int(found.group(1)), 1), MAX_LEVEL)
    if name.lower() == "title":
        return 1
    outline = paragraph.outline
    if outline is None:
        outline = styles.outline.get(paragraph.style)
    return outline + 1 if outline is not None and 0 <= outline < MAX_LEVEL else 0

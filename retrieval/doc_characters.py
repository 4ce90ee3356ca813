"""What a Word 97-2003 file's character properties tell of its text (the character property
pages, PlcBteChpx and ChpxFkp, [MS-DOC] 2.9.35): the characters the document reads without
(tracked deletions, hidden text), and those set apart from body text (see formats.Body).
"""

from __future__ import annotations

from collections.abc import Callable

from retrieval.doc_paragraphs import CHPX_ENTRY, ON, modifiers, page_runs, sets_apart

_DELETED = 0x0800  # sprmCFRMarkDel: the characters are a tracked deletion
_VANISH = 0x083C  # sprmCFVanish: the characters are hidden (a draft's notes to its editors)
_GONE = (_DELETED, _VANISH)  # characters the document reads without


Pieces = list[tuple[int, int, int, bool]]


def unseen(word: bytes, pieces: Pieces, bte: bytes) -> list[tuple[int, int]]:
    """The character positions of tracked deletions and hidden text, as (first, end) in
    order: runs of characters whose properties mark them deleted or hidden. Word shows them
    struck through, or not at all; the document reads without them."""
    return _marked(word, pieces, bte, lambda p: any(p.get(s, b"\x00")[:1] in ON for s in _GONE))


def set_apart(word: bytes, pieces: Pieces, bte: bytes) -> list[tuple[int, int]]:
    """The character positions of text set apart from body text by its own properties
    (bold, italic, underlined, in capitals or large: doc_paragraphs.sets_apart)."""
    return _marked(word, pieces, bte, sets_apart)


def _marked(
    word: bytes, pieces: Pieces, bte: bytes, marks: Callable[[dict[int, bytes]], bool]
) -> list[tuple[int, int]]:
    """The character positions, as (first, end) in order, of the runs whose properties
    `marks`."""
    runs: list[tuple[int, int]] = []  # byte ranges of the WordDocument stream
    for first, end, page, offset in page_runs(word, bte, CHPX_ENTRY):
        # a Chpx: its size, then its modifiers
        if offset and marks(modifiers(page[offset + 1 : offset + 1 + page[offset]])):
            runs.append((first, end))
    found: list[tuple[int, int]] = []
    for first, last, offset, compressed in pieces:
        width = 1 if compressed else 2
        end = offset + (last - first) * width
        for a, b in runs:
            a, b = max(a, offset), min(b, end)
            if a < b:
                found.append(
                    (first + (a - offset) // width, first + (b - offset + width - 1) // width)
                )
    return sorted(found)

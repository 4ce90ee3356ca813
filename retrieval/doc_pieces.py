"""A Word 97-2003 document's text as its piece table places it ([MS-DOC] 2.9.38): each
piece of the text, where it stands in the WordDocument stream, in 8 bits (Windows-1252) or
16 (UTF-16); read for retrieval.doc_reader."""

from __future__ import annotations

import codecs
import struct

from retrieval.doc_paragraphs import u16, u32

_COMPRESSED = 0x40000000  # a piece in 8 bits, at half its file offset


def pieces_of(clx: bytes) -> list[tuple[int, int, int, bool]]:
    """The piece table ([MS-DOC] 2.9.38): each piece's first and last character position,
    its offset in the WordDocument stream, and whether it is in 8 bits."""
    at = 0
    while at < len(clx) and clx[at] == 1:  # property modifiers before it (Prc)
        at += 3 + u16(clx, at + 1)
    if at >= len(clx) or clx[at] != 2:
        raise ValueError("no piece table in the CLX")
    size = u32(clx, at + 1)
    plc = clx[at + 5 : at + 5 + size]
    count = (size - 4) // 12
    cps = struct.unpack_from(f"<{count + 1}I", plc, 0)
    if any(a > b for a, b in zip(cps, cps[1:], strict=False)):
        raise ValueError("the pieces are out of order")
    pieces = []
    for n in range(count):
        fc = u32(plc, 4 * (count + 1) + 8 * n + 2)
        compressed = bool(fc & _COMPRESSED)
        fc &= _COMPRESSED - 1
        pieces.append((cps[n], cps[n + 1], fc // 2 if compressed else fc, compressed))
    return pieces


def chars(word: bytes, pieces: list[tuple[int, int, int, bool]], start: int, stop: int) -> str:
    # the pieces hold no more characters than the stream has bytes: a damaged count is no
    # reason to read more
    stop = min(stop, start + len(word))
    out = []
    for first, last, fc, compressed in pieces:
        a, b = max(start, first), min(stop, last)
        if a >= b:
            continue
        if compressed:
            at = fc + (a - first)
            out.append(word[at : at + (b - a)].decode("cp1252", errors="windows_or_latin1"))
        else:
            at = fc + 2 * (a - first)
            out.append(word[at : at + 2 * (b - a)].decode("utf-16-le", errors="replace"))
    return "".join(out)


def _windows_or_latin1(error: UnicodeError) -> tuple[str, int]:
    """The five bytes Windows-1252 leaves undefined, read as Latin-1 does ([MS-DOC] 2.4.1)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("windows_or_latin1", _windows_or_latin1)

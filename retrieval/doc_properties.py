"""The title in a Word 97-2003 file's summary properties ([MS-OLEPS]), for retrieval.doc_reader."""

from __future__ import annotations

import logging
import struct
from typing import Any

from retrieval.doc_paragraphs import u16, u32

log = logging.getLogger(__name__)

_CODE_PAGES = {65001: "utf-8", 1200: "utf-16-le"}
_PID_CODEPAGE, _PID_TITLE = 1, 2  # in the summary properties ([MS-OLEPS])
_VT_I2, _VT_LPSTR, _VT_LPWSTR = 0x0002, 0x001E, 0x001F
MAX_TITLE = 1000  # characters of a title read at most


def read_title(ole: Any) -> str:
    """The title in the summary properties ([MS-OLEPS] 2.21), in the code page they are
    written in. Read here, with every length checked against the stream: olefile's own
    reader loops over a damaged vector's count, which can take hours."""
    try:
        if not ole.exists("\x05SummaryInformation"):
            return ""
        data = ole.openstream("\x05SummaryInformation").read()
        base = u32(data, 44)  # the first property set, after the header and its FMTID
        values: dict[int, tuple[int, int]] = {}  # property id -> (type, value's offset)
        for n in range(min(u32(data, base + 4), 64)):
            pid, offset = u32(data, base + 8 + 8 * n), u32(data, base + 12 + 8 * n)
            values[pid] = (u32(data, base + offset) & 0xFFFF, base + offset + 4)
        page = 1252
        if values.get(_PID_CODEPAGE, (0, 0))[0] == _VT_I2:
            page = u16(data, values[_PID_CODEPAGE][1])
        kind, at = values.get(_PID_TITLE, (0, 0))
        if kind not in (_VT_LPSTR, _VT_LPWSTR):
            return ""
        count = min(u32(data, at), MAX_TITLE * 2)
        if kind == _VT_LPWSTR:
            title = data[at + 4 : at + 4 + 2 * count].decode("utf-16-le", errors="replace")
        else:
            raw = data[at + 4 : at + 4 + count]
            try:
                title = raw.decode(_CODE_PAGES.get(page, f"cp{page}"))
            except (LookupError, UnicodeDecodeError):
                title = raw.decode("cp1252", errors="replace")
    except (OSError, struct.error, ValueError) as exc:
        log.warning("the document's properties cannot be read (%s): no title from them", exc)
        return ""
    return " ".join(title.replace("\x00", "").split())[:MAX_TITLE]

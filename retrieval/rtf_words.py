"""RTF's vocabulary as retrieval.rtf_reader reads it: its tokens, the groups that hold no
text of the document, the characters some control words stand for, and the code pages of
fonts' character sets.
"""

from __future__ import annotations

import re

TOKEN = re.compile(
    rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?"  # a control word and its parameter
    rb"|\\'([0-9a-fA-F]{2})"  # a byte in a code page
    rb"|\\([^a-zA-Z'])"  # a control symbol: "\~", "\-", "\{"
    rb"|([{}])"
    rb"|[\r\n]+"  # line ends are no text in RTF
    rb"|([^\\{}\r\n]+)"
)
# groups whose text is no part of the document's: tables of fonts, colours and lists,
# headers and footers, pictures, objects, comments, a field's instructions (read aside)
SKIPPED = frozenset(
    "fonttbl colortbl stylesheet listtable listoverridetable revtbl rsidtbl generator "
    "xmlnstbl themedata colorschememapping latentstyles datastore pgdsctbl mmathPr "
    "userprops docvar template pict object shprslt shppict nonshppict header headerl "
    "headerr headerf footer footerl footerr footerf ftnsep ftnsepc aftnsep aftnsepc "
    "annotation atnid atnauthor atndate atnref bkmkstart bkmkend fldinst falt panose "
    "objdata blipuid pn".split()
)
HIDDEN_FIELDS = ("TOC", "INDEX")  # fields whose result is a table of contents or an index
# what a few control words and symbols stand for
CHARACTERS = {
    "emdash": "—",
    "endash": "–",
    "lquote": "‘",
    "rquote": "’",
    "ldblquote": "“",
    "rdblquote": "”",
    "bullet": "•",
    "emspace": " ",
    "enspace": " ",
    "qmspace": " ",
    "tab": "\t",
    "line": "\n",
    "~": " ",
    "_": "-",
    "\\": "\\",
    "{": "{",
    "}": "}",
}
BREAKS = frozenset({"par", "sect", "page", "column"})  # what ends a paragraph
# a font's character set (\fcharset) -> its Windows code page; 0 (ANSI), 1 (default) and
# 2 (symbol) are read in the document's own code page (\ansicpg)
CHARSETS = {
    128: 932,
    129: 949,
    134: 936,
    136: 950,
    161: 1253,
    162: 1254,
    163: 1258,
    177: 1255,
    178: 1256,
    186: 1257,
    204: 1251,
    222: 874,
    238: 1250,
}
SYMBOL = 2  # the character set of a font of symbols

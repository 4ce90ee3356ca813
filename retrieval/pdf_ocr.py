"""A PDF's scanned pages read by OCR (Tesseract), as layout text a PDF's text layer gives,
so that a scan is read as the same page with a text layer is (retrieval.pdf_reader: its
paragraphs by their gaps and indents, its columns and tables by what stands side by side).

Ministries publish decrees and letters as scans: a page with no text layer is drawn at
DPI by pdftoppm (Debian's poppler-utils) and read by tesseract (tesseract-ocr) in every
language installed for it (tesseract-ocr-aze, -rus, -tur, …: the readers' languages). Each
word comes with its box: words whose middles stand within half a line of one another make a
row, set at columns of the page's character width; rows further apart than a line get
blank lines, as pypdf's layout mode writes gaps (pdf_reader.gaps).

A quote from a scan is what OCR read, which may differ from the page by a letter: where
the tools are missing, a scan is refused with what to install, as before.
"""

from __future__ import annotations

import csv
import io
import shutil
import statistics
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

DPI = 300  # Tesseract reads best at 300 dots per inch
PAGE_SECONDS = 300  # a page drawn or read for longer than this is refused (a damaged scan)
ROW = 0.5  # words whose middles stand this many line heights apart or less share a row
# A list's bullet ("•", "▪", "·"), which Tesseract reads as a letter ("e", "o", "©"): one
# character whose box, in line heights, is smaller than a lower-case letter's and larger than
# a stop's or a dash's (BULLET_SIZE), that stands clear of the row's baseline (BULLET_FLOAT:
# a letter sits on it), its text at the list's indent, more than a space after it
# (BULLET_GAP, in characters' widths). On the fixtures' scans at 200 and 300 dpi (English,
# Russian, Turkish, Azerbaijani) the bullets read 0.32-0.36 high, 0.19-0.24 clear and
# 2.2-2.5 before their text; lower-case letters 0.52-0.59 high and 0.02 clear at most,
# stops 0.07-0.26 and 0; a space between words is about half a character wide
BULLET_SIZE = (0.2, 0.45)
BULLET_FLOAT = 0.1
BULLET_GAP = 1.0
BULLET = "•"
# a title set large: its rows' tallest words this many line heights high or more (the
# fixtures' titles 1.8-2.3, their text's words 1.0 at most: a line's box holds them)
TITLE_SIZE = 1.5
NEAR = 2  # a word this many characters' widths or less after another follows it with a space
_NOT_LANGUAGES = {"osd", "equ"}  # Tesseract's orientation and equation data: no language


@dataclass(frozen=True)
class _Word:
    left: int
    top: int
    width: int
    height: int
    text: str

    @property
    def middle(self) -> float:
        return self.top + self.height / 2


def ocr_tools() -> tuple[str, str] | None:
    """pdftoppm and tesseract, when both are installed."""
    pdftoppm, tesseract = shutil.which("pdftoppm"), shutil.which("tesseract")
    return (pdftoppm, tesseract) if pdftoppm and tesseract else None


@lru_cache(maxsize=1)
def _languages(tesseract: str) -> str:
    listed = subprocess.run(
        [tesseract, "--list-langs"], capture_output=True, text=True, timeout=60, check=False
    ).stdout.split("\n")[1:]
    found = sorted({name.strip() for name in listed if name.strip()} - _NOT_LANGUAGES)
    # English first where it is installed, Tesseract's own default: the first language
    # leads where the others disagree ("follovving" with Azerbaijani's first)
    found.sort(key=lambda name: name != "eng")
    return "+".join(found) or "eng"


def scanned_pages(raw: bytes, numbers: list[int], gauge: float) -> dict[int, Scanned]:
    """The pages `numbers` (from 0) of the PDF `raw`, read by OCR as layout text, a blank
    line for each `gauge` of a line's height between rows (pdf_reader.GAUGE); {} when the
    tools are not installed. A page the tools fail on is left out."""
    tools = ocr_tools()
    if tools is None or not numbers:
        return {}
    pdftoppm, tesseract = tools
    languages = _languages(tesseract)
    pages: dict[int, Scanned] = {}
    with tempfile.TemporaryDirectory(prefix="clausebot-ocr-") as folder:
        pdf = Path(folder) / "scan.pdf"
        pdf.write_bytes(raw)
        for number in numbers:
            image = Path(folder) / f"page-{number}"
            try:
                subprocess.run(
                    [pdftoppm, "-r", str(DPI), "-gray", "-png", "-singlefile"]
                    + ["-f", str(number + 1), "-l", str(number + 1), str(pdf), str(image)],
                    capture_output=True,
                    timeout=PAGE_SECONDS,
                    check=True,
                )
                read = subprocess.run(
                    [tesseract, f"{image}.png", "stdout", "-l", languages, "tsv"],
                    capture_output=True,
                    timeout=PAGE_SECONDS,
                    check=True,
                )
            except (OSError, subprocess.SubprocessError):
                continue
            finally:
                Path(f"{image}.png").unlink(missing_ok=True)
            pages[number] = read_page(read.stdout.decode("utf-8", "replace"), gauge)
    return pages


class Scanned(NamedTuple):
    """A page read by OCR: its layout text, and the title it sets large at its top, if any
    (_title)."""

    text: str
    title: str = ""


def read_page(tsv: str, gauge: float) -> Scanned:
    """Tesseract's words (its TSV: each word's box and text) as layout text, and the title
    its rows set large at the page's top: the TSV read once for both."""
    page = _read(tsv)
    return Scanned(_layout(page, gauge), _title(page))


class _Page(NamedTuple):
    """A page's words as Tesseract read them, in rows, and its lines' height."""

    rows: list[list[_Word]]  # top to bottom
    height: float  # a line's (its box, ascenders to descenders): the font's size, as near
    # as OCR tells it, the unit of the gaps between lines (a word's own box is as high as
    # its letters: "own" lower than "Fee")


def _read(tsv: str) -> _Page:
    table = list(csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE))
    words = [
        _Word(int(row["left"]), int(row["top"]), int(row["width"]), int(row["height"]), text)
        for row in table
        if row.get("level") == "5" and (text := (row.get("text") or "").strip())
    ]
    if not words:
        return _Page([], 1.0)
    lines_high = [int(row["height"]) for row in table if row.get("level") == "4"]
    height = max(1.0, statistics.median(lines_high or [word.height for word in words]))
    # rows: words whose middles stand within ROW line heights of the row's mean middle
    rows: list[list[_Word]] = []
    middles = 0.0  # the sum of the last row's words' middles (its mean, kept as it grows)
    for word in sorted(words, key=lambda w: w.middle):
        if rows and word.middle - middles / len(rows[-1]) <= ROW * height:
            rows[-1].append(word)
            middles += word.middle
        else:
            rows.append([word])
            middles = word.middle
    for row in rows:
        row.sort(key=lambda w: w.left)
    return _Page(rows, height)


def _title(page: _Page) -> str:
    """The title a scanned page sets large: the first run of rows whose tallest word is
    TITLE_SIZE line heights or more, in the top third of the page, its words in order ("");
    what a text layer's fonts would tell (a title over two rows, its second in lower case,
    "Regulation on the quality of" / "broadband services", read as a paragraph)."""
    if not page.rows:
        return ""
    bottom = max(word.top + word.height for row in page.rows for word in row)
    run: list[list[_Word]] = []
    for row in page.rows:
        tallest = max(word.height for word in row)
        if tallest >= TITLE_SIZE * page.height and (run or min(w.top for w in row) < bottom / 3):
            run.append(row)
        elif run and tallest >= page.height / 2:  # (a speck OCR read between its rows, "ows",
            break  # is no row of text)
    return " ".join(word.text for row in run for word in row)


def _layout(page: _Page, gauge: float) -> str:
    """A scanned page's words as layout text: a row of words a line, each word at its
    column, blank lines for the gaps between rows."""
    if not page.rows:
        return ""
    height = page.height
    wide = max(1.0, statistics.median(w.width / len(w.text) for row in page.rows for w in row))
    lines: list[str] = []
    above: float | None = None
    tall = 0.0  # the row before's tallest word
    for row in page.rows:
        top = statistics.median(word.top for word in row)
        # the gap between two rows set large in lines of their size (the larger's, where
        # both are a title's: a title's first row has descenders its second may lack): a
        # title set over two rows is one block, as its text layer's would be, not two
        # (but a heading over the text stands apart from it)
        highest = max(word.height for word in row)
        if above is not None:
            both = min(tall, highest) >= TITLE_SIZE * height
            unit = max(height, max(tall, highest) if both else min(tall, highest))
            lines.extend([""] * max(0, int((top - above) / unit / gauge) - 1))
        above, tall = top, highest
        line, right = "", 0
        for at, word in enumerate(row):
            # a word's own column; but one space after a word close before it, however
            # wide its letters (a title's, set large)
            near = line and word.left - right < NEAR * word.width / len(word.text)
            column = len(line) + 1 if near else round(word.left / wide)
            text = BULLET if not near and _bullet(row, at, height, wide) else word.text
            line += " " * max(1 if line else 0, column - len(line)) + text
            right = word.left + word.width
        lines.append(line)
    return "\n".join(lines)


def _bullet(row: list[_Word], at: int, height: float, wide: float) -> bool:
    """Is the word `at` of `row` (its words from left to right) a list's bullet that OCR
    read as a character: one smaller than a lower-case letter, clear of the baseline of the
    row's words of a letter's height or more, more than a space before the word after it?
    (`height`: a line's; `wide`: a character's width.)"""
    word = row[at]
    low, high = BULLET_SIZE
    if len(word.text) != 1 or word.text.isdigit() or not low <= word.height / height <= high:
        return False
    after = row[at + 1] if at + 1 < len(row) else None
    if after is None or after.left - (word.left + word.width) < BULLET_GAP * wide:
        return False
    bottoms = [w.top + w.height for w in row if w is not word and w.height >= height / 2]
    # the highest bottom: a word of letters without descenders stands on the baseline
    return bool(bottoms) and min(bottoms) - (word.top + word.height) > BULLET_FLOAT * height

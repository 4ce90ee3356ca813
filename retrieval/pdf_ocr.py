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

DPI = 300  # Tesseract reads best at 300 dots per inch
PAGE_SECONDS = 300  # a page drawn or read for longer than this is refused (a damaged scan)
ROW = 0.5  # words whose middles stand this many line heights apart or less share a row
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


def scanned_pages(raw: bytes, numbers: list[int], gauge: float) -> dict[int, str]:
    """The pages `numbers` (from 0) of the PDF `raw`, read by OCR as layout text, a blank
    line for each `gauge` of a line's height between rows (pdf_reader.GAUGE); {} when the
    tools are not installed. A page the tools fail on is left out."""
    tools = ocr_tools()
    if tools is None or not numbers:
        return {}
    pdftoppm, tesseract = tools
    languages = _languages(tesseract)
    pages: dict[int, str] = {}
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
            pages[number] = layout(read.stdout.decode("utf-8", "replace"), gauge)
    return pages


def layout(tsv: str, gauge: float) -> str:
    """Tesseract's words (its TSV: each word's box and text) as layout text: a row of words
    a line, each word at its column, blank lines for the gaps between rows."""
    table = list(csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE))
    words = [
        _Word(int(row["left"]), int(row["top"]), int(row["width"]), int(row["height"]), text)
        for row in table
        if row.get("level") == "5" and (text := (row.get("text") or "").strip())
    ]
    if not words:
        return ""
    # a line's height (its box, ascenders to descenders): the font's size, as near as OCR
    # tells it, the unit of the gaps between lines (a word's own box is as high as its
    # letters: "own" lower than "Fee")
    lines_high = [int(row["height"]) for row in table if row.get("level") == "4"]
    height = max(1.0, statistics.median(lines_high or [word.height for word in words]))
    wide = max(1.0, statistics.median(word.width / len(word.text) for word in words))
    rows: list[list[_Word]] = []
    middles = 0.0  # the sum of the last row's words' middles (its mean, kept as it grows)
    for word in sorted(words, key=lambda w: w.middle):
        if rows and word.middle - middles / len(rows[-1]) <= ROW * height:
            rows[-1].append(word)
            middles += word.middle
        else:
            rows.append([word])
            middles = word.middle
    lines: list[str] = []
    above: float | None = None
    tall = 0.0  # the row before's tallest word
    for row in rows:
        top = statistics.median(word.top for word in row)
        # the gap between two rows set large in lines of their size: a title set over two
        # rows is one block, as its text layer's would be, not two (but a heading over
        # the text stands apart from it)
        highest = max(word.height for word in row)
        if above is not None:
            unit = max(height, min(tall, highest))
            lines.extend([""] * max(0, int((top - above) / unit / gauge) - 1))
        above, tall = top, highest
        line, right = "", 0
        for word in sorted(row, key=lambda w: w.left):
            # a word's own column; but one space after a word close before it, however
            # wide its letters (a title's, set large)
            near = line and word.left - right < 2 * word.width / len(word.text)
            column = len(line) + 1 if near else round(word.left / wide)
            line += " " * max(1 if line else 0, column - len(line)) + word.text
            right = word.left + word.width
        lines.append(line)
    return "\n".join(lines)

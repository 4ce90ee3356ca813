"""A clause as it is read on a screen: the lines a page wrapped flow on, the document's own
line breaks are kept, and a word broken after its hyphen is read whole (retrieval.reflow)."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

from bot.render import render_answer as render_for_terminal
from bot.telegram_html import Labels
from bot.telegram_html import render_answer as render_for_telegram
from retrieval.corpus import read_document
from retrieval.embed import HashingEmbedder
from retrieval.engine import Engine
from retrieval.reflow import shown, wrap_width
from retrieval.segment import segment
from retrieval.settings import Settings

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ADDRESS = "Appeals Board of the Regulator\n33 Zarifa Aliyeva Street\nBaku AZ1000"


def test_a_pdf_paragraph_reads_as_its_docx_and_an_address_keeps_its_lines() -> None:
    """tests/fixtures/reflow.docx (four numbered paragraphs full of hyphenated words, and an
    address whose lines are broken with Shift+Enter) and the PDF LibreOffice writes of it
    (soffice --headless --convert-to pdf): the PDF's clauses hold its lines as the page
    wraps them, "real-" / "time" among them, and read as the DOCX's: each paragraph on one
    line, its words whole, the address on its three lines."""
    pdf = segment(read_document(FIXTURES / "reflow.pdf"))
    docx = segment(read_document(FIXTURES / "reflow.docx"))
    assert sum(c.text.count("\n") for c in pdf) >= 10  # a page's lines, as set
    assert any(re.search(r"\w-\n\w", c.text) for c in pdf)  # a word broken at its hyphen
    width = wrap_width("pdf", pdf)
    assert 60 <= width <= 100
    assert wrap_width("docx", docx) == 0  # a DOCX's paragraph is one line: none wrapped
    read = [shown(c.text, width) for c in pdf]
    assert read == [shown(c.text) for c in docx]
    assert ADDRESS in read
    assert "real-time services" in read[0] and "real- time" not in read[0]
    # read without its width (folded on one line, as before), the PDF reads otherwise
    assert "real- time" in " ".join(" ".join(c.text.split()) for c in pdf)


def test_marks_stand_where_they_were_put_whatever_a_break_is_shown_as() -> None:
    """A line wrapped at the width flows on (after nothing where it breaks a word after its
    hyphen), a short line's break is kept and a blank line is one break; without a width,
    every break is kept. A sentence's bold tags stay around its words, the text escaped."""
    text = "Operators take state-of-\nthe-art measures.  They report\nyearly.\n\nTo: the Board"
    assert (
        shown(text, 26)
        == "Operators take state-of-the-art measures. They report yearly.\nTo: the Board"
    )
    assert (
        shown(text, 0)
        == "Operators take state-of-\nthe-art measures. They report\nyearly.\nTo: the Board"
    )
    a, b = text.index("They"), text.index("yearly.") + len("yearly.")
    marked = shown(text, 26, {a: "<b>", b: "</b>"}, html.escape)
    assert (
        marked
        == "Operators take state-of-the-art measures. <b>They report yearly.</b>\nTo: the Board"
    )
    assert shown("  a <b>  ", 0, {0: "[", 9: "]"}, html.escape) == "[a &lt;b&gt;]"


def test_a_pdf_answer_reads_whole_on_the_terminal_and_in_telegram(tmp_path: Path) -> None:
    """An answer from a PDF, as the terminal and the Telegram bot quote it: a paragraph's
    words as the document sets them, not cut where the page wrapped the line ("real-
    time"), and the address on its lines."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(FIXTURES / "reflow.pdf", corpus)
    settings = Settings(corpus=corpus, index=tmp_path / "index", feedback_db=tmp_path / "fb.db")
    engine = Engine(settings, embedders=[HashingEmbedder()])
    engine.build()
    answer = engine.ask("Where are appeals sent?", k=10)
    texts = {p.text for p in answer.passages}
    assert ADDRESS in texts and any("real-\ntime" in t for t in texts)  # verbatim, as set
    terminal = render_for_terminal(answer)
    assert "> Appeals Board of the Regulator\n> 33 Zarifa Aliyeva Street\n> Baku AZ1000" in terminal
    assert "real-time" in terminal and "real- time" not in terminal
    messages = render_for_telegram(answer, Labels("Not answered", "Closest", "score"))
    telegram = html.unescape(re.sub(r"<[^>]+>", "", "\n".join(messages)))
    assert ADDRESS in telegram
    assert "including peer-to-peer and real-time services, to subscribers" in telegram
    assert "review those measures" in telegram  # "review" / "those": one line of the page


def test_a_wrapped_line_ending_in_a_dash_or_a_slash_goes_on_with_no_space() -> None:
    """Where the page wrapped a line after a dash set close between two words ("Normans—" /
    "formerly", "1073–" / "1074"), after a slash in a web address (as LibreOffice breaks
    one too long for a line) or after an underscore in a name of code, the words are shown
    joined, as the document writes them; a spaced dash keeps its space, and a line broken
    by hand after a dash keeps its break."""
    text = (
        "The troops were Normans—\nformerly of Oursel, from 1073–\n1074, and the Lombards —\n"
        "all, at https://example.gov.az/normans/\nhistory.pdf"
    )
    assert shown(text, 30) == (
        "The troops were Normans—formerly of Oursel, from 1073–1074, and the Lombards — all, "
        "at https://example.gov.az/normans/history.pdf"
    )
    assert shown("Part one—\nThe rules on masts and the cables laid under them.", 50) == (
        "Part one—\nThe rules on masts and the cables laid under them."
    )
    # a name of code broken after an underscore, as a manual's typesetting breaks one
    assert shown("The maximum length this function will encode is ASN1_\nMAX_LENGTH_SIZE.", 60) == (
        "The maximum length this function will encode is ASN1_MAX_LENGTH_SIZE."
    )

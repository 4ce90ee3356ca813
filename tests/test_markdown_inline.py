"""Markdown's inline markup read as its reader shows it (retrieval.markdown_inline): a quote
from a markdown page says what the page shows, "We must reply within 48 hours", not "We
**must** reply within *48 hours*", as a quote from a web page has no tags."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.common.utils import normalizeReference

from retrieval.corpus import read_document
from retrieval.markdown_inline import link_labels, shown_inline, shown_paragraph
from retrieval.segment import segment


def test_emphasis_code_links_and_tags_show_their_text() -> None:
    labels = frozenset({"tracker", "`napi_wrap`"})
    cases = {
        "We **must** reply within *48 hours* to [security@example.org](mailto:s@e.org).": (
            "We must reply within 48 hours to security@example.org."
        ),
        'See the [guide](https://e.org/g "Guide") and `SECURITY.md`.': (
            "See the guide and SECURITY.md."
        ),
        "Use __strong__ passwords; see <https://e.org/pw>.": (
            "Use strong passwords; see https://e.org/pw."
        ),
        "File it at [the tracker][tracker], [Tracker][] or [tracker].": (
            "File it at the tracker, Tracker or tracker."
        ),
        "Call [`napi_wrap`][] once.": "Call napi_wrap once.",  # (labelled with its code)
        "Press <kbd>Ctrl</kbd>+<kbd>C</kbd>; fees &amp; charges": "Press Ctrl+C; fees & charges",
        "***Both*** and *a **nested** one*": "Both and a nested one",
        "[![Build](https://ci/b.svg)](https://ci) Passing": " Passing",  # (an image: no text)
        "Escaped: \\*not emphasis\\*, \\`not code\\`": "Escaped: *not emphasis*, `not code`",
        "`` a`b ``, `\\` and ``x``": "a`b, \\ and x",  # (no escape in code)
    }
    for written, shown in cases.items():
        assert shown_inline(written, labels) == shown, written


def test_what_is_no_markup_stays_as_written() -> None:
    """Marks that open or close nothing, by CommonMark's rules, are text: an underscore in
    a word, a star between spaces, a bracket no definition names, a note's mark, a tag no
    HTML element has, an ampersand that starts no entity; a struck-through word keeps its
    marks (read without them, it would say what the page strikes out)."""
    for written in (
        "snake_case_name and a_b",
        "2 * 3 * 4 = 24",
        "**open and never closed",
        "[citation needed] and a note[^1]",
        "List<String> and AT&T",
        "Report ~~old~~ new issues",
        "[undefined][label] stays",
        "***",
        "* * *",
    ):
        assert shown_inline(written, frozenset()) == written


def test_a_paragraph_keeps_its_lines_and_what_opens_them() -> None:
    """Lines stay lines (a code span across two keeps its line break); an item's bullet, a
    quote's ">", a heading's "#"s and a task's box stay; each item is read apart, so a star
    in one closes nothing in the next; a table's cells, each apart, a "|" in one written
    "\\|"."""
    assert shown_paragraph(
        ["- Fee*", "- *Note: yearly*", "  runs `on", "here` too", "> **Quoted**", "## *Fees*"]
    ) == ["- Fee*", "- Note: yearly", "  runs on", "here too", "> Quoted", "## Fees"]
    assert shown_paragraph(["| *a | b* |", "|---|---|", "| `x \\| y` | **z** |"]) == [
        "| *a | b* |",
        "|---|---|",
        "| x | y | z |",  # ("\|": a "|" in a cell, in code too)
    ]
    assert shown_paragraph(["- [x] **Done**"]) == ["- [x] Done"]


def test_what_is_read_by_its_markup_is_kept_as_written() -> None:
    """A paragraph in bold alone is a heading by its markup (retrieval.headings), a table of
    contents' entry is no clause by its link to the page (retrieval.contents), and a
    paragraph set in by four spaces is code: all kept as written."""
    for lines in (
        ["**Appeals**"],
        ["* [Fees](#fees)"],
        ["    int *p = &x; // *p is x"],
    ):
        assert shown_paragraph(lines) == lines
    assert link_labels("[Tracker]: https://e.org\n[^1]: A note.\n  [Two  Words]: /x") == {
        "tracker",
        "two words",
    }


def _page_clauses(path: Path, text: str) -> list[tuple[str, str]]:
    """A markdown page written to `path` and read as a corpus's: each clause's text and the
    heading right over it."""
    path.write_text(text, encoding="utf-8")
    return [(c.text, c.heading.split(" — ")[-1]) for c in segment(read_document(path))]


def test_links_to_the_set_s_files_are_a_table_of_contents(tmp_path: Path) -> None:
    """A list of three or more links to the project's other files ("* [Submitting a bug
    report](doc/issues.md#bugs)") says where a text is, not what it says: no clause, as a
    list of links within the page is none. One or two ("See: the list of triagers") are the
    text's, and so are links to pages elsewhere that a sentence introduces. A list whose
    items are not all such links ("* Other Versions" over its links) was quoted with the
    links' markup ("[19.x](CHANGELOG_V19.md)"): it shows their text."""
    assert _page_clauses(
        tmp_path / "contributing.md",
        "# Contributing\n\n## Issues\n\nIssues are triaged weekly. See:\n\n"
        "* [Asking for help](doc/issues.md#help)\n* [Submitting a bug report](doc/issues.md)\n"
        "* [Triaging a bug report](./doc/triage.md)\n\n## Triagers\n\n"
        "Triagers label new issues. See:\n\n* [List of triagers](README.md#triagers)\n"
        "* [The foundation](https://example.org/foundation)\n\n"
        "## Versions\n\n* Other Versions\n  * [19.x](CHANGELOG_V19.md)\n"
        "  * [18.x](#v18)\n\nEach version has its own log.\n",
    ) == [
        ("Issues are triaged weekly. See:", "Issues"),
        ("Triagers label new issues. See:", "Triagers"),
        ("• List of triagers", "Triagers"),
        ("• The foundation", "Triagers"),
        ("• Other Versions\n  • 19.x\n  • 18.x", "Versions"),
        ("Each version has its own log.", "Versions"),
    ]


def test_a_menu_of_links_elsewhere_is_no_clause_unless_a_sentence_introduces_it(
    tmp_path: Path,
) -> None:
    """Three or more links alone to pages elsewhere ("* [Mail archive](https://…)", a
    project's "Helpful resources") are its menu, as three to its own files are a table of
    contents: each was a clause of a link's name, without the address it names. A list a
    sentence introduces ("… these standards:") completes the sentence: the text's."""
    assert _page_clauses(
        tmp_path / "links.md",
        "# Fees\n\n## Links\n\n* [Mail archive](https://lists.example/fees)\n"
        "* [Bug tracker](https://bugs.example/)\n* [Chat](/chat)\n\n## Standards\n\n"
        "Fees are set under these standards:\n\n* [ISO 4217](https://iso.example/4217)\n"
        "* [EN 16931](https://cen.example/16931)\n* [UBL 2.1](https://oasis.example/ubl)\n"
        "\nEach is read as published.\n",
    ) == [
        ("Fees are set under these standards:", "Standards"),
        ("• ISO 4217", "Standards"),
        ("• EN 16931", "Standards"),
        ("• UBL 2.1", "Standards"),
        ("Each is read as published.", "Standards"),
    ]


def test_a_paragraph_in_bold_that_heads_nothing_is_quoted_without_its_marks(
    tmp_path: Path,
) -> None:
    """A paragraph in bold alone keeps its marks for the segmenter, which reads a short one
    as a heading ("**Appeals**"); a long one ("**THIS SOFTWARE IS PROVIDED "AS IS" …**",
    a licence's disclaimer; Node's "**This function is only provided for compatibility
    …**") heads nothing, and was quoted with its asterisks."""
    path = tmp_path / "licence.md"
    path.write_text(
        "# Licence\n\n**Appeals**\n\nAppeals go to the Board.\n\n**THIS SOFTWARE IS PROVIDED "
        '"AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, AND NO ONE IS LIABLE.**\n',
        encoding="utf-8",
    )
    document = read_document(path)
    clauses = segment(document)
    assert [(c.text, c.heading.split(" — ")[-1]) for c in clauses] == [
        ("Appeals go to the Board.", "Appeals"),
        (
            'THIS SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR '
            "IMPLIED, AND NO ONE IS LIABLE.",
            "Appeals",
        ),
    ]
    assert all(document.text[c.start : c.end] == c.text for c in clauses)


def test_a_markdown_page_is_quoted_as_it_shows(tmp_path: Path) -> None:
    """End to end: a policy page's clauses, headings and citations show its words, not its
    markup, and each clause is still the document's text at its offsets. A bullet shows as
    a bullet, whichever mark writes it ("-", "+", "*"), as a browser and the other readers
    show one: a "+" item was no item before, but a line of the item over it."""
    path = tmp_path / "security.md"
    path.write_text(
        "# Security *Policy*\n\n## Reporting\n\n"
        "We **must** respond within *48 hours* to reports sent to\n"
        "[security@example.org](mailto:security@example.org). See the\n"
        "[disclosure guide][guide] and `SECURITY.md`.\n\n"
        "**Fees**\n\n- Reports are free of charge.\n- Bounties are paid in `EUR`.\n"
        "+ Appeals cost nothing.\n\n"
        "[guide]: https://example.org/guide\n",
        encoding="utf-8",
    )
    document = read_document(path)
    clauses = segment(document)
    assert [(c.text, c.heading) for c in clauses] == [
        (
            "We must respond within 48 hours to reports sent to\nsecurity@example.org. See "
            "the\ndisclosure guide and SECURITY.md.",
            "Security Policy — Reporting",
        ),
        ("• Reports are free of charge.", "Fees"),
        ("• Bounties are paid in EUR.", "Fees"),
        ("• Appeals cost nothing.", "Fees"),
    ]
    assert all(document.text[c.start : c.end] == c.text for c in clauses)


_COMMONMARK = MarkdownIt("commonmark")
_ELEMENTS = {"kbd", "b", "em", "br", "code"}


def _reference(text: str, labels: frozenset[str]) -> str:
    """What markdown-it (a CommonMark reader) shows of a paragraph's inline markup."""
    env = {"references": {normalizeReference(n): {"href": "x", "title": ""} for n in labels}}
    shown: list[str] = []

    def walk(tokens: list) -> None:  # type: ignore[type-arg]
        for token in tokens:
            if token.type in ("text", "code_inline"):
                shown.append(token.content)
            elif token.type in ("softbreak", "hardbreak"):
                shown.append("\n")
            elif token.type == "html_inline":
                found = re.match(r"</?([A-Za-z][A-Za-z0-9-]*)", token.content)
                name = found.group(1).lower() if found else ""
                tag = " " if name == "br" else ""
                shown.append(tag if name in _ELEMENTS else token.content)
            elif token.type != "image" and token.children:
                walk(token.children)

    for block in _COMMONMARK.parseInline(text, env):
        walk(block.children or [])
    return "".join(shown)


_PIECES = [
    "*", "**", "_", "__", "`", "``", "\\", "(", ")", "<", ">", "&amp;", "&", " ", "a", "b",
    "word", "x_y", "<kbd>", "</kbd>", "<br>", "<https://a.b>", ".", ",", '"', "'", "#", "é",
    "[t](u)", "[r]", "[r][]", "[t][r]",
]  # fmt: skip


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=14))
def test_inline_markup_is_read_as_commonmark_reads_it(pieces: list[str]) -> None:
    """Any mix of marks reads as a CommonMark reader shows it (markdown-it), space aside
    (a line's end in code is kept: lines stay lines). Where a code span and an autolink or
    tag overlap, the one that opens first wins in CommonMark; here the code span: left out."""
    text = f"z {''.join(pieces)} z"
    assume(not ("`" in text and "<" in text))
    labels = frozenset({"r"})
    assert "".join(shown_inline(text, labels).split()) == "".join(_reference(text, labels).split())


def test_a_markdown_file_named_markdown_is_read_as_one(tmp_path: Path) -> None:
    """A ".markdown" file (markdown's other suffix) reads as ".md" does (it was refused as
    no format clausebot reads), and so do ".mdown", ".mkd" and markdown's other suffixes
    (GitHub's Linguist's)."""
    for suffix in ("markdown", "mdown", "mkd", "MKDN"):
        path = tmp_path / f"fees.{suffix}"
        path.write_text("# Fees\n\nOperators **must** pay yearly.\n", encoding="utf-8")
        document = read_document(path)
        assert document.info.format == "md"
        assert [(c.text, c.heading) for c in segment(document)] == [
            ("Operators must pay yearly.", "Fees")
        ]

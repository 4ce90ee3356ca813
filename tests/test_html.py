"""HTML pages read as a browser shows them: which paragraphs are body text and which can be
headings (by their elements, style attributes and the page's own style rules), line breaks,
notes and their marks, what the page hides. The LibreOffice fixtures saved as HTML are read
with the other formats in tests/test_formats.py."""

from __future__ import annotations

from pathlib import Path

from retrieval.corpus import read_document
from retrieval.css import NOT_APART, UNSEEN, PageStyles, hidden, large, reader_only, stands_apart
from retrieval.html_open import OpenElements
from retrieval.segment import segment


def _clauses(tmp_path: Path, body: str, head: str = "") -> list[tuple[str, str]]:
    path = tmp_path / "page.html"
    path.write_text(
        f"<html><head><title>Fee rules</title>{head}</head><body>{body}</body></html>",
        encoding="utf-8",
    )
    return [(c.text, c.heading.split(" — ")[-1]) for c in segment(read_document(path))]


def test_a_short_paragraph_of_body_text_is_a_clause_and_a_bold_one_a_heading(
    tmp_path: Path,
) -> None:
    """An hours line ("Office hours 9 to 18") and an address, short and without a stop,
    were read as headings, so in no clause: nothing answered "When is the office open?". A
    paragraph with words set as the page's body text is text, as in DOCX, ODT, RTF and .doc
    files; one whose every word is bold still heads what follows it."""
    assert _clauses(
        tmp_path,
        "<h1>Fee rules</h1><p>These rules set the fees of the ministry.</p>"
        "<p>Office hours 9 to 18</p><p>Applications are accepted on weekdays.</p>"
        "<p><strong>Payment terms</strong></p><p>A fee is paid within ten days.</p>"
        "<p>Write to the ministry at: 33 Boulevard Street, Baku AZ1000</p>",
    ) == [
        ("These rules set the fees of the ministry.", "Fee rules"),
        ("Office hours 9 to 18", "Fee rules"),
        ("Applications are accepted on weekdays.", "Fee rules"),
        ("A fee is paid within ten days.", "Payment terms"),
        ("Write to the ministry at: 33 Boulevard Street, Baku AZ1000", "Payment terms"),
    ]


def test_the_page_s_style_rules_and_attributes_set_paragraphs_apart(tmp_path: Path) -> None:
    """A class the page's <style> sets bold or large, a style attribute, a <font> set
    large: such a paragraph can head the text under it. A rule on one element with a class
    ("h1.western", as LibreOffice writes) does not set apart a paragraph of that class, nor
    does a rule on the page's body set every paragraph apart."""
    head = (
        "<style>/* the page's */ body { font-size: 20px } h1.western { font-weight: bold }"
        " .title { font: bold 12pt Arial } #lead { text-transform: uppercase }</style>"
    )
    assert _clauses(
        tmp_path,
        "<p class='title'>Scope</p><p>The rules apply to all operators.</p>"
        "<p class='western'>Office hours 9 to 18</p>"
        "<p style='font-size: 18pt'>Fees</p><p>A fee is paid each year.</p>"
        "<p><font size='+2'>Appeals</font></p><p>Appeals go to the Board.</p>"
        "<p id='lead'>Contacts</p><p>Write to the ministry.</p>",
        head,
    ) == [
        ("The rules apply to all operators.", "Scope"),
        ("Office hours 9 to 18", "Scope"),
        ("A fee is paid each year.", "Fees"),
        ("Appeals go to the Board.", "Appeals"),
        ("Write to the ministry.", "Contacts"),
    ]


def test_a_class_styled_by_a_stylesheet_not_read_is_taken_as_set_apart(tmp_path: Path) -> None:
    """A page that links its own stylesheet, and marks none of its headings <h1>-<h6>, may
    set any class apart: a paragraph with a class there is read as before (a short one
    heads what follows), one without is text. An element with a class or an id that holds
    paragraphs ("<div id='content'>" around the page's text) is the page's layout: a short
    paragraph in it is text."""
    assert _clauses(
        tmp_path,
        "<div id='content'><p class='subtitle'>Scope</p><p>The rules apply to all "
        "operators.</p><p>Office hours 9 to 18</p></div>",
        "<link rel='stylesheet' href='site.css'>",
    ) == [
        ("The rules apply to all operators.", "Scope"),
        ("Office hours 9 to 18", "Scope"),
    ]


def test_a_page_that_marks_its_headings_sets_none_by_a_class(tmp_path: Path) -> None:
    """A page whose headings are <h1>-<h6> sets no heading by a class of its stylesheet: a
    news page's date, byline and tags (each a "<div class=...>" of one short line) are its
    text, not headings over the article (they were: "Tags: broadband" headed the paragraph
    after it, and "When was it published?" had no clause to answer it); so are Node.js's
    "Source Code: lib/fs.js" and libxslt's one-line description of each function. Words
    the page sets apart where the reader sees it (<strong>) still head what follows."""
    assert _clauses(
        tmp_path,
        "<div class='article'><h1>New tariffs</h1><div class='meta'>Published: 5 November "
        "2012</div><div class='author'>By the press office</div><p>The ministry set new "
        "tariffs.</p><div class='tags'>Tags: broadband, tariffs</div><p>They apply from "
        "January.</p><div class='refsect2'><h3>readFile ()</h3><p>Reads a whole file</p>"
        "<p>It returns the file's bytes.</p><p class='note'>Deprecated</p></div>"
        "<p><strong>Payment terms</strong></p><p>A fee is paid within ten days.</p></div>",
        "<link rel='stylesheet' href='site.css'>",
    ) == [
        ("Published: 5 November 2012", "New tariffs"),
        ("By the press office", "New tariffs"),
        ("The ministry set new tariffs.", "New tariffs"),
        ("Tags: broadband, tariffs", "New tariffs"),
        ("They apply from January.", "New tariffs"),
        ("Reads a whole file", "readFile ()"),
        ("It returns the file's bytes.", "readFile ()"),
        ("Deprecated", "readFile ()"),
        ("A fee is paid within ten days.", "Payment terms"),
    ]


def test_line_breaks_are_kept_and_preformatted_text_keeps_its_lines(tmp_path: Path) -> None:
    """A <br> was read as the end of a paragraph: an address's lines, and a list set in one
    paragraph, were each a heading or a clause of their own, and the line after a short one
    ("Coordinated by …" under a team's name) stood under the wrong heading. They are one
    paragraph with its line breaks now, as the other readers keep them; a line break in the
    markup is a space, and one in <pre> a line break."""
    assert _clauses(
        tmp_path,
        "<h1>Contacts</h1><p>Write to the ministry at:<br>33 Boulevard\n Street<br/>"
        "Baku AZ1000</p><p>The fees are:<br>1. a licence fee;<br>2. a renewal fee.</p>"
        "<pre>Fee    Amount\nLicence  100 AZN</pre>",
    ) == [
        ("Write to the ministry at:\n33 Boulevard Street\nBaku AZ1000", "Contacts"),
        ("The fees are:", "Contacts"),
        ("1. a licence fee;", "Contacts"),
        ("2. a renewal fee.", "Contacts"),
        ("Fee Amount\nLicence 100 AZN", "Contacts"),
    ]


def test_preformatted_text_is_code_no_heading_and_nothing_runs_into_it(tmp_path: Path) -> None:
    """A line of <pre> that opens with "#" after a blank line (a shell comment, "#include")
    was read as a markdown heading: the code under it was lost into the heading of what
    followed. And a paragraph in lower case after a block of code (a function's name,
    "reduce_.reduce(list, …)", as Underscore's manual opens each function's text) ran on
    from the code of the function before. Preformatted text is code now: no line of it a
    heading, and no paragraph runs on from it, unless a sentence runs into the code and on
    after it (Debian's Python policy: "the Python statement" <pre>import foo</pre> "should
    import the module …")."""
    assert _clauses(
        tmp_path,
        "<h1>Setup</h1><p>Run these.</p><pre># install it\napt-get install foo\n\n# start it"
        "\nfoo --start</pre><p>reduce_.reduce(list) boils a list down.</p><p>Then the "
        "statement</p><pre>import foo</pre><p>should import the module.</p>",
    ) == [
        ("Run these.", "Setup"),
        ("# install it\napt-get install foo", "Setup"),
        ("# start it\nfoo --start", "Setup"),
        ("reduce_.reduce(list) boils a list down.", "Setup"),
        ("Then the statement\n\nimport foo\n\nshould import the module.", "Setup"),
    ]


def test_notes_and_their_marks_read_as_the_other_readers_write_them(tmp_path: Path) -> None:
    """A note's mark, raised or bracketed and linking to its note (LibreOffice's
    "<a href='#sdfootnote1sym'><sup>1</sup></a>", Word's "[1]"), is written "[1]", and the
    note, which opens with a link back to it, "[1] …": so a clause shows its notes
    (retrieval.loaded). Before, "edilir.1" ended a paragraph and "1Nazirliyin …" opened a
    note, the mark's link kept the paragraph from being body text, and it was read as a
    heading. A number linking to a section ("Article 2") stays as written."""
    assert _clauses(
        tmp_path,
        "<h1>Fees</h1><p>Operators pay yearly.<a name='m1' href='#n1'><sup>1</sup></a></p>"
        "<p>Appeals go to the Board.<a name='m2' href='#n2'>[ii]</a></p>"
        "<p>Rooms of 5 m<sup>2</sup>: see Article <a href='#art2'>2</a> for the fees.</p>"
        "<div id='n1'><p><a href='#m1'>1</a>Excluding VAT.</p></div>"
        "<div id='n2'><p><a href='#m2'>ii</a> Since 2013.</p></div>",
    ) == [
        ("Operators pay yearly.[1]", "Fees"),
        ("Appeals go to the Board.[ii]", "Fees"),
        ("Rooms of 5 m2: see Article 2 for the fees.", "Fees"),
        ("[1] Excluding VAT.", "Fees"),
        ("[ii] Since 2013.", "Fees"),
    ]


def test_what_the_page_hides_is_left_out(tmp_path: Path) -> None:
    """An element the page does not show ("display: none", "hidden"), with what it holds,
    as a draft's notes to its editors are set; a hidden form field hides nothing else."""
    assert _clauses(
        tmp_path,
        "<h1>Fees</h1><p>Operators pay <span style='display:none'>DRAFT: check "
        "<b>this</b></span>100 manat a year.</p><div hidden><p>Old text.</p></div>"
        "<input type='hidden' value='x'><p>Appeals go to the Board.</p>",
    ) == [
        ("Operators pay 100 manat a year.", "Fees"),
        ("Appeals go to the Board.", "Fees"),
    ]


def test_text_for_screen_readers_alone_is_not_quoted(tmp_path: Path) -> None:
    """Text a page shows to screen readers alone, by its framework's class (GOV.UK's
    "govuk-visually-hidden", Bootstrap's "sr-only", WordPress's "screen-reader-text"),
    was quoted as if on the page: "Read the report (opens in a new tab)." It is left out,
    as text the page hides is; but a heading so set still names the part under it, as a
    citation does (GitHub's notes under an "sr-only" "Footnotes")."""
    assert _clauses(
        tmp_path,
        "<h1>Fees</h1><p>Read the <a href='r.pdf'>report<span class='govuk-visually-hidden'>"
        " (opens in a new tab)</span></a>.</p><p><span class='sr-only'>Warning: </span>Fees"
        " rise in May.</p><section><h2 class='sr-only'>Footnotes</h2><p>Excluding VAT.</p>"
        "</section>",
    ) == [
        ("Read the report.", "Fees"),
        ("Fees rise in May.", "Fees"),
        ("Excluding VAT.", "Footnotes"),
    ]
    assert hidden({"style": "display: none"}) and reader_only({"class": "btn sr-only"})
    assert not reader_only({"class": "visually"}) and not reader_only({})


def test_a_table_of_links_to_places_in_the_page_alone_is_no_clause(tmp_path: Path) -> None:
    """A changelog's index of its releases, set as a table whose cells are links to the
    page's own sections ("<a href='#1.2.0'>1.2.0</a><br/>…"), says where a part is, not what
    it says: a table of contents, no clause, with its head ("Current"), as a list of such
    links is none; and so is a row of links to other pages of the page's set (a texinfo
    index's "ABI: | Introduction", both links). A row with words beside its links (a
    texinfo index's "format:" entry) or two links to pages elsewhere is the table's."""
    index = (
        "<table><tr><th>LTS</th><th>Current</th></tr><tr><td><a href='#1.2.1'>1.2.1</a><br/>"
        "<a href='#1.2.0'>1.2.0</a></td><td><a href='#2.0.0'>2.0.0</a></td></tr></table>"
    )
    assert _clauses(
        tmp_path,
        f"<h1>Changelog</h1>{index}<h2 id='2.0.0'>2.0.0</h2><p>Fees are paid online.</p>"
        "<table><tr><th>Term</th><th>Section</th></tr><tr><td>fees: <a href='#a'>Fees</a>"
        "</td><td><a href='#b'>Payment</a></td></tr><tr><td><a href='other.html#c'>Board</a>"
        "</td><td><a href='other.html#d'>Appeals</a></td></tr><tr><td>"
        "<a href='https://example.org/c'>Council</a></td><td><a href='//example.org/d'>Courts"
        "</a></td></tr></table>",
    ) == [
        ("Fees are paid online.", "2.0.0"),
        ("Term | Section", "2.0.0"),
        ("fees: Fees | Payment", "2.0.0"),
        ("Council | Courts", "2.0.0"),
    ]


def test_what_sets_text_apart_in_css_terms() -> None:
    assert stands_apart({"font-weight": "700"}) and stands_apart({"font-style": "italic"})
    assert stands_apart({"text-decoration": "underline dotted"})
    assert stands_apart({"font": "italic 12px serif"}) and stands_apart({"font": "1.3em/2 a"})
    assert not stands_apart({"font-weight": "400", "font": "12px/1.5 Arial"})
    assert large("14pt") and large("19px") and large("120%") and large("x-large")
    assert not large("13pt") and not large("18px") and not large("1.1em") and not large("12")
    assert hidden({"style": "color: red; display : none"}) and hidden({"hidden": None})
    styles = PageStyles.of("<style>p.note, h2 + .x { font-weight: bold }</style>")
    assert styles.sets_apart("p", {"class": "note"}) and styles.sets_apart("div", {"class": "x"})
    assert not styles.sets_apart("div", {"class": "note"})
    assert not styles.sets_apart("p", {"class": "other"})
    imported = PageStyles.of("<style>@import url(site.css); p { color: red }</style>")
    assert imported.sets_apart("p", {"class": "other"}) and not imported.sets_apart("p", {})
    nested = PageStyles.of(
        "<STYLE>@media print { p.x { font-weight: bold } } /* .c { font-weight: bold } */"
        ".z { color: red }</STYLE><styles>.q { font-weight: bold }</styles>"
    )
    assert nested.classes == {("p", "x")}
    # read in one pass: 20,000 "<style>" left open, 40 KB without a brace before a "}",
    # 20,000 comments never closed (a regular expression took 12-22 s on the first two)
    for markup in ("<style>" * 20_000, f"<style>{'a' * 40_000}}}", f"<style>{'/*' * 20_000}"):
        assert PageStyles.of(markup) == PageStyles()


def test_a_list_of_notes_is_read_as_notes(tmp_path: Path) -> None:
    """Pages made from markdown (pandoc, kramdown, Python-Markdown) list their notes as an
    ordered list, each item the place its mark links to, with a link back ("↩"): each note
    is "[1] …", as the other readers write one, not an item "1. …" that no mark calls."""
    assert _clauses(
        tmp_path,
        "<h1>Fees</h1><p>Operators pay yearly.<sup id='fnref:1'><a href='#fn:1'>1</a></sup> "
        "Appeals go to the Board.<a href='#fn2' id='fnref2'><sup>2</sup></a></p>"
        "<section role='doc-endnotes'><hr><ol><li id='fn:1'><p>Excluding VAT."
        "<a href='#fnref:1'>↩</a></p></li><li id='fn2'>Since 2013.<a href='#fnref2'>↩︎</a>"
        "</li></ol></section>",
    ) == [
        ("Operators pay yearly.[1] Appeals go to the Board.[2]", "Fees"),
        ("[1] Excluding VAT.", "Fees"),
        ("[2] Since 2013.", "Fees"),
    ]


def test_links_from_page_to_page_are_no_clause(tmp_path: Path) -> None:
    """A manual split into pages (texinfo's, DocBook's, gtk-doc's) opens and closes each
    page with its way through the set: "Next: Installing, Previous: Overview, Up: Manual
    [Index]" (links typed rel="next", "prev", "up"), or a bar of links given keys
    (accesskey) beside the manual's title, or its icons' cells spanning two rows. Each was a
    clause on every page, cited under the last heading of the page before it; a sentence
    that links to the next chapter is the text's."""
    header = (
        "<div class='header'><p>Next: <a href='b.html' accesskey='n' rel='next'>Installing"
        "</a>, Previous: <a href='o.html' accesskey='p' rel='prev'>Overview</a>, Up: <a "
        "href='index.html' accesskey='u' rel='up'>Manual</a> &nbsp; [<a href='ix.html' "
        "rel='index'>Index</a>]</p></div>"
    )
    bar = (
        "<table summary='Navigation footer'><tr><td rowspan='2'><a accesskey='p' "
        "href='o.html'>&lt;&lt; 1. Overview</a></td><td><a accesskey='u' href='index.html'>"
        "Up</a></td><td rowspan='2'><a accesskey='n' href='b.html'>3. Installing &gt;&gt;"
        "</a></td></tr><tr><td><a accesskey='h' href='index.html'>Home</a></td></tr></table>"
        "<table><tr><td><a accesskey='u' href='index.html'><img alt='Up' src='up.png'></a>"
        "</td><td><a accesskey='h' href='index.html'><img alt='Home' src='home.png'></a></td>"
        "<th>The Fee Manual of 2012</th><td><a accesskey='n' href='b.html'><img alt='Next' "
        "src='next.png'></a></td></tr></table>"
    )
    assert _clauses(
        tmp_path,
        f"{header}<h2>2. Fees</h2><p>A fee is paid within ten days.</p><p>Refunds are set "
        "out in <a href='b.html' rel='next'>the next chapter</a>, with the forms.</p>"
        f"{bar}",
    ) == [
        ("A fee is paid within ten days.", "2. Fees"),
        ("Refunds are set out in the next chapter, with the forms.", "2. Fees"),
    ]


def test_a_list_of_links_to_the_set_s_pages_is_a_table_of_contents(tmp_path: Path) -> None:
    """DocBook's and Sphinx's tables of contents link to the manual's other pages
    ("<dt><a href='fees.html'>1. Fees</a></dt>"): each entry was a clause ("1.1. Refunds"),
    which a question naming the part found before the part itself. Three or more in a row
    are a table of contents, no clause, as entries linking within the page are; one or two
    ("See: the board's rules") are the text's, as are links a sentence introduces to pages
    elsewhere (on another site, or from the site's root). A link alone to a place in the
    page under a heading (a property's type) is no table: the heading still heads the text
    under it, and the heading after it stands alone."""
    assert _clauses(
        tmp_path,
        "<h1>Fee manual</h1><p><b>Table of Contents</b></p><dl><dt><a href='fees.html'>"
        "1. Fees</a></dt><dd><dl><dt><a href='fees.html#refunds'>1.1. Refunds</a></dt></dl>"
        "</dd><dt><a href='appeals.html'>2. Appeals</a></dt></dl>"
        "<p>Refunds are decided by the board. See:</p><ul><li><a href='board.html'>The "
        "board's rules</a></li><li><a href='/rules'>The fee rules</a></li><li><a "
        "href='https://example.org/rules'>The fee rules of 2012</a></li></ul>"
        "<h3>fee.amount</h3><ul><li><a href='#number'>&lt;number&gt;</a></li></ul>"
        "<p>The amount due, in manat.</p><h3>Type long:</h3><p><a href='#stamp'>stamp</a>"
        "</p><h3>Type void *:</h3><p><a href='t.html#a'>alloc</a> <a href='t.html#b'>data"
        "</a></p>",
    ) == [
        ("Refunds are decided by the board. See:", "Fee manual"),
        ("• The board's rules", "Fee manual"),
        ("• The fee rules", "Fee manual"),
        ("• The fee rules of 2012", "Fee manual"),
        ("The amount due, in manat.", "fee.amount"),
        ("alloc data", "Type void *:"),
    ]


def test_a_page_in_xhtml_reads_as_html(tmp_path: Path) -> None:
    """A page saved as XHTML (".xhtml", ".xht": an e-book's chapter, a page some sites
    serve) was refused as no format clausebot reads; it reads as ".html" does, and so does
    ".htm" (its format named "html" now)."""
    page = (
        '<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
        "<head><title>Fees</title></head><body><h1>Fees</h1><p>A fee is paid yearly.</p>"
        "<p/><br/></body></html>"
    )
    for suffix in ("xhtml", "xht", "htm"):
        path = tmp_path / f"fees.{suffix}"
        path.write_text(page, encoding="utf-8")
        document = read_document(path)
        assert document.info.format == "html"
        assert [(c.text, c.heading) for c in segment(document)] == [
            ("A fee is paid yearly.", "Fees")
        ]


def test_a_short_term_and_its_definition_are_a_clause_not_a_heading(tmp_path: Path) -> None:
    """A glossary's or an option list's entry short and without a stop ("Personal data:
    any information on a person", "-v: verbose output") was read as a heading: the other
    entries and the paragraphs after them were cited under it, and it was in no clause. A
    term that asks or ends in a colon runs into its definition as written, with no ": "
    added ("Why?: …" was quoted)."""
    assert _clauses(
        tmp_path,
        "<h1>Definitions</h1><p>In these rules:</p><dl><dt><b>Personal data</b></dt>"
        "<dd>any information on a person</dd><dt><code>-v</code></dt><dd>verbose output</dd>"
        "<dt>Who may apply?</dt><dd>Any resident.</dd></dl><p>The rules apply from May.</p>",
    ) == [
        ("In these rules:", "Definitions"),
        ("Personal data: any information on a person", "Definitions"),
        ("-v: verbose output", "Definitions"),
        ("Who may apply? Any resident.", "Definitions"),
        ("The rules apply from May.", "Definitions"),
    ]


def test_a_saved_page_s_menu_and_breadcrumbs_are_no_clause(tmp_path: Path) -> None:
    """A page saved from a site (rules on a ministry's site) links its menu to the site's
    pages by their full address, and sets its breadcrumbs over the text: "• Home" and "•
    Contact" were clauses, and "Home » Laws » Fee rules" headed the clauses under it. Three
    or more links alone in a row to pages elsewhere are a menu, as three to the set's pages
    are a table of contents; but a list a sentence introduces ("… these laws:") is the
    text's, and so are one or two such links, and a table's row of two (a ministry beside
    its site). A link's address with brackets ("Mercury_(planet)") or its text with one
    ("listen(port[, host])") left the link's markdown in the quote. The page's title may
    name the site before or after the page ("Fee rules | Ministry of Justice"): the
    breadcrumbs' last step, the page's own name, was compared with the whole title, and so
    they were quoted, or headed the text ("Home / Laws / Fee rules — Fee rules")."""
    for title in ("Fee rules | Ministry of Justice", "Ministry of Justice - Fee rules"):
        path = tmp_path / "saved.html"
        path.write_text(
            f"<html><head><title>{title}</title></head><body><div><a href='/'>Home</a> / "
            "<a href='/laws'>Laws</a> / Fee rules</div><h1>Fee rules</h1><p>A fee is paid "
            "yearly.</p></body></html>",
            encoding="utf-8",
        )
        assert [(c.text, c.heading) for c in segment(read_document(path))] == [
            ("A fee is paid yearly.", "Fee rules")
        ]
    menu = "".join(
        f"<li><a href='https://gov.example/{page.lower()}'>{page}</a></li>"
        for page in ("Home", "Laws", "Contact")
    )
    assert _clauses(
        tmp_path,
        f"<div class='top'><ul>{menu}</ul><div><a href='https://gov.example/'>Home</a> » "
        "<a href='/laws'>Laws</a> » Fee rules</div></div><h1>Fee rules</h1><p>A fee is paid "
        "yearly, under these laws:</p><ul><li><a href='https://laws.example/1'>Law on Fees"
        "</a></li><li><a href='https://laws.example/2'>Law on Courts</a></li><li><a "
        "href='/law_(2012)'>Law on Appeals (2012)</a></li></ul><table><tr><td><a "
        "href='https://justice.example/'>Ministry of Justice</a></td><td><a href='https://"
        "justice.example/'>justice.example</a></td></tr></table><ul><li><a href='https://"
        "w.example/Mercury_(planet)'>Mercury</a></li><li><a href='l.html#listen'>listen(port"
        "[, host])</a></li><li><a href='s.html'>serve</a></li></ul><p>Fees are paid online."
        f"</p><ul>{menu}</ul><p>See <a href='https://w.example/Mercury_(planet)'>Mercury</a>."
        "</p><p><a href='https://w.example/Venus_(planet)'>Venus [2]</a></p>",
    ) == [
        ("A fee is paid yearly, under these laws:", "Fee rules"),
        ("• Law on Fees", "Fee rules"),
        ("• Law on Courts", "Fee rules"),
        ("• Law on Appeals (2012)", "Fee rules"),
        ("Ministry of Justice | justice.example", "Fee rules"),
        ("Fees are paid online.", "Fee rules"),
        ("See Mercury.", "Fee rules"),
        ("Venus [2]", "Fee rules"),
    ]


def test_a_site_s_bar_of_links_and_its_heading_are_no_part_of_the_text(tmp_path: Path) -> None:
    """A news page saved from a site sets a bar of links to other sites in its text, under a
    label ("Share: Facebook Twitter LinkedIn"): it headed the paragraphs after it, and so
    stood in their citations. Three or more links to pages elsewhere with no words but a
    label of a word or two are a bar, as three set line under line are a menu; a sentence
    that names them ("The laws that apply: …") is the text's. And a menu's own heading set
    in the text ("Share this") took the page's heading from the paragraphs after it."""
    sites = [
        f"<a href='https://{site.lower()}.example/share'>{site}</a>"
        for site in ("Facebook", "Twitter", "LinkedIn")
    ]
    laws = ", ".join(
        f"<a href='https://laws.example/{n}'>Law {n}</a>" for n in ("one", "two", "three")
    )
    menu = "".join(f"<li>{link}</li>" for link in sites)
    assert _clauses(
        tmp_path,
        f"<h1>Ministry signs agreement</h1><p>The ministry signed it on Monday.</p><div>Share:"
        f" {' '.join(sites)}</div><p>The operators will connect 200 villages.</p><p>The laws "
        f"that apply: {laws}</p><h3>Share this</h3><ul>{menu}</ul><p>Related: the broadband "
        "plan.</p>",
    ) == [
        ("The ministry signed it on Monday.", "Ministry signs agreement"),
        ("The operators will connect 200 villages.", "Ministry signs agreement"),
        ("The laws that apply: Law one, Law two, Law three", "Ministry signs agreement"),
        ("Related: the broadband plan.", "Ministry signs agreement"),
    ]


def test_a_wiki_s_edit_links_are_no_part_of_its_headings(tmp_path: Path) -> None:
    """A wiki sets a link to each section's editor after its heading, in brackets
    ("History[edit]", MediaWiki's): it stood in every citation of the section. It is a
    tool, as a permalink ("¶") is; a heading's own words in brackets stay. A list of links
    alone to the wiki's pages ("See also", categories) is its menu."""
    edit = (
        "<span>[</span><a href='/w/index.php?title=Fresno&amp;action=edit'>edit</a><span>]</span>"
    )
    assert _clauses(
        tmp_path,
        f"<h1>Fresno</h1><p>Fresno is a city.[<a href='/wiki/Citation_needed'>citation "
        f"needed</a>]</p><h2><span>History</span>{edit}</h2><p>It was founded in 1872.</p>"
        "<h2>Rights [of residents]</h2><p>Residents vote.</p><h2>See also</h2><ul><li><a "
        "href='/wiki/Visalia'>Visalia</a></li><li><a href='/wiki/Clovis'>Clovis</a></li><li>"
        "<a href='/wiki/Madera'>Madera</a></li></ul>",
    ) == [
        ("Fresno is a city.[citation needed]", "Fresno"),
        ("It was founded in 1872.", "History"),
        ("Residents vote.", "Rights [of residents]"),
    ]


def test_a_heading_reaches_as_far_as_the_element_around_it(tmp_path: Path) -> None:
    """A note's title, set in a list of options as DocBook sets one, heads the note, not the
    options after it, which the section's heading heads again; a method's heading in a
    <summary> heads the description the <details> around it holds; a heading in a wrapper
    of its own (DocBook's title page) heads what follows the wrapper."""
    (tmp_path / "tool.html").write_text(
        "<html><body><h1>tool</h1>"
        '<div class="refsect1"><div class="titlepage"><h2>OPTIONS</h2></div><dl>'
        "<dt>--output FILE</dt><dd><p>Write the result to FILE.</p>"
        '<div class="note"><h3>Note</h3><p>FILE must be a URI reference.</p></div></dd>'
        "<dt>--verbose</dt><dd><p>Output each step taken.</p></dd></dl></div>"
        "<h2>Methods</h2><details open><summary><section><h4>fn wake(self)</h4></section>"
        "<span>Experimental.</span></summary><div><p>Wake this task.</p></div></details>"
        "<p>Every method is safe.</p>"
        "</body></html>",
        encoding="utf-8",
    )
    headed = {c.text: c.heading for c in segment(read_document(tmp_path / "tool.html"))}
    assert headed == {
        "--output FILE: Write the result to FILE.": "tool — OPTIONS",
        "FILE must be a URI reference.": "Note",
        "--verbose: Output each step taken.": "OPTIONS",  # was "Note"
        "Experimental.": "Methods — fn wake(self)",
        "Wake this task.": "Methods — fn wake(self)",
        "Every method is safe.": "Methods",  # was "Methods — fn wake(self)"
    }


def test_a_summary_heads_its_details_alone(tmp_path: Path) -> None:
    """A <summary> without a heading of its own heads what its <details> holds: an API's
    "History" its table of changes, not the method's description after it, which its own
    heading heads again. A summary that says a sentence is text, as it was."""
    (tmp_path / "api.html").write_text(
        "<html><body><h1>Buffer</h1><h4>buf.fill(value)</h4>"
        "<details class='changelog'><summary>History</summary><table>"
        "<tr><th>Version</th><th>Changes</th></tr><tr><td>v10.0.0</td><td>Negative end "
        "values throw.</td></tr></table></details>"
        "<p>Fills buf with the specified value.</p>"
        "<details><summary>Packaged builds exist. Click here for more</summary>"
        "<p>Debian, Fedora and Homebrew ship it.</p></details></body></html>",
        encoding="utf-8",
    )
    clauses = segment(read_document(tmp_path / "api.html"))
    assert [(c.text, c.heading) for c in clauses] == [
        ("Version | Changes", "Buffer — buf.fill(value) — History"),
        ("v10.0.0 | Negative end values throw.", "Buffer — buf.fill(value) — History"),
        ("Fills buf with the specified value.", "buf.fill(value)"),  # was "History"
        ("Packaged builds exist. Click here for more", "buf.fill(value)"),
        ("Debian, Fedora and Homebrew ship it.", "buf.fill(value)"),
    ]


def test_the_elements_open_tell_what_sets_the_text_apart() -> None:
    """What html_reader asks of the elements open: an element a stylesheet not read may
    style sets its text apart until a block begins inside it (then it is layout), once; a
    closed element takes those inside it with it; the innermost block tells a container's
    own text from a list's."""
    elements = OpenElements()
    elements.opens("div", UNSEEN)
    assert elements.set_apart and elements.in_container()
    elements.blocks_begin()
    elements.opens("ul", NOT_APART)
    elements.opens("li", NOT_APART)
    elements.opens("span", UNSEEN)
    assert elements.set_apart and not elements.in_container()
    assert elements.closes("ul") and len(elements) == 1 and elements.count("li") == 0
    assert not elements.set_apart and elements.in_container()
    assert not elements.closes("p") and elements.closes("div") and len(elements) == 0
    assert not elements.in_container() and elements.unseen == elements.blocks == []

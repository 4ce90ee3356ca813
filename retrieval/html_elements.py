"""What each HTML element is to a reader of the page (retrieval.html_reader): left out, a
block of its own, a heading of a level, a table's cell, or one that holds no text."""

from __future__ import annotations

# elements that are no part of the document: scripts, styles, navigation, forms
SKIP = {
    "script",
    "style",
    "nav",
    "header",
    "footer",
    "aside",
    "noscript",
    "template",
    "svg",
    "form",
    "button",
    "iframe",
    "dialog",  # over the page, not of it
}
# elements that are a block of their own: a paragraph, a list's item, a table's row
BLOCK = {
    "p",
    "div",
    "li",
    "section",
    "article",
    "main",
    "blockquote",
    "tr",
    "table",
    "ul",
    "ol",
    "dd",
    "dl",
    "dt",
    "hr",
    "pre",
    "figure",
    "figcaption",
    "address",
    "details",  # a disclosure (an FAQ's answer, a method's description) and its summary
    "summary",
}
# blocks that hold text of their own as a paragraph does, set as the page's body text where
# nothing sets it apart ("<div>Published: 5 November 2012</div>")
TEXT_CONTAINERS = frozenset(
    {"div", "section", "article", "main", "blockquote", "address", "figure", "figcaption"}
)
HEADING = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# what the skipped elements are, said by role ("<div class="related" role="navigation">", as
# Sphinx sets its breadcrumbs): ARIA's landmarks for them
# ... and a dialog over the page (a cookie consent's, Cookiebot's role="dialog")
SKIP_ROLES = {
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "search",
    "dialog",
    "alertdialog",
}
# a page's running header and footer as LibreOffice writes them to HTML ('<div
# title="footer">'): what its DOCX or ODT readers leave out, as they leave out the file's own
RUNNING = {"header", "footer"}
CELL = {"td", "th"}
# elements that have no end tag, and so hold no text
VOID = {"br", "img", "hr", "input", "meta", "link", "wbr", "area", "base", "col", "embed"}

"""Where a clause stands: its document's own numbering, nested, and the list it belongs to."""

from __future__ import annotations

from retrieval.citation import cite, reference
from retrieval.numbering import heading_number, own_number
from retrieval.segment import segment
from retrieval.types import Document, DocumentInfo

REGULATION = """# Chapter I — General provisions

## Article 1 — Subject matter

1. This Regulation lays down rules on the processing of personal data.

2. This Regulation protects the fundamental rights of natural persons.

## Article 2 — Material scope

1. This Regulation applies to the processing of personal data by automated means.

2. This Regulation does not apply to the processing of personal data:

(a) in the course of an activity which falls outside the scope of Union law;

(b) by a natural person in the course of a purely personal or household activity;

(i) for correspondence;

(ii) for the holding of addresses;

(c) by competent authorities for the prevention of criminal offences.

3. Member States may keep more specific provisions.

## Article 3 — Fines

Infringements shall be subject to fines of up to 20 000 000 EUR.
"""


def _segment(text: str, kind: str = ""):
    document = Document(DocumentInfo("reg", "Data Regulation", "reg.md", kind=kind), text, 0)
    return document, segment(document)


def test_a_clause_is_cited_by_the_article_and_the_points_it_stands_in() -> None:
    document, clauses = _segment(REGULATION)
    cited = {" ".join(c.text.split()[:2]): cite(document.info, c).text for c in clauses}
    assert cited == {
        "1. This": "Data Regulation, Article 2(1)",  # the second "1." overwrites the first
        "2. This": "Data Regulation, Article 2(2)",
        "(a) in": "Data Regulation, Article 2(2)(a)",
        "(b) by": "Data Regulation, Article 2(2)(b)",
        "(i) for": "Data Regulation, Article 2(2)(b)(i)",
        "(ii) for": "Data Regulation, Article 2(2)(b)(ii)",
        "(c) by": "Data Regulation, Article 2(2)(c)",
        "3. Member": "Data Regulation, Article 2(3)",
        "Infringements shall": "Data Regulation, Article 3, ¶11",
    }
    # every citation names one clause: no two clauses of the document are cited alike
    citations = [cite(document.info, c).text for c in clauses]
    assert len(set(citations)) == len(citations) == 11
    assert citations[0] == "Data Regulation, Article 1(1)"


def test_a_list_item_carries_the_clause_that_opens_its_list() -> None:
    _, clauses = _segment(REGULATION)
    by_ref = {c.ref: c for c in clauses}
    opening = by_ref["2"]
    assert opening.text.endswith("personal data:") and opening.section == "Article 2"
    for ref in ("2(a)", "2(b)", "2(c)"):
        assert by_ref[ref].lead == opening.number
    # a sub-list opened by an item that does not end in ":" is the item's
    assert by_ref["2(b)(i)"].lead == by_ref["2(b)(ii)"].lead == by_ref["2(b)"].number
    # the paragraph after the list and the numbered paragraphs before it open no list
    assert by_ref["3"].lead == by_ref["1"].lead == opening.lead == 0
    # a bullet after an opening is an item too; a plain paragraph after one is not
    _, bullets = _segment(
        "The Council shall:\n- adopt the budget;\n- elect the chair.\n\nIt meets yearly.\n\n"
        "- Members attend."
    )
    assert [c.lead for c in bullets] == [0, 1, 1, 0, 0]
    assert [c.ref for c in bullets] == [""] * 5
    _, plain = _segment("The Minister said:\n\nWe will open the network to all.")
    assert [c.lead for c in plain] == [0, 0]


def test_bullets_nest_in_an_item_when_they_stand_further_in() -> None:
    """Bullets set further in than the numbered item before them are its points (as markdown
    nests them); bullets that stand where the item stands are a list after it."""
    _, nested = _segment(
        "4. Report quality\n   * Give clear steps.\n   * Remove harmful payloads.\n\n"
        "5. Reports are free of charge.\n\n• The Board pays for them."
    )
    assert [c.text[:3] for c in nested] == ["4. ", "* R", "5. ", "• T"]
    assert [c.lead for c in nested] == [0, 1, 0, 0]


def test_a_bullet_of_any_shape_opens_an_item_in_plain_text() -> None:
    """Plain text keeps the marks a word processor or a writer set before items ("+", "●",
    "■", "►", "✓"): each opens an item as "•" and "-" do, not a line of the sentence over
    them."""
    for mark in "+●■►✓":
        _, clauses = _segment(
            f"The operator must publish:\n{mark} its tariffs on its website;\n"
            f"{mark} its terms in each shop."
        )
        assert [c.text for c in clauses] == [
            "The operator must publish:",
            f"{mark} its tariffs on its website;",
            f"{mark} its terms in each shop.",
        ], mark


def test_points_lettered_past_h_are_letters_and_roman_points_nest() -> None:
    text = "\n\n".join(f"({letter}) item {letter};" for letter in "abcdefghij")
    _, clauses = _segment("The rules apply to:\n\n" + text)
    assert [c.ref for c in clauses[1:]] == [f"({letter})" for letter in "abcdefghij"]
    _, nested = _segment("(a) first;\n\n(i) one;\n\n(ii) two;\n\n(iii) three;\n\n(b) second.")
    assert [c.ref for c in nested] == ["(a)", "(a)(i)", "(a)(ii)", "(a)(iii)", "(b)"]


def test_dotted_numbers_and_numbered_headings() -> None:
    # "3.5 million people ..." opens a sentence: a number without a stop numbers no clause
    document, clauses = _segment("## 3. Methods\n\n3.1 The data were drawn.\n\n3.5 were lost.")
    assert [c.ref for c in clauses] == ["", ""]
    document, clauses = _segment("## 3. Methods\n\n3.1. The data were drawn.\n\nThey were checked.")
    assert [cite(document.info, c).text for c in clauses] == [
        "Data Regulation, no. 3.1",
        "Data Regulation, no. 3, ¶2",
    ]
    document, clauses = _segment("## Chapter II. Cooperation\n\n(a) The parties exchange data.")
    assert cite(document.info, clauses[0]).text == "Data Regulation, Chapter II, (a)"
    assert heading_number("Article 2 — Material scope") == "Article 2"
    assert heading_number("IV. Final provisions") == "IV"
    assert heading_number("Статья 5. Сфера действия") == "Статья 5"
    assert heading_number("(a) Education") == heading_number("Introduction") == ""
    assert heading_number("I Have a Dream") == ""


def test_a_sentence_that_opens_with_an_article_is_not_numbered_by_it() -> None:
    assert own_number("Article 5 of the Treaty applies to fisheries.") == ""
    assert own_number("Article 5 The parties protect cables.") == "Article 5"
    assert own_number("Article 5. The parties protect cables.") == "Article 5"
    assert own_number("Chapter IV: Final provisions") == "Chapter IV"
    assert own_number("Article civil law applies.") == ""
    assert own_number("§ 3 applies to all parties.") == ""


def test_a_letter_is_not_numbered_by_its_salutation() -> None:
    letter = (
        "Ministry of Communications\nBaku\n\nDear Mr. Chehadé:\n\n"
        "We propose the following:\n\n1. a regional office;\n\n2. a training programme.\n\n"
        "Sincerely,\nA. Minister"
    )
    _, clauses = _segment(letter, kind="letter")
    body = [c for c in clauses if not c.label]
    assert [c.ref for c in body] == ["", "1", "2"]
    assert [c.lead for c in body] == [0, body[0].number, body[0].number]


def test_reference_joins_a_section_and_a_number_as_citations_do() -> None:
    assert reference("Article 2", "2(b)") == "Article 2(2)(b)"
    assert reference("Article 5", "(a)") == "Article 5(a)"
    assert reference("Article 2", "") == "Article 2"
    assert reference("Article 2", "2.3") == "Article 2.3"
    assert reference("Maddə 5", "5.1(a)") == "Maddə 5.1(a)"
    assert reference("1", "2.1") == "no. 1(2.1)"  # "2.1." under "2.", in section 1
    assert reference("Article 2", "3.1") == "Article 2(3.1)"
    assert reference("3", "3.1") == "no. 3.1"
    assert reference("3", "(a)") == "no. 3(a)"
    assert reference("3", "1") == "no. 3(1)"
    assert reference("", "2(b)") == "no. 2(b)"
    assert reference("Chapter I", "Article 1") == "Article 1"
    assert reference("", "") == ""


def test_points_numbered_in_lower_case_without_brackets() -> None:
    assert own_number("a. for a year;") == "(a)"
    assert own_number("iv) the fourth;") == "(iv)"
    assert own_number("A. Smith wrote the report.") == ""
    assert own_number("e.g. the fees") == own_number("i.e. the fees") == ""
    _, clauses = _segment("1. a renewal fee:\n\na. for a year;\n\nb. for a month.")
    assert [c.ref for c in clauses] == ["1", "1(a)", "1(b)"]


def test_items_set_line_under_line_are_clauses_of_their_own() -> None:
    """As PDFs and plain text set a list: no blank line between the items. A line that a
    wrap begins with a number ("... set out in paragraph" / "2. of ...") stays where it is.
    The paragraph set under the list, left of its last item, is not that item's."""
    text = (
        "2. This Regulation does not apply to the processing of personal data:\n"
        "(a) in the course of an activity outside Union law;\n"
        "  (b) by a natural person in the course of a household activity.\n"
        "Fines are set out in paragraph\n"
        "2. of Article 9 and are paid yearly."
    )
    document, clauses = _segment(text)
    assert [c.text for c in clauses] == [
        "2. This Regulation does not apply to the processing of personal data:",
        "(a) in the course of an activity outside Union law;",
        "(b) by a natural person in the course of a household activity.",
        "Fines are set out in paragraph\n2. of Article 9 and are paid yearly.",
    ]
    assert all(document.text[c.start : c.end] == c.text for c in clauses)
    assert [c.ref for c in clauses] == ["2", "2(a)", "2(b)", ""]


def test_a_paragraph_set_under_a_list_left_of_its_items_is_not_the_last_item() -> None:
    """Plain text sets a list's items further in than the paragraph after them, no blank
    line between. A numbered paragraph alone whose lines stand left of its number (the GNU
    GPL 2's sections), or an item whose text starts under its title, stays one clause; and
    markdown carries an item on over a line set under it, wherever it stands."""
    listed = (
        "Each operator shall:\n   1. publish its prices;\n   2. keep records for five years, and"
        " show\n      them on request.\nThe ministry may inspect the records at any time."
    )
    _, clauses = _segment(listed)
    assert [c.text for c in clauses] == [
        "Each operator shall:",
        "1. publish its prices;",
        "2. keep records for five years, and show\n      them on request.",
        "The ministry may inspect the records at any time.",
    ]
    assert [c.ref for c in clauses] == ["", "1", "2", ""]
    alone = (
        "  4. You may not copy the Program except as this License provides.\n"
        "Any attempt otherwise to copy it is void.\nParties who received copies keep them."
    )
    titled = "               (c)    Representations.\n          Contributor represents that it may."
    for text in (alone, titled):
        assert [c.text for c in _segment(text)[1]] == [text.strip()]
    markdown = Document(DocumentInfo("reg", "Rules", "reg.md", format="md"), listed, 0)
    assert len(segment(markdown)) == 3


def test_a_clause_number_does_not_end_a_sentence() -> None:
    from retrieval.sentences import sentences
    from retrieval.types import Clause

    for text, expected in (
        ("2. This Regulation does not apply. It is new.", ["2. This Regulation does not apply."]),
        ("Article 5. The parties agree. Yes.", ["Article 5. The parties agree."]),
        ("The fee is 5. Then it rises.", ["The fee is 5."]),
    ):
        clause = Clause("d", 1, 0, len(text), text)
        assert [text[a:b] for a, b in sentences(clause)][:1] == expected


def test_a_russian_law_is_cited_by_its_article_part_and_point() -> None:
    document, clauses = _segment(
        "## Статья 3. Сфера действия\n\n"
        "1. Настоящий закон не применяется к отношениям:\n"
        "а) возникающим при обработке данных в личных целях;\n"
        "б) возникающим при хранении архивных документов.\n\n"
        "2. Иные отношения регулируются законом."
    )
    assert [cite(document.info, c).text.removeprefix("Data Regulation, ") for c in clauses] == [
        "Статья 3(1)",
        "Статья 3(1)(а)",
        "Статья 3(1)(б)",
        "Статья 3(2)",
    ]
    assert [c.lead for c in clauses] == [0, 1, 1, 0]


def test_a_table_row_stands_under_the_table_head() -> None:
    """A markdown table's rows are clauses of their own, each under the head, as HTML and
    DOCX tables' rows are (retrieval.formats gives their cells side by side)."""
    document, clauses = _segment(
        "## Article 4 — Fees\n\nThe fees are:\n\n"
        "| Service | Fee |\n|---|---:|\n| Licence | 100 EUR |\n| Renewal | 40 EUR |\n\n"
        "Other fees:\n\nService | Fee\n\nSpectrum | 900 EUR\n\nFees are paid yearly."
    )
    assert [c.text for c in clauses] == [
        "The fees are:",
        "| Service | Fee |",  # the rule under the head is no clause's
        "| Licence | 100 EUR |",
        "| Renewal | 40 EUR |",
        "Other fees:",
        "Service | Fee",
        "Spectrum | 900 EUR",
        "Fees are paid yearly.",
    ]
    assert all(document.text[c.start : c.end] == c.text for c in clauses)
    assert [c.lead for c in clauses] == [0, 0, 2, 2, 0, 0, 6, 0]
    assert cite(document.info, clauses[2]).text == "Data Regulation, Article 4, ¶3"


def test_the_places_a_question_asks_for() -> None:
    from retrieval.lookup import Place, _same_word, asked_places

    assert asked_places("What does Art. 2 (2)(b) say?") == [
        Place("art", "2", ("2", "b"), "Art. 2 (2)(b)")
    ]
    assert asked_places("Что говорится в статье 4?") == [Place("статье", "4", (), "статье 4")]
    assert asked_places("¶9 and § 5") == [Place("¶", "9", (), "¶9"), Place("§", "5", (), "§ 5")]
    assert asked_places("Chapter IV of the charter") == [Place("chapter", "iv", (), "Chapter IV")]
    assert asked_places("What happened in 1967?") == []  # "in" is no word a part is numbered by
    assert asked_places("3-cü maddə nə deyir?") == [Place("maddə", "3", (), "3-cü maddə")]
    assert asked_places("3. madde ne diyor?") == [Place("madde", "3", (), "3. madde")]
    # a count is no place ("are 500" is read, and names a place only in documents numbered
    # by "are")
    assert "articles" not in [p.word for p in asked_places("There are 500 articles")]
    assert _same_word("art", "article") and _same_word("статье", "статья")
    assert _same_word("maddesinde", "madde") and _same_word("article", "article")
    assert not _same_word("year", "article") and not _same_word("artist", "article")


def test_a_clause_under_an_unnumbered_subheading_stands_in_the_article_above() -> None:
    document, clauses = _segment(
        "# Chapter I\n\n## Article 1 — Definitions\n\n1. Data means any information.\n\n"
        "### Sensitive data\n\nHealth data is sensitive.\n\n## Article 2\n\n"
        "The Regulation applies.\n\n# Chapter II\n\n### Annex notes\n\nSee the annex."
    )
    cited = [cite(document.info, c).text.removeprefix("Data Regulation, ") for c in clauses]
    assert cited == ["Article 1(1)", "Article 1, ¶2", "Article 2, ¶3", "Chapter II, ¶4"]
    # the context a clause is read with is still the headings right above it
    assert clauses[1].heading == "Sensitive data"


class _Index:
    """A document's text, segmented, as retrieval.lookup reads an index: its clauses,
    documents and their numbers."""

    def __init__(self, text: str) -> None:
        self.document, self.clauses = _segment(text)
        self.documents = {self.document.doc_id: self.document.info}
        self.places = None

    def clause(self, doc_id: str, number: int):
        return next((c for c in self.clauses if (c.doc_id, c.number) == (doc_id, number)), None)

    def found(self, question: str) -> list[str]:
        """The citations of the clauses the question asks for by their place."""
        from retrieval.lookup import referenced

        clauses = referenced(self, question).clauses
        return [cite(self.document.info, c).text.removeprefix("Data Regulation, ") for c in clauses]

    def missing(self, question: str) -> tuple[str, ...]:
        from retrieval.lookup import referenced

        return referenced(self, question).missing


def test_a_place_is_found_in_the_words_of_the_documents_language() -> None:
    index = _Index(
        "## Maddə 1. Ümumi müddəalar\n\nBu qanun rabitə sahəsini tənzimləyir.\n\n"
        "## Maddə 2. Tətbiq sahəsi\n\n1. Qanun aşağıdakılara şamil edilmir:\n\n"
        "a) şəxsi məqsədlər üçün emal;\n\nb) arxiv sənədləri."
    )
    assert index.found("2-ci maddə nə deyir?") == [
        "Maddə 2(1)",
        "Maddə 2(1)(a)",
        "Maddə 2(1)(b)",
    ]
    assert index.found("Maddə 2(1)(b)") == ["Maddə 2(1)(b)"]
    assert index.found("Maddə 1-də nə yazılıb?") == ["Maddə 1, ¶1"]
    assert index.found("¶1") == ["Maddə 1, ¶1"]
    assert index.missing("9-cu maddə") == ("9-cu maddə",)
    assert not index.missing("2012-ci ildə nə oldu?")


def test_an_article_number_over_its_title_is_a_heading() -> None:
    """As the Official Journal sets a law: "Article 17" on one line, its title on the next."""
    document, clauses = _segment(
        "Article 4\nDefinitions\n\nFor the purposes of this Regulation:\n\n"
        "(1) ‘personal data’ means any information relating to a natural person;\n\n"
        "Article 17\nRight to erasure (‘right to be forgotten’)\n\n"
        "1. The data subject shall have the right to obtain the erasure of personal data.\n\n"
        "Article 18 of the Treaty applies to the erasure."
    )
    assert [cite(document.info, c).text.removeprefix("Data Regulation, ") for c in clauses] == [
        "Article 4, ¶1",
        "Article 4(1)",
        "Article 17(1)",
        "Article 17, ¶4",  # a sentence about an article is no heading, nor numbered by it
    ]
    assert clauses[2].heading == "Article 17 Right to erasure (‘right to be forgotten’)"
    assert [c.lead for c in clauses] == [0, 1, 0, 0]


def test_a_numbered_title_ending_in_a_stop_is_a_section() -> None:
    """As the GNU GPL sets its sections: "5. Conveying Modified Source Versions." over its
    paragraphs and their points "a)", "b)"; a numbered sentence is no title, but after
    section 5 its "6." is section 6 all the same."""
    document, clauses = _segment(
        "5. Conveying Modified Source Versions.\n\n"
        "You may convey a work based on the Program, provided that you also meet all of these "
        "conditions:\n\n"
        "a) The work must carry prominent notices stating that you modified it.\n\n"
        "b) The work must carry prominent notices stating that it is released under this "
        "License.\n\n"
        "6. Fees apply.\n\n"
        "7. Termination.\n\nYou may not propagate a covered work except as expressly provided."
    )
    assert [cite(document.info, c).text.removeprefix("Data Regulation, ") for c in clauses] == [
        "no. 5, ¶1",
        "no. 5(a)",
        "no. 5(b)",
        "no. 6",  # "6. Fees apply." is a sentence, not a heading: section 6, run into its text
        "no. 7, ¶5",
    ]
    assert [c.lead for c in clauses] == [0, 1, 1, 0, 0]


def test_the_next_subsection_is_no_item_of_a_list_open_before_it() -> None:
    """As bzip2's manual sets its sections: 3.3.2 ends in a list "1." to "3.", and the
    section after it, "3.3.3.", was cited as an item of that list ("no. 3.3.2(3.3.3)"), the
    paragraphs under it as section 3.3.2's. A number with a dot in it that is the next
    section's begins it; a list's items are not numbered so. An item of two sentences,
    "3. Close up and go home. Call the end.", is no numbered title."""
    document, clauses = _segment(
        "## 3.3.2. Compressing\n\nThe steps are:\n\n1. Get started with the initialisation."
        "\n\n2. Shovel data in and shlurp out its compressed form."
        "\n\n3. Close up and go home. Call the end.\n\n"
        "3.3.3. Releasing a stream frees its memory.\n\nIt returns BZ_OK."
    )
    assert [cite(document.info, c).text.removeprefix("Data Regulation, ") for c in clauses] == [
        "no. 3.3.2, ¶1",
        "no. 3.3.2(1)",
        "no. 3.3.2(2)",
        "no. 3.3.2(3)",
        "no. 3.3.3",
        "no. 3.3.3, ¶6",
    ]


def test_sections_numbered_without_a_word_are_asked_for_by_the_word_the_text_uses() -> None:
    """A licence numbers its sections "0.", "1.", "2." and calls them "section 2" itself:
    "What does section 2 say?" finds section 2; "version 3", named once, is no section."""
    index = _Index(
        "0. Definitions.\n\nTerms in this License are defined here; see section 2 and "
        "section 3.\n\n1. Source Code.\n\nThe source code is the preferred form; section 0 "
        "defines it.\n\n2. Basic Permissions.\n\nYou may run the Program, subject to "
        "version 3 of this License.\n\na) You may make copies;\n\n3. Patents.\n\n"
        "Each contributor grants you a patent license."
    )
    assert index.found("What does section 2 say?") == ["no. 2, ¶3", "no. 2(a)"]
    assert index.found("Sections 3?") == ["no. 3, ¶5"]
    assert index.found("section 2(a)") == ["no. 2(a)"]
    assert index.found("What does version 3 say?") == []
    assert index.missing("section 9") == ("section 9",)


def test_a_numbered_section_with_its_title_run_into_its_text_follows_the_one_before() -> None:
    """As the Apache License sets its sections: the heading "1. Definitions." over its
    paragraphs, then "2. Grant of Copyright License. Subject to …", a section whose title
    runs into its text. "2." is section 2, not an item of section 1, and so on for each
    section after it; a list under one of them is cited in it. A section whose paragraphs
    are numbered from "1." keeps them as its own."""
    document, clauses = _segment(
        "1. Definitions.\n\n"
        '"Licence" shall mean these terms and conditions.\n\n'
        '"Work" shall mean the work of authorship made available under the Licence.\n\n'
        "2. Grant of Licence. Each contributor grants you a licence to reproduce the Work.\n\n"
        "3. Redistribution. You may distribute copies provided that you meet the following "
        "conditions:\n\n"
        "(a) You must give any other recipients a copy of this Licence; and\n\n"
        "(b) You must keep every notice of the Work.\n\n"
        "You may add your own copyright statement to your changes.\n\n"
        "4. Trademarks. This Licence does not grant permission to use trade names.\n\n"
        "5. Charges.\n\n"
        "1. A fee may be charged for the physical act of transferring a copy.\n\n"
        "2. A fee may be charged for warranty protection.\n\n"
        "7. Miscellany. Nothing here limits the law of your country."
    )
    assert [cite(document.info, c).text.removeprefix("Data Regulation, ") for c in clauses] == [
        "no. 1, ¶1",
        "no. 1, ¶2",
        "no. 2",
        "no. 3",
        "no. 3(a)",
        "no. 3(b)",
        "no. 3, ¶7",
        "no. 4",
        "no. 5(1)",  # the paragraphs of section 5, numbered from 1
        "no. 5(2)",
        "no. 5(7)",  # 6 is not the number after 5's last paragraph, 2: no section follows
    ]
    assert [c.lead for c in clauses] == [0, 0, 0, 0, 4, 4, 0, 0, 0, 0, 0]


def test_a_section_run_into_its_text_is_asked_for_by_the_word_the_text_uses() -> None:
    """The Apache License calls its sections "Section 4": "What does section 3 say?" quotes
    section 3 whole, its list and the paragraph after it."""
    index = _Index(
        "1. Definitions.\n\n"
        '"Licence" shall mean the terms defined in Section 1 of this document.\n\n'
        "2. Grant of Licence. Subject to Section 3, each contributor grants you a licence.\n\n"
        "3. Redistribution. You may distribute copies if you meet these conditions:\n\n"
        "(a) You must give any other recipients a copy of this Licence; and\n\n"
        "(b) You must keep every notice of the Work.\n\n"
        "You may add your own copyright statement to your changes.\n\n"
        "4. Trademarks. This Licence, save as Section 2 says, grants no trade names."
    )
    assert index.found("What does section 3 say?") == ["no. 3", "no. 3(a)", "no. 3(b)", "no. 3, ¶6"]
    assert index.found("Section 4?") == ["no. 4"]
    assert index.found("section 3(b)") == ["no. 3(b)"]


def test_a_list_lettered_in_capitals_is_cited_by_its_letters() -> None:
    """As the GNU FDL letters what a modified version must do, "A." to "O." line under line:
    each letter is an item, cited in its section and quoted under the clause opening the
    list. An initial ("A. Smith") or a letter out of turn opens no item."""
    document, clauses = _segment(
        "4. Modifications.\n\n"
        "In addition, you must do these things in the Modified Version:\n\n"
        "A. Use in the Title Page a title distinct from that of the Document.\n"
        "B. List on the Title Page, as authors, the persons responsible.\n"
        "C. State on the Title page the name of the publisher.\n\n"
        "The report was signed by two officials.\n"
        "A. Smith signed it first.\n"
        "C. Jones signed it later."
    )
    assert [cite(document.info, c).text.removeprefix("Data Regulation, ") for c in clauses] == [
        "no. 4, ¶1",
        "no. 4(A)",
        "no. 4(B)",
        "no. 4(C)",
        "no. 4, ¶5",
    ]
    assert [c.lead for c in clauses] == [0, 1, 1, 1, 0]
    assert clauses[-1].text.endswith("A. Smith signed it first.\nC. Jones signed it later.")


def test_an_item_is_embedded_with_the_sentence_that_opens_its_list() -> None:
    """ "1. a cut cable, within 24 hours" says what must be reported only after "An operator
    shall report:", and "Mobile | 250 EUR" what 250 EUR is only under its table's head: the
    models read an item, and each of its sentences, after the last sentence of the clause
    that opens its list. A lead too long to be context (over LEAD_WORDS) is left out, and
    the item is quoted as it stands."""
    from retrieval.units import LEAD_WORDS, WHOLE, plan_units

    long_lead = " ".join(["word"] * LEAD_WORDS) + " and these:"
    text = (
        "Article 2 Incidents\n\nFirst things first. An operator shall report:\n\n"
        "1. a cut cable, within 24 hours. It is logged.\n\n2. an anchored vessel.\n\n"
        "Licence | Fee per year\n\nMobile | 250 EUR\n\n"
        f"{long_lead}\n\n(a) the logs;\n\n(b) the repairs."
    )
    document, clauses = _segment(text)
    units = plan_units([document])
    by_clause: dict[int, list[str]] = {}
    for text_, (index, start, _) in zip(units.texts, units.rows.tolist(), strict=True):
        by_clause.setdefault(index, []).append(text_)
        if start == WHOLE:
            assert text_.endswith(clauses[index].text.replace("\n", " "))
    assert by_clause[1] == [
        "Data Regulation. Article 2 Incidents. An operator shall report: "
        "1. a cut cable, within 24 hours. It is logged.",
        "Data Regulation. Article 2 Incidents. An operator shall report: "
        "1. a cut cable, within 24 hours.",
        "Data Regulation. Article 2 Incidents. An operator shall report: It is logged.",
    ]
    assert by_clause[4] == [
        "Data Regulation. Article 2 Incidents. Licence | Fee per year Mobile | 250 EUR"
    ]
    assert by_clause[6] == ["Data Regulation. Article 2 Incidents. (a) the logs;"]
    assert clauses[1].text == "1. a cut cable, within 24 hours. It is logged."

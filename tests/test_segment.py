from __future__ import annotations

from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from retrieval.blocks import blocks
from retrieval.corpus import read_document
from retrieval.letter import describe
from retrieval.markdown import unseen_markdown
from retrieval.segment import Block, is_heading, segment
from retrieval.sentences import sentences
from retrieval.types import Document, DocumentInfo
from tests.conftest import CORPUS

SEED = (
    Path(__file__).resolve().parent.parent.parent / "shared" / "seed" / "baku-declaration-2012.txt"
)


def _clauses(name: str):
    document = read_document(CORPUS / name)
    return document, segment(document)


def _doc(text: str, kind: str = "") -> Document:
    return Document(DocumentInfo("t", "T", "t.txt", kind=kind), text, 0)


def _paged(text: str, page: str) -> Document:
    """Plain text whose second page starts at `page` (where a form feed stood)."""
    return Document(DocumentInfo("t", "T", "t.txt"), text, 0, pages=(text.index(page),))


def _markdown(tmp_path: Path, text: str) -> list[tuple[str, str]]:
    """A markdown file's clauses, read from disk as a corpus's are: each one's text and the
    headings right over it."""
    path = tmp_path / "page.md"
    path.write_text(text, encoding="utf-8")
    return [(c.text, c.heading) for c in segment(read_document(path))]


def test_clauses_are_verbatim_with_offsets() -> None:
    for name in ("baku-declaration-2012.txt", "letter-to-icann-2012.txt"):
        document, clauses = _clauses(name)
        assert clauses
        assert [c.number for c in clauses] == list(range(1, len(clauses) + 1))
        for clause in clauses:
            assert document.text[clause.start : clause.end] == clause.text
            assert clause.start >= document.body_start


def test_corpus_text_is_the_seed_character_for_character() -> None:
    if not SEED.exists():
        return
    seed = SEED.read_text(encoding="utf-8")
    for name in ("baku-declaration-2012.txt", "letter-to-icann-2012.txt"):
        document = read_document(CORPUS / name)
        assert document.text[document.body_start :] in seed


def test_declaration_preamble_and_paragraphs_numbered_heading_is_context() -> None:
    _, clauses = _clauses("baku-declaration-2012.txt")
    assert clauses[0].text.startswith("We, participants of the")
    assert clauses[1].text.startswith("Believe that")
    assert not any(c.text.startswith("**BAKU DECLARATION") for c in clauses)
    assert not any(c.text in ("5 November 2012", "Baku, Azerbaijan") for c in clauses)
    assert "BAKU DECLARATION" in clauses[0].heading
    fostering = next(c for c in clauses if c.text.startswith("Fostering protection of children"))
    assert fostering.number == 8
    assert len(clauses) == 15


def test_page_break_continuation_is_one_clause() -> None:
    _, clauses = _clauses("baku-declaration-2012.txt")
    joined = next(c for c in clauses if c.text.startswith("Encouraging international cooperation"))
    assert (
        "for all countries and stakeholders\n\nincluding governments to work together"
        in joined.text
    )
    assert joined.text.endswith("for all nations and people.")
    assert not any(c.text.startswith("including governments") for c in clauses)


def test_continuation_rules_are_general() -> None:
    """A paragraph in lower case carries on the one before it in plain text; one in upper
    case only where a page ends between them (a form feed, as pdftotext writes pages): in
    plain text without pages, 333 blocks of 92 of this machine's 383 READMEs, NEWS and
    licences were joined so to the block before ("Example:" to the paragraph over it, a
    command to its explanation, "BUGS:" to the section before), nearly all wrongly."""
    text = (
        "First clause ends properly.\n\nSecond clause breaks off without punctuation and the\n\n"
        "Page header continues in upper case here.\n\nThird clause is long enough to be prose, "
        "and it breaks off in the middle of a sentence as page breaks do\n\n"
        "lower case start joins.\n\nFourth stands alone."
    )
    clauses = segment(_paged(text, "Page header"))
    assert [c.text.split()[0] for c in clauses] == ["First", "Second", "Third", "Fourth"]
    assert clauses[1].text.endswith("upper case here.")
    unpaged = [c.text.split()[0] for c in segment(_doc(text))]
    assert unpaged == ["First", "Second", "Page", "Third", "Fourth"]


def test_a_table_of_contents_in_plain_text_is_left_out_and_a_priced_list_kept() -> None:
    """A table of contents as a word processor or pdftotext writes it, entries line under
    line (a title wrapped onto a second line), is no clause, and its own title heads nothing;
    the document's title still heads what follows. Entries whose titles head no part of the
    text (a price list set with dot leaders) are the text's own, and no heading."""
    text = (
        "LICENSING RULES\n\nCONTENTS\n\n"
        "1. Scope of the rules ............ 1\n"
        "2. Licence Fees and\n"
        "   Their Payment ..................... 2\n"
        "Annex: Forms …… iv\n\n"
        "1. Scope of the rules\n\nThese rules apply to every operator.\n\n"
        "2. Licence Fees and Their Payment\n\nThe fees are:\n\n"
        "Broadband ........ 300\nMobile ........... 100\nCable ............ 200\n\n"
        "Annex: Forms\n\nThe forms are on the ministry's site."
    )
    clauses = segment(_doc(text))
    assert [(c.text.split()[0], c.heading) for c in clauses] == [
        ("These", "LICENSING RULES — 1. Scope of the rules"),
        ("The", "2. Licence Fees and Their Payment"),
        ("Broadband", "2. Licence Fees and Their Payment"),
        ("The", "Annex: Forms"),
    ]
    assert clauses[2].text.endswith("Cable ............ 200")
    # without leaders, the pages set apart (as a PDF's blank tab leaders come out) must rise
    bare = text.replace("............ 1", "     1").replace("..................... 2", "    2")
    assert [c.text for c in segment(_doc(bare.replace("…… iv", "     3")))] == [
        c.text for c in clauses
    ]
    # (pages that do not rise: the lines are the text's, each numbered item a clause)
    falling = bare.replace("…… iv", "     1")
    assert [c.text for c in segment(_doc(falling))][:2] == [
        "1. Scope of the rules      1",
        "2. Licence Fees and\n   Their Payment     2\nAnnex: Forms      1",
    ]


def test_a_table_of_contents_whose_titles_wrap_as_their_headings_do() -> None:
    """A FAQ's table of contents lists its questions, titles wrapped over two lines as the
    headings they point to are (Valgrind's manual). Each wrapped title was compared with
    its heading's first line alone, matched none, and the table was kept: a clause holding
    every question, the best match of any of them. A wrapped title now points to a heading
    whose first lines, read as one, are the title."""
    text = (
        "Frequently Asked Questions\n\n"
        "1. Background ........................ 1\n"
        "1.1. How do you pronounce the name? ........ 1\n"
        "2. Building ........................... 2\n"
        "2.1. Why does the build die partway with an\n"
        "assertion failure? ........ 2\n"
        "2.2. Why does the build fail? .......... 2\n\n"
        "1. Background\n\n1.1. How do you pronounce the name?\n\n"
        'It rhymes with "tinned".\n\n2. Building\n\n'
        "2.1. Why does the build die partway with an\nassertion failure?\n\n"
        "It is a bug in make.\n\n2.2. Why does the build fail?\n\n"
        "Install the static library."
    )
    clauses = [c.text for c in segment(_doc(text))]
    assert not any("....." in clause for clause in clauses), clauses
    assert clauses[0] == 'It rhymes with "tinned".'
    assert clauses[-2:] == ["It is a bug in make.", "Install the static library."]


BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "xquad-dev" / "corpus"


def test_a_paragraph_ending_in_a_bracketed_note_stands_alone() -> None:
    """Wikipedia's paragraphs end in reference marks ("[citation needed]", "[12]"): the
    bracket is no page break, so the next paragraph is a clause of its own."""
    article = read_document(BENCH / "amazon-rainforest.txt")
    paragraphs = [c.text for c in segment(article)]
    assert len(paragraphs) == 5  # the benchmark's paragraphs, one clause each
    for note in ("[citation needed]", "[12]", " [3][4]", "[note 1]"):
        marked = [p.rstrip(".") + note if i % 2 == 0 else p for i, p in enumerate(paragraphs)]
        clauses = segment(_doc("\n\n".join(marked)))
        assert [c.text for c in clauses] == marked, note
    # a paragraph cut off mid-sentence is still joined to the one that carries it on
    cut = paragraphs[0].rsplit(" ", 3)[0]
    assert len(segment(_doc(f"{cut}\n\nthe rest of the sentence.[5]"))) == 1


def test_sentences_end_at_a_period_but_not_after_an_initial_or_before_a_number() -> None:
    """A clause's sentences are embedded as units of their own and shown as the highlight:
    "John F." and "Kennedy was ..." are no sentences. Real text from the benchmark, and the
    same rule in Russian and Azerbaijani, and in other scripts."""
    text = (
        "The program was named by Abe Silverstein. It was later dedicated to President John F. "
        "Kennedy, who proposed it. Mr. Chehadé and Dr. Ali thanked St. Louis. The U.S. Army "
        "took part, as did the U.N. Secretary. "
        "See No. 81 and Smith et al. 1998 for more. Встреча прошла в г. Баку. Она длилась "
        "два дня, т.е. до 6 ноября, см. ст. 5 закона. Görüş Bakı ş. Nizami küç. 12 ünvanında "
        "keçirildi. Sonra nazirlər çıxış etdi? Yes! In 2012. 15 ministers came. Sie kamen. "
        "Ärzte halfen. ¿Qué pasó? Él respondió. 東京で会った. Ελλάδα."
    )
    clause = segment(_doc(text))[0]
    found = [text[a:b] for a, b in sentences(clause)]
    assert found == [
        "The program was named by Abe Silverstein.",
        "It was later dedicated to President John F. Kennedy, who proposed it.",
        "Mr. Chehadé and Dr. Ali thanked St. Louis.",  # a title's period ends nothing
        "The U.S. Army took part, as did the U.N. Secretary.",
        "See No. 81 and Smith et al. 1998 for more.",
        "Встреча прошла в г. Баку.",
        "Она длилась два дня, т.е. до 6 ноября, см. ст. 5 закона.",
        "Görüş Bakı ş. Nizami küç. 12 ünvanında keçirildi.",
        "Sonra nazirlər çıxış etdi?",
        "Yes!",
        "In 2012.",
        "15 ministers came.",
        "Sie kamen.",  # capitals of every script start a sentence
        "Ärzte halfen.",
        "¿Qué pasó?",
        "Él respondió.",
        "東京で会った.",  # and so does a letter of a script without capitals
        "Ελλάδα.",
    ]


def test_letter_header_parts_are_labelled() -> None:
    _, clauses = _clauses("letter-to-icann-2012.txt")
    by_label = {c.label: c for c in clauses if c.label}
    assert by_label["sender and address"].text.startswith("MINISTER OF COMMUNICATIONS")
    assert "Zarifa Aliyeva" in by_label["sender and address"].text
    assert "493-00-04" in by_label["phone, fax and e-mail"].text
    assert "mincom@mincom.gov.az" in by_label["phone, fax and e-mail"].text
    assert "RITN-Baş-1/5498" in by_label["date and reference number"].text
    assert "12.2012" in by_label["date and reference number"].text
    assert by_label["addressee"].text.startswith("To: Fadi Chehadé")
    assert by_label["copy"].text.startswith("Cc: Consulate General")
    closing = by_label["closing and signature"]
    assert closing.text.startswith("Best regards,") and closing.text.endswith(
        "Prof. Dr. Ali M. Abbasov"
    )
    assert by_label["enclosure"].text == "Encl.: Baku Declaration"
    body = [c for c in clauses if not c.label]
    assert body[0].text.startswith("I would like to extend")
    assert len(body) == 6


AZERBAIJANI_LETTER = """RƏQƏMSAL İNKİŞAF VƏ NƏQLİYYAT NAZİRLİYİ
Bakı ş., Nizami küç. 12

Tel.: +994 12 000 00 00, E-poçt: info@example.az

19 dekabr 2024-cü il № 12/345

Kimə: Regional Rabitə Birliyinin sədri

Surəti: Nazirlər Kabineti

Hörmətli cənab Sədr,

Sizə regional rabitə proqramına verdiyiniz dəstəyə görə təşəkkür edirəm.

Əlavə olaraq, proqramın hesabatı bu məktuba qoşulur.

Əlavə: Hesabat, 12 səhifə

Hörmətlə,
Nazir Ə. Məmmədov"""

RUSSIAN_LETTER = """МИНИСТЕРСТВО ЦИФРОВОГО РАЗВИТИЯ
г. Москва, ул. Тверская, 7

Тел.: +7 495 000-00-00

19 декабря 2024 г.
Исх. № 45-12/7

Кому: Председателю Совета операторов связи

Уважаемый господин Председатель!

Благодарим Вас за участие в программе цифровой связи.

Приложение: отчёт на 12 листах

С уважением,
Министр А. Иванов"""


def test_letters_in_the_readers_languages_have_their_parts_labelled() -> None:
    """A letter in Azerbaijani or Russian is read as a letter, as the English one is: its
    header parts, salutation, enclosure and signature are labelled, the rest is its body."""
    for text in (AZERBAIJANI_LETTER, RUSSIAN_LETTER):
        clauses = segment(_doc(text))
        labels = [c.label for c in clauses]
        assert labels[0] == "sender and address", text
        assert "phone, fax and e-mail" in labels and "date and reference number" in labels
        assert "salutation" in labels and labels[-2:] == ["enclosure", "closing and signature"]
        if text is AZERBAIJANI_LETTER:
            assert "addressee" in labels and "copy" in labels
            body = [c.text for c in clauses if not c.label]
            assert body == [
                "Sizə regional rabitə proqramına verdiyiniz dəstəyə görə təşəkkür edirəm.",
                # "Əlavə olaraq" (in addition) opens a paragraph; "Əlavə:" an enclosure
                "Əlavə olaraq, proqramın hesabatı bu məktuba qoşulur.",
            ]
        assert clauses[-1].text.endswith(("Ə. Məmmədov", "А. Иванов"))
    # their words also open sentences of texts that are no letters: a salutation is a line
    for text in ("Bakan geldi.\n\nSayın Bakan toplantıda konuştu.", "Madame Curie was born."):
        assert not any(c.label for c in segment(_doc(text))), text


def test_clauses_numbered_in_the_readers_languages_are_cited_by_their_number() -> None:
    text = "Статья 1. Общие положения.\n\nMaddə 2. Vətəndaşların hüquqları.\n\nMADDE 3 - Amaç."
    assert [c.ref for c in segment(_doc(text))] == ["Статья 1", "Maddə 2", "Madde 3"]


def test_a_letter_part_is_described_by_what_it_holds() -> None:
    _, clauses = _clauses("letter-to-icann-2012.txt")
    by_label = {c.label: c for c in clauses if c.label}
    # the letterhead gives the ministry's web site; the contact line only an e-mail address
    assert describe(by_label["sender and address"]).endswith("and a web site")
    assert "web site" not in describe(by_label["phone, fax and e-mail"])
    assert describe(by_label["closing and signature"]) == (
        "closing and signature: who signed the letter"
    )


def test_headings() -> None:
    assert is_heading(Block(0, 9, "# Article"))
    assert is_heading(Block(0, 20, "**A BOLD HEADING**"))
    assert is_heading(Block(0, 15, "5 November 2012"))
    assert not is_heading(Block(0, 30, "including governments to work"))
    assert not is_heading(Block(0, 20, "A sentence that ends."))


def test_a_term_over_the_verb_that_defines_it_is_no_heading() -> None:
    """The MPL 2.0 sets '1.5. "Incompatible With Secondary Licenses"' over "means", and its
    two points under that: read as a heading, it stood over definitions 1.6 to 1.14, cited
    outside section 1. A title's last line is no lone word in lower case; a web address
    under a title is part of it."""
    defined = '1.5. "Incompatible With Secondary Licenses"\n    means'
    assert not is_heading(Block(0, len(defined), defined))
    title = "Apache License\n   Version 2.0, January 2004\n   http://www.apache.org/licenses/"
    assert is_heading(Block(0, len(title), title))
    text = (
        '1. Definitions\n\n1.4. "Covered Software"\n    means the software.\n\n'
        f"{defined}\n\n    (a) that a notice is attached; or\n\n    (b) that it was offered.\n\n"
        '1.6. "Executable Form"\n    means any form other than source.'
    )
    clauses = segment(_doc(text))
    assert [(c.ref, c.section, c.heading) for c in clauses] == [
        ("1.4", "1", "1. Definitions"),
        ("1.5", "1", "1. Definitions"),
        ("1.5(a)", "1", "1. Definitions"),
        ("1.5(b)", "1", "1. Definitions"),
        ("1.6", "1", "1. Definitions"),
    ]


def test_a_list_of_short_items_is_no_run_of_headings() -> None:
    """A web page's or a DOCX's numbered list of short items ("1. Name", "2. Address")
    has each item the shape of a numbered heading: they were a heading group, no clause of
    theirs was quoted, and they stood over the paragraphs after them. Items in turn, or under
    a line that opens a list, are items; a section's heading has its text before the next.
    A sentence set in capitals, as licences set their disclaimers, is no heading either."""
    text = (
        "## Data We Collect\n\nWe collect:\n\n1. Name\n\n2. Address\n\n3. Date of Birth\n\n"
        "We keep it for a year.\n\n• Email\n\n• Phone Number\n\n1. Scope\n\nIt applies.\n\n"
        "2. Fees\n\nTHE SERVICE IS PROVIDED AS IS, WITHOUT ANY WARRANTY OF FITNESS FOR A "
        "PARTICULAR PURPOSE.\n\nWARRANTY\n\nNone is given."
    )
    document = Document(DocumentInfo("t", "T", "t.html", format="html"), text, 0)
    assert [(c.text, c.heading, c.ref) for c in segment(document)] == [
        ("We collect:", "Data We Collect", ""),
        ("1. Name", "Data We Collect", "1"),
        ("2. Address", "Data We Collect", "2"),
        ("3. Date of Birth", "Data We Collect", "3"),
        ("We keep it for a year.", "Data We Collect", ""),
        ("• Email", "Data We Collect", ""),
        ("• Phone Number", "Data We Collect", ""),
        ("It applies.", "1. Scope", ""),
        (
            "THE SERVICE IS PROVIDED AS IS, WITHOUT ANY WARRANTY OF FITNESS FOR A PARTICULAR "
            "PURPOSE.",
            "2. Fees",
            "",
        ),
        ("None is given.", "WARRANTY", ""),  # a heading in capitals heads what follows
    ]


def test_a_heading_right_over_its_text_is_told_from_a_block_of_lines() -> None:
    """A PDF's heading set right over its text (Word's headings have no space below them)
    is a block of its own; a signature's name over its title, a list's lead over its first
    item and a sentence broken over lines stay one block."""
    from retrieval.segment import heading_over_text

    def split(text: str) -> list[str]:
        return [b.text for b in heading_over_text(Block(0, len(text), text))]

    heading = "SCOPE\nThis policy applies to all personal data held by the ministry.\nIt ends."
    assert split(heading) == ["SCOPE", heading.split("\n", 1)[1]]
    # a numbered heading over one line, however long it is next to it
    numbered = "2. Publication of tariffs\nAn operator shall publish its tariffs:"
    assert split(numbered) == numbered.split("\n")
    # a part's heading over a paragraph that a column's end cuts short
    article = "Article 3\nEach operator shall keep a register of\nthe cables it lays, with the"
    assert split(article) == ["Article 3", article.split("\n", 1)[1]]
    for kept in (
        "Prof. Dr. Ali M. Abbasov\nMinister of Communications and Information Technologies",
        "Fees Due\n1. A licence fee is due every year in March.",
        "The Fees\nare due every year in March, and paid online.",
        "The ministry may inspect the records\nof any operator at any time, without notice.",
        # a numbered paragraph in a narrow column, its first line filled
        "3. Each operator informs the Ministry\nBoard of changes.",
    ):
        assert split(kept) == [kept], kept


def test_questions_set_over_their_answers_head_them() -> None:
    """A page of questions and answers: each question was a clause, the best match of the
    same question asked, and was quoted as its own answer. Set over an answer, more than
    once in a document, a question heads it; a question alone in a paragraph of prose, and
    questions in a row (a questionnaire's), are text."""
    faq = (
        "Licences: Questions and Answers\n\nHow do I apply for a licence?\n\n"
        "Apply online through the ministry's portal.\n\nHow much does it cost?\n\n"
        "The fee is 100 manat a year.\n\nCan I appeal? Is there a fee?\n\nYes, to the Board."
    )
    assert [(c.text, c.heading) for c in segment(_doc(faq))] == [
        (
            "Apply online through the ministry's portal.",
            "Licences: Questions and Answers — How do I apply for a licence?",
        ),
        ("The fee is 100 manat a year.", "How much does it cost?"),
        ("Can I appeal? Is there a fee?", "How much does it cost?"),
        ("Yes, to the Board.", "How much does it cost?"),
    ]
    prose = "Rules\n\nWho keeps the records?\n\nThe ministry keeps them.\n\nIt may inspect them."
    assert [c.text for c in segment(_doc(prose))][:1] == ["Who keeps the records?"]
    survey = "Do you agree?\n\nWhy do you agree?\n\nWhat would you change?\n\nThank you."
    assert [c.text for c in segment(_doc(survey))] == survey.split("\n\n")


def test_a_subsection_titled_with_a_question_heads_its_text() -> None:
    """ "1.2. What is this spec?" (the Shared MIME-info specification's) was a clause, and
    the paragraphs under it were cited under "1.1. Version"; a questionnaire's questions,
    numbered as a list is, stay its text."""
    text = (
        "1.1. Version\n\nThis is version 0.21.\n\n1.2. What is this spec?\n\n"
        "Many programs use the MIME system.\n\nPlease answer:\n\n3. Do you agree?\n\n"
        "4. Why?"
    )
    clauses = segment(_doc(text))
    assert [(c.text, c.heading) for c in clauses] == [
        ("This is version 0.21.", "1.1. Version"),
        ("Many programs use the MIME system.", "1.2. What is this spec?"),
        ("Please answer:", "1.2. What is this spec?"),
        ("3. Do you agree?", "1.2. What is this spec?"),
        ("4. Why?", "1.2. What is this spec?"),
    ]


def test_short_lines_at_a_document_s_end_are_text_not_headings_of_nothing() -> None:
    """A decree's signature, a footnote set in one short line at a page's foot, a list of
    references: short lines without a stop read as headings, and at the document's end,
    with nothing under them, they were dropped, so that "Who signed it?" had no clause to
    find. They are text now; a numbered heading over them ("3. References") still heads
    them, and a heading marked as one ("# Annex") heads nothing and stays out."""
    text = (
        "Article 1. Scope\n\nThe rules apply to every operator.\n\n"
        "Article 2. Entry into force\n\nThey apply from 1 January.\n\n"
        "Ali Abbasov\nMinister of Communications"
    )
    clauses = segment(_doc(text))
    assert [(c.text, c.section) for c in clauses][-1] == (
        "Ali Abbasov\nMinister of Communications",
        "Article 2",
    )
    text = "1. Rules\n\nThey apply.\n\n3. References\n\nRFC 2119 Key words\n\nXDG Base Directory"
    clauses = segment(_doc(text))
    assert [(c.text, c.heading) for c in clauses] == [
        ("They apply.", "1. Rules"),
        ("RFC 2119 Key words", "3. References"),  # each reference its own
        ("XDG Base Directory", "3. References"),
    ]
    marked = segment(Document(DocumentInfo("t", "T", "t.md"), "Rules apply.\n\n# Annex", 0))
    assert [c.text for c in marked] == ["Rules apply."]


def test_markdown_headings_give_context() -> None:
    text = "# Part One\n\nThe first rule applies.\n\n## Details\n\nThe second rule applies."
    clauses = segment(_doc(text))
    assert [c.text for c in clauses] == ["The first rule applies.", "The second rule applies."]
    assert clauses[0].heading == "Part One"
    assert clauses[1].heading == "Details"


GOVERNANCE = """# Project Governance

<!-- TOC -->

* [Triagers](#triagers)
* [Collaborators](#collaborators)
  * [Activities](#activities)

<!-- /TOC -->

## Triagers

Triagers assess newly-opened issues in the [project][] repositories. They have:

* Ability to label issues and pull requests
* Ability to comment, close, and reopen issues

See:

* [List of triagers](./README.md#triagers)

## Collaborators

Collaborators maintain the [project][] repository.

[project]: https://example.org/project
"""


def test_a_markdown_page_is_read_as_its_reader_sees_it(tmp_path: Path) -> None:
    """A GitHub policy page: a table of contents and comments are no clauses and swallow no
    heading; each bullet of a list without stops is an item of its own, quoted under the
    clause that opens the list; a link's definition is not shown, so not quoted, and a link
    shows its text ("[project][]": "project")."""
    path = tmp_path / "governance.md"
    path.write_text(GOVERNANCE, encoding="utf-8")
    document = read_document(path)
    clauses = segment(document)
    assert [(c.text, c.heading, c.lead) for c in clauses] == [
        (
            "Triagers assess newly-opened issues in the project repositories. They have:",
            "Project Governance — Triagers",
            0,
        ),
        ("• Ability to label issues and pull requests", "Project Governance — Triagers", 1),
        ("• Ability to comment, close, and reopen issues", "Project Governance — Triagers", 1),
        ("See:", "Project Governance — Triagers", 0),
        ("• List of triagers", "Project Governance — Triagers", 4),
        ("Collaborators maintain the project repository.", "Collaborators", 0),
    ]
    assert "<!--" not in document.text and "https://example.org" not in document.text
    assert all(document.text[c.start : c.end] == c.text for c in clauses)
    # in plain text too, a bullet without a stop is no paragraph cut by a page break
    plain = segment(_doc("Members have:\n\n- a vote\n- a seat\n\nThe Board meets yearly."))
    assert [c.text for c in plain] == [
        "Members have:",
        "- a vote",
        "- a seat",
        "The Board meets yearly.",
    ]


def test_a_myst_target_over_a_heading_is_not_shown(tmp_path: Path) -> None:
    """Sphinx's manuals written in MyST mark a heading as a cross-reference's target with a
    line over it, "(repeatability)=", that no reader sees: no title, clause or heading."""
    path = tmp_path / "repeatable.md"
    path.write_text(
        "(repeatability)=\n# Repeatable Installs\n\nPin every version you install.\n\n"
        "(hash-checking)=\n## Hash-checking\n\nHashes guard against a changed download.\n",
        encoding="utf-8",
    )
    document = read_document(path)
    assert document.info.title == "Repeatable Installs"
    assert [(c.text, c.heading) for c in segment(document)] == [
        ("Pin every version you install.", "Repeatable Installs"),
        ("Hashes guard against a changed download.", "Hash-checking"),
    ]
    assert ")=" not in document.text


def test_a_short_markdown_paragraph_is_text_and_a_line_of_tags_alone_is_unseen(
    tmp_path: Path,
) -> None:
    """In markdown a heading is marked ("#", a line under it, a paragraph in bold alone): a
    short paragraph without a stop ("Office hours 9 to 18", an address's line) is text, a
    clause of its own, where by its shape alone it was read as a heading over the next,
    in no clause. A line of HTML tags alone ("<details>") is not shown, so not quoted; in
    a fenced block of code it is the code's."""
    path = tmp_path / "rules.md"
    path.write_text(
        "# Licensing rules\n\nFees\n====\n\nOperators pay the fee each year.\n\n"
        "Office hours 9 to 18\n\n<details>\n\n**Appeals**\n\nWrite to the Board at:\n\n"
        "33 Boulevard Street\n\n```html\n<details>\n```\n\n</details>\n",
        encoding="utf-8",
    )
    document = read_document(path)
    assert [(c.text, c.heading) for c in segment(document)] == [
        ("Operators pay the fee each year.", "Licensing rules — Fees"),
        ("Office hours 9 to 18", "Licensing rules — Fees"),
        ("Write to the Board at:", "Appeals"),
        ("33 Boulevard Street", "Appeals"),
        ("<details>", "Appeals"),  # the code, without its fences
    ]
    assert document.text.count("<details>") == 1 and "</details>" not in document.text


MARKDOWN_WITH_HTML = """\
[![Build Status](https://ci.example.org/badge.svg)](https://ci.example.org)

# Signals

The operator answers these signals:

![The signals' table](signals.png)

<table>
  <tr>
    <th>Signal</th>
    <th>Meaning</th>
  </tr>
  <tr>
    <td><code>SIGHUP</code></td>
    <td>Sent when a controlling terminal is closed or a parent
    process exits.</td>
  </tr>
  <tr>
    <td><code>SIGINT</code></td>
    <td>

Sent to interrupt a process (<kbd>Ctrl</kbd>+<kbd>C</kbd>).

</td>
  </tr>
</table>

<div align="center">Reports go to the <b>Board</b>.</div>

<https://board.example.org>

<details>
<summary>Older signals</summary>

Kept for a year, <b>then</b> dropped.
<br>
Ask the Board for them.

</details>

<pre>
kill -HUP 42

# then, to stop it:
kill -INT 42
</pre>
"""


def test_markdown_s_html_is_read_as_a_page_shows_it(tmp_path: Path) -> None:
    """HTML written in markdown (CommonMark's HTML blocks) is shown by its reader as a web
    page is: a table's tags, its rows run together, were one clause ('<th>Signal</th> <th>
    Meaning</th> <td><code>SIGHUP</code></td> …'), as Node.js's API pages set their tables
    of constants; now each row is a clause quoted under the table's head, a cell's markdown
    set apart by blank lines with it. A block's text is read without its tags ("<div
    align='center'>", "<summary>"); a tag alone in a paragraph ("<br>") is not shown, and
    a tag in a line of text is markup, as markdown's own is ("<b>then</b>": "then"), and a
    link written in angle brackets is shown, so quoted, without them. Preformatted text keeps its
    lines, and is code: no line of it a heading ("# then, to stop it:"). A line of images
    alone (a project's badges, a screenshot) shows no text, as "<img>" shows none: it was a
    clause, or a heading over the page ("[![Build Status](…)](…) — Signals")."""
    path = tmp_path / "signals.md"
    path.write_text(MARKDOWN_WITH_HTML, encoding="utf-8")
    document = read_document(path)
    clauses = segment(document)
    assert [(c.text, c.lead) for c in clauses] == [
        ("The operator answers these signals:", 0),
        ("Signal | Meaning", 0),
        ("SIGHUP | Sent when a controlling terminal is closed or a parent process exits.", 2),
        ("SIGINT | Sent to interrupt a process (Ctrl+C).", 2),
        ("Reports go to the Board.", 0),
        ("https://board.example.org", 0),
        ("Older signals", 0),
        ("Kept for a year, then dropped.\nAsk the Board for them.", 0),
        ("kill -HUP 42", 0),
        ("# then, to stop it:\nkill -INT 42", 0),
    ]
    assert {c.heading for c in clauses} == {"Signals"}
    assert all(document.text[c.start : c.end] == c.text for c in clauses)
    # a table never closed is its block alone: what follows its blank line is markdown, in
    # a page of 20,000 such tables too (each block found in one pass); a <pre> never closed
    # runs to the text's end, as CommonMark reads one
    left_open = "<table><tr><td>Fee</td><td>10 AZN</td></tr>\n\n**Paid** yearly.\n\n"
    shown = ["Fee", "|", "10", "AZN", "Paid", "yearly."]
    assert unseen_markdown(left_open * 20_000)[0].split() == shown * 20_000
    assert unseen_markdown("Fees.\n\n<pre>\nkill -HUP 42\n\nkill -INT 42\n")[0].split("\n\n\n") == [
        "Fees.",
        "kill -HUP 42\n\nkill -INT 42\n",
    ]


def test_a_markdown_heading_right_over_its_text_heads_it(tmp_path: Path) -> None:
    """A heading written right over its text, no blank line between ("## Appeals" over
    "Write to the Board."), as hand-written markdown often is: the heading took its text in,
    "Fees Operators pay yearly. — Appeals Write to the Board." heading the next clause, and
    the text was in no clause. A heading is a line of its own, as CommonMark reads one, and
    so is a fence that opens code under a line of text. A line opening with "#" and no
    space after it ("#MeToo") is no heading, in any format. A heading is cited by its words:
    without its closing "#"s, a link's text without where it leads."""
    assert _markdown(
        tmp_path,
        "# Fees\nOperators pay yearly.\n\n## [Appeals](./appeals.md) ##\n"
        "Write to the Board at:\n```\n# 33 Boulevard Street\n```\nBy post only.\n\n"
        "#MeToo and #1 are no headings\n",
    ) == [
        ("Operators pay yearly.", "Fees"),
        ("Write to the Board at:", "Appeals"),
        ("# 33 Boulevard Street", "Appeals"),
        ("By post only.", "Appeals"),
        ("#MeToo and #1 are no headings", "Appeals"),
    ]


def test_markdown_s_code_is_no_heading_nor_list(tmp_path: Path) -> None:
    """A fenced block of code with a blank line in it: its line after the blank that opened
    with "#" (a shell comment) was read as a heading, the code under it lost into it, and
    its lines that open like a list's items ("1. cd src") were cut into items. Code set in
    by four spaces opening with "#" was a heading too. Now code is code: whole pieces, no
    heading, no items; a paragraph in lower case after it is its own ("foo.bar() starts
    it"), unless a sentence runs into the code ("… by including" over "#include <api.h>":
    "and by checking …" goes on with the code). The fences are markup, not quoted ("```sh"
    stood over the code, "```" under it)."""
    assert _markdown(
        tmp_path,
        "# Setup\n\nRun these.\n\n```sh\n# install it\napt-get install foo\n\n# start it\n"
        "1. cd src\n2. make\n```\n\nfoo.bar() starts it.\n\n    # set in by four spaces\n"
        "    foo --stop\n\nBuild it by including\n\n```c\n#include <api.h>\n```\n\n"
        "and by checking the library.\n",
    ) == [
        ("Run these.", "Setup"),
        ("# install it\napt-get install foo", "Setup"),
        ("# start it\n1. cd src\n2. make", "Setup"),
        ("foo.bar() starts it.", "Setup"),
        ("# set in by four spaces\n    foo --stop", "Setup"),
        ("Build it by including", "Setup"),
        ("#include <api.h>\n\nand by checking the library.", "Setup"),
    ]


def test_a_rule_is_no_clause_nor_heading_and_nothing_carries_on_across_it() -> None:
    """A rule set between parts ("-----", "* * *", a box of asterisks) was read as a
    heading, or a clause: "-----" headed the clauses under it in every citation, and took
    the place of the heading over it ("The Debian Package ca-certificates-local" over its
    steps). It says nothing: no clause, no heading, and the heading over it still heads
    what follows it. A paragraph after a rule carries on nothing before it. So with a mark
    alone ("+"): it was a heading, or a clause of one character. A brace alone ("}") is
    code's, kept with it, but no heading."""
    text = (
        "Fee rules\n\nOperators pay the fee each year within the month of January\n\n"
        "------------------\n\nappeals go to the Board.\n\n* * *\n\n+\n\n"
        "Late payers lose their licence."
    )
    clauses = segment(_doc(text))
    assert [(c.text, c.heading) for c in clauses] == [
        ("Operators pay the fee each year within the month of January", "Fee rules"),
        ("appeals go to the Board.", "Fee rules"),
        ("Late payers lose their licence.", "Fee rules"),
    ]
    # nor is a mark alone a heading: a heading names something
    assert not is_heading(Block(0, 1, "}")) and not is_heading(Block(0, 3, "-->"))


def test_a_title_underlined_right_over_its_text_heads_it(tmp_path: Path) -> None:
    """A title underlined with no blank line under it ("Release 3.6.0 (21 October 2010)"
    over "~~~~~~" over "3.6.0 is a feature release …", as NEWS files and reStructuredText
    set titles; markdown's "Dependencies" over "------------") was read into the clause
    under it, title and underline quoted as its first words, and heading nothing. It heads
    its text now. A sentence over a rule is no title."""
    text = (
        "Release 3.6.0 (21 October 2010)\n~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
        "3.6.0 is a feature release.\n\nIt supports ARM.\n\nThe fees are paid yearly.\n"
        "-------------------------\nLate payers lose their licence."
    )
    assert [(c.text, c.heading) for c in segment(_doc(text))] == [
        ("3.6.0 is a feature release.", "Release 3.6.0 (21 October 2010)"),
        ("It supports ARM.", "Release 3.6.0 (21 October 2010)"),
        (
            "The fees are paid yearly.\n-------------------------\nLate payers lose their licence.",
            "Release 3.6.0 (21 October 2010)",
        ),
    ]
    assert _markdown(
        tmp_path, "Pango\n=====\n\nDependencies\n------------\nPango depends on GLib.\n"
    ) == [("Pango depends on GLib.", "Pango — Dependencies")]


_paragraph = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
    | st.sampled_from(" .,;"),
    min_size=1,
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_paragraph, min_size=1, max_size=12), st.sampled_from(["", "letter"]))
# a digit int() does not read ("²", a superscript two) where a table of contents' page
# number stands: it was taken for one, and segmenting the text failed (found by this test)
@example(["A|²"], "")
@example(["0A", "B", "B", "0A", "B", "B"], "")
def test_clauses_cover_the_text_in_order_and_invent_nothing(
    paragraphs: list[str], kind: str
) -> None:
    text = "\n\n".join(paragraphs)
    document = _doc(text, kind)
    segmenter_clauses = segment(document)
    position = 0
    for clause in segmenter_clauses:
        assert clause.text == text[clause.start : clause.end]
        assert clause.start >= position
        assert clause.text == clause.text.strip() and clause.text
        position = clause.end
    # every word of the source is in a clause or a heading; what is in neither is marks
    # alone ("-----", "...": a rule, which sets parts apart and says nothing; no bracket),
    # or a table of contents' entry, which says where a heading stands (["0A", "B", "B",
    # "0A", "B", "B"]: the first three list the headings after them, found by this test;
    # test_formats' tests of tables of contents say which are left out)
    from retrieval.segment import Segmenter

    seg = Segmenter(document)
    clauses = seg.run()
    covered = sorted([(c.start, c.end) for c in clauses] + seg.headings + seg.contents)
    rest = list(text)
    for a, b in covered:
        for i in range(a, b):
            rest[i] = " "
    left = [part.strip() for part in "".join(rest).split("\n\n") if part.strip()]
    assert not any(ch.isalnum() or ch in "{}[]()" for part in left for ch in part), left


_MARKDOWN_LINES = st.sampled_from(
    [
        "",
        "# Fees",
        "Fees",
        "====",
        "~~~~",
        "-----",
        "```sh",
        "```",
        "~~~",
        "    # set in",
        "Operators pay the fee.",
        "the fee is paid yearly",
        "1. cd src",
        "- a bullet",
        "| Service | Fee |",
        "|---|---|",
        "<table>",
        "</table>",
        "<tr><td>Fee</td><td>10 AZN</td></tr>",
        "<td rowspan='3'>",
        "<pre>",
        "</pre>",
        "<div align='center'>Centred.</div>",
        "<details>",
        "<br>",
        "<https://example.org>",
        "<!-- a comment -->",
        "[ref]: https://example.org",
        "* * *",
        "}",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_MARKDOWN_LINES, min_size=1, max_size=40))
def test_any_markdown_reads_and_quotes_only_its_shown_text(lines: list[str]) -> None:
    """Markdown of any shape (HTML blocks left open, fences unclosed, underlines, code,
    tables): read without an error, every clause quoted verbatim from the text its reader
    shows, in order, and no table's tag shown but in code (a fence opens only outside an
    HTML block: "<table>" over "~~~~" is the table's), nor any comment."""
    text = "\n".join(lines)
    shown, preformatted = unseen_markdown(text)
    assert all(0 <= start < len(shown) for start in preformatted)
    document = Document(DocumentInfo("t", "T", "t.md", format="md"), shown, 0, code=preformatted)
    position = 0
    for clause in segment(document):
        assert clause.text == shown[clause.start : clause.end] and clause.text.strip()
        assert clause.start >= position
        position = clause.end
    for block in blocks(shown, 0, True, preformatted):
        if not block.code:
            assert "<table>" not in block.text and "<td" not in block.text, block.text
    assert "<!--" not in shown


def test_a_markdown_quote_is_read_without_its_marks(tmp_path: Path) -> None:
    """A quote's ">"s are no text: its lines are read as blocks of their own, as the page
    shows them: a note set in a quote, a list in it (each item a clause, and a numbered
    item under another no heading, "4. Return null.", however short), code fenced in it
    (code, ending with the quote), GitHub's alert ("> [!TIP]") titled as the page titles
    it. A quote opens a block of its own under a paragraph; in code fenced outside a
    quote, "> " is the code's. Before, every line of a quote was quoted with its ">"."""
    assert _markdown(
        tmp_path,
        "# Resolution\n\nThe steps are:\n> 1. Let *resolved* be undefined.\n"
        "> 2. Resolve the **URL**.\n> 4. Return **null**.\n\n"
        "> [!TIP]\n> Symlinks are off by default; clone with:\n> ```sh\n> git clone -c x\n"
        "> ```\n\nIn a shell:\n\n```\n> continued\n```\n",
    ) == [
        ("The steps are:", "Resolution"),
        ("1. Let resolved be undefined.", "Resolution"),
        ("2. Resolve the URL.", "Resolution"),
        ("4. Return null.", "Resolution"),
        ("Tip\nSymlinks are off by default; clone with:", "Resolution"),
        ("git clone -c x", "Resolution"),
        ("In a shell:", "Resolution"),
        ("> continued", "Resolution"),
    ]


def test_markdown_code_set_in_or_fenced_in_a_list_item_is_code(tmp_path: Path) -> None:
    """CommonMark's other block of code, set in by four spaces (not in a paragraph, which
    it carries on), is code: the paragraph after it no longer carries it on ("then restart
    the service." was quoted after "make test"). In a list's item, the four spaces count
    from the item's text: a paragraph set in under "1. " is the item's text (and under a
    note's "[^1]: ", four spaces in), and a fence set in as far as the item's text opens
    code (a shell command was read as a code span, "bash git pull …")."""
    assert _markdown(
        tmp_path,
        "# Install\n\nRun:\n\n    make install\n    # then\n\n    make test\n\n"
        "then restart the *service*.\n\n1. Build it:\n\n   Read the **notes** first.\n\n"
        "   ```bash\n   git pull --rebase\n   ```\n",
    ) == [
        ("Run:", "Install"),
        ("make install\n    # then", "Install"),
        ("make test", "Install"),
        ("then restart the service.", "Install"),
        ("1. Build it:", "Install"),
        ("Read the notes first.", "Install"),
        ("git pull --rebase", "Install"),
    ]
    # a note's paragraphs are set in by four spaces (GitHub's notes): text, not code
    note = "Fees apply.[^1]\n\n[^1]: Paid yearly.\n\n    Refunds are made within 30 days.\n"
    assert unseen_markdown(note) == (note, frozenset())


def test_a_markdown_paragraph_in_lower_case_is_its_own(tmp_path: Path) -> None:
    """In markdown a blank line ends a paragraph: one opening in lower case, as one opening
    with code does once its marks are read ("`util.print()` has been removed."), is a
    paragraph of its own, not the end of the one before that ended no sentence ("Type:
    End-of-Life"). A sentence that runs into code still runs on after it."""
    assert _markdown(
        tmp_path,
        "## DEP0026\n\nType: End-of-Life\n\n`util.print()` has been removed.\n\n"
        "Build it by including\n\n```c\n#include <node_api.h>\n```\n\nand by linking it.\n",
    ) == [
        ("Type: End-of-Life", "DEP0026"),
        ("util.print() has been removed.", "DEP0026"),
        ("Build it by including", "DEP0026"),
        ("#include <node_api.h>\n\nand by linking it.", "DEP0026"),
    ]


def test_short_lines_set_together_in_plain_text_are_text_not_a_heading() -> None:
    """In plain text nothing but its shape tells a heading: short lines set together
    without a stop ("Customer service" / "Phone: 012 555 12 34" / "Office hours 9 to 18", a
    name over its e-mail, a price) were read as one heading, so in no clause ("What is the
    phone number?" found none), and the clauses under them were cited under a phone
    number. Such a block is text, and so is a field whose value is a number ("Delivery
    fee: 20 AZN"); an underline, capitals or a number still make it a title ("Chapter 3:
    Fees"), and so does opening the document."""
    licences = "10.4. Distributing Source Code Form that is Incompatible With Secondary Licenses"
    text = (
        "GNU GENERAL PUBLIC LICENSE\n   Version 3, 29 June 2007\n\n"
        "These rules set the quality of broadband.\n\n2. Contact\n\n"
        "Customer service\nPhone: 012 555 12 34\nOffice hours 9 to 18\n\n"
        "Complaints are answered within ten days.\n\nInstallation fee\n50 AZN\n\n"
        "Chapter 3: Fees\n\nDelivery fee: 20 AZN\n\nTel.: +994 12 493 00 04\n\n"
        "Fees\n----\n\nThe fee is paid once.\n\nTERMS AND CONDITIONS\nFOR COPYING\n\n"
        "Copying is free.\n\n" + licences.replace(" With", "\nWith") + "\n\n"
        "Clark Cooper\nclark@example.org\n\nThe notice is kept."
    )
    assert [(c.text, c.heading.split(" — ")[-1]) for c in segment(_doc(text))] == [
        (
            "These rules set the quality of broadband.",
            "GNU GENERAL PUBLIC LICENSE Version 3, 29 June 2007",
        ),
        ("Customer service\nPhone: 012 555 12 34\nOffice hours 9 to 18", "2. Contact"),
        ("Complaints are answered within ten days.", "2. Contact"),
        ("Installation fee\n50 AZN", "2. Contact"),
        ("Delivery fee: 20 AZN", "Chapter 3: Fees"),
        ("Tel.: +994 12 493 00 04", "Chapter 3: Fees"),
        ("The fee is paid once.", "Fees"),
        ("Copying is free.", "TERMS AND CONDITIONS FOR COPYING"),
        ("Clark Cooper\nclark@example.org", licences),
        ("The notice is kept.", licences),
    ]


def test_what_no_title_holds_makes_no_heading() -> None:
    """A short line with an e-mail or web address ("Julian Seward, jseward@acm.org",
    "Homepage: https://www.freetype.org"), a shell's prompt ("$ make check"), a relative
    path or a command's long option ("./configure --prefix=/usr") is text,
    in any format: it headed the clauses under it, and was in none. The document's own
    title block may end with its address, and a heading its markup marks may hold one;
    and a title page's authors over their address, at a page's end, are not carried on by
    the next page's text as a sentence a page break cut."""
    text = (
        "Apache License\nVersion 2.0, January 2004\nhttp://www.apache.org/licenses/\n\n"
        "The terms follow.\n\nJulian Seward, jseward@acm.org\n\nThe ideas are due to many.\n\n"
        "$ make check\n\nRuns the tests.\n\n./configure --prefix=/usr\n\nSets it up.\n\n"
        "Fabio Fiorina (help-libtasn1@gnu.org)\n\n"
        "This manual is for GNU Libtasn1."
    )
    paged = _paged(text, "This manual")
    title = "Apache License Version 2.0, January 2004 http://www.apache.org/licenses/"
    assert [(c.text, c.heading) for c in segment(paged)] == [
        ("The terms follow.", title),
        ("Julian Seward, jseward@acm.org", title),
        ("The ideas are due to many.", title),
        ("$ make check", title),
        ("Runs the tests.", title),
        ("./configure --prefix=/usr", title),
        ("Sets it up.", title),
        ("Fabio Fiorina (help-libtasn1@gnu.org)", title),
        ("This manual is for GNU Libtasn1.", title),
    ]
    marked = Document(DocumentInfo("t", "T", "t.md", format="md"), "# Write to a@b.org\n\nText.", 0)
    assert [(c.text, c.heading) for c in segment(marked)] == [("Text.", "Write to a@b.org")]


def test_what_a_sentence_introduces_is_no_heading() -> None:
    """A short line right after a sentence that ends in a colon is what the sentence
    introduces ("Write to the ministry at:" over "33 Boulevard Street"; "Run:" over a
    command; "would return:" over a sample between rules): it was read as a heading over
    the text after it, and was in no clause. A heading underlined (or numbered) still
    heads; a block of lines opening with "#" in plain text is a comment's, not a title."""
    text = (
        "Fees\n====\n\nWrite to the ministry at:\n\n33 Boulevard Street\n\n"
        "The ministry answers in ten days.\n\nThe rules follow:\n\nAppeals\n-------\n\n"
        "An appeal is free.\n\nIt returns:\n\n-----\nfoo.c:2: ok\n-----\n\n"
        "# a comment\nset x 1\n\nThe end."
    )
    assert [(c.text, c.heading) for c in segment(_doc(text))] == [
        ("Write to the ministry at:", "Fees"),
        ("33 Boulevard Street", "Fees"),
        ("The ministry answers in ten days.", "Fees"),
        ("The rules follow:", "Fees"),
        ("An appeal is free.", "Appeals"),
        ("It returns:", "Appeals"),
        ("-----\nfoo.c:2: ok\n-----", "Appeals"),
        ("# a comment\nset x 1", "Appeals"),
        ("The end.", "Appeals"),
    ]


def test_a_numbered_list_s_items_without_stops_are_clauses_of_their_own(tmp_path: Path) -> None:
    """Items numbered in turn, line under line, that end no sentence ("1. Go to the
    site" / "2. Click on Settings", a form's "1. Name" / "2. Address") were one clause in
    plain text, markdown and OCR's text, each item cut only after a stop: each is its own
    clause now, cited by its number, as the HTML and DOCX readers read them. A line that a
    paragraph wraps, whatever number it opens with, and an item's own lines, stay its."""
    clauses = segment(
        _doc(
            "Steps:\n\n1. Go to the ministry's site\n2. Click on Settings\n3. Choose a tariff\n\n"
            "1. Operators pay a fee for each\n   licence, and the fee is due in\n"
            "3. instalments a year"
        )
    )
    assert [(c.text, c.ref) for c in clauses] == [
        ("Steps:", ""),
        ("1. Go to the ministry's site", "1"),
        ("2. Click on Settings", "2"),
        ("3. Choose a tariff", "3"),
        (
            "1. Operators pay a fee for each\n   licence, and the fee is due in\n"
            "3. instalments a year",
            "1",
        ),
    ]
    assert _markdown(tmp_path, "# Access\n\n1. Go to the site\n2. Click on Settings\n") == [
        ("1. Go to the site", "Access"),
        ("2. Click on Settings", "Access"),
    ]

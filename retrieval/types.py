"""Plain data passed between the stages of the pipeline."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrieval.confidence import Features


@dataclass(frozen=True)
class DocumentInfo:
    """A document's metadata: what citations and listings need."""

    doc_id: str
    title: str
    path: str
    short_title: str = ""
    date: str = ""  # ISO date, e.g. 2012-11-05, or free text
    place: str = ""
    author: str = ""
    kind: str = ""
    format: str = "txt"
    # the pages (from 1: "1,3") whose text was read by OCR, a scan's: a quote from them is
    # what OCR read (citation.cite says so)
    ocr_pages: str = ""
    # questions this document answers, to offer readers as examples (the Telegram bot's
    # /help), separated by " | "; front matter `examples:`
    examples: str = ""

    @property
    def example_questions(self) -> list[str]:
        return [q.strip() for q in self.examples.split(" | ") if q.strip()]

    @property
    def label(self) -> str:
        """The name used in citations: the short title if there is one."""
        return self.short_title or self.title


@dataclass(frozen=True)
class Document:
    """One source file of the corpus: its metadata and its text as read."""

    info: DocumentInfo
    text: str  # the whole file, front matter included; for PDF, DOCX, ODT, HTML the extracted text
    body_start: int  # offset in `text` where the document proper begins
    pages: tuple[int, ...] = ()  # offsets in `text` where pages 2, 3, … start (paged formats)
    # offsets in `text` where a paragraph starts that the document sets as body text, no
    # heading however short (formats.Body; DOCX and ODT)
    plain: frozenset[int] = frozenset()
    # the pages (from 0) read a column or a side at a time (formats.Extracted.columns)
    columns: frozenset[int] = frozenset()
    # offsets in `text` where a block of preformatted text starts (formats.Code; HTML's)
    code: frozenset[int] = frozenset()
    # offsets in `text` where a block wholly of links to places in the document starts (a
    # PDF's table of contents without page numbers: formats.Extracted.linked)
    linked: frozenset[int] = frozenset()

    @property
    def doc_id(self) -> str:
        return self.info.doc_id


HEADINGS_JOINED = " — "  # between the headings of a group over one clause (Clause.heading)


@dataclass(frozen=True)
class Clause:
    """A citable unit of a document: its exact text and where it stands."""

    doc_id: str
    number: int  # 1-based, in reading order within the document
    start: int  # character offsets into Document.text
    end: int
    text: str  # == Document.text[start:end]
    label: str = ""  # e.g. "phone, fax and e-mail" for a part of a letter header
    heading: str = ""  # the heading(s) the clause stands under, for context (HEADINGS_JOINED)
    page: int | None = None  # 1-based page of the clause's start, for paged formats
    # the document's own number for the clause, with those of the list items it is nested in
    # ("Article 5", "2", "2(b)", "(a)(ii)"), if any (retrieval.numbering)
    ref: str = ""
    section: str = ""  # the number of the heading it stands under ("Article 2"), if any
    # the number of the clause introducing the list it is an item of, or of the item its
    # sub-list is nested in; 0 if none
    lead: int = 0

    @property
    def clause_id(self) -> str:
        return str(self.number)


@dataclass(frozen=True)
class Citation:
    """Where a clause stands: enough for a reader to find it in the original."""

    doc_id: str
    clause_id: str
    text: str  # e.g. "Baku Declaration (5 November 2012), ¶7"

    def __str__(self) -> str:
        return self.text


MAX_NAMED = 5  # of a passage's versions, named after it by a front end (Passage.elsewhere)


@dataclass(frozen=True)
class Hit:
    """A clause as the ranking (retrieval.ranking.rank) places it for a question."""

    clause: Clause
    score: float
    highlight: tuple[int, int] | None = None
    # what it stands for too: the same clause in other languages, or word for word in other
    # documents (retrieval.parallel)
    versions: tuple[Clause, ...] = ()
    index: int = -1  # its index in LoadedIndex.clauses, where the ranking gives it


@dataclass(frozen=True)
class Ranking:
    """The ranking's answer to a question: its hits, best first, and the abstention's."""

    hits: tuple[Hit, ...]
    abstained: bool
    confidence: float  # calibrated probability that the best clause answers the question
    features: Features | None = None
    language: str | None = None  # the question's (ranking.question_language)


@dataclass(frozen=True)
class Passage:
    """A clause returned for a question, with its score and best sentence."""

    clause: Clause
    citation: Citation
    score: float
    highlight: tuple[int, int] | None = None  # span of the best sentence within clause.text
    # the clauses that introduce the list this one is an item of ("... does not apply to:")
    # and the items it is nested in, outermost first (Clause.lead), quoted with it: an item
    # alone can read as the opposite of what the document says
    leads: tuple[Clause, ...] = ()
    # the items of the list the clause opens ("... does not apply to:" -> "(a) ...", ...),
    # the first MAX_ITEMS of them, quoted after it: what such a clause says is in them
    items: tuple[Clause, ...] = ()
    more_items: int = 0  # the list's items past those
    # the footnotes its marks call ("… every year[1]." -> "[1] By the Board."), quoted after it:
    # a note often says what the clause rests on (LoadedIndex.footnotes)
    footnotes: tuple[Clause, ...] = ()
    # the width its document's lines are wrapped at, 0 where they are not: where a line
    # break is the page's, not the document's (retrieval.reflow)
    wrap: int = 0
    # the same clause elsewhere (retrieval.parallel): in the corpus's other languages, where
    # its document's translations stand beside it, or word for word in other documents;
    # named after it, not quoted again as passages
    versions: tuple[tuple[Clause, Citation], ...] = ()
    # the question the document sets over the clause, where the heading it stands under is
    # one (a page of questions and answers), quoted before it: an answer ("No.", "Only
    # without flash.") says nothing without what it answers; and whether clauses of the same
    # answer stand between the two (a "…" then). LoadedIndex.heading_question
    heading_question: str = ""
    question_gap: bool = False

    @property
    def text(self) -> str:
        return self.clause.text

    def elsewhere(self, shown: int = MAX_NAMED) -> tuple[list[str], int]:
        """The citations of the first `shown` of its versions, as an answer names them, and
        how many more it has (a footer repeated on every page of a manual has many). A
        citation that another of them, or the passage's own, also reads (copies of one
        document under two names) names its document's id, so that each can be found."""
        named = self.versions[:shown]
        texts = Counter([self.citation.text, *(cited.text for _, cited in named)])
        return [
            f"{cited.text} [{clause.doc_id}]" if texts[cited.text] > 1 else cited.text
            for clause, cited in named
        ], max(0, len(self.versions) - shown)

    def openings(self) -> list[tuple[Clause, bool]]:
        """The clauses that open the list this one is an item of (`leads`), outermost first,
        each with whether items stand between it and the next one quoted (a "…" then)."""
        return [
            (lead, lead.number != after.number - 1)
            for lead, after in itertools.pairwise((*self.leads, self.clause))
        ]


MAX_ITEMS = 10  # of a list, quoted after the clause that opens it (Passage.items)

# Below this calibrated probability an answer is given but said to be uncertain: the model
# finds it likelier that the documents do not answer than that they do. The threshold of an
# abstention lies lower, to refuse at most 4% of answerable questions in any language
# (retrieval.calibrate); between the two lie 85% of the benchmark's `outside` questions that
# are answered, and 10% of its answerable ones (docs/quality.md, session 26).
EVEN_ODDS = 0.5


@dataclass(frozen=True)
class Answer:
    question: str
    passages: tuple[Passage, ...]
    abstained: bool
    notes: tuple[str, ...] = field(default=())
    confidence: float = 0.0  # calibrated probability that the documents answer the question
    # places the question asks for in the documents' own words that none of them has
    # ("Article 9" of four articles; retrieval.lookup), as the question writes them
    unplaced: tuple[str, ...] = ()

    @property
    def uncertain(self) -> bool:
        """Answered, but likelier not answered by the documents than answered (EVEN_ODDS)."""
        return not self.abstained and bool(self.passages) and self.confidence < EVEN_ODDS

    def to_json(self) -> dict[str, object]:
        return {
            "question": self.question,
            "abstained": self.abstained,
            "uncertain": self.uncertain,
            "confidence": round(self.confidence, 4),
            "passages": [
                {
                    "doc_id": p.clause.doc_id,
                    "clause_id": p.clause.clause_id,
                    "citation": p.citation.text,
                    "text": p.clause.text,
                    "score": round(p.score, 4),
                    **({"label": p.clause.label} if p.clause.label else {}),
                    **({"heading_question": p.heading_question} if p.heading_question else {}),
                    **(
                        {"highlight": p.clause.text[p.highlight[0] : p.highlight[1]]}
                        if p.highlight
                        else {}
                    ),
                    **(
                        {"leads": [{"clause_id": c.clause_id, "text": c.text} for c in p.leads]}
                        if p.leads
                        else {}
                    ),
                    **(
                        {"items": [{"clause_id": c.clause_id, "text": c.text} for c in p.items]}
                        if p.items
                        else {}
                    ),
                    **({"more_items": p.more_items} if p.more_items else {}),
                    **(
                        {
                            "footnotes": [
                                {"clause_id": c.clause_id, "text": c.text} for c in p.footnotes
                            ]
                        }
                        if p.footnotes
                        else {}
                    ),
                    **(
                        {
                            "versions": [
                                {
                                    "doc_id": c.doc_id,
                                    "clause_id": c.clause_id,
                                    "citation": cited.text,
                                    "text": c.text,
                                }
                                for c, cited in p.versions
                            ]
                        }
                        if p.versions
                        else {}
                    ),
                }
                for p in self.passages
            ],
            **({"notes": list(self.notes)} if self.notes else {}),
            **({"unplaced": list(self.unplaced)} if self.unplaced else {}),
        }

"""Scoring retrieval on a question file: hit@1, hit@3, MRR@10, abstention, by language and
by kind, and how well the confidence tells answerable questions from each other kind (AUC).

A question file has one JSON object per line: `question`, `lang`, and `expect`, a list of
evidence strings (a passage answers if it contains one of them; empty for questions the
documents do not answer), and optionally `kind`: `answerable`, `outside` (about something
the documents do not cover), `adversarial` (written against the documents to look
answerable) or `offtopic`. Without `kind`, a question with evidence is `answerable` and one
without is `outside`.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.errors import ClausebotError
from retrieval.types import Answer

DEPTH = 10


@dataclass(frozen=True)
class EvalItem:
    question: str
    lang: str
    expect: tuple[str, ...]
    item_id: str = ""
    kind: str = ""

    @property
    def answerable(self) -> bool:
        return bool(self.expect)

    @property
    def group(self) -> str:
        return self.kind or (ANSWERABLE if self.expect else "outside")


ANSWERABLE = "answerable"


@dataclass
class Outcome:
    item: EvalItem
    rank: int | None  # 1-based rank of the first passage holding the evidence
    abstained: bool
    top: str = ""
    confidence: float = 0.0
    uncertain: bool = False  # answered, headed "may not answer" (Answer.uncertain)


def fold(text: str) -> str:
    return " ".join(text.split()).casefold()


# a word broken at a line's end after a hyphen: "co-" / "organizer", "man-" / "agement"
_BROKEN = re.compile(r"-[ \t]*\n\s*")


def readings(text: str) -> set[str]:
    """A passage's text as an expected phrase is looked for in it, folded: as set, and with
    a word broken after a hyphen at a line's end read whole, hyphen kept ("co-organizer") or
    dropped ("management"), so that a phrase is found wherever a PDF broke its lines."""
    return {fold(text), fold(_BROKEN.sub("-", text)), fold(_BROKEN.sub("", text))}


def read_items(path: Path) -> list[EvalItem]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ClausebotError(f"cannot read question file {path}: {exc}") from None
    items = []
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            items.append(
                EvalItem(
                    question=str(row["question"]),
                    lang=str(row.get("lang", "?")),
                    expect=tuple(str(e) for e in row.get("expect", [])),
                    item_id=str(row.get("id", lineno)),
                    kind=str(row.get("kind", "")),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ClausebotError(f"{path}: line {lineno}: not a question record ({exc})") from None
    return items


def judge(item: EvalItem, answer: Answer) -> Outcome:
    rank = None
    wanted = [fold(e) for e in item.expect]
    for position, passage in enumerate(answer.passages[:DEPTH], start=1):
        if any(w in text for text in readings(passage.text) for w in wanted):
            rank = position
            break
    top = answer.passages[0].citation.text if answer.passages else ""
    return Outcome(item, rank, answer.abstained, top, answer.confidence, answer.uncertain)


@dataclass
class Scores:
    n: int = 0
    in_scope: int = 0
    out_scope: int = 0
    hit1: int = 0
    answered1: int = 0  # first passage answers and the answer was not withheld
    hit3: int = 0
    rr: float = 0.0
    false_abstain: int = 0
    abstained_out: int = 0
    uncertain: int = 0  # answerable questions answered, but headed "may not answer"
    warned_out: int = 0  # out-of-scope questions refused or headed "may not answer"
    misses: list[Outcome] = field(default_factory=list)

    def add(self, o: Outcome) -> None:
        self.n += 1
        if o.item.expect:
            self.in_scope += 1
            self.hit1 += o.rank == 1
            self.answered1 += o.rank == 1 and not o.abstained
            self.hit3 += o.rank is not None and o.rank <= 3
            self.rr += 1.0 / o.rank if o.rank else 0.0
            self.false_abstain += o.abstained
            self.uncertain += o.uncertain
            if o.rank != 1 or o.abstained:
                self.misses.append(o)
        else:
            self.out_scope += 1
            self.abstained_out += o.abstained
            self.warned_out += o.abstained or o.uncertain
            if not o.abstained:
                self.misses.append(o)

    def figures(self) -> dict[str, Any]:
        def ratio(a: float, b: int) -> float | None:
            return round(a / b, 3) if b else None

        return {
            "questions": self.n,
            "in_scope": self.in_scope,
            "out_of_scope": self.out_scope,
            "hit@1": ratio(self.hit1, self.in_scope),
            "answered_hit@1": ratio(self.answered1, self.in_scope),
            "hit@3": ratio(self.hit3, self.in_scope),
            "mrr@10": ratio(self.rr, self.in_scope),
            "false_abstention": ratio(self.false_abstain, self.in_scope),
            "abstention_out_of_scope": ratio(self.abstained_out, self.out_scope),
            "uncertain": ratio(self.uncertain, self.in_scope),
            "warned_out_of_scope": ratio(self.warned_out, self.out_scope),
        }


def auc(positive: list[float], negative: list[float]) -> float | None:
    """The chance that a random positive scores above a random negative (ties count half):
    the area under the ROC curve, by ranks."""
    if not positive or not negative:
        return None
    scores = sorted([(v, 1) for v in positive] + [(v, 0) for v in negative])
    rank_sum = 0.0
    i = 0
    while i < len(scores):
        j = i
        while j < len(scores) and scores[j][0] == scores[i][0]:
            j += 1
        mid = (i + j + 1) / 2  # average 1-based rank of the tied run
        rank_sum += mid * sum(label for _, label in scores[i:j])
        i = j
    n_pos = len(positive)
    return round((rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * len(negative)), 3)


def separation(outcomes: list[Outcome]) -> dict[str, dict[str, float | None]]:
    """AUC of the confidence between answerable questions and each other kind, over all
    languages and per language (where both are present in that language)."""
    kinds = sorted({o.item.group for o in outcomes} - {ANSWERABLE})
    langs = sorted({o.item.lang for o in outcomes})
    table: dict[str, dict[str, float | None]] = {}
    for kind in kinds:
        row: dict[str, float | None] = {}
        for lang in ["all", *langs]:
            chosen = [o for o in outcomes if lang == "all" or o.item.lang == lang]
            pos = [o.confidence for o in chosen if o.item.group == ANSWERABLE]
            neg = [o.confidence for o in chosen if o.item.group == kind]
            if pos and neg:
                row[lang] = auc(pos, neg)
        table[kind] = row
    return table


def evaluate(items: Iterable[EvalItem], ask: Callable[[str], Answer]) -> dict[str, Any]:
    overall = Scores()
    by_lang: dict[str, Scores] = defaultdict(Scores)
    by_kind: dict[str, Scores] = defaultdict(Scores)
    outcomes = []
    for item in items:
        outcome = judge(item, ask(item.question))
        outcomes.append(outcome)
        overall.add(outcome)
        by_lang[item.lang].add(outcome)
        by_kind[item.group].add(outcome)
    return {
        "overall": overall.figures(),
        "by_language": {lang: s.figures() for lang, s in sorted(by_lang.items())},
        "by_kind": {kind: s.figures() for kind, s in sorted(by_kind.items())},
        "auc": separation(outcomes),
        "misses": [
            {
                "id": o.item.item_id,
                "lang": o.item.lang,
                "question": o.item.question,
                "rank": o.rank,
                "abstained": o.abstained,
                "top": o.top,
                "out_of_scope": not o.item.expect,
                "kind": o.item.group,
            }
            for o in overall.misses
        ],
    }

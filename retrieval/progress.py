"""A build's progress: how much of its embedding is done (Progress, counting what the
embedding pass reports), and how it is shown (ProgressReport: a line redrawn on a terminal,
a line a tenth in a log)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TextIO

TEXT_COST = 16  # characters a text costs besides its own: the prefix and the special tokens


def cost(text: str) -> int:
    """About what embedding a text costs, in characters: a model's time grows with its
    tokens, so a paragraph costs what a dozen single words do."""
    return len(text) + TEXT_COST


@dataclass(frozen=True)
class Step:
    """How far a build's embedding has come: texts, and their cost (see `cost`)."""

    texts: int
    total_texts: int
    work: int
    total_work: int


Reporter = Callable[[Step], None] | None


class Progress:
    """Counts embedded texts across models, and their cost (see `cost`), out of the totals
    a build has to embed, and reports each step to a callback."""

    def __init__(self, total_texts: int, total_work: int, callback: Reporter) -> None:
        self.callback = callback
        self.total_texts, self.total_work = total_texts, total_work
        self.texts = self.work = 0

    def advance(self, texts: int, work: int) -> None:
        self.texts += texts
        self.work += work
        if self.callback is not None:
            self.callback(Step(self.texts, self.total_texts, self.work, self.total_work))


PROGRESS_ABOVE = 200  # texts to embed: below, a build is quick and says nothing until done
LOG_STEP = 0.1  # away from a terminal, a line per tenth of the texts


class ProgressReport:
    """Progress of a long build on stderr. On a terminal, one line redrawn with the share
    done and the time left; elsewhere (a log, CI), a line per document before embedding
    starts, then a line per tenth. Shares and the time left are of the work (see `cost`),
    not of the texts: the corpus's paragraphs take longer than its vocabulary's words. The
    time left is the time so far scaled by the work that remains, counted from the end of
    the first batch (which also loads the model)."""

    def __init__(
        self, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.stream = stream or sys.stderr
        self.clock = clock
        self.quiet = False
        self.started: float | None = None
        self.first = 0
        self.logged = 0.0

    def documents(self, counts: Mapping[str, tuple[int, int]], texts: int) -> None:
        """Before embedding `texts` texts: each document's clauses, and how many of them
        must be embedded (the rest are reused); away from a terminal only. A build of
        PROGRESS_ABOVE texts or fewer is quick and says nothing until done."""
        self.quiet = texts <= PROGRESS_ABOVE
        if self.quiet or self.stream.isatty():
            return
        for doc_id, (clauses, todo) in counts.items():
            noun = "clause" if clauses == 1 else "clauses"
            self.stream.write(f"{doc_id}: {clauses} {noun}, {todo} to embed\n")
        self.stream.flush()

    def __call__(self, step: Step) -> None:
        now = self.clock()
        if self.started is None:
            self.started, self.first = now, step.work
        if self.quiet or step.total_texts <= PROGRESS_ABOVE:
            return
        share = step.work / step.total_work if step.total_work else 1.0
        done = step.texts >= step.total_texts
        line = (
            f"embedding {step.texts}/{step.total_texts} texts ({int(100 * share)}%)"
            f"{self._left(step, now)}"
        )
        if self.stream.isatty():
            self.stream.write(f"\r{line}\033[K" + ("\n" if done else ""))
        elif done or share >= self.logged + LOG_STEP:
            self.logged = share
            self.stream.write(line + "\n")
        self.stream.flush()

    def _left(self, step: Step, now: float) -> str:
        counted = step.work - self.first
        if self.started is None or step.texts >= step.total_texts or counted <= 0:
            return ""
        seconds = (now - self.started) / counted * (step.total_work - step.work)
        return f", about {_duration(seconds)} left"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"

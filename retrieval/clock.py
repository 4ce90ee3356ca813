"""Seconds spent in each stage of answering a question, for the benchmark (benchmarks/
latency.py reads them from rank's `timings`)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator


class Clock:
    """Adds the seconds spent in each stage to a dict; the rest of the call goes to `finish`."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.started = time.perf_counter()
        self.counted = 0.0

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        begun = time.perf_counter()
        try:
            yield
        finally:
            if self.timings is not None:
                spent = time.perf_counter() - begun
                self.timings[stage] = self.timings.get(stage, 0.0) + spent
                self.counted += spent

    def finish(self, stage: str) -> None:
        if self.timings is not None:
            rest = time.perf_counter() - self.started - self.counted
            self.timings[stage] = self.timings.get(stage, 0.0) + rest

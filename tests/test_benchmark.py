"""A smoke run of the benchmark (tiny sizes), so that it cannot rot."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_benchmark_quick_run(tmp_path: Path) -> None:
    out = tmp_path / "perf.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["cold_start"]["ask_process_median_s"] > 0
    assert figures["cold_start"]["telegram_ready_s"] > 0
    assert figures["warm"]["plain_e5_p50_ms"] > 0  # the same run's yardstick
    assert figures["warm"]["p50_ms"] > 0 and set(figures["warm"]["stages_p50_ms"]) >= {
        "embed",
        "render",
    }
    # the same questions in a new process, the word bridge's words read from the index's folder
    assert figures["warm"]["words_kept"]["p50_ms"] > 0
    assert [r["clauses"] for r in figures["reindex"]] == [1000, 3000]
    assert all(r["approximate"]["recall_at_10"] > 0.5 for r in figures["search"])
    assert "warm (20 questions, 3 passes, every word new)" in result.stdout
    # each pass's p50, and those of the languages issue 17's targets name
    assert len(figures["warm"]["pass_p50_ms"]) == figures["warm"]["passes"] == 3
    assert figures["warm"]["en_ru_tr_p50_ms"] > 0
    real = figures["xquad_dev"]  # the real models on two of the benchmark's articles
    assert real["paragraphs"] == 10 and real["questions"] == 30
    assert real["fresh_build_s"] > real["unchanged_s"] > 0 and real["p50_ms"] > 0
    assert real["plain_e5_p50_ms"] > 0 and real["words_kept_p50_ms"] > 0
    assert real["words_kept_plain_e5_p50_ms"] > 0

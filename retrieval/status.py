"""What the index holds, and whether the corpus has changed since it was built."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from retrieval.corpus import SUFFIXES, read_document
from retrieval.errors import CorpusError
from retrieval.language import clauses_language
from retrieval.settings import Settings
from retrieval.store import IndexStore, document_checksum


def corpus_checksums(folder: Path) -> dict[str, str]:
    """doc id -> checksum of its file, for the readable documents of a folder."""
    sums: dict[str, str] = {}
    if not folder.is_dir():
        return sums
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() not in SUFFIXES:
            continue
        try:
            document = read_document(path)
            sums.setdefault(document.doc_id, document_checksum(document))
        except CorpusError:
            continue
    return sums


def corpus_signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the corpus files: changes when any file does."""
    if not folder.is_dir():
        return ()
    entries = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in SUFFIXES and not path.name.startswith("."):
            try:
                stat = path.stat()
            except OSError:
                continue
            entries.append((path.name, stat.st_size, stat.st_mtime_ns))
    return tuple(entries)


def index_status(settings: Settings) -> dict[str, Any]:
    loaded = IndexStore(settings.index).load()  # says how to build it if there is none
    return {
        "index": str(settings.index),
        "generation": loaded.generation,
        "model": loaded.model,
        "dimension": loaded.manifest.get("dimension"),
        "built_at": loaded.manifest.get("built_at"),
        "clauses": len(loaded.clauses),
        # the language its clauses are written in (retrieval.language), as the build found it
        "language": clauses_language(loaded),
        "documents": [
            {
                "doc_id": d.doc_id,
                "title": d.title,
                "date": d.date,
                "format": d.format,
                "clauses": sum(1 for c in loaded.clauses if c.doc_id == d.doc_id),
            }
            for d in loaded.documents.values()
        ],
        "corpus_changed": corpus_checksums(settings.corpus) != loaded.manifest.get("documents"),
        "abstention": abstention_status(loaded.model, loaded.tokens is not None),
    }


def abstention_status(model: str, late: bool) -> dict[str, Any]:
    """How a question on an index of these models is refused: whether `clausebot calibrate`
    fitted the abstention for them (else the fallback rule, confidence.FALLBACK), its one
    threshold, and the languages read across languages that have an offset of their own.
    `late`: the index keeps token states; a ranking reads them (and takes that calibration)
    only where clausebot's engine reads the question's too, which an index with token states
    was built by, so an index copied to a machine without the engine is reported as read
    token by token while its questions are not."""
    from retrieval.confidence import FALLBACK, calibration_for

    calibration = calibration_for(model, late)
    return {
        "fitted": calibration is not FALLBACK,
        "threshold": calibration.threshold,
        "language_offsets": list(calibration.languages),
    }

"""What the index holds, and whether the corpus has changed since it was built."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrieval.corpus import SUFFIXES, read_document
from retrieval.errors import ClausebotError, CorpusError
from retrieval.folder import SIDECAR, corpus_files, corpus_name, corpus_signature
from retrieval.language import clauses_language, documents_apart
from retrieval.settings import Settings
from retrieval.store import SEGMENTER_VERSION, IndexStore, document_checksum

if TYPE_CHECKING:
    from retrieval.engine import Engine
    from retrieval.loaded import LoadedIndex

NAMED = 3  # documents named in a note, of each kind; the rest are counted


def corpus_checksums(
    folder: Path, known: Mapping[str, tuple[str, str] | None] | None = None
) -> dict[str, str]:
    """doc id -> checksum of its file, for the readable documents of a folder and the folders
    in it. `known`: file name from the folder (folder.corpus_name) -> (doc id, checksum) of
    files whose checksum is known already, None for one known not to be a document; those
    are not read."""
    sums: dict[str, str] = {}
    if not folder.is_dir():
        return sums
    known = known or {}
    for path in corpus_files(folder):
        if path.suffix.lower() not in SUFFIXES:
            continue
        name = corpus_name(path, folder)
        if name in known:
            found = known[name]
            if found is not None:
                sums.setdefault(*found)
            continue
        try:
            document = read_document(path, folder=folder)
            sums.setdefault(document.doc_id, document_checksum(document))
        except CorpusError:
            continue
    return sums


@dataclass(frozen=True)
class CorpusChanges:
    """The documents of the corpus folder that the index does not hold as they now are."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def to_json(self) -> dict[str, list[str]]:
        return {
            "added": list(self.added),
            "changed": list(self.changed),
            "removed": list(self.removed),
        }

    @classmethod
    def from_json(cls, data: dict[str, list[str]]) -> CorpusChanges:
        return cls(*(tuple(data.get(k, ())) for k in ("added", "changed", "removed")))

    def named(self) -> str:
        """The documents' ids, whatever happened to them, a few named: for any language."""
        ids = (*self.added, *self.changed, *self.removed)
        more = f" +{len(ids) - NAMED}" if len(ids) > NAMED else ""
        return ", ".join(ids[:NAMED]) + more

    def summary(self) -> str:
        """'new: f; changed: a, b': the documents by what happened to them, a few named."""
        parts = []
        for kind, ids in (
            ("new", self.added),
            ("changed", self.changed),
            ("removed", self.removed),
        ):
            if ids:
                more = f" and {len(ids) - NAMED} more" if len(ids) > NAMED else ""
                parts.append(f"{kind}: {', '.join(ids[:NAMED])}{more}")
        return "; ".join(parts)

    def note(self, reader: str = "this answer does") -> str:
        """The changes as a note: what `reader` ("this answer does", "these figures do"),
        read from the index as built, does not read, and what to run."""
        return (
            f"the corpus has changed since the index was built ({self.summary()}), and "
            f"{reader} not read those changes: run clausebot index"
        )


def _checksums_now(folder: Path, loaded: LoadedIndex, built: dict[str, str]) -> dict[str, str]:
    """corpus_checksums(folder), reading only the documents whose file or sidecar differs in
    name, size or modification time from what the build saw (`corpus_files` in the manifest):
    a question's check costs a listing of the folder, not a reading of every PDF in it. An
    index built before the manifest kept them has every document read."""
    recorded = loaded.manifest.get("corpus_files")
    if not isinstance(recorded, list):
        return corpus_checksums(folder)
    seen = {str(name): (size, mtime) for name, size, mtime in recorded}
    now = {name: (size, mtime) for name, size, mtime in corpus_signature(folder)}
    differ = {n for n in now.keys() | seen.keys() if now.get(n) != seen.get(n)}
    touched = {name.removesuffix(SIDECAR) for name in differ}  # a sidecar's is its document's
    doc_of = {corpus_name(Path(d.path), folder): d.doc_id for d in loaded.documents.values()}
    # as the build read them: a document with its checksum, or a file it left out
    known = {
        name: (doc_of[name], built[doc_of[name]])
        if name in doc_of and doc_of[name] in built
        else None
        for name in seen
        if name not in touched
    }
    return corpus_checksums(folder, known)


def corpus_changes(folder: Path, loaded: LoadedIndex) -> CorpusChanges:
    """How the readable documents of `folder` differ from those `loaded` was built from
    (none when there is no such folder: an index may be served without its corpus)."""
    if not folder.is_dir():
        return CorpusChanges()
    built = loaded.manifest.get("documents")
    built = built if isinstance(built, dict) else {}
    now = _checksums_now(folder, loaded, built)
    return CorpusChanges(
        added=tuple(sorted(now.keys() - built.keys())),
        changed=tuple(sorted(d for d in now.keys() & built.keys() if now[d] != built[d])),
        removed=tuple(sorted(built.keys() - now.keys())),
    )


def changes_since_build(engine: Engine) -> CorpusChanges:
    """corpus_changes of the engine's corpus folder and the index it serves; none when either
    cannot be read: what is said of them is a courtesy, and an answer stands without it."""
    try:
        return corpus_changes(engine.settings.corpus, engine.index(build_if_missing=False))
    except (OSError, ClausebotError):
        return CorpusChanges()


def built_by_earlier_version(loaded: LoadedIndex) -> bool:
    """Was the index built by a clausebot that cut documents into clauses, or cited them,
    otherwise (an earlier store.SEGMENTER_VERSION)? It serves as it was built until
    `clausebot index` reads the documents again (embedding only text that changed)."""
    inputs = loaded.manifest.get("inputs")
    segmenter = inputs.get("segmenter") if isinstance(inputs, dict) else None
    return isinstance(segmenter, int) and segmenter < SEGMENTER_VERSION


def outdated(engine: Engine) -> bool:
    """built_by_earlier_version of the index the engine serves; False when it cannot be read
    (a courtesy, as changes_since_build)."""
    try:
        return built_by_earlier_version(engine.index(build_if_missing=False))
    except (OSError, ClausebotError):
        return False


OUTDATED_NOTE = (
    "the index was built by an earlier version of clausebot, which cut documents into "
    "clauses and cited them otherwise: run clausebot index (it embeds only text that changed)"
)


def index_status(settings: Settings) -> dict[str, Any]:
    loaded = IndexStore(settings.index).load()  # says how to build it if there is none
    changes = corpus_changes(settings.corpus, loaded)
    language, apart = clauses_language(loaded), documents_apart(loaded)
    counts = Counter(c.doc_id for c in loaded.clauses)
    return {
        "index": str(settings.index),
        "generation": loaded.generation,
        "model": loaded.model,
        "dimension": loaded.manifest.get("dimension"),
        "built_at": loaded.manifest.get("built_at"),
        "clauses": len(loaded.clauses),
        # the language its clauses are written in (retrieval.language), as the build found it
        "language": language,
        "documents": [
            {
                "doc_id": d.doc_id,
                "title": d.title,
                "date": d.date,
                "format": d.format,
                "clauses": counts[d.doc_id],
                # its own language, where the build told it apart from the clauses' (one in
                # Russian among English ones: each is read in its own, retrieval.reading)
                "language": apart.get(d.doc_id, language),
            }
            for d in loaded.documents.values()
        ],
        "built_by_earlier_version": built_by_earlier_version(loaded),
        "corpus_found": settings.corpus.is_dir(),
        "corpus_changed": bool(changes),
        "corpus_changes": changes.to_json(),
        "abstention": abstention_status(loaded.model, loaded.tokens is not None),
        "word_table": word_table_status(loaded.spaces[0].model),
    }


def word_table_status(model: str) -> dict[str, Any] | None:
    """The install's table of common words for `model`, the one whose words the bridge reads
    (retrieval.word_table): its file and how many words it holds; None if there is none."""
    from retrieval import word_table

    found = word_table.table(model)
    return None if found is None else {"path": str(found.path), "words": len(found)}


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

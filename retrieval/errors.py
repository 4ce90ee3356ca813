"""The exceptions clausebot raises; front ends turn each into one clear line."""

from __future__ import annotations

from pathlib import Path


class ClausebotError(Exception):
    """Base class: a problem the user can fix. The message says what and how."""


class CorpusError(ClausebotError):
    """The corpus folder or one of its documents cannot be read."""


class DocumentExistsError(CorpusError):
    """A document of the same file name is in the corpus already: adding one replaces it
    only when asked to. Carries the file's name, so that each front end says how to ask
    in its own words (the message says it as the command line does)."""

    def __init__(self, target: Path) -> None:
        super().__init__(f"{target} already exists: pass --force to replace it")
        self.name = target.name


class IdTakenError(CorpusError):
    """Another document of the corpus has the id a document would be added under. Carries
    the id and the other document's file name (the message says the remedy as the command
    line does)."""

    def __init__(self, doc_id: str, other: Path) -> None:
        super().__init__(
            f"id {doc_id!r} is already used by {other}: choose another with --id, or "
            "replace that file (same name, --force)"
        )
        self.doc_id = doc_id
        self.other = other.name


class IndexMissingError(ClausebotError):
    """No index has been built yet at the configured place."""


class IndexMismatchError(ClausebotError):
    """The index on disk was built with another model or schema."""


class IndexCorruptError(ClausebotError):
    """An index file is missing, truncated or altered."""


class IndexLockedError(ClausebotError):
    """Another process is building the index right now."""


class ModelError(ClausebotError):
    """The embedding model cannot be loaded."""


class QuestionError(ClausebotError):
    """The question cannot be answered as given (empty, unusable)."""


class ConfigError(ClausebotError):
    """A setting is missing or invalid."""

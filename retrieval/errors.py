"""The exceptions clausebot raises; front ends turn each into one clear line."""

from __future__ import annotations


class ClausebotError(Exception):
    """Base class: a problem the user can fix. The message says what and how."""


class CorpusError(ClausebotError):
    """The corpus folder or one of its documents cannot be read."""


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

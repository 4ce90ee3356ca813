"""late.c's products of a few vectors with many rows, through clausebot's engine
(retrieval.native), each with NumPy's answer where the engine cannot: late interaction's token
matches (retrieval.late) and the word bridge's cosines with the vocabulary (retrieval.bridge).
Each sums a cosine dimension by dimension: NumPy's values to the last bits of a float
(tests/test_native.py)."""

from __future__ import annotations

import ctypes

import numpy as np

from retrieval.native import library

_FLOATS = ctypes.POINTER(ctypes.c_float)


def token_matches(
    states: np.ndarray, starts: np.ndarray, ids: np.ndarray, question: np.ndarray
) -> np.ndarray | None:
    """late.token_matches through the engine (late.c): each question token's best cosine with
    the tokens of each clause `ids`, read where they lie in `states` (single or half
    precision); None where the engine cannot (no engine, other types or widths)."""
    lib = library()
    dim = states.shape[1] if states.ndim == 2 else 0
    if (
        lib is None
        or states.dtype not in (np.float32, np.float16)
        or not states.flags.c_contiguous
        or starts.dtype != np.int64
        or dim % 8
        or question.ndim != 2
        or question.shape[1] != dim
    ):
        return None
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    starts = np.ascontiguousarray(starts)
    question = np.ascontiguousarray(question, dtype=np.float32)
    out = np.empty((len(ids), len(question)), dtype=np.float32)
    if lib.late_token_matches(
        states.ctypes.data,
        int(states.dtype == np.float16),
        starts.ctypes.data,
        ids.ctypes.data,
        len(ids),
        question.ctypes.data_as(_FLOATS),
        len(question),
        dim,
        out.ctypes.data_as(_FLOATS),
    ):
        return None
    return out


def cosines(rows: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """`vectors @ rows.T` (both float32, one vector a row): for two vectors or more through
    the engine (late.c), which reads each row once where BLAS packs them all for every
    product (xquad-dev's 3,490 vocabulary words against 11 vectors: 0.26 ms against 0.72);
    NumPy's for one vector, or where the engine cannot. The same values to the last bits of
    a float."""
    lib = library()
    dim = rows.shape[1] if rows.ndim == 2 else 0
    if (
        lib is not None
        and len(vectors) >= 2
        and rows.dtype == np.float32
        and rows.flags.c_contiguous
        and not dim % 8
        and vectors.ndim == 2
        and vectors.shape[1] == dim
    ):
        read = np.ascontiguousarray(vectors, dtype=np.float32)
        out = np.empty((len(read), len(rows)), dtype=np.float32)
        if not lib.rows_cosines(
            rows.ctypes.data_as(_FLOATS),
            len(rows),
            read.ctypes.data_as(_FLOATS),
            len(read),
            dim,
            out.ctypes.data_as(_FLOATS),
        ):
            return out
    return (rows @ vectors.T).T  # (many x few), transposed: BLAS takes it faster so

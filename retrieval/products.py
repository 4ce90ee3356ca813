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
    readable = _engine_reads(lib, states, (np.float32, np.float16), question)
    if not readable or starts.dtype != np.int64:
        return None
    dim = question.shape[1]
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
    if len(vectors) >= 2 and _engine_reads(lib, rows, (np.float32,), vectors):
        dim = vectors.shape[1]
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


def _engine_reads(lib: object, rows: np.ndarray, types: tuple[type, ...], few: np.ndarray) -> bool:
    """Whether late.c can take `few` (one vector a row) against `rows`: an engine, rows of
    one of `types` in one block, eight floats at a time, and vectors as wide."""
    dim = rows.shape[1] if rows.ndim == 2 else 0
    return (
        lib is not None
        and rows.dtype in types
        and rows.flags.c_contiguous
        and not dim % 8
        and few.ndim == 2
        and few.shape[1] == dim
    )

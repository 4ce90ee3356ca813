"""Dense scores: each unit's cosine with a question, each clause's best unit, z-scores over the
corpus, the best clauses of a score array, and the sentence to highlight.

A clause is embedded whole and, when it has several sentences, sentence by sentence, and a
part of a letter also by its role alone; a clause scores its best unit (retrieval.store lays
the units out clause by clause: LoadedIndex.unit_starts).
"""

from __future__ import annotations

import numpy as np

from retrieval.loaded import ANN_ABOVE, LoadedIndex, Space

EXACT_LIMIT = ANN_ABOVE  # up to this many units, score every unit; above, ask FAISS for candidates
CANDIDATES = 200
# hubness (see hubness): a unit's mean cosine with its HUB_NEIGHBOURS nearest everyday
# questions of a language, taken off its cosine with a question of that language at
# HUB_WEIGHT; CSLS's own neighbourhood size and weight (Conneau et al., 2018: 2cos - r)
HUB_NEIGHBOURS = 10
HUB_WEIGHT = 0.5
HUB_CHUNK = 65_536  # units at a time, so that a million units need no gigabyte at once


def every_unit_scored(space: Space) -> bool:
    """Whether unit_scores scores every unit (EXACT_LIMIT), whatever group it is given."""
    return len(space.vectors) <= EXACT_LIMIT


def unit_scores(space: Space, query: np.ndarray, group: np.ndarray | None = None) -> np.ndarray:
    """Cosine of every unit; -1 for units FAISS did not return (large corpora). `group` (a
    mask: in a corpus of documents in several languages, one language's) is what is
    searched past EXACT_LIMIT, the others left -1: its units are scored every one where
    they are at most EXACT_LIMIT, and FAISS returns candidates of it alone where more. (A
    search of all units for a vector read towards a language would return few of a small
    group's, or none.)"""
    if every_unit_scored(space):
        return np.asarray(space.vectors @ query, dtype=np.float32)
    unit_scores = np.full(len(space.vectors), -1.0, dtype=np.float32)
    if group is not None and int(group.sum()) <= EXACT_LIMIT:
        members = np.flatnonzero(group)
        for start in range(0, len(members), HUB_CHUNK):
            chunk = members[start : start + HUB_CHUNK]
            unit_scores[chunk] = space.vectors[chunk] @ query
        return unit_scores
    scores, ids = _search(space, query, group)
    keep = ids[0] >= 0
    unit_scores[ids[0][keep]] = scores[0][keep]
    return unit_scores


def _search(
    space: Space, query: np.ndarray, group: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """FAISS's CANDIDATES best units for the query, of `group` alone where given."""
    count = min(CANDIDATES, len(space.vectors))
    if group is None:
        found: tuple[np.ndarray, np.ndarray] = space.dense.search(query[None, :], count)
        return found
    import faiss

    bits = np.packbits(group, bitorder="little")  # kept alive through the search
    chosen = faiss.IDSelectorBitmap(len(group), faiss.swig_ptr(bits))
    probes = getattr(space.dense, "nprobe", None)  # an inverted-file index's (ANN_PROBES)
    if probes is None:
        params = faiss.SearchParameters()
    else:
        params = faiss.SearchParametersIVF()
        params.nprobe = probes
    params.sel = chosen
    found = space.dense.search(query[None, :], count, params=params)
    return found


def clause_scores(loaded: LoadedIndex, units: np.ndarray, sentence_units: bool) -> np.ndarray:
    """Each clause's score: its best unit's (itself, a sentence, its role), or its own only."""
    if sentence_units:
        return np.maximum.reduceat(units, loaded.unit_starts)
    return units[loaded.unit_starts]


def zscores(scores: np.ndarray) -> np.ndarray:
    valid = scores > -1.0
    if valid.sum() < 2:
        return np.where(valid, 0.0, -10.0)
    mean, std = scores[valid].mean(), scores[valid].std()
    return np.where(valid, (scores - mean) / (std + 1e-6), -10.0)


def highlight(loaded: LoadedIndex, unit_scores: np.ndarray, clause: int) -> tuple[int, int] | None:
    """The span of the clause's best sentence, if it has more than one."""
    start, end = loaded.unit_range(clause)
    sentences = start + np.flatnonzero(loaded.units[start:end, 1] >= 0)
    if len(sentences) == 0:
        return None  # the clause whole (and its role) only
    top = int(sentences[np.argmax(unit_scores[sentences])])
    return int(loaded.units[top, 1]), int(loaded.units[top, 2])


def best(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the n highest scores, best first (ties in index order); without sorting
    the whole array, which matters at a million clauses."""
    if n >= len(scores):
        return np.argsort(-scores, kind="stable")
    top = np.argpartition(-scores, n - 1)[:n]
    return top[np.lexsort((top, -scores[top]))]


def hubness(space: Space, language: str) -> np.ndarray | None:
    """How close each unit lies to questions of a language in general: its mean cosine with
    its HUB_NEIGHBOURS nearest everyday questions (weather, cooking, travel; nothing of any
    corpus) of that language; None without them. Read across languages, a few texts lie
    near most questions of a language (hubs) and come first for questions they do not
    answer; taking this off, as CSLS does for word translation, lets the one that answers
    lead. Computed once per language and kept."""
    if language in space.hubs:
        return space.hubs[language]
    reference = space.asked.get(language)
    if reference is None or len(reference) < HUB_NEIGHBOURS:
        return None
    chunks = []
    for start in range(0, len(space.vectors), HUB_CHUNK):
        cosines = space.vectors[start : start + HUB_CHUNK] @ reference.T
        nearest = np.partition(cosines, len(reference) - HUB_NEIGHBOURS, axis=1)
        chunks.append(nearest[:, -HUB_NEIGHBOURS:].mean(1))
    hubs = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    space.hubs[language] = hubs
    return hubs

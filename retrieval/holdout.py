"""An index without some of its documents, in memory: what the corpus would be had they never
been added. Fitting the abstention model needs questions that a corpus does not answer in
every language its readers ask in; an answerable question put to the corpus without the
documents that answer it is one (its words, topic and language are those of a real question,
only the answer is gone). Nothing is embedded again: the vectors are the index's own.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np

from retrieval.lexical import LexicalIndex
from retrieval.loaded import LoadedIndex, dense_index
from retrieval.store import CLAUSES
from retrieval.units import lexical_text
from retrieval.vocabulary import names, stored_counts, vocabulary


def without_documents(loaded: LoadedIndex, left_out: set[str]) -> LoadedIndex:
    """`loaded` less the documents `left_out`: their clauses, units, words and names."""
    keep = np.array([c.doc_id not in left_out for c in loaded.clauses], dtype=bool)
    number = np.cumsum(keep) - 1  # new number of each kept clause
    clauses = [c for c, k in zip(loaded.clauses, keep.tolist(), strict=True) if k]
    unit_keep = keep[loaded.units[:, 0]] if len(loaded.units) else np.zeros(0, dtype=bool)
    units = loaded.units[unit_keep].copy()
    units[:, 0] = number[units[:, 0]]
    records = json.loads((loaded.folder / CLAUSES).read_text(encoding="utf-8"))
    counts = [v for doc, v in stored_counts(records).items() if doc not in left_out]
    words = vocabulary(counts)
    position = {w: i for i, w in enumerate(loaded.words)}
    rows = np.array([position[w] for w in words if w in position], dtype=np.int64)
    words = [w for w in words if w in position]
    spaces = []
    for space in loaded.spaces:
        vectors = np.ascontiguousarray(space.vectors[unit_keep])
        spaces.append(
            replace(
                space,
                vectors=vectors,
                dense=dense_index(vectors, vectors.shape[1]),
                words=space.words[rows] if len(space.words) else space.words,
                hubs={},
                levels={},
            )
        )
    return LoadedIndex(
        loaded.folder,
        loaded.manifest,
        {k: v for k, v in loaded.documents.items() if k not in left_out},
        clauses,
        units,
        spaces,
        # the kept clauses' tokens are the index's own: none is tokenized again
        LexicalIndex.build([lexical_text(c) for c in clauses], loaded.lexical),
        words,
        frozenset(names(counts)),
        loaded.tokens.subset(keep) if loaded.tokens is not None else None,
    )

"""Dense scores past scores.EXACT_LIMIT: FAISS's candidates, of one group of units alone."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from retrieval import scores
from retrieval.engine import Engine
from retrieval.loaded import dense_index


def test_past_the_exact_limit_a_group_of_units_is_searched_on_its_own(
    fake_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a corpus of documents in several languages each language's units are read apart
    (retrieval.reading). Past EXACT_LIMIT units a search of all of them returns the
    CANDIDATES best of the whole corpus, few of a small group's or none; a group is searched
    on its own: each of its units scored where they are at most EXACT_LIMIT, FAISS's
    candidates among them alone where more (an exact index and an inverted-file one)."""
    fake_engine.build()
    space = fake_engine.store.load().spaces[0]
    count = len(space.vectors)
    monkeypatch.setattr(scores, "EXACT_LIMIT", 10)
    monkeypatch.setattr(scores, "CANDIDATES", 5)
    query = space.vectors[0]
    everything = scores.unit_scores(space, query)
    assert (everything > -1.0).sum() == 5

    few = np.zeros(count, dtype=bool)
    few[-8:] = True
    read = scores.unit_scores(space, query, few)
    assert np.array_equal(read > -1.0, few)
    assert np.allclose(read[few], space.vectors[few] @ query, atol=1e-6)

    group = np.zeros(count, dtype=bool)
    group[count // 2 :] = True
    exact = space.vectors @ query
    best_of_group = np.flatnonzero(group)[np.argsort(-exact[group], kind="stable")[:5]]
    assert not group[np.flatnonzero(everything > -1.0)].all()  # the whole corpus's best
    inverted = dense_index(space.vectors, space.vectors.shape[1], exact_up_to=10)
    assert getattr(inverted, "nprobe", None) is not None
    for dense in (space.dense, inverted):
        read = scores.unit_scores(replace(space, dense=dense), query, group)
        found = np.flatnonzero(read > -1.0)
        assert len(found) == 5 and group[found].all()
        assert np.allclose(read[found], exact[found], atol=1e-5)
    found = np.flatnonzero(scores.unit_scores(space, query, group) > -1.0)
    assert sorted(found.tolist()) == sorted(best_of_group.tolist())

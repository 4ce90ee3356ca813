"""How a question's vector is read against the index's units: as asked, where the clauses
are in the question's language; moved towards theirs across languages, each unit's hubness
for the question's language taken off (bridge.towards_english, scores.hubness); and in a
corpus of documents in several languages (language.mixed_languages), each unit against its
own document's language, the groups set on one scale, the corpus's."""

from __future__ import annotations

import numpy as np

from retrieval import evidence
from retrieval.bridge import towards_english
from retrieval.loaded import Space
from retrieval.reference import everyday_languages
from retrieval.scores import HUB_WEIGHT, hubness, unit_scores


def ranked_units(
    space: Space,
    query: np.ndarray,
    language: str,
    corpus: str = "en",
    groups: dict[str, np.ndarray] | None = None,
    hubs: bool = True,
    reads: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """The unit scores a question of `language` is ranked by: a question not in the corpus's
    language (`corpus`: English, as a rule) is moved towards it, and each unit's hubness for
    its language is taken off (scores.hubness); one in it is read as asked. In a corpus of
    documents in several languages (`groups`: each language's units, language.mixed_languages),
    each unit is read so against its own document's language: a Russian law among English
    reports meets a Russian question as asked, and the reports meet it moved towards
    English; `reads` (where given) gets each group's scores as read_towards reads them,
    before they are set on one scale. Units FAISS did not return keep their -1."""
    if groups is None:
        return read_towards(space, query, language, corpus, hubs)
    units = np.full(len(space.vectors), -1.0, dtype=np.float32)
    # read across languages, every cosine is lower than read within one, and the clause
    # that answers stands out less from the others: each group is set on the scale of the
    # corpus's own language, its level where questions of the question's language on
    # nothing of the corpus's reach in it (the everyday questions' mean score:
    # _group_level), its spread about that level as far as a question's own words stand out
    # there (_lead), so that the groups meet on one scale, the corpus's
    base = _group_level(space, language, corpus, groups[corpus], hubs) if corpus in groups else 0.0
    for target, mask in groups.items():
        whole = read_towards(space, query, language, target, hubs, mask)
        if reads is not None:
            reads[target] = whole
        read = whole[mask]
        placed = read
        if corpus in groups:
            spread = _lead(space, language, corpus) / _lead(space, language, target)
            placed = base + (read - _group_level(space, language, target, mask, hubs)) * spread
        units[mask] = np.where(read > -1.0, np.maximum(placed, -0.999), -1.0)
    return units


def _group_level(space: Space, language: str, target: str, mask: np.ndarray, hubs: bool) -> float:
    """How well everyday questions of `language` (on nothing of any corpus) match the units
    of `mask` (a corpus's documents in `target`), read as read_towards reads them: the mean
    of their scores over those units, a level that the group's size does not raise (as the
    best score's would); kept with the space's levels (evidence.language_level). (Past
    scores.EXACT_LIMIT units, where FAISS returns candidates alone, it is the mean of the
    candidates'.)"""
    return evidence.language_level(
        space,
        language,
        lambda q: read_towards(space, q, language, target, hubs, mask)[mask],
        f"group-{target}-{int(mask.sum())}",
        _mean_read,
    )


def _mean_read(units: np.ndarray) -> float | None:
    """The mean of the scores of the units read (None where none was)."""
    read = units[units > -1.0]
    return float(read.mean()) if len(read) else None


def _lead(space: Space, language: str, target: str) -> float:
    """How far a question of `language` stands out from others on the passage that says
    what it asks, read (as read_towards reads it) against passages in `target`: the same
    everyday questions are in every language, so each one's score with its own words as a
    passage in `target` less its mean score with the others', over the language's
    questions. Kept with the space's levels; 1 without everyday questions in both."""
    key = (language, f"lead-{target}")
    if key not in space.levels:
        space.levels[key] = 1.0
        asked = space.asked.get(language)
        codes = np.array(everyday_languages())
        if space.everyday is not None and asked is not None and len(space.everyday) == len(codes):
            passages = space.everyday[codes == target]
            if len(passages) == len(asked) > 1:
                read = np.stack([towards_english(space, q, language, target) for q in asked])
                scores = read @ passages.T
                own = np.diag(scores)
                others = (scores.sum(axis=1) - own) / (len(own) - 1)
                space.levels[key] = max(float((own - others).mean()), 1e-3)
    return space.levels[key]


def read_towards(
    space: Space,
    query: np.ndarray,
    language: str,
    target: str,
    hubs: bool,
    group: np.ndarray | None = None,
) -> np.ndarray:
    """The unit scores of a question of `language` read against clauses in `target` (those
    of `group`, where given: scores.unit_scores)."""
    if language == target:
        return unit_scores(space, query, group)
    units = unit_scores(space, towards_english(space, query, language, target), group)
    hubbed = hubness(space, language) if hubs else None
    if hubbed is not None:
        units = np.where(units > -1.0, units - HUB_WEIGHT * hubbed, units).astype(np.float32)
    return units

"""The evidence the abstention reads from a ranking (confidence.Features): how much better
the question matches the corpus than off-topic passages and everyday questions, how its best
clause stands among the corpus's clauses, how far its best score rises above what questions
of its language reach in this corpus when it has nothing for them, how strongly its language
carries to English, and how much of it the best clause contains.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from retrieval.embed import Embedder
from retrieval.late import RERANKED, TokenStates, maxsim, reach, token_matches
from retrieval.loaded import LoadedIndex, Space
from retrieval.reference import everyday_languages, everyday_questions, shipped_states
from retrieval.scores import best, clause_scores, every_unit_scored, unit_scores


def relative(space: Space, unit_scores: np.ndarray, query: np.ndarray, everyday: bool) -> float:
    """How much better the question matches the corpus than anything off-topic: the off-topic
    passages and, with `everyday` (for a question not in English), everyday questions in
    several languages. Read across languages, a question's cosines to English texts lie close
    together; an everyday question in its own language is the nearer "anything else"."""
    off_topic = float((space.background @ query).max()) if len(space.background) else 0.0
    if everyday and space.everyday is not None and len(space.everyday):
        off_topic = max(off_topic, float((space.everyday @ query).max()))
    return float(unit_scores.max()) - off_topic


class Reads(NamedTuple):
    """How the primary model read a question: its vector, its unit scores as asked and as
    ranked, the language it was read as, and the reading of its ranked scores (None where
    they are those as asked)."""

    asked: np.ndarray
    asked_units: np.ndarray
    units: np.ndarray
    language: str
    ranked: Callable[[np.ndarray], np.ndarray] | None


class Group(NamedTuple):
    """In a corpus of documents in several languages, those of one (`name`): its units and
    its clauses, each a mask, and how the question's language reads them alone
    (reading.read_towards), without the scale the ranking sets them on; and the question
    read so, as the ranking read it (reading.ranked_units' `reads`)."""

    name: str
    units: np.ndarray
    clauses: np.ndarray
    read: Callable[[np.ndarray], np.ndarray]
    asked: np.ndarray


def within(scores: np.ndarray, group: np.ndarray | None) -> np.ndarray:
    """Scores with those outside `group` (a mask) unread (-1): what a corpus of one
    language's documents alone would read."""
    return scores if group is None else np.where(group, scores, -1.0).astype(np.float32)


def cosines(
    loaded: LoadedIndex, reads: Reads, everyday: bool, group: Group | None = None
) -> tuple[float, tuple[float, float, float], float, tuple[float, float]]:
    """The evidence of the primary model's cosines, read from the units of `group` (all:
    None): `relative`, `standing`, the best ranked score, and the levels of the scores as
    asked and as ranked (language_level)."""
    space = loaded.spaces[0]
    mask = None if group is None else group.units
    name = "" if group is None else f"-group-{group.name}"
    ranked, units, asked_units = reads.ranked, reads.units, reads.asked_units
    if group is not None:  # read as the group's documents alone would be
        ranked, units = group.read, group.asked
        if not every_unit_scored(space):  # those of the group, not of the whole corpus
            asked_units = unit_scores(space, reads.asked, mask)
    asked_units, units = within(asked_units, mask), within(units, mask)

    def level(read: Callable[[np.ndarray], np.ndarray], how: str) -> float:
        return language_level(space, reads.language, lambda q: within(read(q), mask), how + name)

    asked = level(lambda q: unit_scores(space, q, mask), "asked")
    ranked_level = asked if ranked is None else level(ranked, "ranked")
    return (
        relative(space, asked_units, reads.asked, everyday),
        standing(space, asked_units, clause_scores(loaded, asked_units, True), reads.asked),
        float(units.max()),
        (asked, ranked_level),
    )


def standing(
    space: Space, units: np.ndarray, clauses: np.ndarray, query: np.ndarray
) -> tuple[float, float, float]:
    """The best unit's cosine, and how far it stands out (in standard deviations) from the
    corpus's clauses and from the off-topic passages: measures that need no word of the
    corpus, for any corpus and language."""
    top = float(units.max())
    valid = clauses[clauses > -1.0]
    corpus_z = (top - float(valid.mean())) / (float(valid.std()) + 1e-6) if len(valid) > 1 else 0.0
    background_z = 0.0
    if len(space.background) > 1:
        reference = space.background @ query
        background_z = (top - float(reference.mean())) / (float(reference.std()) + 1e-6)
    return top, corpus_z, background_z


def language_level(
    space: Space,
    language: str,
    read: Callable[[np.ndarray], np.ndarray],
    how: str,
    summary: Callable[[np.ndarray], Any] = np.max,
) -> float:
    """How well a question of `language` that this corpus does not answer matches it anyway:
    the mean best unit score of the everyday questions of that language (weather, cooking,
    travel: nothing of any corpus), each read by `read` (`how` names the reading, for the
    cache). Read across languages, every cosine of a question not in English is lower, by an
    amount that depends on the language and on the corpus; a score less this level means
    the same in every language. Computed once per language and reading, and kept; 0 without
    everyday questions of that language. `summary`: what of each question's unit scores is
    averaged, their best (or their mean, reading.ranked_units); a question it gives None
    for is left out."""
    key = (language, how)
    if key not in space.levels:
        reference = space.asked.get(language)
        asked = reference if reference is not None and len(space.vectors) else ()
        values = [value for q in asked if (value := summary(read(q))) is not None]
        space.levels[key] = float(np.mean(values)) if values else 0.0
    return space.levels[key]


_EVERYDAY_STATES: dict[tuple[str, str], list[np.ndarray]] = {}


def everyday_states(embedder: Embedder, language: str) -> list[np.ndarray]:
    """The token states of the everyday questions of a language, as questions: the same for
    every corpus, so shipped for the default model (reference.shipped_states) and read once
    per process for another."""
    key = (embedder.name, language)
    if key not in _EVERYDAY_STATES:
        texts = [
            text
            for text, code in zip(everyday_questions(), everyday_languages(), strict=True)
            if code == language
        ]
        model, shipped = shipped_states()
        if model == embedder.name and all(t in shipped for t in texts):
            read = [shipped[t] for t in texts]
        else:
            read = embedder.embed_states(texts, query=True)[1] if texts else []  # type: ignore[attr-defined]
        _EVERYDAY_STATES[key] = read
    return _EVERYDAY_STATES[key]


def late_levels(
    loaded: LoadedIndex,
    space: Space,
    language: str,
    embedder: Embedder,
    group: Group | None = None,
) -> tuple[float, float]:
    """What late interaction (retrieval.late) gives a question of `language` that this corpus
    does not answer: the mean, over the everyday questions of that language, of the best
    MaxSim among the clauses their vectors put first; and the same for late.reach, how well
    they find their worst-matched words anywhere among those clauses. Token by token, a
    question's words match a text of another language less well than one of its own: a
    MaxSim less this level means the same in every language (as `language_level` does for
    cosines). Computed together once per language and corpus (or `group` of its clauses:
    cosines), and kept; 0 without everyday questions."""
    part = "" if group is None else f"-group-{group.name}"
    key, reach_key = (language, "late" + part), (language, "reach" + part)
    if key not in space.levels:
        vectors = space.asked.get(language)
        levels = (0.0, 0.0)
        if vectors is not None and len(vectors) and loaded.tokens is not None:
            states = everyday_states(embedder, language)
            if len(states) == len(vectors):
                units_of, clauses_of = (
                    (None, None) if group is None else (group.units, group.clauses)
                )
                found, reached = [], []
                for vector, tokens in zip(vectors, states, strict=True):
                    units = unit_scores(space, vector, units_of)
                    clauses = within(clause_scores(loaded, units, True), clauses_of)
                    read = int((clauses > -1.0).sum())
                    if read == 0:  # past scores.EXACT_LIMIT, none of the group's found
                        continue
                    candidates = best(clauses, min(RERANKED, read))
                    matches = token_matches(tokens, loaded.tokens, candidates)
                    found.append(float(matches.mean(axis=1).max()) if matches.shape[1] else 0.0)
                    reached.append(reach(matches))
                if found:
                    levels = (float(np.mean(found)), float(np.mean(reached)))
        space.levels[key], space.levels[reach_key] = levels
    return space.levels[key], space.levels[reach_key]


_SIGNALS: dict[tuple[str, str], float] = {}
SIGNAL_RANGE = (0.25, 1.0)  # language_signal's bounds: no language reads better than English


def language_signal(embedder: Embedder, language: str) -> float:
    """How strongly a question of `language` finds its own words in an English text, token by
    token, relative to an English question: the everyday questions are the same in every
    language, so each one's MaxSim with its English version, less its mean MaxSim with the
    other English ones, is what its words carry across; its mean over the language's
    questions, over the same for English. A question the corpus answers in Turkish rises
    less above its level than one in English (it meets its answer in another language),
    while one it does not answer stays at its level in every language: late_level over
    this is one scale. 1 for English, or without parallel everyday questions."""
    key = (embedder.name, language)
    if key not in _SIGNALS:
        _SIGNALS[key] = 1.0
        english = everyday_states(embedder, "en")
        asked = everyday_states(embedder, language)
        if language != "en" and len(asked) == len(english) > 1:
            reference = TokenStates.join(english, len(english[0][0]) if len(english[0]) else 0)
            _SIGNALS[key] = _carried(asked, reference) / _carried(english, reference)
            _SIGNALS[key] = min(max(_SIGNALS[key], SIGNAL_RANGE[0]), SIGNAL_RANGE[1])
    return _SIGNALS[key]


def _carried(questions: list[np.ndarray], english: TokenStates) -> float:
    """The mean of each question's MaxSim with its English version less its mean MaxSim
    with the other English questions (see language_signal)."""
    if np.any(np.diff(english.starts) == 0):  # an English question without tokens
        return 1.0
    everything = np.arange(len(english))
    carried = []
    for number, tokens in enumerate(questions):
        if len(tokens):
            found = maxsim(tokens, english, everything)
            carried.append(found[number] - np.delete(found, number).mean())
    return max(float(np.mean(carried)), 1e-6) if carried else 1.0


def support(loaded: LoadedIndex, tokens: list[str], clause: int) -> float:
    known = {t for t in tokens if loaded.lexical.knows(t)}
    if not known:
        return 0.0
    return loaded.lexical.shared(clause, known) / len(known)

"""Late interaction (retrieval.late): each clause's token states kept in the index from the
pass that embeds it, reused by content on a rebuild, checked on load, carried into an index
without some documents, and read by the ranking."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.embed import _TOKEN, HashingEmbedder
from retrieval.engine import Engine
from retrieval.errors import IndexCorruptError
from retrieval.holdout import without_documents
from retrieval.late import (
    RERANKED,
    TokenStates,
    maxsim,
    reach,
    token_matches,
    token_weights,
    weakest,
    weighted,
)
from retrieval.ranking import Options, rank
from retrieval.settings import Settings
from retrieval.store import TOKENS, read_tokens, write_tokens
from retrieval.units import embed_text
from retrieval.vectors import SpilledStates


class StatefulHashing(HashingEmbedder):
    """The hashing embedder with token states, as a model's would come: one vector per word
    of the text (the word's own hashed vector). Records the passages it reads token by
    token."""

    token_states = True

    def __init__(self) -> None:
        super().__init__()
        self.stated: list[str] = []

    def word_states(self, text: str) -> np.ndarray:
        words = _TOKEN.findall(text.lower())
        return self.embed(words) if words else np.zeros((0, self.dim), dtype=np.float32)

    def embed_states(self, texts, *, query=False):  # type: ignore[no-untyped-def]
        if not query:
            self.stated.extend(texts)
        return self.embed(texts, query=query), [self.word_states(t) for t in texts]


@pytest.fixture
def stateful(settings: Settings) -> tuple[Engine, StatefulHashing]:
    embedder = StatefulHashing()
    return Engine(settings, embedders=[embedder]), embedder


def _whole_texts(engine: Engine) -> list[str]:
    loaded = engine.index()
    return [embed_text(loaded.documents[c.doc_id], c) for c in loaded.clauses]


def test_each_clause_keeps_the_token_states_of_its_whole_text(
    stateful: tuple[Engine, StatefulHashing],
) -> None:
    engine, embedder = stateful
    engine.build()
    loaded = engine.index()
    assert loaded.tokens is not None and len(loaded.tokens) == len(loaded.clauses) == 29
    on_disk = np.load(engine.store.current() / TOKENS)  # type: ignore[operator]
    assert on_disk.dtype == np.float16 and len(on_disk) == loaded.tokens.starts[-1]
    for number, text in enumerate(_whole_texts(engine)):
        assert text in embedder.stated  # read token by token in the pass that embedded it
        np.testing.assert_allclose(loaded.tokens.of(number), embedder.word_states(text), atol=2e-3)
    assert loaded.manifest["spaces"][0]["tokens"] is True


def test_a_rebuild_reads_token_by_token_only_the_clauses_that_changed(
    stateful: tuple[Engine, StatefulHashing], corpus_dir: Path
) -> None:
    engine, embedder = stateful
    engine.build()
    before = engine.index()
    kept = {c.text: before.tokens.of(i).copy() for i, c in enumerate(before.clauses)}  # type: ignore[union-attr]
    path = next(p for p in corpus_dir.iterdir() if "declaration" in p.name and p.suffix == ".txt")
    path.write_text(
        path.read_text(encoding="utf-8")
        + "\n\nThe ministers agreed to meet again in spring to review the broadband plan.\n",
        encoding="utf-8",
    )
    embedder.stated.clear()
    report = engine.build()
    after = engine.index()
    assert report.embedded == 1 and len(after.clauses) == 30
    assert after.tokens is not None and len(after.tokens) == 30
    new = [c for c in after.clauses if c.text not in kept]
    assert [c.text for c in new] == [
        "The ministers agreed to meet again in spring to review the broadband plan."
    ]
    assert all("review the broadband plan" in t for t in embedder.stated)
    for number, clause in enumerate(after.clauses):
        if clause.text in kept:
            np.testing.assert_array_equal(after.tokens.of(number), kept[clause.text])


def test_an_index_without_token_states_gets_them_from_the_next_build(
    settings: Settings,
) -> None:
    Engine(settings, embedders=[HashingEmbedder()]).build()
    plain = Engine(settings, embedders=[HashingEmbedder()]).index()
    assert plain.tokens is None and "tokens" not in {
        name.split("-")[0] for name in plain.manifest["files"]
    }
    embedder = StatefulHashing()
    engine = Engine(settings, embedders=[embedder])
    report = engine.build()
    loaded = engine.index()
    assert report.clauses == 29 and loaded.tokens is not None and len(loaded.tokens) == 29
    assert sorted(set(embedder.stated) & set(_whole_texts(engine))) == sorted(
        set(_whole_texts(engine))
    )
    # the vectors are the same: only the states were missing
    np.testing.assert_array_equal(plain.spaces[0].vectors, loaded.spaces[0].vectors)


def test_damaged_token_states_are_detected(stateful: tuple[Engine, StatefulHashing]) -> None:
    engine, _ = stateful
    engine.build()
    path = engine.store.current() / TOKENS  # type: ignore[operator]
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="tokens-0.npy"):
        engine.store.load()


def test_token_states_that_do_not_match_the_clauses_are_refused() -> None:
    states = TokenStates.join([np.ones((3, 4)), np.ones((2, 4))], 4)
    states.check(2, 4)
    with pytest.raises(ValueError):
        states.check(3, 4)
    with pytest.raises(ValueError):
        TokenStates(states.states, np.array([0, 4, 6])).check(2, 4)
    with pytest.raises(ValueError):
        TokenStates(states.states, np.array([0, 4, 3])).check(2, 4)


def test_an_index_without_a_document_keeps_the_others_token_states(
    stateful: tuple[Engine, StatefulHashing],
) -> None:
    engine, _ = stateful
    loaded = engine.index()
    rest = without_documents(loaded, {"letter-to-icann-2012"})
    assert rest.tokens is not None and len(rest.tokens) == len(rest.clauses)
    originals = [i for i, c in enumerate(loaded.clauses) if c.doc_id != "letter-to-icann-2012"]
    for number, original in enumerate(originals):
        np.testing.assert_array_equal(rest.tokens.of(number), loaded.tokens.of(original))  # type: ignore[union-attr]


def test_maxsim_averages_each_question_tokens_best_match() -> None:
    eye = np.eye(4, dtype=np.float32)
    tokens = TokenStates.join([eye[:2], eye[2:], eye[:0]], 4)
    question = eye[[0, 2]]
    np.testing.assert_allclose(maxsim(question, tokens, [0, 1, 2]), [0.5, 0.5, 0.0])
    np.testing.assert_allclose(maxsim(eye[:2], tokens, [1, 0]), [0.0, 1.0])
    assert maxsim(eye[:0], tokens, [0]).tolist() == [0.0]
    found = token_matches(eye[[0, 1, 3]], tokens, [0])[0]
    np.testing.assert_allclose(found, [1.0, 1.0, 0.0])
    assert weakest(found) == pytest.approx(0.5)  # the worst-matched quarter's level
    assert weakest(np.zeros(0)) == 0.0
    spread = np.random.default_rng(3).random(13)
    assert weakest(spread) == pytest.approx(float(np.quantile(spread, 0.25)))


def test_reach_reads_each_question_token_in_whichever_clause_meets_it_best() -> None:
    eye = np.eye(4, dtype=np.float32)
    tokens = TokenStates.join([eye[:2], eye[2:3]], 4)
    # tokens 0 and 1 are in the first clause, 2 in the second, 3 in neither
    found = token_matches(eye, tokens, [0, 1])
    assert weakest(found[0]) == pytest.approx(0.0)  # the first clause lacks two of four
    assert reach(found) == pytest.approx(0.75)  # across both, only token 3 is missing
    assert reach(token_matches(eye[:3], tokens, [0, 1])) == pytest.approx(1.0)
    assert reach(np.zeros((2, 0))) == 0.0


def test_tokens_every_clause_meets_alike_weigh_least_in_the_order() -> None:
    # token 0 (a question word) is met alike by every clause; token 1 tells them apart
    found = np.array([[0.9, 0.5], [0.9, 0.7], [0.9, 0.6]], dtype=np.float32)
    np.testing.assert_allclose(weighted(found), found[:, 1])
    # the clause that meets the question word best (first by the plain mean) falls behind
    # one that meets the telling word better, once each token weighs by how much it varies
    # for its level
    found = np.array([[0.96, 0.50], [0.90, 0.55], [0.90, 0.40]], dtype=np.float32)
    assert np.argsort(-found.mean(axis=1)).tolist() == [0, 1, 2]
    assert np.argsort(-weighted(found)).tolist() == [1, 0, 2]
    # one clause, every token alike, or no token: the plain mean
    np.testing.assert_allclose(weighted(found[:1]), found[:1].mean(axis=1))
    alike = np.full((3, 2), 0.7, dtype=np.float32)
    np.testing.assert_allclose(weighted(alike), alike.mean(axis=1))
    assert weighted(np.zeros((2, 0))).tolist() == [0.0, 0.0]
    # a token no clause meets (its cosines about 0, their mean below their spread) weighs
    # at most 1, not its spread over a mean near 0
    found = np.array([[0.01, 0.5], [-0.01, 0.9], [0.0, 0.1]], dtype=np.float32)
    telling = np.std([0.5, 0.9, 0.1]) / 0.5
    np.testing.assert_allclose(token_weights(found), [1.0, telling], rtol=1e-5)
    assert np.all(np.isfinite(weighted(np.zeros((3, 2), dtype=np.float32))))


def test_the_ranking_reads_the_best_clauses_token_by_token(
    stateful: tuple[Engine, StatefulHashing],
) -> None:
    engine, embedder = stateful
    loaded = engine.index()
    question = "Who signed the letter to ICANN?"
    ranking = rank(loaded, [embedder], question, 3)
    features = ranking.features
    assert features is not None and features.late == 1.0
    top = loaded.clauses.index(ranking.hits[0].clause)
    expected = maxsim(embedder.word_states(question), loaded.tokens, [top])[0]  # type: ignore[arg-type]
    assert features.late_top == pytest.approx(expected, abs=1e-3)
    unread = rank(loaded, [embedder], question, 3, Options(late_weight=0.0)).features
    assert unread is not None and (unread.late, unread.late_top) == (0.0, 0.0)


def _read_at_a_high_weight(engine: Engine, question: str) -> tuple[list[int], np.ndarray, int]:
    """The best RERANKED clauses by the sentence vectors alone (`question` asked of `engine`'s
    corpus through StatefulHashing), their token matches, and the clause first when late
    interaction weighs fifty times as much."""
    embedder = StatefulHashing()
    loaded = Engine(engine.settings, embedders=[embedder]).index()
    plain = rank(loaded, [embedder], question, RERANKED, Options(late_weight=0.0))
    candidates = [loaded.clauses.index(h.clause) for h in plain.hits]
    found = token_matches(embedder.word_states(question), loaded.tokens, candidates)  # type: ignore[arg-type]
    read = rank(loaded, [embedder], question, 1, Options(late_weight=50.0))
    return candidates, found, loaded.clauses.index(read.hits[0].clause)


def test_a_clause_holding_the_words_asked_is_raised(fake_engine: Engine) -> None:
    """Token by token, the clause that holds the question's words leads clauses whose
    summary vectors lie nearer: at a high weight, the token matches (each token weighted by
    how much it tells the clauses read apart) order the best RERANKED."""
    candidates, found, first = _read_at_a_high_weight(fake_engine, "the forum in Baku")
    sims = weighted(found)
    assert int(np.argmax(sims)) != 0  # the sentence vectors put another first
    assert first == candidates[int(np.argmax(sims))]


def test_the_ranking_weighs_each_question_token_by_how_it_tells_the_clauses_apart(
    fake_engine: Engine,
) -> None:
    """Words most clauses hold ("the", "of", "and") outnumber the telling ones in this
    question: by the plain mean of the token matches another clause would lead."""
    question = "the date of the declaration and the meeting"
    candidates, found, first = _read_at_a_high_weight(fake_engine, question)
    telling = int(np.argmax(weighted(found)))
    assert int(np.argmax(found.mean(axis=1))) != telling
    assert first == candidates[telling]


def test_large_token_states_stay_in_half_precision_and_read_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from retrieval import late

    rng = np.random.default_rng(0)
    per_clause = [rng.standard_normal((n, 8)).astype(np.float32) for n in (5, 0, 7, 3)]
    stored = TokenStates.join(per_clause, 8)
    question = rng.standard_normal((4, 8)).astype(np.float32)
    single = stored.for_reading()
    assert single.states.dtype == np.float32
    monkeypatch.setattr(late, "IN_SINGLE", 16)
    half = stored.for_reading()
    assert half.states.dtype == np.float16
    np.testing.assert_allclose(
        maxsim(question, half, [3, 1, 0, 2]), maxsim(question, single, [3, 1, 0, 2]), atol=1e-6
    )


def test_large_token_states_are_read_from_disk_not_loaded(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from retrieval import late

    embedder = StatefulHashing()
    Engine(settings, embedders=[embedder]).build()
    question = "Who signed the letter to ICANN?"
    loaded = Engine(settings, embedders=[embedder]).index()
    assert loaded.tokens is not None and not isinstance(loaded.tokens.states, np.memmap)
    expected = rank(loaded, [embedder], question, 3)
    monkeypatch.setattr(late, "IN_SINGLE", 1024)  # the bundled corpus's states are larger
    mapped = Engine(settings, embedders=[embedder]).index()
    assert mapped.tokens is not None and isinstance(mapped.tokens.states, np.memmap)
    assert mapped.tokens.states.dtype == np.float16  # as stored, read a few rows at a time
    ranked = rank(mapped, [embedder], question, 3)
    assert [h.clause for h in ranked.hits] == [h.clause for h in expected.hits]
    assert ranked.confidence == pytest.approx(expected.confidence, abs=1e-3)


def test_token_states_written_clause_by_clause_read_back_as_joined(tmp_path: Path) -> None:
    """write_tokens fills the file clause by clause (no joined copy in memory): what
    read_tokens gives back is what joining them gives, a clause without tokens included."""
    rng = np.random.default_rng(1)
    per_clause = [rng.standard_normal((n, 8)).astype(np.float16) for n in (4, 0, 6, 1)]
    write_tokens(tmp_path, per_clause, 8)
    manifest = {"spaces": [{"tokens": True, "dimension": 8}]}
    read = read_tokens(tmp_path, manifest, len(per_clause))
    joined = TokenStates.join(per_clause, 8)
    assert read is not None and read.states.dtype == np.float16
    np.testing.assert_array_equal(read.starts, joined.starts)
    np.testing.assert_array_equal(read.states, joined.states)
    assert len(read.of(1)) == 0
    with pytest.raises(ValueError):
        read_tokens(tmp_path, manifest, len(per_clause) + 1)


def test_new_token_states_wait_on_disk_not_in_memory(tmp_path: Path) -> None:
    """SpilledStates: the states a build embeds go to a file as they come and are read
    back from it mapped, in half precision; known ones are kept as given; a state written
    again replaces the first; closing removes the file."""
    rng = np.random.default_rng(2)
    known = {"old": rng.standard_normal((3, 8)).astype(np.float16)}
    states = SpilledStates(tmp_path / "spill", 8, known)
    first = rng.standard_normal((5, 8)).astype(np.float32)
    states["a"] = first
    states["empty"] = np.zeros((0, 8), dtype=np.float32)
    states["b"] = rng.standard_normal((2, 8)).astype(np.float32)
    assert isinstance(states["a"], np.memmap) and states["a"].dtype == np.float16
    np.testing.assert_array_equal(states["a"], first.astype(np.float16))
    assert states["old"] is known["old"] and len(states["empty"]) == 0
    states["c"] = np.ones((1, 8), dtype=np.float32)  # written after a read: mapped again
    np.testing.assert_array_equal(states["c"], np.ones((1, 8), dtype=np.float16))
    states["old"] = np.full((2, 8), 2.0, dtype=np.float32)
    np.testing.assert_array_equal(states["old"], np.full((2, 8), 2.0, dtype=np.float16))
    assert sorted(states) == ["a", "b", "c", "empty", "old"] and len(states) == 5
    assert (tmp_path / "spill").stat().st_size == (5 + 2 + 1 + 2) * 8 * 2
    states.close()
    assert not (tmp_path / "spill").exists()


def test_a_build_leaves_no_spilled_states_behind(
    stateful: tuple[Engine, StatefulHashing],
) -> None:
    engine, _ = stateful
    engine.build()
    assert not list(engine.store.root.glob(".building-*"))
    loaded = engine.index()
    assert loaded.tokens is not None and len(loaded.tokens) == len(loaded.clauses)


def test_a_build_that_fails_after_spilling_states_removes_them(
    stateful: tuple[Engine, StatefulHashing], settings: Settings
) -> None:
    """The model fails after it has given a new clause's token states (spilled to a file):
    the build fails, the file is gone, and the old index serves as before."""
    from retrieval.build import build_index
    from retrieval.corpus import load_corpus

    engine, _ = stateful
    engine.build()
    before = engine.store.generation()

    class FailsLater(StatefulHashing):
        stated_once = False

        def embed_states(self, texts, *, query=False):  # type: ignore[no-untyped-def]
            out = super().embed_states(texts, query=query)
            self.stated_once = True
            return out

        def embed(self, texts, *, query=False):  # type: ignore[no-untyped-def]
            if self.stated_once:
                raise RuntimeError("model crashed")
            return super().embed(texts, query=query)

    (settings.corpus / "new.txt").write_text("A brand new clause on satellites.\n", "utf-8")
    documents, _ = load_corpus(settings.corpus)
    failing = FailsLater()
    with pytest.raises(RuntimeError, match="crashed"):
        build_index(engine.store, documents, [failing])
    assert failing.stated_once
    assert engine.store.generation() == before
    assert not list(settings.index.glob(".building-*"))
    assert len(engine.store.load().clauses) == 29

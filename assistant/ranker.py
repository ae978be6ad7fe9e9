"""The learned sentence ranker: features of candidate sentences and a logistic model over them.

For a question, every sentence has dense and BM25 scores of its own, of its window (the
sentence with its neighbours), of its chunk and of its paragraph. The candidates are the
sentences near the top of any of those rankings; each candidate gets the features below, and a
logistic model (coefficients in ``ranker.json``, fitted by ``python -m assistant.fit_ranker`` on
many documents, cross-validated by document) turns them into the probability that the sentence
holds the answer. Scoring is pure numpy; the model file is plain JSON, read once, lazily.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence, TypeVar

import numpy as np

from assistant import abstain, entities, fitted
from assistant.errors import AssistantError
from assistant.lexical import terms
from assistant.retrieval import Retrieval, UnitScores, minmax

SIGNALS = ("sentence_dense", "sentence_lexical", "window_dense", "chunk_dense", "chunk_lexical",
           "paragraph_dense", "paragraph_lexical", "neighbour_dense", "neighbour_lexical", "chunk_fused")
BASE_FEATURES = (
    *(f"{s}{suffix}" for s in SIGNALS for suffix in ("", "_gap", "_rank", "_norm")),
    "first_in_paragraph", "paragraph_position", "section_position", "list_item", "heading",
    "log_words", "short", "term_coverage", "fact_found", "fact_missing",
    *(f"maxsim{suffix}" for suffix in ("", "_gap", "_rank", "_norm")),
)
# Read from signals the ranker had not used: the hand-set fused sentence score the answer is chosen by,
# the passage's rank by its best MaxSim, the sentence's rank within its passage, the coverage of the
# question's rare and common terms (idf at least their median, or below), of the sentence with its neighbours,
# and against the best candidate's, and a sentence lexically high but dense low.
PASSAGE_FEATURES = (
    *(f"sentence_fused{suffix}" for suffix in ("", "_gap", "_rank", "_norm")),
    "chunk_late_rank", "rank_in_chunk", "rare_coverage", "common_coverage", "window_coverage", "coverage_gap",
    "lexical_not_dense",
)
# Whether the sentence names what the question names (entities.agreement): the share of the question's
# names missing from the sentence, its window and its paragraph; and the idf-weighted coverage of the
# question's other terms (term_coverage counts the names too).
ENTITY_FEATURES = ("names_missing", "names_missing_window", "names_missing_paragraph", "content_coverage")
FEATURES = (*BASE_FEATURES, *PASSAGE_FEATURES, *ENTITY_FEATURES)  # every column ``features`` computes
# The feature sets a model may be fitted on (``fit_ranker --passage-features``, ``--no-entity-features``);
# ranker.json names its own.
FEATURE_SETS = (BASE_FEATURES, (*BASE_FEATURES, *PASSAGE_FEATURES), (*BASE_FEATURES, *ENTITY_FEATURES), FEATURES)


@dataclass(frozen=True)
class CandidateSettings:
    per_signal: int = 15  # the top sentences of each signal become candidates (union)


@dataclass(frozen=True)
class Layout:
    """Per-sentence facts of one document that do not depend on the question."""

    chunk: np.ndarray  # chunk id of each sentence
    paragraph: np.ndarray  # paragraph id of each sentence
    first_in_paragraph: np.ndarray  # 1.0 for a paragraph's first sentence
    paragraph_position: np.ndarray  # 0..1 position within the paragraph
    section_position: np.ndarray  # 0..1 position of the sentence's section in the document
    list_item: np.ndarray  # 1.0 inside a list item
    heading: np.ndarray  # 1.0 inside a title/heading paragraph
    words: np.ndarray  # word count
    terms: tuple[frozenset[str], ...]  # BM25 terms of each sentence
    texts: tuple[str, ...]  # display text of each sentence
    names: entities.Names  # which sentences name what (entity agreement)


@dataclass(frozen=True)
class Scores:
    """Per-sentence scores for one question; chunk and paragraph scores already broadcast to sentences."""

    sentence_dense: np.ndarray
    sentence_lexical: np.ndarray
    window_dense: np.ndarray
    chunk_dense: np.ndarray
    chunk_lexical: np.ndarray
    paragraph_dense: np.ndarray
    paragraph_lexical: np.ndarray
    neighbour_dense: np.ndarray  # best of the previous and next sentence of the same paragraph
    neighbour_lexical: np.ndarray
    chunk_fused: np.ndarray  # the chunk's reciprocal-rank-fused passage score

    def arrays(self) -> list[np.ndarray]:
        return [getattr(self, name) for name in SIGNALS]


@dataclass(frozen=True)
class Passage:
    """Per-sentence scores of the hand-set fusion that the ranker reads besides ``Scores``."""

    sentence_fused: np.ndarray  # the fused sentence score (retrieval.fuse) the answer is chosen by
    chunk_late: np.ndarray  # the best MaxSim among the scored sentences of the sentence's chunk (-inf: none)


def passage(sentence_fused: np.ndarray, late: np.ndarray | None, chunk: np.ndarray) -> Passage:
    """``Passage`` from the fused sentence scores and the document's MaxSim (NaN where not scored; None: off)."""
    n_chunks = int(chunk.max()) + 1 if len(chunk) else 0
    best = np.full(n_chunks, -np.inf)
    if late is not None:
        np.maximum.at(best, chunk, np.nan_to_num(np.asarray(late, np.float64), nan=-np.inf))
    return Passage(np.asarray(sentence_fused, np.float64), best[chunk])


@dataclass(frozen=True)
class Rule:
    """How many sentences an answer takes, learned with the model (see fit_ranker.choose_rule)."""

    near: float  # a sentence next to a chosen one (same paragraph) is kept at >= near * the best probability
    far: float  # any other sentence at >= far * the best probability
    max_sentences: int  # at most this many (lists and discourse neighbours aside)


def pick(ids: np.ndarray, paragraphs: np.ndarray, probabilities: np.ndarray, rule: Rule) -> list[int]:
    """Positions (into ``ids``) of the best candidate and of those the rule keeps, best first."""
    order = np.argsort(-probabilities, kind="stable")
    if len(order) == 0:
        return []
    chosen = [int(order[0])]
    bar = float(probabilities[order[0]])
    for j in order[1:]:
        if len(chosen) >= rule.max_sentences or probabilities[j] < min(rule.near, rule.far) * bar:
            break
        adjacent = any(abs(int(ids[j]) - int(ids[c])) == 1 and paragraphs[j] == paragraphs[c] for c in chosen)
        if probabilities[j] >= (rule.near if adjacent else rule.far) * bar:
            chosen.append(int(j))
    return chosen


@dataclass(frozen=True)
class Model:
    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    rule: Rule

    @property
    def reads_passage(self) -> bool:
        """Was the model fitted on PASSAGE_FEATURES (so answering must compute them)?"""
        return any(name in PASSAGE_FEATURES for name in self.names)

    def probability(self, x: np.ndarray) -> np.ndarray:
        """Per row of ``x`` (the model's own columns, or every column of FEATURES), the probability that
        the sentence holds the answer."""
        if x.shape[1] != len(self.names):
            x = x[:, [FEATURES.index(name) for name in self.names]]
        return abstain.sigmoid(fitted.standardized_logit(x, self.mean, self.scale, self.coef, self.intercept))


def neighbour_max(values: np.ndarray, paragraph: np.ndarray) -> np.ndarray:
    """Per sentence, the larger value of its previous and next sentence in the same paragraph (else the minimum)."""
    floor = float(values.min()) if len(values) else 0.0
    out = np.full(len(values), floor, dtype=np.float64)
    if len(values) > 1:
        same = paragraph[1:] == paragraph[:-1]
        out[1:] = np.where(same, np.maximum(out[1:], values[:-1]), out[1:])
        out[:-1] = np.where(same, np.maximum(out[:-1], values[1:]), out[:-1])
    return out


def layout(document, chunks) -> Layout:
    """The question-independent facts of every sentence of ``document``."""
    from assistant.structure import display_text

    n = len(document.sentences)
    chunk = np.zeros(n, dtype=np.int64)
    for i, c in enumerate(chunks):
        chunk[list(c.sentences)] = i
    paragraph = np.array([s.paragraph for s in document.sentences], dtype=np.int64)
    kinds = {p.id: p.kind for p in document.paragraphs}
    first = np.ones(n)
    position = np.zeros(n)
    sizes = np.bincount(paragraph, minlength=len(document.paragraphs)) if n else np.zeros(0, np.int64)
    index_in = 0
    for i in range(n):
        index_in = index_in + 1 if i > 0 and paragraph[i] == paragraph[i - 1] else 0
        first[i] = float(index_in == 0)
        position[i] = index_in / max(sizes[paragraph[i]] - 1, 1)
    n_sections = max(len(document.sections) - 1, 1)
    texts = tuple(display_text(s.text) for s in document.sentences)
    return Layout(
        chunk=chunk,
        paragraph=paragraph,
        first_in_paragraph=first,
        paragraph_position=position,
        section_position=np.array([s.section / n_sections for s in document.sentences], dtype=np.float64),
        list_item=np.array([float(kinds[p] == "list_item") for p in paragraph]),
        heading=np.array([float(kinds[p] == "title") for p in paragraph]),
        words=np.array([len(t.split()) for t in texts], dtype=np.float64),
        terms=tuple(frozenset(terms(t)) for t in texts),
        texts=texts,
        names=entities.document_names(texts, paragraph),
    )


def candidates(scores: Scores, mask: np.ndarray, settings: CandidateSettings = CandidateSettings()) -> np.ndarray:
    """Sentence ids near the top of any signal, among those ``mask`` allows (sorted)."""
    allowed = np.flatnonzero(mask)
    if len(allowed) == 0:
        return allowed
    k = min(settings.per_signal, len(allowed))
    picked = set()
    for values in scores.arrays():
        sub = values[allowed]
        top = np.argpartition(-sub, k - 1)[:k] if k < len(sub) else np.arange(len(sub))
        picked.update(allowed[top].tolist())
    return np.array(sorted(picked), dtype=np.int64)


def _signal_features(values: np.ndarray, ids: np.ndarray, allowed: np.ndarray, lexical: bool) -> list[np.ndarray]:
    """Raw value, gap to the best allowed value (a ratio for BM25), log rank and min-max scaled value
    among the allowed sentences."""
    pool = values[allowed]
    best = float(pool.max()) if len(pool) else 0.0
    own = values[ids].astype(np.float64)
    gap = own / best if lexical and best > 0 else (own - best if not lexical else np.zeros(len(ids)))
    rank = np.searchsorted(-np.sort(pool), -own, side="left")  # how many allowed sentences score higher
    raw = own / (1.0 + best) if lexical else own
    span = best - float(pool.min()) if len(pool) else 0.0
    norm = (own - float(pool.min())) / span if span > 0 else np.zeros(len(ids))
    return [raw, gap, np.log1p(rank), norm]


def features(question: str, query_terms: list[str], idf: dict[str, float], scores: Scores, layout_: Layout,
             ids: np.ndarray, mask: np.ndarray, late: np.ndarray, base: np.ndarray,
             passage_: Passage | None = None, asked: str | None = None) -> np.ndarray:
    """The feature matrix (len(ids), len(FEATURES)) of candidate sentences ``ids``; ``idf`` weighs query terms.

    ``late`` (per sentence, read at ``ids`` and ``base``) is the late-interaction score
    (interaction.question_maxsim), known for the candidates only: its gap, rank and scaled value are
    taken among the ``base`` candidates (``candidates``), so a sentence's row does not change when
    ``ids`` adds others. ``passage_`` gives the hand-set fused sentence score and the passage MaxSim for
    PASSAGE_FEATURES (the question's terms split at their median idf into rare and common ones); None:
    those columns are zeros and not computed. ENTITY_FEATURES read the names of ``asked`` (the text
    retrieval used, a follow-up's context included; default ``question``)."""
    allowed = np.flatnonzero(mask)
    columns: list[np.ndarray] = []
    for name, values in zip(SIGNALS, scores.arrays()):
        columns += _signal_features(values, ids, allowed, lexical=name.endswith("lexical"))
    words = layout_.words[ids]
    weights = np.array([idf.get(t, 0.0) for t in query_terms])
    coverage = _coverage(layout_, ids, weights, query_terms)
    kind = abstain.expected_type(question)
    found = np.array([float(kind is not None and abstain.finds_new(kind, question, t)) for t in (layout_.texts[i] for i in ids)])
    missing = np.full(len(ids), float(kind is not None)) - found
    columns += [
        layout_.first_in_paragraph[ids], layout_.paragraph_position[ids], layout_.section_position[ids],
        layout_.list_item[ids], layout_.heading[ids], np.log1p(words), (words < 6).astype(np.float64),
        coverage, found, missing,
        *_signal_features(late, ids, np.asarray(base, dtype=np.int64), lexical=False),
    ]
    if passage_ is None:  # a model of BASE_FEATURES reads none of these: not computed on the answering path
        columns += [np.zeros(len(ids)) for _ in PASSAGE_FEATURES]
    else:
        rare = weights >= np.median(weights) if len(weights) else np.zeros(0, bool)  # the rarer half (ties: rare)
        base_ids = np.asarray(base, dtype=np.int64)
        base_best = float(_coverage(layout_, base_ids, weights, query_terms).max()) if len(base_ids) else 0.0
        columns += [
            *_passage_features(passage_, layout_, ids, allowed),
            _coverage(layout_, ids, np.where(rare, weights, 0.0), query_terms),
            _coverage(layout_, ids, np.where(rare, 0.0, weights), query_terms),
            _coverage(layout_, ids, weights, query_terms, window=True), coverage - base_best,
            _norm(scores.sentence_lexical, ids, allowed) * (1.0 - _norm(scores.sentence_dense, ids, allowed)),
        ]
    asked = question if asked is None else asked
    named = set(terms(" ".join(abstain.question_names(asked)))) | set(query_terms[len(terms(asked)):])  # + metonyms' states
    columns += [*entities.agreement(entities.names(asked), layout_.names, ids),
                _coverage(layout_, ids, np.where([t in named for t in query_terms], 0.0, weights), query_terms)]
    return np.column_stack(columns) if len(ids) else np.zeros((0, len(FEATURES)))


def _coverage(layout_: Layout, ids: np.ndarray, weights: np.ndarray, query_terms: list[str],
              window: bool = False) -> np.ndarray:
    """The share of the question's weighted terms each sentence holds (with ``window``: the sentence
    or its neighbours in the same paragraph)."""
    total = float(np.sum(weights))
    if total <= 0:
        return np.zeros(len(ids))
    out = np.zeros(len(ids))
    n = len(layout_.terms)
    for row, i in enumerate(int(i) for i in ids):
        held = layout_.terms[i]
        if window:
            near = [j for j in (i - 1, i + 1) if 0 <= j < n and layout_.paragraph[j] == layout_.paragraph[i]]
            held = held.union(*(layout_.terms[j] for j in near))
        out[row] = sum(w for t, w in zip(query_terms, weights) if t in held) / total
    return out


def _norm(values: np.ndarray, ids: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """``values`` of ``ids`` min-max scaled among the ``allowed`` sentences."""
    return _signal_features(values, ids, allowed, lexical=False)[3]


def _passage_features(passage_: Passage | None, layout_: Layout, ids: np.ndarray, allowed: np.ndarray) -> list[np.ndarray]:
    """The fused sentence score (raw, gap, log rank, scaled among the allowed sentences), the log rank
    of the sentence's passage by its best MaxSim, and the log rank of the sentence within its passage
    by the fused score."""
    if passage_ is None:
        return [np.zeros(len(ids)) for _ in range(6)]
    fused = passage_.sentence_fused
    columns = _signal_features(fused, ids, allowed, lexical=False)
    per_chunk = np.full(int(layout_.chunk.max()) + 1, -np.inf)
    per_chunk[layout_.chunk] = passage_.chunk_late  # the same value for every sentence of a chunk
    late_rank = np.array([np.sum(per_chunk > passage_.chunk_late[i]) for i in ids], dtype=np.float64)
    masked = np.where(np.isin(np.arange(len(fused)), allowed), fused, -np.inf)
    in_chunk = np.array([np.sum((layout_.chunk == layout_.chunk[i]) & (masked > fused[i])) for i in ids], dtype=np.float64)
    return [*columns, np.log1p(late_rank), np.log1p(in_chunk)]


@dataclass(frozen=True)
class IdfSettings:
    """How much each question term weighs: ``log(1 + (n + n_shift) / (df + df_shift))`` over the
    document's ``n`` sentences, ``df`` of them holding the term. The weights feed answer selection
    (coverage of the question's terms), the ranker's ``term_coverage`` and the abstention signals."""

    n_shift: float = 1.0  # added to the number of sentences: a term in every sentence still weighs > 0
    df_shift: float = 0.5  # added to the document frequency: a term the document never uses weighs
    # most (log(1 + 2(n + 1))) instead of dividing by zero


IDF = IdfSettings()
Term = TypeVar("Term", str, int)


def idf_weights(query_terms: Sequence[Term], document_frequency, n_units: int,
                settings: IdfSettings = IDF) -> dict[Term, float]:
    """The weight of each query term (``document_frequency(term)`` counts the units holding it); a
    term is a BM25 term, or a word piece's vocabulary id (interaction.piece_idf)."""
    return {t: math.log(1 + (n_units + settings.n_shift) / (document_frequency(t) + settings.df_shift))
            for t in query_terms}


def model_path() -> Path:
    return Path(__file__).with_name("ranker.json")


@lru_cache(maxsize=4)
def load_model(path: Path | None = None) -> Model:
    """The fitted ranker; a missing or malformed file is an error (there is no hand-set fallback)."""
    path = Path(path or model_path())
    return fitted.read_model(path, "ranker model", f"refit it with `python -m assistant.fit_ranker --out {path}`",
                             lambda data: model_from_json(data, path))


def model_from_json(data: dict, where: Path | str = "ranker.json") -> Model:
    names = tuple(data.get("features", ()))
    if names not in FEATURE_SETS:
        raise AssistantError(f"{where} was fitted on other features; refit it with `python -m assistant.fit_ranker`")
    return Model(names, *fitted.standardized(data),
                 Rule(float(data["rule"]["near"]), float(data["rule"]["far"]), int(data["rule"]["max_sentences"])))


@dataclass(frozen=True)
class Candidates:
    """One question's candidate sentences, their feature rows, and the unit scores they came from."""

    ids: np.ndarray
    x: np.ndarray
    sentences: UnitScores  # of the sentences
    fused: Retrieval  # the fused passage (chunk) scores
    late: np.ndarray  # each candidate's late-interaction score (interaction.question_maxsim)


def log_odds(probability: np.ndarray, ids: np.ndarray, n_sentences: int, floor: float = -12.0) -> np.ndarray:
    """Per sentence, the log-odds of the candidates' ``probability`` (the model's, of sentences ``ids``)
    that it holds the answer; ``floor`` for non-candidates."""
    out = np.full(n_sentences, floor, dtype=np.float64)
    if len(ids):
        p = np.clip(probability, 1e-9, 1 - 1e-9)
        out[ids] = np.maximum(np.log(p / (1 - p)), floor)
    return out


def scaled_late(found: Candidates, n_sentences: int) -> np.ndarray:
    """Per sentence, its late-interaction score (``found.late``) min-max scaled among the candidates
    (0 for the other sentences)."""
    out = np.zeros(n_sentences, dtype=np.float64)
    if len(found.ids):
        out[found.ids] = minmax(found.late)
    return out

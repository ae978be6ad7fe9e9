"""Hybrid retrieval: dense (FAISS) and BM25 scores per unit, fused. Scoring is pure numpy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RRF_K = 60


@dataclass(frozen=True)
class Query:
    text: str
    vector: np.ndarray  # (DIMENSION,) unit norm
    terms: tuple[str, ...]  # BM25 terms


@dataclass(frozen=True)
class UnitScores:
    """Dense cosine and BM25 score of every unit of one kind, in unit order."""

    dense: np.ndarray
    lexical: np.ndarray


@dataclass(frozen=True)
class Retrieval:
    chunks: UnitScores
    sentences: UnitScores
    chunk_fused: np.ndarray  # fused chunk score, higher is better
    sentence_fused: np.ndarray


def ranks(scores: np.ndarray) -> np.ndarray:
    """0-based rank of each item under descending score (ties keep index order)."""
    order = np.argsort(-scores, kind="stable")
    out = np.empty(len(scores), dtype=np.int64)
    out[order] = np.arange(len(scores))
    return out


def rrf(score_lists: list[np.ndarray], weights: list[float] | None = None, k: int = RRF_K) -> np.ndarray:
    """Reciprocal rank fusion of several score arrays over the same items."""
    weights = weights or [1.0] * len(score_lists)
    fused = np.zeros(len(score_lists[0]), dtype=np.float64)
    for scores, weight in zip(score_lists, weights):
        fused += weight / (k + 1 + ranks(scores))
    return fused


def group_max(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Maximum of ``values`` per group id (``-inf`` for empty groups)."""
    out = np.full(n_groups, -np.inf, dtype=np.float64)
    np.maximum.at(out, groups, values)
    return out


def minmax(values: np.ndarray) -> np.ndarray:
    span = float(values.max() - values.min()) if len(values) else 0.0
    return (values - values.min()) / span if span > 0 else np.zeros_like(values, dtype=np.float64)


def fuse(chunks: UnitScores, sentences: UnitScores, windows: np.ndarray, sentence_chunk: np.ndarray) -> Retrieval:
    """Rank chunks on their own signals and on their best sentence; rank sentences in context.

    ``windows`` is the dense score of each sentence embedded with its neighbours.
    """
    n_chunks = len(chunks.dense)
    best_sentence_dense = group_max(sentences.dense, sentence_chunk, n_chunks)
    best_sentence_lexical = group_max(sentences.lexical, sentence_chunk, n_chunks)
    best_window = group_max(windows, sentence_chunk, n_chunks)
    chunk_fused = rrf(
        [chunks.dense, chunks.lexical, best_sentence_dense, best_sentence_lexical, best_window],
        weights=[0.7, 1.5, 0.7, 1.0, 1.0],
        k=20,
    )
    sentence_own = minmax(sentences.dense) + 0.8 * minmax(sentences.lexical) + 0.5 * minmax(windows)
    sentence_fused = sentence_own + 0.6 * minmax(chunk_fused)[sentence_chunk]
    return Retrieval(chunks, sentences, chunk_fused, sentence_fused)


def dense_scores(faiss_index, vector: np.ndarray) -> np.ndarray:
    """Inner product of ``vector`` with every stored vector, in stored order."""
    n = faiss_index.ntotal
    if n == 0:
        return np.zeros(0, np.float32)
    scores, ids = faiss_index.search(vector.reshape(1, -1).astype(np.float32), n)
    out = np.empty(n, np.float32)
    out[ids[0]] = scores[0]
    return out

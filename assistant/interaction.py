"""Token-level (late-interaction) relevance: ColBERT-style MaxSim over contextual token vectors.

A question and a sentence are each a bag of contextual token vectors (MiniLM's last hidden
state, one unit row per word piece). MaxSim matches every content piece of the question with
its most similar piece of the sentence and averages those best cosines, each weighted by the
piece's idf over the document's sentences: a paraphrase ("main tool" / "primary strategy")
scores on the pieces it shares in meaning, where one pooled vector per sentence blurs it.

The sentences' vectors are made at build time, in the same model run as their pooled vectors,
and stored as int8 rows with a float32 scale each (``SentenceTokens``; index_files names the
files). Scoring is pure numpy over arrays.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cached_property
from typing import Sequence

import numpy as np

SPECIAL = frozenset({"[CLS]", "[SEP]", "[PAD]", "[MASK]"})


@dataclass(frozen=True)
class Tokens:
    """One text's word pieces, their vocabulary ids and contextual vectors (unit rows), [CLS]/[SEP] included."""

    pieces: tuple[str, ...]
    ids: np.ndarray  # (n,) int
    vectors: np.ndarray  # (n, d) float32


def is_content(piece: str) -> bool:
    """A word piece that carries meaning: not a special token, not punctuation or a symbol alone."""
    if piece in SPECIAL:
        return False
    bare = piece[2:] if piece.startswith("##") else piece
    return any(not unicodedata.category(ch).startswith(("P", "S")) for ch in bare)


def content_rows(tokens: Tokens) -> np.ndarray:
    """Rows of ``tokens``' content pieces (all non-special ones when none is content)."""
    rows = [i for i, p in enumerate(tokens.pieces) if is_content(p)]
    if not rows:
        rows = [i for i, p in enumerate(tokens.pieces) if p not in SPECIAL]
    return np.asarray(rows, dtype=np.int64)


def kept_rows(tokens: Tokens) -> list[int]:
    """The rows a sentence keeps on disk: its content pieces (``is_content``; [CLS] alone when it has
    none). Punctuation is about an eighth of a document's pieces, and its vectors match nothing a
    question asks."""
    return [i for i, p in enumerate(tokens.pieces) if is_content(p)] or [0]


def quantize(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 rows and a float32 scale per row (``row ~= int8 * scale``)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    scale = np.abs(vectors).max(axis=1) / 127.0 if len(vectors) else np.zeros(0, np.float32)
    scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
    return np.clip(np.rint(vectors / scale[:, None]), -127, 127).astype(np.int8), scale


def compact(tokens: Tokens) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A sentence's rows as stored: the kept rows (``kept_rows``) in int8, their scales, their ids."""
    rows = kept_rows(tokens)
    q, scales = quantize(tokens.vectors[rows])
    return q, scales, np.asarray(tokens.ids)[rows].astype(np.int32)


def block(texts: Sequence[int], tokens: Sequence[Tokens]) -> tuple:
    """Texts numbered ``texts`` with their ``tokens``, compacted into one set of arrays:
    (texts, rows of each, int8 rows, scales, ids), as ``SentenceTokens.join`` takes them."""
    parts = [compact(t) for t in tokens]
    if not parts:
        return list(texts), np.zeros(0, np.int64), np.zeros((0, 0), np.int8), np.zeros(0, np.float32), np.zeros(0, np.int32)
    return (list(texts), np.array([len(p[0]) for p in parts], np.int64), np.concatenate([p[0] for p in parts]),
            np.concatenate([p[1] for p in parts]), np.concatenate([p[2] for p in parts]))


@dataclass(frozen=True)
class SentenceTokens:
    """Every sentence's kept token vectors, as stored: sentence ``j`` owns rows ``offsets[j]:offsets[j+1]``."""

    vectors: np.ndarray  # (N, d) int8
    scales: np.ndarray  # (N,) float32
    ids: np.ndarray  # (N,) int32 vocabulary id of each row
    offsets: np.ndarray  # (n_sentences + 1,) int64

    @classmethod
    def join(cls, blocks: list, order: Sequence[int], dimension: int) -> "SentenceTokens":
        """The stored arrays of sentences whose texts are ``order`` (text numbers), from ``blocks``:
        each a ``block`` of texts' ``compact`` rows. Each block is dropped from the list once copied, so
        a 1 MB document's rows (about 160 MB) are never held twice."""
        where: dict[int, tuple[int, int, int]] = {}  # text -> (block, first row, rows)
        for b, (texts, lengths, *_) in enumerate(blocks):
            starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
            where.update((r, (b, int(s), int(n))) for r, s, n in zip(texts, starts, lengths))
        offsets = np.concatenate([[0], np.cumsum([where[r][2] for r in order])]).astype(np.int64)
        total = int(offsets[-1])
        out = cls(np.empty((total, dimension), np.int8), np.empty(total, np.float32), np.empty(total, np.int32), offsets)
        sentences_of: dict[int, list[int]] = {}
        for j, r in enumerate(order):
            sentences_of.setdefault(where[r][0], []).append(j)
        for b in range(len(blocks)):
            _, _, vectors, scales, ids = blocks[b]
            for j in sentences_of.get(b, ()):
                _, s, n = where[order[j]]
                out.vectors[offsets[j] : offsets[j] + n] = vectors[s : s + n]
                out.scales[offsets[j] : offsets[j] + n] = scales[s : s + n]
                out.ids[offsets[j] : offsets[j] + n] = ids[s : s + n]
            blocks[b] = None
        return out

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def check(self, sentences: int, dimension: int) -> str | None:
        """Why these arrays do not fit a document of ``sentences`` sentences (None when they do)."""
        n = len(self.vectors)
        if (len(self.offsets) != sentences + 1 or self.vectors.ndim != 2 or self.vectors.shape[1] != dimension
                or len(self.scales) != n or len(self.ids) != n or self.offsets[0] != 0 or self.offsets[-1] != n
                or (len(self.offsets) > 1 and np.any(np.diff(self.offsets) < 1))):
            return "the sentence token vectors do not match the document"
        return None

    def rows(self, sentence_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The float32 rows of ``sentence_ids`` stacked in that order, and their offsets (total last)."""
        starts, ends = self.offsets[sentence_ids], self.offsets[np.asarray(sentence_ids) + 1]
        lengths = ends - starts
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        index = np.repeat(starts - offsets[:-1], lengths) + np.arange(offsets[-1])
        rows = np.asarray(self.vectors)[index].astype(np.float32)
        rows *= self.scales[index, None]
        return rows, offsets

    @cached_property
    def frequency(self) -> dict[int, int]:
        """How many sentences hold each vocabulary id."""
        owner = np.repeat(np.arange(len(self)), np.diff(self.offsets))
        pairs = np.unique(owner.astype(np.int64) * (1 << 32) + self.ids.astype(np.int64))
        ids, counts = np.unique(pairs & ((1 << 32) - 1), return_counts=True)
        return dict(zip(ids.tolist(), counts.tolist()))


def piece_idf(ids: Sequence[int], frequency: dict[int, int], n_units: int) -> np.ndarray:
    """The idf weight of each piece over ``n_units`` sentences, by the one idf the question's terms
    get (ranker.idf_weights, its IdfSettings)."""
    from assistant.ranker import idf_weights

    pieces = [int(i) for i in ids]
    weights = idf_weights(pieces, lambda piece: frequency.get(piece, 0), n_units)
    return np.array([weights[piece] for piece in pieces], dtype=np.float64)


def maxsim(query: np.ndarray, weights: np.ndarray, tokens: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Per sentence, the ``weights``-weighted mean over ``query`` rows of their best cosine with the
    sentence's rows (``tokens[offsets[j]:offsets[j+1]]``, at least one each); rows are unit vectors."""
    n = len(offsets) - 1
    if n <= 0 or len(query) == 0:
        return np.zeros(max(n, 0))
    return weighted_mean(best_cosines(query, tokens, offsets), weights)


def best_cosines(query: np.ndarray, tokens: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """(sentences, query rows): each ``query`` row's best cosine with each sentence's rows
    (``tokens[offsets[j]:offsets[j+1]]``, at least one each)."""
    # (N, m), each sentence's rows consecutive. einsum's own loop, not BLAS: the product is small (about
    # 2,000 x 400 x 10), and OpenBLAS's threads, woken right after the ONNX run whose threads still spin,
    # took 13-19 ms for it on the shared two-core machine against 0.5 ms here (bench/bench_interaction.py)
    sims = np.einsum("nd,md->nm", tokens, query, optimize=False)
    return np.maximum.reduceat(sims, offsets[:-1], axis=0)


def weighted_mean(best: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per row of ``best`` (one best cosine per query piece), the ``weights``-weighted mean."""
    w = np.asarray(weights, dtype=np.float64)
    return (best @ w) / max(float(w.sum()), 1e-12)


def passage_maxsim(best: np.ndarray, weights: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Per group (a passage), MaxSim over all its sentences' pieces at once: each question piece's best
    cosine among the rows of ``best`` (per sentence, as ``best_cosines``) in the group, ``weights``-weighted;
    -inf for a group with no row. A passage that answers with two sentences matches the question's
    pieces across both, where a sentence's MaxSim matches only its own."""
    out = np.full(n_groups, -np.inf)
    if len(best) == 0:
        return out
    order = np.argsort(groups, kind="stable")
    ordered = np.asarray(groups)[order]
    starts = np.flatnonzero(np.diff(ordered, prepend=ordered[0] - 1))
    out[ordered[starts]] = weighted_mean(np.maximum.reduceat(best[order], starts, axis=0), weights)
    return out


def coverage(query: np.ndarray, tokens: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Per sentence, the mean over its rows of their best cosine with a ``query`` row: how much of
    the sentence is about the question (the converse of ``maxsim``)."""
    n = len(offsets) - 1
    if n <= 0 or len(query) == 0:
        return np.zeros(max(n, 0))
    best = np.einsum("nd,md->nm", tokens, query, optimize=False).max(axis=1)  # (N,); einsum: see maxsim
    return np.add.reduceat(best, offsets[:-1]) / np.diff(offsets)


def question_maxsim(question: Tokens, stored: SentenceTokens, sentence_ids: np.ndarray) -> np.ndarray:
    """The idf-weighted MaxSim of ``question`` with each of ``sentence_ids`` (idf over the document's sentences)."""
    sentence_ids = np.asarray(sentence_ids, dtype=np.int64)
    if len(sentence_ids) == 0:
        return np.zeros(0)
    query, weights = question_weights(question, stored)
    tokens, offsets = stored.rows(sentence_ids)
    return maxsim(query, weights, tokens, offsets)


def question_weights(question: Tokens, stored: SentenceTokens) -> tuple[np.ndarray, np.ndarray]:
    """The question's content rows (unit vectors) and their idf weights over the document's sentences."""
    rows = content_rows(question)
    return question.vectors[rows], piece_idf(np.asarray(question.ids)[rows], stored.frequency, len(stored))


def piece_alignment(question: Tokens, stored: SentenceTokens, sentence_ids: np.ndarray
                    ) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Each content word piece of ``question``, its idf weight over the document's sentences, and its
    best cosine with any row of ``sentence_ids`` taken together (an answer's sentences; einsum: see maxsim)."""
    rows = content_rows(question)
    query, weights = question_weights(question, stored)
    tokens, _ = stored.rows(np.asarray(sentence_ids, dtype=np.int64))
    best = np.einsum("nd,md->nm", tokens, query, optimize=False).max(axis=0)
    return [question.pieces[i] for i in rows], weights, best


def document_maxsim(question: Tokens, stored: SentenceTokens, pool: np.ndarray | None = None) -> np.ndarray:
    """Per sentence of the document, in sentence order, the idf-weighted MaxSim of ``question`` with
    it (as ``question_maxsim`` scores it) for the sentences of ``pool`` (default: all), NaN for the others."""
    out = np.full(len(stored), np.nan)
    pool = np.arange(len(stored)) if pool is None else np.asarray(pool, dtype=np.int64)
    out[pool] = question_maxsim(question, stored, pool)
    return out


def document_late(question: Tokens, stored: SentenceTokens, pool: np.ndarray, groups: np.ndarray,
                  n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """``document_maxsim`` of the ``pool`` (NaN for the other sentences) and, from the same cosines,
    each passage's ``passage_maxsim`` over its pooled sentences (``groups``: each sentence's passage;
    -inf for a passage with none in the pool)."""
    pool = np.asarray(pool, dtype=np.int64)
    sentences = np.full(len(stored), np.nan)
    if len(pool) == 0:
        return sentences, np.full(n_groups, -np.inf)
    query, weights = question_weights(question, stored)
    tokens, offsets = stored.rows(pool)
    best = best_cosines(query, tokens, offsets) if len(query) else np.zeros((len(pool), 0))
    sentences[pool] = weighted_mean(best, weights) if len(query) else 0.0
    return sentences, passage_maxsim(best, weights, np.asarray(groups)[pool], n_groups)

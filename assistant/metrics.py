"""Evaluation metrics: pure functions over ranks, answer texts and per-question outcomes.

Recall@k = share of questions with a relevant passage in the top k; MRR@10; gold-answer
token recall and SQuAD-style token F1 (lower-cased, footnote markers, Unicode punctuation
and the articles a/an/the removed; dashes separate words); median answer length in words
over the answered questions; citation exactness (``source[start:end] == text``);
abstention precision/recall with "abstained" as the positive class. Retrieval and answer
metrics are over answerable questions only (retrieval and evidence hit over those with
evidence).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from assistant.matching import dropped

K = 10
RECALL_AT = (1, 3, 5, 10)


def recall_at(ranks: Sequence[int | None], k: int) -> float | None:
    if not ranks:
        return None
    return sum(r is not None and r <= k for r in ranks) / len(ranks)


def mrr(ranks: Sequence[int | None], k: int = K) -> float | None:
    if not ranks:
        return None
    return sum(1.0 / r for r in ranks if r is not None and r <= k) / len(ranks)


# -- answer text metrics ------------------------------------------------------------------

_ARTICLES = re.compile(r"\b(a|an|the)\b")


def squad_normalise(text: str) -> str:
    """SQuAD answer normalisation: lower-case, punctuation and a/an/the removed (dashes split words,
    footnote markers are dropped first, and Unicode punctuation counts as punctuation)."""
    deleted = dropped(text)
    text = "".join(ch for i, ch in enumerate(text) if not deleted[i]).lower()
    text = "".join(" " if unicodedata.category(ch) == "Pd" else "" if unicodedata.category(ch).startswith("P") else ch
                   for ch in text)
    return " ".join(_ARTICLES.sub(" ", text).split())


def _common(prediction: str, gold: str) -> tuple[int, int, int]:
    pred, ref = squad_normalise(prediction).split(), squad_normalise(gold).split()
    return sum((Counter(pred) & Counter(ref)).values()), len(pred), len(ref)


def token_f1(prediction: str, gold: str) -> float:
    same, n_pred, n_gold = _common(prediction, gold)
    if n_pred == 0 or n_gold == 0:
        return float(n_pred == n_gold)
    if same == 0:
        return 0.0
    precision, recall = same / n_pred, same / n_gold
    return 2 * precision * recall / (precision + recall)


def token_recall(prediction: str, gold: str) -> float:
    same, _, n_gold = _common(prediction, gold)
    return same / n_gold if n_gold else 1.0


def contains_answer(prediction: str, gold: str) -> bool:
    """Whether the normalised gold answer occurs in the normalised prediction, on word boundaries."""
    needle = squad_normalise(gold)
    return bool(needle) and f" {needle} " in f" {squad_normalise(prediction)} "


# -- abstention and aggregation -----------------------------------------------------------


def abstention_scores(abstained: Sequence[bool], answerable: Sequence[bool]) -> dict:
    """Rates with "abstained" as the positive class, correct when the question is unanswerable."""
    pairs = list(zip(abstained, answerable))
    unanswerable = [a for a, ok in pairs if not ok]
    answered_ok = [not a for a, ok in pairs if ok]
    abstentions = [not ok for a, ok in pairs if a]
    return {
        "abstain_on_unanswerable": mean(unanswerable),
        "answered_on_answerable": mean(answered_ok),
        "abstain_precision": mean(abstentions),
        "abstain_recall": mean(unanswerable),
    }


def mean(values: Sequence) -> float | None:
    return float(np.mean(values)) if len(values) else None


def _percentile(values: Sequence[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 2) if len(values) else None


@dataclass(frozen=True)
class Scored:
    """One question's outcome for one system."""

    id: str
    type: str
    answerable: bool
    has_evidence: bool
    first_rank: int | None
    evidence_hit: bool | None
    f1: float | None
    recall: float | None
    abstained: bool
    words: int
    citations_exact: int
    citations_total: int
    latency_ms: float

    @property
    def abstain_correct(self) -> bool:
        return self.abstained != self.answerable

    def hits(self) -> dict:
        return {"first_relevant_rank": self.first_rank, "evidence_hit": self.evidence_hit,
                "f1": self.f1, "recall": self.recall, "abstain_correct": self.abstain_correct}


def aggregate(scored: Sequence[Scored]) -> dict:
    """Every metric over a group of questions (None where a metric has nothing to count)."""
    answerable = [s for s in scored if s.answerable]
    with_evidence = [s for s in answerable if s.has_evidence]
    ranks = [s.first_rank for s in with_evidence]
    cited = sum(s.citations_total for s in scored)
    metrics: dict[str, float | None] = {"questions": len(scored), "answerable": len(answerable), "unanswerable": len(scored) - len(answerable)}
    metrics.update({f"recall@{k}": recall_at(ranks, k) for k in RECALL_AT})
    metrics["mrr@10"] = mrr(ranks, K)
    metrics["evidence_hit"] = mean([s.evidence_hit for s in with_evidence])
    metrics["token_recall"] = mean([s.recall for s in answerable])
    metrics["token_f1"] = mean([s.f1 for s in answerable])
    answered = [s.words for s in answerable if not s.abstained]
    metrics["median_words"] = float(np.median(answered)) if answered else None
    metrics["citation_exact"] = sum(s.citations_exact for s in scored) / cited if cited else None
    metrics.update(abstention_scores([s.abstained for s in scored], [s.answerable for s in scored]))
    metrics["latency_p50_ms"] = _percentile([s.latency_ms for s in scored], 50)
    metrics["latency_p95_ms"] = _percentile([s.latency_ms for s in scored], 95)
    return metrics


def summarise(scored: Sequence[Scored]) -> dict:
    types = list(dict.fromkeys(s.type for s in scored))
    return {"overall": aggregate(scored), "by_type": {t: aggregate([s for s in scored if s.type == t]) for t in types},
            "intervals": intervals(scored)}


def wilson(successes: int, n: int) -> tuple[float, float] | None:
    """The 95% Wilson score interval of the rate ``successes / n`` (scipy); None when n is 0."""
    if n == 0:
        return None
    from scipy.stats import binomtest

    ci = binomtest(successes, n).proportion_ci(confidence_level=0.95, method="wilson")
    return round(float(ci.low), 4), round(float(ci.high), 4)


def intervals(scored: Sequence[Scored]) -> dict[str, dict | None]:
    """95% intervals of the rates in ``aggregate`` that count questions: how far a rate measured on
    this many questions may be from the rate on many more like them (60 questions: about +-0.1)."""
    answerable = [s for s in scored if s.answerable]
    with_evidence = [s for s in answerable if s.has_evidence]
    unanswerable = [s for s in scored if not s.answerable]
    counts = {
        "recall@1": (sum(s.first_rank == 1 for s in with_evidence), len(with_evidence)),
        "recall@5": (sum(s.first_rank is not None and s.first_rank <= 5 for s in with_evidence), len(with_evidence)),
        "evidence_hit": (sum(bool(s.evidence_hit) for s in with_evidence), len(with_evidence)),
        "abstain_on_unanswerable": (sum(s.abstained for s in unanswerable), len(unanswerable)),
        "answered_on_answerable": (sum(not s.abstained for s in answerable), len(answerable)),
    }
    return {name: {"count": k, "n": n, "low": ci[0], "high": ci[1]} if (ci := wilson(k, n)) is not None else None
            for name, (k, n) in counts.items()}

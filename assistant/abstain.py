"""Deciding whether the document answers a question at all.

Raw top similarity alone correlates poorly with correctness, so the decision is a
logistic model over several signals: how far the top hit stands above the rest,
whether the question's rare terms and names occur in the document at all, whether a
"when"/"how many" question finds a date or number in the answer, and agreement
between the dense and lexical rankings. The weights live in ``abstain.json``, fitted by
``assistant eval --fit-abstention`` (see evaluate.py) and reported under cross-validation.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

FEATURES = (
    "top_dense",
    "dense_margin",
    "top_lexical",
    "term_coverage",
    "missing_names",
    "type_mismatch",
    "agreement",
)
_YEAR = re.compile(r"\b(1[89]|20)\d\d\b")
_NUMBER = re.compile(r"\b\d[\d,.]*\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|hundred|thousand|million|billion|dozen)\b", re.I)
_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][a-zA-Z'’-]{2,}|[A-Z]{2,})\b")


@dataclass(frozen=True)
class Signals:
    values: tuple[float, ...]  # in FEATURES order

    def as_dict(self) -> dict[str, float]:
        return dict(zip(FEATURES, self.values))


@dataclass(frozen=True)
class Model:
    weights: tuple[float, ...]
    bias: float
    threshold: float = 0.5

    def probability(self, signals: Signals) -> float:
        z = self.bias + float(np.dot(self.weights, signals.values))
        return float(1.0 / (1.0 + np.exp(-z)))


def expects_date(question: str) -> bool:
    q = question.lower()
    return bool(re.search(r"\bwhen\b|\bwhat year\b|\bwhich year\b|\bwhat date\b|\bsince when\b", q))


def expects_number(question: str) -> bool:
    return bool(re.search(r"\bhow (many|much|long|large)\b|\bwhat (number|percentage|share|amount)\b", question.lower()))


def question_names(question: str) -> list[str]:
    """Capitalised words that are not at a sentence start: likely names of people, places, bodies."""
    return _NAME.findall(question.strip())


def signals(
    dense_top: np.ndarray,
    lexical_top: np.ndarray,
    term_df: list[int],
    term_idf: list[float],
    names_found: list[bool],
    question: str,
    answer_text: str,
    agreement: float,
) -> Signals:
    """Pure feature extraction. ``dense_top``/``lexical_top`` are sorted descending sentence scores."""
    top = float(dense_top[0]) if len(dense_top) else 0.0
    rest = float(np.mean(dense_top[1:10])) if len(dense_top) > 1 else 0.0
    idf = np.asarray(term_idf, dtype=np.float64)
    present = np.asarray([df > 0 for df in term_df], dtype=np.float64)
    coverage = float((idf * present).sum() / idf.sum()) if idf.sum() > 0 else 0.0
    lexical = float(lexical_top[0]) / (1.0 + len(term_df)) if len(lexical_top) else 0.0
    mismatch = 0.0
    if expects_date(question) and not _YEAR.search(answer_text):
        mismatch = 1.0
    if expects_number(question) and not _NUMBER.search(answer_text):
        mismatch = 1.0
    missing = float(sum(not found for found in names_found))
    return Signals((top, top - rest, lexical, coverage, missing, mismatch, agreement))


def model_path() -> Path:
    return Path(__file__).with_name("abstain.json")


@lru_cache(maxsize=1)
def load_model() -> Model:
    path = model_path()
    if not path.is_file():
        return default_model()
    data = json.loads(path.read_text(encoding="utf-8"))
    weights = tuple(float(data["weights"][name]) for name in FEATURES)
    return Model(weights, float(data["bias"]), float(data.get("threshold", 0.5)))


def default_model() -> Model:
    """Hand-set starting weights, used until a fitted abstain.json exists."""
    weights = {"top_dense": 8.0, "dense_margin": 6.0, "top_lexical": 0.5, "term_coverage": 3.0,
               "missing_names": -2.0, "type_mismatch": -2.0, "agreement": 1.0}
    return Model(tuple(weights[f] for f in FEATURES), bias=-6.5)


def fit(x: np.ndarray, y: np.ndarray, l2: float = 0.1, steps: int = 3000, lr: float = 0.1):
    """Logistic regression by gradient descent on standardised features; returns (weights, bias)."""
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / std
    w, b = np.zeros(z.shape[1]), 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ w + b)))
        w -= lr * (z.T @ (p - y) / len(y) + l2 * w)
        b -= lr * float(np.mean(p - y))
    return w / std, b - float(np.dot(w / std, mean))

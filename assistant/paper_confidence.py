"""Confidence of an answer about the paper as a whole: how often an answer found that way is right.

overview.py answers "What is the main argument?", "What does the paper conclude?", "What are the
limitations?" ... from where a paper states such things, not from the question's words, so the
confidence model of confidence.py (fitted on questions about facts) cannot judge it. This one reads
how the answer was found: whether its sentence states the aspect in words (``cued``) and lies in the
part that states it first (``primary``), which part its first sentence is in, whether the layout
found a conclusion, and whether the answer takes more than one sentence. A logistic model over those is fitted by ``python -m assistant.fit_paper_confidence`` on
whole-paper answers judged by readers on PDFs the rules were not written on, cross-validated by
document, and stored as plain JSON in ``paper_confidence.json``; answering needs numpy only.

The embedded paper's answers are better than that: the rules were written on it. Its own offset (a
logit shift, shrunk toward none) is fitted on the paper-level questions of its dev gold files, with
evidence hit as the label, and checked on its report-only ones; it applies to that text only (found
by its SHA-256), never to another document.

Front-matter aspects (authors, title, date, publisher) keep overview's rule rates: no judged answer
speaks for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Mapping

import numpy as np

from assistant import fitted
from assistant.abstain import sigmoid

FEATURES = (
    "cued_primary",  # states the aspect in words, in the part that states it first
    "cued_elsewhere",  # ... in words, in another part
    "placed_primary",  # only sits in the part that states it first
    "lead_abstract",  # the answer's first sentence is in the abstract ...
    "lead_introduction",  # ... the introduction ...
    "lead_conclusion",  # ... the conclusion
    "has_conclusion",  # the layout found a conclusion
    "several",  # the answer takes two sentences or more
)
FRONT_ASPECTS = frozenset({"authors", "title", "published", "publisher"})


def features(cued: bool, primary: bool, lead_zone: str, zones: frozenset[str], sentences: int) -> np.ndarray:
    """The feature vector (in FEATURES order) of a paper-level answer: how it was found (``cued``,
    ``primary``), the part of its first sentence, the parts the document has, and its length."""
    return np.array([
        cued and primary, cued and not primary, not cued and primary,
        lead_zone == "abstract", lead_zone == "introduction", lead_zone == "conclusion",
        "conclusion" in zones, sentences >= 2,
    ], dtype=np.float64)


@dataclass(frozen=True)
class Model:
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    offsets: Mapping[str, float] = field(default_factory=dict)  # per document (its source's SHA-256): a logit shift

    def score(self, x: np.ndarray) -> np.ndarray:
        """The logit of feature rows ``x``, for a document the model knows nothing particular of."""
        return fitted.standardized_logit(x, self.mean, self.scale, self.coef, self.intercept)

    def probability(self, x: np.ndarray, document: str = "") -> np.ndarray:
        """The probability that answers with feature rows ``x`` are right (one row gives a 0-d array); on a
        ``document`` (its source's SHA-256) with an offset of its own, shifted by it."""
        return sigmoid(self.score(x) + self.offsets.get(document, 0.0))


def model_path() -> Path:
    return Path(__file__).with_name("paper_confidence.json")


@lru_cache(maxsize=4)
def load_model(path: Path | None = None) -> Model:
    """The fitted model; a missing or malformed file is an error naming the fix."""
    path = Path(path or model_path())
    return fitted.read_model(path, "paper-level confidence model",
                             f"refit it with `python -m assistant.fit_paper_confidence --out {path}`", model_from_json)


def model_from_json(data: dict) -> Model:
    if tuple(data.get("features", ())) != FEATURES:
        raise ValueError("it was fitted on other features")
    offsets = {str(key): float(value["offset"]) for key, value in data.get("documents", {}).items()}
    model = Model(*fitted.standardized(data), offsets)
    if not len(model.mean) == len(model.scale) == len(model.coef) == len(FEATURES) or not np.all(model.scale > 0):
        raise ValueError("its arrays do not match the features")
    return model


def model_json(model: Model, documents: Mapping[str, dict] | None = None, **extra) -> dict:
    """The JSON form of ``model``: ``documents`` maps a source's SHA-256 to its offset and what it was
    fitted on (``{"offset": ..., ...}``); ``extra`` adds what the model was fitted on and how it scored."""
    rounded = lambda values: [round(float(v), 6) for v in values]  # noqa: E731
    return {"format": 1, "features": list(FEATURES), "mean": rounded(model.mean), "scale": rounded(model.scale),
            "coef": rounded(model.coef), "intercept": round(float(model.intercept), 6), "documents": dict(documents or {}),
            **extra}

"""Confidence that an answer is right: a calibrated probability that the shown answer holds the evidence.

The abstention model (abstain.py) decides whether the document answers a question at all; this
module says how likely the sentences actually shown are the right ones. Its inputs are known at
answer time: the learned ranker's probabilities (the best candidate's, the shown sentences' best,
and the margins between them), the fused retrieval scores' margins, the abstention signals and
probability, the answer's length and whether it is a paper-level answer. A logistic model turns
them into a score and a one-dimensional calibration map (Platt or isotonic, chosen under
cross-validation) into a probability. Both are fitted by ``python -m assistant.fit_confidence``
on many documents (cross-validated by document) and stored as plain JSON in ``confidence.json``;
answering needs numpy only. The words shown beside the number come from ``BANDS``, defined here once.
A paper-level answer (overview.py) shows paper_confidence.py's probability instead (a front-matter
one: at least overview's rule rate): the training data holds only 9 such questions, too few to judge them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from assistant import abstain, fitted, joining

FEATURES = (
    "ranker_top",  # logit of the ranker's best candidate probability
    "ranker_top_gap",  # best minus second-best candidate probability
    "ranker_shown",  # logit of the best ranker probability among the shown sentences
    "ranker_shown_gap",  # best candidate probability minus the shown sentences' best
    "top_shown",  # 1.0 when the ranker's best candidate is among the shown sentences
    "abstain_logit",  # the abstention model's logit (clipped)
    *abstain.FEATURES[:-1],  # the abstention signals (asks_fact_dense left out: a product of two of them)
    "fused_gap",  # best minus second-best fused sentence score
    "shown_fused_gap",  # best fused score minus the shown sentences' best
    "sentences",  # how many sentences are shown
    "log_words",  # log(1 + words shown)
    "paper_level",  # 1.0 for an answer about the paper as a whole (overview.py)
    "paper_cued",  # 1.0 when that answer states the aspect asked about in words
    *joining.SET_FEATURES,  # the joining model on the answer shown (joining.answer_set; 0 for a paper-level answer)
)
BASE_FEATURES = FEATURES[: -len(joining.SET_FEATURES)]  # a model may be fitted on these alone (fit_confidence --without-set)

# The words shown with a confidence, from the highest band down: (lowest probability, words).
BANDS: tuple[tuple[float, str], ...] = ((0.7, "likely right"), (0.4, "uncertain"), (0.0, "unlikely"))
_CLIP = 8.0  # logits are clipped to +-_CLIP so a saturated probability does not dominate


def describe(probability: float) -> str:
    """The words for a confidence ("likely right", "uncertain", "unlikely")."""
    return next(words for low, words in BANDS if probability >= low)


def phrase(probability: float) -> str:
    """Words and number, e.g. ``likely right (0.82)``."""
    return f"{describe(probability)} ({probability:.2f})"


def closest_phrase(probability: float) -> str:
    """An abstention's closest answer: the number without the band words, e.g. ``0.71 chance it
    would be right``. "likely right" beside "the paper does not seem to answer this" would read as a
    verdict on an answer that was not given: the abstention model decided otherwise."""
    return f"{probability:.2f} chance it would be right"


def shown(probability: float, floor: float = 0.0, judged: float | None = None) -> float:
    """The confidence shown for an answer: a paper-level answer's ``judged`` probability
    (paper_confidence.py) when it has one, else the model's ``probability``, at least ``floor``."""
    return judged if judged is not None else max(probability, floor)


def logit(p: float) -> float:
    p = min(max(float(p), 1e-6), 1 - 1e-6)
    return max(-_CLIP, min(_CLIP, math.log(p / (1 - p))))


def features(
    ranker_probabilities: np.ndarray,
    candidate_ids: np.ndarray,
    shown_ids: Sequence[int],
    signals: abstain.Signals,
    abstain_probability: float,
    sentence_fused: np.ndarray,
    words: int,
    paper_level: bool = False,
    paper_cued: bool = False,
    joined: Sequence[float] = joining.NO_SET,
) -> np.ndarray:
    """The feature vector (in FEATURES order) of one answer. ``ranker_probabilities`` are those of
    ``candidate_ids``, which must include every shown sentence; ``sentence_fused`` covers all sentences;
    ``joined`` is joining.answer_set of the answer (joining.SET_FEATURES)."""
    p = np.asarray(ranker_probabilities, dtype=np.float64)
    shown = np.isin(np.asarray(candidate_ids), np.asarray(list(shown_ids), dtype=np.int64))
    ordered = np.sort(p)[::-1]
    top = float(ordered[0]) if len(ordered) else 0.0
    second = float(ordered[1]) if len(ordered) > 1 else 0.0
    shown_best = float(p[shown].max()) if shown.any() else 0.0
    top_shown = float(len(p) > 0 and bool(shown[int(np.argmax(p))]))
    fused = np.sort(np.asarray(sentence_fused, dtype=np.float64))[::-1]
    fused_top = float(fused[0]) if len(fused) else 0.0
    fused_second = float(fused[1]) if len(fused) > 1 else fused_top
    ids = [i for i in shown_ids if 0 <= i < len(sentence_fused)]
    fused_shown = float(np.max(np.asarray(sentence_fused)[ids])) if ids else fused_top
    return np.array([
        logit(top), top - second, logit(shown_best), top - shown_best, top_shown,
        logit(abstain_probability), *signals.values[: len(abstain.FEATURES) - 1],
        fused_top - fused_second, fused_top - fused_shown,
        float(len(shown_ids)), math.log1p(words), float(paper_level), float(paper_cued), *joined,
    ], dtype=np.float64)


@dataclass(frozen=True)
class Calibration:
    """A monotone map from the logistic score to a probability: Platt (``sigmoid(a*z + b)``) or
    isotonic (piecewise-linear through ``points`` of (sigmoid(z), probability))."""

    method: str  # "platt" or "isotonic"
    a: float = 1.0
    b: float = 0.0
    x: tuple[float, ...] = ()
    y: tuple[float, ...] = ()

    def apply(self, z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=np.float64)
        if self.method == "isotonic":
            return np.interp(abstain.sigmoid(z), np.asarray(self.x), np.asarray(self.y))
        return abstain.sigmoid(self.a * z + self.b)


@dataclass(frozen=True)
class Model:
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    calibration: Calibration

    def score(self, x: np.ndarray) -> np.ndarray:
        """The uncalibrated logistic score (logit) of feature rows ``x`` (a model fitted on the first
        BASE_FEATURES reads only those columns)."""
        return fitted.standardized_logit(np.asarray(x, dtype=np.float64)[..., : len(self.coef)], self.mean, self.scale, self.coef,
                                         self.intercept)

    def probability(self, x: np.ndarray) -> np.ndarray:
        """Calibrated probabilities of feature rows ``x`` (one row gives a 0-d array)."""
        return np.clip(self.calibration.apply(self.score(x)), 0.0, 1.0)


def reads_answer_set(model: Model) -> bool:
    """Whether ``model`` reads joining.SET_FEATURES (a model fitted with ``--without-set`` does not)."""
    return len(model.coef) > len(BASE_FEATURES)


def model_path() -> Path:
    return Path(__file__).with_name("confidence.json")


@lru_cache(maxsize=4)
def load_model(path: Path | None = None) -> Model:
    """The fitted confidence model; a missing or malformed file is an error naming the fix."""
    path = Path(path or model_path())
    return fitted.read_model(path, "confidence model", f"refit it with `python -m assistant.fit_confidence --out {path}`",
                             model_from_json)


def model_from_json(data: dict) -> Model:
    if tuple(data.get("features", ())) not in (FEATURES, BASE_FEATURES):
        raise ValueError("it was fitted on other features")
    cal = data["calibration"]
    calibration = Calibration(str(cal["method"]), float(cal.get("a", 1.0)), float(cal.get("b", 0.0)),
                              tuple(float(v) for v in cal.get("x", ())), tuple(float(v) for v in cal.get("y", ())))
    if calibration.method not in ("platt", "isotonic") or len(calibration.x) != len(calibration.y):
        raise ValueError(f"unknown calibration {calibration.method!r}")
    model = Model(*fitted.standardized(data), calibration)
    if not len(model.mean) == len(model.scale) == len(model.coef) == len(data["features"]):
        raise ValueError("its arrays do not match the features")
    return model


def model_json(model: Model, **extra) -> dict:
    """The JSON form of ``model`` (weights and calibration; ``extra`` adds what it was fitted on)."""
    cal = model.calibration
    calibration: dict = {"method": cal.method}
    calibration.update({"a": round(cal.a, 6), "b": round(cal.b, 6)} if cal.method == "platt"
                       else {"x": [round(v, 6) for v in cal.x], "y": [round(v, 6) for v in cal.y]})
    return {
        "format": 1, "features": list(FEATURES[: len(model.coef)]),
        "mean": _rounded(model.mean), "scale": _rounded(model.scale), "coef": _rounded(model.coef),
        "intercept": round(float(model.intercept), 6), "calibration": calibration, **extra,
    }


def _rounded(values: np.ndarray) -> list[float]:
    return [round(float(v), 6) for v in values]

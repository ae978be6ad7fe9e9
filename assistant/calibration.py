"""How well a confidence tells right answers from wrong: pure functions over arrays.

``confidence`` holds probabilities in [0, 1] and ``hit`` whether each answer was right.
Bins are ``BINS`` equal-width intervals of confidence, [0, 0.1), [0.1, 0.2), ..., [0.9, 1.0]
(1.0 falls in the last). The expected calibration error (ECE) is the bins' gap
|mean confidence - observed hit rate| weighted by their share of answers; AUROC is the chance
that a random right answer gets a higher confidence than a random wrong one (ties count half).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike

BINS = 10


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    n: int
    mean_confidence: float | None  # None for an empty bin
    hit_rate: float | None


def _arrays(confidence: ArrayLike, hit: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(confidence, dtype=np.float64).reshape(-1)
    y = np.asarray(hit, dtype=np.float64).reshape(-1)
    if p.shape != y.shape:
        raise ValueError(f"{len(p)} confidences but {len(y)} outcomes")
    return np.clip(p, 0.0, 1.0), y


def bin_index(confidence: ArrayLike, bins: int = BINS) -> np.ndarray:
    """The bin of each confidence (0 .. bins-1)."""
    p = np.clip(np.asarray(confidence, dtype=np.float64), 0.0, 1.0)
    return np.minimum((p * bins).astype(np.int64), bins - 1)


def reliability(confidence: ArrayLike, hit: ArrayLike, bins: int = BINS) -> list[Bin]:
    """One row per bin: its range, how many answers, their mean confidence and observed hit rate."""
    p, y = _arrays(confidence, hit)
    where = bin_index(p, bins)
    out = []
    for b in range(bins):
        inside = where == b
        n = int(inside.sum())
        out.append(Bin(round(b / bins, 4), round((b + 1) / bins, 4), n,
                       float(p[inside].mean()) if n else None, float(y[inside].mean()) if n else None))
    return out


def expected_calibration_error(confidence: ArrayLike, hit: ArrayLike, bins: int = BINS) -> float | None:
    """Sum over bins of (share of answers) * |mean confidence - hit rate|; None without answers."""
    p, y = _arrays(confidence, hit)
    if len(p) == 0:
        return None
    return float(sum(row.n / len(p) * abs(row.mean_confidence - row.hit_rate)
                     for row in reliability(p, y, bins) if row.mean_confidence is not None and row.hit_rate is not None))


def auroc(confidence: ArrayLike, hit: ArrayLike) -> float | None:
    """Area under the ROC curve of confidence against hit (Mann-Whitney, ties half); None when
    the answers are all right or all wrong."""
    p, y = _arrays(confidence, hit)
    positives, negatives = int((y > 0.5).sum()), int((y <= 0.5).sum())
    if positives == 0 or negatives == 0:
        return None
    order = np.argsort(p, kind="stable")
    ranks = np.empty(len(p), dtype=np.float64)
    ranks[order] = np.arange(1, len(p) + 1)
    _, inverse = np.unique(p, return_inverse=True)
    for v in np.flatnonzero(np.bincount(inverse) > 1):  # tied confidences share their average rank
        ranks[inverse == v] = ranks[inverse == v].mean()
    return float((ranks[y > 0.5].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def brier(confidence: ArrayLike, hit: ArrayLike) -> float | None:
    """Mean squared difference between confidence and outcome; None without answers."""
    p, y = _arrays(confidence, hit)
    return float(np.mean((p - y) ** 2)) if len(p) else None


def summary(confidence: ArrayLike, hit: ArrayLike, bins: int = BINS) -> dict:
    """Every figure above as plain JSON: n, hit rate, mean confidence, ECE, AUROC, Brier, the table."""
    p, y = _arrays(confidence, hit)
    return {
        "n": int(len(p)),
        "hit_rate": float(y.mean()) if len(y) else None,
        "mean_confidence": float(p.mean()) if len(p) else None,
        "ece": expected_calibration_error(p, y, bins),
        "auroc": auroc(p, y),
        "brier": brier(p, y),
        "reliability": [asdict(row) for row in reliability(p, y, bins)],
    }


def answered(confidence: ArrayLike, abstained: ArrayLike, answerable: ArrayLike,
             evidence_hit: Sequence[bool | None]) -> tuple[np.ndarray, np.ndarray]:
    """The confidences and outcomes of the answers shown (not abstained on): right when the answer
    hits the evidence; an answer to an unanswerable question is wrong; an answerable question whose
    evidence could not be located (hit None) is left out."""
    p = np.asarray(confidence, dtype=np.float64)
    shown = ~np.asarray(abstained, dtype=bool)
    ok = np.asarray(answerable, dtype=bool)
    known = np.array([not a or h is not None for a, h in zip(ok, evidence_hit)], dtype=bool)
    hit = np.array([bool(h) and bool(a) for a, h in zip(ok, evidence_hit)], dtype=bool)
    keep = shown & known
    return p[keep], hit[keep]


def reliability_renderable(summary_: dict, title: str):
    """The reliability table of a ``summary`` for the terminal (bins without answers left out)."""
    from rich.table import Table

    table = Table(title=title)
    for column in ("confidence", "answers", "mean confidence", "right"):
        table.add_column(column, justify="right")
    for row in summary_["reliability"]:
        if row["n"]:
            table.add_row(f"{row['low']:.1f}-{row['high']:.1f}", str(row["n"]),
                          f"{row['mean_confidence']:.3f}", f"{row['hit_rate']:.3f}")
    table.caption = (f"ECE {_fmt(summary_['ece'])} · AUROC {_fmt(summary_['auroc'])} · Brier {_fmt(summary_['brier'])} "
                     f"over {summary_['n']} answers shown (right = evidence hit; an answer to an unanswerable question is wrong)")
    return table


def _fmt(value) -> str:
    return "–" if value is None else f"{value:.3f}"

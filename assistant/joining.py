"""Which sentences join an answer's lead: a small fitted model of "this sentence holds the answer".

The answer leads with the best-scored sentence (with what it cannot stand without: the list it
introduces, the items it announces; answer.py). Other sentences near the top of the ranking join
only when they are likely to hold the answer the lead may lack: a logistic model over the features
below gives each one the probability that it holds the answer, and a sentence joins when the chance
it adds, its probability times the chance that none of the sentences already chosen holds the
answer, pays for its length (``pick``). The coefficients are in ``joining.json``, fitted by
``python -m assistant.fit_joining`` on the dev gold files and the COVID-QA training papers (cross-
validated by document). Scoring is pure numpy; the model file is plain JSON, read once, lazily.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.abstain import sigmoid
from assistant import fitted
from assistant.errors import AssistantError
from assistant.lexical import terms
from assistant.records import Document
from assistant.structure import display_text

FEATURES = (
    "coverage",  # share of the question's idf-weighted terms in the sentence
    "adds",  # share of them it holds and the lead does not
    "lead_coverage",  # the lead's own share
    "same_paragraph",  # 1.0 in the lead's paragraph
    "ratio",  # its fused score over the lead's
    "log_rank",  # log(1 + its rank by fused score; the lead is 0)
    "ranker",  # the learned ranker's probability that it holds the answer (ranker.py; 0 if not a candidate)
    "lead_ranker",  # the ranker's probability for the lead
    "adjacent",  # 1.0 right before or after the lead, same paragraph
    "log_words",  # log(1 + its words)
)


@dataclass(frozen=True)
class Model:
    names: tuple[str, ...]
    coef: np.ndarray
    intercept: float

    def probability(self, x: np.ndarray) -> np.ndarray:
        return sigmoid(x @ self.coef + self.intercept)


def model_path() -> Path:
    return Path(__file__).with_name("joining.json")


@lru_cache(maxsize=4)
def load_model(path: Path | None = None) -> Model:
    """The fitted model; a missing or malformed file is an error."""
    path = Path(path or model_path())
    model = fitted.read_model(path, "joining model", f"refit it with `python -m assistant.fit_joining --out {path}`",
                              lambda data: Model(tuple(data["features"]), np.asarray(data["coef"], float), float(data["intercept"])))
    if model.names != FEATURES or model.coef.shape != (len(FEATURES),):
        raise AssistantError(f"{path} was fitted on other features; refit it with `python -m assistant.fit_joining`")
    return model


def words(doc: Document, sid: int) -> int:
    return len(display_text(doc.sentences[sid].text).split())


def features(doc: Document, pool: np.ndarray, best: int, scores: np.ndarray, evidence: Mapping[int, float],
             weights: Mapping[str, float]) -> np.ndarray:
    """One row of FEATURES per sentence of ``pool`` (ids by descending ``scores``; ``best`` is the
    lead); ``evidence`` maps sentence ids to the ranker's probability, ``weights`` the question's
    terms to their idf."""
    total = sum(weights.values()) or 1.0
    own = [set(terms(display_text(doc.sentences[int(sid)].text))) for sid in pool]
    lead_terms = set(terms(display_text(doc.sentences[best].text)))
    top = float(scores[best]) or 1.0
    lead_p = float(evidence.get(best, 0.0))
    lead_cov = sum(w for t, w in weights.items() if t in lead_terms) / total
    para = doc.sentences[best].paragraph
    rows = []
    for rank, (sid, held) in enumerate(zip((int(s) for s in pool), own)):
        same = doc.sentences[sid].paragraph == para
        rows.append((
            sum(w for t, w in weights.items() if t in held) / total,
            sum(w for t, w in weights.items() if t in held and t not in lead_terms) / total,
            lead_cov,
            float(same),
            float(scores[sid]) / top,
            np.log1p(rank),
            float(evidence.get(sid, 0.0)),
            lead_p,
            float(same and abs(sid - best) == 1),
            np.log1p(words(doc, sid)),
        ))
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))


def pick(probabilities: np.ndarray, lengths: np.ndarray, missed: float, cost: float, room: int,
         floor: float = 0.0) -> list[int]:
    """Positions of the sentences that join, most probable first: each joins while ``room`` lasts when
    its probability is at least ``floor`` and the chance it adds (its probability times ``missed``,
    the chance that the sentences already chosen all miss the answer) is at least ``cost`` per 20
    words of it (``lengths``); ``missed`` shrinks as they join."""
    chosen: list[int] = []
    for j in np.argsort(-probabilities, kind="stable"):
        if len(chosen) >= room:
            break
        p = float(probabilities[j])
        if p >= floor and p * missed >= cost * float(lengths[j]) / 20.0:
            chosen.append(int(j))
            missed *= 1.0 - p
    return chosen


# What confidence.py reads of the joining model about the answer shown (``answer_set``), in this order.
SET_FEATURES = (
    "join_set",  # logit of the chance that some shown sentence holds the answer: 1 - prod(1 - p_i)
    "join_lead",  # logit of the lead's probability
    "join_left",  # the likeliest left-out sentence's probability (of the pool)
    "runs",  # how many runs of adjacent sentences are shown
    "lead_agrees",  # 1.0 when the lead is also the best-scored sentence (the passage lead did not move it)
    "names_missing",  # share of the question's names (abstain.question_names) the answer shown does not hold
    "score_ranker_gap",  # the ranker's best probability minus its probability for the best-scored sentence
)
NO_SET = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)  # a paper-level answer, or one without the ranker's probabilities
_CLIP = 8.0


def _logit(p: float) -> float:
    p = min(max(float(p), 1e-6), 1 - 1e-6)
    return max(-_CLIP, min(_CLIP, float(np.log(p / (1 - p)))))


def answer_set(doc: Document, masked: np.ndarray, best: int, shown: Sequence[int], evidence: Mapping[int, float],
               weights: Mapping[str, float], pool_size: int, runs: int, model: Model | None = None,
               names_missing: float = 0.0) -> tuple[float, ...]:
    """SET_FEATURES of the ``shown`` sentences: the joining model's probabilities over the
    ``pool_size`` best of ``masked`` (the fused scores, -inf where not allowed) and the shown
    sentences outside them, with ``best`` as the lead."""
    model = model or load_model()
    finite = [int(s) for s in np.argsort(-masked, kind="stable")[:pool_size] if np.isfinite(masked[s])]
    extra = [int(s) for s in dict.fromkeys([best, *shown]) if int(s) not in finite]
    pool = np.array(finite + extra, dtype=np.int64)
    scores = np.where(np.isfinite(masked), masked, 0.0)
    p = model.probability(features(doc, pool, best, scores, evidence, weights))
    chance = dict(zip(pool.tolist(), p.tolist()))
    on = set(int(s) for s in shown)
    missed = float(np.prod([1.0 - chance[s] for s in on if s in chance]))
    left = max((chance[s] for s in finite if s not in on), default=0.0)
    top = int(finite[0]) if finite else best
    gap = max(evidence.values(), default=0.0) - float(evidence.get(top, 0.0))
    return (_logit(1.0 - missed), _logit(chance.get(best, 0.0)), float(left), float(runs), float(top == best), names_missing,
            float(gap))

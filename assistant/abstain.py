"""Deciding whether the document answers a question at all.

Raw top similarity alone correlates poorly with correctness, so the decision is a
logistic model over several signals: the top dense and lexical scores, whether the question's
rare terms and names occur in the document at all, whether a question that asks for a fact (a
date, a count, a sum, a share, a name) finds one of that kind in the answer, and agreement
between the dense and lexical rankings. Questions that ask for a fact get their own intercept
and dense slope (``asks_fact``, ``asks_fact_dense``): an on-topic question the paper does not
answer is most often one whose specific fact the paper leaves out, so the same similarity means
less for it than for an open "why"/"how" question. The weights live in ``abstain.json``, fitted by
``assistant eval --fit-abstention`` (see abstain_fit.py) and reported under cross-validation.

A second, optional model (``Veto``, the ``"veto"`` object of ``abstain.json``) abstains on questions
the first would answer when they look like an answerable question with one thing changed (SQuAD
2.0's unanswerable questions are written that way): it reads the first model's signals and how
well each content word piece of the question finds its match among the answer's contextual token
vectors (``alignment``), a word piece with no good match being the trace of the change. It is
fitted on many documents (COVID-QA training papers: their own questions against SQuAD-2.0-style
variants of them, ``python -m assistant.abstain_fit --veto``), and its threshold is set so that it
abstains on no answerable dev question the first model answers: on the fitted paper it changes
nothing, on other documents it abstains on more questions that name something they do not hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from assistant import fitted
from assistant.lexical import terms
from assistant.text import ANSWER_YEAR, MONTH, SEASON_NAMES, YEAR_DIGITS

FEATURES = (
    "top_dense",
    "top_lexical",
    "term_coverage",
    "missing_names",
    "type_mismatch",
    "agreement",
    "answer_coverage",
    "asks_fact",
    "asks_fact_dense",
)
ALIGNMENT = (
    "weakest_piece",  # the lowest best cosine of a content word piece of the question with the answer's pieces
    "weakest_rare_piece",  # the same over the question's three rarest pieces (idf over the document's sentences)
    "second_weakest_piece",
    "unmatched_05",  # idf-weighted share of the question's pieces whose best cosine is < 0.5
    "unmatched_06",  # ... < 0.6
    "matched_mean",  # idf-weighted mean best cosine (the answer's MaxSim with the question)
)
VETO_FEATURES = ("top_dense", "top_lexical", "term_coverage", "answer_coverage", "missing_names", "type_mismatch",
                 "agreement", "asks_fact", *ALIGNMENT)
_NEGATIONS = frozenset({"not", "no", "never", "nor"})
_NUMBER = re.compile(rf"(?<![\d.])(?!{YEAR_DIGITS}\b)\d[\d,.]*\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|billion|dozens?)\b", re.I)
_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][a-zA-Z'’-]{2,}|[A-Z]{2,})\b")


@dataclass(frozen=True)
class Signals:
    values: tuple[float, ...]  # in FEATURES order

    def as_dict(self) -> dict[str, float]:
        return dict(zip(FEATURES, self.values))


def sigmoid(z):
    """The logistic function, of a number or elementwise of an array."""
    return 1.0 / (1.0 + np.exp(-z))


@dataclass(frozen=True)
class Veto:
    """A logistic model over VETO_FEATURES: abstain when its probability (that the question is an
    answerable one altered) exceeds ``threshold``."""

    weights: tuple[float, ...]
    bias: float
    threshold: float

    def probability(self, features: np.ndarray) -> float:
        return float(sigmoid(self.bias + float(np.dot(self.weights, features))))

    def vetoes(self, features: np.ndarray | None) -> bool:
        return features is not None and self.probability(features) > self.threshold


@dataclass(frozen=True)
class Model:
    weights: tuple[float, ...]
    bias: float
    threshold: float = 0.5
    fitted_sha256: tuple[str, ...] = ()  # of the gold files it was fitted on (eval says when it scores one)
    veto: Veto | None = None

    def abstains(self, signals: Signals, veto_features: np.ndarray | None) -> bool:
        """The decision: the answer model's probability under its threshold, or the veto's over its own."""
        return self.probability(signals) < self.threshold or (self.veto is not None and self.veto.vetoes(veto_features))

    def fitted_on(self, sha256: str | None) -> bool:
        return sha256 is not None and sha256 in self.fitted_sha256

    def probability(self, signals: Signals) -> float:
        z = self.bias + float(np.dot(self.weights, signals.values))
        return float(sigmoid(z))


_CAPITAL = re.compile(r"\b[A-Z][a-zA-Z'’-]+")
# "when" answered relative to an event, by season, century or decade ("10 days after onset", "a month later",
# "in winter", "in the 10th and 11th centuries", "in the 1050s")
_RELATIVE_TIME = re.compile(r"\b(\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|several|few)\s+(hours?|days?|weeks?|"
                            r"months?|years?|decades?)\s+(after|later|before|earlier|ago|post|since|into)\b"
                            rf"|\b({SEASON_NAMES})\b"
                            # a century or a decade ("the 9th century", "the eleventh century", "the 1050s")
                            r"|\b(\d{1,2}(st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
                            r"eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|"
                            r"twentieth|twenty-first)\s+centur(y|ies)\b|\b\d{2,3}0s\b", re.I)


def expected_type(question: str) -> str | None:
    """What kind of fact the question asks for: "date", "number", "name" or None."""
    q = question.lower()
    if expects_date(question):
        return "date"
    if expects_number(question):
        return "number"
    if re.match(r"\s*(who|whom|whose)\b", q) or _NAME_NOUN.search(q):
        return "name"
    return None


_NAME_NOUN = re.compile(
    r"\b(which|what)(\s+[\w'’-]+){0,2}?\s+(country|countries|city|cities|state|states|person|people|leader|leaders|"
    r"company|companies|organi[sz]ations?|general|generals|commander|minister|president|king|envoy|ambassador|official)\b"
)
_COUNT = re.compile(r"\bhow many\s+((?:[\w'’-]+\s+){0,4}?)([\w'’-]+)(?=\s+(?:were|was|did|do|does|have|has|had|is|are|sit|there|been|will|would|can|could|in|of|at|on|to|from|under|since|during|between|per|each|a|the)\b|\s*[?,;]|\s*$)", re.I)
_MONEY_QUESTION = re.compile(r"\bhow much\b.*\b(money|spen[dt]|spending|cost|costs|invest\w*|pa(y|id)|price|budget|value|fund\w*|worth)\b", re.I)
_MONEY = re.compile(r"[$€£]|\b(dollars?|euros?|roubles?|rubles?|rials?|billion|million|trillion)\b", re.I)
_SHARE_QUESTION = re.compile(r"\bwhat (percentage|percent|share|proportion|fraction)\b", re.I)
_SHARE = re.compile(r"%|\bper ?cent\b|\bpercent(age)?\b|\bhalf\b|\bthird\b|\bquarter\b", re.I)


def counted_noun(question: str) -> str | None:
    """The head noun of a "how many ..." question ("How many Russian soldiers died" -> "soldiers")."""
    match = _COUNT.search(question)
    return match.group(2).lower() if match else None


def finds_quantity(question: str, answer_text: str) -> bool:
    """Whether the answer gives the quantity asked for: a sum of money, a share, or a count of the
    thing counted ("fourteen agreements" for "how many agreements"), not merely some number."""
    if _MONEY_QUESTION.search(question):
        return bool(_MONEY.search(answer_text))
    if _SHARE_QUESTION.search(question):
        return bool(_SHARE.search(answer_text))
    noun = counted_noun(question)
    new = {m.group(0).lower() for m in _NUMBER.finditer(answer_text)} - {m.group(0).lower() for m in _NUMBER.finditer(question)}
    if noun is None or not new:
        return bool(new)
    head = terms(noun)
    tokens = re.findall(r"[\w$%.,'’-]+", answer_text)
    for i, token in enumerate(tokens):  # the thing counted follows the number, or just precedes it ("cases of 108")
        if _NUMBER.fullmatch(token.strip(".,")) and head and head[0] in terms(" ".join(tokens[max(0, i - 3) : i + 4])):
            return True
    return False


def finds_new(kind: str, question: str, answer_text: str) -> bool:
    """Whether the answer holds a fact of ``kind`` that the question did not already contain."""
    if kind == "date":
        found = set(ANSWER_YEAR.findall(answer_text)) | set(MONTH.findall(answer_text))
        given = set(ANSWER_YEAR.findall(question)) | set(MONTH.findall(question))
        relative = {m.group(0).lower() for m in _RELATIVE_TIME.finditer(answer_text)}
        if relative - {m.group(0).lower() for m in _RELATIVE_TIME.finditer(question)}:
            return True
    elif kind == "number":
        return finds_quantity(question, answer_text)
    else:
        words = answer_text.split()
        found = {w.strip(".,;:'’\"()") for i, w in enumerate(words) if i > 0 and _CAPITAL.match(w)}
        given = {w.strip(".,;:'’\"()?") for w in question.split()}
    return bool(found - given)


def expects_date(question: str) -> bool:
    q = question.lower()
    asks_when = re.match(r"\s*(and |but |so )?when\b", q) or re.search(r"\b(and|or) when\b|\bsince when\b", q)
    return bool(asks_when or re.search(r"\b(what|which) (year|date|month|day)\b", q))


_QUANTITY_NOUN = re.compile(
    r"\bwhat (is|was|are|were) (the |its |their )?([\w'’-]+ ){0,2}?(population|number|size|cost|price|budget|value|amount|"
    r"total|rate|volume)\b"
)


# a measure a work reports: "What cache hit rate does TAO achieve ...?", "What bandwidth and latency did the prototype achieve?"
_MEASURE_QUESTION = re.compile(
    r"^\s*(?:and |so )?(?:what (?:[\w-]+ ){0,3}?(?:rates?|ratios?|speed|throughput|latency|latencies|bandwidth|overhead|speed-?ups?|accuracy"
    r"|precision|recall|percentage|fraction) (?:does|do|did|is|was|are|were|can|could|will)\b)")  # not "How quickly can ...?": "in less than quadratic time"


def expects_number(question: str) -> bool:
    q = question.lower()
    return bool(re.search(r"\bhow (many|much|long|large)\b|\bwhat (number|percentage|percent|share|proportion|amount)\b", q)
                or _QUANTITY_NOUN.search(q) or _MEASURE_QUESTION.search(q))


def question_names(question: str) -> list[str]:
    """Capitalised words that are not at a sentence start: likely names of people, places, bodies."""
    return [part for name in _NAME.findall(question.strip()) for part in re.split(r"[-’']", name) if len(part) > 2]


def name_in(name: str, lower_source: str) -> bool:
    """Whether a name occurs in the (lower-cased) source, a plural "s" allowed ("Sunnis", "Sunni")."""
    name = name.lower()
    return name in lower_source or (len(name) > 4 and name.endswith("s") and name[:-1] in lower_source)


def signals(
    dense_top: np.ndarray,
    lexical_top: np.ndarray,
    term_df: list[int],
    term_idf: list[float],
    names_found: list[bool],
    question: str,
    answer_text: str,
    agreement: float,
    answer_terms: set[str] | None = None,
    query_terms: list[str] | None = None,
) -> Signals:
    """Pure feature extraction. ``dense_top``/``lexical_top`` are sorted descending sentence scores."""
    top = float(dense_top[0]) if len(dense_top) else 0.0
    idf = np.asarray(term_idf, dtype=np.float64)
    present = np.asarray([df > 0 for df in term_df], dtype=np.float64)
    coverage = float((idf * present).sum() / idf.sum()) if idf.sum() > 0 else 0.0
    lexical = float(lexical_top[0]) / (1.0 + len(term_df)) if len(lexical_top) else 0.0
    kind = expected_type(question)
    mismatch = float(kind is not None and not finds_new(kind, question, answer_text))
    missing = float(sum(not found for found in names_found))
    answered = 0.0
    if query_terms and idf.sum() > 0:
        inside = np.asarray([t in (answer_terms or set()) for t in query_terms], dtype=np.float64)
        answered = float((idf * inside).sum() / idf.sum())
    fact = float(kind is not None)
    return Signals((top, lexical, coverage, missing, mismatch, agreement, answered, fact, fact * top))


def alignment(pieces: Sequence[str], idf: np.ndarray, best: np.ndarray) -> tuple[float, ...]:
    """ALIGNMENT of a question: ``pieces`` its content word pieces, ``idf`` their idf weights over the
    document's sentences, ``best`` each one's best cosine with the answer's token vectors. Stopword
    pieces ("what", "the") are left out, negations kept; a question with none left is fully matched."""
    from assistant.lexical import stopwords

    stop = stopwords() - _NEGATIONS
    keep = np.array([p.removeprefix("##") not in stop for p in pieces], dtype=bool)
    idf, best = np.asarray(idf, dtype=np.float64)[keep], np.asarray(best, dtype=np.float64)[keep]
    if len(best) == 0 or idf.sum() <= 0:
        return (1.0, 1.0, 1.0, 0.0, 0.0, 1.0)
    rarest = best[np.argsort(-idf, kind="stable")[:3]]
    ordered = np.sort(best)
    return (float(ordered[0]), float(rarest.min()), float(ordered[min(1, len(ordered) - 1)]),
            float(idf[best < 0.5].sum() / idf.sum()), float(idf[best < 0.6].sum() / idf.sum()),
            float((idf * best).sum() / idf.sum()))


def veto_features(signals: Signals, aligned: tuple[float, ...]) -> np.ndarray:
    """One row in VETO_FEATURES order."""
    named = {**signals.as_dict(), **dict(zip(ALIGNMENT, aligned))}
    return np.array([named[name] for name in VETO_FEATURES], dtype=np.float64)


def model_path() -> Path:
    return Path(__file__).with_name("abstain.json")


@lru_cache(maxsize=1)
def load_model() -> Model:
    """The shipped model (weights, bias, threshold and the sha256 of the gold files fitted on).

    A missing or unreadable file is an installation error, never a silent fallback."""
    return fitted.read_model(model_path(), "abstention model", "it is missing or broken: reinstall the package",
                             model_from_json)


def model_from_json(data: dict) -> Model:
    weights = tuple(float(data["weights"].get(name, 0.0)) for name in FEATURES)  # older fits lack newer signals
    fitted = data.get("fitted_sha256") or ()
    veto = data.get("veto")
    return Model(weights, float(data["bias"]), float(data["threshold"]),
                 (fitted,) if isinstance(fitted, str) else tuple(fitted),
                 None if veto is None else Veto(tuple(float(veto["weights"][name]) for name in VETO_FEATURES),
                                                float(veto["bias"]), float(veto["threshold"])))


def model_json(weights, bias: float, threshold: float, fitted_sha256: Sequence[str]) -> dict:
    """What abstain.json holds: the weights and what they were fitted on, nothing else."""
    return {"weights": {name: round(float(w), 6) for name, w in zip(FEATURES, weights)},
            "bias": round(float(bias), 6), "threshold": round(float(threshold), 6),
            "fitted_sha256": list(fitted_sha256)}


def veto_json(weights, bias: float, threshold: float) -> dict:
    """The ``"veto"`` object of abstain.json."""
    return {"weights": {name: round(float(w), 6) for name, w in zip(VETO_FEATURES, weights)},
            "bias": round(float(bias), 6), "threshold": round(float(threshold), 6)}


def fit(x: np.ndarray, y: np.ndarray, l2: float = 0.05, sample_weight: np.ndarray | None = None,
        tolerance: float = 1e-10, max_steps: int = 50):
    """Class-balanced logistic regression on standardised features, by Newton's method.

    ``sample_weight`` (default: all 1) weights questions within their class; each class
    still totals half the loss, and ``l2`` penalises the weights (not the bias). The loss is
    convex, so Newton's steps reach the optimum the gradient descent used before approached
    in 3,000 steps (probabilities within 4e-6 of it on the gold files' fits) in about ten.
    Returns (weights, bias) in the original feature scale.
    """
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.hstack([(x - mean) / std, np.ones((len(y), 1))])  # the last column is the bias's
    given = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    positives = max(float(given[y > 0.5].sum()), 1e-12)
    negatives = max(float(given[y <= 0.5].sum()), 1e-12)
    sample = given * np.where(y > 0.5, 0.5 / positives, 0.5 / negatives)
    penalty = np.append(np.full(x.shape[1], l2), 1e-9)  # a trace on the bias keeps one class solvable
    theta = np.zeros(z.shape[1])
    for _ in range(max_steps):
        p = sigmoid(z @ theta)
        gradient = z.T @ (sample * (p - y)) + penalty * theta
        hessian = (z * (sample * p * (1.0 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if float(np.max(np.abs(step))) < tolerance:
            break
    w, b = theta[:-1], float(theta[-1])
    return w / std, b - float(np.dot(w / std, mean))

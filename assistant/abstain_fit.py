"""Fitting the abstention model on gold questions, and scoring it under cross-validation.

``fit_abstention``: logistic regression over ``abstain.FEATURES`` with y = 1 for answerable
questions. The threshold maximises the share of answerable questions answered subject to
abstaining on at least ``FIT_MIN_ABSTAIN`` (0.80) of the unanswerable ones, both rates averaged
over the gold files, and is chosen on the fitting data only. It is reported under 5-fold
stratified cross-validation (fit and threshold on 4 folds, score the 5th, seed 0) and on the
held-out gold file; the report's ``model`` is what ``abstain.json`` holds. ``cv_abstention``
gives ``assistant eval`` its CV rates (gold.jsonl alone, at ``MIN_ABSTAIN_UNANSWERABLE``).

The refit command (CONTRIBUTING.md), from the project folder:

    assistant eval --fit-abstention --with-gold source/gold_reader_dev.jsonl \
        --fit-only source/gold_abstain_fit.jsonl --out /tmp/fit.json

``--fit-only`` files (``source/gold_abstain_fit.jsonl``: 78 on-topic questions the paper does not
answer and 41 reader-worded ones it does, written for fitting only and never reported on) join
the fit at ``FIT_ONLY_WEIGHT`` of a gold file's weight and count in the threshold criterion, but
not in the reported CV. With 35 + 14 unanswerable dev questions alone the threshold and the
held-out rates swung with small answer changes. Over 40 bootstrap resamples of the questions
(``bench/abstain_stability.py``) the threshold's spread goes 0.070 -> 0.061 (sd), gold.jsonl's
abstention 0.810 +- 0.051 -> 0.835 +- 0.037 and validation's 0.625 +- 0.079 -> 0.671 +- 0.053, while
reader dev answers 0.938 +- 0.036 -> 0.919 +- 0.035 of its answerable questions. Questions
the engine answers from the paper's overview (``paper_level``) are never abstained on, so they
are left out of the fit and its criterion (they still count as answered in ``eval``).

Pooling documents (``--extra FILE``, SQuAD schema, see squad.py): each extra file is
indexed with the real model in a temporary directory and its questions' signals join
the paper's dev signals (answerable = not ``is_impossible``). Every document's questions
sum to the same weight in the fit (which stays class-balanced over the pool), and the
threshold criterion uses per-document rates averaged over the training documents
(abstain on >= ``FIT_MIN_ABSTAIN`` of unanswerable on average; maximise the average share
of answerable answered), so 15 paper negatives are not drowned by hundreds of SQuAD ones. In CV every
fold's model sees the other paper folds plus all extra data. ``--unseen FILE`` documents
are never fitted on: their signals are only scored, with the new and the previous model.
Measured with ``--extra squad/Normans.json``: better on the paper (CV and held-out) and
on the unseen SQuAD article, but it answers far fewer COVID-QA questions, because SQuAD 2.0
unanswerables are near-paraphrases of answerable ones and teach the model a negative weight
on answer-term coverage; the committed abstain.json stays the paper-only fit.

``python -m assistant.abstain_fit --report FILE [--cache DIR] [--build]`` compares, on the same
signals, the shipped model, the gold-files-only fit and fits pooled with the COVID-QA training
papers (``covid_signal_set``: each paper's own questions, as many on-topic questions of OTHER
papers that it does not answer, and optionally one SQuAD-2.0-style perturbation of each of its
questions), under CV grouped by document (``grouped_cv``), and scores each on the files and
documents never fitted on (held-out and reader gold, the SQuAD articles, the COVID-QA report
papers). It writes the report (models inside) to ``--report``, never into the package.

``python -m assistant.abstain_fit --veto --report FILE --cache DIR`` fits only the veto (abstain.Veto):
each cached COVID-QA training paper's own questions against one SQuAD-2.0-style altered copy of each
(``veto_set``), every paper weighing the same, reported under CV grouped by paper (``veto_grouped_cv``);
its threshold vetoes none of the dev gold's answerable questions that the answer model answers
(``guard_threshold``). The report's ``model`` is what abstain.json holds under ``"veto"``.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from assistant.checksum import file_sha256
from assistant.encoder import Encoder
from assistant.errors import InputError
from assistant.gold import GoldItem
from assistant.metrics import abstention_scores, mean
from assistant.progress import Progress, quiet
from assistant.results import Output

MIN_ABSTAIN_UNANSWERABLE = 0.85  # eval's cross-validated rates on gold.jsonl (a CI floor) keep this criterion
FIT_MIN_ABSTAIN = 0.80  # the documented refit: issue 10's target, abstain >= 0.80 while answering >= 0.95
FIT_ONLY_WEIGHT = 0.25  # a --fit-only file's questions sum to this share of a gold file's weight
REPORT_OUTPUT = Output("a report written by abstain_fit", (frozenset({"model", "grouped_cv"}), frozenset({"variants"})))


def stratified_folds(y: np.ndarray, n_folds: int, seed: int = 0) -> list[np.ndarray]:
    """Test-index arrays of ``n_folds`` folds, each class spread evenly, shuffled with ``seed``."""
    rng = np.random.default_rng(seed)
    folds: list[list[int]] = [[] for _ in range(n_folds)]
    offset = 0
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        for i, index in enumerate(members):
            folds[(i + offset) % n_folds].append(int(index))
        offset += len(members)
    return [np.array(sorted(f), dtype=np.int64) for f in folds]


def choose_threshold(p: np.ndarray, y: np.ndarray, min_abstain: float = MIN_ABSTAIN_UNANSWERABLE,
                     groups: np.ndarray | None = None) -> float:
    """Abstain when p < threshold: most answerable answered while abstaining on >= ``min_abstain`` unanswerable.

    With ``groups`` (a document number per question) both rates are averaged over the documents.
    """
    groups = np.zeros(len(y), dtype=np.int64) if groups is None else np.asarray(groups)
    values = np.unique(p)
    candidates = np.concatenate([[0.0], (values[:-1] + values[1:]) / 2, [1.0]])
    best, best_key = 1.0, (-1.0, -1.0)
    for t in candidates:
        abstain_rate, answered_rate = macro_rates(p < t, y, groups)
        abstain_rate = 1.0 if abstain_rate is None else abstain_rate
        if abstain_rate + 1e-12 < min_abstain:
            continue
        key = (answered_rate or 0.0, abstain_rate)
        if key > best_key:
            best, best_key = float(t), key
    return best


def macro_rates(abstained: np.ndarray, y: np.ndarray, groups: np.ndarray) -> tuple[float | None, float | None]:
    """(abstain-on-unanswerable, answered-on-answerable), each averaged over the groups that have such questions."""
    abstain_rates, answered_rates = [], []
    for group in np.unique(groups):
        inside = groups == group
        if np.any(inside & (y == 0)):
            abstain_rates.append(float(np.mean(abstained[inside & (y == 0)])))
        if np.any(inside & (y == 1)):
            answered_rates.append(float(np.mean(~abstained[inside & (y == 1)])))
    return mean(abstain_rates), mean(answered_rates)


@dataclass(frozen=True)
class SignalSet:
    """One document's questions as abstention signals: ``x`` rows in FEATURES order, ``y`` 1 = answerable."""

    name: str
    x: np.ndarray
    y: np.ndarray
    weight: float = 1.0  # the set's questions sum to this (a gold file or a document: 1)


def document_weights(groups: np.ndarray) -> np.ndarray:
    """Per-question weights under which every document's questions sum to 1."""
    groups = np.asarray(groups)
    return 1.0 / np.bincount(groups)[groups]


def fit_pooled(sets: Sequence[SignalSet], min_abstain: float = MIN_ABSTAIN_UNANSWERABLE) -> tuple[np.ndarray, float, float]:
    """(weights, bias, threshold) fitted on several documents' signals, each document's questions
    summing to its ``weight`` (1: each document weighing the same)."""
    from assistant import abstain

    x = np.concatenate([s.x for s in sets])
    y = np.concatenate([s.y for s in sets])
    groups = np.concatenate([np.full(len(s.y), i, dtype=np.int64) for i, s in enumerate(sets)])
    share = np.array([s.weight for s in sets])[groups]
    weights, bias = abstain.fit(x, y, sample_weight=document_weights(groups) * share)
    return weights, bias, choose_threshold(_probabilities(x, weights, bias), y, min_abstain, groups=groups)


def _probabilities(x: np.ndarray, weights: np.ndarray, bias: float) -> np.ndarray:
    from assistant.abstain import sigmoid

    return sigmoid(x @ weights + bias)


def cross_validate(x: np.ndarray, y: np.ndarray, n_folds: int = 5, seed: int = 0,
                   extra: Sequence[SignalSet] = (), groups: np.ndarray | None = None,
                   min_abstain: float = MIN_ABSTAIN_UNANSWERABLE) -> dict:
    """Out-of-fold abstention metrics: fit and threshold on the other folds (plus all ``extra``, with
    their weights), score each fold. ``groups`` (a gold file number per question) stratifies the
    folds and weighs each file's questions the same, as in the final fit."""
    groups = np.zeros(len(y), dtype=np.int64) if groups is None else np.asarray(groups)
    abstained = np.zeros(len(y), dtype=bool)
    thresholds = []
    for test in stratified_folds(y + 2 * groups, n_folds, seed):
        train = np.setdiff1d(np.arange(len(y)), test)
        own = [SignalSet(str(g), x[train][groups[train] == g], y[train][groups[train] == g]) for g in np.unique(groups)]
        weights, bias, threshold = fit_pooled([*own, *extra], min_abstain)
        abstained[test] = _probabilities(x[test], weights, bias) < threshold
        thresholds.append(round(threshold, 4))
    return {"folds": n_folds, "seed": seed, "thresholds": thresholds, "extra": [s.name for s in extra],
            **abstention_scores(list(abstained), list(y == 1))}


def signal_matrix(assistant, gold: Sequence, progress: Progress = quiet, stage: str = "signals") -> np.ndarray:
    """One row of abstention signals per item (anything with a ``.question``); a gold follow-up is
    asked with its context, as ``assistant eval`` asks it."""
    from assistant.evaluate import follow_up_contexts

    contexts = follow_up_contexts([item for item in gold if isinstance(item, GoldItem)])
    rows = []
    for i, item in enumerate(gold, start=1):
        context = contexts.get(item.id) if isinstance(item, GoldItem) else None
        rows.append(assistant.signals_for(item.question, context).values)
        progress(stage, i, len(gold))
    return np.asarray(rows, dtype=np.float64)


def decided_signals(assistant, gold: Sequence[GoldItem], progress: Progress = quiet,
                    stage: str = "signals") -> tuple[np.ndarray, np.ndarray]:
    """(signal rows, answerable labels) of the gold questions the abstention model decides: a
    question answered from the paper's overview (``paper_level``) is never abstained on, so it has no row."""
    from assistant.evaluate import follow_up_contexts

    contexts = follow_up_contexts(list(gold))
    rows, kept = [], []
    for i, item in enumerate(gold, start=1):
        signals, _, paper_level = assistant.abstention_inputs_for(item.question, contexts.get(item.id))
        kept.append(not paper_level)
        if not paper_level:
            rows.append(signals.values)
        progress(stage, i, len(gold))
    from assistant.abstain import FEATURES

    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURES)), _labels(gold)[np.asarray(kept, dtype=bool)]


def fit_abstention(assistant, gold: Sequence[GoldItem], heldout: Sequence[GoldItem], *, gold_path: str = "",
                   more_gold: Sequence[tuple[str, Sequence[GoldItem]]] = (),
                   fit_only: Sequence[tuple[str, Sequence[GoldItem]]] = (),
                   extra: Sequence[Path] = (), unseen: Sequence[Path] = (), progress: Progress = quiet,
                   seed: int = 0, encoder: Encoder | None = None) -> dict:
    """Fit the abstention model on ``gold`` (plus ``more_gold``, other (path, questions) on the same
    document, ``fit_only`` (path, questions) on it that are never reported on, and ``extra`` SQuAD
    files); report CV, held-out and ``unseen``-document scores.

    Returns the report; its ``model`` is what ``abstain.json`` holds. Nothing is written here (the
    CLI writes the report to ``--out``; shipping a model is copying ``model`` into the package).
    Each gold file weighs the same in the fit (a fit-only file ``FIT_ONLY_WEIGHT``) and counts as its
    own group for the threshold; CV folds are stratified by gold file and label, and every fold's
    model also sees all ``fit_only`` and ``extra`` data. Questions answered from the paper's overview
    are left out (``decided_signals``).
    """
    from assistant import abstain

    check_files([*extra, *unseen])
    files = [(gold_path or "gold", gold), *more_gold]
    paper = [SignalSet(Path(path).name, *decided_signals(assistant, items, progress, f"signals ({Path(path).name})"))
             for path, items in files]
    only = [SignalSet(Path(path).name, *decided_signals(assistant, items, progress, f"signals ({Path(path).name})"),
                      weight=FIT_ONLY_WEIGHT) for path, items in fit_only]
    x, y = np.concatenate([s.x for s in paper]), np.concatenate([s.y for s in paper])
    groups = np.concatenate([np.full(len(s.y), i, dtype=np.int64) for i, s in enumerate(paper)])
    x_held, y_held = decided_signals(assistant, heldout, progress, "signals (held-out)")
    n_folds = min(fold_count(s.y) for s in paper)
    if n_folds < 2:
        raise InputError("fitting abstention needs at least 2 answerable and 2 unanswerable questions in each gold file")
    if any(len(s.y) == 0 for s in only):
        raise InputError("a --fit-only file has no question the abstention model decides")
    sets = external_signals(assistant, [*extra, *unseen], progress=progress, encoder=encoder)
    extra_sets, unseen_sets = sets[: len(extra)], sets[len(extra) :]
    before = abstain.load_model() if abstain.model_path().is_file() else None  # compared with, when there is one
    weights, bias, threshold = fit_pooled([*paper, *only, *extra_sets], FIT_MIN_ABSTAIN)

    def scores(rows: np.ndarray, labels: np.ndarray) -> dict:
        return abstention_scores(list(_probabilities(rows, weights, bias) < threshold), list(labels == 1))

    pooled = len(paper) + len(only) > 1 or bool(extra_sets)
    return {
        "model": abstain.model_json(weights, bias, threshold, [sha for p, _ in [*files, *fit_only] if (sha := file_sha256(p)) is not None]),
        "fitted_on": "; ".join([*(f"{Path(p).name} ({_counts(s.y)})" for (p, _), s in zip(files, paper)),
                                *(f"{s.name} ({_counts(s.y)}, fit only, weight {s.weight:g})" for s in only),
                                *(f"{s.name} ({_counts(s.y)})" for s in extra_sets)])
                     + f", {datetime.now(timezone.utc).date().isoformat()}",
        "weighting": "each document's (gold file's) questions sum to the same weight (a fit-only file "
                     f"{FIT_ONLY_WEIGHT:g} of it); classes balanced over the pool",
        "criterion": f"max answered-on-answerable s.t. abstain-on-unanswerable >= {FIT_MIN_ABSTAIN}"
                     + (", both averaged over the training documents" if pooled else "")
                     + "; questions answered from the paper's overview left out",
        "cv": cross_validate(x, y, n_folds, seed, [*only, *extra_sets], groups=groups, min_abstain=FIT_MIN_ABSTAIN),
        "dev_in_sample": scores(x, y),
        "gold_in_sample": {s.name: _document_scores(s, scores) for s in [*paper, *only]},
        "extra_in_sample": {s.name: _document_scores(s, scores) for s in extra_sets},
        "heldout": {"questions": len(y_held), **scores(x_held, y_held)},
        "external": {s.name: _document_scores(s, scores) for s in unseen_sets},
        "previous_model": _model_scores(before, x, y, x_held, y_held, extra_sets, unseen_sets) if before else {},
    }


def external_signals(assistant, files: Sequence[Path], *, progress: Progress = quiet,
                     encoder: Encoder | None = None) -> list[SignalSet]:
    """Index each SQuAD file in a temporary directory (built with ``encoder``, default the real
    model) and compute its questions' signals with ``assistant``'s query encoder, in ``files`` order."""
    from assistant import squad
    from assistant.engine import Assistant
    from assistant.index import load_index

    if not files:
        return []
    if encoder is None:
        from assistant.encoder import SentenceTransformerEncoder

        encoder = SentenceTransformerEncoder()
    sets = []
    with tempfile.TemporaryDirectory(prefix="assistant-fit-") as tmp:
        for number, path in enumerate(files):
            workdir = Path(tmp) / str(number)
            workdir.mkdir()
            indexed = squad.index_squad(path, workdir, progress=_staged(progress, f"indexing {Path(path).name}"),
                                        encoder=encoder)
            other = Assistant.open(load_index(indexed.index_dir), encoder=assistant.encoder)
            x = signal_matrix(other, indexed.questions, progress, f"signals ({indexed.path.stem})")
            sets.append(SignalSet(indexed.path.stem, x, np.array([float(q.answerable) for q in indexed.questions])))
    return sets


def check_files(files: Sequence[Path]) -> None:
    """Fail early: every file must be a readable SQuAD file, and document names must differ."""
    from assistant import squad

    names = [Path(f).stem for f in files]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise InputError(f"{repeated[0]}: the same document is given twice (--extra/--unseen)")
    for path in files:
        squad.read_squad(path)


def _staged(progress: Progress, prefix: str) -> Progress:
    return lambda stage, done, total: progress(f"{prefix}: {stage}", done, total)


def _counts(y: np.ndarray) -> str:
    return f"{len(y)} questions, {int(len(y) - y.sum())} unanswerable"


def _document_scores(signal_set: SignalSet, scores: Callable[[np.ndarray, np.ndarray], dict]) -> dict:
    y = signal_set.y
    return {"questions": len(y), "answerable": int(y.sum()), "unanswerable": int(len(y) - y.sum()),
            **scores(signal_set.x, y)}


def _labels(gold: Sequence[GoldItem]) -> np.ndarray:
    return np.array([1.0 if item.answerable else 0.0 for item in gold])


def _model_scores(model, x, y, x_held, y_held, extra: Sequence[SignalSet] = (),
                  unseen: Sequence[SignalSet] = ()) -> dict:
    def scores(rows, labels):
        abstained = _probabilities(rows, np.asarray(model.weights), model.bias) < model.threshold
        return abstention_scores(list(abstained), list(labels == 1))

    return {"dev": scores(x, y), "heldout": scores(x_held, y_held) if len(y_held) else {},
            "extra": {s.name: _document_scores(s, scores) for s in extra},
            "external": {s.name: _document_scores(s, scores) for s in unseen}}


CV_SEEDS = 10  # fold seeds the cross-validated rates are averaged over (one seed's split is a coin: bench/cv_seeds.py)


def cv_abstention(assistant, gold: Sequence[GoldItem], progress: Progress = quiet, seeds: int = CV_SEEDS) -> dict:
    """The abstention decision refitted under 5-fold CV on this gold set (``cv_`` rates, None when
    either class has fewer than 2 questions): what the shipped model's in-sample rates would be on
    questions it was not fitted on. Each rate is the mean over fold seeds 0..``seeds``-1, on the
    same answers: with a few dozen questions, where one seed's folds fall moves a rate by a question
    or two (gold.jsonl: 0.771-0.886 over 20 seeds). ``cv_spread`` holds each rate's min and max."""
    y = _labels(gold)
    n_folds = fold_count(y)
    if n_folds < 2:
        return {"cv_abstain_on_unanswerable": None, "cv_answered_on_answerable": None}
    x = signal_matrix(assistant, gold, progress, "signals (cross-validation)")
    runs = [cross_validate(x, y, n_folds, seed) for seed in range(seeds)]
    out: dict = {}
    spread: dict = {"seeds": seeds}
    for rate in ("abstain_on_unanswerable", "answered_on_answerable"):
        values = [run[rate] for run in runs]
        out[f"cv_{rate}"] = float(np.mean(values))
        spread[f"cv_{rate}"] = {"min": min(values), "max": max(values)}
    return {**out, "cv_spread": spread}


def fold_count(y: np.ndarray) -> int:
    """Cross-validation folds for labels ``y``: 5, or fewer when a class has fewer questions."""
    return min(5, int(y.sum()), int(len(y) - y.sum()))


# -- on-topic negatives for documents that have none -------------------------------------------
#
# COVID-QA has no unanswerable questions. Two honest kinds are made from its own questions:
# a question from ANOTHER training paper (on-topic, not answerable here: kept only when none of
# its gold answers occurs in this paper), and a question of this paper altered the way SQuAD 2.0's
# writers made theirs (Rajpurkar et al. 2018): a negation inserted, a number changed, or the
# question's rarest document word swapped for a word this paper never uses. No SQuAD question is
# read to make them.

_AUXILIARY = re.compile(r"\b(is|are|was|were|does|do|did|can|could|has|have|had|will|would|should|may|might)\b", re.I)
_NEGATION = re.compile(r"\b(not|never|no)\b|n't\b", re.I)
_DIGITS = re.compile(r"\b\d+(?:\.\d+)?\b")
PERTURBATIONS = ("swap", "negate", "number")


def negated(question: str) -> str | None:
    """The question with "not" after its first auxiliary verb ("What is used" -> "What is not used");
    None when it has no auxiliary or is negated already."""
    match = None if _NEGATION.search(question) else _AUXILIARY.search(question)
    return None if match is None else f"{question[:match.end()]} not{question[match.end():]}"


def renumbered(question: str, rng: np.random.Generator) -> str | None:
    """The question with its first number changed (years by a few, other numbers by a factor)."""
    match = _DIGITS.search(question)
    if match is None:
        return None
    value = float(match.group(0))
    if 1000 <= value <= 2099 and "." not in match.group(0):
        new = str(int(value) + int(rng.choice([-7, -3, 3, 7])))
    else:
        factor = float(rng.choice([0.5, 2.0, 3.0, 10.0]))
        new = f"{value * factor:g}"
    return f"{question[:match.start()]}{new}{question[match.end():]}"


def swapped(question: str, document_frequency: Callable[[str], int], donors: Sequence[str],
            rng: np.random.Generator) -> str | None:
    """The question with the word of its rarest (but present) document term replaced by a donor
    word whose term the document never uses; None when there is no such word or donor."""
    from assistant.lexical import terms

    present = [(document_frequency(t[0]), word) for word in re.findall(r"[A-Za-z][\w-]{3,}", question)
               if (t := terms(word)) and document_frequency(t[0]) > 0]
    usable = [d for d in donors if (t := terms(d)) and document_frequency(t[0]) == 0]
    if not present or not usable:
        return None
    word = min(present)[1]
    return re.sub(rf"\b{re.escape(word)}\b", str(rng.choice(usable)), question, count=1)


def perturbed(question: str, kind: str, document_frequency: Callable[[str], int], donors: Sequence[str],
              rng: np.random.Generator) -> str | None:
    """One SQuAD-2.0-style unanswerable variant of an answerable ``question`` (``kind`` in PERTURBATIONS)."""
    if kind == "negate":
        return negated(question)
    if kind == "number":
        return renumbered(question, rng)
    return swapped(question, document_frequency, donors, rng)


def covid_signal_set(assistant, squad_file: Path, others: Sequence, *, perturb: bool, seed: int) -> SignalSet:
    """One COVID-QA training paper as abstention signals: its own questions (answerable), as many
    questions of ``others`` (other papers' SquadQuestions) whose gold answers it does not contain,
    and with ``perturb`` one SQuAD-2.0-style variant of each of its questions (both unanswerable)."""
    from assistant.metrics import contains_answer
    from assistant.squad import read_squad

    text, own = read_squad(squad_file)
    rng = np.random.default_rng(seed)
    foreign = [q.question for q in (others[i] for i in rng.permutation(len(others)))
               if not any(contains_answer(text, gold) for gold in q.answers)][: len(own)]
    made = []
    if perturb:
        lexical = assistant.index.lexical["sentences"]
        donors = sorted({w for q in others for w in re.findall(r"[A-Za-z][\w-]{4,}", q.question)})
        for n, q in enumerate(own):
            tries = (perturbed(q.question, PERTURBATIONS[(n + k) % 3], lexical.document_frequency, donors, rng) for k in range(3))
            made.extend([v for v in tries if v][:1])
    questions = [q.question for q in own] + foreign + made
    x = signal_matrix(assistant, [_Asked(q) for q in questions])
    return SignalSet(squad_file.stem, x, np.array([1.0] * len(own) + [0.0] * (len(foreign) + len(made))))


@dataclass(frozen=True)
class _Asked:
    question: str


def grouped_cv(paper: Sequence[SignalSet], documents: Sequence[SignalSet], n_folds: int = 5, seed: int = 0) -> dict:
    """Out-of-fold rates with the gold files' questions in stratified folds and every other document
    whole in one fold (grouped by document); the documents are pooled into one set for fitting,
    weighing as one gold file. Returns per gold file rates and the documents' pooled rates."""
    paper_folds = [_fold_of(s.y, n_folds, seed) for s in paper]
    doc_folds = [np.full(len(s.y), i % n_folds) for i, s in enumerate(documents)]
    abstained = [np.zeros(len(s.y), dtype=bool) for s in [*paper, *documents]]
    for fold in range(n_folds):
        train = [SignalSet(s.name, s.x[f != fold], s.y[f != fold]) for s, f in zip(paper, paper_folds)]
        kept = [(s.x[f != fold], s.y[f != fold]) for s, f in zip(documents, doc_folds)]
        if kept:
            train.append(SignalSet("documents", np.concatenate([k[0] for k in kept]), np.concatenate([k[1] for k in kept])))
        weights, bias, threshold = fit_pooled(train)
        for out, s, f in zip(abstained, [*paper, *documents], [*paper_folds, *doc_folds]):
            out[f == fold] = _probabilities(s.x[f == fold], weights, bias) < threshold
    report = {s.name: abstention_scores(list(a), list(s.y == 1)) for s, a in zip(paper, abstained)}
    if documents:
        report["documents (pooled)"] = abstention_scores(list(np.concatenate(abstained[len(paper):])),
                                                         list(np.concatenate([s.y for s in documents]) == 1))
    return report


def _fold_of(y: np.ndarray, n_folds: int, seed: int) -> np.ndarray:
    out = np.zeros(len(y), dtype=np.int64)
    for fold, test in enumerate(stratified_folds(y, n_folds, seed)):
        out[test] = fold
    return out


# -- the veto: answerable questions against altered copies of them, on many documents ------------


@dataclass(frozen=True)
class VetoSet:
    """One document's questions for the veto: ``x`` rows in VETO_FEATURES order, ``altered`` 1 for an
    altered (unanswerable) copy, ``kind`` "own" or the PERTURBATIONS kind, ``answered`` whether the
    answer model answers it (abstain.Model.probability >= threshold)."""

    name: str
    x: np.ndarray
    altered: np.ndarray
    kind: tuple[str, ...]
    answered: np.ndarray


def abstention_rows(assistant, asked: Sequence[tuple[str, str | None]], model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(veto rows, whether the answer model answers each, which rows exist) for (question, context)
    pairs; a question about the whole paper, or one without token vectors, has no row."""
    rows, answered, kept = [], [], []
    for question, context in asked:
        signals, features, paper_level = assistant.abstention_inputs_for(question, context)
        kept.append(features is not None and not paper_level)
        if kept[-1]:
            rows.append(features)
            answered.append(model.probability(signals) >= model.threshold)
    from assistant.abstain import VETO_FEATURES

    x = np.asarray(rows, dtype=np.float64).reshape(len(rows), len(VETO_FEATURES))
    return x, np.asarray(answered, dtype=bool), np.asarray(kept, dtype=bool)


def veto_set(assistant, squad_file: Path, others: Sequence[str], model, seed: int) -> VetoSet:
    """A COVID-QA training paper's own questions and one SQuAD-2.0-style altered copy of each
    (``perturbed``: the first of swap / negate / number, in turn, that applies)."""
    from assistant.squad import read_squad

    _, own = read_squad(squad_file)
    rng = np.random.default_rng(seed)
    frequency = assistant.index.lexical["sentences"].document_frequency
    donors = sorted({w for q in others for w in re.findall(r"[A-Za-z][\w-]{4,}", q)})
    made: list[tuple[str, str]] = []
    for n, q in enumerate(own):
        for k in range(3):
            kind = PERTURBATIONS[(n + k) % 3]
            variant = perturbed(q.question, kind, frequency, donors, rng)
            if variant:
                made.append((variant, kind))
                break
    asked = [(q.question, "own") for q in own] + made
    x, answered, kept = abstention_rows(assistant, [(q, None) for q, _ in asked], model)
    kinds = tuple(kind for (_, kind), k in zip(asked, kept) if k)
    return VetoSet(squad_file.stem, x, np.array([float(kind != "own") for kind in kinds]), kinds, answered)


def guard_threshold(p_guard: np.ndarray) -> float:
    """The veto's threshold: the lowest (to 1e-6, rounded up) at which no guarded question is vetoed."""
    return float(np.ceil(float(np.max(p_guard, initial=0.0)) * 1e6) / 1e6)


def fit_veto(documents: Sequence[VetoSet], guard: np.ndarray) -> tuple[np.ndarray, float, float]:
    """(weights, bias, threshold): class-balanced logistic regression of altered vs own questions,
    each document weighing the same; the threshold vetoes none of the ``guard`` rows (the dev
    gold's answerable questions the answer model answers)."""
    from assistant import abstain

    x = np.concatenate([d.x for d in documents])
    y = np.concatenate([d.altered for d in documents])
    groups = np.concatenate([np.full(len(d.altered), i, dtype=np.int64) for i, d in enumerate(documents)])
    weights, bias = abstain.fit(x, y, sample_weight=document_weights(groups))
    return weights, bias, guard_threshold(_probabilities(guard, weights, bias))


def veto_grouped_cv(documents: Sequence[VetoSet], guard: np.ndarray, n_folds: int = 5) -> dict:
    """Out-of-fold rates with each document whole in one fold (document i in fold i mod n_folds): per
    kind, the share abstained on by the answer model alone and with the veto; per document, the
    share of its own questions answered."""
    vetoed = [np.zeros(len(d.altered), dtype=bool) for d in documents]
    for fold in range(n_folds):
        train = [d for i, d in enumerate(documents) if i % n_folds != fold]
        if not train:
            continue
        weights, bias, threshold = fit_veto(train, guard)
        for i, d in enumerate(documents):
            if i % n_folds == fold:
                vetoed[i] = _probabilities(d.x, weights, bias) > threshold
    kinds = np.concatenate([np.asarray(d.kind) for d in documents]) if documents else np.zeros(0, dtype=str)
    answered = np.concatenate([d.answered for d in documents]) if documents else np.zeros(0, dtype=bool)
    veto = np.concatenate(vetoed) if documents else np.zeros(0, dtype=bool)
    by_kind = {}
    for kind in ("own", *PERTURBATIONS):
        inside = kinds == kind
        if inside.any():
            by_kind[kind] = {"questions": int(inside.sum()), "abstained_before": round(float(np.mean(~answered[inside])), 4),
                             "abstained_with_veto": round(float(np.mean(~answered[inside] | veto[inside])), 4)}
    per_document = {d.name: round(float(np.mean((d.answered & ~v)[d.altered == 0])), 4)
                    for d, v in zip(documents, vetoed) if np.any(d.altered == 0)}
    return {"folds": n_folds, "by_kind": by_kind, "answered_own_per_document": per_document}


def veto_report(paper, files: Sequence[Path], cache: Path, say: Callable[[str], None]) -> dict:
    """Fit the veto on the cached COVID-QA papers ``files`` (guarded by the dev gold) and report it."""
    from assistant import abstain, paths
    from assistant.engine import Assistant
    from assistant.evaluate import follow_up_contexts
    from assistant.gold import load_gold
    from assistant.index import load_index
    from assistant.squad import read_squad

    model = abstain.load_model()
    paper_rows = {}
    for name in ("gold.jsonl", "gold_reader_dev.jsonl", "gold_reader_val.jsonl"):
        items = load_gold(paths.default_gold().with_name(name))
        contexts = follow_up_contexts(items)
        x, answered, kept = abstention_rows(paper, [(i.question, contexts.get(i.id)) for i in items], model)
        paper_rows[name] = (x, answered, _labels(items)[kept] == 1)
    guard = np.concatenate([x[answered & answerable] for name, (x, answered, answerable) in paper_rows.items()
                            if name != "gold_reader_val.jsonl"])
    questions = {f.stem: [q.question for q in read_squad(f)[1]] for f in files}
    documents = []
    for n, squad_file in enumerate(files):
        index_dir = cache / "indexes" / squad_file.stem
        if not index_dir.is_dir():
            continue
        other = Assistant(load_index(index_dir, verify=False), paper.encoder)
        others = [q for stem, qs in questions.items() if stem != squad_file.stem for q in qs]
        documents.append(veto_set(other, squad_file, others, model, seed=n))
        say(f"{squad_file.stem}: {len(documents[-1].kind)} questions")
    if not documents:
        raise InputError(f"no cached COVID-QA index under {cache / 'indexes'}")
    weights, bias, threshold = fit_veto(documents, guard)

    def vetoed(x: np.ndarray) -> np.ndarray:
        return _probabilities(x, weights, bias) > threshold

    return {"model": abstain.veto_json(weights, bias, threshold),
            "documents": len(documents), "guard_questions": len(guard),
            "grouped_cv": veto_grouped_cv(documents, guard),
            # questions the answer model answers that the veto abstains on, answerable / unanswerable
            "paper": {name: {"answerable_vetoed": int(np.sum(vetoed(x) & answered & answerable)),
                             "unanswerable_vetoed": int(np.sum(vetoed(x) & answered & ~answerable))}
                      for name, (x, answered, answerable) in paper_rows.items()}}


def main(argv: list[str] | None = None) -> int:
    """``python -m assistant.abstain_fit``: fit the abstention model on the dev gold files alone and
    pooled with COVID-QA training papers (cross-paper negatives, optionally perturbed ones), and
    report grouped CV and the never-fitted documents for each; nothing is written into the package."""
    import argparse
    import sys

    from assistant import abstain, paths
    from assistant.engine import Assistant
    from assistant.fit_ranker import COVID_TRAIN, EXTERNAL, cached_index, split_covid
    from assistant.gold import default_heldout, load_gold
    from assistant.index import load_index
    from assistant.paper import open_index
    from assistant.results import check_output_path, write_json_atomic
    from assistant.squad import read_squad

    parser = argparse.ArgumentParser(prog="python -m assistant.abstain_fit", description=main.__doc__)
    parser.add_argument("--report", type=Path, required=True, help="Where to write the report JSON (models inside).")
    parser.add_argument("--cache", type=Path, default=None, help="Folder of the COVID-QA indexes (default <data>/fit-cache/confidence).")
    parser.add_argument("--build", action="store_true", help="Index documents missing from the cache (slow).")
    parser.add_argument("--covid", type=Path, default=COVID_TRAIN)
    parser.add_argument("--limit", type=int, default=None, help="At most N COVID-QA papers.")
    parser.add_argument("--veto", action="store_true",
                        help="Fit only the veto (COVID-QA questions against altered copies, CV grouped by paper); "
                             "its \"model\" is abstain.json's \"veto\" object.")
    args = parser.parse_args(argv)
    try:
        check_output_path(args.report, REPORT_OUTPUT, "--report")  # refused before the fit, not after it
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    cache = args.cache or paths.home() / "fit-cache" / "confidence"
    say = lambda message: print(message, file=sys.stderr)  # noqa: E731
    paper = Assistant.open(open_index(None))
    if args.veto:
        fitted = veto_report(paper, split_covid(args.covid, cache)[: args.limit], cache, say)
        write_json_atomic(args.report, fitted, REPORT_OUTPUT, "--report")
        for kind, rates in fitted["grouped_cv"]["by_kind"].items():
            say(f"  {kind:8s} abstained {rates['abstained_before']:.3f} -> {rates['abstained_with_veto']:.3f}")
        say(f"  dev and validation: {fitted['paper']}")
        return 0
    dev = [(paths.default_gold(), "gold.jsonl"), (paths.default_gold().with_name("gold_reader_dev.jsonl"), "gold_reader_dev.jsonl")]
    def gold_set(path: Path, name: str) -> SignalSet:
        items = load_gold(path)
        return SignalSet(name, signal_matrix(paper, items), _labels(items))

    paper_sets = [gold_set(path, name) for path, name in dev]
    unseen = {name: (s.x, s.y) for name, s in
              ((n, gold_set(p, n)) for p, n in [(default_heldout(), "gold_heldout.jsonl"),
                                               (paths.default_gold().with_name("gold_reader.jsonl"), "gold_reader.jsonl")])}
    files = split_covid(args.covid, cache)[: args.limit]
    questions = {f.stem: read_squad(f)[1] for f in files}
    plain, perturbed_sets = [], []
    for n, squad_file in enumerate(files):
        index_dir = cached_index(squad_file, cache) if args.build else cache / "indexes" / squad_file.stem
        if not index_dir.is_dir():
            continue
        other = Assistant(load_index(index_dir, verify=False), paper.encoder)
        others = [q for stem, qs in questions.items() if stem != squad_file.stem for q in qs]
        both = covid_signal_set(other, squad_file, others, perturb=True, seed=n)
        own = int(both.y.sum())
        plain.append(SignalSet(both.name, both.x[: 2 * own], both.y[: 2 * own]))
        perturbed_sets.append(both)
        say(f"{squad_file.stem}: {len(both.y)} questions")
    external = []
    for name in ("squad/Normans.json", "squad/Computational_complexity_theory.json",
                 "covid_qa/covidqa_doc1557.json", "covid_qa/covidqa_doc1595.json"):
        path = EXTERNAL / name
        index_dir = cached_index(path, cache / "external") if args.build else cache / "external" / "indexes" / path.stem
        if index_dir.is_dir():
            other = Assistant(load_index(index_dir, verify=False), paper.encoder)
            qs = read_squad(path)[1]
            external.append(SignalSet(path.stem, signal_matrix(other, qs), np.array([float(q.answerable) for q in qs])))
    report: dict = {"covid_papers": len(plain), "variants": {}}
    shipped = abstain.load_model()
    variants = {"shipped": None, "gold files only": (paper_sets, []), "pooled with COVID-QA": (paper_sets, plain),
                "pooled with COVID-QA and perturbed negatives": (paper_sets, perturbed_sets)}
    for label, data in variants.items():
        if data is None:
            weights, bias, threshold = np.asarray(shipped.weights), shipped.bias, shipped.threshold
            cv: dict = {}
        else:
            sets = [*data[0], *([SignalSet("COVID-QA", np.concatenate([s.x for s in data[1]]),
                                           np.concatenate([s.y for s in data[1]]))] if data[1] else [])]
            weights, bias, threshold = fit_pooled(sets)
            cv = grouped_cv(data[0], data[1])

        def scores(x, y, w=weights, b=bias, t=threshold):
            return abstention_scores(list(_probabilities(x, w, b) < t), list(y == 1))

        report["variants"][label] = {
            "model": abstain.model_json(weights, bias, threshold, []), "grouped_cv": cv,
            "never_fitted": {**{name: scores(x, y) for name, (x, y) in unseen.items()},
                             **{s.name: scores(s.x, s.y) for s in external}}}
    write_json_atomic(args.report, report, REPORT_OUTPUT, "--report")
    for label, body in report["variants"].items():
        say(label)
        for part in ("grouped_cv", "never_fitted"):
            for name, s in body[part].items():
                say(f"  {part:12s} {name:38s} abstain {_f(s['abstain_on_unanswerable'])} answered {_f(s['answered_on_answerable'])}")
    return 0


def _f(value) -> str:
    return "   –  " if value is None else f"{value:.3f}"


if __name__ == "__main__":
    raise SystemExit(main())

"""Sentence ranker forms: the shipped logistic regression against a listwise linear model and gradient-boosted trees.

    python -m assistant.fit_ranker --cache DIR --out /tmp/r.json --save-examples EX.jsonl [--with-gold source/gold_reader_dev.jsonl]
    python bench/ranker_forms.py --examples EX.jsonl [--features shipped|base|all]

On the candidates' features that ``fit_ranker`` saved (the COVID-QA training papers and the paper's
fit-only gold files; never a held-out file), each form is cross-validated grouped by document
(GroupKFold, 5 folds, the selection rule chosen on the training folds as ``fit_ranker`` chooses
it) and scored as ``fit_ranker`` reports: the top candidate holds the answer (top-1), the answer
selected from it covers the gold (hit), its median words; over all questions and over the paper's.
The forms:

- ``logistic``: the shipped form (``fit_ranker.fit_logistic``: standardised L2 logistic regression,
  each question weighing the same);
- ``listwise``: a linear score fitted so each question's answering candidates take its softmax mass
  (top-1 is what the answer's lead needs), then a one-feature logistic fit of it for probabilities:
  ranker.json's own format, so it would be a drop-in replacement;
- ``trees``: scikit-learn's HistGradientBoostingClassifier (150 trees of 8 leaves, learning rate
  0.05, at least 50 candidates a leaf), which would need a tree format of its own in ranker.json.

``sign test`` compares each form's top-1 with the logistic's question by question (two-sided,
questions where they differ). Nothing is written into the package; a record goes to
``bench/results/ranker_forms.jsonl``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from common import machine_line, record


def standardise(batch):
    x = np.vstack([e.x for e in batch])
    scale = x.std(axis=0)
    return x.mean(axis=0), np.where(scale > 1e-9, scale, 1.0)


def question_weights(batch) -> np.ndarray:
    weight = np.concatenate([np.full(len(e.ids), 1.0 / len(e.ids)) for e in batch])
    return weight * len(batch) / weight.sum()


def logistic(batch, settings):
    from assistant import fit_ranker

    fitted = fit_ranker.fit_logistic(batch, settings)
    return lambda x: fit_ranker._predict(x, fitted)


def listwise(batch, settings, l2: float = 10.0):
    """Softmax over each question's candidates (mean over questions with an answering candidate),
    L2 ``l2`` / questions; then p = sigmoid(a * score + b) fitted pointwise."""
    from scipy.optimize import minimize
    from scipy.special import logsumexp
    from sklearn.linear_model import LogisticRegression

    mean, scale = standardise(batch)
    data = [((e.x - mean) / scale, e.positive) for e in batch if e.positive.any()]
    n, d = len(data), batch[0].x.shape[1]

    def loss(w):
        total, grad = 0.0, np.zeros(d)
        for x, positive in data:
            s = x @ w
            every, answering = logsumexp(s), logsumexp(s[positive])
            total += every - answering
            grad += x.T @ (np.exp(s - every) - np.where(positive, np.exp(s - answering), 0.0))
        return total / n + 0.5 * l2 / n * w @ w, grad / n + l2 / n * w

    w = minimize(loss, np.zeros(d), jac=True, method="L-BFGS-B").x
    score = np.concatenate([((e.x - mean) / scale) @ w for e in batch]).reshape(-1, 1)
    label = np.concatenate([e.positive for e in batch]).astype(int)
    platt = LogisticRegression(C=100.0).fit(score, label, sample_weight=question_weights(batch))
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    return lambda x: 1.0 / (1.0 + np.exp(-(a * (((x - mean) / scale) @ w) + b)))


def trees(batch, settings):
    from sklearn.ensemble import HistGradientBoostingClassifier

    x = np.vstack([e.x for e in batch])
    label = np.concatenate([e.positive for e in batch]).astype(int)
    model = HistGradientBoostingClassifier(max_iter=150, learning_rate=0.05, max_leaf_nodes=8, min_samples_leaf=50,
                                           l2_regularization=1.0, random_state=0)
    model.fit(x, label, sample_weight=question_weights(batch))
    return lambda x: model.predict_proba(x)[:, 1]


FORMS = {"logistic": logistic, "listwise": listwise, "trees": trees}


def cross_validated(batch, make, settings) -> tuple[list, list]:
    from sklearn.model_selection import GroupKFold

    from assistant import fit_ranker

    groups = np.array([e.document for e in batch])
    predicted: list = [None] * len(batch)
    rules: list = [None] * len(batch)
    for train, test in GroupKFold(n_splits=settings.folds).split(np.zeros(len(batch)), groups=groups):
        fitted = make([batch[i] for i in train], settings)
        rule = fit_ranker.choose_rule([batch[i] for i in train], [fitted(batch[i].x) for i in train], settings)
        for i in test:
            predicted[i], rules[i] = fitted(batch[i].x), rule
    return predicted, rules


def sign_test(ours: np.ndarray, theirs: np.ndarray) -> dict:
    from scipy.stats import binomtest

    better, worse = int(np.sum(ours & ~theirs)), int(np.sum(~ours & theirs))
    p = binomtest(better, better + worse).pvalue if better + worse else 1.0
    return {"better": better, "worse": worse, "p": round(float(p), 4)}


def main(argv: list[str] | None = None) -> int:
    from assistant import fit_ranker, ranker

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=Path, required=True, help="examples saved by fit_ranker --save-examples")
    parser.add_argument("--features", choices=("shipped", "base", "all"), default="shipped",
                        help="the shipped ranker.json's features (default), ranker.BASE_FEATURES or every column")
    args = parser.parse_args(argv)
    if not args.examples.is_file():
        raise SystemExit(f"error: no examples file {args.examples}")
    names = {"shipped": ranker.load_model().names, "base": ranker.BASE_FEATURES, "all": ranker.FEATURES}[args.features]
    batch = [e for e in fit_ranker.select(fit_ranker.load_examples(args.examples), names) if len(e.ids)]
    settings = fit_ranker.FitSettings()
    paper = np.array([e.document == "paper" for e in batch])
    print(machine_line())
    print(f"{len(batch)} questions on {len({e.document for e in batch})} documents ({int(paper.sum())} on the paper), "
          f"{len(names)} features ({args.features})")
    rows, top = {}, {}
    for name, make in FORMS.items():
        started = time.perf_counter()
        predicted, rules = cross_validated(batch, make, settings)
        outcomes = [fit_ranker.outcome(e, p, r) for e, p, r in zip(batch, predicted, rules)]
        top[name] = np.array([o[0] for o in outcomes])
        hit, words = np.array([o[1] for o in outcomes]), np.array([o[2] for o in outcomes])
        row = {part: {"top1": round(float(top[name][m].mean()), 4), "hit": round(float(hit[m].mean()), 4),
                      "median_words": float(np.median(words[m]))}
               for part, m in (("all", np.ones(len(batch), bool)), ("paper", paper)) if m.any()}
        if name != "logistic":
            row["top1_against_logistic"] = sign_test(top[name], top["logistic"])
        rows[name] = row
        print(f"{name:9s} " + "  ".join(f"{part}: top-1 {v['top1']:.3f} hit {v['hit']:.3f} words {v['median_words']:.0f}"
                                        for part, v in row.items() if part in ("all", "paper"))
              + (f"  sign test {row['top1_against_logistic']}" if name != "logistic" else "")
              + f"  ({time.perf_counter() - started:.0f} s)", flush=True)
    record("ranker_forms", {"examples": args.examples.name, "features": args.features, "questions": len(batch),
                            "documents": len({e.document for e in batch}), "forms": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Fit the joining model (joining.json): which sentences besides the lead hold the answer.

    python -m assistant.fit_joining --out assistant/joining.json [--cache DIR]

Examples: every answerable question of the dev gold files on the embedded paper
(``source/gold.jsonl`` and ``source/gold_reader_dev.jsonl``, follow-ups asked with their context)
and of the COVID-QA training papers indexed in ``--cache`` (the layout ``fit_ranker`` writes;
``--build`` indexes missing ones). A question answered from the paper's own parts (overview.py)
or with a list or a table column is left out: no sentence joins those by the model. Each of the
``pool`` best-scored sentences of a question is one row of joining.FEATURES, positive when it
overlaps a gold span (fit_ranker.is_positive). Never fitted on: the held-out and validation gold
files, the COVID-QA report papers, the SQuAD articles. The JSON keeps the coefficients and a
report: in-sample and GroupKFold-by-document AUROC and log loss.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Sequence

import numpy as np

from assistant.fit_ranker import COVID_TRAIN, add_training_options, cached_index, is_positive, project_gold, split_covid, squad_gold
from assistant.results import Output
from assistant.gold import REPORT_ONLY, VALIDATION

NOT_FITTED_ON = (*REPORT_ONLY, *VALIDATION)
DEV_GOLD = ("gold.jsonl", "gold_reader_dev.jsonl")
FOLDS = 5
JOINING_OUTPUT = Output("a joining model written by fit_joining", (frozenset({"features", "coef", "intercept", "report"}),))
L2_C = 1.0


def rows(assistant, questions) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows and labels of the pooled sentences of every (question, gold spans, context)."""
    from assistant import joining, overview, ranker
    from assistant.engine import clean_question

    doc = assistant.document
    assistant.shape = dataclasses.replace(assistant.shape, learned=False)  # the features do not depend on who joined
    xs, ys = [], []
    for question, gold, context in questions:
        question = clean_question(question)
        ranked = assistant._rank(question, assistant.query(f"{context} {question}" if context else question))
        if isinstance(ranked.selection, overview.PaperSelection) or ranked.selection.enumeration or ranked.found is None:
            continue
        masked = np.where(ranked.mask, ranked.fused.sentence_fused, -np.inf)
        pool = np.array([int(s) for s in np.argsort(-masked, kind="stable")[: assistant.shape.pool] if np.isfinite(masked[s])])
        found = ranked.found
        evidence = dict(zip(found.ids.tolist(), ranker.load_model().probability(found.x).tolist()))
        xs.append(joining.features(doc, pool, int(pool[0]), masked, evidence, ranked.idf))
        ys.append(np.array([is_positive((doc.sentences[s].start, doc.sentences[s].end), gold, 0.5) for s in pool]))
    return (np.vstack(xs) if xs else np.zeros((0, len(joining.FEATURES)))), (np.concatenate(ys) if ys else np.zeros(0, bool))


def collect(cache: Path, gold_files: Sequence[Path], covid_file: Path = COVID_TRAIN, limit: int | None = None,
            build: bool = False, progress=print) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(document, rows, labels) of the embedded paper with ``gold_files`` and of each cached COVID-QA paper."""
    from assistant.encoder import OnnxEncoder
    from assistant.engine import Assistant
    from assistant.errors import AssistantError
    from assistant.index import load_index
    from assistant.paper import open_index

    encoder = OnnxEncoder()
    paper = Assistant(open_index(None), encoder)
    questions = [q for path in gold_files for q in project_gold(path, paper.document.source)]
    out = [("paper", *rows(paper, questions))]
    progress(f"paper: {len(questions)} questions")
    for squad_file in split_covid(covid_file, cache)[:limit]:
        index_dir = Path(cache) / "indexes" / squad_file.stem
        if build:
            cached_index(squad_file, cache)
        try:
            assistant = Assistant(load_index(index_dir), encoder)
        except AssistantError as exc:  # not built, or built by another format: skipped, said why
            progress(f"{squad_file.stem}: skipped ({exc})")
            continue
        questions = [(q, spans, None) for q, spans in squad_gold(squad_file, assistant.document.source)]
        out.append((squad_file.stem, *rows(assistant, questions)))
        progress(f"{squad_file.stem}: {len(questions)} questions")
    return out


def fit(batch: Sequence[tuple[str, np.ndarray, np.ndarray]]) -> dict:
    """Logistic regression (scikit-learn, L2) on the rows; the report gives in-sample and GroupKFold
    (by document) AUROC and log loss of the probabilities."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss, roc_auc_score
    from sklearn.model_selection import GroupKFold

    from assistant import joining

    x = np.vstack([b[1] for b in batch])
    y = np.concatenate([b[2] for b in batch]).astype(int)
    groups = np.concatenate([np.full(len(b[2]), n) for n, b in enumerate(batch)])
    if len(set(y)) < 2:
        from assistant.errors import AssistantError

        raise AssistantError("the examples hold no positive (or no negative) sentence; nothing to fit")
    model = lambda: LogisticRegression(C=L2_C, max_iter=2000)
    held = np.zeros(len(y))
    for train, test in GroupKFold(n_splits=min(FOLDS, len(batch))).split(x, y, groups):
        held[test] = model().fit(x[train], y[train]).predict_proba(x[test])[:, 1]
    fitted = model().fit(x, y)
    inside = fitted.predict_proba(x)[:, 1]
    scores = lambda p: {"auroc": round(float(roc_auc_score(y, p)), 4), "log_loss": round(float(log_loss(y, p)), 4)}
    return {
        "features": list(joining.FEATURES),
        "coef": [round(float(c), 6) for c in fitted.coef_[0]],
        "intercept": round(float(fitted.intercept_[0]), 6),
        "report": {"documents": len(batch), "rows": int(len(y)), "positive": int(y.sum()), "l2_c": L2_C,
                   "in_sample": scores(inside), "cv_by_document": {"folds": min(FOLDS, len(batch)), **scores(held)}},
    }


def main(argv: list[str] | None = None) -> int:
    import argparse

    from assistant import paths
    from assistant.errors import AssistantError
    from assistant.results import check_output_path, write_json_atomic

    parser = argparse.ArgumentParser(prog="python -m assistant.fit_joining", description=__doc__.splitlines()[0])
    add_training_options(parser, "joining.json", "ranker", " and ".join(f"source/{name}" for name in DEV_GOLD))
    args = parser.parse_args(argv)
    args.cache = args.cache or paths.home() / "fit-cache" / "ranker"
    root = paths.default_gold().parent
    gold_files = [args.gold] if args.gold else [root / name for name in DEV_GOLD]
    for path in gold_files:
        if path.resolve().name in NOT_FITTED_ON:
            print(f"error: {path.name} is a held-out or validation set; it is reported on, never fitted on", file=sys.stderr)
            return 2
    try:
        check_output_path(args.out, JOINING_OUTPUT)  # refused before the fit, not after it
        model = fit(collect(args.cache, gold_files, args.covid, args.limit, args.build,
                            progress=lambda m: print(m, file=sys.stderr)))
        write_json_atomic(args.out, model, JOINING_OUTPUT)  # a new file or over a model it wrote, never through a link
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(model["report"], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

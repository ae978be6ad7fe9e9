"""Fit the confidence model (confidence.json) on many documents; report its calibration before and after.

    python -m assistant.fit_confidence --out assistant/confidence.json [--cache DIR]

Training documents: the embedded paper with the dev gold ``source/gold.jsonl`` (a question is
right when the answer hits its evidence; an unanswerable one never is) and the COVID-QA papers of
``covidqa_train.json`` indexed under ``--cache/indexes`` (right when the answer contains a gold
answer, SQuAD-normalised; see fit_ranker.py for how those indexes are built, ``--build`` builds
missing ones). Every question counts, whether or not the system abstains on it: the model
judges the answer the system would show. The logistic model's out-of-fold scores
(GroupKFold by document) fit the calibration map, Platt or isotonic, whichever has the lower
cross-validated log loss (each method scored on documents its calibration never saw); the L2
strength is chosen the same way from a small grid.

``--report`` adds documents that are only scored, never fitted on: the held-out and reader gold
files and the two COVID-QA report papers (indexed under ``--cache/report``). The report gives
ECE, AUROC, Brier and reliability tables for the previous confidence (the abstention model's
probability) and for the new one, on every set.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from assistant import calibration
from assistant.gold import VALIDATION, report_only
from assistant.confidence import BASE_FEATURES, Calibration, Model, model_json, shown
from assistant.fit_ranker import COVID_TRAIN, EXTERNAL, add_training_options
from assistant.results import Output

COVID_REPORT = tuple(EXTERNAL / "covid_qa" / f"covidqa_doc{n}.json" for n in (1557, 1595))
HELD_OUT = ("gold_heldout.jsonl", "gold_reader.jsonl")  # the held-out sets its report scores (the blind set too is never fitted on)
CONFIDENCE_OUTPUT = Output("a confidence model written by fit_confidence", (frozenset({"format", "features", "coef", "calibration"}),))
REPORT_OUTPUT = Output("a report written by fit_confidence", (frozenset({"calibration", "l2_c", "cv_by_document"}),))


@dataclass(frozen=True)
class Row:
    """One question on one document: the confidence features of the answer the system would show."""

    document: str
    question: str
    x: np.ndarray
    hit: bool  # that answer holds the evidence / contains a gold answer
    previous: float  # the confidence the system gave before this model
    abstained: bool
    floor: float = 0.0  # the confidence shown is at least this (a rule's floor, engine.Decision.floor) ...
    judged: float | None = None  # ... unless it is this (a paper-level answer's, engine.Decision.judged)


@dataclass(frozen=True)
class FitSettings:
    folds: int = 5  # GroupKFold over documents (outer: report; inner: calibration inside each outer fold)
    l2_c: float = 0.3  # sklearn LogisticRegression C (inverse L2 strength); fit() picks it from l2_grid
    l2_grid: tuple[float, ...] = (0.03, 0.1, 0.3, 1.0)  # tried with each calibration; lowest CV log loss wins
    paper_weight: float = 2.0  # weight of a paper question relative to a COVID-QA question
    paper_folds: int = 5  # the paper's questions are split into this many CV groups (by position in the gold file)
    columns: int | None = None  # fit on the first this many of confidence.FEATURES (None: all; --without-set: BASE_FEATURES)


# -- collecting rows ---------------------------------------------------------------------------


def rows_for(assistant, document: str, questions: Sequence[tuple[str, str | None, Callable]]) -> list[Row]:
    """Ask each (question, follow-up context, judge) and keep the features; ``judge(text, spans)``
    says whether an answer with that text and those cited spans is right."""
    from assistant import answer as extract
    from assistant.engine import clean_question

    doc, out = assistant.document, []
    assistant.answer_set = True  # every feature, whichever model is shipped
    for question, context, judge in questions:
        question = clean_question(question)
        decision = assistant.decide(question, assistant.query(f"{context} {question}" if context else question))
        cited = extract.citations(doc, assistant.index.chunks, decision.selection.sentence_ids)
        spans = [(c.start, c.end) for c in cited] + [(doc.note(n.number).start, doc.note(n.number).end)
                                                     for c in cited for n in c.notes if doc.note(n.number) is not None]
        out.append(Row(document, question, decision.features, bool(judge(decision.text, spans)),
                       float(decision.previous), bool(decision.abstained), decision.floor, decision.judged))
    return out


def gold_questions(gold_file: Path, source: str) -> list[tuple[str, str | None, Callable]]:
    """A project gold file's questions with their follow-up contexts; right = evidence hit."""
    from assistant.evaluate import follow_up_contexts
    from assistant.gold import load_gold
    from assistant.matching import SourceMap, contains_evidence

    gold = load_gold(gold_file)
    source_map = SourceMap(source)
    contexts = follow_up_contexts(gold)

    def judge_for(item):
        evidence = [source_map.locate(q) for q in item.evidence]
        return lambda text, spans: item.answerable and any(contains_evidence(text, spans, e) for e in evidence)

    return [(item.question, contexts[item.id], judge_for(item)) for item in gold]


def squad_questions(squad_file: Path) -> list[tuple[str, str | None, Callable]]:
    """A SQuAD file's questions; right = the answer contains a gold answer (never, when unanswerable)."""
    from assistant.metrics import contains_answer
    from assistant.squad import read_squad

    _, questions = read_squad(squad_file)

    def judge_for(q):
        return lambda text, spans: q.answerable and any(contains_answer(text, gold) for gold in q.answers)

    return [(q.question, None, judge_for(q)) for q in questions]


def training_rows(cache: Path, gold_file: Path, covid_file: Path = COVID_TRAIN, limit: int | None = None,
                  build: bool = False, progress=print, with_gold: Sequence[Path] = ()) -> list[Row]:
    """Rows of the paper's dev gold (and the ``with_gold`` files) and of every COVID-QA training paper
    indexed under ``cache``."""
    from assistant.fit_ranker import cached_index, split_covid

    for path in (gold_file, *with_gold):
        if report_only(path) or Path(path).name in VALIDATION:
            raise ValueError(f"{Path(path).name} is a held-out or validation set: reported on, never fitted on")
    paper = _paper()
    rows = [row for path in (gold_file, *with_gold) for row in rows_for(paper, "paper", gold_questions(path, paper.document.source))]
    progress(f"paper: {len(rows)} questions")
    for squad_file in split_covid(covid_file, cache)[:limit]:
        if build:
            cached_index(squad_file, cache)
        found = _document_rows(Path(cache) / "indexes" / squad_file.stem, squad_file, paper.encoder)
        rows += found
        if found:
            progress(f"{squad_file.stem}: {len(found)} questions")
    return rows


def report_rows(cache: Path, build: bool = False, progress=print) -> dict[str, list[Row]]:
    """Rows of the sets only reported on: the held-out and reader gold, the COVID-QA report papers."""
    from assistant import paths
    from assistant.fit_ranker import cached_index

    paper = _paper()
    out = {}
    for name in HELD_OUT:
        gold_file = paths.source_dir() / name
        if gold_file.is_file():
            out[name] = rows_for(paper, "paper", gold_questions(gold_file, paper.document.source))
            progress(f"{name}: {len(out[name])} questions")
    for squad_file in COVID_REPORT:
        if build:
            cached_index(squad_file, Path(cache) / "report")
        found = _document_rows(Path(cache) / "report" / "indexes" / squad_file.stem, squad_file, paper.encoder)
        if found:
            out[squad_file.stem] = found
            progress(f"{squad_file.stem}: {len(found)} questions")
    return out


def _paper():
    from assistant.engine import Assistant
    from assistant.paper import open_index

    return Assistant.open(open_index(None))


def _document_rows(index_dir: Path, squad_file: Path, encoder) -> list[Row]:
    from assistant.engine import Assistant
    from assistant.index import load_index

    if not (index_dir / "current").exists() and not (index_dir / "manifest.json").is_file():
        return []
    assistant = Assistant(load_index(index_dir, verify=False), encoder)
    return rows_for(assistant, squad_file.stem, squad_questions(squad_file))


# -- fitting -----------------------------------------------------------------------------------


def _xy(rows: Sequence[Row], settings: FitSettings) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels, weights and CV groups: one group per document, except that the paper's
    questions form ``paper_folds`` groups (so the paper's CV figures come from models that saw
    other questions on the paper, as the shipped model has for its held-out sets)."""
    x = np.vstack([r.x for r in rows])[:, : settings.columns]
    y = np.array([r.hit for r in rows], dtype=int)
    weight = np.array([settings.paper_weight if r.document == "paper" else 1.0 for r in rows])
    groups = np.array([f"paper:{i % settings.paper_folds}" if r.document == "paper" else r.document
                       for i, r in enumerate(rows)])
    return x, y, weight, groups


def fit_logistic(x: np.ndarray, y: np.ndarray, weight: np.ndarray, settings: FitSettings):
    """Standardised L2 logistic regression; returns (mean, scale, coef, intercept)."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    model = LogisticRegression(C=settings.l2_c, max_iter=5000)
    model.fit((x - mean) / scale, y, sample_weight=weight / weight.mean())
    return mean, scale, model.coef_[0], float(model.intercept_[0])


def fit_calibration(z: np.ndarray, y: np.ndarray, weight: np.ndarray, method: str) -> Calibration:
    """The map from logistic scores ``z`` to probabilities, fitted on (out-of-fold) scores."""
    if method == "isotonic":
        from sklearn.isotonic import IsotonicRegression

        from assistant.abstain import sigmoid

        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(sigmoid(z), y, sample_weight=weight)
        return Calibration("isotonic", x=tuple(float(v) for v in iso.X_thresholds_),
                           y=tuple(float(v) for v in iso.y_thresholds_))
    from sklearn.linear_model import LogisticRegression

    platt = LogisticRegression(C=1e6, max_iter=5000).fit(z.reshape(-1, 1), y, sample_weight=weight / weight.mean())
    return Calibration("platt", a=float(platt.coef_[0][0]), b=float(platt.intercept_[0]))


def _model(fitted, cal: Calibration) -> Model:
    mean, scale, coef, intercept = fitted
    return Model(mean, scale, coef, intercept, cal)


def out_of_fold_scores(x, y, weight, groups, settings: FitSettings) -> np.ndarray:
    """Each row's logistic score from a model fitted on the other documents (GroupKFold)."""
    from sklearn.model_selection import GroupKFold

    z = np.zeros(len(y))
    folds = min(settings.folds, len(set(groups.tolist())))
    for train, test in GroupKFold(n_splits=folds).split(x, y, groups):
        fitted = fit_logistic(x[train], y[train], weight[train], settings)
        z[test] = _model(fitted, Calibration("platt")).score(x[test])
    return z


def cross_validated(x, y, weight, groups, settings: FitSettings, method: str) -> np.ndarray:
    """Each row's calibrated probability from a model and calibration fitted without its document."""
    from sklearn.model_selection import GroupKFold

    p = np.zeros(len(y))
    folds = min(settings.folds, len(set(groups.tolist())))
    for train, test in GroupKFold(n_splits=folds).split(x, y, groups):
        inner = out_of_fold_scores(x[train], y[train], weight[train], groups[train], settings)
        cal = fit_calibration(inner, y[train], weight[train], method)
        p[test] = _model(fit_logistic(x[train], y[train], weight[train], settings), cal).probability(x[test])
    return p


def log_loss(p: np.ndarray, y: np.ndarray, weight: np.ndarray) -> float:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-np.sum(weight * (y * np.log(p) + (1 - y) * np.log(1 - p))) / weight.sum())


def fit(rows: Sequence[Row], settings: FitSettings = FitSettings()) -> tuple[Model, dict]:
    """The model fitted on every row and the cross-validated report (by document) it was chosen with."""
    x, y, weight, groups = _xy(rows, settings)
    cv = {(c, method): cross_validated(x, y, weight, groups, replace(settings, l2_c=c), method)
          for c in settings.l2_grid for method in ("platt", "isotonic")}
    losses = {key: log_loss(p, y, weight) for key, p in cv.items()}
    best = min(losses, key=lambda key: losses[key])
    settings, method = replace(settings, l2_c=best[0]), best[1]
    chosen = cv[best]
    cal = fit_calibration(out_of_fold_scores(x, y, weight, groups, settings), y, weight, method)
    model = _model(fit_logistic(x, y, weight, settings), cal)
    previous = np.array([r.previous for r in rows])
    paper = np.array([r.document == "paper" for r in rows])
    unseen = cross_validated(x, y, weight, np.where(paper, "paper", groups), settings, method)  # the paper as one document
    chosen, unseen = _shown(chosen, rows), _shown(unseen, rows)
    report = {
        "calibration": method, "l2_c": settings.l2_c,
        "cv_log_loss": {f"C={c} {m}": round(v, 4) for (c, m), v in losses.items()},
        "cv_by_document": {
            "all": _before_after(previous, chosen, y),
            "paper (dev gold, 5 folds)": _before_after(previous[paper], chosen[paper], y[paper]),
            "paper (dev gold, paper unseen)": _before_after(previous[paper], unseen[paper], y[paper]),
            "covid train": _before_after(previous[~paper], chosen[~paper], y[~paper]),
        },
        "in_sample": {"all": _before_after(previous, _shown(model.probability(x), rows), y)},
    }
    return model, report


def _shown(probabilities: np.ndarray, rows: Sequence[Row]) -> np.ndarray:
    """The confidences shown for ``rows`` given the model's ``probabilities`` (confidence.shown)."""
    return np.array([shown(float(p), r.floor, r.judged) for p, r in zip(probabilities, rows)])


def _before_after(previous: np.ndarray, new: np.ndarray, y: np.ndarray) -> dict:
    return {"before": calibration.summary(previous, y), "after": calibration.summary(new, y)}


def score_report(model: Model, sets: dict[str, list[Row]]) -> dict:
    """Before/after figures on sets never fitted on: all questions, and those the system answers."""
    out = {}
    for name, rows in sets.items():
        y = np.array([r.hit for r in rows], dtype=int)
        previous = np.array([r.previous for r in rows])
        new = _shown(model.probability(np.vstack([r.x for r in rows])), rows)
        shown = ~np.array([r.abstained for r in rows])
        out[name] = {"all": _before_after(previous, new, y), "answered": _before_after(previous[shown], new[shown], y[shown])}
    return out


def brief(report: dict) -> str:
    """One line per set: n, hit rate, ECE and AUROC before -> after."""
    lines = []

    def walk(prefix: str, node: dict) -> None:
        if "before" in node and "after" in node:
            b, a = node["before"], node["after"]
            lines.append(f"{prefix:<40} n={a['n']:<4} hit={_f(a['hit_rate'])}  ECE {_f(b['ece'])} -> {_f(a['ece'])}  "
                         f"AUROC {_f(b['auroc'])} -> {_f(a['auroc'])}  Brier {_f(b['brier'])} -> {_f(a['brier'])}")
            return
        for key, value in node.items():
            if isinstance(value, dict):
                walk(f"{prefix} {key}".strip(), value)

    walk("", report)
    return "\n".join(lines)


def _f(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def main(argv: list[str] | None = None) -> int:
    import argparse

    from assistant import paths
    from assistant.errors import AssistantError
    from assistant.results import check_output_path, write_json_atomic

    parser = argparse.ArgumentParser(prog="python -m assistant.fit_confidence", description=__doc__.splitlines()[0])
    add_training_options(parser, "confidence.json", "confidence")
    parser.add_argument("--with-gold", type=Path, action="append", default=[],
                        help="Also fit on this dev gold file of the paper (repeatable; source/gold_reader_dev.jsonl).")
    parser.add_argument("--paper-weight", type=float, default=FitSettings.paper_weight,
                        help="Weight of a question on the paper relative to a COVID-QA question (default %(default)s).")
    parser.add_argument("--without-set", action="store_true",
                        help="Fit on confidence.BASE_FEATURES alone, without the joining model's view of the answer set.")
    parser.add_argument("--report", type=Path, default=None,
                        help="Also score the held-out sets and write the full before/after report here (JSON).")
    args = parser.parse_args(argv)
    args.cache = args.cache or paths.home() / "fit-cache" / "confidence"
    say = lambda message: print(message, file=sys.stderr)  # noqa: E731
    try:
        for path, kind, option in ((args.out, CONFIDENCE_OUTPUT, "--out"), (args.report, REPORT_OUTPUT, "--report")):
            if path is not None:
                check_output_path(path, kind, option)  # refused before the fit, not after it
        rows = training_rows(args.cache, args.gold or paths.default_gold(), args.covid, args.limit, args.build, say,
                             args.with_gold)
        model, report = fit(rows, FitSettings(paper_weight=args.paper_weight,
                                            columns=len(BASE_FEATURES) if args.without_set else None))
        documents = sorted({r.document for r in rows})
        data = model_json(model, fitted_on={"documents": len(documents), "questions": len(rows),
                                            "covid_papers": len(documents) - 1, "calibration": report["calibration"],
                                            "l2_c": report["l2_c"]})
        if args.report:
            report["held_out"] = score_report(model, report_rows(args.cache, args.build, say))
    except (AssistantError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:  # a new file or over a regular one, never through a link
        write_json_atomic(args.out, data, CONFIDENCE_OUTPUT)
        if args.report:
            write_json_atomic(args.report, report, REPORT_OUTPUT, "--report")
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(brief({k: v for k, v in report.items() if isinstance(v, dict)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

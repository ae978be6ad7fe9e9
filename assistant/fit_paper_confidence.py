"""Fit paper_confidence.json: how often a whole-paper answer found one way or another is right.

    python -m assistant.fit_paper_confidence --out assistant/paper_confidence.json

The rows (``--rows``, default bench/paper_level_judged.jsonl, written by bench/paper_level_judged.py)
are whole-paper answers on PDFs, each judged RIGHT, PARTLY or WRONG by a reader, with
paper_confidence.FEATURES. A PARTLY answer counts half right: it holds part of what was asked,
or the right sentence among others. The model is a logistic regression (scikit-learn, L2); it is
scored by 5-fold cross-validation grouped by document against the rule rates the rows were shown
with (``before``), then fitted on every row. The embedded paper's own offset is then fitted on the
paper-level questions of its dev gold files (``--paper-gold``; evidence hit as the label). Printed: Brier score, expected calibration error and
AUROC (RIGHT against the rest; RIGHT or PARTLY against WRONG) before and after, and the
cross-validated reliability table; then the same before and after on ``--check``, answers judged on other
PDFs after the fit and never fitted on.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant import calibration
from assistant.abstain import sigmoid
from assistant.paper_confidence import FEATURES, Model, model_json

ROWS = Path(__file__).resolve().parent.parent / "bench" / "paper_level_judged.jsonl"
CHECK = ROWS.with_name("paper_level_check.jsonl")  # judged later on 24 other PDFs by two other helpers: never fitted on
FOLDS = 5
L2_C = 0.3  # sklearn LogisticRegression C; 0.1-1.0 scored alike in CV (Brier 0.152-0.153)
# Chosen in CV on these rows (Brier / ECE / AUROC right vs rest): with "has_abstract" too 0.153 / 0.044 / 0.674;
# without it (shipped) 0.151 / 0.038 / 0.675; cued and primary alone 0.166 / 0.016 / 0.560.


@dataclass(frozen=True)
class Rows:
    x: np.ndarray  # (n, len(FEATURES))
    label: np.ndarray  # RIGHT 1, PARTLY 0.5, WRONG 0
    documents: np.ndarray
    before: np.ndarray  # the confidence shown by the rule rates


def read_rows(path: Path) -> Rows:
    """The judged rows of ``path``; ValueError when a row is not one."""
    records = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    if not records:
        raise ValueError(f"{path} holds no rows")
    for n, record in enumerate(records, start=1):
        if len(record.get("x", ())) != len(FEATURES) or record.get("label") not in (0, 0.5, 1):
            raise ValueError(f"{path} line {n}: not a row of {len(FEATURES)} features and a label of 0, 0.5 or 1")
    return Rows(np.array([r["x"] for r in records], dtype=np.float64), np.array([r["label"] for r in records], float),
                np.array([r["document"] for r in records]), np.array([r["before"] for r in records], float))


def fit_model(x: np.ndarray, label: np.ndarray, c: float = L2_C) -> Model:
    """A logistic regression on standardised ``x``; a half label is one row each way at half weight."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    z = (x - mean) / scale
    both = np.vstack([z, z])
    target = np.r_[np.ones(len(z)), np.zeros(len(z))]
    weight = np.r_[label, 1.0 - label]
    keep = weight > 0
    fitted = LogisticRegression(C=c, max_iter=1000).fit(both[keep], target[keep], sample_weight=weight[keep])
    return Model(mean, scale, fitted.coef_[0].copy(), float(fitted.intercept_[0]))


def cross_validated(rows: Rows, folds: int = FOLDS, c: float = L2_C) -> np.ndarray:
    """Each row's probability from a model fitted without its document's rows."""
    from sklearn.model_selection import GroupKFold

    out = np.zeros(len(rows.label))
    for train, test in GroupKFold(folds).split(rows.x, groups=rows.documents):
        out[test] = fit_model(rows.x[train], rows.label[train], c).probability(rows.x[test])
    return out


PRIOR_SD = 1.0  # the embedded paper's offset has a normal prior N(0, PRIOR_SD^2) on the logit scale: a few questions move it little


def fit_offset(z: np.ndarray, hit: np.ndarray, prior_sd: float = PRIOR_SD) -> float:
    """The logit shift ``o`` maximising the likelihood of ``hit`` under ``sigmoid(z + o)`` plus the
    normal prior (Newton's method on a concave function of one variable)."""
    z, hit = np.asarray(z, float), np.asarray(hit, float)
    offset = 0.0
    for _ in range(50):
        p = sigmoid(z + offset)
        gradient = float(np.sum(hit - p)) - offset / prior_sd**2
        curvature = float(np.sum(p * (1.0 - p))) + 1.0 / prior_sd**2
        step = gradient / curvature
        offset += step
        if abs(step) < 1e-9:
            break
    return offset


def paper_rows(model: Model, gold_files: list[Path], say) -> tuple[str, np.ndarray, np.ndarray, list[str]]:
    """The embedded paper's SHA-256 and, for each question of ``gold_files`` answered at the paper level
    (overview.PaperSelection, not a front-matter aspect, not abstained), the model's logit and whether
    the answer holds the evidence; and the questions."""
    from assistant import overview
    from assistant.engine import Assistant, clean_question
    from assistant.fit_confidence import gold_questions
    from assistant.paper import open_index

    assistant = Assistant.open(open_index(None))
    doc = assistant.document
    z, hit, asked = [], [], []
    for path in gold_files:
        for question, context, judge in gold_questions(path, doc.source):
            question = clean_question(question)
            decision = assistant.decide(question, assistant.query(f"{context} {question}" if context else question))
            selection = decision.selection
            if decision.abstained or not isinstance(selection, overview.PaperSelection):
                continue
            x = overview.judged_features(selection, assistant._layout)
            if x is None:
                continue
            spans = [(doc.sentences[i].start, doc.sentences[i].end) for i in selection.sentence_ids]
            z.append(float(model.score(x)))
            hit.append(float(bool(judge(decision.text, spans))))
            asked.append(question)
        say(f"{path.name}: {len(asked)} paper-level answers so far")
    return assistant.source_sha256, np.array(z), np.array(hit), asked


def scores(probability: np.ndarray, label: np.ndarray) -> dict:
    """Brier and ECE against the half-counting label; AUROC of RIGHT against the rest and of RIGHT or
    PARTLY against WRONG; the mean confidence and the share right."""
    return {
        "n": int(len(label)), "right": round(float(label.mean()), 4), "mean_confidence": round(float(probability.mean()), 4),
        "brier": round(float(calibration.brier(probability, label) or 0.0), 4),
        "ece": round(float(calibration.expected_calibration_error(probability, label) or 0.0), 4),
        "auroc_right": _rounded(calibration.auroc(probability, label == 1.0)),
        "auroc_not_wrong": _rounded(calibration.auroc(probability, label > 0.0)),
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def report_text(before: dict, after: dict, table: list[calibration.Bin], after_title: str = "after (CV by document)") -> str:
    lines = [f"{'':24s}{'before (rule rates)':>22s}{after_title:>24s}"]
    for key in ("n", "right", "mean_confidence", "brier", "ece", "auroc_right", "auroc_not_wrong"):
        lines.append(f"{key:24s}{before[key]!s:>22s}{after[key]!s:>24s}")
    lines.append(f"reliability {after_title.removeprefix('after ')}: confidence bin, answers, mean confidence, share right (PARTLY half)")
    lines += [f"  {b.low:.1f}-{b.high:.1f}  {b.n:4d}  {b.mean_confidence:.2f}  {b.hit_rate:.2f}" for b in table if b.n]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse

    from assistant import paths
    from assistant.errors import AssistantError
    from assistant.gold import FITTED_ON, VALIDATION, report_only
    from assistant.results import Output, check_output_path, write_json_atomic

    kind = Output("a model written by fit_paper_confidence", (frozenset({"format", "features", "coef", "fitted_on"}),))
    parser = argparse.ArgumentParser(prog="python -m assistant.fit_paper_confidence", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=Path, default=ROWS, help="Judged rows (default %(default)s).")
    parser.add_argument("--out", type=Path, required=True, help="Write the model here (assistant/paper_confidence.json).")
    parser.add_argument("--paper-gold", type=Path, action="append", default=None,
                        help="A dev gold file of the embedded paper for its offset (repeatable; default: "
                             f"{', '.join(FITTED_ON)} that exist; never a report-only file).")
    parser.add_argument("--no-paper", action="store_true", help="Fit no offset for the embedded paper (no model needed).")
    parser.add_argument("--check", type=Path, default=CHECK,
                        help="Judged rows never fitted on, scored before and after (default %(default)s; skipped when missing).")
    args = parser.parse_args(argv)
    say = lambda message: print(message, file=sys.stderr)  # noqa: E731
    try:
        check_output_path(args.out, kind)  # refused before the fit, not after it
        gold_files = args.paper_gold or [p for p in (paths.source_dir() / name for name in FITTED_ON) if p.is_file()]
        refused = [str(p) for p in gold_files if report_only(p) or Path(p).name in VALIDATION]
        if refused:
            raise ValueError(f"{', '.join(refused)}: report-only or validation questions are never fitted on")
        rows = read_rows(args.rows)
        held_out = cross_validated(rows)
        before, after = scores(rows.before, rows.label), scores(held_out, rows.label)
        model = fit_model(rows.x, rows.label)
        documents = {}
        if not args.no_paper:
            key, z, hit, asked = paper_rows(model, gold_files, say)
            offset = fit_offset(z, hit)
            documents[key] = {"offset": round(offset, 6), "what": "the embedded paper", "questions": len(asked),
                              "hit_rate": round(float(hit.mean()), 4) if len(hit) else None,
                              "gold": [Path(p).name for p in gold_files], "prior_sd": PRIOR_SD}
            say(f"embedded paper: {len(asked)} paper-level answers, evidence hit {hit.mean():.3f}, mean confidence "
                f"{np.mean(sigmoid(z)):.3f} without its offset, offset {offset:+.3f}")
        data = model_json(model, documents, fitted_on={"rows": len(rows.label), "documents": len(set(rows.documents.tolist())),
                                                       "l2_c": L2_C, "cv_by_document": after, "rule_rates": before})
        write_json_atomic(args.out, data, kind)
    except (AssistantError, OSError, ValueError, KeyError, TypeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(report_text(before, after, calibration.reliability(held_out, rows.label)))
    if args.check is not None and Path(args.check).is_file():
        try:
            check = read_rows(args.check)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        shown = model.probability(check.x)
        print(f"\ncheck set {args.check} (never fitted on; the model's probability, without any document's offset):")
        print(report_text(scores(check.before, check.label), scores(shown, check.label),
                          calibration.reliability(shown, check.label), "after (fitted model)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

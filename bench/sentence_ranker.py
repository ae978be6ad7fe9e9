"""Letting the learned ranker choose the answer's sentences: FusionSettings.sentence_ranker swept on the dev sets.

    python bench/sentence_ranker.py                                  # weights 0 (shipped), 0.1, 0.3, 0.5, 0.7
    python bench/sentence_ranker.py --weights 0 0.5 --confidence DIR  # also refit the confidence model per weight

For each weight the full system answers the dev gold files (``source/gold.jsonl``,
``source/gold_reader_dev.jsonl``; follow-ups with their context) as ``assistant eval`` does:
evidence hit and median words of the answers shown (answerable questions), the shipped abstention
model's rates, and on gold.jsonl the abstention refitted under 5-fold CV (``cv_`` rates, CI floors
0.86 / 0.96), which reads each answer's term coverage and so moves with the chosen sentences.
``--confidence DIR`` (COVID-QA training indexes under ``DIR/indexes``, as for fit_confidence)
also refits the confidence model on that weight's answers with fit_confidence's defaults and
reports its grouped-CV figures and the Brier score and AUROC of the answers shown on the dev sets
and on the validation set ``source/gold_reader_val.jsonl`` (a check, never a choice). The
held-out files are never read. A record goes to ``bench/results/sentence_ranker.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
DEV = ("gold.jsonl", "gold_reader_dev.jsonl")
VALIDATION = "gold_reader_val.jsonl"


def dev_figures(assistant, root: Path) -> dict:
    """Evidence hit, median words and the shipped abstention's rates on each dev file; CV abstention on gold.jsonl."""
    from answer_shape import paper_rows

    from assistant.abstain_fit import cv_abstention
    from assistant.evaluate import follow_up_contexts
    from assistant.gold import load_gold

    out = {}
    for name in DEV:
        gold = load_gold(root / name)
        hits, words, _ = paper_rows(assistant, root / name, assistant.shape)
        contexts = follow_up_contexts(gold)
        unanswerable = [i for i in gold if not i.answerable]
        abstained = [assistant.ask(i.question, context=contexts[i.id]).abstained for i in unanswerable]
        out[Path(name).stem] = {"evidence_hit": round(float(np.mean(hits)), 3), "median_words": float(np.median(words)),
                                "answered_on_answerable": round(len(words) / len(hits), 3),
                                "abstain_on_unanswerable": round(float(np.mean(abstained)), 3)}
    gold = load_gold(root / DEV[0])
    cv = cv_abstention(assistant, gold)
    cv.pop("cv_spread", None)
    out["gold"].update({k: round(v, 4) for k, v in cv.items()})
    return out


def confidence_figures(assistant, cache: Path, root: Path) -> dict:
    """The confidence model refitted on this assistant's answers (fit_confidence defaults): grouped CV, dev and validation."""
    from assistant import calibration
    from assistant import fit_confidence as fc
    from assistant.engine import Assistant
    from assistant.fit_ranker import COVID_TRAIN, split_covid
    from assistant.index import load_index

    rows = fc.rows_for(assistant, "paper", fc.gold_questions(root / DEV[0], assistant.document.source))
    for squad_file in split_covid(COVID_TRAIN, cache):
        index_dir = cache / "indexes" / squad_file.stem
        if (index_dir / "current").exists() or (index_dir / "manifest.json").is_file():
            other = Assistant(load_index(index_dir, verify=False), assistant.encoder, fusion=assistant.fusion)
            rows += fc.rows_for(other, squad_file.stem, fc.squad_questions(squad_file))
    model, report = fc.fit(rows)
    out = {"calibration": report["calibration"], "l2_c": report["l2_c"], "questions": len(rows),
           "cv": {k: {m: round(v["after"][m], 4) for m in ("brier", "auroc")} for k, v in report["cv_by_document"].items()}}
    for name in (*DEV, VALIDATION):
        found = fc.rows_for(assistant, "paper", fc.gold_questions(root / name, assistant.document.source))
        shown = [r for r in found if not r.abstained]
        p = np.maximum(model.probability(np.vstack([r.x for r in shown])), [r.floor for r in shown])
        summary = calibration.summary(p, np.array([r.hit for r in shown], dtype=int))
        out[Path(name).stem] = {"brier": round(summary["brier"], 4), "auroc": round(summary["auroc"], 4)}
    return out


def main(argv: list[str] | None = None) -> int:
    from common import record

    from assistant import paths
    from assistant.encoder import OnnxEncoder
    from assistant.engine import Assistant
    from assistant.paper import open_index
    from assistant.retrieval import FUSION

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=float, nargs="+", default=[FUSION.sentence_ranker, 0.1, 0.3, 0.5, 0.7])
    parser.add_argument("--confidence", type=Path, default=None,
                        help="folder with the COVID-QA training indexes: also refit the confidence model per weight (slow)")
    args = parser.parse_args(argv)
    encoder = OnnxEncoder()
    index = open_index(None)
    root = paths.default_gold().parent
    rows = []
    for weight in args.weights:
        assistant = Assistant(index, encoder, fusion=replace(FUSION, sentence_ranker=weight))
        row = {"sentence_ranker": weight, **dev_figures(assistant, root)}
        if args.confidence:
            row["confidence"] = confidence_figures(assistant, args.confidence, root)
        rows.append(row)
        print(json.dumps(row), flush=True)
    record("sentence_ranker", {"rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

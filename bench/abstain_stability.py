"""How much the abstention fit swings: the documented refit before and after the fit-only questions.

    python bench/abstain_stability.py [--rounds 40] [--index-dir DIR]

Each fit procedure is run (1) on the paper's questions as the code answers them now, (2) on the
answers of two slightly different answerers (the joining model switched on; at most two sentences
per answer), and (3) on ``--rounds`` bootstrap resamples of the fitted questions (resampled within
each gold file and class, seed 0). For each it prints the threshold and the abstain-on-unanswerable
/ answered-on-answerable rates of the fitted model on the full dev files and on the validation
file (never fitted on), as mean ± standard deviation and 5th-95th percentiles over the resamples.
The rates are those of the answer model alone (no veto), over the questions it decides (questions
answered from the paper's overview are never abstained on and count as answered).

Procedures:
- ``before``: gold.jsonl + gold_reader_dev.jsonl, each file weighing the same, threshold: most
  answered while abstaining on >= 0.85 of unanswerable (both averaged over the files);
- ``now`` (the documented refit): the same files plus source/gold_abstain_fit.jsonl at
  ``abstain_fit.FIT_ONLY_WEIGHT`` of a file's weight, abstaining on >= ``FIT_MIN_ABSTAIN``.

Held-out files are never read. The figures are appended to bench/results/abstain_stability.jsonl.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import record  # noqa: E402

FILES = ("gold.jsonl", "gold_reader_dev.jsonl", "gold_reader_val.jsonl", "gold_abstain_fit.jsonl")


def signals(assistant) -> dict:
    """Per file: (rows, labels, answerable questions answered from the overview)."""
    from assistant import paths
    from assistant.abstain_fit import _labels, decided_signals
    from assistant.gold import load_gold

    out = {}
    for name in FILES:
        items = load_gold(paths.default_gold().with_name(name))
        x, y = decided_signals(assistant, items)
        out[name] = (x, y, int(_labels(items).sum() - y.sum()))
    return out


def procedure(name: str, data: dict):
    """(weights, bias, threshold) of procedure ``name`` fitted on ``data``."""
    from assistant import abstain_fit as fit

    dev = [fit.SignalSet(f, data[f][0], data[f][1]) for f in FILES[:2]]
    if name == "before":
        return fit.fit_pooled(dev, fit.MIN_ABSTAIN_UNANSWERABLE)
    only = fit.SignalSet(FILES[3], data[FILES[3]][0], data[FILES[3]][1], weight=fit.FIT_ONLY_WEIGHT)
    return fit.fit_pooled([*dev, only], fit.FIT_MIN_ABSTAIN)


def rates(model, data: dict) -> dict:
    """Threshold and (abstain, answered) per scored file."""
    from assistant.abstain_fit import _probabilities

    weights, bias, threshold = model
    out: dict = {"threshold": float(threshold)}
    for name in FILES[:3]:
        x, y, overview = data[name]
        answered = _probabilities(x, weights, bias) >= threshold
        out[name] = (float(np.mean(~answered[y == 0])),
                     float((answered[y == 1].sum() + overview) / ((y == 1).sum() + overview)))
    return out


def resample(data: dict, rng: np.random.Generator) -> dict:
    out = {}
    for name, (x, y, overview) in data.items():
        picked = np.concatenate([rng.choice(np.flatnonzero(y == c), size=int((y == c).sum()), replace=True)
                                 for c in (0.0, 1.0) if np.any(y == c)])
        out[name] = (x[picked], y[picked], overview)
    return out


def spread(values: list[float]) -> dict:
    v = np.asarray(values)
    return {"mean": round(float(v.mean()), 4), "sd": round(float(v.std()), 4),
            "p5": round(float(np.percentile(v, 5)), 4), "p95": round(float(np.percentile(v, 95)), 4)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--index-dir", type=Path, default=None)
    args = parser.parse_args()

    from assistant.engine import Assistant
    from assistant.paper import open_index

    paper = Assistant.open(open_index(args.index_dir))
    answerers = {"as shipped": paper.shape, "joining model on": dataclasses.replace(paper.shape, learned=True),
                 "two sentences at most": dataclasses.replace(paper.shape, max_sentences=2, near=0.85)}
    data = {}
    for label, shape in answerers.items():
        paper.shape = shape
        data[label] = signals(paper)
    figures: dict = {"rounds": args.rounds, "procedures": {}}
    for name in ("before", "now"):
        rows = {label: rates(procedure(name, d), d) for label, d in data.items()}
        rng = np.random.default_rng(0)
        boot = [rates(procedure(name, resample(data["as shipped"], rng)), data["as shipped"]) for _ in range(args.rounds)]
        summary = {"threshold": spread([b["threshold"] for b in boot])}
        for f in FILES[:3]:
            summary[f] = {"abstain": spread([b[f][0] for b in boot]), "answered": spread([b[f][1] for b in boot])}
        figures["procedures"][name] = {"answerers": rows, "bootstrap": summary}
        print(f"== {name}")
        for label, r in rows.items():
            print(f"  {label:22s} threshold {r['threshold']:.3f}  " + "  ".join(
                f"{f.removesuffix('.jsonl')} {r[f][0]:.3f}/{r[f][1]:.3f}" for f in FILES[:3]))
        t = summary["threshold"]
        print(f"  bootstrap ({args.rounds}) threshold {t['mean']:.3f} ± {t['sd']:.3f} [{t['p5']:.3f}, {t['p95']:.3f}]")
        for f in FILES[:3]:
            a, b = summary[f]["abstain"], summary[f]["answered"]
            print(f"    {f.removesuffix('.jsonl'):16s} abstain {a['mean']:.3f} ± {a['sd']:.3f} [{a['p5']:.3f}, {a['p95']:.3f}]"
                  f"  answered {b['mean']:.3f} ± {b['sd']:.3f} [{b['p5']:.3f}, {b['p95']:.3f}]")
    record("abstain_stability", figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

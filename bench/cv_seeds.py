"""How much `assistant eval`'s cross-validated abstention rates depend on how the folds fall.

    python bench/cv_seeds.py [--gold source/gold.jsonl] [--seeds 20] [--index-dir DIR]

`eval` reports the abstention decision refitted under 5-fold CV, averaged over fold seeds 0-9
(``cv_abstain_on_unanswerable``, ``cv_answered_on_answerable``; CI floors them on gold.jsonl). This
refits it the same way with seeds 0..N-1, on the same questions answered the same way, and prints
each rate's seed 0, minimum, median and maximum over the seeds and how many single seeds fall under
the CI floors (the floors bound the mean, so a seed under them is expected). Nothing is fitted on held-out
files; the shipped model is not changed. Appends to bench/results/cv_seeds.jsonl.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine_line, record  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=ROOT / "source" / "gold.jsonl")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--index-dir", type=Path, default=None, help="default: the paper's index")
    args = parser.parse_args(argv)
    from assistant.gold import report_only

    if report_only(args.gold):
        raise SystemExit(f"error: {args.gold.name} is held out")

    from assistant.abstain_fit import _labels, cross_validate, fold_count, signal_matrix
    from assistant.engine import Assistant
    from assistant.gold import load_gold
    from assistant.paper import open_index

    print(machine_line())
    assistant = Assistant.open(open_index(args.index_dir))
    gold = load_gold(args.gold)
    y = _labels(gold)
    x = signal_matrix(assistant, gold)
    runs = [cross_validate(x, y, fold_count(y), seed) for seed in range(args.seeds)]
    floors = json.loads((ROOT / ".ci" / "eval_floors.json").read_text(encoding="utf-8"))["hybrid"]
    figures: dict = {"gold": args.gold.name, "seeds": args.seeds}
    for rate, floor_key in (("abstain_on_unanswerable", "cv_abstain_on_unanswerable"),
                            ("answered_on_answerable", "cv_answered_on_answerable")):
        values = [r[rate] for r in runs]
        floor = floors.get(floor_key) if args.gold.name == "gold.jsonl" else None
        under = sum(v < floor for v in values) if floor is not None else None
        figures[floor_key] = {"seed_0": round(values[0], 4), "min": round(min(values), 4),
                              "median": round(statistics.median(values), 4), "max": round(max(values), 4),
                              "floor": floor, "seeds_under_floor": under}
        print(f"{floor_key:28s} seed 0 {values[0]:.3f}   over {args.seeds} seeds: min {min(values):.3f}  "
              f"median {statistics.median(values):.3f}  max {max(values):.3f}"
              + (f"   under the CI floor {floor}: {under} of {args.seeds}" if floor is not None else ""))
    record("cv_seeds", figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

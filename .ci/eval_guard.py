"""Fail CI when a headline metric of `assistant eval` drops below its floor.

Usage: python .ci/eval_guard.py RESULTS.json [FLOORS.json]

FLOORS.json maps a system to {metric: floor}; its optional "_beats" lists the metrics on which
the full system must beat both baselines (default: recall@5, mrr@10, evidence_hit), and its
optional "_ceilings" maps a system to {metric: ceiling} for metrics where lower is better (the
confidence's Brier score, a proper scoring rule: it rewards a better answer at the same confidence,
where AUROC over a dozen wrong answers can punish it).
"""

import json
import sys
from pathlib import Path


def main() -> int:
    results = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    floors_path = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).with_name("eval_floors.json")
    floors = json.loads(floors_path.read_text(encoding="utf-8"))
    beats = floors.pop("_beats", ["recall@5", "mrr@10", "evidence_hit"])
    ceilings = floors.pop("_ceilings", {})
    failed = False
    for bounds, above in ((floors, True), (ceilings, False)):
        for system, metrics in bounds.items():
            overall = results["systems"][system]["overall"]
            for name, bound in metrics.items():
                value = overall[name]
                ok = value is not None and (value >= bound if above else value <= bound)
                failed |= not ok
                print(f"{'ok  ' if ok else 'FAIL'} {system:7s} {name:26s} {value if value is None else round(value, 4)!s:>8} "
                      f"({'floor' if above else 'ceiling'} {bound})")
    hybrid, baselines = results["systems"]["hybrid"]["overall"], ("bm25", "dense")
    for name in beats:
        for base in baselines:
            other = results["systems"][base]["overall"][name]
            ok = hybrid[name] > other
            failed |= not ok
            print(f"{'ok  ' if ok else 'FAIL'} hybrid beats {base:5s} on {name:14s} {hybrid[name]:.4f} vs {other:.4f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Fail CI when a headline metric of `assistant eval` drops below its floor, or when the questions
that got worse against the committed per-question baseline clearly outnumber those that got better.

Usage: python .ci/eval_guard.py RESULTS.json [FLOORS.json] [--write-baseline]

FLOORS.json maps a system to {metric: floor}; its optional "_beats" lists the metrics on which
the full system must beat both baselines (default: recall@5, mrr@10, evidence_hit), and its
optional "_ceilings" maps a system to {metric: ceiling} for metrics where lower is better (the
confidence's Brier score, a proper scoring rule: it rewards a better answer at the same confidence,
where AUROC over a dozen wrong answers can punish it).

Its optional "_baseline" names a file (beside FLOORS.json) holding each question's outcome at the last
accepted run: whether the answer held the evidence, and whether the abstention decision was right
(abstain on unanswerable, answer on answerable). The paired check fails when, for either outcome, the
questions that got worse outnumber those that got better with a one-sided exact sign test p < 0.05.
The floors alone sit one question under rates counted over a few dozen questions; the paired check
is what stops a change from losing one such question on every set at once. The confidence's AUROC
is compared the same way, on the answers whose outcome did not change (``paired_auroc``), rather
than floored over all answers, where fixing a low-confidence wrong answer lowers it. ``--write-baseline``
writes RESULTS' outcomes to that file (a change that alters answers commits it: its diff shows
every question that flipped).
"""

import argparse
import json
import sys
from pathlib import Path

SIGNIFICANCE = 0.05
OUTCOMES = ("evidence_hit", "abstain_correct")
AUROC_TOLERANCE = 0.01  # the paired confidence AUROC may fall this much, no more


def outcomes(results: dict) -> dict[str, dict[str, bool | None]]:
    """Each question's paired outcomes for the full system (evidence_hit is None when unanswerable)."""
    return {record["id"]: {**{name: record["systems"]["hybrid"]["hits"][name] for name in OUTCOMES},
                           "shown": not record["systems"]["hybrid"]["abstained"],
                           "confidence": round(float(record["systems"]["hybrid"]["confidence"]), 4)}
            for record in results["records"]}


def paired_auroc(current: dict, baseline: dict) -> tuple[bool, str]:
    """The confidence's AUROC on the answers both runs showed with the same outcome, before and after.

    An AUROC over all answers shown punishes fixing an answer: a wrong answer shown at low confidence
    that becomes right leaves the negatives, and the easiest negative gone lowers the AUROC although
    no confidence moved. On the questions whose outcome did not change the comparison is fair: it
    fails only when the confidence itself ranks those answers worse (by more than AUROC_TOLERANCE).
    Questions that changed are judged by the paired hit check and the Brier ceiling."""
    same = [q for q in sorted(set(current) & set(baseline))
            if current[q]["shown"] and baseline[q].get("shown") and current[q]["evidence_hit"] == baseline[q]["evidence_hit"]
            and "confidence" in baseline[q]]
    from assistant.calibration import auroc

    right = [bool(current[q]["evidence_hit"]) for q in same]
    before = auroc([baseline[q]["confidence"] for q in same], right)
    after = auroc([current[q]["confidence"] for q in same], right)
    if before is None or after is None:
        return False, f"ok   paired  confidence_auroc           not measurable on {len(same)} unchanged answers"
    ok = after >= before - AUROC_TOLERANCE
    return not ok, (f"{'ok  ' if ok else 'FAIL'} paired  confidence_auroc           {after:.4f} vs {before:.4f} before, on the "
                    f"{len(same)} answers shown with the same outcome (may fall {AUROC_TOLERANCE})")


def sign_test_worse(worse: int, better: int) -> float:
    """One-sided exact sign test (scipy's binomtest, as ``eval --compare``'s two-sided one): the chance
    of at least ``worse`` losses among ``worse + better`` changed questions if a change were as likely
    to help as to hurt."""
    from scipy.stats import binomtest

    n = worse + better
    return float(binomtest(worse, n, 0.5, alternative="greater").pvalue) if n else 1.0


def paired(current: dict, baseline: dict) -> tuple[bool, list[str]]:
    """(failed, report lines) for ``current`` against ``baseline`` outcomes, on the questions both hold."""
    lines, failed = [], False
    shared = sorted(set(current) & set(baseline))
    if len(shared) < len(baseline):
        lines.append(f"note  {len(baseline) - len(shared)} baseline question(s) not in this run")
    for name in OUTCOMES:
        pairs = [(q, baseline[q][name], current[q][name]) for q in shared
                 if baseline[q][name] is not None and current[q][name] is not None]
        worse = [q for q, before, now in pairs if before and not now]
        better = [q for q, before, now in pairs if now and not before]
        p = sign_test_worse(len(worse), len(better))
        ok = p >= SIGNIFICANCE
        failed |= not ok
        lines.append(f"{'ok  ' if ok else 'FAIL'} paired  {name:26s} worse {len(worse)}, better {len(better)} "
                     f"(sign test p = {p:.3f}; fails under {SIGNIFICANCE})"
                     + (f"  worse: {' '.join(worse)}" if worse else "") + (f"  better: {' '.join(better)}" if better else ""))
    return failed, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path)
    parser.add_argument("floors", type=Path, nargs="?", default=Path(__file__).with_name("eval_floors.json"))
    parser.add_argument("--write-baseline", action="store_true", help="write RESULTS' outcomes to the floors' _baseline file")
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text(encoding="utf-8"))
    floors = json.loads(args.floors.read_text(encoding="utf-8"))
    beats = floors.pop("_beats", ["recall@5", "mrr@10", "evidence_hit"])
    ceilings = floors.pop("_ceilings", {})
    baseline_name = floors.pop("_baseline", None)
    baseline_path = args.floors.parent / baseline_name if baseline_name else None
    if args.write_baseline:
        if baseline_path is None:
            print(f"error: {args.floors} names no _baseline file", file=sys.stderr)
            return 2
        baseline_path.parent.mkdir(parents=True, exist_ok=True)
        rows = ",\n".join(f" {json.dumps(q)}: {json.dumps(o, sort_keys=True)}" for q, o in sorted(outcomes(results).items()))
        gold_name = json.dumps(Path(results["meta"]["gold"]).name)
        baseline_path.write_text(f'{{"gold": {gold_name}, "questions": {{\n{rows}\n}}}}\n', encoding="utf-8")  # a line per question
        print(f"wrote {baseline_path}")
        return 0
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
    if baseline_path is not None:
        if not baseline_path.is_file():
            print(f"FAIL paired  baseline {baseline_path} is missing")
            return 1
        current, baseline = outcomes(results), json.loads(baseline_path.read_text(encoding="utf-8"))["questions"]
        worse, lines = paired(current, baseline)
        worse_auroc, line = paired_auroc(current, baseline)
        failed |= worse or worse_auroc
        print("\n".join([*lines, line]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

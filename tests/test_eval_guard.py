"""The CI evaluation guard: floors, ceilings (lower is better) and beating the baselines."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

GUARD = Path(__file__).resolve().parent.parent / ".ci" / "eval_guard.py"


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def guard_main():
    """The guard's ``main``, loaded once: a process per run would spend most of its time importing SciPy."""
    spec = importlib.util.spec_from_file_location("eval_guard", GUARD)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def run_guard(main, *argv) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return Run(code, out.getvalue(), err.getvalue())


def results(hit: float, brier: float, baseline_hit: float = 0.5) -> dict:
    def system(h: float, b: float | None) -> dict:
        return {"overall": {"evidence_hit": h, "recall@5": h, "mrr@10": h, "confidence_brier": b}}

    return {"systems": {"hybrid": system(hit, brier), "bm25": system(baseline_hit, None), "dense": system(baseline_hit, None)}}


@pytest.mark.parametrize("hit, brier, baseline, code, line", [
    (0.9, 0.10, 0.5, 0, "ok   hybrid  confidence_brier"),
    (0.7, 0.10, 0.5, 1, "FAIL hybrid  evidence_hit"),          # under its floor
    (0.9, 0.13, 0.5, 1, "FAIL hybrid  confidence_brier"),      # over its ceiling
    (0.9, None, 0.5, 1, "FAIL hybrid  confidence_brier"),      # not measured is not passed
    (0.9, 0.10, 0.95, 1, "FAIL hybrid beats bm25"),            # a baseline does better
])
def test_guard_fails_on_any_bound(tmp_path, guard_main, hit, brier, baseline, code, line):
    (tmp_path / "r.json").write_text(json.dumps(results(hit, brier, baseline)), encoding="utf-8")
    (tmp_path / "f.json").write_text(json.dumps({"hybrid": {"evidence_hit": 0.8},
                                                 "_ceilings": {"hybrid": {"confidence_brier": 0.12}}}), encoding="utf-8")
    run = run_guard(guard_main, tmp_path / "r.json", tmp_path / "f.json")
    assert run.returncode == code, run.stdout + run.stderr
    assert any(out.startswith(line) for out in run.stdout.splitlines()), run.stdout


def test_the_script_exits_with_the_guards_status(tmp_path):
    (tmp_path / "r.json").write_text(json.dumps(results(0.7, 0.10)), encoding="utf-8")
    (tmp_path / "f.json").write_text(json.dumps({"hybrid": {"evidence_hit": 0.8}}), encoding="utf-8")
    run = subprocess.run([sys.executable, str(GUARD), str(tmp_path / "r.json"), str(tmp_path / "f.json")],
                         capture_output=True, text=True)
    assert run.returncode == 1 and "FAIL hybrid  evidence_hit" in run.stdout, run.stdout + run.stderr


def test_every_ci_floor_file_bounds_the_confidence_brier_score():
    for path in sorted(GUARD.parent.glob("eval_floors*.json")):
        ceilings = json.loads(path.read_text(encoding="utf-8"))["_ceilings"]["hybrid"]
        assert 0 < ceilings["confidence_brier"] < 0.25, path  # 0.25: a constant 0.5 confidence


def run_records(hits: dict[str, bool | None], abstained: set[str] = frozenset(),
                confidence: dict[str, float] | None = None) -> dict:
    """Results whose records answer ``hits`` (None: an unanswerable question), abstaining on ``abstained``;
    confidence 0.8 for a hit, 0.3 otherwise, unless ``confidence`` says."""
    confidence = confidence or {}
    records = [{"id": q, "type": "unanswerable" if hit is None else "factoid",
                "systems": {"hybrid": {"hits": {"evidence_hit": None if hit is None else bool(hit and q not in abstained),
                                                "abstain_correct": (q in abstained) == (hit is None)},
                                       "abstained": q in abstained, "confidence": confidence.get(q, 0.8 if hit else 0.3)}}}
               for q, hit in hits.items()]
    return {"meta": {"gold": "/x/g.jsonl"}, "records": records, **results(0.9, 0.1)}


def guard(tmp_path, main, current: dict, baseline: dict | None, *extra: str) -> Run:
    floors = {"hybrid": {"evidence_hit": 0.1}, "_baseline": "baseline/g.json"}
    (tmp_path / "f.json").write_text(json.dumps(floors), encoding="utf-8")
    if baseline is not None:
        (tmp_path / "base.json").write_text(json.dumps(baseline), encoding="utf-8")
        assert run_guard(main, tmp_path / "base.json", tmp_path / "f.json", "--write-baseline").returncode == 0
    (tmp_path / "r.json").write_text(json.dumps(current), encoding="utf-8")
    return run_guard(main, tmp_path / "r.json", tmp_path / "f.json", *extra)


ANSWERABLE = {f"q{i}": True for i in range(10)}


@pytest.mark.parametrize("lost, won, code", [
    (1, 0, 0),   # one question at a threshold edge: p = 0.5
    (4, 0, 0),   # p = 0.0625
    (5, 0, 1),   # p = 0.031: a pattern of losses
    (6, 2, 0),   # p = 0.145: a change that trades
])
def test_paired_check_fails_only_on_a_pattern_of_losses(tmp_path, guard_main, lost, won, code):
    before = dict(ANSWERABLE, **{f"w{i}": False for i in range(won)})
    after = dict(before, **{f"q{i}": False for i in range(lost)}, **{f"w{i}": True for i in range(won)})
    run = guard(tmp_path, guard_main, run_records(after), run_records(before))
    assert run.returncode == code, run.stdout
    line = next(out for out in run.stdout.splitlines() if "paired  evidence_hit" in out)
    assert f"worse {lost}, better {won}" in line and line.startswith("FAIL" if code else "ok")


def test_paired_check_counts_abstention_decisions_both_ways(tmp_path, guard_main):
    before = dict(ANSWERABLE, **{f"u{i}": None for i in range(6)})
    # five unanswerable questions now answered (none got right) fails; the hits are unchanged
    run = guard(tmp_path, guard_main, run_records(before), run_records(before, abstained={f"u{i}" for i in range(6)}))
    assert run.returncode == 1
    assert any(out.startswith("FAIL paired  abstain_correct") and "worse 6, better 0" in out for out in run.stdout.splitlines())
    assert any(out.startswith("ok   paired  evidence_hit") for out in run.stdout.splitlines())


def test_a_missing_baseline_fails_and_the_written_one_is_the_runs_outcomes(tmp_path, guard_main):
    assert guard(tmp_path, guard_main, run_records(ANSWERABLE), None).returncode == 1
    guard(tmp_path, guard_main, run_records(ANSWERABLE), run_records(ANSWERABLE))
    written = json.loads((tmp_path / "baseline" / "g.json").read_text(encoding="utf-8"))
    assert written["gold"] == "g.jsonl"
    assert written["questions"]["q0"] == {"evidence_hit": True, "abstain_correct": True, "shown": True, "confidence": 0.8}


MIXED = {**{f"q{i}": True for i in range(6)}, **{f"m{i}": False for i in range(4)}}
SPREAD = {**{f"q{i}": 0.5 + 0.08 * i for i in range(6)}, "m0": 0.1, "m1": 0.55, "m2": 0.65, "m3": 0.75}


def test_fixing_a_low_confidence_wrong_answer_does_not_fail_the_confidence_check(tmp_path, guard_main):
    # m0, the easiest wrong answer to tell (confidence 0.1), becomes right at the same confidence: the AUROC over
    # all answers shown falls (its easiest negative is gone), though no confidence moved
    from assistant.calibration import auroc
    after = dict(MIXED, m0=True)
    full_before = auroc([SPREAD[q] for q in MIXED], [MIXED[q] for q in MIXED])
    full_after = auroc([SPREAD[q] for q in after], [after[q] for q in after])
    assert full_after < full_before
    run = guard(tmp_path, guard_main, run_records(after, confidence=SPREAD), run_records(MIXED, confidence=SPREAD))
    assert run.returncode == 0, run.stdout
    assert any(out.startswith("ok   paired  confidence_auroc") for out in run.stdout.splitlines())


def test_a_confidence_that_ranks_the_same_answers_worse_fails(tmp_path, guard_main):
    worse = {q: 1.0 - c for q, c in SPREAD.items()}  # same answers, same outcomes, confidence turned around
    run = guard(tmp_path, guard_main, run_records(MIXED, confidence=worse), run_records(MIXED, confidence=SPREAD))
    assert run.returncode == 1
    assert any(out.startswith("FAIL paired  confidence_auroc") for out in run.stdout.splitlines())


def test_every_ci_floor_file_has_its_committed_baseline():
    for path in sorted(GUARD.parent.glob("eval_floors*.json")):
        name = json.loads(path.read_text(encoding="utf-8"))["_baseline"]
        baseline = json.loads((GUARD.parent / name).read_text(encoding="utf-8"))
        gold = GUARD.parent.parent / "source" / baseline["gold"]
        ids = [json.loads(line)["id"] for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
        assert sorted(baseline["questions"]) == sorted(ids), path  # one outcome per question of its gold file

"""The CI evaluation guard: floors, ceilings (lower is better) and beating the baselines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

GUARD = Path(__file__).resolve().parent.parent / ".ci" / "eval_guard.py"


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
def test_guard_fails_on_any_bound(tmp_path, hit, brier, baseline, code, line):
    (tmp_path / "r.json").write_text(json.dumps(results(hit, brier, baseline)), encoding="utf-8")
    (tmp_path / "f.json").write_text(json.dumps({"hybrid": {"evidence_hit": 0.8},
                                                 "_ceilings": {"hybrid": {"confidence_brier": 0.12}}}), encoding="utf-8")
    run = subprocess.run([sys.executable, str(GUARD), str(tmp_path / "r.json"), str(tmp_path / "f.json")],
                         capture_output=True, text=True)
    assert run.returncode == code, run.stdout + run.stderr
    assert any(out.startswith(line) for out in run.stdout.splitlines()), run.stdout


def test_every_ci_floor_file_bounds_the_confidence_brier_score():
    for path in sorted(GUARD.parent.glob("eval_floors*.json")):
        ceilings = json.loads(path.read_text(encoding="utf-8"))["_ceilings"]["hybrid"]
        assert 0 < ceilings["confidence_brier"] < 0.25, path  # 0.25: a constant 0.5 confidence

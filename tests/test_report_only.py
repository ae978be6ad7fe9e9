"""Report-only gold files (held-out, reader, blind) are never fitted or tuned on: every fit command
and tuning bench refuses them before any work, and every gold file under source/ is classed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import gold, paths
from tests.test_cli import run as run_cli

ROOT = Path(__file__).resolve().parent.parent
SOURCE = paths.default_gold().parent


def test_every_gold_file_is_classed_once():
    classes = [*gold.REPORT_ONLY, *gold.VALIDATION, *gold.FITTED_ON]
    assert len(classes) == len(set(classes))
    assert sorted(p.name for p in SOURCE.glob("gold*.jsonl")) == sorted(classes)


@pytest.mark.parametrize("name", gold.REPORT_ONLY)
@pytest.mark.parametrize("option", ["--gold", "--with-gold"])
def test_the_ranker_fit_refuses_a_report_only_file(name, option, tmp_path, capsys):
    from assistant import fit_ranker

    out = tmp_path / "ranker.json"
    assert fit_ranker.main(["--out", str(out), option, str(SOURCE / name)]) == 2
    assert "never fitted on" in capsys.readouterr().err and not out.exists()


@pytest.mark.parametrize("name", gold.REPORT_ONLY)
def test_the_confidence_fit_refuses_a_report_only_file(name, tmp_path, capsys):
    from assistant import fit_confidence

    out = tmp_path / "confidence.json"
    assert fit_confidence.main(["--out", str(out), "--gold", str(SOURCE / name), "--cache", str(tmp_path)]) == 1
    assert "never fitted on" in capsys.readouterr().err and not out.exists()


@pytest.mark.parametrize("name", gold.REPORT_ONLY)
@pytest.mark.parametrize("option", ["--gold", "--with-gold", "--fit-only"])
def test_the_abstention_fit_refuses_a_report_only_file(name, option, tmp_path):
    out = tmp_path / "fit.json"
    result = run_cli("eval", "--fit-abstention", "--out", str(out), option, str(SOURCE / name))
    assert result.exit_code != 0 and "never fitted on" in result.output and not out.exists()


@pytest.mark.parametrize("bench", ["bench/cv_seeds.py", "bench/bench_recall.py"])
def test_the_tuning_benches_refuse_a_report_only_file(bench):
    run = subprocess.run([sys.executable, str(ROOT / bench), "--gold", str(SOURCE / gold.REPORT_ONLY[-1])],
                         capture_output=True, text=True, cwd=ROOT, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode != 0 and "held out" in run.stderr

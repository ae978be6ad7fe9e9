"""Progress of long jobs: stage names, time left, and the CLI's lines when stderr is not a terminal."""

from __future__ import annotations

import io
import time
from functools import partial

from click.testing import CliRunner
from rich.console import Console

from assistant.cli import _progress, cli
from assistant.progress import StageClock, Step, describe, duration


def test_time_left_is_the_stage_rate_so_far():
    now = [0.0]
    clock = StageClock(lambda: now[0])
    assert clock.step() is None
    assert clock.report("embedding", 100, 1000).seconds_left is None  # one report: no rate yet
    now[0] = 2.0
    assert clock.report("embedding", 300, 1000).seconds_left == 7.0  # 200 in 2 s, 700 to go
    now[0] = 5.0  # nothing reported for 3 s: the rate so far is lower, the estimate grows
    assert clock.step().seconds_left == 17.5 and clock.step().elapsed == 5.0
    assert clock.report("embedding", 1000, 1000).seconds_left == 0.0
    step = clock.report("writing", 0, 1)  # a new stage starts its own clock
    assert step.seconds_left is None and step.elapsed == 0.0


def test_descriptions():
    assert describe(Step("embedding", 1200, 4800, 40.2)) == "embedding passages: 1,200 of 4,800 (25%), about 40 s left"
    assert describe(Step("loading model", 0, 1, None, 21.6)) == "loading the embedding model (22 s so far)"
    assert describe(Step("asking (hybrid)", 3, 161)) == "asking (hybrid): 3 of 161 (1%)"
    assert describe(Step("done", 1, 1, None, 30)) == "done"
    assert [duration(s) for s in (0.4, 59.4, 60, 130)] == ["under a second", "about 59 s", "about 1 min", "about 2 min 10 s"]


def test_without_a_terminal_a_line_per_stage_and_every_few_seconds():
    out = io.StringIO()
    with _progress(every=0.1, quiet=0, console=Console(file=out, force_terminal=False, width=200)) as progress:
        progress("reading", 0, 1)
        progress("loading model", 0, 1)
        time.sleep(0.45)  # a silent phase still prints lines
        progress("embedding", 10, 40)
        progress("embedding", 20, 40)  # same stage, within the interval: no new line
    lines = out.getvalue().splitlines()
    assert lines[0] == "reading the document"
    assert lines[1] == "loading the embedding model"
    silent = [line for line in lines if line.startswith("loading the embedding model")]
    assert len(silent) >= 3 and lines[-1].startswith("embedding passages: 10 of 40")


SMALL = "A Small Paper\n\nIntroduction\n\nIran seeks influence in the region. Russia keeps a base at Tartus.\n"


def test_a_quick_job_prints_nothing():
    out = io.StringIO()
    with _progress(every=0.1, console=Console(file=out, force_terminal=False)) as progress:
        progress("reading", 0, 1)
    assert out.getvalue() == ""


def test_index_from_a_pipe_prints_each_phase(tmp_path, monkeypatch, fake_encoder):
    from assistant import index

    source = tmp_path / "small.txt"
    source.write_text(SMALL, encoding="utf-8")
    monkeypatch.setattr(index, "build_index", partial(index.build_index, encoder=fake_encoder))
    monkeypatch.setattr(_progress, "quiet", 0.0)  # this build is quicker than the silent first second
    result = CliRunner().invoke(cli, ["index", str(source), "--index-dir", str(tmp_path / "idx")])
    assert result.exit_code == 0, result.output
    for phase in ("reading the document", "splitting sentences", "loading the embedding model",
                  "embedding passages: ", "writing the index"):
        assert phase in result.stderr, phase
    assert "indexed small.txt" in result.stderr

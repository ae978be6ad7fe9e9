"""Shared helpers for the benchmarks: timing a command with its peak RSS, summaries, target lines,
and the JSON record each bench appends to ``bench/results/NAME.jsonl`` (its figures with the
commit, the machine and the ``python -c "import numpy"`` yardstick), so figures are quoted from
records, not copied by hand.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

GNU_TIME = "/usr/bin/time"

# A fresh interpreter that runs the command and reports its own children's peak RSS: used
# where GNU time is not installed. RUSAGE_CHILDREN covers only the command, as this
# interpreter has no other child.
_WRAPPER = (
    "import json, resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
    "wall = time.perf_counter() - t\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "rss, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime\n"
    "sys.stderr.write(done.stderr.decode('utf-8', 'replace'))\n"
    "sys.stdout.write(done.stdout.decode('utf-8', 'replace'))\n"
    "sys.stderr.write('\\n@@bench ' + json.dumps({'wall': wall, 'cpu': cpu, 'rss_kb': rss, 'rc': done.returncode}) + '\\n')\n"
)


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu_seconds: float  # user + system: less sensitive than wall time to other load on the machine
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def measure(command: list[str], env: dict | None = None) -> Run:
    """Run ``command`` once; its wall time and peak resident memory (GNU time, or a wrapper)."""
    env = {**os.environ, **(env or {})}
    if Path(GNU_TIME).exists():
        with tempfile.NamedTemporaryFile("r", suffix=".rss") as report:
            start = time.perf_counter()
            done = subprocess.run([GNU_TIME, "-f", "%U %S %M", "-o", report.name, *command],
                                  capture_output=True, text=True, env=env)
            seconds = time.perf_counter() - start
            user, system, rss_kb = report.read().strip().splitlines()[-1].split()
        return Run(seconds, float(user) + float(system), int(rss_kb) / 1024, done.returncode, done.stdout, done.stderr)
    done = subprocess.run([sys.executable, "-c", _WRAPPER, *command], capture_output=True, text=True, env=env)
    head, _, tail = done.stderr.rpartition("\n@@bench ")
    stats = json.loads(tail)
    return Run(stats["wall"], stats["cpu"], stats["rss_kb"] / 1024, stats["rc"], done.stdout, head)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: list[float]) -> float:
    return statistics.median(values)


def verdict(name: str, value: float, target: float, unit: str) -> str:
    """One line: the figure, the target, their ratio, and whether the target is met."""
    ratio = value / target
    mark = "OK" if value <= target else "OVER"
    return f"{name:<34} {value:10.3f} {unit:<3} target <= {target:g} {unit:<3} ratio {ratio:5.2f}  {mark}"


def assistant_command() -> list[str]:
    """The installed console script next to this interpreter, or ``python -m assistant``."""
    script = Path(sys.executable).with_name("assistant")
    return [str(script)] if script.exists() else [sys.executable, "-m", "assistant"]


def numpy_import_seconds(runs: int = 5) -> float:
    """Median time of ``python -c 'import numpy'``: a yardstick to compare machines."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import numpy"], check=True)
        times.append(time.perf_counter() - start)
    return median(times)


def machine_line() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"machine: {platform.machine()} {os.cpu_count()} cpus, python {platform.python_version()}, "
            f"load average {load:.2f}")


def results_dir() -> Path:
    return Path(__file__).resolve().parent / "results"


def commit() -> str:
    """The checked-out commit, with ``+dirty`` when tracked files differ from it ("unknown" outside git)."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def record(bench: str, figures: dict, yardstick_s: float | None = None, path: Path | None = None) -> Path:
    """Append one JSON line for this run to ``path`` (default ``bench/results/BENCH.jsonl``); return the path.

    ``yardstick_s`` is the median ``python -c "import numpy"`` time measured by the bench (measured
    now when not given): figures from two machines, or two days, compare as ratios to it.
    """
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    line = {
        "bench": bench,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "commit": commit(),
        "machine": {"arch": platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_1min": None if load is None else round(load, 2)},
        "yardstick_import_numpy_s": round(numpy_import_seconds() if yardstick_s is None else yardstick_s, 4),
        "figures": figures,
    }
    path = path or results_dir() / f"{bench}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(line, sort_keys=True) + "\n")
    print(f"record appended to {path}")
    return path


def fresh_dir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def same_answer(a, b) -> bool:
    """Two ``Answer`` records say the same thing (text, decision, confidence, citations, passages)."""
    return (a.answer, a.abstained, a.confidence, a.citations, a.passages, a.sentence_ids) == (
        b.answer, b.abstained, b.confidence, b.citations, b.passages, b.sentence_ids)


def alternate_ways(assistant, ways: dict, questions, rounds: int) -> tuple[dict[str, list[float]], int]:
    """Warm answers to ``questions`` (``rounds`` passes), question by question under each of ``ways``
    (name -> a context manager factory taking no argument) in turn, so load on the shared machine falls
    on every way alike. Returns each way's answer times in ms and how many questions' answers differed
    between the first way and any other."""
    for way in ways.values():
        with way():
            assistant.ask("warm up the caches")
    times: dict[str, list[float]] = {name: [] for name in ways}
    differ = 0
    for _ in range(rounds):
        for question in questions:
            got = {}
            for name, way in ways.items():
                with way():
                    t = time.perf_counter()
                    got[name] = assistant.ask(question)
                    times[name].append((time.perf_counter() - t) * 1000)
            first, *others = got.values()
            differ += any(not same_answer(first, other) for other in others)
    return times, differ


def warm_answer_parser(description: str, large_help: str = "also the index of a ~1 MB document",
                       large_required: bool = False):
    """The options the warm-answer A/B benches share: ``--large`` (an index of a ~1 MB document),
    ``--paper`` (the paper's index) and ``--rounds``."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--large", type=Path, default=None, required=large_required, help=large_help)
    parser.add_argument("--paper", type=Path, default=None, help="the paper's index (default: the default index)")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the question set (default 2)")
    return parser


def way_figures(times: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    """Each way's median and p95 warm answer in ms (of ``alternate_ways``' times), printed as well."""
    figures = {}
    for way, ms in times.items():
        figures[way] = {"median_ms": round(median(ms), 2), "p95_ms": round(percentile(ms, 0.95), 2)}
        print(f"  warm answer, {way:9s}  median {median(ms):7.2f} ms   p95 {percentile(ms, 0.95):7.2f} ms")
    return figures


def refuse_unsafe_save(path: Path | None, saved) -> None:
    """Before a run: stop in one line when ``--save`` names a file this script did not write (a user's
    file, a link), so nothing is run for a result that could not be kept (``assistant.results.Output``)."""
    from assistant.errors import InputError
    from assistant.results import check_output_path

    if path is None:
        return
    try:
        check_output_path(path, saved, "--save")
    except InputError as exc:
        raise SystemExit(f"error: {exc}") from None

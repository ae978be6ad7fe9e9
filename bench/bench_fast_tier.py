"""How long the fast test tier takes: the README's test command, ``python -m pytest -q``, timed.

    python bench/bench_fast_tier.py                           # three runs: wall, CPU, load, median
    python bench/bench_fast_tier.py --runs 3 --baseline /tmp/main   # A/B: alternate with the checkout there

Each run is a fresh ``python -m pytest -q -p no:cacheprovider`` in this interpreter, from the
checkout's root (so it imports that checkout's ``assistant`` and tests). CPU is user + system time of
pytest and its worker processes. The machine is often shared: compare A/B runs taken alternately, and
read the load average printed beside each run.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from common import machine_line, measure, median, record

ROOT = Path(__file__).resolve().parent.parent


def run_once(checkout: Path):
    """One fast-tier run in ``checkout``: (wall s, CPU s, load before, pytest's summary line)."""
    load = os.getloadavg()[0]
    cwd = Path.cwd()
    os.chdir(checkout)  # `python -m` puts the working directory first on sys.path: that checkout's code
    try:
        run = measure([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"])
    finally:
        os.chdir(cwd)
    summary = (run.stdout.strip().splitlines() or [""])[-1]
    if run.returncode != 0:
        raise SystemExit(f"error: the fast tier failed in {checkout}: {summary}")
    return run.seconds, run.cpu_seconds, load, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another checkout, run alternately with this one")
    args = parser.parse_args()
    print(machine_line())
    sides = {"this": ROOT, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
    walls: dict[str, list[float]] = {side: [] for side in sides}
    for n in range(args.runs):
        for side, checkout in sides.items():
            wall, cpu, load, summary = run_once(checkout)
            walls[side].append(wall)
            print(f"run {n + 1} {side:8s} {wall:6.1f} s wall {cpu:6.1f} s CPU  load {load:.2f}  ({summary})")
    for side, values in walls.items():
        print(f"{side:8s} median {median(values):.1f} s wall over {len(values)} runs")
    record("fast_tier", {side: {"wall_s": [round(v, 1) for v in values], "median_wall_s": round(median(values), 1)}
                         for side, values in walls.items()})


if __name__ == "__main__":
    main()

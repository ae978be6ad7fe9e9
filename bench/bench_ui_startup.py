"""Chat UI start-up: time from a fresh process to the app's "ready" state (index already built).

Each run is a new Python process that imports the app, runs it headless at 120x40 and
stops as soon as ``PaperApp.state == "ready"`` (the paper is open, the query encoder loaded,
the start screen shown). Reported: the median over the runs of the time measured by this
process from spawning the child to the child's READY line (interpreter start included), and
the child's own in-process figure; then the ratio to the 2 s target.

    python bench/bench_ui_startup.py            # 5 runs on the embedded paper
    python bench/bench_ui_startup.py --runs 3 --index-dir my-index
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

TARGET_S = 2.0


async def _child(index_dir: Path | None) -> None:
    from assistant.app import make_app

    app = make_app(index_dir=index_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        while app.state != "ready":
            if app.state in ("failed", "cancelled"):
                raise SystemExit(f"the app did not start: state {app.state}")
            await pilot.pause(0.005)
        print(f"READY {time.perf_counter() - STARTED:.4f}", flush=True)


def _run_once(index_dir: Path | None) -> tuple[float, float]:
    command = [sys.executable, __file__, "--child"] + (["--index-dir", str(index_dir)] if index_dir else [])
    spawned = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as child:
        for line in child.stdout:
            if line.startswith("READY "):
                wall = time.perf_counter() - spawned
                inner = float(line.split()[1])
                child.stdout.read()
                break
        else:
            raise SystemExit(f"the child exited without reaching ready (status {child.wait()})")
    return wall, inner


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--index-dir", type=Path, default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import asyncio

        asyncio.run(_child(args.index_dir))
        return
    if args.index_dir is None:
        from assistant.paper import ensure_default_index

        ensure_default_index(notice=lambda m: print(m, "(not timed)", file=sys.stderr))
    _run_once(args.index_dir)  # warm the OS file cache; not counted
    runs = [_run_once(args.index_dir) for _ in range(args.runs)]
    wall = statistics.median(r[0] for r in runs)
    inner = statistics.median(r[1] for r in runs)
    print(f"ui startup to ready: {wall:.3f} s median of {args.runs} fresh processes "
          f"(in-process {inner:.3f} s; runs {', '.join(f'{r[0]:.2f}' for r in runs)})")
    print(f"target {TARGET_S:.1f} s: ratio {wall / TARGET_S:.2f} ({'within' if wall <= TARGET_S else 'OVER'} target)")


if __name__ == "__main__":
    main()

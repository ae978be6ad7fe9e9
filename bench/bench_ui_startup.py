"""Chat UI start-up: time from a fresh process to the app's "ready" state (index already built).

Each run is a new Python process that imports the app, runs it headless at 120x40 and
notes when ``PaperApp.state == "ready"`` (the paper is open, the start screen shown, the
input enabled; the query encoder may still be loading in a background thread). It then asks
one question at once and notes when the answer is in, which includes any wait for the
encoder. Reported: medians over the runs of the time measured by this process from spawning
the child to its READY line (interpreter start included), the child's own in-process figure,
the ratio to the 2 s target, the time to that first answer, and the time until the start
screen's suggested questions are checked against the index (a worker after "ready") and shown.

    python bench/bench_ui_startup.py            # 5 runs on the embedded paper
    python bench/bench_ui_startup.py --runs 3 --index-dir my-index
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

TARGET_S = 2.0
QUESTION = "What are Russia's goals in Syria?"


async def _child(index_dir: Path | None) -> None:
    from assistant.app import make_app
    from assistant.widgets import Welcome

    app = make_app(index_dir=index_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        while app.state != "ready":
            if app.state in ("failed", "cancelled"):
                raise SystemExit(f"the app did not start: state {app.state}")
            await pilot.pause(0.005)
        print(f"READY {time.perf_counter() - STARTED:.4f}", flush=True)
        app.ask(QUESTION)  # at once: the query encoder may still be loading in the background
        label = app.query_one("#suggest-label")
        suggested = answered = False
        while not (suggested and answered):
            await pilot.pause(0.005)
            if not answered and app.turns and not app.busy:
                answered = True
                print(f"ANSWERED {time.perf_counter() - STARTED:.4f}", flush=True)
            if not suggested and str(label.content) != Welcome.CHECKING:  # checked in a worker after ready
                suggested = True
                print(f"SUGGESTED {time.perf_counter() - STARTED:.4f}", flush=True)


def _run_once(index_dir: Path | None) -> tuple[float, float, float, float]:
    """(spawn to ready, in-process to ready, spawn to first answer, spawn to the checked
    suggestions on screen) for one fresh process."""
    command = [sys.executable, __file__, "--child"] + (["--index-dir", str(index_dir)] if index_dir else [])
    spawned = time.perf_counter()
    seen: dict[str, float] = {}
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as child:
        for line in child.stdout:
            word, _, value = line.partition(" ")
            if word in ("READY", "ANSWERED", "SUGGESTED"):
                seen[word] = time.perf_counter() - spawned
                seen["inner"] = seen.get("inner", float(value))
    if "ANSWERED" not in seen or "SUGGESTED" not in seen:
        raise SystemExit(f"the child did not get to an answer and its suggestions (status {child.returncode})")
    return seen["READY"], seen["inner"], seen["ANSWERED"], seen["SUGGESTED"]


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
    wall, inner, answered, suggested = (statistics.median(r[i] for r in runs) for i in range(4))
    print(f"ui startup to ready: {wall:.3f} s median of {args.runs} fresh processes "
          f"(in-process {inner:.3f} s; runs {', '.join(f'{r[0]:.2f}' for r in runs)})")
    print(f"target {TARGET_S:.1f} s: ratio {wall / TARGET_S:.2f} ({'within' if wall <= TARGET_S else 'OVER'} target)")
    print(f"first answer when asked at ready: {answered:.3f} s after spawn (median)")
    print(f"suggested questions checked and shown: {suggested:.3f} s after spawn (median; "
          f"{suggested - wall:.3f} s after ready)")
    print(f"load average during the runs: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    from common import record  # here, not at the top: the child's clock starts at its first import

    record("ui_startup", {"runs": args.runs, "ready_median_s": round(wall, 3), "ready_in_process_s": round(inner, 3),
                          "answered_median_s": round(answered, 3),
                          "suggested_median_s": round(suggested, 3), "ready_runs_s": [round(r[0], 3) for r in runs]})


if __name__ == "__main__":
    main()

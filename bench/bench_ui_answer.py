"""Chat UI: CPU time per answer in the app, and how often the footer is rebuilt for it.

Runs the app headless at 120x40 on the embedded paper (index already built), asks the same
questions twice in one process: once with the app's footer (``widgets.KeysFooter``, rebuilt
only when its keys change) and once with Textual's stock behaviour (rebuilt on every bindings
signal), and prints, per run, the median process CPU per answer (from pressing Enter until the
answer is shown and the app is idle again), footer rebuilds per answer and their CPU, and the ratio.

    python bench/bench_ui_answer.py            # 3 rounds of 3 questions per variant
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

QUESTIONS = ("What are Russia's goals in Syria?", "What does Iran want in the region?", "And Russia?")


async def _run(rounds: int, stock: bool) -> tuple[list[float], list[int], list[float]]:
    from textual.widget import Widget
    from textual.widgets import Footer

    from assistant import widgets
    from assistant.app import make_app

    counted = {"n": 0, "cpu": 0.0}
    original = Widget.recompose

    async def counting(self) -> None:
        if isinstance(self, Footer):
            counted["n"] += 1
            start = time.process_time()
            await original(self)
            counted["cpu"] += time.process_time() - start
        else:
            await original(self)

    own = widgets.KeysFooter.__dict__["recompose"]  # the app's footer defines its own
    Widget.recompose = counting  # type: ignore[method-assign]
    if stock:
        widgets.KeysFooter.recompose = counting  # type: ignore[method-assign]  # no skipping: every signal rebuilds
    cpu, rebuilds, rebuild_cpu = [], [], []
    try:
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            while app.state != "ready":
                if app.state in ("failed", "cancelled"):
                    raise SystemExit(f"error: the app could not open the paper ({app.state})")
                await pilot.pause(0.1)
            await pilot.pause(0.5)
            for _ in range(rounds):
                for question in QUESTIONS:
                    counted.update(n=0, cpu=0.0)
                    turns = len(app.turns)
                    start = time.process_time()
                    app.query_one(widgets.QuestionInput).value = question
                    await pilot.press("enter")
                    while len(app.turns) == turns or app.busy:
                        await pilot.pause(0.01)
                    await app.workers.wait_for_complete()
                    await pilot.pause(0.3)
                    cpu.append(time.process_time() - start)
                    rebuilds.append(counted["n"])
                    rebuild_cpu.append(counted["cpu"])
                await pilot.press("ctrl+l")  # clear, so every round starts from one conversation length
                await pilot.pause(0.3)
    finally:
        Widget.recompose = original  # type: ignore[method-assign]
        widgets.KeysFooter.recompose = own  # type: ignore[method-assign]
    return cpu, rebuilds, rebuild_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results = {}
    for name, stock in (("stock footer", True), ("app footer", False)):
        cpu, rebuilds, rebuild_cpu = asyncio.run(_run(args.rounds, stock))
        results[name] = statistics.median(cpu)
        print(f"{name:13s} CPU per answer median {1000 * statistics.median(cpu):6.0f} ms · footer rebuilds "
              f"per answer median {statistics.median(rebuilds):.0f} (max {max(rebuilds)}) costing "
              f"{1000 * statistics.median(rebuild_cpu):.0f} ms · {len(cpu)} answers")
    print(f"ratio app/stock CPU per answer: {results['app footer'] / results['stock footer']:.2f}")


if __name__ == "__main__":
    main()

"""How fast a question is answered, one-shot from the shell and warm in a loaded process.

    python bench/bench_ask.py                 # the default paper's index (built first if missing)
    python bench/bench_ask.py --runs 7 --index-dir DIR

Prints: the one-shot ``assistant ask "..." --json`` wall time (median of N runs) and peak
RSS; the warm answer latency (index loaded once, 50+ varied questions: median and p95);
and, as a yardstick for comparing machines, the time of ``python -c "import numpy"``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from common import assistant_command, machine_line, measure, median, numpy_import_seconds, percentile, record, verdict

TARGET_ONE_SHOT_S = 1.0
TARGET_RSS_MB = 400.0
TARGET_WARM_MS = 25.0

# Written for the benchmark (not from the gold sets): short and long, on-topic and off-topic.
QUESTIONS = [
    "What kind of theory is defensive realism?",
    "What is the Al-Quds Force providing in Syria?",
    "What makes Russia a valuable partner in regional conflicts?",
    "Which three goals did Lavrov name for the cooperation format?",
    "In what ways is Iran newly important for Middle Eastern politics?",
    "What kind of Syrian state does Moscow support according to the Concept?",
    "What happened on 30 September 2015?",
    "What did relations with the Soviet Union do for Arab countries?",
    "Which Iranian foreign policy concept is called Umm Al-Qur?",
    "For offensive realists, what does the security dilemma lead to?",
    "Why does Russia want Syrian refugees to return?",
    "What is Russia's position on sanctions against Syria?",
    "How does Iran see the United States?",
    "What do Iran and Russia both refuse to tolerate?",
    "Who are Russia's partners in the Gulf?",
    "What is the Astana format?",
    "What does Sochi symbolise for the Syrian dialogue?",
    "How many Muslims live in Russia?",
    "Where does Hezbollah get its supplies?",
    "What is the Shiite crescent?",
    "What role does Turkey play in the Syrian talks?",
    "Is the Iran-Russia alliance strategic?",
    "What is bandwagoning?",
    "What did Kenneth Waltz argue?",
    "Why is Libya mentioned?",
    "What is the role of the IRGC?",
    "How did the Arab Spring change Iran's role?",
    "What is the Concept on the foreign policy of Russia?",
    "What are Iran's foreign policy concepts?",
    "What worries Iran about the Syrian Kurds?",
    "Which countries buy Russian weapons?",
    "Why did Russia intervene militarily in Syria?",
    "What is Iran's red line on Assad?",
    "How does Saudi Arabia relate to Russia?",
    "What does Israel want from Russia?",
    "What are the benefits of bilateral cooperation for Russia?",
    "What are the benefits of bilateral cooperation for Iran?",
    "Who wrote this paper?",
    "What is the security dilemma?",
    "Which air base did Russian bombers use?",
    "What is a situational union?",
    "How does the paper conclude?",
    "What economic factors interest Russia in the Middle East?",
    "What did the State Department report claim?",
    "Which researchers doubt the Shiite arc?",
    "What is the role of the Caspian Sea?",
    "What are smart sanctions?",
    "realism",
    "Syria",
    "What is the boiling point of water?",
    "Who painted the Mona Lisa?",
    "How tall is Mount Everest?",
    "Which football club won the Champions League in 2015?",
    "Could you explain in detail how the relationship between Iran and Russia developed in the Middle East "
    "between 2012 and 2019, and which factors pushed the two countries towards cooperation or apart?",
]


def prepare_index(index_dir: Path | None) -> Path:
    """The index to measure: the given one, or the default paper's, built now if needed."""
    if index_dir is not None:
        return index_dir
    from assistant.paper import ensure_default_index

    started = time.perf_counter()
    built = []
    path = ensure_default_index(notice=built.append)
    if built:
        print(f"(built the default index first: {time.perf_counter() - started:.1f} s; not counted)")
    return path


def one_shot(index_dir: Path, runs: int) -> tuple[list[float], list[float], list[float]]:
    base = [*assistant_command(), "ask", "--json", "--index-dir", str(index_dir)]
    measure([*base, "warm the file cache"])  # not counted
    seconds, cpu, rss = [], [], []
    for i in range(runs):
        run = measure([*base, QUESTIONS[i % len(QUESTIONS)]])
        if run.returncode != 0:
            sys.exit(f"assistant ask failed: {run.stderr.strip()}")
        json.loads(run.stdout)
        seconds.append(run.seconds)
        cpu.append(run.cpu_seconds)
        rss.append(run.peak_rss_mb)
    return seconds, cpu, rss


def warm(index_dir: Path, rounds: int) -> tuple[list[float], float]:
    from assistant.engine import Assistant
    from assistant.index import load_index

    started = time.perf_counter()
    assistant = Assistant.open(load_index(index_dir))
    load_seconds = time.perf_counter() - started
    assistant.ask("warm up the caches")
    latencies = []
    for _ in range(rounds):
        for question in QUESTIONS:
            t = time.perf_counter()
            assistant.ask(question)
            latencies.append((time.perf_counter() - t) * 1000)
    return latencies, load_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="one-shot runs (default 7)")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the warm question set (default 3)")
    parser.add_argument("--index-dir", type=Path, default=None)
    args = parser.parse_args()

    print(machine_line())
    index_dir = prepare_index(args.index_dir)
    print(f"index: {index_dir}")
    reference = numpy_import_seconds()
    seconds, cpu, rss = one_shot(index_dir, args.runs)
    latencies, load_seconds = warm(index_dir, args.rounds)

    print(f"\none-shot `assistant ask --json`, {args.runs} runs: "
          f"min {min(seconds):.3f} s, max {max(seconds):.3f} s, median CPU (user+sys) {median(cpu):.3f} s; "
          f"peak RSS {min(rss):.0f}-{max(rss):.0f} MB")
    print(f"warm: index + encoder loaded in {load_seconds:.3f} s; {len(latencies)} answers "
          f"({len(QUESTIONS)} questions x {args.rounds}), min {min(latencies):.1f} ms, max {max(latencies):.1f} ms")
    print(f'reference: python -c "import numpy" median {reference:.3f} s '
          f"(one-shot median is {median(seconds) / reference:.1f}x that)\n")
    print(verdict("one-shot ask, median wall", median(seconds), TARGET_ONE_SHOT_S, "s"))
    print(verdict("one-shot ask, peak RSS (max)", max(rss), TARGET_RSS_MB, "MB"))
    print(verdict("warm answer latency, median", median(latencies), TARGET_WARM_MS, "ms"))
    print(verdict("warm answer latency, p95", percentile(latencies, 0.95), TARGET_WARM_MS, "ms"))
    record("ask", {
        "one_shot_runs": args.runs, "one_shot_median_s": round(median(seconds), 3),
        "one_shot_median_cpu_s": round(median(cpu), 3), "one_shot_peak_rss_mb_max": round(max(rss)),
        "warm_answers": len(latencies), "warm_median_ms": round(median(latencies), 2),
        "warm_p95_ms": round(percentile(latencies, 0.95), 2), "warm_load_s": round(load_seconds, 3),
    }, reference)


if __name__ == "__main__":
    main()

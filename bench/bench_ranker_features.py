"""Warm answers with the ranker's passage features computed only when the ranker reads them, A/B
against computing them for every question (as the code did when they arrived).

    python bench/bench_ranker_features.py [--large DIR] [--rounds 2]
    python bench/bench_large_doc.py --mb 1 --keep DIR   # makes DIR once (minutes on 2 cores)

bench_ask's questions are answered warm, question by question alternately both ways, so load on the
shared machine falls on both alike. Prints medians and p95 in ms, the shipped/reference ratio and
whether both ways gave the same answers (the shipped ranker.json reads none of those columns).
"""

from __future__ import annotations

import argparse
from contextlib import contextmanager
from functools import partial, partialmethod
from pathlib import Path

from bench_ask import QUESTIONS, prepare_index
from common import alternate_ways, machine_line, median, percentile, record


@contextmanager
def every_feature(on: bool):
    """Answer with every ranker column computed (the reference) or as shipped."""
    from assistant.engine import Assistant

    shipped = Assistant._candidates
    if on:
        Assistant._candidates = partialmethod(shipped, every_feature=True)  # type: ignore[method-assign]
    try:
        yield
    finally:
        Assistant._candidates = shipped  # type: ignore[method-assign]


def measure(name: str, index_dir: Path, encoder, rounds: int) -> dict:
    from assistant.engine import Assistant
    from assistant.index import load_index

    index = load_index(index_dir)
    assistant = Assistant(index, encoder)
    answers, differ = alternate_ways(assistant, {"shipped": partial(every_feature, False),
                                                 "reference": partial(every_feature, True)}, QUESTIONS, rounds)
    print(f"{name}: {len(index.document.sentences):,} sentences")
    figures: dict = {"sentences": len(index.document.sentences), "answers_differing": differ,
                     "questions": len(answers["shipped"])}
    for way, ms in answers.items():
        figures[way] = {"median_ms": round(median(ms), 2), "p95_ms": round(percentile(ms, 0.95), 2)}
        print(f"  warm answer, {way:9s}  median {median(ms):7.2f} ms   p95 {percentile(ms, 0.95):7.2f} ms")
    figures["shipped_over_reference_median"] = round(figures["shipped"]["median_ms"] / figures["reference"]["median_ms"], 3)
    print(f"  shipped / reference (median): {figures['shipped_over_reference_median']:.2f}; "
          f"answers differing: {differ} of {figures['questions']}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=Path, default=None, help="also the index of a ~1 MB document")
    parser.add_argument("--paper", type=Path, default=None, help="the paper's index (default: the default index)")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the question set (default 2)")
    args = parser.parse_args()

    from assistant.encoder import OnnxEncoder

    print(machine_line())
    encoder = OnnxEncoder()
    figures = {"paper": measure("paper", prepare_index(args.paper), encoder, args.rounds)}
    if args.large is not None:
        figures["large"] = measure(str(args.large), args.large, encoder, args.rounds)
    record("ranker_features", figures)


if __name__ == "__main__":
    main()

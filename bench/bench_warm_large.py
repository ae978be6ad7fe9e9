"""Warm answers (model loaded, index open) on the paper and on a ~1 MB document, A/B against a reference.

    python bench/bench_warm_large.py --large DIR [--rounds 2]
    python bench/bench_large_doc.py --mb 1 --keep DIR   # makes DIR once (minutes on 2 cores)

bench_ask's questions are answered warm on each index, question by question alternately with the
shipped dense scoring (retrieval.dense_scores: FAISS's inner-product kernel over the stored rows)
and with the reference it replaced (``IndexFlat.search`` for all n vectors, scattered back into
stored order), so load on the shared machine falls on both alike. Each index also has the dense
scoring of one question timed alone for each unit, both ways. Prints medians and p95 in ms, the
shipped/reference ratio, the 1 MB/paper ratio, and whether both ways gave the same answers.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import numpy as np
from bench_ask import QUESTIONS, prepare_index
from common import alternate_ways, machine_line, median, record, warm_answer_parser, way_figures


def search_scores(faiss_index, vector: np.ndarray) -> np.ndarray:
    """The reference: a FAISS search for every stored vector, scattered back into stored order."""
    n = faiss_index.ntotal
    scores, ids = faiss_index.search(vector.reshape(1, -1).astype(np.float32), n)
    out = np.empty(n, np.float32)
    out[ids[0]] = scores[0]
    return out


@contextmanager
def scoring(function):
    """Answer with ``function`` as the engine's dense scoring (the engine imports it by name)."""
    from assistant import engine

    shipped = engine.dense_scores
    engine.dense_scores = function
    try:
        yield
    finally:
        engine.dense_scores = shipped


def measure(name: str, index_dir: Path, encoder, rounds: int) -> dict:
    from assistant.engine import Assistant
    from assistant.index import load_index
    from assistant.retrieval import dense_scores

    index = load_index(index_dir)
    assistant = Assistant(index, encoder)
    ways = {"shipped": dense_scores, "reference": search_scores}
    answers, differ = alternate_ways(assistant, {way: partial(scoring, function) for way, function in ways.items()},
                                     QUESTIONS, rounds)
    vector = assistant.query(QUESTIONS[0]).vector
    units: dict[str, dict[str, float]] = {}
    for unit, faiss_index in index.dense.items():
        units[unit] = {"n": faiss_index.ntotal}
        for way, function in ways.items():
            times = []
            for _ in range(20):
                t = time.perf_counter()
                function(faiss_index, vector)
                times.append((time.perf_counter() - t) * 1000)
            units[unit][way] = round(median(times), 3)
    print(f"{name}: {len(index.document.sentences):,} sentences, {len(index.document.source):,} characters")
    figures: dict = {"sentences": len(index.document.sentences), "chars": len(index.document.source),
                     "answers_differing": differ, "questions": len(answers["shipped"])}
    figures.update(way_figures(answers))
    figures["shipped_over_reference_median"] = round(figures["shipped"]["median_ms"] / figures["reference"]["median_ms"], 3)
    print(f"  shipped / reference (median): {figures['shipped_over_reference_median']:.2f}; "
          f"answers differing: {differ} of {figures['questions']}")
    print("  dense scoring of one question, ms (shipped / reference): "
          + ", ".join(f"{u} ({v['n']:,}) {v['shipped']:.2f} / {v['reference']:.2f}" for u, v in units.items()))
    figures["dense_scoring_ms"] = units
    return figures


def main() -> None:
    args = warm_answer_parser(__doc__.splitlines()[0], "the index of a ~1 MB document (bench_large_doc.py --mb 1 --keep DIR)",
                              large_required=True).parse_args()

    from assistant.encoder import OnnxEncoder

    print(machine_line())
    encoder = OnnxEncoder()
    figures = {"paper": measure("paper", prepare_index(args.paper), encoder, args.rounds),
               "large": measure(str(args.large), args.large, encoder, args.rounds)}
    for way in ("shipped", "reference"):
        ratio = figures["large"][way]["median_ms"] / figures["paper"][way]["median_ms"]
        figures[f"large_over_paper_{way}"] = round(ratio, 2)
        print(f"large / paper (median), {way}: {ratio:.2f}")
    record("warm_large", figures)


if __name__ == "__main__":
    main()

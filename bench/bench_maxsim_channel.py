"""What the MaxSim retrieval channel costs a warm answer (FusionSettings.chunk_maxsim / candidate_maxsim).

    python bench/bench_maxsim_channel.py [--index-dir DIR] [--rounds 3]

On a loaded index (default: the paper's), bench_ask's questions are answered warm with the shipped
settings and with the channel off, alternately question by question (so load on the shared machine
falls on both alike); the channel itself (pooling the sentences, MaxSim over the pool) is timed
apart, with the number of sentences and token rows it scores. Medians and p95 in ms.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from bench_ask import QUESTIONS, prepare_index
from common import machine_line, median, percentile, record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="passes over the question set (default 3)")
    parser.add_argument("--index-dir", type=Path, default=None)
    args = parser.parse_args()

    from assistant.encoder import OnnxEncoder
    from assistant.engine import Assistant
    from assistant.index import load_index
    from assistant.retrieval import FUSION, dense_scores

    print(machine_line())
    index = load_index(prepare_index(args.index_dir))
    encoder = OnnxEncoder()
    shipped = Assistant(index, encoder)
    off = Assistant(index, encoder, fusion=replace(FUSION, chunk_maxsim=0.0, candidate_maxsim=0))
    for assistant in (shipped, off):
        assistant.ask("warm up the caches")
    timings: dict[str, list[float]] = {"answer, channel on (shipped)": [], "answer, channel off": [], "the channel alone": []}
    pooled, rows = [], []
    for _ in range(args.rounds):
        for question in QUESTIONS:
            for name, assistant in (("answer, channel on (shipped)", shipped), ("answer, channel off", off)):
                t = time.perf_counter()
                assistant.ask(question)
                timings[name].append(time.perf_counter() - t)
            query = shipped.query(question)
            sentences = shipped.unit_scores("sentences", query)
            windows = dense_scores(index.dense["windows"], query.vector)
            t = time.perf_counter()
            late = shipped.late_scores(query, sentences, windows)
            timings["the channel alone"].append(time.perf_counter() - t)
            scored = np.flatnonzero(~np.isnan(late))
            pooled.append(len(scored))
            rows.append(int(np.sum(np.diff(index.tokens.offsets)[scored])))
    print(f"document: {len(index.tokens):,} sentences, {len(index.tokens.vectors):,} token rows; "
          f"the channel scores {median(pooled):.0f} sentences ({median(rows):,.0f} rows) a question (median), "
          f"pool {FUSION.maxsim_pool} per signal")
    figures: dict = {"index": str(args.index_dir or "paper"), "sentences": len(index.tokens),
                     "token_rows": len(index.tokens.vectors), "pooled_sentences_median": median(pooled)}
    for name, values in timings.items():
        ms = [v * 1000 for v in values]
        print(f"{name:32s} median {median(ms):6.2f} ms   p95 {percentile(ms, 0.95):6.2f} ms   ({len(ms)} questions)")
        figures[name] = {"median_ms": round(median(ms), 2), "p95_ms": round(percentile(ms, 0.95), 2)}
    record("maxsim_channel", figures)


if __name__ == "__main__":
    main()

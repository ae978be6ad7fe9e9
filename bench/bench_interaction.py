"""What late interaction (MaxSim over stored token vectors) costs a question, warm.

    python bench/bench_interaction.py [--index-dir DIR] [--rounds 3]

For each of bench_ask's questions on a loaded index (default: the paper's): the query encoding
with the pooled vector only and with the token vectors too (one model run either way), the
MaxSim of the question with the ranker's candidate sentences, and the whole warm answer; then
the index's token-vector files on disk; the whole answer is timed with the shipped settings (MaxSim
computed for the ranker's features, FusionSettings.sentence_maxsim 0) and with ``--weight`` as
sentence_maxsim (MaxSim also added to the sentence score). Medians and p95 in ms. The one-shot cold ask is
bench_ask.py's (its figure includes all of this).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from bench_ask import QUESTIONS, prepare_index
from common import machine_line, median, percentile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="passes over the question set (default 3)")
    parser.add_argument("--index-dir", type=Path, default=None)
    parser.add_argument("--weight", type=float, default=0.5, help="FusionSettings.sentence_maxsim to time beside the shipped one")
    args = parser.parse_args()

    from assistant import interaction, storage
    from assistant.encoder import OnnxEncoder
    from assistant.engine import Assistant
    from assistant.index import load_index
    from assistant.retrieval import FUSION

    print(machine_line())
    index_dir = prepare_index(args.index_dir)
    index = load_index(index_dir)
    encoder = OnnxEncoder()
    assistant = Assistant(index, encoder)  # the shipped settings
    weighed = Assistant(index, encoder, fusion=replace(FUSION, sentence_maxsim=args.weight))
    assistant.ask("warm up the caches")
    timings: dict[str, list[float]] = {"encode (pooled only)": [], "encode (pooled + tokens)": [],
                                       "maxsim over the candidates": [], f"whole answer, sentence_maxsim {FUSION.sentence_maxsim}": [],
                                       f"whole answer, sentence_maxsim {args.weight}": []}
    candidates = []
    for _ in range(args.rounds):
        for question in QUESTIONS:
            t = time.perf_counter()
            encoder.encode([question])
            timings["encode (pooled only)"].append(time.perf_counter() - t)
            t = time.perf_counter()
            _, tokens = encoder.encode_with_tokens([question], [True])
            timings["encode (pooled + tokens)"].append(time.perf_counter() - t)
            found = assistant.candidates(question, assistant.query(question))
            t = time.perf_counter()
            interaction.question_maxsim(tokens[0], index.tokens, found.ids)
            timings["maxsim over the candidates"].append(time.perf_counter() - t)
            candidates.append(len(found.ids))
            for engine, weight in ((assistant, FUSION.sentence_maxsim), (weighed, args.weight)):
                t = time.perf_counter()
                engine.ask(question)
                timings[f"whole answer, sentence_maxsim {weight}"].append(time.perf_counter() - t)
    print(f"index: {index_dir}; {len(QUESTIONS)} questions x {args.rounds}; "
          f"candidates per question median {median(candidates):.0f}, max {max(candidates)}")
    for name, values in timings.items():
        ms = [v * 1000 for v in values]
        print(f"{name:34s} median {median(ms):6.2f} ms   p95 {percentile(ms, 0.95):6.2f} ms")
    tokens = index.tokens
    files = sorted(storage.current(index_dir).glob("tokens-*.npy"))
    size = sum(f.stat().st_size for f in files)
    print(f"token vectors: {len(tokens.vectors):,} rows for {len(tokens):,} sentences "
          f"({np.diff(tokens.offsets).mean():.1f} a sentence), {size / 1e6:.1f} MB on disk (int8 + scales + ids + offsets)")


if __name__ == "__main__":
    main()

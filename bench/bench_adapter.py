"""Recall with and without the query adapter (adapter.py), and what applying it costs.

    python bench/bench_adapter.py [--gold FILE ...] [--covid N --cache DIR]

For every answerable question of the gold files (default: the dev files and the validation file;
the held-out, reader and blind files are refused) and of the first N COVID-QA training papers,
bench_recall's figures (passage R@1/R@5/MRR of the final ranking, evidence hit, and the single
channels' recall at 30, ``dense@30`` among them) with the adapter off ("plain") and on. Also the
median time of moving one question's vector. Nothing is fitted here; note that the adapter is
fitted on the dev files and the COVID-QA papers (cross-validated figures: fit_adapter's report).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from bench_recall import documents, measure, summary
from common import machine_line, record


def dense_ranks(assistant, question: str, gold, query) -> int:
    """The dense rank (1 = first) over every sentence of the best-scored sentence answering it."""
    from assistant.fit_ranker import is_positive
    from assistant.retrieval import dense_scores

    positive = np.array([is_positive((s.start, s.end), gold, 0.5) for s in assistant.document.sentences])
    scores = dense_scores(assistant.index.dense["sentences"], query.vector)
    return 1 + int((scores > scores[positive].max()).sum())


def apply_time_us(repeats: int = 2000) -> float:
    from assistant.adapter import load_model

    model = load_model()
    vector = np.random.default_rng(0).normal(size=model.u.shape[0]).astype(np.float32)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        model.apply(vector)
        times.append(time.perf_counter() - t0)
    return float(np.median(times) * 1e6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, action="append", default=None, help="gold file on the embedded paper (repeatable)")
    parser.add_argument("--covid", type=int, default=0, help="also the first N COVID-QA training papers")
    parser.add_argument("--cache", type=Path, default=None, help="folder with covid/ and indexes/ (fit_ranker's cache)")
    args = parser.parse_args()
    if args.gold is None:
        args.gold = [Path(f"source/{name}.jsonl") for name in ("gold", "gold_reader_dev", "gold_reader_val")]
    from assistant.gold import report_only

    for path in args.gold:
        if report_only(path):
            raise SystemExit(f"error: {path.name} is held out: report it with `assistant eval`")
    if args.covid and args.cache is None:
        raise SystemExit("error: --covid needs --cache")
    from assistant.encoder import OnnxEncoder
    from assistant.engine import Assistant, clean_question

    print(machine_line())
    encoder = OnnxEncoder()
    rows: dict[tuple[str, str], list[dict]] = {}
    for name, index, questions in documents(args):
        for label, assistant in (("plain", Assistant(index, encoder)), ("adapter", Assistant(index, encoder, adapt=True))):
            for question, gold, context, evidence in questions:
                question = clean_question(question)
                query = assistant.query(f"{context} {question}" if context else question)
                row = measure(assistant, question, gold, evidence, query)
                rows.setdefault((name, label), []).append({**row, "dense_rank": dense_ranks(assistant, question, gold, query)})
    figures = {}
    for (name, label), found in rows.items():
        ranks = np.array([r["dense_rank"] for r in found])
        dense = f"dense R@1 {np.mean(ranks == 1):.3f} R@5 {np.mean(ranks <= 5):.3f}"
        print(f"{name:16s} {label:8s} {dense}  {summary(found)}")
        figures[f"{name}/{label}"] = {"dense_r1": round(float(np.mean(ranks == 1)), 3),
                                      "dense_r5": round(float(np.mean(ranks <= 5)), 3), "summary": summary(found)}
    figures["apply_us"] = round(apply_time_us(), 1)
    print(f"moving one question's vector: {figures['apply_us']} us (median)")
    record("bench_adapter", figures)


if __name__ == "__main__":
    main()

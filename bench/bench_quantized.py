"""Float against int8 document vectors: retrieval and answers on the COVID-QA training papers.

    python bench/bench_quantized.py --cache DIR            # 81 papers, 1,066 questions (an hour on 2 loaded cores)
    python bench/bench_quantized.py --cache DIR --limit 10 # the first 10 papers

Each paper of ``covidqa_train.json`` (../shared/external) is indexed twice with the real model:
its vectors from the float ONNX export and from its int8 copy (``encoder.ensure_quantized``, what
``index.build_index`` uses from ``index.INT8_FROM_CHARS`` characters on). Questions are embedded
with the float export in both, as the assistant does. Every answerable question is asked of both
indexes; printed per variant: answers that contain a gold answer ("hit", as bench/eval_external.py
counts it), the rank of the first passage that contains one (R@1, R@5, MRR over the passages the
answer shows) and the CPU seconds of the builds; then the questions one variant gets and the
other does not, with an exact two-sided sign test. ``--cache DIR`` keeps the indexes (reused
when sound). The paper's own dev sets are compared with ``assistant eval --index-dir`` on its
index built each way (docs/scale.md).
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
from pathlib import Path

import numpy as np
from common import machine_line, record


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def outcomes(index_dir: Path, questions, query) -> list[dict]:
    """Each answerable question's hit and first gold passage's rank (None: no passage holds it)."""
    from assistant.engine import Assistant
    from assistant.index import load_index
    from assistant.metrics import contains_answer

    assistant = Assistant.open(load_index(index_dir), query)
    out = []
    for q in questions:
        if q.impossible:
            continue
        answer = assistant.ask(q.question)
        ranks = [i for i, p in enumerate(answer.passages) if any(contains_answer(p.text, g) for g in q.answers)]
        out.append({"hit": not answer.abstained and any(contains_answer(answer.answer, g) for g in q.answers),
                    "rank": ranks[0] if ranks else None})
    return out


def figures(rows: list[dict]) -> dict:
    ranks = [r["rank"] for r in rows]
    return {"questions": len(rows), "hit": round(float(np.mean([r["hit"] for r in rows])), 4),
            "r1": round(float(np.mean([k == 0 for k in ranks])), 4),
            "r5": round(float(np.mean([k is not None and k < 5 for k in ranks])), 4),
            "mrr": round(float(np.mean([1 / (k + 1) if k is not None else 0.0 for k in ranks])), 4)}


def sign_test(a: list[bool], b: list[bool]) -> tuple[int, int, float]:
    """Questions only ``b`` gets, only ``a`` gets, and the exact two-sided sign test's p."""
    gains = sum(y and not x for x, y in zip(a, b))
    losses = sum(x and not y for x, y in zip(a, b))
    n = gains + losses
    p = min(1.0, 2 * sum(math.comb(n, i) for i in range(min(gains, losses) + 1)) / 2**n) if n else 1.0
    return gains, losses, round(p, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, required=True, help="keep the papers' indexes here")
    parser.add_argument("--limit", type=int, default=None, help="only the first N papers")
    args = parser.parse_args()

    from assistant import encoder as enc
    from assistant.fit_ranker import COVID_TRAIN, split_covid
    from assistant.index import problems
    from assistant.squad import index_squad, read_squad

    print(machine_line())
    query = enc.OnnxEncoder()  # questions: the float export, as in the assistant
    export = enc.ensure_onnx()
    variants = {"float32": enc.OnnxEncoder(export), "int8": enc.OnnxEncoder(export, quantized=True)}
    rows: dict[str, list[dict]] = {name: [] for name in variants}
    cpu = {name: 0.0 for name in variants}
    papers = split_covid(COVID_TRAIN, args.cache)[: args.limit]
    for paper in papers:
        _, questions = read_squad(paper)
        for name, model in variants.items():
            work = args.cache / name
            work.mkdir(parents=True, exist_ok=True)
            if problems(work / paper.stem):
                started = cpu_seconds()
                index_squad(paper, work, encoder=model)
                cpu[name] += cpu_seconds() - started
            rows[name].extend(outcomes(work / paper.stem, questions, query))
        print(f"  {paper.stem}: {len(rows['int8'])} questions so far", file=sys.stderr)
    result = {name: {**figures(rows[name]), "build_cpu_s": round(cpu[name], 1)} for name in variants}
    for name, values in result.items():
        print(f"{name:8s} " + "  ".join(f"{k} {v}" for k, v in values.items()))
    tests = {}
    for key, holds in (("hit", lambda r: r["hit"]), ("r1", lambda r: r["rank"] == 0),
                       ("r5", lambda r: r["rank"] is not None and r["rank"] < 5)):
        gains, losses, p = sign_test([holds(r) for r in rows["float32"]], [holds(r) for r in rows["int8"]])
        tests[key] = {"int8_gains": gains, "int8_losses": losses, "p": p}
        print(f"{key}: int8 gets {gains} that float32 misses, misses {losses} that float32 gets (sign test p = {p})")
    record("quantized", {"papers": len(papers), **result, "sign_tests": tests})


if __name__ == "__main__":
    main()

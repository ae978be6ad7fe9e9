"""Dump per-passage signals of every question (paper dev gold files, COVID-QA training papers), so
passage-ranking variants (RRF weights, a learned passage model) can be measured offline.

    python bench/passage_features.py --out FILE.npz [--gold FILE ...] [--covid N --cache DIR]

For each answerable question and each chunk of its document: the signals the passage ranking reads
(``SIGNALS`` below), whether the chunk is relevant (bench_recall's rule) and the question's group
(its document). Nothing is fitted here.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_recall import documents  # noqa: E402
from common import machine_line  # noqa: E402

SIGNALS = ("chunk_dense", "chunk_lexical", "sentence_dense", "sentence_lexical", "window_dense",
           "prior_fused", "ranker_logit", "maxsim", "paragraph_dense", "paragraph_lexical", "sentence_fused",
           "final_fused", "position", "ranker_mean_top2",
           "prf_c_k3_a05", "prf_c_k3_a1", "prf_c_k3_a2", "prf_c_k5_a1", "prf_c_k1_a1", "prf_w_k3_a1", "prf_s_k3_a1",
           "chunk_late_all", "chunk_late_pool", "chunk_late_top10")
PRF = ((3, 0.5, "chunks"), (3, 1.0, "chunks"), (3, 2.0, "chunks"), (5, 1.0, "chunks"), (1, 1.0, "chunks"),
       (3, 1.0, "windows"), (3, 1.0, "sentences"))


def vectors(faiss_index) -> np.ndarray:
    return faiss_index.reconstruct_n(0, faiss_index.ntotal)


def chunk_signals(assistant, question: str, query, unit_vectors: dict) -> np.ndarray:
    """(n_chunks, len(SIGNALS)) for one question, from the shipped ranking's own intermediate scores."""
    from assistant import ranker
    from assistant.retrieval import group_max

    ranked = assistant._rank(question, query)
    prior, fused = ranked.prior, ranked.fused
    chunk = assistant._sentence_chunk
    n = len(prior.chunk_fused)
    logit = ranker.log_odds(ranked.evidence, ranked.found.ids, len(chunk))
    late = np.nan_to_num(prior.late, nan=-1.0) if prior.late is not None else np.full(len(chunk), -1.0)
    paragraphs = assistant.unit_scores("paragraphs", query)
    lay = assistant._ranker_layout
    top2 = np.full(n, -12.0)
    for c in range(n):
        values = np.sort(logit[chunk == c])[::-1]
        if len(values):
            top2[c] = values[:2].mean()
    columns = [
        prior.chunks.dense, prior.chunks.lexical,
        group_max(prior.sentences.dense, chunk, n), group_max(prior.sentences.lexical, chunk, n),
        group_max(prior.windows, chunk, n), prior.chunk_fused, group_max(logit, chunk, n), group_max(late, chunk, n),
        group_max(paragraphs.dense[lay.paragraph], chunk, n), group_max(paragraphs.lexical[lay.paragraph], chunk, n),
        group_max(prior.sentence_fused, chunk, n), fused.chunk_fused, np.arange(n) / max(n - 1, 1), top2,
    ]
    chunk_vectors = unit_vectors["chunks"]
    order = np.argsort(-fused.chunk_fused, kind="stable")
    for k, a, unit in PRF:
        moved = query.vector + a * chunk_vectors[order[:k]].mean(0)
        moved = moved / np.linalg.norm(moved)
        scores = unit_vectors[unit] @ moved
        columns.append(scores if unit == "chunks" else group_max(scores, chunk, n))
    columns += chunk_late(assistant, query, ranked, n)
    return np.nan_to_num(np.column_stack(columns).astype(np.float64), neginf=-12.0)


def chunk_late(assistant, query, ranked, n: int) -> list[np.ndarray]:
    """Passage-level MaxSim (interaction.passage_maxsim): each question piece's best cosine over all of a
    chunk's sentences' pieces, idf-weighted; over every sentence, over the MaxSim pool's (shipped), and
    over the sentences of the 10 chunks ranked first."""
    from assistant import interaction
    from assistant.retrieval import pool_ids

    stored, chunk = assistant.index.tokens, assistant._sentence_chunk
    q, w = interaction.question_weights(query.tokens, stored)
    every = np.arange(len(stored))
    best = interaction.best_cosines(q, *stored.rows(every))
    prior = ranked.prior
    pool = pool_ids([prior.sentences.dense, prior.sentences.lexical, prior.windows], assistant.fusion.maxsim_pool)
    top = np.flatnonzero(np.isin(chunk, np.argsort(-ranked.fused.chunk_fused, kind="stable")[:10]))
    return [interaction.passage_maxsim(best[ids], w, chunk[ids], n) for ids in (every, pool, top)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--gold", type=Path, action="append", default=None)
    parser.add_argument("--covid", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--covid-from", type=int, default=0, help="skip the COVID-QA papers before this one")
    parser.add_argument("--ranker", type=Path, default=None, help="another ranker model file (ranker.json's format)")
    args = parser.parse_args()
    if args.gold is None:
        args.gold = [Path("source/gold.jsonl"), Path("source/gold_reader_dev.jsonl")]
    from assistant.gold import report_only

    if any(report_only(p) for p in args.gold):
        raise SystemExit("error: a report-only gold file; never tune on it")
    out = args.out if args.out.suffix == ".npz" else args.out.with_name(args.out.name + ".npz")  # np.savez adds it
    if out.exists() or out.is_symlink():  # never replace a file this run did not write
        raise SystemExit(f"error: {out} exists; choose a new --out")
    from assistant.encoder import OnnxEncoder
    from assistant.engine import Assistant, clean_question
    from assistant.fit_ranker import covers
    from assistant.matching import contains_evidence

    if args.ranker:
        from assistant import ranker

        model = ranker.load_model(args.ranker)
        ranker.load_model = lambda path=None: model  # type: ignore[assignment]
    print(machine_line())
    encoder = OnnxEncoder()
    x, relevant, qid, sets, groups = [], [], [], [], []
    started = time.perf_counter()
    q = 0
    for d, (name, index, questions) in enumerate(documents(args)):
        if name == "covid" and d - len(args.gold) < args.covid_from:
            continue
        assistant = Assistant(index, encoder)
        unit_vectors = {u: vectors(index.dense[u]) for u in ("chunks", "windows", "sentences")}
        chunks = assistant.index.chunks
        for question, gold, context, evidence in questions:
            question = clean_question(question)
            query = assistant.query(f"{context} {question}" if context else question)
            x.append(chunk_signals(assistant, question, query, unit_vectors))
            relevant.append([any(contains_evidence(c.text, [(c.start, c.end)], e) for e in evidence) if evidence
                             else covers([(c.start, c.end)], gold) for c in chunks])
            qid.append(np.full(len(chunks), q))
            sets.append(name)
            groups.append(name if name != "covid" else f"covid{d}")
            q += 1
    partial = out.with_name(f".{out.stem}.{os.getpid()}.partial.npz")  # written whole, then linked into place
    try:
        np.savez(partial, x=np.concatenate(x), relevant=np.concatenate(relevant), qid=np.concatenate(qid),
                 sets=np.array(sets), groups=np.array(groups), signals=np.array(SIGNALS))
        os.link(partial, out)  # fails rather than replace a file that appeared meanwhile
    except FileExistsError:
        raise SystemExit(f"error: {out} appeared while this ran; nothing written") from None
    finally:
        partial.unlink(missing_ok=True)
    print(f"{q} questions ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()

"""Candidate recall: is an evidence sentence among the candidates at all, and how early?

    python bench/bench_recall.py [--gold FILE ...] [--covid N] [--cache DIR]
                                 [--variant NAME:field=value,field=value ...] [--details OUT.jsonl]

For every answerable question of the gold files (on the embedded paper, follow-ups asked with their
context as the evaluation asks them) and of the first N COVID-QA training papers (indexes cached
under ``--cache/indexes`` by ``python -m assistant.fit_ranker --build``), with the shipped fusion
settings and with each ``--variant`` (FusionSettings fields replaced), it prints:

- ``cand``: an evidence sentence is among the learned ranker's candidates;
- ``R@1 R@5 R@10 MRR``: the rank of the first passage (chunk) that covers 60% of an evidence span
  (the evaluation's rule) in the final passage ranking;
- ``sR@5``: an evidence sentence among the top 5 sentences of the final sentence score;
- ``hit``: the sentences selected to answer cover an evidence span (the evaluation's evidence hit,
  paper-level answers aside);
- ``ncand``: the median number of the ranker's candidates;
- ``dense@30 bm25@30 window@30 maxsim@30``: an evidence sentence among the top 30 of each single
  sentence signal over the whole document (MaxSim: interaction.document_maxsim over every sentence).

A sentence is evidence when it overlaps half of the shorter of it and an evidence span
(fit_ranker.is_positive). Nothing is fitted here.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import fields, replace
from pathlib import Path

import numpy as np
from common import machine_line

K_CHANNEL = 30


def parse_variant(text: str, base):
    """``NAME:field=value,...`` -> (NAME, FusionSettings with those fields replaced)."""
    name, _, assignments = text.partition(":")
    kinds = {f.name: type(getattr(base, f.name)) for f in fields(base)}
    changes = {}
    for item in filter(None, assignments.split(",")):
        key, _, value = item.partition("=")
        if key not in kinds:
            raise SystemExit(f"error: FusionSettings has no field {key!r}")
        changes[key] = tuple(float(v) for v in value.split("/")) if kinds[key] is tuple else kinds[key](value)
    return name, replace(base, **changes)


def first_rank(order, relevant) -> int | None:
    for rank, i in enumerate(order, start=1):
        if relevant[int(i)]:
            return rank
    return None


def measure(assistant, question: str, gold, evidence, query) -> dict:
    """One question's recall figures under ``assistant``'s settings; ``evidence``: the gold file's
    located quotes (matching.Evidence; a passage is relevant by the evaluation's rule), or None (a
    passage is relevant when it covers 60% of a gold span)."""
    from assistant import interaction
    from assistant.fit_ranker import covers, is_positive
    from assistant.matching import contains_evidence

    doc = assistant.document
    ranked = assistant._rank(question, query)
    positive = np.array([is_positive((s.start, s.end), gold, 0.5) for s in doc.sentences])
    relevant = np.array([any(contains_evidence(c.text, [(c.start, c.end)], e) for e in evidence) if evidence
                         else covers([(c.start, c.end)], gold) for c in assistant.index.chunks])
    found = ranked.found if ranked.found is not None else assistant._candidates(
        question, query, ranked.prior, ranked.mask, ranked.idf)
    chunk_order = np.argsort(-ranked.fused.chunk_fused, kind="stable")
    sentence_order = np.argsort(-np.where(ranked.mask, ranked.fused.sentence_fused, -np.inf), kind="stable")
    chosen = [(doc.sentences[i].start, doc.sentences[i].end) for i in ranked.selection.sentence_ids]
    scores = ranked.prior.sentences
    late = interaction.document_maxsim(query.tokens, assistant.index.tokens)
    channel = {name: first_rank(np.argsort(-values, kind="stable"), positive)
               for name, values in (("dense", scores.dense), ("bm25", scores.lexical), ("window", ranked.prior.windows),
                                    ("maxsim", late))}
    return {"cand": bool(positive[found.ids].any()), "chunk_rank": first_rank(chunk_order, relevant),
            "sentence_rank": first_rank(sentence_order, positive), "hit": covers(chosen, gold),
            "candidates": len(found.ids), "channel_rank": channel}


def summary(rows: list[dict]) -> str:
    ranks = [r["chunk_rank"] for r in rows]

    def at(k):
        return np.mean([r is not None and r <= k for r in ranks])

    mrr = np.mean([1.0 / r if r is not None and r <= 10 else 0.0 for r in ranks])
    s5 = np.mean([r["sentence_rank"] is not None and r["sentence_rank"] <= 5 for r in rows])
    parts = [f"n {len(rows):4d}", f"cand {np.mean([r['cand'] for r in rows]):.3f}", f"R@1 {at(1):.3f}",
             f"R@5 {at(5):.3f}", f"R@10 {at(10):.3f}", f"MRR {mrr:.3f}", f"sR@5 {s5:.3f}",
             f"hit {np.mean([r['hit'] for r in rows]):.3f}", f"ncand {np.median([r['candidates'] for r in rows]):.0f}"]
    parts += [f"{k}@{K_CHANNEL} {np.mean([(r['channel_rank'][k] or 1e9) <= K_CHANNEL for r in rows]):.3f}"
              for k in rows[0]["channel_rank"]]
    return "  ".join(parts)


def project_questions(path: Path, source: str) -> list:
    """(question, evidence spans, context, located quotes) of a gold file's answerable questions."""
    from assistant.evaluate import follow_up_contexts
    from assistant.gold import load_gold
    from assistant.matching import SourceMap

    source_map = SourceMap(source)
    gold = load_gold(path)
    contexts = follow_up_contexts(gold)
    out = []
    for item in gold:
        located = [source_map.locate(q) for q in item.evidence]
        spans = tuple((o[0], o[-1] + 1) for e in located for o in e.occurrences if o)
        if item.answerable and spans:
            out.append((item.question, spans, contexts[item.id], located))
    return out


def documents(args):
    """(name, index, [(question, gold spans, context, evidence)]) for the paper's gold files and the COVID papers."""
    from assistant.fit_ranker import squad_gold
    from assistant.index import load_index
    from assistant.paper import open_index

    paper = open_index(None)
    for path in args.gold:
        yield path.stem, paper, project_questions(path, paper.document.source)
    for n in range(args.covid):
        index_dir = args.cache / "indexes" / f"covid{n:03d}"
        squad = args.cache / "covid" / f"covid{n:03d}.json"
        if not index_dir.is_dir() or not squad.is_file():
            continue
        index = load_index(index_dir)
        yield "covid", index, [(q, g, None, None) for q, g in squad_gold(squad, index.document.source)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, action="append", default=None,
                        help="gold file on the embedded paper (repeatable; default source/gold.jsonl and the reader dev set)")
    parser.add_argument("--covid", type=int, default=0, help="also the first N COVID-QA training papers")
    parser.add_argument("--cache", type=Path, default=None, help="folder with covid/ and indexes/ (fit_ranker's cache)")
    parser.add_argument("--variant", action="append", default=[], help="NAME:field=value,... (FusionSettings; a tuple as 0.7/1.5/...)")
    parser.add_argument("--details", type=Path, default=None, help="write one JSON line per question and variant")
    args = parser.parse_args()
    if args.gold is None:
        args.gold = [Path("source/gold.jsonl"), Path("source/gold_reader_dev.jsonl")]
    from assistant.gold import report_only

    for path in args.gold:
        if report_only(path):
            raise SystemExit(f"error: {path.name} is held out: report it with `assistant eval`, never tune on it")
    if args.covid and args.cache is None:
        raise SystemExit("error: --covid needs --cache")

    from assistant.encoder import OnnxEncoder
    from assistant.engine import Assistant, clean_question
    from assistant.errors import InputError
    from assistant.results import Output, check_output_path, write_text_atomic
    from assistant.retrieval import FUSION

    details_kind = Output("a --details file written by bench_recall", (frozenset({"set", "variant", "question"}),), lines=True)
    if args.details:
        try:
            check_output_path(args.details, details_kind, "--details")  # before the run, not after it
        except InputError as exc:
            raise SystemExit(f"error: {exc}") from None

    print(machine_line())
    variants = [("shipped", FUSION)] + [parse_variant(v, FUSION) for v in args.variant]
    encoder = OnnxEncoder()
    rows: dict[tuple[str, str], list[dict]] = {}
    details: list[str] = []
    started = time.perf_counter()
    for name, index, questions in documents(args):
        assistants = [(v, Assistant(index, encoder, fusion=settings)) for v, settings in variants]
        for question, gold, context, evidence in questions:
            question = clean_question(question)
            query = assistants[0][1].query(f"{context} {question}" if context else question)
            for v, assistant in assistants:
                row = measure(assistant, question, gold, evidence, query)
                rows.setdefault((name, v), []).append(row)
                details.append(json.dumps({"set": name, "variant": v, "question": question, **row}) + "\n")
    if args.details:
        write_text_atomic(args.details, "".join(details), details_kind, "--details")
    for (name, v), found in rows.items():
        print(f"{name:20s} {v:12s} {summary(found)}")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()

"""Answer shape: evidence hit against median answer words, for the shipped ShapeSettings and variants.

    python bench/answer_shape.py                                  # the shipped settings and one-knob variants
    python bench/answer_shape.py --cache DIR                      # also COVID-QA training papers indexed under DIR
    python bench/answer_shape.py --variants '[{"near": 0.8}, {"sure": 0.95, "far": 0.9}]'

Each variant is ``answer.ShapeSettings`` with the given fields replaced (``"learned": true``:
joining.py's fitted model decides who joins the lead instead of the hand-set score bars). It is scored with the full
system on the dev gold files only (``source/gold.jsonl``, ``source/gold_reader_dev.jsonl``: evidence
hit as ``assistant eval`` counts it, follow-ups asked with their context) and, with ``--cache``, on the
COVID-QA training papers whose indexes are in ``DIR/indexes/covidNNN`` beside their SQuAD files in
``DIR/covid/covidNNN.json`` (the layout ``python -m assistant.fit_ranker --build`` writes): "contains
gold" as ``bench/eval_external.py`` counts it. Median words are over the answers shown; "lead holds
it" is the share of the answers holding the evidence (or gold answer) whose first citation holds it
by itself (``ShapeSettings.lead_by_evidence`` decides which run leads). The held-out files are never
read here. A record goes to ``bench/results/answer_shape.jsonl``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
DEV = ("source/gold.jsonl", "source/gold_reader_dev.jsonl")
# the shipped settings (the score bars, the ranker's likeliest run first), the best-scored run first, two of
# the bars' knobs, and joining.py's fitted model at three word costs
VARIANTS = ({}, {"lead_by_evidence": False}, {"near": 0.85}, {"max_sentences": 2}, {"learned": True},
            {"learned": True, "word_cost": 0.015}, {"learned": True, "word_cost": 0.03})


def paper_rows(assistant, gold_file: Path, settings) -> tuple[list[bool], list[int], list[bool]]:
    from assistant.evaluate import follow_up_contexts, score_answer
    from assistant.gold import load_gold
    from assistant.matching import SourceMap, contains_evidence

    gold = load_gold(gold_file)
    contexts = follow_up_contexts(gold)
    source_map = SourceMap(assistant.document.source)
    hits, words, leads = [], [], []
    for item in (i for i in gold if i.answerable):
        assistant.shape = settings
        answer = assistant.ask(item.question, context=contexts[item.id])
        evidence = [source_map.locate(q) for q in item.evidence]
        scored = score_answer(item, evidence, answer, assistant.document)
        hits.append(bool(scored.evidence_hit))
        if not answer.abstained:
            words.append(scored.words)
        if scored.evidence_hit:
            first = answer.citations[0]
            leads.append(any(contains_evidence(first.text, [(first.start, first.end)], e) for e in evidence))
    return hits, words, leads


def covid_rows(papers, settings) -> tuple[list[bool], list[int], list[bool]]:
    from assistant.metrics import contains_answer

    hits, words, leads = [], [], []
    for assistant, questions in papers:
        assistant.shape = settings
        for q in questions:
            answer = assistant.ask(q.question)
            hits.append(not answer.abstained and any(contains_answer(answer.answer, g) for g in q.answers))
            if not answer.abstained:
                words.append(len(answer.answer.split()))
            if hits[-1]:
                leads.append(any(contains_answer(answer.citations[0].text, g) for g in q.answers))
    return hits, words, leads


def covid_papers(cache: Path, encoder) -> list:
    from assistant.engine import Assistant
    from assistant.index import load_index, problems
    from assistant.squad import read_squad

    out, skipped = [], 0
    for index_dir in sorted((cache / "indexes").glob("covid[0-9][0-9][0-9]")):
        squad_file = cache / "covid" / f"{index_dir.name}.json"
        if not (index_dir.is_dir() and squad_file.is_file()) or problems(index_dir):
            skipped += 1  # missing, or built by another index format: rebuild with fit_ranker --build
            continue
        _, questions = read_squad(squad_file)
        out.append((Assistant(load_index(index_dir), encoder), [q for q in questions if q.answerable]))
    print(f"COVID-QA training papers: {len(out)} usable, {skipped} skipped (missing or another index format)", file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    from common import record

    from assistant import answer, paths
    from assistant.encoder import OnnxEncoder
    from assistant.engine import Assistant
    from assistant.paper import open_index

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None, help="folder with COVID-QA training indexes (see above)")
    parser.add_argument("--variants", default=None, help="JSON list of ShapeSettings field overrides")
    args = parser.parse_args(argv)
    variants = json.loads(args.variants) if args.variants else list(VARIANTS)
    encoder = OnnxEncoder()
    paper = Assistant(open_index(None), encoder)
    papers = covid_papers(args.cache, encoder) if args.cache else []
    root = paths.default_gold().parent
    rows = []
    for overrides in variants:
        settings = dataclasses.replace(answer.SHAPE, **overrides)
        row: dict = {"variant": overrides}
        for name in DEV:
            hits, words, leads = paper_rows(paper, root / Path(name).name, settings)
            row[Path(name).stem] = {"evidence_hit": round(float(np.mean(hits)), 3), "median_words": float(np.median(words)),
                                    "lead_holds_it": round(float(np.mean(leads)), 3)}
        if papers:
            hits, words, leads = covid_rows(papers, settings)
            row["covid_train"] = {"contains_gold": round(float(np.mean(hits)), 3), "median_words": float(np.median(words)),
                                  "lead_holds_it": round(float(np.mean(leads)), 3), "papers": len(papers), "questions": len(hits)}
        rows.append(row)
        print(json.dumps(row), flush=True)
    record("answer_shape", {"rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Score the assistant on documents nobody on this project wrote (SQuAD-schema JSON files in a data folder).

    python bench/eval_external.py DATA                      # every document under DATA, every question
    python bench/eval_external.py DATA --limit 50           # at most 50 questions per document (evenly spread)
    python bench/eval_external.py DATA squad/Normans.json --json
    python bench/eval_external.py DATA --cache DIR --details out.jsonl   # reuse indexes; one line per question

(on the project machine DATA is /work/shared/external.)

Each document is its paragraphs' contexts joined with blank lines (title first), written
to a temporary .txt, indexed with the real model into a temporary directory, and asked
every question (one warm-up question first, so timings exclude model loading). Printed
per document and overall (pooled over questions):

* contains gold: answerable questions whose answer contains a gold answer, both
  lower-cased with punctuation and articles removed, matched on word boundaries (the
  external README's "fair sentence-level measure"; an abstention counts as a miss);
* answered: share of answerable questions answered (not abstained);
* abstained: share of unanswerable (``is_impossible``) questions abstained on;
* words: median answer length in words (containment is easier for longer answers).

A run appends its rows to ``bench/results/eval_external.jsonl``. ``--cache DIR`` keeps each
document's index in DIR (rebuilt only when unusable) instead of a temporary folder;
``--details FILE`` writes one JSON line per question (question, gold answers, answer,
abstained, contains gold, the abstention signals, and whether a gold answer is in the top
passages: a miss there is retrieval's, one with it there is selection's).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from common import record

from assistant.errors import InputError
from assistant.results import Output, check_output_path, write_text_atomic
from assistant.squad import SquadQuestion as Question
from assistant.squad import index_squad


DETAILS_OUTPUT = Output("a --details file written by this script", (frozenset({"id", "question", "answers", "contains_gold"}),), lines=True)

@dataclass(frozen=True)
class Outcome:
    impossible: bool
    abstained: bool
    contains_gold: bool
    words: int
    latency_ms: float
    detail: dict


def spread(questions: list[Question], limit: int | None) -> list[Question]:
    """At most ``limit`` questions, evenly spaced through the document (deterministic)."""
    if not limit or len(questions) <= limit:
        return questions
    picks = np.linspace(0, len(questions) - 1, limit).round().astype(int)
    return [questions[i] for i in sorted(set(picks.tolist()))]


def score(assistant, questions: list[Question]) -> list[Outcome]:
    from assistant.metrics import contains_answer

    assistant.ask("What is this document about?")  # warm the encoder
    outcomes = []
    for q in questions:
        answer = assistant.ask(q.question)
        hit = not answer.abstained and any(contains_answer(answer.answer, gold) for gold in q.answers)
        words = len(answer.answer.split())
        outcomes.append(Outcome(q.impossible, answer.abstained, hit, words, float(answer.timings_ms.get("total", 0.0)),
                                detail(assistant, q, answer, hit)))
    return outcomes


def detail(assistant, q: Question, answer, hit: bool) -> dict:
    """One question's record for ``--details``: what was answered, its signals, where the gold was."""
    from assistant.metrics import contains_answer

    def holds(texts) -> bool:
        return any(contains_answer(t, gold) for t in texts for gold in q.answers)

    passages = [p.text for p in answer.passages]
    text = answer.answer or " ".join(assistant.document.sentences[i].text for i in answer.sentence_ids)
    return {"id": q.id, "question": q.question, "impossible": q.impossible, "answers": list(q.answers),
            "abstained": answer.abstained, "contains_gold": hit, "selected_holds_gold": holds([text]),
            "answer": text, "words": len(text.split()), "confidence": answer.confidence,
            "gold_in_top1": holds(passages[:1]), "gold_in_top5": holds(passages[:5]),
            "gold_in_document": holds([assistant.document.source]),
            "signals": assistant.signals_for(q.question).as_dict()}


def summary(outcomes: list[Outcome]) -> dict:
    answerable = [o for o in outcomes if not o.impossible]
    unanswerable = [o for o in outcomes if o.impossible]
    answered = [o.words for o in answerable if not o.abstained]

    def share(values):
        return round(float(np.mean(values)), 4) if values else None

    return {
        "questions": len(outcomes), "answerable": len(answerable), "unanswerable": len(unanswerable),
        "contains_gold": share([o.contains_gold for o in answerable]),
        "contains_gold_when_answered": share([o.contains_gold for o in answerable if not o.abstained]),
        "answered_on_answerable": share([not o.abstained for o in answerable]),
        "abstained_on_unanswerable": share([o.abstained for o in unanswerable]),
        "median_words": float(np.median(answered)) if answered else None,
        "latency_p50_ms": round(float(np.percentile([o.latency_ms for o in outcomes], 50)), 1) if outcomes else None,
    }


def evaluate_document(path: Path, limit: int | None, workdir: Path, data: Path) -> tuple[dict, list[Outcome]]:
    from assistant.engine import Assistant
    from assistant.index import load_index, problems
    from assistant.squad import IndexedSquad, read_squad

    started = time.perf_counter()
    target = workdir / path.stem
    if target.is_dir() and not problems(target):
        text, questions = read_squad(path)
        indexed = IndexedSquad(path, target, text, tuple(questions))
    else:
        indexed = index_squad(path, workdir)
    build_seconds = time.perf_counter() - started
    outcomes = score(Assistant.open(load_index(indexed.index_dir)), spread(list(indexed.questions), limit))
    for outcome in outcomes:
        outcome.detail["document"] = path.stem
    return {"document": str(path.relative_to(data)) if path.is_relative_to(data) else str(path),
            "name": path.stem[:16],
            "chars": len(indexed.text), "build_seconds": round(build_seconds, 1), **summary(outcomes)}, outcomes


def table(rows: list[dict]):
    from rich.table import Table

    out = Table(title="external documents", caption=(
        "q/ans/un = questions asked/answerable/unanswerable; gold = answerable whose answer contains a gold answer; "
        "ans'd = answerable answered; abst. = unanswerable abstained on; words = median answer length; ms = p50 latency (--json adds gold among answered)"))
    columns = (("document", "name"), ("q", "questions"), ("ans", "answerable"), ("un", "unanswerable"),
               ("gold", "contains_gold"),
               ("ans'd", "answered_on_answerable"), ("abst.", "abstained_on_unanswerable"),
               ("words", "median_words"), ("ms", "latency_p50_ms"))
    for label, _ in columns:
        out.add_column(label, justify="left" if label == "document" else "right", no_wrap=True)
    for row in rows:
        out.add_row(*(_cell(key, row[key]) for _, key in columns))
    return out


def _cell(key: str, value) -> str:
    if value is None:
        return "–"
    if key.endswith("_ms") or key == "median_words":
        return f"{value:.0f}"
    return f"{value:.0%}" if isinstance(value, float) else str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the folder of SQuAD-schema JSON files")
    parser.add_argument("files", nargs="*", type=Path, help="SQuAD JSON files, relative to DATA (default: all under it)")
    parser.add_argument("--limit", type=int, default=None, help="At most N questions per document.")
    parser.add_argument("--json", action="store_true", help="Print the rows as JSON.")
    parser.add_argument("--cache", type=Path, default=None, help="Keep the documents' indexes in this folder.")
    parser.add_argument("--details", type=Path, default=None, help="Write one JSON line per question here.")
    args = parser.parse_args(argv)
    if args.details is not None:
        try:
            check_output_path(args.details, DETAILS_OUTPUT, "--details")  # a new file or over a regular one, never through a link
        except InputError as exc:
            parser.error(str(exc))
    if not args.data.is_dir():
        parser.error(f"{args.data}: not a folder")
    files = [f if f.is_absolute() else args.data / f for f in args.files] or sorted(args.data.rglob("*.json"))
    if not files:
        parser.error(f"{args.data}: no .json files in it")
    rows, pooled = [], []
    with tempfile.TemporaryDirectory(prefix="eval-external-") as tmp:
        workdir = Path(tmp) if args.cache is None else args.cache
        workdir.mkdir(parents=True, exist_ok=True)
        for path in files:
            print(f"indexing and asking {path.name} ...", file=sys.stderr)
            row, outcomes = evaluate_document(path, args.limit, workdir, args.data)
            rows.append(row)
            pooled.extend(outcomes)
    rows.append({"document": "overall (pooled)", "name": "overall", "chars": sum(r["chars"] for r in rows),
                 "build_seconds": round(sum(r["build_seconds"] for r in rows), 1), **summary(pooled)})
    if args.details is not None:
        write_text_atomic(args.details, "".join(json.dumps(o.detail) + "\n" for o in pooled), DETAILS_OUTPUT, "--details")
    record("eval_external", {"limit": args.limit, "rows": rows})
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        from rich.console import Console

        Console().print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A library of several documents: adding them, and what asking all of them does to each one's answers.

    python bench/bench_library.py [--workdir DIR] [--limit 40]

Builds a library (real model) of the embedded paper plus the external documents under
/work/shared/external (two SQuAD 2.0 articles, two COVID-QA papers; each written as a .txt the
way bench/eval_external.py does), timing each ``add``. Then asks every question of each
document (the paper's dev gold, at most ``--limit`` spread questions of each external one)
twice: of its own document alone (``ask --doc``) and of the whole library (``ask``), and prints
per document:

* kept: the library gives exactly the answer the document alone gives (same document, same text);
* routed: of the questions the document alone answers, the library answers from that document;
* taken: of those, the library answers from another document instead;
* false answers: of the questions the document alone abstains on, the library answers (from any);
* latency: median ms per question, alone and across the library (warm engines).

Appends its figures to bench/results/library.jsonl. Nothing is fitted on these questions.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

from common import median, record

EXTERNAL = Path("/work/shared/external")


def spread(items: list, limit: int | None) -> list:
    if not limit or len(items) <= limit:
        return items
    picks = np.linspace(0, len(items) - 1, limit).round().astype(int)
    return [items[i] for i in sorted(set(picks.tolist()))]


def build(workdir: Path, limit: int) -> tuple[object, dict[str, list[str]], dict[str, float]]:
    from assistant import paths
    from assistant.gold import load_gold
    from assistant.library import PAPER_ID, Library
    from assistant.squad import read_squad

    books = Library.open()
    started = time.perf_counter()
    books.load(PAPER_ID)  # builds the paper's index on first use
    add_seconds = {PAPER_ID: round(time.perf_counter() - started, 2)}
    questions = {PAPER_ID: [g.question for g in load_gold(paths.default_gold())]}
    present = {e.file: e.id for e in books.documents()}
    for source in sorted(EXTERNAL.rglob("*.json")):
        if "train" in source.name:
            continue
        text, items = read_squad(source)
        target = workdir / f"{source.stem}.txt"
        target.write_text(text, encoding="utf-8")
        if target.name in present:
            doc_id = present[target.name]
        else:
            started = time.perf_counter()
            doc_id = books.add(target).id
            add_seconds[doc_id] = round(time.perf_counter() - started, 2)
        questions[doc_id] = [q.question for q in spread(list(items), limit)]
    return books, questions, add_seconds


def compare(books, questions: dict[str, list[str]]) -> dict[str, dict]:
    from assistant.library import Single

    books.ask("What is this document about?")  # every engine loaded and warm
    figures = {}
    for doc_id, asked in questions.items():
        alone_engine = Single(books.engine(doc_id), doc_id)
        kept = routed = taken = answered = refused = false_answers = 0
        alone_ms, library_ms = [], []
        for question in asked:
            forget = books._query.forget  # each timing includes encoding the question
            forget()
            t0 = time.perf_counter()
            alone = alone_engine.ask(question)
            t1 = time.perf_counter()
            forget()
            together = books.ask(question)
            t2 = time.perf_counter()
            alone_ms.append((t1 - t0) * 1000)
            library_ms.append((t2 - t1) * 1000)
            where = {c.document for c in together.citations}
            kept += (alone.answer, alone.abstained) == (together.answer, together.abstained) and where <= {doc_id}
            if alone.abstained:
                refused += 1
                false_answers += not together.abstained
            else:
                answered += 1
                routed += not together.abstained and where == {doc_id}
                taken += not together.abstained and where != {doc_id}
        figures[doc_id] = {
            "questions": len(asked), "kept": kept, "answered_alone": answered, "routed": routed, "taken": taken,
            "abstained_alone": refused, "false_answers": false_answers,
            "median_ms_alone": round(median(alone_ms), 1), "median_ms_library": round(median(library_ms), 1),
        }
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="Keep the library here (reused by the next run).")
    parser.add_argument("--limit", type=int, default=40, help="Questions per external document (spread).")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(os.environ.get("TMPDIR", "/tmp")) / "bench-library"
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["ASSISTANT_HOME"] = str(workdir / "home")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    books, questions, add_seconds = build(workdir, args.limit)
    figures = compare(books, questions)
    print(f"{'document':<28} {'add s':>6} {'asked':>6} {'kept':>6} {'routed':>9} {'taken':>6} {'false':>7} "
          f"{'ms alone':>9} {'ms lib':>7}")
    for doc_id, row in figures.items():
        print(f"{doc_id:<28} {add_seconds.get(doc_id, float('nan')):>6.1f} {row['questions']:>6} {row['kept']:>6} "
              f"{row['routed']:>4}/{row['answered_alone']:<4} {row['taken']:>6} "
              f"{row['false_answers']:>3}/{row['abstained_alone']:<3} {row['median_ms_alone']:>9} {row['median_ms_library']:>7}")
    total = {key: sum(row[key] for row in figures.values())
             for key in ("questions", "kept", "answered_alone", "routed", "taken", "abstained_alone", "false_answers")}
    print(f"all: kept {total['kept']}/{total['questions']}, routed {total['routed']}/{total['answered_alone']}, "
          f"taken {total['taken']}, false answers {total['false_answers']}/{total['abstained_alone']}")
    record("library", {"documents": figures, "total": total, "add_seconds": add_seconds,
                       "limit": args.limit, "added_seconds_note": "paper: its index built or checked"})
    return 0


if __name__ == "__main__":
    sys.exit(main())

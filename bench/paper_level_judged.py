"""Rows for fitting paper_confidence.json: judged whole-paper answers with their features.

    python bench/paper_level_judged.py --indexes DIR --verdicts V1.tsv [V2.tsv ...] --out bench/paper_level_judged.jsonl
    python bench/paper_level_judged.py --indexes DIR --verdicts C1.tsv C2.tsv --out bench/paper_level_check.jsonl
    python bench/paper_level_judged.py --indexes DIR --verdicts F.tsv --out bench/paper_level_fresh.jsonl

DIR holds one index folder per document (``assistant index a.pdf b.pdf ... --index-dir DIR``).
Each verdicts file is a TSV with a header and ``key<TAB>verdict<TAB>reason<TAB>better`` lines,
``key`` being ``DOCUMENT#N`` for question N of ``QUESTIONS`` and ``verdict`` one of RIGHT,
PARTLY, WRONG (a reader's judgement of the answer shown; ABSTAIN_* lines are skipped). Each
judged question is asked again with the current code; an answer about the paper's content
(overview.PaperSelection, not a front-matter aspect) becomes a row with paper_confidence.FEATURES,
its label (RIGHT 1, PARTLY 0.5, WRONG 0) and the confidence the rule rates showed (``before``).
Only numbers, names and verdicts are written, never the documents' text. CHANGELOG (twenty-eighth
round; twenty-ninth for ``paper_level_fresh.jsonl``, 20 documents from outside the probe set) says which
PDFs were judged and how.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

QUESTIONS = (
    "What is the main argument of the paper?", "What does the paper conclude?", "What are the main findings?",
    "What method do the authors use?", "What problem does the paper address?", "Summarize the paper.",
    "What are the limitations?", "What do the authors propose?",
)
LABELS = {"RIGHT": 1.0, "PARTLY": 0.5, "WRONG": 0.0}


def read_verdicts(paths: list[Path]) -> dict[str, str]:
    verdicts: dict[str, str] = {}
    for path in paths:
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle, delimiter="\t"):
                if row and row[0] != "key" and len(row) > 1 and row[1] in LABELS:
                    verdicts[row[0]] = row[1]
    return verdicts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--indexes", type=Path, required=True)
    parser.add_argument("--verdicts", type=Path, nargs="+", required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    from assistant import overview
    from assistant.confidence import load_model, shown
    from assistant.engine import Assistant, clean_question
    from assistant.index import load_index
    from assistant.results import Output, write_text_atomic

    kind = Output("judged paper-level rows written by bench/paper_level_judged.py",  # the fit's rows or the check set's
                  (frozenset({"document", "question", "verdict", "x"}),), lines=True)
    verdicts = read_verdicts(args.verdicts)
    by_document: dict[str, list[tuple[int, str]]] = {}
    for key, verdict in verdicts.items():
        name, _, number = key.rpartition("#")
        by_document.setdefault(name, []).append((int(number), verdict))
    lines, skipped = [], 0
    for name in sorted(by_document):
        assistant = Assistant.open(load_index(args.indexes / name))
        for number, verdict in sorted(by_document[name]):
            question = clean_question(QUESTIONS[number])
            decision = assistant.decide(question, assistant.query(question))
            selection = decision.selection
            x = (overview.judged_features(selection, assistant._layout)  # None for a front-matter aspect
                 if isinstance(selection, overview.PaperSelection) and not decision.abstained else None)
            if x is None:
                skipped += 1
                continue
            before = shown(float(load_model().probability(decision.features)), decision.floor)
            lines.append(json.dumps({"document": name, "question": QUESTIONS[number], "aspect": selection.aspect,
                                     "verdict": verdict, "label": LABELS[verdict], "x": x.tolist(),
                                     "before": round(before, 4)}))
    write_text_atomic(args.out, "".join(line + "\n" for line in lines), kind)
    print(f"{len(lines)} rows from {len(by_document)} documents written to {args.out}; "
          f"{skipped} judged answers are not paper-level now (or abstained) and were left out")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Validate the QA gold sets (gold.jsonl and gold_heldout.jsonl).

Usage: python3 check_gold.py [PAPER_TXT]

Checks: valid JSON per line, required keys and value types, allowed types,
ids unique across both files, every evidence quote is an exact substring of
the paper text, and unanswerable <=> (answer == "" and evidence == []).
Prints counts per type for each file. Exits 1 on any failure.
Standard library only.
"""
import collections
import json
import os
import sys

DEFAULT_PAPER = "/work/shared/paper/bijan-goncharova-2021-iran-russia-security.txt"
HERE = os.path.dirname(os.path.abspath(__file__))
FILES = [os.path.join(HERE, "gold.jsonl"), os.path.join(HERE, "gold_heldout.jsonl")]
REQUIRED = {"id": str, "question": str, "answer": str, "evidence": list, "type": str}
TYPES = {"factoid", "list", "definition", "why", "comparison", "paraphrase",
         "multi_hop", "notes_reference", "unanswerable"}


def main(argv):
    paper_path = argv[1] if len(argv) > 1 else DEFAULT_PAPER
    with open(paper_path, encoding="utf-8") as fh:
        paper = fh.read()

    errors = []
    seen_ids = {}
    counts = {}

    for path in FILES:
        name = os.path.basename(path)
        counts[name] = collections.Counter()
        if not os.path.exists(path):
            errors.append(f"{name}: file not found")
            continue
        with open(path, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                where = f"{name}:{lineno}"
                if not line.strip():
                    errors.append(f"{where}: blank line")
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    errors.append(f"{where}: invalid JSON ({exc})")
                    continue
                if not isinstance(row, dict):
                    errors.append(f"{where}: not a JSON object")
                    continue
                bad = False
                for key, typ in REQUIRED.items():
                    if key not in row:
                        errors.append(f"{where}: missing key {key!r}")
                        bad = True
                    elif not isinstance(row[key], typ):
                        errors.append(f"{where}: key {key!r} should be {typ.__name__}")
                        bad = True
                extra = set(row) - set(REQUIRED)
                if extra:
                    errors.append(f"{where}: unexpected keys {sorted(extra)}")
                if bad:
                    continue
                qid = row["id"]
                where = f"{where} ({qid})"
                if qid in seen_ids:
                    errors.append(f"{where}: duplicate id (also {seen_ids[qid]})")
                else:
                    seen_ids[qid] = f"{name}:{lineno}"
                if not row["question"].strip():
                    errors.append(f"{where}: empty question")
                qtype = row["type"]
                if qtype not in TYPES:
                    errors.append(f"{where}: unknown type {qtype!r}")
                counts[name][qtype] += 1
                ev = row["evidence"]
                for i, quote in enumerate(ev):
                    if not isinstance(quote, str) or not quote:
                        errors.append(f"{where}: evidence[{i}] is not a non-empty string")
                    elif quote not in paper:
                        errors.append(f"{where}: evidence[{i}] not found in paper: {quote!r}")
                is_unans = qtype == "unanswerable"
                empty = row["answer"] == "" and ev == []
                if is_unans and not empty:
                    errors.append(f"{where}: unanswerable must have answer \"\" and evidence []")
                if not is_unans and empty:
                    errors.append(f"{where}: answer \"\" and evidence [] but type is {qtype!r}")
                if not is_unans and (row["answer"] == "" or ev == []):
                    errors.append(f"{where}: answerable question needs a non-empty answer and evidence")
                if qtype == "multi_hop" and len(ev) < 2:
                    errors.append(f"{where}: multi_hop needs at least 2 evidence quotes")

    for name, c in counts.items():
        total = sum(c.values())
        print(f"{name}: {total} questions")
        for t in sorted(TYPES):
            print(f"  {t:16s} {c.get(t, 0)}")

    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors:
            print("  " + e)
        return 1
    print("\nOK: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

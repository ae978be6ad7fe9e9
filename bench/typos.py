"""Typing slips in questions: evidence hit with and without reading them as the document's words.

    python bench/typos.py [--index-dir DIR] [--seed 7]

Each dev gold file's questions get one slip (a letter dropped, or two neighbours swapped, never the
first), chosen at random (seeded per file and kind), once in a capitalised word of five letters or
more ("names") and once in a lower-case word of six letters or more that is no stopword ("words");
follow-ups keep their words. The paper's assistant answers the files as written and as slipped, with the slips read
as the document's words (``Assistant.read_slips``, spelling.py) and without, and the bench prints
evidence hit, answered-on-answerable and abstain-on-unanswerable for each, and how many questions
each reading changed. The held-out files are never read. The figures are appended to
bench/results/typos.jsonl.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import record  # noqa: E402

FILES = ("gold.jsonl", "gold_reader_dev.jsonl", "gold_reader_blind_dev.jsonl", "gold_reader_val.jsonl")
QUESTION_WORDS = frozenset("which where what there while after their these those about according could would should".split())


def slipped(word: str, rng: random.Random) -> str:
    """``word`` with a letter dropped or two neighbours swapped (never the first letter)."""
    i = rng.randrange(1, len(word) - 1)
    if rng.random() < 0.5:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def with_slips(items: list, rng: random.Random, kind: str = "names") -> tuple[list, int]:
    """The gold items with one slip in a capitalised word (``kind`` "names") or in a lower-case word of six
    letters or more that is no stopword ("words") of each question that has one (not follow-ups)."""
    from assistant.expansion import common_words

    out, changed = [], 0
    for item in items:
        if kind == "names":
            words = [w for w in re.findall(r"[A-Za-z]{5,}", item.question) if w[0].isupper() and w.lower() not in QUESTION_WORDS]
        else:
            words = [w for w in re.findall(r"\b[a-z]{6,}\b", item.question) if w not in common_words()]
        if words and item.context is None:
            word = rng.choice(words)
            typo = slipped(word, rng)
            if typo != word:
                item = dataclasses.replace(item, question=item.question.replace(word, typo, 1))
                changed += 1
        out.append(item)
    return out, changed


def scores(assistant, items: list) -> dict:
    from assistant.evaluate import run

    overall = run(assistant, items, systems=("hybrid",))["systems"]["hybrid"]["overall"]
    return {key: None if overall.get(key) is None else round(overall[key], 3)
            for key in ("evidence_hit", "answered_on_answerable", "abstain_on_unanswerable")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, default=None, help="The paper's index (default: the embedded one).")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    from assistant import paths
    from assistant.engine import Assistant
    from assistant.gold import load_gold
    from assistant.paper import open_index

    reading = Assistant.open(open_index(args.index_dir))
    literal = dataclasses.replace(reading, read_slips=False)
    figures: dict = {"seed": args.seed, "files": {}}
    for name in FILES:
        items = load_gold(paths.source_dir() / name)
        row: dict = {"questions": len(items), "read_as_written": sum(reading.read(i.question) != i.question for i in items),
                     "as_written": scores(reading, items)}
        print(f"{name}: {len(items)} questions, {row['read_as_written']} read otherwise as written")
        print(f"  {'as_written':22s} " + "  ".join(f"{k} {v}" for k, v in row["as_written"].items()))
        for kind in ("names", "words"):
            rng = random.Random(f"{args.seed}-{name}-{kind}")
            slips, changed = with_slips(items, rng, kind)
            row[kind] = {"slipped": changed, "read": sum(reading.read(i.question) != i.question for i in slips),
                         "literal": scores(literal, slips), "read_as": scores(reading, slips)}
            print(f"  slips in {kind}: {changed} questions, {row[kind]['read']} read")
            for key in ("literal", "read_as"):
                print(f"    {key:20s} " + "  ".join(f"{k} {v}" for k, v in row[kind][key].items()))
        figures["files"][name] = row
    record("typos", figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Paper-level and front-matter questions: are they answered from the right part of the paper?

    python bench/paper_level.py                        # the embedded paper (its default index)
    python bench/paper_level.py --index-dir DIR        # another index, same questions
    python bench/paper_level.py --external             # the paper-level questions on a COVID-QA paper
                                                       # and a SQuAD article (indexed in a temporary folder)

``bench/paper_level.jsonl`` holds the questions, written before the paper-level answering was
built, each with the section kinds that may answer it ("title" is the title block). A question
counts as answered from the right section when it is not abstained on, its first citation is in
one of those kinds, and no citation comes from the front matter, the disclaimer or "About the
authors" unless the question's kinds allow it. Also printed: how many answered questions of the
gold files cite the front matter, the disclaimer or "About the authors" without being about them
(a question is about them when its evidence lies there).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE / "paper_level.jsonl"
GOLD = ("source/gold.jsonl", "source/gold_heldout.jsonl")
FRONT = {"front", "about_authors", "disclaimer", "title"}
EXTERNAL = (
    Path("/work/shared/external/covid_qa/covidqa_doc1557.json"),
    Path("/work/shared/external/squad/Normans.json"),
)


def read_questions(path: Path = QUESTIONS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def cited_kinds(doc, answer) -> list[str]:
    """The kind of the part each citation comes from ("title" for the title block)."""
    from assistant.structure import display_text

    out = []
    title = " ".join(doc.title.split())
    for c in answer.citations:
        paragraph = next(p for p in doc.paragraphs if p.start <= c.start < p.end)
        kind = doc.sections[paragraph.section].kind
        is_title = kind in ("front", "body") and title and title in display_text(c.text)
        out.append("title" if paragraph.kind == "title" or is_title else kind)
    return out


def right_section(kinds: list[str], allowed: set[str]) -> bool:
    return bool(kinds) and kinds[0] in allowed and all(k in allowed or k not in FRONT for k in kinds)


def paper_level(assistant, show: bool = True) -> dict:
    doc = assistant.document
    tally: dict[str, list[int]] = {}
    for q in read_questions():
        answer = assistant.ask(q["question"])
        kinds = [] if answer.abstained else cited_kinds(doc, answer)
        ok = right_section(kinds, set(q["kinds"]))
        group = "front matter" if q["aspect"] == "meta" else "paper-level"
        tally.setdefault(group, [0, 0])
        tally[group][0] += ok
        tally[group][1] += 1
        if show:
            where = "abstained" if answer.abstained else ",".join(kinds)
            print(f"{q['id']} {'ok ' if ok else 'BAD'} {answer.confidence:.2f} [{where}] {q['question']}")
            print(f"      {answer.answer[:220]}")
    return tally


def front_leaks(assistant, root: Path) -> tuple[int, int]:
    """Answered gold questions not about the front matter that cite it, of all answered ones."""
    doc = assistant.document
    leaks = answered = 0
    for name in GOLD:
        for line in (root / name).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record["type"] == "unanswerable":
                continue
            evidence_kinds = set()
            for quote in record["evidence"]:
                at = doc.source.find(quote)
                if at >= 0:
                    paragraph = next(p for p in doc.paragraphs if p.start <= at < p.end)
                    evidence_kinds.add(doc.sections[paragraph.section].kind)
            answer = assistant.ask(record["question"])
            if answer.abstained:
                continue
            answered += 1
            if not evidence_kinds & FRONT and set(cited_kinds(doc, answer)) & FRONT:
                leaks += 1
                print(f"  leak {record['id']}: {record['question']}")
    return leaks, answered


def external(questions: list[dict], workdir: Path | None) -> None:
    from assistant.engine import Assistant
    from assistant.errors import AssistantError
    from assistant.index import load_index
    from assistant.squad import index_squad

    with tempfile.TemporaryDirectory(prefix="paper-level-") as tmp:
        for path in EXTERNAL:
            folder = (workdir or Path(tmp)) / path.stem
            try:  # kept between runs with --workdir
                index = load_index(folder / path.stem)
            except AssistantError:  # none yet, or from an older format
                folder.mkdir(parents=True, exist_ok=True)
                index = load_index(index_squad(path, folder).index_dir)
            assistant = Assistant.open(index)
            print(f"\n== {path.name}")
            for q in questions:
                if q["aspect"] == "meta":
                    continue
                answer = assistant.ask(q["question"])
                where = "abstained" if answer.abstained else ",".join(
                    f"{c.section[:24]}¶{c.paragraph}" for c in answer.citations)
                print(f"{q['id']} {answer.confidence:.2f} [{where}] {q['question']}\n      {answer.answer[:200]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, default=None)
    parser.add_argument("--external", action="store_true", help="also ask the questions of a COVID-QA paper and a SQuAD article")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the external documents' indexes here")
    parser.add_argument("--quiet", action="store_true", help="totals only")
    args = parser.parse_args(argv)

    from assistant.engine import Assistant
    from assistant.paper import open_index

    assistant = Assistant.open(open_index(args.index_dir))
    tally = paper_level(assistant, show=not args.quiet)
    for group, (ok, total) in tally.items():
        print(f"{group}: {ok} of {total} answered from the right section")
    if args.index_dir is None:
        leaks, answered = front_leaks(assistant, HERE.parent)
        print(f"gold questions citing front matter, disclaimer or 'About the authors' without being about them: "
              f"{leaks} of {answered} answered")
    if args.external:
        external(read_questions(), args.workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Titles and bylines read from real PDFs, scored against the PDFs' file names.

    python bench/pdf_titles.py --dir ~/papers                    # every *.pdf in a folder
    python bench/pdf_titles.py --dir ~/papers --save /tmp/after.json --compare /tmp/before.json

Collections such as papers-we-love name each PDF after its title ("making-lockless-synchronization-
fast.pdf"). For each PDF whose name has at least three words, this prints the detected title and
authors, and counts the PDFs whose title holds every word of the name (a name often leaves out a
subtitle, so a title longer than its name is fine; one that lacks a name's word was cut or is not the
title) and those where a word of the name was read as an author (a title cut at a line break whose
rest reads as a byline: "An Axiomatic Basis for" / "Computer Programming"). With ``--compare`` (the
``--save`` file of a run of other code) it lists the PDFs whose title or authors changed. The PDFs are
only read; nothing is written but the record in bench/results/pdf_titles.jsonl and the --save file: a new
file or an earlier --save file of this script, never any other (refused before the run, in one line).
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

from common import record, refuse_unsafe_save

from assistant.results import Output, write_json_atomic

SAVED = Output("a --save file of pdf_titles.py", (frozenset({"bench", "rows"}),))
STOP = frozenset("a an and of the for in on to with by at from via or".split())


def words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP]


def read(path: Path) -> dict:
    from assistant.byline import authors
    from assistant.errors import AssistantError
    from assistant.ingest import read_document
    from assistant.structure import parse

    try:
        raw = read_document(path)
    except AssistantError as exc:
        return {"file": path.name, "error": str(exc)[:100]}
    doc = parse(raw.text, markdown=raw.markdown, pages=raw.pages, headings=raw.headings,
                title=getattr(raw, "title", None))  # getattr: runs on code older than RawDocument.title too (--compare)
    return {"file": path.name, "title": doc.title, "authors": list(authors(raw.text[:4096], doc.title))}


def score(row: dict) -> tuple[bool, bool] | None:
    """(the title holds every word of the file name, a word of the name is in the authors); None: not scored."""
    name = words(Path(row["file"]).stem.replace("_", " ").replace("-", " "))
    if "error" in row or len(name) < 3:
        return None
    title = set(words(row["title"]))
    in_authors = set(words(" ".join(row["authors"])))
    return all(w in title for w in name), any(w in in_authors for w in name if len(w) > 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, required=True, help="a folder of PDFs named after their titles")
    parser.add_argument("--save", type=Path, help="write the rows here (JSON)")
    parser.add_argument("--compare", type=Path, help="a --save file of another run")
    args = parser.parse_args()
    refuse_unsafe_save(args.save, SAVED)  # before the run: never over a file this script did not write
    started = time.perf_counter()
    rows = [read(path) for path in sorted(args.dir.glob("*.pdf"))]
    scored = [(row, s) for row in rows if (s := score(row)) is not None]
    for row, (complete, leaked) in scored:
        mark = ("ok " if complete else "CUT") + (" AUTH" if leaked else "     ")
        print(f"{mark} {row['file'][:44]:44} | {row['title'][:80]} | {'; '.join(row['authors'])[:60]}")
    complete = sum(c for _, (c, _) in scored)
    leaked = sum(a for _, (_, a) in scored)
    print(f"\n{len(rows)} PDFs, {len(scored)} scored: title holds the file name's words {complete}/{len(scored)}; "
          f"a name word read as an author {leaked}/{len(scored)}; {time.perf_counter() - started:.0f} s")
    if args.compare:
        before = {row["file"]: row for row in json.loads(args.compare.read_text(encoding="utf-8"))["rows"]}
        for row in rows:
            old = before.get(row["file"])
            if old and (old.get("title"), old.get("authors")) != (row.get("title"), row.get("authors")):
                print(f"\n{row['file']}\n  before: {old.get('title')} | {old.get('authors')}\n  after:  {row.get('title')} | {row.get('authors')}")
    if args.save:
        write_json_atomic(args.save, {"bench": "pdf_titles", "rows": rows}, SAVED, "--save")
    record("pdf_titles", {"pdfs": len(rows), "scored": len(scored), "complete": complete, "name_in_authors": leaked})


if __name__ == "__main__":
    main()

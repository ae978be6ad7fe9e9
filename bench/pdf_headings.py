"""Headings set in the body font, on real PDFs: how many sections a PDF gets, and how many sentences
still start with a numbered heading that was glued onto them ("12 PROPERTIES OF EQUIVOCATION Equivocation
may be ...").

    python bench/pdf_headings.py                        # the PDFs this machine ships
    python bench/pdf_headings.py --dir ~/papers         # every *.pdf in a folder, plus those
    python bench/pdf_headings.py --dir ~/papers --save /tmp/after.json --compare /tmp/before.json

For each PDF it prints its sections, the sentences that start like a numbered heading (a section
number and a capitalised word: list items count too, so this is an upper bound), those whose first
line reads as a heading and that go on past it (a heading line glued on) and, with ``--compare`` (the ``--save`` file of a run of other code), the
figures of that run and the section titles new in this one (so that false headings can be seen).
It also checks that the plain-text paper the package ships (source/*.txt) parses as before when
given ``--compare``. Nothing is written but the record in bench/results/pdf_headings.jsonl (and the
``--save`` file). The PDFs are only read.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from bench_pdf import add_pdf_arguments, pdf_paths
from common import record, refuse_unsafe_save

from assistant.results import Output, write_json_atomic

ROOT = Path(__file__).resolve().parents[1]
SAVED = Output("a --save file of pdf_headings.py", (frozenset({"bench", "figures"}),))
NUMBERED_START = re.compile(r"\d{1,2}(?:\.\d{1,2})*\.?\s+[A-Z][A-Za-z]+")  # "3.1 Keys", "6. Conclusions"
HEADING_LINE = re.compile(r"\d{1,2}(?:\.\d{1,2})*\.?\s+[A-Z][^=]{2,70}|(?:Abstract|ABSTRACT|References|REFERENCES|Conclusions?)")
MARKDOWN = """# Field notes

## 1 Towers

The towers stood on rocks.

## 2 Lenses

1. Each lens was ground by hand.
2. Each lamp burned oil.

2015 was the year the last keeper left.
"""


def glued(text: str) -> bool:
    """A sentence whose first line reads as a numbered heading and that goes on past it (a heading
    glued onto the sentence that follows it: "12 PROPERTIES OF EQUIVOCATION" / "Equivocation may be ...")."""
    first, _, rest = text.partition("\n")
    match = HEADING_LINE.fullmatch(first.strip())
    return bool(match and rest.strip()) and not re.search(r"[.:;,]$", first.strip()) and len(first.split()) <= 13


def figures(doc) -> dict:
    return {"sections": len(doc.sections),
            "titles": [[s.kind, s.title] for s in doc.sections],
            "numbered_starts": [s.text[:80] for s in doc.sentences if NUMBERED_START.match(s.text)],
            "glued": [s.text[:80] for s in doc.sentences if glued(s.text)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_pdf_arguments(parser)
    parser.add_argument("--save", type=Path, help="write this run's figures here (JSON)")
    parser.add_argument("--compare", type=Path, help="the --save file of a run of other code")
    args = parser.parse_args()
    refuse_unsafe_save(args.save, SAVED)  # before the run: never over a file this script did not write
    paths = pdf_paths(args)

    from assistant.errors import InputError
    from assistant.ingest import read_document
    from assistant.structure import parse

    before = json.loads(args.compare.read_text()) if args.compare else {}
    before = before.get("figures", before)  # a --save file holds them under "figures" (earlier ones were bare)
    now: dict[str, dict] = {}
    rows = []
    for path in paths:
        if not path.exists():
            continue
        try:
            raw = read_document(path)
        except InputError as exc:  # no text layer, protected, damaged: not a PDF whose headings can be read
            print(f"{path.name[:44]:44s} skipped: {exc}")
            continue
        now[path.name] = fig = figures(parse(raw.text, pages=raw.pages, headings=raw.headings))
        old = before.get(path.name)
        row = {"pdf": path.name, "sections": fig["sections"], "numbered_starts": len(fig["numbered_starts"]),
               "glued": len(fig["glued"])}
        if old:
            old_titles = {tuple(t) for t in old["titles"]}
            new_titles = [f"{kind}: {title}" for kind, title in fig["titles"] if (kind, title) not in old_titles]
            lost = [f"{kind}: {title}" for kind, title in old["titles"] if tuple((kind, title)) not in {tuple(t) for t in fig["titles"]}]
            row.update(sections_before=old["sections"], numbered_starts_before=len(old["numbered_starts"]),
                       glued_before=len(old["glued"]),
                       new_headings=new_titles, lost_headings=lost)
            print(f"{path.name[:44]:44s} sections {old['sections']:3d} -> {fig['sections']:3d}   "
                  f"starting like a numbered heading {len(old['numbered_starts']):3d} -> {len(fig['numbered_starts']):3d}   "
                  f"heading line glued on {len(old['glued']):3d} -> {len(fig['glued']):3d}")
            for title in new_titles:
                print(f"    + {title}")
            for title in lost:
                print(f"    - {title}")
        else:
            print(f"{path.name[:44]:44s} sections {fig['sections']:3d}   "
                  f"starting like a numbered heading {len(fig['numbered_starts']):3d}   heading line glued on {len(fig['glued']):3d}")
        rows.append(row)
    for name in sorted((ROOT / "source").glob("*.txt")):
        now[f"source/{name.name}"] = figures(parse(name.read_text(encoding="utf-8")))
    now["markdown sample"] = figures(parse(MARKDOWN, markdown=True))
    now["text sample"] = figures(parse(MARKDOWN.replace("#", "")))
    unchanged = {key: now[key] == before[key] for key in now if key in before and not key.endswith(".pdf")}
    if unchanged:
        print("text and Markdown parse as before:", unchanged)
    total = {key: sum(r.get(key, 0) for r in rows)
             for key in ("sections", "sections_before", "numbered_starts", "numbered_starts_before", "glued", "glued_before")}
    print(f"all {len(rows)} PDFs: {total}")
    if args.save:
        write_json_atomic(args.save, {"bench": "pdf_headings", "figures": now}, SAVED, "--save")
    record("pdf_headings", {"pdfs": rows, "total": total, "text_unchanged": unchanged})


if __name__ == "__main__":
    main()

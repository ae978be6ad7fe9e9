"""Sentence health on real PDFs: how many sentences a layout or the segmenter broke.

    python bench/pdf_sentences.py                        # the PDFs this machine ships
    python bench/pdf_sentences.py --dir ~/papers         # every *.pdf in a folder, plus those
    python bench/pdf_sentences.py --dir ~/papers --save /tmp/after.json --compare /tmp/before.json

Counted per PDF, outside the reference list and the notes (whose entries break as they like):

* lower-case starts: sentences opening with a lower-case letter, most often the second half of a
  sentence a figure, a page break or the segmenter cut ("exactly once, or even that ...");
* spliced captions: sentences whose prose runs into a figure's or table's caption ("... will be
  applied Recovery's initial LSN estimates 0 0 0 ... Figure 2: LSN estimation.");
* cut before a number: sentences ending on a noun a number labels, the number left to the next
  ("... shown in Table" / "3. The first column ...");
* long: sentences over 80 words (a list, a table or code read as one sentence).

With ``--compare`` (the ``--save`` file of a run of other code) it prints each PDF's figures before
and after and the sentences new in this run, and checks that the plain-text paper the package ships
(source/*.txt) has the same sentences. Nothing is written but the record in
bench/results/pdf_sentences.jsonl (and the ``--save`` file). The PDFs are only read.
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
SAVED = Output("a --save file of pdf_sentences.py", (frozenset({"bench", "figures"}),))
SKIPPED = frozenset({"references", "notes"})
CAPTION = re.compile(r"(?:Fig(?:ure)?\.?|Table)\s*\d+[a-z]?[.:](?!\w)")
CUT_BEFORE_NUMBER = re.compile(r"\b(?:Table|Figure|Section|Chapter|Eq\.|Sect\.|step|day)$", re.I)
COUNTS = ("sentences", "lower_case_starts", "spliced_captions", "cut_before_number", "long")


def spliced(text: str) -> bool:
    """Prose (six lower-case words or more after a capitalised first word) running into a caption."""
    caption = CAPTION.search(text)
    head = text[: caption.start()] if caption else ""
    return bool(caption) and bool(re.match(r"[A-Z][a-z]+ [a-z]+", head)) and len(re.findall(r"\b[a-z]{3,}\b", head)) >= 6


def figures(doc) -> dict:
    from assistant.structure import display_text

    kinds = {s.id: s.kind for s in doc.sections}
    texts = [display_text(s.text) for s in doc.sentences if kinds[s.section] not in SKIPPED]
    return {"sentences": texts,
            "lower_case_starts": sum(t[:1].islower() for t in texts),
            "spliced_captions": sum(map(spliced, texts)),
            "cut_before_number": sum(bool(CUT_BEFORE_NUMBER.search(t)) for t in texts),
            "long": sum(len(t.split()) > 80 for t in texts)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_pdf_arguments(parser)
    parser.add_argument("--save", type=Path, help="write this run's figures here (JSON)")
    parser.add_argument("--compare", type=Path, help="the --save file of a run of other code")
    parser.add_argument("--show", type=int, default=3, help="new sentences shown per PDF with --compare")
    args = parser.parse_args()
    refuse_unsafe_save(args.save, SAVED)  # before the run: never over a file this script did not write
    paths = pdf_paths(args)

    from assistant.errors import InputError
    from assistant.ingest import read_document
    from assistant.structure import parse

    before = json.loads(args.compare.read_text())["figures"] if args.compare else {}
    now: dict[str, dict] = {}
    rows = []
    for path in paths:
        if not path.exists():
            continue
        try:
            raw = read_document(path)
        except InputError as exc:
            print(f"{path.name[:44]:44s} skipped: {exc}")
            continue
        now[path.name] = fig = figures(parse(raw.text, pages=raw.pages, headings=raw.headings, title=raw.title))
        row = {"pdf": path.name, **{key: fig[key] if key != "sentences" else len(fig[key]) for key in COUNTS}}
        old = before.get(path.name)
        if old:
            row.update({f"{key}_before": old[key] if key != "sentences" else len(old[key]) for key in COUNTS})
            new = [t for t in fig["sentences"] if t not in set(old["sentences"])]
            row["new_sentences"] = len(new)
            if new:
                print(f"{path.name[:44]:44s} " + "   ".join(f"{key.replace('_', ' ')} {row[key + '_before']} -> {row[key]}"
                                                            for key in COUNTS) + f"   new sentences {len(new)}")
                for text in new[: args.show]:
                    print(f"    + {text[:160]}")
        else:
            print(f"{path.name[:44]:44s} " + "   ".join(f"{key.replace('_', ' ')} {row[key]}" for key in COUNTS))
        rows.append(row)
    for name in sorted((ROOT / "source").glob("*.txt")):
        now[f"source/{name.name}"] = figures(parse(name.read_text(encoding="utf-8")))
    unchanged = {key: now[key]["sentences"] == before[key]["sentences"] for key in now if key in before and not key.endswith(".pdf")}
    if unchanged:
        print("the text paper's sentences as before:", unchanged)
    total = {key: sum(r.get(key, 0) for r in rows) for key in (*COUNTS, *(f"{k}_before" for k in COUNTS), "new_sentences")}
    print(f"all {len(rows)} PDFs: {total}")
    if args.save:
        write_json_atomic(args.save, {"bench": "pdf_sentences", "figures": now}, SAVED, "--save")
    record("pdf_sentences", {"pdfs": [{k: v for k, v in r.items()} for r in rows], "total": total, "text_unchanged": unchanged})


if __name__ == "__main__":
    main()

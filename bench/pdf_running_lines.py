"""Running headers and footers that carry a page number, on real PDFs: what ingest drops, and
whether any of their text is still inside a sentence.

    python bench/pdf_running_lines.py                  # the PDFs this machine ships
    python bench/pdf_running_lines.py --dir ~/papers   # every *.pdf in a folder, plus those

For each PDF it prints its pages, the running lines ``ingest.running_lines`` finds (page number
aside: "to appear in osdi # #") with how many it drops, and the sentences of the parsed text that
still hold such a line (0 is the aim; a document may also name its own running title in a sentence).
Nothing is written but the record in bench/results/pdf_running_lines.jsonl. The PDFs are only read.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter

from bench_pdf import add_pdf_arguments, pdf_paths
from common import record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_pdf_arguments(parser)
    args = parser.parse_args()
    paths = pdf_paths(args)

    import pypdfium2

    from assistant.errors import InputError
    from assistant.ingest import _page_lines, read_document, running_key, running_lines
    from assistant.structure import display_text, parse

    rows = []
    for path in paths:
        try:
            raw = read_document(path)
        except InputError as exc:  # no text layer, protected, damaged: no running lines to read
            print(f"{path.name[:44]:44s} skipped: {exc}")
            continue
        pdf = pypdfium2.PdfDocument(path.read_bytes())
        try:
            pages = [_page_lines(pdf, n) for n in range(len(pdf))]
        finally:
            pdf.close()
        dropped = Counter(running_key(pages[n][i].text) for n, lines in enumerate(running_lines(pages)) for i in lines)
        patterns = [re.compile(re.escape(key).replace("\\#", r"\d+"), re.I) for key in dropped if key]
        doc = parse(raw.text, pages=raw.pages, headings=raw.headings)
        inside = sum(any(p.search(display_text(s.text)) for p in patterns) for s in doc.sentences)
        rows.append({"pdf": path.name, "pages": len(pages), "dropped": sum(dropped.values()),
                     "running": dict(dropped.most_common(3)), "sentences_holding_one": inside})
        print(f"{path.name[:44]:44s} pages {len(pages):3d} dropped {sum(dropped.values()):3d} "
              f"still in a sentence {inside:2d}  {dict(dropped.most_common(2))}")
    total = {key: sum(r[key] for r in rows) for key in ("pages", "dropped", "sentences_holding_one")}
    print(f"all {len(rows)} PDFs: {total}")
    record("pdf_running_lines", {"pdfs": rows, "total": total})


if __name__ == "__main__":
    main()

"""pypdf against PDFium (pypdfium2) on real PDFs: speed, text defects, reading order, sections.

    python bench/bench_pdf.py                      # the PDFs this machine ships (see DEFAULT_PDFS)
    python bench/bench_pdf.py --dir ~/papers       # every *.pdf in a folder, plus those
    python bench/bench_pdf.py a.pdf b.pdf --runs 5

For each PDF and library it prints the extraction time (median of --runs, all pages), the
characters extracted, glyphs lost (control characters or U+FFFD where a ligature such as "fi"
could not be mapped), words left hyphenated across a line break, whether known sentences come
out whole (PROBES: a sentence that crosses a line, column or hyphen break in the PDF; whitespace
collapsed before comparing), and the sections the parser then finds (pypdf: headings guessed from
line shapes, as before; PDFium: from font sizes). Nothing is written but the record in
bench/results/pdf.jsonl. The PDFs are only read.
"""

from __future__ import annotations

import argparse
import io
import logging
import re
import time
import warnings
from pathlib import Path

from common import machine_line, median, numpy_import_seconds, record

DEFAULT_PDFS = [Path("/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf"), Path("/usr/share/doc/libtasn1-doc/libtasn1.pdf")]


def add_pdf_arguments(parser: argparse.ArgumentParser) -> None:
    """The PDFs a bench reads besides DEFAULT_PDFS: named ones, and every *.pdf in --dir."""
    parser.add_argument("pdfs", nargs="*", type=Path)
    parser.add_argument("--dir", type=Path, help="also every *.pdf in this folder")


def pdf_paths(args: argparse.Namespace) -> list[Path]:
    """DEFAULT_PDFS, the named PDFs and --dir's, each name once (the last one given wins), in order."""
    paths = [*DEFAULT_PDFS, *args.pdfs, *(sorted(args.dir.glob("*.pdf")) if args.dir else [])]
    return list({path.name: path for path in reversed(paths)}.values())[::-1]

# file name -> sentences that a correct extraction keeps whole (each crosses a line, column,
# hyphen or ligature in its PDF). The PDFs are public papers (papers-we-love) and two manuals.
PROBES = {
    "shared-mime-info-spec.pdf": ["This specification attempts to unify the MIME database systems currently in use by GNOME[GNOME], KDE[KDE] and ROX[ROX], and provide room for future extensibility."],
    "bigtable.pdf": ["Each row range is called a tablet, which is the unit of distribution and load balancing.",
                     "As a result, reads of short row ranges are efficient and typically require communication with only a small number of machines.",
                     "This addition ensures that the root tablet will be assigned."],
    "mapreduce.pdf": ["The weaker semantics arise because e(R1) may have read the output produced by one execution of M"],
    "dynamo.pdf": ["To address these issues, Dynamo uses a variant of consistent hashing (similar to the one used in [10, 20]): instead of mapping a node to a single point in the circle"],
    "chubby.pdf": ["If a file is created, the caller may supply initial contents and initial ACL names."],
    "spanner.pdf": ["Daemons apply a variant of Marzullo’s algorithm [27] to detect and reject liars, and synchronize the local machine clocks to the nonliars."],
    "bitcoin.pdf": ["We define an electronic coin as a chain of digital signatures."],
}
_LOST_GLYPH = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd\ufffe]")
_HYPHEN_BREAK = re.compile(r"[a-z]-\n\s*[a-z]")


def pypdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def pypdf_document(data: bytes):
    """The text and sections as the previous reader made them: pypdf, blank lines from line shapes."""
    from assistant.ingest import PAGE_SEPARATOR, paragraph_breaks
    from assistant.structure import parse

    pages = [paragraph_breaks(text) for text in pypdf_pages(data)]
    starts, offset = [], 0
    for page in pages:
        starts.append(offset)
        offset += len(page) + len(PAGE_SEPARATOR)
    text = PAGE_SEPARATOR.join(pages)
    return text, parse(text, pages=starts)


def pdfium_document(path: Path):
    from assistant.ingest import read_document
    from assistant.structure import parse

    raw = read_document(path)
    return raw.text, parse(raw.text, pages=raw.pages, headings=raw.headings)


def timed(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return median(times)


def pdfium_pages(path: Path) -> None:
    from assistant.ingest import read_document

    read_document(path)


def measure(path: Path, runs: int) -> dict:
    data = path.read_bytes()
    flat = lambda text: " ".join(text.split())  # noqa: E731
    probes = PROBES.get(path.name, [])
    out = {"file": path.name, "kb": round(len(data) / 1024)}
    for name, extract, document in (("pypdf", lambda: pypdf_pages(data), lambda: pypdf_document(data)),
                                    ("pdfium", lambda: pdfium_pages(path), lambda: pdfium_document(path))):
        seconds = timed(extract, runs)
        text, doc = document()
        out[name] = {
            "seconds": round(seconds, 3),
            "pages": len(doc.pages),
            "chars": len(text),
            "lost_glyphs": len(_LOST_GLYPH.findall(text)),
            "hyphen_breaks": len(_HYPHEN_BREAK.findall(text)),
            "probes_whole": sum(flat(p) in flat(text) for p in probes),
            "probes": len(probes),
            "sections": [s.title for s in doc.sections],
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdfs", nargs="*", type=Path)
    parser.add_argument("--dir", type=Path, help="also every *.pdf in this folder")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--titles", action="store_true", help="print every section title")
    args = parser.parse_args()
    pdfs = [p for p in [*DEFAULT_PDFS, *args.pdfs, *(sorted(args.dir.glob("*.pdf")) if args.dir else [])] if p.is_file()]
    print(machine_line())
    reference = numpy_import_seconds()
    rows = [measure(path, args.runs) for path in pdfs]
    print(f"{'pdf':<28} {'pages':>5}  {'seconds pypdf/pdfium':>21}  {'lost glyphs':>12}  {'hyphen breaks':>13}  "
          f"{'probes whole':>12}  {'sections':>9}")
    for row in rows:
        a, b = row["pypdf"], row["pdfium"]
        print(f"{row['file'][:28]:<28} {b['pages']:>5}  {a['seconds']:>9.3f} / {b['seconds']:<9.3f}  "
              f"{a['lost_glyphs']:>5} / {b['lost_glyphs']:<4}  {a['hyphen_breaks']:>6} / {b['hyphen_breaks']:<4}  "
              f"{a['probes_whole']:>3}/{a['probes']} {b['probes_whole']:>2}/{b['probes']}   {len(a['sections']):>3} / {len(b['sections']):<3}")
        if args.titles:
            for name in ("pypdf", "pdfium"):
                print(f"    {name}: {row[name]['sections']}")
    total = {name: sum(r[name]["seconds"] for r in rows) for name in ("pypdf", "pdfium")}
    pages = sum(r["pdfium"]["pages"] for r in rows)
    print(f"\ntotal: {len(rows)} PDFs, {pages} pages; pypdf {total['pypdf']:.2f} s, PDFium {total['pdfium']:.2f} s "
          f"(PDFium's includes font sizes, positions and the line breaks)")
    print(f'reference: python -c "import numpy" median {reference:.3f} s')
    record("pdf", {"rows": rows, "total_s": total, "pages": pages}, reference)


if __name__ == "__main__":
    main()

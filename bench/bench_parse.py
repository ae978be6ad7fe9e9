"""Parse and index one long unpunctuated line (the worst case for sentence segmentation).

    python bench/bench_parse.py                      # 10 KB, 100 KB, 1 MB and 3 MB
    python bench/bench_parse.py --kb 10 100          # chosen sizes
    python bench/bench_parse.py --parse-only         # structure only, no index build

For each size it prints the time to parse (blocks, sentences) and to build the whole
index with the hashing stand-in encoder, and the seconds per KB of each: a linear
parser keeps the per-KB figure flat as the size grows. Target: the 3 MB line indexes
in under 60 s.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from common import record

WORDS = ("the of iran russia policy security region middle east state power balance cooperation "
         "alliance moscow tehran sanctions syria interests strategy threat").split()
TARGET_SECONDS = 60.0  # the 3 MB line, hashing encoder


def unpunctuated_line(kb: float, seed: int = 0) -> str:
    """``kb`` kilobytes of words separated by single spaces: no punctuation, no line break."""
    rng = random.Random(seed)
    words, size = [], 0
    while size < kb * 1000:
        word = rng.choice(WORDS)
        words.append(word)
        size += len(word) + 1
    return " ".join(words) + "\n"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def measure(kb: float, build: bool) -> dict:
    from assistant.encoder import HashingEncoder
    from assistant.index import build_index
    from assistant.structure import parse

    text = unpunctuated_line(kb)
    started = time.perf_counter()
    document = parse(text)
    figures = {"kb": kb, "parse": time.perf_counter() - started, "sentences": len(document.sentences),
               "longest": max(s.end - s.start for s in document.sentences)}
    if build:
        with tempfile.TemporaryDirectory() as scratch:
            source = Path(scratch) / "line.txt"
            source.write_text(text, encoding="utf-8")
            started = time.perf_counter()
            build_index(source, Path(scratch) / "index", encoder=HashingEncoder())
            figures["build"] = time.perf_counter() - started
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kb", type=float, nargs="+", default=[10, 100, 1000, 3000], help="sizes in KB")
    parser.add_argument("--parse-only", action="store_true", help="time parsing only, no index build")
    args = parser.parse_args()
    rows = []
    print(f"{'size':>9} {'parse s':>8} {'ms/KB':>6} {'build s':>8} {'ms/KB':>6} {'sentences':>9} {'longest':>7}")
    for kb in args.kb:
        f = measure(kb, build=not args.parse_only)
        rows.append({k: round(v, 3) if isinstance(v, float) else v for k, v in f.items()})
        build = f"{f['build']:8.2f} {1000 * f['build'] / kb:6.2f}" if "build" in f else f"{'-':>8} {'-':>6}"
        print(f"{kb:>6g} KB {f['parse']:8.2f} {1000 * f['parse'] / kb:6.2f} {build} {f['sentences']:9d} {f['longest']:7d}",
              flush=True)
        if kb >= 3000 and "build" in f:
            print(f"  3 MB build / target {TARGET_SECONDS:.0f} s = {f['build'] / TARGET_SECONDS:.2f}", flush=True)
    print(f"peak RSS: {peak_rss_mb():.0f} MB", file=sys.stderr)
    record("parse", {"sizes": rows, "peak_rss_mb": round(peak_rss_mb()), "target_3mb_build_s": TARGET_SECONDS})


if __name__ == "__main__":
    main()

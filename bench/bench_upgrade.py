"""What opening an index of the previous format costs: the lexical upgrade (``index.upgrade``: only the
BM25 is built again) against rebuilding the whole index, which is what a format change cost before.

    python bench/bench_upgrade.py              # the embedded paper, real model for the full build
    python bench/bench_upgrade.py --mb 1       # also a generated ~1 MB document (hashing encoder: an
                                               # upgrade embeds nothing, so its time does not depend on it)

The older index is this build with the previous format number and another tokenizer (words not
stemmed), listed as upgradable (``index_files.LEXICAL_UPGRADES``) for the bench. Each upgrade runs on
a fresh copy of it.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import time
from pathlib import Path

from common import fresh_dir, machine_line, median, numpy_import_seconds, record, remove


@contextlib.contextmanager
def older_format():
    """Within it, indexes are built as the previous format, with words not stemmed."""
    from assistant import index_files, lexical

    def terms(text: str) -> list[str]:
        return [w for w in lexical.words(text) if w not in lexical.stopwords()]

    saved = lexical.terms, index_files.FORMAT_VERSION
    lexical.terms, index_files.FORMAT_VERSION = terms, saved[1] - 1
    try:
        yield
    finally:
        lexical.terms, index_files.FORMAT_VERSION = saved


def timed_upgrades(old: Path, work: Path, runs: int) -> tuple[list[float], list[float]]:
    """Seconds of ``runs`` upgrades, each of a fresh copy of ``old``, and of the load after each."""
    from assistant import index

    upgrades, loads = [], []
    for run in range(runs):
        target = work / f"copy-{run}"
        shutil.copytree(old, target, symlinks=True)
        started = time.perf_counter()
        assert index.upgrade(target), "not upgraded"
        upgrades.append(time.perf_counter() - started)
        started = time.perf_counter()
        index.load_index(target)
        loads.append(time.perf_counter() - started)
        remove(target)
    return upgrades, loads


def document(label: str, source: Path, work: Path, encoder, runs: int) -> dict:
    from assistant.index import build_index

    started = time.perf_counter()
    build_index(source, work / "fresh", encoder=encoder)
    build_s = time.perf_counter() - started
    with older_format():
        build_index(source, work / "old", encoder=encoder)
    upgrades, loads = timed_upgrades(work / "old", work, runs)
    figures = {"chars": len(source.read_text(encoding="utf-8")), "rebuild_s": round(build_s, 3),
               "upgrade_s": round(median(upgrades), 3), "load_after_s": round(median(loads), 3),
               "encoder": "hashing" if encoder is not None else "model"}
    print(f"{label}: {figures['chars']:,} chars; upgrade {figures['upgrade_s']:.3f} s (median of {runs}), "
          f"then load {figures['load_after_s']:.3f} s; a full rebuild {build_s:.2f} s ({figures['encoder']} encoder)")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mb", type=float, default=0, help="also a generated document of this size (hashing encoder)")
    args = parser.parse_args()
    from assistant import index_files, paths
    from assistant.encoder import HashingEncoder

    index_files.LEXICAL_UPGRADES |= {index_files.FORMAT_VERSION - 1}

    yardstick = numpy_import_seconds()
    print(machine_line(), f"· numpy yardstick {yardstick:.3f} s")
    work = fresh_dir("bench-upgrade-")
    try:
        figures = {"paper": document("paper", paths.default_source(), work / "paper", None, args.runs)}
        if args.mb:
            from bench_large_doc import generate

            source = work / "large.txt"
            source.write_text(generate(int(args.mb * 1_000_000)), encoding="utf-8")
            figures["large"] = document(f"{args.mb} MB", source, work / "large", HashingEncoder(), args.runs)
    finally:
        remove(work)
    record("upgrade", figures, yardstick)


if __name__ == "__main__":
    main()

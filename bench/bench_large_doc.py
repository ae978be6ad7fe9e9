"""Build the index of a generated ~5 MB document with the real model; print time and peak RSS.

    python bench/bench_large_doc.py            # ~5 MB, real model (takes minutes on 2 cores)
    python bench/bench_large_doc.py --mb 0.5   # a smaller run
    python bench/bench_large_doc.py --fake     # structure, chunking and writing only (hashing encoder)
    python bench/bench_large_doc.py --mb 1 --float   # the float export whatever the size (A/B against int8)

The text is synthetic but varied: headings, body paragraphs, bullet lists, footnote
markers, digits and some non-ASCII words, shuffled so no two sections are identical.
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


SUBJECTS = ["Iran", "Russia", "Turkey", "Saudi Arabia", "the United States", "Syria", "Iraq", "Israel",
            "the European Union", "China", "Hezbollah", "the Kurdish groups", "Qatar", "Egypt"]
VERBS = ["supported", "opposed", "negotiated with", "armed", "sanctioned", "mediated between",
         "competed with", "cooperated with", "warned", "financed"]
OBJECTS = ["the government in Damascus", "rebel factions", "regional allies", "the nuclear deal",
           "energy exporters", "local militias", "the Astana process", "naval forces in the Gulf",
           "refugee programmes", "the oil market"]
CLAUSES = ["because of its security concerns", "after the uprising of 2011", "despite Western pressure",
           "in order to protect its bases", "while avoiding direct confrontation", "as part of a wider strategy",
           "according to official statements", "during the civil war", "to balance rival powers"]
EXTRA = ["Россия", "ایران", "Türkiye", "naïve", "café", "Ankara–Tehran", "≈", "§"]


def sentence(rng: random.Random) -> str:
    text = f"In {rng.randint(1990, 2021)}, {rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(CLAUSES)}"
    if rng.random() < 0.15:
        text += f" ({rng.choice(EXTRA)}, {rng.randint(2, 99)}%)"
    text += "."
    if rng.random() < 0.1:
        text += "⁰¹²³⁴⁵⁶⁷⁸⁹"[rng.randint(1, 9)]
    return text


def paragraph(rng: random.Random) -> str:
    if rng.random() < 0.12:
        return "\n".join(f"- {sentence(rng)}" for _ in range(rng.randint(2, 5)))
    lines, line = [], []
    for _ in range(rng.randint(3, 9)):
        line.append(sentence(rng))
        if len(" ".join(line)) > 80:
            lines.append(" ".join(line))
            line = []
    return "\n".join(lines + ([" ".join(line)] if line else []))


def generate(target_bytes: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    parts, size, number = ["A Generated Study of Regional Security Policies\n"], 0, 0
    while size < target_bytes:
        number += 1
        heading = f"Section {number}: {rng.choice(SUBJECTS)} and {rng.choice(OBJECTS)}"
        body = [paragraph(rng) for _ in range(rng.randint(3, 12))]
        block = heading + "\n\n" + "\n\n".join(body) + "\n"
        parts.append(block)
        size += len(block.encode("utf-8"))
    notes = [f"{'⁰¹²³⁴⁵⁶⁷⁸⁹'[i]} {rng.choice(SUBJECTS)}, report no. {i}, {rng.randint(1990, 2021)}, p. {i * 7}." for i in range(1, 10)]
    parts.append("Notes\n\n" + "\n".join(notes) + "\n")
    return "\n".join(parts)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def cpu_seconds() -> float:
    """User + system CPU time of this process: less sensitive than wall time to other load."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=5.0, help="document size in MB (default 5)")
    parser.add_argument("--fake", action="store_true", help="use a hashing encoder instead of the model")
    parser.add_argument("--keep", type=Path, help="build the index here instead of a temporary directory")
    parser.add_argument("--float", action="store_true",
                        help="embed with the float export even at sizes that use its int8 copy (index.INT8_FROM_CHARS)")
    args = parser.parse_args()

    import assistant
    import assistant.index

    if args.float:
        assistant.index.INT8_FROM_CHARS = sys.maxsize
    from assistant.encoder import HashingEncoder
    from assistant.index import build_index, load_index

    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "large.txt"
        source.write_text(generate(int(args.mb * 1_000_000)), encoding="utf-8")
        target = args.keep or Path(scratch) / "index"
        stages: dict[str, float] = {}
        last = {"stage": None, "at": time.perf_counter(), "shown": 0.0}

        def progress(stage: str, done: int, total: int) -> None:
            now = time.perf_counter()
            if stage != last["stage"]:
                if last["stage"] is not None:
                    stages[last["stage"]] = stages.get(last["stage"], 0.0) + now - last["at"]
                last.update(stage=stage, at=now)
            if now - last["shown"] > 10 or done == total:
                print(f"  {stage}: {done}/{total}  ({peak_rss_mb():.0f} MB peak RSS)", file=sys.stderr)
                last["shown"] = now

        started, cpu_started = time.perf_counter(), cpu_seconds()
        manifest = build_index(source, target, progress=progress, encoder=HashingEncoder() if args.fake else None)
        elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
        load_started = time.perf_counter()
        load_index(target)
        load_seconds = time.perf_counter() - load_started
        counts = manifest["counts"]
        print(f"document: {source.stat().st_size / 1e6:.2f} MB, {counts['sections']} sections, "
              f"{counts['paragraphs']} paragraphs, {counts['sentences']} sentences, {counts['chunks']} chunks")
        documents = manifest["model"].get("documents", "float32")
        print(f"encoder: {'hashing (fake)' if args.fake else f'all-MiniLM-L6-v2 (ONNX export, onnxruntime), {documents} document vectors'}")
        print(f"build: {elapsed:.1f} s ({cpu:.1f} s CPU); load: {load_seconds:.1f} s; peak RSS: {peak_rss_mb():.0f} MB")
        print("stages (s): " + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()))
    record("large_doc", {"mb": args.mb, "code": str(Path(assistant.__file__).parent), "encoder": "hashing" if args.fake else "model", "documents": documents, "build_s": round(elapsed, 1), "build_cpu_s": round(cpu, 1),
                         "load_s": round(load_seconds, 1), "peak_rss_mb": round(peak_rss_mb()), "counts": counts,
                         "stages_s": {k: round(v, 1) for k, v in stages.items()}})


if __name__ == "__main__":
    main()

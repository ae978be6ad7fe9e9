"""How long building the paper's index takes, with the ONNX export cached and with a cold cache.

    python bench/bench_build.py              # one cached build and one cold-cache build
    python bench/bench_build.py --runs 3     # three cached builds (median), one cold
    python bench/bench_build.py --no-cold
    python bench/bench_build.py --no-cold --runs 3 --baseline /tmp/main   # A/B: alternate with the code checked out there

Each build is ``assistant index --index-dir TMP`` in a fresh process, into a new temporary
directory, so nothing is reused but (for the cached runs) the exported ONNX model.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from common import assistant_command, fresh_dir, machine_line, measure, median, numpy_import_seconds, record, remove, verdict

TARGET_BUILD_S = 30.0
TARGET_RSS_MB = None  # no target for building; printed for reference


def build_once(model_cache: Path, code: Path | None = None) -> tuple[float, float, float, float]:
    """(wall s, peak RSS MB, build_seconds from the manifest, CPU s) of one build from scratch;
    with ``code``, the ``assistant`` package checked out in that folder builds instead."""
    work = fresh_dir("bench-build-")
    try:
        env = {"ASSISTANT_HOME": str(work / "home"), "ASSISTANT_MODEL_CACHE": str(model_cache)}
        command = [*assistant_command(), "index", "--index-dir", str(work / "index")]
        if code is not None:
            env["PYTHONPATH"] = str(code)
            command = [sys.executable, "-P", "-m", "assistant", "index", "--index-dir", str(work / "index")]  # -P: not the cwd's package
        run = measure(command, env=env)
        if run.returncode != 0:
            sys.exit(f"assistant index failed: {run.stderr.strip()}")
        from assistant.index import read_manifest

        manifest = read_manifest(work / "index")
        return run.seconds, run.peak_rss_mb, manifest["build_seconds"], run.cpu_seconds
    finally:
        remove(work)


def cached_model_dir() -> Path:
    """A model cache holding the ONNX export (exported now if it is not there yet; not timed)."""
    from assistant import encoder, paths

    encoder.ensure_onnx()
    return paths.model_cache_dir()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="cached builds (default 1)")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold-cache build")
    parser.add_argument("--baseline", type=Path, help="a checkout of other code: its builds alternate with these (A/B)")
    args = parser.parse_args()

    print(machine_line())
    reference = numpy_import_seconds()
    cache = cached_model_dir()
    cached, baseline = [], []
    for _ in range(args.runs):
        cached.append(build_once(cache))
        if args.baseline:
            baseline.append(build_once(cache, args.baseline))
    for i, (seconds, rss, inside, cpu) in enumerate(cached, start=1):
        print(f"cached build {i}: {seconds:.2f} s wall ({inside:.2f} s inside build_index, {cpu:.2f} s CPU), "
              f"peak RSS {rss:.0f} MB")
    cold = None
    if not args.no_cold:
        cold_cache = fresh_dir("bench-models-")
        try:
            cold = build_once(cold_cache)
        finally:
            remove(cold_cache)
        print(f"cold build (ONNX export included): {cold[0]:.2f} s wall ({cold[2]:.2f} s inside, {cold[3]:.2f} s CPU), "
              f"peak RSS {cold[1]:.0f} MB")
    if baseline:
        for i, (seconds, rss, inside, cpu) in enumerate(baseline, start=1):
            print(f"baseline build {i}: {seconds:.2f} s wall ({inside:.2f} s inside build_index, {cpu:.2f} s CPU), "
                  f"peak RSS {rss:.0f} MB")
        print(f"A/B, this code / baseline: wall {median([c[0] for c in cached]) / median([b[0] for b in baseline]):.2f}, "
              f"CPU {median([c[3] for c in cached]) / median([b[3] for b in baseline]):.2f} (medians, alternating runs)")
    print(f'reference: python -c "import numpy" median {reference:.3f} s\n')
    print(verdict("build, ONNX cached (median wall)", median([c[0] for c in cached]), TARGET_BUILD_S, "s"))
    if cold:
        print(verdict("build, cold model cache", cold[0], TARGET_BUILD_S, "s"))
    print(f"{'peak RSS while building (max)':<34} {max([c[1] for c in cached] + ([cold[1]] if cold else [])):10.0f} MB"
          "  (no target)")
    figures = {"cached_runs": len(cached), "cached_median_s": round(median([c[0] for c in cached]), 2),
               "cached_inside_build_index_s": [round(c[2], 2) for c in cached], "cached_cpu_s": [round(c[3], 2) for c in cached],
               "peak_rss_mb_max": round(max([c[1] for c in cached] + ([cold[1]] if cold else [])))}
    if cold:
        figures.update(cold_s=round(cold[0], 2), cold_cpu_s=round(cold[3], 2))
    if baseline:
        figures.update(baseline=str(args.baseline), baseline_median_s=round(median([b[0] for b in baseline]), 2),
                       baseline_cpu_s=[round(b[3], 2) for b in baseline], baseline_peak_rss_mb=round(max(b[1] for b in baseline)))
    record("build", figures, reference)


if __name__ == "__main__":
    main()

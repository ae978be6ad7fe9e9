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
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from common import fresh_dir, machine_line, measure, median, numpy_import_seconds, record, remove, verdict

TARGET_BUILD_S = 30.0
TARGET_RSS_MB = 600  # the builder's own peak (issue 11); the one-time model export runs in a child process


# ``assistant index`` in this interpreter, reporting at exit its own peak RSS, its children's (the
# model export and its int8 copy are made in child processes) and the seconds spent making them
_INDEX = """
import json, resource, sys, time
from assistant import encoder
spent = []
job = "_in_child" if hasattr(encoder, "_in_child") else "_export_onnx"  # older code: the export only
export = getattr(encoder, job)
def timed(*args):
    started = time.perf_counter()
    try:
        return export(*args)
    finally:
        spent.append(time.perf_counter() - started)
setattr(encoder, job, timed)
from assistant.cli import main
sys.argv = ["assistant", *sys.argv[1:]]
try:
    main()
finally:
    usage = lambda who: resource.getrusage(who).ru_maxrss / 1024
    sys.stderr.write("\\n@@build " + json.dumps({"self_mb": usage(resource.RUSAGE_SELF),
                     "children_mb": usage(resource.RUSAGE_CHILDREN), "export_s": sum(spent)}) + "\\n")
"""


@dataclass(frozen=True)
class Build:
    seconds: float  # wall
    peak_rss_mb: float  # the whole build, the export's child process included
    inside_s: float  # build_seconds from the manifest
    cpu_seconds: float
    own_rss_mb: float  # the building process alone
    export_rss_mb: float  # the export's child process (0 when the export was cached)
    export_s: float


def build_once(model_cache: Path, code: Path | None = None) -> Build:
    """One build from scratch; with ``code``, the ``assistant`` package checked out in that folder
    builds instead."""
    work = fresh_dir("bench-build-")
    try:
        env = {"ASSISTANT_HOME": str(work / "home"), "ASSISTANT_MODEL_CACHE": str(model_cache)}
        if code is not None:
            env["PYTHONPATH"] = str(code)  # -P: not the cwd's package
        run = measure([sys.executable, "-P", "-c", _INDEX, "index", "--index-dir", str(work / "index")], env=env)
        if run.returncode != 0:
            sys.exit(f"assistant index failed: {run.stderr.strip()}")
        from assistant.index import read_manifest

        manifest = read_manifest(work / "index")
        inside = json.loads(run.stderr.rpartition("@@build ")[2])
        return Build(run.seconds, run.peak_rss_mb, manifest["build_seconds"], run.cpu_seconds, inside["self_mb"],
                     inside["children_mb"] if inside["export_s"] else 0.0, inside["export_s"])
    finally:
        remove(work)


def cached_model_dir() -> Path:
    """A model cache holding the ONNX export and its int8 copy (made now if missing; not timed)."""
    from assistant import encoder, paths

    encoder.ensure_quantized(encoder.ensure_onnx())
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
    for i, run in enumerate(cached, start=1):
        print(f"cached build {i}: {run.seconds:.2f} s wall ({run.inside_s:.2f} s inside build_index, {run.cpu_seconds:.2f} s CPU), "
              f"peak RSS {run.peak_rss_mb:.0f} MB")
    cold = None
    if not args.no_cold:
        cold_cache = fresh_dir("bench-models-")
        try:
            cold = build_once(cold_cache)
        finally:
            remove(cold_cache)
        print(f"cold build (ONNX export and int8 copy included): {cold.seconds:.2f} s wall ({cold.inside_s:.2f} s inside, "
              f"{cold.cpu_seconds:.2f} s CPU), peak RSS {cold.peak_rss_mb:.0f} MB; the export and int8 copy {cold.export_s:.1f} s "
              f"in child processes peaking at {cold.export_rss_mb:.0f} MB, the builder itself {cold.own_rss_mb:.0f} MB")
    if baseline:
        for i, run in enumerate(baseline, start=1):
            print(f"baseline build {i}: {run.seconds:.2f} s wall ({run.inside_s:.2f} s inside build_index, "
                  f"{run.cpu_seconds:.2f} s CPU), peak RSS {run.peak_rss_mb:.0f} MB")
        print(f"A/B, this code / baseline: wall {median([c.seconds for c in cached]) / median([b.seconds for b in baseline]):.2f}, "
              f"CPU {median([c.cpu_seconds for c in cached]) / median([b.cpu_seconds for b in baseline]):.2f} (medians, alternating runs)")
    print(f'reference: python -c "import numpy" median {reference:.3f} s\n')
    print(verdict("build, ONNX cached (median wall)", median([c.seconds for c in cached]), TARGET_BUILD_S, "s"))
    if cold:
        print(verdict("build, cold model cache", cold.seconds, TARGET_BUILD_S, "s"))
    own = [c.own_rss_mb for c in cached] + ([cold.own_rss_mb] if cold else [])
    print(f"{'peak RSS of the builder (max)':<34} {max(own):10.0f} MB  (target <= {TARGET_RSS_MB} MB;"
          f" the export's child process is counted apart)")
    figures = {"cached_runs": len(cached), "cached_median_s": round(median([c.seconds for c in cached]), 2),
               "cached_inside_build_index_s": [round(c.inside_s, 2) for c in cached],
               "cached_cpu_s": [round(c.cpu_seconds, 2) for c in cached],
               "peak_rss_mb_max": round(max([c.peak_rss_mb for c in cached] + ([cold.peak_rss_mb] if cold else []))),
               "builder_rss_mb_max": round(max(own))}
    if cold:
        figures.update(cold_s=round(cold.seconds, 2), cold_cpu_s=round(cold.cpu_seconds, 2), cold_export_s=round(cold.export_s, 1),
                       cold_export_child_rss_mb=round(cold.export_rss_mb), cold_builder_rss_mb=round(cold.own_rss_mb))
    if baseline:
        figures.update(baseline=str(args.baseline), baseline_median_s=round(median([b.seconds for b in baseline]), 2),
                       baseline_cpu_s=[round(b.cpu_seconds, 2) for b in baseline],
                       baseline_peak_rss_mb=round(max(b.peak_rss_mb for b in baseline)))
    record("build", figures, reference)


if __name__ == "__main__":
    main()

"""A library of 1, 10 and 100 generated papers: build time, vectors, query latency, RSS; and exact
against approximate FAISS search at growing vector counts.

    python bench/bench_scale.py                  # libraries of 1, 10, 100 documents (hashing encoder)
    python bench/bench_scale.py --sizes 1 10     # smaller
    python bench/bench_scale.py --faiss-only     # only the exact/approximate FAISS comparison

Each document is a generated ~60 KB paper (``bench_large_doc.generate`` with its own seed: headings,
paragraphs, lists, notes), added with ``Library.add`` like ``assistant add``. Documents are
embedded with the hashing encoder (the real model takes about 12 s of CPU per paper-sized
document, so 100 of them would take the better part of an hour on 2 cores; build times here
are structure, chunking, BM25 and writing, plus a stand-in embedding). Questions are asked of
the whole library (every document's engine, merged) with warm engines.

The FAISS part searches N clustered unit vectors (around real directions: perturbed copies of
the paper's sentence vectors when its index is built, else random centres) with IndexFlatIP
(exact) and IndexHNSWFlat (approximate), and prints the latency of one query and HNSW's
recall@10 against the exact result.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench_large_doc import generate
from common import machine_line, median, numpy_import_seconds, percentile, record

QUESTIONS = ["Why did Russia support the government in Damascus?", "When did Iran oppose the nuclear deal?",
             "Which countries financed local militias?", "What did Turkey do about refugee programmes?",
             "How did China compete with regional allies?", "Who mediated between rebel factions?",
             "What happened after the uprising of 2011?", "Which power sanctioned energy exporters?"]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def library_figures(count: int, work: Path) -> dict:
    from assistant import library as lib
    from assistant.encoder import HashingEncoder

    from assistant import paper, paths
    from assistant.index import build_index

    os.environ["ASSISTANT_HOME"] = str(work / "home")
    docs = work / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    # the embedded paper, the library's first document, embedded by the same stand-in encoder
    build_index(paths.default_source(), paths.default_index_dir(), metadata=paper.default_metadata(), encoder=HashingEncoder())
    library = lib.Library(work / "library", encoder=HashingEncoder())
    for i in range(count - 1):  # the embedded paper is the first document
        path = docs / f"paper-{i:03d}.txt"
        path.write_text(generate(60_000, seed=1000 + i), encoding="utf-8")
        library.add(path)
    build_s = time.perf_counter() - started  # all documents, the embedded paper's included
    loaded = time.perf_counter()
    library.load()
    load_s = time.perf_counter() - loaded
    vectors = sum(sum(engine.index.unit_count(u) for u in engine.index.dense) for engine in library._engines.values())
    library.ask(QUESTIONS[0])  # warm
    latencies = []
    for question in QUESTIONS * 3:
        library._query.forget()
        start = time.perf_counter()
        library.ask(question)
        latencies.append((time.perf_counter() - start) * 1000)
    return {"documents": count, "added": count - 1, "build_s": round(build_s, 1),
            "build_s_per_document": round(build_s / count, 2), "load_s": round(load_s, 2),
            "vectors": int(vectors), "query_ms_p50": round(median(latencies), 1),
            "query_ms_p95": round(percentile(latencies, 0.95), 1), "peak_rss_mb": round(rss_mb())}


def clustered(n: int, centres: np.ndarray, rng: np.random.Generator, spread: float = 0.35) -> np.ndarray:
    picks = centres[rng.integers(0, len(centres), n)]
    out = picks + spread * rng.standard_normal(picks.shape).astype(np.float32) / np.sqrt(picks.shape[1])
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def paper_centres(rng: np.random.Generator) -> tuple[np.ndarray, str]:
    try:
        import faiss

        from assistant import paths, storage

        index = faiss.read_index(str(storage.current(paths.default_index_dir()) / "sentences.faiss"))
        return index.reconstruct_n(0, index.ntotal), "the paper's sentence vectors"
    except Exception:
        centres = rng.standard_normal((400, 384)).astype(np.float32)
        return centres / np.linalg.norm(centres, axis=1, keepdims=True), "random centres"


def faiss_figures(sizes: list[int], queries: int = 200) -> tuple[list[dict], str]:
    import faiss

    faiss.omp_set_num_threads(1)  # one query at a time, as the assistant asks
    rng = np.random.default_rng(0)
    centres, origin = paper_centres(rng)
    rows = []
    for n in sizes:
        data = clustered(n, centres, rng)
        asked = clustered(queries, centres, rng)
        flat = faiss.IndexFlatIP(data.shape[1])
        flat.add(data)
        start = time.perf_counter()
        hnsw = faiss.IndexHNSWFlat(data.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = 80
        hnsw.add(data)
        hnsw_build = time.perf_counter() - start
        hnsw.hnsw.efSearch = 64
        exact_ms, approx_ms, hits = [], [], 0
        for q in asked:
            q = q[None, :]
            t = time.perf_counter()
            _, truth = flat.search(q, 10)
            exact_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            _, found = hnsw.search(q, 10)
            approx_ms.append((time.perf_counter() - t) * 1000)
            hits += len(set(truth[0]) & set(found[0]))
        rows.append({"vectors": n, "flat_ms_p50": round(median(exact_ms), 2), "hnsw_ms_p50": round(median(approx_ms), 3),
                     "hnsw_recall_at_10": round(hits / (10 * queries), 3), "hnsw_build_s": round(hnsw_build, 1),
                     "flat_mb": round(n * data.shape[1] * 4 / 1e6)})
        print(f"  {n:>9,} vectors: exact {rows[-1]['flat_ms_p50']:7.2f} ms, HNSW {rows[-1]['hnsw_ms_p50']:6.3f} ms "
              f"(recall@10 {rows[-1]['hnsw_recall_at_10']:.3f}, built in {hnsw_build:.1f} s), {rows[-1]['flat_mb']} MB of vectors",
              flush=True)
    return rows, origin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100], help="library sizes (documents)")
    parser.add_argument("--vectors", type=int, nargs="+", default=[10_000, 100_000, 300_000])
    parser.add_argument("--faiss-only", action="store_true")
    args = parser.parse_args()
    print(machine_line())
    reference = numpy_import_seconds()
    libraries = []
    if not args.faiss_only:
        for count in args.sizes:
            with tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch:
                row = library_figures(count, Path(scratch))
            libraries.append(row)
            print(f"{count:>4} documents: built in {row['build_s']} s ({row['build_s_per_document']} s each), "
                  f"{row['vectors']:,} vectors, loaded in {row['load_s']} s, ask the whole library "
                  f"p50 {row['query_ms_p50']} ms / p95 {row['query_ms_p95']} ms, peak RSS {row['peak_rss_mb']} MB", flush=True)
    print("exact (IndexFlatIP) against approximate (IndexHNSWFlat M=32, efSearch=64) search, one thread:")
    searches, origin = faiss_figures(args.vectors)
    print(f"(vectors clustered around {origin})")
    print(f'reference: python -c "import numpy" median {reference:.3f} s')
    record("scale", {"libraries": libraries, "faiss": searches, "faiss_vectors_around": origin}, reference)


if __name__ == "__main__":
    sys.exit(main())

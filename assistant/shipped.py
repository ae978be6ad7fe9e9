"""The embedded paper's e5 sentence vectors, shipped beside it so that its first build need not make them.

e5 (e5.py) embeds a document's sentences at build time: for the embedded paper's 370 sentences that
took about 6 of the build's 12 s. Its vector of a text depends on that text alone and the engine is
deterministic, so the vectors are made once, by ``python -m assistant.shipped``, and shipped in
``source/`` (``e5-sentences.npy``, one float32 row per distinct sentence text, and
``e5-sentences.json``, the model's name, each row's text key, ``e5.text_key``, and the vectors file's
sha256, so that a pair written by different runs is never read as one). A build copies the
row of every sentence whose text it finds there (``e5.sentence_vectors(known=...)``) and embeds the
others: an edit to how the paper is split into sentences costs only the changed sentences' time, never
a wrong vector, and any other document finds no row to copy. A missing or malformed table is ignored.
tests/test_shipped.py checks that the table covers every sentence of the paper as it is split today, and
the slow tier that its rows are the vectors e5 makes.
"""

from __future__ import annotations

import hashlib
import io
import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant import e5, paths
from assistant.errors import InputError

VECTORS = "e5-sentences.npy"
KEYS = "e5-sentences.json"
FORMAT = 1
KEYS_SHAPE = frozenset({"format", "model", "keys", "vectors_sha256"})  # what the keys file holds (results.Output)


def _files(folder: Path | None = None) -> tuple[Path, Path]:
    folder = Path(folder) if folder is not None else paths.source_dir()
    return folder / VECTORS, folder / KEYS


@lru_cache(maxsize=2)
def load(folder: Path | None = None) -> e5.KnownVectors | None:
    """The shipped table (None when it is missing, when the vectors file is not the one its keys were written
    with, or when it does not hold one unit-length row per key)."""
    vectors_file, keys_file = _files(folder)
    try:
        meta = json.loads(keys_file.read_text(encoding="utf-8"))
        data = vectors_file.read_bytes()
        keys = meta["keys"]
        model = meta["model"]
        if (meta.get("format") != FORMAT or not isinstance(model, str) or not isinstance(keys, list)
                or meta.get("vectors_sha256") != hashlib.sha256(data).hexdigest()):
            return None
        vectors = np.load(io.BytesIO(data), allow_pickle=False)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if vectors.dtype != np.float32 or vectors.shape != (len(keys), e5.DIMENSION) or not np.isfinite(vectors).all():
        return None
    if len(keys) and not np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3):
        return None
    return e5.KnownVectors(model, {str(key): row for row, key in enumerate(keys)}, vectors)


@lru_cache(maxsize=1)
def paper_sentences() -> tuple[str, ...]:
    """The embedded paper's sentence texts as its build embeds them (index.sentence_texts)."""
    from assistant import index
    from assistant.ingest import read_document
    from assistant.paper import default_metadata

    raw = read_document(paths.default_source())
    return tuple(index.sentence_texts(index.structure_of(raw, default_metadata())))


def write(folder: Path | None = None, encoder: e5.SecondEncoder | None = None) -> int:
    """Embed the paper's distinct sentence texts with ``encoder`` (e5 by default) and write the table into
    ``folder`` (source/ by default), replacing only a table this command wrote; the number of rows."""
    from assistant.results import Output, write_bytes_atomic, write_json_atomic

    kind = Output("the shipped e5 sentence keys written by `python -m assistant.shipped`", (KEYS_SHAPE,))
    vectors_file, keys_file = _files(folder)
    ours = keys_file.is_file() and kind.written_by_us(keys_file)
    if keys_file.exists() and not ours:
        raise InputError(f"{keys_file} exists and is not the keys file this command writes; not replaced")
    if vectors_file.exists() and not ours:
        raise InputError(f"{vectors_file} exists without the keys this command writes beside it; not replaced")
    encoder = encoder or e5.default()
    texts = list(dict.fromkeys(paper_sentences()))
    vectors = e5.sentence_vectors(encoder, texts).astype(np.float32)
    buffer = io.BytesIO()
    np.save(buffer, vectors, allow_pickle=False)
    data = buffer.getvalue()
    write_bytes_atomic(vectors_file, data)  # the old keys do not match it (their vectors_sha256): neither is read until
    write_json_atomic(keys_file, {"format": FORMAT, "model": encoder.name, "vectors_sha256": hashlib.sha256(data).hexdigest(),
                                  "keys": [e5.text_key(t) for t in texts]}, kind, "the keys file")
    load.cache_clear()
    return len(texts)


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m assistant.shipped", description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=None, help="Write the table here instead of source/.")
    args = parser.parse_args(argv)
    try:
        rows = write(args.folder)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{rows} sentence vectors written to {_files(args.folder)[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The index's contents: build them, check them, load them.

Each version of an index (``storage`` keeps versions and switches between them atomically)
holds plain files: the exact source text, the parsed structure as JSON/JSONL, FAISS
inner-product indexes of normalised vectors, bm25s matrices as .npy, and ``manifest.json``
(format version, model, source checksum, settings, counts and a checksum of every file).
Nothing is pickled.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from assistant import encoder as enc
from assistant import paths, storage
from assistant.checksum import sha256_file, sha256_text
from assistant.chunking import ChunkSettings, chunk_document
from assistant.errors import BrokenIndexError, InputError
from assistant.ingest import read_document
from assistant.lexical import Bm25Index
from assistant.progress import Progress, quiet
from assistant.records import Chunk, Document, Marker, Note, Paragraph, Section, Sentence
from assistant.structure import display_text, parse

FORMAT_VERSION = 8  # bump when parsing, chunking or the files change
MANIFEST = storage.MANIFEST
RETRIES = 4  # reads of a version that a concurrent build replaced, before giving up
UNITS = ("chunks", "sentences", "windows", "paragraphs")  # dense vectors of each
LEXICAL_UNITS = ("chunks", "sentences", "paragraphs")  # BM25 of each (a window adds no new words)

@dataclass(frozen=True)
class Index:
    """A loaded index: the document, its chunks, and the retrieval structures per unit."""

    directory: Path
    manifest: dict
    document: Document
    chunks: tuple[Chunk, ...]
    dense: dict  # unit -> faiss index
    lexical: dict  # unit -> Bm25Index

    def unit_count(self, unit: str) -> int:
        return self.dense[unit].ntotal


# -- building ---------------------------------------------------------------------------


def build_index(
    source_path: Path,
    index_dir: Path,
    *,
    metadata: dict | None = None,
    settings: ChunkSettings = ChunkSettings(),
    progress: Progress = quiet,
    encoder: enc.Encoder | None = None,
    unless: Callable[[], bool] | None = None,
    doc_format: str | None = None,
) -> dict:
    """Build the index of ``source_path`` into a new version of ``index_dir``; return the manifest.

    Readers keep the previous version until the new one is complete (see ``storage``).
    ``unless`` is asked once the build lock is held: when it says the index is already
    current (another process built it meanwhile), nothing is built. ``doc_format`` forces
    the file's type (see ``ingest.read_document``).
    """
    started = time.perf_counter()
    shown = Path(index_dir)
    folder = storage.check_target(shown)
    try:
        raw = read_document(Path(source_path), doc_format)  # bad input fails before anything is written
        with storage.locked(folder):
            if unless is not None and unless():
                return read_manifest(folder)
            storage.check_target(shown)  # again, now that no other build can run
            manifest = _build(raw, shown, folder, metadata, settings, progress, encoder, started)
    except MemoryError:
        raise InputError(f"not enough memory to index {Path(source_path).name}; close other programs or index a smaller file") from None
    except OSError as exc:
        raise InputError(f"{shown}: cannot write the index ({storage.reason(exc)})") from None
    progress("done", 1, 1)
    return manifest


def document_folders(sources: Sequence[Path], index_dir: Path) -> list[tuple[Path, Path]]:
    """Each document with its own sub-folder of ``index_dir``, named for its stem; two documents
    whose stems would share a folder are refused before anything is built."""
    seen: dict[str, Path] = {}
    for source in sources:
        other = seen.setdefault(source.stem.casefold(), source)
        if other is not source:
            raise InputError(
                f"{other} and {source} would both be indexed into {Path(index_dir) / source.stem}; "
                "rename one, or index them in separate calls"
            )
    return [(source, Path(index_dir) / source.stem) for source in sources]


def _build(raw, shown: Path, folder: Path, metadata, settings, progress: Progress, encoder, started: float) -> dict:
    progress("reading", 0, 1)
    title = (metadata or {}).get("title")
    document = parse(raw.text, title=title, markdown=raw.markdown, pages=raw.pages, headings=raw.headings, progress=progress)
    progress("structure", 1, 1)
    report = chunk_document(document, enc.token_counter(), settings)
    if encoder is None and not enc.onnx_path().is_file():
        progress("exporting model", 0, 1)
    onnx_file = enc.ensure_onnx() if encoder is None else None
    progress("loading model", 0, 1)
    # documents are embedded from the same ONNX export as questions: no torch import, about half
    # the CPU time of sentence-transformers (tests/test_encoder.py checks their parity)
    model = encoder or enc.OnnxEncoder(onnx_file)
    vectors = _embed_units(document, report.chunks, model, progress)
    try:
        with storage.new_version(folder) as version:
            progress("writing", 0, 1)
            _write_files(version, raw.text, document, report.chunks, vectors, metadata or {})
            manifest = _manifest(version, raw.path, raw.text, document, report, settings, onnx_file, metadata)
            manifest["build_seconds"] = round(time.perf_counter() - started, 2)
            _write_json(version / MANIFEST, manifest)
            previous = storage.publish(folder, version)
    except (OSError, RuntimeError) as exc:  # faiss reports a failed write as a RuntimeError
        raise InputError(f"{shown}: cannot write the index ({storage.reason(exc)})") from None
    storage.prune(folder, keep={version.name, previous or version.name})
    return manifest


def _unit_texts(document: Document, chunks: tuple[Chunk, ...]) -> dict[str, list[str]]:
    titles = {s.id: s.title for s in document.sections}
    return {
        "chunks": [f"{titles[c.section]}. {display_text(c.text)}" for c in chunks],
        "sentences": [display_text(s.text) for s in document.sentences],
        "windows": [_window(document, s) for s in document.sentences],
        "paragraphs": [display_text(document.source[p.start : p.end]) for p in document.paragraphs],
    }


def _window(document: Document, sentence: Sentence) -> str:
    """A sentence with its neighbours in the same paragraph: meaning that needs context."""
    sentences = document.sentences
    around = [sentences[i] for i in (sentence.id - 1, sentence.id, sentence.id + 1) if 0 <= i < len(sentences)]
    return " ".join(display_text(s.text) for s in around if s.paragraph == sentence.paragraph)


def _embed_units(document, chunks, model, progress: Progress, block: int = 256) -> dict[str, np.ndarray]:
    """Embed every unit's texts, each distinct text once, longest first in blocks of similar
    length (less padding). A sentence alone in its paragraph is also its window and its
    paragraph; a paragraph of up to three sentences is its middle sentence's window.
    Progress is reported after each block: sixteen times or more when there are 128 texts or more."""
    texts = _unit_texts(document, chunks)
    distinct, rows = _distinct(texts)
    block = min(block, max(8, -(-len(distinct) // 16)))
    order = sorted(range(len(distinct)), key=lambda i: -len(distinct[i]))
    vectors = np.zeros((len(distinct), enc.DIMENSION), np.float32)
    for i in range(0, len(order), block):
        picked = order[i : i + block]
        vectors[picked] = model.encode([distinct[r] for r in picked])
        progress("embedding", min(i + block, len(order)), len(order))
    return {unit: vectors[rows[unit]] for unit in texts}


def _distinct(texts: dict[str, list[str]]) -> tuple[list[str], dict[str, np.ndarray]]:
    """The distinct texts of all units, and for each unit the row of each of its texts among them."""
    position: dict[str, int] = {}
    rows = {unit: np.array([position.setdefault(t, len(position)) for t in items], dtype=np.int64)
            for unit, items in texts.items()}
    return list(position), rows


def _write_files(directory: Path, source: str, document, chunks, vectors, metadata: dict) -> None:
    import faiss

    (directory / "source.txt").write_text(source, encoding="utf-8", newline="")
    _write_json(directory / "document.json", _document_json(document, metadata))
    _write_jsonl(directory / "sentences.jsonl", [asdict(s) for s in document.sentences])
    _write_jsonl(directory / "chunks.jsonl", [asdict(c) for c in chunks])
    texts = _unit_texts(document, chunks)
    for unit in UNITS:
        dense = faiss.IndexFlatIP(enc.DIMENSION)
        dense.add(np.ascontiguousarray(vectors[unit], dtype=np.float32))
        faiss.write_index(dense, str(directory / f"{unit}.faiss"))
    for unit in LEXICAL_UNITS:
        Bm25Index.build(texts[unit]).save(directory / f"bm25-{unit}")


def _document_json(document: Document, metadata: dict) -> dict:
    return {
        "title": document.title,
        "metadata": metadata,
        "sections": [asdict(s) for s in document.sections],
        "paragraphs": [asdict(p) for p in document.paragraphs],
        "notes": [asdict(n) for n in document.notes],
        "markers": [asdict(m) for m in document.markers],
        "pages": list(document.pages),
    }


def _manifest(directory, source_path, source, document, report, settings, onnx_file, metadata) -> dict:
    return {
        "format_version": FORMAT_VERSION,
        "model": {
            "name": enc.MODEL_NAME,
            "weights_sha256": enc.WEIGHTS_SHA256,
            **({"onnx_file": onnx_file.name, "onnx_bytes": onnx_file.stat().st_size} if onnx_file else {}),
        },
        "dimension": enc.DIMENSION,
        "source": {
            "file": Path(source_path).name,
            "sha256": sha256_text(source),
            "chars": len(source),
        },
        "title": document.title,
        "metadata": metadata or {},
        "chunker": settings.as_dict(),
        "counts": {
            "sections": len(document.sections),
            "paragraphs": len(document.paragraphs),
            "sentences": len(document.sentences),
            "chunks": len(report.chunks),
            "notes": len(document.notes),
            "markers": len(document.markers),
        },
        "truncated_chunks": list(report.truncated),
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "files": _file_checksums(directory),
    }


def _file_checksums(directory: Path) -> dict[str, str]:
    return {
        str(path.relative_to(directory)): sha256_file(path)
        for path in sorted(directory.rglob("*"))
        if path.is_file() and path.name not in (MANIFEST, storage.MARKER)
    }


def _write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def _write_jsonl(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


# -- checking and loading -----------------------------------------------------------------


def read_manifest(index_dir: Path) -> dict:
    """The manifest of the index's current version."""
    return _read_manifest(Path(index_dir), storage.current(Path(index_dir)))


def _read_manifest(index_dir: Path, version: Path) -> dict:
    try:
        text = (version / MANIFEST).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BrokenIndexError(f"{index_dir}: no index here (missing {MANIFEST})") from None
    except (OSError, ValueError) as exc:
        raise BrokenIndexError(f"{index_dir}: unreadable {MANIFEST} ({storage.reason(exc)})") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise BrokenIndexError(f"{index_dir}: unreadable {MANIFEST} ({exc})") from None


def problems(index_dir: Path, *, source_sha256: str | None = None, settings: ChunkSettings | None = None) -> list[str]:
    """Why this index cannot be used as is; empty when it is sound and current.

    A version that a concurrent build replaced while it was being checked is checked again
    as the new one (see ``_on_current``).
    """
    return _on_current(Path(index_dir), lambda version: _version_problems(Path(index_dir), version, source_sha256, settings))


def _on_current(index_dir: Path, check: Callable[[Path], list[str]]) -> list[str]:
    """``check`` of the current version; again on the new one when a build replaced it meanwhile."""
    version = storage.current(index_dir)
    for _ in range(RETRIES):
        found = check(version)
        newer = storage.current(index_dir)
        if not found or newer == version:
            return found
        version = newer
    return check(version)


def _version_problems(index_dir: Path, version: Path, source_sha256: str | None, settings: ChunkSettings | None) -> list[str]:
    try:
        manifest = _read_manifest(index_dir, version)
    except BrokenIndexError as exc:
        return [str(exc).removeprefix(f"{index_dir}: ")]
    if not isinstance(manifest, dict) or not all(isinstance(manifest.get(k, {}), dict) for k in ("model", "source", "files")):
        return [f"{MANIFEST} is not a valid manifest"]
    found = []
    if manifest.get("format_version") != FORMAT_VERSION:
        found.append(f"format version {manifest.get('format_version')} (expected {FORMAT_VERSION})")
    model = manifest.get("model", {})
    if model.get("name") != enc.MODEL_NAME or model.get("weights_sha256") != enc.WEIGHTS_SHA256:
        found.append("built with a different embedding model")
    if manifest.get("dimension") != enc.DIMENSION:
        found.append(f"dimension {manifest.get('dimension')} (expected {enc.DIMENSION})")
    if source_sha256 and manifest.get("source", {}).get("sha256") != source_sha256:
        found.append("the source text has changed since it was built")
    if settings and manifest.get("chunker") != settings.as_dict():
        found.append("the chunker settings have changed")
    files = manifest.get("files", {})
    found.extend(_file_problems(version, files))
    if "source.txt" in files and manifest.get("source", {}).get("sha256") != files["source.txt"]:
        found.append("the manifest's source checksum does not match source.txt")
    return found


def _required_files() -> tuple[str, ...]:
    return ("source.txt", "document.json", "sentences.jsonl", "chunks.jsonl", *(f"{u}.faiss" for u in UNITS))


def _file_problems(directory: Path, files: dict[str, str]) -> list[str]:
    if not files:
        return ["the manifest lists no files"]
    found = [f"the manifest does not list {name}" for name in _required_files() if name not in files]
    found += [f"the manifest does not list bm25-{u}/" for u in LEXICAL_UNITS if not any(n.startswith(f"bm25-{u}/") for n in files)]
    for name, digest in files.items():
        path = directory / name
        if Path(name).is_absolute() or ".." in Path(name).parts:
            found.append(f"the manifest names a file outside the index ({name})")
        elif not path.is_file():
            found.append(f"missing file {name}")
        else:
            found.extend(_checksum_problem(path, name, digest))
    return found


def _checksum_problem(path: Path, name: str, digest: str) -> list[str]:
    try:
        actual = sha256_file(path)
    except OSError as exc:
        return [f"unreadable file {name} ({storage.reason(exc)})"]
    return [] if actual == digest else [f"damaged file {name} (checksum mismatch)"]


def load_index(index_dir: Path, *, verify: bool = True) -> Index:
    """Load the index's current version; raise BrokenIndexError naming the fault when it is unusable.

    When a concurrent build replaces that version while it is being read, the new version
    is read instead: the result is always one complete version, never a mix.
    """
    index_dir = Path(index_dir)
    if not index_dir.is_dir():
        raise BrokenIndexError(f"{index_dir}: no such index directory; build it with: {fix_command(index_dir)}")
    version = storage.current(index_dir)
    for _ in range(RETRIES):
        try:
            return _load_version(index_dir, version, verify)
        except BrokenIndexError:
            newer = storage.current(index_dir)
            if newer == version:
                raise
            version = newer
    return _load_version(index_dir, version, verify)


def _load_version(index_dir: Path, version: Path, verify: bool) -> Index:
    import faiss

    found = _version_problems(index_dir, version, None, None) if verify else []
    if found:
        raise BrokenIndexError(f"{index_dir}: {found[0]}; rebuild it with: {fix_command(index_dir)}")
    try:
        manifest = _read_manifest(index_dir, version)
        source = (version / "source.txt").read_bytes().decode("utf-8")
        document = _load_document(version, source)
        chunks = tuple(Chunk(**{**row, "sentences": tuple(row["sentences"])}) for row in _read_jsonl(version / "chunks.jsonl"))
        dense = {unit: faiss.read_index(str(version / f"{unit}.faiss")) for unit in UNITS}
        lexical = {unit: Bm25Index.load(version / f"bm25-{unit}") for unit in LEXICAL_UNITS}
        _check_sizes(document, chunks, dense, lexical)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RuntimeError, MemoryError, BrokenIndexError) as exc:
        reason = " ".join(str(exc).split())[:200]
        raise BrokenIndexError(f"{index_dir}: cannot load the index ({reason}); rebuild it with: {fix_command(index_dir)}") from None
    return Index(index_dir, manifest, document, chunks, dense, lexical)


def fix_command(index_dir: Path) -> str:
    """The command that rebuilds ``index_dir``."""
    if Path(index_dir).resolve() == paths.default_index_dir().resolve():
        return "assistant index"
    return f"assistant index FILE --index-dir {index_dir}"


def _check_sizes(document: Document, chunks, dense: dict, lexical: dict) -> None:
    """Each unit's vectors and BM25 rows must match the document they were built from."""
    sentences = len(document.sentences)
    expected = {"chunks": len(chunks), "sentences": sentences, "windows": sentences, "paragraphs": len(document.paragraphs)}
    for unit in UNITS:
        rows = dense[unit].ntotal
        lexical_rows = lexical[unit].model.scores["num_docs"] if unit in lexical else rows
        if dense[unit].d != enc.DIMENSION or rows != lexical_rows or rows != expected[unit]:
            raise BrokenIndexError(f"the {unit} vectors do not match the document")


def _load_document(index_dir: Path, source: str) -> Document:
    data = json.loads((index_dir / "document.json").read_text(encoding="utf-8"))
    sentences = tuple(
        Sentence(**{**row, "markers": tuple(row["markers"])}) for row in _read_jsonl(index_dir / "sentences.jsonl")
    )
    return Document(
        source=source,
        title=data["title"],
        sections=tuple(Section(**s) for s in data["sections"]),
        paragraphs=tuple(Paragraph(**p) for p in data["paragraphs"]),
        sentences=sentences,
        notes=tuple(Note(**n) for n in data["notes"]),
        markers=tuple(Marker(**m) for m in data["markers"]),
        pages=tuple(data.get("pages", ())),
        metadata=data.get("metadata", {}),
    )


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]

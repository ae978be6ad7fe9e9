"""The index on disk: its files, its manifest, their checks, and loading them.

Each version of an index (``storage`` keeps versions and switches between them atomically)
holds plain files: the exact source text, the parsed structure as JSON/JSONL, FAISS
inner-product indexes of normalised vectors, bm25s matrices as .npy, and ``manifest.json``
(format version, model, source checksum, settings, counts and a checksum of every file).
Nothing is pickled. ``index`` builds what goes into these files; this module is the only one
that knows their names and layout.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np

from assistant import e5
from assistant import encoder as enc
from assistant import interaction, paths, storage
from assistant.checksum import sha256_file, sha256_text
from assistant.chunking import ChunkSettings
from assistant.errors import BrokenIndexError
from assistant.lexical import Bm25Index
from assistant.records import Chunk, Document, Marker, Note, Paragraph, Section, Sentence

FORMAT_VERSION = 11  # bump when parsing, chunking, the vectors, the files or the BM25 terms change (11: the sentences' e5 vectors)
# Older formats whose indexes differ from this one only in their BM25 files (the terms ``lexical.terms``
# makes): such an index is brought up to date where it is, with no user action, by rebuilding only its
# BM25 from its own stored text (``index.upgrade``); its embedded vectors are kept. A change of the
# BM25 terms alone bumps the format and lists the one it replaces here; none has yet.
LEXICAL_UPGRADES: frozenset[int] = frozenset()
# Older formats whose indexes differ from this one only in lacking the sentences' e5 vectors (``SECOND``):
# upgraded where they are by embedding their stored sentences with e5 (``index.upgrade``).
SECOND_UPGRADES: frozenset[int] = frozenset({10})
SECOND = "e5"  # the sentences' vectors from the second encoder (e5.py), as e5-sentences.npy; optional
SECOND_FILE = "e5-sentences.npy"
MANIFEST = storage.MANIFEST
RETRIES = 4  # reads of a version that a concurrent build replaced, before giving up
UNITS = ("chunks", "sentences", "windows", "paragraphs")  # dense vectors of each
LEXICAL_UNITS = ("chunks", "sentences", "paragraphs")  # BM25 of each (a window adds no new words)
TOKENS = "sentence tokens"  # the sentences' token vectors (interaction.SentenceTokens), beside the units' vectors
TOKEN_FILES = ("vectors", "scales", "ids", "offsets")  # its arrays, each as tokens-<name>.npy


@dataclass(frozen=True)
class Index:
    """A loaded index: the document, its chunks, and the retrieval structures per unit."""

    directory: Path
    manifest: dict
    document: Document
    chunks: tuple[Chunk, ...]
    dense: dict  # unit -> faiss index
    lexical: dict  # unit -> Bm25Index
    tokens: interaction.SentenceTokens  # each sentence's contextual token vectors (late interaction)
    second: np.ndarray | None = None  # each sentence's e5 vector (e5.py); None: built without it

    def unit_count(self, unit: str) -> int:
        return self.dense[unit].ntotal


# -- writing ------------------------------------------------------------------------------


def write_files(directory: Path, source: str, document: Document, chunks, vectors: dict[str, np.ndarray],
                lexical: dict[str, Bm25Index], metadata: dict) -> None:
    """Write one version's files (all but the manifest) into ``directory``: the source, the
    structure, each unit's vectors (``UNITS``) as an exact FAISS index and its BM25 (``LEXICAL_UNITS``),
    and the sentences' token vectors (``vectors[TOKENS]``) as plain .npy arrays."""
    import faiss

    (directory / "source.txt").write_text(source, encoding="utf-8", newline="")
    write_json(directory / "document.json", _document_json(document, metadata))
    _write_jsonl(directory / "sentences.jsonl", [asdict(s) for s in document.sentences])
    _write_jsonl(directory / "chunks.jsonl", [asdict(c) for c in chunks])
    for unit in UNITS:
        dense = faiss.IndexFlatIP(enc.DIMENSION)
        dense.add(np.ascontiguousarray(vectors[unit], dtype=np.float32))
        faiss.write_index(dense, str(directory / f"{unit}.faiss"))
    for unit in LEXICAL_UNITS:
        lexical[unit].save(directory / f"bm25-{unit}")
    for name in TOKEN_FILES:
        np.save(directory / f"tokens-{name}.npy", getattr(vectors[TOKENS], name), allow_pickle=False)
    if SECOND in vectors:
        np.save(directory / SECOND_FILE, np.ascontiguousarray(vectors[SECOND], dtype=np.float32), allow_pickle=False)


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


def manifest(directory, source_path, source, document, report, settings, onnx_file, metadata, documents: str = "float32",
             second: str | None = None) -> dict:
    """The manifest of the files written in ``directory`` (call it last: it lists their checksums);
    ``documents``: the export's precision the document's vectors were made with (float32 or int8);
    ``second``: the name of the encoder of the sentences' e5 vectors, when they were made."""
    return {
        "format_version": FORMAT_VERSION,
        "model": {
            "name": enc.MODEL_NAME,
            "weights_sha256": enc.WEIGHTS_SHA256,
            **({"onnx_file": onnx_file.name, "onnx_bytes": onnx_file.stat().st_size, "documents": documents} if onnx_file else {}),
        },
        "dimension": enc.DIMENSION,
        **({SECOND: {"name": second, "file": SECOND_FILE}} if second else {}),
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


def carry_over(old: Path, new: Path, lexical: dict[str, Bm25Index] | None, second: np.ndarray | None = None,
               second_name: str | None = None) -> dict:
    """Write version ``new`` as version ``old`` at this format, with the BM25 in ``lexical`` (None: its own)
    and the sentences' e5 vectors ``second`` (made by ``second_name``; None: none added): every other
    file ``old``'s manifest lists is carried over unchanged (a hard link, since a version never changes
    once published; a copy where links are refused), then the manifest, last. Return it."""
    manifest = json.loads((old / MANIFEST).read_text(encoding="utf-8"))
    replaced = lambda name: (lexical is not None and name.startswith("bm25-")) or (second is not None and name == SECOND_FILE)
    kept = {name: digest for name, digest in manifest["files"].items() if not replaced(name)}
    for name in kept:
        (new / name).parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(old / name, new / name)
        except OSError:
            shutil.copyfile(old / name, new / name)
    for unit, bm25 in (lexical or {}).items():
        bm25.save(new / f"bm25-{unit}")
    if second is not None:
        np.save(new / SECOND_FILE, np.ascontiguousarray(second, dtype=np.float32), allow_pickle=False)
        manifest = {**manifest, SECOND: {"name": second_name, "file": SECOND_FILE}}
    written = {name: digest for name, digest in _file_checksums(new).items() if replaced(name)}
    upgraded = {"from_format": manifest.get("format_version"), "at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    manifest = {**manifest, "format_version": FORMAT_VERSION, "files": dict(sorted({**kept, **written}.items())),
                "upgraded": [*manifest.get("upgraded", []), upgraded]}
    write_json(new / MANIFEST, manifest)
    return manifest


def write_json(path: Path, data) -> None:
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


def upgradable(index_dir: Path) -> Path | None:
    """The current version of ``index_dir`` when it is sound but of an older format that differs from
    this one only in its BM25 files (``LEXICAL_UPGRADES``) or its e5 vectors (``SECOND_UPGRADES``); None otherwise."""
    index_dir = Path(index_dir)
    version = storage.current(index_dir)
    try:
        manifest = _read_manifest(index_dir, version)
    except BrokenIndexError:
        return None
    formats = LEXICAL_UPGRADES | SECOND_UPGRADES
    if not isinstance(manifest, dict) or manifest.get("format_version") not in formats:
        return None  # read first: a current index is not checked file by file here
    return None if _version_problems(index_dir, version, None, None, formats=formats) else version


def _version_problems(index_dir: Path, version: Path, source_sha256: str | None, settings: ChunkSettings | None,
                      formats: frozenset[int] | None = None) -> list[str]:
    """``formats``: the format versions accepted (by default this one)."""
    try:
        manifest = _read_manifest(index_dir, version)
    except BrokenIndexError as exc:
        return [str(exc).removeprefix(f"{index_dir}: ")]
    if not isinstance(manifest, dict) or not all(isinstance(manifest.get(k, {}), dict) for k in ("model", "source", "files")):
        return [f"{MANIFEST} is not a valid manifest"]
    found = []
    if manifest.get("format_version") not in ({FORMAT_VERSION} if formats is None else formats):
        found.append(f"format version {manifest.get('format_version')} (expected {FORMAT_VERSION})")
    model = manifest.get("model", {})
    if model.get("name") != enc.MODEL_NAME or model.get("weights_sha256") != enc.WEIGHTS_SHA256:
        found.append("built with a different embedding model")
    if manifest.get("dimension") != enc.DIMENSION:
        found.append(f"dimension {manifest.get('dimension')} (expected {enc.DIMENSION})")
    second = manifest.get(SECOND)
    if second is not None and (not isinstance(second, dict) or second.get("file") != SECOND_FILE
                               or SECOND_FILE not in manifest.get("files", {})):
        found.append(f"the manifest's {SECOND} entry does not name {SECOND_FILE}")
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
    return ("source.txt", "document.json", "sentences.jsonl", "chunks.jsonl", *(f"{u}.faiss" for u in UNITS),
            *(f"tokens-{name}.npy" for name in TOKEN_FILES))


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


def load_version(index_dir: Path, version: Path) -> Index:
    """Version ``version`` of ``index_dir`` as it is, unchecked (``upgradable`` has checked it)."""
    return _load_version(Path(index_dir), version, verify=False)


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
        tokens = interaction.SentenceTokens(**{name: np.load(version / f"tokens-{name}.npy", allow_pickle=False,
                                                             mmap_mode="r" if name == "vectors" else None)
                                               for name in TOKEN_FILES})
        _check_sizes(document, chunks, dense, lexical)
        problem = tokens.check(len(document.sentences), enc.DIMENSION)
        if problem:
            raise BrokenIndexError(problem)
        second = np.load(version / SECOND_FILE, allow_pickle=False) if SECOND in manifest else None
        if second is not None and (second.dtype != np.float32 or second.shape != (len(document.sentences), e5.DIMENSION)):
            raise BrokenIndexError(f"the {SECOND} vectors do not match the document")
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RuntimeError, MemoryError, BrokenIndexError) as exc:
        reason = " ".join(str(exc).split())[:200]
        raise BrokenIndexError(f"{index_dir}: cannot load the index ({reason}); rebuild it with: {fix_command(index_dir)}") from None
    return Index(index_dir, manifest, document, chunks, dense, lexical, tokens, second)


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
        lexical_rows = lexical[unit].num_docs if unit in lexical else rows
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

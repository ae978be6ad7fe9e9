"""Building an index: read the file, parse it, cut it into units, embed them, write a new version.

    read_document -> parse -> chunk_document -> unit texts -> vectors (and BM25) -> index_files

The pipeline lives here; what the files are, how they are checked and loaded is ``index_files``
(re-exported below, so ``assistant.index`` stays the one name callers use for an index), and the
version folders they go into are ``storage``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from assistant import e5
from assistant import encoder as enc
from assistant import index_files, interaction, shipped, storage
from assistant.chunking import ChunkSettings, chunk_document
from assistant.errors import BrokenIndexError, InputError
from assistant.index_files import (  # noqa: F401  (re-exported: the index's public names)
    FORMAT_VERSION,
    LEXICAL_UNITS,
    MANIFEST,
    TOKENS,
    UNITS,
    Index,
    fix_command,
    problems,
    read_manifest,
)
from assistant.ingest import read_document
from assistant.lexical import Bm25Index
from assistant.progress import Progress, quiet
from assistant.records import Chunk, Document, Sentence
from assistant.structure import display_text, parse


# Documents this long or longer are embedded with the int8 copy of the model export (about half the
# CPU time). On the COVID-QA training papers int8 document vectors answered as the float ones did,
# but on the paper they lost one evidence hit on each dev set; a document under this size builds in
# under 10 s with the float export anyway (docs/scale.md, "int8 document vectors").
INT8_FROM_CHARS = 100_000
# Documents this long or longer get no e5 vectors (e5.py) and are answered without that channel: e5 embeds
# 60-90 sentences a second here, so a 1 MB document (12,135 sentences) would take 2 minutes more to build
# instead of under one in all. A document under it (about 3,000 sentences) takes at most 35-50 s more.
SECOND_UP_TO_CHARS = 250_000


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
    second: e5.SecondEncoder | None = None,
) -> dict:
    """Build the index of ``source_path`` into a new version of ``index_dir``; return the manifest.

    Readers keep the previous version until the new one is complete (see ``storage``).
    ``unless`` is asked once the build lock is held: when it says the index is already
    current (another process built it meanwhile), nothing is built. ``doc_format`` forces
    the file's type (see ``ingest.read_document``). The sentences are embedded a second time by
    ``second`` (e5.py); by default by e5 when ``encoder`` is the real model (None), and not at all
    when another ``encoder`` is given without one, nor for a document of ``SECOND_UP_TO_CHARS`` or more.
    """
    started = time.perf_counter()
    shown = Path(index_dir)
    folder = storage.check_target(shown, settle=True)
    try:
        raw = read_document(Path(source_path), doc_format)  # bad input fails before anything is written
        with storage.locked(folder):
            if unless is not None and unless():
                return read_manifest(folder)
            storage.check_target(shown)  # again, now that no other build can run
            second = second if second is not None else (e5.default() if encoder is None else None)
            second = second if len(raw.text) < SECOND_UP_TO_CHARS else None
            manifest = _build(raw, shown, folder, metadata, settings, progress, encoder, started, second)
    except MemoryError:
        raise InputError(f"not enough memory to index {Path(source_path).name}; close other programs or index a smaller file") from None
    except OSError as exc:
        raise InputError(f"{shown}: cannot write the index ({storage.reason(exc)})") from None
    progress("done", 1, 1)
    return manifest


def upgrade(index_dir: Path, second: e5.SecondEncoder | None = None) -> bool:
    """Bring an index of an older format that differs from this one only in its BM25 files
    (``index_files.LEXICAL_UPGRADES``) or in lacking its sentences' e5 vectors (``index_files.SECOND_UPGRADES``)
    up to date, with no user action: its BM25 is built again from the index's own stored text, and its
    sentences embedded by e5 (``second``, by default e5 itself; only an index built with the real model
    gets them, as a build would), into a new version beside it that carries over every other file
    (the embedded vectors) unchanged, published in one rename under the build lock (``storage``).
    Readers keep the old version until then; a failed or killed upgrade leaves it current and
    usable (the next build or upgrade removes the unfinished version). Only the tool's own files
    are ever removed (``storage.prune``): anything else in the folder stays as it is. True when it
    upgraded; False when there was nothing to upgrade or it could not be written (loading then
    reports the old format, as before)."""
    if index_files.upgradable(index_dir) is None:
        return False
    folder = Path(index_dir).resolve()
    try:
        with storage.locked(folder):
            old = index_files.upgradable(folder)
            if old is None:  # another process upgraded or rebuilt it while we waited
                return False
            loaded = index_files.load_version(folder, old)
            texts = _unit_texts(loaded.document, loaded.chunks)
            rebuilt = loaded.manifest.get("format_version") in index_files.LEXICAL_UPGRADES
            lexical = {unit: Bm25Index.build(texts[unit]) for unit in LEXICAL_UNITS} if rebuilt else None
            adds = (loaded.manifest.get("format_version") in index_files.SECOND_UPGRADES and loaded.second is None
                    and "onnx_file" in loaded.manifest.get("model", {}) and len(loaded.document.source) < SECOND_UP_TO_CHARS)
            encoder = (second or e5.default()) if adds else None
            vectors = e5.sentence_vectors(encoder, texts["sentences"], known=shipped.load()) if encoder is not None else None
            with storage.new_version(folder) as version:
                index_files.carry_over(old, version, lexical, vectors, None if encoder is None else encoder.name)
                previous = storage.publish(folder, version)
            storage.prune(folder, keep={version.name, previous or version.name})
    except (InputError, BrokenIndexError, OSError, RuntimeError):
        return False
    return True


def load_index(index_dir: Path, *, verify: bool = True) -> Index:
    """The index at ``index_dir`` (``index_files.load_index``), upgraded first when only its BM25
    or its e5 vectors are of an older format (``upgrade``)."""
    upgrade(index_dir)
    return index_files.load_index(index_dir, verify=verify)


def document_folders(sources: Sequence[Path], index_dir: Path) -> list[tuple[Path, Path]]:
    """Each document with its own sub-folder of ``index_dir``, named for its stem; two documents
    whose stems would share a folder are refused before anything is built."""
    seen: dict[str, Path] = {}
    for source in sources:
        if source.stem.strip() in ("", ".", ".."):  # "...txt": never a folder outside ``index_dir`` or index_dir itself
            raise InputError(f"{source}: its name gives no folder name to index it into; rename it, or index it alone")
        other = seen.setdefault(source.stem.casefold(), source)
        if other is not source:
            raise InputError(
                f"{other} and {source} would both be indexed into {Path(index_dir) / source.stem}; "
                "rename one, or index them in separate calls"
            )
    return [(source, Path(index_dir) / source.stem) for source in sources]


def _build(raw, shown: Path, folder: Path, metadata, settings, progress: Progress, encoder, started: float,
           second: e5.SecondEncoder | None) -> dict:
    progress("reading", 0, 1)
    document = structure_of(raw, metadata, progress)
    progress("structure", 1, 1)
    if not document.sentences:  # headings, notes or references only: nothing an answer could quote
        raise InputError(f"{raw.path}: has no body text to answer from, only headings or notes")
    report = chunk_document(document, enc.token_counter(), settings)
    quantized = len(raw.text) >= INT8_FROM_CHARS
    if encoder is None and not enc.onnx_path().is_file():
        progress("exporting model", 0, 1)
    elif encoder is None and quantized and not enc.quantized_path(enc.onnx_path()).is_file():
        progress("quantizing model", 0, 1)  # the first long document makes the int8 copy, once
    onnx_file = enc.ensure_onnx() if encoder is None else None
    progress("loading model", 0, 1)
    # documents are embedded from the ONNX export questions use (a long one from its int8 copy): no
    # torch import, half the CPU time of sentence-transformers (tests/test_encoder.py checks parity)
    model = encoder or enc.OnnxEncoder(onnx_file, quantized=quantized)
    texts = _unit_texts(document, report.chunks)
    vectors = _embed_units(texts, model, progress, pooled=_pooled_parts(document))
    del model  # the session and its memory arena (sized for the largest batch) go before the files are written
    vectors = join_tokens(vectors)
    if second is not None:
        vectors[index_files.SECOND] = e5.sentence_vectors(second, texts["sentences"],
                                                          lambda done, total: progress("embedding sentences", done, total),
                                                          shipped.load())
    try:
        with storage.new_version(folder) as version:
            progress("writing", 0, 1)
            lexical = {unit: Bm25Index.build(texts[unit]) for unit in LEXICAL_UNITS}
            index_files.write_files(version, raw.text, document, report.chunks, vectors, lexical, metadata or {})
            manifest = index_files.manifest(version, raw.path, raw.text, document, report, settings, onnx_file, metadata,
                                            documents="int8" if quantized else "float32",
                                            second=None if second is None else second.name)
            manifest["build_seconds"] = round(time.perf_counter() - started, 2)
            index_files.write_json(version / MANIFEST, manifest)
            previous = storage.publish(folder, version)
    except (OSError, RuntimeError) as exc:  # faiss reports a failed write as a RuntimeError
        raise InputError(f"{shown}: cannot write the index ({storage.reason(exc)})") from None
    storage.prune(folder, keep={version.name, previous or version.name})
    return manifest


def structure_of(raw, metadata: dict | None, progress: Progress = quiet) -> Document:
    """The parsed document a build indexes (its title from ``metadata`` when given)."""
    title = (metadata or {}).get("title") or raw.title
    return parse(raw.text, title=title, markdown=raw.markdown, pages=raw.pages, headings=raw.headings, progress=progress)


def sentence_texts(document: Document) -> list[str]:
    """The texts the sentences are embedded as."""
    return [display_text(s.text) for s in document.sentences]


def _unit_texts(document: Document, chunks: tuple[Chunk, ...]) -> dict[str, list[str]]:
    titles = {s.id: s.title for s in document.sections}
    return {
        "chunks": [f"{titles[c.section]}. {display_text(c.text)}" for c in chunks],
        "sentences": sentence_texts(document),
        "windows": [_window(document, s) for s in document.sentences],
        "paragraphs": [display_text(document.source[p.start : p.end]) for p in document.paragraphs],
    }


def _window(document: Document, sentence: Sentence) -> str:
    """A sentence with its neighbours in the same paragraph: meaning that needs context."""
    sentences = document.sentences
    around = [sentences[i] for i in (sentence.id - 1, sentence.id, sentence.id + 1) if 0 <= i < len(sentences)]
    return " ".join(display_text(s.text) for s in around if s.paragraph == sentence.paragraph)


def _pooled_parts(document: Document) -> dict[str, list[list[str]]]:
    """The texts whose vectors make up each paragraph's vector: its sentences (a paragraph
    without sentences: its own text).

    Pooling these instead of embedding the paragraphs left every dev eval figure but one
    unchanged (gold.jsonl and gold_reader_dev.jsonl: R@1, R@5, MRR, evidence hit, abstention;
    confidence AUROC 0.883 -> 0.881 on gold.jsonl) and takes the paragraphs' word pieces (15%)
    out of a build. Windows and chunks stay embedded: pooling windows from sentences lost dev
    MRR (0.884 -> 0.856), taking them from a paragraph's token vectors lost R@1 (0.841 -> 0.810),
    and pooling chunks from their title and sentences lost R@1 (0.841 -> 0.794)."""
    members: dict[int, list[str]] = {}
    for sentence in document.sentences:
        members.setdefault(sentence.paragraph, []).append(display_text(sentence.text))
    return {"paragraphs": [members.get(p.id) or [display_text(document.source[p.start : p.end])] for p in document.paragraphs]}


def _embed_units(texts: dict[str, list[str]], model, progress: Progress, pooled: dict[str, list[list[str]]] | None = None,
                 block: int = 256, tokens_of: str = "sentences") -> dict:
    """Embed every unit's texts, each distinct text once, longest first in blocks of similar
    length (less padding). A sentence alone in its paragraph is also its window and its
    paragraph; a paragraph of up to three sentences is its middle sentence's window.
    A unit in ``pooled`` is not embedded: each of its vectors is the normalised sum of its parts'
    vectors, each weighted by its length (words + 2, for [CLS] and [SEP]), the parts embedded
    with everything else.
    The token vectors of the ``tokens_of`` unit's texts come from the same model run, under
    ``TOKENS`` (interaction.SentenceTokens, int8 as they are made: a 1 MB document's float rows
    would take hundreds of MB).
    Progress is reported after each block: sixteen times or more when there are 128 texts or more."""
    pooled = pooled or {}
    own = {unit: items for unit, items in texts.items() if unit not in pooled}
    parts = {unit: [part for row in rows for part in row] for unit, rows in pooled.items()}
    distinct, rows = _distinct({**own, **{f"{unit} parts": items for unit, items in parts.items()}})
    block = min(block, max(8, -(-len(distinct) // 16)))
    order = sorted(range(len(distinct)), key=lambda i: -len(distinct[i]))
    vectors = np.zeros((len(distinct), enc.DIMENSION), np.float32)
    wanted = set(rows[tokens_of].tolist()) if tokens_of in rows else set()
    kept: list = []  # each block's token vectors, compacted (interaction.block) at once
    for i in range(0, len(order), block):
        picked = order[i : i + block]
        keep = [r in wanted for r in picked]
        vectors[picked], tokens = enc.encode_with_tokens(model, [distinct[r] for r in picked], keep)
        kept.append(interaction.block([r for r, k in zip(picked, keep) if k], tokens))
        progress("embedding", min(i + block, len(order)), len(order))
    out: dict = {}
    for unit, items in parts.items():  # before any unit's copy exists: the parts' copy is the largest temporary
        weighted = vectors[rows[f"{unit} parts"]]
        weighted *= np.array([len(part.split()) + 2 for part in items], np.float32)[:, None]
        out[unit] = pool(weighted, [len(row) for row in pooled[unit]])
        del weighted
    out.update({unit: vectors[rows[unit]] for unit in own})
    if tokens_of in rows:  # joined by the caller once the model is gone (join_tokens)
        out[TOKENS] = (kept, rows[tokens_of].tolist())
    return {unit: out[unit] for unit in (*texts, *([TOKENS] if tokens_of in rows else []))}


def join_tokens(vectors: dict) -> dict:
    """``vectors`` with its ``TOKENS`` entry (the blocks ``_embed_units`` kept) joined into one
    interaction.SentenceTokens: done after the model is released, so the joined rows and the model's
    memory arena are never held at once."""
    if TOKENS in vectors:
        kept, order = vectors[TOKENS]
        vectors[TOKENS] = interaction.SentenceTokens.join(kept, order, enc.DIMENSION)
    return vectors


def pool(vectors: np.ndarray, counts: Sequence[int]) -> np.ndarray:
    """Consecutive groups of ``vectors`` (``counts`` rows each, every count >= 1) summed, each
    sum normalised to unit length."""
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    sums = np.add.reduceat(vectors, starts, axis=0)
    return (sums / np.clip(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12, None)).astype(np.float32)


def _distinct(texts: dict[str, list[str]]) -> tuple[list[str], dict[str, np.ndarray]]:
    """The distinct texts of all units, and for each unit the row of each of its texts among them."""
    position: dict[str, int] = {}
    rows = {unit: np.array([position.setdefault(t, len(position)) for t in items], dtype=np.int64)
            for unit, items in texts.items()}
    return list(position), rows

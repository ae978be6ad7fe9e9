"""A library of documents: the embedded paper plus the files a user adds, each with its own index.

    <data>/library/library.json          the added documents (versioned JSON, replaced atomically)
    <data>/library/documents/<id>/       each added document's index (``storage``: versions behind ``current``)

The embedded paper is always the first document (id ``paper``; its index stays where it was,
``<data>/index/paper``, rebuilt when stale) and cannot be removed. ``add`` builds only the new
document's index, then writes its entry; ``remove`` drops the entry, then deletes the tool's own
index folder (never the user's file). Both hold an flock on the library folder; a kill -9 at any
moment leaves the other documents answerable and no half entry (a leftover index folder with no
entry is the tool's, and the next ``add`` or ``remove`` deletes it).

``Library.ask`` asks one document's engine, or each document's, and merges: the answer of the
most confident document (an answer before an abstention), the passages of all documents in turns.
With one document the answer is that document's engine's answer, with ``document`` and ``page``
filled in on its citations and passages.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import json
import os
import re
import time
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence


from assistant import paths, storage
from assistant.checksum import sha256_file
from assistant.errors import BrokenIndexError, InputError
from assistant.progress import Progress, quiet
from assistant.records import Answer, Shown

if TYPE_CHECKING:
    from assistant.encoder import Encoder

LIBRARY_FORMAT = 1
LIBRARY_FILE = "library.json"
DOCUMENTS = "documents"
PAPER_ID = "paper"
FORMATS = ("txt", "md", "pdf")
_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
Notice = Callable[[str], None]


@dataclass(frozen=True)
class Entry:
    """One document of the library."""

    id: str
    title: str
    authors: tuple[str, ...]
    file: str  # the source file's name when it was added (the file itself is never touched)
    format: str  # "txt", "md" or "pdf"
    size: int  # bytes of the source file
    added: str | None  # ISO 8601 time it was added; None for the embedded paper
    index: Path  # its index folder
    sha256: str = ""  # of the source file's bytes: the same file is not added twice
    embedded: bool = False  # the embedded paper: always present, cannot be removed

    @property
    def label(self) -> str:
        """How a citation names the document: its title, and its authors where known
        ("Title (Ann Lee)", "(Ann Lee and Bo Wu)", "(Ann Lee et al.)")."""
        names = self.authors
        if not names:
            return self.title
        who = names[0] if len(names) == 1 else " and ".join(names) if len(names) == 2 else f"{names[0]} et al."
        return f"{self.title} ({who})"

    def as_json(self) -> dict:
        return {"id": self.id, "title": self.title, "authors": list(self.authors), "file": self.file,
                "format": self.format, "size": self.size, "added": self.added, "index": str(self.index),
                "embedded": self.embedded}


# -- pure helpers -------------------------------------------------------------------------


def page_at(pages: Sequence[int], offset: int) -> int | None:
    """The 1-based page holding ``offset``, from each page's start offset; None without pages."""
    if not pages:
        return None
    return max(1, bisect.bisect_right(pages, offset))


def slug(text: str, limit: int = 24) -> str:
    """A short id from a file name: lower-case ASCII letters, digits and dashes, cut after a whole
    word to at most ``limit`` characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", " ", ascii_text).split() or ["document"]
    out = words[0][:limit]
    for word in words[1:]:
        if len(out) + 1 + len(word) > limit:
            break
        out += "-" + word
    return out


def unique_id(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)


def annotate(answer: Answer, doc_id: str, pages: Sequence[int]) -> Answer:
    """``answer`` with its citations and passages naming ``doc_id`` and their page."""
    return replace(
        answer,
        citations=tuple(replace(c, document=doc_id, page=page_at(pages, c.start)) for c in answer.citations),
        passages=tuple(replace(p, document=doc_id, page=page_at(pages, p.start)) for p in answer.passages),
    )


def merge(answers: Sequence[Answer], k: int) -> Answer:
    """One answer from several documents' (already annotated) answers: the most confident answer
    (an answer before an abstention; the earlier document on a tie), and the documents' passages
    taken in turns, the surest document first: each one's best passage, then each one's second, ...

    (Fused passage scores come from ranks within one document, so they do not say which of two
    documents' passages is closer: every document's best passage scores about the same.)
    """
    ranked = sorted(answers, key=lambda a: (a.abstained, -a.confidence))  # stable: earlier document first
    turns = sorted((rank, order, p) for order, a in enumerate(ranked) for rank, p in enumerate(a.passages))
    passages = tuple(replace(p, rank=n) for n, (_, _, p) in enumerate(turns[:k], start=1))
    timings = {key: round(sum(a.timings_ms.get(key, 0.0) for a in answers), 2)
               for key in ("embed", "retrieve_answer", "total")}
    return replace(ranked[0], passages=passages, timings_ms=timings)


# -- the library file ---------------------------------------------------------------------


def library_file(folder: Path) -> Path:
    return Path(folder) / LIBRARY_FILE


def read_entries(folder: Path) -> tuple[Entry, ...]:
    """The added documents listed in ``folder``'s library file (none when there is no file)."""
    path = library_file(folder)
    if not os.path.lexists(path):
        return ()
    if path.is_symlink() or not path.is_file():
        raise InputError(f"{path} is not a regular file; move it away to start a new library")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != LIBRARY_FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {LIBRARY_FORMAT}")
        return tuple(_entry(folder, row) for row in data["documents"])
    except OSError as exc:
        raise InputError(f"{path}: cannot read the library ({storage.reason(exc)})") from None
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError, RecursionError) as exc:
        reason = " ".join(str(exc).split())[:120]
        raise InputError(f"{path} is not a library file this version can read ({reason}); move it away to start a new library") from None


def _entry(folder: Path, row: dict) -> Entry:
    doc_id = row["id"]
    if not isinstance(doc_id, str) or not _ID.fullmatch(doc_id) or doc_id == PAPER_ID:
        raise ValueError(f"bad document id {doc_id!r}")
    return Entry(doc_id, str(row["title"]), tuple(str(a) for a in row.get("authors", ())), str(row["file"]),
                 str(row["format"]), int(row["size"]), str(row["added"]), _index_folder(folder, doc_id),
                 str(row.get("sha256", "")))


def _index_folder(folder: Path, doc_id: str) -> Path:
    return Path(folder) / DOCUMENTS / doc_id


def write_entries(folder: Path, entries: Sequence[Entry]) -> None:
    """Replace the library file in one rename (a new file, fsynced, then ``os.replace``)."""
    rows = [{k: v for k, v in e.as_json().items() if k not in ("index", "embedded")} | {"sha256": e.sha256}
            for e in entries]
    text = json.dumps({"format": LIBRARY_FORMAT, "documents": rows}, ensure_ascii=False, indent=1) + "\n"
    target = library_file(folder)
    if os.path.lexists(target) and (target.is_symlink() or not target.is_file()):
        raise InputError(f"{target} is not a regular file; move it away to start a new library")
    temporary = Path(folder) / f".{LIBRARY_FILE}.tmp-{os.getpid()}-{time.monotonic_ns()}"
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        if temporary.exists():
            temporary.unlink()
        raise


# -- the embedded paper -------------------------------------------------------------------


def paper_entry() -> Entry:
    from assistant.paper import default_metadata

    source = paths.default_source()
    metadata = default_metadata()
    return Entry(PAPER_ID, metadata.get("title", source.stem), tuple(metadata.get("authors", ())), source.name,
                 "txt", source.stat().st_size, None, paths.default_index_dir(), embedded=True)


def pdf_authors(path: Path) -> tuple[str, ...]:
    """The people a PDF's metadata names (``/Author``), when it names any (not "Administrator")."""
    import pypdfium2

    from assistant.byline import metadata_authors
    from assistant.ingest import read_input_bytes

    try:
        pdf = pypdfium2.PdfDocument(read_input_bytes(path))
        try:
            author = pdf.get_metadata_dict().get("Author", "")
        finally:
            pdf.close()
    except Exception:  # the build reads the file again and reports what is wrong with it
        return ()
    return metadata_authors(author)


def document_authors(index: Path, title: str, path: Path, doc_format: str) -> tuple[str, ...]:
    """Who wrote a just-built document: the byline under its title in its text (byline.py), else
    the people its PDF metadata names. The text is the index's own copy (a PDF's extracted text)."""
    from assistant.byline import authors

    try:
        with open(storage.current(index) / "source.txt", encoding="utf-8", errors="replace") as text:
            head = text.read(4096)
    except OSError:
        head = ""
    return authors(head, title) or (pdf_authors(path) if doc_format == "pdf" else ())


# -- the library --------------------------------------------------------------------------


def _onnx_encoder():
    from assistant import e5
    from assistant.encoder import OnnxEncoder

    e5.warm_in_background()  # the questions' second encoder (e5.py), beside this one
    return OnnxEncoder()


class Library:
    """The documents a user can ask: ``Library.open()``, ``.documents()``, ``.add(path, progress)``,
    ``.remove(id)``, ``.ask(question, doc=None)``; ``.answering(doc)`` lists the documents (with
    their engines) that an ask uses.

    ``encoder`` (tests: the hashing encoder) embeds both added documents and questions; by default
    documents are embedded by the build's ONNX export and questions by the ONNX query encoder.
    """

    def __init__(self, folder: Path, encoder: Encoder | None = None) -> None:
        self.folder = Path(folder)
        self._build_encoder = encoder
        from assistant.encoder import BackgroundEncoder

        self._query = BackgroundEncoder((lambda: encoder) if encoder is not None else _onnx_encoder)
        self._engines: dict[tuple[str, Path], Any] = {}
        self._skipped: set[str] = set()

    @classmethod
    def open(cls, encoder: Encoder | None = None) -> "Library":
        """The default library in the user data folder (``ASSISTANT_HOME`` overrides)."""
        return cls(paths.library_dir(), encoder)

    # -- what is in it --

    def documents(self) -> tuple[Entry, ...]:
        """The embedded paper first, then the added documents in the order they were added."""
        return (paper_entry(), *read_entries(self.folder))

    def document(self, doc_id: str) -> Entry:
        for entry in self.documents():
            if entry.id == doc_id:
                return entry
        raise InputError(f"no document {doc_id!r} in the library; 'assistant list' shows the ids")

    # -- changing it --

    def add(self, path: Path, progress: Progress = quiet, doc_format: str | None = None) -> Entry:
        """Index ``path`` into its own folder and list it; return its entry. Only this document is
        embedded. A file already in the library (same bytes) is refused, unless its index cannot be
        used (damaged, or built by an older version): then that index is built again, same id."""
        path = Path(path)
        if doc_format is not None and doc_format not in FORMATS:
            raise InputError(f"unknown format {doc_format!r}; choose one of {', '.join(FORMATS)}")
        from assistant.ingest import read_input_bytes

        # a missing, special or oversized file fails before anything is written
        digest = hashlib.sha256(read_input_bytes(path)).hexdigest()
        with storage.locked(self.folder):
            entries = list(read_entries(self.folder))
            self._remove_orphans(entries)
            again = self._already_added(path, digest, entries)
            doc_id = again.id if again else self._new_id(path, entries)
            manifest = self._build(path, doc_id, progress, doc_format, new=again is None)
            kind = doc_format or _format_of(path)
            target = _index_folder(self.folder, doc_id)
            entry = Entry(doc_id, manifest["title"], document_authors(target, manifest["title"], path, kind), path.name,
                          kind, path.stat().st_size,
                          datetime.now(timezone.utc).isoformat(timespec="seconds"),
                          target, digest)
            write_entries(self.folder, [entry if e is again else e for e in entries] + ([] if again else [entry]))
        self._engines.pop((entry.id, entry.index), None)
        self._skipped.discard(entry.id)
        return entry

    @staticmethod
    def _already_added(path: Path, digest: str, entries: Sequence[Entry]) -> Entry | None:
        """The added document with these bytes whose index cannot be used (to build again), or None
        when none has these bytes; InputError when one has them and is fine (or is the paper)."""
        from assistant.index_files import problems

        if sha256_file(paths.default_source()) == digest:
            raise InputError(f"{path} is already in the library as {PAPER_ID}")
        for entry in entries:
            if entry.sha256 == digest:
                if problems(entry.index):
                    return entry
                raise InputError(f"{path} is already in the library as {entry.id}")
        return None

    def _new_id(self, path: Path, entries: Sequence[Entry]) -> str:
        taken = {PAPER_ID, *(e.id for e in entries)}
        taken |= {child.name for child in (self.folder / DOCUMENTS).glob("*")}  # a folder left there stays
        return unique_id(slug(path.stem), taken)

    def _build(self, path: Path, doc_id: str, progress: Progress, doc_format: str | None, new: bool) -> dict:
        from assistant.index import build_index

        target = _index_folder(self.folder, doc_id)
        try:
            return build_index(path, target, progress=progress, encoder=self._build_encoder, doc_format=doc_format)
        except BaseException:
            if new and target.is_dir():
                storage.remove_index(target)
            raise

    def remove(self, doc_id: str) -> Entry:
        """Drop a document from the library and delete its index folder (never the source file)."""
        entry = self.document(doc_id)
        if entry.embedded:
            raise InputError(f"{doc_id} is the embedded paper and cannot be removed; ask other documents with --doc ID")
        with storage.locked(self.folder):
            entries = read_entries(self.folder)
            if doc_id not in {e.id for e in entries}:
                raise InputError(f"no document {doc_id!r} in the library; 'assistant list' shows the ids")
            write_entries(self.folder, [e for e in entries if e.id != doc_id])
            self._remove_orphans([e for e in entries if e.id != doc_id])
        self._engines = {key: value for key, value in self._engines.items() if key[0] != doc_id}
        return entry

    def _remove_orphans(self, entries: Sequence[Entry]) -> None:
        """Index folders with no entry (an ``add`` killed before it listed its document): only the
        tool's own files in them are deleted. A folder holding none of them is left alone unless it is
        empty (a build killed while embedding leaves its folder empty); removing it loses nothing."""
        listed = {e.id for e in entries}
        documents = self.folder / DOCUMENTS
        for child in sorted(documents.iterdir()) if documents.is_dir() else ():
            if child.name in listed or child.is_symlink() or not child.is_dir():
                continue
            if storage.holds_index(child):
                storage.remove_index(child)
            else:
                with contextlib.suppress(OSError):
                    child.rmdir()  # only ever removes an empty folder

    # -- asking it --

    def engine(self, doc_id: str, progress: Progress = quiet, notice: Notice = lambda message: None):
        """The question-answering engine of one document (the paper's index is built when missing)."""
        return self._engine(self.document(doc_id), progress, notice)

    def _engine(self, entry: Entry, progress: Progress = quiet, notice: Notice = lambda message: None):
        key = (entry.id, entry.index)
        if key not in self._engines:
            from assistant.engine import Assistant

            self._engines[key] = Assistant.open(_load(entry, progress, notice), encoder=self._query)
        return self._engines[key]

    def load(self, doc: str | None = None, progress: Progress = quiet, notice: Notice = lambda message: None) -> None:
        """Open the engines ``ask(doc=doc)`` needs now (building the paper's index if it is missing),
        and the query encoder meanwhile, in a background thread (after that build when the model
        is still to be exported: the build exports it); ``notice`` hears of each added document that
        cannot be asked (see ``ask``)."""
        from assistant.encoder import onnx_path

        if self._build_encoder is not None or onnx_path().is_file():
            self._query.preload()
        self.answering(doc, progress, notice)
        self._query.preload()

    def answering(self, doc: str | None = None, progress: Progress = quiet, notice: Notice = lambda message: None):
        """The documents ``ask`` uses, with their engines. One document (``doc``) must load; asking the
        whole library skips an added document whose index cannot be used (damaged, or built by an
        older version), telling ``notice`` once, so one bad index does not silence the others."""
        if doc is not None:
            entry = self.document(doc)
            return [(entry, self._engine(entry, progress, notice))]
        usable = []
        for entry in self.documents():
            try:
                usable.append((entry, self._engine(entry, progress, notice)))
            except BrokenIndexError as exc:
                if entry.embedded:
                    raise
                if entry.id not in self._skipped:
                    self._skipped.add(entry.id)
                    notice(f"{exc}; asking the other documents")
        return usable

    def ask(self, question: str, k: int = 10, doc: str | None = None, context: str | None = None,
            shown: Shown | None = None) -> Answer:
        """Answer from one document (``doc``, an id) or from the whole library; ``shown``'s sentences
        (of its document) are left out."""
        answers = []
        for entry, engine in self.answering(doc):
            left_out = shown.sentence_ids if shown is not None and shown.document == entry.id else ()
            answer = engine.ask(question, k=k, context=context, shown=left_out)
            answers.append(annotate(answer, entry.id, engine.document.pages))
        return answers[0] if len(answers) == 1 else merge(answers, k)


class Single:
    """An index outside the library (``ask --index-dir DIR``), answering like a library of one."""

    def __init__(self, engine, doc_id: str) -> None:
        self.engine, self.doc_id = engine, doc_id

    def ask(self, question: str, k: int = 10, context: str | None = None, shown: Shown | None = None) -> Answer:
        left_out = shown.sentence_ids if shown is not None and shown.document == self.doc_id else ()
        answer = self.engine.ask(question, k=k, context=context, shown=left_out)
        return annotate(answer, self.doc_id, self.engine.document.pages)


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    return "pdf" if suffix == ".pdf" else "txt" if suffix == ".txt" else "md"


def _load(entry: Entry, progress: Progress, notice: Notice):
    from assistant import index
    from assistant.paper import open_index

    if entry.embedded:
        return open_index(None, progress=progress, notice=notice)
    try:
        return index.load_index(entry.index)  # upgraded first when only its BM25 is of an older format
    except BrokenIndexError as exc:
        raise BrokenIndexError(
            f"document {entry.id} ({entry.file}) cannot be answered from: {str(exc).split(': ', 1)[-1].split('; rebuild')[0]}; "
            f"add its file again to rebuild it: assistant add {entry.file}"
        ) from None

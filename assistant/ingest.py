"""Read a document file into text: UTF-8 ``.txt``/``.md``, or ``.pdf`` through pypdf."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.errors import InputError

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
PDF_SUFFIXES = {".pdf"}
PAGE_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class RawDocument:
    path: Path
    text: str
    markdown: bool
    pages: tuple[int, ...] = ()  # start offset of each PDF page in ``text``


def read_document(path: Path) -> RawDocument:
    """Read ``path``; raise InputError with a one-line reason when it cannot be used."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a document")
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        text, pages = _read_pdf(path)
        return _checked(RawDocument(path, text, markdown=False, pages=pages))
    if suffix in TEXT_SUFFIXES:
        return _checked(RawDocument(path, _read_text(path), markdown=suffix != ".txt"))
    raise InputError(f"{path}: unsupported file type {suffix or '(none)'!r}; use .txt, .md or .pdf")


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if b"\x00" in data:
        raise InputError(f"{path}: looks like a binary file, not UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 (byte {exc.start}); re-save it as UTF-8") from None
    return text.removeprefix("\ufeff")


def _read_pdf(path: Path) -> tuple[str, tuple[int, ...]]:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    # pypdf logs each robustness fix ("EOF marker not found") as a raw stderr line; a file
    # it cannot read surfaces as one InputError instead.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(path)
        page_texts = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, OSError, ValueError, KeyError) as exc:
        raise InputError(f"{path}: cannot read this PDF ({exc})") from None
    starts, parts, offset = [], [], 0
    for page_text in page_texts:
        starts.append(offset)
        parts.append(page_text)
        offset += len(page_text) + len(PAGE_SEPARATOR)
    return PAGE_SEPARATOR.join(parts), tuple(starts)


def _checked(raw: RawDocument) -> RawDocument:
    if not raw.text.strip():
        what = "has no text layer (scanned?); run OCR first" if raw.pages else "is empty"
        raise InputError(f"{raw.path}: {what}")
    return raw

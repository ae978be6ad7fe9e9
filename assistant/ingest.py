"""Read a document file into text: UTF-8 ``.txt``/``.md``, or ``.pdf`` through pypdf."""

from __future__ import annotations

import re
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
        page_texts = [paragraph_breaks(page.extract_text() or "") for page in reader.pages]
    except (PdfReadError, OSError, ValueError, KeyError) as exc:
        raise InputError(f"{path}: cannot read this PDF ({exc})") from None
    starts, parts, offset = [], [], 0
    for page_text in page_texts:
        starts.append(offset)
        parts.append(page_text)
        offset += len(page_text) + len(PAGE_SEPARATOR)
    return PAGE_SEPARATOR.join(parts), tuple(starts)


_TERMINAL_LINE = re.compile(r"[.!?:][\"”’)\]]?[\d⁰¹²³⁴⁵⁶⁷⁸⁹]*$")
_BULLET_LINE = re.compile(r"^\s*(?:[-•*▪◦–]\s|\(?\d{1,2}[.)]\s|[a-z]\)\s)")


def paragraph_breaks(page: str) -> str:
    """Mark paragraph ends in one page of PDF text with blank lines.

    pypdf's plain extraction puts every line on its own line and drops the gaps between
    paragraphs. A line that ends a sentence and falls well short of the page's usual line
    length ends a paragraph; so does a short line with no final punctuation (a heading),
    and any line before a bullet. Only newlines are added: the text of every line is
    kept, and the result is the source text that citations point into.
    """
    lines = page.split("\n")
    lengths = sorted(len(line.strip()) for line in lines if line.strip())
    if len(lengths) < 3:
        return page
    usual = lengths[int(len(lengths) * 0.75)]
    out = []
    for i, line in enumerate(lines):
        out.append(line)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        text = line.strip()
        if not text or not nxt.strip():
            continue
        short = len(text) < 0.8 * usual
        ends = bool(_TERMINAL_LINE.search(text))
        if (short and ends) or _looks_like_heading(text, usual) or _BULLET_LINE.match(nxt):
            out.append("")
        elif _looks_like_heading(nxt.strip(), usual) and not _BULLET_LINE.match(nxt):
            out.append("")
    return "\n".join(out)


def _looks_like_heading(text: str, usual: int) -> bool:
    """A short line that starts with a capital or a section number and ends without punctuation."""
    if not text or len(text) >= 0.6 * usual or _TERMINAL_LINE.search(text) or text.endswith((",", "-", ";")):
        return False
    return bool(re.match(r"(\d+(\.\d+)*\.?\s+)?[A-Z]", text))


def _checked(raw: RawDocument) -> RawDocument:
    if not raw.text.strip():
        what = "has no text layer (scanned?); run OCR first" if raw.pages else "is empty"
        raise InputError(f"{raw.path}: {what}")
    return raw

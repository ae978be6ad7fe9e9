"""Read input files: documents (UTF-8 ``.txt``/``.md``, or ``.pdf`` through pypdf) and data files.

Every input is read through ``read_input_bytes``: only a regular file (symlinks followed) is
opened, never a device or a FIFO, and at most ``max_input_bytes()`` are read.
"""

from __future__ import annotations

import io
import math
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import InputError

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
PDF_SUFFIXES = {".pdf"}
PAGE_SEPARATOR = "\n\n"
MAX_INPUT_ENV = "ASSISTANT_MAX_INPUT_MB"
DEFAULT_MAX_INPUT_MB = 50
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"))


@dataclass(frozen=True)
class RawDocument:
    path: Path
    text: str
    markdown: bool
    pages: tuple[int, ...] = ()  # start offset of each PDF page in ``text``


def read_document(path: Path, doc_format: str | None = None) -> RawDocument:
    """Read ``path``; raise InputError with a one-line reason when it cannot be used.

    ``doc_format`` ("txt", "md" or "pdf") reads the file as that type whatever its name.
    """
    path = Path(path)
    suffix = f".{doc_format}" if doc_format else path.suffix.lower()
    if suffix not in PDF_SUFFIXES | TEXT_SUFFIXES and not path.is_dir():
        if not os.path.lexists(path):
            raise InputError(f"{path}: no such file")
        raise InputError(f"{path}: unsupported file type {suffix or '(none)'!r}; use .txt, .md or .pdf")
    data = read_input_bytes(path)
    if suffix in PDF_SUFFIXES:
        text, pages = _read_pdf(path, data)
        return _checked(RawDocument(path, text, markdown=False, pages=pages))
    return _checked(RawDocument(path, _decode_text(path, data), markdown=suffix != ".txt"))


def max_input_bytes() -> int:
    """The most bytes read from one input file: ``ASSISTANT_MAX_INPUT_MB`` megabytes (default 50)."""
    raw = os.environ.get(MAX_INPUT_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_INPUT_MB * 1_000_000
    try:
        megabytes = float(raw)
    except ValueError:
        megabytes = math.nan
    if not (math.isfinite(megabytes) and megabytes > 0):
        raise InputError(f"{MAX_INPUT_ENV}={raw!r} is not a positive number of megabytes")
    return int(megabytes * 1_000_000)


def read_input_bytes(path: Path) -> bytes:
    """The bytes of the regular file at ``path`` (symlinks followed), at most ``max_input_bytes()``.

    The path is checked with ``stat`` before it is opened, so a device or a FIFO is never
    opened; it is opened non-blocking and checked again on the open descriptor.
    """
    limit = max_input_bytes()
    try:
        _check_regular(path, os.stat(path), limit)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as handle:
            _check_regular(path, os.fstat(fd), limit)
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise _too_large(path, limit)
    return data


def _check_regular(path: Path, info: os.stat_result, limit: int) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a regular file")
        raise InputError(f"{path}: is {kind}, not a regular file")
    if info.st_size > limit:
        raise _too_large(path, limit)


def _too_large(path: Path, limit: int) -> InputError:
    return InputError(f"{path}: larger than the {limit / 1e6:g} MB input limit; set {MAX_INPUT_ENV} to raise it")


def _decode_text(path: Path, data: bytes) -> str:
    if b"\x00" in data:
        raise InputError(f"{path}: looks like a binary file, not UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 (byte {exc.start}); re-save it as UTF-8") from None
    return text.removeprefix("\ufeff")


def _read_pdf(path: Path, data: bytes) -> tuple[str, tuple[int, ...]]:
    import logging
    import warnings

    from pypdf import PdfReader

    # pypdf logs each robustness fix ("EOF marker not found") as a raw stderr line; a file
    # it cannot read surfaces as one InputError instead.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                _decrypt(path, reader)
            page_texts = [paragraph_breaks(page.extract_text() or "") for page in reader.pages]
    except InputError:
        raise
    except Exception as exc:  # pypdf raises many kinds (and RecursionError, MemoryError) on damaged files
        raise InputError(f"{path}: cannot read this PDF ({_reason(exc)})") from None
    starts, parts, offset = [], [], 0
    for page_text in page_texts:
        starts.append(offset)
        parts.append(page_text)
        offset += len(page_text) + len(PAGE_SEPARATOR)
    return PAGE_SEPARATOR.join(parts), tuple(starts)


def _decrypt(path: Path, reader) -> None:
    """Open a PDF encrypted with an empty user password (common: only printing is restricted)."""
    from pypdf import PasswordType

    if reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise InputError(f"{path}: the PDF is protected by a password; save an unprotected copy and index that")


def _reason(exc: BaseException) -> str:
    """One short line: the exception's message (or its class name when it has none)."""
    text = " ".join(str(exc).split())[:160]
    return text or exc.__class__.__name__


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

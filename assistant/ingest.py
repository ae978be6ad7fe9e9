"""Read input files: documents (UTF-8 ``.txt``/``.md``, or ``.pdf`` through PDFium) and data files.

Every input is read through ``read_input_bytes``: only a regular file (symlinks followed) is
opened, never a device or a FIFO, and at most ``max_input_bytes()`` are read.
"""

from __future__ import annotations

import ctypes
import math
import os
import re
import stat
from dataclasses import dataclass, replace
from itertools import groupby
from pathlib import Path
from typing import Any, Callable, Collection, Hashable

from assistant import hyphenation
from assistant.errors import InputError
from assistant.text import LIST_LINE, NOTE_MARKS, PAGE_NUMBER, SENTENCE_END_LINE

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
    headings: tuple[int, ...] | None = None  # start offsets of lines set in a heading font; None: not known
    title: str | None = None  # a PDF's title, read off its first page's fonts (``pdf_title``); None: not known


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
        text, pages, headings, title = _read_pdf(path, data)
        return _checked(RawDocument(path, text, markdown=False, pages=pages, headings=headings, title=title))
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
    wide = _wide_encoding(data)
    if wide is not None:
        raise InputError(f"{path}: is {wide} text, not UTF-8; re-save it as UTF-8")
    if b"\x00" in data:
        raise InputError(f"{path}: looks like a binary file, not UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 (byte {exc.start}); re-save it as UTF-8") from None
    return text.removeprefix("\ufeff")


def _wide_encoding(data: bytes) -> str | None:
    """"UTF-16" or "UTF-32" for text in those encodings: a byte-order mark, or (without one) English
    text's every other byte zero."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    sample = data[:4096]
    letters = [b for b in sample if b]
    readable = sum(32 <= b < 127 or b in (9, 10, 13) for b in letters)
    if len(sample) >= 8 and letters and readable >= 0.9 * len(letters) and sample.count(0) * 2 >= len(sample) * 0.9 and (
            sample[1::2].count(0) >= len(sample) // 2 * 0.9 or sample[0::2].count(0) >= len(sample) // 2 * 0.9):
        return "UTF-32" if sample[2::4].count(0) + sample[1::4].count(0) >= len(sample) // 2 * 0.9 else "UTF-16"
    return None


def _read_pdf(path: Path, data: bytes) -> tuple[str, tuple[int, ...], tuple[int, ...] | None, str | None]:
    """The text of every page (through PDFium), the offset where each page starts, the offsets of the
    lines set in a heading font (None when font sizes tell no headings apart) and the title its fonts
    tell (``pdf_title``)."""
    import pypdfium2

    _check_expansion(path, data)
    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        if getattr(exc, "err_code", None) == _PDFIUM_PASSWORD_ERROR:
            raise InputError(f"{path}: the PDF is protected by a password; save an unprotected copy and index that") from None
        raise InputError(f"{path}: cannot read this PDF ({_reason(exc)})") from None
    try:
        pages = without_cover(notes_after_sentence(figures_after_sentence(without_running_lines(
            [captions_after_sentence(footnotes_last(stamp_first(_page_lines(pdf, number)))) for number in range(len(pdf))]))))
    except Exception as exc:  # pdfium reports a damaged page as PdfiumError; ctypes and memory errors too
        raise InputError(f"{path}: cannot read this PDF ({_reason(exc)})") from None
    finally:
        pdf.close()
    return (*_assemble(pages), pdf_title(pages))


def _check_expansion(path: Path, data: bytes) -> None:
    """Refuse a PDF with a compressed stream that expands past 75 MB (pypdf's limit too), or
    streams that together expand past ``_expansion_limit``: a "zip bomb" that PDFium would
    inflate in memory. Each stream is inflated in pieces and only counted."""
    limit, total = _expansion_limit(len(data)), 0
    for match in _STREAM_START.finditer(data):
        if _IMAGE.search(data, max(0, match.start() - 4096, data.rfind(b" obj", 0, match.start())), match.start()):
            continue  # an image's pixels: reading the text never inflates them (a 6120 x 7920 scan is 145 MB)
        size = _inflated_size(data, match.end(), MAX_STREAM_BYTES)
        total += size
        if size > MAX_STREAM_BYTES or total > limit:
            raise InputError(f"{path}: cannot read this PDF (its compressed streams expand past "
                             f"{(MAX_STREAM_BYTES if size > MAX_STREAM_BYTES else limit) // 1_000_000} MB)")


def _inflated_size(data: bytes, start: int, limit: int) -> int:
    """How many bytes the Flate stream at ``start`` inflates to (counting stops past ``limit``;
    0 when it is not a Flate stream: PDFium judges those)."""
    import zlib

    inflate, total, position, pending = zlib.decompressobj(), 0, start, b""
    try:
        while total <= limit and not inflate.eof:
            if not pending:
                if position >= len(data):
                    break
                pending, position = data[position : position + 65536], position + 65536
            out = inflate.decompress(pending, 1 << 20)
            pending, total = inflate.unconsumed_tail, total + len(out)
            if not out and pending:
                break
    except zlib.error:
        return 0
    return total


def _expansion_limit(size: int) -> int:
    return max(500_000_000, 20 * size)


MAX_STREAM_BYTES = 75_000_000
_STREAM_START = re.compile(rb"stream\r?\n")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_PDFIUM_PASSWORD_ERROR = 4  # FPDF_ERR_PASSWORD
_LINE_END_HYPHEN = "\x02"  # pdfium's mark for a hyphen that breaks a word at the end of a line
_SAMPLES = 7  # characters of a line whose font size and weight are read


@dataclass(frozen=True)
class PdfLine:
    """One line of a PDF page: its text and the effective size (points) and boldness of its font."""

    text: str
    size: float
    bold: bool
    y: float = 0.0  # the baseline's height on the page (points from the bottom)
    hyphen: bool = False  # it ends on a word the PDF hyphenated across lines ("distri-" / "bution")
    note: bool = False  # a column footnote, moved to its page's end (``footnotes_last``)
    apart: bool = False  # a figure's text and caption, moved out of a sentence: a paragraph of its own (``figures_after_sentence``)


def _page_lines(pdf, number: int) -> list[PdfLine]:
    import pypdfium2.raw as pdfium_c

    page = pdf[number]
    textpage = page.get_textpage()
    try:
        handle = textpage.raw
        codes = [pdfium_c.FPDFText_GetUnicode(handle, i) for i in range(textpage.count_chars())]
        lines: list[list[int]] = []
        current: list[int] = []
        hyphens: set[int] = set()  # lines that end on a hyphenated word
        for i, code in enumerate(codes):
            if code == 10:  # pdfium ends each line with a generated CR LF
                lines.append(current)
                current = []
            elif code >= 32 and not 0xFFF0 <= code <= 0xFFFF and code != 0x7F:
                current.append(i)
            elif code == 2:  # pdfium's mark of a word hyphenated across lines
                hyphens.add(len(lines))
                if not (i + 2 < len(codes) and codes[i + 1] == 13 and codes[i + 2] == 10):
                    lines.append(current)  # no line end follows when a footer is drawn next: end it here
                    current = []
        lines.append(current)
        words = hyphenation.lexicon()
        return [replace(_line(pdfium_c, handle, codes, indices, _glued(pdfium_c, handle, codes, indices, words)),
                        hyphen=n in hyphens)
                for n, indices in enumerate(lines) if indices]
    finally:
        textpage.close()
        page.close()


_ARXIV_STAMP = re.compile(r"\s*arXiv:\s?(?:\d{4}\.\d{4,5}|[a-z][a-z.-]*/\d{7})v\d+\s+(?:\[[\w.-]+\]\s+)?\d{1,2}\s+[A-Z][a-z]{2}\s+\d{4}\s*")


def stamp_first(page: list[PdfLine]) -> list[PdfLine]:
    """The page with arXiv's stamp ("arXiv:1510.00116v1 [cs.DC] 1 Oct 2015", set sideways in the margin)
    first: PDFium reads it wherever the margin's text falls, often last, inside the sentence that the
    page break cuts ("Over time, more and more" / stamp / next page: "nodes are ..."). First, it
    stands above the title as on papers whose stamp PDFium reads first."""
    at = next((k for k, line in enumerate(page) if _ARXIV_STAMP.fullmatch(line.text)), 0)
    return [page[at], *page[:at], *page[at + 1:]] if at else page


RUNNING_MIN_PAGES = 3  # a running header or footer: the same line at a page's edge on this many pages
MAX_RUNNING_CHARS = 130  # a running line is no longer: "USENIX Association 11th USENIX Symposium on ... (OSDI ’14) 249" has 102


def running_key(text: str) -> str | None:
    """A line as a running header or footer repeats it, its page number aside ("To appear in OSDI 2006 #");
    None for a line that cannot be one (too long, or fewer than four letters)."""
    text = " ".join(text.split()).strip("-–—·•*_~ ")  # a scan's stray mark at an edge: "-Impossibility of ... 377"
    if len(text) > MAX_RUNNING_CHARS or sum(c.isalpha() for c in text) < 4:
        return None
    return re.sub(r"\d+", "#", text.lower())


def _edges(page: list[PdfLine]) -> set[int]:
    """The lines at a page's edges, its page number aside: first and last in reading order, top-most
    and bottom-most on the page."""
    lines = [i for i, line in enumerate(page) if not PAGE_NUMBER.fullmatch(line.text)]
    if not lines:
        return set()
    top = max(page[i].y for i in lines)
    bottom = min(page[i].y for i in lines)
    return {lines[0], lines[-1]} | {i for i in lines if page[i].y in (top, bottom)}


def running_lines(pages: list[list[PdfLine]]) -> list[set[int]]:
    """For each page, the lines that are its running header or footer: a line at the page's edge
    whose text (page number aside) stands at the edge of at least RUNNING_MIN_PAGES pages close
    together. On the first page its top line does not count, so the title is never taken for a
    running header that repeats it."""
    found: list[dict[int, str]] = []
    for number, page in enumerate(pages):
        keys = {}
        body_top = max((line.y for line in page), default=0.0)
        for i in sorted(_edges(page)):
            key = running_key(page[i].text)
            if key is not None and not (number == 0 and (i == 0 or page[i].y == body_top)):  # the title
                keys[i] = key
        found.append(keys)
    pages_of: dict[str, set[int]] = {}
    for number, keys in enumerate(found):
        for key in keys.values():
            pages_of.setdefault(key, set()).add(number)
    running = {key for key, on in pages_of.items() if _close_together(sorted(on))}
    return [{i for i, key in keys.items() if key in running} for keys in found]


def _close_together(pages: list[int]) -> bool:
    """Pages a running line is on: at least RUNNING_MIN_PAGES, most a page or two apart (headers
    alternate between left and right pages), unlike a chapter's label ("Chapter 2"), which opens a
    page now and then."""
    near = sum(b - a <= 2 for a, b in zip(pages, pages[1:]))
    return len(pages) >= RUNNING_MIN_PAGES and near >= RUNNING_MIN_PAGES - 1


_RUNNING_VENUE = re.compile(r"\s*(?-i:[A-Z0-9]).*(?:\b(?:proceedings|conference|symposium|workshop|journal|transactions|communications of|"
                            r"published in|to appear in|submitted to)\b|\b(?-i:[A-Z]{2,})\s?['’]\d{2}\b|\b(?:OSDI|SOSP|NSDI|USENIX|SIGMOD|VLDB)\b)", re.I)


def without_running_lines(pages: list[list[PdfLine]]) -> list[list[PdfLine]]:
    """The pages without their running headers and footers, and each word hyphenated across a line
    joined ("distri-" / "bution" is "distribution", also when a footer or a page break stood between
    them), unless what follows does not go on in lower case (a figure's text drawn next); a compound
    keeps its hyphen ("object-" / "placement", ``hyphenation.keeps_hyphen``)."""
    flat = [line for page in pages for line in page]
    breaks = [(head.group(1), tail.group(1)) for a, b in zip(flat, flat[1:])
              if a.hyphen and (head := hyphenation.HEAD.search(a.text)) and (tail := hyphenation.TAIL.match(b.text))]
    seen = hyphenation.document_words((line.text for line in flat), breaks)
    out: list[list[PdfLine]] = []
    for number, (page, running) in enumerate(zip(pages, running_lines(pages))):
        # the first page's running footer naming the venue is kept, first on its page: "Published in the
        # Proceedings of OSDI 2012" is where the work appeared, and it stands on every page but nowhere else
        kept: list[PdfLine] = [page[i] for i in sorted(running) if number == 0 and _RUNNING_VENUE.match(page[i].text)]
        for i, line in enumerate(page):
            if i in running:
                continue
            before = kept if kept else next((p for p in reversed(out) if p), [])  # a word broken over a page goes
            if before and before[-1].hyphen and line.text.lstrip()[:1].islower():  # with the page it starts on
                head, tail = hyphenation.HEAD.search(before[-1].text), hyphenation.TAIL.match(line.text)
                compound = bool(head and tail and hyphenation.keeps_hyphen(head.group(1), tail.group(1), seen,
                                                                           hyphenation.lexicon()))
                text = before[-1].text + ("-" if compound else "") + line.text.lstrip()
                before[-1] = replace(before[-1], text=text, hyphen=line.hyphen)
            else:
                kept.append(line)
        out.append(kept)
    return out


_TOKEN = re.compile(r"[A-Za-z]{5,}")
# English function words of up to three letters: a half of a glued word that is this short and not one of
# these is a fragment ("con" + "ned" is "confined" with its "fi" ligature lost, no two words)
SHORT_WORDS = frozenset("a i am an as at be by do go he if in is it me my no of on or so to up us we all and any are "
                        "but can few for has had her his how its may new nor not one our out own per see she the too "
                        "two use via was who why yet".split())
GLUED_GAP = 0.8  # a gap between two letters this share of the wider one's width or more is a word space


NAME_TAIL = 3  # a capitalised word is not split before a word this short


def _glued(pdfium_c, handle, codes: list[int], indices: list[int], words: frozenset[str]) -> set[int]:
    """Where a line's text lacks a space PDFium did not write though the letters stand apart (some PDFs set
    "chunk is" with no space character after a "k": "chunkis"): the positions (into ``indices``) inside a
    word the word list does not hold, that split it into two words it does hold, at a gap between two letters
    of at least GLUED_GAP of the wider letter's width. Only such words' letters are measured."""
    if not words:
        return set()
    text = "".join(chr(codes[i]) for i in indices)
    found = set()
    left, right, bottom, top = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    for match in _TOKEN.finditer(text):
        word = match.group().lower()
        if word in words:
            continue
        # a capitalised word may be a name: it is split only before a long word ("Itshould", "Chunkcreation"; "Bailis" and
        # "Sellis" are no "Bail is", "Sell is")
        name = match.group()[:1].isupper()
        splits = [k for k in range(1, len(word)) if all(part in words and (len(part) > 3 or part in SHORT_WORDS)
                                                         for part in (word[:k], word[k:])) and not (name and len(word) - k <= NAME_TAIL)]
        for k in splits:
            boxes = []
            for position in (match.start() + k - 1, match.start() + k):
                pdfium_c.FPDFText_GetCharBox(handle, indices[position], left, right, bottom, top)
                boxes.append((left.value, right.value))
            (l1, r1), (l2, r2) = boxes
            if l2 - r1 >= GLUED_GAP * max(r1 - l1, r2 - l2, 0.1):
                found.add(match.start() + k)
                break
    return found


_SURROGATE = re.compile("[\ud800-\udfff]")


def paired(text: str) -> str:
    """``text`` with each UTF-16 surrogate pair as the character it encodes: PDFium gives a character beyond the
    Basic Multilingual Plane (the mathematical "𝑛" of "1/√𝑛") as two codes, which no tokenizer or UTF-8 file takes;
    a lone one (a broken font map) as U+FFFD."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _line(pdfium_c, handle, codes: list[int], indices: list[int], spaces: Collection[int] = ()) -> PdfLine:
    text = paired("".join((" " if k in spaces else "") + chr(codes[i]) for k, i in enumerate(indices))).rstrip()
    ink = [i for i in indices if not chr(codes[i]).isspace()]
    step = max(1, len(ink) // _SAMPLES)
    sizes, bold = [], 0
    matrix = pdfium_c.FS_MATRIX()
    x, y = ctypes.c_double(), ctypes.c_double()
    if ink:
        pdfium_c.FPDFText_GetCharOrigin(handle, ink[0], x, y)
    for i in ink[::step][:_SAMPLES]:
        scale = 1.0
        if pdfium_c.FPDFText_GetMatrix(handle, i, matrix):
            scale = math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c)) or 1.0
        sizes.append(pdfium_c.FPDFText_GetFontSize(handle, i) * scale)
        bold += pdfium_c.FPDFText_GetFontWeight(handle, i) >= 600
    size = sorted(sizes)[len(sizes) // 2] if sizes else 0.0
    return PdfLine(text, round(size, 1), bool(sizes) and bold * 2 > len(sizes), round(y.value, 1))


Font = tuple  # (size, bold) of a heading font; (size, bold, line) for a heading that does not go on from the line before


def heading_lines(pages: list[list[PdfLine]]) -> list[list[Font | None]] | None:
    """The font of each line set in a heading font, None for the others; None for the whole
    document when no line stands out (the text's shape then decides).

    A heading font is at least 12% larger than the body text's (the size most text is set in);
    in a document whose text is all one size, it is bold where the body is not. Captions
    ("Figure 2: ..."), contents lines with dot leaders, single letters and long lines are never
    headings.
    """
    lines = [line for page in pages for line in page if _may_head(line.text)]
    body = heaviest([line for page in pages for line in page], lambda line: (_half_points(line), line.bold))
    if body is None:
        return None
    body_size, body_bold = body
    bigger = any(line.size >= body_size * HEADING_SIZE_RATIO for line in lines)

    def font(line: PdfLine) -> Font | None:
        if not _may_head(line.text):
            return None
        stands_out = line.size >= body_size * HEADING_SIZE_RATIO if bigger else line.bold and not body_bold
        return (line.size, line.bold) if stands_out else None

    fonts = [[font(line) for line in page] for page in pages]
    if any(f for page in fonts for f in page):  # fonts tell headings apart: some are set in the body font all the same
        _body_font_headings(pages, fonts, body_size, body_bold)
    _title_page(pages[0] if pages else [], fonts[0] if fonts else [])
    for page, page_fonts in zip(pages, fonts):
        for i in range(1, len(page)):  # a heading set on two lines: same font, next line close below
            before, line = page[i - 1], page[i]
            wrapped = 0 < before.y - line.y <= 1.6 * before.size and not _SECTION_NUMBER.match(line.text)
            current = page_fonts[i]
            if current is not None and current == page_fonts[i - 1] and not wrapped:
                page_fonts[i] = (*current, i)  # same font, but a heading of its own
    return fonts if any(f for page in fonts for f in page) else None


def _body_font_headings(pages: list[list[PdfLine]], fonts: list[list[Font | None]], body_size: float, body_bold: bool) -> None:
    """Mark the headings a PDF sets in (about) the body font: numbered section headings ("3.1 Keys and
    searching", "12 PROPERTIES OF EQUIVOCATION", "6. Conclusions and Future Work") and the usual names of a
    paper's parts standing alone on a line ("Abstract", "References").

    A numbered line is a heading only when it reads as a title (short, a capital first, no final full stop
    or number, at least one word) and its number continues the document's numbering: the longest run of
    numbered lines (those set in a heading font count too) where each number follows the one before it
    (2 after 1.3, 2.1 after 2, 2.2 or 2.3 after 2.1) and that starts at 0, 1 or 1.1, or at a heading
    font; the run must hold at least NUMBERED_RUN_MIN lines. A numbered list item ("1. Each variable
    forms a column."), a table row ("7 A*Teens Dancing Queen 3:44"), an equation, a year ("2015 was
    ...") or a reference ("2. Akamai, http://...") fails one of these. A heading in capitals that goes on
    in a second line in capitals is one title. The line after a heading must not go on in lower case.
    """
    lines = [(n, i) for n, page in enumerate(pages) for i in range(len(page))]
    order = {position: k for k, position in enumerate(lines)}

    def text(position: tuple[int, int]) -> str:
        return pages[position[0]][position[1]].text.strip()

    def after(position: tuple[int, int]) -> tuple[int, int] | None:
        k = order[position] + 1
        return lines[k] if k < len(lines) else None

    def body_sized(position: tuple[int, int]) -> bool:  # or smaller, but bold ("8. REFERENCES" in small capitals)
        line = pages[position[0]][position[1]]
        return line.size >= body_size * BODY_FONT_HEADING_RATIO or (line.bold and not body_bold)

    def free(position: tuple[int, int]) -> bool:
        return fonts[position[0]][position[1]] is None and body_sized(position)

    def goes_on(position: tuple[int, int]) -> tuple[int, int] | None:
        """The second line of a heading in capitals, when there is one."""
        nxt = after(position)
        if nxt is None or not free(nxt) or not text(position).isupper():
            return None
        line = text(nxt)
        return nxt if line.isupper() and len(line) <= 60 and not SENTENCE_END_LINE.search(line) else None

    def followed_by_text(position: tuple[int, int], number: tuple[int, ...] = ()) -> bool:
        """The next line does not go on in lower case, nor is it numbered like a list item or a table row
        (a first subsection may follow: "2. Gossip Protocols", "2.1. Rationale")."""
        nxt = after(goes_on(position) or position)
        if nxt is None:
            return True
        numbered = _NUMBERED_HEADING.fullmatch(text(nxt))
        if numbered and number and numbered.group(1) != ".".join(map(str, (*number, 1))):
            return False
        return not text(nxt)[:1].islower()

    def after_list_item(position: tuple[int, int], number: tuple[int, ...]) -> bool:
        """The line before is numbered too, in the body font, and not as this line's parent section: the
        last item of a list ("2. Each lamp burns oil", "3. Each keeper sleeps")."""
        k = order[position] - 1
        if k < 0 or not free(lines[k]):  # a heading, or a footnote ("12 See von Neumann ...")
            return False
        numbered = _NUMBERED_HEADING.fullmatch(text(lines[k]))
        return numbered is not None and numbered.group(1) != ".".join(map(str, number[:-1]))

    candidates: list[tuple[tuple[int, int], tuple[int, ...], bool]] = []  # (line, number, set in a heading font)
    for position in lines:
        match = _NUMBERED_HEADING.fullmatch(text(position))
        if not match:
            continue
        number = tuple(int(part) for part in match.group(1).split("."))
        heading_font = fonts[position[0]][position[1]] is not None
        if heading_font or (free(position) and _reads_as_title(match.group(2)) and followed_by_text(position, number)
                            and not after_list_item(position, number)):
            candidates.append((position, number, heading_font))
    while candidates:  # the longest run first; then one that starts anew (the numbered sections of a licence)
        chain = _numbered_run([(number, heading_font) for _, number, heading_font in candidates])
        if len(chain) < NUMBERED_RUN_MIN:
            break
        for j in chain:
            position, _, heading_font = candidates[j]
            if not heading_font:
                _mark(pages, fonts, position, goes_on(position))
        candidates = [c for j, c in enumerate(candidates) if j not in chain]
    for position in lines:
        if free(position) and _PART_NAME.fullmatch(text(position)) and text(position)[0].isupper() and followed_by_text(position):
            _mark(pages, fonts, position, None)


def _numbered_run(candidates: list[tuple[tuple[int, ...], bool]]) -> list[int]:
    """The indices of the longest run of (section number, set in a heading font) where each number
    follows the one before (``_follows``); it starts at 0, 1 or 1.1, or at a heading font."""
    best: list[int] = []
    previous: list[int | None] = []
    for j, (number, heading_font) in enumerate(candidates):
        length, link = (1, None) if heading_font or number in _FIRST_NUMBERS else (0, None)
        for k in range(j):
            if best[k] and best[k] + 1 >= length and _follows(candidates[k][0], number):
                length, link = best[k] + 1, k
        best.append(length)
        previous.append(link)
    end = max(range(len(best)), key=lambda j: (best[j], j), default=None)
    chain: list[int] = []
    while end is not None and best[end]:
        chain.append(end)
        end = previous[end]
    return chain[::-1]


def _mark(pages: list[list[PdfLine]], fonts: list[list[Font | None]], position: tuple[int, int],
          second: tuple[int, int] | None) -> None:
    n, i = position
    line = pages[n][i]
    font = (line.size, line.bold, "body font", n, i)  # a heading of its own; its second line, if any, shares it
    fonts[n][i] = font
    if second is not None:
        fonts[second[0]][second[1]] = font


def _follows(before: tuple[int, ...], number: tuple[int, ...]) -> bool:
    """Whether a section numbered ``number`` can come next after one numbered ``before`` (one number of
    the same level may be missing: a heading the reader did not recognise)."""
    if len(number) == len(before) + 1:
        return number[:-1] == before and number[-1] == 1
    level = len(number) - 1
    return len(number) <= len(before) and number[:-1] == before[:level] and 1 <= number[-1] - before[level] <= 2


def _reads_as_title(title: str) -> bool:
    """What follows a section number reads as a title: a capital first, short, at least one word, and
    no sentence end (a version number may close it: "ESSENTIA 2.0"), page number (a contents line),
    time of day (a table row), formula, address or initial (a reference: "D. Knuth, ...")."""
    closed = SENTENCE_END_LINE.search(re.sub(r"\s\d+\.\d+$", "", title)) or title.endswith((",", ";", "-"))
    return (title[:1].isupper() and len(title) <= 80 and len(title.split()) <= 12 and bool(re.search(r"[A-Za-z]{3}", title))
            and not closed and not _NOT_A_TITLE.search(title) and not re.match(r"[A-Z]\.\s", title))


def _title_page(lines: list[PdfLine], fonts: list) -> None:
    """The first page's large lines before its first section heading ("1 Introduction",
    "Abstract") are the title, authors and affiliations: not headings (a title opening with the article "A"
    is no section: "A Wait-free Queue ...")."""
    first = next((i for i, (line, font) in enumerate(zip(lines, fonts)) if font and _opens_section(line.text)), None)
    for i in range(len(fonts) if first is None and any(_opens_section(line.text) for line in lines) else first or 0):
        fonts[i] = None


TITLE_SIZE_RATIO = 1.25  # a title (and a subtitle) is set at least this much larger than the body text
TITLE_TOP_LINES = 40  # ... among the first page's first lines
MAX_TITLE_WORDS = 30
MAX_SUBTITLE_LINES = 2
SUBTITLE_WORDS = 0.75  # the share of a subtitle's words that are common English words (not a byline's names)
_NOT_TITLE_LINE = re.compile(r"arXiv:\S|\b(?:journal|proceedings|conference|symposium|workshop|vol\.|volume\s\d|pp\.|issn|doi)\b"
                             r"|copyright|©|https?://|www\.|@|^\W*\d+\W*$", re.I)
# the first page's part that comes after the title: "Abstract", "Abstract—We ...", "1 Introduction", "I. INTRODUCTION"
_BEFORE_TITLE_ENDS = re.compile(r"\s*(?:abstract\b|(?:(?:1|I)\.?\s+)?(?:introduction|summary)\s*$|keywords\b|index terms\b)", re.I)
_TITLE_MARKS = re.compile(rf"(?:\s*[{NOTE_MARKS}]|(?<=[a-z])\d(?:,\d)*)+$")  # a note mark closing a title: "Design1", "Protocol ∗"


def pdf_title(pages: list[list[PdfLine]]) -> str | None:
    """The title a PDF's fonts tell: the run of lines set in the largest font among its first page's
    lines before the abstract or first section (at least ``TITLE_SIZE_RATIO`` times the body text's
    size), next to each other, and a subtitle set right under it in a smaller font that still stands
    out (not a byline). So a title the PDF set on two or three lines ("An Axiomatic Basis for" /
    "Computer Programming") is whole, and a venue line, an arXiv stamp or a page number set large is
    not taken for it. None when no line stands out so (the text's shape then decides, structure.py)."""
    from assistant.byline import reads_as_byline, reads_as_words

    body = heaviest([line for page in pages for line in page], _half_points)
    page = next((page for page in pages if page), [])
    first = page[:TITLE_TOP_LINES]
    end = next((i for i, line in enumerate(first) if _BEFORE_TITLE_ENDS.match(line.text)), len(first))
    usable = _title_lines(first[:end])
    if not usable and end < len(first):  # the page's text opens with its first section ("Introduction"): the PDF set
        first, end = page, len(page)  # the title elsewhere in its reading order (Kalman's, after the first column)
        usable = _title_lines(first)
    if body is None or body < 1.0 or not usable:  # no sizes read (a Type 3 font's): the text's shape decides
        return None
    size = max(first[i].size for i in usable)
    if size < body * TITLE_SIZE_RATIO:
        return None
    start = next(i for i in usable if first[i].size >= size - 0.1)
    run = [first[start]]
    below = lambda line: -0.5 * run[-1].size <= run[-1].y - line.y <= 2.6 * run[-1].size  # the next line, or the rest of this one
    rest = iter(first[start + 1 : end])
    line = next(rest, None)
    while line is not None and abs(line.size - size) <= 0.05 * size and below(line) and not _NOT_TITLE_LINE.search(line.text):
        run.append(line)
        line = next(rest, None)
    subtitle: list[PdfLine] = []
    while (line is not None and len(subtitle) < MAX_SUBTITLE_LINES and body * TITLE_SIZE_RATIO <= line.size < size * 0.95
           and (not subtitle or abs(line.size - subtitle[0].size) <= 0.05 * line.size) and below(line)
           and not _NOT_TITLE_LINE.search(line.text) and not reads_as_byline([line.text.strip()])
           and not re.search(f"[{NOTE_MARKS}]", line.text) and reads_as_words(line.text, SUBTITLE_WORDS)):
        subtitle.append(line)
        run.append(line)
        line = next(rest, None)
    text = " ".join(_TITLE_MARKS.sub("", line.text.strip()) for line in run)  # a word hyphenated across lines is one already
    title = re.sub(r"(?<=[a-z]{3})\.$", "", _TITLE_MARKS.sub("", " ".join(text.split())))  # "... creative writing."
    if re.fullmatch(r"\W*(?:abstract|summary|introduction|contents|preface|keywords)\W*", title, re.I):
        return None  # a part's heading set large, not the title
    return title if 1 <= len(title.split()) <= MAX_TITLE_WORDS else None


def _title_lines(lines: list[PdfLine]) -> list[int]:
    """The indexes of ``lines`` that may be part of a title: four letters or more, no venue line or stamp."""
    return [i for i, line in enumerate(lines) if sum(c.isalpha() for c in line.text) >= 4 and not _NOT_TITLE_LINE.search(line.text)]


def _opens_section(text: str) -> bool:
    """Does a first page's line read as a section heading ("1 Introduction", "Abstract", "B. Setup"), not as a
    title that opens with the article "A" ("A Wait-free Queue as Fast as Fetch-and-Add")?"""
    text = text.strip()
    if re.fullmatch(r"[A-Z][A-Za-z]+\.?", text):  # one word: a part's name ("Abstract"), not a title's last ("Communication")
        return bool(_PART_NAME.fullmatch(text) or _FIRST_PAGE_PART.fullmatch(text))
    return bool(_SECTION_LIKE.match(text)) and not re.match(r"A\s+[^\W\d_]{2,}", text)


_FIRST_PAGE_PART = re.compile(r"(?i:summary|overview|background|preface|foreword|keywords|contents|motivation)[.:]?")


HEADING_SIZE_RATIO = 1.12
_SECTION_NUMBER = re.compile(r"\s*(?:\d+|[A-Z])(?:\.\d+)*\.?\s+\S")
_SECTION_LIKE = re.compile(r"\s*(?:(?:\d+|[A-Z])(?:\.\d+)*\.?\s+\S|[A-Z][A-Za-z]+\.?\s*$)")
MAX_HEADING_CHARS = 120
BODY_FONT_HEADING_RATIO = 0.9  # a heading set in the body font may be a little smaller than the body (not a footnote)
NUMBERED_RUN_MIN = 3  # numbered lines in a run before the body-font ones among them are headings
_NUMBERED_HEADING = re.compile(r"(\d{1,2}(?:\.\d{1,2})*)\.?\s+(\S.*)")
_NOT_A_TITLE = re.compile(r"\s\d+$|\d:\d\d|[=<>+|\\]|https?:|www\.")
_FIRST_NUMBERS = {(0,), (1,), (1, 1)}
_PART_NAME = re.compile(r"(?i:abstract|introduction|conclusions?|conclusions? and future work|related work|references"
                        r"|bibliography|acknowledge?ments?|appendix)[.:]?")
_NOT_A_HEADING = re.compile(r"^(?:fig(?:ure)?\.?|table|listing|algorithm)\s*\d|(?:\.\s?){4,}\s*\d*$", re.I)


def _may_head(text: str) -> bool:
    text = text.strip()
    return len(text) <= MAX_HEADING_CHARS and sum(c.isalpha() for c in text) >= 2 and not _NOT_A_HEADING.search(text)


FOOTNOTE_SIZE_RATIO = 0.92  # a footnote's font is smaller than the body text's by at least this
_FOOTNOTE_OPENING = re.compile(r"\s*(?:\d{1,2}\s*\S|[*∗†‡§¶]|permission to make|copyright|©)", re.I)  # "1 http://", "∗Work ..."


def footnotes_last(page: list[PdfLine]) -> list[PdfLine]:
    """The page with each block of its column footnotes moved to its end. A footnote block is a run of
    lines set smaller than the page's body text (the size most of its characters are set in), opening
    with a note mark or a copyright notice, that sits below the body line before it and is followed by a
    body line higher up, the next column's top (not a table's small print): the
    PDF draws a column's footnotes ("1 http://...", "Permission to make digital or hard copies ...") between
    its last line and the next column's first, in the middle of the sentence they run across."""
    body = heaviest(page, _half_points)
    if body is None:
        return page
    kept: list[PdfLine] = []
    moved: list[PdfLine] = []
    start = 0
    for small, run in groupby(page, key=lambda line: line.size < body * FOOTNOTE_SIZE_RATIO):
        lines = list(run)
        end = start + len(lines)
        before = page[start - 1] if start else None
        after = next((line for line in page[end:] if not PAGE_NUMBER.fullmatch(line.text)), None)
        if (small and before is not None and (after is None or after.y > before.y)  # the next column's top follows, or the page ends
                and all(line.y < before.y for line in lines) and _FOOTNOTE_OPENING.match(lines[0].text)):
            if after is None:  # at the page's end already, before its number perhaps: marked where it stands
                kept += [replace(line, note=True) for line in lines]
            else:
                moved += [replace(line, note=True) for line in lines]
        else:
            kept += lines
        start = end
    return kept + moved


_CAPTION = re.compile(r"\s*(?:fig(?:ure)?\.?|table)\s*\d+[a-z]?\s*[:.]", re.I)
_FIGURE_CAPTION = re.compile(_CAPTION.pattern + r"(?!\w)", re.I)  # not "Figure 1.b shows ..."
MAX_CAPTION_LINES = 8
_PLAIN_END = re.compile(r"[.!?:][\"')\]’”]?$")  # a line ending a sentence, without a note's number ("... SZ-1.4" goes on)
MAX_SENTENCE_LINES = 20  # how far the end of a sentence a caption or note interrupts is looked for
MIN_RUNNING_WORDS = 5  # a line of running text, not a table cell or a line of code


def captions_after_sentence(page: list[PdfLine]) -> list[PdfLine]:
    """The page with each figure or table caption that the PDF draws in the middle of a sentence
    ("... at a very early" / "Figure 1: The path taken ..." / "point in their development") moved to
    after that sentence's end. A caption opens "Figure N:" in a font other than the body text's and
    runs while its lines keep that font; the sentence it interrupts is body text on both sides, a full
    line before it (no table cell or code) and one going on in lower case after it."""
    body = heaviest([line for line in page if not line.note], lambda line: (line.size, line.bold))
    out = list(page)
    i = 1
    while i < len(out):
        font = (out[i].size, out[i].bold)
        before = out[i - 1]
        if not (_CAPTION.match(out[i].text) and font != body and (before.size, before.bold) == body
                and len(before.text.split()) >= MIN_RUNNING_WORDS and not SENTENCE_END_LINE.search(before.text.rstrip())):
            i += 1
            continue
        end = i + 1
        while end < len(out) and end - i < MAX_CAPTION_LINES and (out[end].size, out[end].bold) == font:
            end += 1
        goes_on = next((j for j in range(end, min(end + MAX_SENTENCE_LINES, len(out)))
                        if SENTENCE_END_LINE.search(out[j].text.rstrip())), len(out) - 1)  # else the page's end
        if end >= len(out) or (out[end].size, out[end].bold) != body or not out[end].text.lstrip()[:1].islower():
            i = end
            continue
        out[i:goes_on + 1] = out[end:goes_on + 1] + out[i:end]
        i = goes_on + 1
    return out


def figures_after_sentence(pages: list[list[PdfLine]]) -> list[list[PdfLine]]:
    """The pages with each figure or table that the PDF draws in the middle of a sentence, its text
    (tick labels, cell values, code, set in another font or in lines too short for running text) and
    the caption under it ("Figure 2: LSN estimation. ..."), moved to after that sentence's end and
    marked ``apart``: a paragraph of its own, so that neither half of the sentence takes in the
    figure's text. The sentence is body text that stops without ending, on the line before the figure
    or at the end of the page before when the figure opens its page, and goes on in lower case after
    the caption (in another size than the caption's, unless the caption has ended: else the lower-case
    line may be the caption's own). A caption with no figure text above it is ``captions_after_sentence``'s."""
    out = [list(page) for page in pages]
    before: PdfLine | None = None  # the last line of text on the page before
    for page in out:
        body = heaviest([line for line in page if not line.note], _font)
        i = 1
        while i < len(page):
            caption = page[i]
            if not (_FIGURE_CAPTION.match(caption.text) and _font(caption) != body and _in_figure(page[i - 1], body)):
                i += 1
                continue
            start = i
            while start > 0 and _in_figure(page[start - 1], body):
                start -= 1
            end = i + 1
            while (end < len(page) and end - i < MAX_CAPTION_LINES and _font(page[end]) != body
                   and _half_points(page[end]) == _half_points(caption)):  # "Table 1. Results:" in bold, the rest not
                end += 1
            cut = page[start - 1] if start else before
            if (end >= len(page) or not _running(page[end], body) or not page[end].text.lstrip()[:1].islower()
                    or (_half_points(page[end]) == _half_points(page[end - 1]) and not _PLAIN_END.search(page[end - 1].text.rstrip()))
                    or cut is None or cut.note or (start and not _running(cut, body)) or SENTENCE_END_LINE.search(cut.text.rstrip())):
                i = end
                continue
            goes_on = next((j for j in range(end, min(end + MAX_SENTENCE_LINES, len(page)))
                            if _PLAIN_END.search(page[j].text.rstrip())), len(page) - 1)
            page[start:goes_on + 1] = page[end:goes_on + 1] + [replace(line, apart=True) for line in page[start:end]]
            i = goes_on + 1
        last = next((line for line in reversed(page) if not (line.note or PAGE_NUMBER.fullmatch(line.text))), None)
        before = last if last is not None and _running(last, body) else None
    return out


def _font(line: PdfLine) -> tuple[float, bool]:
    return _half_points(line), line.bold  # sizes a PDF sets at 8.9, 9.0 and 9.1 points are one


def _running(line: PdfLine, body: tuple[float, bool] | None) -> bool:
    """A line of running text: in the body font and long enough (not a cell, a label or a line of code)."""
    return _font(line) == body and len(line.text.split()) >= MIN_RUNNING_WORDS


def _in_figure(line: PdfLine, body: tuple[float, bool] | None) -> bool:
    """A line that may be a figure's or a table's text: no running text, nor a short body line ending a sentence."""
    return not line.note and not _running(line, body) and not (
        _font(line) == body and SENTENCE_END_LINE.search(line.text.rstrip()))


def notes_after_sentence(pages: list[list[PdfLine]]) -> list[list[PdfLine]]:
    """The pages with the lines that finish a sentence a page's footnotes interrupt at its end ("... top-down
    testing, say" / "1Throughout this paper, ..." / next page: "using input and error injection ...") moved up to before those
    notes, so that the sentence reads whole (and a word hyphenated over the page break is joined); the
    sentence's place is the page it starts on."""
    out = [list(page) for page in pages]
    for number in range(len(out) - 1):
        page = out[number]
        notes = len(page) - next((k for k, line in enumerate(reversed(page)) if not (line.note or PAGE_NUMBER.fullmatch(line.text))),
                                 len(page))
        if notes == len(page) or not any(line.note for line in page[notes:]):
            continue
        if notes >= 2 and _CAPTION.match(page[notes - 1].text):  # a figure's one-line caption over its small print
            notes -= 1
        last, nxt = page[notes - 1], next((p for p in out[number + 1:] if p), [])
        if not nxt or SENTENCE_END_LINE.search(last.text.rstrip()) or not nxt[0].text.lstrip()[:1].islower():
            continue
        ends = next((j for j in range(min(MAX_SENTENCE_LINES, len(nxt))) if SENTENCE_END_LINE.search(nxt[j].text.rstrip())), None)
        if ends is None:
            continue
        tail = nxt[: ends + 1]
        del nxt[: ends + 1]
        if last.hyphen:
            page[notes - 1] = replace(last, text=last.text + tail[0].text.lstrip(), hyphen=tail[0].hyphen)
            tail = tail[1:]
        page[notes:notes] = tail
    return out


def _half_points(line: PdfLine) -> float:
    return round(line.size * 2) / 2


def heaviest(lines: list[PdfLine], key: Callable[[PdfLine], Hashable]) -> Any:
    """The ``key`` of ``lines`` that the most characters are set in (the body text's size, or size and
    boldness), None for no lines."""
    weight: dict = {}
    for line in lines:
        weight[key(line)] = weight.get(key(line), 0) + len(line.text)
    return max(weight, key=weight.__getitem__) if weight else None


# A repository's cover page before the paper (ResearchGate's "See discussions, stats, and author profiles ...",
# JSTOR's terms of use, a university portal's "General rights"): its title, author list and counts are the repository's, not the paper's byline.
_COVER = re.compile(r"See discussions, stats,? and author profiles for this publication|All content following this page was uploaded by"
                    r"|Your use of the JSTOR archive indicates your acceptance"
                    r"|publications made accessible in the public portal", re.I)  # a university's Pure portal (DTU Orbit, ...)


def without_cover(pages: list[list[PdfLine]]) -> list[list[PdfLine]]:
    """The pages with a repository's cover page (the first, when another follows) left empty, so that the
    paper's own title and byline open the text and every page keeps its number."""
    if len(pages) > 1 and any(_COVER.search(line.text) for line in pages[0]):
        return [[], *pages[1:]]
    return pages


def _assemble(pages: list[list[PdfLine]]) -> tuple[str, tuple[int, ...], tuple[int, ...] | None]:
    flags = heading_lines(pages)
    starts, parts, headings, offset = [], [], [], 0
    for number, page in enumerate(pages):
        marked = _break_lines([line.text for line in page], flags[number] if flags else None,
                              {k for k, line in enumerate(page) if line.apart})
        starts.append(offset)
        position = offset
        for text, is_heading in marked:
            if is_heading:
                headings.append(position)
            position += len(text) + 1
        parts.append("\n".join(text for text, _ in marked))
        offset += len(parts[-1]) + len(PAGE_SEPARATOR)
    return PAGE_SEPARATOR.join(parts), tuple(starts), tuple(headings) if flags else None


def _reason(exc: BaseException) -> str:
    """One short line: the exception's message (or its class name when it has none)."""
    text = " ".join(str(exc).split())[:160]
    return text or exc.__class__.__name__




def paragraph_breaks(page: str) -> str:
    """Mark paragraph ends in one page of PDF text with blank lines (see ``_break_lines``);
    headings are guessed from the lines' shapes."""
    return "\n".join(text for text, _ in _break_lines(page.split("\n"), None))


def _break_lines(lines: list[str], fonts: list | None, apart: Collection[int] = ()) -> list[tuple[str, bool]]:
    """The page's lines with blank lines added at paragraph ends, each with whether a heading starts there.

    PDF text extraction puts every line on its own line and drops the gaps between
    paragraphs. A line that ends a sentence and falls well short of the page's usual line
    length ends a paragraph, and so does any line before a bullet. A heading stands alone:
    a run of lines set in one heading font when ``fonts`` gives each line's (None for body
    text), else a short line with no final punctuation. Only newlines are added: the text of
    every line is kept, and the result is the source text that citations point into. A run of
    lines in ``apart`` (a figure moved out of a sentence) is a paragraph of its own, and its caption
    one apart from the figure's text.
    """
    lengths = sorted(len(line.strip()) for line in lines if line.strip())
    if len(lengths) < 3 and fonts is None:
        return [(line, False) for line in lines]
    usual = lengths[int(len(lengths) * 0.75)] if lengths else 0
    if fonts is None:
        fonts = [("shape", i) if _looks_like_heading(line.strip(), usual) else None for i, line in enumerate(lines)]
    out: list[tuple[str, bool]] = []
    for i, line in enumerate(lines):
        font = fonts[i] if line.strip() else None
        starts = font is not None and (i == 0 or fonts[i - 1] != font)
        if (starts or (i in apart and i - 1 not in apart)) and out and out[-1][0].strip():
            out.append(("", False))
        out.append((line, starts))
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        text = line.strip()
        if not text or not nxt.strip():
            continue
        short = len(text) < 0.8 * usual
        ends = bool(SENTENCE_END_LINE.search(text))
        if font is not None and fonts[i + 1] == font:
            continue  # the heading goes on in the next line
        if (short and ends) or font is not None or LIST_LINE.match(nxt) or (i in apart) != (i + 1 in apart) \
                or (i + 1 in apart and _FIGURE_CAPTION.match(nxt)):  # a moved figure's caption: apart from its text
            out.append(("", False))
    return out


def _looks_like_heading(text: str, usual: int) -> bool:
    """A short line that starts with a capital or a section number and ends without punctuation."""
    if not text or len(text) >= 0.6 * usual or SENTENCE_END_LINE.search(text) or text.endswith((",", "-", ";")):
        return False
    return bool(re.match(r"(\d+(\.\d+)*\.?\s+)?[A-Z]", text))


def _checked(raw: RawDocument) -> RawDocument:
    if not raw.text.strip():
        what = "has no text layer (scanned?); run OCR first" if raw.pages else "is empty"
        raise InputError(f"{raw.path}: {what}")
    if raw.pages and readable_share(raw.text) < MIN_READABLE:
        raise InputError(f"{raw.path}: its text layer cannot be read (fonts without a character map?); "
                         "run OCR first or use another copy")
    return raw


# Whitespace-separated tokens that read as words: letters (any script), at least two, with punctuation or
# digits only around them. On 27 real PDFs the share is 0.68-0.94; a text layer set in fonts without a
# character map (TeX Type 3 fonts from dvips) decodes to symbol soup ("#%$'&)(+*-,/.102.43652&"), 0.08.
MIN_READABLE = 0.3
_WORD_TOKEN = re.compile(r"[\W\d_]*[^\W\d_]{2,}(?:[-'’][^\W\d_]+)*[\W\d_]*")


def readable_share(text: str) -> float:
    """The share of ``text``'s tokens that read as words (1.0 for no tokens)."""
    tokens = text.split()
    return sum(bool(_WORD_TOKEN.fullmatch(token)) for token in tokens) / len(tokens) if tokens else 1.0

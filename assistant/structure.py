"""Recover a paper's structure from raw (PDF-extracted) text, keeping exact offsets.

Blocks are runs of non-blank lines. A block becomes a heading, a list item, a
page number (dropped), a note of the Notes section, a table, or body text; body
blocks that a page break split mid-sentence are re-joined into one paragraph, and
page furniture left inside a sentence is dropped by ``display_text`` only. Sections
get a ``kind`` from their titles. Paragraphs are cut into sentences with pysbd,
a window at a time; a table's cells are cut by column (``Sentence.column``). Nothing is edited: every record points back into
the source with ``start``/``end`` and its text is ``source[start:end]``.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from dataclasses import dataclass

from assistant.byline import COVER_LINES, cover_end, reads_as_byline, reads_as_words
from assistant.records import Document, Marker, Note, Paragraph, Section, Sentence
from assistant.text import BARE_MARKER as _BARE_MARKER
from assistant.text import CLOSED_END as _CLOSED
from assistant.text import INLINE_ITEM_MARK
from assistant.text import LIST_ITEM as _BULLET
from assistant.text import MONTH_ABBREVIATIONS, NOTE_MARKS
from assistant.text import PAGE_NUMBER as _PAGE_NUMBER
from assistant.text import PUNCTUATED_END as _TERMINAL
from assistant.text import SUPERSCRIPT_DIGITS
from assistant.text import SUPERSCRIPT_MARKER as _SUPER_MARKER
from assistant.text import YEAR

_SUPER_TO_INT = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")
_BLOCK = re.compile(r"(?:^[^\S\n]*\S[^\n]*(?:\n|\Z))+", re.M)
_NOTE_START = re.compile(rf"(?:^|(?<=\s))(?:-\s+)?([{SUPERSCRIPT_DIGITS}]+)\s", re.M)
_FINITE_VERB = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|can|could|will|would|should|must|may|might|do|does|did)\b",
    re.I,
)
_SECTION_NUMBER = re.compile(r"^\d+(?:\.\d+)*\.?\s+(?=[A-Z])")
FRONT_MATTER = "Front matter"  # the title of the untitled block before the first heading
FRONT_MATTER_CHARS = 2000  # longer untitled openings are body text (unless a tenth of the document)
_TITLE_PREFIX = re.compile(
    r"^(?:(?:chapter|section|part)\s+)?(?:\d+(?:\.\d+)*[.):]?|[ivxlc]+[.):]|[a-z][.)])\s*(?:[:\-–—]\s*)?", re.I
)
_SECTION_KIND_TITLES = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("front", r"front matter|title page|foreword|preface|series (?:editor'?s? )?(?:note|preface)"),
        ("about_authors", r"(?:about|on) the authors?|(?:the )?authors?|(?:notes on )?(?:the )?contributors"
         r"|author'?s? biograph(?:y|ies)|biograph(?:y|ies)"),
        ("disclaimer", r"disclaimers?|legal notice|copyright(?: notice)?"),
        ("acknowledgements", r"acknowledge?ments?"),
        ("contents", r"(?:table of )?contents"),
        ("abstract", r"abstract|(?:executive )?summary|synopsis|key (?:findings|points)|highlights"),
        ("introduction", r"(?:\w+ )?introduction(?: and .*)?|intro"),
        ("method", r"(?:theoretical|conceptual|analytical) (?:framework|background|approach|perspective)s?"
         r"|(?:research )?(?:methods?|methodology)|research design|materials and methods|data and methods?|theory"),
        ("conclusion", r"conclusions?(?: and .*)?|concluding (?:remarks|thoughts|observations)"
         r"|(?:summary|discussion) and conclusions?|final (?:remarks|thoughts)|closing remarks"),
        ("notes", r"notes|endnotes|footnotes"),
        ("references", r"references|bibliography|works cited|literature cited|reference list|sources|further reading"),
        ("appendix", r"appendi(?:x|ces)\b.*|annex(?:es)?\b.*|supplementary .*"),
    )
)
MAX_SENTENCE_CHARS = 900
OPEN_PARAGRAPH_CHARS = 200  # a paragraph this long that ends without punctuation was cut by a page break
_CAPTION_LINE = re.compile(r"^[^\S\n]*(?:Fig(?:ure)?\.?|Table)[^\S\n]*\d+[a-z]?[.:](?!\w)", re.M)  # a line opening a caption
CAPTION_LINES = 2  # ... that ends a paragraph within this many lines
_TABLE_CAPTION = re.compile(r"(?:^|(?<=\s))Table\s+\d+[.:]\s+")
TABLE_CELL_SEPARATORS = 3  # a block with this many ';' right after a table continues it
SEGMENT_WINDOW = 2000  # pysbd reads at most this many characters at once (it is quadratic)
PROGRESS_EVERY = 100_000  # characters segmented between two progress reports
_SENTENCE_END = re.compile(r"[.!?…]")


@dataclass(frozen=True)
class _Block:
    start: int
    end: int
    text: str


def parse(source: str, *, title: str | None = None, markdown: bool = False, pages=(), headings=None, progress=None) -> Document:
    """Parse ``source`` into a Document; ``title`` overrides the detected title.

    ``headings``, when given, are the start offsets of the lines a PDF sets in a heading font:
    only those can be headings (else headings are guessed from the lines' shapes).
    ``progress(stage, done, total)``, when given, is told how many paragraphs are segmented.
    """
    blocks = _blocks(source)
    furniture = _furniture(blocks, tuple(pages))
    heading_flags = _heading_flags(blocks, markdown, furniture, None if headings is None else frozenset(headings))
    sections, paragraphs, notes = _layout(source, blocks, heading_flags, furniture)
    markers = _body_markers(source, paragraphs, max_note=max((n.number for n in notes), default=0))
    detected = title or _detect_title(blocks, heading_flags, markdown)
    title_start, title_end = _title_bounds(blocks, detected)
    sentences = _sentences(source, paragraphs, markers, progress, title_end, title_start)
    return Document(
        source=source,
        title=detected,
        sections=tuple(sections),
        paragraphs=tuple(paragraphs),
        sentences=tuple(sentences),
        notes=tuple(_resolve_notes(notes)),
        markers=tuple(markers),
        pages=tuple(pages),
    )


def display_text(text: str) -> str:
    """Text as shown to a reader: page furniture dropped, whitespace collapsed.

    Dropped: page-number lines, and a running header or footer that a page break put
    inside a sentence: a short capitalised line standing alone between blank lines, after
    text that does not end a sentence and before text that goes on in lower case
    ("... the towers of" / "Lighthouse Almanac" / "the time.").
    """
    lines = text.splitlines()
    drop = {i for i, line in enumerate(lines) if line.strip() and _PAGE_NUMBER.fullmatch(line)}
    drop |= _interrupting_lines(lines)
    return " ".join(" ".join(line for i, line in enumerate(lines) if i not in drop).split())


def _header_like(line: str) -> bool:
    """A line that may be page furniture: short, capitalised or a number, not a sentence."""
    text = line.strip()
    return 0 < len(text) <= 80 and (text[0].isupper() or text[0].isdigit()) and not re.search(r"[.!?]\s", text)


def _interrupting_lines(lines: list[str]) -> set[int]:
    content = [i for i, line in enumerate(lines) if line.strip()]

    def standalone(i: int) -> bool:
        return 0 < i < len(lines) - 1 and not lines[i - 1].strip() and not lines[i + 1].strip() and _header_like(lines[i])

    drop: set[int] = set()
    j = 1
    while j < len(content) - 1:
        k = j
        while k < len(content) - 1 and standalone(content[k]):
            k += 1
        if k > j and _sentence_goes_on(lines[content[j - 1]], lines[content[k]]):
            drop.update(content[j:k])
        j = k + 1 if k > j else j + 1
    return drop


def _sentence_goes_on(before: str, after: str) -> bool:
    return not _CLOSED.search(before) and after.strip()[:1].islower()


def section_kind(title: str) -> str:
    """What a section is for, from its title: "introduction", "disclaimer", ..., or "body".

    "1. Introduction", "IV. CONCLUSIONS" and "Chapter 2: Methodology" are read without their numbers.
    """
    plain = _TITLE_PREFIX.sub("", _heading_title(title), count=1).strip().rstrip(".:").strip()
    plain = " ".join(plain.lower().replace("’", "'").split())
    for kind, pattern in _SECTION_KIND_TITLES:
        if pattern.fullmatch(plain):
            return kind
    return "body"


# -- blocks and headings ----------------------------------------------------------------


def _blocks(source: str) -> list[_Block]:
    blocks = []
    for match in _BLOCK.finditer(source):
        raw = match.group(0)
        start = match.start() + (len(raw) - len(raw.lstrip()))
        end = match.start() + len(raw.rstrip())
        if end > start:
            blocks.append(_Block(start, end, source[start:end]))
    return blocks


def _is_page_number(block: _Block) -> bool:
    return bool(_PAGE_NUMBER.fullmatch(block.text))


def _heading_candidate(block: _Block, markdown: bool) -> bool:
    text = block.text
    if markdown and text.startswith("#"):
        return True
    if "\n" in text or len(text) > 100 or _is_page_number(block) or _BULLET.match(text):
        return False
    text = _SECTION_NUMBER.sub("", text, count=1)  # "2.1. Directory layout"
    words = text.split()
    if not words or len(words) > 14 or not (words[0][0].isupper() or words[0][0].isdigit()):
        return False
    if _TERMINAL.search(text) or _FINITE_VERB.search(text) or re.search(r"[.!?]\s", text):
        return False
    if words[-1] in _OPEN_ENDINGS:  # "The keepers trimmed the wicks of": a line the page cut
        return False
    if _METADATA_LABEL.match(text) or (text.count(",") >= 2 and any(w.lower() in _INSTITUTIONS for w in _WORD.findall(text))) or (
            text.count(",") >= 3 and not re.search(r"\d", text) and reads_as_byline([text])):
        return False  # "General Terms: Algorithms, ...", "Yale University, New Haven, Connecticut", "Ken Birman, Danny Dolev, ..."
    return not _SUPER_MARKER.search(text) and _titled(text)


def _font_heading(block: _Block, starts: frozenset[int]) -> bool:
    """Lines the PDF sets in a heading font that read as a title: at most three, capital or
    number first, not a list of names ("Fay Chang, Jeffrey Dean, ...")."""
    text = block.text
    names = text.count(",") >= 2 and not _SECTION_NUMBER.match(text)  # "4.4 Digram, Trigram, and N-gram substitution" is a title
    return (block.start in starts and text.count("\n") < 3 and not names and not _is_page_number(block)
            and not _BULLET.match(text) and (text[0].isupper() or text[0].isdigit()) and not text.endswith((",", ";", "-"))
            and _titled(text))


# a front-matter line naming its kind of metadata, never a section's title
_METADATA_LABEL = re.compile(r"^(?:general terms|keywords?|key ?words(?: and phrases)?|additional key ?words(?: and phrases)?|index terms"
                             r"|categories and subject descriptors|acm reference format|ccs concepts|subject classification)\b", re.I)
# an affiliation line's words ("Yale University, New Haven, Connecticut"); a place alone is in titles too ("... in Wuhan, China, 2020")
_INSTITUTIONS = frozenset("university universität université universidad università universidade institute institut instituto istituto "
                          "laboratory laboratories lab labs department dept school college centre center hospital academy "
                          "inc ltd llc corp corporation gmbh".split())
_LINKING = frozenset({"and", "or", "of", "the", "a", "an", "in", "on", "for", "to", "by", "with"})
_LABEL_ONLY = re.compile(r"^(?:fig(?:ure)?|table|tab|plate|chart|exhibit)\.?\s*(?:\d+[a-z]?|[IVXL]+)\.?$", re.I)


def _titled(text: str) -> bool:
    """Does a line in a heading font hold a title's words? Not a drop capital ("W" of "We review ..."), a lone
    linking word between two bylines ("AND"), or a figure's or table's label ("FIGURE 1")."""
    if _LABEL_ONLY.match(text.strip()) or text.rstrip().endswith(("=", "+", "−", "<", ">", "≤", "≥", "←", "→", "|")):
        return False  # a label, or a formula's first line ("Wn =")
    return any(len(w) >= 2 and w.lower() not in _LINKING for w in _WORD.findall(text))


def _heading_flags(blocks: list[_Block], markdown: bool, furniture: set[str], fonts: frozenset[int] | None = None) -> list[bool]:
    """A candidate is a heading only when body text (not another candidate) follows it."""
    candidates = [(_heading_candidate(b, markdown) if fonts is None else _font_heading(b, fonts)) and b.text not in furniture
                  for b in blocks]
    flags = []
    for i, is_candidate in enumerate(candidates):
        if markdown and blocks[i].text.startswith("#"):
            flags.append(True)
            continue
        following = next((j for j in range(i + 1, len(blocks)) if not _is_page_number(blocks[j])), None)
        body_follows = following is not None and not candidates[following] and (fonts is None or blocks[following].start not in fonts)
        opens_numbered = (fonts is not None and following is not None and blocks[following].start in fonts
                          and _opens_numbered(blocks[i].text, blocks[following].text))
        flags.append(is_candidate and (body_follows or opens_numbered))
    return flags


def _opens_numbered(text: str, following: str) -> bool:
    """A heading followed right away by a numbered one that opens it: its first subsection ("2. Gossip
    Protocols", "2.1. Rationale"), or the first section of a part ("PART I", "2 SECRECY SYSTEMS")."""
    number, sub = _SECTION_NUMBER.match(text), _SECTION_NUMBER.match(following)
    if not sub:
        return False
    return not number or sub.group(0).strip().rstrip(".") == number.group(0).strip().rstrip(".") + ".1"


def _heading_title(text: str) -> str:
    return " ".join(text.lstrip("#").split())  # a heading a PDF set on two lines is one title


def _after_cover(blocks: list[_Block]) -> int:
    """The index of the first block after a publisher's cover page (``byline.cover_end``), 0 without one."""
    lines = [line for block in blocks[:COVER_LINES] for line in block.text.split("\n")]
    end = cover_end(lines)
    if not end:
        return 0
    seen = 0
    for i, block in enumerate(blocks):
        seen += block.text.count("\n") + 1
        if seen >= end:
            return i + 1
    return 0


def _detect_title(blocks: list[_Block], flags: list[bool], markdown: bool) -> str:
    if markdown:
        for block, flag in zip(blocks, flags):
            if flag and block.text.startswith("# "):
                return _heading_title(block.text)
    first = _after_cover(blocks)
    for i, block in enumerate(blocks[first : first + 3], start=first):
        for line in _title_candidates(block.text):
            if 8 <= len(line) <= 200 and not line.endswith("Series"):
                following = blocks[i + 1].text.splitlines()[0].strip() if line.endswith(":") and i + 1 < len(blocks) else ""
                if not following and _title_goes_on(blocks[i + 1 : i + 3], line, block.text):
                    following = blocks[i + 1].text.strip()  # "... Production Failures in Distributed" / "Data-Intensive Systems"
                return display_text(f"{line} {following}" if following else line)  # "POINTWISE:" / "Predicting Points ..."
    return display_text(blocks[0].text.splitlines()[0])[:120] if blocks else "Untitled"


# The words of an artifact-evaluation badge drawn above an ACM paper's title, "*" between them:
# "Consistent * Complete * Well Documen et d ysaE *" / "* Eva ul det a * PoP * Artifact * AEC".
_BADGE = re.compile(r"(?:\S+\s+\*\s+){2}")
BADGE_LINES = 25


def _title_candidates(text: str) -> list[str]:
    """The title in a block's lines, after any lines naming a venue ("JSS Journal of Statistical Software" /
    "August 2014, Volume 59, Issue 10." / "Tidy Data"): the lines before a byline ("Freenet: A Distributed
    Anonymous Information" / "Storage and Retrieval System" / "Ian Clarke, Oskar Sandberg, ..."), or a short
    block's lines when all read as a title ("Macaroons: Cookies with Contextual Caveats" / "for Decentralized
    Authorization in the Cloud"), or else its first line, with the next when it goes on ("A Program Optimization
    for" / "Automatic Database Result Caching")."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    first = 0
    head = lines[:BADGE_LINES]
    if _BADGE.search("\n".join(head)) or any("Artifact" in line for line in head):  # an artifact badge's words first
        first = 1 + max(i for i, line in enumerate(head) if "*" in line or "Artifact" in line)
        while first < len(lines) and len(lines[first].replace(" ", "")) <= 3:
            first += 1  # its last letters ("AE" / "C", "P P")
    while first < len(lines) and _VENUE_LINE.search(lines[first]):
        first += 1
    lines = lines[first:]
    if not lines:
        return []
    named = next((i for i in range(1, min(len(lines), 4)) if reads_as_byline(lines[i : i + 2])), None)
    if named is not None:
        last = named - 1
    elif len(lines) <= 3 and not any(re.search(r"[\d@.!?]|https?:", line) for line in lines[1:]):
        last = len(lines) - 1
    else:
        last = 0
        while last + 1 < len(lines) and lines[last].split()[-1].lower() in _OPEN_ENDINGS:
            last += 1
    return [" ".join(lines[: last + 1])]


# A line above a PDF's title that names where or how it appeared, not what it is: "Jl. of Interactive Learning
# Research (2008) 19(2), 185-224", "JSS Journal of Statistical Software", "2014 Research Paper Competition".
_VENUE_LINE = re.compile(r"arXiv:\S|\b(?:journal|jl\.|proceedings|competition|presented by|appeared in|technical report|report no\.?"
                         r"|vol\.|volume \d|pp\.|copyright|to appear in)|©|\b\d{1,4}\(\d{1,3}\)|https?://|www\.", re.I)


# -- sections, paragraphs, notes --------------------------------------------------------


_ENDING_SUMMARY = re.compile(r"(?:\d{1,2}\.?\s+|[IVX]+\.\s+)?summary", re.I)  # a top-level "Summary", not "7.1.3 Summary"
_TOP_NUMBER = re.compile(r"\d{1,2}\.?\s")


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.sections: list[Section] = []
        self.paragraphs: list[Paragraph] = []
        self.notes: list[Note] = []
        self._section_start = 0
        self._title = FRONT_MATTER
        self._count = 0
        self._has_body = False  # a body paragraph has been added
        self._body_before = False  # ... before the current section began

    def open_section(self, title: str, start: int) -> None:
        self.close_section(start)
        self._title, self._section_start, self._count = title, start, 0
        self._body_before = self._has_body

    def close_section(self, end: int) -> None:
        kind = section_kind(self._title)
        if kind == "abstract" and _ENDING_SUMMARY.fullmatch(self._title.strip()) and any(
                s.kind == "introduction" or (s.kind == "body" and _TOP_NUMBER.match(s.title)) for s in self.sections):
            kind = "conclusion"  # a "Summary" after the paper's first parts sums it up ("7 Summary": MARSYAS, "5 Summary")
        self.sections.append(Section(len(self.sections), self._title, self._section_start, end, kind))

    def add(self, start: int, end: int, kind: str) -> None:
        self._count += 1
        section = len(self.sections)
        self.paragraphs.append(Paragraph(len(self.paragraphs), section, self._count, start, end, kind))
        self._has_body = self._has_body or kind == "body"

    def extend_last(self, end: int) -> None:
        last = self.paragraphs[-1]
        self.paragraphs[-1] = Paragraph(last.id, last.section, last.number, last.start, end, last.kind)

    @property
    def untitled(self) -> bool:
        """No heading yet: still in the block before the first one."""
        return self._title == FRONT_MATTER and not self.sections

    @property
    def in_notes(self) -> bool:
        """In a notes section that follows body text: a document that opens with "# Notes" is
        someone's notes, not the footnotes of a text before them."""
        return section_kind(self._title) == "notes" and self._body_before

    def last_ends_open(self) -> bool:
        last = self.paragraphs[-1] if self.paragraphs else None
        return last is not None and _ends_open(self.source[last.start : last.end])

    def goes_on_across(self, furniture: list[str], block: _Block) -> bool:
        """Whether the last paragraph's sentence goes on in ``block`` past page furniture that
        display_text drops (a capitalised header between an open end and a lower-case start)."""
        last = self.paragraphs[-1] if self.paragraphs else None
        if last is None or not all(_header_like(text) for text in furniture):
            return False
        return _sentence_goes_on(self.source[last.start : last.end], block.text)

    def near_table(self) -> bool:
        """Whether one of the current section's last two paragraphs is a table."""
        recent = [p for p in self.paragraphs[-2:] if p.section == len(self.sections)]
        return any(p.kind == "table" for p in recent)

    def continues_body(self) -> bool:
        """Whether the last paragraph is body text of the current section."""
        if not self.paragraphs or self.paragraphs[-1].section != len(self.sections):
            return False
        return self.paragraphs[-1].kind == "body"


_OPEN_ENDINGS = frozenset(
    "the a an of to in on at by for from with within without into and or but as than that which whose "
    "its their his her our this these those between among about".split()
)


def _ends_open(text: str) -> bool:
    """A paragraph cannot end on "the" or "of", nor can a long one end without punctuation:
    the page broke it mid-sentence ("... a remarkable visit of Salman bin Abdul-Aziz" / "Al Saud, ...")."""
    words = text.split()
    if not words:
        return False
    if words[-1] in _OPEN_ENDINGS or text.rstrip().endswith(("-", ",")):
        return True
    captions = list(_CAPTION_LINE.finditer(text))
    if captions and text.count("\n", captions[-1].start()) < CAPTION_LINES:
        return False  # a figure's caption ends its paragraph: "Fig. 5. Zab protocol summary"
    return len(text) >= OPEN_PARAGRAPH_CHARS and not _CLOSED.search(text)


def _starts_continuation(text: str) -> bool:
    first = text.lstrip()[:1]
    return first.islower() or first in ",;)"


def _furniture(blocks: list[_Block], pages: tuple[int, ...]) -> set[str]:
    """Running headers and footers of a paged document: short lines found on three or more pages."""
    if not pages:
        return set()
    seen: dict[str, set[int]] = {}
    for block in blocks:
        if "\n" not in block.text and len(block.text) <= 80 and not _PAGE_NUMBER.fullmatch(block.text):
            seen.setdefault(block.text, set()).add(bisect.bisect_right(pages, block.start))
    return {text for text, on in seen.items() if len(on) >= 3}


def _layout(source: str, blocks: list[_Block], flags: list[bool], furniture: set[str]):
    builder = _Builder(source)
    crossed: list[str] = []  # running headers and footers between the last paragraph and this block
    last_heading = max((i for i, flag in enumerate(flags) if flag), default=-1)
    for number, (block, is_heading) in enumerate(zip(blocks, flags)):
        if block.text in furniture:
            crossed.append(block.text)
            continue
        if is_heading:
            builder.open_section(_heading_title(block.text), block.start)
            continue
        if _is_page_number(block):
            continue
        inline = _INLINE_ABSTRACT.search(block.text) if builder.untitled and number < last_heading else None
        if inline:  # "Abstract. We propose ...": an abstract whose heading starts its line (a heading follows it)
            before, block = _split_block(block, inline.start())
            if before is not None:
                _add_body(builder, before, barrier=False)
            builder.open_section("Abstract", block.start)
        if builder.in_notes:
            _add_notes(builder, block)
        elif _BULLET.match(block.text):
            _add_list_items(builder, block)
        else:
            _add_body(builder, block, barrier=bool(crossed) and not builder.goes_on_across(crossed, block))
        crossed = []
    builder.close_section(len(source))
    sections = [s for s in builder.sections if any(p.section == s.id for p in builder.paragraphs)]
    if sections and sections[0].kind == "front" and not _is_front(sections, len(source)):
        sections[0] = dataclasses.replace(sections[0], kind="body")
    return _renumber(sections, builder.paragraphs, builder.notes)


_INLINE_ABSTRACT = re.compile(r"^(?:Abstract|ABSTRACT)(?:\s*[.:]|\s+[—–-])\s*\S", re.M)


def _split_block(block: _Block, at: int) -> tuple[_Block | None, _Block]:
    """``block`` cut before its character ``at`` (a line start): the part before (None when
    empty) and the rest."""
    if at == 0:
        return None, block
    head = block.text[:at].rstrip()
    return _Block(block.start, block.start + len(head), head), _Block(block.start + at, block.end, block.text[at:])


def _is_front(sections: list[Section], length: int) -> bool:
    """The text before the first heading is front matter (a title page) only when headings
    follow and it is short; in a document without headings it is the body."""
    first = sections[0]
    return len(sections) > 1 and first.end - first.start <= max(FRONT_MATTER_CHARS, length // 10)


def _add_body(builder: _Builder, block: _Block, barrier: bool) -> None:
    """Body text: a new paragraph, the rest of one a page break cut, or (part of) a table."""
    caption = _TABLE_CAPTION.search(block.text)
    if caption and block.text.count(";", caption.start()) < TABLE_CELL_SEPARATORS and caption.start() > 0:
        caption = None  # "as Table 1. shows" in prose, not a table that the page put here
    if caption and caption.start() > 0:  # prose runs into a table caption: "... a deal at a Table 1. Main goals"
        head, block = _split_block(block, caption.start())
        if head is not None:
            _add_body(builder, head, barrier)
        barrier = False
    if caption or (builder.near_table() and block.text.count(";") >= TABLE_CELL_SEPARATORS):
        builder.add(block.start, block.end, "table")
        return
    joins = (_starts_continuation(block.text) or builder.last_ends_open()) and builder.continues_body()
    if joins and not barrier:
        builder.extend_last(block.end)  # a paragraph the PDF split at a page or column break
    else:
        builder.add(block.start, block.end, "body")


def _renumber(sections: list[Section], paragraphs: list[Paragraph], notes: list[Note]):
    """Drop empty sections and renumber section ids densely."""
    new_id = {s.id: i for i, s in enumerate(sections)}
    sections = [Section(new_id[s.id], s.title, s.start, s.end, s.kind) for s in sections]
    paragraphs = [
        Paragraph(p.id, new_id[p.section], p.number, p.start, p.end, p.kind) for p in paragraphs
    ]
    return sections, paragraphs, notes


BODY_AFTER_ITEM_CHARS = 400  # prose this long after a list item's last sentence, in its block, is the body again


def _add_list_items(builder: _Builder, block: _Block) -> None:
    offset = block.start
    previous = ""
    for line in block.text.split("\n"):
        stripped = line.strip()
        if stripped and _body_resumes(previous, block.text[offset - block.start :]):
            _add_body(builder, _split_block(block, offset - block.start)[1], barrier=False)
            return  # "• High-Performance: ... coordination services." / "The underlying coordination infrastructure ..."
        previous = stripped or previous
        if stripped:
            start = offset + line.index(stripped[0])
            dash = re.match(r"[-•*▪◦]\s+", stripped)
            if dash and len(stripped) > dash.end():  # keep "1) ..." but not the typographic dash
                start, stripped = start + dash.end(), stripped[dash.end():]
            if _BULLET.match(line) or not builder.paragraphs:
                builder.add(start, start + len(stripped), "list_item")
            else:
                builder.extend_last(start + len(stripped))
        offset += len(line) + 1


def _body_resumes(previous: str, rest: str) -> bool:
    """Does the body text resume at ``rest``, the lines after a list item's line ``previous`` in its block: that
    line ends a sentence, and what follows is prose (a capital, no bullet) of BODY_AFTER_ITEM_CHARS or more?"""
    return (bool(previous) and previous.endswith((".", "!", "?")) and not _BULLET.match(rest)
            and rest.lstrip()[:1].isupper() and len(rest.strip()) >= BODY_AFTER_ITEM_CHARS
            and not any(_BULLET.match(line) for line in rest.split("\n")))


def _add_notes(builder: _Builder, block: _Block) -> None:
    starts = list(_NOTE_START.finditer(block.text))
    if not starts:
        return  # a stray fragment (e.g. a displaced URL tail): not part of any note we can place
    for i, match in enumerate(starts):
        text_start = block.start + match.end()
        text_end = block.start + (starts[i + 1].start() if i + 1 < len(starts) else len(block.text))
        raw = builder.source[text_start:text_end]
        text_end = text_start + len(raw.rstrip().removesuffix("-").rstrip()) if raw.strip() else text_end
        number = int(match.group(1).translate(_SUPER_TO_INT))
        if text_end > text_start:
            builder.notes.append(Note(number, text_start, text_end, builder.source[text_start:text_end]))
            builder.add(text_start, text_end, "note")


_SHORT_FORM = re.compile(r"^([A-Z][\w'’-]+(?:\s+(?:and|&)\s+[A-Z][\w'’-]+)?)\s*,")


def _resolve_notes(notes: list[Note]) -> list[Note]:
    """Resolve "Ibid" and short forms ("Katzman, 2020, p. 20") to the note they refer to."""
    resolved: list[Note] = []
    for note in notes:
        target = _referent(note, resolved)
        resolved.append(Note(note.number, note.start, note.end, note.text, target))
    return resolved


def _referent(note: Note, earlier: list[Note]) -> int | None:
    text = note.text.strip()
    if re.match(r"ibid\b", text, re.I):
        if not earlier:
            return None
        previous = earlier[-1]
        return previous.refers_to or previous.number
    short = _SHORT_FORM.match(text)
    if not short or len(text) > 60:
        return None
    name = short.group(1).split()[0]
    year = YEAR.search(text)
    for candidate in reversed(earlier):
        if candidate.refers_to is None and name in candidate.text and len(candidate.text) > len(text):
            if year is None or year.group(0) in candidate.text:
                return candidate.number
    return None


# -- footnote markers and sentences ------------------------------------------------------


def _body_markers(source: str, paragraphs: list[Paragraph], max_note: int) -> list[Marker]:
    if max_note == 0:
        return []
    markers = []
    for p in paragraphs:
        if p.kind == "note":
            continue
        text = source[p.start : p.end]
        for m in _SUPER_MARKER.finditer(text):
            number = int(m.group(0).translate(_SUPER_TO_INT))
            if 1 <= number <= max_note:
                markers.append(Marker(number, p.start + m.start(), p.start + m.end()))
        for m in _BARE_MARKER.finditer(text):
            number = int(m.group(1))
            if 1 <= number <= max_note:
                markers.append(Marker(number, p.start + m.start(1), p.start + m.end(1)))
    return sorted(markers, key=lambda m: m.start)


def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def _within(markers: list[Marker], starts: list[int], start: int, end: int) -> list[Marker]:
    """The markers (sorted by start, ``starts`` their start offsets) lying inside [start, end)."""
    lo, hi = bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)
    return [m for m in markers[lo:hi] if m.end <= end]


def _sentences(source: str, paragraphs: list[Paragraph], markers: list[Marker], progress=None,
               title_end: int | None = None, title_start: int | None = None) -> list[Sentence]:
    """Cut paragraphs into sentences, and after the title where lines run on from it (``title_end``), and
    before it where lines stand before it in its block (``title_start``);
    ``progress("sentences", chars, total)`` follows the characters."""
    segmenter = _segmenter()
    starts = [m.start for m in markers]
    sentences: list[Sentence] = []
    total, before = sum(p.end - p.start for p in paragraphs), 0
    shown = [-PROGRESS_EVERY]

    def report(done_in_paragraph: int) -> None:
        done = before + done_in_paragraph
        if progress is not None and (done - shown[0] >= PROGRESS_EVERY or done == total):
            progress("sentences", done, total)
            shown[0] = done

    names: tuple[str, ...] = ()  # the column names of the last table caption
    for p in paragraphs:
        if p.kind == "table":
            names = _caption_names(source[p.start : p.end]) or names
            spans = _table_spans(source, p, names, segmenter)
        elif p.kind in ("note", "list_item"):
            spans = [(p.start, p.end, "")]
        else:
            split = _split_paragraph(source, p, _within(markers, starts, p.start, p.end), segmenter, report)
            spans = [(start, end, "") for start, end in split]
        for at in (title_start, title_end):
            if at is not None:
                spans = [part for span in spans for part in _cut(source, span, at)]
        for start, end, column in spans:
            for s, e in _cap_length(source, start, end):
                inside = tuple(m.number for m in _within(markers, starts, s, e))
                sentences.append(Sentence(len(sentences), p.id, p.section, s, e, source[s:e], inside, column))
        before += p.end - p.start
        report(0)
    return sentences


def _title_goes_on(after: list[_Block], title: str, block: str) -> bool:
    """Does the title taken from the whole of ``block`` go on in the next block, a short line of title words
    that a byline follows (a PDF's line gap split the title)?"""
    if len(after) < 2 or " ".join(block.split()) != title or "\n" in after[0].text.strip():
        return False
    line = after[0].text.strip()
    return (len(line.split()) <= 4 and not re.search(r"[\d@,.:;!?]|https?:", line) and line[:1].isupper()
            and not (reads_as_byline([line]) and not reads_as_words(line)) and reads_as_byline(after[1].text.strip().split("\n")[:2]))


def _title_bounds(blocks: list[_Block], title: str) -> tuple[int | None, int | None]:
    """Where the title starts inside its block when lines stand before it there (an artifact badge's: "* Eva ul
    det a * PoP * Artifact * AEC" / "P P" / "A Wait-free Queue as Fast as Fetch-and-Add"), and where it ends when
    a byline runs on under it in its block (with its date and affiliations, no blank line between: "Warp:
    Multi-Key Transactions for Key-Value Stores" / "Robert Escriva, Bernard Wong, Emin Gün Sirer" / "Computer
    Science Department ..."); None for either that does not apply (a line taken for the title that no byline
    follows may be a reprint's header: the block stays whole)."""
    wanted = _unmarked(title)
    first = _after_cover(blocks)
    for number, block in enumerate(blocks[first : first + 3], start=first):
        lines = block.text.split("\n")
        for top in range(min(len(lines), BADGE_LINES)):
            seen, offset = "", sum(len(line) + 1 for line in lines[:top])
            begin = block.start + offset if top else None
            for i, line in enumerate(lines[top:], start=top):
                offset += len(line) + 1
                seen = _unmarked(f"{seen} {line}")
                if seen == wanted:
                    after = [rest.strip() for rest in lines[i + 1 : i + 4]]
                    bylined = any(reads_as_byline(after[j : j + 2]) for j in range(len(after)))
                    return begin, (block.start + offset - 1 if offset < len(block.text) and bylined else None)
                if not wanted.startswith(seen):
                    break
            else:  # the block's last line ends part of the title: a blank line parted it from its rest
                if seen and top and number + 1 < len(blocks):
                    end = _title_goes_on_in(blocks[number + 1], wanted, seen)
                    if end is not None:
                        return begin, end
    return None, None


def _title_goes_on_in(block: _Block, wanted: str, seen: str) -> int | None:
    """Where the title ends in ``block``, whose first lines finish the title ``wanted`` begun by ``seen``
    ("The Dining Cryptographers Problem:" / blank line / "Unconditional Sender and Recipient Untraceability" /
    "David Chaum"), when a byline follows it there; else None."""
    lines, offset = block.text.split("\n"), 0
    for i, line in enumerate(lines):
        offset += len(line) + 1
        seen = _unmarked(f"{seen} {line}")
        if seen == wanted:
            after = [rest.strip() for rest in lines[i + 1 : i + 4]]
            bylined = offset < len(block.text) and any(reads_as_byline(after[j : j + 2]) for j in range(len(after)))
            return block.start + offset - 1 if bylined else None
        if not wanted.startswith(seen):
            return None
    return None


def _unmarked(text: str) -> str:
    """``text`` as shown, without the note marks a title may carry ("Liquid Types ∗", "... Design1"): a PDF's
    title read off its fonts (ingest.pdf_title) has none."""
    return display_text(_TITLE_MARK.sub("", text))


_TITLE_MARK = re.compile(rf"\s*[{NOTE_MARKS}]+|(?<=[a-z])\d(?:,\d)*(?=\s|$)")


def _cut(source: str, span: tuple[int, int, str], at: int) -> list[tuple[int, int, str]]:
    """``span`` cut in two at ``at`` (the second part from its first non-space character) when ``at`` lies inside it."""
    start, end, column = span
    if not start < at < end:
        return [span]
    rest = at + len(source[at:end]) - len(source[at:end].lstrip())
    return [(start, at, column), (rest, end, column)] if rest < end else [span]


def _caption_title(text: str) -> tuple[int, int] | None:
    """Where the title of a table caption ("Table 1. Main goals of ... East.") lies in ``text``."""
    caption = _TABLE_CAPTION.match(text)
    if not caption:
        return None
    title = re.split(r"(?<=[.!?])\s", text[caption.end() :], maxsplit=1)[0]
    return caption.end(), caption.end() + len(title)


def _caption_names(text: str) -> tuple[str, ...]:
    """Capitalised names in a table's caption ("Table 1. Main goals of Russia and Iran"): its likely column heads."""
    title = _caption_title(text)
    if title is None:
        return ()
    words = re.finditer(r"\b[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*", text[title[0] : title[1]])
    return tuple(dict.fromkeys(m.group(0) for m in words if m.start() > 0))


def _column_heads(text: str, names: tuple[str, ...], after: int) -> list[tuple[int, str]]:
    """Where a column starts: a name standing before a capitalised cell ("Iran Reinforcement of ...")."""
    heads = []
    for name in names:
        for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?=\s+[A-Z])", text):
            follows = text[m.end() :].lstrip()
            if m.start() >= after and not any(follows.startswith(other) for other in names):
                heads.append((m.start(), name))
    return sorted(heads)


def _table_spans(source: str, p: Paragraph, names: tuple[str, ...], segmenter) -> list[tuple[int, int, str]]:
    """A table's caption as sentences, then one run of cells per column, labelled with its head.

    Text before the first column is the caption (cut into sentences) or, in a table that
    continues after a page of prose, a repeated header row that belongs to the first column.
    """
    text = source[p.start : p.end]
    title = _caption_title(text)
    heads = _column_heads(text, names, title[1] if title else 0)
    if not heads:
        return [(s, e, "") for s, e in _split_paragraph(source, p, [], segmenter)]
    spans: list[tuple[int, int, str]] = []
    if title:
        lead = text[: heads[0][0]].rstrip()
        part = Paragraph(p.id, p.section, p.number, p.start, p.start + len(lead), p.kind)
        lead_spans = _split_paragraph(source, part, [], segmenter)
        if len(lead_spans) > 1 and _TABLE_CAPTION.fullmatch(source[lead_spans[0][0] : lead_spans[1][0]]):
            lead_spans[:2] = [(lead_spans[0][0], lead_spans[1][1])]  # "Table 1." and its title: one caption
        spans = [(s, e, "") for s, e in lead_spans]
    else:
        heads[0] = (0, heads[0][1])
    for (at, name), (until, _) in zip(heads, heads[1:] + [(len(text), "")]):
        cell = text[at:until].rstrip()
        spans.append((p.start + at, p.start + at + len(cell), name))
    return spans


def _flat_view(text: str) -> str:
    """Same length as ``text``: every kind of whitespace, and page-number lines, become spaces."""
    lines = text.split("\n")
    view = " ".join(" " * len(l) if _PAGE_NUMBER.fullmatch(l) else l for l in lines)
    return "".join(" " if ch.isspace() else ch for ch in view)


_MONTH_END = re.compile(rf"\b(?:{MONTH_ABBREVIATIONS})\.\s*$")


def _split_paragraph(source: str, p: Paragraph, markers: list[Marker], segmenter, report=None) -> list[tuple[int, int]]:
    view = _flat_view(source[p.start : p.end])
    bounds = _segment_spans(view, segmenter, report or (lambda done: None))
    bounds = _abbreviations_go_on(view, _numbers_end_sentences(view, _letters_end_sentences(view, bounds)), source[p.start : p.end])
    bounds = _bylines_end_sentences(view, _enumerations_go_on(view, bounds), source[p.start : p.end], p.start)
    bounds = _labels_open_sentences(view, bounds, source[p.start : p.end])
    if not bounds:
        return [(p.start, p.end)]
    bounds[0][0], bounds[-1][1] = 0, len(view.rstrip())
    starts = {m.start - p.start: m.end - p.start for m in markers if p.start <= m.start < p.end}
    merged: list[list[int]] = []
    for start, end in bounds:
        if merged and view[start : start + 1].isdigit() and _MONTH_END.search(view[merged[-1][0] : merged[-1][1]]):
            merged[-1][1] = end  # "CIKM’13, Oct. 27–Nov." / "1, 2013, San Francisco": a date, not two sentences
            continue
        if merged and start in starts:  # a marker pysbd put at the head of the next sentence
            marker_end = starts[start]
            merged[-1][1] = marker_end
            rest = view[marker_end:end]
            start = marker_end + (len(rest) - len(rest.lstrip()))
            if start >= end:
                continue
        merged.append([start, end])
    return [(p.start + s, p.start + e) for s, e in merged]


# A byline's line: one closed by an e-mail address ("{sears,brewer}@cs.berkeley.edu"), or one of names and
# institutions ("C. A. R. HOARE", "Bradley C. Kuszmaul, Donald E. Porter, Jun Yuan, and Yang Zhan", "The Queen's
# University of Belfast,* Northern Ireland"), where the PDF set no gap between the byline and the abstract's
# first line: "Phil Bagwell / Hash Trees with nearly ideal characteristics are described."
_ADDRESS_LINE_END = re.compile(r"[^\s@]*@[\w-]+(?:\.[\w-]+)+\}?[^\S\n]*$")
_WORD = re.compile(r"[^\W\d_]+")
_NAME_LINE_LOWER = frozenset("and & of the for at de van von der den del da di du la le y".split())
BYLINE_CHARS = 4000  # a byline stands at a document's top
_LABELLED_LINE = re.compile(r"\s*[A-Z][\w-]*(?: [A-Z][\w-]*)?\s*:\s")  # "Date: 2017-05-25", "DOI: 10.1128/...": metadata, not prose
NAME_LINE_TOKENS = 14  # a line of names or an institution holds at most this many words
PROSE_WORDS = 6  # words the prose after a byline holds at least, half of them or more in lower case


def _name_line(line: str) -> bool:
    """A line of names or of an institution: two capitalised words or more, few others ("and", "of"), the
    last capitalised, not ending with a comma (a sentence's start: "Raaijmakers and", "The National Council of")."""
    raw_tokens = line.split()
    tokens = [t.strip(",;:*∗†‡?'’.()0123456789") for t in raw_tokens]
    if any(t and len(t) == 1 and t.isupper() and not r.rstrip(",;*∗†‡").endswith(".") for t, r in zip(tokens, raw_tokens)):
        return False  # a lone capital is an initial only with its full stop ("C. A. R. HOARE"), not "I2 I2"
    tokens = [t for t in tokens if t]
    if not 2 <= len(tokens) <= NAME_LINE_TOKENS or not tokens[-1][0].isupper() or line.rstrip().endswith(","):
        return False
    lower = [t for t in tokens if not t[0].isupper()]
    return all(t.lower() in _NAME_LINE_LOWER for t in lower) and 3 * len(lower) <= len(tokens)


def _heading_words(text: str) -> bool:
    """Words of a title, names and institutions: few in lower case besides "and", "of", "for" (not a sentence
    of prose run on to a line of capitalised words: "... by the research on Domain Specific Languages (DSLs),
    Model-Driven" / "Development (MDD), ...")."""
    words = _WORD.findall(text)
    return 3 * sum(w.islower() and w not in _NAME_LINE_LOWER for w in words) <= len(words)


def _prose(text: str) -> bool:
    words = _WORD.findall(text)
    return len(words) >= PROSE_WORDS and 2 * sum(w.islower() for w in words) >= len(words)


def _bylines_end_sentences(view: str, bounds: list[list[int]], raw: str, offset: int) -> list[list[int]]:
    """pysbd sees no end after a byline's last line, so the prose the next line begins (an abstract, a funding
    note, a permission notice) joins the byline's sentence; it begins a sentence of its own after

    - a line closed by an e-mail address, or
    - a whole line of names or an institution (``_name_line``) in the document's first ``BYLINE_CHARS``
      characters (``offset``: where the paragraph starts), after words of a title or a byline only
      (``_heading_words``): in the body such a line is as often a sentence's start wrapped early ("In Qt 3," /
      "QStyle's API was redesigned ..."),

    when the next line is neither such a line nor a labelled metadata line ("Date: 2017-05-25"), no further
    address follows, and what follows opens with a capital and reads as prose (``PROSE_WORDS`` words or more,
    half of them or more in lower case): after an affiliation footnote set inside a sentence the sentence's rest
    opens in lower case, and "A Bε" / "-tree is ..." is one sentence. ``raw`` is the paragraph's text, whose line
    ends ``view`` has made spaces."""
    out: list[list[int]] = []
    for start, end in bounds:
        at = raw.find("\n", start, end)
        while at >= 0:
            line_start = raw.rfind("\n", 0, at) + 1
            line = raw[max(start, line_start) : at]
            byline = ("@" in line and _ADDRESS_LINE_END.search(line)) or (
                offset + at < BYLINE_CHARS and line_start >= start and _name_line(line) and _heading_words(view[start:at]))
            if byline:  # what follows is read only after a byline's line, not after every line of the document
                next_end = raw.find("\n", at + 1, end)
                following = raw[at + 1 : next_end if next_end >= 0 else end]
                rest = view[at + 1 : end]
                if (not _name_line(following) and not _LABELLED_LINE.match(following) and "@" not in rest
                        and rest.lstrip()[:1].isupper() and _prose(rest)):
                    out.append([start, start + len(view[start:at].rstrip())])
                    start = at + 1 + len(rest) - len(rest.lstrip())
            at = raw.find("\n", at + 1, end)
        out.append([start, end])
    return out


# A statement's label at a sentence's end, which pysbd cut after rather than before: "We obtain the result
# Theorem 13." / "If all letters are equally likely ...", "✷ Lemma 3." / "There is a time after which ...".
_STATEMENT_LABEL_END = re.compile(r"(?<!\S)(?:Theorem|Lemma|Corollary|Definition|Proposition|Claim|Remark|Conjecture"
                                  r"|Observation|Example|Fact|Axiom)\s+\d+(?:\.\d+)*\.\s*$")
# ... not one the sentence refers to: "by Theorem 2.1.", "the proof of Lemma 3.2.", "This proves Theorem 3."
_REFERS = frozenset("by of in on from to see with under using via and or the that this as follows prove proves proved "
                    "completes violate violates consider contradicts contradicting apply applying".split())
_END_OF_PROOF = "✷□■∎"


def _labels_open_sentences(view: str, bounds: list[list[int]], raw: str) -> list[list[int]]:
    """A theorem's, lemma's or definition's label ending a sentence opens the next one instead, when it is
    set as a label: opening a line after a short one (``_after_short_line``), or after a colon or an
    end-of-proof mark, and not after a word that refers to it ("by", "of", "proves"). The label goes with the
    statement it names; what is before it stays a sentence when it holds two words or more (an end-of-proof
    box, or a stray mark, goes with the label). A label pysbd set apart as a sentence of its own opens the
    statement after it, when that opens with a capital or a bracket ("Theorem 3." / "(Solution of the Wiener
    Problem)")."""
    out = [list(b) for b in bounds]
    for i in range(len(out) - 1):
        start, end = out[i]
        found = _STATEMENT_LABEL_END.search(view, start, end)
        if found is None:
            continue
        if found.start() <= start:  # the label alone ("Theorem 9." / "The equivocation H of ..."): it opens the statement
            if view[out[i + 1][0] : out[i + 1][0] + 1].isupper() or view[out[i + 1][0] : out[i + 1][0] + 1] == "(":
                out[i + 1][0], out[i][1] = start, start
            continue
        before = view[start : found.start()].rstrip()
        last = before.split()[-1] if before.split() else ""
        set_apart = _after_short_line(raw, found.start()) or last[-1:] == ":" or last[-1:] in _END_OF_PROOF
        if not set_apart or last.lower().strip(",;") in _REFERS:
            continue
        if len(_WORD.findall(before)) >= 2:
            out[i][1] = start + len(before)
            out[i + 1][0] = found.start()
        else:  # only an end-of-proof mark before it: the whole goes with the statement
            out[i + 1][0] = start
            out[i][1] = start  # emptied
    return [b for b in out if b[1] > b[0]]


SHORT_LINE = 0.75  # a line shorter than this share of the paragraph's longest ends before what follows it (a heading, a display)


def _after_short_line(raw: str, at: int) -> bool:
    """Whether ``at`` opens a line of ``raw`` after a short one: "Pure system" / "Theorem 3.", not a line
    full of running text wrapped before a reference ("... to match" / "Definition 2.")."""
    if at == 0 or raw[at - 1] != "\n":
        return False
    line = raw[raw.rfind("\n", 0, at - 1) + 1 : at - 1]
    return len(line.rstrip()) < SHORT_LINE * max(len(l.rstrip()) for l in raw.split("\n"))


_LETTER_HEAD = re.compile(r"([b-hj-z])\.\s+")  # "u. " (not "a.", and not "i.", which may count a roman list)


def _letters_end_sentences(view: str, bounds: list[list[int]]) -> list[list[int]]:
    """pysbd reads single letters in a row ("... when v = u. According ... in view v. Similarly")
    as an alphabetical list and cuts before each letter; the letter ends the sentence before it
    instead, unless that sentence ends already or the letter follows the previous item's ("b." after "a.")."""
    out: list[list[int]] = []
    previous_head = ""
    for start, end in bounds:
        head = _LETTER_HEAD.match(view, start, end)
        if out and head and previous_head != chr(ord(head.group(1)) - 1) and not _SENTENCE_CLOSED.search(view[out[-1][0] : out[-1][1]]):
            previous_head = ""
            out[-1][1] = start + 2
            if head.end() < end:
                out.append([head.end(), end])
            continue
        previous_head = head.group(1) if head else ""
        out.append([start, end])
    return out


# A noun that a number labels ("in Table 3.", "on day 6.", "see Section 4."): pysbd reads "3. The first
# column ..." as a numbered list's item and cuts before the number.
_LABELLED_END = re.compile(r"\b(?:tables?|fig(?:ure)?s?|fig\.|sections?|sec\.|sect\.|chapters?|ch\.|vol\.|lem\.|appendix|steps?|phases?|stages?"
                           r"|equations?|eqs?\.|eqn\.|pages?|p\.|pp\.|parts?|lemmas?|theorems?|thm\.|definitions?|def\.|corollary"
                           r"|propositions?|prop\.|examples?|algorithms?|alg\.|lines?|rules?|days?|weeks?|months?|years?|hours?"
                           r"|minutes?|rounds?|levels?|versions?|experiments?|exercises?|remarks?|claims?|properties|property"
                           r"|assumptions?|conditions?|cases?|problems?|questions?|listings?|boxes|box|panels?|no\.|nos\.|number)\s*$", re.I)
_OPEN_WORDS_END = re.compile(r"(?:[^\W\d_]+[^\S\n]+){3}(?!(?:and|or)\s*$)[a-z][a-z-]*\s*$")  # "... should be classified as"
_NUMBER_HEAD = re.compile(r"\d{1,3}\.(?=\s)")


def _numbers_end_sentences(view: str, bounds: list[list[int]]) -> list[list[int]]:
    """pysbd cuts "... shown in Table 3. The first column ..." before the number, reading "3. The first
    column" as a numbered item; a number after a noun it labels, or after a line of words that goes on
    ("... should be classified as" / "1. If all ..."; not "and", which may go on to an item "4. ..."),
    ends the sentence before it instead."""
    out: list[list[int]] = []
    for start, end in bounds:
        head = _NUMBER_HEAD.match(view, start, end)
        if out and head and (_LABELLED_END.search(view, out[-1][0], out[-1][1]) or _OPEN_WORDS_END.search(view, out[-1][0], out[-1][1])):
            out[-1][1] = head.end()
            rest = view[head.end():end]
            if rest.strip():
                out.append([head.end() + len(rest) - len(rest.lstrip()), end])
            continue
        out.append([start, end])
    return out


# An abbreviation that a number, a bracket or a lower-case word goes on from ("Eq. (5) gives ...", "See Sect.
# 2 for ...", "approx. 5 pages", "Cf. the appendix"): pysbd cuts after its full stop.
_ABBREVIATION_END = re.compile(r"(?<![\w.])(?:eqs?|eqn|sects?|secs?|approx|vols?|ca|cf|thms?|lems?|defs?|props?|cors?|chs?|chap"
                               r"|figs?|tabs?|refs?|resp|nos?|pp|ibid|op|cit|viz|esp|incl|excl|ed|eds|trans|rev|suppl)\.\s*$", re.I)
_GOES_ON = re.compile(r"[\d(\[]|[a-z]")
_GENUS_END = re.compile(r"(?<![\w.])(?:[A-Z][a-z]?|spp?)\.\s*$")  # "Ae." / "aegypti", "Eimeria spp." / "oocysts"


def _abbreviations_go_on(view: str, bounds: list[list[int]], raw: str) -> list[list[int]]:
    """The sentences with each one that pysbd ended on an abbreviation a number, a bracket or a
    lower-case word goes on from ("Eq." / "(5) gives the bound.") joined to the next, and so with a
    genus a species goes on from ("Ae." / "aegypti", "Eimeria spp." / "oocysts"); never across a blank
    line of ``raw`` (the paragraph's text, of which ``view`` is the flat copy), where a page break was."""
    out: list[list[int]] = []
    for start, end in bounds:
        if out and "\n\n" not in raw[out[-1][1]:start] and (
                (_GOES_ON.match(view, start, end) and _ABBREVIATION_END.search(view, out[-1][0], out[-1][1]))
                or (view[start:start + 1].islower() and _GENUS_END.search(view, out[-1][0], out[-1][1]))):
            out[-1][1] = end
            continue
        out.append([start, end])
    return out


MAX_ENUMERATION_CHARS = 400
_ENUMERATION_HEAD = re.compile(INLINE_ITEM_MARK + r"\)(?=[\s,.;:]|$)")  # "(ii) ", "b) ", "(3) ", "(b), "


def _enumerations_go_on(view: str, bounds: list[list[int]]) -> list[list[int]]:
    """The sentences with each item of an enumeration inside a sentence ("We test (i) speed, (ii) memory
    and (iii) accuracy."), which pysbd cuts before every mark, joined to the words before it when those
    do not end a sentence (a list set out after "goals:" or "speed;" keeps its items), while the sentence
    stays short: an enumeration of long clauses keeps them apart, each a unit an answer can quote."""
    out: list[list[int]] = []
    for start, end in bounds:
        if (out and _ENUMERATION_HEAD.match(view, start, end) and not _SENTENCE_CLOSED.search(view, out[-1][0], out[-1][1])
                and end - out[-1][0] <= MAX_ENUMERATION_CHARS):
            out[-1][1] = end
            continue
        out.append([start, end])
    return out


_SENTENCE_CLOSED = re.compile(r"[.!?:;][\"'’”)\]]*\s*$")


def _segment_spans(view: str, segmenter, report) -> list[list[int]]:
    """Sentence spans of ``view``, segmented by pysbd a window at a time so time stays linear.

    pysbd is quadratic in the length of a text without sentence ends (100 KB took 37 s).
    A paragraph longer than a window is read window by window: every sentence but the
    window's last is kept and the next window starts at that last sentence; when the last
    one began in the window's first half it is longer than MAX_SENTENCE_CHARS anyway and
    is cut at a space. A window without any sentence-ending mark is one segment.
    """
    if len(view) <= SEGMENT_WINDOW:
        return _locate(view, _pysbd_sentences(segmenter, view), 0)
    spans: list[list[int]] = []
    cursor = 0
    while cursor < len(view):
        end = min(cursor + SEGMENT_WINDOW, len(view))
        window = view[cursor:end]
        found = _locate(window, _pysbd_sentences(segmenter, window) if _SENTENCE_END.search(window) else [window], cursor)
        report(end)
        if end == len(view):
            spans.extend(found)
            break
        if len(found) >= 2 and found[-1][0] - cursor >= SEGMENT_WINDOW // 2:
            spans.extend(found[:-1])
            cursor = found[-1][0]
            continue
        spans.extend(found[:-1])
        head = found[-1][0] if found else cursor
        cut = view.rfind(" ", head + 1, end)
        if cut < cursor + SEGMENT_WINDOW // 2:
            cut = end  # no space in the window's second half: cut inside a very long token
        if view[head:cut].strip():
            spans.append([head, head + len(view[head:cut].rstrip())])
        cursor = cut
    return spans


def _pysbd_sentences(segmenter, text: str) -> list[str]:
    """pysbd's sentences of ``text``, without the character-span pass of its ``segment``.

    That pass compiles a regular expression for every sentence it finds (half the time of
    parsing 3,600 sentences); ``_locate`` finds the sentences in the text instead.
    """
    return segmenter.processor(text).process() if text else []


def _locate(text: str, segments, offset: int) -> list[list[int]]:
    """Where each (stripped) segment lies in ``text``, in order, as [start, end] plus ``offset``."""
    bounds, cursor = [], 0
    for segment in segments:
        piece = segment.strip()
        if not piece:
            continue
        at = text.find(piece, cursor)
        if at < 0:
            continue
        bounds.append([offset + at, offset + at + len(piece)])
        cursor = at + len(piece)
    return bounds


def _cap_length(source: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split an over-long 'sentence' (a jumbled table, a run-on) at ';' or spaces."""
    spans = []
    while end - start > MAX_SENTENCE_CHARS:
        window = source[start : start + MAX_SENTENCE_CHARS]
        cut = max(window.rfind("; "), window.rfind(". "))
        if cut < MAX_SENTENCE_CHARS // 3:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = MAX_SENTENCE_CHARS - 1
        spans.append((start, start + cut + 1))
        start += cut + 1
        while start < end and source[start].isspace():
            start += 1
    if end > start:
        spans.append((start, end))
    return [(s, s + len(source[s:e].rstrip())) for s, e in spans if source[s:e].strip()]


def _table_paragraphs(doc: Document, sentence_id: int) -> list[int]:
    """The table paragraphs (ids, in order) of the table that sentence ``sentence_id`` belongs to:
    its captioned paragraph and the table paragraphs after it in the same section (a page of prose
    may lie between them). Empty when the sentence is not in a table."""
    paragraph = doc.paragraphs[doc.sentences[sentence_id].paragraph]
    if paragraph.kind != "table":
        return []
    tables = [p for p in doc.paragraphs if p.kind == "table" and p.section == paragraph.section]
    starts = [p.id for p in tables if _TABLE_CAPTION.match(doc.source[p.start : p.end])] or [tables[0].id]
    first = max((i for i in starts if i <= paragraph.id), default=tables[0].id)
    following = [i for i in starts if i > first]
    return [p.id for p in tables if first <= p.id < (following[0] if following else len(doc.paragraphs))]


def table_columns(doc: Document, sentence_id: int) -> dict[str, tuple[int, ...]]:
    """The columns of the table that sentence ``sentence_id`` belongs to: head -> cell sentence ids
    (see ``_table_paragraphs``). Empty when the sentence is not in a table."""
    members = set(_table_paragraphs(doc, sentence_id))
    if not members:  # not in a table: no pass over the document's sentences
        return {}
    columns: dict[str, list[int]] = {}
    for s in doc.sentences:
        if s.paragraph in members and s.column:
            columns.setdefault(s.column, []).append(s.id)
    return {column: tuple(ids) for column, ids in columns.items()}


def table_caption(doc: Document, sentence_id: int) -> int | None:
    """The id of the caption sentence ("Table 1. Main goals of ...") of the table that sentence
    ``sentence_id`` belongs to; None outside a table or for a table without a caption."""
    members = _table_paragraphs(doc, sentence_id)
    if not members:
        return None
    return next((s.id for s in doc.sentences if s.paragraph == members[0] and not s.column
                 and _TABLE_CAPTION.match(s.text)), None)

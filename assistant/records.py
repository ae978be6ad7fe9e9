"""Small typed records shared across the package.

Every record that carries ``start``/``end`` refers to character offsets into the
document's source text, and its ``text`` is exactly ``source[start:end]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


SECTION_KINDS = (
    "front", "about_authors", "disclaimer", "acknowledgements", "contents", "abstract", "introduction",
    "method", "body", "conclusion", "notes", "references", "appendix",
)


@dataclass(frozen=True)
class Section:
    id: int
    title: str
    start: int  # offset of the heading (or of the first text, for the title block)
    end: int
    kind: str = "body"  # one of SECTION_KINDS, from the title and position (structure.section_kind)


@dataclass(frozen=True)
class Paragraph:
    id: int
    section: int
    number: int  # 1-based paragraph number within its section
    start: int
    end: int
    kind: str  # "body", "list_item", "note", "table" or "title"


@dataclass(frozen=True)
class Marker:
    """A footnote marker in the body: a superscript (``³⁶``) or bare digits (``invasion. 39``)."""

    number: int
    start: int
    end: int


@dataclass(frozen=True)
class Note:
    """One numbered entry of the Notes section; ``refers_to`` resolves "Ibid" and short forms."""

    number: int
    start: int
    end: int
    text: str
    refers_to: int | None = None


@dataclass(frozen=True)
class Sentence:
    id: int
    paragraph: int
    section: int
    start: int
    end: int
    text: str
    markers: tuple[int, ...] = ()
    column: str = ""  # in a table: the column this cell run belongs to (its header, e.g. "Russia")


@dataclass(frozen=True)
class Chunk:
    id: str
    section: int
    start: int
    end: int
    text: str
    sentences: tuple[int, ...]  # sentence ids, in reading order


@dataclass(frozen=True)
class Document:
    """A parsed document: its exact source text and the structure recovered from it."""

    source: str
    title: str
    sections: tuple[Section, ...]
    paragraphs: tuple[Paragraph, ...]
    sentences: tuple[Sentence, ...]
    notes: tuple[Note, ...] = ()
    markers: tuple[Marker, ...] = ()
    pages: tuple[int, ...] = ()  # start offset of each page, for PDFs
    metadata: dict = field(default_factory=dict, compare=False, hash=False)

    def note(self, number: int) -> Note | None:
        for note in self.notes:
            if note.number == number:
                return note
        return None


@dataclass(frozen=True)
class CitedNote:
    number: int
    text: str


@dataclass(frozen=True)
class Citation:
    n: int
    chunk_id: str
    section: str
    paragraph: int  # 1-based within its section; 0: the section's heading (outline.py)
    start: int
    end: int
    text: str
    notes: tuple[CitedNote, ...] = ()
    document: str = ""  # the library document's id (library.annotate fills it)
    page: int | None = None  # 1-based PDF page of ``start``; None for text and Markdown
    cut_start: bool = False  # its first sentence is the tail of one the extracted text broke (starts lower-case)
    cut_end: bool = False  # its last sentence breaks off without closing punctuation (at a table or a page)


@dataclass(frozen=True)
class Passage:
    rank: int
    chunk_id: str
    section: str
    start: int
    end: int
    score: float
    text: str
    document: str = ""  # the library document's id (library.annotate fills it)
    page: int | None = None  # 1-based PDF page of ``start``; None for text and Markdown


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    abstained: bool
    confidence: float
    citations: tuple[Citation, ...]
    passages: tuple[Passage, ...]
    timings_ms: dict = field(default_factory=dict, compare=False, hash=False)
    sentence_ids: tuple[int, ...] = field(default=(), compare=False)
    read_as: str | None = None  # the question as answered, when a typing slip was read as the document's word (spelling.py)


@dataclass(frozen=True)
class Shown:
    """The sentences already shown on a topic ("Tell me more." leaves them out): the library document
    they belong to ("" outside a library) and their ids in its index."""

    document: str
    sentence_ids: tuple[int, ...]

    def plus(self, answer: Answer) -> "Shown":
        """These and the sentences ``answer`` showed (from the same document; else only those)."""
        if answer.abstained:
            return self
        document = answer.citations[0].document if answer.citations else self.document
        kept = self.sentence_ids if document == self.document else ()
        return Shown(document, tuple(dict.fromkeys((*kept, *answer.sentence_ids))))


NOTHING_SHOWN = Shown("", ())  # a topic's start: ``NOTHING_SHOWN.plus(answer)`` is what its first answer showed

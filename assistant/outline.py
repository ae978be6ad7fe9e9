"""How the paper is laid out: "How is the paper structured?" answered with its section headings.

Many papers, the embedded one among them, say nowhere how they are organised; and where a paper does
("The rest of this paper is organised as follows. Section 2 ..."), retrieval finds its roadmap
sentences one at a time. The headings list every part found, so they answer whenever there are
enough of them (``parts``); otherwise retrieval answers as before. Each heading is cited as
the exact slice of the source that holds it (a Citation whose ``paragraph`` is 0: a heading, not a
paragraph). Only the parts of the work are listed: not the front matter, notes, references,
acknowledgements or a table of contents, nor numbered subsections ("3.1 Paxos") when the top-level
parts are there to list.
"""

from __future__ import annotations

import re

from assistant.records import Chunk, Citation, Document, Section
from assistant.structure import display_text

_WORK = r"(?:(?:the|this|your|our)\s+(?:paper|article|report|study|document|text|thesis|dissertation|work|essay|publication|piece|brief)|it)"
_STRUCTURED = r"(?:structured|organi[sz]ed|laid\s+out|arranged|set\s+out|broken\s+down|divided(?:\s+up)?|put\s+together|built\s+up)"
_PARTS = r"(?:main\s+|major\s+|different\s+|various\s+)?(?:sections?|chapters|headings|subheadings)"
_ASKING = r"(?:(?:can|could|would)\s+you\s+(?:please\s+)?|please\s+)?"
# A question about the layout of the whole work, asked alone: "How is the paper structured?", "What are the
# main sections of this paper?", "Give me an outline of the paper." ("What is in Section 3?" and "Which section
# describes the gates?" ask about a part: they are answered by retrieval.) Words that could be the paper's own
# subject ("structure", "plan", "parts") count only with the work named: "What is the structure?" of a paper on
# data structures asks about its subject.
_ASKS_OUTLINE = re.compile(
    rf"^\s*(?:(?:so|and|ok(?:ay)?|now),?\s+)?(?:"
    rf"how\s+(?:is|was|'s)\s+{_WORK}\s+{_STRUCTURED}"
    rf"|what\s+(?:is|was|'s)\s+the\s+(?:overall\s+|basic\s+|general\s+)?(?:structure|organi[sz]ation|layout|plan)\s+of\s+{_WORK}"
    rf"|what\s+(?:is|was|'s)\s+the\s+(?:outline|table\s+of\s+contents)(?:\s+of\s+{_WORK})?"
    rf"|what\s+(?:are|were)\s+(?:the\s+)?{_PARTS}(?:\s+(?:of|in)\s+{_WORK})?"
    rf"|what\s+(?:are|were)\s+(?:the\s+)?(?:main\s+|major\s+|different\s+)?parts\s+(?:of|in)\s+{_WORK}"
    rf"|(?:what|which)\s+(?:{_PARTS}|parts)\s+(?:does|did)\s+{_WORK}\s+(?:have|contain|include|consist\s+of)"
    rf"|(?:what|which)\s+{_PARTS}\s+(?:are|is)\s+there(?:\s+in\s+{_WORK})?"
    rf"|what\s+does\s+{_WORK}\s+consist\s+of"
    rf"|{_ASKING}(?:give|show)\s+(?:me\s+)?(?:an?\s+|the\s+)?(?:outline|table\s+of\s+contents|list\s+of\s+(?:the\s+)?{_PARTS})"
    rf"(?:\s+of\s+{_WORK})?"
    rf"|{_ASKING}(?:give|show)\s+(?:me\s+)?the\s+structure\s+of\s+{_WORK}"
    rf"|{_ASKING}(?:list|name)\s+(?:the\s+|its\s+)?{_PARTS}(?:\s+of\s+{_WORK})?"
    rf"|{_ASKING}outline\s+{_WORK}"
    rf")\s*(?:,?\s*please)?\s*[?.!]*\s*$",
    re.I,
)
LISTED_KINDS = frozenset({"abstract", "introduction", "method", "body", "conclusion", "appendix"})
_SUBSECTION = re.compile(r"^\s*(?:\d+|[A-Z])\.\d+\b")  # "3.1 Paxos", "A.2 Proofs"
_NUMBERED = re.compile(r"^\s*(\d{1,2}|[IVX]{1,5})(?:\.?\s+\S|\.(?=[A-Z]))")  # "2 Approach", "3. SQL Analysis", "IV. RESULTS", "1.What is"
_NAME = re.compile(r"^(?:[A-Z]\.\s*){1,3}[A-Z][A-Za-z'-]+$|^[A-Z][a-z]+\s+[A-Z][a-z]+\d+$")  # "R. E. KALMAN", "Sheng Di1"
_WORD = re.compile(r"[A-Za-z]{3,}")
_FORMULA = re.compile(r"[=\[\]{}<>→∀∈≥≤]")
MIN_PARTS = 3  # fewer headings than this are no outline: the question is answered by retrieval
MAX_SKIP = 4  # a numbered part may follow the last one kept at most this many numbers on
MAX_PARTS = 25  # more than this, or a quarter of them junk (``_junk``: "RX", "X2)6=(0,0)"): the PDF's headings were not found


def asks_outline(question: str, follow_up: bool = False) -> bool:
    """Does the question, alone, ask how the whole work is laid out? A ``follow_up``'s "it" is its topic
    ("How is it organised?" after "What is the IRGC?"), so there the work must be named."""
    return _ASKS_OUTLINE.match(question) is not None and not (follow_up and re.search(r"\bit\b", question, re.I))


def parts(doc: Document) -> tuple[Section, ...]:
    """The sections to list as the work's parts, in reading order; () when there are fewer than MIN_PARTS.

    From the introduction on (the abstract before it too: a heading between the two is front-matter
    metadata, "Categories and Subject Descriptors"; with no introduction, from the abstract on), up to the references (an appendix after them
    too), of the kinds in LISTED_KINDS; numbered subsections are left out when at least two
    top-level parts remain without them."""
    sections = [s for s in doc.sections if heading_span(doc, s) is not None]
    opening = next((i for i, s in enumerate(sections) if s.kind == "introduction"),
                   next((i for i, s in enumerate(sections) if s.kind == "abstract"), None))
    kept: list[Section] = []
    after_references = False
    for i, section in enumerate(sections):
        if section.kind == "references":
            after_references = True
        if section.kind not in LISTED_KINDS or (after_references and section.kind != "appendix"):
            continue
        if opening is not None and i < opening and section.kind != "abstract":
            continue
        kept.append(section)
    top = [s for s in kept if not _SUBSECTION.match(s.title)]
    if len(top) >= 2:
        kept = top
    kept = [s for s in kept if not _NAME.match(s.title.strip())]
    if sum(bool(_NUMBERED.match(s.title)) for s in kept) >= MIN_PARTS:
        kept = _numbered_run(kept)
    junk = sum(_junk(s.title) for s in kept)
    if junk * 4 > len(kept) or len(kept) > MAX_PARTS:
        return ()
    kept = [s for s in kept if not _junk(s.title)]
    return tuple(kept) if MIN_PARTS <= len(kept) <= MAX_PARTS else ()


def _junk(title: str) -> bool:
    """A line the PDF's fonts set apart that is no heading: no word ("RX", "E D"), a formula ("V (k) ≥ 1"), or a
    sentence (nine words or more closing with a full stop or opening in lower case)."""
    words = title.split()
    return (not _WORD.search(title) or bool(_FORMULA.search(title))
            or len(words) >= 9 and (title.rstrip().endswith(".") or title.lstrip()[:1].islower()))


def _numbered_run(sections: list[Section]) -> list[Section]:
    """Where the parts are numbered, the abstract and an unnumbered introduction before them, and the numbered
    headings whose number follows the last one kept by at most MAX_SKIP (a part the PDF's fonts did not set
    apart is skipped; "45 iterations. This graph ..." after "2 A Ranking ..." is a line of text): an unnumbered line the PDF's fonts set apart ("Ol 40", "Lawrence Livermore National Laboratory") or a
    numbered line of the text ("3. A form f[e1; ...] is translated to ...", after "3 Recursive Functions")
    is no part."""
    kept: list[Section] = []
    last = 0
    for section in sections:
        number = _NUMBERED.match(section.title)
        if number is None:
            if (section.kind in ("abstract", "introduction") and last == 0
                    or section.kind == "appendix" and section.title.lower().startswith("appendi")):
                kept.append(section)
            continue
        value = _number(number.group(1))
        if last < value <= last + MAX_SKIP:
            kept.append(section)
            last = value
    return kept


def _number(numeral: str) -> int:
    """An arabic or roman section number's value."""
    if numeral.isdigit():
        return int(numeral)
    values = {"I": 1, "V": 5, "X": 10}
    total = 0
    for i, char in enumerate(numeral):
        value = values[char]
        total += -value if i + 1 < len(numeral) and values[numeral[i + 1]] > value else value
    return total


def heading_span(doc: Document, section: Section) -> tuple[int, int] | None:
    """Where the section's title is set in the source: on the first line of the section ("## Gates" in
    Markdown, "3. SQL Analysis" in a PDF); None when it is not (the title block's "Front matter")."""
    if not section.title.strip():
        return None
    line_end = doc.source.find("\n", section.start)
    found = doc.source.find(section.title, section.start, len(doc.source) if line_end < 0 else line_end)
    return None if found < 0 else (found, found + len(section.title))


def citations(doc: Document, chunks: tuple[Chunk, ...], sections: tuple[Section, ...]) -> tuple[Citation, ...]:
    """One citation per heading: its exact source slice, in the chunk of the section's first sentence."""
    first_chunk: dict[int, str] = {}
    for chunk in chunks:
        first_chunk.setdefault(chunk.section, chunk.id)
    fallback = chunks[0].id if chunks else ""
    out = []
    for n, section in enumerate(sections, start=1):
        start, end = heading_span(doc, section) or (section.start, section.start)
        out.append(Citation(n=n, chunk_id=first_chunk.get(section.id, fallback), section=section.title, paragraph=0,
                            start=start, end=end, text=doc.source[start:end]))
    return tuple(out)


def answer_text(sections: tuple[Section, ...]) -> str:
    """The headings as one line of text, in reading order."""
    return "; ".join(display_text(s.title) for s in sections)

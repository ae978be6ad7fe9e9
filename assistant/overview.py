"""Questions about the paper as a whole, and about its front matter.

A *paper-level* question asks about an aspect of the whole work ("What is the main
argument?", "What does the paper conclude?", "Which theory do the authors use?", "What
period does it cover?", "Summarize the paper"): it names the work or its authors, or an
aspect only a whole work has, and no topic beyond the document's own title. It is answered
extractively from the parts of the paper where that aspect is stated (the abstract, the
introduction's thesis and aim sentences, the method or theory section, the conclusion),
ranked by cue phrases of the aspect ("this paper examines", "the analysis shows", "based on
the theory of") and by the usual dense/BM25 scores.

The *front matter* (title block and metadata lines, "About the authors", the disclaimer,
acknowledgements, contents) answers only questions about it: who wrote, published or funded
the work, what the authors do, whose views it states, or a question naming someone the
document mentions only there.

Every part is read from the document's structure: a section's kind, a paragraph label
("Abstract:", "DOI:"), the title, the position of a paragraph. Nothing here knows a paper.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Sequence

import numpy as np

from assistant import paper_confidence
from assistant.byline import ORG_WORDS, joined_accents
from assistant.lexical import terms
from assistant.records import Document
from assistant.retrieval import minmax
from assistant.structure import display_text, section_kind
from assistant.text import MONTH_ABBREVIATIONS, MONTH_NAMES, SEASON_NAMES, SENTENCE_STOP, YEAR_DIGITS

# -- what a part of the document is --------------------------------------------------------------

RESTRICTED = frozenset({"title", "front", "about_authors", "disclaimer", "acknowledgements", "contents"})
CITATIONS = frozenset({"notes", "references"})
_METADATA_LINE = re.compile(
    r"^\s*(?:(?:authors?|date|doi|licen[cs]e|sha|keywords?|received|accepted|published|correspondence|e-?mail"
    r"|affiliations?|citation|copyright|funding|issn|isbn)\s*:|https?://\S+\s*$)", re.I,
)
_ABSTRACT_LABEL = re.compile(r"^\s*(?:abstract|summary|synopsis)\s*[:.\-–—]", re.I)
_ABSTRACT_INSIDE = re.compile(r"(?:^|\n)\s*(?:abstract|summary|synopsis)\s*[:.\-–—]", re.I)
_PERMISSION_NOTICE = re.compile(
    r"\s*(?:permission to (?:make digital|make or distribute|freely reproduce|copy without fee|reproduce)|copyright (?:©|\(c\)|\d{4})|©\s*\d{4}"
    r"|copyright (?:[^\W\d_][\w.'’-]*,? ){1,5}(?:c |©\s?|\(c\)\s?)?\d{4}\b"  # "Copyright Philip Wadler c 2014." (PDFium's "c" for ©)
    # the sentences of a publisher's notice after its first, wherever the PDF ran the notice on into the text
    r"|copyrights? for components of this work|abstracting with credit is permitted|to copy otherwise,? (?:or|to) republish"
    r"|request permissions from)", re.I)
# A paper's indexing terms, set at its abstract's end: "Categories and Subject Descriptors", "General Terms",
# "Keywords", "Index Terms", "CCS Concepts", an ACM class ("F.2.0 [Theory of Computation]: ..."): not its content.
_INDEXING_TERMS = re.compile(r"\s*(?:(?:categories and subject descriptors|general terms|keywords|index terms|ccs concepts"
                             r"|acm reference format)\b|[A-K]\.\d+(?:\.\d+)*\s*\[)", re.I)
# a funding note a PDF set as a footnote or ran on into the text: "†The authors were supported in part by DARPA/AFRL IFGA grant
# ...", "Van Renesse and Schneider are supported, in part, by AFOSR grant ...", "Work of Theodore W. Hong was supported by grants ..."
_FUNDED = re.compile(
    r"(?:^\W*(?:(?i:this (?:work|research|project|material|paper)|the (?:first |second |third |last )?authors?|(?:the )?work of [^,]{3,40})"
    r"|[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+)*(?:,? (?:and|&) [A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+)*)?)"
    r" (?:\w+ )?(?:is|are|was|were|has been|have been) (?:\w+ )?(?:supported|funded|sponsored)\b"
    # ... or by initials, without a verb: "S.D. partially supported by SFB grant 1060 of the Deutsche Forschungsgemeinschaft"
    r"|^\W*(?:[A-Z]\.\s?){1,3}(?:(?:is|was) )?(?:\w+ )?(?:supported|funded|sponsored) (?:in part )?by\b"
    r"|^\W*(?i:(?:part of )?(?:this|the) (?:work|research) (?:was )?(?:done|performed|carried out|conducted) while)\b)"  # "... while supported by NSF grants ..."
    r".{0,80}?\b(?i:grants?|awards?|fellowships?|scholarships?|foundation|council|fund|NSF|DARPA|ONR|AFOSR|NSERC|agency|program(?:me)?|project)\b")
_THANKING = re.compile(r"\W*(?:(?:we|I) (?:\w+ ){0,4}?(?:thank|grateful|indebted)|thanks (?:go )?to\b|acknowledge?ments? (?:are|is) due\b"
                       r"|(?:my|our) (?:\w+ )?(?:acknowledge?ments?|thanks|gratitude)"
                       r"|(?:discussions?|conversations?|comments|feedback|suggestions) (?:with|from|by) .{0,80}\b(?:was|were) (?:\w+ )?helpful)\b",
                       re.I)  # "My first acknowledgment is of Lars Knoll, ..."
# thanks without the word: "Graham Hutton provided many useful remarks on draft versions of this paper." (read only where
# "draft" or "version" occurs: a pattern searched anywhere costs a large document's layout milliseconds)
_REMARKS_ON_DRAFTS = re.compile(r"\b(?:provided|gave|made|offered) (?:\w+ ){0,3}(?:remarks|comments|suggestions|feedback) on (?:\w+ ){0,3}"
                                r"(?:drafts?|versions?)\b", re.I)
_THANKS = re.compile(r"\s*acknowledge?ments?\s*[.:—–-]\s+\S", re.I)  # a run-in heading, the thanks after it
NOTICE_ZONES = frozenset({"front", "body", "lead", "abstract", "introduction"})
FUNDED_ZONES = NOTICE_ZONES | {"conclusion"}
LEAD_PARAGRAPHS = 2  # with no introduction or abstract, the first body paragraphs stand in for them


@dataclass(frozen=True)
class Layout:
    """Which part of the document each sentence belongs to, and where it sits in that part."""

    zones: tuple[str, ...]  # per sentence: a section kind, "title", "front" (metadata lines) or "lead"
    order: np.ndarray  # per sentence: 0 for the first sentence of its zone, 1 for the next, ...
    title_terms: frozenset[str]  # stemmed terms of the document's title: the whole paper's topic
    front_only_names: frozenset[str]  # lower-cased capitalised words found only in the front matter
    names: frozenset[str]  # every lower-cased capitalised word of the document
    author_names: frozenset[str]  # words of the authors' names (metadata or byline)
    authors: tuple[frozenset[str], ...]  # ... each author's own (``name_words``)
    signposts: np.ndarray  # per sentence: does it speak of the text itself? (``signposts``)
    roadmap: np.ndarray  # per sentence: does it tell where a part of the paper is? (``roadmap``)
    problem_stated: frozenset[int] = frozenset()  # sentences that may state the problem the work takes on (``_problem``)
    in_section: np.ndarray | None = None  # per sentence: 0 for the first sentence of its section, 1 for the next, ...
    work_terms: frozenset[str] = frozenset()  # stemmed terms of the work's name, its title's head ("Herbivore: A ...": herbivor)
    # per sentence, once a document: does it state nothing a paper-level answer quotes (``_says_nothing``, or the title
    # repeated in a part)? does it announce the contributions (``_CONTRIBUTIONS_ANNOUNCED``)? the run-in headings it lies
    # under ("Limitations. It is important to note ...": ("Limitations",); ``_run_in_labels``)
    says_nothing: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    contributions: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    run_in: tuple[tuple[str, ...], ...] = ()
    asks: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # per sentence: is it a question (``_ASKS``)?


def layout(doc: Document) -> Layout:
    each = _authors(doc)
    paragraph_zone = paragraph_zones(doc, each)
    title = " ".join(doc.title.split())
    zones = []
    abstract_after: set[int] = set()  # paragraphs of metadata lines that run on into an "Abstract:"
    noticed: set[int] = set()  # paragraphs holding a permission notice
    opening = _opening_pages_end(doc)  # a venue line stands on the first pages, not among the references
    listed: set[int] = set()  # paragraphs whose ACM subject categories and keywords run on from a sentence
    funded: set[int] = set()  # funding footnotes set inside a part: the part's order runs on over them
    thanked = None  # the conclusion section whose thanks have begun
    for s in doc.sentences:
        zone = paragraph_zone[s.paragraph]
        shown = display_text(s.text) if zone in FUNDED_ZONES else ""
        thanks = bool(shown) and (_THANKING.match(shown) is not None
                                  or (("draft" in (low := shown.lower()) or "version" in low) and _REMARKS_ON_DRAFTS.search(shown) is not None))
        if (zone == "conclusion" and s.section == thanked) or thanks or (shown and _FUNDED.search(shown)):
            zones.append("acknowledgements")  # a funding footnote or a word of thanks in an introduction or a conclusion,
            funded.add(s.id)  # ... and a conclusion's sentences after its first thanks (thanks run on into it, unheaded;
            thanked = s.section if zone == "conclusion" and thanks else thanked  # a page's funding footnote may stand mid-way)
            continue
        if s.paragraph in listed or (zone in NOTICE_ZONES and _INDEXING_TERMS.match(s.text)):
            if _short_paragraph(doc, s.paragraph):  # "Categories and Subject Descriptors. F.2.0 [Theory of Computation]: ... Keywords. ..."
                listed.add(s.paragraph)  # ... not a whole text run together after a "Keywords:" line (a COVID-QA context)
            zones.append("front")
            continue
        if s.paragraph in abstract_after:
            zone = "abstract"
        elif zone == "front" and _ABSTRACT_INSIDE.search(s.text):
            abstract_after.add(s.paragraph)  # this sentence holds the label; the ones after it are the abstract
        elif zone in ("front", "body") and title and _overlaps_title(display_text(s.text), title):
            zone = "title"
        ran_on = s.paragraph in noticed or (s.paragraph - 1 in noticed and _notice_line(doc, s.paragraph))
        if ran_on and _names_half(display_text(s.text), each):  # the byline under a venue line ("To appear in OSDI 2006")
            ran_on = False
        if zone in NOTICE_ZONES and (_PERMISSION_NOTICE.match(s.text) or (s.start < opening and _venue_line(s.text)) or ran_on):
            zone = "disclaimer"  # "Permission to make digital or hard copies ...", a first page's footnote run into the text,
            if _short_paragraph(doc, s.paragraph):  # a footnote's block, not a whole text run together
                noticed.add(s.paragraph)  # ... and what follows it there ("SOSP'03, October 19-22, 2003, ...", "Copyright 2003 ACM")
        zones.append(zone)
    if "abstract" not in zones:
        _unlabelled_abstract(doc, zones, each)
    order = np.zeros(len(zones), dtype=np.int64)
    last = 0  # the sentence before, a funding footnote aside
    for i in range(1, len(zones)):
        order[i] = order[last] + 1 if zones[i] == zones[last] else 0
        if i not in funded:
            last = i
    in_section = np.zeros(len(zones), dtype=np.int64)
    for i in range(1, len(zones)):
        if doc.sentences[i].section == doc.sentences[i - 1].section:
            in_section[i] = in_section[i - 1] + 1
    front_only, names = _names(doc, tuple(zones))
    texts = _texts(doc)
    said = title.rstrip(".").lower()
    says_nothing = np.array([_says_nothing(t) or (zone != "title" and " ".join(t.split()).rstrip(".").lower() == said)
                             for t, zone in zip(texts, zones)], dtype=bool)  # the title repeated in a part
    contributions = np.array([  # every way of announcing them says "contributions"
        "ontribution" in t and _CONTRIBUTIONS_ANNOUNCED.search(t) is not None for t in texts], dtype=bool)
    asks = np.array([_ASKS.match(t) is not None for t in texts], dtype=bool)
    return Layout(tuple(zones), order, frozenset(terms(title)) | _acronym(title), front_only, names, frozenset().union(*each), each,
                  signposts(doc, texts, asks), roadmap(doc, texts), _before_thesis(doc, tuple(zones)), in_section, work_name(title),
                  says_nothing, contributions, _run_in_labels(doc, texts), asks)


MIN_ABSTRACT_SENTENCES = 2


def _unlabelled_abstract(doc: Document, zones: list[str], people: tuple[frozenset[str], ...]) -> None:
    """In a document with no labelled abstract, the prose the front matter holds after its title and byline
    is its abstract (a PDF that sets "I describe how search engines sell ad space ..." under the byline with
    no heading, or runs it into the title's paragraph): the first run of such sentences (``_is_prose``: nine
    words or more; with six, a cover page's citation lines and an epigraph were taken for one), at least
    MIN_ABSTRACT_SENTENCES of them, before anything but front matter. ``zones`` is changed in place."""
    run: list[int] = []
    for i, zone in enumerate(zones):
        if zone not in ("front", "title"):
            break
        text = display_text(doc.sentences[i].text)
        if zone == "front" and _is_prose(text) and not _METADATA_LINE.match(text) and not _names_half(text, people):
            run.append(i)
        elif run:
            break
    if len(run) >= MIN_ABSTRACT_SENTENCES:
        for i in run:
            zones[i] = "abstract"


_MINOR = frozenset("a an the of for in on to and with by from at as via or".split())


def _acronym(title: str) -> frozenset[str]:
    """The term of the title's initials when it has three words or more, all capitalised but the minor ones
    ("Communicating Sequential Processes": csp), which readers name the work by; else none."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", title) if w.lower() not in _MINOR]
    if len(words) < 3 or not all(w[:1].isupper() for w in words):
        return frozenset()
    return frozenset(terms("".join(w[0] for w in words)))


WORK_NAME_WORDS = 3  # a title's head before its colon names the work when it is this short ("TAO: Facebook’s Distributed ...")


def work_name(title: str) -> frozenset[str]:
    """The stemmed terms of the name a title gives its work: the head before a colon or a dash ("Herbivore: A Scalable
    and Efficient Protocol ...", "Copysets: Reducing ..."), of at most WORK_NAME_WORDS words, capitalised; none for a
    title without one ("Live Migration of Virtual Machines")."""
    head = re.split(r"\s*(?::|\s[–—-]\s)", title, maxsplit=1)
    if len(head) < 2 or not 0 < len(head[0].split()) <= WORK_NAME_WORDS or not head[0][:1].isupper():
        return frozenset()
    return frozenset(t for t in terms(head[0]) if t not in _GENERIC)


_CONFERENCE_YEAR = r"(?-i:[A-Z][A-Za-z]*[A-Z][A-Za-z]*)\s?['’]\d{2}"  # a conference and its year: "SOSP’03", "NDSS ’14", "PPoPP '16"
_JOURNAL_PAGES = rf"\d+\s?\(\d+\):\s?\d+\s?[–-]\s?\d+,\s{YEAR_DIGITS}"  # a journal's volume, issue, pages and year: "14(3): 268 - 280, 2021"


# A first page's venue line, wherever the PDF set it: "SOSP’15, October 4–7, 2015, Monterey, CA.", "PVLDB, 14(3):
# 268 - 280, 2021.", "Proceedings of the VLDB Endowment, Vol. 14, ...", "Copyright is held by the owner/author(s)."
_VENUE_LINE = re.compile(
    rf"\s*(?:{_CONFERENCE_YEAR}(?:,|\s+(?:{MONTH_NAMES}|{MONTH_ABBREVIATIONS})\.?\s+\d)|proceedings of the\b|copyright is held by\b|publication rights licensed to\b"
    rf"|(?-i:[A-Z][\w.&]*)(?:\s(?-i:[A-Z][\w.&]*)){{0,3}},\s{_JOURNAL_PAGES}\.?\s*$)", re.I)
VENUE_LINE_WORDS = 25


VENUE_PAGES = 2  # a paper's venue line stands on its first pages (a cover page may come first) ...
VENUE_SHARE = 0.2  # ... or, for a text without pages, in its first fifth
VENUE_CHARS = 8000  # ... or its first characters, as many as two pages hold


def _opening_pages_end(doc: Document) -> int:
    """Where a document's first VENUE_PAGES pages end (without pages: its first VENUE_SHARE or VENUE_CHARS)."""
    if len(doc.pages) > VENUE_PAGES:
        return doc.pages[VENUE_PAGES]
    return len(doc.source) if doc.pages else max(int(len(doc.source) * VENUE_SHARE), VENUE_CHARS)


# ... or a first page's footnote a PDF ran into the text after a fragment: "th Biennial Conference on Innovative Data Systems
# Research (CIDR ’11) January 9-12, 2011, ...", "of the 18th IFIP/ACM International Conference on ... (Middleware 2001).",
# "1-4244-0054-6/06/$20.00 ©2006 IEEE", "XXX YYY Copyright 2017 VLDB Endowment ...", "This article is published under a
# Creative Commons Attribution License ..."
_CONFERENCE_IN_BRACKETS = rf"\((?-i:[A-Z][\w/-]+)(?: (?-i:[A-Z][\w/-]+))? ?(?:['’]\d{{2}}|{YEAR_DIGITS})\)"  # "(Middleware 2001)", "(CIDR ’11)"
_VENUE_INSIDE = re.compile(
    rf"(?:{_CONFERENCE_YEAR}\)?,?\s+(?:{MONTH_NAMES}|{MONTH_ABBREVIATIONS})\.?\s+\d|\b(?:conference|symposium|workshop)\b.{{0,120}}"
    rf"{_CONFERENCE_IN_BRACKETS}|©\s?{YEAR_DIGITS}\b|\bcopyright {YEAR_DIGITS}\b"
    r"|\bpublished under a creative commons\b|\b(?:appears|appeared|to appear) in (?:the )?(?:proc\.|proceedings)\b"
    # a note on where the work appeared: "Published in ACM Transactions ...", "Revised version of a paper from the Second
    # International Conference on ...", "A preliminary version of this paper appeared in ..."
    r"|^\s*(?:published in|presented at|to appear in|(?:a |an )?(?:revised|preliminary|earlier|shorter|extended|abridged) version of "
    r"(?:a|this) (?:paper|article|work) (?:was )?(?:appeared |appears |presented |published )?(?:in|at|from)|this (?:paper|article|work) "
    r"(?:appeared|appears|was (?:presented|published)) (?:in|at))\b)", re.I)


def _venue_line(text: str) -> bool:
    return len(text.split()) <= VENUE_LINE_WORDS and (_VENUE_LINE.match(text) is not None or _VENUE_INSIDE.search(text) is not None)


NOTICE_WORDS = 150  # a notice's paragraph is a first page's footnote: no longer than this


def _short_paragraph(doc: Document, paragraph: int) -> bool:
    p = doc.paragraphs[paragraph]
    return len(doc.source[p.start : p.end].split()) <= NOTICE_WORDS


def _notice_line(doc: Document, paragraph: int) -> bool:
    """A paragraph of one short line and one sentence, not a heading, as a notice's venue and copyright
    lines are set under it ("SOSP’03, October 19–22, 2003, Bolton Landing, New York, USA.")."""
    p = doc.paragraphs[paragraph]
    text = doc.source[p.start : p.end].strip()
    return ("\n" not in text and len(text.split()) <= 15 and heading_line(text) is None
            and not re.search(r"[a-z][.!?]\s+[A-Z]", text))  # one sentence


def _authors(doc: Document) -> tuple[frozenset[str], ...]:
    """The words of each author's name (``name_words``): the document's metadata, else its byline."""
    from assistant.byline import authors

    listed = doc.metadata.get("authors") or authors(doc.source, doc.title)
    return tuple(words for name in listed if isinstance(name, str) and (words := name_words(name)))


def name_words(text: str) -> frozenset[str]:
    """The lower-cased capitalised words of ``text`` longer than two letters, without a footnote digit
    ("Clarke1": "clarke")."""
    return frozenset(w for w in (re.sub(r"\d+$", "", w.lower()) for w in _NAME.findall(text)) if len(w) > 2)


def _overlaps_title(text: str, title: str) -> bool:
    """The sentence is the title, part of it, or the title with a little more (a subtitle, a URL)."""
    if len(text) < 12:
        return False
    return text in title or (title in text and len(title) >= 0.5 * len(text))


def paragraph_zones(doc: Document, people: tuple[frozenset[str], ...] | None = None) -> dict[int, str]:
    """The part of the document each paragraph belongs to (see ``Layout.zones``); ``people``: the words of
    each author's name (``_authors``, read here when not given)."""
    kinds = {s.id: s.kind for s in doc.sections}
    inner = inner_parts(doc)
    has_opening = any(k in ("introduction", "abstract") for k in kinds.values())
    # the first paragraph of an introduction: a labelled abstract before it may run over several paragraphs
    introduction_at = next((p.id for p in doc.paragraphs if kinds[p.section] == "introduction" or inner.get(p.id) == "introduction"), None)
    first = doc.sections[0].id if doc.sections else None
    people = _authors(doc) if people is None else people
    out: dict[int, str] = {}
    lead, prose_seen, in_abstract = 0, False, False
    section, thanked = None, False
    for p in doc.paragraphs:
        zone = kinds[p.section]
        text = doc.source[p.start : p.end]
        prose_seen = prose_seen or (p.section == first and _is_prose(text))
        before_introduction = introduction_at is not None and p.id < introduction_at
        if p.section != section:
            section, thanked = p.section, False
        thanked = thanked or (zone in ("body", "conclusion") and bool(_THANKS.match(text)))
        if thanked:
            zone = "acknowledgements"  # a run-in "Acknowledgements. Thanks to ..." and the rest of its section
        elif zone == "abstract" and introduction_at is not None and p.id > introduction_at and _SUBSECTION.match(doc.sections[p.section].title):
            zone = "body"  # "4.5 Summary" sums up its chapter, not the work: no abstract after the introduction
        elif zone in ("body", "front") and p.id in inner:
            zone = inner[p.id]
        elif zone in ("body", "front") and _METADATA_LINE.match(text):
            zone = "front"
        elif zone in ("body", "front") and _ABSTRACT_LABEL.match(text):
            zone, in_abstract = "abstract", before_introduction
        elif zone in ("body", "front") and before_introduction and _ABSTRACT_INSIDE.search(text):
            zone, in_abstract = "front", True  # "{ulfar,...}@google.com Abstract—Controlled sharing ...": ``layout`` reads the label
        elif zone == "body" and in_abstract and before_introduction:
            zone = "abstract"  # the labelled abstract's next paragraphs, up to the introduction (Macaroons, SoK)
        elif zone == "body" and p.section == first and not prose_seen:
            zone = "front"  # a byline or series line under a title heading, before any prose
        elif (zone == "body" and p.id < BYLINE_PARAGRAPHS and (introduction_at is None or before_introduction)
              and _short_paragraph(doc, p.id) and _names_half(text, people)):  # a byline's block, not a text run together
            zone = "front"  # a byline under a title a publisher's cover page set after a heading of its own (USENIX)
        elif (zone == "body" and p.kind in ("body", "list_item") and not has_opening and lead < LEAD_PARAGRAPHS
              and (introduction_at is None or before_introduction)):
            zone, lead = "lead", lead + 1
        out[p.id] = zone
    return out


_SUBSECTION = re.compile(r"^\s*\d+\.\d+")  # a numbered part of a section: "4.5 Summary", "7.1.3 Summary"
_LINE_NUMBER = re.compile(r"^(\d+|[IVXLC]+)(?:\.\d+)*\.?\s+(?=[A-Z])")
MAX_HEADING_LINE_WORDS = 12


def heading_line(text: str) -> tuple[str, str | None] | None:
    """A paragraph that is only a heading the PDF did not set apart from the text ("8 Conclusion",
    "X. CONCLUSION", "Abstract", "2 A Ranking for Every Page on the Web"): its kind (``section_kind``)
    and its top-level number ("8", "X"; None unnumbered). None for any other paragraph, and for an
    unnumbered line of no known kind (a caption, an affiliation)."""
    line = " ".join(text.split())
    if "\n" in text.strip() or not line or len(line.split()) > MAX_HEADING_LINE_WORDS or line.endswith((".", ",", ";", ":")):
        return None
    number = _LINE_NUMBER.match(line)
    kind = section_kind(line)
    if kind == "body" and number is None:
        return None
    return kind, number.group(1) if number else None


def inner_parts(doc: Document) -> dict[int, str]:
    """Paragraphs of a body or front-matter section that follow a heading line of a known kind inside it
    (``heading_line``): the kind of that part, up to a numbered heading line of another top-level number
    ("8 Conclusion" runs over "8.1 ..." up to "9 ..." or "References") or the section's end. PageRank's
    "Abstract", "1 Introduction and Motivation" and "8 Conclusion", and SoK's "X. CONCLUSION" are
    lines of text in their PDFs, not sections."""
    kinds = {s.id: s.kind for s in doc.sections}
    out: dict[int, str] = {}
    current: tuple[str, str | None] | None = None
    section = None
    for p in doc.paragraphs:
        if p.section != section:
            section, current = p.section, None
        if kinds[p.section] not in ("body", "front"):
            continue
        heading = heading_line(doc.source[p.start : p.end])
        if heading is not None and heading[0] != "body":
            current = heading
            continue  # the heading line itself stays where it is: it never answers
        if heading is not None and current is not None and (current[1] is None or heading[1] != current[1]):
            current = None
        if current is not None:
            out[p.id] = current[0]
    return out


def _is_prose(text: str) -> bool:
    """Eight words or more, ending a sentence: not a byline, a series line or a date."""
    return text.rstrip().rstrip("\"'”’)").endswith((".", "!", "?")) and len(text.split(None, 8)) > 8


_NAME = re.compile(r"\b[A-Z][\w'’-]*[a-z][\w'’-]*")
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9&]{1,7}s?\b")  # "RIAC", "CMESS", "NGOs": a name too, where a name says which zone


def _zone_names(text: str) -> set[str]:
    """The lower-cased capitalised words and acronyms of ``text`` longer than two letters."""
    return {w.lower() for w in (*_NAME.findall(text), *_ACRONYM.findall(text)) if len(w) > 2}


def _names(doc: Document, zones: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """Capitalised words and acronyms the front matter has and the text does not (notes, which may cite the
    authors' own work, aside), and all of them (lower-cased)."""
    front: set[str] = set()
    rest: set[str] = set()
    for s, zone in zip(doc.sentences, zones):
        if zone in CITATIONS:
            continue
        found = _zone_names(display_text(s.text))
        (front if zone in RESTRICTED else rest).update(found)
    return frozenset(front - rest), frozenset(front | rest)


# -- questions about the front matter ------------------------------------------------------------

_ABOUT_FRONT = re.compile(
    r"\bwho (?:wrote|writes|authored|published|publishes|funded|funds|sponsored|financed|commissioned|edited|supported)\b"
    r"|\bwho (?:is|are|was|were) (?:the )?(?:authors?|writers?|publishers?|editors?|funders?|sponsors?)\b"
    r"|\b(?:authors?|writers?)(?:'s?|’s?)? (?:names?|backgrounds?|affiliations?|institutions?|universit\w+|degrees?"
    r"|qualifications?|expertise|biograph\w*|interests?|positions?|nationalit\w*|contacts?|e-?mails?|careers?|education)\b"
    r"|\bwhere (?:do|does|did|is|are|was|were) (?:the )?(?:authors?|writers?)\b|\babout the authors?\b"
    r"|\b(?:publisher|publication series|funded by|funding|funders?|sponsored by|sponsorship|grants?|copyright|licen[cs]ed?|disclaimer"
    r"|doi|isbn|issn|acknowledg\w*|table of contents)\b|\bpublished (?:by|in|on|when)\b|\bwhen was (?:it|this|the \w+) (?:published|written|released)\b"
    r"|\b(?:views?|opinions?|positions?) (?:expressed|stated|in (?:this|the) \w+)\b|\bwhose (?:views?|opinions?)\b|\breflects? (?:the )?(?:views?|positions?|opinions?)\b"
    r"|\b(?:title|name) of (?:the|this) (?:paper|article|report|study|document|work|book)\b"
    r"|\bwhat is (?:the|this) (?:paper|article|report|study|document)(?:'s|’s)? (?:title|called)\b",
    re.I,
)


def about_front_matter(question: str, lay: Layout) -> bool:
    """Whether a question asks about the front matter: authorship, publication, the disclaimer, ...

    A question that names someone or something the document mentions only in its front
    matter ("Where did <an author> study?") is about it too.
    """
    if _ABOUT_FRONT.search(question):
        return True
    names = {re.sub(r"['’]s?$", "", w) for w in _zone_names(question[1:])}  # "Bijan's": bijan
    front = names & lay.front_only_names
    return len(front) > len(names & lay.names) - len(front)


_AUTHOR_REFERENCE = re.compile(r"\b(?:authors?|writers?|co-?authors?)\b", re.I)
_PERSON_ATTRIBUTE = re.compile(  # what a reader asks about a person, which only a note on the authors states
    r"\bwhere\b[\w\s'’]{0,40}?\b(?:work|working|based|stud(?:y|ied|ying)|teach|teaching|from)\b|\bwork(?:s|ed)? (?:at|for)\b"
    r"|\b(?:research|academic|scholarly) (?:interests?|areas?|fields?|focus)\b|\binterested in\b|\baffiliat\w*|\buniversit\w*"
    r"|\bdegrees?\b|\bph\.?d\.?s?\b|\bdoctora\w*|\beducat\w*|\bqualifications?\b|\bbiograph\w*|\bcareers?\b|\bnationalit\w*"
    r"|\bwritten (?:before|elsewhere)\b|\bother (?:articles|papers|publications)\b",
    re.I,
)
_ASKS_AUTHORSHIP = re.compile(r"\bwho (?:wrote|writes|authored|are|is|were|was)\b|\bhow many authors\b", re.I)


def about_the_authors(question: str, text: str, lay: Layout) -> bool:
    """Whether ``question`` asks about the authors as people (where they work, what they study),
    which the document's "About the authors" section answers, when it has one. ``text`` is what the
    question is asked with (a follow-up's context, then the question): "Where do they work?" after
    "Who wrote this paper?" refers to the authors through the names that answer gave."""
    # the question's own words first: scanning every sentence's zone took 0.14 ms a call on a
    # 12,000-sentence document without a note on its authors, twice a question
    if _ASKS_AUTHORSHIP.search(question) or not _PERSON_ATTRIBUTE.search(question) or "about_authors" not in lay.zones:
        return False
    if _AUTHOR_REFERENCE.search(text):
        return True
    names = {re.sub(r"['’]s?$", "", w.lower()) for w in _NAME.findall(text) if len(w) > 2}
    return bool(names & lay.author_names)  # an author by name ("Durham University" is none)


def each_author(doc: Document, lay: Layout, text: str, scores: np.ndarray) -> tuple[int, ...]:
    """For a question about the authors as people (``about_the_authors``), the best-scoring sentence
    of each paragraph of "About the authors" (one paragraph an author, as such notes are written),
    in reading order: "Where do the authors work?" is answered for every author, not for the one whose
    note scores best. When the question asks for an attribute such notes state in set words
    (``AUTHOR_ATTRIBUTES``: where they work or study, what they are interested in), each note's
    first sentence stating it answers instead. Only the paragraphs naming someone ``text`` names (a
    follow-up's context included), when it names anyone they mention; empty when fewer than two
    paragraphs are left (one author's note is answered as any question is, within it: ``author_mask``)."""
    chosen = _author_paragraphs(doc, lay, text)
    return _attribute_picks(doc, chosen, _attribute_cue(text), scores) if len(chosen) >= 2 else ()


def _attribute_picks(doc: Document, chosen: dict[int, list[int]], cue: re.Pattern | None, scores: np.ndarray,
                     exclude: frozenset[int] = frozenset()) -> tuple[int, ...]:
    """Per note on an author (``chosen``: paragraph -> its sentence ids), its first sentence ``cue`` finds,
    else its best-scored one, in reading order; never one of ``exclude``."""
    picks = []
    for members in chosen.values():
        members = [i for i in members if i not in exclude]
        stating = [i for i in members if cue is not None and cue.search(display_text(doc.sentences[i].text))]
        if members:
            picks.append(stating[0] if stating else max(members, key=lambda i: scores[i]))
    return tuple(sorted(picks))


def attribute_floor(doc: Document, text: str, ids: tuple[int, ...]) -> float:
    """The confidence floor of ``each_author``'s answer: CUED_CONFIDENCE when ``text`` asks for one of
    ``AUTHOR_ATTRIBUTES`` and every sentence chosen states it in its words (it states the answer in
    words, in the part of the paper that states it, as a cued paper-level answer does); 0 otherwise.
    The question model sees only a question with no facts of its own and read 0.02 for the right
    answer to "Where do the authors work?"."""
    cue = _attribute_cue(text)
    stated = cue is not None and all(cue.search(display_text(doc.sentences[i].text)) for i in ids)
    return CUED_CONFIDENCE if ids and stated else 0.0


def _attribute_cue(text: str) -> re.Pattern | None:
    """The words that state the attribute of the authors ``text`` asks about, if it asks for one."""
    return next((cue for asks, cue in AUTHOR_ATTRIBUTES if asks.search(text)), None)


_ORGANISATION = re.compile(r"\b(?:%s)\b" % "|".join(sorted(w.capitalize() for w in ORG_WORDS if w.isalpha() and len(w) > 3)))
# What a question asks of the authors, and the words a note on an author states it in. A note states
# where first ("X is a PhD candidate at Y University"), so "Where do the authors work?" is its first
# sentence naming an organisation, not the one that scores best on "work" ("He has written articles in
# ... journals"); "research interests" its sentence saying what they are interested in, not their
# thesis topic.
AUTHOR_ATTRIBUTES: tuple[tuple[re.Pattern, re.Pattern], ...] = (
    (re.compile(r"\bwhere\b[\w\s'’]{0,40}?\b(?:work|working|based|stud(?:y|ied|ying)|teach|teaching|from)\b"
                r"|\bwork(?:s|ed)? (?:at|for)\b|\baffiliat\w*|\b(?:which|what) (?:universit|institution|organi[sz]ation)\w*", re.I),
     _ORGANISATION),
    (re.compile(r"\binterest(?:s|ed)?\b|\b(?:research|academic|scholarly) (?:areas?|fields?|focus)\b", re.I),
     re.compile(r"\binterested in\b|\b(?:research|academic|scholarly) interests?\b|\binterests? (?:are|include|lie)\b"
                r"|\bfocus(?:es|ed)? on\b|\bspeciali[sz]\w* in\b", re.I)),  # not "interests of Iran and Russia"
)


def author_mask(doc: Document, lay: Layout, text: str) -> np.ndarray:
    """Per sentence: is it in a paragraph of "About the authors" that ``each_author`` would read?"""
    out = np.zeros(len(lay.zones), dtype=bool)
    for members in _author_paragraphs(doc, lay, text).values():
        out[members] = True
    return out


def _author_paragraphs(doc: Document, lay: Layout, text: str) -> dict[int, list[int]]:
    """The paragraphs of "About the authors" (paragraph id -> its sentence ids) naming someone
    ``text`` names, or all of them when it names none of theirs."""
    by_paragraph: dict[int, list[int]] = {}
    for i, zone in enumerate(lay.zones):
        if zone == "about_authors":
            by_paragraph.setdefault(doc.sentences[i].paragraph, []).append(i)
    asked = {re.sub(r"['’]s?$", "", w.lower()) for w in _NAME.findall(text) if len(w) > 2} & lay.author_names
    words = {p: {w.lower() for i in members for w in _NAME.findall(display_text(doc.sentences[i].text))}
             for p, members in by_paragraph.items()}
    named = {p: members for p, members in by_paragraph.items() if asked & words[p]}
    return named or by_paragraph


def allowed(lay: Layout, question: str) -> np.ndarray:
    """Per sentence: may it answer ``question``? The front matter only when the question is about it,
    the notes and references not when it asks who wrote or published the work itself (``OF_THE_WORK``),
    a sentence about the text itself only when the question names the work, a roadmap sentence only
    when it asks how the text is laid out."""
    everything = np.ones(len(lay.zones), dtype=bool)
    zones = everything if about_front_matter(question, lay) else unrestricted(lay)
    if asks_of_the_work(question, lay):
        zones = zones & ~in_citations(lay)
    signposts = everything if names_the_work(question) else ~lay.signposts
    return zones & signposts & (everything if asks_layout(question) else ~lay.roadmap)


OF_THE_WORK = frozenset({"authors", "title", "published", "publisher"})  # asked of the work, its answer is never a cited work's


def asks_of_the_work(question: str, lay: Layout) -> bool:
    """Does the question ask who wrote or published the work, or when? ("When was it published?" was
    answered by a reference's "Morgan Kaufmann Publishers Inc., 1996.")"""
    return aspect_of(question, lay) in OF_THE_WORK


def in_citations(lay: Layout) -> np.ndarray:
    """Per sentence: is it in the notes or the reference list?"""
    return np.array([zone in CITATIONS for zone in lay.zones], dtype=bool)


def unrestricted(lay: Layout) -> np.ndarray:
    """Per sentence: is it outside the front matter, disclaimer and "About the authors"?"""
    return np.array([zone not in RESTRICTED for zone in lay.zones], dtype=bool)


# A sentence whose subject is the text's own account ("The above analysis shows ...", "In this section
# we ...", "The following section discusses ..."): it tells where the paper says something, not what.
_ANNOUNCING = (r"(?:suggest|describe|present|list|discuss|give|outline|review|introduce|consider|turn to|sketch|summari[sz]e"
               r"|define(?![^.;]*\bas\b))\b")  # "We will define an 'ideal' system as ..." defines
_TEXT_ITSELF = r"(?:analysis|analyses|discussion|section|sections|chapter|chapters|part|parts)"
_SIGNPOST = re.compile(
    r"^(?:(?:thus|so|hence|therefore|overall|in sum|in short|to sum up|to conclude|in conclusion),?\s+)?"
    rf"(?:(?:the|these)\s+(?:above|foregoing|preceding|previous|following|next)\s+{_TEXT_ITSELF}\b"
    r"|(?:in\s+)?(?:this|the (?:above|foregoing|preceding|previous|following|next))\s+(?:section|chapter|part)\b"
    # the writer announcing what comes ("Below I suggest scenarios ...", "I will define important issues ...",
    # "This chapter provides guidelines ..."); not "This paper (document, manual) describes Dynamo, ...", which says what the work is
    r"|(?:below|here|next|in what follows|in the (?:rest|remainder) of this \w+),?\s+(?:I|we)\s+(?:will\s+|shall\s+)?"
    rf"{_ANNOUNCING}"
    rf"|(?:[^,.;]{{0,60}},\s*){{0,2}}(?:I|we)\s+(?:will|shall)\s+(?:now\s+|first\s+|briefly\s+|then\s+)?{_ANNOUNCING}"
    rf"|this\s+(?:chapter|section|appendix)\s+(?:\w+\s+)?(?:provides|describes|presents|discusses|gives|introduces|covers|outlines|reviews|explains|contains|lists)\b)",
    re.I,
)
# A roadmap sentence: a numbered section is its subject ("Section 6 details ...", "Finally, Section 10
# describes ...", "... and, finally, Section 6 presents future work and concludes the paper."), or it
# announces the paper's plan ("The rest of this paper is organized as follows."). It says where a part
# is, never what the paper finds; a cross-reference inside a claim ("as described in Section 5.3, a
# read ...") is not one.
_SECTION_DOES = (r"(?:(?:sections?|chapters?)\s+|§\s?)(?:\d+(?:\.\d+)*|[IVX]+(?:-[A-Z])?)(?:\s+(?:and|to)\s+\d+(?:\.\d+)*)?,?\s+(?:then\s+|finally\s+|briefly\s+)?"
                 r"(?:presents?|describes?|details?|discuss(?:es)?|reviews?|introduces?|provides?|gives?|explores?|concludes?"
                 r"|summari[sz]es?|outlines?|examines?|shows?|covers?|contains?|begins?|defines?|evaluates?|compares?)\b")
_ROADMAP = re.compile(
    rf"^(?:(?:finally|then|next|lastly),?\s+)?(?:in\s+)?(?:sections?\s+|chapters?\s+|§\s?)\d|(?:\b|(?=§)){_SECTION_DOES}"
    r"|^(?:throughout\s+)?the (?:rest|remainder) of (?:this|the) (?:paper|article|report|chapter)\b"
    r"|^in the (?:next|following|remaining) (?:sub)?(?:sections?|chapters?)\b"  # "In the next subsections, we shall ..."
    # a part of the text announced: "In the second half of this paper we shall consider a possible approach ...",
    # "We next step back and reflect on the significance of this work."
    r"|^in the (?:first|second|latter|next|following|last|final|remaining|other) (?:half|part|parts|portion) of (?:this|the)"
    r" (?:paper|article|report|thesis|dissertation|chapter|essay|book)\b"
    r"|^(?:we|I) next (?:step back|turn|consider|discuss|describe|present|reflect|look|examine|show|review|summari[sz]e|outline)\b"
    r"|^(?:we|I) (?:now|then) turn (?:to|our attention)\b"
    # a part of the text as the subject: "This section describes the methods for all three studies and the next
    # section reports the results ..."
    r"|^(?:this|the (?:next|following|previous|preceding|last|final)) (?:sub)?(?:section|chapter|appendix) (?:\w+ )?"
    r"(?:describes?|presents?|reports?|discuss(?:es)?|introduces?|outlines?|reviews?|summari[sz]es?|details?|explains?|covers?"
    r"|provides?|gives?|examines?|shows?)\b"
    r"|^(?:this|the) (?:paper|article|report) (?:proceeds|is (?:organi[sz]ed|structured|divided)|then \w+|next \w+|finally \w+)\b"
    # a part is the subject: "The conclusion summarizes the contributions of this research, ..."
    r"|^(?:the|our) (?:conclusion|concluding section|final section|last section|next section|following section|appendix|appendices)"
    r"\s+(?:\w+\s+)?(?:summari[sz]es|presents?|describes?|discuss(?:es)?|gives?|reviews?|outlines?|covers?|contains?|draws?)\b"
    r"|\bconclude[sd]? (?:the (?:paper|article|report)|in (?:section|chapter) \d)"
    # the close as the subject: "The chapter concludes with an explanation of the mathematical theory of ..."
    r"|^(?:the|this) (?:paper|article|report|chapter|book|essay|section) (?:concludes|ends|closes) (?:with|by)\b"
    # a part said to be elsewhere: "Chain replication is compared in §6 to other work on scalable storage systems."
    r"|\b(?:is|are)\s+(?:\w+\s+)?(?:compared|described|discussed|presented|detailed|explained|reviewed|covered|summari[sz]ed|outlined)"
    r"\s+(?:in|at length in)\s+(?:§\s?|sections?\s+|chapters?\s+)(?:\d|[IVX]+\b)"  # "... is discussed in Section IV-C below."
    # the close announced: "We close with a list of open problems in anonymous communication."
    r"|^(?:finally,?\s+|lastly,?\s+)?(?:we|I) (?:close|conclude|end|finish) (?:by (?:giving|listing|discussing|describing|presenting|outlining|reviewing)\b"
    r"|with (?:a |an |some |our )?(?:\w+\s+)?(?:list|discussion|summary|overview|survey|description|few|look|review)\b)",
    re.I,
)
_ASKS_LAYOUT = re.compile(r"\b(?:organi[sz]\w*|structured?|outline|sections?|chapters?|parts?|roadmap)\b", re.I)


def signposts(doc: Document, texts: Sequence[str] | None = None, asks: np.ndarray | None = None) -> np.ndarray:
    """Per sentence: does it speak of the text itself (``_SIGNPOST``), or ask instead of stating ("How do we
    make all this work?")? Such a sentence answers a question that names the work (``names_the_work``),
    not one about the paper's topic. ``texts``: the sentences' display texts, ``asks``: which ask (``_ASKS``),
    when already made."""
    texts = texts or _texts(doc)
    if asks is None:
        asks = np.array([_ASKS.match(text) is not None for text in texts], dtype=bool)
    return np.array([_SIGNPOST.match(text) is not None for text in texts], dtype=bool) | asks


def _texts(doc: Document) -> list[str]:
    return [display_text(s.text) for s in doc.sentences]


_ASKS = re.compile(  # a question: opens with a question word and ends with "?", perhaps "(See Section 3.)"
    r"^\W*(?:(?:but|and|so|then|yet|now|first|second|third|finally|next),?\s+)?(?:what|why|how|who|whom|whose|which|when|where|whether"
    r"|is|are|was|were|do|does|did|can|could|should|would|will|shall|may|might|must|have|has|had)\b.*\?[\"'”’)\]]*\s*"
    r"(?:\((?:see|cf\.)[^)]*\)\s*)?$", re.I | re.S)


# ... or one saying that a part is in a figure or table: "All the slogans are collected in Figure 1 near the beginning of
# the paper." (read only where "Figure", "Fig." or "Table" occurs)
_IN_FIGURE = re.compile(r"\b(?:is|are)\s+(?:\w+\s+)?(?:collected|listed|gathered|tabulated|summari[sz]ed)\s+in\s+(?:figure|fig\.|table)\s*\d",
                        re.I)


def roadmap(doc: Document, texts: Sequence[str] | None = None) -> np.ndarray:
    """Per sentence: is it a roadmap sentence (``_ROADMAP``, ``_IN_FIGURE``)? Such a sentence answers only a question
    about how the paper is laid out (``asks_layout``), and never a question about the paper as a whole."""
    return np.array([_ROADMAP.search(text) is not None or (("fig" in (low := text.lower()) or "table" in low)
                                                           and _IN_FIGURE.search(text) is not None)
                     for text in texts or _texts(doc)], dtype=bool)


def asks_layout(question: str) -> bool:
    """Does the question ask how the text is laid out ("How is the paper organised?", "What is in Section 3?")?"""
    return _ASKS_LAYOUT.search(question) is not None


# a question about how the work's own researchers did their study ("How did the researchers go about studying the
# failures?", "Which systems did they study?"): a related-work section tells how others did theirs
_OWN_STUDY = re.compile(
    r"\b(?:the|these|our) (?:researchers?|authors?|investigators?|team)\b|\bthey\b", re.I)
_STUDY_VERB = re.compile(
    r"\b(?:stud(?:y|ied|ying)|analy[sz](?:e|ed|ing)|collect(?:ed|ing)?|measur(?:e|ed|ing)|evaluat(?:e|ed|ing)|test(?:ed|ing)?"
    r"|examin(?:e|ed|ing)|conduct(?:ed|ing)?|gather(?:ed|ing)?|sampl(?:e|ed|ing)|select(?:ed|ing)?|investigat(?:e|ed|ing)"
    r"|survey(?:ed|ing)?|interview(?:ed|ing)?|go about|went about|obtain(?:ed|ing)?|choose|chose|pick(?:ed)?)\b", re.I)


def asks_own_study(question: str) -> bool:
    """Does the question ask how the work's researchers did their own study (``_OWN_STUDY`` and ``_STUDY_VERB``)?"""
    return bool(_OWN_STUDY.search(question) and _STUDY_VERB.search(question))


def others_sections(doc: Document) -> np.ndarray:
    """Per sentence: is it in a section about others' work ("Related Work", "Prior work", "Literature review")?"""
    others = {sec.id for sec in doc.sections if _OTHERS_WORK.search(sec.title)}
    return np.array([s.section in others for s in doc.sentences], dtype=bool)


_OTHERS_WORK = re.compile(r"\b(?:related|prior|previous|other) (?:work|research|studies|approaches)\b|\bliterature\b", re.I)


def names_the_work(question: str) -> bool:
    """Does the question speak of the text or its authors ("What does the analysis show ...?")?"""
    return _NAMES_WORK.search(question) is not None


# -- paper-level questions -----------------------------------------------------------------------

_WORK = r"(?:paper|study|article|report|research|analysis|work|essay|chapter|document|text|thesis|book|piece|publication|dissertation|manuscript|review|investigation)"
_REFERS_TO_WORK = re.compile(
    rf"\b(?:the|this|that|its|our|your|present|current|whole|entire)\s+(?:\w+\s+)?{_WORK}\b|\b{_WORK}(?:'s|’s)\b"
    r"|\b(?:authors?|writers?|researchers?)\b|\b(?:do|did|does|are|were|is) (?:they|it)\b|\bthey\b|\bit\b",
    re.I,
)
# Each aspect: the question shapes that ask about it, and whether the work must be named.
_AUTHORS_PAPER = re.compile(r"(?:'s|’s)\s+(?:[A-Z][\w-]*\s+)?(?:paper|article|study|report)\b")  # "Hoare's CSP paper", not "Goncharova's current thesis"
_NAMES_WORK = re.compile(rf"\b(?:the|this|that|its|our|present|current|whole|entire)\s+(?:\w+\s+)?{_WORK}\b"
                         rf"|\b{_WORK}(?:'s|’s)\b|\b(?:authors?|writers?|researchers?)\b", re.I)
_ASPECTS: tuple[tuple[str, re.Pattern, bool], ...] = tuple(
    (name, re.compile(pattern, re.I), needs_work)
    for name, pattern, needs_work in (
        ("authors", r"\bwho (?:wrote|authored|(?:is|are|was|were) the (?:authors?|writers?))\b|\bnames? of the (?:authors?|writers?)\b", False),
        ("title", r"\b(?:what|which) (?:is|was) (?:the |its )?(?:full |exact )?title\b|\btitle of (?:the|this|that) \w+\b"
         r"|\bwhat (?:does|do|did) (?:the )?(?:name |acronym |abbreviation )?[\w-]+ stand for\b"  # the work's name (any other one is a topic)
         r"|\bwhat (?:is|was) (?:the|this|that) (?:\w+ )?(?:paper|article|study|report|essay|book|chapter|document|manual) (?:called|titled|named)\b", False),
        ("published", r"\bwhen (?:was|is) (?:it|(?:this|that|the) (?:[\w-]+ ){0,2}[\w-]+) (?:first )?(?:published|written|released|issued|out|presented)\b"
         r"|\b(?:what|which) (?:is the )?(?:publication )?date\b|\bwhat year (?:was|did) (?:it|(?:this|that|the) (?:[\w-]+ ){0,4}[\w-]+) (?:published|written|released|appear)\b", True),
        ("publisher", r"\bwho (?:published|publishes|issued|released)\b|\bpublisher\b|\bpublished (?:by|in|where)\b"
         r"|\b(?:which|what) (?:\w+ ){1,2}(?:published|publishes|issued|released|put out)\b"  # "Which university published it?"
         r"|\bwhere (?:was|is|did) (?:it|(?:this|that|the) (?:[\w-]+ ){0,2}[\w-]+|this|that) (?:first )?(?:published|presented|appear(?:ed)?|printed|come out)\b"
         r"|\b(?:what|which) (?:publication )?series\b|\bvenue\b|\bwhat (?:kind|type|sort) of (?:publication|venue)\b"
         r"|\b(?:what|which) (?:\w+ )?(?:journal|conference|proceedings|symposium|workshop|magazine|periodical) (?:did|was|is|has)\b"
         r"|^\W*(?:at|in) (?:which|what) (?:journal|conference|venue|proceedings|symposium|workshop|magazine|periodical)\W*$", True),
        ("summary", r"\b(?:summar(?:y|i[sz]e|i[sz]ing)|overview|synopsis|gist|tl;?dr|recap|abstract of)\b", False),
        ("limitation", r"\b(?:limitations?|limits|shortcomings?|weakness(?:es)?|drawbacks? of (?:the|this|its) \w+)\b", False),  # not "caveat": a macaroon's is a term
        ("future", r"\b(?:future (?:work|research|studies|directions?|plans?)|next steps?|open (?:questions?|problems?|issues?)"
         r"|further (?:work|research)|what (?:remains|is left) to be done|(?:plan|intend)s? (?:to do )?next)\b", False),
        ("contribution", r"\b(?:contribut\w*|significance|novelty|what is new|gaps?|adds? to (?:the )?(?:literature|field|debate))\b", True),
        ("recommendation", r"\b(?:recommend\w*|policy implications?|implications|advi[cs]e|what should be done)\b", False),
        ("conclusion", r"\b(?:conclu\w+|findings?|results?|take-?aways?|bottom line|lessons?|outcomes?|verdict|overall (?:assessment|view|judge?ment))\b"
         r"|\bwhat (?:does|do|did) (?:the |this |its |their )?(?:\w+ )?(?:\w+ )?(?:show|find|reveal|demonstrate|establish|discover|prove)\b", False),
        ("evaluation", r"\b(?:evaluat\w*|experiments?|benchmarks?|measurements?|data ?sets?|test ?beds?)\b"
         r"|\bhow (?:was|were|did|do|does) .*\b(?:tested|evaluated|measured|test|evaluate|measure)\b", True),
        ("method", r"\b(?:method\w*|approach(?:es)?|theor(?:y|ies|etical)|framework|lens|perspective|paradigm|research design"
         r"|data|techniques?|built on|based on|grounded in|draws? on)\b|\bhow (?:was|were|did) .*\b(?:conducted|carried out|done|measured|collected)\b", True),
        ("scope", r"\b(?:period|time ?frame|time ?span|timespan|which years|what years|scope|cover(?:s|ed|age)?|span(?:s|ned)?)\b", True),
        ("argument", r"\b(?:argu\w*|thesis|hypothes[ie]s|claims?|contend\w*|contention|main (?:idea|point|message|proposal)|central (?:idea|point|message|proposal)"
         r"|(?<=what )(?:does|do|did) (?:the |this |its |their )?(?:[\w-]+ )?(?:propose|suggest)"
         r"|key (?:idea|point|message)|core (?:idea|point|message)|stance|standpoint|characteri[sz]\w*)\b", False),
        ("problem", r"\b(?:what|which) (?:(?:main|key|central|core|specific|research|practical|real|underlying|exact|actual) )?"
         r"(?:problems?|challenges?|difficult(?:y|ies))\b|\bproblem statement\b", True),
        ("aim", r"\b(?:purpose|aims?|objectives?|goals?|motivation|research questions?|(?:central|main|key|core|guiding|overarching) questions?|(?:questions?|problems?|issues?) (?:does|do|did) .* (?:address|ask|answer|explore|tackle|solve)"
         r"|trying to|set out to|seek(?:s|ing)? to|intend\w* to)\b", True),
        ("topic", r"\b(?:about|compar\w*|topics?|subjects?|focus(?:es|ed)? on|focus|themes?|deal(?:s)? with|discuss\w*|concern(?:s|ed)?|examin\w*|investigat\w*|explor\w*|look(?:s)? at)\b", True),
    )
)
_SUMMARY_MODIFIER = re.compile(r"\b(?:in (?:a|one) (?:nutshell|sentence|paragraph|few words)|in short|in brief|briefly)\b", re.I)
_GENERIC = frozenset(terms(
    "paper study article report research analysis work essay chapter document text thesis book piece publication "
    "analyse analyses analysed analysing analyze analyzes analyzed analyzing "  # "Which theory do the authors use to analyse ...?"
    "dissertation manuscript review investigation author authors writer writers researcher researchers main central key "
    "principal overall general whole entire core basic major primary argument arguments argue argues argued claim claims "
    "contend contention point points idea ideas message position stance standpoint conclude concludes concluded "
    "conclusion conclusions concluding finding findings result results takeaway takeaways bottom line lesson lessons "
    "outcome outcomes show shows showed shown find finds found reveal reveals demonstrate demonstrates establish discover "
    "prove recommend recommends recommendation recommendations implication implications policy advice advise method "
    "methods methodology methodological approach approaches theory theories theoretical framework frameworks lens "
    "perspective paradigm design data technique techniques use used uses using employ employs apply applies applied "
    "adopt adopts based build built grounded draw draws rely relies guide guides guided underlie underlies underpin "
    "period periods time frame timeframe span spans spanned scope cover covers covered coverage year years examine "
    "examines examined investigate investigates explore explores address addresses look looks focus focuses deal deals "
    "discuss discusses discussed summary summarize summarise summarizing overview synopsis gist recap nutshell brief "
    "briefly short sentence sentences words word tell explain describe give please purpose purposes aim aims objective "
    "objectives goal goals motivation question questions problem problems issue issues solve solves tackle tackles ask asks trying try tries set seek seeks want wants understand answer "
    "topic topics subject subjects theme themes about concern concerns concerned take takes taken make makes mean means "
    "really actually exactly overall written write wrote country countries state states nation nations compare compares "
    "compared comparison comparing both hypothesis hypotheses limitation limitations limit limits shortcoming shortcomings weakness "
    "weaknesses caveat caveats challenge challenges difficulty difficulties title titled called named full exact suggest suggests suggested propose proposes proposed future next step steps open further plan plans planned remain remains left done direction directions contribution contributions contribute contributes significance novelty new gap gaps fill fills literature field region regions verdict assessment judgement judgment final characterise characterize  one two few present current me us out up so also just like know need get can could would will shall may might you your we our my there here some any "
    "publish published publishes publisher publishers issued released series publication date dated part conduct conducted university universities institution institutions institute press journal school programme program "
    "venue conference proceedings symposium workshop magazine periodical presented appear appeared printed kind type sort first "
    "introduce introduces introduced introducing proposal proposals acronym abbreviation stand stands propose suggest "
    "evaluate evaluates evaluated evaluation evaluations experiment experiments experimental benchmark benchmarks measure measures measured "
    "measurement measurements dataset datasets test tests tested testbed run ran"
))
MAX_TOPIC_TERMS = 0  # a paper-level question names no topic beyond its aspect and the document's title


@dataclass(frozen=True)
class Aspect:
    """How one aspect of a paper is found: the parts that state it and the phrases that mark it."""

    zones: dict  # zone -> prior weight: how likely that part of a paper states this aspect
    cue: re.Pattern  # a sentence stating the aspect ("this paper examines", "we conclude")
    needs_cue_outside: frozenset = frozenset()  # zones whose sentences count only with the cue
    first_bonus: tuple = (0.2, 0.1)  # for the first, second, ... sentence of a part: they often state its point
    weak_cue: re.Pattern | None = None  # a sentence that states it less directly (half the cue's weight)
    own_zones: frozenset = frozenset()  # zones whose sentences count only when they speak of the work itself ...
    own_cue: re.Pattern | None = None  # ... and state the aspect in these words (the cue when None)
    heading: re.Pattern | None = None  # a section whose title names the aspect ("Future developments"): its sentences state it
    announced: bool = True  # may a sentence that only announces items state it ("there are two problems with ...")?
    own_work: bool = False  # stated of the work only: never by a sentence about other work (``_about_others``), its weak cue only
    # where the sentence speaks of the work (``speaks_of_work``)
    not_others: bool = False  # ... never by one about other work, though a sentence about the work may cite what it builds on
    not_cue: re.Pattern | None = None  # a sentence the cue finds that states someone else's (``_REMOVES_LIMITS``)
    detail: re.Pattern | None = None  # a sentence giving the aspect's particulars (an evaluation's data, machines, sizes) ...
    # ... outranks a section's opener that only announces it ("In this section we present a thorough evaluation ...")
    asked: bool = True  # may a question state it (a problem: "How can we ...?"; a title)? Not a conclusion: "So, what is the way out?"


_THESIS = (
    rf"\b(?:this|the present|the current|our|the following|the) (?:\w+ )?{_WORK}\b.{{0,60}}?\b(?:argu|examin|aim|seek|explor|investigat"
    r"|analy[sz]|focus|address|show|demonstrat|report|propos|consider|describ|present|assess|evaluat|compar|discuss|stud|review|provid"
    r"|develop|offer|contribut|attempt|tr(?:y|ies)|set(?:s)? out|ask|question)\w*"
    r"|\bwe (?:argue|contend|propose|show|examine|investigate|explore|suggest|analy[sz]e|study|assess|compare|present|report|find|aim|seek)\b"
    r"|\bhere,? we \w+|\bwe provide (?:\w+ )?evidence\b"
    r"|\b(?:aim|purpose|objective|goal|focus) of (?:this|the present|the current|our) \w+|\b(?:this|the) \w+ (?:aimed|was designed|sought) to"
)
# ... or says what it makes: "We have built Percolator, a system for ...", "We develop a calculus for ...", "This paper introduces
# Solaris Zones, ..." (not "the applications we built"): its argument and proposal, not where the problem it takes on ends
# (``_before_thesis``: "In this paper, we introduce novel document representation (graph-of-word) ..." comes before it)
_MAKES = (
    rf"\b(?:this|the present|the current|our|the following|the) (?:\w+ )?{_WORK}\b.{{0,60}}?\bintroduc(?:es|ed|ing)\b"
    r"|\bwe (?:introduce|develop|(?:have )?(?:built|developed|designed)(?:,? (?:and )?(?:\w+ly )?(?:implemented|built|deployed|evaluated))*)"
    r"\s+(?:an?\b|the\b|our\b|new\b|novel\b|(?:\w+\s+)?(?:techniques|methods|tools|algorithms|models|protocols|systems)\b|(?-i:[A-Z]))"
)
_CONCLUDES = (
    r"\b(?:in conclusion|to conclude|to sum up|in sum|in summary|overall|taken together|all in all|on the whole|we conclude"
    r"|we have (?:described|presented|introduced|proposed|shown|demonstrated)|(?:this|the present|our) (?:paper|article|work|report|study)"
    r" (?:has )?(?:described|presented|introduced|proposed)"  # a conclusion's summary of the work: "We have described Bigtable, ..."
    r"|it (?:can|may) be concluded|conclusions?(?=\s*:)|(?:this|our|the) (?:\w+ )?(?:analysis|study|paper|research) (?:\w+ )?"
    r"(?:shows?|showed|suggests?|suggested|indicates?|indicated|demonstrates?|demonstrated|reveals?|revealed|confirms?|finds?|found))\b"
)
# what a conclusion says its work showed or proved (its weak cue, with ``_FINDS``): "Our simulations show that P5 can scale to large
# groups", "The implementation reveals a striking similarity ...", "TAO's restricted data and consistency model has proven to be usable"
_BORNE_OUT = (
    r"\b(?:(?:this|our|the) (?:\w+ )?(?:simulations?|experiments?|implementation|evaluation|measurements?) (?:\w+ )?"
    r"(?:shows?|showed|suggests?|suggested|indicates?|indicated|demonstrates?|demonstrated|reveals?|revealed|confirms?)"
    r"|(?:has|have) (?:\w+ )?proven (?:to be|itself|themselves))\b"
)
_RESTATES = re.compile(  # a conclusion's opening that restates the work rather than what it found
    r"\b(?:we have (?:described|presented|introduced|proposed)|(?:this|the present|our) (?:paper|article|work|report|study)"
    r" (?:has )?(?:described|presented|introduced|proposed))\b", re.I)
_RESULTS = (  # what the authors found, in so many words (no hedges: "generally", "in short")
    r"\b(?<!if )(?<!whether )we (?:\w+ly )?(?:have )?(?:find|found|show|showed|shown|observed?)\b|\b(?:results?|findings?|evidence|data) (?:\w+ )?(?:shows?|showed|suggests?"
    r"|suggested|indicates?|indicated|demonstrates?|demonstrated|reveals?|revealed|confirms?|confirmed)\b|\b(?:results?|findings?)(?=\s*:)"
)
# A conclusion's findings, hedged and passive ones too ("generally", "in short", "was associated with"): the conclusion's weak
# cue, which the gold answers were measured with; "What are the main findings?" asks the stricter ``_RESULTS``.
_FINDS = (
    r"\b(?:(?<!if )(?<!whether )we (?:find|found|show|showed|observed)|(?:results?|findings?)(?=\s*:)|generally|in short|(?:this|these|our|the) (?:\w+ )?"
    r"(?:results?|findings?|evidence|survey|data) (?:\w+ )?(?:shows?|showed|suggests?|suggested|indicates?|indicated|demonstrates?"
    r"|demonstrated|reveals?|revealed|confirms?|highlights?|underscores?|supports?|points? to)|(?:was|were|is|are|has been|have been) (?:significantly )?"
    r"(?:reduced|increased|declined|associated|higher|lower))\b"
)
_SHOWN = (  # "We have shown that ...", "Our experiments demonstrate ..."
    r"\bwe have (?:shown|demonstrated|found|observed|learned)\b|\b(?:experiments?|evaluation|measurements?|results?|study|analysis|simulations?"
    r"|implementation|prototype)"
    r" (?:\w+ ){0,2}?(?:show(?:s|ed)?|demonstrated?s?|confirm(?:s|ed)?|reveal(?:s|ed)?|indicated?s?|suggest(?:s|ed)?)\b"
)
_MEASURED = (  # a sentence giving a measured result: "outperforms", "30 times faster", "from 99.99% to 0.15%", "speed-ups between 10 to 100"
    r"\b(?:outperform\w*|(?:\d+(?:\.\d+)?|two|three|four|five|ten|several|many|orders? of magnitude) ?(?:times|x|×|fold)? ?(?:faster|slower|better"
    r"|fewer|lower|higher|smaller|larger|less|more)(?= than| at| on| in|,|\.)|speed-?ups?|(?:improv|reduc|increas|decreas|lower|rais|cut|sav)\w*"
    r" (?:\w+ ){0,9}?(?:by|from|to) (?:about |up to |over |nearly |almost |roughly )?\d[\d.,]*|\d[\d.,]*\s?%)"
)
_EVALUATES = (  # a sentence saying how the work was evaluated
    r"\bwe (?:evaluat|measur|test|benchmark|experiment|ran|run|conduct|perform|collect|stud(?:y|ied)|analy[sz]ed|compar)\w*"
    r"|\b(?:experiments?|evaluation|measurements?|benchmarks?|simulations?) (?:on|with|using|of|in|were|was)\b|\bdata ?sets?\b|\btest ?beds?\b"
)
_EVALUATION_DETAIL = (  # a sentence naming what an evaluation ran on: its data, machines, workloads, sizes
    r"\b\d[\d,.]*\s?(?:-\s?)?(?:nodes?|machines?|servers?|cores?|processors?|cpus?|gpus?|threads?|clients?|hosts?|disks?|vms?|[GMT]B|GHz|MHz"
    r"|[GM]bit/?s?|[GM]bps|queries|documents|users|participants|subjects|traces?|workloads?|benchmarks?|runs|trials|games|positions|programs"
    r"|files|pages|requests|hours|days)\b|\b(?:data ?sets?|corp(?:us|ora)|test collections?|traces|test ?beds?|micro-?benchmarks?"
    r"|benchmark suites?|EC2|PlanetLab|TREC|questionnaires?|survey of)\b|\b(?:consist(?:s|ed|ing)? of|drawn from|collected from"
    r"|taken from|(?:is|are|was|were) (?:run|conducted|performed|carried out) on"
    r"|(?:set up|deployed|built|ran|run) (?:a |an |the |our )?(?:\w+ ){0,2}(?:cluster|test ?bed|network|prototype|testing environment))\b"
)
_USES = (  # a sentence saying what the work itself uses
    rf"\b(?:based on|draw(?:s|ing)? on|grounded in|in (?:the|a) framework of|methods?(?=\s*:)|methodology"
    rf"|(?:this|the present|the current|our) (?:\w+ )?{_WORK} (?:\w+ )?(?:uses?|used|appl(?:y|ies|ied)|employ(?:s|ed)?|adopt(?:s|ed)?|rel(?:y|ies|ied) on)"
    r"|we (?:use|used|apply|applied|employ|employed|adopt|adopted|rely on|relied on|take advantage of|exploit|build on)"
    r"|data (?:were|was|are|is) (?:collected|drawn|obtained)|(?:was|were) (?:conducted|collected|measured|analy[sz]ed|recruited)"
    # how a system or design works: "Warp's design combines ...", "The key idea is ...", "is done by setting up a model"
    r"|(?:our|\w+(?:'s|’s)) (?:\w+ )?(?:approach|design|technique|solution|method) (?:combines|consists|uses|relies|is to|works)"
    r"|(?:the|our) (?:key|main|central|core|basic) (?:idea|insight|technique|mechanism)|(?:is|was|are|were) (?:done|achieved|accomplished) by"
    # what the work's own method is: "Chain replication is a new approach to coordinating clusters of ... servers"
    r"|(?:is|are) an? (?:new |novel |simple |general |practical )?(?:approach|method|methodology|technique|algorithm|protocol|framework|mechanism) (?:to|for)"
    # the method the work sets out: "We describe a methodology for building ... based on a unique blend of ...", "In this paper,
    # we develop linear programming formulations and a fast combinatorial algorithm for routing ..."
    r"|we (?:describe|present|develop|introduce|propose|give|design|formulate|devise) (?:an? |the |our )?(?:[\w-]+ ){0,3}?"
    r"(?:methods?|methodology|algorithms?|techniques?|approach|formulations?|procedures?|semantics|calculus)"
    r")\b"
)
# a sentence the method's cue finds that states how it was evaluated: "For our evaluations, we use actual Internet Service Provider topologies"
_EVALUATION_ONLY = r"\bfor (?:our|the|these|its) (?:\w+ )?(?:evaluations?|experiments?|benchmarks?|measurements?|simulations?)\b"
_METHOD_WORDS = (  # a sentence about a theory or method, not necessarily the work's own
    r"\b(?:framework|theor(?:y|ies|etical)|approach|paradigm|survey|interview\w*|sampl\w*|regression|case stud\w*|qualitative"
    r"|quantitative|(?:was|were) (?:used|employed))\b"
)
_SCOPE = (
    r"\b(?:1[5-9]|20)\d\d\s*[-–—/]\s*(?:(?:1[5-9]|20)\d\d|\d\d)\b|\bbetween (?:1[5-9]|20)\d\d and (?:1[5-9]|20)\d\d\b"
    r"|\bfrom (?:1[5-9]|20)\d\d (?:to|until|through) (?:1[5-9]|20)\d\d\b|\b(?:period|decade|century|(?:since|in|during) (?:1[5-9]|20)\d\d)\b"
)
_AUTHORS = (
    r"^\s*(?:[Aa]uthors?|AUTHORS?|[Bb]y|BY)\s*:|^(?:by\s+)?[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+)+(?:,? (?:and|&) |, )[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+)+"
    r"|^[A-Z][\w'’-]+(?: [A-Z][\w.'’-]+)+ (?:is|was) (?:a|an|the)\b"
)
_LIMIT_NOUNS = r"(?:limitations?|shortcomings?|drawbacks?|downsides?|disadvantages?|weakness(?:es)?)"
_LIMITS = (  # a sentence stating what the work could not do (not what it leaves for later: "Future work might involve ...")
    r"\b(?:limitations?|shortcomings?|caveats?|(?<!reasons )beyond the scope(?! that)"
    # "limited" said of the work ("The study is limited to the leases that survive"), not of what it measures or
    # cites ("The compression errors under SZ are always strictly limited in the user-specified error bound")
    rf"|(?:(?:the|this|the present|the current|our) (?:\w+ )?(?:{_WORK}|treatment|data|dataset|sample|survey|evaluation)"
    r"|(?:our|the present|the proposed) (?:\w+ )?(?:implementation|system|approach|prototype|model|method|design|tool|framework))"
    r"\b[^.;]{0,30}?\b(?:is|are|was|were|remains?) (?:\w+ )?limited (?:by|to|in)"  # "our current implementation is limited in scope"
    r"|(?:could|can|did|does) not (?:be )?(?:address|cover|include|examine|establish|determine|capture|generali[sz]e)\w*)\b"
)
# ... or what it does not do, said of the work itself (``_OWN_WORK`` or its name): "Herbivore does not protect transactions
# that are significantly longer than clique lifetimes", "our queue is not wait-free on Power7"; half a cue's weight
_FALLS_SHORT = (
    r"\b(?:(?:does|do|did|can|could|will)(?:n['’]t| not)|cannot)\s+(?:yet |currently |\w+ly )?"
    r"(?:protect|support|handle|address|scale|guarantee|tolerate|prevent|detect|cover|consider|model|capture|apply|provide"
    r"|offer|solve|eliminate|deal with|account for|extend to|generali[sz]e)\w*"
    r"|\b(?:is|are|was|were)(?:n['’]t| not) (?:yet |currently |\w+ly )?(?:wait-free|lock-free|suitable|safe|secure|robust|complete|optimal|sound|scalable)\b"
    r"|\b(?:drawbacks?|downsides?|disadvantages?|weakness(?:es)?)\b"
    r"|\b(?:susceptible|vulnerable) to\b|\bat the (?:cost|expense) of\b|\bunfortunately\b|\bcomes? at a (?:\w+ )?(?:cost|price)\b"
)
# a limitation the work removes, or someone else's: "This design addresses limitations in the original design",
# "allowing it to avoid some of the fundamental shortcomings of a lookaside cache", "To overcome this limitation one could ..."
_REMOVES_LIMITS = (
    r"\b(?:overcome|overcomes|overcoming|address|addresses|addressing|avoid|avoids|avoiding|remov\w+|eliminat\w+|solv\w+|circumvent\w*"
    rf"|alleviat\w+|mitigat\w+|lift|lifts|fix|fixes|fixing|without)\s+(?:\w+\s+){{0,4}}{_LIMIT_NOUNS}\b"
    r"|\b(?:limitations?|shortcomings?|drawbacks?)\b[^.;]{0,40}\b(?:are|is|were|was) (?:avoided|overcome|removed"
    r"|eliminated|addressed|solved|lifted)\b"
    r"|\bdetails?\b[^.;]{0,30}\bbeyond the scope\b"  # ... or leaves out only details: "The details are beyond the scope of this paper."
)
# a sentence about other work: it cites ("[6]", "[11, 23]", "Smith et al.") or lies in a section on related work
_FIRST_PERSON = re.compile(r"\b(?:[Ww]e|[Oo]ur|[Uu]s)\b")
_CITES = re.compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]|\bet al\b|\((?:[A-Z][\w'’-]+(?:,? (?:and|&) [A-Z][\w'’-]+)?,? (?:1[89]|20)\d\d[a-z]?;? ?)+\)")
_OTHERS_SECTION = re.compile(r"\b(?:related|prior|previous|other) (?:work|research|approaches|systems)\b|\bbackground\b|\bliterature\b"
                             r"|\bstate of the art\b", re.I)
# a sentence naming a limitation stated just before it: "This is a fundamental limitation of any scheme ...", "Despite these limitations, ..."
_POINTS_BACK = re.compile(r"^(?:(?:despite|given|with|because of|due to) (?:these|this|those|such) (?:\w+ )?(?:limitations?|shortcomings?|drawbacks?|weakness(?:es)?)"
                          r"|(?:this|that|these|those|such) (?:is|are|was|were|remains?|poses?|presents?) (?:an? |the |one )?(?:\w+ ){0,2}"
                          r"(?:limitations?|shortcomings?|drawbacks?|weakness(?:es)?|problems?|caveats?)\b)", re.I)
_LIMITS_NAMED = rf"\b(?:{_LIMIT_NOUNS}|(?<!reasons )beyond the scope(?! that))\b"  # not "limited by our imagination", "third-party caveats"
_FUTURE = (  # a sentence stating what the work leaves for later
    r"\b(?:future (?:work|research|studies|directions?|versions?|releases?)|in the future|(?:further|more|additional) (?:work|research|studies|investigation)"
    r"|(?<!than )we (?:plan|intend|hope|would like|are (?:currently |now )?(?:working|planning)|will (?:also |next )?(?:explore|investigate|study|extend|focus|look|examine|address|add|implement))"
    r"|(?:next|natural) steps? (?:is|are|was|would|will|include|includes|involves?|for|in)|remains? (?:to be|an open|open)|open (?:questions?|problems?|issues?)|left (?:for|to) (?:future|further|later)"
    r"|(?:should|could|might|will) be (?:explored|investigated|studied|extended|addressed) (?:in|by) (?:future|further|later))\b"
)
# In a part of the paper that states no such aspect (the body), a limitation or a plan counts only when it is the
# work's own: "we", "our", "this system" ("To overcome this limitation ..." of a cited design is not).
_OWN_WORK = re.compile(
    r"\b(?:[Ww]e|[Oo]ur|[Uu]s|I|[Mm]y)\b|\b(?i:(?:this|the present|the current|the proposed) (?:\w+ )?(?:paper|work|study|article|report|approach|system"
    r"|model|design|method|implementation|analysis|library|tool|protocol|framework|technique|research|treatment))\b"
)


def speaks_of_work(text: str, lay: Layout) -> bool:
    """Does a sentence speak of the work itself: "we", "our", "this system" (``_OWN_WORK``) or the work's name?"""
    return bool(_OWN_WORK.search(text)) or bool(lay.work_terms and lay.work_terms & set(terms(text)))


_CONTRIBUTES = (  # a sentence stating what the work adds
    r"^it (?:\w+ )?contribut\w*|\b(?:(?:we|(?:this|the present|the current|our) (?:\w+ )?(?:paper|study|work|article|report|research|analysis|thesis|chapter)(?:'s|’s)?)"
    r" (?:\w+ )?contribut\w*|(?:our|(?:the |its )?(?:main|key|primary|principal|major|central|chief)) contributions?"
    r"|contributions? (?:of|in|to) (?:this|the present|our|the current) \w+|(?:present|propose|introduce|give|describe)s? the first"
    r"|fills? (?:a|the|this) gap|gap in (?:the )?(?:literature|research|knowledge)|novel|for the first time"
    r"|(?:first|only) (?:study|paper|attempt|analysis)|adds? to (?:the )?(?:literature|debate|understanding|knowledge)|significan\w+ of (?:this|the|our))\b"
)
_PROBLEM = (  # a sentence saying what is hard, costly or missing; not one pointing at a problem named elsewhere
    # ("There is a second problem, however, that is more subtle"), nor a compound ("larger problem instances")
    r"^(?!.*\b(?:this|that|such|a second|another|the same) (?:\w+ )?(?:problem|challenge|difficult)).*?"
    r"\b(?:challeng\w*|difficult|difficulties|hard to|problems?(?![-‑]|\s+(?:instances?|sizes?|cases?|sets?|domains?|spaces?"
    r"|class(?:es)?|solving|statements?))|costly|expensive|bottlenecks?|suffers?|suffering|poorly|lacks?|lacking"
    r"|inefficien\w*|unable to|cannot|can't|fails? to|drawbacks?|obstacles?|(?:remains?|is|are) (?:an? )?(?:open|unsolved|unclear)"
    r"|little is known|not (?:yet )?(?:well )?understood|however)\b"
)
_RECOMMENDS = r"\b(?:should|must|ought to|needs? to|recommend\w*|it is (?:necessary|important|advisable|essential)|is required|requires)\b"

_PUBLISHES = (  # a line naming who publishes the work: a series (not a time series, nor "a series of"), a press, a journal, an institution's papers
    r"\b(?:publication series|working papers?|(?:paper|report) series|(?<!time )(?<!power )(?<!fourier )(?<!taylor )series(?! of\b)"
    r"|press|published|publishers?|publishing (?:house|company"
    r"|group|office)|journal|proceedings|proc\.|technical report|(?:conference|symposium|workshop) on"  # not "free of quality control or publishing costs"
    rf"|{_CONFERENCE_YEAR}\b"  # "SOSP’03, October 19–22, 2003, Bolton Landing"
    r"|(?:number|no\.|vol\.|volume|issue) \d+|to appear in|appeared in|submitted to)\b"
)

_DATED = (  # a front-matter line dating the work: a month and year, or a year
    rf"\b(?:{MONTH_NAMES}|{SEASON_NAMES}|fall) (?:\d{{1,2}}(?:st|nd|rd|th)?(?:\s?[–-]\s?\d{{1,2}})?,? )?{YEAR_DIGITS}\b"  # "July 7th, 2013", "October 4–7, 2015"
    rf"|\b{_JOURNAL_PAGES}\b"  # "PVLDB, 14(3): 268 - 280, 2021."
    rf"|(?:\b(?:published|received|accepted|dated?|issued|copyright)\b|©).{{0,40}}\b{YEAR_DIGITS}\b"
    # a conference and its year: "(USENIX ATC ’13)", "SOSP’03", "2013 USENIX Annual Technical Conference"
    rf"|\b{_CONFERENCE_YEAR}(?!\w)|\b{YEAR_DIGITS} (?:[A-Z][\w/&-]* ){{1,5}}(?:Conference|Symposium|Workshop)\b"
    rf"|{_CONFERENCE_IN_BRACKETS}"
    rf"|\b(?:to appear in|appeared in|submitted to|published in)\b.{{0,60}}\b{YEAR_DIGITS}\b"  # "To appear in OSDI 2006"
)

_AIM = re.compile(_THESIS, re.I)  # where the problem ends (``_before_thesis``, ``_problem``)
_STATES_WORK = re.compile(f"{_THESIS}|{_MAKES}", re.I)  # what the work argues, does or makes: its thesis
OPENING = {"abstract": 1.0, "introduction": 0.8, "lead": 0.8}
ASPECTS: dict[str, Aspect] = {
    "topic": Aspect({**OPENING, "title": 0.5, "method": 0.3}, _STATES_WORK, frozenset({"method"}), (0.5, 0.2)),
    "opening": Aspect({**OPENING, "method": 0.3}, _STATES_WORK, frozenset({"method"}), (0.5, 0.2)),
    "aim": Aspect({**OPENING, "method": 0.6}, _STATES_WORK, frozenset({"method", "lead"})),
    "argument": Aspect({**OPENING, "method": 0.5, "conclusion": 0.7}, _STATES_WORK, frozenset({"method", "lead"}),
                       weak_cue=re.compile(f"{_CONCLUDES}|{_FINDS}", re.I)),
    # the abstract's weight is low enough that its best-scored sentence, saying nothing of conclusions, does not outweigh
    # a Conclusion's opener (Kelips, Freenet); one that says "we show" still does
    "conclusion": Aspect({"conclusion": 1.0, "abstract": 0.4}, re.compile(_CONCLUDES, re.I), weak_cue=re.compile(f"{_FINDS}|{_BORNE_OUT}", re.I)),
    # what a work found, asked as such ("What are the main findings?"): a conclusion's or an abstract's sentence stating a finding
    # or a measured result; without one, the conclusion (``select``)
    "findings": Aspect({"conclusion": 1.0, "abstract": 0.7}, re.compile(rf"{_RESULTS}|{_SHOWN}|{_MEASURED}", re.I),
                       frozenset({"conclusion", "abstract"}), own_work=True,
                       not_cue=re.compile(r"\bwe (?:will |also |then )?show (?:how|what|which|why)\b", re.I)),  # a method: "we show how to apply PageRank"
    "recommendation": Aspect({"conclusion": 1.0, "abstract": 0.6}, re.compile(_RECOMMENDS, re.I), frozenset({"abstract"})),
    "method": Aspect({"method": 1.0, "abstract": 0.7, "introduction": 0.5, "lead": 0.3}, re.compile(_USES, re.I),
                     frozenset({"introduction", "lead"}), (0.0,),  # a method is stated anywhere in its section
                     weak_cue=re.compile(_METHOD_WORDS, re.I), not_others=True, not_cue=re.compile(_EVALUATION_ONLY, re.I)),
    # how the work was evaluated: the opening of its "Evaluation" (or "6. MEASUREMENTS") section; without one, not paper-level
    "evaluation": Aspect({"method": 0.8, "abstract": 0.5, "introduction": 0.3, "conclusion": 0.3, "body": 0.2}, re.compile(_EVALUATES, re.I),
                         frozenset({"abstract", "introduction", "conclusion", "body"}), (0.3, 0.15), own_zones=frozenset({"body"}),
                         heading=re.compile(r"^[\dIVX.\s]*(?:(?:performance|experimental|empirical|simulation|system)\s+)?(?:evaluation|experiments?"
                                            r"|measurements?|results|benchmarks?|setup|setting|performance(?: evaluation| analysis)?)\.?$", re.I),
                         detail=re.compile(_EVALUATION_DETAIL)),
    "authors": Aspect({"front": 1.0, "about_authors": 0.8, "title": 0.0}, re.compile(_AUTHORS),
                      frozenset({"front", "about_authors", "title"})),
    # the cue is not read: a sentence states the title when it holds the document's title (``_best``)
    "title": Aspect({"title": 1.0, "front": 0.6}, re.compile(r"\w"), frozenset({"front"}), (0.5,)),
    "published": Aspect({"front": 1.0, "title": 0.8, "disclaimer": 0.6}, re.compile(_DATED, re.I),
                        frozenset({"front", "title", "disclaimer"})),
    "publisher": Aspect({"front": 1.0, "title": 0.8, "disclaimer": 0.6}, re.compile(_PUBLISHES, re.I),
                        frozenset({"front", "title", "disclaimer"})),
    "limitation": Aspect({"conclusion": 1.0, "method": 0.8, "abstract": 0.6, "introduction": 0.5, "body": 0.4}, re.compile(_LIMITS, re.I),
                         frozenset({"conclusion", "method", "abstract", "introduction", "body"}), (0.0,), own_zones=frozenset({"body"}),
                         own_cue=re.compile(_LIMITS_NAMED, re.I), heading=re.compile(r"\blimitations?\b|\bthreats to validity\b", re.I),
                         weak_cue=re.compile(_FALLS_SHORT, re.I), own_work=True, not_cue=re.compile(_REMOVES_LIMITS, re.I)),
    "future": Aspect({"conclusion": 1.0, "body": 0.6, "abstract": 0.4, "introduction": 0.3}, re.compile(_FUTURE, re.I),
                     frozenset({"conclusion", "body", "abstract", "introduction"}), (0.0,), own_zones=frozenset({"body", "introduction"}),
                     heading=re.compile(r"\bfuture (?:work|research|developments?|directions?|plans?)\b|\bopen (?:problems|questions|issues)\b"
                                        r"|\bnext steps\b|^[\d.\s]*(?:the )?futures?$", re.I)),  # Okapi's "8.3 Futures"
    "contribution": Aspect({**OPENING, "conclusion": 0.7}, re.compile(_CONTRIBUTES, re.I), frozenset({"conclusion"}), (0.3, 0.1),
                           weak_cue=_STATES_WORK),
    # the problem a work takes on: the abstract's or introduction's sentences that say what is hard or missing,
    # mostly before the one presenting the work ("Implementing ACID transactions has been a longstanding challenge")
    "problem": Aspect(dict(OPENING), re.compile(_PROBLEM, re.I), frozenset(OPENING), (0.3, 0.2, 0.1), announced=False),
    "scope": Aspect({"title": 1.0, **OPENING, "method": 0.5}, re.compile(_SCOPE, re.I), frozenset({"title", *OPENING, "method"})),
}
# what a work claims, found, did or leaves: a question in its text (``_ASKS``: "So, what is the way out of the tar pit?") states
# none of it; a statement ending on one does ("In summary, ... is but the first step on a long road— who knows where it will end?")
STATED_NOT_ASKED = ("argument", "conclusion", "findings", "recommendation", "method", "evaluation", "limitation", "future", "contribution")
ASPECTS = {name: replace(aspect, asked=False) if name in STATED_NOT_ASKED else aspect for name, aspect in ASPECTS.items()}
SETS_OUT = replace(ASPECTS["aim"], cue=_AIM)  # what a work sets out to do, standing in for the problem it takes on (``_problem``)
PUBLISHER_KINDS = frozenset(terms("university institution institute press journal school programme program"))
CUE_WEIGHT = 1.0  # a sentence that states the aspect outweighs one merely in the right part
DETAIL_WEIGHT = 0.5  # a sentence giving the particulars (``Aspect.detail``) over a part's first sentence (position 0.3)
DETAIL_REACH = 12
HEADED_BONUS = 0.5  # a "Limitations" or "Future Work" section's sentences over a conclusion's that mention either
RETRIEVAL_WEIGHT = 0.5  # the question's own dense/BM25 score, min-max scaled over the candidates


# Aspects a paper may not state at all: asked and stated nowhere, the question is abstained on rather than
# answered with whatever sentence says "limits" or "future", or a body sentence that says "published"
# (engine.Ranked.unstated).
STATED_ONLY = ("limitation", "future", "title", "published", "publisher")
SUMMARISED_PARTS = ("limitation", "future", "contribution", "recommendation", "conclusion", "method", "argument")  # "a summary of the X"
ABOUT_THE_WORK = ("published", "publisher")  # aspects a bare question can only ask of the work itself
# ... and these when it names nothing, not even the title's words: "What methodology is used?", "What
# period is covered?", "What is the main contribution?" ("What approach do Iran and Russia take?" asks about
# the two states, "What is the incubation period?" about incubation, whatever the title).
ABOUT_THE_WORK_UNNAMED = ("method", "evaluation", "scope", "contribution", "problem")


# words a reader adds for emphasis that ask nothing of their own: "What exactly does this paper prove?"
_FILLER = re.compile(r"\b(?:exactly|actually|really|basically|precisely|essentially|in (?:short|a nutshell|brief))\b,?", re.I)


def aspect_of(question: str, lay: Layout) -> str | None:
    """The aspect of the whole paper a question asks about, or None for any other question."""
    question = " ".join(_FILLER.sub(" ", question).split())
    found = None
    names = {n.lower() for n in _NAME.findall(question[1:])}
    by_author = bool(names and all(set(terms(n)) <= _author_terms(lay) for n in names) and _AUTHORS_PAPER.search(question))
    names_work = _REFERS_TO_WORK.search(question) is not None or by_author  # "Hoare's CSP paper": the work, by its author
    titled = bool(names) and all(set(terms(n)) <= lay.title_terms for n in names)
    if not names_work and names and not (len(names) >= 2 and titled):
        # "What is Russia's stance?" asks about Russia; "... about Iran and Russia?" names the title's subjects;
        # "Who wrote ScatterAlloc?" names the work by its title's name
        return next((name for name, pattern, _ in _ASPECTS if name in OF_THE_WORK and pattern.search(question)), None) if titled else None
    topic = [t for t in topic_terms(question, lay) if not (by_author and t in _author_terms(lay))]  # none: "Who is the
    # publisher?" holds nothing but the aspect's words
    own_words = [t for t in terms(question) if t not in _GENERIC]  # the title's words too ("incubation period")
    for name, pattern, needs_work in _ASPECTS:
        bare = not topic and (name in ABOUT_THE_WORK or (name in ABOUT_THE_WORK_UNNAMED and not names and not own_words))
        if pattern.search(question) and (not needs_work or names_work or bare):
            found = name
            break
    if found == "summary":  # "Summarize the conclusion.": the part named is what to summarise
        found = next((name for name, pattern, _ in _ASPECTS if name in SUMMARISED_PARTS and pattern.search(question)), found)
    if found is None and _SUMMARY_MODIFIER.search(question) and names_work:
        found = "summary"
    if found is None:
        return None
    return found if len(topic) <= MAX_TOPIC_TERMS else None


def topic_terms(question: str, lay: Layout) -> list[str]:
    """The question's terms beyond its aspect words and the document's title: what it is about."""
    return [t for t in terms(question) if t not in _GENERIC and t not in lay.title_terms]


@lru_cache(maxsize=64)
def _name_terms(words: frozenset[str]) -> frozenset[str]:
    return frozenset(terms(" ".join(sorted(words))))


def _author_terms(lay: Layout) -> frozenset[str]:
    return _name_terms(lay.author_names)


TOPICAL = ("conclusion", "argument", "recommendation")  # aspects the authors state about a topic, too
MAX_TOPICAL_TERMS = 3
TOPICAL_SHARE = 0.55  # ... answered from the part stating that aspect only when that sentence scores this share of the best


def topical_aspect(question: str, lay: Layout) -> str | None:
    """For "What do the authors conclude about the relationship?": the aspect (conclusion, argument,
    recommendation) asked of the work about a topic of its own (a few terms), the work or its authors
    named; None for any other question."""
    if aspect_of(question, lay) is not None or _REFERS_TO_WORK.search(question) is None:
        return None
    for name, pattern, _ in _ASPECTS:
        if pattern.search(question):
            topic = topic_terms(question, lay)
            return name if name in TOPICAL and 0 < len(topic) <= MAX_TOPICAL_TERMS else None
    return None


@dataclass(frozen=True)
class PaperSelection:
    """Sentences answering a paper-level question, in reading order, and how they were found."""

    sentence_ids: tuple[int, ...]
    aspect: str
    cued: bool  # the leading sentence states the aspect in words ("this paper examines ...")
    enumeration: bool = False
    primary: bool = True  # ... and lies in the part that states it first (a Conclusion for a conclusion, not the abstract)


_PARTS = re.compile(r",?\s+and\s+(?=(?:who|what|where|when|which|how|in (?:which|what))\b)|\s*;\s*|(?<=\?)\s+(?=\w)", re.I)


_TWO_QUESTION_WORDS = re.compile(  # "Where and when was it published?", "When and in what series was it published?"
    r"^\s*(where|when|who|what|which|how)\s+and\s+(where|when|who|what|which|how"
    r"|(?:in|by|from|at|for|on)\s+(?:which|what|whom)(?:\s+(?!(?:was|were|is|are|did|does|do|has|have)\b)\w+)?)\b(.*)$", re.I | re.S)


_AFFILIATION = re.compile(r"\bwhere (?:was|were|is|are|do|does|did) (?:he|she|they|the authors?) (?:\w+ )?(?:based|from|work(?:ing)?)\b"
                          r"|\b(?:which|what) (?:company|companies|university|universities|institutions?|organi[sz]ations?|lab(?:oratory)?|employer)\b"
                          r"|\baffiliat\w*", re.I)


def question_parts(question: str) -> list[str]:
    """A question that asks two things or more ("Who wrote this paper, and where was it published?", "Where and
    when was it published?"), in its parts; any other question alone."""
    paired = _TWO_QUESTION_WORDS.match(question)
    if paired:
        return [f"{paired.group(1)}{paired.group(3)}", f"{paired.group(2)}{paired.group(3)}"]
    parts = [part.strip(" ,") for part in _PARTS.split(question) if part.strip(" ,")]
    return parts if len(parts) > 1 else [question]


def select(lay: Layout, doc: Document, question: str, scores: np.ndarray,
           exclude: frozenset[int] = frozenset()) -> PaperSelection | None:
    """The answer to a paper-level question, or None (not one, or the paper has no part stating it);
    never one of the sentences ``exclude`` holds (shown already: "Tell me more."). A question asking two
    things of the paper or more ("Who wrote it, and where was it published?", "In which series did it appear,
    and who publishes it?") is answered by each part's sentences together, those its paper states."""
    parts = question_parts(question)
    aspects = [_aspect(part, lay) for part in parts]
    noted: list[PaperSelection] = []  # "..., and what are their affiliations?" where notes on the authors say
    if "authors" in aspects:  # "..., and which company were they working for?": the authors' byline says, or their notes
        kept = [(part, aspect) for part, aspect in zip(parts, aspects) if aspect is not None or not _AFFILIATION.search(part)]
        noted = [found for part, aspect in zip(parts, aspects) if aspect is None and _AFFILIATION.search(part)
                 for found in [_noted_attribute(lay, doc, part, scores, exclude)] if found is not None]
        parts, aspects = [part for part, _ in kept], [aspect for _, aspect in kept]
    if noted and None not in aspects:  # the other parts from elsewhere: the notes' sentences name the authors too
        taken = exclude | {i for found in noted for i in found.sentence_ids}
        return _together([*(_select(lay, doc, part, scores, taken) for part in parts), *noted])
    if len(parts) == 1:
        return _select(lay, doc, parts[0], scores, exclude)
    if None in aspects:
        return _select(lay, doc, question, scores, exclude)
    found: list[PaperSelection] = []
    for part in parts:
        taken = frozenset(i for f in found for i in f.sentence_ids)
        selection = _select(lay, doc, part, scores, exclude | taken)
        if selection is not None:
            found.append(selection)
    return _together(found)


def _together(parts: Sequence[PaperSelection | None]) -> PaperSelection | None:
    """The sentences of every part's answer, in reading order, led by the first part's aspect."""
    found = [f for f in parts if f is not None]
    if not found:
        return None
    return PaperSelection(tuple(sorted({i for f in found for i in f.sentence_ids})), found[0].aspect,
                          all(f.cued for f in found), primary=all(f.primary for f in found))


def _noted_attribute(lay: Layout, doc: Document, part: str, scores: np.ndarray, exclude: frozenset[int]) -> PaperSelection | None:
    """The part of a question about the authors asking where they work ("..., and what are their affiliations?"),
    answered from each note on an author ("About the authors"): its first sentence naming an organisation, else
    its best-scored one. None when the document has no such notes (the byline answers it) or they hold only
    sentences ``exclude`` holds. Cued when every sentence chosen states it in those words."""
    cue, chosen = _attribute_cue(part), _author_paragraphs(doc, lay, part)
    if len(chosen) == 1 and cue is not None:  # one note on them all: each of its sentences stating it, as many as there are authors
        members = next(iter(chosen.values()))
        stating = [i for i in members if i not in exclude and cue.search(display_text(doc.sentences[i].text))]
        picks = tuple(stating[: max(1, len(lay.authors))])
    else:
        picks = _attribute_picks(doc, chosen, cue, scores, exclude)
    if not picks:
        return None
    return PaperSelection(picks, "authors", cue is not None and all(cue.search(display_text(doc.sentences[i].text)) for i in picks))


def _aspect(question: str, lay: Layout) -> str | None:
    """``aspect_of``, and "authors" for where the authors work when no note on them says ("Which university are the
    authors from?"): their byline does."""
    aspect = aspect_of(question, lay)
    if aspect is None and lay.authors and "about_authors" not in lay.zones and _AUTHOR_REFERENCE.search(question) and (
            AUTHOR_ATTRIBUTES[0][0].search(question)):
        return "authors"
    return aspect


def _select(lay: Layout, doc: Document, question: str, scores: np.ndarray, exclude: frozenset[int]) -> PaperSelection | None:
    aspect = _aspect(question, lay)
    if aspect is None:
        return _topical(lay, doc, question, scores, exclude)
    if aspect == "summary":
        return _summary(lay, doc, scores, exclude)
    if aspect == "problem":
        return _problem(lay, doc, scores, exclude)
    kinds = frozenset(terms(question)) & PUBLISHER_KINDS if aspect == "publisher" else frozenset()
    if aspect == "conclusion" and _ASKS_FINDINGS.search(question):
        finding = _best(lay, doc, ASPECTS["findings"], scores, exclude)
        if finding is not None:
            return _finding(lay, doc, aspect, finding[0], finding[1], exclude)
    best = _best(lay, doc, ASPECTS[aspect], scores, exclude, kinds=kinds)
    if aspect == "authors" and (best is None or not _names_someone(display_text(doc.sentences[best[0]].text), lay.authors)):
        spread = _byline_run(lay, doc, exclude)  # one author a line: "K. V. Rashmi / UC Berkeley" / "Nihar B. Shah" / ...
        if spread:
            return PaperSelection(spread, aspect, True)
    if aspect == "evaluation" and (best is None or not _headed(doc, ASPECTS[aspect], best[0])):
        return None  # no section says how the work was evaluated: the question is asked of the whole text
    if best is None:
        return None
    sid, cued = best
    ids = [sid]
    follower = _next_in_paragraph(doc, sid)
    opening = lay.zones[sid] in OPENING or lay.zones[sid] == "method"
    if (aspect in ("argument", "aim", "topic") and opening and follower is not None and follower not in exclude
            and not lay.roadmap[follower] and _STATES_WORK.search(display_text(doc.sentences[sid].text))):
        ids.append(follower)  # an aim statement is followed by its claim
    elif aspect == "title" and sid + 1 < len(doc.sentences) and _completes_title(doc, sid):
        ids.append(sid + 1)  # "Elle: Inferring Isolation Anomalies from Experimental" / "Observations"
    elif aspect == "conclusion" and _RESTATES.search(display_text(doc.sentences[sid].text)):
        found = _finding_after(doc, sid, exclude) if _ASKS_FINDINGS.search(question) else None
        if found is not None:  # "What are the main findings?": not "We have presented Mesos, ..." but "We have shown that ..."
            return _finding(lay, doc, aspect, found, cued, exclude)
        if follower is not None and follower not in exclude:
            ids.append(follower)  # "We have presented ELB-trees, ..." is followed by what they found: "ELB-trees are 30 times faster ..."
    elif aspect in LISTED_ASPECTS and follower is not None and follower not in exclude and _announces(display_text(doc.sentences[sid].text)):
        ids.append(follower)  # "Several challenges need to be addressed ..." is followed by the first: "First, we would like to ..."
    elif aspect == "authors" and (start := _byline_start(lay, doc, sid, exclude)) < sid:
        ids[:0] = range(start, sid)  # ", Michael J. Freedman?" / ", Michael Kaminsky† , and David G. Andersen‡ ?" go on from "Wyatt Lloyd?"
    elif (before := _antecedent(doc, sid, dangling=aspect in DANGLING_ASPECTS)) is not None and before not in exclude:
        ids.insert(0, before)  # "Herbivore does not protect transactions ..." / "This is a fundamental limitation of any scheme ..."
    return PaperSelection(tuple(sorted(ids)), aspect, cued, primary=_primary(lay, doc, aspect, sid))


def names_end(lay: Layout, doc: Document, selection: PaperSelection) -> int | None:
    """Where the authors' names end in the one byline line answering "Who are the authors?", when the line runs on
    past them into what is plainly not a name (``_NOT_NAMES``: "Aref Bijan and Anastasia Goncharova Number 34:
    October 2021", "Dennis M. Ritchie and Ken Thompson Bell Laboratories", "Steve Mayer November 2006"): the offset
    in the source just after the last author's last word (a note mark after it kept); None otherwise (a byline of
    several lines, a line naming fewer than half of them, or going on in words that may be names)."""
    if selection.aspect != "authors" or len(selection.sentence_ids) != 1 or not lay.authors:
        return None
    sentence = doc.sentences[selection.sentence_ids[0]]
    text = doc.source[sentence.start:sentence.end]
    if not _names_half(display_text(text), lay.authors):
        return None
    last = None
    for token in re.finditer(r"\S+", text):  # a word of its own: not one inside an address ("wadler@inf.ed.ac.uk")
        word = _NAME_MARKS.sub("", token.group())
        if _NAME_WORD.fullmatch(word) and word.lower() in lay.author_names:
            last = token
    if last is None:
        return None
    end = last.start() + len(last.group().rstrip(",;"))
    if not _NOT_NAMES.match(text, end) or any(_NAME_LINE.fullmatch(line.strip()) and not _INSTITUTION.search(line)
                                              for line in text[end:].split("\n")[1:]):
        return None  # ... nor when a later line may name someone the layout does not know ("Dennis Shasha")
    return sentence.start + end


_NAME_MARKS = re.compile(r"[\d,;*∗†‡§¶⋆?]+$")  # a note mark or a comma after a name ("Goncharova¹", "Lloyd?", "Hart1∗")
_NAME_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_NOT_NAMES = re.compile(  # what a byline's line goes on with that is no name: a series number, a date, an address,
    # an institution ("Bell Laboratories", "Department of Mathematics"), a publication note
    rf"\s*[,;]?\s*(?:[(<{{\[]|\S*@|https?:|(?:Number|No\.|Vol\.|Volume|Issue)\s*\d|(?:{_MONTHS})\b|\d{{4}}\b|[-–—]\s"
    r"|(?:[A-Z][\w.&'’-]*\s+){0,2}(?:University|Institute|Laborator(?:y|ies)|Research|Department|Dept\.|College|School"
    r"|Inc\.|Corporation|Corp\.|Cent(?:er|re)|Labs?|Project|Foundation|Academy)\b|First published|E-?mail)")
_INSTITUTION = re.compile(r"\b(?:University|Institute|Laborator(?:y|ies)|Research|Department|Dept|College|School|Inc|Corporation"
                          r"|Corp|Cent(?:er|re)|Labs?|Project|Foundation|Academy|Number|No)\b")
_NAME_LINE = re.compile(r"(?:[A-Z][\w'’-]*\.?|van|von|de|der|da|di|le)(?:\s+(?:[A-Z][\w'’-]*\.?|van|von|de|der|da|di|le)){1,4}[\d,*∗†‡⋆]*")


_RUNS_ON = re.compile(r"[,;†‡∗*]|[a-z]")  # a byline's line that goes on from the sentence before it (split at "St.", "Jr.")


def _byline_start(lay: Layout, doc: Document, sid: int, exclude: frozenset[int]) -> int:
    """The first sentence of the byline sentence ``sid`` goes on from: back over the front matter's sentences while each
    opens as a continuation (``_RUNS_ON``); ``sid`` itself when it opens as a line of its own."""
    start = sid
    while (start > 0 and start - 1 not in exclude and doc.sentences[start - 1].paragraph < BYLINE_PARAGRAPHS
           and lay.zones[start - 1] not in ("title", "abstract") and _RUNS_ON.match(display_text(doc.sentences[start].text))):
        start -= 1
    return start


# Aspects a paper may state as a list its sentence announces ("It makes several key contributions ...", "Several
# challenges need to be addressed ..."), whose items follow it ("First, ...", "This would allow us to ...").
LISTED_ASPECTS = frozenset({"contribution", "future", "limitation", "method", "conclusion", "recommendation"})
_ANNOUNCES_ITEMS = re.compile(
    r"(?<!\blike )(?<!\bunlike )(?<!\bas with )"  # "Like many apparently-parallel tasks, however, ..." compares, announces nothing
    r"\b(?:several|a (?:number|couple) of|two|three|four|five|various|many|some|the following)\s+(?:[\w-]+\s+){0,2}"
    r"(?:contributions|challenges|areas|directions|limitations|issues|questions|problems|ways|steps|improvements"
    r"|extensions|avenues|lessons|findings|observations|aspects|goals|ideas|features|techniques|shortcomings|drawbacks"
    r"|weaknesses|opportunities|topics|tasks|things|claims|messages|implications)\b|:$", re.I)


# Sentences that state nothing about the work a paper-level question could ask: a publication note or an address the
# PDF ran into the text ("This paper was originally presented at the. 9th ACM Symposium ...", "Author's address:
# Burroughs Corporation, ..."), an artifact notice ("The source code, data, and/or other artifacts have been made
# available at ..."), a table of contents ("Contents 1. Introduction 2 1.1."), a section's own signpost ("In this
# section, we show that ..."); and, for any aspect but the work's aim, argument, contributions or gist, an
# announcement of its contributions ("Overall, this paper makes three contributions.").
_ARTIFACT = r"(?:source code|code|data|datasets?|software|artifacts?|implementation)"
_PUBLICATION_NOTE = re.compile(
    r"^\W*(?:(?:this|the) (?:paper|article|work|report) (?:was|is|has been) (?:originally |first |previously |also )?"
    r"(?:presented|published|appeared|submitted)\b|authors?['’]?s? (?:e-?mail )?addresse?s?\b"
    rf"|(?:(?:the|our|all) )?{_ARTIFACT}(?:(?:,|,? and(?:/or)?|,? or) (?:other |all )?{_ARTIFACT})*"
    r" (?:(?:has|have) been|is|are) (?:made )?(?:publicly |freely |openly )?available (?:at|from|on|online)\b"
    r"|(?:table of )?contents\s*:?\s+(?:\d+\.?\s|[ivx]+\.\s|introduction\b|preface\b|chapter\b)|in this (?:sub)?section\b)", re.I)
_CONTRIBUTIONS_ANNOUNCED = re.compile(
    r"\bmak(?:es|e|ing) (?:the following |(?:\w+ )?(?:two|three|four|five|six|several|\d) (?:\w+ )?)contributions\b"
    r"|\b(?:our|the|its|this paper['’]s) (?:\w+ )?contributions (?:are|include)\b"
    r"|\bcontributions of (?:this|our|the) (?:paper|work|article|study) (?:are|include)\b", re.I)
ANNOUNCES_CONTRIBUTIONS = frozenset({"argument", "contribution", "summary", "aim", "topic", "opening"})  # aspects it may state


def _states_nothing(text: str, aspect: Aspect) -> bool:
    """Is ``text`` a sentence no paper-level answer about ``aspect`` quotes (``_says_nothing``, a contributions
    announcement for an aspect other than ``ANNOUNCES_CONTRIBUTIONS``)? Layout holds both per sentence."""
    return _says_nothing(text) or (not _may_announce(aspect) and _CONTRIBUTIONS_ANNOUNCED.search(text) is not None)


def _says_nothing(text: str) -> bool:
    """A publication note, an address, an artifact notice, a contents run or a section's signpost (``_PUBLICATION_NOTE``,
    ``_numbered_list``)."""
    return _PUBLICATION_NOTE.match(text) is not None or _numbered_list(text)


def _may_announce(aspect: Aspect) -> bool:
    return any(aspect is ASPECTS.get(name) for name in ANNOUNCES_CONTRIBUTIONS)


def _numbered_list(text: str) -> bool:
    """Is ``text`` a run of numbered entries, a table of contents the PDF ran into a sentence ("3. Overview of proof of
    main theorem 11 4. The case of a linear subspace 12 5. The type-2 case 16 5.1.")? Four numbers or more, two of
    them numbering entries ("4.", "5.1."); or a short run ending on the next entry's number ("Finite collection of
    subspaces 33 8.5.")."""
    if _DIGIT.search(text) is None:  # most sentences: no number at all
        return False
    words = text.split()
    numbers = sum(_NUMBER_WORD.fullmatch(w) is not None for w in words)
    entries = sum(_ENTRY_WORD.fullmatch(w) is not None for w in words[:-1])  # "4.", "5.1." (not the sentence's end)
    short_tail = len(words) <= 8 and numbers >= 2 and _SUBENTRY_WORD.fullmatch(words[-1]) is not None  # "... 33 8.5."
    return (numbers >= 4 and entries >= 2) or short_tail


_DIGIT = re.compile(r"\d")
_NUMBER_WORD = re.compile(r"\d+(?:\.\d+)*\.?")
_ENTRY_WORD = re.compile(r"\d+(?:\.\d+)*\.")
_SUBENTRY_WORD = re.compile(r"\d+(?:\.\d+)+\.")


def _announces(text: str) -> bool:
    """Does a sentence announce items it does not name ("there are a number of areas in which we hope to carry out
    future work."), unlike one that names them after its count ("two features ..., higher-order functions and lazy
    evaluation, ...")?"""
    found = _ANNOUNCES_ITEMS.search(text)
    return found is not None and not re.search(r"\band\b|;", text[found.end():])


_ASKS_FINDINGS = re.compile(r"\b(?:findings?|results?|find|found|show|showed|shown|prove[sdn]?|reveal\w*|discover\w*|demonstrat\w*"
                            r"|outcomes?)\b", re.I)
_FOUND = re.compile(rf"{_FINDS}|{_SHOWN}|\bdemonstrates\b", re.I)  # a sentence stating what the work found, after a conclusion's restatement of the work
FINDING_REACH = 8  # sentences after the restatement where its finding may come


def _completes_title(doc: Document, sid: int) -> bool:
    """Is sentence ``sid`` the title's beginning and the next sentence the rest of it (a line gap set its last line apart)?"""
    title = " ".join(doc.title.split())
    head, rest = display_text(doc.sentences[sid].text), display_text(doc.sentences[sid + 1].text)
    return bool(head) and title.startswith(head) and title != head and title == f"{head} {rest}"


# a finding that goes on: "We found that the error manifestation sequences ... to be relatively complex." / "However,
# we also found that for the most catastrophic failures, almost all of them are caused by incorrect error handling, ..."
_GOES_ON = re.compile(r"^(?:(?:however|moreover|furthermore|further|in addition|additionally|yet|but|surprisingly|importantly),?\s+)?"
                      r"we\s+(?:have\s+)?(?:also|further|additionally)\s+(?:find|found|show|showed|shown|observe|observed|demonstrate"
                      r"|demonstrated|discover|discovered|learn|learned|note|noted|establish|established)\b", re.I)


def _finding(lay: Layout, doc: Document, aspect: str, sid: int, cued: bool, exclude: frozenset[int]) -> PaperSelection:
    """The finding ``sid`` as the answer, with the next sentence of its paragraph when that states another finding
    of the work and says so ("However, we also found ...")."""
    follower = _next_in_paragraph(doc, sid)
    if follower is not None and follower not in exclude and _GOES_ON.search(display_text(doc.sentences[follower].text)):
        return PaperSelection((sid, follower), aspect, cued, primary=_primary(lay, doc, aspect, sid))
    return PaperSelection((sid,), aspect, cued, primary=_primary(lay, doc, aspect, sid))


def _finding_after(doc: Document, sid: int, exclude: frozenset[int]) -> int | None:
    """The first sentence after ``sid`` in its section, within FINDING_REACH, that states a finding."""
    section = doc.sentences[sid].section
    for i in range(sid + 1, min(sid + 1 + FINDING_REACH, len(doc.sentences))):
        if doc.sentences[i].section != section:
            break
        if i not in exclude and _FOUND.search(display_text(doc.sentences[i].text)):
            return i
    return None


def _problem(lay: Layout, doc: Document, scores: np.ndarray, exclude: frozenset[int] = frozenset()) -> PaperSelection | None:
    """The problem a work takes on: a sentence of its abstract or introduction before the one presenting the work
    ("... has been a longstanding challenge" / "This paper presents ..."), with that one when it follows; without such
    a sentence, what the work sets out to do."""
    after = frozenset(range(len(doc.sentences))) - lay.problem_stated
    best = _best(lay, doc, ASPECTS["problem"], scores, exclude | after)
    if best is None:  # no sentence saying what is hard: what the work sets out to do (not what it makes: "we introduce ...")
        best = _best(lay, doc, SETS_OUT, scores, exclude)
        return None if best is None else PaperSelection((best[0],), "problem", best[1])
    sid, cued = best
    follower = _next_in_paragraph(doc, sid)
    if follower is None or follower in exclude or not _AIM.search(display_text(doc.sentences[follower].text)):
        return PaperSelection((sid,), "problem", cued)
    return PaperSelection((sid, follower), "problem", cued)  # and the sentence presenting the work, when it follows


def _before_thesis(doc: Document, zones: tuple[str, ...]) -> frozenset[int]:
    """The prose sentences of the opening parts (abstract, introduction, a paper's lead, up to the first other part
    of the body) that come before their part's first sentence stating what the work does: where ``_problem`` looks
    (once per document, in ``layout``). Without an abstract, only a lead's: the introduction of such a paper opens on
    its subject's troubles ("the two countries face immense challenges")."""
    before: set[int] = set()
    presented: set[int] = set()  # sections whose thesis has come
    for sentence in doc.sentences:
        zone = zones[sentence.id]
        if zone not in OPENING and zone not in RESTRICTED and (before or presented):
            break  # a "Summary" at the end is no opening (an author's name read as a heading comes before it)
        if zone not in OPENING or sentence.section in presented or doc.paragraphs[sentence.paragraph].kind == "list_item":
            continue
        if _AIM.search(display_text(sentence.text)):
            presented.add(sentence.section)
        else:
            before.add(sentence.id)
    return frozenset(before if "abstract" in zones else (i for i in before if zones[i] == "lead"))


def _topical(lay: Layout, doc: Document, question: str, scores: np.ndarray,
             exclude: frozenset[int] = frozenset()) -> PaperSelection | None:
    """A topical conclusion/argument/recommendation: the best sentence of the part stating it, when it
    scores nearly as well as the best sentence anywhere (else the paper states it elsewhere: None).
    None too when the best sentence anywhere already lies in such a part: the usual answer quotes it."""
    aspect = topical_aspect(question, lay)
    if aspect is None or lay.zones[int(np.argmax(scores))] in ASPECTS[aspect].zones:
        return None
    best = _best(lay, doc, ASPECTS[aspect], scores, exclude)
    if best is None or scores[best[0]] < TOPICAL_SHARE * float(np.max(scores)):
        return None
    if aspect == "conclusion" and _ASKS_FINDINGS.search(question) and _RESTATES.search(display_text(doc.sentences[best[0]].text)):
        found = _finding_after(doc, best[0], exclude)  # "This paper presented an in-depth analysis ..." / "We found that ..."
        if found is not None:
            return _finding(lay, doc, aspect, found, best[1], exclude)
    return PaperSelection((best[0],), aspect or "", best[1], primary=_primary(lay, doc, aspect, best[0]))


def _summary(lay: Layout, doc: Document, scores: np.ndarray, exclude: frozenset[int] = frozenset()) -> PaperSelection | None:
    """What the paper sets out to do, then what it concludes."""
    opening = _best(lay, doc, ASPECTS["opening"], scores, exclude)
    said = display_text(doc.sentences[opening[0]].text) if opening else None  # a conclusion repeating it word for word is no closing
    repeats = {i for i, zone in enumerate(lay.zones)
               if said is not None and zone in ASPECTS["conclusion"].zones and display_text(doc.sentences[i].text) == said}
    closing = _best(lay, doc, ASPECTS["conclusion"], scores, exclude | repeats)
    picked = [b for b in (opening, closing) if b is not None]
    if not picked:
        return None
    return PaperSelection(tuple(sorted({sid for sid, _ in picked})), "summary", picked[0][1])


def _best(lay: Layout, doc: Document, aspect: Aspect, scores: np.ndarray, exclude: frozenset[int] = frozenset(),
          kinds: frozenset[str] = frozenset()) -> tuple[int, bool] | None:
    """The sentence that best states ``aspect``: part prior + cue + retrieval score + position, and a
    cue's weight more for naming one of ``kinds`` (the publisher a question asks for: "Which university")."""
    candidates = [i for i, zone in enumerate(lay.zones) if zone in aspect.zones and i not in exclude and not lay.roadmap[i]]
    announcing = lay.contributions if not _may_announce(aspect) else np.zeros(len(lay.zones), dtype=bool)
    candidates = [i for i in candidates if not lay.says_nothing[i] and not announcing[i]]
    texts = [display_text(doc.sentences[i].text) for i in candidates]
    if not aspect.asked:
        kept = [(i, t) for i, t in zip(candidates, texts) if not lay.asks[i]]
        candidates, texts = [i for i, _ in kept], [t for _, t in kept]
    if not aspect.announced:  # "There are two problems with such an approach." names none
        kept = [(i, t) for i, t in zip(candidates, texts) if not _announces(t)]
        candidates, texts = [i for i, _ in kept], [t for _, t in kept]
    if not candidates:
        return None
    by_name = np.array([(aspect is ASPECTS["authors"] and names_the_authors(t, lay)) or aspect is ASPECTS["title"]
                        for t in texts])  # "R. W. Picard"; a title as short as "Affective Computing"
    if aspect is ASPECTS["title"]:  # a front-matter line runs the title on into the byline
        title = " ".join(doc.title.split()).lower()
        cued = np.array([bool(title) and (lay.zones[i] == "title" or title in " ".join(t.split()).lower())
                         for i, t in zip(candidates, texts)])
    elif aspect is ASPECTS["authors"] and by_name.any():
        cued = by_name  # the byline's names, not another line of names above the title (a journal's editors)
    else:
        cued = np.array([bool(aspect.cue.search(t)) and not (aspect.not_cue and aspect.not_cue.search(t)) for t in texts]) | by_name
    stated = cued.copy()  # in words, not by a section's title
    weak = np.array([bool(aspect.weak_cue and aspect.weak_cue.search(t)) and (not aspect.own_work or speaks_of_work(t, lay))
                     for t in texts])
    if aspect.own_work or aspect.not_others:  # only a sentence that states the aspect is asked whose it is
        elsewhere = {sec.id for sec in doc.sections if _OTHERS_SECTION.search(sec.title)}
        others = np.array([bool(c or w) and _about_others(lay, t, doc.sentences[i].section in elsewhere, strict=aspect.own_work)
                           for i, t, c, w in zip(candidates, texts, cued, weak)], dtype=bool)
        cued, weak = cued & ~others, weak & ~others
    own_cue = aspect.own_cue or aspect.cue
    own = np.array([lay.zones[i] not in aspect.own_zones or bool((own_cue.search(t) or w) and speaks_of_work(_with_antecedent(doc, i, t), lay))
                    for i, t, w in zip(candidates, texts, weak)])  # the cheap cue first: speaks_of_work stems the sentence
    if aspect.heading is not None:  # every sentence of a "Future developments" section states the aspect
        titled = {sec.id for sec in doc.sections if aspect.heading.search(sec.title)}
        mixed = {sec.id for sec in doc.sections if sec.id in titled and _names_more(sec.title, aspect.heading)}
        heads = {label for labels in set(lay.run_in) for label in labels if aspect.heading.search(label)}  # "Limitations. It is ..."
        under = np.array([doc.sentences[i].section in titled or any(label in heads for label in lay.run_in[i]) for i in candidates])
        cued, own = cued | under, own | under
        headed = under
        # under "Discussion and Future Work" a sentence outranks the rest of the paper only when it states the aspect
        outranks = under & (stated | np.array([doc.sentences[i].section not in mixed for i in candidates]))
    else:
        headed = outranks = np.zeros(len(candidates), dtype=bool)
    keep = np.array([lay.zones[i] not in aspect.needs_cue_outside or c for i, c in zip(candidates, (cued | weak) & own)]) & (
        np.array([len(t.split()) >= 4 and (lay.zones[i] in LINES or bool(SENTENCE_STOP.search(t)) or _venue_line(t))
                  for i, t in zip(candidates, texts)]) | by_name)  # a venue line has no full stop: "To appear in OSDI 2006"
    if aspect is ASPECTS["title"]:  # the title's own line before a front-matter line holding it too (a byline run on into it)
        own_line = np.array([lay.zones[i] == "title" for i in candidates])
        keep = keep & own_line if (keep & own_line).any() else keep
    if not keep.any():
        return None
    ids = np.asarray(candidates)[keep]
    cued, weak = cued[keep], weak[keep]
    prior = np.array([aspect.zones[lay.zones[i]] for i in ids])
    if aspect.heading is not None:  # a section named for the aspect states it before any other part
        prior = np.where(outranks[keep], max(aspect.zones.values()) + HEADED_BONUS,
                         np.where(headed[keep], max(aspect.zones.values()), prior))
    bonus = aspect.first_bonus
    # a named section's first sentences say what it is about: their place in it, not in the part it lies in
    order = np.where(headed[keep], lay.in_section[ids], lay.order[ids]) if lay.in_section is not None else lay.order[ids]
    position = np.array([bonus[o] if o < len(bonus) else 0.0 for o in order])
    named = np.array([bool(kinds & set(terms(display_text(doc.sentences[i].text)))) for i in ids]) if kinds else 0.0
    total = (prior + CUE_WEIGHT * np.maximum(cued, 0.5 * weak) + RETRIEVAL_WEIGHT * minmax(scores[ids]) + position
             + CUE_WEIGHT * named)
    if aspect.detail is not None:  # where a part sets them out (its first DETAIL_REACH sentences), the sentences saying in words
        # what was done and those giving its particulars outrank the part's opener: "We evaluate ELB-trees on two systems ...",
        # "All experiments were conducted in a network composed of 10.000 nodes ...", not "In this section we present ..."
        reach = headed[keep] & (order < DETAIL_REACH)
        particular = np.array([bool(aspect.detail.search(t)) for t, k in zip(texts, keep) if k])
        total = total + DETAIL_WEIGHT * reach * ((stated[keep] & ~lay.signposts[ids]).astype(float) + particular)
    top = int(np.argmax(total))
    return int(ids[top]), bool(cued[top] or weak[top])


# a short sentence that says what it speaks of only by pointing back: "We hope to remedy this in the future.", "We consider
# solving this problem as part of our future work.", "Tor does not address this attack."
_DANGLING = re.compile(r"\b(?:this|these|those)\b(?!\s+(?:paper|work|study|article|report|section|chapter|system|approach|design|thesis"
                       r"|document|library|tool|framework|model|protocol|algorithm|technique|method)\b)", re.I)
DANGLING_WORDS = 14
DANGLING_ASPECTS = frozenset({"limitation", "future"})  # not a conclusion's "These results highlight the importance of ..."


def _antecedent(doc: Document, sid: int, dangling: bool = False) -> int | None:
    """The sentence before ``sid`` in its section when ``sid`` names what that one states ("This is a fundamental
    limitation of any scheme ...", ``_POINTS_BACK``), or (``dangling``) only points back at it (``_DANGLING``)."""
    if sid == 0 or doc.sentences[sid - 1].section != doc.sentences[sid].section:
        return None
    text = display_text(doc.sentences[sid].text)
    if _POINTS_BACK.match(text) or (dangling and len(text.split()) <= DANGLING_WORDS and _DANGLING.search(text)):
        return sid - 1
    return None


def _about_others(lay: Layout, text: str, in_others_section: bool, strict: bool = True) -> bool:
    """Does a sentence speak of other work: it cites (``strict``; else only when it does not speak of the work:
    "Macaroons are based on ... (e.g., HMACs [43])" is the work's), or it lies in a section on related work or
    background and does not speak in the first person ("This work differs from Walter ..." is another's; "Our chain
    replication does not offer graceful handling ..." compares the work with others; there the work's name is
    compared too: "... a complement to Freenet")?"""
    if _CITES.search(text) and (strict or not speaks_of_work(text, lay)):
        return True
    return in_others_section and not _FIRST_PERSON.search(text)


def _with_antecedent(doc: Document, sid: int, text: str) -> str:
    before = _antecedent(doc, sid)
    return text if before is None else f"{display_text(doc.sentences[before].text)} {text}"


_HEADING_FILLER = frozenset("and or of the a an for with in on to our its".split())


RUN_IN_WORDS = 4  # a run-in heading ("Limitations.", "Threats to validity:") has at most this many words


def _run_in_labels(doc: Document, texts: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """Per sentence, the run-in headings it lies under: the short labels opening a sentence of its paragraph before it
    ("Limitations. It is important to note that ..."), or opening its own when text follows the label in it
    ("Limitations: our approach ..."); a sentence lies under a heading to its paragraph's end."""
    out: list[tuple[str, ...]] = []
    paragraph: int | None = None
    seen: tuple[str, ...] = ()  # the labels found so far in this paragraph
    for s, text in zip(doc.sentences, texts):
        if s.paragraph != paragraph:
            paragraph, seen = s.paragraph, ()
        text = text.strip()
        head = _RUN_IN.match(text)
        if head and len(head.group(1).split()) <= RUN_IN_WORDS:
            out.append(seen + ((head.group(1),) if head.end() < len(text) else ()))  # the label alone states nothing
            seen = seen + (head.group(1),)
        else:
            out.append(seen)
    return tuple(out)


_RUN_IN = re.compile(r"^((?:\d+(?:\.\d+)*\.?\s+)?[A-Z][\w'’ -]{2,60}?)\s*[.:—–]\s*(?=[A-Z(\"“]|$)")


def _names_more(title: str, heading: re.Pattern) -> bool:
    """Does a section's title join something else to the aspect its ``heading`` pattern finds ("7. Discussion
    and Future Work"; not "6 Future Work", nor "Limitations of the Leases")?"""
    rest = heading.sub(" ", title).lower()
    return bool(re.search(r"\band\b|[&,/]", rest)) and any(word not in _HEADING_FILLER for word in re.findall(r"[^\W\d_]+", rest))


PRIMARY_SHARE = 0.8  # a part whose prior is at least this share of the aspect's highest states it first


# Aspects any of whose parts states them as well as another: a thesis ("The present study ... seeks to examine ...")
# says what the work does wherever it stands, and the front matter's lines say who, when and where.
ANYWHERE = frozenset({"aim", "argument", "topic", "opening", "authors", "title", "published", "publisher"})


def _primary(lay: Layout, doc: Document, name: str, sid: int) -> bool:
    """Does sentence ``sid`` lie in a part that states aspect ``name`` first (its highest prior, or a section titled for it)?"""
    aspect = ASPECTS[name]
    return (name in ANYWHERE or aspect.zones.get(lay.zones[sid], 0.0) >= PRIMARY_SHARE * max(aspect.zones.values())
            or _headed(doc, aspect, sid))


def _headed(doc: Document, aspect: Aspect, sid: int) -> bool:
    """Does sentence ``sid`` lie in a section whose title names ``aspect`` ("6 Evaluation")?"""
    return aspect.heading is not None and bool(aspect.heading.search(doc.sections[doc.sentences[sid].section].title))


def names_the_authors(text: str, lay: Layout) -> bool:
    """Does a sentence name at least half of the authors (each by every word of their name)? A title run on
    into its byline ("Dynamo: ... Store Giuseppe DeCandia, Deniz Hastorun, ...") states the authors, though
    it does not open with their names as ``_AUTHORS`` asks."""
    return _names_half(text, lay.authors)


def _words_of_names(text: str) -> set[str]:
    """The lower-cased words a sentence could name someone by: "SHANNON", "Clarke1" (a footnote digit dropped)."""
    return {re.sub(r"\d+$", "", w.lower()) for w in re.findall(r"[^\W\d_][\w'’-]*", joined_accents(text))}


def _names_half(text: str, people: tuple[frozenset[str], ...]) -> bool:
    found = _words_of_names(text)
    named = sum(author <= found for author in people)
    return named > 0 and 2 * named >= len(people)


BYLINE_PARAGRAPHS = 12  # a byline stands among a document's first paragraphs
BYLINE_LINE_WORDS = 12  # a line between two authors' names (their institution, an address) is at most this long


def _names_someone(text: str, people: tuple[frozenset[str], ...]) -> bool:
    found = _words_of_names(text)
    return any(person <= found for person in people)


def _byline_run(lay: Layout, doc: Document, exclude: frozenset[int]) -> tuple[int, ...]:
    """A byline set one author a sentence ("K. V. Rashmi UC Berkeley", "Nihar B. Shah", "UC Berkeley", "Dikang Gu"
    ...), which no one sentence states (``names_the_authors`` asks for half of them): the front matter's
    sentences from the first naming an author to the last, the short lines between them included (their
    institutions), when together they name half of the authors or more; empty otherwise."""
    front = [s.id for s in doc.sentences if s.paragraph < BYLINE_PARAGRAPHS and lay.zones[s.id] in LINES and s.id not in exclude]
    naming = [i for i in front if _names_someone(display_text(doc.sentences[i].text), lay.authors)]
    if not naming:
        return ()
    run = [i for i in front if naming[0] <= i <= naming[-1]
           and (i in naming or len(display_text(doc.sentences[i].text).split()) <= BYLINE_LINE_WORDS)]
    found = set().union(*(_words_of_names(display_text(doc.sentences[i].text)) for i in run))
    return tuple(run) if 2 * sum(person <= found for person in lay.authors) >= len(lay.authors) else ()


LINES = frozenset({"title", "front"})  # parts whose lines state without a full stop: a title, a byline, a date


def _next_in_paragraph(doc: Document, sid: int) -> int | None:
    nxt = sid + 1
    if nxt < len(doc.sentences) and doc.sentences[nxt].paragraph == doc.sentences[sid].paragraph:
        return nxt
    return None


def promote(chunk_scores: np.ndarray, chunk_ids: list[int]) -> np.ndarray:
    """Chunk scores with the answer's chunks ranked first (in their own order), the rest unchanged."""
    out = chunk_scores.astype(np.float64).copy()
    if chunk_ids:
        lift = float(out.max() - out[chunk_ids].min()) + 1e-6
        out[chunk_ids] += lift
    return out


# What a paper-level answer's confidence is at least, by how it was found: rates of right answers measured on
# 79 judged paper-level answers to the first questions on 15 PDFs (two probes; seen papers, so a development
# figure): stated in words in the part that states the aspect first, 0.75-0.82; stated elsewhere (a conclusion
# from the abstract), 0.50-0.58; only sitting in that part, 0.50-0.54; only sitting elsewhere, 0.23-0.31.
CUED_CONFIDENCE = 0.8  # the answer states the aspect in words, in the part of the paper that states it first
CUED_ELSEWHERE_CONFIDENCE = 0.55  # ... in words, in another part
PLACED_CONFIDENCE = 0.5  # the answer only sits in that part (the first sentences of the abstract, say)
PLACED_ELSEWHERE_CONFIDENCE = 0.3  # ... only sits in another part


# A limitation's cue often marks someone else's ("To overcome this limitation one could ...", "An annoying
# limitation of C++ ..."): on 15 documents 3 of 7 cued limitation answers were the work's own; plans for
# later work, 7 of 8.
LOOSE_CUES = frozenset({"limitation"})


def confidence(selection: PaperSelection, probability: float) -> float:
    """A paper-level answer's confidence: at least what finding it where the paper states it is worth.

    The abstention model judges whether a question's specific facts are in the paper; a
    question about the whole paper has none, so its probability alone would undersell it.
    """
    cued = selection.cued and selection.aspect not in LOOSE_CUES
    if selection.primary:
        return max(probability, CUED_CONFIDENCE if cued else PLACED_CONFIDENCE)
    return max(probability, CUED_ELSEWHERE_CONFIDENCE if cued else PLACED_ELSEWHERE_CONFIDENCE)


def judged_features(selection: PaperSelection, lay: Layout) -> np.ndarray | None:
    """paper_confidence.FEATURES of a paper-level answer; None for a front-matter aspect (authors, title, ...),
    which keeps the rule rate of ``confidence``."""
    if selection.aspect in paper_confidence.FRONT_ASPECTS or not selection.sentence_ids:
        return None
    return paper_confidence.features(selection.cued, selection.primary, lay.zones[selection.sentence_ids[0]],
                                     frozenset(lay.zones), len(selection.sentence_ids))


def judged_confidence(selection: PaperSelection, lay: Layout, document: str = "") -> float | None:
    """A paper-level answer's confidence from how often answers found its way were right (paper_confidence.py;
    ``document``: the source's SHA-256, for a document with an offset of its own); None for a front-matter aspect."""
    x = judged_features(selection, lay)
    return None if x is None else float(paper_confidence.load_model().probability(x, document))


# -- suggested questions -------------------------------------------------------------------------

SUGGESTION_CONFIDENCE = 0.5  # a suggestion must be answered with at least this confidence (the abstention bar is lower) ...
# ... a question about the whole paper with at least this: never "unlikely" (confidence.BANDS). The bar was 0.5 while such
# an answer showed a rule rate (0.5: it sits in the part stating the aspect); fitted (paper_confidence.py), they show
# 0.3-0.8, and at 0.5 "What is this paper about?" left the start screen of 6 of 31 PDFs (of 4 at 0.4)
PAPER_SUGGESTION_CONFIDENCE = 0.4


def answers_well(answer, doc: Document, lay: Layout, section: int | None = None) -> bool:
    """Whether ``answer`` is one to suggest its question for: answered, confident (a question about the whole
    paper: PAPER_SUGGESTION_CONFIDENCE), not from the front matter, and (for a question about ``section``) quoting
    that section."""
    bar = SUGGESTION_CONFIDENCE if section is not None else PAPER_SUGGESTION_CONFIDENCE
    if answer.abstained or answer.confidence < bar or not answer.citations:
        return False
    starts = [s.start for s in doc.sentences]
    ids = [max(0, bisect_right(starts, c.start) - 1) for c in answer.citations]
    if any(lay.zones[i] in RESTRICTED for i in ids):
        return False
    return section is None or any(doc.sentences[i].section == section for i in ids)

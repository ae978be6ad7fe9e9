"""Questions to start with on the start screen, from the document's section titles, each
checked against the index when an ``ask`` is given (pure functions over the parsed document).
"""

from __future__ import annotations

import re
from typing import Callable

from assistant import overview
from assistant.records import Answer, Document

SKIP_SECTIONS = frozenset(
    "front matter|about the authors|about the author|disclaimer|notes|endnotes|references|bibliography|"
    "acknowledgements|acknowledgments|contents|table of contents|appendix".split("|")
)
NOT_TOPICS = overview.RESTRICTED | overview.CITATIONS  # parts a suggestion never asks about (a byline, the notes)
CONCLUSION = re.compile(r"^(concluding remarks|conclusions?)\b", re.IGNORECASE)


_DEMONYM = re.compile(r"^[A-Z][a-z]+(?:an|ese|ish|ic)(?:-[A-Z][a-z]+(?:an|ese|ish|ic))*$")  # "Iranian-Russian", "Chinese"


def _topic(title: str, source: str) -> str:
    """A section title as the object of a sentence: "the theoretical framework", "Iran's ...".

    A title with a colon gives the part before it when that has two words or more ("Iranian-Russian
    alliance: balancing and bandwagoning": "the Iranian-Russian alliance"), else the part after it
    ("Background: tidal mills"). A capitalised word is lowercased when the paper writes it in lowercase
    at least as often as capitalised mid-sentence (so it is title case, not a name); a title that then
    starts in lowercase, or with an adjective of a people before a noun in lowercase ("Iranian-Russian
    alliance", "Chinese investment"), gets "the".
    """
    head, colon, tail = title.partition(":")
    if colon and tail.strip():
        title = head if len(head.split()) >= 2 else tail
    words = []
    for word in title.split():
        lower = word.lower()
        if word != lower and _count(lower, source) >= max(1, _count(word, source, mid_sentence=True)):
            word = lower
        words.append(word)
    if words and ((words[0].islower() and words[0] not in ("the", "a", "an"))
                  or (len(words) > 1 and _DEMONYM.match(words[0]) and words[-1].islower())):
        words.insert(0, "the")
    return " ".join(words)


def _count(word: str, source: str, mid_sentence: bool = False) -> int:
    before = r"(?<=[a-z,;] )" if mid_sentence else r"(?<![\w-])"
    return len(re.findall(rf"{before}{re.escape(word)}(?![\w-])", source))


def suggested_questions(document: Document, limit: int = 4, ask: Callable[[str], Answer] | None = None) -> list[str]:
    """Questions to start with: what the paper is about, a few body sections spread out, its conclusion.

    With ``ask`` (the assistant's), candidates are asked in turn and shown only when they are
    answered well (``overview.answers_well``: answered, confident, not from the front matter,
    quoting the section it names); other sections stand in for those that fail. If asking
    fails, the candidates are shown unchecked.
    """
    candidates = _by_priority(_suggestion_candidates(document, limit))
    chosen = candidates[:limit]
    if ask is not None:
        layout = overview.layout(document)
        checked: list[tuple[int, str, int | None]] = []
        try:
            for candidate in candidates:
                if len(checked) == limit:
                    break
                if overview.answers_well(ask(candidate[1]), document, layout, candidate[2]):
                    checked.append(candidate)
            chosen = checked
        except Exception:  # e.g. the query encoder failed to load: that error reaches the user with the first answer
            pass
    return [question for _, question, _ in sorted(chosen)]


def _suggestion_candidates(document: Document, limit: int) -> list[tuple[int, str, int | None]]:
    """(reading order, question, section it names) in the order to try them."""
    zones = overview.paragraph_zones(document)
    substantive = [
        s for s in document.sections
        if s.title.strip().lower() not in SKIP_SECTIONS
        and any(p.section == s.id and p.kind in ("body", "list_item") and zones[p.id] not in NOT_TOPICS for p in document.paragraphs)
    ]
    conclusion = next((s for s in substantive if CONCLUSION.match(s.title)), None)
    opening = any(s.kind in ("abstract", "introduction") for s in document.sections)
    topics = [s for s in substantive if s is not conclusion and s.title.strip().lower() != "introduction"]
    wanted = max(1, limit - (conclusion is not None) - opening)
    spread = topics
    if len(topics) > wanted:
        step = (len(topics) - 1) / max(1, wanted - 1) if wanted > 1 else 0
        spread = [topics[round(i * step)] for i in range(wanted)]
    ordered = spread + [s for s in topics if s not in spread]  # the rest stand in for failures
    out: list[tuple[int, str, int | None]] = [(-1, "What is this paper about?", None)] if opening else []
    out += [(s.id, f"What does the paper say about {_topic(s.title, document.source)}?", s.id) for s in ordered]
    if conclusion is not None:
        out.append((len(document.sections), "What does the paper conclude?", None))
    return out


def _by_priority(candidates: list[tuple[int, str, int | None]]) -> list[tuple[int, str, int | None]]:
    """The questions about the whole paper first, then the section topics in the order given."""
    return [c for c in candidates if c[2] is None] + [c for c in candidates if c[2] is not None]


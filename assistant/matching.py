"""When a passage or an answer "contains" a gold evidence quote: the matching rule.

Both sides are normalised the same way: footnote markers are deleted (superscript digits
``⁰-⁹``, and bare 1-2 digit numbers directly after sentence punctuation, as in
``states".14`` or ``invasion. 39``), curly quotes/apostrophes become ``"``/``'`` and
dashes become ``-``, lines holding only a page number are dropped, whitespace is
collapsed and everything is lower-cased. Normalisation keeps a map from every output
character to its offset in the input, so a quote can be located in the source.

* A passage is relevant when the normalised quote is a substring of the normalised
  passage, OR the passage's ``[start, end)`` covers at least 60% of the quote's
  characters (the quote located in the source through the normalisation map; this
  catches quotes longer than a passage and quotes cut by a chunk boundary). Any one
  quote of a question is enough, for every type (multi_hop included).
* An answer hits the evidence when its cited spans (each citation's sentence plus the
  notes it shows) together cover at least 60% of some quote's characters, or its
  normalised text contains a normalised quote.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np

from assistant.text import BARE_MARKER_MATCHING, PAGE_NUMBER_LINE, SUPERSCRIPT_DIGITS

COVERAGE = 0.6

_QUOTES = {"‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
           "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"'}
_DASHES = dict.fromkeys("‐‑‒–—―−", "-")
_UNIFY = {**_QUOTES, **_DASHES, "\u00ad": ""}
_SUPERSCRIPTS = frozenset(SUPERSCRIPT_DIGITS)


def dropped(text: str) -> np.ndarray:
    """Mask of characters normalisation deletes: footnote markers and page-number lines."""
    mask = np.fromiter((ch in _SUPERSCRIPTS for ch in text), dtype=bool, count=len(text))
    for match in BARE_MARKER_MATCHING.finditer(text):
        mask[match.start(1) : match.end(1)] = True
    for match in PAGE_NUMBER_LINE.finditer(text):
        mask[match.start() : match.end()] = True
    return mask


def normalise_map(text: str) -> tuple[str, tuple[int, ...]]:
    """The normalised text and, for each of its characters, the offset it came from in ``text``."""
    deleted = dropped(text)
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if deleted[i]:
            continue
        if ch.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                offsets.append(i)
            continue
        for piece in unicodedata.normalize("NFKC", _UNIFY.get(ch, ch)).lower():
            out.append(piece)
            offsets.append(i)
    if out and out[-1] == " ":
        out.pop()
        offsets.pop()
    return "".join(out), tuple(offsets)


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    return normalise_map(text)[0]


@dataclass(frozen=True)
class Evidence:
    """One gold quote: its normalised form and, per occurrence in the source, its characters' offsets."""

    quote: str
    normalised: str
    occurrences: tuple[tuple[int, ...], ...]


class SourceMap:
    """A document's normalised text with its offset map, for locating quotes."""

    def __init__(self, source: str) -> None:
        self.text, self.offsets = normalise_map(source)

    def locate(self, quote: str) -> Evidence:
        needle = normalise(quote)
        found, start = [], self.text.find(needle) if needle else -1
        while start >= 0:
            found.append(self.offsets[start : start + len(needle)])
            start = self.text.find(needle, start + 1)
        return Evidence(quote, needle, tuple(found))


def coverage(offsets: Sequence[int], spans: Iterable[tuple[int, int]]) -> float:
    """Share of ``offsets`` that fall inside any of the ``[start, end)`` spans."""
    if not offsets:
        return 0.0
    spans = list(spans)
    inside = sum(any(start <= o < end for start, end in spans) for o in offsets)
    return inside / len(offsets)


def contains_evidence(text: str, spans: Sequence[tuple[int, int]], evidence: Evidence) -> bool:
    """The matching rule: normalised substring, or the spans cover >= 60% of an occurrence."""
    if evidence.normalised and evidence.normalised in normalise(text):
        return True
    return any(coverage(occurrence, spans) >= COVERAGE for occurrence in evidence.occurrences)


def first_relevant_rank(passages: Sequence[tuple[str, int, int]], evidence: Sequence[Evidence]) -> int | None:
    """1-based rank of the first passage ``(text, start, end)`` holding any quote; None if none does."""
    for rank, (text, start, end) in enumerate(passages, start=1):
        if any(contains_evidence(text, [(start, end)], e) for e in evidence):
            return rank
    return None

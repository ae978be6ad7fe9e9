"""Typing slips in a question, read against the document's own words.

A reader types "Rusia", "Asad" or "Hezbolah"; the paper writes "Russia", "Assad", "Hezbollah". BM25
finds no such term, and the abstention model reads a name the document never mentions as the trace
of a question it does not answer: with one slip in a capitalised word, reader dev questions were
answered 0.41 of the time instead of 0.95, and their evidence hit fell from 0.744 to 0.372; read as
below, 0.923 and 0.718 (bench/typos.py). So a question word the document does not hold, that is no
English word either (not a whole token of MiniLM's word-piece vocabulary, nor a stopword) nor a plural
or singular of the document's, is read as the document's word it is one edit from (two for a word of
eight letters or more; an edit is an insertion, a deletion, a substitution or a swap of neighbours:
optimal string alignment, computed by RapidFuzz), when one such word is the nearest, the most frequent
among equals, and only when that word is a name of four letters or more (mostly written with a
capital), whether the slip is typed with one or not ("rusia": "russia"): the vocabulary lacks most inflected forms, and read as any
word "arming", "exerting" and "trilateral" became "aiming", "existing" and "bilateral" in dev
questions, and SQuAD's "Herve" (the article's "Hervé") became "serve". Pure functions over strings; the engine keeps
one ``Lexicon`` per document and shows the question as it was read.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Container, Iterable

MIN_LETTERS = 4  # shorter words are left alone: "Iraq" / "Iran" are one edit apart
LONG_WORD = 8  # from this length, two edits
_WORD = re.compile(r"(?<![\w'\u2019-])[^\W\d_]+(?![\w-])")  # "Rusia" in "Rusia's", "Hervé"; not a hyphenated compound's part


@dataclass(frozen=True)
class Lexicon:
    """A document's words (lower case), how often each occurs and its most frequent written form."""

    words: tuple[str, ...]
    counts: tuple[int, ...]
    forms: tuple[str, ...]
    known: frozenset[str]  # the same words, to look up


def lexicon(texts: Iterable[str]) -> Lexicon:
    """The words of ``texts`` with their counts and most frequent written forms."""
    written: Counter[str] = Counter(w for text in texts for w in _WORD.findall(text))
    counts: Counter[str] = Counter()
    best: dict[str, tuple[int, str]] = {}
    for form, n in written.items():
        key = form.lower()
        counts[key] += n
        if n > best.get(key, (0, ""))[0]:
            best[key] = (n, form)
    words = tuple(sorted(counts))
    return Lexicon(words, tuple(counts[w] for w in words), tuple(best[w][1] for w in words), frozenset(words))


def correct(question: str, words: Lexicon, english: Callable[[], Container[str]] | Container[str]) -> str:
    """``question`` with each slip read as the document's word (see the module's docstring); unchanged
    when it has none. ``english`` (or a function giving it, called only for a word the document lacks)
    holds the words that are no slip."""
    out: list[str] = []
    last = 0
    for match in _WORD.finditer(question):
        word = match.group()
        fixed = _nearest(word, words, english)
        if fixed is not None:
            out += [question[last : match.start()], fixed]
            last = match.end()
    return "".join(out) + question[last:] if out else question


def _nearest(word: str, words: Lexicon, english: Callable[[], Container[str]] | Container[str]) -> str | None:
    key = word.lower()
    if (len(key) < MIN_LETTERS or key in words.known or not words.words
            or key + "s" in words.known or (key.endswith("s") and key[:-1] in words.known)):  # "Syrians": a plural
        return None
    if key in (english() if callable(english) else english):
        return None
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    limit = 2 if len(key) >= LONG_WORD else 1
    found = process.extract(key, words.words, scorer=OSA.distance, score_cutoff=limit, limit=None)
    if not found and key.endswith("s") and len(key) > MIN_LETTERS:  # "rusias": a possessive typed without its apostrophe
        found = process.extract(key[:-1], words.words, scorer=OSA.distance, score_cutoff=limit, limit=None)
    # read only as a name of four letters or more: "Herve" is not "serve", "arming" not "aiming", "Norh" not "nor"
    names = [(distance, i) for _, distance, i in found if words.forms[i][:1].isupper() and len(words.words[i]) >= MIN_LETTERS]
    if not names:
        return None
    nearest = min(distance for distance, _ in names)
    ranked = sorted(((words.counts[i], i) for distance, i in names if distance == nearest), reverse=True)
    if len(ranked) > 1 and ranked[0][0] == ranked[1][0]:
        return None  # two names as near and as frequent: no telling which was meant
    form = words.forms[ranked[0][1]]
    return form if word[:1].isupper() else form.lower()


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Words that are no slip even when the document lacks them: whole tokens of MiniLM's word-piece
    vocabulary and the stopwords (the stopwords alone without the model's files)."""
    from assistant.errors import AssistantError
    from assistant.expansion import common_words, token_ids

    try:
        tokens = frozenset(t for t in token_ids() if t.isalpha())
    except AssistantError:
        tokens = frozenset()
    return tokens | common_words()

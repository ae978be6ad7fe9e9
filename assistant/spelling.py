"""Typing slips in a question, read against the document's own words.

A reader types "Rusia", "Asad" or "Hezbolah"; the paper writes "Russia", "Assad", "Hezbollah". BM25
finds no such term, and the abstention model reads a name the document never mentions as the trace
of a question it does not answer: with one slip in a capitalised word, reader dev questions were
answered 0.41 of the time instead of 0.95, and their evidence hit fell from 0.744 to 0.385
(bench/typos.py). So a question word the document does not hold, that is no English word either (not
a whole token of MiniLM's word-piece vocabulary, nor a stopword) nor a plural or singular of the
document's, is read as the document's name it is one edit from (two for a word of eight letters or
more; an edit is an insertion, a deletion, a substitution or a swap of neighbours: optimal string
alignment, computed by RapidFuzz), the most frequent among the nearest: a name of four letters or more,
mostly written with a capital, whether the slip is typed with one or not ("rusia": "russia"). Read
this way, reader dev went back to 0.718. A word typed in lower case that no name is near is read as
the document's word one edit away ("sanctons": "sanctions"; reader dev with such a slip 0.603 ->
0.718) unless it is a known word with an English ending ("arming": "arm" + "ing") or another form of
that word ("pragmatism" / "pragmatist"): read as any word, "arming", "exerting" and "trilateral" in
dev questions became "aiming", "existing" and "bilateral", and SQuAD's "Herve" (the article's "Hervé")
"serve". Pure functions over strings; the engine keeps one ``Lexicon`` per document and shows the
question as it was read.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Container, Iterable

MIN_LETTERS = 4  # shorter words are left alone: "Iraq" / "Iran" are one edit apart
MIN_COMMON = 5  # a word in lower case that is no name is read from this length
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
    known = english() if callable(english) else english
    if key in known:
        return None
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    limit = 2 if len(key) >= LONG_WORD else 1
    found = process.extract(key, words.words, scorer=OSA.distance, score_cutoff=limit, limit=None)
    if not found and key.endswith("s") and len(key) > MIN_LETTERS:  # "rusias": a possessive typed without its apostrophe
        found = process.extract(key[:-1], words.words, scorer=OSA.distance, score_cutoff=limit, limit=None)
    # a name of four letters or more: "Herve" is not "serve", "Norh" not "nor"
    names = [(distance, i) for _, distance, i in found if words.forms[i][:1].isupper() and len(words.words[i]) >= MIN_LETTERS]
    if names:
        picked = _most_frequent(names, words)
        form = words.forms[picked] if picked is not None else None
        return form if form is None or word[:1].isupper() else form.lower()
    if not word.islower() or len(key) < MIN_COMMON or _inflected(key, known, words.known):
        return None
    # a word in lower case: one edit from the document's word, not a form of it ("pragmatism" / "pragmatist")
    common = [(distance, i) for _, distance, i in found if distance <= 1 and len(words.words[i]) >= MIN_LETTERS
              and not _forms_of_one_word(key, words.words[i])]
    picked = _most_frequent(common, words) if common else None
    return words.words[picked] if picked is not None else None


def _most_frequent(candidates: list[tuple[int, int]], words: Lexicon) -> int | None:
    """The most frequent of the nearest (distance, word index) candidates; None on a tie."""
    nearest = min(distance for distance, _ in candidates)
    ranked = sorted(((words.counts[i], i) for distance, i in candidates if distance == nearest), reverse=True)
    if len(ranked) > 1 and ranked[0][0] == ranked[1][0]:
        return None  # two words as near and as frequent: no telling which was meant
    return ranked[0][1]


# Endings of English words: a word whose stem with one of them is known is no slip ("arming": "arm"), and two
# words differing only in them are forms of one word ("prioritise" / "priorities").
SUFFIXES = ("", "s", "es", "ies", "ed", "d", "ing", "ly", "er", "ers", "ism", "isms", "ist", "ists", "ise", "ize",
            "ised", "ized", "ises", "izes", "ising", "izing", "ation", "ations", "al", "ally", "ness", "ment", "ments",
            "ity", "ities", "ive", "ous", "ful", "less", "able", "ible", "y", "e")


def _inflected(word: str, known: Container[str], document: Container[str]) -> bool:
    """Is ``word`` a known word with an English ending ("arming", "exerting", "escalates")?"""
    for suffix in SUFFIXES[1:]:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3:
            for base in (stem, stem + "e", stem[:-1] + "y" if stem.endswith("i") else "",
                         stem[:-1] if len(stem) > 3 and stem[-1] == stem[-2] else ""):
                if base and (base in known or base in document):
                    return True
    return False


def _forms_of_one_word(a: str, b: str) -> bool:
    """Do ``a`` and ``b`` differ only in their English endings ("pragmatism" / "pragmatist")?"""
    shared = len(os.path.commonprefix([a, b]))
    return any(a[:k] == b[:k] and a[k:] in SUFFIXES and b[k:] in SUFFIXES for k in range(max(3, shared - 4), shared + 1))


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

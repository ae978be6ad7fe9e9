"""Whether a word a PDF broke across lines at a hyphen keeps it: "distri-" / "bution" is one word,
"object-" / "placement" a compound.

PDFium marks a hyphen at a line's end the same way in both cases, so the words themselves decide:
first the document's own usage (the joined word, or the hyphenated one, written elsewhere in it), then
a word list (the whole words of the embedding model's WordPiece vocabulary, about 23,700 common
English words, read from the installed model package: nothing is downloaded). A word the document
never writes whole, that the list does not hold, and whose two halves are words of either, keeps its
hyphen, unless one half is a prefix or suffix (two letters, or "-able", "-ness", ...); anything else
is joined, as before.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import Iterable

WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
HEAD = re.compile(r"([A-Za-z]+)$")  # the part of the broken word before the line's end
TAIL = re.compile(r"\s*([A-Za-z]+)")  # and after it, at the next line's start


@lru_cache(maxsize=1)
def lexicon() -> frozenset[str]:
    """The whole words (lower case, two letters or more) of the bundled model's WordPiece vocabulary;
    empty when the model package is not installed (the document's own words still decide)."""
    try:
        from assistant.encoder import model_dir

        lines = (model_dir() / "vocab.txt").read_text(encoding="utf-8").split()
    except Exception:  # no model package, or an unreadable file: decide without the list
        return frozenset()
    return frozenset(w for w in lines if len(w) > 1 and w.isalpha() and w.islower())


def document_words(lines: Iterable[str], breaks: Iterable[tuple[str, str]]) -> Counter[str]:
    """How often the document writes each word (lower case) outside its line breaks: the words of
    ``lines`` (and each pair of a longer hyphenated word's parts), less the halves of the ``breaks``
    (head, tail), which the lines hold as if they were words."""
    seen: Counter[str] = Counter()
    for line in lines:
        for word in WORD.findall(line.lower()):
            seen[word] += 1
            parts = word.split("-")
            if len(parts) > 2:  # "peer-to-peer" writes "peer-to" and "to-peer" too
                seen.update(f"{a}-{b}" for a, b in zip(parts, parts[1:]))
    for head, tail in breaks:
        seen[head.lower()] -= 1
        seen[tail.lower()] -= 1
    return +seen  # drop counts at or below zero


def keeps_hyphen(head: str, tail: str, seen: Counter[str], words: frozenset[str]) -> bool:
    """Whether ``head``-/``tail`` (a word broken at a line's end) is a hyphenated compound rather
    than one word: the document or the word list knows both halves and neither knows them joined."""
    head, tail = head.lower(), tail.lower()
    if not head or not tail:
        return False
    joined = head + tail
    if seen[joined]:
        return False
    if seen[f"{head}-{tail}"]:
        return True
    if joined in words or any(seen[form] or form in words for form in _forms(joined)):
        return False
    if len(head) < 3 or len(tail) < 3 or tail in SUFFIXES:  # "un-planned", "select-able": a prefix or a suffix
        return False
    return all(seen[part] or part in words for part in (head, tail))


SUFFIXES = frozenset("able ible ness ment ments less ful ly ing ings ed er ers est ity ize ise ism ist tion tions sion".split())
_INFLECTIONS = ("s", "es", "ed", "d", "ing")


def _forms(word: str) -> list[str]:
    """Other forms of ``word`` by its inflection: "namespaces" is "namespace", "bottleneck" "bottlenecks"."""
    stems = [word[: -len(end)] for end in _INFLECTIONS if word.endswith(end) and len(word) - len(end) >= 3]
    return [*stems, word + "s"]

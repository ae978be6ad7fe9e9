"""BM25 over text units with bm25s, with one tokenizer shared by index and questions."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

_WORD = re.compile(r"(?u)\b\w\w+\b")
EXTRA_STOPWORDS = {
    "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "does", "did", "do",
    "paper", "authors", "according", "say", "says", "said", "mention", "mentioned", "describe",
    "described", "give", "given", "name", "named", "list", "many", "much", "kind", "main",
}


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN) | EXTRA_STOPWORDS


def words(text: str) -> list[str]:
    """Lower-cased word tokens (two or more characters), digits included."""
    return _WORD.findall(text.lower())


def terms(text: str) -> list[str]:
    """Stemmed, stopword-free terms: the units BM25 scores."""
    stop = stopwords()
    kept = [w for w in words(text) if w not in stop]
    return _stemmer().stemWords(kept) if kept else []


class Bm25Index:
    """A bm25s index over a list of texts, saved as plain .npy/JSON files."""

    def __init__(self, model) -> None:
        self.model = model
        self.vocab: dict[str, int] = model.vocab_dict

    @classmethod
    def build(cls, texts: Sequence[str]) -> "Bm25Index":
        import bm25s

        model = bm25s.BM25()
        model.index([terms(t) or ["\u2205"] for t in texts], show_progress=False)
        return cls(model)

    def save(self, directory: Path) -> None:
        self.model.save(str(directory), allow_pickle=False, show_progress=False)

    @classmethod
    def load(cls, directory: Path) -> "Bm25Index":
        import bm25s

        return cls(bm25s.BM25.load(str(directory), allow_pickle=False, show_progress=False))

    def scores(self, query_terms: Sequence[str]) -> np.ndarray:
        known = [t for t in query_terms if t in self.vocab]
        n = self.model.scores["num_docs"]
        if not known:
            return np.zeros(n, np.float32)
        return np.asarray(self.model.get_scores(known), dtype=np.float32)

    def document_frequency(self, term: str) -> int:
        """Number of units containing ``term`` (0 when the corpus never uses it)."""
        index = self.vocab.get(term)
        if index is None:
            return 0
        indptr = self.model.scores["indptr"]
        return int(indptr[index + 1] - indptr[index])

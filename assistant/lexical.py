"""BM25 over text units with bm25s, with one tokenizer shared by index and questions."""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

WORD = re.compile(r"(?u)\b\w\w+\b")  # a word token: two or more word characters
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
    return WORD.findall(text.lower())


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

    def scores(self, query_terms: Sequence[str], aliases: Mapping[str, str] | None = None) -> np.ndarray:
        """BM25 score of every unit for ``query_terms``. ``aliases`` maps a term to another term of
        the query that stands for the same thing (a capital to its state: "tehran" -> "iran"); the
        pair counts once, as whichever of the two a unit holds more, at the lower idf of the two
        (``alias_scores``): a rare capital no longer outweighs the words the question is about."""
        known = [t for t in query_terms if t in self.vocab]
        n = self.model.scores["num_docs"]
        if not known:
            return np.zeros(n, np.float32)
        pairs = {own: other for own, other in (aliases or {}).items() if own in known}
        if not pairs:
            return np.asarray(self.model.get_scores(known), dtype=np.float32)
        folded = set(pairs.values()) - set(pairs)
        plain = [t for t in known if t not in pairs and t not in folded]
        total = np.asarray(self.model.get_scores(plain), dtype=np.float64) if plain else np.zeros(n)
        for own, other in pairs.items():
            total += known.count(own) * alias_scores(self._term_scores(own), self.idf(own),
                                                     self._term_scores(other), self.idf(other))
        return total.astype(np.float32)

    def weighted_scores(self, weighted_terms: Sequence[tuple[str, float]]) -> np.ndarray:
        """The sum of each term's BM25 scores times its weight."""
        total = np.zeros(self.model.scores["num_docs"], np.float64)
        for term, weight in weighted_terms:
            total += weight * self._term_scores(term)
        return total.astype(np.float32)

    def _term_scores(self, term: str) -> np.ndarray:
        if term not in self.vocab:
            return np.zeros(self.model.scores["num_docs"], np.float64)
        return np.asarray(self.model.get_scores([term]), dtype=np.float64)

    def idf(self, term: str) -> float:
        """The term's idf as bm25s scores it (its default Lucene variant); 0 for a term no unit holds."""
        df, n = self.document_frequency(term), self.model.scores["num_docs"]
        return math.log(1 + (n - df + 0.5) / (df + 0.5)) if df else 0.0

    def document_frequency(self, term: str) -> int:
        """Number of units containing ``term`` (0 when the corpus never uses it)."""
        index = self.vocab.get(term)
        if index is None:
            return 0
        indptr = self.model.scores["indptr"]
        return int(indptr[index + 1] - indptr[index])


def alias_scores(own: np.ndarray, own_idf: float, other: np.ndarray, other_idf: float) -> np.ndarray:
    """Per unit, the BM25 score of two terms that name one thing counted as one term: the larger of
    the two term-frequency parts (each term's score over its idf) at the lower idf of the two."""
    idfs = [w for w in (own_idf, other_idf) if w > 0]
    if not idfs:
        return np.zeros(len(own), np.float64)
    own_tf = own / own_idf if own_idf > 0 else np.zeros(len(own))
    other_tf = other / other_idf if other_idf > 0 else np.zeros(len(other))
    return np.maximum(own_tf, other_tf) * min(idfs)

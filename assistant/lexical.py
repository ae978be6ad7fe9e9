"""BM25 over text units with bm25s, with one tokenizer shared by index and questions.

bm25s builds and saves each index (its eager score matrix as plain .npy/JSON files); answering reads
those files and sums a question's rows with numpy, as bm25s does, without importing bm25s: its package
imports scipy.sparse and tqdm, about 0.12 s of a one-shot question's second (bench/bench_ask.py).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from assistant.errors import BrokenIndexError

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
def bm25s_stopwords() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """bm25s's English stopword lists (``STOPWORDS_EN``, the Lucene set; ``STOPWORDS_EN_PLUS``), read
    from its ``stopwords.py`` (plain tuples, no imports) without importing the bm25s package."""
    import importlib.util

    package = importlib.util.find_spec("bm25s")  # locates the package; does not import it
    folders = list(package.submodule_search_locations or ()) if package else []
    spec = importlib.util.spec_from_file_location("assistant._bm25s_stopwords", Path(folders[0]) / "stopwords.py") if folders else None
    if spec is None or spec.loader is None:  # not a plain install: import it the usual way
        from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_EN_PLUS

        return tuple(STOPWORDS_EN), tuple(STOPWORDS_EN_PLUS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return tuple(module.STOPWORDS_EN), tuple(module.STOPWORDS_EN_PLUS)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(bm25s_stopwords()[0]) | EXTRA_STOPWORDS


def words(text: str) -> list[str]:
    """Lower-cased word tokens (two or more characters), digits included."""
    return WORD.findall(text.lower())


def terms(text: str) -> list[str]:
    """Stemmed, stopword-free terms: the units BM25 scores."""
    stop = stopwords()
    kept = [w for w in words(text) if w not in stop]
    return _stemmer().stemWords(kept) if kept else []


class Bm25Index:
    """A BM25 index over a list of texts: bm25s's eager score matrix (one row of per-unit scores per
    term, CSC arrays) and vocabulary, saved by bm25s as plain .npy/JSON files."""

    def __init__(self, vocab: dict[str, int], data: np.ndarray, indices: np.ndarray, indptr: np.ndarray,
                 num_docs: int, model=None) -> None:
        self.vocab = vocab
        self.data, self.indices, self.indptr = data, indices, indptr
        self.num_docs = int(num_docs)
        self._model = model  # the bm25s object it was built with (what ``save`` writes); None when loaded

    @classmethod
    def build(cls, texts: Sequence[str]) -> "Bm25Index":
        import bm25s

        model = bm25s.BM25()
        model.index([terms(t) or ["\u2205"] for t in texts], show_progress=False)
        scores = model.scores
        return cls(model.vocab_dict, scores["data"], scores["indices"], scores["indptr"], scores["num_docs"], model)

    def save(self, directory: Path) -> None:
        if self._model is None:
            raise ValueError("only a BM25 index built here can be saved")
        self._model.save(str(directory), allow_pickle=False, show_progress=False)

    @classmethod
    def load(cls, directory: Path) -> "Bm25Index":
        """The index bm25s saved in ``directory``, read with numpy and json (bm25s is not imported)."""
        import json

        directory = Path(directory)
        params = json.loads((directory / "params.index.json").read_text(encoding="utf-8"))
        if params.get("method") != "lucene":  # what ``build`` writes; other variants add a non-occurrence term
            raise BrokenIndexError(f"{directory.name}: BM25 variant {params.get('method')!r} is not the one this tool builds")
        vocab = json.loads((directory / "vocab.index.json").read_text(encoding="utf-8"))
        data, indices, indptr = (np.load(directory / f"{name}.csc.index.npy", allow_pickle=False)
                                 for name in ("data", "indices", "indptr"))
        return cls(vocab, data, indices, indptr, params["num_docs"])

    def get_scores(self, query_terms: Sequence[str]) -> np.ndarray:
        """Each unit's BM25 score for the terms (a repeated term counts again; unknown terms nothing):
        bm25s's ``get_scores``, the same float32 sums in the same order."""
        scores = np.zeros(self.num_docs, dtype=self.data.dtype)
        rows = len(self.indptr) - 1  # bm25s's vocabulary ends with "", which has no row
        for term in query_terms:
            row = self.vocab.get(term)
            if row is not None and row < rows:
                start, end = self.indptr[row], self.indptr[row + 1]
                np.add.at(scores, self.indices[start:end], self.data[start:end])
        return scores

    def scores(self, query_terms: Sequence[str], aliases: Mapping[str, str] | None = None) -> np.ndarray:
        """BM25 score of every unit for ``query_terms``. ``aliases`` maps a term to another term of
        the query that stands for the same thing (a capital to its state: "tehran" -> "iran"); the
        pair counts once, as whichever of the two a unit holds more, at the lower idf of the two
        (``alias_scores``): a rare capital no longer outweighs the words the question is about."""
        known = [t for t in query_terms if t in self.vocab]
        n = self.num_docs
        if not known:
            return np.zeros(n, np.float32)
        pairs = {own: other for own, other in (aliases or {}).items() if own in known}
        if not pairs:
            return np.asarray(self.get_scores(known), dtype=np.float32)
        folded = set(pairs.values()) - set(pairs)
        plain = [t for t in known if t not in pairs and t not in folded]
        total = np.asarray(self.get_scores(plain), dtype=np.float64) if plain else np.zeros(n)
        for own, other in pairs.items():
            total += known.count(own) * alias_scores(self._term_scores(own), self.idf(own),
                                                     self._term_scores(other), self.idf(other))
        return total.astype(np.float32)

    def weighted_scores(self, weighted_terms: Sequence[tuple[str, float]]) -> np.ndarray:
        """The sum of each term's BM25 scores times its weight."""
        total = np.zeros(self.num_docs, np.float64)
        for term, weight in weighted_terms:
            total += weight * self._term_scores(term)
        return total.astype(np.float32)

    def _term_scores(self, term: str) -> np.ndarray:
        if term not in self.vocab:
            return np.zeros(self.num_docs, np.float64)
        return np.asarray(self.get_scores([term]), dtype=np.float64)

    def idf(self, term: str) -> float:
        """The term's idf as bm25s scores it (its default Lucene variant); 0 for a term no unit holds."""
        df, n = self.document_frequency(term), self.num_docs
        return math.log(1 + (n - df + 0.5) / (df + 0.5)) if df else 0.0

    def document_frequency(self, term: str) -> int:
        """Number of units containing ``term`` (0 when the corpus never uses it)."""
        index = self.vocab.get(term)
        if index is None or index >= len(self.indptr) - 1:
            return 0
        return int(self.indptr[index + 1] - self.indptr[index])


def alias_scores(own: np.ndarray, own_idf: float, other: np.ndarray, other_idf: float) -> np.ndarray:
    """Per unit, the BM25 score of two terms that name one thing counted as one term: the larger of
    the two term-frequency parts (each term's score over its idf) at the lower idf of the two."""
    idfs = [w for w in (own_idf, other_idf) if w > 0]
    if not idfs:
        return np.zeros(len(own), np.float64)
    own_tf = own / own_idf if own_idf > 0 else np.zeros(len(own))
    other_tf = other / other_idf if other_idf > 0 else np.zeros(len(other))
    return np.maximum(own_tf, other_tf) * min(idfs)

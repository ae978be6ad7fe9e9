"""Query expansion across vocabulary gaps: a question word the document never uses brings the
document words nearest to it in MiniLM's input token embeddings, as extra BM25 terms at a lower weight.

Readers write "fresh objective" where a paper writes "new goal", or "bodies of water" for "sea";
BM25 sees no shared term and the sentence embedding does not always bridge it. The input token
embeddings (the ``word_embeddings`` matrix of the packaged all-MiniLM-L6-v2, read from its
safetensors file: nothing is downloaded) place such words near each other. Only words the
document holds are added, only for question words the document lacks, and only lower-case words
(not names). Neighbours in this space are related, not always synonyms ("secondary" is near
"primary"), hence the lower weight.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np

from assistant.lexical import WORD, bm25s_stopwords, stopwords, terms

MODALS = frozenset({"can", "could", "may", "might", "must", "shall", "should", "will", "would"})  # not in bm25s's list


@dataclass(frozen=True)
class ExpansionSettings:
    """Which document words a missing question word brings, and how much they weigh."""

    similarity: float = 0.35  # cosine of the two words' input token embeddings, at least
    per_word: int = 2  # at most this many document words per question word
    weight: float = 0.5  # of their BM25 scores, against 1 for the question's own terms


EXPANSION = ExpansionSettings()


@dataclass(frozen=True)
class Vocabulary:
    """A document's words that are whole tokens of the model, with their stems and unit-norm embeddings."""

    words: tuple[str, ...]
    stems: tuple[str, ...]
    vectors: np.ndarray  # (len(words), dimension)


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Function words never expanded nor added: BM25's stopwords, bm25s's longer English list, modal verbs."""
    return stopwords() | frozenset(bm25s_stopwords()[1]) | MODALS


@lru_cache(maxsize=1)
def token_ids() -> dict[str, int]:
    """The model's word-piece vocabulary: token -> row of the embedding matrix."""
    from assistant.encoder import model_dir

    lines = (model_dir() / "vocab.txt").read_text(encoding="utf-8").split("\n")
    return {token: i for i, token in enumerate(lines) if token}


def token_vectors(ids: Sequence[int]) -> np.ndarray:
    """Unit-norm input token embeddings of the model for token ``ids`` (rows of ``word_embeddings``)."""
    from safetensors import safe_open

    from assistant.encoder import WEIGHTS_FILE, model_dir

    path = model_dir() / WEIGHTS_FILE
    with safe_open(str(path), "np") as tensors:  # only the rows asked for are read
        name = next(k for k in tensors.keys() if k.endswith("word_embeddings.weight"))
        matrix = tensors.get_slice(name)
        rows = np.concatenate([matrix[i : i + 1] for i in ids]).astype(np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)


def eligible(word: str, ids: dict[str, int]) -> bool:
    return word in ids and word not in common_words() and not word.isdigit() and len(word) > 2


def vocabulary(texts: Sequence[str]) -> Vocabulary:
    """The words of ``texts`` that can be added to a question (lower-cased, whole model tokens, not function words)."""
    ids = token_ids()
    found = sorted({w for text in texts for w in WORD.findall(text.lower()) if eligible(w, ids)})
    stems = tuple(terms(" ".join(found)))  # one stem per word: none of them is a stopword
    vectors = token_vectors([ids[w] for w in found]) if found else np.zeros((0, 1), np.float32)
    return Vocabulary(tuple(found), stems, vectors)


def missing_words(text: str, document_frequency: Callable[[str], int]) -> list[str]:
    """The lower-case words of ``text`` (not names) the document never uses, once each, in order."""
    ids = token_ids()
    out: list[str] = []
    for word in WORD.findall(text):
        if word.islower() and eligible(word, ids) and word not in out:
            stem = terms(word)
            if stem and document_frequency(stem[0]) == 0:
                out.append(word)
    return out


def nearest(word_vectors: np.ndarray, vocab: Vocabulary, exclude: set[str],
            settings: ExpansionSettings = EXPANSION) -> list[str]:
    """For each row of ``word_vectors``, the stems of the nearest vocabulary words at or above the
    similarity, at most ``per_word`` each, leaving out stems in ``exclude`` and stems already taken."""
    taken: list[str] = []
    if not len(vocab.words):
        return taken
    similarities = np.einsum("ij,kj->ik", word_vectors, vocab.vectors)  # no BLAS threads for a few rows
    for row in similarities:
        added = 0
        for j in np.argsort(-row, kind="stable"):
            if row[j] < settings.similarity or added >= settings.per_word:
                break
            stem = vocab.stems[j]
            if stem not in exclude and stem not in taken:
                taken.append(stem)
                added += 1
    return taken


def related_terms(text: str, vocab: Callable[[], Vocabulary], document_frequency: Callable[[str], int],
                  settings: ExpansionSettings = EXPANSION) -> tuple[tuple[str, float], ...]:
    """The weighted BM25 terms a question ``text`` brings across the document's vocabulary gaps;
    ``vocab`` gives the document's vocabulary, asked for only when there is a gap."""
    gaps = missing_words(text, document_frequency)
    if not gaps:
        return ()
    ids = token_ids()
    stems = nearest(token_vectors([ids[w] for w in gaps]), vocab(), set(terms(text)), settings)
    return tuple((stem, settings.weight) for stem in stems)

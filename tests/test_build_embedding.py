"""Building embeds each distinct text once, and every unit still gets the vector of its own text."""

from __future__ import annotations

import numpy as np

from assistant.chunking import ChunkSettings, chunk_document
from assistant.encoder import HashingEncoder
from assistant.index import _embed_units, _unit_texts
from assistant.structure import parse

DOCUMENT = """Harbour Notes

1 Walls

The harbour wall was rebuilt in 1882.

The storm of 1881 broke it in two places. Masons came from Leith. They finished in a year.

2 Boats

Fishing boats wintered inside the wall. The ferry kept running. Nobody recalls a winter without it.
"""


class Counting(HashingEncoder):
    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts, batch_size: int = 32) -> np.ndarray:
        self.seen.extend(texts)
        return super().encode(texts)


def test_each_distinct_text_is_embedded_once_and_every_unit_keeps_its_own_vector():
    document = parse(DOCUMENT)
    chunks = chunk_document(document, lambda text: len(text.split()) + 2, ChunkSettings()).chunks
    texts = _unit_texts(document, chunks)
    encoder, reports = Counting(), []
    vectors = _embed_units(texts, encoder, lambda stage, done, total: reports.append((done, total)))
    every = [t for unit in texts.values() for t in unit]
    assert sorted(encoder.seen) == sorted(set(every)) and len(set(every)) < len(every)  # duplicates embedded once
    for unit, items in texts.items():
        np.testing.assert_array_equal(vectors[unit], HashingEncoder().encode(items))
    assert reports[-1][0] == reports[-1][1] == len(set(every))

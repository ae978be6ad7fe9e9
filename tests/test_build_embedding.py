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


def test_paragraphs_are_pooled_from_their_sentences_and_never_embedded_themselves():
    from assistant.index import _pooled_parts, pool

    document = parse(DOCUMENT + "\n3 Bells\n\nThe bell rang at noon. It rang at six. It rang for storms. It rang for weddings.\n")
    chunks = chunk_document(document, lambda text: len(text.split()) + 2, ChunkSettings()).chunks
    texts, parts = _unit_texts(document, chunks), _pooled_parts(document)
    encoder = Counting()
    vectors = _embed_units(texts, encoder, lambda *report: None, pooled=parts)
    assert set(encoder.seen) == set(texts["sentences"]) | set(texts["windows"]) | set(texts["chunks"])
    reference = HashingEncoder()
    for unit in ("chunks", "sentences", "windows", "paragraphs"):
        assert vectors[unit].shape == (len(texts[unit]), reference.dimension)
    bells = texts["paragraphs"].index("The bell rang at noon. It rang at six. It rang for storms. It rang for weddings.")
    assert texts["paragraphs"][bells] not in encoder.seen  # four sentences: no window holds it
    members = parts["paragraphs"][bells]
    weights = np.array([len(t.split()) + 2 for t in members], np.float32)
    expected = (reference.encode(members) * weights[:, None]).sum(axis=0)
    np.testing.assert_allclose(vectors["paragraphs"][bells], expected / np.linalg.norm(expected), atol=1e-6)
    for unit in ("chunks", "sentences", "windows"):
        np.testing.assert_array_equal(vectors[unit], reference.encode(texts[unit]))
    np.testing.assert_allclose(pool(np.diag(np.array([3, 4, 1], np.float32)), [2, 1]), [[0.6, 0.8, 0], [0, 0, 1]], atol=1e-6)

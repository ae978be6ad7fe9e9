"""The embedded paper's shipped e5 sentence vectors (shipped.py) and how a build uses known vectors.

Fast: the table's coverage of the paper as it is split today, and the copying logic with the hashing
stand-in. The slow tier (test_e5_slow.py) checks that the shipped rows are the vectors e5 makes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant import e5, shipped
from assistant.errors import InputError
from assistant.index import build_index, load_index

from test_e5 import LOCKS


class Counting(e5.HashingSecond):
    """The stand-in, counting the texts it embeds."""

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def passages(self, texts):
        self.embedded += list(texts)
        return super().passages(texts)


def table(model: str, texts: list[str], vectors: np.ndarray) -> e5.KnownVectors:
    return e5.KnownVectors(model, {e5.text_key(t): row for row, t in enumerate(texts)}, vectors.astype(np.float32))


def test_the_shipped_table_covers_every_sentence_of_the_embedded_paper():
    """If the paper's sentence splitting changes, run `python -m assistant.shipped` (CONTRIBUTING.md): the
    build would still be right without it, only slower (each sentence it lacks is embedded)."""
    known = shipped.load()
    assert known is not None and known.model == e5.NAME
    texts = shipped.paper_sentences()
    assert len(texts) > 300
    assert [t for t in texts if known.row(t) is None] == []
    assert len(known.rows) == len(set(texts))  # nothing else in it
    np.testing.assert_allclose(np.linalg.norm(known.vectors, axis=1), 1.0, atol=1e-3)


def test_known_rows_are_copied_and_only_the_other_texts_embedded():
    texts = ["Gates open inward.", "Keepers lived beside the lock.", "Tolls paid for the canal.", "Gates open inward."]
    sentinel = np.eye(e5.DIMENSION, dtype=np.float32)[:2]
    known = table(e5.HashingSecond.name, texts[:2], sentinel)
    encoder = Counting()
    progress = []
    vectors = e5.sentence_vectors(encoder, texts, lambda done, total: progress.append((done, total)), known)
    assert encoder.embedded == ["Tolls paid for the canal."]
    np.testing.assert_array_equal(vectors[[0, 1, 3]], sentinel[[0, 1, 0]])
    np.testing.assert_array_equal(vectors[2], e5.HashingSecond().query(texts[2]))
    assert progress == [(1, 1)]
    other = Counting()  # a table another encoder made is not used
    assert (e5.sentence_vectors(other, texts, known=table("another model", texts[:2], sentinel)) ==
            e5.sentence_vectors(e5.HashingSecond(), texts)).all()
    assert other.embedded == texts


def test_a_build_copies_the_rows_of_a_table_its_second_encoder_made(tmp_path, fake_encoder, monkeypatch):
    source = tmp_path / "locks.md"
    source.write_text(LOCKS, encoding="utf-8")
    build_index(source, tmp_path / "plain", encoder=fake_encoder, second=e5.HashingSecond())
    texts = [s.text for s in load_index(tmp_path / "plain").document.sentences]
    sentinel = np.roll(np.eye(e5.DIMENSION, dtype=np.float32), 5, axis=1)[: len(texts)]
    monkeypatch.setattr(shipped, "load", lambda folder=None: table(e5.HashingSecond.name, texts, sentinel))
    encoder = Counting()
    build_index(source, tmp_path / "idx", encoder=fake_encoder, second=encoder)
    assert encoder.embedded == []
    np.testing.assert_array_equal(load_index(tmp_path / "idx").second, sentinel)


@pytest.fixture
def written(tmp_path) -> Path:
    folder = tmp_path / "source"
    folder.mkdir()
    assert shipped.write(folder, e5.HashingSecond()) == len(set(shipped.paper_sentences()))
    return folder


def test_a_written_table_loads_and_a_mismatched_or_broken_one_is_ignored(written):
    known = shipped.load(written)
    assert known is not None and known.model == e5.HashingSecond.name
    text = shipped.paper_sentences()[10]
    np.testing.assert_array_equal(known.row(text), e5.HashingSecond().query(text))
    vectors = np.load(written / shipped.VECTORS)
    np.save(written / shipped.VECTORS, vectors[::-1].copy())  # same shape, other rows: not the file its keys name
    shipped.load.cache_clear()
    assert shipped.load(written) is None
    (written / shipped.KEYS).write_text("{}", encoding="utf-8")
    shipped.load.cache_clear()
    assert shipped.load(written) is None
    (written / shipped.KEYS).unlink()
    shipped.load.cache_clear()
    assert shipped.load(written) is None


def test_write_replaces_its_own_table_but_never_a_file_it_did_not_write(written, tmp_path):
    before = json.loads((written / shipped.KEYS).read_text(encoding="utf-8"))
    assert shipped.write(written, e5.HashingSecond()) == len(before["keys"])  # its own: replaced
    user = tmp_path / "user"
    user.mkdir()
    (user / shipped.VECTORS).write_bytes(b"my array")
    with pytest.raises(InputError, match="not replaced"):
        shipped.write(user, e5.HashingSecond())
    assert (user / shipped.VECTORS).read_bytes() == b"my array"
    assert sorted(p.name for p in user.iterdir()) == [shipped.VECTORS]
    (user / shipped.KEYS).write_text('{"notes": "mine"}', encoding="utf-8")
    with pytest.raises(InputError, match="not replaced"):
        shipped.write(user, e5.HashingSecond())
    assert (user / shipped.KEYS).read_text(encoding="utf-8") == '{"notes": "mine"}'

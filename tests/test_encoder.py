"""The ONNX query encoder against the sentence-transformers reference, and its pure helpers."""

from __future__ import annotations

import numpy as np
import pytest

from assistant import encoder as enc
from assistant.structure import display_text

QUESTIONS = [
    "What does Russia want in Syria?",
    "Why do Iran and Russia cooperate?",
    "Who wrote the paper?",
    "What is defensive realism?",
    "How many notes does the paper have?",
    "Qu'est-ce que la politique étrangère de l'Iran ?",
    "ok",
    "Sanctions, sanctions, sanctions — smart or not?",
    "Astana format goals",
    "What role does the IRGC play in Iraq and Yemen and Lebanon and Syria and elsewhere in the region today?",
]


def test_mean_pool_ignores_padding_and_normalises():
    hidden = np.array([[[1.0, 0.0], [3.0, 0.0], [100.0, 100.0]]], dtype=np.float32)
    mask = np.array([[1, 1, 0]])
    pooled = enc.mean_pool(hidden, mask)
    assert pooled.shape == (1, 2) and pooled.dtype == np.float32
    np.testing.assert_allclose(pooled, [[1.0, 0.0]], atol=1e-6)


def test_mean_pool_of_empty_mask_is_finite():
    pooled = enc.mean_pool(np.zeros((1, 2, 3), np.float32), np.zeros((1, 2), np.int64))
    assert np.isfinite(pooled).all()


def test_token_counter_counts_word_pieces_untruncated():
    count = enc.token_counter()
    assert count("") == 2  # [CLS] [SEP]
    assert count("hello world") == 4
    assert count("word " * 600) == 602  # no truncation at the model window


def test_pinned_weights_verify():
    path = enc.verified_model_dir()
    assert enc.sha256_file(path / enc.WEIGHTS_FILE) == enc.WEIGHTS_SHA256


@pytest.fixture(scope="module")
def parity_texts(paper_document):
    sentences = [display_text(s.text) for s in paper_document.sentences]
    step = max(1, len(sentences) // 60)
    chosen = sentences[::step][:60]
    longest = max(sentences, key=len)  # beyond the 256-token window when over-long
    return chosen + [longest] + QUESTIONS


@pytest.mark.slow
def test_onnx_matches_sentence_transformers(parity_texts):
    onnx = enc.OnnxEncoder()
    reference = enc.SentenceTransformerEncoder()
    assert len(parity_texts) >= 50
    a = onnx.encode(parity_texts)
    b = reference.encode(parity_texts)
    assert a.shape == b.shape == (len(parity_texts), enc.DIMENSION)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    cosines = np.sum(a * b, axis=1)
    worst = int(np.argmin(cosines))
    assert cosines.min() >= 0.999, f"cosine {cosines.min():.5f} on {parity_texts[worst][:80]!r}"


@pytest.mark.slow
def test_onnx_batches_agree_with_single_texts(parity_texts):
    """Padding inside a batch must not change a text's vector."""
    onnx = enc.OnnxEncoder()
    texts = parity_texts[:12]
    batched = onnx.encode(texts, batch_size=12)
    single = np.vstack([onnx.encode([t]) for t in texts])
    np.testing.assert_allclose(batched, single, atol=1e-4)
    assert onnx.encode([]).shape == (0, enc.DIMENSION)


@pytest.mark.slow
def test_onnx_export_is_reused(model_cache):
    first = enc.ensure_onnx()
    stamp = first.stat().st_mtime_ns
    assert enc.ensure_onnx() == first and first.stat().st_mtime_ns == stamp
    assert first.parent == model_cache


def test_quantizing_a_damaged_export_is_a_model_error_and_leaves_nothing(tmp_path):
    """The int8 copy is made in a child process (onnx, no torch); a bad export fails cleanly."""
    bad = tmp_path / "all-MiniLM-L6-v2-bad.onnx"
    bad.write_bytes(b"\x08\x07garbage that is not an onnx model")
    with pytest.raises(enc.ModelError, match="model quantize failed"):
        enc.ensure_quantized(bad)
    assert sorted(p.name for p in tmp_path.iterdir()) == [bad.name]


@pytest.mark.slow
def test_int8_document_vectors_stay_close_to_sentence_transformers(parity_texts):
    """Long documents are embedded with the int8 copy of the export: close to the reference, not
    equal (docs/scale.md has the retrieval figures float32 against int8). Its activations are
    scaled per batch, so texts go longest first, as a build sends them. Only document texts: the
    question "ok" (three word pieces) came out at cosine 0.970, batched with long texts at 0.960."""
    texts = sorted(parity_texts[: -len(QUESTIONS)], key=len, reverse=True)
    int8 = enc.OnnxEncoder(quantized=True).encode(texts)
    reference = enc.SentenceTransformerEncoder().encode(texts)
    np.testing.assert_allclose(np.linalg.norm(int8, axis=1), 1.0, atol=1e-5)
    cosines = np.sum(int8 * reference, axis=1)
    worst = int(np.argmin(cosines))
    assert cosines.mean() >= 0.99 and cosines.min() >= 0.97, f"cosine {cosines.min():.5f} on {texts[worst][:80]!r}"
    assert cosines.min() < 0.9999  # it is the int8 copy, not the float export


@pytest.mark.slow
def test_int8_copy_is_made_once_beside_the_export_the_same_every_time(tmp_path, monkeypatch, model_cache):
    export = enc.ensure_onnx()
    first = enc.ensure_quantized(export)
    assert first == enc.quantized_path(export) and first.parent == model_cache
    stamp = first.stat().st_mtime_ns
    assert enc.ensure_quantized(export) == first and first.stat().st_mtime_ns == stamp
    monkeypatch.setenv("ASSISTANT_MODEL_CACHE", str(tmp_path))
    (tmp_path / export.name).symlink_to(export)
    again = enc.ensure_quantized(tmp_path / export.name)
    assert again.parent == tmp_path and enc.sha256_file(again) == enc.sha256_file(first)  # deterministic


@pytest.mark.slow
def test_a_damaged_int8_copy_is_made_again(tmp_path, monkeypatch, model_cache):
    monkeypatch.setenv("ASSISTANT_MODEL_CACHE", str(tmp_path))
    (tmp_path / enc.onnx_path().name).symlink_to(model_cache / enc.onnx_path().name)
    enc.ensure_onnx()
    enc.quantized_path(enc.onnx_path()).write_bytes(b"\x08\x07garbage that is not an onnx model")
    vectors = enc.OnnxEncoder(quantized=True).encode(["Iran and Russia"])
    assert vectors.shape == (1, enc.DIMENSION)
    assert enc.quantized_path(enc.onnx_path()).stat().st_size > 10_000_000


@pytest.mark.slow
def test_long_documents_hold_int8_vectors_and_the_paper_float_ones(paper_index_dir, paper_document, tmp_path, monkeypatch):
    from assistant import index as store

    assert store.load_index(paper_index_dir).manifest["model"]["documents"] == "float32"
    sentences = [s for s in paper_document.sentences if s.paragraph == paper_document.sentences[40].paragraph]
    source = tmp_path / "part.txt"
    source.write_text("A Part of the Paper\n\n" + " ".join(s.text for s in sentences) + "\n", encoding="utf-8")
    monkeypatch.setattr(store, "INT8_FROM_CHARS", 0)  # this short text counts as long
    index = store.load_index(store.build_index(source, tmp_path / "index") and tmp_path / "index")
    assert index.manifest["model"]["documents"] == "int8"
    texts = [display_text(s.text) for s in index.document.sentences]
    stored = np.vstack([index.dense["sentences"].reconstruct(i) for i in range(len(texts))])
    # int8 activations are scaled per batch, so a vector depends a little on its batch companions
    assert np.sum(stored * enc.OnnxEncoder(quantized=True).encode(texts), axis=1).min() >= 0.97
    to_float = np.sum(stored * enc.OnnxEncoder().encode(texts), axis=1)
    assert to_float.min() >= 0.97 and to_float.min() < 0.9999


def test_a_model_file_is_made_whole_readable_and_a_killed_exports_leftover_is_removed(tmp_path):
    """``_write_model`` renames a finished file into place with a new file's permissions; the
    temporary file of an export killed meanwhile (no lock held on it) goes at the next export, one
    an export is making now (locked) and any other file stay."""
    import fcntl
    import os
    import stat

    cache = tmp_path / "models"
    cache.mkdir()
    killed = cache / ".export-abcd1234.onnx.tmp"
    killed.write_bytes(b"half an export")
    running = cache / ".export-wxyz5678.onnx.tmp"
    running.write_bytes(b"being written")
    mine = cache / ".export-notes.txt"
    mine.write_text("mine", encoding="utf-8")
    held = os.open(running, os.O_RDONLY)
    fcntl.flock(held, fcntl.LOCK_EX)
    try:
        made = enc._write_model(cache / "model.onnx", lambda tmp: tmp.write_bytes(b"model"))
    finally:
        os.close(held)
    assert made.read_bytes() == b"model"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(made.stat().st_mode) == 0o666 & ~umask
    assert not killed.exists() and running.exists() and mine.exists()
    assert sorted(p.name for p in cache.iterdir()) == sorted([made.name, running.name, mine.name])

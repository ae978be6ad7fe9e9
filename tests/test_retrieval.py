"""Fusion and the BM25 wrapper on hand-built inputs (fast: no model, no index)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.lexical import Bm25Index, terms
from assistant.retrieval import FusionSettings, UnitScores, dense_scores, fuse, group_max, minmax, ranks, rrf


def test_ranks_are_descending_and_ties_keep_index_order():
    assert ranks(np.array([0.2, 0.9, 0.2, 0.5])).tolist() == [2, 0, 3, 1]


def test_rrf_sums_weighted_reciprocal_ranks():
    a, b = np.array([3.0, 2.0, 1.0]), np.array([1.0, 2.0, 3.0])
    fused = rrf([a, b], weights=[2.0, 1.0], k=10)
    assert fused == pytest.approx([2 / 11 + 1 / 13, 2 / 12 + 1 / 12, 2 / 13 + 1 / 11])
    assert int(np.argmax(fused)) == 0  # the heavier list's first item wins
    assert rrf([a, b], k=10)[0] == pytest.approx(rrf([a, b], k=10)[2])  # equal weights: symmetric


def test_group_max_and_minmax():
    assert group_max(np.array([1.0, 5.0, 2.0]), np.array([0, 0, 2]), 3).tolist() == [5.0, -np.inf, 2.0]
    assert group_max(np.array([1.0, 5.0, 2.0, 4.0]), np.array([2, 0, 2, 0]), 4).tolist() == [5.0, -np.inf, 2.0, -np.inf]
    assert group_max(np.array([1.0, np.nan, 3.0]), np.array([0, 0, 1]), 2)[1] == 3.0  # NaN stays in its group
    assert np.isnan(group_max(np.array([1.0, np.nan, 3.0]), np.array([0, 0, 1]), 2)[0])
    assert group_max(np.zeros(0, np.float32), np.zeros(0, np.int64), 2).tolist() == [-np.inf, -np.inf]
    rng = np.random.default_rng(0)
    values, groups = rng.standard_normal(500).astype(np.float32), rng.integers(0, 40, 500)
    assert group_max(values, groups, 41).tolist() == [max(values[groups == g], default=-np.inf) for g in range(41)]
    assert minmax(np.array([2.0, 4.0, 3.0])).tolist() == [0.0, 1.0, 0.5]
    assert minmax(np.array([7.0, 7.0])).tolist() == [0.0, 0.0]  # no spread: no signal


@pytest.mark.parametrize("rows", [0, 1, 3000, 12000])
def test_dense_scores_are_faiss_search_scores_bit_for_bit_in_stored_order(rows):
    """Below 10,000 vectors search scores each row with the kernel dense_scores runs; from 10,000
    on it does so on one thread (on more, it splits the rows between threads and BLAS)."""
    import faiss

    rng = np.random.default_rng(rows)
    vectors = rng.standard_normal((rows, 384)).astype(np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-6)
    index = faiss.IndexFlatIP(384)
    index.add(vectors)
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        for query in (vectors[rows // 2] if rows else rng.standard_normal(384), rng.standard_normal(384)):
            got = dense_scores(index, query.astype(np.float64))  # any float dtype: scored as float32
            assert got.dtype == np.float32 and got.shape == (rows,)
            if rows:
                scores, ids = index.search(query.reshape(1, -1).astype(np.float32), rows)
                assert np.array_equal(got[ids[0]], scores[0])
                assert np.allclose(got, vectors @ query.astype(np.float32), atol=1e-5)
    finally:
        faiss.omp_set_num_threads(threads)
    with pytest.raises(ValueError, match="383-dimensional"):
        dense_scores(index, np.zeros(383))


def test_fuse_ranks_the_chunk_whose_sentence_matches_and_the_sentence_in_its_context():
    # two chunks of two sentences each; sentence 3 (chunk 1) matches best on every signal
    chunks = UnitScores(np.array([0.2, 0.6]), np.array([0.0, 3.0]))
    sentences = UnitScores(np.array([0.1, 0.2, 0.3, 0.9]), np.array([0.0, 0.0, 1.0, 4.0]))
    windows = np.array([0.1, 0.2, 0.5, 0.8])
    result = fuse(chunks, sentences, windows, np.array([0, 0, 1, 1]))
    assert int(np.argmax(result.chunk_fused)) == 1
    assert int(np.argmax(result.sentence_fused)) == 3
    # the passage context: with only the chunk term, a sentence takes its chunk's standing
    context_only = FusionSettings(sentence_lexical=0.0, sentence_window=0.0)
    flat = UnitScores(np.zeros(4), np.zeros(4))
    flat_result = fuse(chunks, flat, np.zeros(4), np.array([0, 0, 1, 1]), settings=context_only)
    ranked, chunk_fused = flat_result.sentence_fused, flat_result.chunk_fused
    assert ranked[0] == ranked[1] and ranked[2] == ranked[3] and chunk_fused[0] != chunk_fused[1]
    assert (ranked[2] > ranked[0]) == (chunk_fused[1] > chunk_fused[0])


def test_fuse_uses_the_settings_it_is_given():
    chunks = UnitScores(np.array([0.9, 0.1]), np.array([0.0, 5.0]))  # dense says 0, BM25 says 1
    sentences = UnitScores(np.array([0.5, 0.5]), np.array([0.0, 0.0]))
    windows, owner = np.array([0.0, 0.0]), np.array([0, 1])
    dense_heavy = FusionSettings(chunk_weights=(5.0, 0.1, 0.0, 0.0, 0.0))
    lexical_heavy = FusionSettings(chunk_weights=(0.1, 5.0, 0.0, 0.0, 0.0))
    assert int(np.argmax(fuse(chunks, sentences, windows, owner, settings=dense_heavy).chunk_fused)) == 0
    assert int(np.argmax(fuse(chunks, sentences, windows, owner, settings=lexical_heavy).chunk_fused)) == 1


def test_bm25_wrapper_scores_frequencies_and_unknown_terms(tmp_path):
    texts = ["Sanctions on Iran were imposed in 2018.", "Russia opposed the sanctions.", "The weather was mild."]
    index = Bm25Index.build(texts)
    scores = index.scores(terms("Who opposed sanctions?"))
    assert int(np.argmax(scores)) == 1 and scores[2] == 0.0
    assert index.document_frequency(terms("sanctions")[0]) == 2
    assert index.document_frequency("zanzibar") == 0
    assert index.scores(["zanzibar"]).tolist() == [0.0, 0.0, 0.0]  # unknown terms score nothing
    index.save(tmp_path)
    assert Bm25Index.load(tmp_path).scores(terms("Who opposed sanctions?")) == pytest.approx(scores)


def test_rerank_adds_the_ranker_as_an_rrf_term_for_chunks_and_a_weighted_term_for_sentences():
    from assistant.retrieval import Retrieval, rerank

    fused = Retrieval(UnitScores(np.zeros(3), np.zeros(3)), UnitScores(np.zeros(4), np.zeros(4)), np.zeros(4),
                      chunk_fused=np.array([0.10, 0.099, 0.0]), sentence_fused=np.array([1.0, 0.5, 0.4, 0.0]))
    logit = np.array([-3.0, -2.0, 4.0, -12.0])  # sentence 2 (chunk 1) is the ranker's favourite
    sentence_chunk = np.array([0, 1, 1, 2])
    settings = FusionSettings(rrf_k=20, chunk_ranker=1.0, sentence_ranker=0.0)
    out = rerank(fused, logit, sentence_chunk, settings)
    assert np.allclose(out.chunk_fused, fused.chunk_fused + np.array([1 / 22, 1 / 21, 1 / 23]))
    assert int(np.argmax(out.chunk_fused)) == 1  # the ranker lifts chunk 1 above chunk 0
    assert np.array_equal(out.sentence_fused, fused.sentence_fused)  # weight 0: sentences untouched
    heavy = rerank(fused, logit, sentence_chunk, FusionSettings(chunk_ranker=0.0, sentence_ranker=2.0))
    assert np.array_equal(heavy.chunk_fused, fused.chunk_fused)
    assert int(np.argmax(heavy.sentence_fused)) == 2


def test_the_lead_comes_from_the_passage_ranked_first_when_its_best_sentence_is_near_enough():
    from assistant.retrieval import Retrieval, lead_scores

    fused = Retrieval(UnitScores(np.zeros(3), np.zeros(3)), UnitScores(np.zeros(4), np.zeros(4)), np.zeros(4),
                      chunk_fused=np.array([0.05, 0.2, 0.1]), sentence_fused=np.array([1.0, 0.5, 0.8, 0.2]))
    sentence_chunk = np.array([0, 1, 1, 2])  # sentences 1 and 2 are in the passage ranked first
    assert lead_scores(fused, sentence_chunk, FusionSettings(lead_passage=0.0)) is None  # off: the best score leads
    near = lead_scores(fused, sentence_chunk, FusionSettings(lead_passage=0.3))
    assert int(np.argmax(near)) == 2 and np.allclose(near, [1.0, 0.8, 1.1, 0.2])
    assert int(np.argmax(lead_scores(fused, sentence_chunk, FusionSettings(lead_passage=0.1)))) == 0  # 0.8 + 0.1 < 1.0

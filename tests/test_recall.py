"""Late interaction as a retrieval channel: the MaxSim pool, its chunk term and its candidates (fast)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from assistant import interaction
from assistant.encoder import HashingEncoder
from assistant.retrieval import FUSION, FusionSettings, UnitScores, fuse, lead_scores, pool_ids, rerank, top_ids

OFF = replace(FUSION, chunk_maxsim=0.0, candidate_maxsim=0, passage_maxsim=0.0)  # no MaxSim channel


def test_top_ids_keeps_the_best_allowed_scored_items():
    values = np.array([0.9, np.nan, 0.5, 0.7, 0.1])
    mask = np.array([False, True, True, True, True])
    assert top_ids(values, mask, 2).tolist() == [2, 3]  # 0 is masked out, 1 is not scored
    assert top_ids(values, mask, 10).tolist() == [2, 3, 4]
    assert top_ids(values, mask, 0).tolist() == []


def test_the_pool_is_the_union_of_each_signals_best():
    dense = np.array([0.9, 0.8, 0.1, 0.0, 0.2])
    lexical = np.array([0.0, 0.0, 0.0, 5.0, 1.0])
    assert pool_ids([dense, lexical], 1).tolist() == [0, 3]
    assert pool_ids([dense, lexical], 2).tolist() == [0, 1, 3, 4]


def test_document_maxsim_scores_the_pool_only():
    texts = ["the mill grinds corn in winter", "the mill is old", "the river is wide", "wind turns the sails"]
    blocks = [interaction.block(range(len(texts)), HashingEncoder().token_vectors(texts))]
    stored = interaction.SentenceTokens.join(blocks, list(range(len(texts))), 384)
    question = HashingEncoder().token_vectors(["When does the mill grind corn?"])[0]
    everything = interaction.document_maxsim(question, stored)
    np.testing.assert_allclose(everything, interaction.question_maxsim(question, stored, np.arange(4)))
    pooled = interaction.document_maxsim(question, stored, np.array([3, 0]))
    assert np.isnan(pooled[[1, 2]]).all() and pooled[[0, 3]] == pytest.approx(everything[[0, 3]])


def test_passage_maxsim_matches_the_questions_pieces_across_the_passages_sentences():
    # sentences 0 and 1 (passage 0) each hold half of what the question asks; sentence 2 (passage 1) holds
    # the most of it alone; sentence 3 (passage 2) is left out of the pool
    texts = ["the mill grinds corn", "it does so in winter", "the mill grinds corn daily in spring", "winter corn mill"]
    blocks = [interaction.block(range(len(texts)), HashingEncoder().token_vectors(texts))]
    stored = interaction.SentenceTokens.join(blocks, list(range(len(texts))), 384)
    question = HashingEncoder().token_vectors(["When does the mill grind corn in winter?"])[0]
    pool, passages = np.array([0, 1, 2]), np.array([0, 0, 1, 2])
    sentences, chunk_late = interaction.document_late(question, stored, pool, passages, 3)
    np.testing.assert_array_equal(sentences, interaction.document_maxsim(question, stored, pool))  # the same cosines
    assert chunk_late[2] == -np.inf  # no pooled sentence
    # passage 0 scores as one text made of both its sentences, above either sentence and above passage 1
    query, weights = interaction.question_weights(question, stored)
    tokens, offsets = stored.rows(np.array([0, 1]))
    assert chunk_late[0] == pytest.approx(interaction.maxsim(query, weights, tokens, np.array([0, offsets[-1]]))[0])
    assert chunk_late[0] > max(sentences[0], sentences[1]) and chunk_late[0] > chunk_late[1] == pytest.approx(sentences[2])
    assert sentences[2] > max(sentences[0], sentences[1])  # by one sentence's MaxSim, passage 1 would lead


def test_the_passage_maxsim_term_lifts_its_passage_and_leaves_the_sentence_scores():
    chunks = UnitScores(np.array([0.6, 0.5]), np.array([3.0, 2.0]))
    sentences = UnitScores(np.array([0.5, 0.1, 0.1, 0.4]), np.array([3.0, 0.0, 0.0, 2.0]))
    windows = np.array([0.5, 0.1, 0.1, 0.4])
    chunk = np.array([0, 0, 1, 1])
    settings = FusionSettings(rrf_k=1, chunk_ranker=0.0, chunk_maxsim=0.0, passage_maxsim=0.0)
    fused = fuse(chunks, sentences, windows, chunk, settings=settings, chunk_late=np.array([0.2, 0.7]))
    flat = np.zeros(4)
    assert int(np.argmax(rerank(fused, flat, chunk, settings).chunk_fused)) == 0  # passage_maxsim 0: off
    on = rerank(fused, flat, chunk, replace(settings, passage_maxsim=20.0))
    assert int(np.argmax(on.chunk_fused)) == 1 and on.chunk_late is fused.chunk_late
    np.testing.assert_array_equal(on.sentence_fused, fused.sentence_fused)
    assert int(np.argmax(rerank(replace(fused, chunk_late=None), flat, chunk, replace(settings, passage_maxsim=20.0)).chunk_fused)) == 0
    # the lead comes from the passage ranked first without the term, unless passage_maxsim_leads
    assert on.chunk_lead is not None and int(np.argmax(on.chunk_lead)) == 0
    assert int(np.argmax(lead_scores(on, chunk, replace(settings, lead_passage=10.0)))) in (0, 1)
    leads = rerank(fused, flat, chunk, replace(settings, passage_maxsim=20.0, passage_maxsim_leads=True))
    assert leads.chunk_lead is None and int(np.argmax(lead_scores(leads, chunk, replace(settings, lead_passage=10.0)))) in (2, 3)


def test_the_maxsim_channel_lifts_the_passage_of_the_sentence_it_ranks_first_not_the_sentence_score():
    # chunk 0 leads on every other signal; chunk 1's sentence 3 is MaxSim's best by far
    chunks = UnitScores(np.array([0.6, 0.5]), np.array([3.0, 2.0]))
    sentences = UnitScores(np.array([0.5, 0.1, 0.1, 0.4]), np.array([3.0, 0.0, 0.0, 2.0]))
    windows = np.array([0.5, 0.1, 0.1, 0.4])
    late = np.array([0.2, np.nan, 0.1, 0.9])
    chunk = np.array([0, 0, 1, 1])
    settings = FusionSettings(rrf_k=1, chunk_ranker=0.0, chunk_maxsim=0.0)
    fused = fuse(chunks, sentences, windows, chunk, settings=settings, late=late)
    assert fused.late is late and int(np.argmax(fused.chunk_fused)) == 0
    flat = np.zeros(4)
    assert int(np.argmax(rerank(fused, flat, chunk, settings).chunk_fused)) == 0  # chunk_maxsim 0: off
    on = rerank(fused, flat, chunk, replace(settings, chunk_maxsim=20.0))
    assert int(np.argmax(on.chunk_fused)) == 1 and on.late is late
    np.testing.assert_array_equal(on.sentence_fused, fused.sentence_fused)  # the answer's sentences are chosen as before
    assert int(np.argmax(rerank(replace(fused, late=None), flat, chunk, replace(settings, chunk_maxsim=20.0)).chunk_fused)) == 0


def _mills(tmp_path):
    from assistant.index import build_index, load_index

    source = tmp_path / "mills.md"
    filler = " ".join(f"Report {n} on the weather in the valley number {n}." for n in range(200))
    source.write_text(f"# Mills\n\n{filler}\n\nThe miller grinds corn in winter.\n", encoding="utf-8")
    build_index(source, tmp_path / "idx", encoder=HashingEncoder())
    return load_index(tmp_path / "idx")


MILLER = "When does the miller grind corn?"


def _asked(tmp_path, **settings):
    """The mills index, an Assistant with ``settings`` replaced in FusionSettings, MILLER's query and its candidates."""
    from assistant.engine import Assistant

    index = _mills(tmp_path)
    assistant = Assistant(index, HashingEncoder(), fusion=replace(FUSION, **settings))
    query = assistant.query(MILLER)
    return index, assistant, query, assistant.candidates(MILLER, query)


def test_maxsims_best_sentences_join_the_rankers_candidates(tmp_path):
    from assistant.engine import Assistant

    index, plain, query, before = _asked(tmp_path, chunk_maxsim=0.0, candidate_maxsim=0)
    question = MILLER
    outside = int(np.setdiff1d(np.arange(len(index.tokens)), before.ids)[0])  # no other signal picks it
    late = Assistant(index, HashingEncoder(), fusion=replace(OFF, candidate_maxsim=2))
    fused = before.fused
    scores = np.full(len(index.tokens), np.nan)
    scores[[outside, 5, 7]] = [0.9, 0.8, 0.1]
    mask = np.ones(len(scores), dtype=bool)
    found = late._candidates(question, query, replace(fused, late=scores), mask, late._weights(query))
    assert {outside, 5} <= set(found.ids.tolist()) and found.x.shape == (len(found.ids), before.x.shape[1])
    assert outside not in plain._candidates(question, query, replace(fused, late=scores), mask, plain._weights(query)).ids


def test_the_channel_scores_the_pool_of_each_signals_best_sentences(tmp_path):
    from assistant.engine import Assistant

    index, late, query, found = _asked(tmp_path, chunk_maxsim=1.0, candidate_maxsim=3, maxsim_pool=5)
    scores = found.fused.late
    assert scores is not None and 5 <= np.count_nonzero(~np.isnan(scores)) <= 15  # 5 best of dense, BM25, window
    target = len(index.tokens) - 1  # the miller's sentence
    assert int(np.nanargmax(scores)) == target and target in found.ids
    assert late.ask(MILLER).sentence_ids[0] == target
    chunk_late = found.fused.chunk_late  # the passage MaxSim, from the same pool
    assert chunk_late is not None and int(np.argmax(chunk_late)) == late._sentence_chunk[target]
    off = Assistant(index, HashingEncoder(), fusion=OFF).candidates(MILLER, query).fused
    assert off.late is None and off.chunk_late is None  # off: not computed


def test_the_candidates_maxsim_is_read_from_the_channel_where_it_was_computed(tmp_path):
    index, _, query, found = _asked(tmp_path, chunk_maxsim=1.0, sentence_maxsim=0.5, maxsim_pool=2)
    assert np.isnan(found.fused.late).any() and not np.isnan(found.late).any()
    np.testing.assert_allclose(found.late, interaction.question_maxsim(query.tokens, index.tokens, found.ids))


@pytest.mark.slow
def test_real_model_the_channel_brings_a_reworded_questions_passage_up(paper_assistant):
    """Questions reworded away from the paper (written for this test, not from a gold set): the
    passage holding the answer ranks higher with the MaxSim channel than without it, and in the top 5.
    Both without the e5 channel (retrieval.with_second), which alone brings these passages up too."""
    from assistant.engine import Assistant

    no_e5 = replace(FUSION, sentence_second=0.0, chunk_second=0.0, candidate_second=0)
    on = Assistant(paper_assistant.index, paper_assistant.encoder, fusion=no_e5)
    off = Assistant(paper_assistant.index, paper_assistant.encoder,
                    fusion=replace(no_e5, chunk_maxsim=0.0, candidate_maxsim=0, passage_maxsim=0.0))

    def rank(assistant, question: str, needle: str) -> int:
        ranks = [p.rank for p in assistant.ask(question).passages if needle in p.text]
        return ranks[0] if ranks else 99

    for question, needle in (("Which republics of the former USSR serve as a protective belt for Moscow?", "buffer states"),
                             ("Which Iranian airfield hosted Russian warplanes?", "Hamedan")):
        with_channel, without = rank(on, question, needle), rank(off, question, needle)
        assert with_channel <= 5 and with_channel < without, (question, with_channel, without)
        assert rank(paper_assistant, question, needle) <= 5  # and with both channels
    # The channel moves passages, not sentence scores: with the lead taken from the best sentence score
    # (FusionSettings.lead_passage 0; at 0.3 the passage ranked first may supply the lead) the answers match.
    on_scores = Assistant(paper_assistant.index, paper_assistant.encoder, fusion=replace(FUSION, lead_passage=0.0))
    off_scores = Assistant(paper_assistant.index, paper_assistant.encoder, fusion=replace(OFF, lead_passage=0.0))  # e5 on in both
    question = "Which Iranian airfield hosted Russian warplanes?"
    assert on_scores.ask(question).sentence_ids == off_scores.ask(question).sentence_ids

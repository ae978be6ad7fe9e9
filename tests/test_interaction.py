"""Late interaction: MaxSim over token vectors, their int8 storage, and their place in the index."""

from __future__ import annotations

import numpy as np
import pytest

from assistant import interaction
from assistant.encoder import BackgroundEncoder, HashingEncoder, encode_with_tokens
from assistant.interaction import SentenceTokens, Tokens


def _unit(rows):
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_maxsim_takes_each_query_rows_best_match_in_each_sentence():
    query = _unit([[1, 0, 0], [0, 1, 0]])
    tokens = _unit([[1, 0, 0], [0, 0, 1],  # sentence 0: matches the first query row only
                    [0.6, 0.8, 0], [0, 1, 0]])  # sentence 1: 0.6 for the first, 1.0 for the second
    offsets = np.array([0, 2, 4])
    plain = interaction.maxsim(query, np.ones(2), tokens, offsets)
    assert plain.tolist() == pytest.approx([(1.0 + 0.0) / 2, (0.6 + 1.0) / 2])
    weighted = interaction.maxsim(query, np.array([3.0, 1.0]), tokens, offsets)
    assert weighted.tolist() == pytest.approx([3.0 / 4, (3 * 0.6 + 1.0) / 4])  # the rarer piece weighs more
    assert interaction.coverage(query, tokens, offsets).tolist() == pytest.approx([0.5, 0.9])


def test_maxsim_of_nothing_is_empty_not_an_error():
    assert interaction.maxsim(np.zeros((0, 3)), np.zeros(0), np.zeros((2, 3)), np.array([0, 2])).tolist() == [0.0]
    assert interaction.maxsim(np.ones((1, 3)), np.ones(1), np.zeros((0, 3)), np.array([0])).tolist() == []


def test_content_pieces_leave_out_specials_and_punctuation():
    tokens = Tokens(("[CLS]", "why", "?", "##s", "[SEP]"), np.arange(5), np.eye(5, dtype=np.float32))
    assert interaction.content_rows(tokens).tolist() == [1, 3]
    only_marks = Tokens(("[CLS]", "?", "[SEP]"), np.arange(3), np.eye(3, dtype=np.float32))
    assert interaction.content_rows(only_marks).tolist() == [1]
    assert interaction.kept_rows(tokens) == [1, 3] and interaction.kept_rows(only_marks) == [0]  # what the index keeps


def test_int8_rows_keep_cosines_within_a_hundredth():
    rng = np.random.default_rng(0)
    rows = _unit(rng.normal(size=(50, 384)))
    q, scale = interaction.quantize(rows)
    assert q.dtype == np.int8 and scale.dtype == np.float32
    back = q.astype(np.float32) * scale[:, None]
    assert np.abs(np.sum(back * rows, axis=1) - 1.0).max() < 0.01


def _stored(texts):
    blocks = [interaction.block(range(len(texts)), HashingEncoder().token_vectors(texts))]
    return SentenceTokens.join(blocks, list(range(len(texts))), 384)


def test_sentence_tokens_rows_frequency_and_check():
    stored = _stored(["the mill grinds corn", "a mill", "wind turns the sails"])
    assert len(stored) == 3 and stored.offsets.tolist() == [0, 4, 6, 10]  # [CLS]/[SEP] are not stored
    rows, offsets = stored.rows(np.array([2, 0]))
    assert offsets.tolist() == [0, 4, 8] and rows.shape == (8, 384)
    np.testing.assert_allclose(rows[4:], HashingEncoder().token_vectors(["the mill grinds corn"])[0].vectors[1:-1], atol=1e-6)
    mill = HashingEncoder().token_vectors(["mill"])[0].ids[1]
    assert stored.frequency[int(mill)] == 2  # sentences holding the piece, not occurrences
    assert stored.check(3, 384) is None
    assert stored.check(4, 384) and stored.check(3, 128)


def test_question_maxsim_ranks_the_sentence_with_the_rarer_words_first():
    texts = ["the mill grinds corn in winter", "the mill is old", "the river is wide", "the mill stands by the river"]
    stored = _stored(texts)
    question = HashingEncoder().token_vectors(["When does the mill grind corn?"])[0]
    scores = interaction.question_maxsim(question, stored, np.arange(4))
    assert int(np.argmax(scores)) == 0 and scores[2] < scores[1]
    assert interaction.question_maxsim(question, stored, np.array([], dtype=np.int64)).tolist() == []


def test_encode_with_tokens_matches_encode_and_background_encoder_keeps_both():
    texts = ["one mill", "two mills turn"]
    vectors, tokens = encode_with_tokens(HashingEncoder(), texts, [False, True])
    np.testing.assert_array_equal(vectors, HashingEncoder().encode(texts))
    assert len(tokens) == 1 and tokens[0].pieces == ("[CLS]", "two", "mills", "turn", "[SEP]")
    calls = []

    class Counting(HashingEncoder):
        def encode(self, texts, batch_size=32):
            calls.append(list(texts))
            return super().encode(texts)

    background = BackgroundEncoder(Counting)
    first = background.encode_with_tokens(["a question"], [True])
    again = background.encode(["a question"])
    assert len(calls) == 1 and np.array_equal(first[0], again) and first[1][0].pieces[1:3] == ("a", "question")


def test_the_index_stores_every_sentences_token_vectors(tmp_path):
    from assistant.index import build_index, load_index

    source = tmp_path / "mills.md"
    source.write_text("# Mills\n\nThe mill grinds corn. It stands by the river.\n\nWind turns the sails of the mill.\n",
                      encoding="utf-8")
    build_index(source, tmp_path / "idx", encoder=HashingEncoder())
    index = load_index(tmp_path / "idx")
    sentences = [s.text for s in index.document.sentences]
    assert len(index.tokens) == len(sentences)
    rows, offsets = index.tokens.rows(np.arange(len(sentences)))
    expected = HashingEncoder().token_vectors(sentences)
    assert np.diff(offsets).tolist() == [len(t.pieces) - 2 for t in expected]
    np.testing.assert_allclose(rows, np.vstack([t.vectors[1:-1] for t in expected]), atol=1e-6)
    assert all(f"tokens-{name}.npy" in index.manifest["files"] for name in ("vectors", "scales", "ids", "offsets"))


def test_an_index_without_token_vectors_asks_for_a_rebuild(tmp_path):
    from assistant.errors import BrokenIndexError
    from assistant.index import build_index, load_index, problems

    source = tmp_path / "doc.txt"
    source.write_text("The mill grinds corn. It stands by the river.\n", encoding="utf-8")
    build_index(source, tmp_path / "idx", encoder=HashingEncoder())
    (tmp_path / "idx" / "current" / "tokens-offsets.npy").unlink()
    assert problems(tmp_path / "idx")
    with pytest.raises(BrokenIndexError, match="rebuild"):
        load_index(tmp_path / "idx")


@pytest.mark.slow
def test_real_model_tokens_come_from_the_pooled_run_and_are_stored(paper_assistant):
    """One ONNX run gives the pooled vector and the token vectors; the index holds each sentence's
    (int8) token vectors as a fresh encoding gives them."""
    encoder = paper_assistant.encoder
    index = paper_assistant.index
    texts = [index.document.sentences[i].text for i in (3, 40)]
    from assistant.structure import display_text

    texts = [display_text(t) for t in texts]
    vectors, tokens = encoder.encode_with_tokens(texts, [True, True])
    np.testing.assert_allclose(vectors, encoder.encode(texts), atol=1e-5)
    for sid, fresh in zip((3, 40), tokens):
        rows, _ = index.tokens.rows(np.array([sid]))
        kept = fresh.vectors[interaction.kept_rows(fresh)]
        assert rows.shape == kept.shape and np.min(np.sum(rows * kept, axis=1)) > 0.99


@pytest.mark.slow
def test_real_model_maxsim_prefers_a_paraphrased_sentence_to_a_hub_sentence(paper_assistant):
    """Reworded ("novel aim ... add" for "includes a new goal"), the evidence sentence wins on MaxSim
    over a short sentence naming both countries; and on a looser paraphrase MaxSim narrows the gap
    that the pooled cosine leaves in the hub sentence's favour."""
    index, encoder = paper_assistant.index, paper_assistant.encoder
    doc = index.document

    def sentence(start: str) -> int:
        return next(s.id for s in doc.sentences if s.text.startswith(start))

    hub = sentence("Moscow shares several interests with Tehran")
    goal = next(s.id for s in doc.sentences if "it includes a new goal" in s.text)
    strategy = next(s.id for s in doc.sentences if "Its primary strategy in the region" in s.text)
    pooled = np.vstack([index.dense["sentences"].reconstruct(i) for i in range(len(doc.sentences))])

    def scores(question: str, ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
        vectors, tokens = encoder.encode_with_tokens([question], [True])
        return interaction.question_maxsim(tokens[0], index.tokens, np.array(ids)), pooled[ids] @ vectors[0]

    late, _ = scores("What novel aim did the 2016 version of the Russian doctrine add?", [goal, hub])
    assert late[0] > late[1] + 0.1
    late, dense = scores("Which instrument does Tehran mostly rely on to extend its sway over nearby countries?", [strategy, hub])
    assert dense[1] - dense[0] > 0.1 and (late[1] - late[0]) < (dense[1] - dense[0]) / 4


def test_the_scaled_maxsim_moves_a_candidate_up_the_sentence_score():
    from assistant import ranker
    from assistant.retrieval import FusionSettings, Retrieval, UnitScores, rerank

    n = 5
    x = np.zeros((3, len(ranker.FEATURES)))
    found = ranker.Candidates(np.array([0, 1, 3]), x, UnitScores(np.zeros(n), np.zeros(n)), None,  # type: ignore[arg-type]
                              np.array([0.4, 0.2, 0.6]))
    late = ranker.scaled_late(found, n)
    assert late.tolist() == pytest.approx([0.5, 0.0, 0.0, 1.0, 0.0])
    fused = Retrieval(UnitScores(np.zeros(2), np.zeros(2)), UnitScores(np.zeros(n), np.zeros(n)), np.zeros(n),
                      np.zeros(2), np.array([0.0, 0.5, 0.0, 0.4, 0.0]))  # sentence 1 leads before MaxSim
    chunk = np.array([0, 0, 1, 1, 1])
    off = rerank(fused, np.zeros(n), chunk, FusionSettings(sentence_maxsim=0.0), late)
    on = rerank(fused, np.zeros(n), chunk, FusionSettings(sentence_maxsim=0.6), late)
    assert int(np.argmax(off.sentence_fused)) == 1 and int(np.argmax(on.sentence_fused)) == 3


def test_join_shares_one_texts_rows_between_sentences_and_drops_each_block():
    encoder = HashingEncoder()
    blocks = [interaction.block([9], encoder.token_vectors(["other"])),
              interaction.block([7, 8], encoder.token_vectors(["same words", "three more words"]))]
    stored = SentenceTokens.join(blocks, [7, 9, 7, 8], 384)  # a sentence text repeated in the document
    assert blocks == [None, None] and stored.offsets.tolist() == [0, 2, 3, 5, 8]
    np.testing.assert_array_equal(stored.vectors[0:2], stored.vectors[3:5])
    expected = [interaction.compact(t)[0] for t in encoder.token_vectors(["same words", "other", "same words", "three more words"])]
    np.testing.assert_array_equal(stored.vectors, np.vstack(expected))
    assert stored.check(4, 384) is None


def test_the_engine_scores_candidates_by_maxsim_and_the_ranker_reads_it(tmp_path):
    from dataclasses import replace

    from assistant import ranker
    from assistant.engine import Assistant
    from assistant.index import build_index, load_index
    from assistant.retrieval import FUSION

    source = tmp_path / "mills.md"
    source.write_text("# Mills\n\nThe mill grinds corn in winter. The mill is old.\n\n"
                      "The river is wide. Wind turns the sails of the mill.\n", encoding="utf-8")
    build_index(source, tmp_path / "idx", encoder=HashingEncoder())
    index = load_index(tmp_path / "idx")
    question = "When does the mill grind corn?"
    on = Assistant(index, HashingEncoder(), fusion=replace(FUSION, sentence_maxsim=0.8))
    query = on.query(question)
    assert query.tokens is not None and query.tokens.pieces[0] == "[CLS]"
    found = on.candidates(question, query)
    assert found.late.max() > 0 and int(found.ids[np.argmax(found.late)]) == 0
    np.testing.assert_allclose(found.late, interaction.question_maxsim(query.tokens, index.tokens, found.ids))
    np.testing.assert_allclose(found.x[:, ranker.FEATURES.index("maxsim")], found.late)  # a ranker feature
    off = Assistant(index, HashingEncoder(), fusion=replace(FUSION, sentence_maxsim=0.0))
    np.testing.assert_allclose(off.candidates(question, query).late, found.late)  # computed at weight 0 too
    assert on.ask(question).sentence_ids[0] == 0 and off.ask(question).sentence_ids[0] == 0
